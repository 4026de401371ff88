/* RFC 5322 email messages for alerts, for the email sink to send over SMTP. */

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alerts/alert_format.h"
#include "alerts/format_common.h"

#define LINE_SOFT_MAX 78      /* RFC 5322 2.1.1: SHOULD */
#define QP_LINE_MAX 76        /* RFC 2045 6.7 (5), the '=' of a soft break included */
#define CONFIG_HEADER_MAX 900 /* a From or To from configuration; a line MUST stay within 998 */
#define MESSAGE_ID_MAX 250
#define SUBJECT_TEXT_MAX 400  /* characters of the subject; the title is cut past it */
/* Bytes of UTF-8 in one encoded-word: 52 base64 characters, so a word is 64
 * characters and "Subject: " and a word fit within 78 (RFC 2047 allows 75). */
#define WORD_BYTES 39

static l2w_status invalid(l2w_err *err, const char *what, const char *why)
{
    l2w_err_set(err, "email: %s: %s", what, why);
    return L2W_ERR_INVALID;
}

/* From and To come from configuration, not from payloads: refused, not
 * repaired, when they could break the header. */
static l2w_status check_config_header(const char *v, const char *what, l2w_err *err)
{
    if (!v || !v[0])
        return invalid(err, what, "empty");
    if (strlen(v) > CONFIG_HEADER_MAX)
        return invalid(err, what, "too long for a header line");
    for (const char *p = v; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
            return invalid(err, what, "holds a line break, a control or a non-ASCII character");
    if (!strchr(v, '@'))
        return invalid(err, what, "not an address");
    return L2W_OK;
}

static l2w_status check_message_id(const char *id, l2w_err *err)
{
    if (!id || !id[0] || strlen(id) > MESSAGE_ID_MAX)
        return invalid(err, "message_id", "empty or too long");
    for (const char *p = id; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p > 0x7e || *p == '<' || *p == '>')
            return invalid(err, "message_id", "holds a space, an angle bracket, a control or non-ASCII character");
    const char *at = strchr(id, '@');
    if (!at || at == id || !at[1] || strchr(at + 1, '@'))
        return invalid(err, "message_id", "not of the form left@right");
    return L2W_OK;
}

static l2w_status check_config(const char *from, const char *const *to, size_t n_to, const char *message_id,
                               l2w_err *err)
{
    l2w_status st = check_config_header(from, "from", err);
    if (st == L2W_OK && (!to || n_to == 0))
        st = invalid(err, "to", "no recipient");
    for (size_t i = 0; st == L2W_OK && i < n_to; i++) {
        char what[32];
        snprintf(what, sizeof what, "to[%zu]", i);
        st = check_config_header(to[i], what, err);
    }
    return st == L2W_OK ? check_message_id(message_id, err) : st;
}

/* RFC 5322 3.3: "Wed, 01 May 2024 12:40:00 +0000". */
static l2w_status put_date(l2w_fmt_str *s, int64_t now, l2w_err *err)
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char check[32];
    l2w_status st = l2w_fmt_rfc3339(check, now, err); /* refuses what is out of range */
    if (st != L2W_OK)
        return st;
    struct tm tm;
    time_t t = (time_t)now;
    gmtime_r(&t, &tm);
    l2w_fmt_rawf(s, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday], tm.tm_mday,
                 months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return L2W_OK;
}

static void base64(l2w_fmt_str *s, const unsigned char *p, size_t n)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
        char q[5] = {a[v >> 18 & 63], a[v >> 12 & 63], i + 1 < n ? a[v >> 6 & 63] : '=', i + 2 < n ? a[v & 63] : '=',
                     0};
        l2w_fmt_raw(s, q);
    }
}

/* Bytes of the UTF-8 sequence starting with lead. */
static size_t seq_len(unsigned char lead)
{
    return lead < 0xc0 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
}

/* RFC 2047 encoded-words, each a whole number of characters (5, rule 3),
 * one a line after the first. */
