/* Solidity ABI: type text, head/tail encoding, a hostile-input decoder, and
 * the cast-style value text used by tools and tests. Written from the
 * "Contract ABI Specification" in the Solidity documentation. */
#include "core/abi.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/hex.h"
#include "core/keccak.h"

enum { WORD = 32 };

/* ------------------------------------------------------------------------ */
/* Small helpers                                                             */
/* ------------------------------------------------------------------------ */

/* Checked size arithmetic: every size here can be driven by outside input. */
static bool size_add(size_t *acc, size_t v)
{
    if (v > SIZE_MAX - *acc)
        return false;
    *acc += v;
    return true;
}

static bool size_mul(size_t *out, size_t a, size_t b)
{
    if (a != 0 && b > SIZE_MAX / a)
        return false;
    *out = a * b;
    return true;
}

/* Bytes or string payloads are padded to whole words. */
static bool padded_len(size_t *out, size_t len)
{
    size_t words = len / WORD + (len % WORD != 0);
    return size_mul(out, words, WORD);
}

static const char *kind_name(l2w_abi_kind k)
{
    switch (k) {
    case L2W_ABI_UINT: return "uint";
    case L2W_ABI_INT: return "int";
    case L2W_ABI_ADDRESS: return "address";
    case L2W_ABI_BOOL: return "bool";
    case L2W_ABI_FIXED_BYTES: return "bytesN";
    case L2W_ABI_BYTES: return "bytes";
    case L2W_ABI_STRING: return "string";
    case L2W_ABI_ARRAY: return "T[]";
    case L2W_ABI_FIXED_ARRAY: return "T[k]";
    case L2W_ABI_TUPLE: return "tuple";
    }
    return "?";
}

/* Type of item i of a list type: a tuple's field or an array's element. */
static const l2w_abi_type *item_type(const l2w_abi_type *t, size_t i)
{
    return t->kind == L2W_ABI_TUPLE ? t->fields[i] : t->elem;
}

/* Head bytes of a list of n items of type t (a tuple or either array). The
 * caller has bounded n, and each head_size is at most L2W_ABI_MAX_STATIC_SIZE. */
static bool list_head_size(size_t *out, const l2w_abi_type *t, size_t n)
{
    if (t->kind != L2W_ABI_TUPLE)
        return size_mul(out, n, t->elem->head_size);
    size_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (!size_add(&sum, t->fields[i]->head_size))
            return false;
    }
    *out = sum;
    return true;
}

/* A growable text buffer; a failed allocation is sticky and reported once at
 * the end, which keeps the formatting code free of per-call checks. */
typedef struct {
    char *buf;
    size_t len;
    size_t cap;
    bool failed;
} strbuf;

