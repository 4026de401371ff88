#include "app/output_checker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/finding_store.h"
#include "collector/chain_store.h"
#include "collector/eth.h"
#include "core/hex.h"
#include "core/log.h"
#include "core/metrics.h"
#include "detectors/rpc_agreement.h"
#include "detectors/state_root.h"

struct l2w_output_checker {
    const l2w_config *cfg;
    const l2w_chain_config *chain;
    l2w_counter *matched;
    l2w_counter *mismatched;
    l2w_gauge *pending;
    l2w_gauge *head_gauge;
    l2w_histogram *latency;
    l2w_counter *disagreements;
};

l2w_status l2w_output_checker_create(l2w_output_checker **out, const l2w_config *cfg, const l2w_chain_config *l2,
                                     l2w_err *err)
{
    l2w_output_checker *c = calloc(1, sizeof *c);
    if (!c) {
        l2w_err_set(err, "output checker %s: out of memory", l2->name);
        return L2W_ERR_NOMEM;
    }
    c->cfg = cfg;
    c->chain = l2;
    char labels[96];
    snprintf(labels, sizeof labels, "chain=\"%s\",result=\"match\"", l2->name);
    c->matched = l2w_counter_get("l2watch_output_roots_checked_total", "Output roots judged, by result", labels);
    snprintf(labels, sizeof labels, "chain=\"%s\",result=\"mismatch\"", l2->name);
    c->mismatched = l2w_counter_get("l2watch_output_roots_checked_total", "Output roots judged, by result", labels);
    snprintf(labels, sizeof labels, "chain=\"%s\"", l2->name);
    c->pending = l2w_gauge_get("l2watch_output_roots_pending", "Output proposals not yet checkable or checked", labels);
    c->head_gauge = l2w_gauge_get("l2watch_chain_head_block", "Latest block number an endpoint reported", labels);
    c->disagreements = l2w_counter_get("l2watch_rpc_disagreements_total",
                                       "Output proposals two endpoints answered differently", labels);
    static const double buckets[] = {1, 2, 5, 10, 15, 30, 60, 120, 300, 900};
    c->latency = l2w_histogram_get("l2watch_output_root_check_delay_seconds",
                                   "Time from the proposal's L1 block to its verdict", labels, buckets,
                                   sizeof buckets / sizeof buckets[0]);
    *out = c;
    return L2W_OK;
}

void l2w_output_checker_destroy(l2w_output_checker *c)
{
    free(c);
}

static l2w_status parse_row(l2w_output_checker *c, PGresult *res, int row, l2w_output_proposal *p, l2w_err *err)
{
    memset(p, 0, sizeof *p);
    snprintf(p->l1_chain, sizeof p->l1_chain, "%s", PQgetvalue(res, row, 0));
    snprintf(p->l2_chain, sizeof p->l2_chain, "%s", c->chain->name);
    l2w_status st = l2w_db_bytea_parse(p->l1_block_hash.b, 32, PQgetvalue(res, row, 1));
    p->l1_log_index = (uint32_t)strtoul(PQgetvalue(res, row, 2), NULL, 10);
    if (st == L2W_OK)
        st = l2w_db_bytea_parse(p->oracle.b, 20, PQgetvalue(res, row, 3));
    if (st == L2W_OK)
        st = l2w_u256_from_dec(&p->output_index, PQgetvalue(res, row, 4));
    if (st == L2W_OK)
        st = l2w_u256_from_dec(&p->l2_block_number, PQgetvalue(res, row, 5));
    if (st == L2W_OK)
        st = l2w_db_bytea_parse(p->output_root.b, 32, PQgetvalue(res, row, 6));
    if (st == L2W_OK)
        st = l2w_u256_from_dec(&p->l1_timestamp, PQgetvalue(res, row, 7));
    p->l1_block_number = strtoull(PQgetvalue(res, row, 8), NULL, 10);
    if (st == L2W_OK)
        st = l2w_db_bytea_parse(p->l1_tx_hash.b, 32, PQgetvalue(res, row, 9));
    if (st != L2W_OK) {
        l2w_err_set(err, "output checker %s: malformed stored proposal row", c->chain->name);
        return L2W_ERR_DB;
    }
    return L2W_OK;
}

static void key_params(const l2w_output_proposal *p, char bhash[67], char logidx[16], const char *params[3])
{
    l2w_db_bytea_text(bhash, p->l1_block_hash.b, 32);
    snprintf(logidx, 16, "%u", p->l1_log_index);
    params[0] = p->l1_chain;
    params[1] = bhash;
    params[2] = logidx;
}

static l2w_status note_pending(l2w_db *db, const l2w_output_proposal *p, const char *note, l2w_err *err)
{
    char bhash[67], logidx[16];
    const char *params[4];
    key_params(p, bhash, logidx, params);
    params[3] = note;
    return l2w_db_exec(db, NULL,
                       "UPDATE output_proposals SET check_note = $4 WHERE l1_chain = $1 AND block_hash = $2 "
                       "AND log_index = $3 AND check_status = 0 AND check_note IS DISTINCT FROM $4",
                       4, params, err);
}