static void put_encoded_words(l2w_fmt_str *s, const char *text)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t n = strlen(text), i = 0;
    while (i < n) {
        size_t len = 0;
        while (i + len < n && len + seq_len(p[i + len]) <= WORD_BYTES)
            len += seq_len(p[i + len]);
        if (len == 0 || i + len > n)
            len = n - i; /* cannot happen with valid UTF-8: keep the loop finite */
        l2w_fmt_raw(s, i ? "\r\n =?UTF-8?B?" : "=?UTF-8?B?");
        base64(s, p + i, len);
        l2w_fmt_raw(s, "?=");
        i += len;
    }
}

/* ASCII folded at spaces (RFC 5322 3.2.2: unfolding removes only the CRLF). */
static void put_folded(l2w_fmt_str *s, const char *text, size_t col)
{
    const char *p = text;
    while (*p) {
        const char *sp = strchr(p + 1, ' ');
        size_t word = sp ? (size_t)(sp - p) : strlen(p);
        if (p != text && *p == ' ' && col + word > LINE_SOFT_MAX) {
            l2w_fmt_raw(s, "\r\n");
            col = 0;
        }
        l2w_bytes_append(&s->b, (const uint8_t *)p, word);
        col += word;
        p += word;
    }
}

/* Plain when it is printable ASCII that no reader would take for an
 * encoded-word and whose words each fit on a folded line; else encoded. */
static bool plain_subject(const char *subject)
{
    size_t word = strlen("Subject: ");
    if (strstr(subject, "=?"))
        return false;
    for (const char *p = subject; *p; p++) {
        if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
            return false;
        word = *p == ' ' ? 1 : word + 1;
        if (word > LINE_SOFT_MAX)
            return false;
    }
    return true;
}

static void put_subject(l2w_fmt_str *s, const char *subject)
{
    bool plain = plain_subject(subject);
    l2w_fmt_raw(s, "Subject: ");
    if (plain)
        put_folded(s, subject, strlen("Subject: "));
    else
        put_encoded_words(s, subject);
    l2w_fmt_raw(s, "\r\n");
}

static void put_to(l2w_fmt_str *s, const char *const *to, size_t n_to)
{
    size_t col = strlen("To: ");
    l2w_fmt_raw(s, "To: ");
    for (size_t i = 0; i < n_to; i++) {
        size_t len = strlen(to[i]);
        if (i > 0) {
            bool fold = col + 2 + len > LINE_SOFT_MAX;
            l2w_fmt_raw(s, fold ? ",\r\n " : ", ");
            col = fold ? 1 : col + 2;
        }
        l2w_fmt_raw(s, to[i]);
        col += len;
    }
    l2w_fmt_raw(s, "\r\n");
}

/* ---- the body, as text with \n line ends ---- */

static void put_row(l2w_fmt_str *s, const char *label, const char *value)
{
    l2w_fmt_rawf(s, "  %-13s", label);
    l2w_fmt_text(s, value ? value : "-", L2W_FMT_ONE_LINE, SIZE_MAX);
    l2w_fmt_raw(s, "\n");
}

/* A block or transaction row: put_row's, then " on <chain>" when it is on
 * another chain than the finding's. */
static void put_ref_row(l2w_fmt_str *s, const char *label, const char *value, const char *other)
{
    l2w_fmt_rawf(s, "  %-13s", label);
    l2w_fmt_text(s, value ? value : "-", L2W_FMT_ONE_LINE, SIZE_MAX);
    if (value && other) {
        l2w_fmt_raw(s, " on ");
        l2w_fmt_text(s, other, L2W_FMT_ONE_LINE, SIZE_MAX);
    }
    l2w_fmt_raw(s, "\n");
}

