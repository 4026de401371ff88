#include "app/liveness_guard.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/finding_store.h"
#include "app/liveness_events.h"
#include "collector/eth.h"
#include "collector/rpc.h"
#include "core/db.h"
#include "core/log.h"
#include "core/metrics.h"
#include "detectors/liveness.h"

#define LOOK_MS 1000u       /* the longest wait between two looks */
#define RETRY_MS 1000u
#define REPEAT_LOG_SECONDS 60
#define EVENTS_PER_LOOK 500 /* new events judged per series and look; more are judged in the next look, at once */
#define PRUNE_EVERY 1000u   /* l2_head rows written between two prunes */
#define FINDING_KIND "liveness_gap"

/* A failing endpoint or database would otherwise log the same line every
 * look. */
typedef struct {
    char msg[sizeof(((l2w_err *)0)->msg)];
    time_t at;
} repeat_log;

typedef struct {
    const l2w_liveness_series_config *scfg;
    const l2w_chain_config *chain;
    const char *l1;              /* proposals, batches: the L1 whose clock judges the open interval */
    l2w_liveness_kind kind;
    const char *kind_name;
    l2w_liveness_config lcfg;
    char subject[160];
    /* As of the last committed look. */
    l2w_liveness tracker;
    bool loaded;                 /* rebuilt from the store since this replica took the lead */
    int64_t last_id;             /* batches, l2_head: the last liveness_events row judged */
    int64_t last_block;          /* proposals: the last output proposal judged */
    int64_t last_log;
    bool has_head;               /* l2_head: the highest head seen */
    uint64_t head;
    /* l2_head polling */
    l2w_rpc *rpc;
    uint32_t poll_ms;
    struct timespec next_poll;
    unsigned written;            /* l2_head rows since the last prune */
    struct timespec next_look;   /* looks come every look_ms (l2_head: poll_ms) or when a stage notifies */
    uint32_t look_ms;
    bool more;                   /* events left over from the last look: look again at once */
    repeat_log step_log, rpc_log;
    l2w_gauge *since_last, *band_high, *mean;
    l2w_counter *gaps;
} series;

struct l2w_liveness_guard {
    const l2w_config *cfg;
    l2w_wakeup *wakeup;
    series *series;
    size_t n;
    uint32_t wait_ms;            /* the shortest look_ms */
    repeat_log lead_log;
    pthread_t thread;
    bool started;
};

/* What one look of one series changed: applied to the series only once its
 * transaction committed, so a look that fails leaves the tracker as it was
 * and the next look judges the same events again. */
typedef struct {
    l2w_liveness t;
    int64_t last_id, last_block, last_log;
    bool has_head;
    uint64_t head;
    unsigned written;
    size_t opened, escalated, resolved;
    char title[256];             /* of the last finding raised or escalated */
    char note[256];              /* of the last recovery */
    bool judged_now;
    l2w_liveness_report now;     /* the open interval, for the metrics */
    bool more;
} look;

/* ---- small helpers ------------------------------------------------------- */

static void note_error(repeat_log *l, const char *where, const l2w_err *err)
{
    time_t now = time(NULL);
    if (strcmp(err->msg, l->msg) == 0 && now - l->at < REPEAT_LOG_SECONDS)
        return;
    L2W_UNUSUAL("liveness", where, "%s", err->msg);
    snprintf(l->msg, sizeof l->msg, "%s", err->msg);
    l->at = now;
}

static void note_ok(repeat_log *l, const char *where, const char *what)
{
    if (l->msg[0])
        L2W_INFO("liveness", where, "%s recovered", what);
    l->msg[0] = '\0';
}

static bool is_db_error(l2w_status st)
{
    return st == L2W_ERR_DB || st == L2W_ERR_DB_RETRY;
}

static struct timespec mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts;
}