static void sb_append(strbuf *sb, const char *s, size_t n)
{
    if (sb->failed)
        return;
    if (n >= sb->cap - sb->len || !sb->buf) {
        size_t need = sb->len;
        if (!size_add(&need, n) || !size_add(&need, 1)) {
            sb->failed = true;
            return;
        }
        size_t cap = sb->cap ? sb->cap : 64;
        while (cap < need) {
            if (cap > SIZE_MAX / 2) {
                cap = need;
                break;
            }
            cap *= 2;
        }
        char *nb = realloc(sb->buf, cap);
        if (!nb) {
            sb->failed = true;
            return;
        }
        sb->buf = nb;
        sb->cap = cap;
    }
    memcpy(sb->buf + sb->len, s, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

static void sb_puts(strbuf *sb, const char *s)
{
    sb_append(sb, s, strlen(s));
}

static void sb_printf(strbuf *sb, const char *fmt, ...) L2W_PRINTF(2, 3);
static void sb_printf(strbuf *sb, const char *fmt, ...)
{
    char tmp[64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp) {
        sb->failed = true;
        return;
    }
    sb_append(sb, tmp, (size_t)n);
}

static l2w_status sb_finish(char **out, strbuf *sb)
{
    if (sb->failed || !sb->buf) {
        free(sb->buf);
        return L2W_ERR_NOMEM;
    }
    *out = sb->buf;
    return L2W_OK;
}

/* ------------------------------------------------------------------------ */
/* Types                                                                     */
/* ------------------------------------------------------------------------ */

typedef struct {
    const char *s;
    size_t len;
    size_t pos;
    l2w_err *err;
} type_parser;

static l2w_status type_fail(type_parser *p, const char *what)
{
    l2w_err_set(p->err, "type \"%.200s\" at column %zu: %s", p->s, p->pos + 1, what);
    return L2W_ERR_INVALID;
}

void l2w_abi_type_free(l2w_abi_type *t)
{
    if (!t)
        return;
    l2w_abi_type_free(t->elem);
    if (t->fields) {
        for (size_t i = 0; i < t->len; i++)
            l2w_abi_type_free(t->fields[i]);
        free(t->fields);
    }
    free(t);
}

static l2w_status new_type(l2w_abi_type **out, l2w_abi_kind kind, type_parser *p)
{
    l2w_abi_type *t = calloc(1, sizeof *t);
    if (!t) {
        l2w_err_set(p->err, "type: out of memory");
        return L2W_ERR_NOMEM;
    }
    t->kind = kind;
    /* Composite types recompute these in finish_composite. */
    t->dynamic = kind == L2W_ABI_BYTES || kind == L2W_ABI_STRING;
    t->head_size = WORD;
    t->depth = 1;
    *out = t;
    return L2W_OK;
}

/* A canonical decimal size: digits, no leading zero, at most max. Returns
 * false (and leaves pos at the first digit) if there are no digits. */
static l2w_status parse_size(type_parser *p, size_t *out, bool *present, size_t max)
{
    size_t start = p->pos;
    size_t v = 0;
    while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9') {
        if (p->pos - start >= 9)
            return type_fail(p, "size too large");
        v = v * 10 + (size_t)(p->s[p->pos] - '0');
        p->pos++;
    }
    *present = p->pos > start;
    if (!*present)
        return L2W_OK;
    if (p->s[start] == '0' && p->pos - start > 1) {
        p->pos = start;
        return type_fail(p, "size has a leading zero (not canonical)");
    }
    if (v > max) {
        p->pos = start;
        return type_fail(p, "size out of range");
    }
    *out = v;
    return L2W_OK;
}

static l2w_status parse_int_type(type_parser *p, l2w_abi_type **out, l2w_abi_kind kind, const char *name)
{
    size_t bits = 0;
    bool present;
    l2w_status st = parse_size(p, &bits, &present, 256);
    if (st != L2W_OK)
        return st;
    if (!present) {
        char msg[80];
        snprintf(msg, sizeof msg, "%s needs an explicit size (canonical form: %s256)", name, name);
        return type_fail(p, msg);
    }
    if (bits == 0 || bits % 8 != 0)
        return type_fail(p, "integer size must be a multiple of 8 in 8..256");
    st = new_type(out, kind, p);
    if (st == L2W_OK)
        (*out)->bits = (unsigned)bits;
    return st;
}

static l2w_status parse_bytes_type(type_parser *p, l2w_abi_type **out)
{
    size_t n = 0;
    bool present;
    l2w_status st = parse_size(p, &n, &present, 32);
    if (st != L2W_OK)
        return st;
    if (!present)
        return new_type(out, L2W_ABI_BYTES, p);
    if (n == 0)
        return type_fail(p, "bytesN size must be 1..32");
    st = new_type(out, L2W_ABI_FIXED_BYTES, p);
    if (st == L2W_OK)
        (*out)->len = n;
    return st;
}

static l2w_status parse_elementary(type_parser *p, l2w_abi_type **out)
{
    size_t start = p->pos;
    while (p->pos < p->len && p->s[p->pos] >= 'a' && p->s[p->pos] <= 'z')
        p->pos++;
    size_t n = p->pos - start;
    const char *w = p->s + start;
#define IS_WORD(lit) (n == sizeof(lit) - 1 && memcmp(w, lit, n) == 0)
    if (IS_WORD("uint"))
        return parse_int_type(p, out, L2W_ABI_UINT, "uint");
    if (IS_WORD("int"))
        return parse_int_type(p, out, L2W_ABI_INT, "int");
    if (IS_WORD("bytes"))
        return parse_bytes_type(p, out);
    if (IS_WORD("address"))
        return new_type(out, L2W_ABI_ADDRESS, p);
    if (IS_WORD("bool"))
        return new_type(out, L2W_ABI_BOOL, p);
    if (IS_WORD("string"))
        return new_type(out, L2W_ABI_STRING, p);
    p->pos = start;
    if (IS_WORD("fixed") || IS_WORD("ufixed") || IS_WORD("function"))
        return type_fail(p, "fixed, ufixed and function types are not supported");
#undef IS_WORD
    if (p->pos >= p->len)
        return type_fail(p, "expected a type, found the end");
    return type_fail(p, "expected a type name or '('");
}

/* Computes dynamic, head_size and depth of a composite type from its parts. */
static l2w_status finish_composite(type_parser *p, l2w_abi_type *t)
{
    unsigned depth = 0;
    bool dynamic = t->kind == L2W_ABI_ARRAY;
    size_t n = t->kind == L2W_ABI_TUPLE ? t->len : 1;
    for (size_t i = 0; i < n; i++) {
        const l2w_abi_type *c = item_type(t, i);
        if (c->depth > depth)
            depth = c->depth;
        dynamic = dynamic || c->dynamic;
    }
    t->depth = depth + 1;
    t->dynamic = dynamic;
    if (t->depth > L2W_ABI_MAX_DEPTH)
        return type_fail(p, "type nests too deeply");
    /* The items' own head must be bounded even for a dynamic composite: the
     * decoder reads it as one region. A T[] has no static head of its own. */
    size_t inner = 0;
    if (t->kind != L2W_ABI_ARRAY) {
        if (!list_head_size(&inner, t, t->len) ||
            inner > L2W_ABI_MAX_STATIC_SIZE)
            return type_fail(p, "static size of the type is too large");
    }
    t->head_size = dynamic ? WORD : inner;
    return L2W_OK;
}

static l2w_status parse_type_at(type_parser *p, l2w_abi_type **out, unsigned nesting);

static l2w_status parse_tuple(type_parser *p, l2w_abi_type **out, unsigned nesting)
{
    l2w_abi_type *t = NULL;
    l2w_status st = new_type(&t, L2W_ABI_TUPLE, p);
    if (st != L2W_OK)
        return st;
    p->pos++; /* '(' */
    size_t cap = 0;
    if (p->pos < p->len && p->s[p->pos] == ')') {
        p->pos++;
        goto done;
    }
    for (;;) {
        if (t->len == cap) {
            cap = cap ? cap * 2 : 4;
            l2w_abi_type **nf = realloc(t->fields, cap * sizeof *nf);
            if (!nf) {
                st = L2W_ERR_NOMEM;
                l2w_err_set(p->err, "type: out of memory");
                goto out;
            }
            t->fields = nf;
        }
        st = parse_type_at(p, &t->fields[t->len], nesting + 1);
        if (st != L2W_OK)
            goto out;
        t->len++;
        if (p->pos < p->len && p->s[p->pos] == ',') {
            p->pos++;
            continue;
        }
        if (p->pos < p->len && p->s[p->pos] == ')') {
            p->pos++;
            break;
        }
        st = type_fail(p, p->pos < p->len && p->s[p->pos] == ' ' ? "whitespace is not allowed in canonical types"
                                                                  : "expected ',' or ')'");
        goto out;
    }
done:
    st = finish_composite(p, t);
out:
    if (st != L2W_OK) {
        l2w_abi_type_free(t);
        return st;
    }
    *out = t;
    return L2W_OK;
}

/* Wraps *t in one array suffix "[]" or "[k]" at p->pos. */
static l2w_status parse_suffix(type_parser *p, l2w_abi_type **t)
{
    p->pos++; /* '[' */
    size_t k = 0;
    bool present;
    l2w_status st = parse_size(p, &k, &present, L2W_ABI_MAX_STATIC_SIZE / WORD);
    if (st != L2W_OK)
        return st;
    if (present && k == 0)
        return type_fail(p, "fixed array length must be at least 1");
    if (p->pos >= p->len || p->s[p->pos] != ']')
        return type_fail(p, "expected ']'");
    p->pos++;
    l2w_abi_type *a = NULL;
    st = new_type(&a, present ? L2W_ABI_FIXED_ARRAY : L2W_ABI_ARRAY, p);
    if (st != L2W_OK)
        return st;
    a->elem = *t;
    a->len = present ? k : 0;
    *t = a; /* a owns the element from here, also on failure below */
    return finish_composite(p, a);
}

static l2w_status parse_type_at(type_parser *p, l2w_abi_type **out, unsigned nesting)
{
    /* Recursion happens only through '(' so bounding tuple nesting bounds the
     * stack; finish_composite bounds the depth of the finished tree. */
    if (nesting >= L2W_ABI_MAX_DEPTH)
        return type_fail(p, "type nests too deeply");
    l2w_abi_type *t = NULL;
    bool tuple = p->pos < p->len && p->s[p->pos] == '(';
    l2w_status st = tuple ? parse_tuple(p, &t, nesting) : parse_elementary(p, &t);
    if (st != L2W_OK)
        return st;
    bool empty_tuple = tuple && t->len == 0;
    while (st == L2W_OK && p->pos < p->len && p->s[p->pos] == '[') {
        st = empty_tuple ? type_fail(p, "an empty tuple cannot be an array element") : parse_suffix(p, &t);
    }
    if (st == L2W_OK && empty_tuple && nesting > 0)
        st = type_fail(p, "an empty tuple is only allowed as the whole argument list");
    if (st != L2W_OK) {
        l2w_abi_type_free(t);
        return st;
    }
    *out = t;
    return L2W_OK;
}

static l2w_status parse_type_text(l2w_abi_type **out, const char *text, size_t len, l2w_err *err)
{
    type_parser p = {.s = text, .len = len, .pos = 0, .err = err};
    l2w_abi_type *t = NULL;
    l2w_status st = parse_type_at(&p, &t, 0);
    if (st != L2W_OK)
        return st;
    if (p.pos != p.len) {
        l2w_abi_type_free(t);
        return type_fail(&p, p.s[p.pos] == ' ' ? "whitespace is not allowed in canonical types"
                                               : "unexpected text after the type");
    }
    *out = t;
    return L2W_OK;
}

static bool text_length_ok(const char *text, size_t *len, l2w_err *err, const char *what)
{
    if (!text) {
        l2w_err_set(err, "%s: missing text", what);
        return false;
    }
    *len = strnlen(text, L2W_ABI_MAX_TYPE_TEXT + 1);
    if (*len > L2W_ABI_MAX_TYPE_TEXT) {
        l2w_err_set(err, "%s: text longer than %d characters", what, L2W_ABI_MAX_TYPE_TEXT);
        return false;
    }
    return true;
}

l2w_status l2w_abi_type_parse(l2w_abi_type **out, const char *text, l2w_err *err)
{
    size_t len;
    if (!text_length_ok(text, &len, err, "type"))
        return L2W_ERR_INVALID;
    return parse_type_text(out, text, len, err);
}

static void type_to_sb(strbuf *sb, const l2w_abi_type *t)
{
    switch (t->kind) {
    case L2W_ABI_UINT:
        sb_printf(sb, "uint%u", t->bits);
        return;
    case L2W_ABI_INT:
        sb_printf(sb, "int%u", t->bits);
        return;
    case L2W_ABI_ADDRESS:
        sb_puts(sb, "address");
        return;
    case L2W_ABI_BOOL:
        sb_puts(sb, "bool");
        return;
    case L2W_ABI_FIXED_BYTES:
        sb_printf(sb, "bytes%zu", t->len);
        return;
    case L2W_ABI_BYTES:
        sb_puts(sb, "bytes");
        return;
    case L2W_ABI_STRING:
        sb_puts(sb, "string");
        return;
    case L2W_ABI_ARRAY:
        type_to_sb(sb, t->elem);
        sb_puts(sb, "[]");
        return;
    case L2W_ABI_FIXED_ARRAY:
        type_to_sb(sb, t->elem);
        sb_printf(sb, "[%zu]", t->len);
        return;
    case L2W_ABI_TUPLE:
        sb_puts(sb, "(");
        for (size_t i = 0; i < t->len; i++) {
            if (i)
                sb_puts(sb, ",");
            type_to_sb(sb, t->fields[i]);
        }
        sb_puts(sb, ")");
        return;
    }
}

l2w_status l2w_abi_type_to_string(char **out, const l2w_abi_type *t)
{
    strbuf sb = {0};
    type_to_sb(&sb, t);
    return sb_finish(out, &sb);
}

static bool ident_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
}

