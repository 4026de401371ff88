#include "alerts/outbox.h"

#include <curl/curl.h>
#include <jansson.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "alerts/backoff.h"
#include "alerts/dispatch.h"
#include "alerts/grouping.h"
#include "alerts/reminders.h"
#include "alerts/webhook.h"
#include "core/log.h"
#include "core/finding.h"
#include "core/metrics.h"
#include "web/conninfo.h"
#include "core/clock.h"

/* Polling rather than LISTEN/NOTIFY: the due-rows query is an index probe,
 * 5 a second costs nothing, and it needs no second code path for rows that
 * became due by their backoff timer rather than by an insert. */
#define POLL_MS 200
#define PENDING_REFRESH_S 1.0
#define ORPHAN_CHECK_S 60.0
#define REMINDER_CHECK_S 5.0
/* Alerts in one grouped message at most: a longer burst is several. */
#define MAX_GROUP 100
#define DB_RETRY_MIN_MS 500
#define DB_RETRY_MAX_MS 10000
#define DB_CONNECT_TIMEOUT_S 5
/* Statements only; the HTTP send runs between statements and is bounded by
 * the webhook's own timeout. */
#define DB_STATEMENT_TIMEOUT_MS 30000
#define LAST_ERROR_MAX 200
#define IDEMPOTENCY_KEY_MAX 200

/* Oldest due row first; SKIP LOCKED lets replicas claim different rows, and
 * the lock lasts only for this row's transaction. Only configured sinks are
 * claimed: a row for a removed sink must neither be sent nor block the queue. */
static const char claim_sql[] =
    "SELECT o.id::text, o.finding_id::text, o.event, o.sink, o.payload::text, o.attempts::text, o.seq::text,"
    " coalesce(o.chain, ''), coalesce(o.kind, '') FROM alert_outbox o"
    " WHERE o.delivered_at IS NULL AND o.dead_at IS NULL AND o.silence_id IS NULL AND o.next_attempt_at <= now()"
    " AND o.sink = ANY($1::text[])"
    /* In order per finding and sink: a row waits while an earlier one of
     * the same finding to the same sink is still to be delivered. */
    " AND NOT EXISTS (SELECT 1 FROM alert_outbox p WHERE p.finding_id = o.finding_id AND p.sink = o.sink"
    "   AND p.id < o.id AND p.delivered_at IS NULL AND p.dead_at IS NULL AND p.silence_id IS NULL)"
    " ORDER BY o.next_attempt_at, o.id LIMIT 1 FOR UPDATE OF o SKIP LOCKED";

/* clock_timestamp(), not now(): now() is when the transaction began, before
 * the send, and the backoff should count from the failure. */
static const char delivered_sql[] =
    "UPDATE alert_outbox SET delivered_at = clock_timestamp(), attempts = attempts + 1, last_error = NULL"
    " WHERE id = $1::bigint";
static const char failed_sql[] =
    "UPDATE alert_outbox SET attempts = attempts + 1, last_error = $2,"
    " next_attempt_at = clock_timestamp() + $3::bigint * interval '1 millisecond',"
    " dead_at = CASE WHEN $4::boolean THEN clock_timestamp() END"
    " WHERE id = $1::bigint";

static const char pending_sql[] =
    "SELECT count(*)::text FROM alert_outbox WHERE delivered_at IS NULL AND dead_at IS NULL AND silence_id IS NULL";
/* Every severity, each counted from the partial index of open findings
 * (sql/0017), so a severity with none reads 0 rather than vanishing. */
static const char open_findings_sql[] =
    "SELECT s.sev, (SELECT count(*) FROM findings f WHERE f.status = 'open' AND f.severity = s.sev)::text"
    " FROM unnest(ARRAY['info', 'low', 'medium', 'high', 'critical']) AS s(sev)";
static const char orphans_sql[] =
    "SELECT sink, count(*)::text FROM alert_outbox"
    " WHERE delivered_at IS NULL AND dead_at IS NULL AND silence_id IS NULL AND NOT (sink = ANY($1::text[]))"
    " GROUP BY sink ORDER BY sink LIMIT 20";

