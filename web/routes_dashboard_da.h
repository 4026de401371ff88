#ifndef L2W_WEB_ROUTES_DASHBOARD_DA_H
#define L2W_WEB_ROUTES_DASHBOARD_DA_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/db.h"
#include "core/status.h"
#include "detectors/liveness.h"

/* Data availability and liveness on the web: the figures of every da:
 * entry and every liveness: series in the config, read here once and shown
 * by GET /api/v1/da, /api/v1/da/commitments (web/routes_da.c),
 * GET /api/v1/liveness, /api/v1/liveness/intervals (web/routes_liveness.c)
 * and the dashboard's "DA & liveness" page (GET /da, in the .c), so every
 * view says the same numbers. */

/* ---- da: entries ---- */

/* Columns of l2w_web_da_data.entries: one row per cfg->da[], in order.
 * Counts are never NULL; the rest is NULL while nothing is stored. */
enum {
    L2W_WD_SCAN_NEXT = 0,    /* da_scan.next_block: the next L1 block the scan reads */
    L2W_WD_SCAN_UPDATED,     /* da_scan.updated_at, ISO 8601 UTC */
    L2W_WD_TOTAL,            /* commitments stored for the chain */
    L2W_WD_PENDING,          /* ... by status */
    L2W_WD_AVAILABLE,
    L2W_WD_WITHHELD,
    L2W_WD_EXPIRED,
    L2W_WD_KECCAK,           /* ... by kind */
    L2W_WD_BLOB,
    L2W_WD_CH_ACTIVE,        /* commitments whose latest challenge status is Active */
    L2W_WD_CH_RESOLVED,
    L2W_WD_CH_EXPIRED,
    L2W_WD_LAST_BLOCK,       /* the newest posting: its L1 block, */
    L2W_WD_LAST_TS,          /* that block's timestamp (unix s), */
    L2W_WD_LAST_TX,          /* and its transaction (0x hex) */
    L2W_WD_OPEN_WITHHELD,    /* open data_withheld findings of the chain */
    L2W_WD_OPEN_CHALLENGED,  /* open da_challenged findings of the chain */
    L2W_WD_COLUMNS
};

/* Owned; freed by l2w_web_da_clear (a zeroed struct is fine). entries is
 * NULL when cfg has no da: entries. */
typedef struct {
    PGresult *entries;
} l2w_web_da_data;

/* Reads the figures of cfg's da: entries on db. On failure *out holds
 * nothing. */
L2W_MUST_CHECK l2w_status l2w_web_da_load(l2w_web_da_data *out, l2w_db *db, const l2w_config *cfg, l2w_err *err);
void l2w_web_da_clear(l2w_web_da_data *d);

/* Columns of a commitments page. */
enum {
    L2W_WC_ID = 0,
    L2W_WC_CHAIN,
    L2W_WC_L1_CHAIN,
    L2W_WC_BLOCK,
    L2W_WC_BLOCK_HASH,       /* 0x hex */
    L2W_WC_BLOCK_TS,         /* unix s */
    L2W_WC_TX,               /* 0x hex */
    L2W_WC_TX_INDEX,
    L2W_WC_KIND,             /* keccak | blob */
    L2W_WC_COMMITMENT,       /* 0x hex: 33 bytes (keccak, type byte first) or a 32-byte versioned hash */
    L2W_WC_BLOB_INDEX,
    L2W_WC_STATUS,           /* pending | available | withheld | expired */
    L2W_WC_ATTEMPTS,
    L2W_WC_DATA_BYTES,
    L2W_WC_SERVED_BY,        /* as stored: show it only through l2w_rpc_url_shown (it may hold a key) */
    L2W_WC_LAST_ERROR,
    L2W_WC_FINDING,          /* the data_withheld finding's id */
    L2W_WC_CHALLENGE,        /* active | resolved | expired; NULL never challenged */
    L2W_WC_CHALLENGE_BLOCK,
    L2W_WC_SEEN_AT,          /* ISO 8601 UTC */
    L2W_WC_CHECKED_AT,
    L2W_WC_COLUMNS
};

/* One page of commitments, newest first (by id): those of chain and of
 * status when not NULL, with ids below *before when before is not NULL; at
 * most limit + 1 rows, the extra one only saying that a next page exists.
 * *out is freed with PQclear. */
L2W_MUST_CHECK l2w_status l2w_web_da_commitments_load(PGresult **out, l2w_db *db, const char *chain,
                                                      const char *status, const int64_t *before, unsigned limit,
                                                      l2w_err *err);

/* "active", "resolved", "expired": a DataAvailabilityChallenge status as
 * stored (1, 2, 3); NULL for anything else. */
const char *l2w_web_challenge_name(int status);

/* ---- liveness: series ---- */

typedef struct {
    uint64_t ts;                 /* the event that ended the interval */
    uint64_t interval_s;         /* from the event before it */
} l2w_web_interval;

/* Columns of l2w_web_liveness_series.finding (0 or 1 row). */
enum {
    L2W_WL_F_ID = 0,
    L2W_WL_F_SEVERITY,
    L2W_WL_F_TITLE,
    L2W_WL_F_DETECTED_AT,        /* ISO 8601 UTC */
    L2W_WL_F_LAST_EVENT_TS,      /* evidence.last_event_ts: the event the gap follows */
    L2W_WL_F_GAP_S,              /* evidence.gap_s when raised or escalated */
    L2W_WL_F_COLUMNS
};

/* One series as its tracker sees it, rebuilt from the store like the
 * guard's (app/liveness_events.h): the last window + 1 events observed. */
typedef struct {
    const l2w_liveness_series_config *scfg;
    l2w_liveness_kind kind;
    l2w_liveness_config rule;    /* the limits in force, defaults resolved */
    l2w_liveness_band band;
    bool has_last;
    uint64_t last_ts;            /* the last event observed */
    l2w_web_interval *intervals; /* the last ones asked for, oldest first; malloc'd */
    size_t n_intervals;
    PGresult *finding;           /* the open liveness_gap finding, if any */
} l2w_web_liveness_series;

/* Rebuilds series sc on db, with its last want_intervals intervals (0 for
 * none; at most L2W_LIVENESS_WINDOW_MAX). The band (and the last event)
 * come from a tracker fed the last window + 1 stored events, as the guard
 * rebuilds it; the intervals from a replay of the last
 * max(window, want_intervals) + 1.
 * L2W_ERR_CONFIG when the series' kind or limits are not the rule's (the
 * config check keeps that from happening). On failure *out holds nothing. */
L2W_MUST_CHECK l2w_status l2w_web_liveness_load(l2w_web_liveness_series *out, l2w_db *db,
                                                const l2w_liveness_series_config *sc, size_t want_intervals,
                                                l2w_err *err);
void l2w_web_liveness_clear(l2w_web_liveness_series *s);

/* The names of the limits sc leaves to the kind's default, as a bit set:
 * bit 0 max_interval_s, 1 min_gap_s, 2 min_samples, 3 window,
 * 4 z_threshold. */
unsigned l2w_web_liveness_defaulted(const l2w_liveness_series_config *sc);
extern const char *const l2w_web_liveness_limit_names[5];

#endif