static bool ident_char(char c)
{
    return ident_start(c) || (c >= '0' && c <= '9');
}

l2w_status l2w_abi_signature_parse(l2w_abi_type **args, const char *signature, l2w_err *err)
{
    size_t len;
    if (!text_length_ok(signature, &len, err, "signature"))
        return L2W_ERR_INVALID;
    size_t i = 0;
    if (len == 0 || !ident_start(signature[0])) {
        l2w_err_set(err, "signature \"%.200s\": must start with a name", signature);
        return L2W_ERR_INVALID;
    }
    while (i < len && ident_char(signature[i]))
        i++;
    if (i == len || signature[i] != '(') {
        l2w_err_set(err, "signature \"%.200s\" at column %zu: expected '(' after the name", signature, i + 1);
        return L2W_ERR_INVALID;
    }
    l2w_abi_type *t = NULL;
    l2w_status st = parse_type_text(&t, signature + i, len - i, err);
    if (st != L2W_OK) {
        l2w_err_prefix(err, "signature \"%.200s\"", signature);
        return st;
    }
    if (t->kind != L2W_ABI_TUPLE) {
        /* "f(uint256)[]" parses as an array of tuples: not a signature. */
        l2w_abi_type_free(t);
        l2w_err_set(err, "signature \"%.200s\": trailing text after the argument list", signature);
        return L2W_ERR_INVALID;
    }
    *args = t;
    return L2W_OK;
}

/* ------------------------------------------------------------------------ */
/* Values                                                                    */
/* ------------------------------------------------------------------------ */

/* Frees what v owns, not v itself. Only for trees this module allocated. */
static void value_clear(l2w_abi_value *v)
{
    switch (v->kind) {
    case L2W_ABI_UINT:
    case L2W_ABI_INT:
    case L2W_ABI_ADDRESS:
    case L2W_ABI_BOOL:
    case L2W_ABI_FIXED_BYTES:
        return;
    case L2W_ABI_BYTES:
    case L2W_ABI_STRING:
        /* This module allocated the buffer; the const is for caller-built trees. */
        free((void *)v->data);
        v->data = NULL;
        return;
    case L2W_ABI_ARRAY:
    case L2W_ABI_FIXED_ARRAY:
    case L2W_ABI_TUPLE: {
        l2w_abi_value *items = (l2w_abi_value *)v->items;
        for (size_t i = 0; items && i < v->len; i++)
            value_clear(&items[i]);
        free(items);
        v->items = NULL;
        return;
    }
    }
}

void l2w_abi_value_free(l2w_abi_value *v)
{
    if (!v)
        return;
    value_clear(v);
    free(v);
}

static bool bytes_eq(const uint8_t *a, const uint8_t *b, size_t n)
{
    return n == 0 || memcmp(a, b, n) == 0;
}

bool l2w_abi_value_eq(const l2w_abi_value *a, const l2w_abi_value *b)
{
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case L2W_ABI_UINT:
    case L2W_ABI_INT:
        return l2w_u256_cmp(&a->word, &b->word) == 0;
    case L2W_ABI_BOOL:
        return a->boolean == b->boolean;
    case L2W_ABI_ADDRESS:
        return l2w_addr_eq(&a->addr, &b->addr);
    case L2W_ABI_FIXED_BYTES:
        return a->len == b->len && a->len <= 32 && bytes_eq(a->fixed, b->fixed, a->len);
    case L2W_ABI_BYTES:
    case L2W_ABI_STRING:
        return a->len == b->len && bytes_eq(a->data, b->data, a->len);
    case L2W_ABI_ARRAY:
    case L2W_ABI_FIXED_ARRAY:
    case L2W_ABI_TUPLE:
        if (a->len != b->len)
            return false;
        for (size_t i = 0; i < a->len; i++) {
            if (!l2w_abi_value_eq(&a->items[i], &b->items[i]))
                return false;
        }
        return true;
    }
    return false;
}

/* True if bits bits..255 of w are all copies of bit bits-1: the word is the
 * sign extension of an intN. Compared a limb at a time under a mask of the
 * bits at or above bits. */
static bool sign_extended(const l2w_u256 *w, unsigned bits)
{
    unsigned top = bits - 1;
    uint64_t fill = ((w->w[top / 64] >> (top % 64)) & 1) ? UINT64_MAX : 0;
    for (unsigned limb = 0; limb < 4; limb++) {
        unsigned lo = 64 * limb;
        uint64_t mask = bits <= lo ? UINT64_MAX : bits >= lo + 64 ? 0 : UINT64_MAX << (bits - lo);
        if ((w->w[limb] & mask) != (fill & mask))
            return false;
    }
    return true;
}

/* ------------------------------------------------------------------------ */
/* Encoding                                                                  */
/* ------------------------------------------------------------------------ */

static l2w_status enc_fail(l2w_err *err, const char *fmt, ...) L2W_PRINTF(2, 3);
static l2w_status enc_fail(l2w_err *err, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return L2W_ERR_INVALID;
}

static l2w_status measure(size_t *size, const l2w_abi_type *t, const l2w_abi_value *v, l2w_err *err);

/* Size of the list encoding (heads then tails) of v's items. */
static l2w_status measure_list(size_t *size, const l2w_abi_type *t, const l2w_abi_value *v, l2w_err *err)
{
    if (v->len && !v->items)
        return enc_fail(err, "%s value has %zu items but no item array", kind_name(t->kind), v->len);
    size_t total;
    if (!list_head_size(&total, t, v->len))
        return enc_fail(err, "array of %zu items is too large to encode", v->len);
    for (size_t i = 0; i < v->len; i++) {
        const l2w_abi_type *it = item_type(t, i);
        size_t s;
        l2w_status st = measure(&s, it, &v->items[i], err);
        if (st != L2W_OK) {
            l2w_err_prefix(err, "%s %zu", t->kind == L2W_ABI_TUPLE ? "field" : "item", i);
            return st;
        }
        /* Static items sit in the head, already counted. */
        if (it->dynamic && !size_add(&total, s))
            return enc_fail(err, "encoding too large");
    }
    *size = total;
    return L2W_OK;
}

