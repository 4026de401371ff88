/* The Discord and Telegram formatters against their documented bodies.
 * Discord: content <= 2000, one embed with title <= 256, description <=
 * 4096, colour, fields <= 25 (names <= 256, values <= 1024), footer, all
 * text <= 6000, allowed_mentions empty; markdown and mentions escaped.
 * Telegram: chat_id as number or @name, text <= 4096 of well-formed HTML
 * (only the tags and entities Telegram knows), parse_mode HTML,
 * disable_web_page_preview. Both: groups, resolve and retract, cuts at the
 * limits, malformed payloads. */

#include <stdlib.h>
#include <string.h>

#include "alerts/alert_format.h"
#include "tests/unit/harness.h"
#include "tests/unit/support/format_fixtures.h"

static bool eq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

static bool has(const char *s, const char *part)
{
    return s && strstr(s, part) != NULL;
}

/* ---- Discord ---- */

static size_t checked_text(const json_t *obj, const char *key, size_t max, const char *where)
{
    const char *t = fx_str(obj, key);
    CHECK_MSG(t && t[0], "%s.%s: missing or empty", where, key);
    size_t u = t ? fx_units(t) : 0;
    CHECK_MSG(u <= max, "%s.%s: %zu characters > %zu", where, key, u, max);
    return u;
}

/* Checks a Discord body against the limits; returns the embed's object
 * (the parsed body in *root, which the caller releases). */
static const json_t *check_discord(json_t **root, const char *body)
{
    json_t *msg = *root = fx_parse(body);
    CHECK_MSG(msg != NULL, "not JSON: %.200s", body ? body : "(null)");
    CHECK(json_object_size(msg) == 3);
    checked_text(msg, "content", 2000, "message");
    const json_t *am = json_object_get(msg, "allowed_mentions");
    CHECK(json_object_size(am) == 1 && json_is_array(json_object_get(am, "parse")) &&
          json_array_size(json_object_get(am, "parse")) == 0);
    const json_t *embeds = json_object_get(msg, "embeds");
    CHECK(json_is_array(embeds) && json_array_size(embeds) == 1);
    const json_t *e = json_array_get(embeds, 0);
    size_t total = checked_text(e, "title", 256, "embed") + checked_text(e, "description", 4096, "embed");
    const json_t *colour = json_object_get(e, "color");
    CHECK(json_is_integer(colour) && json_integer_value(colour) >= 0 && json_integer_value(colour) <= 0xffffff);
    CHECK(json_is_string(json_object_get(e, "timestamp")));
    const json_t *url = json_object_get(e, "url");
    CHECK(url == NULL || strncmp(json_string_value(url), "https://", 8) == 0);
    const json_t *fields = json_object_get(e, "fields");
    CHECK(json_is_array(fields) && json_array_size(fields) <= 25);
    size_t i;
    const json_t *f;
    json_array_foreach (fields, i, f) {
        total += checked_text(f, "name", 256, "field") + checked_text(f, "value", 1024, "field");
        CHECK(json_is_boolean(json_object_get(f, "inline")));
    }
    total += checked_text(json_object_get(e, "footer"), "text", 2048, "footer");
    CHECK_MSG(total <= 6000, "embed of %zu characters", total);
    return e;
}

static char *discord(const json_t *const *alerts, size_t n, bool links)
{
    l2w_alert_batch b = fx_batch(alerts, n, links);
    char *body = NULL;
    l2w_err err = {{0}};
    l2w_status st = l2w_format_discord(&body, &b, &err);
    CHECK_MSG(st == L2W_OK, "%s: %s", l2w_status_str(st), err.msg);
    return body;
}

static const char *field_value(const json_t *e, size_t i)
{
    return fx_str(json_array_get(json_object_get(e, "fields"), i), "value");
}

