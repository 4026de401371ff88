#include "alerts/format_common.h"
#include "core/rfc3339.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/json_path.h"

#define URL_MAX 512
#define KIND_MAX 64
#define CHAIN_MAX 128
#define BLOCK_DIGITS_MAX 78 /* a uint256 in decimal */
/* A group's line gives the title this much room. */
#define LINE_TITLE_MAX 200

/* ---- payload fields ---- */

static const char *const event_names[] = {
    [L2W_EVENT_RAISED] = "raised",
    [L2W_EVENT_RETRACTED] = "retracted",
    [L2W_EVENT_RESOLVED] = "resolved",
    [L2W_EVENT_ESCALATED] = "escalated",
    [L2W_EVENT_REPEAT] = "repeat",
    [L2W_EVENT_CHALLENGE_ACTIVE] = "challenge_active",
    [L2W_EVENT_CHALLENGE_EXPIRED] = "challenge_expired",
    [L2W_EVENT_RESPONSE_DRY_RUN] = "response_dry_run",
    [L2W_EVENT_RESPONSE_SENT] = "response_sent",
    [L2W_EVENT_RESPONSE_LANDED] = "response_landed",
    [L2W_EVENT_RESPONSE_FAILED] = "response_failed",
};

static const char *const status_names[] = {
    [L2W_FINDING_OPEN] = "open",
    [L2W_FINDING_RESOLVED] = "resolved",
    [L2W_FINDING_RETRACTED] = "retracted",
};

/* Field readers: path is "alerts[i]", key the member. A missing member and
 * (where the field is required) JSON null are refused. */
static const json_t *member(const json_t *doc, const char *path, const char *key, l2w_err *err)
{
    const json_t *v = json_object_get(doc, key);
    if (!v || json_is_null(v))
        l2w_jpath_invalid(err, "%s.%s: missing (or null)", path, key);
    return json_is_null(v) ? NULL : v;
}

static const char *member_text(const json_t *doc, const char *path, const char *key, l2w_err *err)
{
    const json_t *v = member(doc, path, key, err);
    if (!v)
        return NULL;
    char at[64];
    snprintf(at, sizeof at, "%s.%s", path, key);
    return l2w_jpath_text(v, at, "a string", err);
}

/* Index of text in names[0..n), or -1. */
static int name_index(const char *text, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(text, names[i]) == 0)
            return (int)i;
    return -1;
}

static l2w_status member_enum(int *out, const json_t *doc, const char *path, const char *key,
                              const char *const *names, size_t n, l2w_err *err)
{
    const char *t = member_text(doc, path, key, err);
    if (!t)
        return L2W_ERR_INVALID;
    *out = name_index(t, names, n);
    if (*out < 0)
        return l2w_jpath_invalid(err, "%s.%s: unknown value \"%.40s\"", path, key, t);
    return L2W_OK;
}

static bool all_of(const char *s, size_t from, const char *set)
{
    for (size_t i = from; s[i]; i++)
        if (!strchr(set, s[i]))
            return false;
    return true;
}

static bool has_control(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return true;
    return false;
}