static bool mono_reached(const struct timespec *now, const struct timespec *when)
{
    return now->tv_sec > when->tv_sec || (now->tv_sec == when->tv_sec && now->tv_nsec >= when->tv_nsec);
}

static struct timespec mono_after(const struct timespec *from, uint32_t ms)
{
    struct timespec t = *from;
    t.tv_sec += ms / 1000;
    t.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}

/* Leadership: one liveness judge for all replicas. */
static int64_t lock_key(void)
{
    return l2w_db_lock_key("l2watch-liveness");
}

static void i64_text(char out[24], int64_t v)
{
    snprintf(out, 24, "%lld", (long long)v);
}

static void u64_text(char out[24], uint64_t v)
{
    snprintf(out, 24, "%llu", (unsigned long long)v);
}

/* An integer column; false when it is NULL or not a number from 0 to
 * 2^64 - 1. */
static bool cell_u64(PGresult *res, int row, int col, uint64_t *out)
{
    if (PQgetisnull(res, row, col))
        return false;
    const char *v = PQgetvalue(res, row, col);
    char *end;
    if (v[0] < '0' || v[0] > '9')
        return false;
    errno = 0;
    *out = strtoull(v, &end, 10);
    return *end == '\0' && errno == 0;
}

/* ---- statements ---------------------------------------------------------- */

/* The gap an open finding is about, named by the event it follows. */
static const l2w_db_stmt open_gap_stmt = {
    "liveness_open_gap",
    "SELECT evidence->>'last_event_ts' FROM findings WHERE kind = '" FINDING_KIND "' AND subject = $1 "
    "AND status = 'open' ORDER BY id DESC LIMIT 1",
    1};

static const l2w_db_stmt events_after_stmt = {
    "liveness_events_after",
    "SELECT id, ts FROM liveness_events WHERE chain = $1 AND kind = $2 AND id > $3::bigint ORDER BY id "
    "LIMIT $4::bigint",
    4};

/* The newest l2_head row holds the highest head reached (same-second heads
 * fold into it, keeping the higher number). */
static const l2w_db_stmt head_stmt = {
    "liveness_head",
    "SELECT block_number FROM liveness_events WHERE chain = $1 AND kind = 'l2_head' ORDER BY id DESC LIMIT 1", 1};

static const l2w_db_stmt head_insert_stmt = {
    "liveness_head_insert",
    "INSERT INTO liveness_events (chain, kind, ts, block_number) VALUES ($1, 'l2_head', $2::bigint, $3::bigint) "
    "ON CONFLICT (chain, kind, ts) DO UPDATE SET block_number = "
    "GREATEST(liveness_events.block_number, EXCLUDED.block_number)",
    3};

/* The guard writes a row a second while the L2 lives; a restart needs the
 * last window + 1, so twice that is kept. */
static const l2w_db_stmt head_prune_stmt = {
    "liveness_head_prune",
    "DELETE FROM liveness_events WHERE chain = $1 AND kind = 'l2_head' AND id < "
    "(SELECT id FROM liveness_events WHERE chain = $1 AND kind = 'l2_head' ORDER BY id DESC "
    "OFFSET $2::bigint LIMIT 1)",
    2};

/* A proposal that a reorg re-stores at or below the cursor is not judged:
 * its time is not after the events already judged either. */
static const l2w_db_stmt proposals_after_stmt = {
    "liveness_proposals_after",
    "SELECT l1_block_number, log_index, l1_timestamp::text FROM output_proposals WHERE l2_chain = $1 "
    "AND (l1_block_number, log_index) > ($2::bigint, $3::integer) ORDER BY l1_block_number, log_index "
    "LIMIT $4::bigint",
    4};

/* The L1's time as far as the tower has read it: the newest stored block at
 * or below its follower's checkpoint and, for batches ($3), the block
 * before the DA scan's next one. */
