/* The Slack formatter: every message checked against Block Kit's documented
 * schema and limits (text, blocks <= 50, header plain_text <= 150, section
 * text <= 3000, fields <= 10 of <= 2000, context elements), then field by
 * field for one finding, its resolve and retract, a group, a group past 50
 * blocks, escaping of untrusted text, cuts at the limits, and malformed
 * payloads. */

#include <stdlib.h>
#include <string.h>

#include "alerts/alert_format.h"
#include "tests/unit/harness.h"
#include "tests/unit/support/format_fixtures.h"

/* A mrkdwn or plain_text text object of 1..max characters. */
static void check_text_object(const json_t *t, const char *type, size_t max, const char *where)
{
    const char *text = fx_str(t, "text");
    CHECK_MSG(json_is_object(t), "%s: not an object", where);
    CHECK_MSG(type == NULL || (fx_str(t, "type") && strcmp(fx_str(t, "type"), type) == 0), "%s: type", where);
    CHECK_MSG(fx_str(t, "type") && (!strcmp(fx_str(t, "type"), "mrkdwn") || !strcmp(fx_str(t, "type"), "plain_text")),
              "%s: text type", where);
    CHECK_MSG(text && text[0], "%s: empty text", where);
    CHECK_MSG(text && fx_units(text) <= max, "%s: %zu characters > %zu", where, text ? fx_units(text) : 0, max);
}

/* Checks a message against the schema; returns it parsed (caller releases). */
static json_t *check_message(const char *body)
{
    json_t *msg = fx_parse(body);
    CHECK_MSG(msg != NULL, "not JSON (or not UTF-8): %.200s", body ? body : "(null)");
    if (!msg)
        return NULL;
    CHECK(json_object_size(msg) == 2);
    CHECK(fx_str(msg, "text") && fx_str(msg, "text")[0]);
    const json_t *blocks = json_object_get(msg, "blocks");
    CHECK(json_is_array(blocks) && json_array_size(blocks) >= 1 && json_array_size(blocks) <= 50);
    size_t i;
    const json_t *blk;
    json_array_foreach (blocks, i, blk) {
        const char *type = fx_str(blk, "type");
        CHECK_MSG(type != NULL, "block %zu: no type", i);
        if (!type)
            continue;
        if (strcmp(type, "header") == 0) {
            check_text_object(json_object_get(blk, "text"), "plain_text", 150, "header");
        } else if (strcmp(type, "section") == 0) {
            const json_t *text = json_object_get(blk, "text"), *fields = json_object_get(blk, "fields");
            CHECK_MSG(text || fields, "section %zu: neither text nor fields", i);
            if (text)
                check_text_object(text, NULL, 3000, "section text");
            if (fields) {
                CHECK_MSG(json_is_array(fields) && json_array_size(fields) >= 1 && json_array_size(fields) <= 10,
                          "section %zu: %zu fields", i, json_array_size(fields));
                size_t j;
                const json_t *f;
                json_array_foreach (fields, j, f)
                    check_text_object(f, NULL, 2000, "section field");
            }
        } else if (strcmp(type, "context") == 0) {
            const json_t *els = json_object_get(blk, "elements");
            CHECK(json_is_array(els) && json_array_size(els) >= 1 && json_array_size(els) <= 10);
            size_t j;
            const json_t *e;
            json_array_foreach (els, j, e)
                check_text_object(e, "mrkdwn", 3000, "context element");
        } else {
            CHECK_MSG(0, "block %zu: unexpected type %s", i, type);
        }
    }
    return msg;
}

static char *format(const json_t *const *alerts, size_t n, bool links)
{
    l2w_alert_batch b = fx_batch(alerts, n, links);
    char *body = NULL;
    l2w_err err = {{0}};
    l2w_status st = l2w_format_slack(&body, &b, &err);
    CHECK_MSG(st == L2W_OK, "l2w_format_slack: %s: %s", l2w_status_str(st), err.msg);
    return body;
}

static const json_t *block(const json_t *msg, size_t i)
{
    return json_array_get(json_object_get(msg, "blocks"), i);
}

