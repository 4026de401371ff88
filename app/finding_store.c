#include "app/finding_store.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alerts/outbox.h"
#include "core/hex.h"
#include "core/log.h"
#include "core/metrics.h"
#include "responder/plan.h"

/* A lasting condition already open under the same subject is that
 * finding, whatever its dedup key: one incident, one finding. */
static const l2w_db_stmt insert_finding_stmt = {
    "finding_insert",
    "WITH open AS (SELECT id FROM findings WHERE $12::text IS NOT NULL AND kind = $2 "
    "AND subject = $12 AND status = 'open'), "
    "ins AS (INSERT INTO findings (dedup_key, kind, severity, chain, title, summary, "
    "evidence, block_number, tx_hash, anchor_chain, anchor_block_hash, subject, block_chain, tx_chain) "
    "SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14 "
    "WHERE NOT EXISTS (SELECT 1 FROM open) "
    "ON CONFLICT (dedup_key) DO NOTHING RETURNING id) "
    "SELECT id, true FROM ins UNION ALL "
    "SELECT id, false FROM open UNION ALL "
    "SELECT id, false FROM findings WHERE dedup_key = $1 AND NOT EXISTS (SELECT 1 FROM ins) "
    "AND NOT EXISTS (SELECT 1 FROM open)",
    14};

static const l2w_db_stmt finding_doc_stmt = {
    "finding_document",
    "SELECT (doc || jsonb_build_object('event', $2::text))::text FROM finding_documents WHERE id = $1", 2};

static const l2w_db_stmt resolve_subject_stmt = {
    "findings_resolve_subject",
    "UPDATE findings SET status = 'resolved', updated_at = now(), "
    "evidence = evidence || jsonb_build_object('resolved_note', $3::text) "
    "WHERE kind = $1 AND subject = $2 AND status = 'open' RETURNING id::text, dedup_key",
    3};

/* Severities by urgency, as l2w_severity orders them: an escalation only
 * ever moves a finding up this list. */
#define SEVERITY_RANK(x) "array_position(ARRAY['info', 'low', 'medium', 'high', 'critical']::text[], " x ")"

/* In SET, f.severity is still the old value: it goes into escalated_from. */
static const l2w_db_stmt escalate_stmt = {
    "finding_escalate",
    "UPDATE findings f SET severity = $3, updated_at = now(), "
    "evidence = f.evidence || COALESCE($4::jsonb, '{}'::jsonb) || jsonb_build_object('escalated_from', f.severity) "
    "WHERE f.kind = $1 AND f.subject = $2 AND f.status = 'open' "
    "AND " SEVERITY_RANK("$3::text") " > " SEVERITY_RANK("f.severity") " "
    "RETURNING f.id::text, f.dedup_key, f.evidence->>'escalated_from'",
    4};

/* When the fact a finding stands on was produced, in unix seconds: its
 * anchor block's time from the stored headers or, for a batcher posting in
 * an L1 block the follower kept no header of (the DA scan reads blocks of
 * its own), from the posting's row. $3 is the finding's block number when
 * it is on the anchor's chain (an output root's L2 block is not), else
 * NULL. */
static const l2w_db_stmt evidence_time_stmt = {
    "finding_evidence_time",
    "SELECT COALESCE((SELECT timestamp FROM blocks WHERE chain = $1 AND hash = $2), "
    "(SELECT block_timestamp FROM da_commitments WHERE l1_chain = $1 AND block_number = $3::bigint "
    "AND block_hash = $2 LIMIT 1))::text",
    3};

/* Buckets from a block on a 1 s chain to a day of catching up. */
static const double detection_buckets[] = {1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400};

/* A finding with no anchor block is a condition judged by a clock (a
 * liveness gap): its evidence says when that clock read, the last event's
 * time plus the gap seen after it. */
