/* Slack incoming-webhook messages (Block Kit) for alerts. */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "alerts/alert_format.h"
#include "alerts/format_common.h"

/* Slack's documented limits, in characters. */
#define SLACK_HEADER_MAX 150  /* a header block's plain_text */
#define SLACK_TEXT_MAX 3000   /* a section's text, a context element */
#define SLACK_FIELD_MAX 2000  /* one of a section's fields */
#define SLACK_FIELDS_MAX 10   /* fields in a section */
#define SLACK_BLOCKS_MAX 50   /* blocks in a message */
/* A group message's blocks besides its findings: header, fields, context. */
#define GROUP_FIXED_BLOCKS 3
#define KEY_MAX 100
#define MDASH "\xe2\x80\x94"
#define DOT " \xc2\xb7 "

/* {"type": "mrkdwn", "text": <s>}, emptying s; NULL when out of memory. */
static json_t *mrkdwn(l2w_fmt_str *s)
{
    char *text;
    if (l2w_fmt_take(&text, s) != L2W_OK)
        return NULL;
    json_t *o = json_pack("{s:s, s:s}", "type", "mrkdwn", "text", text);
    free(text);
    return o;
}

static json_t *section_text(l2w_fmt_str *s)
{
    return json_pack("{s:s, s:o}", "type", "section", "text", mrkdwn(s));
}

static json_t *header_block(const l2w_fmt_batch *fb, const char *headline)
{
    l2w_fmt_str s = L2W_FMT_STR_INIT;
    l2w_fmt_rawf(&s, "%s" DOT, l2w_fmt_severity_upper(fb->top));
    l2w_fmt_text(&s, headline, L2W_FMT_ONE_LINE, SLACK_HEADER_MAX - s.units);
    char *text;
    if (l2w_fmt_take(&text, &s) != L2W_OK)
        return NULL;
    json_t *o = json_pack("{s:s, s:{s:s, s:s, s:b}}", "type", "header", "text", "type", "plain_text", "text", text,
                          "emoji", 1);
    free(text);
    return o;
}

/* "*<label>*\n<value>", value linked to url when it is set; an absent value
 * is a dash. */
static int add_field(json_t *fields, const char *label, const char *value, const char *url)
{
    l2w_fmt_str s = L2W_FMT_STR_INIT;
    l2w_fmt_rawf(&s, "*%s*\n", label);
    if (value)
        l2w_fmt_link(&s, L2W_MARKUP_SLACK, url, value, SLACK_FIELD_MAX - s.units);
    else
        l2w_fmt_raw(&s, MDASH);
    return json_array_append_new(fields, mrkdwn(&s));
}

/* A block or tx field: add_field's, then " on <chain>" when it is on
 * another chain than the finding's. */
static int ref_field(json_t *fields, const char *label, const char *value, const char *url, const char *other)
{
    if (!value || !other)
        return add_field(fields, label, value, url);
    l2w_fmt_str s = L2W_FMT_STR_INIT;
    l2w_fmt_rawf(&s, "*%s*\n", label);
    l2w_fmt_link(&s, L2W_MARKUP_SLACK, url, value, SLACK_FIELD_MAX / 2);
    l2w_fmt_on_chain(&s, L2W_MARKUP_SLACK, other);
    return json_array_append_new(fields, mrkdwn(&s));
}

static json_t *fields_block(const l2w_fmt_alert *a)
{
    json_t *f = json_array();
    char kind[80], event[64], hash[16];
    snprintf(kind, sizeof kind, "`%s`", a->kind);
    snprintf(event, sizeof event, "%s (finding %s)", a->event_name, a->status_name);
    const char *tx = a->tx_hash && a->tx_url ? l2w_fmt_short_hash(hash, a->tx_hash) : a->tx_hash;
    if (!f || add_field(f, "Kind", kind, NULL) || add_field(f, "Severity", l2w_severity_name(a->severity), NULL) ||
        add_field(f, "Chain", a->chain, NULL) || add_field(f, "Event", event, NULL) ||
        ref_field(f, "Block", a->block_number, a->block_url, l2w_fmt_other_chain(a, a->block_chain)) ||
        ref_field(f, "Tx", tx, a->tx_url, l2w_fmt_other_chain(a, a->tx_chain))) {
        json_decref(f);
        return NULL;
    }
    return json_pack("{s:s, s:o}", "type", "section", "fields", f);
}

