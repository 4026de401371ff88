#include "collector/rpc_answer.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/json_scan.h"

/* What one response object held: the span of its result, its id. */
typedef struct {
    size_t start, end;
    bool has_result;
    bool has_id;
    uint64_t id;
} response_scan;

/* The results to cut out of the text, in the order they appear. */
typedef struct {
    uint64_t first_id;
    const bool *keep_raw;
    size_t n;
    l2w_rpc_raw_span *spans;
    size_t cut_bytes; /* their total length */
    size_t n_cut;
} answer_scan;

static bool key_is(const l2w_jspan *key, const char *word)
{
    size_t n = strlen(word);
    return key->len == n && memcmp(key->p, word, n) == 0;
}

/* An id jansson would read as an integer (no fraction, no exponent, not
 * negative; the scanner refused anything beyond 64 bits). */
static bool integer_id(const char *text, size_t len, uint64_t *id)
{
    if (len == 0 || len > 19)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] < '0' || text[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(text[i] - '0');
    }
    if (v > (uint64_t)LLONG_MAX)
        return false;
    *id = v;
    return true;
}

static l2w_status response_member(l2w_jscan *s, void *ctx, const l2w_jspan *key)
{
    response_scan *r = ctx;
    size_t start = l2w_jscan_offset(s);
    l2w_jkind kind;
    l2w_status st = l2w_jscan_value(s, &kind, NULL);
    if (st != L2W_OK)
        return st;
    size_t end = l2w_jscan_offset(s);
    if (key_is(key, "result")) {
        r->start = start;
        r->end = end;
        r->has_result = true;
    } else if (key_is(key, "id") && kind == L2W_J_NUMBER) {
        r->has_id = integer_id((const char *)s->start + start, end - start, &r->id);
    }
    return L2W_OK;
}

static l2w_status response(l2w_jscan *s, void *ctx, size_t index)
{
    (void)index;
    answer_scan *a = ctx;
    if (!l2w_jscan_at(s, '{')) {
        l2w_jkind kind;
        return l2w_jscan_value(s, &kind, NULL);
    }
    response_scan r = {0};
    l2w_status st = l2w_jscan_object(s, response_member, &r);
    if (st != L2W_OK || !r.has_result || !r.has_id || r.id < a->first_id || r.id - a->first_id >= a->n)
        return st;
    size_t k = (size_t)(r.id - a->first_id);
    /* A repeated id is refused by the client's own checks; cut once. */
    if (!a->keep_raw[k] || a->spans[k].found)
        return L2W_OK;
    a->spans[k] = (l2w_rpc_raw_span){.offset = r.start, .len = r.end - r.start, .found = true};
    a->cut_bytes += r.end - r.start;
    a->n_cut++;
    return L2W_OK;
}

static int span_cmp(const void *x, const void *y)
{
    const l2w_rpc_raw_span *a = *(const l2w_rpc_raw_span *const *)x, *b = *(const l2w_rpc_raw_span *const *)y;
    return (a->offset > b->offset) - (a->offset < b->offset);
}

/* The text with every kept result replaced by 0. */
static char *skeleton(const char *text, size_t len, const answer_scan *a, size_t *out_len)
{
    const l2w_rpc_raw_span **cuts = malloc(a->n_cut * sizeof *cuts);
    char *out = malloc(len - a->cut_bytes + a->n_cut + 1);
    if (!cuts || !out) {
        free(cuts);
        free(out);
        return NULL;
    }
    size_t k = 0;
    for (size_t i = 0; i < a->n; i++)
        if (a->spans[i].found)
            cuts[k++] = &a->spans[i];
    qsort(cuts, k, sizeof *cuts, span_cmp);
    size_t from = 0, n = 0;
    for (size_t i = 0; i < k; i++) {
        memcpy(out + n, text + from, cuts[i]->offset - from);
        n += cuts[i]->offset - from;
        out[n++] = '0';
        from = cuts[i]->offset + cuts[i]->len;
    }
    memcpy(out + n, text + from, len - from);
    n += len - from;
    out[n] = '\0';
    free(cuts);
    *out_len = n;
    return out;
}

l2w_status l2w_rpc_parse_answer(const char *text, size_t len, uint64_t first_id, const bool *keep_raw, size_t n,
                                json_t **answer, l2w_rpc_raw_span *spans, l2w_err *err)
{
    *answer = NULL;
    memset(spans, 0, n * sizeof *spans);
    answer_scan a = {.first_id = first_id, .keep_raw = keep_raw, .n = n, .spans = spans};
    l2w_jscan s;
    l2w_jscan_init(&s, text, len, err);
    l2w_jscan_ws(&s);
    l2w_status st;
    if (l2w_jscan_at(&s, '['))
        st = l2w_jscan_array(&s, response, &a);
    else if (l2w_jscan_at(&s, '{'))
        st = response(&s, &a, 0);
    else
        st = l2w_jscan_syntax(&s, "'[' or '{' expected");
    if (st == L2W_OK)
        st = l2w_jscan_end(&s);
    if (st != L2W_OK) {
        memset(spans, 0, n * sizeof *spans);
        return st;
    }
    if (a.n_cut == 0)
        return l2w_json_parse(answer, text, len, err);
    size_t skel_len;
    char *skel = skeleton(text, len, &a, &skel_len);
    if (!skel) {
        memset(spans, 0, n * sizeof *spans);
        l2w_err_set(err, "out of memory");
        return L2W_ERR_NOMEM;
    }
    st = l2w_json_parse(answer, skel, skel_len, err);
    free(skel);
    if (st != L2W_OK)
        memset(spans, 0, n * sizeof *spans);
    return st;
}
