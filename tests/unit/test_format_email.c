/* The email formatter against RFC 5322 / 2045 / 2047: CRLF everywhere,
 * lines within 998 octets (76 in the quoted-printable body), each header
 * once, Date from now, Subject folded or encoded-words of whole characters,
 * no header injected by a title holding "\r\nBcc: x", the body decoded back
 * to what the finding says (evidence, nested values as JSON, links), a
 * lone "." line left to the transport, groups, and refusals of bad
 * configuration and malformed payloads. */

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alerts/alert_format.h"
#include "tests/unit/harness.h"
#include "tests/unit/support/format_fixtures.h"

#define FROM "l2watch <l2watch@example.org>"
#define MSGID "l2watch-17-raised-mail@l2watch.example.org"

static const char *const to2[] = {"oncall@example.org", "security-team@example.org"};

static char *format_msg(const json_t *const *alerts, size_t n, bool links)
{
    l2w_alert_batch b = fx_batch(alerts, n, links);
    char *msg = NULL;
    l2w_err err = {{0}};
    l2w_status st = l2w_format_email(&msg, &b, FROM, to2, 2, MSGID, &err);
    CHECK_MSG(st == L2W_OK, "%s: %s", l2w_status_str(st), err.msg);
    return msg;
}

static void test_explorer_per_chain(void)
{
    json_t *doc = fx_invalid_output_root("raised");
    const json_t *alerts[] = {doc};
    l2w_alert_batch b = fx_batch(alerts, 1, true);
    b.explorers_ctx = fx_l1_only_explorers;
    char *msg = NULL;
    l2w_err err = {{0}};
    CHECK(l2w_format_email(&msg, &b, FROM, to2, 2, MSGID, &err) == L2W_OK);
    /* Quoted-printable: look for what needs no encoding and no soft break. */
    CHECK(msg && strstr(msg, "https://etherscan.example.org/tx/0xa1b2"));
    CHECK(msg && !strstr(msg, "/block/"));
    free(msg);
    json_decref(doc);
}

/* A parsed message: unfolded headers (name: value) and the decoded body. */
typedef struct {
    char *names[32];
    char *values[32];
    size_t n;
    char *raw_body;
    char *body;
} parsed;

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Quoted-printable to text with \n line ends. */
static char *qp_decode(const char *s)
{
    char *out = malloc(strlen(s) + 1), *o = out;
    while (*s) {
        if (s[0] == '=' && s[1] == '\r' && s[2] == '\n') {
            s += 3;
        } else if (s[0] == '=' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
            *o++ = (char)(hexval(s[1]) * 16 + hexval(s[2]));
            s += 3;
        } else if (s[0] == '\r' && s[1] == '\n') {
            *o++ = '\n';
            s += 2;
        } else {
            CHECK_MSG(*s != '=', "a bare '=' in the body");
            *o++ = *s++;
        }
    }
    *o = 0;
    return out;
}