/* Checks v against t and computes the size of enc(v). */
static l2w_status measure(size_t *size, const l2w_abi_type *t, const l2w_abi_value *v, l2w_err *err)
{
    if (v->kind != t->kind)
        return enc_fail(err, "value is a %s, the type wants %s", kind_name(v->kind), kind_name(t->kind));
    switch (t->kind) {
    case L2W_ABI_UINT:
        if (l2w_u256_bit_length(&v->word) > t->bits)
            return enc_fail(err, "value does not fit in uint%u", t->bits);
        *size = WORD;
        return L2W_OK;
    case L2W_ABI_INT:
        if (!sign_extended(&v->word, t->bits))
            return enc_fail(err, "value does not fit in int%u", t->bits);
        *size = WORD;
        return L2W_OK;
    case L2W_ABI_ADDRESS:
    case L2W_ABI_BOOL:
        *size = WORD;
        return L2W_OK;
    case L2W_ABI_FIXED_BYTES:
        if (v->len != t->len)
            return enc_fail(err, "value has %zu bytes, the type is bytes%zu", v->len, t->len);
        *size = WORD;
        return L2W_OK;
    case L2W_ABI_BYTES:
    case L2W_ABI_STRING: {
        size_t padded;
        if (v->len && !v->data)
            return enc_fail(err, "%s value of %zu bytes has no data", kind_name(t->kind), v->len);
        if (!padded_len(&padded, v->len) || !size_add(&padded, WORD))
            return enc_fail(err, "%s value too large to encode", kind_name(t->kind));
        *size = padded;
        return L2W_OK;
    }
    case L2W_ABI_ARRAY: {
        l2w_status st = measure_list(size, t, v, err);
        if (st == L2W_OK && !size_add(size, WORD))
            return enc_fail(err, "encoding too large");
        return st;
    }
    case L2W_ABI_FIXED_ARRAY:
    case L2W_ABI_TUPLE:
        if (v->len != t->len)
            return enc_fail(err, "value has %zu items, the type has %zu", v->len, t->len);
        return measure_list(size, t, v, err);
    }
    return enc_fail(err, "unknown type kind");
}

static void put_word(uint8_t *buf, size_t pos, const l2w_u256 *w)
{
    l2w_u256_to_be32(buf + pos, w);
}

static void put_size(uint8_t *buf, size_t pos, size_t n)
{
    l2w_u256 w = l2w_u256_from_u64((uint64_t)n);
    put_word(buf, pos, &w);
}

static size_t write_value(uint8_t *buf, size_t pos, const l2w_abi_type *t, const l2w_abi_value *v);

/* Heads of all items, then the tails of the dynamic ones in order; each
 * offset is counted from the start of this list's head. */
static size_t write_list(uint8_t *buf, size_t pos, const l2w_abi_type *t, const l2w_abi_value *v)
{
    size_t head_len = 0;
    (void)list_head_size(&head_len, t, v->len); /* measured before, cannot overflow */
    size_t head = pos, tail = pos + head_len;
    for (size_t i = 0; i < v->len; i++) {
        const l2w_abi_type *it = item_type(t, i);
        if (it->dynamic) {
            put_size(buf, head, tail - pos);
            tail = write_value(buf, tail, it, &v->items[i]);
        } else {
            (void)write_value(buf, head, it, &v->items[i]);
        }
        head += it->head_size;
    }
    return tail;
}

/* Writes enc(v) at pos into a zeroed buffer sized by measure; returns the end. */
static size_t write_value(uint8_t *buf, size_t pos, const l2w_abi_type *t, const l2w_abi_value *v)
{
    switch (t->kind) {
    case L2W_ABI_UINT:
    case L2W_ABI_INT:
        put_word(buf, pos, &v->word);
        return pos + WORD;
    case L2W_ABI_ADDRESS:
        memcpy(buf + pos + WORD - sizeof v->addr.b, v->addr.b, sizeof v->addr.b);
        return pos + WORD;
    case L2W_ABI_BOOL:
        buf[pos + WORD - 1] = v->boolean ? 1 : 0;
        return pos + WORD;
    case L2W_ABI_FIXED_BYTES:
        memcpy(buf + pos, v->fixed, v->len);
        return pos + WORD;
    case L2W_ABI_BYTES:
    case L2W_ABI_STRING: {
        size_t padded = 0;
        put_size(buf, pos, v->len);
        if (v->len)
            memcpy(buf + pos + WORD, v->data, v->len);
        (void)padded_len(&padded, v->len);
        return pos + WORD + padded;
    }
    case L2W_ABI_ARRAY:
        put_size(buf, pos, v->len);
        return write_list(buf, pos + WORD, t, v);
    case L2W_ABI_FIXED_ARRAY:
    case L2W_ABI_TUPLE:
        return write_list(buf, pos, t, v);
    }
    return pos;
}

/* Encodes into a new buffer with reserve bytes left free at its start. */
static l2w_status encode_reserve(uint8_t **out, size_t *out_len, size_t reserve, const l2w_abi_type *t,
                                 const l2w_abi_value *v, l2w_err *err)
{
    size_t size;
    l2w_status st = measure(&size, t, v, err);
    if (st != L2W_OK) {
        l2w_err_prefix(err, "abi encode");
        return st;
    }
    size_t total = size;
    if (!size_add(&total, reserve)) {
        l2w_err_set(err, "abi encode: encoding too large");
        return L2W_ERR_RANGE;
    }
    uint8_t *buf = calloc(1, total ? total : 1);
    if (!buf) {
        l2w_err_set(err, "abi encode: out of memory for %zu bytes", total);
        return L2W_ERR_NOMEM;
    }
    size_t end = write_value(buf, reserve, t, v);
    if (end != total) {
        /* measure and write_value disagree: a bug here, never bad input. */
        free(buf);
        l2w_err_set(err, "abi encode: internal size mismatch (%zu != %zu)", end, total);
        return L2W_ERR_INVALID;
    }
    *out = buf;
    *out_len = total;
    return L2W_OK;
}

l2w_status l2w_abi_encode(uint8_t **out, size_t *out_len, const l2w_abi_type *t, const l2w_abi_value *v,
                          l2w_err *err)
{
    return encode_reserve(out, out_len, 0, t, v, err);
}

/* ------------------------------------------------------------------------ */
/* Decoding                                                                  */
/* ------------------------------------------------------------------------ */

typedef struct {
    const uint8_t *data;
    size_t len;
    size_t budget; /* region bytes still allowed to be read; see L2W_ABI_DECODE_BUDGET_FACTOR */
    l2w_err *err;
} decoder;

static l2w_status dec_fail(decoder *d, size_t at, const char *fmt, ...) L2W_PRINTF(3, 4);
static l2w_status dec_fail(decoder *d, size_t at, const char *fmt, ...)
{
    if (d->err) {
        char what[400];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(what, sizeof what, fmt, ap);
        va_end(ap);
        l2w_err_set(d->err, "at byte %zu: %s", at, what);
    }
    return L2W_ERR_INVALID;
}