static const char *field_text(const json_t *msg, size_t blk, size_t i)
{
    return fx_str(json_array_get(json_object_get(block(msg, blk), "fields"), i), "text");
}

static bool eq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

static void test_one_finding(void)
{
    json_t *doc = fx_invalid_output_root("raised");
    const json_t *alerts[] = {doc};
    char *body = format(alerts, 1, true);
    json_t *msg = check_message(body);
    CHECK(json_array_size(json_object_get(msg, "blocks")) == 5);
    CHECK(eq(fx_str(msg, "text"), "[CRITICAL] Invalid output root at index 4211 (L2 block 120961800) (op-mainnet)"));

    const json_t *header = block(msg, 0);
    CHECK(eq(fx_str(header, "type"), "header"));
    CHECK(eq(fx_str(json_object_get(header, "text"), "text"),
             "CRITICAL \xc2\xb7 Invalid output root at index 4211 (L2 block 120961800)"));

    CHECK(eq(fx_str(block(msg, 1), "type"), "section"));
    CHECK(json_array_size(json_object_get(block(msg, 1), "fields")) == 6);
    CHECK(eq(fx_str(json_array_get(json_object_get(block(msg, 1), "fields"), 0), "type"), "mrkdwn"));
    CHECK(eq(field_text(msg, 1, 0), "*Kind*\n`invalid_output_root`"));
    CHECK(eq(field_text(msg, 1, 1), "*Severity*\ncritical"));
    CHECK(eq(field_text(msg, 1, 2), "*Chain*\nop-mainnet"));
    CHECK(eq(field_text(msg, 1, 3), "*Event*\nraised (finding open)"));
    /* The L2 block on the L2's explorer; the L1 proposal transaction on
     * the L1's, named as ethereum's since the finding is op-mainnet's. */
    CHECK(eq(field_text(msg, 1, 4), "*Block*\n<" FX_EXPLORER "/block/120961800|120961800>"));
    CHECK(eq(field_text(msg, 1, 5), "*Tx*\n<" FX_L1_EXPLORER
                                    "/tx/0xa1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"
                                    "|0xa1b2\xe2\x80\xa6" "8f90> on ethereum"));

    const json_t *summary = json_object_get(block(msg, 2), "text");
    CHECK(eq(fx_str(summary, "type"), "mrkdwn"));
    CHECK(eq(fx_str(summary, "text"), json_string_value(json_object_get(doc, "summary"))));

    /* 15 evidence entries, all scalar: the first ten are fields. */
    CHECK(json_array_size(json_object_get(block(msg, 3), "fields")) == 10);
    CHECK(eq(field_text(msg, 3, 0), "*output_index*\n4211"));
    CHECK(eq(field_text(msg, 3, 7), "*l2_output_oracle*\n0xdfe97868233d1aa22e815a266982f2cf17685a27"));

    const json_t *ctx = block(msg, 4);
    CHECK(eq(fx_str(ctx, "type"), "context"));
    const char *c = fx_str(json_array_get(json_object_get(ctx, "elements"), 0), "text");
    CHECK(c && strstr(c, "<" FX_DASHBOARD "/findings/17|finding #17>"));
    CHECK(c && strstr(c, "detected 2024-05-01T12:20:31.418Z"));
    CHECK(c && strstr(c, "<" FX_L1_EXPLORER "/tx/0xa1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"
                         "|transaction on the ethereum explorer>"));
    CHECK(c && !strstr(c, FX_EXPLORER "/tx/"));
    CHECK(c && strstr(c, "5 more evidence entries on the dashboard"));
    json_decref(msg);
    free(body);
    json_decref(doc);
}

static void test_without_links(void)
{
    json_t *doc = fx_invalid_output_root("raised");
    const json_t *alerts[] = {doc};
    char *body = format(alerts, 1, false);
    json_t *msg = check_message(body);
    CHECK(body && !strstr(body, "<http"));
    CHECK(eq(field_text(msg, 1, 4), "*Block*\n120961800"));
    CHECK(eq(field_text(msg, 1, 5),
             "*Tx*\n0xa1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90 on ethereum"));
    json_decref(msg);
    free(body);
    json_decref(doc);
}