/* A string member that may be absent or null (*out = NULL). */
static l2w_status member_optional_text(const char **out, const json_t *doc, const char *path, const char *key,
                                       l2w_err *err)
{
    const json_t *v = json_object_get(doc, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return L2W_OK;
    char at[64];
    snprintf(at, sizeof at, "%s.%s", path, key);
    *out = l2w_jpath_text(v, at, "a string or null", err);
    return *out ? L2W_OK : L2W_ERR_INVALID;
}

/* A chain name as the payload's chain is checked. */
static bool chain_name_ok(const char *c)
{
    return c[0] && strlen(c) <= CHAIN_MAX && !has_control(c);
}

static l2w_status read_identity(l2w_fmt_alert *a, const json_t *doc, const char *path, l2w_err *err)
{
    const json_t *id = member(doc, path, "id", err);
    if (!id)
        return L2W_ERR_INVALID;
    if (!json_is_integer(id))
        return l2w_jpath_invalid(err, "%s.id: expected an integer, got %s", path, l2w_jpath_kind(id));
    a->id = (int64_t)json_integer_value(id);
    if (a->id <= 0)
        return l2w_jpath_invalid(err, "%s.id: %" PRId64 " is not a finding id", path, a->id);
    if (!(a->kind = member_text(doc, path, "kind", err)))
        return L2W_ERR_INVALID;
    if (!a->kind[0] || strlen(a->kind) > KIND_MAX || a->kind[0] < 'a' || a->kind[0] > 'z' ||
        !all_of(a->kind, 0, "abcdefghijklmnopqrstuvwxyz0123456789_"))
        return l2w_jpath_invalid(err, "%s.kind: not a kind name ([a-z][a-z0-9_]*, at most %d bytes)", path,
                                 KIND_MAX);
    int sev;
    static const char *const sev_names[] = {"info", "low", "medium", "high", "critical"};
    if (member_enum(&sev, doc, path, "severity", sev_names, 5, err) != L2W_OK)
        return L2W_ERR_INVALID;
    a->severity = (l2w_severity)sev;
    if (!(a->chain = member_text(doc, path, "chain", err)))
        return L2W_ERR_INVALID;
    if (!chain_name_ok(a->chain))
        return l2w_jpath_invalid(err, "%s.chain: empty, longer than %d bytes or with control characters", path,
                                 CHAIN_MAX);
    return L2W_OK;
}

static l2w_status read_facts(l2w_fmt_alert *a, const json_t *doc, const char *path, l2w_err *err)
{
    if (!(a->title = member_text(doc, path, "title", err)) || !(a->summary = member_text(doc, path, "summary", err)))
        return L2W_ERR_INVALID;
    if (!(a->evidence = member(doc, path, "evidence", err)))
        return L2W_ERR_INVALID;
    if (!json_is_object(a->evidence))
        return l2w_jpath_invalid(err, "%s.evidence: expected an object, got %s", path, l2w_jpath_kind(a->evidence));
    if (member_optional_text(&a->block_number, doc, path, "block_number", err) != L2W_OK)
        return L2W_ERR_INVALID;
    if (a->block_number && (!a->block_number[0] || strlen(a->block_number) > BLOCK_DIGITS_MAX ||
                            !all_of(a->block_number, 0, "0123456789")))
        return l2w_jpath_invalid(err, "%s.block_number: not a decimal block number", path);
    if (member_optional_text(&a->tx_hash, doc, path, "tx_hash", err) != L2W_OK)
        return L2W_ERR_INVALID;
    if (a->tx_hash && (strlen(a->tx_hash) != 66 || strncmp(a->tx_hash, "0x", 2) != 0 ||
                       !all_of(a->tx_hash, 2, "0123456789abcdefABCDEF")))
        return l2w_jpath_invalid(err, "%s.tx_hash: not a 0x transaction hash", path);
    /* Absent in payloads queued before the document said them: then the
     * chain is unknown and the block or transaction goes unlinked. */
    if (member_optional_text(&a->block_chain, doc, path, "block_chain", err) != L2W_OK ||
        member_optional_text(&a->tx_chain, doc, path, "tx_chain", err) != L2W_OK)
        return L2W_ERR_INVALID;
    if (a->block_chain && !chain_name_ok(a->block_chain))
        return l2w_jpath_invalid(err, "%s.block_chain: empty, longer than %d bytes or with control characters",
                                 path, CHAIN_MAX);
    if (a->tx_chain && !chain_name_ok(a->tx_chain))
        return l2w_jpath_invalid(err, "%s.tx_chain: empty, longer than %d bytes or with control characters", path,
                                 CHAIN_MAX);
    if (!(a->detected_at = member_text(doc, path, "detected_at", err)))
        return L2W_ERR_INVALID;
    l2w_err why = {{0}};
    if (l2w_rfc3339_parse(&a->detected_unix, a->detected_at, &why) != L2W_OK)
        return l2w_jpath_invalid(err, "%s.detected_at: %s", path, why.msg);
    return L2W_OK;
}

static l2w_status read_state(l2w_fmt_alert *a, const json_t *doc, const char *path, l2w_err *err)
{
    int v;
    if (member_enum(&v, doc, path, "status", status_names, 3, err) != L2W_OK)
        return L2W_ERR_INVALID;
    a->status = (l2w_finding_status)v;
    a->status_name = status_names[v];
    if (member_enum(&v, doc, path, "event", event_names, sizeof event_names / sizeof *event_names, err) != L2W_OK)
        return L2W_ERR_INVALID;
    a->event = (l2w_alert_event)v;
    a->event_name = event_names[v];
    a->response = json_object_get(doc, "response");
    if (json_is_null(a->response))
        a->response = NULL;
    if (a->response && !json_is_object(a->response))
        return l2w_jpath_invalid(err, "%s.response: expected an object or null, got %s", path,
                                 l2w_jpath_kind(a->response));
    return L2W_OK;
}

/* ---- links ---- */

/* A base URL we write into markup (and into links we build on it): http(s),
 * printable ASCII without the characters that end a link in some markup. */
static l2w_status check_url(const char *url, const char *what, l2w_err *err)
{
    if (!url)
        return L2W_OK;
    size_t len = strlen(url);
    if (len > URL_MAX)
        return l2w_jpath_invalid(err, "%s: longer than %d bytes", what, URL_MAX);
    if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0)
        return l2w_jpath_invalid(err, "%s: not an http(s) URL", what);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)url[i];
        if (c <= 0x20 || c >= 0x7f || strchr("\"<>\\^`{|}", c))
            return l2w_jpath_invalid(err, "%s: character 0x%02x is not allowed in a link", what, c);
    }
    return L2W_OK;
}

