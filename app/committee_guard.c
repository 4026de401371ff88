#include "app/committee_guard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/finding_store.h"
#include "app/guard_loop.h"
#include "collector/eth_tx_lookup.h"
#include "collector/rpc.h"
#include "collector/validium_calldata.h"
#include "collector/watch_list.h"
#include "core/db.h"
#include "core/hex.h"
#include "core/log.h"
#include "core/metrics.h"
#include "detectors/committee_signatures.h"

/* Logs judged per pass: each costs one eth_getTransactionByHash. */
#define LOGS_PER_STEP 32
/* 1000 batches of 128 bytes and a committee's signatures and addresses fit
 * many times over. */
#define MAX_INPUT (4u * 1024 * 1024)
#define RETRY_MS 1000

/* The results stored besides the verifier's own (sql/0009_committees.sql). */
enum { RESULT_NOT_SIGNED = 7, RESULT_UNREADABLE = 8, N_RESULTS = 9 };

typedef struct {
    const l2w_config *cfg;
    const l2w_committee_config *m;
    const l2w_chain_config *l1;
    l2w_rpc *rpc;
    l2w_committee committee;
    l2w_hash topic0;
    l2w_counter *results[N_RESULTS];
    l2w_gauge *last_batch;
    l2w_guard_loop *loop;
} committee_ctx;

struct l2w_committee_guard {
    committee_ctx ctx[L2W_MAX_COMMITTEES];
    size_t n;
};

static const char *result_name(int r)
{
    if (r == RESULT_NOT_SIGNED)
        return "not_signed";
    if (r == RESULT_UNREADABLE)
        return "unreadable";
    return l2w_committee_result_name((l2w_committee_result)r);
}

/* A SequenceBatches log not yet judged. */
typedef struct {
    l2w_hash block_hash;
    uint64_t block_number;
    uint32_t log_index;
    l2w_hash tx_hash;
    uint64_t batch;
} sequence_log;

/* What one log came to, for its committee_checks row. */
typedef struct {
    int result;
    const char *fork;
    size_t batches;
    bool has_signed_hash;
    l2w_hash signed_hash;
    bool has_counts;
    size_t signatures, valid;
    char detail[sizeof(((l2w_err *)0)->msg)];
    l2w_committee_verdict verdict;
} judgement;

static l2w_status parse_row(sequence_log *s, PGresult *res, int i, l2w_err *err)
{
    uint8_t topic1[32];
    l2w_status st = l2w_db_bytea_parse(s->block_hash.b, 32, PQgetvalue(res, i, 0));
    if (st == L2W_OK)
        st = l2w_db_bytea_parse(s->tx_hash.b, 32, PQgetvalue(res, i, 3));
    if (st == L2W_OK)
        st = l2w_db_bytea_parse(topic1, 32, PQgetvalue(res, i, 4));
    if (st != L2W_OK) {
        l2w_err_set(err, "committee: stored SequenceBatches log %d has a malformed hash or topic", i);
        return st;
    }
    s->block_number = strtoull(PQgetvalue(res, i, 1), NULL, 10);
    s->log_index = (uint32_t)strtoul(PQgetvalue(res, i, 2), NULL, 10);
    for (int k = 0; k < 24; k++) {
        if (topic1[k] != 0) {
            l2w_err_set(err, "committee: SequenceBatches in block %llu: numBatch does not fit a uint64",
                        (unsigned long long)s->block_number);
            return L2W_ERR_PROTOCOL;
        }
    }
    s->batch = 0;
    for (int k = 24; k < 32; k++)
        s->batch = (s->batch << 8) | topic1[k];
    return L2W_OK;
}

