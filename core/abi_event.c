/* Event signatures in Solidity's declaration syntax (names, `indexed`) to a
 * log layout, and one word of a log by parameter. The grammar follows the
 * Solidity documentation's event declarations; types go through core/abi.c so
 * the canonical text, and therefore topic0, is what the EVM hashes. */
#include "core/abi_event.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/abi.h"

enum { WORD = 32 };

typedef struct {
    const char *s;
    size_t i;
    l2w_err *err;
} cursor;

L2W_PRINTF(2, 3) static l2w_status fail(const cursor *c, const char *fmt, ...)
{
    char what[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    /* The problem first: a config error prefixes file, line and key, and a
     * long signature would push the point off the end of the message. */
    l2w_err_set(c->err, "column %zu: %s (in \"%.48s%s\")", c->i + 1, what, c->s, strlen(c->s) > 48 ? "..." : "");
    return L2W_ERR_INVALID;
}

static void skip_space(cursor *c)
{
    while (isspace((unsigned char)c->s[c->i]))
        c->i++;
}

static bool ident_start(char ch)
{
    return isalpha((unsigned char)ch) || ch == '_' || ch == '$';
}

static bool ident_char(char ch)
{
    return ident_start(ch) || isdigit((unsigned char)ch);
}

/* The identifier at the cursor into buf (empty when there is none). */
static l2w_status read_ident(cursor *c, char *buf, size_t cap)
{
    size_t n = 0;
    if (!ident_start(c->s[c->i])) {
        buf[0] = '\0';
        return L2W_OK;
    }
    while (ident_char(c->s[c->i])) {
        if (n + 1 >= cap)
            return fail(c, "name longer than %zu characters", cap - 1);
        buf[n++] = c->s[c->i++];
    }
    buf[n] = '\0';
    return L2W_OK;
}

static bool type_punct(char ch)
{
    return ch == '(' || ch == ')' || ch == ',' || ch == '[' || ch == ']';
}

/* A type as written, up to the space, ',' or ')' that ends it outside any
 * parentheses. Spaces inside a tuple next to punctuation are dropped:
 * core/abi.c takes only canonical text, and "(uint256, address)" is how
 * people write it. Any other space is kept, for core/abi.c to refuse (a
 * named tuple component, say), rather than glue two words together. */
static l2w_status read_type_text(cursor *c, char *buf, size_t cap)
{
    size_t n = 0;
    int depth = 0;
    for (char ch; (ch = c->s[c->i]) != '\0'; c->i++) {
        if (depth == 0 && (isspace((unsigned char)ch) || ch == ',' || ch == ')'))
            break;
        if (ch == '(')
            depth++;
        else if (ch == ')')
            depth--;
        if (isspace((unsigned char)ch)) {
            size_t next = c->i;
            while (isspace((unsigned char)c->s[next]))
                next++;
            if ((n > 0 && type_punct(buf[n - 1])) || type_punct(c->s[next]))
                continue;
            ch = ' ';
        }
        if (n + 1 >= cap)
            return fail(c, "type longer than %zu characters", cap - 1);
        buf[n++] = ch;
    }
    buf[n] = '\0';
    if (depth != 0)
        return fail(c, "unbalanced parentheses in a type");
    if (n == 0)
        return fail(c, "expected a parameter type");
    return L2W_OK;
}

/* Solidity's aliases uint and int mean uint256 and int256; the canonical
 * text (what topic0 hashes) always spells the width. */
static l2w_status expand_aliases(const cursor *c, const char *in, char *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; in[i];) {
        size_t run = 0;
        while (isalnum((unsigned char)in[i + run]))
            run++;
        if (run == 0)
            run = 1;
        bool alias = (run == 4 && strncmp(in + i, "uint", 4) == 0) || (run == 3 && strncmp(in + i, "int", 3) == 0);
        if (n + run + (alias ? 3 : 0) + 1 > cap)
            return fail(c, "type too long");
        memcpy(out + n, in + i, run);
        n += run;
        if (alias) {
            memcpy(out + n, "256", 3);
            n += 3;
        }
        i += run;
    }
    out[n] = '\0';
    return L2W_OK;
}

/* Value types fill exactly one word in a topic or the data head; every other
 * type is hashed when indexed and spans an offset or several words when not. */
static bool one_word_value(const l2w_abi_type *t)
{
    switch (t->kind) {
    case L2W_ABI_UINT:
    case L2W_ABI_INT:
    case L2W_ABI_ADDRESS:
    case L2W_ABI_BOOL:
    case L2W_ABI_FIXED_BYTES:
        return true;
    case L2W_ABI_BYTES:
    case L2W_ABI_STRING:
    case L2W_ABI_ARRAY:
    case L2W_ABI_FIXED_ARRAY:
    case L2W_ABI_TUPLE:
        return false;
    }
    return false;
}