static void test_discord_one(void)
{
    json_t *doc = fx_invalid_output_root("raised");
    const json_t *alerts[] = {doc};
    char *body = discord(alerts, 1, true);
    json_t *msg;
    const json_t *e = check_discord(&msg, body);
    CHECK(eq(fx_str(msg, "content"), "**CRITICAL** \xc2\xb7 Invalid output root at index 4211 \\(L2 block 120961800\\)"));
    CHECK(eq(fx_str(e, "title"), "CRITICAL \xc2\xb7 Invalid output root at index 4211 (L2 block 120961800)"));
    CHECK(eq(fx_str(e, "description"), fx_str(doc, "summary")));
    CHECK(eq(fx_str(e, "url"), FX_DASHBOARD "/findings/17"));
    CHECK(json_integer_value(json_object_get(e, "color")) == 0xc62828);
    CHECK(eq(fx_str(e, "timestamp"), "2024-05-01T12:20:31.418Z"));
    static const char *const names[] = {"Kind", "Severity", "Chain", "Event", "Block", "Tx", "output_index"};
    for (size_t i = 0; i < 7; i++)
        CHECK(eq(fx_str(json_array_get(json_object_get(e, "fields"), i), "name"), names[i]));
    CHECK(eq(field_value(e, 0), "`invalid_output_root`"));
    CHECK(eq(field_value(e, 3), "raised (finding open)"));
    CHECK(eq(field_value(e, 4), "[120961800](" FX_EXPLORER "/block/120961800)"));
    CHECK(eq(field_value(e, 5), "[0xa1b2\xe2\x80\xa6" "8f90](" FX_L1_EXPLORER
                                "/tx/0xa1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90) on ethereum"));
    CHECK(eq(field_value(e, 6), "4211"));
    CHECK(json_array_size(json_object_get(e, "fields")) == 6 + 15);
    CHECK(eq(fx_str(json_object_get(e, "footer"), "text"), "l2watch \xc2\xb7 finding #17"));
    json_decref(msg);
    free(body);
    json_decref(doc);
}

static void test_explorer_per_chain(void)
{
    json_t *doc = fx_invalid_output_root("raised");
    const json_t *alerts[] = {doc};
    l2w_alert_batch b = fx_batch(alerts, 1, true);
    b.explorers_ctx = fx_l1_only_explorers;
    char *body = NULL;
    l2w_err err = {{0}};
    CHECK(l2w_format_discord(&body, &b, &err) == L2W_OK);
    CHECK(body && strstr(body, "](" FX_L1_EXPLORER "/tx/0xa1b2") && !strstr(body, "/block/"));
    free(body);
    body = NULL;
    CHECK(l2w_format_telegram(&body, &b, "-1001234567890", &err) == L2W_OK);
    CHECK(body && strstr(body, "Block 120961800 \u00b7 Tx <a href=\\\"" FX_L1_EXPLORER "/tx/0xa1b2"));
    CHECK(body && !strstr(body, "/block/"));
    free(body);
    json_decref(doc);
}

static void test_discord_events(void)
{
    static const char *const events[] = {"resolved", "retracted", "escalated"};
    static const long long colours[] = {0x2e7d32, 0x9e9e9e, 0xef6c00};
    for (size_t i = 0; i < 3; i++) {
        json_t *doc = fx_data_withheld(31, events[i], false);
        const json_t *alerts[] = {doc};
        char *body = discord(alerts, 1, false);
        json_t *msg;
        const json_t *e = check_discord(&msg, body);
        CHECK(json_integer_value(json_object_get(e, "color")) == colours[i]);
        CHECK(has(fx_str(e, "title"), i == 0 ? "Resolved: base" : i == 1 ? "Retracted: base" : "Escalated: base"));
        CHECK(json_object_get(e, "url") == NULL);
        CHECK(eq(field_value(e, 4), "19780044 on ethereum"));
        CHECK(eq(field_value(e, 5), "\xe2\x80\x94"));
        json_decref(msg);
        free(body);
        json_decref(doc);
    }
}

