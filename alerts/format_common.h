#ifndef L2W_ALERTS_FORMAT_COMMON_H
#define L2W_ALERTS_FORMAT_COMMON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alerts/alert_format.h"
#include "core/bytes.h"
#include "core/finding.h"
#include "core/status.h"

/* What the alert formatters (alerts/format_*.c) share: an alert payload read
 * and checked once into a struct, its links, text cut to a sink's limits
 * with the sink's escaping, and time formats. Internal to the formatters. */

/* The "event" of an alert payload. */
typedef enum {
    L2W_EVENT_RAISED,
    L2W_EVENT_RETRACTED,
    L2W_EVENT_RESOLVED,
    L2W_EVENT_ESCALATED,
    L2W_EVENT_REPEAT,
    L2W_EVENT_CHALLENGE_ACTIVE,
    L2W_EVENT_CHALLENGE_EXPIRED,
    L2W_EVENT_RESPONSE_DRY_RUN,
    L2W_EVENT_RESPONSE_SENT,
    L2W_EVENT_RESPONSE_LANDED,
    L2W_EVENT_RESPONSE_FAILED,
} l2w_alert_event;

typedef enum {
    L2W_FINDING_OPEN,
    L2W_FINDING_RESOLVED,
    L2W_FINDING_RETRACTED,
} l2w_finding_status;

/* One alert payload, checked. The strings point into the payload (valid
 * while it lives); the three URLs are owned (l2w_fmt_batch_free). */
typedef struct {
    int64_t id;                /* > 0 */
    const char *kind;          /* [a-z][a-z0-9_]*, at most 64 bytes */
    l2w_severity severity;
    const char *chain;         /* 1..128 bytes, no control characters */
    const char *title;
    const char *summary;
    const json_t *evidence;    /* an object */
    const char *block_number;  /* 1..78 decimal digits, or NULL */
    const char *block_chain;   /* the chain block_number is on (as chain), or NULL when not said */
    const char *tx_hash;       /* 0x and 64 hex digits, or NULL */
    const char *tx_chain;      /* the chain tx_hash is on (as chain), or NULL when not said */
    const char *detected_at;   /* YYYY-MM-DDTHH:MM:SS[.f+]Z, an RFC 3339 UTC time */
    int64_t detected_unix;     /* its whole seconds */
    l2w_finding_status status;
    const char *status_name;
    l2w_alert_event event;
    const char *event_name;
    const json_t *response;    /* an object, or NULL */
    char *finding_url;         /* <dashboard_url>/api/v1/findings/<id>, or NULL without a dashboard */
    char *tx_url;              /* <explorer of tx_chain>/tx/<hash>, or NULL */
    char *block_url;           /* <explorer of block_chain>/block/<number>, or NULL */
} l2w_fmt_alert;

typedef struct {
    l2w_fmt_alert *a;          /* n of them, owned */
    size_t n;
    const l2w_alert_batch *batch;
    l2w_severity top;          /* the most urgent severity in the batch */
    const char *dashboard_url; /* the batch's, without a trailing '/', or NULL */
} l2w_fmt_batch;

/* Reads and checks every payload of b: n >= 1, every documented field of the
 * right type and form, and for a group (n > 1) one kind on one chain. A
 * malformed payload is L2W_ERR_INVALID with the field's path in err
 * ("alerts[1].kind: missing"); a dashboard_url, or an explorer URL a link
 * needs, that is not a plain http(s) URL of at most 512 bytes is
 * L2W_ERR_INVALID too (it is written into markup). On success out is freed with l2w_fmt_batch_free. */
L2W_MUST_CHECK l2w_status l2w_fmt_batch_read(l2w_fmt_batch *out, const l2w_alert_batch *b, l2w_err *err);
void l2w_fmt_batch_free(l2w_fmt_batch *fb);
/* How a chat formatter starts: *body = NULL, b read into fb (as
 * l2w_fmt_batch_read) and its headline (l2w_fmt_headline) into *headline.
 * On failure there is nothing to free. */
L2W_MUST_CHECK l2w_status l2w_fmt_begin(char **body, l2w_fmt_batch *fb, char **headline, const l2w_alert_batch *b,
                                        l2w_err *err);

/* The chain to name beside a block or transaction on ref_chain (a's
 * block_chain or tx_chain): ref_chain when it is not a's own chain, else
 * NULL (the reader assumes the finding's chain). */
const char *l2w_fmt_other_chain(const l2w_fmt_alert *a, const char *ref_chain);

/* "" for raised, else what the event says about the finding, to put before
 * its title: "Resolved: ", "Retracted: ", "Escalated: ", "Still open: " ... */
const char *l2w_fmt_event_prefix(l2w_alert_event ev);
/* "CRITICAL", "HIGH", ... */
const char *l2w_fmt_severity_upper(l2w_severity sev);
/* Whether the alert ends the finding's incident: a resolved or retracted
 * event, or any event about a finding no longer open. */