/* base without trailing '/' + "/" + a + b, or NULL when base or b is NULL. */
static l2w_status join_url(char **out, const char *base, const char *a, const char *b)
{
    *out = NULL;
    if (!base || !b)
        return L2W_OK;
    size_t bl = strlen(base);
    while (bl > 0 && base[bl - 1] == '/')
        bl--;
    size_t n = bl + strlen(a) + strlen(b) + 1;
    if (!(*out = malloc(n)))
        return L2W_ERR_NOMEM;
    snprintf(*out, n, "%.*s%s%s", (int)bl, base, a, b);
    return L2W_OK;
}

/* The explorer of chain for a link at path ("alerts[0].tx_chain"): NULL
 * when the chain is not said or has none; a URL unfit for markup is refused. */
static l2w_status explorer_of(const char **url, const l2w_alert_batch *b, const char *chain, const char *path,
                              const char *key, l2w_err *err)
{
    *url = chain && b->explorers ? b->explorers(b->explorers_ctx, chain) : NULL;
    char what[CHAIN_MAX + 96];
    snprintf(what, sizeof what, "%s.%s: the explorer_url of %s", path, key, chain ? chain : "");
    return check_url(*url, what, err);
}

static l2w_status make_links(l2w_fmt_alert *a, const l2w_alert_batch *b, const char *path, l2w_err *err)
{
    char id[24];
    const char *tx_base = NULL, *block_base = NULL;
    snprintf(id, sizeof id, "%" PRId64, a->id);
    l2w_status st = L2W_OK;
    if (a->tx_hash)
        st = explorer_of(&tx_base, b, a->tx_chain, path, "tx_chain", err);
    if (st == L2W_OK && a->block_number)
        st = explorer_of(&block_base, b, a->block_chain, path, "block_chain", err);
    if (st != L2W_OK)
        return st;
    st = join_url(&a->finding_url, b->dashboard_url, L2W_ALERT_FINDING_PATH, id);
    if (st == L2W_OK)
        st = join_url(&a->tx_url, tx_base, "/tx/", a->tx_hash);
    if (st == L2W_OK)
        st = join_url(&a->block_url, block_base, "/block/", a->block_number);
    if (st != L2W_OK)
        l2w_err_set(err, "%s: out of memory", path);
    return st;
}

static l2w_status read_alert(l2w_fmt_alert *a, const json_t *doc, size_t i, const l2w_alert_batch *b,
                             l2w_err *err)
{
    char path[32];
    snprintf(path, sizeof path, "alerts[%zu]", i);
    if (!doc)
        return l2w_jpath_invalid(err, "%s: missing", path);
    if (!json_is_object(doc))
        return l2w_jpath_invalid(err, "%s: expected an object, got %s", path, l2w_jpath_kind(doc));
    l2w_status st = read_identity(a, doc, path, err);
    if (st == L2W_OK)
        st = read_facts(a, doc, path, err);
    if (st == L2W_OK)
        st = read_state(a, doc, path, err);
    if (st == L2W_OK)
        st = make_links(a, b, path, err);
    return st;
}