static void judge_input(committee_ctx *c, const l2w_eth_tx_seen *tx, judgement *j, l2w_err *err)
{
    char to[L2W_ADDR_HEX_LEN];
    if (!tx->has_to || !l2w_addr_eq(&tx->to, &c->m->rollup)) {
        if (tx->has_to)
            l2w_addr_to_hex(to, &tx->to);
        j->result = RESULT_UNREADABLE;
        snprintf(j->detail, sizeof j->detail,
                 "the transaction calls %s, not the rollup contract: its signatures are not in its calldata",
                 tx->has_to ? to : "no contract");
        return;
    }
    l2w_validium_sequence seq;
    l2w_err derr = {{0}};
    if (l2w_validium_sequence_decode(&seq, tx->input, tx->input_len, &derr) != L2W_OK) {
        j->result = RESULT_UNREADABLE;
        snprintf(j->detail, sizeof j->detail, "%s", derr.msg);
        return;
    }
    j->fork = seq.fork;
    j->batches = seq.n_batches;
    if (seq.n_non_forced == 0) {
        j->result = RESULT_NOT_SIGNED;
        snprintf(j->detail, sizeof j->detail, "every batch of the sequence is forced: the committee is not asked");
        l2w_validium_sequence_clear(&seq);
        return;
    }
    j->has_signed_hash = true;
    j->signed_hash = seq.signed_hash;
    l2w_status st = l2w_committee_verify(&j->verdict, &c->committee, &seq.signed_hash, seq.da_message,
                                         seq.da_message_len, err);
    l2w_validium_sequence_clear(&seq);
    if (st != L2W_OK) {
        /* The committee was checked at start: only the secp256k1 context can fail here. */
        j->result = -1;
        return;
    }
    j->result = (int)j->verdict.result;
    j->has_counts = true;
    j->signatures = j->verdict.signatures;
    j->valid = j->verdict.valid;
    snprintf(j->detail, sizeof j->detail, "%s", j->verdict.why.msg);
}

static l2w_status raise(committee_ctx *c, l2w_db *db, const sequence_log *s, const judgement *j, int64_t *id,
                        bool *created, l2w_err *err)
{
    const l2w_committee_batch b = {.chain = c->m->chain,
                                   .has_batch = true,
                                   .batch = s->batch,
                                   .has_anchor = true,
                                   .anchor_chain = c->l1->name,
                                   .block_number = s->block_number,
                                   .block_hash = s->block_hash,
                                   .tx_hash = s->tx_hash};
    l2w_finding f;
    l2w_status st = l2w_committee_threshold_missed_finding(&f, &b, &c->committee, &j->signed_hash, &j->verdict, err);
    if (st == L2W_OK)
        st = l2w_finding_raise(db, &f, c->cfg, id, created, err);
    if (st == L2W_OK && *created)
        L2W_UNUSUAL("committee", c->m->chain, "%s: %s", f.title, j->detail);
    l2w_finding_clear(&f);
    return st;
}

