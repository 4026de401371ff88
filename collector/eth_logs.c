#include "collector/eth_logs.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/hex.h"
#include "core/json_scan.h"

/* ---- two kinds of refusal ----
 *
 * A syntax error (anything jansson would refuse to load) ends the scan at
 * once: wherever it is, the whole answer is refused, so nothing found
 * before it may decide the outcome. A refusal of the typed walk (a bad
 * field, "removed", a log outside the range) is only remembered, the first
 * one in the walk's order, and the scan goes on: a syntax error further on,
 * or too many logs, would still outrank it, as they do when jansson loads
 * the whole text before anything is walked. */

/* Hash, address and quantity strings are at most 66 characters when valid;
 * anything this long is refused unread by the same checks. */
#define SHORT_MAX 128u

/* ---- one log ---- */

/* The fields l2w_eth_logs_from_json reads, in the order it checks them. */
enum { F_REMOVED, F_BLOCK_NUMBER, F_BLOCK_HASH, F_TX_HASH, F_LOG_INDEX, F_ADDRESS, F_TOPICS, F_DATA, N_FIELDS };
static const char *const field_names[N_FIELDS] = {"removed", "blockNumber", "blockHash", "transactionHash",
                                                  "logIndex", "address", "topics", "data"};

typedef struct {
    bool present;
    l2w_jkind kind;
    l2w_jspan str;
} field_value;

typedef struct {
    field_value f[N_FIELDS];
    size_t n_topics;                       /* elements of the topics array */
    l2w_jspan topics[L2W_LOG_MAX_TOPICS];  /* the first ones; p NULL for one not a string */
} log_fields;

static void fields_free(log_fields *lf)
{
    for (size_t i = 0; i < N_FIELDS; i++)
        l2w_jspan_free(&lf->f[i].str);
    for (size_t i = 0; i < L2W_LOG_MAX_TOPICS; i++)
        l2w_jspan_free(&lf->topics[i]);
}

static l2w_status topic_element(l2w_jscan *s, void *ctx, size_t index)
{
    log_fields *lf = ctx;
    lf->n_topics = index + 1;
    bool keep = index < L2W_LOG_MAX_TOPICS;
    l2w_jkind kind;
    return l2w_jscan_value(s, &kind, keep ? &lf->topics[index] : NULL);
}

static l2w_status log_member(l2w_jscan *s, void *ctx, const l2w_jspan *key)
{
    log_fields *lf = ctx;
    for (size_t i = 0; i < N_FIELDS; i++) {
        if (key->len != strlen(field_names[i]) || memcmp(key->p, field_names[i], key->len) != 0)
            continue;
        field_value *fv = &lf->f[i];
        if (fv->present)
            return l2w_jscan_value(s, &(l2w_jkind){L2W_J_NULL}, NULL); /* a repeat: the object is refused at its end */
        fv->present = true;
        if (i == F_TOPICS && l2w_jscan_at(s, '[')) {
            fv->kind = L2W_J_ARRAY;
            return l2w_jscan_array(s, topic_element, lf);
        }
        return l2w_jscan_value(s, &fv->kind, &fv->str);
    }
    return l2w_jscan_value(s, &(l2w_jkind){L2W_J_NULL}, NULL);
}

/* A field as a NUL-terminated string for the hex helpers, or NULL (and the
 * refusal set) when it is missing, null, not a string or far too long. */
static const char *short_string(const field_value *fv, const char *name, char buf[SHORT_MAX], l2w_status *st,
                                l2w_err *err)
{
    if (!fv->present || fv->kind == L2W_J_NULL) {
        l2w_err_set(err, "field %s: missing", name);
        *st = L2W_ERR_PROTOCOL;
        return NULL;
    }
    if (fv->kind != L2W_J_STRING) {
        l2w_err_set(err, "field %s: expected a string", name);
        *st = L2W_ERR_PROTOCOL;
        return NULL;
    }
    size_t n = fv->str.len < SHORT_MAX ? fv->str.len : SHORT_MAX - 1;
    memcpy(buf, fv->str.p, n);
    buf[n] = '\0';
    return buf;
}

static l2w_status field_quantity(const log_fields *lf, int i, uint64_t *out, l2w_err *err)
{
    char buf[SHORT_MAX];
    l2w_status st = L2W_OK;
    const char *s = short_string(&lf->f[i], field_names[i], buf, &st, err);
    if (!s)
        return st;
    if (lf->f[i].str.len >= SHORT_MAX || l2w_quantity_to_u64(out, s) != L2W_OK) {
        l2w_err_set(err, "field %s: not a 64-bit hex quantity: \"%.40s\"", field_names[i], s);
        return L2W_ERR_PROTOCOL;
    }
    return L2W_OK;
}