typedef struct {
    size_t n_indexed;
    size_t head_words; /* data words taken by the non-indexed parameters so far */
} position_state;

static l2w_status parse_param(cursor *c, l2w_event_layout *out, position_state *pos)
{
    l2w_event_param *p = &out->params[out->n_params];
    const size_t column = c->i;
    const cursor at_start = {c->s, column, c->err};
    char written[L2W_ABI_MAX_TYPE_TEXT + 1], text[L2W_ABI_MAX_TYPE_TEXT + 1];
    l2w_status st = read_type_text(c, written, sizeof written);
    if (st == L2W_OK)
        st = expand_aliases(c, written, text, sizeof text);
    if (st != L2W_OK)
        return st;
    l2w_abi_type *t = NULL;
    l2w_err terr = {{0}};
    if (l2w_abi_type_parse(&t, text, &terr) != L2W_OK)
        return fail(&at_start, "parameter %zu: %s", out->n_params + 1, terr.msg);
    p->is_static = one_word_value(t);
    size_t words = t->head_size / WORD;
    st = l2w_abi_type_to_string(&p->type, t);
    l2w_abi_type_free(t);
    if (st != L2W_OK) {
        l2w_err_set(c->err, "event: out of memory");
        return st;
    }
    out->n_params++;

    char word[65];
    skip_space(c);
    if ((st = read_ident(c, word, sizeof word)) != L2W_OK)
        return st;
    if (strcmp(word, "indexed") == 0) {
        p->indexed = true;
        skip_space(c);
        if ((st = read_ident(c, word, sizeof word)) != L2W_OK)
            return st;
    }
    if (strcmp(word, "indexed") == 0)
        return fail(c, "\"indexed\" is not a parameter name");
    if (word[0]) {
        if (l2w_event_param_find(out, word) >= 0)
            return fail(c, "two parameters are called \"%s\"", word);
        if (!(p->name = strdup(word))) {
            l2w_err_set(c->err, "event: out of memory");
            return L2W_ERR_NOMEM;
        }
    }
    skip_space(c);
    if (c->s[c->i] != ',' && c->s[c->i] != ')')
        return fail(c, "expected ',' or ')' after parameter %zu", out->n_params);

    if (p->indexed) {
        if (pos->n_indexed == L2W_EVENT_MAX_INDEXED)
            return fail(&at_start,
                        "at most %d parameters can be indexed (a log has 4 topics and the first is the event's)",
                        L2W_EVENT_MAX_INDEXED);
        p->position = (uint8_t)++pos->n_indexed;
    } else {
        if (pos->head_words > UINT8_MAX)
            return fail(&at_start, "parameter %zu starts past the 256th word of the log data", out->n_params);
        p->position = (uint8_t)pos->head_words;
        pos->head_words += words;
    }
    return L2W_OK;
}

static l2w_status build_canonical(l2w_event_layout *out, const char *name, l2w_err *err)
{
    size_t len = strlen(name) + 2;
    for (size_t i = 0; i < out->n_params; i++)
        len += strlen(out->params[i].type) + 1;
    char *s = malloc(len + 1);
    if (!s) {
        l2w_err_set(err, "event: out of memory");
        return L2W_ERR_NOMEM;
    }
    size_t n = (size_t)snprintf(s, len + 1, "%s(", name);
    for (size_t i = 0; i < out->n_params; i++)
        n += (size_t)snprintf(s + n, len + 1 - n, "%s%s", i ? "," : "", out->params[i].type);
    snprintf(s + n, len + 1 - n, ")");
    out->canonical = s;
    return l2w_abi_event_topic(&out->topic0, s, err);
}

static l2w_status parse_signature(cursor *c, l2w_event_layout *out)
{
    char name[65];
    skip_space(c);
    l2w_status st = read_ident(c, name, sizeof name);
    if (st != L2W_OK)
        return st;
    if (!name[0])
        return fail(c, "expected the event's name");
    skip_space(c);
    if (c->s[c->i] != '(')
        return fail(c, "expected '(' after the event's name");
    c->i++;
    skip_space(c);
    position_state pos = {0, 0};
    if (c->s[c->i] == ')') {
        c->i++;
    } else {
        for (;;) {
            if (out->n_params == L2W_MAX_EVENT_PARAMS)
                return fail(c, "more than %d parameters", L2W_MAX_EVENT_PARAMS);
            skip_space(c);
            if ((st = parse_param(c, out, &pos)) != L2W_OK)
                return st;
            if (c->s[c->i++] == ')')
                break;
        }
    }
    skip_space(c);
    if (strncmp(c->s + c->i, "anonymous", 9) == 0)
        return fail(c, "an anonymous event has no topic0 to find its logs by");
    if (c->s[c->i] != '\0')
        return fail(c, "unexpected text after ')'");
    return build_canonical(out, name, c->err);
}