static const double delivery_buckets[] = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

typedef struct {
    l2w_counter *sent;
    l2w_counter *failed;
    l2w_counter *dead;
    l2w_histogram *delivery;
} sink_metrics;

struct l2w_alerts {
    const l2w_config *cfg;
    char *conninfo;
    char *sinks;              /* the configured sink names as a text[] literal */
    pthread_t thread;
    bool thread_started;
    atomic_bool stopping;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    l2w_db *db;
    l2w_webhook_client *client;
    l2w_sink_secrets secrets;
    uint64_t rng;
    sink_metrics metrics[L2W_MAX_SINKS];
    l2w_gauge *pending;
    l2w_gauge *open_findings[L2W_SEV_CRITICAL + 1]; /* by l2w_severity */
    double next_pending_refresh;
    double next_orphan_check;
    double next_db_complaint;
    double next_reminders;
    /* Per sink, a token bucket for rate_per_minute: a minute's worth at
     * most, refilled evenly. */
    double tokens[L2W_MAX_SINKS];
    double refilled_at;
};

/* One row claimed from the outbox; strings point into the claim result. */
typedef struct {
    const char *id;
    const char *finding_id;
    const char *event;
    const char *sink;
    const char *payload;
    size_t payload_len;
    uint32_t attempts;
    const char *seq;
    const char *chain;
    const char *kind;
} outbox_row;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t next_random(l2w_alerts *a)
{
    /* xorshift64*: jitter needs spread, not secrecy. */
    uint64_t x = a->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    a->rng = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static void seed_random(l2w_alerts *a)
{
    uint64_t seed = 0;
    if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) != (ssize_t)sizeof seed)
        seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)a;
    a->rng = seed ? seed : 0x9e3779b97f4a7c15ULL;
}

/* Sleeps up to ms, returning early when stop is requested. */
static void nap(l2w_alerts *a, unsigned ms)
{
    struct timespec deadline = l2w_deadline_after_ms(ms);
    pthread_mutex_lock(&a->lock);
    while (!atomic_load(&a->stopping))
        if (pthread_cond_timedwait(&a->wake, &a->lock, &deadline) == ETIMEDOUT)
            break;
    pthread_mutex_unlock(&a->lock);
}

static const l2w_sink_config *find_sink(const l2w_alerts *a, const char *name, size_t *index)
{
    for (size_t i = 0; i < a->cfg->n_sinks; i++) {
        if (strcmp(a->cfg->sinks[i].name, name) == 0) {
            *index = i;
            return &a->cfg->sinks[i];
        }
    }
    return NULL;
}

/* ---- rate limits ----------------------------------------------------------- */

static void refill(l2w_alerts *a)
{
    double now = now_s(), dt = now - a->refilled_at;
    a->refilled_at = now;
    for (size_t i = 0; i < a->cfg->n_sinks; i++) {
        double cap = (double)a->cfg->sinks[i].rate_per_minute;
        a->tokens[i] = a->tokens[i] + dt * cap / 60.0;
        if (a->tokens[i] > cap)
            a->tokens[i] = cap;
    }
}

/* The sinks a row may be claimed for now: every one without a limit, and
 * those with a token left. *none when every sink is spent. */
static l2w_status open_sinks(l2w_alerts *a, char **literal, bool *none)
{
    refill(a);
    const char *names[L2W_MAX_SINKS];
    size_t n = 0;
    for (size_t i = 0; i < a->cfg->n_sinks; i++)
        if (a->cfg->sinks[i].rate_per_minute == 0 || a->tokens[i] >= 1.0)
            names[n++] = a->cfg->sinks[i].name;
    *none = n == 0;
    return l2w_db_text_array_literal(literal, names, n);
}

static void spend_token(l2w_alerts *a, size_t index)
{
    if (a->cfg->sinks[index].rate_per_minute && a->tokens[index] >= 1.0)
        a->tokens[index] -= 1.0;
}

/* ---- one delivery ------------------------------------------------------- */