l2w_status l2w_fmt_batch_read(l2w_fmt_batch *out, const l2w_alert_batch *b, l2w_err *err)
{
    memset(out, 0, sizeof *out);
    if (!b || !b->alerts || b->n == 0)
        return l2w_jpath_invalid(err, "alerts: none given (n = 0)");
    l2w_status st = check_url(b->dashboard_url, "dashboard_url", err);
    if (st != L2W_OK)
        return st;
    if (!(out->a = calloc(b->n, sizeof *out->a))) {
        l2w_err_set(err, "alerts: out of memory");
        return L2W_ERR_NOMEM;
    }
    out->n = b->n;
    out->batch = b;
    out->dashboard_url = b->dashboard_url;
    for (size_t i = 0; i < b->n && st == L2W_OK; i++) {
        l2w_fmt_alert *a = &out->a[i];
        st = read_alert(a, b->alerts[i], i, b, err);
        if (st != L2W_OK)
            break;
        if (i > 0 && (strcmp(a->kind, out->a[0].kind) != 0 || strcmp(a->chain, out->a[0].chain) != 0))
            st = l2w_jpath_invalid(err, "alerts[%zu]: a group is one kind on one chain, this is %s on %s", i,
                                   a->kind, a->chain);
        if (i == 0 || a->severity > out->top)
            out->top = a->severity;
    }
    if (st != L2W_OK)
        l2w_fmt_batch_free(out);
    return st;
}

void l2w_fmt_batch_free(l2w_fmt_batch *fb)
{
    for (size_t i = 0; fb->a && i < fb->n; i++) {
        free(fb->a[i].finding_url);
        free(fb->a[i].tx_url);
        free(fb->a[i].block_url);
    }
    free(fb->a);
    memset(fb, 0, sizeof *fb);
}

l2w_status l2w_fmt_begin(char **body, l2w_fmt_batch *fb, char **headline, const l2w_alert_batch *b,
                         l2w_err *err)
{
    *body = NULL;
    *headline = NULL;
    l2w_status st = l2w_fmt_batch_read(fb, b, err);
    if (st != L2W_OK)
        return st;
    if ((st = l2w_fmt_headline(headline, fb)) != L2W_OK) {
        l2w_err_set(err, "out of memory building the message");
        l2w_fmt_batch_free(fb);
    }
    return st;
}

/* ---- words ---- */

const char *l2w_fmt_other_chain(const l2w_fmt_alert *a, const char *ref_chain)
{
    return ref_chain && strcmp(ref_chain, a->chain) != 0 ? ref_chain : NULL;
}

const char *l2w_fmt_event_prefix(l2w_alert_event ev)
{
    switch (ev) {
    case L2W_EVENT_RAISED: return "";
    case L2W_EVENT_RETRACTED: return "Retracted: ";
    case L2W_EVENT_RESOLVED: return "Resolved: ";
    case L2W_EVENT_ESCALATED: return "Escalated: ";
    case L2W_EVENT_REPEAT: return "Still open: ";
    case L2W_EVENT_CHALLENGE_ACTIVE: return "Challenge active: ";
    case L2W_EVENT_CHALLENGE_EXPIRED: return "Challenge expired: ";
    case L2W_EVENT_RESPONSE_DRY_RUN: return "Response (dry run): ";
    case L2W_EVENT_RESPONSE_SENT: return "Response sent: ";
    case L2W_EVENT_RESPONSE_LANDED: return "Response landed: ";
    case L2W_EVENT_RESPONSE_FAILED: return "Response failed: ";
    }
    return "";
}

const char *l2w_fmt_severity_upper(l2w_severity sev)
{
    switch (sev) {
    case L2W_SEV_INFO: return "INFO";
    case L2W_SEV_LOW: return "LOW";
    case L2W_SEV_MEDIUM: return "MEDIUM";
    case L2W_SEV_HIGH: return "HIGH";
    case L2W_SEV_CRITICAL: return "CRITICAL";
    }
    return "UNKNOWN";
}

bool l2w_fmt_alert_ends(const l2w_fmt_alert *a)
{
    return a->event == L2W_EVENT_RESOLVED || a->event == L2W_EVENT_RETRACTED || a->status != L2W_FINDING_OPEN;
}

const char *l2w_fmt_common_event(const l2w_fmt_batch *fb)
{
    for (size_t i = 1; i < fb->n; i++)
        if (fb->a[i].event != fb->a[0].event)
            return NULL;
    return fb->a[0].event_name;
}

