#ifndef L2W_DETECTORS_LIVENESS_H
#define L2W_DETECTORS_LIVENESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/finding.h"
#include "core/status.h"

/* liveness_gap (medium, high): one series of events on one chain (batches
 * posted, output proposals, proofs, new L2 heads) has gone quiet for longer
 * than it should. A pure rule over a tracker the caller feeds: observe()
 * every event in time order, check() on every look (each poll, each new L1
 * head) to catch a gap while it is still open, which is the point of a
 * watchtower (L2BEAT's "virtual now" point, evaluated live).
 *
 * The gap now - last event is anomalous when either
 *   - gap > max_interval_s (always, even with no history): severity high; or
 *   - the window holds at least min_samples intervals, gap > mean,
 *     z = (gap - mean) / stddev >= z_threshold and gap >= min_gap_s:
 *     severity medium.
 * mean and stddev are over the last `window` intervals (population
 * variance, as L2BEAT's z); stddev is floored at 1 s, the resolution of the
 * timestamps, so a perfectly regular series has a finite z and a 1 s late
 * event is z 1, not infinity.
 *
 * Transitions: check() gives GAP_OPENED once per gap, then nothing while it
 * stays open except one GAP_ESCALATED when a medium gap passes
 * max_interval_s; the next observe() closes it with RECOVERED. A gap that
 * opened and closed between two looks is never seen by check(): a caller
 * catching up on history calls check(event_ts) before observe(event_ts).
 *
 * event_ts is when the event happened on the chain that judges it: the L1
 * block time of a posting or proposal. For the L2 head it is the time the
 * collector saw the head advance, not the L2 block's timestamp: a sequencer
 * that resumes after a halt may back-fill timestamps and hide the gap.
 *
 * The tracker lives in memory; after a restart the caller rebuilds it by
 * observing the last window + 1 events from the store, then check()s: an
 * ongoing gap opens again with the same dedup key. */

/* Upper bound of config.window: the ring is inside the tracker, so feeding
 * an event never allocates. */
#define L2W_LIVENESS_WINDOW_MAX 1024u
/* Latest accepted timestamp (2^48 s, some 8.9 million years). It bounds an
 * interval's square so the window's sums are exact in 128 bits. */
#define L2W_LIVENESS_MAX_TS (UINT64_C(1) << 48)

typedef enum {
    L2W_LIVENESS_BATCHES = 1,    /* batches posted to L1 / the DA layer */
    L2W_LIVENESS_PROPOSALS = 2,  /* output roots / assertions proposed */
    L2W_LIVENESS_PROOFS = 3,     /* validity proofs verified */
    L2W_LIVENESS_L2_HEAD = 4,    /* the L2 head advancing */
} l2w_liveness_kind;

/* "batches", "proposals", "proofs", "l2_head": used in subjects and evidence. */
const char *l2w_liveness_kind_name(l2w_liveness_kind kind);

typedef struct {
    uint64_t max_interval_s;     /* > 0: a gap longer than this is always reported, high */
    double z_threshold;          /* > 0, default 15 (L2BEAT's) */
    uint32_t min_samples;        /* >= 2 and <= window, default 20: intervals needed before z counts */
    uint64_t min_gap_s;          /* the z rule never fires on a shorter gap */
    uint32_t window;             /* 2..L2W_LIVENESS_WINDOW_MAX intervals, default 1024 */
} l2w_liveness_config;

/* Defaults for a kind: z 15, min_samples 20, window 1024, and max_interval_s
 * / min_gap_s of batches 4 h / 10 min, proposals 4 h / 30 min, proofs 24 h /
 * 1 h, L2 head 10 min / 1 min. The limits are starting points per chain,
 * not facts about any protocol: set them from the chain's own cadence. */
void l2w_liveness_config_default(l2w_liveness_config *out, l2w_liveness_kind kind);

typedef enum {
    L2W_LIVENESS_OK = 0,
    L2W_LIVENESS_GAP_OPEN = 1,
} l2w_liveness_state;

typedef enum {
    L2W_LIVENESS_NONE = 0,
    L2W_LIVENESS_GAP_OPENED = 1,    /* raise a liveness_gap finding */
    L2W_LIVENESS_GAP_ESCALATED = 2, /* the open gap passed max_interval_s: medium becomes high */
    L2W_LIVENESS_RECOVERED = 3,     /* resolve the finding with l2w_liveness_recovery_note */
} l2w_liveness_transition;

const char *l2w_liveness_transition_name(l2w_liveness_transition t);

__extension__ typedef unsigned __int128 l2w_liveness_u128;

/* One series. A plain value with no pointers: it may be copied, and
 * nothing needs freeing. Fields are private to liveness.c. */
typedef struct {
    l2w_liveness_config cfg;
    l2w_liveness_kind kind;
    uint64_t ring[L2W_LIVENESS_WINDOW_MAX]; /* the last cfg.window intervals, seconds */
    uint32_t head;               /* next slot to write */
    uint32_t count;              /* intervals held, <= cfg.window */
    /* Exact integer sums over the ring: adding and evicting never drifts,
     * however long the tracker runs. */
    uint64_t sum;
    l2w_liveness_u128 sum_sq;
    bool has_last;
    uint64_t last_ts;
    l2w_liveness_state state;
    l2w_severity gap_severity;   /* while GAP_OPEN: medium or high */
} l2w_liveness;

