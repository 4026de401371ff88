#ifndef L2W_COLLECTOR_CHAIN_STORE_H
#define L2W_COLLECTOR_CHAIN_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "collector/eth.h"
#include "core/config.h"
#include "core/db.h"
#include "detectors/state_root.h"

/* SQL for the collector's facts: chains, blocks, logs, output proposals. */

/* Inserts or updates the chains rows from the config (name, id, role, l1). */
L2W_MUST_CHECK l2w_status l2w_store_upsert_chains(l2w_db *db, const l2w_config *cfg, l2w_err *err);
L2W_MUST_CHECK l2w_status l2w_store_set_head(l2w_db *db, const char *chain, uint64_t head, l2w_err *err);

/* The checkpoint: highest stored block and its hash. *has is false when
 * nothing has been stored yet. */
L2W_MUST_CHECK l2w_status l2w_store_checkpoint(l2w_db *db, const char *chain, bool *has, uint64_t *number,
                                               l2w_hash *hash, l2w_err *err);
/* Hash of the stored block at number; L2W_ERR_NOT_FOUND if none. */
L2W_MUST_CHECK l2w_status l2w_store_block_hash(l2w_db *db, const char *chain, uint64_t number, l2w_hash *out,
                                               l2w_err *err);
/* The highest stored block at or below number: its number and hash;
 * L2W_ERR_NOT_FOUND if none. Older headers may be sparse (catch-up stores
 * only the blocks that carry logs), so this is how a walk back skips gaps. */
L2W_MUST_CHECK l2w_status l2w_store_block_at_or_below(l2w_db *db, const char *chain, uint64_t number,
                                                      uint64_t *found, l2w_hash *hash, l2w_err *err);
/* Deletes stored blocks above fork and every fact of theirs (logs,
 * proposals, bridge events, escrow samples: the list is in chain_store.c)
 * and moves the checkpoint to fork; has_fork false deletes everything.
 * Call inside a transaction. */
L2W_MUST_CHECK l2w_status l2w_store_unwind(l2w_db *db, const char *chain, bool has_fork, uint64_t fork,
                                           l2w_err *err);

/* Inside a transaction. Each table's rows go in one COPY, so a catch-up
 * range costs a few round trips whatever its size. Every proposal's
 * l1_chain must be l1_chain. */
L2W_MUST_CHECK l2w_status l2w_store_blocks(l2w_db *db, const char *chain, const l2w_block_header *h, size_t n,
                                           l2w_err *err);
L2W_MUST_CHECK l2w_status l2w_store_logs(l2w_db *db, const char *chain, const l2w_evm_log *logs, size_t n,
                                         l2w_err *err);
L2W_MUST_CHECK l2w_status l2w_store_output_proposals(l2w_db *db, const char *l1_chain,
                                                     const l2w_output_proposal *p, size_t n, l2w_err *err);
L2W_MUST_CHECK l2w_status l2w_store_set_synced(l2w_db *db, const char *chain, uint64_t number, l2w_err *err);

#endif
