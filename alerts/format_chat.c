/* Discord webhook and Telegram sendMessage bodies for alerts. */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/alert_format.h"
#include "alerts/format_common.h"

/* Discord's documented embed limits, in characters. */
#define DC_CONTENT_MAX 2000
#define DC_TITLE_MAX 256
#define DC_DESCRIPTION_MAX 4096
#define DC_FIELDS_MAX 25
#define DC_FIELD_NAME_MAX 256
#define DC_FIELD_VALUE_MAX 1024
#define DC_EMBED_TOTAL_MAX 6000 /* title, description, field names and values, footer */
#define DC_FOOTER_ROOM 120       /* kept for the footer while filling the rest */
/* Telegram: "1-4096 characters after entities parsing"; we count the markup too. */
#define TG_TEXT_MAX 4096
#define TG_VALUE_MAX 300
#define TG_MORE_ROOM 80
#define HEADLINE_MAX 300
#define DOT " \xc2\xb7 "

/* ---- what both show ---- */

/* What is left of max after used, never below 0. */
static size_t room_left(size_t max, size_t used)
{
    return used < max ? max - used : 0;
}

/* "**CRITICAL** · <headline>" (Discord) or "<b>CRITICAL</b> · <b><headline></b>" (Telegram). */
static void put_headline(l2w_fmt_str *s, l2w_markup m, const l2w_fmt_batch *fb, const char *headline)
{
    unsigned how = l2w_fmt_markup_escape(m) | L2W_FMT_ONE_LINE;
    l2w_fmt_bold(s, m, l2w_fmt_severity_upper(fb->top));
    l2w_fmt_raw(s, DOT);
    if (m == L2W_MARKUP_HTML)
        l2w_fmt_raw(s, "<b>");
    l2w_fmt_text(s, headline, how, HEADLINE_MAX);
    if (m == L2W_MARKUP_HTML)
        l2w_fmt_raw(s, "</b>");
}

/* A block or tx reference: linked when the explorer is known, the hash
 * shortened only where a link keeps it whole, followed by its chain when
 * that is not the finding's (other). */
static void put_ref(l2w_fmt_str *s, l2w_markup m, const char *value, const char *url, bool is_hash,
                    const char *other)
{
    char hash[16];
    if (!value) {
        l2w_fmt_raw(s, "\xe2\x80\x94");
        return;
    }
    l2w_fmt_link(s, m, url, is_hash && url ? l2w_fmt_short_hash(hash, value) : value, 80);
    l2w_fmt_on_chain(s, m, other);
}

static void put_more(l2w_fmt_str *s, size_t left)
{
    if (left)
        l2w_fmt_rawf(s, "%zu more evidence entr%s on the dashboard", left, left == 1 ? "y" : "ies");
}

/* ---- Discord ---- */

static int dc_colour(const l2w_fmt_batch *fb)
{
    if (fb->n == 1 && fb->a[0].event == L2W_EVENT_RESOLVED)
        return 0x2e7d32; /* green: over */
    if (fb->n == 1 && fb->a[0].event == L2W_EVENT_RETRACTED)
        return 0x9e9e9e; /* grey: never was */
    switch (fb->top) {
    case L2W_SEV_CRITICAL: return 0xc62828;
    case L2W_SEV_HIGH: return 0xef6c00;
    case L2W_SEV_MEDIUM: return 0xf9a825;
    case L2W_SEV_LOW: return 0x1565c0;
    case L2W_SEV_INFO: return 0x607d8b;
    }
    return 0x607d8b;
}

/* Adds {name, value, inline}; *used counts the embed's characters. */
static int dc_field(json_t *fields, size_t *used, const char *name, l2w_fmt_str *value, bool inline_)
{
    char *v;
    if (l2w_fmt_take(&v, value) != L2W_OK)
        return -1;
    *used += l2w_fmt_text_units(name, L2W_FMT_PLAIN) + l2w_fmt_text_units(v, L2W_FMT_PLAIN);
    int rc = json_array_append_new(fields, json_pack("{s:s, s:s, s:b}", "name", name, "value", v, "inline",
                                                     inline_));
    free(v);
    return rc;
}

