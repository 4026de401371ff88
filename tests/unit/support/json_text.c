#include "tests/unit/support/json_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/harness.h"

/* ---- a growable text ---- */

void put_n(text *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 256;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *p = realloc(t->p, cap);
        if (!p)
            abort(); /* a test that cannot allocate cannot go on */
        t->p = p;
        t->cap = cap;
    }
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = '\0';
}

void put(text *t, const char *s)
{
    put_n(t, s, strlen(s));
}

uint64_t rnd(uint64_t n)
{
    return n ? l2w_test_rand() % n : 0;
}

bool one_in(uint64_t n)
{
    return rnd(n) == 0;
}

void ws(text *t)
{
    static const char *const spaces[] = {"", "", "", " ", "\n", "\t", "\r\n  ", "   "};
    put(t, spaces[rnd(8)]);
}


void any_string(text *t)
{
    static const char *const strings[] = {
        "\"\"", "\"plain\"", "\"esc \\\" \\\\ \\/ \\b \\f \\n \\r \\t\"", "\"\\u00e9t\\u00E9\"", "\"caf\xc3\xa9\"",
        "\"\xe2\x82\xac and \xf0\x9f\x98\x80\"", "\"\\ud83d\\ude00\"", "\"0x\"", "\"\x7f\"",
    };
    put(t, strings[rnd(sizeof strings / sizeof strings[0])]);
}

void any_number(text *t)
{
    static const char *const numbers[] = {
        "0", "-0", "1", "-1", "1.5", "-0.25e-3", "1E10", "1e+2", "9223372036854775807", "-9223372036854775808",
        "1e308", "1e-400", "123456789012345678901234567890.5", "0.0000001",
    };
    put(t, numbers[rnd(sizeof numbers / sizeof numbers[0])]);
}

void any_value(text *t, int depth)
{
    switch (rnd(depth > 3 ? 5 : 7)) {
    case 0:
        put(t, "null");
        break;
    case 1:
        put(t, one_in(2) ? "true" : "false");
        break;
    case 2:
        any_number(t);
        break;
    case 3:
    case 4:
        any_string(t);
        break;
    case 5: {
        put(t, "[");
        size_t n = rnd(4);
        for (size_t i = 0; i < n; i++) {
            if (i)
                put(t, ",");
            ws(t);
            any_value(t, depth + 1);
        }
        put(t, "]");
        break;
    }
    default: {
        put(t, "{");
        size_t n = rnd(4);
        for (size_t i = 0; i < n; i++) {
            char k[48];
            snprintf(k, sizeof k, "%s\"k%zu\":", i ? "," : "", i);
            put(t, k);
            ws(t);
            any_value(t, depth + 1);
        }
        put(t, "}");
        break;
    }
    }
}

/* ---- mutations ---- */

void mutate(text *t)
{
    static const char alphabet[] = "{}[]:,\"\\/ nultrefasx0123456789abcdefABCDEF.-+eE\x01\x7f\x80\xbf\xc0\xc3\xe2\xed"
                                   "\xf0\xf4\xf5\xff";
    size_t edits = 1 + rnd(3);
    for (size_t e = 0; e < edits && t->len > 0; e++) {
        size_t at = rnd(t->len);
        char c = alphabet[rnd(sizeof alphabet - 1)];
        switch (rnd(4)) {
        case 0:
            t->p[at] = c;
            break;
        case 1:
            memmove(t->p + at, t->p + at + 1, t->len - at);
            t->len--;
            break;
        case 2:
            put_n(t, " ", 1);
            memmove(t->p + at + 1, t->p + at, t->len - at - 1);
            t->p[at] = c;
            break;
        default: {
            /* A key written twice or a value repeated: copy a slice over another place. */
            size_t from = rnd(t->len), n = 1 + rnd(40);
            if (from + n > t->len)
                n = t->len - from;
            char *slice = malloc(n);
            if (!slice)
                abort();
            memcpy(slice, t->p + from, n);
            size_t to = rnd(t->len);
            text rest = {NULL, 0, 0};
            put_n(&rest, t->p + to, t->len - to);
            t->len = to;
            put_n(t, slice, n);
            put_n(t, rest.p, rest.len);
            free(rest.p);
            free(slice);
            break;
        }
        }
    }
}