/* "  key: value" for each member; nested values as compact JSON. */
static l2w_status put_members(l2w_fmt_str *s, const char *heading, const json_t *obj)
{
    const char *key;
    json_t *v;
    if (!obj || json_object_size(obj) == 0)
        return L2W_OK;
    l2w_fmt_rawf(s, "\n%s\n", heading);
    json_object_foreach ((json_t *)obj, key, v) {
        char *text;
        if (l2w_fmt_value_text(&text, v) != L2W_OK)
            return L2W_ERR_NOMEM;
        l2w_fmt_raw(s, "  ");
        l2w_fmt_text(s, key, L2W_FMT_ONE_LINE, SIZE_MAX);
        l2w_fmt_raw(s, ": ");
        l2w_fmt_text(s, text, L2W_FMT_ONE_LINE, SIZE_MAX);
        l2w_fmt_raw(s, "\n");
        free(text);
    }
    return L2W_OK;
}

static l2w_status put_alert(l2w_fmt_str *s, const l2w_fmt_alert *a)
{
    char id[48];
    snprintf(id, sizeof id, "#%" PRId64 " (%s)", a->id, a->status_name);
    l2w_fmt_rawf(s, "%s \xc2\xb7 %s", l2w_fmt_severity_upper(a->severity), l2w_fmt_event_prefix(a->event));
    l2w_fmt_text(s, a->title, L2W_FMT_ONE_LINE, SIZE_MAX);
    l2w_fmt_raw(s, "\n\n");
    l2w_fmt_text(s, a->summary, L2W_FMT_PLAIN, SIZE_MAX);
    l2w_fmt_raw(s, "\n\nWhat\n");
    put_row(s, "Finding:", id);
    put_row(s, "Kind:", a->kind);
    put_row(s, "Severity:", l2w_severity_name(a->severity));
    put_row(s, "Event:", a->event_name);
    l2w_fmt_raw(s, "Where\n");
    put_row(s, "Chain:", a->chain);
    put_ref_row(s, "Block:", a->block_number, l2w_fmt_other_chain(a, a->block_chain));
    put_ref_row(s, "Transaction:", a->tx_hash, l2w_fmt_other_chain(a, a->tx_chain));
    put_row(s, "Detected at:", a->detected_at);
    l2w_status st = put_members(s, "Evidence", a->evidence);
    if (st == L2W_OK)
        st = put_members(s, "Response", a->response);
    if (a->finding_url || a->tx_url || a->block_url) {
        l2w_fmt_raw(s, "\nLinks\n");
        if (a->finding_url)
            put_row(s, "Finding:", a->finding_url);
        if (a->tx_url)
            put_row(s, "Transaction:", a->tx_url);
        if (a->block_url)
            put_row(s, "Block:", a->block_url);
    }
    return st;
}

static l2w_status put_body_text(l2w_fmt_str *s, const l2w_fmt_batch *fb, const char *headline)
{
    if (fb->n == 1)
        return put_alert(s, &fb->a[0]);
    l2w_fmt_text(s, headline, L2W_FMT_ONE_LINE, SIZE_MAX);
    l2w_fmt_rawf(s, " (most severe: %s)\n", l2w_severity_name(fb->top));
    if (fb->dashboard_url)
        l2w_fmt_rawf(s, "Dashboard: %s\n", fb->dashboard_url);
    l2w_status st = L2W_OK;
    for (size_t i = 0; i < fb->n && st == L2W_OK; i++) {
        l2w_fmt_rawf(s, "\n--- %zu of %zu ---\n\n", i + 1, fb->n);
        st = put_alert(s, &fb->a[i]);
    }
    return st;
}

/* Quoted-printable (RFC 2045 6.7): CRLF line ends, lines within 76
 * characters through soft breaks, '=', non-ASCII and trailing white space
 * encoded; a line starting "From " gets its F encoded so no mailbox
 * format mistakes it for a message boundary. */