/* Nothing a payload says can ping, link or format. */
static void test_discord_escaping(void)
{
    json_t *doc = fx_invalid_output_root("raised");
    json_object_set_new(doc, "title", json_string("@everyone [click](https://evil.example) *now* <@&123>"));
    json_object_set_new(doc, "summary", json_string("see [here](https://evil.example) `x` ~~y~~ _z_"));
    const json_t *alerts[] = {doc};
    char *body = discord(alerts, 1, true);
    json_t *msg;
    const json_t *e = check_discord(&msg, body);
    CHECK(eq(fx_str(msg, "content"), "**CRITICAL** \xc2\xb7 \\@everyone \\[click\\]\\(https://evil.example\\) \\*now\\* "
                                     "\\<\\@&123\\>"));
    CHECK(eq(fx_str(e, "description"), "see \\[here\\]\\(https://evil.example\\) \\`x\\` \\~\\~y\\~\\~ \\_z\\_"));
    json_decref(msg);
    free(body);
    json_decref(doc);
}

static void test_discord_limits(void)
{
    json_t *doc = fx_invalid_output_root("raised");
    char *big = fx_repeat("\xf0\x9f\x94\xa5*", 4000); /* 3 units each, one an escape */
    json_object_set_new(doc, "title", json_string(big));
    fx_bloat(doc, big, 40);
    const json_t *alerts[] = {doc};
    char *body = discord(alerts, 1, true);
    json_t *msg;
    const json_t *e = check_discord(&msg, body); /* the limits, and UTF-8 after the cuts */
    CHECK(fx_units(fx_str(e, "title")) >= 250);
    CHECK(has(fx_str(json_object_get(e, "footer"), "text"), "more evidence entries on the dashboard"));
    /* A cut never leaves a lone escaping backslash before the ellipsis. */
    const char *d = fx_str(e, "description");
    CHECK(d && strlen(d) > 4 && strcmp(d + strlen(d) - 4, "\\\xe2\x80\xa6") != 0);
    json_decref(msg);
    free(body);
    free(big);
    json_decref(doc);
}

static void test_discord_group(void)
{
    json_t **docs = fx_group_docs(3);
    char *body = discord((const json_t *const *)docs, 3, true);
    json_t *msg;
    const json_t *e = check_discord(&msg, body);
    CHECK(eq(fx_str(e, "title"), "HIGH \xc2\xb7 3 data_withheld findings on base"));
    CHECK(eq(fx_str(e, "url"), FX_DASHBOARD));
    const char *d = fx_str(e, "description");
    /* Even our own "#" is escaped: a line starting with "# " would be a heading. */
    static const char first[] = "[\\#100](" FX_DASHBOARD "/findings/100) \xc2\xb7 **HIGH** \xc2\xb7 base: a batch's";
    CHECK_MSG(d && strncmp(d, first, strlen(first)) == 0, "%.120s", d ? d : "");
    CHECK(has(d, "\n[\\#101](") && has(d, "\n[\\#102]("));
    CHECK(eq(field_value(e, 2), "3"));
    json_decref(msg);
    free(body);
    fx_free_docs(docs, 3);

    docs = fx_group_docs(500);
    body = discord((const json_t *const *)docs, 500, true);
    e = check_discord(&msg, body);
    d = fx_str(e, "description");
    const char *more = d ? strstr(d, "\n\xe2\x80\xa6" "and ") : NULL;
    CHECK(more && atoi(more + 8) > 400 && strstr(more, " more") && !strchr(more + 1, '\n'));
    json_decref(msg);
    free(body);
    fx_free_docs(docs, 500);
}

/* ---- Telegram ---- */

/* Telegram's HTML: only <b>, <code> and <a href="..."> here, balanced, and
 * &amp; &lt; &gt; &quot; as the only entities. */
static bool telegram_html(const char *t)
{
    const char *stack[16];
    size_t depth = 0;
    for (const char *p = t; *p;) {
        if (*p == '&') {
            size_t n = !strncmp(p, "&amp;", 5) ? 5 : !strncmp(p, "&lt;", 4) || !strncmp(p, "&gt;", 4) ? 4
                       : !strncmp(p, "&quot;", 6)                                                  ? 6
                                                                                                   : 0;
            if (!n)
                return false;
            p += n;
        } else if (*p == '>') {
            return false;
        } else if (*p == '<') {
            const char *close = strchr(p, '>');
            if (!close)
                return false;
            if (p[1] == '/') {
                if (depth == 0 || strncmp(p + 2, stack[depth - 1], strlen(stack[depth - 1])) != 0)
                    return false;
                depth--;
            } else if (!strncmp(p, "<b>", 3) || !strncmp(p, "<code>", 6) || !strncmp(p, "<a href=\"https://", 17)) {
                if (depth == 16 || (p[1] == 'a' && (close[-1] != '"' || memchr(p + 9, '"', (size_t)(close - p - 10)))))
                    return false;
                stack[depth++] = p[1] == 'b' ? "b>" : p[1] == 'c' ? "code>" : "a>";
            } else {
                return false;
            }
            p = close + 1;
        } else {
            p++;
        }
    }
    return depth == 0;
}