/* Up to ten scalar evidence entries as fields; *left counts the entries not
 * shown. NULL with *none set when there is nothing to show. */
static json_t *evidence_block(const l2w_fmt_alert *a, size_t *left, bool *none)
{
    json_t *f = json_array();
    const char *key;
    json_t *v;
    *left = 0;
    json_object_foreach ((json_t *)a->evidence, key, v) {
        if (!f || json_array_size(f) == SLACK_FIELDS_MAX || !l2w_fmt_is_scalar(v)) {
            (*left)++;
            continue;
        }
        char *text = NULL;
        l2w_fmt_str s = L2W_FMT_STR_INIT;
        l2w_fmt_raw(&s, "*");
        l2w_fmt_text(&s, key, L2W_FMT_ENTITIES | L2W_FMT_ONE_LINE, KEY_MAX);
        l2w_fmt_raw(&s, "*\n");
        if (l2w_fmt_value_text(&text, v) == L2W_OK)
            l2w_fmt_text(&s, text, L2W_FMT_ENTITIES, SLACK_FIELD_MAX - s.units);
        free(text);
        if (!text || json_array_append_new(f, mrkdwn(&s))) {
            l2w_fmt_str_free(&s);
            json_decref(f);
            return NULL;
        }
    }
    *none = f && json_array_size(f) == 0;
    if (*none) {
        json_decref(f);
        return NULL;
    }
    return f ? json_pack("{s:s, s:o}", "type", "section", "fields", f) : NULL;
}

static json_t *context_block(const l2w_fmt_alert *a, size_t left)
{
    char label[40];
    l2w_fmt_str s = L2W_FMT_STR_INIT;
    snprintf(label, sizeof label, "finding #%" PRId64, a->id);
    l2w_fmt_raw(&s, "l2watch ");
    l2w_fmt_link(&s, L2W_MARKUP_SLACK, a->finding_url, label, sizeof label);
    l2w_fmt_raw(&s, DOT "detected ");
    l2w_fmt_raw(&s, a->detected_at);
    if (a->tx_url) {
        const char *other = l2w_fmt_other_chain(a, a->tx_chain);
        l2w_fmt_str what = L2W_FMT_STR_INIT;
        char *text = NULL;
        l2w_fmt_raw(&what, "transaction on the ");
        if (other) {
            l2w_fmt_raw(&what, other); /* escaped with the rest by l2w_fmt_link */
            l2w_fmt_raw(&what, " ");
        }
        l2w_fmt_raw(&what, "explorer");
        if (l2w_fmt_take(&text, &what) != L2W_OK)
            s.b.failed = 1;
        l2w_fmt_raw(&s, DOT);
        l2w_fmt_link(&s, L2W_MARKUP_SLACK, a->tx_url, text ? text : "", 200);
        free(text);
    }
    if (left)
        l2w_fmt_rawf(&s, DOT "%zu more evidence entr%s on the dashboard", left, left == 1 ? "y" : "ies");
    return json_pack("{s:s, s:[o]}", "type", "context", "elements", mrkdwn(&s));
}

static l2w_status single_blocks(json_t *blocks, const l2w_fmt_batch *fb, const char *headline)
{
    const l2w_fmt_alert *a = &fb->a[0];
    l2w_fmt_str summary = L2W_FMT_STR_INIT;
    l2w_fmt_text(&summary, a->summary[0] ? a->summary : "(no summary)", L2W_FMT_ENTITIES, SLACK_TEXT_MAX);
    size_t left = 0;
    bool none = false;
    json_t *evidence = evidence_block(a, &left, &none);
    /* One statement an append: the blocks' order is the message's. */
    int bad = json_array_append_new(blocks, header_block(fb, headline));
    bad |= json_array_append_new(blocks, fields_block(a));
    bad |= json_array_append_new(blocks, section_text(&summary));
    if (!none)
        bad |= json_array_append_new(blocks, evidence);
    bad |= json_array_append_new(blocks, context_block(a, left));
    l2w_fmt_str_free(&summary);
    return bad ? L2W_ERR_NOMEM : L2W_OK;
}