/* Checks the lines (CRLF only, <= 998, body <= 76) and parses. */
static void parse(parsed *p, const char *msg)
{
    memset(p, 0, sizeof *p);
    CHECK(msg != NULL);
    if (!msg)
        return;
    for (const char *c = msg; *c; c++) {
        if (*c == '\n')
            CHECK_MSG(c > msg && c[-1] == '\r', "bare LF at %zu", (size_t)(c - msg));
        if (*c == '\r')
            CHECK_MSG(c[1] == '\n', "bare CR at %zu", (size_t)(c - msg));
    }
    CHECK(strlen(msg) >= 2 && strcmp(msg + strlen(msg) - 2, "\r\n") == 0);
    const char *split = strstr(msg, "\r\n\r\n");
    CHECK(split != NULL);
    if (!split)
        return;
    size_t line_len = 0;
    for (const char *c = msg; *c; c++) {
        bool in_body = c > split + 3;
        if (*c == '\r') {
            CHECK_MSG(line_len <= (in_body ? 76u : 998u), "line of %zu octets at %zu", line_len, (size_t)(c - msg));
            if (!in_body)
                CHECK_MSG(line_len <= 78, "header line of %zu characters", line_len);
            line_len = 0;
        } else if (*c != '\n') {
            line_len++;
            if (in_body)
                CHECK_MSG((unsigned char)*c < 0x80, "8-bit octet in the quoted-printable body");
        }
    }
    /* Unfold: a line starting with a space or tab continues the last header. */
    const char *line = msg;
    while (line < split + 2 && p->n < 32) {
        const char *eol = strstr(line, "\r\n");
        if (line[0] == ' ' || line[0] == '\t') {
            CHECK(p->n > 0);
            size_t old = strlen(p->values[p->n - 1]), add = (size_t)(eol - line);
            p->values[p->n - 1] = realloc(p->values[p->n - 1], old + add + 1);
            memcpy(p->values[p->n - 1] + old, line, add);
            p->values[p->n - 1][old + add] = 0;
        } else {
            const char *colon = memchr(line, ':', (size_t)(eol - line));
            CHECK_MSG(colon != NULL, "header line without a colon: %.40s", line);
            if (colon) {
                p->names[p->n] = strndup(line, (size_t)(colon - line));
                const char *v = colon[1] == ' ' ? colon + 2 : colon + 1;
                p->values[p->n] = strndup(v, (size_t)(eol - v));
                p->n++;
            }
        }
        line = eol + 2;
    }
    p->raw_body = strdup(split + 4);
    p->body = qp_decode(split + 4);
}

static void parsed_free(parsed *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->names[i]);
        free(p->values[i]);
    }
    free(p->raw_body);
    free(p->body);
}

/* The one value of a header, NULL when absent; a second one fails. */
static const char *header(const parsed *p, const char *name)
{
    const char *v = NULL;
    for (size_t i = 0; i < p->n; i++)
        if (strcasecmp(p->names[i], name) == 0) {
            CHECK_MSG(v == NULL, "header %s twice", name);
            v = p->values[i];
        }
    return v;
}

static bool eq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

static int b64val(char c)
{
    const char *a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *f = c ? strchr(a, c) : NULL;
    return f ? (int)(f - a) : -1;
}

/* An unfolded Subject of RFC 2047 B encoded-words (and the white space
 * between them) decoded; each word must be <= 75 characters and decode to
 * whole UTF-8 characters. */
static char *decode_words(const char *v)
{
    char *out = calloc(strlen(v) + 1, 1), *o = out;
    while (*v) {
        if (*v == ' ' || *v == '\t') {
            v++;
            continue;
        }
        CHECK_MSG(strncmp(v, "=?UTF-8?B?", 10) == 0, "not an encoded-word: %.30s", v);
        const char *end = strstr(v + 10, "?=");
        CHECK(end != NULL);
        if (!end || strncmp(v, "=?UTF-8?B?", 10) != 0)
            break;
        CHECK_MSG(end + 2 - v <= 75, "encoded-word of %zu characters", (size_t)(end + 2 - v));
        char *word_start = o;
        uint32_t acc = 0;
        int bits = 0;
        for (const char *c = v + 10; c < end; c++) {
            if (*c == '=')
                continue;
            int d = b64val(*c);
            CHECK(d >= 0);
            acc = acc << 6 | (uint32_t)(d < 0 ? 0 : d);
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                *o++ = (char)(acc >> bits & 0xff);
            }
        }
        *o = 0;
        json_t *whole = json_string(word_start); /* NULL unless valid UTF-8 */
        CHECK_MSG(whole != NULL, "a word that is not whole UTF-8: %s", word_start);
        json_decref(whole);
        v = end + 2;
    }
    return out;
}

