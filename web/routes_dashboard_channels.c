#include "web/routes_dashboard_channels.h"

#include <string.h>

#include "web/html.h"

#define DASH_DISPUTES "20"

/* Channels watched come from the per-client counters, not a count over
 * channel_states: the page stays cheap with a million channels held. */
static const char summary_sql[] =
    "SELECT (SELECT coalesce(sum(channels), 0) FROM channel_clients)::text,"
    " (SELECT count(*) FROM channel_disputes)::text,"
    " (SELECT count(*) FROM channel_disputes WHERE check_status = 2)::text,"
    " (SELECT count(*) FROM responses WHERE action = 'channel_dispute' AND status = 'verified')::text,"
    " (SELECT count(*) FROM responses WHERE action = 'channel_dispute'"
    "   AND status IN ('failed', 'reverted'))::text,"
    " (SELECT count(*) FROM responses WHERE action = 'channel_dispute'"
    "   AND status IN ('planned', 'nonce_assigned', 'sent', 'mined'))::text";

static const char disputes_sql[] =
    "SELECT d.block_number::text, d.protocol, '0x' || encode(d.channel, 'hex'), d.version::text,"
    " d.held_version::text,"
    " CASE d.check_status WHEN 0 THEN 'pending' WHEN 1 THEN 'current' WHEN 2 THEN 'stale' ELSE 'not watched' END,"
    " to_char(to_timestamp(d.deadline) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS\"Z\"'),"
    " (SELECT r.status FROM responses r WHERE r.finding_id = d.finding_id ORDER BY r.id DESC LIMIT 1),"
    " d.finding_id::text"
    " FROM channel_disputes d ORDER BY d.block_number DESC, d.log_index DESC LIMIT " DASH_DISPUTES;

l2w_status l2w_web_channels_load(l2w_web_channel_data *out, l2w_db *db, const l2w_config *cfg, l2w_err *err)
{
    memset(out, 0, sizeof *out);
    if (!cfg->channels.enabled)
        return L2W_OK;
    l2w_status st = l2w_db_exec(db, &out->summary, summary_sql, 0, NULL, err);
    if (st == L2W_OK)
        st = l2w_db_exec(db, &out->disputes, disputes_sql, 0, NULL, err);
    return st;
}

void l2w_web_channels_clear(l2w_web_channel_data *d)
{
    PQclear(d->summary);
    PQclear(d->disputes);
    memset(d, 0, sizeof *d);
}

static const char *verdict_class(const char *v)
{
    if (strcmp(v, "stale") == 0)
        return "badge sev-critical";
    if (strcmp(v, "current") == 0)
        return "badge ok";
    return "badge muted";
}

static void render_summary(FILE *f, const PGresult *s)
{
    static const char *const labels[] = {"Channels watched", "Disputes seen",     "Stale closes",
                                         "Answered on chain", "Responses failed", "Responses in flight"};
    fputs("<table>\n<thead><tr>", f);
    for (int c = 0; c < 6; c++)
        fprintf(f, "<th class=\"num\">%s</th>", labels[c]);
    fputs("</tr></thead><tbody><tr>", f);
    for (int c = 0; c < 6; c++)
        l2w_html_cell(f, s, 0, c, "num");
    fputs("</tr></tbody></table>\n", f);
}

void l2w_web_channels_render(FILE *f, const l2w_config *cfg, const l2w_web_channel_data *d)
{
    if (!cfg->channels.enabled || !d->summary || !d->disputes)
        return;
    fputs("<section><h2>Channels</h2>\n", f);
    render_summary(f, d->summary);
    fputs("<table>\n<thead><tr><th class=\"num\">Block</th><th>Protocol</th><th>Channel</th>"
          "<th class=\"num\">On chain</th><th class=\"num\">Held</th><th>Verdict</th><th>Deadline</th>"
          "<th>Response</th></tr></thead><tbody>\n",
          f);
    int n = PQntuples(d->disputes);
    for (int i = 0; i < n; i++) {
        fputs("<tr>", f);
        l2w_html_cell(f, d->disputes, i, 0, "num");
        l2w_html_cell(f, d->disputes, i, 1, NULL);
        l2w_html_cell(f, d->disputes, i, 2, "hash");
        l2w_html_cell(f, d->disputes, i, 3, "num");
        l2w_html_cell(f, d->disputes, i, 4, "num");
        l2w_html_cell(f, d->disputes, i, 5, verdict_class(PQgetvalue(d->disputes, i, 5)));
        l2w_html_cell(f, d->disputes, i, 6, NULL);
        if (PQgetisnull(d->disputes, i, 8)) {
            l2w_html_cell(f, d->disputes, i, 7, NULL);
        } else {
            fputs("<td><a href=\"/findings/", f);
            l2w_html_put(f, PQgetvalue(d->disputes, i, 8));
            fputs("\">", f);
            l2w_html_put(f, PQgetisnull(d->disputes, i, 7) ? "finding" : PQgetvalue(d->disputes, i, 7));
            fputs("</a></td>", f);
        }
        fputs("</tr>\n", f);
    }
    if (n == 0)
        l2w_html_empty_row(f, 8, "No disputes seen.");
    fputs("</tbody></table></section>\n", f);
}