bool l2w_fmt_alert_ends(const l2w_fmt_alert *a);
/* The event every alert of the batch has, or NULL when they differ. */
const char *l2w_fmt_common_event(const l2w_fmt_batch *fb);

/* The line that names what happened, unescaped: "<prefix><title>" for one
 * alert, "<n> <kind> findings on <chain>" for a group. Malloc'd. */
L2W_MUST_CHECK l2w_status l2w_fmt_headline(char **out, const l2w_fmt_batch *fb);

/* An evidence value as text: a string as it is, anything else as compact
 * JSON. Malloc'd. */
L2W_MUST_CHECK l2w_status l2w_fmt_value_text(char **out, const json_t *v);
/* A string, number or boolean (what fits in a one-line field). */
bool l2w_fmt_is_scalar(const json_t *v);

/* unix seconds as "YYYY-MM-DDTHH:MM:SSZ" (RFC 3339, UTC) into out[32]. */
L2W_MUST_CHECK l2w_status l2w_fmt_rfc3339(char out[32], int64_t t, l2w_err *err);

/* Serializes root compactly into *out (malloc'd; the caller frees it) and
 * releases root. A NULL root (a failed json_pack) is L2W_ERR_NOMEM. */
L2W_MUST_CHECK l2w_status l2w_fmt_dump(char **out, json_t *root, l2w_err *err);

/* ---- text with limits ---- */

/* Limits of chat services are counted in characters; we count UTF-16 code
 * units (a character beyond U+FFFF counts 2), which is never less than any
 * of their counts, so text within our count is within theirs. */
typedef struct {
    l2w_bytes b;
    size_t units;
} l2w_fmt_str;

#define L2W_FMT_STR_INIT {L2W_BYTES_INIT, 0}

/* How untrusted text is written (flags). */
enum {
    L2W_FMT_PLAIN = 0,
    L2W_FMT_ENTITIES = 1, /* & < > as &amp; &lt; &gt; (Slack mrkdwn, HTML) */
    L2W_FMT_MARKDOWN = 2, /* Discord markdown and mention characters behind a backslash */
    L2W_FMT_ONE_LINE = 4, /* line breaks and tabs as spaces (titles, headers, fields) */
};

/* The markup of a chat message. */
typedef enum {
    L2W_MARKUP_SLACK,   /* mrkdwn: *bold*, <url|text> */
    L2W_MARKUP_DISCORD, /* markdown: **bold**, [text](url) */
    L2W_MARKUP_HTML,    /* Telegram's HTML: <b>, <a href> */
} l2w_markup;

/* Trusted text (our own words and markup), counted. */
void l2w_fmt_raw(l2w_fmt_str *s, const char *text);
void l2w_fmt_rawf(l2w_fmt_str *s, const char *fmt, ...) L2W_PRINTF(2, 3);
/* Untrusted text, written as how says and cut at a character boundary with
 * "…" so that at most max_units are added. Control characters other than
 * line breaks and tabs become spaces, CR is dropped. Returns whether it cut. */
bool l2w_fmt_text(l2w_fmt_str *s, const char *text, unsigned how, size_t max_units);
/* The units l2w_fmt_text would add uncut. */
size_t l2w_fmt_text_units(const char *text, unsigned how);
/* The escaping of a markup. */
unsigned l2w_fmt_markup_escape(l2w_markup m);
/* label (untrusted, one line, at most max_units) linked to url when url is
 * not NULL (urls come from l2w_fmt_batch_read, so they are plain). */
void l2w_fmt_link(l2w_fmt_str *s, l2w_markup m, const char *url, const char *label, size_t max_units);
/* Our own text in bold. */
void l2w_fmt_bold(l2w_fmt_str *s, l2w_markup m, const char *text);
/* " on <chain>" (chain escaped for m) when chain is not NULL: what follows
 * a block or transaction on another chain than the finding's. */
void l2w_fmt_on_chain(l2w_fmt_str *s, l2w_markup m, const char *chain);
/* One line about a finding of a group: "#17 · CRITICAL · <prefix><title> ·
 * block N · tx 0xabcd…1234 on <chain>" (a chain named only when it is
 * not the finding's), linked where URLs are known, the title cut to
 * title_max units. */
void l2w_fmt_finding_line(l2w_fmt_str *s, l2w_markup m, const l2w_fmt_alert *a, size_t title_max);
/* The group's finding lines, one a line, while they fit in max_units
 * together with a last line "…and K more" when not all do. Returns how many
 * were written. */
size_t l2w_fmt_finding_lines(l2w_fmt_str *s, l2w_markup m, const l2w_fmt_batch *fb, size_t max_units);
/* "0x1234…abcd" for a 0x hash into out[16]. */
const char *l2w_fmt_short_hash(char out[16], const char *hash);
/* The text, NUL-terminated, into *out (malloc'd); s is emptied either way. */
L2W_MUST_CHECK l2w_status l2w_fmt_take(char **out, l2w_fmt_str *s);
void l2w_fmt_str_free(l2w_fmt_str *s);

#endif