static void test_one_finding(void)
{
    json_t *doc = fx_invalid_output_root("raised");
    const json_t *alerts[] = {doc};
    char *msg = format_msg(alerts, 1, true);
    parsed p;
    parse(&p, msg);
    static const char *const order[] = {"Date",         "From",         "To",
                                        "Subject",      "Message-ID",   "MIME-Version",
                                        "Content-Type", "Content-Transfer-Encoding", "Auto-Submitted"};
    CHECK(p.n == 9);
    for (size_t i = 0; i < 9 && i < p.n; i++)
        CHECK_MSG(eq(p.names[i], order[i]), "header %zu is %s", i, p.names[i]);
    CHECK(eq(header(&p, "Date"), "Wed, 01 May 2024 12:40:00 +0000"));
    CHECK(eq(header(&p, "From"), FROM));
    CHECK(eq(header(&p, "To"), "oncall@example.org, security-team@example.org"));
    /* 88 characters: folded at a space, unfolded whole. */
    CHECK(msg && strstr(msg, "(L2\r\n block 120961800)\r\nMessage-ID: "));
    CHECK(eq(header(&p, "Subject"), "[l2watch] CRITICAL raised: Invalid output root at index 4211 (L2 block 120961800)"));
    CHECK(eq(header(&p, "Message-ID"), "<" MSGID ">"));
    CHECK(eq(header(&p, "MIME-Version"), "1.0"));
    CHECK(eq(header(&p, "Content-Type"), "text/plain; charset=utf-8"));
    CHECK(eq(header(&p, "Content-Transfer-Encoding"), "quoted-printable"));
    const char *b = p.body;
    CHECK(b && strncmp(b, "CRITICAL \xc2\xb7 Invalid output root at index 4211 (L2 block 120961800)\n\nL2OutputOracle",
                       80) == 0);
    static const char *const lines[] = {
        "\n  Finding:     #17 (open)\n",
        "\n  Kind:        invalid_output_root\n",
        "\n  Severity:    critical\n",
        "\n  Event:       raised\n",
        "\n  Chain:       op-mainnet\n",
        "\n  Block:       120961800\n",
        /* The block is the finding's chain's; the transaction ethereum's. */
        "\n  Transaction: 0xa1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90 on ethereum\n",
        "\n  Detected at: 2024-05-01T12:20:31.418Z\n",
        "\nEvidence\n  output_index: 4211\n",
        "\n  l1_block_number: 19780012\n",
        "\n  l1_log_index: 137\n",
        "\n  recomputed_output_root: 0x9f1c2b3a4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8\n",
        "\nLinks\n  Finding:     " FX_DASHBOARD "/findings/17\n",
        "\n  Transaction: " FX_L1_EXPLORER "/tx/0xa1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90\n",
        "\n  Block:       " FX_EXPLORER "/block/120961800\n",
    };
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++)
        CHECK_MSG(b && strstr(b, lines[i]), "body lacks %s", lines[i]);
    CHECK(b && strstr(b, json_string_value(json_object_get(doc, "summary"))));
    CHECK(b && !strstr(b, "Response\n")); /* null in the payload */
    parsed_free(&p);
    free(msg);
    json_decref(doc);
}

static void test_nested_evidence_and_response(void)
{
    json_t *doc = fx_data_withheld(31, "resolved", false);
    const json_t *alerts[] = {doc};
    char *msg = format_msg(alerts, 1, false);
    parsed p;
    parse(&p, msg);
    CHECK(eq(header(&p, "Subject"), "[l2watch] HIGH resolved: base: a batch's data cannot be fetched"));
    CHECK(p.body && strstr(p.body, "\n  challenge: {\"status\":\"active\",\"block\":19780101,\"tx\":null}\n"));
    CHECK(p.body && strstr(p.body, "\nResponse\n  action: da_challenge\n  status: dry_run\n  tx_hash: null\n"));
    CHECK(p.body && strstr(p.body, "\n  Transaction: -\n"));
    CHECK(p.body && strstr(p.body, "HIGH \xc2\xb7 Resolved: base:"));
    CHECK(p.body && !strstr(p.body, "Links"));
    parsed_free(&p);
    free(msg);
    json_decref(doc);
}