static int dc_fixed_fields(json_t *fields, size_t *used, const l2w_fmt_alert *a)
{
    const unsigned how = L2W_FMT_MARKDOWN | L2W_FMT_ONE_LINE;
    l2w_fmt_str v = L2W_FMT_STR_INIT;
    l2w_fmt_rawf(&v, "`%s`", a->kind);
    int rc = dc_field(fields, used, "Kind", &v, true);
    l2w_fmt_raw(&v, l2w_severity_name(a->severity));
    rc |= dc_field(fields, used, "Severity", &v, true);
    l2w_fmt_text(&v, a->chain, how, 200);
    rc |= dc_field(fields, used, "Chain", &v, true);
    l2w_fmt_rawf(&v, "%s (finding %s)", a->event_name, a->status_name);
    rc |= dc_field(fields, used, "Event", &v, true);
    put_ref(&v, L2W_MARKUP_DISCORD, a->block_number, a->block_url, false, l2w_fmt_other_chain(a, a->block_chain));
    rc |= dc_field(fields, used, "Block", &v, true);
    put_ref(&v, L2W_MARKUP_DISCORD, a->tx_hash, a->tx_url, true, l2w_fmt_other_chain(a, a->tx_chain));
    rc |= dc_field(fields, used, "Tx", &v, true);
    return rc;
}

/* Evidence entries as fields while they fit; *left counts the rest. */
static int dc_evidence(json_t *fields, size_t *used, size_t *left, const l2w_fmt_alert *a)
{
    const char *key;
    json_t *val;
    *left = 0;
    json_object_foreach ((json_t *)a->evidence, key, val) {
        l2w_fmt_str name = L2W_FMT_STR_INIT, v = L2W_FMT_STR_INIT;
        char *text = NULL, *n = NULL;
        if (l2w_fmt_value_text(&text, val) != L2W_OK)
            return -1;
        l2w_fmt_text(&name, key[0] ? key : "(empty key)", L2W_FMT_ONE_LINE, DC_FIELD_NAME_MAX);
        l2w_fmt_text(&v, text[0] ? text : "\xe2\x80\x94", L2W_FMT_MARKDOWN, DC_FIELD_VALUE_MAX);
        free(text);
        bool fits = json_array_size(fields) < DC_FIELDS_MAX &&
                    *used + name.units + v.units <= DC_EMBED_TOTAL_MAX - DC_FOOTER_ROOM;
        int rc = 0;
        if (fits && (rc = l2w_fmt_take(&n, &name)) == 0)
            rc = dc_field(fields, used, n, &v, l2w_fmt_is_scalar(val) && v.units <= 40);
        if (!fits)
            (*left)++;
        free(n);
        l2w_fmt_str_free(&name);
        l2w_fmt_str_free(&v);
        if (rc)
            return -1;
    }
    return 0;
}

static int dc_group_fields(json_t *fields, size_t *used, const l2w_fmt_batch *fb)
{
    const char *event = l2w_fmt_common_event(fb);
    l2w_fmt_str v = L2W_FMT_STR_INIT;
    l2w_fmt_rawf(&v, "`%s`", fb->a[0].kind);
    int rc = dc_field(fields, used, "Kind", &v, true);
    l2w_fmt_text(&v, fb->a[0].chain, L2W_FMT_MARKDOWN | L2W_FMT_ONE_LINE, 200);
    rc |= dc_field(fields, used, "Chain", &v, true);
    l2w_fmt_rawf(&v, "%zu", fb->n);
    rc |= dc_field(fields, used, "Findings", &v, true);
    l2w_fmt_raw(&v, l2w_severity_name(fb->top));
    rc |= dc_field(fields, used, "Most severe", &v, true);
    l2w_fmt_raw(&v, event ? event : "several");
    rc |= dc_field(fields, used, "Event", &v, true);
    return rc;
}

/* The embed's description and fields; *footer gets the footer's text. */
static l2w_status dc_body(json_t *fields, char **description, l2w_fmt_str *footer, size_t used,
                          const l2w_fmt_batch *fb)
{
    l2w_fmt_str d = L2W_FMT_STR_INIT;
    size_t left = 0;
    int rc = 0;
    if (fb->n > 1) {
        rc = dc_group_fields(fields, &used, fb);
        l2w_fmt_finding_lines(&d, L2W_MARKUP_DISCORD, fb, DC_DESCRIPTION_MAX);
        l2w_fmt_raw(footer, "l2watch");
    } else {
        const l2w_fmt_alert *a = &fb->a[0];
        rc = dc_fixed_fields(fields, &used, a);
        size_t room = room_left(DC_EMBED_TOTAL_MAX - DC_FOOTER_ROOM, used);
        l2w_fmt_text(&d, a->summary[0] ? a->summary : "(no summary)", L2W_FMT_MARKDOWN,
                     room < DC_DESCRIPTION_MAX ? room : DC_DESCRIPTION_MAX);
        used += d.units;
        if (!rc)
            rc = dc_evidence(fields, &used, &left, a);
        l2w_fmt_rawf(footer, "l2watch" DOT "finding #%" PRId64, a->id);
        if (left)
            l2w_fmt_raw(footer, DOT);
        put_more(footer, left);
    }
    l2w_status st = l2w_fmt_take(description, &d);
    return rc ? L2W_ERR_NOMEM : st;
}