static bool evidence_clock(const l2w_finding *f, int64_t *at)
{
    const json_t *last = json_object_get(f->evidence, "last_event_ts");
    const json_t *gap = json_object_get(f->evidence, "gap_s");
    if (!json_is_integer(last) || !json_is_integer(gap))
        return false;
    *at = (int64_t)json_integer_value(last) + (int64_t)json_integer_value(gap);
    return true;
}

/* Observes l2watch_detection_latency_seconds{kind} for a finding just
 * created: from the evidence block's time to now. A finding whose evidence
 * has no time is not observed. Inside the caller's transaction, so only a
 * database error is returned (it aborts the transaction). */
static l2w_status observe_detection(l2w_db *db, const l2w_finding *f, l2w_err *err)
{
    int64_t at = 0;
    bool known = false;
    if (f->has_anchor) {
        char hash[2 * 32 + 3], block[24];
        l2w_db_bytea_text(hash, f->anchor_block_hash.b, 32);
        uint64_t number = 0;
        bool has_number = f->has_block_number &&
                          strcmp(l2w_finding_ref_chain(f, f->block_on), f->anchor_chain) == 0 &&
                          l2w_u256_to_u64(&number, &f->block_number) == L2W_OK && number <= INT64_MAX;
        snprintf(block, sizeof block, "%llu", (unsigned long long)number);
        const char *params[] = {f->anchor_chain, hash, has_number ? block : NULL};
        PGresult *res;
        l2w_status st = l2w_db_run(db, &res, &evidence_time_stmt, params, NULL, NULL, err);
        if (st != L2W_OK)
            return st;
        known = PQntuples(res) == 1 && !PQgetisnull(res, 0, 0);
        if (known)
            at = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        PQclear(res);
    } else {
        known = evidence_clock(f, &at);
    }
    if (!known) {
        L2W_DEBUG("findings", f->chain, "finding %s: no evidence time, detection latency not observed", f->dedup_key);
        return L2W_OK;
    }
    /* Block times are whole seconds; the wall clock is read finer so that a
     * finding within a second of its block is not rounded to 0. A block
     * stamped ahead of this host's clock counts as seen at once. */
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    double latency = (double)(now.tv_sec - (time_t)at) + (double)now.tv_nsec / 1e9;
    char kind[96], labels[128];
    if (l2w_metrics_escape_label(kind, sizeof kind, f->kind) != L2W_OK)
        return L2W_OK; /* kinds are short static names: cannot happen */
    snprintf(labels, sizeof labels, "kind=\"%s\"", kind);
    l2w_histogram_observe(l2w_histogram_get("l2watch_detection_latency_seconds",
                                            "Time from the block holding a finding's evidence to the finding",
                                            labels, detection_buckets,
                                            sizeof detection_buckets / sizeof detection_buckets[0]),
                          latency > 0 ? latency : 0);
    return L2W_OK;
}

static l2w_status insert_finding(l2w_db *db, const l2w_finding *f, int64_t *id, bool *created, l2w_err *err)
{
    char *evidence = json_dumps(f->evidence, JSON_COMPACT | JSON_SORT_KEYS);
    if (!evidence) {
        l2w_err_set(err, "finding %s: out of memory", f->dedup_key);
        return L2W_ERR_NOMEM;
    }
    char block[L2W_U256_DEC_LEN], tx[2 * 32 + 3], anchor[2 * 32 + 3];
    if (f->has_block_number)
        l2w_u256_to_dec(block, &f->block_number);
    if (f->has_tx_hash)
        l2w_db_bytea_text(tx, f->tx_hash.b, 32);
    if (f->has_anchor)
        l2w_db_bytea_text(anchor, f->anchor_block_hash.b, 32);
    const char *params[] = {f->dedup_key,
                            f->kind,
                            l2w_severity_name(f->severity),
                            f->chain,
                            f->title,
                            f->summary,
                            evidence,
                            f->has_block_number ? block : NULL,
                            f->has_tx_hash ? tx : NULL,
                            f->has_anchor ? f->anchor_chain : NULL,
                            f->has_anchor ? anchor : NULL,
                            f->subject[0] ? f->subject : NULL,
                            f->has_block_number ? l2w_finding_ref_chain(f, f->block_on) : NULL,
                            f->has_tx_hash ? l2w_finding_ref_chain(f, f->tx_on) : NULL};
    PGresult *res;
    l2w_status st = l2w_db_run(db, &res, &insert_finding_stmt, params, NULL, NULL, err);
    free(evidence);
    if (st != L2W_OK)
        return st;
    if (PQntuples(res) != 1) {
        PQclear(res);
        l2w_err_set(err, "finding %s: insert returned no row", f->dedup_key);
        return L2W_ERR_DB;
    }
    *id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    *created = PQgetvalue(res, 0, 1)[0] == 't';
    PQclear(res);
    return L2W_OK;
}