static const l2w_db_stmt l1_clock_stmt = {
    "liveness_l1_clock",
    "SELECT b.timestamp FROM chains c CROSS JOIN LATERAL (SELECT timestamp FROM blocks WHERE chain = c.name "
    "AND number <= LEAST(c.synced_number, (SELECT d.next_block - 1 FROM da_scan d WHERE d.chain = $2 AND $3::boolean)) "
    "ORDER BY number DESC LIMIT 1) b WHERE c.name = $1",
    3};

/* ---- findings ------------------------------------------------------------ */

static l2w_status raise_gap(l2w_db *db, const l2w_config *cfg, const series *s, look *w,
                            const l2w_liveness_report *r, l2w_err *err)
{
    l2w_finding f;
    l2w_status st = l2w_liveness_gap_finding(&f, s->chain->name, &w->t, r, err);
    int64_t id = 0;
    bool created = false;
    size_t n = 0;
    if (st == L2W_OK)
        st = l2w_finding_raise(db, &f, cfg, &id, &created, err);
    /* Not created: the gap is already open in the store (raised before a
     * restart or by the replica that led before). It may have passed
     * max_interval_s meanwhile: the open finding takes the higher severity. */
    if (st == L2W_OK && !created)
        st = l2w_finding_escalate(db, cfg, FINDING_KIND, f.subject, f.severity, f.evidence, &n, err);
    if (st == L2W_OK && (created || n > 0))
        snprintf(w->title, sizeof w->title, "%s", f.title);
    if (st == L2W_OK) {
        w->opened += created ? 1 : 0;
        w->escalated += n;
    }
    l2w_finding_clear(&f);
    return st;
}

static l2w_status escalate_gap(l2w_db *db, const l2w_config *cfg, const series *s, look *w,
                               const l2w_liveness_report *r, l2w_err *err)
{
    l2w_finding f;
    l2w_status st = l2w_liveness_gap_finding(&f, s->chain->name, &w->t, r, err);
    size_t n = 0;
    int64_t id = 0;
    bool created = false;
    if (st == L2W_OK)
        st = l2w_finding_escalate(db, cfg, FINDING_KIND, f.subject, f.severity, f.evidence, &n, err);
    /* Nothing open to escalate (resolved by hand while the gap lasts): the
     * gap is raised again at its new severity. */
    if (st == L2W_OK && n == 0)
        st = l2w_finding_raise(db, &f, cfg, &id, &created, err);
    if (st == L2W_OK && (created || n > 0)) {
        snprintf(w->title, sizeof w->title, "%s", f.title);
        w->escalated += n;
        w->opened += created ? 1 : 0;
    }
    l2w_finding_clear(&f);
    return st;
}

static l2w_status resolve_gap(l2w_db *db, const l2w_config *cfg, const series *s, look *w,
                              const l2w_liveness_report *r, l2w_err *err)
{
    char note[256];
    size_t n = 0;
    l2w_status st = l2w_liveness_recovery_note(note, sizeof note, &w->t, r, err);
    if (st == L2W_OK)
        st = l2w_findings_resolve_subject(db, cfg, FINDING_KIND, s->subject, note, &n, err);
    if (st == L2W_OK && n > 0) {
        w->resolved += n;
        snprintf(w->note, sizeof w->note, "%s", note);
    }
    return st;
}

static l2w_status on_report(l2w_db *db, const l2w_config *cfg, const series *s, look *w,
                            const l2w_liveness_report *r, l2w_err *err)
{
    switch (r->transition) {
    case L2W_LIVENESS_NONE:
        return L2W_OK;
    case L2W_LIVENESS_GAP_OPENED:
        return raise_gap(db, cfg, s, w, r, err);
    case L2W_LIVENESS_GAP_ESCALATED:
        return escalate_gap(db, cfg, s, w, r, err);
    case L2W_LIVENESS_RECOVERED:
        return resolve_gap(db, cfg, s, w, r, err);
    }
    return L2W_OK;
}

/* ---- feeding the tracker ------------------------------------------------- */