l2w_status l2w_format_discord(char **body, const l2w_alert_batch *b, l2w_err *err)
{
    l2w_fmt_batch fb;
    char *headline, *title = NULL, *content = NULL, *description = NULL, *footer_text = NULL;
    l2w_status st = l2w_fmt_begin(body, &fb, &headline, b, err);
    if (st != L2W_OK)
        return st;
    l2w_fmt_str t = L2W_FMT_STR_INIT, c = L2W_FMT_STR_INIT, footer = L2W_FMT_STR_INIT;
    json_t *fields = json_array();
    if (!fields) {
        st = L2W_ERR_NOMEM;
        goto out;
    }
    /* Titles show markdown as typed: the title is not escaped. */
    l2w_fmt_rawf(&t, "%s" DOT, l2w_fmt_severity_upper(fb.top));
    l2w_fmt_text(&t, headline, L2W_FMT_ONE_LINE, DC_TITLE_MAX - t.units);
    size_t title_units = t.units;
    put_headline(&c, L2W_MARKUP_DISCORD, &fb, headline);
    if ((st = l2w_fmt_take(&title, &t)) != L2W_OK || (st = l2w_fmt_take(&content, &c)) != L2W_OK ||
        (st = dc_body(fields, &description, &footer, title_units, &fb)) != L2W_OK ||
        (st = l2w_fmt_take(&footer_text, &footer)) != L2W_OK)
        goto out;
    const char *url = fb.n == 1 ? fb.a[0].finding_url : fb.dashboard_url;
    json_t *embed = json_pack("{s:s, s:s, s:s*, s:i, s:s, s:O, s:{s:s}}", "title", title, "description", description,
                              "url", url, "color", dc_colour(&fb), "timestamp", fb.a[0].detected_at, "fields", fields,
                              "footer", "text", footer_text);
    /* allowed_mentions empty: nothing in the message pings anyone. */
    st = l2w_fmt_dump(body, json_pack("{s:s, s:[o], s:{s:[]}}", "content", content, "embeds", embed,
                                      "allowed_mentions", "parse"),
                      err);
out:
    if (st == L2W_ERR_NOMEM && !*body)
        l2w_err_set(err, "discord: out of memory building the message");
    l2w_fmt_str_free(&t);
    l2w_fmt_str_free(&c);
    l2w_fmt_str_free(&footer);
    json_decref(fields);
    free(headline);
    free(title);
    free(content);
    free(description);
    free(footer_text);
    l2w_fmt_batch_free(&fb);
    return st;
}

/* ---- Telegram ---- */

/* A user or group id (a number, negative for groups) or an @channel name. */
static l2w_status tg_chat_id(json_t **out, const char *chat_id, l2w_err *err)
{
    *out = NULL;
    if (chat_id && chat_id[0] == '@') {
        size_t n = strlen(chat_id + 1);
        bool ok = n >= 1 && n <= 64;
        for (size_t i = 1; ok && chat_id[i]; i++)
            ok = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_", chat_id[i]) != NULL;
        if (ok)
            *out = json_string(chat_id);
    } else if (chat_id && chat_id[0]) {
        char *end = NULL;
        errno = 0;
        long long v = strtoll(chat_id, &end, 10);
        if (errno == 0 && *end == '\0' && v != 0 && (chat_id[0] == '-' || (chat_id[0] >= '0' && chat_id[0] <= '9')))
            *out = json_integer((json_int_t)v);
    } else {
        l2w_err_set(err, "telegram: chat_id: empty");
        return L2W_ERR_INVALID;
    }
    if (!*out) {
        l2w_err_set(err, "telegram: chat_id: neither a chat number nor an @channel name");
        return L2W_ERR_INVALID;
    }
    return L2W_OK;
}

/* "Block <a>…</a> · Tx <a>…</a>" and the finding's context line. */
static void tg_where(l2w_fmt_str *s, const l2w_fmt_alert *a)
{
    l2w_fmt_rawf(s, "\n<code>%s</code> on <b>", a->kind);
    l2w_fmt_text(s, a->chain, L2W_FMT_ENTITIES | L2W_FMT_ONE_LINE, 128);
    l2w_fmt_rawf(s, "</b>" DOT "%s (finding %s)\nBlock ", a->event_name, a->status_name);
    put_ref(s, L2W_MARKUP_HTML, a->block_number, a->block_url, false, l2w_fmt_other_chain(a, a->block_chain));
    l2w_fmt_raw(s, DOT "Tx ");
    put_ref(s, L2W_MARKUP_HTML, a->tx_hash, a->tx_url, true, l2w_fmt_other_chain(a, a->tx_chain));
}