static l2w_status record_outcome(l2w_alerts *a, const outbox_row *row, l2w_status sent, const l2w_err *send_err,
                                 uint64_t *delay_ms, bool *dead, l2w_err *err)
{
    if (sent == L2W_OK) {
        const char *params[] = {row->id};
        return l2w_db_exec(a->db, NULL, delivered_sql, 1, params, err);
    }
    uint32_t failures = row->attempts < UINT32_MAX ? row->attempts + 1 : UINT32_MAX;
    *delay_ms = l2w_alert_backoff_ms(failures, a->cfg->alert_max_backoff_ms, next_random(a));
    char last_error[LAST_ERROR_MAX + 1], delay_text[24];
    snprintf(last_error, sizeof last_error, "%.*s", LAST_ERROR_MAX, send_err->msg);
    last_error[strcspn(last_error, "\r\n")] = '\0';
    snprintf(delay_text, sizeof delay_text, "%llu", (unsigned long long)*delay_ms);
    *dead = failures >= a->cfg->alert_max_attempts;
    const char *params[] = {row->id, last_error, delay_text, *dead ? "true" : "false"};
    return l2w_db_exec(a->db, NULL, failed_sql, 4, params, err);
}

static void parse_row(outbox_row *row, const PGresult *res)
{
    row->id = PQgetvalue(res, 0, 0);
    row->finding_id = PQgetvalue(res, 0, 1);
    row->event = PQgetvalue(res, 0, 2);
    row->sink = PQgetvalue(res, 0, 3);
    row->payload = PQgetvalue(res, 0, 4);
    row->payload_len = (size_t)PQgetlength(res, 0, 4);
    unsigned long attempts = strtoul(PQgetvalue(res, 0, 5), NULL, 10);
    row->attempts = attempts > UINT32_MAX ? UINT32_MAX : (uint32_t)attempts;
    row->seq = PQgetvalue(res, 0, 6);
    row->chain = PQgetvalue(res, 0, 7);
    row->kind = PQgetvalue(res, 0, 8);
}

/* l2w_explorer_lookup over the configuration (ctx): each chain's
 * explorer_url, so a block or transaction links to the chain it is on. */
static const char *config_explorer(const void *ctx, const char *chain)
{
    const l2w_chain_config *c = l2w_config_chain((const l2w_config *)ctx, chain);
    return c ? c->explorer_url : NULL;
}

/* The stored payloads are alert documents; a malformed one (the database
 * is not trusted either) fails the send with a message, like a sink would.
 * companions: the rest of a grouped burst (column 1 the payload), or NULL. */
static l2w_status send_row(l2w_alerts *a, const l2w_sink_config *sink, size_t index, const outbox_row *row,
                           const PGresult *companions, const char *key, l2w_err *err)
{
    size_t n = 1 + (companions ? (size_t)PQntuples(companions) : 0);
    const json_t **items = calloc(n, sizeof *items);
    if (!items) {
        l2w_err_set(err, "alerts: out of memory");
        return L2W_ERR_NOMEM;
    }
    l2w_status st = L2W_OK;
    for (size_t i = 0; i < n && st == L2W_OK; i++) {
        const char *text = i == 0 ? row->payload : PQgetvalue(companions, (int)i - 1, 1);
        json_error_t jerr;
        json_t *doc = json_loads(text, 0, &jerr);
        if (!json_is_object(doc)) {
            json_decref(doc);
            l2w_err_set(err, "stored payload is not a JSON object: %s", jerr.text);
            st = L2W_ERR_INVALID;
        }
        items[i] = doc;
    }
    if (st == L2W_OK) {
        const l2w_alert_batch batch = {.alerts = items,
                                       .n = n,
                                       .dashboard_url = a->cfg->dashboard_url,
                                       .explorers = config_explorer,
                                       .explorers_ctx = a->cfg,
                                       .now = (int64_t)time(NULL)};
        st = l2w_alert_send(a->client, sink, a->secrets.secrets[index], &batch, row->payload, row->payload_len, key,
                            &a->stopping, err);
    }
    for (size_t i = 0; i < n; i++)
        json_decref((json_t *)items[i]);
    free(items);
    return st;
}

