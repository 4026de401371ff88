#include "web/routes_dashboard_endpoints.h"

#include <stdbool.h>
#include <string.h>

#include "web/html.h"

#define TS_FMT "'YYYY-MM-DD HH24:MI:SS\"Z\"'"

/* A handful of rows per chain (at most 16), read by primary key order. */
static const char endpoints_sql[] =
    "SELECT chain, label, state, to_char(score, 'FM0.000'), head_number::text,"
    " to_char(resting_until AT TIME ZONE 'UTC', " TS_FMT "), last_fault,"
    " to_char(last_fault_at AT TIME ZONE 'UTC', " TS_FMT "),"
    " to_char(updated_at AT TIME ZONE 'UTC', " TS_FMT ")"
    " FROM chain_endpoints ORDER BY chain, endpoint_index";

enum { COL_CHAIN = 0, COL_LABEL, COL_STATE, COL_SCORE, COL_HEAD, COL_UNTIL, COL_FAULT, COL_FAULT_AT, COL_UPDATED };

l2w_status l2w_dash_endpoints_load(l2w_db *db, PGresult **res, l2w_err *err)
{
    return l2w_db_exec(db, res, endpoints_sql, 0, NULL, err);
}

static bool healthy(const char *state)
{
    return strcmp(state, "in_use") == 0 || strcmp(state, "standby") == 0;
}

/* The state's badge: fixed class names, never the database's text. */
static const char *state_class(const char *state)
{
    if (healthy(state))
        return "badge ok";
    if (strcmp(state, "unchecked") == 0)
        return "badge muted";
    if (strcmp(state, "wrong_chain") == 0)
        return "badge sev-critical";
    return "badge sev-medium";
}

static void put_field(FILE *f, const PGresult *res, int row, int col, const char *before)
{
    if (PQgetisnull(res, row, col))
        return;
    fputs(before, f);
    l2w_html_put(f, PQgetvalue(res, row, col));
}

static void endpoint_item(FILE *f, const PGresult *res, int row)
{
    const char *state = PQgetvalue(res, row, COL_STATE);
    fputs("<li data-endpoint=\"", f);
    l2w_html_put(f, PQgetvalue(res, row, COL_LABEL));
    fputs("\"><code>", f);
    l2w_html_put(f, PQgetvalue(res, row, COL_LABEL));
    fprintf(f, "</code> <span class=\"%s\">", state_class(state));
    l2w_html_put(f, state);
    fputs("</span>", f);
    put_field(f, res, row, COL_UNTIL, " until ");
    put_field(f, res, row, COL_SCORE, " &middot; score ");
    put_field(f, res, row, COL_HEAD, " &middot; head ");
    if (!PQgetisnull(res, row, COL_FAULT)) {
        put_field(f, res, row, COL_FAULT, " &middot; last fault ");
        put_field(f, res, row, COL_FAULT_AT, " at ");
    }
    put_field(f, res, row, COL_UPDATED, " &middot; as of ");
    fputs("</li>", f);
}

void l2w_dash_endpoints_cell(FILE *f, const PGresult *res, const char *chain)
{
    int n = PQntuples(res), first = -1, count = 0, good = 0;
    for (int i = 0; i < n; i++) {
        if (strcmp(PQgetvalue(res, i, COL_CHAIN), chain) != 0)
            continue;
        if (first < 0)
            first = i;
        count++;
        good += healthy(PQgetvalue(res, i, COL_STATE));
    }
    if (count == 0) {
        fputs("<td class=\"endpoints\"><span class=\"muted\">not reported yet</span></td>", f);
        return;
    }
    const char *cls = good == count ? "badge ok" : good == 0 ? "badge sev-critical" : "badge sev-medium";
    fprintf(f, "<td class=\"endpoints\"><details><summary><span class=\"%s\">%d of %d healthy</span></summary><ul>",
            cls, good, count);
    for (int i = first; i < first + count; i++)
        endpoint_item(f, res, i);
    fputs("</ul></details></td>", f);
}
