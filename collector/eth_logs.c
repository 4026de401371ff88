#include "collector/eth_logs.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/hex.h"

/* ---- the scanner's state and its two kinds of refusal ----
 *
 * A syntax error (anything jansson would refuse to load) ends the scan at
 * once: wherever it is, the whole answer is refused, so nothing found
 * before it may decide the outcome. A refusal of the typed walk (a bad
 * field, "removed", a log outside the range) is only remembered, the first
 * one in the walk's order, and the scan goes on: a syntax error further on,
 * or too many logs, would still outrank it, as they do when jansson loads
 * the whole text before anything is walked. */

/* jansson's JSON_PARSER_MAX_DEPTH: every value, scalars included, counts. */
#define MAX_DEPTH 2048u
/* Hash, address and quantity strings are at most 66 characters when valid;
 * anything this long is refused unread by the same checks. */
#define SHORT_MAX 128u

typedef struct {
    const uint8_t *start;
    const uint8_t *p;
    const uint8_t *end;
    size_t depth;
    l2w_err *err;
    l2w_status field_st; /* the first refusal of the typed walk, or L2W_OK */
    l2w_err field_err;
} scanner;

static l2w_status syntax(scanner *s, const char *what)
{
    l2w_err_set(s->err, "invalid JSON at byte %zu: %s", (size_t)(s->p - s->start), what);
    return L2W_ERR_PROTOCOL;
}