static void layout_reset(l2w_event_layout *l)
{
    memset(l, 0, sizeof *l);
    l->token = l->recipient = l->amount = l->message_id = -1;
}

l2w_status l2w_event_layout_parse(l2w_event_layout *out, const char *signature, l2w_err *err)
{
    layout_reset(out);
    if (strlen(signature) > L2W_ABI_MAX_TYPE_TEXT) {
        l2w_err_set(err, "event signature longer than %d characters", L2W_ABI_MAX_TYPE_TEXT);
        return L2W_ERR_INVALID;
    }
    cursor c = {signature, 0, err};
    l2w_status st = parse_signature(&c, out);
    if (st == L2W_OK && !(out->signature = strdup(signature))) {
        l2w_err_set(err, "event: out of memory");
        st = L2W_ERR_NOMEM;
    }
    if (st != L2W_OK) {
        l2w_event_layout_free(out);
        layout_reset(out);
    }
    return st;
}

void l2w_event_layout_free(l2w_event_layout *l)
{
    free(l->signature);
    free(l->canonical);
    for (size_t i = 0; i < l->n_params; i++) {
        free(l->params[i].name);
        free(l->params[i].type);
    }
    l->signature = l->canonical = NULL;
    l->n_params = 0;
}

int l2w_event_param_find(const l2w_event_layout *l, const char *name)
{
    for (size_t i = 0; i < l->n_params; i++)
        if (l->params[i].name && strcmp(l->params[i].name, name) == 0)
            return (int)i;
    return -1;
}

static bool all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != v)
            return false;
    return true;
}

/* The padding Solidity's decoder insists on: a log emitted by a contract
 * never has anything else, so a dirty word means the log is not what the
 * layout says it is. type is canonical (from l2w_event_layout_parse). */
static bool word_canonical(const char *type, const uint8_t w[WORD])
{
    if (strcmp(type, "address") == 0)
        return all_bytes(w, 12, 0);
    if (strcmp(type, "bool") == 0)
        return all_bytes(w, WORD - 1, 0) && w[WORD - 1] <= 1;
    if (strncmp(type, "uint", 4) == 0) {
        size_t pad = WORD - (size_t)strtoul(type + 4, NULL, 10) / 8;
        return all_bytes(w, pad, 0);
    }
    if (strncmp(type, "int", 3) == 0) {
        size_t pad = WORD - (size_t)strtoul(type + 3, NULL, 10) / 8;
        return all_bytes(w, pad, (w[pad] & 0x80) ? 0xff : 0);
    }
    if (strncmp(type, "bytes", 5) == 0) {
        size_t used = (size_t)strtoul(type + 5, NULL, 10);
        return all_bytes(w + used, WORD - used, 0);
    }
    return false;
}

l2w_status l2w_event_word(const l2w_event_layout *l, int param, const l2w_hash *topics, size_t n_topics,
                          const uint8_t *data, size_t data_len, uint8_t out[32], l2w_err *err)
{
    if (param < 0 || (size_t)param >= l->n_params) {
        l2w_err_set(err, "%s: no parameter %d", l->canonical, param);
        return L2W_ERR_INVALID;
    }
    const l2w_event_param *p = &l->params[param];
    const char *name = p->name ? p->name : "(unnamed)";
    if (!p->is_static) {
        l2w_err_set(err, "%s: parameter %s is a %s, not a one-word value", l->canonical, name, p->type);
        return L2W_ERR_INVALID;
    }
    size_t n_indexed = 0;
    for (size_t i = 0; i < l->n_params; i++)
        n_indexed += l->params[i].indexed;
    if (n_topics != 1 + n_indexed) {
        l2w_err_set(err, "%s: the log has %zu topics, expected %zu", l->canonical, n_topics, 1 + n_indexed);
        return L2W_ERR_INVALID;
    }
    if (!l2w_hash_eq(&topics[0], &l->topic0)) {
        l2w_err_set(err, "%s: the log's topic0 is another event's", l->canonical);
        return L2W_ERR_INVALID;
    }
    if (p->indexed) {
        memcpy(out, topics[p->position].b, WORD);
    } else {
        size_t end = ((size_t)p->position + 1) * WORD;
        if (data_len < end) {
            l2w_err_set(err, "%s: the log's data is %zu bytes, too short for %s (bytes %zu..%zu)", l->canonical,
                        data_len, name, end - WORD, end);
            return L2W_ERR_INVALID;
        }
        memcpy(out, data + end - WORD, WORD);
    }
    if (!word_canonical(p->type, out)) {
        l2w_err_set(err, "%s: %s is not a canonically padded %s", l->canonical, name, p->type);
        return L2W_ERR_INVALID;
    }
    return L2W_OK;
}