/* What an observe() or check() saw. */
typedef struct {
    l2w_liveness_transition transition;
    /* While a gap is open (GAP_OPENED, GAP_ESCALATED, NONE): its severity
     * now; RECOVERED: the highest it reached; otherwise INFO. */
    l2w_severity severity;
    bool has_last;               /* false before the first event: no gap to measure */
    uint64_t last_event_ts;      /* the event the gap follows */
    uint64_t gap_s;              /* check: now - last event (0 if now is earlier); observe: the new interval */
    uint64_t max_interval_s;
    bool over_max;               /* gap_s > max_interval_s */
    bool z_fired;                /* the statistical rule holds for gap_s */
    /* The window before this gap: intervals held; mean (when samples >= 1);
     * stddev as used (>= 1 s) and z (when samples >= 2); else 0. */
    uint32_t samples;
    double mean;
    double stddev;
    double z;
} l2w_liveness_report;

/* Clears *t and sets its config. L2W_ERR_CONFIG, naming the field, when
 * cfg breaks the bounds above. */
L2W_MUST_CHECK l2w_status l2w_liveness_init(l2w_liveness *t, l2w_liveness_kind kind, const l2w_liveness_config *cfg,
                                            l2w_err *err);

/* An event at event_ts. Its interval from the last event enters the window
 * (evicting the oldest when full), gap or not: why in the .c. An open gap
 * closes: RECOVERED with gap_s its length. L2W_ERR_INVALID when event_ts is
 * not after the last event (a second event in the same second carries no
 * news about liveness; an older one is out of order) and L2W_ERR_RANGE past
 * L2W_LIVENESS_MAX_TS: in both cases *t is left untouched, and a caller
 * replaying facts may log and skip the event. */
L2W_MUST_CHECK l2w_status l2w_liveness_observe(l2w_liveness *t, l2w_liveness_report *out, uint64_t event_ts,
                                               l2w_err *err);

/* The open interval at now_ts against the rules above; *out is filled on
 * every look (for metrics), the transition says what changed. With no event
 * yet there is nothing to measure: NONE. L2W_ERR_RANGE past
 * L2W_LIVENESS_MAX_TS, *t untouched. */
L2W_MUST_CHECK l2w_status l2w_liveness_check(l2w_liveness *t, l2w_liveness_report *out, uint64_t now_ts,
                                             l2w_err *err);

/* For the dashboard: the band of normal intervals. low is the mean; high is
 * the gap at which an alert starts: min(max(mean + z_threshold * stddev,
 * min_gap_s), max_interval_s) once statistical, else max_interval_s. An
 * alert starts when the gap reaches high, or passes it when high is
 * max_interval_s. */
typedef struct {
    bool statistical;            /* samples >= min_samples */
    uint32_t samples;
    double mean;
    double stddev;               /* as used, >= 1 s; 0 below two samples */
    double low;
    double high;
} l2w_liveness_band;

void l2w_liveness_band_get(l2w_liveness_band *out, const l2w_liveness *t);

/* "liveness:<chain>:<kind>", the subject of the series' findings.
 * L2W_ERR_RANGE when it does not fit in out_len (the finding holds 160). */
L2W_MUST_CHECK l2w_status l2w_liveness_subject(char *out, size_t out_len, const char *chain, l2w_liveness_kind kind,
                                               l2w_err *err);

/* The liveness_gap finding for a GAP_OPENED or GAP_ESCALATED report of
 * tracker t: severity from the report, subject as above, dedup key
 * "liveness_gap:<chain>:<kind>:<last event ts>:<severity>" (stable across
 * restarts for the same gap), evidence {kind, rule, last_event_ts, gap_s,
 * mean_s, stddev_s, z, z_threshold, min_gap_s, max_interval_s, samples,
 * min_samples}, mean_s / stddev_s / z null while unknown. No anchor: an
 * absence has no block, and a reorg of the last event only lengthens the
 * gap. L2W_ERR_INVALID for another transition, L2W_ERR_RANGE when the
 * subject or key would not fit, L2W_ERR_NOMEM. *f is cleared first; the
 * caller clears it after.
 *
 * With app/finding_store, an escalation raised while the medium finding is
 * open folds into it (same kind and subject): the store needs a way to
 * raise an open finding's severity to carry it. */
L2W_MUST_CHECK l2w_status l2w_liveness_gap_finding(l2w_finding *f, const char *chain, const l2w_liveness *t,
                                                   const l2w_liveness_report *r, l2w_err *err);

/* The note for l2w_findings_resolve_subject on a RECOVERED report, e.g.
 * "batches resumed after a 1234 s gap (20 min 34 s) following the event at
 * unix 1700000000". L2W_ERR_INVALID for another transition, L2W_ERR_RANGE
 * when out_len is too small. */
L2W_MUST_CHECK l2w_status l2w_liveness_recovery_note(char *out, size_t out_len, const l2w_liveness *t,
                                                     const l2w_liveness_report *r, l2w_err *err);

#endif