/* A raised alert to a grouping sink: held while a burst's window is open
 * (*held, committed here), else sent with the burst's other rows
 * (*companions, locked in this transaction; NULL when not grouping). */
static l2w_status gather_group(l2w_alerts *a, const l2w_sink_config *sink, const outbox_row *row, bool *held,
                               PGresult **companions, l2w_err *err)
{
    *held = false;
    *companions = NULL;
    if (!sink->groups || a->cfg->alert_group_window_s == 0 || strcmp(row->event, "raised") != 0)
        return L2W_OK;
    l2w_status st = l2w_group_hold(a->db, row->id, row->sink, row->kind, row->chain, a->cfg->alert_group_window_s,
                                   held, err);
    if (st == L2W_OK && *held)
        return l2w_db_commit(a->db, err);
    if (st == L2W_OK)
        st = l2w_group_companions(a->db, companions, row->id, row->sink, row->kind, row->chain, MAX_GROUP - 1, err);
    return st;
}

static l2w_status mark_companions(l2w_alerts *a, const outbox_row *row, const PGresult *companions, l2w_err *err)
{
    if (!companions || PQntuples(companions) == 0)
        return L2W_OK;
    const char *ids[MAX_GROUP];
    size_t n = 0;
    for (int i = 0; i < PQntuples(companions) && n < MAX_GROUP; i++)
        ids[n++] = PQgetvalue(companions, i, 0);
    char *literal = NULL;
    l2w_status st = l2w_db_text_array_literal(&literal, ids, n);
    if (st != L2W_OK) {
        l2w_err_set(err, "alerts: out of memory");
        return st;
    }
    st = l2w_group_mark_sent(a->db, row->id, literal, err);
    free(literal);
    return st;
}

/* Sends the claimed row and records the outcome in the same transaction,
 * which it always ends (commit or rollback). */
static l2w_status send_claimed(l2w_alerts *a, const outbox_row *row, l2w_err *err)
{
    size_t index = 0;
    const l2w_sink_config *wh = find_sink(a, row->sink, &index);
    if (!wh) { /* cannot happen: the claim query filters on configured sinks */
        l2w_db_rollback(a->db);
        l2w_err_set(err, "claimed a row for unconfigured sink %.64s", row->sink);
        return L2W_ERR_DB;
    }
    char where[96];
    snprintf(where, sizeof where, "%s#%s/%s", row->sink, row->finding_id, row->event);
    char key[IDEMPOTENCY_KEY_MAX];
    if (strcmp(row->seq, "0") == 0)
        snprintf(key, sizeof key, "%s-%s-%s", row->finding_id, row->event, row->sink);
    else
        snprintf(key, sizeof key, "%s-%s-%s-%s", row->finding_id, row->event, row->sink, row->seq);

    bool held = false;
    PGresult *companions = NULL;
    l2w_status st = gather_group(a, wh, row, &held, &companions, err);
    if (st != L2W_OK || held) {
        if (st != L2W_OK)
            l2w_db_rollback(a->db);
        else
            L2W_DEBUG("alerts", where, "held for the group window of its kind and chain");
        return st;
    }
    l2w_err send_err = {{0}};
    double started = now_s();
    spend_token(a, index);
    l2w_status sent = send_row(a, wh, index, row, companions, key, &send_err);
    l2w_histogram_observe(a->metrics[index].delivery, now_s() - started);
    if (sent != L2W_OK && atomic_load(&a->stopping)) {
        /* Cut short by shutdown: not the sink's fault, so no attempt is
         * charged; the rollback leaves the row due for whoever runs next. */
        PQclear(companions);
        l2w_db_rollback(a->db);
        return L2W_OK;
    }
    l2w_counter_add(sent == L2W_OK ? a->metrics[index].sent : a->metrics[index].failed, 1);

    uint64_t delay_ms = 0;
    bool dead = false;
    st = record_outcome(a, row, sent, &send_err, &delay_ms, &dead, err);
    if (st == L2W_OK && sent == L2W_OK)
        st = mark_companions(a, row, companions, err);
    size_t grouped = companions ? (size_t)PQntuples(companions) : 0;
    PQclear(companions);
    if (st == L2W_OK)
        st = l2w_db_commit(a->db, err);
    if (st != L2W_OK) {
        l2w_db_rollback(a->db);
        if (sent == L2W_OK)
            L2W_UNUSUAL("alerts", where, "delivered but not recorded (%s); it will be sent again", err->msg);
        return st;
    }
    if (dead)
        l2w_counter_add(a->metrics[index].dead, 1);
    if (sent == L2W_OK && grouped)
        L2W_INFO("alerts", where, "delivered with %zu more of its burst (attempt %u)", grouped, row->attempts + 1);
    else if (sent == L2W_OK)
        L2W_INFO("alerts", where, "delivered (attempt %u)", row->attempts + 1);
    else if (dead)
        L2W_UNUSUAL("alerts", where, "attempt %u failed: %s; dead-lettered after %u attempts (shown on the dashboard)",
                   row->attempts + 1, send_err.msg, (unsigned)a->cfg->alert_max_attempts);
    else
        L2W_UNUSUAL("alerts", where, "attempt %u failed: %s; next try in %llu ms", row->attempts + 1,
                    send_err.msg, (unsigned long long)delay_ms);
    return L2W_OK;
}