l2w_status l2w_finding_alert(l2w_db *db, int64_t id, const char *event, const l2w_config *cfg, l2w_err *err)
{
    char idtext[24];
    snprintf(idtext, sizeof idtext, "%lld", (long long)id);
    const char *params[] = {idtext, event};
    PGresult *res;
    l2w_status st = l2w_db_run(db, &res, &finding_doc_stmt, params, NULL, NULL, err);
    if (st != L2W_OK)
        return st;
    if (PQntuples(res) != 1) {
        PQclear(res);
        l2w_err_set(err, "finding %s: not found after insert", idtext);
        return L2W_ERR_DB;
    }
    st = l2w_alerts_enqueue(db, id, event, PQgetvalue(res, 0, 0), cfg, err);
    PQclear(res);
    return st;
}

l2w_status l2w_finding_raise(l2w_db *db, const l2w_finding *f, const l2w_config *cfg, int64_t *id, bool *created,
                             l2w_err *err)
{
    l2w_status st = insert_finding(db, f, id, created, err);
    if (st != L2W_OK || !*created)
        return st;
    /* A response that cannot be planned must not cost the finding: only a
     * database error (which aborts the transaction anyway) is passed up. */
    bool planned;
    l2w_err plan_err = {{0}};
    st = l2w_response_plan(db, f, *id, cfg, &planned, &plan_err);
    if (st == L2W_ERR_DB || st == L2W_ERR_DB_RETRY) {
        *err = plan_err;
        return st;
    }
    if (st != L2W_OK)
        L2W_UNUSUAL("responder", f->chain, "finding %s: no response planned: %s", f->dedup_key, plan_err.msg);
    if ((st = l2w_finding_alert(db, *id, "raised", cfg, err)) != L2W_OK)
        return st;
    if ((st = observe_detection(db, f, err)) != L2W_OK)
        return st;
    char labels[128];
    snprintf(labels, sizeof labels, "kind=\"%s\",severity=\"%s\"", f->kind, l2w_severity_name(f->severity));
    l2w_counter_add(l2w_counter_get("l2watch_findings_total", "Findings raised", labels), 1);
    return L2W_OK;
}

l2w_status l2w_findings_resolve_subject(l2w_db *db, const l2w_config *cfg, const char *kind, const char *subject,
                                        const char *note, size_t *count, l2w_err *err)
{
    const char *params[] = {kind, subject, note};
    PGresult *res;
    l2w_status st = l2w_db_run(db, &res, &resolve_subject_stmt, params, NULL, NULL, err);
    if (st != L2W_OK)
        return st;
    *count = (size_t)PQntuples(res);
    for (int i = 0; st == L2W_OK && i < PQntuples(res); i++) {
        st = l2w_finding_alert(db, strtoll(PQgetvalue(res, i, 0), NULL, 10), "resolved", cfg, err);
        if (st == L2W_OK)
            L2W_INFO("findings", NULL, "resolved finding %s (%s): %s", PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
                     note);
    }
    PQclear(res);
    return st;
}

