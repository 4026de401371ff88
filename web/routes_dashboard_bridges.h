#ifndef L2W_WEB_ROUTES_DASHBOARD_BRIDGES_H
#define L2W_WEB_ROUTES_DASHBOARD_BRIDGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/config.h"
#include "core/db.h"
#include "core/status.h"

/* The bridge guard's figures as the web shows them: read once from the
 * database for every bridge and token in the config, then rendered as the
 * dashboard's Bridges section (web/routes_dashboard_bridges.c) or as
 * GET /api/v1/bridges (web/routes_bridges.c), so both say the same numbers.
 *
 * Amounts stay decimal text from PostgreSQL (numeric(78,0)) end to end: they
 * are only ever printed, and text cannot round. Ratios are computed by the
 * query with integer division, so they are floors, like the detectors'. */

/* Columns of l2w_web_bridge_data.tokens; NULL where nothing was stored yet. */
enum {
    L2W_WB_ESCROW = 0,      /* bridge_status: escrow balance, base units */
    L2W_WB_ESCROW_BLOCK,    /* block of that balance */
    L2W_WB_SUPPLY,          /* bridged supply on the remote chain, base units */
    L2W_WB_SUPPLY_BLOCK,
    L2W_WB_BACKING_BP,      /* floor(supply * 10^4 / escrow): supply per escrow in 1/10000 */
    L2W_WB_LATEST_BLOCK,    /* the latest escrow sample */
    L2W_WB_LATEST_TIME,
    L2W_WB_LATEST,
    L2W_WB_PEAK,            /* highest sample in the drawdown window */
    L2W_WB_FALL_BP,         /* floor((peak - latest) * 10^4 / peak); 0 for an empty peak */
    L2W_WB_INTERVAL_START,  /* start (unix s) of the outflow interval holding the latest sample */
    L2W_WB_OUTFLOW,         /* sum of that interval's outflow */
    L2W_WB_FINDINGS,        /* open findings about this token, {"kind": count} as JSON text */
    L2W_WB_TOKEN_COLUMNS
};

/* Columns of l2w_web_bridge_data.bridges. */
enum {
    L2W_WB_PAUSED = 0,      /* "t", "f" or NULL (never read) */
    L2W_WB_BRIDGE_FINDINGS, /* open findings about the bridge, any token, {"kind": count} */
    L2W_WB_BRIDGE_COLUMNS
};

/* Columns of l2w_web_bridge_data.series. */
enum {
    L2W_WB_S_ROW = 0,       /* the token's row number in tokens */
    L2W_WB_S_BLOCK,
    L2W_WB_S_BALANCE,
    L2W_WB_S_X,             /* 0..1000 along the series' time span */
    L2W_WB_S_Y,             /* 0..1000 between its lowest and highest balance; NULL when flat */
    L2W_WB_SERIES_COLUMNS
};

/* The escrow chart covers the samples of the last day before the latest
 * one, at most this many (the latest ones). */
#define L2W_WB_SERIES_SECONDS 86400
#define L2W_WB_SERIES_MAX 500

/* Rows follow the config: tokens has one row per token of every bridge in
 * order (bridge 0's tokens, then bridge 1's...), bridges one per bridge.
 * series is NULL unless asked for. Owned; freed by l2w_web_bridges_clear. */
typedef struct {
    PGresult *tokens;
    PGresult *bridges;
    PGresult *series;
} l2w_web_bridge_data;

/* Reads the figures of cfg's bridges on db. On failure *out holds nothing. */
L2W_MUST_CHECK l2w_status l2w_web_bridges_load(l2w_web_bridge_data *out, l2w_db *db, const l2w_config *cfg,
                                               bool with_series, l2w_err *err);
/* Frees and zeroes; a zeroed struct is fine. */
void l2w_web_bridges_clear(l2w_web_bridge_data *d);

/* The dashboard's Bridges section; nothing when cfg has no bridges. data
 * must have been loaded for cfg with its series. */
void l2w_web_bridges_render(FILE *f, const l2w_config *cfg, const l2w_web_bridge_data *data);

/* How a token is named in the database and the API: "native" or its
 * lowercase 0x address (as the bridge guard writes it). */
#define L2W_WB_TOKEN_KEY_LEN 43
void l2w_web_bridge_token_key(char out[L2W_WB_TOKEN_KEY_LEN], const l2w_bridge_token *t);

/* Decimal text with a point places digits from the right: ("420", 2) is
 * "4.20", ("5", 4) is "0.0005"; with trim, trailing fraction zeros and a bare
 * point go: ("12500", 3, trim) is "12.5". Text that is not plain digits is
 * copied as it is. Cut short (never overrun) if out is too small; 160 bytes
 * hold any numeric(78,0) at any of the 77 decimals a token may have. */
#define L2W_WB_DECIMAL_LEN 160
void l2w_web_decimal_point(char *out, size_t size, const char *digits, unsigned places, bool trim);

/* "4 h", "90 min", "45 s": a configured duration as an operator wrote it. */
void l2w_web_duration(char out[32], unsigned long seconds);

#endif