/* A chain without an explorer gets no link, the other chain still does;
 * a payload that does not say a chain (queued before l2watch said them)
 * links nothing rather than guess. */
static void test_explorer_per_chain(void)
{
    json_t *doc = fx_invalid_output_root("raised");
    const json_t *alerts[] = {doc};
    l2w_alert_batch b = fx_batch(alerts, 1, true);
    b.explorers_ctx = fx_l1_only_explorers;
    char *body = NULL;
    l2w_err err = {{0}};
    CHECK(l2w_format_slack(&body, &b, &err) == L2W_OK);
    json_t *msg = check_message(body);
    CHECK(eq(field_text(msg, 1, 4), "*Block*\n120961800"));
    CHECK(eq(field_text(msg, 1, 5), "*Tx*\n<" FX_L1_EXPLORER
                                    "/tx/0xa1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"
                                    "|0xa1b2\xe2\x80\xa6" "8f90> on ethereum"));
    CHECK(body && !strstr(body, "/block/"));
    json_decref(msg);
    free(body);

    json_object_del(doc, "tx_chain");
    json_object_set_new(doc, "block_chain", json_null());
    body = format(alerts, 1, true);
    msg = check_message(body);
    CHECK(body && !strstr(body, "/tx/") && !strstr(body, "/block/"));
    CHECK(eq(field_text(msg, 1, 4), "*Block*\n120961800"));
    json_decref(msg);
    free(body);
    json_decref(doc);
}

static void test_resolve_and_retract(void)
{
    static const char *const events[] = {"resolved", "retracted", "escalated", "response_landed", "repeat"};
    static const char *const prefixes[] = {"Resolved: ", "Retracted: ", "Escalated: ", "Response landed: ",
                                           "Still open: "};
    for (size_t i = 0; i < 5; i++) {
        json_t *doc = fx_data_withheld(31, events[i], false);
        const json_t *alerts[] = {doc};
        char *body = format(alerts, 1, true);
        json_t *msg = check_message(body);
        char want[200];
        snprintf(want, sizeof want, "HIGH \xc2\xb7 %sbase: a batch's data cannot be fetched", prefixes[i]);
        CHECK_MSG(eq(fx_str(json_object_get(block(msg, 0), "text"), "text"), want), "%s", events[i]);
        snprintf(want, sizeof want, "*Event*\n%s (finding %s)", events[i],
                 i == 0 ? "resolved" : i == 1 ? "retracted" : "open");
        CHECK_MSG(eq(field_text(msg, 1, 3), want), "%s", events[i]);
        /* No transaction: a dash, and no explorer link for it. */
        CHECK(eq(field_text(msg, 1, 5), "*Tx*\n\xe2\x80\x94"));
        CHECK(body && !strstr(body, "/tx/"));
        /* The nested "challenge" is not a field: counted as one more. */
        const char *c = fx_str(json_array_get(json_object_get(block(msg, 4), "elements"), 0), "text");
        CHECK(c && strstr(c, "4 more evidence entries"));
        json_decref(msg);
        free(body);
        json_decref(doc);
    }
}