l2w_status l2w_fmt_headline(char **out, const l2w_fmt_batch *fb)
{
    l2w_fmt_str s = L2W_FMT_STR_INIT;
    const l2w_fmt_alert *a = &fb->a[0];
    if (fb->n == 1)
        l2w_fmt_rawf(&s, "%s%s", l2w_fmt_event_prefix(a->event), a->title);
    else
        l2w_fmt_rawf(&s, "%zu %s findings on %s", fb->n, a->kind, a->chain);
    return l2w_fmt_take(out, &s);
}

bool l2w_fmt_is_scalar(const json_t *v)
{
    return json_is_string(v) || json_is_number(v) || json_is_boolean(v);
}

l2w_status l2w_fmt_value_text(char **out, const json_t *v)
{
    *out = json_is_string(v) ? strdup(json_string_value(v)) : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    return *out ? L2W_OK : L2W_ERR_NOMEM;
}

l2w_status l2w_fmt_rfc3339(char out[32], int64_t t, l2w_err *err)
{
    struct tm tm;
    time_t tt = (time_t)t;
    if (t < 0 || t > 253402300799 /* 9999-12-31T23:59:59Z */ || !gmtime_r(&tt, &tm))
        return l2w_jpath_invalid(err, "now: %" PRId64 " is not a time l2watch can write", t);
    /* Only numeric conversions: the locale does not change them. */
    return strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) ? L2W_OK : l2w_jpath_invalid(err, "now: not writable");
}

l2w_status l2w_fmt_dump(char **out, json_t *root, l2w_err *err)
{
    *out = root ? json_dumps(root, JSON_COMPACT) : NULL;
    json_decref(root);
    if (!*out) {
        l2w_err_set(err, "out of memory building the message");
        return L2W_ERR_NOMEM;
    }
    return L2W_OK;
}

/* ---- text with limits ---- */

/* One code point of UTF-8 at p (NUL-terminated): its byte length, 1 for an
 * invalid byte (read as U+FFFD). */
static size_t next_cp(const unsigned char *p, uint32_t *cp)
{
    size_t n = p[0] < 0x80 ? 1 : (p[0] & 0xe0) == 0xc0 ? 2 : (p[0] & 0xf0) == 0xe0 ? 3 : (p[0] & 0xf8) == 0xf0 ? 4 : 0;
    if (n == 0 || (n == 2 && p[0] < 0xc2)) {
        *cp = 0xfffd;
        return 1;
    }
    uint32_t v = n == 1 ? p[0] : p[0] & (0x7f >> n);
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            *cp = 0xfffd;
            return 1;
        }
        v = v << 6 | (p[i] & 0x3f);
    }
    *cp = v;
    return n;
}

/* How one code point is written: *out points at the bytes (len), the result
 * is its units. */
static size_t render_cp(const unsigned char *p, size_t n, uint32_t cp, unsigned how, const char **out,
                        size_t *len)
{
    static const char md_special[] = "\\*_~`|>[]()#<@";
    static const char fffd[] = "\xef\xbf\xbd";
    *out = (const char *)p;
    *len = n;
    if (cp == '\r') {
        *len = 0;
        return 0;
    }
    if ((cp < 0x20 && (cp != '\n' && cp != '\t')) || cp == 0x7f || ((how & L2W_FMT_ONE_LINE) && cp < 0x20)) {
        *out = " ";
        *len = 1;
        return 1;
    }
    if (how & L2W_FMT_ENTITIES) {
        const char *e = cp == '&' ? "&amp;" : cp == '<' ? "&lt;" : cp == '>' ? "&gt;" : NULL;
        if (e) {
            *out = e;
            *len = strlen(e);
            return *len;
        }
    }
    if ((how & L2W_FMT_MARKDOWN) && cp < 0x80 && strchr(md_special, (int)cp)) {
        *out = NULL; /* the caller writes a backslash, then the byte */
        *len = 2;
        return 2;
    }
    if (cp == 0xfffd && n == 1) {
        *out = fffd;
        *len = 3;
    }
    return cp >= 0x10000 ? 2 : 1;
}