/* An event the rule refuses (same second as the last, older, or past 2^48)
 * carries no news about liveness: logged and skipped, so one odd row never
 * stalls the series. */
static void skipped(const series *s, const l2w_err *e)
{
    L2W_DEBUG("liveness", s->chain->name, "%s", e->msg);
}

/* A new event: the interval up to it is judged first (a gap that opened and
 * closed since the last look is still raised), then it closes the gap. */
static l2w_status judge_event(l2w_db *db, const l2w_config *cfg, const series *s, look *w, uint64_t ts,
                              l2w_err *err)
{
    l2w_liveness_report r;
    l2w_err e = {{0}};
    if (l2w_liveness_check(&w->t, &r, ts, &e) != L2W_OK) {
        skipped(s, &e);
        return L2W_OK;
    }
    l2w_status st = on_report(db, cfg, s, w, &r, err);
    if (st != L2W_OK)
        return st;
    if (l2w_liveness_observe(&w->t, &r, ts, &e) != L2W_OK) {
        skipped(s, &e);
        return L2W_OK;
    }
    return on_report(db, cfg, s, w, &r, err);
}

/* The gap of the open finding, if one is open and says which event it
 * follows: the rebuild stops there so that the events after it close it. */
static l2w_status open_gap(l2w_db *db, const series *s, bool *has, uint64_t *after_ts, l2w_err *err)
{
    const char *params[] = {s->subject};
    PGresult *res;
    l2w_status st = l2w_db_run(db, &res, &open_gap_stmt, params, NULL, NULL, err);
    if (st != L2W_OK)
        return st;
    *has = PQntuples(res) == 1 && cell_u64(res, 0, 0, after_ts);
    PQclear(res);
    return L2W_OK;
}

/* Rebuilds w->t and the cursors from the store: the last window + 1 events
 * (up to the open finding's gap), observed without findings. The events
 * after them are then read as new ones. */
static l2w_status rebuild(l2w_db *db, const series *s, look *w, l2w_err *err)
{
    l2w_status st = l2w_liveness_init(&w->t, s->kind, &s->lcfg, err);
    bool has_gap = false;
    uint64_t gap_ts = 0;
    if (st == L2W_OK)
        st = open_gap(db, s, &has_gap, &gap_ts, err);
    if (st != L2W_OK)
        return st;
    size_t max = (size_t)s->lcfg.window + 1, n = 0;
    l2w_liveness_event *ev = calloc(max, sizeof *ev);
    if (!ev) {
        l2w_err_set(err, "liveness %s: out of memory", s->chain->name);
        return L2W_ERR_NOMEM;
    }
    w->last_id = 0;
    w->last_block = -1;
    w->last_log = -1;
    st = l2w_liveness_events_tail(db, ev, max, &n, s->chain->name, s->kind, has_gap ? &gap_ts : NULL, err);
    if (st == L2W_OK && n > 0) {
        (void)l2w_liveness_replay(&w->t, ev, n);
        w->last_id = ev[n - 1].id;
        w->last_block = s->kind == L2W_LIVENESS_PROPOSALS ? ev[n - 1].block : -1;
        w->last_log = ev[n - 1].log_index;
    }
    free(ev);
    if (st != L2W_OK)
        return st;
    PGresult *res;
    if (s->kind != L2W_LIVENESS_L2_HEAD)
        return L2W_OK;
    const char *params[] = {s->chain->name};
    st = l2w_db_run(db, &res, &head_stmt, params, NULL, NULL, err);
    if (st != L2W_OK)
        return st;
    w->has_head = PQntuples(res) == 1 && cell_u64(res, 0, 0, &w->head);
    PQclear(res);
    return L2W_OK;
}

