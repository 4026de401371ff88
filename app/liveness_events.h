#ifndef L2W_APP_LIVENESS_EVENTS_H
#define L2W_APP_LIVENESS_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/db.h"
#include "core/status.h"
#include "detectors/liveness.h"

/* A liveness: series as the store holds it: the rows a tracker is rebuilt
 * from, in the order they are observed, and the rule's config resolved from
 * the series' keys. Shared by the guard (app/liveness_guard.c, when it takes
 * the lead) and the web's liveness views, which rebuild one per request. */

/* The kind a series names, for the kinds a collector feeds: "batches",
 * "proposals", "l2_head". false for anything else ("proofs" has no source
 * yet, so the config refuses it). */
bool l2w_liveness_kind_parse(l2w_liveness_kind *out, const char *name);

/* The rule's config of series sc of kind: the kind's defaults
 * (l2w_liveness_config_default) with every non-zero field of sc over them;
 * a default min_samples larger than a configured window shrinks to it. The
 * result may still break l2w_liveness_init's bounds: init says which. */
void l2w_liveness_series_rule(l2w_liveness_config *out, const l2w_liveness_series_config *sc,
                              l2w_liveness_kind kind);

/* One stored event of a series. */
typedef struct {
    bool has_ts;         /* false: the row's time is NULL or not an integer from 0 to 2^64 - 1 */
    uint64_t ts;         /* unix seconds: L1 block time (batches, proposals), wall clock when seen (l2_head) */
    int64_t id;          /* batches, l2_head: liveness_events.id; proposals: 0 */
    int64_t block;       /* proposals: l1_block_number; else liveness_events.block_number, -1 when NULL */
    int64_t log_index;   /* proposals: the OutputProposed log's index; else -1 */
    /* Set by l2w_liveness_replay. */
    bool observed;       /* the rule took it (after the previous observed event, below 2^48) */
    bool has_interval;   /* observed after another observed event */
    uint64_t interval_s; /* with has_interval: ts - the previous observed event's ts; else 0 */
} l2w_liveness_event;

/* Reads the last max events of chain's series of kind, those at or before
 * *upto when upto is not NULL, into out[0..*n), oldest first, in the order
 * the guard observes them:
 *   batches, l2_head: liveness_events rows of (chain, kind), by id;
 *   proposals: the chain's output_proposals (l2_chain) at their
 *     l1_timestamp, by (l1_block_number, log_index).
 * out holds max entries (max 0 reads nothing). The observed fields are
 * cleared. L2W_ERR_INVALID for a kind without a source. */
L2W_MUST_CHECK l2w_status l2w_liveness_events_tail(l2w_db *db, l2w_liveness_event *out, size_t max, size_t *n,
                                                   const char *chain, l2w_liveness_kind kind, const uint64_t *upto,
                                                   l2w_err *err);

/* Observes ev[0..n) in order into t, as the guard's rebuild does: no
 * check(), so no gap opens and nothing is raised; an event the rule refuses
 * (no time, the same second as or older than the last one taken, past
 * 2^48) is skipped. Sets each event's observed, has_interval and
 * interval_s (intervals between events of ev: t is expected fresh from
 * l2w_liveness_init). Returns how many were observed. */
size_t l2w_liveness_replay(l2w_liveness *t, l2w_liveness_event *ev, size_t n);

#endif
