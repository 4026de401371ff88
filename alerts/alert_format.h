#ifndef L2W_ALERTS_ALERT_FORMAT_H
#define L2W_ALERTS_ALERT_FORMAT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

/* What each sink sends, built from the alert payloads in the outbox. Pure:
 * JSON in, a body out; the transport (alerts/sink_*.c) sends it.
 *
 * An alert payload is the finding document (the finding_documents view:
 * id, kind, severity, chain, title, summary, evidence{...}, block_number
 * (decimal text or null), block_chain (the chain block_number is on, or
 * null), tx_hash (0x hex or null), tx_chain (the chain tx_hash is on, or
 * null), detected_at (ISO 8601
 * UTC), status (open|resolved|retracted), response (object or null)) plus
 * "event": raised, retracted, resolved, escalated, repeat, challenge_active,
 * challenge_expired, response_dry_run, response_sent, response_landed,
 * response_failed. Payloads come from the database and are treated as
 * untrusted: a missing or mistyped field is an L2W_ERR_INVALID naming it,
 * never a crash. */

/* The block explorer of the chain named chain: its base URL (tx:
 * <base>/tx/<hash>, block: <base>/block/<number>), or NULL when the chain
 * has none or is unknown. ctx is the batch's explorers_ctx; the URL must
 * stay valid while the batch is formatted. */
typedef const char *(*l2w_explorer_lookup)(const void *ctx, const char *chain);

typedef struct {
    /* Payloads, at least one. More than one only for a group: "raised"
     * alerts of one kind on one chain that came within the group window. */
    const json_t *const *alerts;
    size_t n;
    const char *dashboard_url;  /* NULL, or the dashboard's base URL without a trailing '/' */
    /* Explorers by chain name, NULL for none. A block or transaction is
     * linked to the explorer of the chain it is on (block_chain, tx_chain),
     * which is not always the finding's: an output root's proposal is an L1
     * transaction about an L2 block. */
    l2w_explorer_lookup explorers;
    const void *explorers_ctx;
    int64_t now;                /* unix seconds: "now" where a format needs it (Alertmanager endsAt) */
} l2w_alert_batch;

/* A finding's page on the dashboard: <dashboard_url>/findings/<id> (the JSON is at /api/v1/findings/<id>). */
#define L2W_ALERT_FINDING_PATH "/findings/"

/* Each formatter reads b's payloads (L2W_ERR_INVALID naming the field when
 * one is malformed, when b->n is 0, when a group mixes kinds or chains, or
 * when dashboard_url or an explorer URL a link needs is not a plain http(s)
 * URL of at most 512 bytes, as they are written into markup) and writes one request body into
 * *out, NUL-terminated and malloc'd: the caller frees it with free(). On
 * failure *out is NULL. Text that came from a payload is escaped for the
 * sink's markup and cut (with "…", at a character boundary) to the sink's
 * documented limits. A block or transaction on another chain than the
 * finding's is named with its chain ("… on ethereum"); one whose chain is
 * unknown (a payload queued before l2watch said it) or has no explorer is
 * shown without a link. */

/* Slack incoming webhook: {"text": fallback, "blocks": [...]}. One alert:
 * a header (severity and title, <= 150 characters), a section of fields
 * (kind, severity, chain, event, block, tx; block and tx linked to the
 * explorer), the summary (<= 3000), up to 10 of the evidence's scalar
 * entries as fields (<= 2000 each) and a context line with the links. A
 * group: the header "<n> <kind> findings on <chain>", one section a finding,
 * within Slack's 50 blocks ("…and K more"). &, < and > of payload text are
 * escaped, so a title cannot mention @channel or forge a link. */
L2W_MUST_CHECK l2w_status l2w_format_slack(char **body, const l2w_alert_batch *b, l2w_err *err);