/* Checks that n bytes at pos lie inside the input. */
static l2w_status need(decoder *d, size_t pos, size_t n, const char *what)
{
    if (pos > d->len || n > d->len - pos)
        return dec_fail(d, pos, "%s needs %zu bytes, only %zu remain (truncated input)", what, n,
                        pos > d->len ? 0 : d->len - pos);
    return L2W_OK;
}

static l2w_status charge(decoder *d, size_t pos, size_t n)
{
    if (n > d->budget)
        return dec_fail(d, pos, "overlapping offsets read more than %d times the input length",
                        L2W_ABI_DECODE_BUDGET_FACTOR);
    d->budget -= n;
    return L2W_OK;
}

static l2w_status read_word(decoder *d, l2w_u256 *w, size_t pos, const char *what)
{
    l2w_status st = need(d, pos, WORD, what);
    if (st == L2W_OK)
        l2w_u256_from_be32(w, d->data + pos);
    return st;
}

/* An offset or a length: a word that must fit in size_t (then checked
 * against the input by the caller). */
static l2w_status read_size(decoder *d, size_t *out, size_t pos, const char *what)
{
    l2w_u256 w;
    l2w_status st = read_word(d, &w, pos, what);
    if (st != L2W_OK)
        return st;
    uint64_t v;
    if (l2w_u256_to_u64(&v, &w) != L2W_OK || v > SIZE_MAX || v > d->len)
        return dec_fail(d, pos, "%s is larger than the whole input", what);
    *out = (size_t)v;
    return L2W_OK;
}

static bool zero_bytes(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i])
            return false;
    }
    return true;
}

static l2w_status dec_value(decoder *d, l2w_abi_value *out, const l2w_abi_type *t, size_t pos);

static l2w_status dec_uint(decoder *d, l2w_abi_value *out, const l2w_abi_type *t, size_t pos)
{
    l2w_status st = read_word(d, &out->word, pos, "uint");
    if (st == L2W_OK && l2w_u256_bit_length(&out->word) > t->bits)
        return dec_fail(d, pos, "uint%u has bits set above bit %u (dirty padding)", t->bits, t->bits);
    return st;
}

static l2w_status dec_int(decoder *d, l2w_abi_value *out, const l2w_abi_type *t, size_t pos)
{
    l2w_status st = read_word(d, &out->word, pos, "int");
    if (st == L2W_OK && !sign_extended(&out->word, t->bits))
        return dec_fail(d, pos, "int%u is not sign-extended to 256 bits (dirty padding)", t->bits);
    return st;
}

static l2w_status dec_address(decoder *d, l2w_abi_value *out, size_t pos)
{
    l2w_status st = need(d, pos, WORD, "address");
    if (st != L2W_OK)
        return st;
    const uint8_t *p = d->data + pos;
    if (!zero_bytes(p, WORD - sizeof out->addr.b))
        return dec_fail(d, pos, "address has non-zero high bytes (dirty padding)");
    memcpy(out->addr.b, p + WORD - sizeof out->addr.b, sizeof out->addr.b);
    return L2W_OK;
}

static l2w_status dec_bool(decoder *d, l2w_abi_value *out, size_t pos)
{
    l2w_u256 w;
    l2w_status st = read_word(d, &w, pos, "bool");
    if (st != L2W_OK)
        return st;
    l2w_u256 one = l2w_u256_from_u64(1);
    if (!l2w_u256_is_zero(&w) && l2w_u256_cmp(&w, &one) != 0)
        return dec_fail(d, pos, "bool is neither 0 nor 1");
    out->boolean = !l2w_u256_is_zero(&w);
    return L2W_OK;
}

static l2w_status dec_fixed_bytes(decoder *d, l2w_abi_value *out, const l2w_abi_type *t, size_t pos)
{
    l2w_status st = need(d, pos, WORD, "bytesN");
    if (st != L2W_OK)
        return st;
    const uint8_t *p = d->data + pos;
    if (!zero_bytes(p + t->len, WORD - t->len))
        return dec_fail(d, pos, "bytes%zu has non-zero bytes after byte %zu (dirty padding)", t->len, t->len);
    memcpy(out->fixed, p, t->len);
    out->len = t->len;
    return L2W_OK;
}

/* bytes and string: a length word, then the payload. The padding after the
 * payload is neither required to be present nor to be zero: Solidity's own
 * decoder does not check it, and a monitor must read what the contract read. */
static l2w_status dec_bytes(decoder *d, l2w_abi_value *out, const l2w_abi_type *t, size_t pos)
{
    size_t n;
    l2w_status st = read_size(d, &n, pos, "length");
    if (st != L2W_OK)
        return st;
    if (n > d->len - pos - WORD)
        return dec_fail(d, pos, "%s length %zu exceeds the %zu bytes that follow", kind_name(t->kind), n,
                        d->len - pos - WORD);
    st = charge(d, pos, WORD + n);
    if (st != L2W_OK)
        return st;
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf) {
        l2w_err_set(d->err, "at byte %zu: out of memory for %zu bytes", pos, n);
        return L2W_ERR_NOMEM;
    }
    if (n)
        memcpy(buf, d->data + pos + WORD, n);
    out->data = buf;
    out->len = n;
    return L2W_OK;
}

/* n items of a list type t whose head starts at base; offsets of dynamic
 * items are relative to base. The caller has checked that the head fits. */
static l2w_status dec_list(decoder *d, l2w_abi_value *out, const l2w_abi_type *t, size_t base, size_t n)
{
    /* n is bounded by the head region check, so this allocation is at most
     * about the input size times sizeof(l2w_abi_value) / 32. */
    l2w_abi_value *items = calloc(n ? n : 1, sizeof *items);
    if (!items) {
        l2w_err_set(d->err, "at byte %zu: out of memory for %zu items", base, n);
        return L2W_ERR_NOMEM;
    }
    /* Attach first: on failure the caller frees the partial tree, and the
     * zeroed items not reached yet are inert. */
    out->items = items;
    out->len = n;
    size_t head = base;
    for (size_t i = 0; i < n; i++) {
        const l2w_abi_type *it = item_type(t, i);
        l2w_status st;
        if (it->dynamic) {
            size_t off;
            st = read_size(d, &off, head, "offset");
            if (st == L2W_OK && off > d->len - base)
                st = dec_fail(d, head, "offset %zu points past the end of the input", off);
            if (st == L2W_OK)
                st = dec_value(d, &items[i], it, base + off);
        } else {
            st = dec_value(d, &items[i], it, head);
        }
        if (st != L2W_OK) {
            l2w_err_prefix(d->err, "%s %zu", t->kind == L2W_ABI_TUPLE ? "field" : "item", i);
            return st;
        }
        head += it->head_size;
    }
    return L2W_OK;
}

/* The out-of-line body of a dynamic tuple or T[k] at pos: its own head region. */
static l2w_status dec_dynamic_list(decoder *d, l2w_abi_value *out, const l2w_abi_type *t, size_t pos)
{
    size_t head_len = 0;
    (void)list_head_size(&head_len, t, t->len); /* bounded when the type was parsed */
    l2w_status st = need(d, pos, head_len, kind_name(t->kind));
    if (st == L2W_OK)
        st = charge(d, pos, head_len);
    if (st == L2W_OK)
        st = dec_list(d, out, t, pos, t->len);
    return st;
}