static l2w_status hash_text(const l2w_jspan *t, l2w_hash *out)
{
    char buf[SHORT_MAX];
    if (t->len >= SHORT_MAX)
        return L2W_ERR_INVALID;
    memcpy(buf, t->p, t->len);
    buf[t->len] = '\0';
    return l2w_hash_from_hex(out, buf);
}

static l2w_status field_hash(const log_fields *lf, int i, l2w_hash *out, l2w_err *err)
{
    char buf[SHORT_MAX];
    l2w_status st = L2W_OK;
    const char *s = short_string(&lf->f[i], field_names[i], buf, &st, err);
    if (!s)
        return st;
    if (hash_text(&lf->f[i].str, out) != L2W_OK) {
        l2w_err_set(err, "field %s: expected a 32-byte 0x hex string, got \"%.70s\"", field_names[i], s);
        return L2W_ERR_PROTOCOL;
    }
    return L2W_OK;
}

static l2w_status field_address(const log_fields *lf, l2w_addr *out, l2w_err *err)
{
    char buf[SHORT_MAX];
    l2w_status st = L2W_OK;
    const char *s = short_string(&lf->f[F_ADDRESS], "address", buf, &st, err);
    if (!s)
        return st;
    if (lf->f[F_ADDRESS].str.len >= SHORT_MAX || l2w_addr_from_hex(out, s) != L2W_OK) {
        l2w_err_set(err, "field address: expected a 20-byte 0x hex address, got \"%.50s\"", s);
        return L2W_ERR_PROTOCOL;
    }
    return L2W_OK;
}

static l2w_status field_topics(const log_fields *lf, l2w_evm_log *out, l2w_err *err)
{
    const field_value *fv = &lf->f[F_TOPICS];
    if (!fv->present || fv->kind != L2W_J_ARRAY || lf->n_topics > L2W_LOG_MAX_TOPICS) {
        l2w_err_set(err, "field topics: expected an array of at most 4 hashes");
        return L2W_ERR_PROTOCOL;
    }
    out->n_topics = lf->n_topics;
    for (size_t i = 0; i < lf->n_topics; i++) {
        /* A non-string topic is refused where the walk meets it, in order. */
        if (lf->topics[i].p == NULL || hash_text(&lf->topics[i], &out->topics[i]) != L2W_OK) {
            l2w_err_set(err, "field topics[%zu]: expected a 32-byte 0x hex string", i);
            return L2W_ERR_PROTOCOL;
        }
    }
    return L2W_OK;
}

static l2w_status field_data(const log_fields *lf, l2w_evm_log *out, l2w_err *err)
{
    const field_value *fv = &lf->f[F_DATA];
    char buf[SHORT_MAX];
    l2w_status st = L2W_OK;
    if (!short_string(fv, "data", buf, &st, err))
        return st;
    const char *s = fv->str.p;
    size_t len = fv->str.len;
    if (len < 2 || s[0] != '0' || s[1] != 'x') {
        l2w_err_set(err, "field data: expected 0x hex data");
        return L2W_ERR_PROTOCOL;
    }
    size_t n = (len - 2) / 2;
    if (n > L2W_LOG_MAX_DATA) {
        l2w_err_set(err, "field data: %zu bytes exceeds the cap of %d", n, L2W_LOG_MAX_DATA);
        return L2W_ERR_PROTOCOL;
    }
    uint8_t *data = malloc(n ? n : 1);
    if (!data) {
        l2w_err_set(err, "field data: out of memory");
        return L2W_ERR_NOMEM;
    }
    if (l2w_hex_decode(data, n, &out->data_len, s, len) != L2W_OK) {
        free(data);
        l2w_err_set(err, "field data: invalid hex data");
        return L2W_ERR_PROTOCOL;
    }
    out->data = data;
    return L2W_OK;
}

/* The typed walk of one log's fields, in l2w_eth_logs_from_json's order. */
static l2w_status log_from_fields(const log_fields *lf, uint64_t from, uint64_t to, l2w_evm_log *out, l2w_err *err)
{
    memset(out, 0, sizeof *out);
    if (lf->f[F_REMOVED].present && lf->f[F_REMOVED].kind == L2W_J_TRUE) {
        l2w_err_set(err, "flagged removed (chain reorganised during the call)");
        return L2W_ERR_NOT_READY;
    }
    uint64_t index;
    l2w_status st = field_quantity(lf, F_BLOCK_NUMBER, &out->block_number, err);
    if (st == L2W_OK)
        st = field_hash(lf, F_BLOCK_HASH, &out->block_hash, err);
    if (st == L2W_OK)
        st = field_hash(lf, F_TX_HASH, &out->tx_hash, err);
    if (st == L2W_OK)
        st = field_quantity(lf, F_LOG_INDEX, &index, err);
    if (st == L2W_OK && index > INT32_MAX) {
        l2w_err_set(err, "field logIndex: too large");
        st = L2W_ERR_PROTOCOL;
    }
    if (st == L2W_OK)
        st = field_address(lf, &out->address, err);
    if (st == L2W_OK)
        st = field_topics(lf, out, err);
    if (st == L2W_OK)
        st = field_data(lf, out, err);
    if (st != L2W_OK)
        return st;
    out->log_index = (uint32_t)index;
    if (out->block_number < from || out->block_number > to) {
        free(out->data);
        out->data = NULL;
        l2w_err_set(err, "in block %llu, outside the range asked for", (unsigned long long)out->block_number);
        return L2W_ERR_PROTOCOL;
    }
    return L2W_OK;
}