static json_t *group_fields_block(const l2w_fmt_batch *fb)
{
    json_t *f = json_array();
    char kind[80], count[24];
    const char *event = l2w_fmt_common_event(fb);
    snprintf(kind, sizeof kind, "`%s`", fb->a[0].kind);
    snprintf(count, sizeof count, "%zu", fb->n);
    if (!f || add_field(f, "Kind", kind, NULL) || add_field(f, "Chain", fb->a[0].chain, NULL) ||
        add_field(f, "Findings", count, NULL) || add_field(f, "Most severe", l2w_severity_name(fb->top), NULL) ||
        add_field(f, "Event", event ? event : "several", NULL)) {
        json_decref(f);
        return NULL;
    }
    return json_pack("{s:s, s:o}", "type", "section", "fields", f);
}

static l2w_status group_blocks(json_t *blocks, const l2w_fmt_batch *fb, const char *headline)
{
    const size_t room = SLACK_BLOCKS_MAX - GROUP_FIXED_BLOCKS;
    size_t shown = fb->n <= room ? fb->n : room - 1;
    int bad = json_array_append_new(blocks, header_block(fb, headline));
    bad |= json_array_append_new(blocks, group_fields_block(fb));
    for (size_t i = 0; i < shown && !bad; i++) {
        l2w_fmt_str s = L2W_FMT_STR_INIT;
        l2w_fmt_finding_line(&s, L2W_MARKUP_SLACK, &fb->a[i], 200);
        bad |= json_array_append_new(blocks, section_text(&s));
    }
    l2w_fmt_str s = L2W_FMT_STR_INIT;
    if (shown < fb->n) {
        l2w_fmt_rawf(&s, "\xe2\x80\xa6" "and %zu more", fb->n - shown);
        bad |= json_array_append_new(blocks, section_text(&s));
    }
    l2w_fmt_raw(&s, "l2watch");
    if (fb->dashboard_url) {
        l2w_fmt_raw(&s, DOT);
        l2w_fmt_link(&s, L2W_MARKUP_SLACK, fb->dashboard_url, "dashboard", 20);
    }
    bad |= json_array_append_new(blocks, json_pack("{s:s, s:[o]}", "type", "context", "elements", mrkdwn(&s)));
    return bad ? L2W_ERR_NOMEM : L2W_OK;
}

l2w_status l2w_format_slack(char **body, const l2w_alert_batch *b, l2w_err *err)
{
    l2w_fmt_batch fb;
    char *headline;
    l2w_status st = l2w_fmt_begin(body, &fb, &headline, b, err);
    if (st != L2W_OK)
        return st;
    json_t *blocks = json_array();
    l2w_fmt_str text = L2W_FMT_STR_INIT;
    st = !blocks ? L2W_ERR_NOMEM
         : fb.n == 1 ? single_blocks(blocks, &fb, headline) : group_blocks(blocks, &fb, headline);
    if (st != L2W_OK)
        goto out;
    l2w_fmt_rawf(&text, "[%s] ", l2w_fmt_severity_upper(fb.top));
    l2w_fmt_text(&text, headline, L2W_FMT_ENTITIES | L2W_FMT_ONE_LINE, SLACK_TEXT_MAX - 200);
    l2w_fmt_raw(&text, " (");
    l2w_fmt_text(&text, fb.a[0].chain, L2W_FMT_ENTITIES | L2W_FMT_ONE_LINE, 150);
    l2w_fmt_raw(&text, ")");
    char *fallback;
    if ((st = l2w_fmt_take(&fallback, &text)) != L2W_OK)
        goto out;
    json_t *root = json_pack("{s:s, s:O}", "text", fallback, "blocks", blocks);
    free(fallback);
    st = l2w_fmt_dump(body, root, err);
out:
    if (st == L2W_ERR_NOMEM && !*body)
        l2w_err_set(err, "slack: out of memory building the message");
    l2w_fmt_str_free(&text);
    json_decref(blocks);
    free(headline);
    l2w_fmt_batch_free(&fb);
    return st;
}