/* Untrusted text cannot mention, link or format: &, <, > escaped. */
static void test_escaping(void)
{
    json_t *doc = fx_invalid_output_root("raised");
    json_object_set_new(doc, "title", json_string("<!channel> & <https://evil.example|click here>"));
    json_object_set_new(doc, "summary", json_string("ping <@U024BE7LH> and <!here> > 0"));
    json_object_set_new(doc, "chain", json_string("op<main>"));
    json_t *ev = json_object_get(doc, "evidence");
    json_object_clear(ev);
    json_object_set_new(ev, "<b>", json_string("a < b && c > d"));
    const json_t *alerts[] = {doc};
    char *body = format(alerts, 1, true);
    json_t *msg = check_message(body);
    CHECK(eq(fx_str(msg, "text"),
             "[CRITICAL] &lt;!channel&gt; &amp; &lt;https://evil.example|click here&gt; (op&lt;main&gt;)"));
    /* plain_text is not parsed for links or mentions: the header keeps the text. */
    CHECK(eq(fx_str(json_object_get(block(msg, 0), "text"), "text"),
             "CRITICAL \xc2\xb7 <!channel> & <https://evil.example|click here>"));
    CHECK(eq(fx_str(json_object_get(block(msg, 2), "text"), "text"),
             "ping &lt;@U024BE7LH&gt; and &lt;!here&gt; &gt; 0"));
    CHECK(eq(field_text(msg, 1, 2), "*Chain*\nop&lt;main&gt;"));
    CHECK(eq(field_text(msg, 3, 0), "*&lt;b&gt;*\na &lt; b &amp;&amp; c &gt; d"));
    CHECK(body && !strstr(body, "<!channel>\"") && !strstr(body, "<@U024BE7LH>"));
    json_decref(msg);
    free(body);
    json_decref(doc);
}

/* Long text is cut at the limits, at a character boundary, never inside an
 * escape. */
static void test_limits(void)
{
    json_t *doc = fx_invalid_output_root("resolved");
    char *title = fx_repeat("\xf0\x9d\x94\xb8\xc3\xa9", 200); /* U+1D538 (2 units) and é: 600 units */
    char *summary = fx_repeat("&", 4000);
    char *value = fx_repeat("x\xc3\xa9", 3000);
    json_object_set_new(doc, "title", json_string(title));
    json_object_set_new(doc, "summary", json_string(summary));
    json_object_set_new(json_object_get(doc, "evidence"), "output_index", json_string(value));
    const json_t *alerts[] = {doc};
    char *body = format(alerts, 1, true);
    json_t *msg = check_message(body); /* parses only if the cuts left valid UTF-8 */
    const char *h = fx_str(json_object_get(block(msg, 0), "text"), "text");
    CHECK(h && fx_units(h) <= 150 && fx_units(h) >= 148);
    CHECK(h && strstr(h, "Resolved: \xf0\x9d\x94\xb8"));
    CHECK(h && strlen(h) >= 3 && strcmp(h + strlen(h) - 3, "\xe2\x80\xa6") == 0);
    const char *s = fx_str(json_object_get(block(msg, 2), "text"), "text");
    CHECK(s && fx_units(s) <= 3000 && fx_units(s) > 2990);
    /* The cut is after a whole "&amp;". */
    CHECK(s && strlen(s) > 8 && strncmp(s + strlen(s) - 8, "&amp;\xe2\x80\xa6", 8) == 0);
    const char *f = field_text(msg, 3, 0);
    CHECK(f && fx_units(f) <= 2000 && fx_units(f) > 1990);
    const char *t = fx_str(msg, "text");
    CHECK(t && fx_units(t) <= 3000);
    json_decref(msg);
    free(body);
    free(title);
    free(summary);
    free(value);
    json_decref(doc);
}

static void test_empty_evidence(void)
{
    json_t *doc = fx_invalid_output_root("raised");
    json_object_clear(json_object_get(doc, "evidence"));
    json_object_set_new(doc, "summary", json_string(""));
    const json_t *alerts[] = {doc};
    char *body = format(alerts, 1, true);
    json_t *msg = check_message(body);
    /* No empty fields section (Slack refuses one): header, fields, summary, context. */
    CHECK(json_array_size(json_object_get(msg, "blocks")) == 4);
    CHECK(eq(fx_str(block(msg, 3), "type"), "context"));
    CHECK(eq(fx_str(json_object_get(block(msg, 2), "text"), "text"), "(no summary)"));
    json_decref(msg);
    free(body);
    json_decref(doc);
}

/* n findings of one kind on one chain, ids 100.., the last critical. */
static json_t **group_docs(size_t n)
{
    json_t **docs = fx_group_docs(n);
    json_object_set_new(docs[n - 1], "severity", json_string("critical"));
    return docs;
}