size_t l2w_fmt_text_units(const char *text, unsigned how)
{
    size_t units = 0;
    const unsigned char *p = (const unsigned char *)(text ? text : "");
    while (*p) {
        uint32_t cp;
        size_t n = next_cp(p, &cp), len;
        const char *o;
        units += render_cp(p, n, cp, how, &o, &len);
        p += n;
    }
    return units;
}

static size_t utf8_units(const char *text)
{
    return l2w_fmt_text_units(text, L2W_FMT_PLAIN);
}

void l2w_fmt_raw(l2w_fmt_str *s, const char *text)
{
    l2w_bytes_append(&s->b, (const uint8_t *)text, strlen(text));
    s->units += utf8_units(text);
}

void l2w_fmt_rawf(l2w_fmt_str *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *t = NULL;
    int n = vasprintf(&t, fmt, ap);
    va_end(ap);
    if (n < 0) {
        s->b.failed = 1;
        return;
    }
    l2w_fmt_raw(s, t);
    free(t);
}

bool l2w_fmt_text(l2w_fmt_str *s, const char *text, unsigned how, size_t max_units)
{
    const char *ellipsis = "\xe2\x80\xa6";
    bool cut = l2w_fmt_text_units(text, how) > max_units;
    size_t room = cut ? (max_units > 0 ? max_units - 1 : 0) : max_units, used = 0;
    const unsigned char *p = (const unsigned char *)(text ? text : "");
    while (*p) {
        uint32_t cp;
        size_t n = next_cp(p, &cp), len;
        const char *o;
        size_t u = render_cp(p, n, cp, how, &o, &len);
        if (used + u > room)
            break;
        if (o) {
            l2w_bytes_append(&s->b, (const uint8_t *)o, len);
        } else {
            l2w_bytes_append_byte(&s->b, '\\');
            l2w_bytes_append_byte(&s->b, p[0]);
        }
        used += u;
        p += n;
    }
    if (cut && max_units > 0) {
        l2w_bytes_append(&s->b, (const uint8_t *)ellipsis, 3);
        used++;
    }
    s->units += used;
    return cut;
}

unsigned l2w_fmt_markup_escape(l2w_markup m)
{
    switch (m) {
    case L2W_MARKUP_SLACK: return L2W_FMT_ENTITIES;
    case L2W_MARKUP_DISCORD: return L2W_FMT_MARKDOWN;
    case L2W_MARKUP_HTML: return L2W_FMT_ENTITIES;
    }
    return L2W_FMT_ENTITIES;
}

/* A URL inside markup: checked URLs need no escaping but for HTML's & and
 * the parentheses that end a markdown link. */
static void put_url(l2w_fmt_str *s, l2w_markup m, const char *url)
{
    for (const char *p = url; *p; p++) {
        if (m == L2W_MARKUP_HTML && *p == '&')
            l2w_fmt_raw(s, "&amp;");
        else if (m == L2W_MARKUP_DISCORD && (*p == '(' || *p == ')'))
            l2w_fmt_raw(s, *p == '(' ? "%28" : "%29");
        else {
            l2w_bytes_append_byte(&s->b, (uint8_t)*p);
            s->units++;
        }
    }
}

/* How each markup writes a link: open, url or label, mid, the other, close. */
static const struct {
    const char *open, *mid, *close;
    bool url_first;
} link_forms[] = {
    [L2W_MARKUP_SLACK] = {"<", "|", ">", true},
    [L2W_MARKUP_DISCORD] = {"[", "](", ")", false},
    [L2W_MARKUP_HTML] = {"<a href=\"", "\">", "</a>", true},
};

void l2w_fmt_link(l2w_fmt_str *s, l2w_markup m, const char *url, const char *label, size_t max_units)
{
    unsigned how = l2w_fmt_markup_escape(m) | L2W_FMT_ONE_LINE;
    if (!url) {
        l2w_fmt_text(s, label, how, max_units);
        return;
    }
    l2w_fmt_raw(s, link_forms[m].open);
    if (link_forms[m].url_first)
        put_url(s, m, url);
    else
        l2w_fmt_text(s, label, how, max_units);
    l2w_fmt_raw(s, link_forms[m].mid);
    if (link_forms[m].url_first)
        l2w_fmt_text(s, label, how, max_units);
    else
        put_url(s, m, url);
    l2w_fmt_raw(s, link_forms[m].close);
}