static const char *check_telegram(json_t **root, const char *body, bool numeric_chat)
{
    json_t *msg = *root = fx_parse(body);
    CHECK_MSG(msg != NULL, "not JSON: %.200s", body ? body : "(null)");
    CHECK(json_object_size(msg) == 4);
    CHECK(numeric_chat ? json_is_integer(json_object_get(msg, "chat_id"))
                       : json_is_string(json_object_get(msg, "chat_id")));
    CHECK(eq(fx_str(msg, "parse_mode"), "HTML"));
    CHECK(json_is_true(json_object_get(msg, "disable_web_page_preview")));
    const char *t = fx_str(msg, "text");
    CHECK(t && t[0] && fx_units(t) <= 4096);
    CHECK_MSG(t && telegram_html(t), "not Telegram HTML: %.300s", t ? t : "");
    return t;
}

static char *telegram(const json_t *const *alerts, size_t n, bool links, const char *chat)
{
    l2w_alert_batch b = fx_batch(alerts, n, links);
    char *body = NULL;
    l2w_err err = {{0}};
    l2w_status st = l2w_format_telegram(&body, &b, chat, &err);
    CHECK_MSG(st == L2W_OK, "%s: %s", l2w_status_str(st), err.msg);
    return body;
}

static void test_telegram_one(void)
{
    json_t *doc = fx_invalid_output_root("raised");
    const json_t *alerts[] = {doc};
    char *body = telegram(alerts, 1, true, "-1001234567890");
    json_t *msg;
    const char *t = check_telegram(&msg, body, true);
    CHECK(json_integer_value(json_object_get(msg, "chat_id")) == -1001234567890LL);
    static const char head[] = "<b>CRITICAL</b> \xc2\xb7 <b>Invalid output root at index 4211 (L2 block 120961800)</b>\n"
                               "<code>invalid_output_root</code> on <b>op-mainnet</b> \xc2\xb7 raised (finding open)\n"
                               "Block <a href=\"" FX_EXPLORER "/block/120961800\">120961800</a> \xc2\xb7 Tx <a href=\""
                               FX_L1_EXPLORER "/tx/0xa1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90\">"
                               "0xa1b2\xe2\x80\xa6" "8f90</a> on ethereum\n";
    CHECK_MSG(t && strncmp(t, head, strlen(head)) == 0, "%.300s", t ? t : "");
    CHECK(has(t, fx_str(doc, "summary")));
    CHECK(has(t, "\n\n<b>Evidence</b>\noutput_index: <code>4211</code>\n"));
    CHECK(has(t, "\nl1_log_index: <code>137</code>\n\n<a href=\"" FX_DASHBOARD
                 "/findings/17\">Finding #17 on the dashboard</a> \xc2\xb7 detected 2024-05-01T12:20:31.418Z"));
    json_decref(msg);
    free(body);

    body = telegram(alerts, 1, false, "@l2watch_alerts");
    t = check_telegram(&msg, body, false);
    CHECK(eq(fx_str(msg, "chat_id"), "@l2watch_alerts"));
    CHECK(!has(t, "<a "));
    CHECK(has(t, "Block 120961800 \xc2\xb7 Tx 0xa1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"));
    json_decref(msg);
    free(body);
    json_decref(doc);
}