static l2w_status note_waiting(l2w_db *db, const l2w_output_proposal *p, uint64_t head, l2w_err *err)
{
    char note[128];
    snprintf(note, sizeof note, "not yet checkable: L2 node head is %llu", (unsigned long long)head);
    return note_pending(db, p, note, err);
}

static l2w_status read_l2(l2w_rpc *rpc, uint64_t block, l2w_l2_output_inputs *in, l2w_err *err)
{
    l2w_block_header h;
    l2w_status st = l2w_eth_header_by_number(rpc, block, &h, err);
    if (st != L2W_OK)
        return st;
    in->number = h.number;
    in->block_hash = h.hash;
    in->state_root = h.state_root;
    return l2w_eth_storage_hash(rpc, &l2w_message_passer_address, &h, &in->message_passer_storage_root, err);
}

/* Stores the verdict; a mismatch also raises the finding. Returns
 * L2W_ERR_NOT_FOUND if the proposal vanished meanwhile (an L1 reorg). */
static l2w_status store_verdict(l2w_output_checker *c, l2w_db *db, const l2w_output_proposal *p,
                                const l2w_endpoint_answer *first, const char *cross_checked_by,
                                l2w_sr_verdict verdict, const l2w_hash *recomputed, l2w_err *err)
{
    const l2w_l2_output_inputs *in = &first->in;
    char bhash[67], logidx[16], root[67];
    const char *params[5];
    key_params(p, bhash, logidx, params);
    l2w_db_bytea_text(root, recomputed->b, 32);
    params[3] = verdict == L2W_SR_MATCH ? "1" : "2";
    params[4] = root;
    l2w_status st = l2w_db_begin(db, err);
    if (st != L2W_OK)
        return st;
    PGresult *res;
    st = l2w_db_exec(db, &res,
                     "UPDATE output_proposals SET check_status = $4, recomputed_root = $5, checked_at = now(), "
                     "check_note = NULL WHERE l1_chain = $1 AND block_hash = $2 AND log_index = $3 AND check_status = 0",
                     5, params, err);
    if (st == L2W_OK) {
        bool updated = strcmp(PQcmdTuples(res), "1") == 0;
        PQclear(res);
        if (!updated)
            st = L2W_ERR_NOT_FOUND;
    }
    l2w_finding f = {0};
    int64_t id = 0;
    bool created = false;
    if (st == L2W_OK && verdict == L2W_SR_MISMATCH) {
        st = l2w_state_root_finding(&f, p, in, recomputed, err);
        /* Who said so: an operator weighs a verdict two endpoints agree on
         * differently from one resting on a single endpoint. */
        if (st == L2W_OK &&
            (json_object_set_new(f.evidence, "endpoint", json_string(first->endpoint)) != 0 ||
             json_object_set_new(f.evidence, "cross_checked_by",
                                 cross_checked_by ? json_string(cross_checked_by) : json_null()) != 0))
            st = L2W_ERR_NOMEM;
        if (st == L2W_OK)
            st = l2w_finding_raise(db, &f, c->cfg, &id, &created, err);
    }
    st = l2w_db_end(db, st, err);
    if (st == L2W_OK && verdict == L2W_SR_MISMATCH)
        L2W_INFO("state_root", c->chain->name, "%s finding %lld: %s", created ? "raised" : "already known",
                 (long long)id, f.title);
    l2w_finding_clear(&f);
    return st;
}

static l2w_status raise_disagreement(l2w_output_checker *c, l2w_db *db, const l2w_output_proposal *p,
                                     const l2w_endpoint_answer *a, const l2w_endpoint_answer *b, l2w_err *err)
{
    l2w_finding f = {0};
    int64_t id = 0;
    bool created = false;
    char note[192];
    snprintf(note, sizeof note, "not judged: endpoints %s and %s disagree about the L2 block", a->endpoint,
             b->endpoint);
    l2w_status st = l2w_rpc_disagreement_finding(&f, p, a, b, err);
    if (st == L2W_OK)
        st = l2w_db_begin(db, err);
    if (st == L2W_OK) {
        st = l2w_finding_raise(db, &f, c->cfg, &id, &created, err);
        if (st == L2W_OK)
            st = note_pending(db, p, note, err);
        st = l2w_db_end(db, st, err);
    }
    if (st == L2W_OK && created)
        L2W_UNUSUAL("state_root", c->chain->name, "finding %lld: %s", (long long)id, f.title);
    l2w_counter_add(c->disagreements, st == L2W_OK && created ? 1 : 0);
    l2w_finding_clear(&f);
    return st;
}

/* Asks the first usable endpoint, then a second one when there is one.
 * *checked says whether a verdict may be stored now; when it may not (the
 * second endpoint lacks the block, or the two disagree) the proposal stays
 * pending with a note. */