l2w_status l2w_finding_escalate(l2w_db *db, const l2w_config *cfg, const char *kind, const char *subject,
                                l2w_severity severity, const json_t *evidence, size_t *count, l2w_err *err)
{
    *count = 0;
    if (evidence && !json_is_object(evidence)) {
        l2w_err_set(err, "escalating %s %s: evidence is not an object", kind, subject);
        return L2W_ERR_INVALID;
    }
    char *text = evidence ? json_dumps(evidence, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    if (evidence && !text) {
        l2w_err_set(err, "escalating %s %s: out of memory", kind, subject);
        return L2W_ERR_NOMEM;
    }
    const char *sev = l2w_severity_name(severity);
    const char *params[] = {kind, subject, sev, text};
    PGresult *res;
    l2w_status st = l2w_db_run(db, &res, &escalate_stmt, params, NULL, NULL, err);
    free(text);
    if (st != L2W_OK)
        return st;
    *count = (size_t)PQntuples(res);
    for (int i = 0; st == L2W_OK && i < PQntuples(res); i++) {
        st = l2w_finding_alert(db, strtoll(PQgetvalue(res, i, 0), NULL, 10), "escalated", cfg, err);
        if (st == L2W_OK)
            L2W_INFO("findings", NULL, "escalated finding %s (%s) from %s to %s", PQgetvalue(res, i, 0),
                     PQgetvalue(res, i, 1), PQgetvalue(res, i, 2), sev);
    }
    PQclear(res);
    return st;
}

l2w_status l2w_findings_open_subject(l2w_db *db, const char *kind, const char *subject, bool *open, l2w_err *err)
{
    const char *params[] = {kind, subject};
    PGresult *res;
    l2w_status st = l2w_db_exec(db, &res,
                                "SELECT 1 FROM findings WHERE kind = $1 AND subject = $2 AND status = 'open'", 2,
                                params, err);
    if (st != L2W_OK)
        return st;
    *open = PQntuples(res) > 0;
    PQclear(res);
    return L2W_OK;
}

static l2w_status retract_one(l2w_db *db, const l2w_config *cfg, const char *id, l2w_err *err)
{
    const char *params[] = {id};
    l2w_status st = l2w_db_exec(db, NULL,
                                "UPDATE responses SET status = 'not_needed', note = 'the finding was retracted: its "
                                "evidence left the canonical chain', finished_at = now(), updated_at = now() "
                                "WHERE finding_id = $1::bigint AND status = 'planned'",
                                1, params, err);
    if (st == L2W_OK)
        st = l2w_finding_alert(db, strtoll(id, NULL, 10), "retracted", cfg, err);
    return st;
}

l2w_status l2w_findings_retract_unwound(l2w_db *db, const l2w_config *cfg, const char *chain, bool has_fork,
                                        uint64_t fork, size_t *count, l2w_err *err)
{
    char n[24];
    snprintf(n, sizeof n, "%llu", (unsigned long long)fork);
    const char *params[] = {chain, has_fork ? n : "-1"};
    PGresult *res;
    l2w_status st = l2w_db_exec(db, &res,
                                "UPDATE findings SET status = 'retracted', updated_at = now() "
                                "WHERE status = 'open' AND anchor_chain = $1 AND anchor_block_hash IN "
                                "(SELECT hash FROM blocks WHERE chain = $1 AND number > $2::bigint) "
                                "RETURNING id::text, kind, dedup_key",
                                2, params, err);
    if (st != L2W_OK)
        return st;
    *count = (size_t)PQntuples(res);
    for (int i = 0; st == L2W_OK && i < PQntuples(res); i++) {
        st = retract_one(db, cfg, PQgetvalue(res, i, 0), err);
        if (st == L2W_OK)
            L2W_UNUSUAL("findings", chain, "retracted finding %s (%s): its evidence left the canonical chain",
                        PQgetvalue(res, i, 0), PQgetvalue(res, i, 2));
    }
    PQclear(res);
    return st;
}
