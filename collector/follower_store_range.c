#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/finding_store.h"
#include "collector/bridge_events.h"
#include "collector/channel_events.h"
#include "collector/chain_store.h"
#include "collector/eth.h"
#include "collector/follower_internal.h"
#include "collector/log_ranges.h"
#include "collector/op_outputs.h"
#include "core/hex.h"
#include "core/log.h"
#include "core/metrics.h"

const l2w_block_header *l2w_follower_header_at(const l2w_block_header *h, size_t n, uint64_t number)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (h[mid].number < number)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && h[lo].number == number ? &h[lo] : NULL;
}

/* A log that does not decode is logged and skipped: it stays stored as a
 * log, never becomes a fact. */
static void undecodable(const l2w_follower *f, const l2w_evm_log *log, const l2w_err *derr)
{
    char tx[L2W_HASH_HEX_LEN];
    l2w_hash_to_hex(tx, &log->tx_hash);
    L2W_UNUSUAL("follower", f->chain->name, "log %u of tx %s not decoded: %s", log->log_index, tx, derr->msg);
}

/* The decoded facts of a range, each array with room for every log. */
typedef struct {
    l2w_output_proposal *proposals;
    size_t n_proposals;
    l2w_bridge_event *events;
    size_t n_events;
    l2w_channel_dispute *disputes;
    size_t n_disputes;
} range_facts;

static bool is_channel_watch(const l2w_watch *w)
{
    return w->kind == L2W_WATCH_VECTOR_DISPUTED || w->kind == L2W_WATCH_NITRO_CHALLENGE;
}

static void decode_facts(const l2w_follower *f, const l2w_block_header *h, size_t n, const l2w_evm_log *logs,
                         size_t n_logs, range_facts *rf)
{
    rf->n_proposals = rf->n_events = rf->n_disputes = 0;
    for (size_t i = 0; i < n_logs; i++) {
        const l2w_evm_log *log = &logs[i];
        const l2w_watch *w = l2w_watch_find(f->watches, f->n_watches, &log->address, &log->topics[0]);
        if (!w || w->kind == L2W_WATCH_VALIDIUM_SEQUENCED)
            continue; /* a sequence stays a log: the committee guard reads it with its transaction */
        l2w_err derr;
        if (w->kind == L2W_WATCH_OUTPUT_PROPOSED) {
            l2w_output_proposal *p = &rf->proposals[rf->n_proposals];
            memset(p, 0, sizeof *p);
            if (l2w_decode_output_proposed(p, log, &derr) != L2W_OK) {
                undecodable(f, log, &derr);
                continue;
            }
            snprintf(p->l1_chain, sizeof p->l1_chain, "%s", f->chain->name);
            snprintf(p->l2_chain, sizeof p->l2_chain, "%s", w->l2_chain);
            rf->n_proposals++;
            continue;
        }
        const l2w_block_header *b = l2w_follower_header_at(h, n, log->block_number);
        if (is_channel_watch(w)) {
            if (l2w_channel_dispute_decode(&rf->disputes[rf->n_disputes], w, log, b ? b->timestamp : 0, &derr) !=
                L2W_OK) {
                undecodable(f, log, &derr);
                continue;
            }
            rf->n_disputes++;
            continue;
        }
        if (l2w_bridge_event_decode(&rf->events[rf->n_events], w, log, b ? b->timestamp : 0, &derr) != L2W_OK) {
            undecodable(f, log, &derr);
            continue;
        }
        rf->n_events++;
    }
}

/* Stores headers [0, n) and their logs in one transaction and advances the
 * checkpoint to the last header. The headers are in ascending order and need
 * not be consecutive (catch-up stores only the blocks that carry logs). */
l2w_status l2w_follower_commit_range(l2w_follower *f, l2w_db *db, const l2w_block_header *h, size_t n,
                               const l2w_evm_log *logs, size_t n_logs, bool *new_facts, l2w_err *err)
{
    const char *name = f->chain->name;
    size_t room = n_logs ? n_logs : 1;
    range_facts rf = {.proposals = calloc(room, sizeof *rf.proposals),
                      .events = calloc(room, sizeof *rf.events),
                      .disputes = calloc(room, sizeof *rf.disputes)};
    if (!rf.proposals || !rf.events || !rf.disputes) {
        free(rf.proposals);
        free(rf.events);
        free(rf.disputes);
        l2w_err_set(err, "follower %s: %zu log(s): out of memory", name, n_logs);
        return L2W_ERR_NOMEM;
    }
    decode_facts(f, h, n, logs, n_logs, &rf);
    l2w_status st = l2w_db_begin(db, err);
    if (st == L2W_OK)
        st = l2w_store_blocks(db, name, h, n, err);
    if (st == L2W_OK)
        st = l2w_store_logs(db, name, logs, n_logs, err);
    if (st == L2W_OK)
        st = l2w_store_output_proposals(db, name, rf.proposals, rf.n_proposals, err);
    if (st == L2W_OK)
        st = l2w_store_bridge_events(db, name, rf.events, rf.n_events, err);
    if (st == L2W_OK)
        st = l2w_store_channel_disputes(db, name, rf.disputes, rf.n_disputes, err);
    if (st == L2W_OK)
        st = l2w_store_set_synced(db, name, h[n - 1].number, err);
    free(rf.proposals);
    free(rf.events);
    free(rf.disputes);
    if ((st = l2w_db_end(db, st, err)) == L2W_OK && rf.n_proposals + rf.n_events + rf.n_disputes > 0)
        *new_facts = true;
    return st;
}