/* The events stored after the cursor, judged in order. */
static l2w_status judge_new_events(l2w_db *db, const l2w_config *cfg, const series *s, look *w, l2w_err *err)
{
    char limit[24], a[24], b[24];
    i64_text(limit, EVENTS_PER_LOOK);
    PGresult *res;
    l2w_status st;
    if (s->kind == L2W_LIVENESS_PROPOSALS) {
        i64_text(a, w->last_block);
        i64_text(b, w->last_log);
        const char *params[] = {s->chain->name, a, b, limit};
        st = l2w_db_run(db, &res, &proposals_after_stmt, params, NULL, NULL, err);
    } else {
        i64_text(a, w->last_id);
        const char *params[] = {s->chain->name, s->kind_name, a, limit};
        st = l2w_db_run(db, &res, &events_after_stmt, params, NULL, NULL, err);
    }
    if (st != L2W_OK)
        return st;
    int ts_col = s->kind == L2W_LIVENESS_PROPOSALS ? 2 : 1;
    for (int i = 0; st == L2W_OK && i < PQntuples(res); i++) {
        uint64_t ts;
        if (cell_u64(res, i, ts_col, &ts))
            st = judge_event(db, cfg, s, w, ts, err);
        else
            L2W_UNUSUAL("liveness", s->chain->name, "%s: an event without a usable time is skipped", s->kind_name);
        if (st != L2W_OK)
            break;
        if (s->kind == L2W_LIVENESS_PROPOSALS) {
            w->last_block = strtoll(PQgetvalue(res, i, 0), NULL, 10);
            w->last_log = strtoll(PQgetvalue(res, i, 1), NULL, 10);
        } else {
            w->last_id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
        }
    }
    w->more = st == L2W_OK && PQntuples(res) == EVENTS_PER_LOOK;
    PQclear(res);
    return st;
}

/* The time the open interval is judged at: see the header. *has is false
 * while the L1 has no stored block yet. */
static l2w_status series_now(l2w_db *db, const series *s, bool *has, uint64_t *now, l2w_err *err)
{
    if (s->kind == L2W_LIVENESS_L2_HEAD) {
        *has = true;
        *now = (uint64_t)time(NULL);
        return L2W_OK;
    }
    const char *params[] = {s->l1, s->chain->name, s->kind == L2W_LIVENESS_BATCHES ? "true" : "false"};
    PGresult *res;
    l2w_status st = l2w_db_run(db, &res, &l1_clock_stmt, params, NULL, NULL, err);
    if (st != L2W_OK)
        return st;
    *has = PQntuples(res) == 1 && cell_u64(res, 0, 0, now);
    PQclear(res);
    return L2W_OK;
}

/* l2_head: a head above the highest seen is an event at ts, stored (folding
 * into a row of the same second) and then read back with the other new
 * rows. */
static l2w_status record_head(l2w_db *db, const series *s, look *w, uint64_t head, uint64_t ts, l2w_err *err)
{
    if (w->has_head && head <= w->head)
        return L2W_OK;
    char t[24], h[24];
    u64_text(t, ts);
    u64_text(h, head);
    const char *params[] = {s->chain->name, t, h};
    l2w_status st = l2w_db_run(db, NULL, &head_insert_stmt, params, NULL, NULL, err);
    if (st != L2W_OK)
        return st;
    w->has_head = true;
    w->head = head;
    if (++w->written < PRUNE_EVERY)
        return L2W_OK;
    w->written = 0;
    char keep[24];
    u64_text(keep, 2 * ((uint64_t)s->lcfg.window + 1));
    const char *prune[] = {s->chain->name, keep};
    return l2w_db_run(db, NULL, &head_prune_stmt, prune, NULL, NULL, err);
}

typedef struct {
    bool polled;
    uint64_t head;
    uint64_t ts;
} head_poll;

