#include "core/json_scan.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/hex.h"

/* jansson's JSON_PARSER_MAX_DEPTH: every value, scalars included, counts. */
#define MAX_DEPTH 2048u

l2w_status l2w_jscan_syntax(l2w_jscan *s, const char *what)
{
    l2w_err_set(s->err, "invalid JSON at byte %zu: %s", (size_t)(s->p - s->start), what);
    return L2W_ERR_PROTOCOL;
}

void l2w_jscan_ws(l2w_jscan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

bool l2w_jscan_at(const l2w_jscan *s, uint8_t c)
{
    return s->p < s->end && *s->p == c;
}

/* ---- strings ---- */

void l2w_jscan_init(l2w_jscan *s, const char *text, size_t len, l2w_err *err)
{
    *s = (l2w_jscan){.start = (const uint8_t *)text,
                     .p = (const uint8_t *)text,
                     .end = (const uint8_t *)text + len,
                     .err = err};
}

size_t l2w_jscan_offset(const l2w_jscan *s)
{
    return (size_t)(s->p - s->start);
}

void l2w_jspan_free(l2w_jspan *t)
{
    free(t->owned);
    *t = (l2w_jspan){NULL, 0, NULL};
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
static l2w_status escape(l2w_jscan *s, int32_t *cp, char *byte)
{
    s->p++; /* the backslash */
    if (s->p >= s->end)
        return l2w_jscan_syntax(s, "premature end of input in a string");
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
        return l2w_jscan_syntax(s, "invalid escape");
    int32_t v = hex4(s->p);
    s->p += 4;
    if (v >= 0xdc00 && v <= 0xdfff)
        return l2w_jscan_syntax(s, "invalid Unicode: a lone low surrogate");
    if (v >= 0xd800 && v <= 0xdbff) {
        int32_t low = s->end - s->p >= 6 && s->p[0] == '\\' && s->p[1] == 'u' ? hex4(s->p + 2) : -1;
        if (low < 0xdc00 || low > 0xdfff)
            return l2w_jscan_syntax(s, "invalid Unicode: a high surrogate without its low one");
        s->p += 6;
        v = ((v - 0xd800) << 10) + (low - 0xdc00) + 0x10000;
    }
    if (v == 0)
        return l2w_jscan_syntax(s, "\\u0000 in a string");
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
static l2w_status string(l2w_jscan *s, l2w_jspan *out)
{
    const uint8_t *open = ++s->p;
    bool escaped = false;
    for (;;) {
        while (s->p < s->end && plain_byte(*s->p))
            s->p++;
        if (s->p >= s->end)
            return l2w_jscan_syntax(s, "premature end of input in a string");
        uint8_t c = *s->p;
        if (c == '"')
            break;
        if (c < 0x20)
            return l2w_jscan_syntax(s, "control character in a string");
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
            return l2w_jscan_syntax(s, "invalid UTF-8 in a string");
        s->p += n;
    }
    const uint8_t *close = s->p++;
    if (!out)
        return L2W_OK;
    if (!escaped) {
        *out = (l2w_jspan){(const char *)open, (size_t)(close - open), NULL};
        return L2W_OK;
    }
    /* Escapes never lengthen: a decoded string fits in its source. */
    char *d = malloc((size_t)(close - open) + 1);
    if (!d) {
        l2w_err_set(s->err, "out of memory");
        return L2W_ERR_NOMEM;
    }
    size_t n = 0;
    l2w_jscan again = *s; /* the checks passed: decode the same bytes */
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
    *out = (l2w_jspan){d, n, d};
    return L2W_OK;
}

/* ---- numbers and literals, as jansson reads them ---- */

static bool digit(const l2w_jscan *s)
{
    return s->p < s->end && *s->p >= '0' && *s->p <= '9';
}

static l2w_status number(l2w_jscan *s)
{
    const uint8_t *first = s->p;
    if (l2w_jscan_at(s, '-'))
        s->p++;
    if (l2w_jscan_at(s, '0')) {
        s->p++;
        if (digit(s))
            return l2w_jscan_syntax(s, "a number with a leading zero");
    } else if (digit(s)) {
        while (digit(s))
            s->p++;
    } else {
        return l2w_jscan_syntax(s, "invalid token");
    }
    bool real = false;
    if (l2w_jscan_at(s, '.')) {
        s->p++;
        if (!digit(s))
            return l2w_jscan_syntax(s, "invalid token");
        while (digit(s))
            s->p++;
        real = true;
    }
    if (l2w_jscan_at(s, 'e') || l2w_jscan_at(s, 'E')) {
        s->p++;
        if (l2w_jscan_at(s, '+') || l2w_jscan_at(s, '-'))
            s->p++;
        if (!digit(s))
            return l2w_jscan_syntax(s, "invalid token");
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
    return overflow ? l2w_jscan_syntax(s, "a number too large") : L2W_OK;
}

static l2w_status literal(l2w_jscan *s, l2w_jkind *kind)
{
    const uint8_t *first = s->p;
    while (s->p < s->end && ((*s->p >= 'a' && *s->p <= 'z') || (*s->p >= 'A' && *s->p <= 'Z')))
        s->p++;
    size_t len = (size_t)(s->p - first);
    if (len == 4 && memcmp(first, "null", 4) == 0)
        *kind = L2W_J_NULL;
    else if (len == 4 && memcmp(first, "true", 4) == 0)
        *kind = L2W_J_TRUE;
    else if (len == 5 && memcmp(first, "false", 5) == 0)
        *kind = L2W_J_FALSE;
    else
        return l2w_jscan_syntax(s, "invalid token");
    return L2W_OK;
}

/* ---- objects: keys and their repeats ---- */

typedef struct {
    l2w_jspan *keys;
    size_t n;
    size_t cap;
} key_list;

static void keys_free(key_list *k)
{
    for (size_t i = 0; i < k->n; i++)
        l2w_jspan_free(&k->keys[i]);
    free(k->keys);
}

static l2w_status keys_add(l2w_jscan *s, key_list *k, l2w_jspan key)
{
    if (memchr(key.p, '\0', key.len)) {
        l2w_jspan_free(&key);
        return l2w_jscan_syntax(s, "NUL byte in an object key");
    }
    if (k->n == k->cap) {
        size_t cap = k->cap ? 2 * k->cap : 16;
        l2w_jspan *keys = realloc(k->keys, cap * sizeof *keys);
        if (!keys) {
            l2w_jspan_free(&key);
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
    const l2w_jspan *x = a, *y = b;
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

static l2w_status object_body(l2w_jscan *s, l2w_jscan_member_fn member, void *ctx);
static l2w_status array_body(l2w_jscan *s, l2w_jscan_element_fn element, void *ctx);

static l2w_status enter(l2w_jscan *s)
{
    if (++s->depth > MAX_DEPTH)
        return l2w_jscan_syntax(s, "nesting deeper than 2048 values");
    return L2W_OK;
}

static l2w_status object_body(l2w_jscan *s, l2w_jscan_member_fn member, void *ctx)
{
    key_list keys = {NULL, 0, 0};
    l2w_status st = L2W_OK;
    s->p++; /* '{' */
    l2w_jscan_ws(s);
    if (l2w_jscan_at(s, '}')) {
        s->p++;
        return L2W_OK;
    }
    for (;;) {
        if (!l2w_jscan_at(s, '"')) {
            st = l2w_jscan_syntax(s, "a string or '}' expected");
            break;
        }
        l2w_jspan key;
        if ((st = string(s, &key)) != L2W_OK || (st = keys_add(s, &keys, key)) != L2W_OK)
            break;
        l2w_jscan_ws(s);
        if (!l2w_jscan_at(s, ':')) {
            st = l2w_jscan_syntax(s, "':' expected");
            break;
        }
        s->p++;
        l2w_jscan_ws(s);
        if (member)
            st = member(s, ctx, &keys.keys[keys.n - 1]);
        else
            st = l2w_jscan_value(s, &(l2w_jkind){L2W_J_NULL}, NULL);
        if (st != L2W_OK)
            break;
        l2w_jscan_ws(s);
        if (l2w_jscan_at(s, ',')) {
            s->p++;
            l2w_jscan_ws(s);
            continue;
        }
        if (!l2w_jscan_at(s, '}')) {
            st = l2w_jscan_syntax(s, "'}' expected");
            break;
        }
        s->p++;
        if (keys_repeat(&keys))
            st = l2w_jscan_syntax(s, "duplicate object key");
        break;
    }
    keys_free(&keys);
    return st;
}

static l2w_status array_body(l2w_jscan *s, l2w_jscan_element_fn element, void *ctx)
{
    s->p++; /* '[' */
    l2w_jscan_ws(s);
    if (l2w_jscan_at(s, ']')) {
        s->p++;
        return L2W_OK;
    }
    for (size_t i = 0;; i++) {
        l2w_status st = element ? element(s, ctx, i) : l2w_jscan_value(s, &(l2w_jkind){L2W_J_NULL}, NULL);
        if (st != L2W_OK)
            return st;
        l2w_jscan_ws(s);
        if (l2w_jscan_at(s, ',')) {
            s->p++;
            l2w_jscan_ws(s);
            continue;
        }
        if (!l2w_jscan_at(s, ']'))
            return l2w_jscan_syntax(s, "']' expected");
        s->p++;
        return L2W_OK;
    }
}

/* One value at s->p: its kind, and a string's content in *str when str is
 * not NULL. */
l2w_status l2w_jscan_value(l2w_jscan *s, l2w_jkind *kind, l2w_jspan *str)
{
    l2w_status st = enter(s);
    if (st != L2W_OK)
        return st;
    if (s->p >= s->end)
        return l2w_jscan_syntax(s, "premature end of input");
    uint8_t c = *s->p;
    if (c == '"') {
        *kind = L2W_J_STRING;
        st = string(s, str);
    } else if (c == '{') {
        *kind = L2W_J_OBJECT;
        st = object_body(s, NULL, NULL);
    } else if (c == '[') {
        *kind = L2W_J_ARRAY;
        st = array_body(s, NULL, NULL);
    } else if (c == '-' || (c >= '0' && c <= '9')) {
        *kind = L2W_J_NUMBER;
        st = number(s);
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
        st = literal(s, kind);
    } else {
        st = l2w_jscan_syntax(s, "invalid token");
    }
    s->depth--;
    return st;
}


l2w_status l2w_jscan_object(l2w_jscan *s, l2w_jscan_member_fn member, void *ctx)
{
    if (!l2w_jscan_at(s, '{'))
        return l2w_jscan_syntax(s, "'{' expected");
    l2w_status st = enter(s);
    if (st == L2W_OK)
        st = object_body(s, member, ctx);
    s->depth--;
    return st;
}

l2w_status l2w_jscan_array(l2w_jscan *s, l2w_jscan_element_fn element, void *ctx)
{
    if (!l2w_jscan_at(s, '['))
        return l2w_jscan_syntax(s, "'[' expected");
    l2w_status st = enter(s);
    if (st == L2W_OK)
        st = array_body(s, element, ctx);
    s->depth--;
    return st;
}

l2w_status l2w_jscan_end(l2w_jscan *s)
{
    l2w_jscan_ws(s);
    return s->p == s->end ? L2W_OK : l2w_jscan_syntax(s, "end of input expected");
}