/* A title cannot add a header: CR and LF never reach the header section. */
static void test_header_injection(void)
{
    static const char *const titles[] = {"Alert\r\nBcc: attacker@evil.example", "Alert\nBcc: attacker@evil.example",
                                         "Alert\rBcc: attacker@evil.example", "Alert\r\n\r\nforged body"};
    for (size_t i = 0; i < 4; i++) {
        json_t *doc = fx_invalid_output_root("raised");
        json_object_set_new(doc, "title", json_string(titles[i]));
        const json_t *alerts[] = {doc};
        char *msg = format_msg(alerts, 1, true);
        parsed p;
        parse(&p, msg);
        CHECK(p.n == 9);
        CHECK(header(&p, "Bcc") == NULL);
        const char *subj = header(&p, "Subject");
        CHECK_MSG(subj && strncmp(subj, "[l2watch] CRITICAL raised: Alert", 32) == 0 && !strchr(subj, '\r') &&
                      !strchr(subj, '\n'),
                  "%s", subj ? subj : "(none)");
        CHECK(i == 3 || (subj && strstr(subj, "Bcc: attacker@evil.example")));
        /* Nothing starts a line but what l2watch wrote. */
        CHECK(msg && !strstr(msg, "\r\nBcc") && !strstr(msg, "\r\nforged body"));
        parsed_free(&p);
        free(msg);
        json_decref(doc);
    }
}

static void test_encoded_subject(void)
{
    const char *title = "D\xc3\xa9" "faut de racine \xe2\x80\x94 \xe5\x87\xba\xe5\x8a\x9b\xe3\x83\xab\xe3\x83\xbc"
                        "\xe3\x83\x88 \xf0\x9f\x94\xa5 sur op-mainnet, indice 4211, bloc L2 120961800";
    json_t *doc = fx_invalid_output_root("escalated");
    json_object_set_new(doc, "title", json_string(title));
    const json_t *alerts[] = {doc};
    char *msg = format_msg(alerts, 1, true);
    parsed p;
    parse(&p, msg);
    const char *subj = header(&p, "Subject");
    CHECK(subj && strncmp(subj, "=?UTF-8?B?", 10) == 0);
    char *decoded = subj ? decode_words(subj) : NULL;
    char want[300];
    snprintf(want, sizeof want, "[l2watch] CRITICAL escalated: %s", title);
    CHECK_MSG(eq(decoded, want), "decoded %s", decoded ? decoded : "(none)");
    free(decoded);
    parsed_free(&p);
    free(msg);

    /* A word too long for a line is encoded, so every header line stays within 78. */
    char long_word[301];
    memset(long_word, 'x', 300);
    long_word[300] = 0;
    json_object_set_new(doc, "title", json_string(long_word));
    msg = format_msg(alerts, 1, true); /* parse checks the line lengths */
    parse(&p, msg);
    subj = header(&p, "Subject");
    decoded = subj ? decode_words(subj) : NULL;
    CHECK(decoded && strncmp(decoded, "[l2watch] CRITICAL escalated: xxx", 33) == 0 && strlen(decoded) == 330);
    free(decoded);
    parsed_free(&p);
    free(msg);

    /* ASCII that looks like an encoded-word is encoded, so no reader decodes it. */
    json_object_set_new(doc, "title", json_string("=?UTF-8?B?SGFja2Vk?="));
    msg = format_msg(alerts, 1, true);
    parse(&p, msg);
    subj = header(&p, "Subject");
    decoded = subj ? decode_words(subj) : NULL;
    CHECK(eq(decoded, "[l2watch] CRITICAL escalated: =?UTF-8?B?SGFja2Vk?="));
    free(decoded);
    parsed_free(&p);
    free(msg);
    json_decref(doc);
}

/* Long values, lone dots, "From " lines and trailing blanks survive the
 * transfer encoding. */
static void test_body_encoding(void)
{
    json_t *doc = fx_invalid_output_root("raised");
    char *long_value = malloc(5001);
    for (size_t i = 0; i < 5000; i++)
        long_value[i] = "0123456789abcdef="[i % 17];
    long_value[5000] = 0;
    json_object_set_new(json_object_get(doc, "evidence"), "output_index", json_string(long_value));
    json_object_set_new(doc, "summary", json_string("first\n.\nFrom here on\ntrailing \nt\xc3\xa9st"));
    const json_t *alerts[] = {doc};
    char *msg = format_msg(alerts, 1, true); /* parse checks 76 per body line */
    parsed p;
    parse(&p, msg);
    char line[5100];
    snprintf(line, sizeof line, "\n  output_index: %s\n", long_value);
    CHECK(p.body && strstr(p.body, line));
    CHECK(p.body && strstr(p.body, "\n\nfirst\n.\nFrom here on\ntrailing \nt\xc3\xa9st\n"));
    /* The dot is left to SMTP's dot-stuffing; From and the blank are encoded. */
    CHECK(p.raw_body && strstr(p.raw_body, "\r\n.\r\n"));
    CHECK(p.raw_body && strstr(p.raw_body, "\r\n=46rom here on\r\n"));
    CHECK(p.raw_body && strstr(p.raw_body, "\r\ntrailing=20\r\n"));
    CHECK(p.raw_body && strstr(p.raw_body, "t=C3=A9st"));
    parsed_free(&p);
    free(msg);
    free(long_value);
    json_decref(doc);
}