static void poll_head(series *s, head_poll *p)
{
    memset(p, 0, sizeof *p);
    if (s->kind != L2W_LIVENESS_L2_HEAD)
        return;
    struct timespec now = mono_now();
    if (!mono_reached(&now, &s->next_poll))
        return;
    s->next_poll = mono_after(&now, s->poll_ms);
    l2w_err e = {{0}};
    if (l2w_eth_block_number(s->rpc, &p->head, &e) != L2W_OK) {
        /* The tower cannot see the head: no event, and the gap grows, as it
         * should (the finding's hint names the endpoints). */
        note_error(&s->rpc_log, s->chain->name, &e);
        return;
    }
    note_ok(&s->rpc_log, s->chain->name, "head polling");
    p->polled = true;
    p->ts = (uint64_t)time(NULL);
}

static l2w_status look_body(l2w_db *db, const l2w_config *cfg, const series *s, look *w, const head_poll *p,
                            l2w_err *err)
{
    l2w_status st = L2W_OK;
    if (!s->loaded)
        st = rebuild(db, s, w, err);
    if (st == L2W_OK && p->polled)
        st = record_head(db, s, w, p->head, p->ts, err);
    if (st == L2W_OK)
        st = judge_new_events(db, cfg, s, w, err);
    bool has_now = false;
    uint64_t now = 0;
    if (st == L2W_OK && !w->more)
        st = series_now(db, s, &has_now, &now, err);
    if (st != L2W_OK || !has_now)
        return st;
    l2w_err e = {{0}};
    if (l2w_liveness_check(&w->t, &w->now, now, &e) != L2W_OK) {
        skipped(s, &e);
        return L2W_OK;
    }
    w->judged_now = true;
    return on_report(db, cfg, s, w, &w->now, err);
}

static void set_metrics(series *s, const look *w)
{
    l2w_liveness_band band;
    l2w_liveness_band_get(&band, &s->tracker);
    if (w->judged_now)
        l2w_gauge_set(s->since_last, w->now.has_last ? (double)w->now.gap_s : NAN);
    l2w_gauge_set(s->band_high, band.high);
    l2w_gauge_set(s->mean, band.samples > 0 ? band.mean : NAN);
}

static void clear_metrics(series *s)
{
    l2w_gauge_set(s->since_last, NAN);
    l2w_gauge_set(s->band_high, NAN);
    l2w_gauge_set(s->mean, NAN);
}

/* One look at one series, in one transaction. */
static l2w_status series_look(const l2w_config *cfg, series *s, l2w_db *db, bool *more, l2w_err *err)
{
    *more = false;
    head_poll p;
    poll_head(s, &p);
    /* The tracker is some 8 KiB: the working copy lives on the heap. */
    look *w = malloc(sizeof *w);
    if (!w) {
        l2w_err_set(err, "liveness %s %s: out of memory", s->chain->name, s->kind_name);
        return L2W_ERR_NOMEM;
    }
    memset(w, 0, sizeof *w);
    w->t = s->tracker;
    w->last_id = s->last_id;
    w->last_block = s->last_block;
    w->last_log = s->last_log;
    w->has_head = s->has_head;
    w->head = s->head;
    w->written = s->written;
    l2w_status st = l2w_db_begin(db, err);
    if (st == L2W_OK)
        st = l2w_db_end(db, look_body(db, cfg, s, w, &p, err), err);
    if (st == L2W_OK) {
        s->tracker = w->t;
        s->loaded = true;
        s->last_id = w->last_id;
        s->last_block = w->last_block;
        s->last_log = w->last_log;
        s->has_head = w->has_head;
        s->head = w->head;
        s->written = w->written;
        *more = w->more;
        if (w->opened > 0) {
            l2w_counter_add(s->gaps, w->opened);
            L2W_UNUSUAL("liveness", s->chain->name, "%s", w->title);
        }
        if (w->escalated > 0)
            L2W_UNUSUAL("liveness", s->chain->name, "escalated: %s", w->title);
        if (w->resolved > 0)
            L2W_INFO("liveness", s->chain->name, "%s", w->note);
        set_metrics(s, w);
    }
    free(w);
    return st;
}

/* ---- the thread ---------------------------------------------------------- */