static void test_telegram_escaping_and_events(void)
{
    json_t *doc = fx_data_withheld(31, "retracted", true);
    json_object_set_new(doc, "title", json_string("<script>alert(1)</script> & <a href=\"https://evil\">x</a>"));
    json_object_set_new(json_object_get(doc, "evidence"), "<i>", json_string("\"q\" & <b>"));
    const json_t *alerts[] = {doc};
    char *body = telegram(alerts, 1, true, "123456789");
    json_t *msg;
    const char *t = check_telegram(&msg, body, true);
    CHECK(has(t, "<b>Retracted: &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;a href=\"https://evil\"&gt;x&lt;/a&gt;"
                 "</b>"));
    CHECK(has(t, "\n&lt;i&gt;: <code>\"q\" &amp; &lt;b&gt;</code>"));
    CHECK(has(t, "retracted (finding retracted)"));
    CHECK(has(t, "\nchallenge: <code>{\"status\":\"active\",\"block\":19780101,\"tx\":null}</code>"));
    json_decref(msg);
    free(body);
    json_decref(doc);
}

static void test_telegram_limits(void)
{
    json_t *doc = fx_invalid_output_root("raised");
    char *big = fx_repeat("<\xf0\x9f\x94\xa5", 5000);
    fx_bloat(doc, big, 60);
    const json_t *alerts[] = {doc};
    char *body = telegram(alerts, 1, true, "42");
    json_t *msg;
    const char *t = check_telegram(&msg, body, true); /* <= 4096, whole entities and tags */
    CHECK(has(t, " more evidence entries on the dashboard"));
    CHECK(has(t, "Finding #17 on the dashboard</a>"));
    json_decref(msg);
    free(body);
    free(big);
    json_decref(doc);

    json_t **docs = fx_group_docs(300);
    body = telegram((const json_t *const *)docs, 300, true, "42");
    t = check_telegram(&msg, body, true);
    static const char group_head[] = "<b>HIGH</b> \xc2\xb7 <b>300 data_withheld findings on base</b>\n\n<a href=\""
                                     FX_DASHBOARD "/findings/100\">#100</a> \xc2\xb7 <b>HIGH</b>";
    CHECK_MSG(t && strncmp(t, group_head, strlen(group_head)) == 0, "%.200s", t ? t : "");
    CHECK(has(t, "\xe2\x80\xa6" "and ") && has(t, "\n\n<a href=\"" FX_DASHBOARD "\">Dashboard</a>"));
    json_decref(msg);
    free(body);
    fx_free_docs(docs, 300);
}

static void test_telegram_chat_id(void)
{
    json_t *doc = fx_invalid_output_root("raised");
    const json_t *alerts[] = {doc};
    l2w_alert_batch b = fx_batch(alerts, 1, true);
    static const char *const bad[] = {"", "abc", "12ab", "@bad name", "@", "0", "99999999999999999999", "-", NULL};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char *body = (char *)"x";
        l2w_err err = {{0}};
        CHECK_MSG(l2w_format_telegram(&body, &b, bad[i], &err) == L2W_ERR_INVALID, "%s", bad[i] ? bad[i] : "NULL");
        CHECK(body == NULL && has(err.msg, "chat_id"));
    }
    json_decref(doc);
}

static l2w_status discord_fn(char **out, const l2w_alert_batch *b, void *ctx, l2w_err *err)
{
    (void)ctx;
    return l2w_format_discord(out, b, err);
}

static l2w_status telegram_fn(char **out, const l2w_alert_batch *b, void *ctx, l2w_err *err)
{
    return l2w_format_telegram(out, b, (const char *)ctx, err);
}

static void test_malformed(void)
{
    fx_check_malformed(discord_fn, NULL, true);
    fx_check_malformed(telegram_fn, (void *)"-100200300", true);
}

static void test_random_payloads(void)
{
    fx_check_random_payloads(discord_fn, NULL, 1500);
    fx_check_random_payloads(telegram_fn, (void *)"@l2watch", 1500);
}

int main(void)
{
    RUN(test_discord_one);
    RUN(test_explorer_per_chain);
    RUN(test_discord_events);
    RUN(test_discord_escaping);
    RUN(test_discord_limits);
    RUN(test_discord_group);
    RUN(test_telegram_one);
    RUN(test_telegram_escaping_and_events);
    RUN(test_telegram_limits);
    RUN(test_telegram_chat_id);
    RUN(test_malformed);
    RUN(test_random_payloads);
    return l2w_test_finish();
}
