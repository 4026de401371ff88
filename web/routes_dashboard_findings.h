#ifndef L2W_WEB_ROUTES_DASHBOARD_FINDINGS_H
#define L2W_WEB_ROUTES_DASHBOARD_FINDINGS_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>

/* The <tr> rows of a findings table, shared by /findings and the overview.
 * res has the columns id, severity, kind, chain, title, detected, status;
 * with_id adds the ID column first. Every value is escaped. */
void l2w_web_findings_rows(FILE *f, const PGresult *res, bool with_id);

#endif