static l2w_status ask_endpoints(l2w_output_checker *c, l2w_db *db, l2w_rpc *rpc, const l2w_output_proposal *p,
                                uint64_t block, l2w_endpoint_answer *first, char *cross_by, size_t cross_len,
                                bool *checked, l2w_err *err)
{
    *checked = false;
    cross_by[0] = '\0';
    l2w_status st = read_l2(rpc, block, &first->in, err);
    if (st != L2W_OK)
        return st;
    size_t a_index = l2w_rpc_last_endpoint(rpc), b_index;
    snprintf(first->endpoint, sizeof first->endpoint, "%s", l2w_rpc_endpoint_label(rpc, a_index));
    if (!l2w_rpc_pick_other(rpc, a_index, &b_index)) {
        *checked = true; /* one endpoint configured, or no other one usable now */
        return L2W_OK;
    }
    l2w_endpoint_answer second = {0};
    snprintf(second.endpoint, sizeof second.endpoint, "%s", l2w_rpc_endpoint_label(rpc, b_index));
    l2w_rpc_pin(rpc, b_index);
    st = read_l2(rpc, block, &second.in, err);
    l2w_rpc_unpin(rpc);
    if (st == L2W_ERR_NOT_FOUND) {
        char note[160];
        snprintf(note, sizeof note, "not yet checkable: endpoint %s does not have the block yet", second.endpoint);
        return note_pending(db, p, note, err);
    }
    if (st != L2W_OK)
        return st;
    if (!l2w_answers_agree(first, &second))
        return raise_disagreement(c, db, p, first, &second, err);
    snprintf(cross_by, cross_len, "%s", second.endpoint);
    *checked = true;
    return L2W_OK;
}

static l2w_status judge_one(l2w_output_checker *c, l2w_db *db, l2w_rpc *rpc, const l2w_output_proposal *p,
                            bool *judged, l2w_err *err)
{
    *judged = false;
    uint64_t block;
    if (l2w_u256_to_u64(&block, &p->l2_block_number) != L2W_OK)
        return L2W_ERR_RANGE;
    l2w_endpoint_answer first = {0};
    char cross_by[64];
    bool checked;
    l2w_status st = ask_endpoints(c, db, rpc, p, block, &first, cross_by, sizeof cross_by, &checked, err);
    if (st != L2W_OK || !checked)
        return st;
    l2w_sr_verdict verdict;
    l2w_hash recomputed;
    if ((st = l2w_state_root_judge(&verdict, &recomputed, p, &first.in, err)) != L2W_OK)
        return st;
    st = store_verdict(c, db, p, &first, cross_by[0] ? cross_by : NULL, verdict, &recomputed, err);
    if (st == L2W_ERR_NOT_FOUND)
        return L2W_OK; /* reorged away before the verdict: nothing to say */
    if (st != L2W_OK)
        return st;
    *judged = true;
    l2w_counter_add(verdict == L2W_SR_MATCH ? c->matched : c->mismatched, 1);
    uint64_t l1ts;
    if (l2w_u256_to_u64(&l1ts, &p->l1_timestamp) == L2W_OK && (uint64_t)time(NULL) >= l1ts)
        l2w_histogram_observe(c->latency, (double)((uint64_t)time(NULL) - l1ts));
    return L2W_OK;
}

static l2w_status load_pending(l2w_output_checker *c, l2w_db *db, PGresult **res, l2w_err *err)
{
    const char *params[] = {c->chain->name};
    return l2w_db_exec(db, res,
                       "SELECT l1_chain, block_hash, log_index, oracle, output_index, l2_block_number, output_root, "
                       "l1_timestamp, l1_block_number, tx_hash FROM output_proposals "
                       "WHERE l2_chain = $1 AND check_status = 0 ORDER BY l2_block_number, output_index LIMIT 50",
                       1, params, err);
}

l2w_status l2w_output_checker_step(l2w_output_checker *c, l2w_db *db, l2w_rpc *l2rpc, size_t *judged, l2w_err *err)
{
    *judged = 0;
    uint64_t head;
    l2w_status st = l2w_eth_block_number(l2rpc, &head, err);
    if (st != L2W_OK)
        return st;
    l2w_gauge_set(c->head_gauge, (double)head);
    if ((st = l2w_store_set_head(db, c->chain->name, head, err)) != L2W_OK)
        return st;
    if ((st = l2w_store_set_synced(db, c->chain->name, head, err)) != L2W_OK)
        return st;
    PGresult *res;
    if ((st = load_pending(c, db, &res, err)) != L2W_OK)
        return st;
    int rows = PQntuples(res);
    size_t waiting = 0;
    for (int i = 0; i < rows && st == L2W_OK; i++) {
        l2w_output_proposal p;
        if ((st = parse_row(c, res, i, &p, err)) != L2W_OK)
            break;
        if (!l2w_state_root_checkable(&p, head)) {
            /* The L2 node is behind the proposal: not yet checkable, never a mismatch. */
            waiting++;
            st = note_waiting(db, &p, head, err);
            continue;
        }
        bool done = false;
        st = judge_one(c, db, l2rpc, &p, &done, err);
        if (st == L2W_OK && done)
            (*judged)++;
    }
    PQclear(res);
    l2w_gauge_set(c->pending, (double)waiting);
    return st;
}