void l2w_fmt_bold(l2w_fmt_str *s, l2w_markup m, const char *text)
{
    switch (m) {
    case L2W_MARKUP_SLACK: l2w_fmt_rawf(s, "*%s*", text); return;
    case L2W_MARKUP_DISCORD: l2w_fmt_rawf(s, "**%s**", text); return;
    case L2W_MARKUP_HTML: l2w_fmt_rawf(s, "<b>%s</b>", text); return;
    }
}

const char *l2w_fmt_short_hash(char out[16], const char *hash)
{
    snprintf(out, 16, "%.6s\xe2\x80\xa6%.4s", hash, hash + strlen(hash) - (strlen(hash) >= 4 ? 4 : strlen(hash)));
    return out;
}

void l2w_fmt_on_chain(l2w_fmt_str *s, l2w_markup m, const char *chain)
{
    if (!chain)
        return;
    l2w_fmt_raw(s, " on ");
    l2w_fmt_text(s, chain, l2w_fmt_markup_escape(m) | L2W_FMT_ONE_LINE, CHAIN_MAX);
}

void l2w_fmt_finding_line(l2w_fmt_str *s, l2w_markup m, const l2w_fmt_alert *a, size_t title_max)
{
    char label[32], hash[16];
    snprintf(label, sizeof label, "#%" PRId64, a->id);
    l2w_fmt_link(s, m, a->finding_url, label, sizeof label);
    l2w_fmt_raw(s, " \xc2\xb7 ");
    l2w_fmt_bold(s, m, l2w_fmt_severity_upper(a->severity));
    l2w_fmt_raw(s, " \xc2\xb7 ");
    l2w_fmt_raw(s, l2w_fmt_event_prefix(a->event));
    l2w_fmt_text(s, a->title, l2w_fmt_markup_escape(m) | L2W_FMT_ONE_LINE, title_max);
    if (a->block_number) {
        l2w_fmt_raw(s, " \xc2\xb7 block ");
        l2w_fmt_link(s, m, a->block_url, a->block_number, BLOCK_DIGITS_MAX);
        l2w_fmt_on_chain(s, m, l2w_fmt_other_chain(a, a->block_chain));
    }
    if (a->tx_hash) {
        l2w_fmt_raw(s, " \xc2\xb7 tx ");
        l2w_fmt_link(s, m, a->tx_url, l2w_fmt_short_hash(hash, a->tx_hash), sizeof hash);
        l2w_fmt_on_chain(s, m, l2w_fmt_other_chain(a, a->tx_chain));
    }
}

size_t l2w_fmt_finding_lines(l2w_fmt_str *s, l2w_markup m, const l2w_fmt_batch *fb, size_t max_units)
{
    /* Room kept for the last line, "…and <20 digits> more". */
    const size_t more_room = 40;
    size_t used = 0, shown = 0;
    for (; shown < fb->n; shown++) {
        l2w_fmt_str line = L2W_FMT_STR_INIT;
        l2w_fmt_finding_line(&line, m, &fb->a[shown], LINE_TITLE_MAX);
        size_t need = used + (shown ? 1 : 0) + line.units;
        bool last = shown + 1 == fb->n;
        if (need > max_units || (!last && need + 1 + more_room > max_units)) {
            l2w_fmt_str_free(&line);
            break;
        }
        if (shown)
            l2w_fmt_raw(s, "\n");
        l2w_bytes_append(&s->b, line.b.data, line.b.len);
        if (line.b.failed)
            s->b.failed = 1;
        s->units += line.units;
        used = need;
        l2w_fmt_str_free(&line);
    }
    if (shown < fb->n)
        l2w_fmt_rawf(s, "%s\xe2\x80\xa6" "and %zu more", shown ? "\n" : "", fb->n - shown);
    return shown;
}

l2w_status l2w_fmt_take(char **out, l2w_fmt_str *s)
{
    l2w_bytes_append_byte(&s->b, 0);
    l2w_status st = l2w_bytes_status(&s->b);
    *out = st == L2W_OK ? (char *)s->b.data : NULL;
    if (st != L2W_OK)
        l2w_bytes_free(&s->b);
    s->b = (l2w_bytes)L2W_BYTES_INIT;
    s->units = 0;
    return st;
}

void l2w_fmt_str_free(l2w_fmt_str *s)
{
    l2w_bytes_free(&s->b);
    s->units = 0;
}