/* Claims and sends at most one due row; *worked says whether there was one. */
static l2w_status deliver_one(l2w_alerts *a, bool *worked, l2w_err *err)
{
    *worked = false;
    char *sinks = NULL;
    bool none = false;
    if (open_sinks(a, &sinks, &none) != L2W_OK) {
        l2w_err_set(err, "alerts: out of memory");
        return L2W_ERR_NOMEM;
    }
    if (none) {
        free(sinks);
        return L2W_OK; /* every sink at its rate limit: wait for tokens */
    }
    l2w_status st = l2w_db_begin(a->db, err);
    if (st != L2W_OK) {
        free(sinks);
        return st;
    }
    PGresult *res;
    const char *params[] = {sinks};
    st = l2w_db_exec(a->db, &res, claim_sql, 1, params, err);
    free(sinks);
    if (st != L2W_OK) {
        l2w_db_rollback(a->db);
        return st;
    }
    if (PQntuples(res) == 0) {
        PQclear(res);
        l2w_db_rollback(a->db); /* read nothing, changed nothing */
        return L2W_OK;
    }
    *worked = true;
    outbox_row row;
    parse_row(&row, res);
    st = send_claimed(a, &row, err);
    PQclear(res);
    return st;
}

/* ---- housekeeping -------------------------------------------------------- */

static void refresh_pending(l2w_alerts *a)
{
    PGresult *res;
    l2w_err err;
    if (l2w_db_exec(a->db, &res, pending_sql, 0, NULL, &err) != L2W_OK)
        return; /* the delivery loop reports database trouble */
    l2w_gauge_set(a->pending, strtod(PQgetvalue(res, 0, 0), NULL));
    PQclear(res);
    if (l2w_db_exec(a->db, &res, open_findings_sql, 0, NULL, &err) != L2W_OK)
        return;
    for (int i = 0; i < PQntuples(res); i++) {
        int sev = l2w_severity_from_name(PQgetvalue(res, i, 0));
        if (sev >= 0)
            l2w_gauge_set(a->open_findings[sev], strtod(PQgetvalue(res, i, 1), NULL));
    }
    PQclear(res);
}

static void report_orphans(l2w_alerts *a)
{
    PGresult *res;
    l2w_err err;
    const char *params[] = {a->sinks};
    if (l2w_db_exec(a->db, &res, orphans_sql, 1, params, &err) != L2W_OK)
        return;
    for (int i = 0; i < PQntuples(res); i++)
        L2W_UNUSUAL("alerts", NULL,
                    "%s undelivered alert(s) for sink \"%.64s\", which is not configured; they stay queued "
                    "until it is",
                    PQgetvalue(res, i, 1), PQgetvalue(res, i, 0));
    PQclear(res);
}