static void lose_lead(l2w_liveness_guard *g, l2w_db **db, bool *leader)
{
    /* A dropped connection also dropped the lock: another replica may lead
     * now, and this one rebuilds from the store when it leads again. */
    l2w_db_close(*db);
    *db = NULL;
    *leader = false;
    for (size_t i = 0; i < g->n; i++) {
        g->series[i].loaded = false;
        clear_metrics(&g->series[i]);
    }
}

static l2w_status lead(l2w_liveness_guard *g, l2w_db **db, bool *leader, l2w_err *err)
{
    if (!*db) {
        l2w_status st = l2w_db_connect(db, g->cfg->database_url, err);
        if (st != L2W_OK)
            return st;
        *leader = false;
    }
    if (*leader)
        return L2W_OK;
    int acquired = 0;
    l2w_status st = l2w_db_try_lock(*db, lock_key(), &acquired, err);
    if (st == L2W_OK && acquired) {
        *leader = true;
        L2W_INFO("liveness", NULL, "this replica now judges %zu liveness series", g->n);
    }
    return st;
}

static void *guard_main(void *arg)
{
    l2w_liveness_guard *g = arg;
    l2w_db *db = NULL;
    bool leader = false;
    bool notified = true;
    uint64_t seen = l2w_wakeup_generation(g->wakeup);
    while (!l2w_wakeup_stopping(g->wakeup)) {
        l2w_err err = {{0}};
        bool more = false;
        l2w_status st = lead(g, &db, &leader, &err);
        if (st != L2W_OK)
            note_error(&g->lead_log, NULL, &err);
        else
            note_ok(&g->lead_log, NULL, "database");
        struct timespec now = mono_now();
        for (size_t i = 0; st == L2W_OK && leader && i < g->n; i++) {
            series *s = &g->series[i];
            /* New facts (a stage notified) may carry events of any series. */
            if (s->loaded && !s->more && !notified && !mono_reached(&now, &s->next_look))
                continue;
            s->next_look = mono_after(&now, s->look_ms);
            l2w_err e = {{0}};
            l2w_status sst = series_look(g->cfg, s, db, &s->more, &e);
            if (sst == L2W_OK) {
                note_ok(&s->step_log, s->chain->name, s->kind_name);
            } else {
                l2w_err_prefix(&e, "liveness %s", s->kind_name);
                note_error(&s->step_log, s->chain->name, &e);
            }
            more = more || s->more;
            if (is_db_error(sst))
                st = sst;
        }
        if (is_db_error(st))
            lose_lead(g, &db, &leader);
        uint64_t before = seen;
        notified = false;
        if (st == L2W_OK && more)
            continue;
        /* A replica that does not lead asks for the lock once a second. */
        l2w_wakeup_wait(g->wakeup, &seen, st == L2W_OK && leader ? g->wait_ms : RETRY_MS);
        notified = seen != before;
    }
    l2w_db_close(db);
    return NULL;
}

/* ---- start and stop ------------------------------------------------------ */

static void make_metrics(series *s)
{
    char labels[160];
    snprintf(labels, sizeof labels, "chain=\"%s\",kind=\"%s\"", s->chain->name, s->kind_name);
    s->since_last = l2w_gauge_get("l2watch_liveness_seconds_since_last_event",
                                  "Seconds from the series' last event to the time it was last judged at", labels);
    s->band_high = l2w_gauge_get("l2watch_liveness_band_high_seconds",
                                 "Gap at which a liveness_gap finding starts, in seconds", labels);
    s->mean = l2w_gauge_get("l2watch_liveness_mean_interval_seconds",
                            "Mean interval between the series' events over its window, in seconds", labels);
    s->gaps = l2w_counter_get("l2watch_liveness_gaps_total", "Liveness gaps raised as findings", labels);
    clear_metrics(s);
}