static l2w_status dec_array(decoder *d, l2w_abi_value *out, const l2w_abi_type *t, size_t pos)
{
    size_t n;
    l2w_status st = read_size(d, &n, pos, "array length");
    if (st != L2W_OK)
        return st;
    /* Every element has a head of at least one word, so the length is bounded
     * by what follows; this check comes before any allocation. */
    size_t rest = d->len - pos - WORD;
    if (t->elem->head_size == 0) /* the parser never makes one; a hand-built type might */
        return dec_fail(d, pos, "array element type has no size");
    if (n > rest / t->elem->head_size)
        return dec_fail(d, pos, "array length %zu needs %zu-byte heads but only %zu bytes follow", n,
                        t->elem->head_size, rest);
    size_t head_len = n * t->elem->head_size;
    st = charge(d, pos, WORD + head_len);
    if (st == L2W_OK)
        st = dec_list(d, out, t, pos + WORD, n);
    return st;
}

/* Decodes enc(t) starting at pos. Static values are read in place; a dynamic
 * value's pos is where its offset pointed. */
static l2w_status dec_value(decoder *d, l2w_abi_value *out, const l2w_abi_type *t, size_t pos)
{
    out->kind = t->kind;
    switch (t->kind) {
    case L2W_ABI_UINT:
        return dec_uint(d, out, t, pos);
    case L2W_ABI_INT:
        return dec_int(d, out, t, pos);
    case L2W_ABI_ADDRESS:
        return dec_address(d, out, pos);
    case L2W_ABI_BOOL:
        return dec_bool(d, out, pos);
    case L2W_ABI_FIXED_BYTES:
        return dec_fixed_bytes(d, out, t, pos);
    case L2W_ABI_BYTES:
    case L2W_ABI_STRING:
        return dec_bytes(d, out, t, pos);
    case L2W_ABI_ARRAY:
        return dec_array(d, out, t, pos);
    case L2W_ABI_FIXED_ARRAY:
    case L2W_ABI_TUPLE:
        if (t->dynamic)
            return dec_dynamic_list(d, out, t, pos);
        /* A static list lies inside the enclosing head, already checked. */
        return dec_list(d, out, t, pos, t->len);
    }
    return dec_fail(d, pos, "unknown type kind");
}

l2w_status l2w_abi_decode(l2w_abi_value **out, const l2w_abi_type *t, const uint8_t *data, size_t len,
                          l2w_err *err)
{
    static const uint8_t empty[1];
    decoder d = {.data = data ? data : empty, .len = data ? len : 0, .err = err};
    if (!size_mul(&d.budget, d.len, L2W_ABI_DECODE_BUDGET_FACTOR))
        d.budget = SIZE_MAX;
    l2w_abi_value *v = calloc(1, sizeof *v);
    if (!v) {
        l2w_err_set(err, "abi decode: out of memory");
        return L2W_ERR_NOMEM;
    }
    /* A static top-level value is one region: check and charge it whole so a
     * short input fails with one clear message. */
    l2w_status st = L2W_OK;
    if (!t->dynamic) {
        st = need(&d, 0, t->head_size, "the encoding");
        if (st == L2W_OK)
            st = charge(&d, 0, t->head_size);
    }
    if (st == L2W_OK)
        st = dec_value(&d, v, t, 0);
    if (st != L2W_OK) {
        l2w_abi_value_free(v);
        l2w_err_prefix(err, "abi decode");
        return st;
    }
    *out = v;
    return L2W_OK;
}

/* ------------------------------------------------------------------------ */
/* Selectors, topics, calldata                                               */
/* ------------------------------------------------------------------------ */

static l2w_status hash_signature(l2w_hash *h, const char *signature, l2w_err *err)
{
    l2w_abi_type *args = NULL;
    l2w_status st = l2w_abi_signature_parse(&args, signature, err);
    if (st != L2W_OK)
        return st;
    l2w_abi_type_free(args);
    /* The grammar accepts only canonical text, so the text as given is the
     * canonical signature. */
    l2w_keccak256(h->b, (const uint8_t *)signature, strlen(signature));
    return L2W_OK;
}

l2w_status l2w_abi_selector(uint8_t out[4], const char *signature, l2w_err *err)
{
    l2w_hash h;
    l2w_status st = hash_signature(&h, signature, err);
    if (st == L2W_OK)
        memcpy(out, h.b, 4);
    return st;
}

l2w_status l2w_abi_event_topic(l2w_hash *out, const char *signature, l2w_err *err)
{
    return hash_signature(out, signature, err);
}

l2w_status l2w_abi_encode_call(uint8_t **out, size_t *out_len, const char *signature, const l2w_abi_value *args,
                               l2w_err *err)
{
    l2w_abi_type *t = NULL;
    l2w_status st = l2w_abi_signature_parse(&t, signature, err);
    if (st != L2W_OK)
        return st;
    uint8_t *buf = NULL;
    size_t len = 0;
    st = encode_reserve(&buf, &len, 4, t, args, err);
    l2w_abi_type_free(t);
    if (st != L2W_OK)
        return st;
    l2w_hash h;
    l2w_keccak256(h.b, (const uint8_t *)signature, strlen(signature));
    memcpy(buf, h.b, 4);
    *out = buf;
    *out_len = len;
    return L2W_OK;
}

/* ------------------------------------------------------------------------ */
/* Value text                                                                */
/* ------------------------------------------------------------------------ */

typedef struct {
    const char *s;
    size_t len;
    size_t pos;
    l2w_err *err;
} text_parser;

static l2w_status text_fail(text_parser *p, size_t at, const char *fmt, ...) L2W_PRINTF(3, 4);
static l2w_status text_fail(text_parser *p, size_t at, const char *fmt, ...)
{
    if (p->err) {
        char what[400];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(what, sizeof what, fmt, ap);
        va_end(ap);
        l2w_err_set(p->err, "value text at column %zu: %s", at + 1, what);
    }
    return L2W_ERR_INVALID;
}

static void skip_spaces(text_parser *p)
{
    while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t'))
        p->pos++;
}

static bool at_delimiter(const text_parser *p)
{
    char c = p->s[p->pos];
    return c == ',' || c == ')' || c == ']';
}

/* A bare token: at the top level the rest of the text, inside a list the text
 * up to the next delimiter; spaces around it trimmed. */
static void read_token(text_parser *p, bool top, size_t *start, size_t *n)
{
    skip_spaces(p);
    size_t s = p->pos;
    while (p->pos < p->len && (top || !at_delimiter(p)))
        p->pos++;
    size_t e = p->pos;
    while (e > s && (p->s[e - 1] == ' ' || p->s[e - 1] == '\t'))
        e--;
    *start = s;
    *n = e - s;
}

/* Copies a token into a NUL-terminated buffer for the u256/hex parsers. */
static l2w_status token_cstr(text_parser *p, char *buf, size_t cap, size_t start, size_t n, const char *what)
{
    if (n == 0)
        return text_fail(p, start, "expected %s, found nothing", what);
    if (n >= cap)
        return text_fail(p, start, "%s is too long", what);
    memcpy(buf, p->s + start, n);
    buf[n] = '\0';
    return L2W_OK;
}

/* Unsigned magnitude in decimal or 0x hex. */
static l2w_status parse_magnitude(text_parser *p, l2w_u256 *out, const char *tok, size_t at)
{
    bool hex = tok[0] == '0' && (tok[1] == 'x' || tok[1] == 'X');
    l2w_status st = hex ? l2w_u256_from_hex(out, tok) : l2w_u256_from_dec(out, tok);
    if (st == L2W_ERR_RANGE)
        return text_fail(p, at, "\"%s\" does not fit in 256 bits", tok);
    if (st != L2W_OK)
        return text_fail(p, at, "\"%s\" is not a decimal or 0x hex integer", tok);
    return L2W_OK;
}