static void test_group(void)
{
    json_t **docs = group_docs(3);
    char *body = format((const json_t *const *)docs, 3, true);
    json_t *msg = check_message(body);
    CHECK(json_array_size(json_object_get(msg, "blocks")) == 6);
    CHECK(eq(fx_str(msg, "text"), "[CRITICAL] 3 data_withheld findings on base (base)"));
    CHECK(eq(fx_str(json_object_get(block(msg, 0), "text"), "text"),
             "CRITICAL \xc2\xb7 3 data_withheld findings on base"));
    CHECK(eq(field_text(msg, 1, 0), "*Kind*\n`data_withheld`"));
    CHECK(eq(field_text(msg, 1, 2), "*Findings*\n3"));
    CHECK(eq(field_text(msg, 1, 3), "*Most severe*\ncritical"));
    CHECK(eq(field_text(msg, 1, 4), "*Event*\nraised"));
    for (size_t i = 0; i < 3; i++) {
        const char *line = fx_str(json_object_get(block(msg, 2 + i), "text"), "text");
        char want[120];
        snprintf(want, sizeof want, "<" FX_DASHBOARD "/findings/%zu|#%zu>", 100 + i, 100 + i);
        CHECK_MSG(line && strncmp(line, want, strlen(want)) == 0, "line %zu: %s", i, line ? line : "(none)");
        CHECK(line && strstr(line, "base: a batch's data cannot be fetched"));
        /* data_withheld of base cites an ethereum block and transaction. */
        CHECK(line && strstr(line, "block <" FX_L1_EXPLORER "/block/19780044|19780044> on ethereum"));
        CHECK(line && (i % 2 == 0) == (strstr(line, " tx <" FX_L1_EXPLORER "/tx/0x3e1f") != NULL));
    }
    CHECK(strstr(fx_str(json_object_get(block(msg, 2), "text"), "text"), "*HIGH*") != NULL);
    CHECK(strstr(fx_str(json_object_get(block(msg, 4), "text"), "text"), "*CRITICAL*") != NULL);
    const char *c = fx_str(json_array_get(json_object_get(block(msg, 5), "elements"), 0), "text");
    CHECK(eq(c, "l2watch \xc2\xb7 <" FX_DASHBOARD "|dashboard>"));
    json_decref(msg);
    free(body);
    fx_free_docs(docs, 3);
}

/* Past Slack's 50 blocks the rest is counted, not sent. */
static void test_group_block_limit(void)
{
    static const size_t sizes[] = {47, 48, 120};
    static const size_t more[] = {0, 2, 74};
    for (size_t k = 0; k < 3; k++) {
        size_t n = sizes[k];
        json_t **docs = group_docs(n);
        char *body = format((const json_t *const *)docs, n, k != 1);
        json_t *msg = check_message(body);
        const json_t *blocks = json_object_get(msg, "blocks");
        CHECK_MSG(json_array_size(blocks) == 50, "n %zu: %zu blocks", n, json_array_size(blocks));
        const char *last = fx_str(json_object_get(block(msg, 48), "text"), "text");
        char want[40];
        snprintf(want, sizeof want, "\xe2\x80\xa6" "and %zu more", more[k]);
        CHECK_MSG(more[k] == 0 ? (last && last[0] == '<') : eq(last, want), "n %zu: %s", n,
                  last ? last : "(none)");
        json_decref(msg);
        free(body);
        fx_free_docs(docs, n);
    }
}

static l2w_status slack_fn(char **out, const l2w_alert_batch *b, void *ctx, l2w_err *err)
{
    (void)ctx;
    return l2w_format_slack(out, b, err);
}

static void test_malformed(void)
{
    fx_check_malformed(slack_fn, NULL, true);
}

static void test_random_payloads(void)
{
    fx_check_random_payloads(slack_fn, NULL, 3000);
}

int main(void)
{
    RUN(test_one_finding);
    RUN(test_without_links);
    RUN(test_explorer_per_chain);
    RUN(test_resolve_and_retract);
    RUN(test_escaping);
    RUN(test_limits);
    RUN(test_empty_evidence);
    RUN(test_group);
    RUN(test_group_block_limit);
    RUN(test_malformed);
    RUN(test_random_payloads);
    return l2w_test_finish();
}