/* Evidence lines while they fit in max units, then how many did not. */
static void tg_evidence(l2w_fmt_str *s, const l2w_fmt_alert *a, size_t max)
{
    const char *key;
    json_t *val;
    size_t left = 0, start = s->units;
    if (json_object_size(a->evidence))
        l2w_fmt_raw(s, "\n\n<b>Evidence</b>");
    json_object_foreach ((json_t *)a->evidence, key, val) {
        char *text = NULL;
        l2w_fmt_str line = L2W_FMT_STR_INIT;
        l2w_fmt_raw(&line, "\n");
        l2w_fmt_text(&line, key, L2W_FMT_ENTITIES | L2W_FMT_ONE_LINE, 64);
        l2w_fmt_raw(&line, ": <code>");
        if (l2w_fmt_value_text(&text, val) == L2W_OK)
            l2w_fmt_text(&line, text, L2W_FMT_ENTITIES | L2W_FMT_ONE_LINE, TG_VALUE_MAX);
        else
            line.b.failed = 1;
        free(text);
        l2w_fmt_raw(&line, "</code>");
        if (left == 0 && s->units - start + line.units <= max) {
            l2w_bytes_append(&s->b, line.b.data, line.b.len);
            s->b.failed |= line.b.failed;
            s->units += line.units;
        } else {
            left++;
        }
        l2w_fmt_str_free(&line);
    }
    if (left)
        l2w_fmt_raw(s, "\n\xe2\x80\xa6 ");
    put_more(s, left);
}

l2w_status l2w_format_telegram(char **body, const l2w_alert_batch *b, const char *chat_id, l2w_err *err)
{
    *body = NULL;
    json_t *chat = NULL;
    l2w_status st = tg_chat_id(&chat, chat_id, err);
    l2w_fmt_batch fb;
    char *headline, *text = NULL;
    if (st != L2W_OK || (st = l2w_fmt_begin(body, &fb, &headline, b, err)) != L2W_OK) {
        json_decref(chat);
        return st;
    }
    l2w_fmt_str s = L2W_FMT_STR_INIT, tail = L2W_FMT_STR_INIT;
    const l2w_fmt_alert *a = &fb.a[0];
    char label[48];
    snprintf(label, sizeof label, "Finding #%" PRId64 " on the dashboard", a->id);
    if (fb.n == 1) {
        l2w_fmt_raw(&tail, "\n\n");
        l2w_fmt_link(&tail, L2W_MARKUP_HTML, a->finding_url, label, sizeof label);
        l2w_fmt_rawf(&tail, DOT "detected %s", a->detected_at);
    } else if (fb.dashboard_url) {
        l2w_fmt_raw(&tail, "\n\n");
        l2w_fmt_link(&tail, L2W_MARKUP_HTML, fb.dashboard_url, "Dashboard", 20);
    }
    put_headline(&s, L2W_MARKUP_HTML, &fb, headline);
    if (fb.n == 1) {
        tg_where(&s, a);
        l2w_fmt_raw(&s, "\n\n");
        /* The summary may take half of what is left, the evidence the rest. */
        l2w_fmt_text(&s, a->summary, L2W_FMT_ENTITIES, room_left(TG_TEXT_MAX - TG_MORE_ROOM, tail.units + s.units) / 2);
        tg_evidence(&s, a, room_left(TG_TEXT_MAX - TG_MORE_ROOM, tail.units + s.units));
    } else {
        l2w_fmt_raw(&s, "\n\n");
        l2w_fmt_finding_lines(&s, L2W_MARKUP_HTML, &fb, room_left(TG_TEXT_MAX, tail.units + s.units));
    }
    l2w_bytes_append(&s.b, tail.b.data, tail.b.len);
    s.b.failed |= tail.b.failed;
    s.units += tail.units;
    if ((st = l2w_fmt_take(&text, &s)) != L2W_OK)
        goto out;
    json_t *msg = json_pack("{s:O, s:s, s:s, s:b}", "chat_id", chat, "text", text, "parse_mode", "HTML",
                            "disable_web_page_preview", 1);
    st = l2w_fmt_dump(body, msg, err);
out:
    if (st == L2W_ERR_NOMEM && !*body)
        l2w_err_set(err, "telegram: out of memory building the message");
    l2w_fmt_str_free(&s);
    l2w_fmt_str_free(&tail);
    json_decref(chat);
    free(headline);
    free(text);
    l2w_fmt_batch_free(&fb);
    return st;
}