static void test_group(void)
{
    json_t *docs[3];
    for (size_t i = 0; i < 3; i++)
        docs[i] = fx_data_withheld(100 + (long long)i, "raised", i == 0);
    json_object_set_new(docs[2], "severity", json_string("critical"));
    char *msg = format_msg((const json_t *const *)docs, 3, true);
    parsed p;
    parse(&p, msg);
    CHECK(eq(header(&p, "Subject"), "[l2watch] CRITICAL raised: 3 data_withheld findings on base"));
    CHECK(p.body && strncmp(p.body, "3 data_withheld findings on base (most severe: critical)\n", 57) == 0);
    for (size_t i = 0; i < 3; i++) {
        char want[80];
        snprintf(want, sizeof want, "\n--- %zu of 3 ---\n\n%s", i + 1, i == 2 ? "CRITICAL" : "HIGH");
        CHECK_MSG(p.body && strstr(p.body, want), "%s", want);
        snprintf(want, sizeof want, "\n  Finding:     #%zu (open)\n", 100 + i);
        CHECK_MSG(p.body && strstr(p.body, want), "%s", want);
    }
    parsed_free(&p);
    free(msg);
    for (size_t i = 0; i < 3; i++)
        json_decref(docs[i]);
}

static void expect_config_refused(const char *from, const char *const *to, size_t n_to, const char *id,
                                  const char *want)
{
    json_t *doc = fx_invalid_output_root("raised");
    const json_t *alerts[] = {doc};
    l2w_alert_batch b = fx_batch(alerts, 1, true);
    char *msg = (char *)"x";
    l2w_err err = {{0}};
    CHECK(l2w_format_email(&msg, &b, from, to, n_to, id, &err) == L2W_ERR_INVALID);
    CHECK(msg == NULL);
    CHECK_MSG(strstr(err.msg, want) != NULL, "\"%s\" does not name %s", err.msg, want);
    json_decref(doc);
}

static void test_config_refused(void)
{
    static const char *const bad_to[] = {"oncall@example.org", "x@example.org\r\nBcc: attacker@evil.example"};
    expect_config_refused("l2watch@example.org\r\nBcc: attacker@evil.example", to2, 2, MSGID, "from");
    expect_config_refused(NULL, to2, 2, MSGID, "from");
    expect_config_refused(FROM, bad_to, 2, MSGID, "to[1]");
    expect_config_refused(FROM, to2, 0, MSGID, "to");
    expect_config_refused(FROM, NULL, 1, MSGID, "to");
    expect_config_refused(FROM, to2, 2, "a>b@c", "message_id");
    expect_config_refused(FROM, to2, 2, "no-at-sign", "message_id");
    expect_config_refused(FROM, to2, 2, "a@b\r\nX: y", "message_id");
    expect_config_refused(FROM, to2, 2, NULL, "message_id");
}

static l2w_status email_fn(char **out, const l2w_alert_batch *b, void *ctx, l2w_err *err)
{
    (void)ctx;
    return l2w_format_email(out, b, FROM, to2, 2, MSGID, err);
}

static void test_malformed(void)
{
    fx_check_malformed(email_fn, NULL, true);
}

static void test_random_payloads(void)
{
    fx_check_random_payloads(email_fn, NULL, 2000);
}

int main(void)
{
    RUN(test_explorer_per_chain);
    RUN(test_one_finding);
    RUN(test_nested_evidence_and_response);
    RUN(test_header_injection);
    RUN(test_encoded_subject);
    RUN(test_body_encoding);
    RUN(test_group);
    RUN(test_config_refused);
    RUN(test_malformed);
    RUN(test_random_payloads);
    return l2w_test_finish();
}