static void queue_reminders(l2w_alerts *a)
{
    size_t queued = 0;
    l2w_err err;
    if (l2w_alert_reminders_queue(a->db, a->cfg, &queued, &err) != L2W_OK)
        L2W_UNUSUAL("alerts", NULL, "reminders not queued: %s", err.msg);
    else if (queued)
        L2W_INFO("alerts", NULL, "%zu reminder(s) of open findings queued", queued);
}

static void housekeeping(l2w_alerts *a)
{
    double now = now_s();
    if (now >= a->next_reminders) {
        queue_reminders(a);
        a->next_reminders = now + REMINDER_CHECK_S;
    }
    if (now >= a->next_pending_refresh) {
        refresh_pending(a);
        a->next_pending_refresh = now + PENDING_REFRESH_S;
    }
    if (now >= a->next_orphan_check) {
        report_orphans(a);
        a->next_orphan_check = now + ORPHAN_CHECK_S;
    }
}

/* ---- the worker loop ----------------------------------------------------- */

/* An unreachable database is logged once a minute, not on every retry. A
 * hard error (a query the schema rejects) means alerts are not going out:
 * that is logged every time, with the retry backoff as the only brake. */
static void complain(l2w_alerts *a, l2w_status st, const l2w_err *err)
{
    if (st != L2W_ERR_DB_RETRY && st != L2W_ERR_TIMEOUT) {
        L2W_BROKEN("alerts", NULL, "alert delivery failed: %s: %s", l2w_status_str(st), err->msg);
        return;
    }
    double now = now_s();
    if (now < a->next_db_complaint)
        return;
    a->next_db_complaint = now + 60.0;
    L2W_UNUSUAL("alerts", NULL, "database unavailable, retrying: %s", err->msg);
}

static unsigned grow(unsigned ms)
{
    return ms == 0 ? DB_RETRY_MIN_MS : (ms * 2 > DB_RETRY_MAX_MS ? DB_RETRY_MAX_MS : ms * 2);
}

static void *worker(void *arg)
{
    l2w_alerts *a = arg;
    unsigned retry_ms = 0;
    while (!atomic_load(&a->stopping)) {
        l2w_err err = {{0}};
        l2w_status st = L2W_OK;
        if (!a->db)
            st = l2w_db_connect(&a->db, a->conninfo, &err);
        bool worked = false;
        if (st == L2W_OK) {
            housekeeping(a);
            st = deliver_one(a, &worked, &err);
        }
        if (st != L2W_OK) {
            complain(a, st, &err);
            retry_ms = grow(retry_ms);
            nap(a, retry_ms);
            continue;
        }
        if (retry_ms) {
            L2W_INFO("alerts", NULL, "database reachable again");
            a->next_db_complaint = 0;
        }
        retry_ms = 0;
        if (!worked)
            nap(a, POLL_MS);
    }
    return NULL;
}

/* ---- start / stop ----------------------------------------------------------- */

static l2w_status sinks_literal(char **out, const l2w_config *cfg)
{
    const char *names[L2W_MAX_SINKS];
    for (size_t i = 0; i < cfg->n_sinks; i++)
        names[i] = cfg->sinks[i].name;
    return l2w_db_text_array_literal(out, names, cfg->n_sinks);
}

static void register_metrics(l2w_alerts *a)
{
    for (size_t i = 0; i < a->cfg->n_sinks; i++) {
        char value[96], labels[128];
        if (l2w_metrics_escape_label(value, sizeof value, a->cfg->sinks[i].name) != L2W_OK)
            snprintf(value, sizeof value, "invalid");
        snprintf(labels, sizeof labels, "sink=\"%s\"", value);
        a->metrics[i].sent = l2w_counter_get("l2watch_alerts_sent_total", "Alerts delivered, by sink.", labels);
        a->metrics[i].failed =
            l2w_counter_get("l2watch_alerts_failed_total", "Alert delivery attempts that failed, by sink.", labels);
        a->metrics[i].dead = l2w_counter_get("l2watch_alerts_dead_total",
                                             "Alerts dead-lettered after alerts.max_attempts failures, by sink.",
                                             labels);
        a->metrics[i].delivery =
            l2w_histogram_get("l2watch_alert_delivery_seconds", "Time of one alert delivery attempt, by sink.",
                              labels, delivery_buckets, sizeof delivery_buckets / sizeof delivery_buckets[0]);
    }
    a->pending = l2w_gauge_get("l2watch_alerts_pending", "Alerts queued and not yet delivered.", NULL);
    /* A database count: every replica reports the same figure (aggregate with max). */
    for (int sev = L2W_SEV_INFO; sev <= L2W_SEV_CRITICAL; sev++) {
        char labels[48];
        snprintf(labels, sizeof labels, "severity=\"%s\"", l2w_severity_name((l2w_severity)sev));
        a->open_findings[sev] = l2w_gauge_get("l2watch_findings_open", "Findings open now, by severity.", labels);
    }
}