static void put_quoted_printable(l2w_fmt_str *s, const char *text)
{
    const unsigned char *p = (const unsigned char *)text;
    while (*p) {
        const unsigned char *end = (const unsigned char *)strchr((const char *)p, '\n');
        size_t n = end ? (size_t)(end - p) : strlen((const char *)p), col = 0;
        for (size_t i = 0; i < n; i++) {
            unsigned char c = p[i];
            bool white = c == ' ' || c == '\t';
            bool literal = ((c >= 33 && c <= 126 && c != '=') || (white && i + 1 < n)) &&
                           !(i == 0 && c == 'F' && n >= 5 && memcmp(p, "From ", 5) == 0);
            char tok[4];
            snprintf(tok, sizeof tok, literal ? "%c" : "=%02X", c);
            if (col + strlen(tok) > QP_LINE_MAX - 1) {
                l2w_fmt_raw(s, "=\r\n");
                col = 0;
            }
            l2w_fmt_raw(s, tok);
            col += strlen(tok);
        }
        l2w_fmt_raw(s, "\r\n");
        p += n + (end ? 1 : 0);
    }
}

static l2w_status build(l2w_fmt_str *msg, const l2w_fmt_batch *fb, const char *from, const char *const *to,
                        size_t n_to, const char *message_id, l2w_err *err)
{
    char *headline = NULL, *subject_text = NULL, *text = NULL;
    l2w_fmt_str subject = L2W_FMT_STR_INIT, body = L2W_FMT_STR_INIT;
    l2w_status st = put_date(msg, fb->batch->now, err);
    if (st != L2W_OK || (st = l2w_fmt_headline(&headline, fb)) != L2W_OK)
        goto out;
    const char *event = l2w_fmt_common_event(fb);
    l2w_fmt_rawf(&subject, "[l2watch] %s %s: ", l2w_fmt_severity_upper(fb->top), event ? event : "alerts");
    /* The event is said already: one finding's title goes in as it is.
     * Line breaks and control characters become spaces: no header injection. */
    l2w_fmt_text(&subject, fb->n == 1 ? fb->a[0].title : headline, L2W_FMT_ONE_LINE, SUBJECT_TEXT_MAX);
    if ((st = l2w_fmt_take(&subject_text, &subject)) != L2W_OK)
        goto out;
    l2w_fmt_rawf(msg, "From: %s\r\n", from);
    put_to(msg, to, n_to);
    put_subject(msg, subject_text);
    l2w_fmt_rawf(msg, "Message-ID: <%s>\r\n", message_id);
    l2w_fmt_raw(msg, "MIME-Version: 1.0\r\n"
                     "Content-Type: text/plain; charset=utf-8\r\n"
                     "Content-Transfer-Encoding: quoted-printable\r\n"
                     "Auto-Submitted: auto-generated\r\n"
                     "\r\n");
    if ((st = put_body_text(&body, fb, headline)) != L2W_OK || (st = l2w_fmt_take(&text, &body)) != L2W_OK)
        goto out;
    put_quoted_printable(msg, text);
out:
    l2w_fmt_str_free(&subject);
    l2w_fmt_str_free(&body);
    free(text);
    free(subject_text);
    free(headline);
    return st;
}

l2w_status l2w_format_email(char **message, const l2w_alert_batch *b, const char *from, const char *const *to,
                            size_t n_to, const char *message_id, l2w_err *err)
{
    *message = NULL;
    l2w_status st = check_config(from, to, n_to, message_id, err);
    if (st != L2W_OK)
        return st;
    l2w_fmt_batch fb;
    if ((st = l2w_fmt_batch_read(&fb, b, err)) != L2W_OK)
        return st;
    l2w_fmt_str msg = L2W_FMT_STR_INIT;
    st = build(&msg, &fb, from, to, n_to, message_id, err);
    if (st == L2W_OK && (st = l2w_fmt_take(message, &msg)) != L2W_OK)
        l2w_err_set(err, "email: out of memory building the message");
    l2w_fmt_str_free(&msg);
    l2w_fmt_batch_free(&fb);
    return st;
}