static l2w_status text_uint(text_parser *p, l2w_abi_value *out, const l2w_abi_type *t, bool top)
{
    size_t start, n;
    char tok[100];
    read_token(p, top, &start, &n);
    l2w_status st = token_cstr(p, tok, sizeof tok, start, n, "an integer");
    if (st == L2W_OK)
        st = parse_magnitude(p, &out->word, tok, start);
    if (st == L2W_OK && l2w_u256_bit_length(&out->word) > t->bits)
        return text_fail(p, start, "%s does not fit in uint%u", tok, t->bits);
    return st;
}

static l2w_status text_int(text_parser *p, l2w_abi_value *out, const l2w_abi_type *t, bool top)
{
    size_t start, n;
    char tok[100];
    read_token(p, top, &start, &n);
    l2w_status st = token_cstr(p, tok, sizeof tok, start, n, "an integer");
    if (st != L2W_OK)
        return st;
    bool negative = tok[0] == '-';
    l2w_u256 mag;
    st = parse_magnitude(p, &mag, tok + negative, start + negative);
    if (st != L2W_OK)
        return st;
    /* intN holds -2^(N-1) .. 2^(N-1)-1: a negative magnitude may reach 2^(N-1). */
    l2w_u256 v = mag;
    if (negative)
        l2w_u256_neg(&v, &mag);
    bool fits = negative ? (l2w_u256_is_zero(&mag) || (sign_extended(&v, t->bits) &&
                                                       (v.w[3] >> 63) == 1))
                         : l2w_u256_bit_length(&mag) < t->bits;
    if (!fits)
        return text_fail(p, start, "%s does not fit in int%u", tok, t->bits);
    out->word = v;
    return L2W_OK;
}

static l2w_status text_address(text_parser *p, l2w_abi_value *out, bool top)
{
    size_t start, n;
    char tok[64];
    read_token(p, top, &start, &n);
    l2w_status st = token_cstr(p, tok, sizeof tok, start, n, "an address");
    if (st == L2W_OK && l2w_addr_from_hex(&out->addr, tok) != L2W_OK)
        return text_fail(p, start, "address must be 0x and 40 hex digits");
    return st;
}

static l2w_status text_bool(text_parser *p, l2w_abi_value *out, bool top)
{
    size_t start, n;
    read_token(p, top, &start, &n);
    if (n == 4 && memcmp(p->s + start, "true", 4) == 0)
        out->boolean = true;
    else if (n == 5 && memcmp(p->s + start, "false", 5) == 0)
        out->boolean = false;
    else
        return text_fail(p, start, "bool must be true or false");
    return L2W_OK;
}