static l2w_status setup_series(series *s, const l2w_config *cfg, const l2w_liveness_series_config *sc,
                               l2w_err *err)
{
    s->scfg = sc;
    s->chain = l2w_config_chain(cfg, sc->chain);
    if (!s->chain) {
        l2w_err_set(err, "liveness: chain %s is not configured", sc->chain ? sc->chain : "(none)");
        return L2W_ERR_CONFIG;
    }
    if (!l2w_liveness_kind_parse(&s->kind, sc->kind)) {
        l2w_err_set(err, "liveness %s: kind %s is not batches, proposals or l2_head", s->chain->name,
                    sc->kind ? sc->kind : "(none)");
        return L2W_ERR_CONFIG;
    }
    s->kind_name = l2w_liveness_kind_name(s->kind);
    if (s->kind != L2W_LIVENESS_L2_HEAD) {
        if (s->chain->role != L2W_CHAIN_L2 || !s->chain->l1) {
            l2w_err_set(err, "liveness %s %s: the chain is not an L2 with an l1", s->chain->name, s->kind_name);
            return L2W_ERR_CONFIG;
        }
        s->l1 = s->chain->l1;
    }
    l2w_liveness_series_rule(&s->lcfg, sc, s->kind);
    l2w_status st = l2w_liveness_init(&s->tracker, s->kind, &s->lcfg, err);
    if (st == L2W_OK)
        st = l2w_liveness_subject(s->subject, sizeof s->subject, s->chain->name, s->kind, err);
    if (st != L2W_OK) {
        l2w_err_prefix(err, "liveness %s", s->chain->name);
        return L2W_ERR_CONFIG;
    }
    s->last_block = s->last_log = -1;
    s->look_ms = LOOK_MS;
    if (s->kind == L2W_LIVENESS_L2_HEAD) {
        /* The chain's poll interval, or a second when that is longer: an
         * event's time is its second, so a slower poll would blur the gap. */
        if (s->chain->poll_interval_ms > 0 && s->chain->poll_interval_ms < LOOK_MS)
            s->look_ms = s->chain->poll_interval_ms;
        s->poll_ms = s->look_ms;
        s->next_poll = mono_now();
        if ((st = l2w_rpc_create_for_chain(&s->rpc, s->chain, err)) != L2W_OK)
            return st;
    }
    make_metrics(s);
    return L2W_OK;
}

l2w_status l2w_liveness_guard_start(l2w_liveness_guard **out, const l2w_config *cfg, l2w_wakeup *wakeup,
                                    l2w_err *err)
{
    *out = NULL;
    if (cfg->n_liveness == 0)
        return L2W_OK;
    l2w_liveness_guard *g = calloc(1, sizeof *g);
    if (!g || !(g->series = calloc(cfg->n_liveness, sizeof *g->series))) {
        free(g);
        l2w_err_set(err, "liveness guard: out of memory");
        return L2W_ERR_NOMEM;
    }
    *out = g;
    g->cfg = cfg;
    g->wakeup = wakeup;
    g->wait_ms = LOOK_MS;
    for (size_t i = 0; i < cfg->n_liveness; i++) {
        series *s = &g->series[g->n++];
        l2w_status st = setup_series(s, cfg, &cfg->liveness[i], err);
        if (st != L2W_OK)
            return st;
        if (s->look_ms < g->wait_ms)
            g->wait_ms = s->look_ms;
    }
    if (pthread_create(&g->thread, NULL, guard_main, g) != 0) {
        l2w_err_set(err, "liveness guard: cannot start its thread");
        return L2W_ERR_NOMEM;
    }
    g->started = true;
    return L2W_OK;
}

void l2w_liveness_guard_stop(l2w_liveness_guard *g)
{
    if (!g)
        return;
    if (g->started)
        pthread_join(g->thread, NULL);
    for (size_t i = 0; i < g->n; i++)
        l2w_rpc_destroy(g->series[i].rpc);
    free(g->series);
    free(g);
}