/* ---- the array of logs ---- */

typedef struct {
    uint64_t from, to;
    l2w_evm_log *logs;
    size_t n;   /* logs kept */
    size_t cap;
    size_t seen; /* elements of the array */
    l2w_status field_st; /* the first refusal of the typed walk, or L2W_OK */
    l2w_err field_err;
} log_array;

static l2w_status log_element(l2w_jscan *s, void *ctx, size_t index)
{
    log_array *a = ctx;
    a->seen = index + 1;
    /* Past the cap the answer is refused whatever the logs say: only checked. */
    bool walk = a->field_st == L2W_OK && index < L2W_ETH_MAX_LOGS_PER_CALL;
    if (!l2w_jscan_at(s, '{') || !walk) {
        l2w_jkind kind;
        l2w_status st = l2w_jscan_value(s, &kind, NULL);
        if (st == L2W_OK && walk && kind != L2W_J_OBJECT) {
            a->field_st = L2W_ERR_PROTOCOL;
            l2w_err_set(&a->field_err, "log %zu is not an object", index);
        }
        return st;
    }
    log_fields lf;
    memset(&lf, 0, sizeof lf);
    l2w_status st = l2w_jscan_object(s, log_member, &lf);
    if (st == L2W_OK) {
        if (a->n == a->cap) {
            size_t cap = a->cap ? 2 * a->cap : 256;
            l2w_evm_log *logs = realloc(a->logs, cap * sizeof *logs);
            if (!logs) {
                fields_free(&lf);
                l2w_err_set(s->err, "out of memory");
                return L2W_ERR_NOMEM;
            }
            a->logs = logs;
            a->cap = cap;
        }
        l2w_err ferr;
        l2w_status fst = log_from_fields(&lf, a->from, a->to, &a->logs[a->n], &ferr);
        if (fst == L2W_OK) {
            a->n++;
        } else if (fst == L2W_ERR_NOMEM) {
            st = fst;
            *s->err = ferr;
        } else {
            a->field_st = fst;
            l2w_err_set(&a->field_err, "log %zu: %s", index, ferr.msg);
        }
    }
    fields_free(&lf);
    return st;
}

l2w_status l2w_eth_logs_scan(const char *text, size_t len, uint64_t from, uint64_t to, l2w_evm_log **out,
                             size_t *n_out, l2w_err *err)
{
    *out = NULL;
    *n_out = 0;
    l2w_err scratch;
    l2w_jscan s;
    l2w_jscan_init(&s, text, len, err ? err : &scratch);
    log_array a = {.from = from, .to = to, .field_st = L2W_OK};
    l2w_jscan_ws(&s);
    l2w_status st;
    if (l2w_jscan_at(&s, '[')) {
        st = l2w_jscan_array(&s, log_element, &a);
    } else if (l2w_jscan_at(&s, '{')) {
        /* An object loads, and is then no array of logs. */
        l2w_jkind kind;
        st = l2w_jscan_value(&s, &kind, NULL);
        if (st == L2W_OK && a.field_st == L2W_OK) {
            a.field_st = L2W_ERR_PROTOCOL;
            l2w_err_set(&a.field_err, "answer is not an array");
        }
    } else {
        st = l2w_jscan_syntax(&s, "'[' or '{' expected");
    }
    if (st == L2W_OK)
        st = l2w_jscan_end(&s);
    if (st == L2W_OK && a.seen > L2W_ETH_MAX_LOGS_PER_CALL) {
        l2w_err_set(s.err, "%llu..%llu: more than %d logs; ask for a narrower range", (unsigned long long)from,
                    (unsigned long long)to, L2W_ETH_MAX_LOGS_PER_CALL);
        st = L2W_ERR_RANGE;
    }
    if (st == L2W_OK && a.field_st != L2W_OK) {
        st = a.field_st;
        *s.err = a.field_err;
    }
    if (st != L2W_OK) {
        l2w_logs_free(a.logs, a.n);
        return st;
    }
    if (!a.logs && !(a.logs = calloc(1, sizeof *a.logs))) {
        l2w_err_set(s.err, "out of memory");
        return L2W_ERR_NOMEM;
    }
    *out = a.logs;
    *n_out = a.n;
    return L2W_OK;
}
