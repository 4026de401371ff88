/* l2w_codec: the core codecs behind a line protocol, for the differential
 * tests in tests/diff (which compare each answer with cast and Python).
 *
 * One command per line on stdin, one answer line on stdout, flushed:
 *   keccak <hex>                       -> 0x<64 hex>
 *   selector <signature>               -> 0x<8 hex>
 *   topic <signature>                  -> 0x<64 hex>
 *   abi-encode <type> <value text>     -> 0x<encoding>      (l2w_abi_value_parse syntax)
 *   abi-decode <type> <hex>            -> JSON: tuples and arrays as arrays,
 *                                         integers as decimal strings, bool as
 *                                         true/false, address/bytesN/bytes/string
 *                                         as 0x hex of their bytes
 *   abi-format <type> <hex>            -> the decoded value as value text
 *   u256 add|sub|mul|div|mod <a> <b>   -> decimal (a, b decimal or 0x hex)
 *   u256 dec2hex <decimal>             -> minimal 0x hex
 *   u256 hex2dec <0x hex>              -> decimal
 * Any failure answers "error: <message>" and the tool goes on. */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/abi.h"
#include "core/hex.h"
#include "core/json.h"
#include "core/keccak.h"
#include "core/u256.h"

/* Lines carry hex of whole encodings; this is far above what the tests send. */
#define MAX_LINE (16u * 1024 * 1024)

static void answer_error(const char *fmt, ...) L2W_PRINTF(1, 2);
static void answer_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("error: ", stdout);
    vprintf(fmt, ap);
    putchar('\n');
    va_end(ap);
}

static void answer_hex(const uint8_t *b, size_t n)
{
    char *s = l2w_hex_encode_alloc(b, n);
    if (!s) {
        answer_error("%s", "out of memory");
        return;
    }
    puts(s);
    free(s);
}

/* Splits "word rest" at the first space: returns rest (or "" if none). */
static char *split_word(char *s)
{
    char *sp = strchr(s, ' ');
    if (!sp)
        return s + strlen(s);
    *sp = '\0';
    return sp + 1;
}

/* Hex text into a malloc'd buffer. */
static l2w_status hex_arg(uint8_t **out, size_t *out_len, const char *hex)
{
    size_t n = strlen(hex);
    size_t cap = n / 2 + 1;
    uint8_t *b = malloc(cap);
    if (!b)
        return L2W_ERR_NOMEM;
    l2w_status st = l2w_hex_decode(b, cap, out_len, hex, n);
    if (st != L2W_OK) {
        free(b);
        return st;
    }
    *out = b;
    return L2W_OK;
}

static void cmd_keccak(char *args)
{
    uint8_t *b = NULL;
    size_t n = 0;
    if (hex_arg(&b, &n, args) != L2W_OK) {
        answer_error("invalid hex: %.80s", args);
        return;
    }
    uint8_t h[32];
    l2w_keccak256(h, b, n);
    answer_hex(h, sizeof h);
    free(b);
}

static void cmd_selector(char *args, bool topic)
{
    l2w_err err = {{0}};
    l2w_hash h;
    uint8_t sel[4];
    l2w_status st = topic ? l2w_abi_event_topic(&h, args, &err) : l2w_abi_selector(sel, args, &err);
    if (st != L2W_OK)
        answer_error("%s", err.msg);
    else if (topic)
        answer_hex(h.b, sizeof h.b);
    else
        answer_hex(sel, sizeof sel);
}

static void cmd_abi_encode(char *args)
{
    char *value_text = split_word(args);
    l2w_err err = {{0}};
    l2w_abi_type *t = NULL;
    l2w_abi_value *v = NULL;
    uint8_t *enc = NULL;
    size_t n = 0;
    if (l2w_abi_type_parse(&t, args, &err) != L2W_OK || l2w_abi_value_parse(&v, t, value_text, &err) != L2W_OK ||
        l2w_abi_encode(&enc, &n, t, v, &err) != L2W_OK)
        answer_error("%s", err.msg);
    else
        answer_hex(enc, n);
    free(enc);
    l2w_abi_value_free(v);
    l2w_abi_type_free(t);
}

static json_t *value_json(const l2w_abi_value *v)
{
    char num[L2W_U256_DEC_LEN + 1];
    switch (v->kind) {
    case L2W_ABI_UINT:
        l2w_u256_to_dec(num, &v->word);
        return json_string(num);
    case L2W_ABI_INT:
        if (v->word.w[3] >> 63) {
            l2w_u256 mag;
            l2w_u256_neg(&mag, &v->word);
            num[0] = '-';
            l2w_u256_to_dec(num + 1, &mag);
        } else {
            l2w_u256_to_dec(num, &v->word);
        }
        return json_string(num);
    case L2W_ABI_BOOL:
        return json_boolean(v->boolean);
    case L2W_ABI_ADDRESS:
        return l2w_json_hex(v->addr.b, sizeof v->addr.b);
    case L2W_ABI_FIXED_BYTES:
        return l2w_json_hex(v->fixed, v->len);
    case L2W_ABI_BYTES:
    case L2W_ABI_STRING:
        return l2w_json_hex(v->data, v->len);
    case L2W_ABI_ARRAY:
    case L2W_ABI_FIXED_ARRAY:
    case L2W_ABI_TUPLE: {
        json_t *a = json_array();
        for (size_t i = 0; a && i < v->len; i++) {
            json_t *item = value_json(&v->items[i]);
            if (!item || json_array_append_new(a, item) != 0) {
                json_decref(a);
                return NULL;
            }
        }
        return a;
    }
    }
    return NULL;
}