static l2w_status store(committee_ctx *c, l2w_db *db, const sequence_log *s, const judgement *j, bool *raised,
                        l2w_err *err)
{
    char hash[2 * 32 + 3], txh[2 * 32 + 3], signed_hash[2 * 32 + 3], block[24], index[16], batch[24], batches[16],
        sigs[16], valid[16], threshold[16], fid[24];
    l2w_db_bytea_text(hash, s->block_hash.b, 32);
    l2w_db_bytea_text(txh, s->tx_hash.b, 32);
    if (j->has_signed_hash)
        l2w_db_bytea_text(signed_hash, j->signed_hash.b, 32);
    snprintf(block, sizeof block, "%llu", (unsigned long long)s->block_number);
    snprintf(index, sizeof index, "%u", (unsigned)s->log_index);
    snprintf(batch, sizeof batch, "%llu", (unsigned long long)s->batch);
    snprintf(batches, sizeof batches, "%zu", j->batches);
    snprintf(sigs, sizeof sigs, "%zu", j->signatures);
    snprintf(valid, sizeof valid, "%zu", j->valid);
    snprintf(threshold, sizeof threshold, "%u", (unsigned)c->m->threshold);
    bool finding = j->has_counts && j->verdict.result != L2W_COMMITTEE_OK;
    int64_t id = 0;
    bool created = false;
    l2w_status st = l2w_db_begin(db, err);
    if (st == L2W_OK && finding)
        st = raise(c, db, s, j, &id, &created, err);
    snprintf(fid, sizeof fid, "%lld", (long long)id);
    const char *params[] = {c->l1->name,
                            hash,
                            index,
                            block,
                            c->m->chain,
                            txh,
                            batch,
                            j->fork,
                            j->fork ? batches : NULL,
                            j->has_signed_hash ? signed_hash : NULL,
                            result_name(j->result),
                            j->has_counts ? sigs : NULL,
                            j->has_counts ? valid : NULL,
                            threshold,
                            j->detail[0] ? j->detail : NULL,
                            finding ? fid : NULL};
    if (st == L2W_OK)
        st = l2w_db_exec(db, NULL,
                         "INSERT INTO committee_checks (l1_chain, block_hash, log_index, block_number, chain, tx_hash, "
                         "batch, fork, batches, signed_hash, result, signatures, valid, threshold, detail, finding_id) "
                         "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) "
                         "ON CONFLICT DO NOTHING",
                         16, params, err);
    st = l2w_db_end(db, st, err);
    if (st == L2W_OK) {
        l2w_counter_add(c->results[j->result], 1);
        l2w_gauge_set(c->last_batch, (double)s->batch);
        *raised = *raised || created;
        if (j->result == RESULT_UNREADABLE)
            L2W_UNUSUAL("committee", c->m->chain, "batch %llu (block %llu): signatures not checked: %s",
                        (unsigned long long)s->batch, (unsigned long long)s->block_number, j->detail);
    }
    return st;
}

/* Reads the log's transaction and judges it. A node that does not have it,
 * or has it in another block (a reorg the follower has not seen yet), is an
 * error for this pass: the log is judged again later. */
static l2w_status judge(committee_ctx *c, const sequence_log *s, judgement *j, l2w_err *err)
{
    memset(j, 0, sizeof *j);
    l2w_eth_tx_seen tx;
    l2w_status st = l2w_eth_transaction(c->rpc, &s->tx_hash, MAX_INPUT, &tx, err);
    if (st == L2W_OK && !l2w_hash_eq(&tx.block_hash, &s->block_hash)) {
        l2w_err_set(err, "the node has the transaction in another block than its stored log (a reorg under way?)");
        st = L2W_ERR_NOT_READY;
    }
    if (st == L2W_OK) {
        judge_input(c, &tx, j, err);
        if (j->result < 0)
            st = L2W_ERR_NOMEM;
    }
    l2w_eth_tx_seen_clear(&tx);
    if (st != L2W_OK)
        l2w_err_prefix(err, "SequenceBatches in block %llu", (unsigned long long)s->block_number);
    return st;
}

static l2w_status step(void *arg, l2w_db *db, bool *more, bool *raised, l2w_err *err)
{
    committee_ctx *c = arg;
    char rollup[2 * 20 + 3], topic[2 * 32 + 3], limit[8];
    l2w_db_bytea_text(rollup, c->m->rollup.b, 20);
    l2w_db_bytea_text(topic, c->topic0.b, 32);
    snprintf(limit, sizeof limit, "%d", LOGS_PER_STEP);
    const char *params[] = {c->l1->name, rollup, topic, limit};
    PGresult *res;
    l2w_status st = l2w_db_exec(db, &res,
                                "SELECT l.block_hash, l.block_number, l.log_index, l.tx_hash, l.topics[2] FROM logs l "
                                "WHERE l.chain = $1 AND l.address = $2 AND l.topics[1] = $3 "
                                "AND array_length(l.topics, 1) >= 2 AND NOT EXISTS (SELECT 1 FROM committee_checks k "
                                "WHERE k.l1_chain = l.chain AND k.block_hash = l.block_hash "
                                "AND k.log_index = l.log_index) "
                                "ORDER BY l.block_number, l.log_index LIMIT $4::integer",
                                4, params, err);
    if (st != L2W_OK)
        return st;
    int rows = PQntuples(res);
    for (int i = 0; st == L2W_OK && i < rows; i++) {
        sequence_log s;
        judgement j;
        st = parse_row(&s, res, i, err);
        if (st == L2W_OK)
            st = judge(c, &s, &j, err);
        if (st == L2W_OK)
            st = store(c, db, &s, &j, raised, err);
    }
    PQclear(res);
    *more = st == L2W_OK && rows == LOGS_PER_STEP;
    return st;
}