/* PagerDuty Events API v2, one alert (b->n must be 1: PagerDuty
 * deduplicates by dedup_key, so a group would hide findings). event_action
 * is "resolve" for a resolved or retracted event, and for any event about a
 * finding that is no longer open; "trigger" otherwise. dedup_key is
 * "l2watch-finding-<id>", so every alert of a finding is one incident. A
 * trigger carries payload (summary <= 1024 characters, source
 * "l2watch/<chain>", severity critical/error/warning/info, timestamp,
 * component, group, class, custom_details), links, client and client_url;
 * a resolve carries only routing_key, event_action and dedup_key.
 * routing_key (the integration key) must be 32 printable characters, as
 * PagerDuty documents it; another is L2W_ERR_INVALID and the message never
 * shows it. */
L2W_MUST_CHECK l2w_status l2w_format_pagerduty(char **body, const l2w_alert_batch *b, const char *routing_key,
                                               l2w_err *err);

/* Alertmanager API v2, POST /api/v2/alerts: an array with one alert per
 * payload. labels: alertname "l2watch_<kind>", kind, severity, chain,
 * finding_id, source "l2watch"; annotations: summary (title), description
 * (summary), event, dashboard, tx and block (links, when known), tx_chain
 * and block_chain (when known); startsAt the
 * finding's detected_at; endsAt b->now for a resolved or retracted event
 * (or a finding no longer open), else b->now + 30 days so that an open
 * finding stays active until l2watch ends it (without endsAt Alertmanager
 * would resolve it after its resolve_timeout); generatorURL the finding's
 * dashboard link. endsAt is never before startsAt (Alertmanager refuses
 * that), whatever the clocks say. */
#define L2W_ALERTMANAGER_OPEN_S (30 * 86400)
L2W_MUST_CHECK l2w_status l2w_format_alertmanager(char **body, const l2w_alert_batch *b, l2w_err *err);

/* An RFC 5322 message with CRLF line endings, ready for SMTP: Date (b->now),
 * From, To (the n_to addresses), Subject "[l2watch] <SEVERITY> <event>:
 * <title>" (or the group's line), Message-ID <message_id> (message_id
 * without the angle brackets, chosen by the caller so a resend is the same
 * message), MIME-Version, Content-Type text/plain; charset=utf-8 and
 * Content-Transfer-Encoding quoted-printable. Quoted-printable rather than
 * 8bit because 8bit needs every relay on the way to offer 8BITMIME, and
 * because its soft line breaks keep every line within 76 octets however
 * long an evidence value is (SMTP refuses lines over 998).
 *
 * Payload text in the Subject has its line breaks and control characters
 * replaced by spaces (no header can be injected from a title) and is
 * written as RFC 2047 encoded-words (UTF-8, base64) when it is not plain
 * ASCII or would make the line longer than 78. from, each to and
 * message_id come from configuration: one holding a line break, a
 * control character or non-ASCII is L2W_ERR_INVALID.
 *
 * A body line that is a single "." is left as it is: SMTP's dot-stuffing
 * is done by the transport (libcurl doubles a leading '.' when it sends
 * DATA), not here. */
L2W_MUST_CHECK l2w_status l2w_format_email(char **message, const l2w_alert_batch *b, const char *from,
                                           const char *const *to, size_t n_to, const char *message_id,
                                           l2w_err *err);

/* Discord webhook: content (one line) and one embed (title <= 256,
 * description <= 4096, colour by severity, green for resolved, grey for
 * retracted, up to 25 fields with names <= 256 and values <= 1024, url to
 * the finding, all the embed's text <= 6000), with allowed_mentions empty
 * so payload text can never ping anyone. Markdown characters of payload
 * text are escaped. */
L2W_MUST_CHECK l2w_status l2w_format_discord(char **body, const l2w_alert_batch *b, l2w_err *err);

/* Telegram Bot API sendMessage: chat_id (a number is sent as a number, an
 * @channel name as a string), text <= 4096 characters with parse_mode HTML
 * and payload text HTML-escaped, disable_web_page_preview true. */
L2W_MUST_CHECK l2w_status l2w_format_telegram(char **body, const l2w_alert_batch *b, const char *chat_id,
                                              l2w_err *err);

#endif
