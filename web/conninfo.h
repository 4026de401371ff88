#ifndef L2W_WEB_CONNINFO_H
#define L2W_WEB_CONNINFO_H

#include "core/status.h"

/* Derives a libpq keyword connection string from the configured database URL
 * (URL or keyword form) with per-component settings added: application_name,
 * a connect_timeout (unless the operator set one) so an unreachable database
 * cannot hang a worker for minutes, and a statement_timeout (appended to any
 * operator options) so a slow query cannot pin a thread. Settings are baked
 * into the string because l2w_db reconnects with it on its own.
 * *out is malloc'd; the caller frees it. */
L2W_MUST_CHECK l2w_status l2w_conninfo_derive(char **out, const char *url, const char *application_name,
                                              unsigned connect_timeout_s, unsigned statement_timeout_ms,
                                              l2w_err *err);

#endif