static l2w_status setup(committee_ctx *c, const l2w_config *cfg, const l2w_committee_config *m, l2w_err *err)
{
    c->cfg = cfg;
    c->m = m;
    c->l1 = l2w_config_chain(cfg, m->l1);
    if (!c->l1) {
        l2w_err_set(err, "committee %s: l1 \"%s\" is not configured", m->chain, m->l1);
        return L2W_ERR_CONFIG;
    }
    c->committee = (l2w_committee){.members = m->members, .n_members = m->n_members, .threshold = m->threshold};
    l2w_status st = l2w_committee_check(&c->committee, err);
    if (st != L2W_OK) {
        l2w_err_prefix(err, "committee %s", m->chain);
        return st;
    }
    l2w_event_topic(&c->topic0, "SequenceBatches(uint64,bytes32)");
    for (int r = 0; r < N_RESULTS; r++) {
        char labels[128];
        snprintf(labels, sizeof labels, "chain=\"%s\",result=\"%s\"", m->chain, result_name(r));
        c->results[r] = l2w_counter_get("l2watch_committee_checks_total",
                                        "Validium sequences whose committee signatures were checked, by result",
                                        labels);
    }
    char labels[64];
    snprintf(labels, sizeof labels, "chain=\"%s\"", m->chain);
    c->last_batch = l2w_gauge_get("l2watch_committee_last_batch", "Last batch of the last sequence checked", labels);
    return l2w_rpc_create_for_chain(&c->rpc, c->l1, err);
}

l2w_status l2w_committee_guard_start(l2w_committee_guard **out, const l2w_config *cfg, l2w_wakeup *wakeup,
                                     l2w_err *err)
{
    *out = NULL;
    if (cfg->n_committees == 0)
        return L2W_OK;
    l2w_committee_guard *g = calloc(1, sizeof *g);
    if (!g) {
        l2w_err_set(err, "committee guard: out of memory");
        return L2W_ERR_NOMEM;
    }
    *out = g;
    for (size_t i = 0; i < cfg->n_committees; i++) {
        committee_ctx *c = &g->ctx[g->n++];
        l2w_status st = setup(c, cfg, &cfg->committees[i], err);
        if (st != L2W_OK)
            return st;
        char lock[64];
        snprintf(lock, sizeof lock, "l2watch-committee:%s", c->m->chain);
        const l2w_guard_spec spec = {.component = "committee",
                                     .subject = c->m->chain,
                                     .lock_name = lock,
                                     .database_url = cfg->database_url,
                                     .idle_ms = c->l1->poll_interval_ms,
                                     .retry_ms = RETRY_MS,
                                     .step = step,
                                     .ctx = c,
                                     .wakeup = wakeup};
        if ((st = l2w_guard_loop_start(&c->loop, &spec, err)) != L2W_OK)
            return st;
    }
    return L2W_OK;
}

void l2w_committee_guard_stop(l2w_committee_guard *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->n; i++) {
        l2w_guard_loop_join(g->ctx[i].loop);
        l2w_rpc_destroy(g->ctx[i].rpc);
    }
    free(g);
}
