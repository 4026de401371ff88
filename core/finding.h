#ifndef L2W_CORE_FINDING_H
#define L2W_CORE_FINDING_H

#include <jansson.h>
#include <stdbool.h>

#include "core/eth_types.h"
#include "core/status.h"
#include "core/u256.h"

/* What a detector concluded. The dedup key is stable for the same fact, so a
 * finding raised again after a restart or by another replica is the same row. */

typedef enum {
    L2W_SEV_INFO = 0,
    L2W_SEV_WARNING = 1,
    L2W_SEV_CRITICAL = 2,
} l2w_severity;

const char *l2w_severity_name(l2w_severity sev);

typedef struct {
    const char *kind;            /* static string, e.g. "invalid_output_root" */
    l2w_severity severity;
    char chain[40];
    char dedup_key[400];
    char title[256];
    char summary[1024];
    json_t *evidence;            /* owned object */
    bool has_block_number;
    l2w_u256 block_number;
    bool has_tx_hash;
    l2w_hash tx_hash;
    /* The block holding the fact the finding stands on; a reorg that removes
     * it retracts the finding. */
    bool has_anchor;
    char anchor_chain[40];
    l2w_hash anchor_block_hash;
} l2w_finding;

/* Releases the evidence; the struct may be reused. */
void l2w_finding_clear(l2w_finding *f);

#endif