static void free_alerts(l2w_alerts *a)
{
    l2w_sink_secrets_clear(&a->secrets);
    l2w_webhook_client_destroy(a->client);
    l2w_db_close(a->db);
    free(a->conninfo);
    free(a->sinks);
    pthread_cond_destroy(&a->wake);
    pthread_mutex_destroy(&a->lock);
    free(a);
    curl_global_cleanup();
}

l2w_status l2w_alerts_start(l2w_alerts **out, const l2w_config *cfg, l2w_err *err)
{
    *out = NULL;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        l2w_err_set(err, "alerts: cannot initialise libcurl");
        return L2W_ERR_NOMEM;
    }
    l2w_alerts *a = calloc(1, sizeof *a);
    if (!a) {
        curl_global_cleanup();
        l2w_err_set(err, "alerts: out of memory");
        return L2W_ERR_NOMEM;
    }
    a->cfg = cfg;
    atomic_init(&a->stopping, false);
    pthread_condattr_t attr;
    int rc = pthread_condattr_init(&attr);
    if (rc == 0) {
        /* nap() deadlines are monotonic: a clock jump must not stall delivery. */
        rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
        if (rc == 0)
            rc = pthread_cond_init(&a->wake, &attr);
        pthread_condattr_destroy(&attr);
    }
    if (rc != 0 || pthread_mutex_init(&a->lock, NULL) != 0) {
        if (rc == 0)
            pthread_cond_destroy(&a->wake);
        free(a);
        curl_global_cleanup();
        l2w_err_set(err, "alerts: cannot create synchronisation objects");
        return L2W_ERR_NOMEM;
    }
    seed_random(a);
    for (size_t i = 0; i < cfg->n_sinks; i++)
        a->tokens[i] = (double)cfg->sinks[i].rate_per_minute;
    a->refilled_at = now_s();
    l2w_status st = l2w_conninfo_derive(&a->conninfo, cfg->database_url, "l2watch-alerts", DB_CONNECT_TIMEOUT_S,
                                        DB_STATEMENT_TIMEOUT_MS, err);
    if (st == L2W_OK && (st = sinks_literal(&a->sinks, cfg)) != L2W_OK)
        l2w_err_set(err, "alerts: out of memory");
    if (st == L2W_OK)
        st = l2w_sink_secrets_load(&a->secrets, cfg, err);
    if (st == L2W_OK)
        st = l2w_webhook_client_create(&a->client, &a->stopping, err);
    if (st == L2W_OK) {
        register_metrics(a);
        if (pthread_create(&a->thread, NULL, worker, a) != 0) {
            l2w_err_set(err, "alerts: cannot start the worker thread");
            st = L2W_ERR_NOMEM;
        }
    }
    if (st != L2W_OK) {
        free_alerts(a);
        return st;
    }
    a->thread_started = true;
    L2W_INFO("alerts", NULL, "delivering to %zu sink(s)", cfg->n_sinks);
    *out = a;
    return L2W_OK;
}

void l2w_alerts_stop(l2w_alerts *a)
{
    if (!a)
        return;
    pthread_mutex_lock(&a->lock);
    atomic_store(&a->stopping, true);
    pthread_cond_broadcast(&a->wake);
    pthread_mutex_unlock(&a->lock);
    if (a->thread_started)
        pthread_join(a->thread, NULL);
    free_alerts(a);
}
