#ifndef L2W_WEB_ROUTES_DASHBOARD_CHANNELS_H
#define L2W_WEB_ROUTES_DASHBOARD_CHANNELS_H

#include <libpq-fe.h>
#include <stdio.h>

#include "core/config.h"
#include "core/db.h"
#include "core/status.h"

/* The dashboard's Channels section: channels watched, disputes seen and
 * what the tower made of them, and the responses with their outcomes.
 * Shown only when a channels: section is configured. */

typedef struct {
    PGresult *summary;  /* one row: watched, vector, nitro, disputes, stale, answered, failed */
    PGresult *disputes; /* the latest disputes */
} l2w_web_channel_data;

L2W_MUST_CHECK l2w_status l2w_web_channels_load(l2w_web_channel_data *out, l2w_db *db, const l2w_config *cfg,
                                                l2w_err *err);
void l2w_web_channels_clear(l2w_web_channel_data *d);
void l2w_web_channels_render(FILE *f, const l2w_config *cfg, const l2w_web_channel_data *d);

#endif