static void skip_ws(scanner *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

static bool at(const scanner *s, uint8_t c)
{
    return s->p < s->end && *s->p == c;
}

/* ---- strings ---- */

/* A string's content: a span of the text when it has no escapes, else a
 * decoded copy (owned). */
typedef struct {
    const char *p;
    size_t len;
    char *owned;
} text_span;

static void span_free(text_span *t)
{
    free(t->owned);
    *t = (text_span){NULL, 0, NULL};
}

/* Bytes that end the fast run through a string: the quote, the backslash,
 * control characters and the first byte of anything not ASCII. */
static bool plain_byte(uint8_t c)
{
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* The length of the UTF-8 sequence at p (1..4), or 0 when it is not one
 * jansson accepts: no overlong forms, no surrogates, nothing past U+10FFFF. */
static size_t utf8_sequence(const uint8_t *p, const uint8_t *end)
{
    uint8_t c = p[0];
    size_t n;
    uint32_t v;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        v = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        v = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        v = c & 0x07;
    } else {
        return 0;
    }
    if ((size_t)(end - p) < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        v = v << 6 | (p[i] & 0x3f);
    }
    if ((n == 3 && v < 0x800) || (n == 4 && v < 0x10000) || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    return n;
}

static int hex4(const uint8_t *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        int d = l2w_hex_digit_value((char)p[i]);
        if (d < 0)
            return -1;
        v = v << 4 | d;
    }
    return v;
}

/* After a backslash at s->p: one escape. *cp is the code point of a \u
 * escape (a surrogate pair joined), or -1 for a one-character escape with
 * its byte in *byte. */
static l2w_status escape(scanner *s, int32_t *cp, char *byte)
{
    s->p++; /* the backslash */
    if (s->p >= s->end)
        return syntax(s, "premature end of input in a string");
    uint8_t c = *s->p++;
    static const char from[] = "\"\\/bfnrt";
    static const char to[] = "\"\\/\b\f\n\r\t";
    const char *k = c ? strchr(from, c) : NULL;
    if (k) {
        *cp = -1;
        *byte = to[k - from];
        return L2W_OK;
    }
    if (c != 'u' || s->end - s->p < 4 || hex4(s->p) < 0)
        return syntax(s, "invalid escape");
    int32_t v = hex4(s->p);
    s->p += 4;
    if (v >= 0xdc00 && v <= 0xdfff)
        return syntax(s, "invalid Unicode: a lone low surrogate");
    if (v >= 0xd800 && v <= 0xdbff) {
        int32_t low = s->end - s->p >= 6 && s->p[0] == '\\' && s->p[1] == 'u' ? hex4(s->p + 2) : -1;
        if (low < 0xdc00 || low > 0xdfff)
            return syntax(s, "invalid Unicode: a high surrogate without its low one");
        s->p += 6;
        v = ((v - 0xd800) << 10) + (low - 0xdc00) + 0x10000;
    }
    if (v == 0)
        return syntax(s, "\\u0000 in a string");
    *cp = v;
    return L2W_OK;
}

static size_t utf8_put(char *out, int32_t v)
{
    if (v < 0x80) {
        out[0] = (char)v;
        return 1;
    }
    if (v < 0x800) {
        out[0] = (char)(0xc0 | v >> 6);
        out[1] = (char)(0x80 | (v & 0x3f));
        return 2;
    }
    if (v < 0x10000) {
        out[0] = (char)(0xe0 | v >> 12);
        out[1] = (char)(0x80 | (v >> 6 & 0x3f));
        out[2] = (char)(0x80 | (v & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | v >> 18);
    out[1] = (char)(0x80 | (v >> 12 & 0x3f));
    out[2] = (char)(0x80 | (v >> 6 & 0x3f));
    out[3] = (char)(0x80 | (v & 0x3f));
    return 4;
}

/* The string at s->p (its opening quote), checked; its content in *out when
 * out is not NULL (decoded into an owned copy only when it has escapes). */
static l2w_status string(scanner *s, text_span *out)
{
    const uint8_t *open = ++s->p;
    bool escaped = false;
    for (;;) {
        while (s->p < s->end && plain_byte(*s->p))
            s->p++;
        if (s->p >= s->end)
            return syntax(s, "premature end of input in a string");
        uint8_t c = *s->p;
        if (c == '"')
            break;
        if (c < 0x20)
            return syntax(s, "control character in a string");
        if (c == '\\') {
            int32_t cp;
            char byte;
            l2w_status st = escape(s, &cp, &byte);
            if (st != L2W_OK)
                return st;
            escaped = true;
            continue;
        }
        size_t n = utf8_sequence(s->p, s->end);
        if (n == 0)
            return syntax(s, "invalid UTF-8 in a string");
        s->p += n;
    }
    const uint8_t *close = s->p++;
    if (!out)
        return L2W_OK;
    if (!escaped) {
        *out = (text_span){(const char *)open, (size_t)(close - open), NULL};
        return L2W_OK;
    }
    /* Escapes never lengthen: a decoded string fits in its source. */
    char *d = malloc((size_t)(close - open) + 1);
    if (!d) {
        l2w_err_set(s->err, "out of memory");
        return L2W_ERR_NOMEM;
    }
    size_t n = 0;
    scanner again = *s; /* the checks passed: decode the same bytes */
    again.p = open;
    while (again.p < close) {
        if (*again.p != '\\') {
            d[n++] = (char)*again.p++;
            continue;
        }
        int32_t cp;
        char byte;
        if (escape(&again, &cp, &byte) != L2W_OK) {
            free(d);
            return L2W_ERR_PROTOCOL; /* not reached: checked above */
        }
        if (cp < 0)
            d[n++] = byte;
        else
            n += utf8_put(d + n, cp);
    }
    d[n] = '\0';
    *out = (text_span){d, n, d};
    return L2W_OK;
}

/* ---- numbers and literals, as jansson reads them ---- */

static bool digit(const scanner *s)
{
    return s->p < s->end && *s->p >= '0' && *s->p <= '9';
}

static l2w_status number(scanner *s)
{
    const uint8_t *first = s->p;
    if (at(s, '-'))
        s->p++;
    if (at(s, '0')) {
        s->p++;
        if (digit(s))
            return syntax(s, "a number with a leading zero");
    } else if (digit(s)) {
        while (digit(s))
            s->p++;
    } else {
        return syntax(s, "invalid token");
    }
    bool real = false;
    if (at(s, '.')) {
        s->p++;
        if (!digit(s))
            return syntax(s, "invalid token");
        while (digit(s))
            s->p++;
        real = true;
    }
    if (at(s, 'e') || at(s, 'E')) {
        s->p++;
        if (at(s, '+') || at(s, '-'))
            s->p++;
        if (!digit(s))
            return syntax(s, "invalid token");
        while (digit(s))
            s->p++;
        real = true;
    }
    size_t len = (size_t)(s->p - first);
    char small[32];
    char *text = len < sizeof small ? small : malloc(len + 1);
    if (!text) {
        l2w_err_set(s->err, "out of memory");
        return L2W_ERR_NOMEM;
    }
    memcpy(text, first, len);
    text[len] = '\0';
    /* The limits of jansson's json_int_t (long long) and of a double. */
    errno = 0;
    bool overflow;
    if (real) {
        double v = strtod(text, NULL);
        overflow = errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL);
    } else {
        (void)strtoll(text, NULL, 10);
        overflow = errno == ERANGE;
    }
    if (text != small)
        free(text);
    return overflow ? syntax(s, "a number too large") : L2W_OK;
}

typedef enum { V_NULL, V_TRUE, V_FALSE, V_STRING, V_NUMBER, V_ARRAY, V_OBJECT } value_kind;

static l2w_status literal(scanner *s, value_kind *kind)
{
    const uint8_t *first = s->p;
    while (s->p < s->end && ((*s->p >= 'a' && *s->p <= 'z') || (*s->p >= 'A' && *s->p <= 'Z')))
        s->p++;
    size_t len = (size_t)(s->p - first);
    if (len == 4 && memcmp(first, "null", 4) == 0)
        *kind = V_NULL;
    else if (len == 4 && memcmp(first, "true", 4) == 0)
        *kind = V_TRUE;
    else if (len == 5 && memcmp(first, "false", 5) == 0)
        *kind = V_FALSE;
    else
        return syntax(s, "invalid token");
    return L2W_OK;
}

/* ---- objects: keys and their repeats ---- */

typedef struct {
    text_span *keys;
    size_t n;
    size_t cap;
} key_list;

static void keys_free(key_list *k)
{
    for (size_t i = 0; i < k->n; i++)
        span_free(&k->keys[i]);
    free(k->keys);
}

static l2w_status keys_add(scanner *s, key_list *k, text_span key)
{
    if (memchr(key.p, '\0', key.len)) {
        span_free(&key);
        return syntax(s, "NUL byte in an object key");
    }
    if (k->n == k->cap) {
        size_t cap = k->cap ? 2 * k->cap : 16;
        text_span *keys = realloc(k->keys, cap * sizeof *keys);
        if (!keys) {
            span_free(&key);
            l2w_err_set(s->err, "out of memory");
            return L2W_ERR_NOMEM;
        }
        k->keys = keys;
        k->cap = cap;
    }
    k->keys[k->n++] = key;
    return L2W_OK;
}

static int key_cmp(const void *a, const void *b)
{
    const text_span *x = a, *y = b;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return memcmp(x->p, y->p, x->len);
}

/* Whether an object's keys (unescaped) repeat. A log object has a dozen:
 * compared pairwise; an object of many keys sorted first, so a hostile one
 * cannot make this quadratic. */
static bool keys_repeat(key_list *k)
{
    if (k->n <= 16) {
        for (size_t i = 0; i < k->n; i++)
            for (size_t j = i + 1; j < k->n; j++)
                if (key_cmp(&k->keys[i], &k->keys[j]) == 0)
                    return true;
        return false;
    }
    qsort(k->keys, k->n, sizeof *k->keys, key_cmp);
    for (size_t i = 1; i < k->n; i++)
        if (key_cmp(&k->keys[i - 1], &k->keys[i]) == 0)
            return true;
    return false;
}

/* ---- any value, checked and skipped ---- */

static l2w_status value(scanner *s, value_kind *kind, text_span *str);

static l2w_status enter(scanner *s)
{
    if (++s->depth > MAX_DEPTH)
        return syntax(s, "nesting deeper than 2048 values");
    return L2W_OK;
}

/* The members of an object after its '{', each value handed to member (or
 * skipped when member is NULL). */
typedef l2w_status (*member_fn)(scanner *s, void *ctx, const text_span *key);

static l2w_status object_body(scanner *s, member_fn member, void *ctx)
{
    key_list keys = {NULL, 0, 0};
    l2w_status st = L2W_OK;
    s->p++; /* '{' */
    skip_ws(s);
    if (at(s, '}')) {
        s->p++;
        return L2W_OK;
    }
    for (;;) {
        if (!at(s, '"')) {
            st = syntax(s, "a string or '}' expected");
            break;
        }
        text_span key;
        if ((st = string(s, &key)) != L2W_OK || (st = keys_add(s, &keys, key)) != L2W_OK)
            break;
        skip_ws(s);
        if (!at(s, ':')) {
            st = syntax(s, "':' expected");
            break;
        }
        s->p++;
        skip_ws(s);
        if (member)
            st = member(s, ctx, &keys.keys[keys.n - 1]);
        else
            st = value(s, &(value_kind){V_NULL}, NULL);
        if (st != L2W_OK)
            break;
        skip_ws(s);
        if (at(s, ',')) {
            s->p++;
            skip_ws(s);
            continue;
        }
        if (!at(s, '}')) {
            st = syntax(s, "'}' expected");
            break;
        }
        s->p++;
        if (keys_repeat(&keys))
            st = syntax(s, "duplicate object key");
        break;
    }
    keys_free(&keys);
    return st;
}

/* The elements of an array after its '[', each handed to element with its
 * index (or skipped when element is NULL). */
typedef l2w_status (*element_fn)(scanner *s, void *ctx, size_t index);

static l2w_status array_body(scanner *s, element_fn element, void *ctx)
{
    s->p++; /* '[' */
    skip_ws(s);
    if (at(s, ']')) {
        s->p++;
        return L2W_OK;
    }
    for (size_t i = 0;; i++) {
        l2w_status st = element ? element(s, ctx, i) : value(s, &(value_kind){V_NULL}, NULL);
        if (st != L2W_OK)
            return st;
        skip_ws(s);
        if (at(s, ',')) {
            s->p++;
            skip_ws(s);
            continue;
        }
        if (!at(s, ']'))
            return syntax(s, "']' expected");
        s->p++;
        return L2W_OK;
    }
}

/* One value at s->p: its kind, and a string's content in *str when str is
 * not NULL. */
static l2w_status value(scanner *s, value_kind *kind, text_span *str)
{
    l2w_status st = enter(s);
    if (st != L2W_OK)
        return st;
    if (s->p >= s->end)
        return syntax(s, "premature end of input");
    uint8_t c = *s->p;
    if (c == '"') {
        *kind = V_STRING;
        st = string(s, str);
    } else if (c == '{') {
        *kind = V_OBJECT;
        st = object_body(s, NULL, NULL);
    } else if (c == '[') {
        *kind = V_ARRAY;
        st = array_body(s, NULL, NULL);
    } else if (c == '-' || (c >= '0' && c <= '9')) {
        *kind = V_NUMBER;
        st = number(s);
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
        st = literal(s, kind);
    } else {
        st = syntax(s, "invalid token");
    }
    s->depth--;
    return st;
}

/* ---- one log ---- */

/* The fields l2w_eth_logs_from_json reads, in the order it checks them. */
enum { F_REMOVED, F_BLOCK_NUMBER, F_BLOCK_HASH, F_TX_HASH, F_LOG_INDEX, F_ADDRESS, F_TOPICS, F_DATA, N_FIELDS };
static const char *const field_names[N_FIELDS] = {"removed", "blockNumber", "blockHash", "transactionHash",
                                                  "logIndex", "address", "topics", "data"};

typedef struct {
    bool present;
    value_kind kind;
    text_span str;
} field_value;

typedef struct {
    field_value f[N_FIELDS];
    size_t n_topics;                       /* elements of the topics array */
    text_span topics[L2W_LOG_MAX_TOPICS];  /* the first ones; p NULL for one not a string */
} log_fields;

static void fields_free(log_fields *lf)
{
    for (size_t i = 0; i < N_FIELDS; i++)
        span_free(&lf->f[i].str);
    for (size_t i = 0; i < L2W_LOG_MAX_TOPICS; i++)
        span_free(&lf->topics[i]);
}

static l2w_status topic_element(scanner *s, void *ctx, size_t index)
{
    log_fields *lf = ctx;
    lf->n_topics = index + 1;
    bool keep = index < L2W_LOG_MAX_TOPICS;
    value_kind kind;
    return value(s, &kind, keep ? &lf->topics[index] : NULL);
}

static l2w_status log_member(scanner *s, void *ctx, const text_span *key)
{
    log_fields *lf = ctx;
    for (size_t i = 0; i < N_FIELDS; i++) {
        if (key->len != strlen(field_names[i]) || memcmp(key->p, field_names[i], key->len) != 0)
            continue;
        field_value *fv = &lf->f[i];
        if (fv->present)
            return value(s, &(value_kind){V_NULL}, NULL); /* a repeat: the object is refused at its end */
        fv->present = true;
        if (i == F_TOPICS && at(s, '[')) {
            l2w_status st = enter(s);
            if (st == L2W_OK)
                st = array_body(s, topic_element, lf);
            s->depth--;
            fv->kind = V_ARRAY;
            return st;
        }
        return value(s, &fv->kind, &fv->str);
    }
    return value(s, &(value_kind){V_NULL}, NULL);
}

/* A field as a NUL-terminated string for the hex helpers, or NULL (and the
 * refusal set) when it is missing, null, not a string or far too long. */
static const char *short_string(const field_value *fv, const char *name, char buf[SHORT_MAX], l2w_status *st,
                                l2w_err *err)
{
    if (!fv->present || fv->kind == V_NULL) {
        l2w_err_set(err, "field %s: missing", name);
        *st = L2W_ERR_PROTOCOL;
        return NULL;
    }
    if (fv->kind != V_STRING) {
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

static l2w_status hash_text(const text_span *t, l2w_hash *out)
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
    if (!fv->present || fv->kind != V_ARRAY || lf->n_topics > L2W_LOG_MAX_TOPICS) {
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
    if (lf->f[F_REMOVED].present && lf->f[F_REMOVED].kind == V_TRUE) {
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
} log_array;

static l2w_status log_element(scanner *s, void *ctx, size_t index)
{
    log_array *a = ctx;
    a->seen = index + 1;
    /* Past the cap the answer is refused whatever the logs say: only checked. */
    bool walk = s->field_st == L2W_OK && index < L2W_ETH_MAX_LOGS_PER_CALL;
    if (!at(s, '{') || !walk) {
        value_kind kind;
        l2w_status st = value(s, &kind, NULL);
        if (st == L2W_OK && walk && kind != V_OBJECT) {
            s->field_st = L2W_ERR_PROTOCOL;
            l2w_err_set(&s->field_err, "log %zu is not an object", index);
        }
        return st;
    }
    log_fields lf;
    memset(&lf, 0, sizeof lf);
    l2w_status st = enter(s);
    if (st == L2W_OK)
        st = object_body(s, log_member, &lf);
    s->depth--;
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
            s->field_st = fst;
            l2w_err_set(&s->field_err, "log %zu: %s", index, ferr.msg);
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
    scanner s = {.start = (const uint8_t *)text,
                 .p = (const uint8_t *)text,
                 .end = (const uint8_t *)text + len,
                 .err = err ? err : &scratch,
                 .field_st = L2W_OK};
    log_array a = {.from = from, .to = to};
    skip_ws(&s);
    l2w_status st;
    if (at(&s, '[')) {
        st = enter(&s);
        if (st == L2W_OK)
            st = array_body(&s, log_element, &a);
        s.depth--;
    } else if (at(&s, '{')) {
        /* An object loads, and is then no array of logs. */
        value_kind kind;
        st = value(&s, &kind, NULL);
        if (st == L2W_OK && s.field_st == L2W_OK) {
            s.field_st = L2W_ERR_PROTOCOL;
            l2w_err_set(&s.field_err, "answer is not an array");
        }
    } else {
        st = syntax(&s, "'[' or '{' expected");
    }
    if (st == L2W_OK) {
        skip_ws(&s);
        if (s.p != s.end)
            st = syntax(&s, "end of input expected");
    }
    if (st == L2W_OK && a.seen > L2W_ETH_MAX_LOGS_PER_CALL) {
        l2w_err_set(s.err, "%llu..%llu: more than %d logs; ask for a narrower range", (unsigned long long)from,
                    (unsigned long long)to, L2W_ETH_MAX_LOGS_PER_CALL);
        st = L2W_ERR_RANGE;
    }
    if (st == L2W_OK && s.field_st != L2W_OK) {
        st = s.field_st;
        *s.err = s.field_err;
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