/* 0x-prefixed hex of a token into a malloc'd buffer (at least one byte). */
static l2w_status token_hex(text_parser *p, uint8_t **buf, size_t *len, size_t start, size_t n)
{
    const char *s = p->s + start;
    if (n < 2 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
        return text_fail(p, start, "expected 0x and hex digits");
    size_t cap = (n - 2) / 2;
    uint8_t *b = malloc(cap ? cap : 1);
    if (!b) {
        l2w_err_set(p->err, "value text: out of memory");
        return L2W_ERR_NOMEM;
    }
    if (l2w_hex_decode(b, cap, len, s, n) != L2W_OK) {
        free(b);
        return text_fail(p, start, "invalid hex (bad digit or odd length)");
    }
    *buf = b;
    return L2W_OK;
}

static l2w_status text_fixed_bytes(text_parser *p, l2w_abi_value *out, const l2w_abi_type *t, bool top)
{
    size_t start, n, got = 0;
    read_token(p, top, &start, &n);
    uint8_t *b = NULL;
    l2w_status st = token_hex(p, &b, &got, start, n);
    if (st != L2W_OK)
        return st;
    if (got != t->len) {
        free(b);
        return text_fail(p, start, "bytes%zu needs exactly %zu bytes, found %zu", t->len, t->len, got);
    }
    memcpy(out->fixed, b, got);
    out->len = got;
    free(b);
    return L2W_OK;
}

static l2w_status text_bytes(text_parser *p, l2w_abi_value *out, bool top)
{
    size_t start, n, got = 0;
    read_token(p, top, &start, &n);
    uint8_t *b = NULL;
    l2w_status st = token_hex(p, &b, &got, start, n);
    if (st == L2W_OK) {
        out->data = b;
        out->len = got;
    }
    return st;
}

/* "..." with \" \\ \n \r \t \xHH; the result is never longer than the text. */
static l2w_status text_quoted(text_parser *p, l2w_abi_value *out)
{
    size_t open = p->pos++;
    uint8_t *b = malloc(p->len - p->pos + 1);
    if (!b) {
        l2w_err_set(p->err, "value text: out of memory");
        return L2W_ERR_NOMEM;
    }
    size_t n = 0;
    for (;;) {
        if (p->pos >= p->len) {
            free(b);
            return text_fail(p, open, "unterminated string");
        }
        char c = p->s[p->pos++];
        if (c == '"')
            break;
        if (c != '\\') {
            b[n++] = (uint8_t)c;
            continue;
        }
        char e = p->pos < p->len ? p->s[p->pos++] : '\0';
        int hi, lo;
        switch (e) {
        case '"': b[n++] = '"'; break;
        case '\\': b[n++] = '\\'; break;
        case 'n': b[n++] = '\n'; break;
        case 'r': b[n++] = '\r'; break;
        case 't': b[n++] = '\t'; break;
        case 'x':
            hi = p->pos + 1 < p->len ? l2w_hex_digit_value(p->s[p->pos]) : -1;
            lo = p->pos + 1 < p->len ? l2w_hex_digit_value(p->s[p->pos + 1]) : -1;
            if (hi < 0 || lo < 0) {
                free(b);
                return text_fail(p, p->pos - 2, "\\x needs two hex digits");
            }
            b[n++] = (uint8_t)(hi << 4 | lo);
            p->pos += 2;
            break;
        default:
            free(b);
            return text_fail(p, p->pos - 2, "unknown escape in string");
        }
    }
    out->data = b;
    out->len = n;
    return L2W_OK;
}

static l2w_status text_string(text_parser *p, l2w_abi_value *out, bool top)
{
    if (!top)
        skip_spaces(p);
    if (p->pos < p->len && p->s[p->pos] == '"')
        return text_quoted(p, out);
    size_t start, n;
    if (top) {
        /* The whole text, verbatim: cast passes a top-level string unchanged. */
        start = p->pos;
        n = p->len - p->pos;
        p->pos = p->len;
    } else {
        read_token(p, false, &start, &n);
        /* "[a,,b]" or "[a,]" is more likely a slip than an empty string. */
        if (n == 0)
            return text_fail(p, start, "empty item (write \"\" for an empty string)");
    }
    uint8_t *b = malloc(n ? n : 1);
    if (!b) {
        l2w_err_set(p->err, "value text: out of memory");
        return L2W_ERR_NOMEM;
    }
    if (n)
        memcpy(b, p->s + start, n);
    out->data = b;
    out->len = n;
    return L2W_OK;
}

static l2w_status text_value(text_parser *p, l2w_abi_value *out, const l2w_abi_type *t, bool top);

/* Grows the item array of a list being parsed; items are zeroed (inert). */
static l2w_status grow_items(text_parser *p, l2w_abi_value *out, size_t *cap)
{
    size_t ncap = *cap ? *cap * 2 : 4;
    l2w_abi_value *items = realloc((void *)out->items, ncap * sizeof *items);
    if (!items) {
        l2w_err_set(p->err, "value text: out of memory");
        return L2W_ERR_NOMEM;
    }
    memset(items + *cap, 0, (ncap - *cap) * sizeof *items);
    out->items = items;
    *cap = ncap;
    return L2W_OK;
}

static l2w_status text_list(text_parser *p, l2w_abi_value *out, const l2w_abi_type *t)
{
    char open = t->kind == L2W_ABI_TUPLE ? '(' : '[';
    char close = t->kind == L2W_ABI_TUPLE ? ')' : ']';
    skip_spaces(p);
    if (p->pos >= p->len || p->s[p->pos] != open)
        return text_fail(p, p->pos, "expected '%c' for %s", open, kind_name(t->kind));
    p->pos++;
    size_t cap = 0;
    l2w_status st = grow_items(p, out, &cap);
    if (st != L2W_OK)
        return st;
    skip_spaces(p);
    bool empty = p->pos < p->len && p->s[p->pos] == close;
    if (empty)
        p->pos++;
    while (!empty) {
        bool bounded = t->kind != L2W_ABI_ARRAY;
        if (bounded && out->len == t->len)
            return text_fail(p, p->pos, "more than the %zu items the type has", t->len);
        if (out->len == cap && (st = grow_items(p, out, &cap)) != L2W_OK)
            return st;
        /* Count the item before parsing it so a failure frees what it built. */
        l2w_abi_value *items = (l2w_abi_value *)out->items;
        out->len++;
        st = text_value(p, &items[out->len - 1], item_type(t, out->len - 1), false);
        if (st != L2W_OK)
            return st;
        skip_spaces(p);
        if (p->pos < p->len && p->s[p->pos] == ',') {
            p->pos++;
            continue;
        }
        if (p->pos < p->len && p->s[p->pos] == close) {
            p->pos++;
            break;
        }
        return text_fail(p, p->pos, "expected ',' or '%c'", close);
    }
    if (t->kind != L2W_ABI_ARRAY && out->len != t->len)
        return text_fail(p, p->pos, "found %zu items, the type has %zu", out->len, t->len);
    return L2W_OK;
}

static l2w_status text_value(text_parser *p, l2w_abi_value *out, const l2w_abi_type *t, bool top)
{
    out->kind = t->kind;
    switch (t->kind) {
    case L2W_ABI_UINT:
        return text_uint(p, out, t, top);
    case L2W_ABI_INT:
        return text_int(p, out, t, top);
    case L2W_ABI_ADDRESS:
        return text_address(p, out, top);
    case L2W_ABI_BOOL:
        return text_bool(p, out, top);
    case L2W_ABI_FIXED_BYTES:
        return text_fixed_bytes(p, out, t, top);
    case L2W_ABI_BYTES:
        return text_bytes(p, out, top);
    case L2W_ABI_STRING:
        return text_string(p, out, top);
    case L2W_ABI_ARRAY:
    case L2W_ABI_FIXED_ARRAY:
    case L2W_ABI_TUPLE:
        return text_list(p, out, t);
    }
    return text_fail(p, p->pos, "unknown type kind");
}

l2w_status l2w_abi_value_parse(l2w_abi_value **out, const l2w_abi_type *t, const char *text, l2w_err *err)
{
    if (!text) {
        l2w_err_set(err, "value text: missing");
        return L2W_ERR_INVALID;
    }
    text_parser p = {.s = text, .len = strlen(text), .pos = 0, .err = err};
    l2w_abi_value *v = calloc(1, sizeof *v);
    if (!v) {
        l2w_err_set(err, "value text: out of memory");
        return L2W_ERR_NOMEM;
    }
    l2w_status st = text_value(&p, v, t, true);
    if (st == L2W_OK) {
        skip_spaces(&p);
        if (p.pos != p.len)
            st = text_fail(&p, p.pos, "unexpected text after the value");
    }
    if (st != L2W_OK) {
        l2w_abi_value_free(v);
        return st;
    }
    *out = v;
    return L2W_OK;
}

static void format_quoted(strbuf *sb, const uint8_t *s, size_t n)
{
    sb_puts(sb, "\"");
    for (size_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        switch (c) {
        case '"': sb_puts(sb, "\\\""); break;
        case '\\': sb_puts(sb, "\\\\"); break;
        case '\n': sb_puts(sb, "\\n"); break;
        case '\r': sb_puts(sb, "\\r"); break;
        case '\t': sb_puts(sb, "\\t"); break;
        default:
            /* Control bytes are escaped so the text stays one line; bytes
             * from 0x80 pass through (UTF-8 stays readable). */
            if (c < 0x20 || c == 0x7f)
                sb_printf(sb, "\\x%02x", c);
            else
                sb_append(sb, (const char *)&c, 1);
        }
    }
    sb_puts(sb, "\"");
}

static void format_hex(strbuf *sb, const uint8_t *b, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    sb_puts(sb, "0x");
    for (size_t i = 0; i < n; i++) {
        char two[2] = {digits[b[i] >> 4], digits[b[i] & 0xf]};
        sb_append(sb, two, 2);
    }
}

static void format_value(strbuf *sb, const l2w_abi_type *t, const l2w_abi_value *v)
{
    char num[L2W_U256_DEC_LEN];
    switch (t->kind) {
    case L2W_ABI_UINT:
        l2w_u256_to_dec(num, &v->word);
        sb_puts(sb, num);
        return;
    case L2W_ABI_INT:
        if (v->word.w[3] >> 63) {
            l2w_u256 mag;
            l2w_u256_neg(&mag, &v->word);
            l2w_u256_to_dec(num, &mag);
            sb_puts(sb, "-");
        } else {
            l2w_u256_to_dec(num, &v->word);
        }
        sb_puts(sb, num);
        return;
    case L2W_ABI_ADDRESS:
        format_hex(sb, v->addr.b, sizeof v->addr.b);
        return;
    case L2W_ABI_BOOL:
        sb_puts(sb, v->boolean ? "true" : "false");
        return;
    case L2W_ABI_FIXED_BYTES:
        format_hex(sb, v->fixed, v->len);
        return;
    case L2W_ABI_BYTES:
        format_hex(sb, v->data, v->len);
        return;
    case L2W_ABI_STRING:
        format_quoted(sb, v->data, v->len);
        return;
    case L2W_ABI_ARRAY:
    case L2W_ABI_FIXED_ARRAY:
    case L2W_ABI_TUPLE:
        sb_puts(sb, t->kind == L2W_ABI_TUPLE ? "(" : "[");
        for (size_t i = 0; i < v->len; i++) {
            if (i)
                sb_puts(sb, ", ");
            format_value(sb, item_type(t, i), &v->items[i]);
        }
        sb_puts(sb, t->kind == L2W_ABI_TUPLE ? ")" : "]");
        return;
    }
}

l2w_status l2w_abi_value_format(char **out, const l2w_abi_type *t, const l2w_abi_value *v, l2w_err *err)
{
    /* measure checks that v matches t, so format_value can trust the tree. */
    size_t size;
    l2w_status st = measure(&size, t, v, err);
    if (st != L2W_OK) {
        l2w_err_prefix(err, "abi format");
        return st;
    }
    strbuf sb = {0};
    format_value(&sb, t, v);
    st = sb_finish(out, &sb);
    if (st != L2W_OK)
        l2w_err_set(err, "abi format: out of memory");
    return st;
}