static void cmd_abi_decode(char *args, bool as_text)
{
    char *hex = split_word(args);
    l2w_err err = {{0}};
    l2w_abi_type *t = NULL;
    l2w_abi_value *v = NULL;
    uint8_t *data = NULL;
    size_t n = 0;
    if (l2w_abi_type_parse(&t, args, &err) != L2W_OK) {
        answer_error("%s", err.msg);
    } else if (hex_arg(&data, &n, hex) != L2W_OK) {
        answer_error("invalid hex: %.80s", hex);
    } else if (l2w_abi_decode(&v, t, data, n, &err) != L2W_OK) {
        answer_error("%s", err.msg);
    } else if (as_text) {
        char *s = NULL;
        if (l2w_abi_value_format(&s, t, v, &err) != L2W_OK)
            answer_error("%s", err.msg);
        else
            puts(s);
        free(s);
    } else {
        json_t *j = value_json(v);
        char *s = j ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
        if (!s)
            answer_error("%s", "out of memory");
        else
            puts(s);
        free(s);
        json_decref(j);
    }
    free(data);
    l2w_abi_value_free(v);
    l2w_abi_type_free(t);
}

static l2w_status u256_arg(l2w_u256 *out, const char *s)
{
    bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    return hex ? l2w_u256_from_hex(out, s) : l2w_u256_from_dec(out, s);
}

static void answer_u256_status(l2w_status st, const l2w_u256 *r)
{
    if (st != L2W_OK) {
        answer_error("%s", l2w_status_str(st));
        return;
    }
    char dec[L2W_U256_DEC_LEN];
    l2w_u256_to_dec(dec, r);
    puts(dec);
}

static void cmd_u256_binary(const char *op, char *args)
{
    char *b_text = split_word(args);
    l2w_u256 a, b, r = {{0}};
    l2w_status st = u256_arg(&a, args);
    if (st == L2W_OK)
        st = u256_arg(&b, b_text);
    if (st != L2W_OK) {
        answer_error("bad operand: %s", l2w_status_str(st));
        return;
    }
    if (strcmp(op, "add") == 0)
        st = l2w_u256_add(&r, &a, &b);
    else if (strcmp(op, "sub") == 0)
        st = l2w_u256_sub(&r, &a, &b);
    else if (strcmp(op, "mul") == 0)
        st = l2w_u256_mul(&r, &a, &b);
    else if (strcmp(op, "div") == 0)
        st = l2w_u256_divmod(&r, NULL, &a, &b);
    else
        st = l2w_u256_divmod(NULL, &r, &a, &b);
    answer_u256_status(st, &r);
}

static void cmd_u256(char *args)
{
    char *rest = split_word(args);
    l2w_u256 v;
    l2w_status st;
    if (strcmp(args, "dec2hex") == 0) {
        st = l2w_u256_from_dec(&v, rest);
        if (st != L2W_OK) {
            answer_error("%s", l2w_status_str(st));
            return;
        }
        char hex[L2W_U256_HEX_LEN];
        l2w_u256_to_hex(hex, &v);
        puts(hex);
    } else if (strcmp(args, "hex2dec") == 0) {
        st = l2w_u256_from_hex(&v, rest);
        answer_u256_status(st, &v);
    } else if (strcmp(args, "add") == 0 || strcmp(args, "sub") == 0 || strcmp(args, "mul") == 0 ||
               strcmp(args, "div") == 0 || strcmp(args, "mod") == 0) {
        cmd_u256_binary(args, rest);
    } else {
        answer_error("unknown u256 operation: %.40s", args);
    }
}

static void dispatch(char *line)
{
    char *args = split_word(line);
    if (strcmp(line, "keccak") == 0)
        cmd_keccak(args);
    else if (strcmp(line, "selector") == 0)
        cmd_selector(args, false);
    else if (strcmp(line, "topic") == 0)
        cmd_selector(args, true);
    else if (strcmp(line, "abi-encode") == 0)
        cmd_abi_encode(args);
    else if (strcmp(line, "abi-decode") == 0)
        cmd_abi_decode(args, false);
    else if (strcmp(line, "abi-format") == 0)
        cmd_abi_decode(args, true);
    else if (strcmp(line, "u256") == 0)
        cmd_u256(args);
    else
        answer_error("unknown command: %.40s", line);
}

int main(void)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, stdin)) >= 0) {
        if (n > 0 && line[n - 1] == '\n')
            line[--n] = '\0';
        if ((size_t)n > MAX_LINE)
            answer_error("%s", "line too long");
        else
            dispatch(line);
        fflush(stdout);
    }
    free(line);
    return 0;
}
