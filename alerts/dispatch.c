#include "alerts/dispatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/smtp.h"
#include "core/bytes.h"
#include "core/secret_file.h"
#include "core/sha256.h"

/* A routing key, a token, an HMAC key or a password: far below this. */
#define MAX_SECRET 4096

l2w_status l2w_sink_secrets_load(l2w_sink_secrets *out, const l2w_config *cfg, l2w_err *err)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < cfg->n_sinks; i++) {
        const l2w_sink_config *s = &cfg->sinks[i];
        if (!s->secret_file)
            continue;
        char what[96];
        snprintf(what, sizeof what, "secret_file of sink %s", s->name);
        char *buf = malloc(MAX_SECRET);
        size_t len = 0;
        l2w_status st = buf ? l2w_secret_file_read(s->secret_file, what, buf, MAX_SECRET, &len, err) : L2W_ERR_NOMEM;
        if (st == L2W_OK && len == 0) {
            l2w_err_set(err, "%s %s: the file is empty", what, s->secret_file);
            st = L2W_ERR_CONFIG;
        }
        if (st != L2W_OK) {
            if (st == L2W_ERR_NOMEM)
                l2w_err_set(err, "alerts: out of memory");
            free(buf);
            l2w_sink_secrets_clear(out);
            return st;
        }
        out->secrets[i] = buf;
    }
    return L2W_OK;
}

void l2w_sink_secrets_clear(l2w_sink_secrets *s)
{
    for (size_t i = 0; i < L2W_MAX_SINKS; i++) {
        if (s->secrets[i]) {
            l2w_wipe(s->secrets[i], MAX_SECRET);
            free(s->secrets[i]);
            s->secrets[i] = NULL;
        }
    }
}

void l2w_webhook_signature_headers(char timestamp_header[L2W_SIGNATURE_HEADER_LEN],
                                   char signature_header[L2W_SIGNATURE_HEADER_LEN], const char *key, size_t key_len,
                                   long long timestamp, const char *body, size_t body_len)
{
    char ts[24];
    int ts_len = snprintf(ts, sizeof ts, "%lld", timestamp);
    l2w_hmac_sha256_ctx ctx;
    l2w_hmac_sha256_init(&ctx, key, key_len);
    l2w_hmac_sha256_update(&ctx, ts, (size_t)ts_len);
    l2w_hmac_sha256_update(&ctx, ".", 1);
    l2w_hmac_sha256_update(&ctx, body, body_len);
    uint8_t mac[32];
    l2w_hmac_sha256_final(&ctx, mac);
    static const char digits[] = "0123456789abcdef";
    char hex[65];
    for (size_t i = 0; i < 32; i++) {
        hex[2 * i] = digits[mac[i] >> 4];
        hex[2 * i + 1] = digits[mac[i] & 15];
    }
    hex[64] = '\0';
    l2w_wipe(&ctx, sizeof ctx);
    snprintf(timestamp_header, L2W_SIGNATURE_HEADER_LEN, "X-L2watch-Timestamp: %s", ts);
    snprintf(signature_header, L2W_SIGNATURE_HEADER_LEN, "X-L2watch-Signature: v1=%s", hex);
}

static l2w_status send_webhook(l2w_webhook_client *http, const l2w_sink_config *sink, const char *secret,
                               const l2w_alert_batch *batch, const char *raw, size_t raw_len, const char *key,
                               l2w_err *err)
{
    char ts_header[L2W_SIGNATURE_HEADER_LEN], sig_header[L2W_SIGNATURE_HEADER_LEN];
    const char *headers[3] = {NULL, NULL, NULL};
    if (secret) {
        l2w_webhook_signature_headers(ts_header, sig_header, secret, strlen(secret), (long long)batch->now, raw,
                                      raw_len);
        headers[0] = ts_header;
        headers[1] = sig_header;
    }
    const l2w_http_target t = {.url = sink->url, .headers = headers, .timeout_ms = sink->timeout_ms};
    return l2w_webhook_post(http, &t, key, raw, raw_len, err);
}

/* Formats for the sink's kind into *body (malloc'd). */
static l2w_status format_for(const l2w_sink_config *sink, const char *secret, const l2w_alert_batch *batch,
                             const char *message_id, char **body, l2w_err *err)
{
    switch (sink->kind) {
    case L2W_SINK_SLACK:
        return l2w_format_slack(body, batch, err);
    case L2W_SINK_PAGERDUTY:
        return l2w_format_pagerduty(body, batch, secret, err);
    case L2W_SINK_ALERTMANAGER:
        return l2w_format_alertmanager(body, batch, err);
    case L2W_SINK_EMAIL:
        return l2w_format_email(body, batch, sink->from, (const char *const *)sink->to, sink->n_to, message_id,
                                err);
    case L2W_SINK_DISCORD:
        return l2w_format_discord(body, batch, err);
    case L2W_SINK_TELEGRAM:
        return l2w_format_telegram(body, batch, sink->chat_id, err);
    case L2W_SINK_WEBHOOK:
        break;
    }
    l2w_err_set(err, "no formatter for sink kind %s", sink->kind_name);
    return L2W_ERR_INVALID;
}

/* Where the body is POSTed: most kinds take the configured URL; the
 * Alertmanager API and the Telegram Bot API have paths of their own (the
 * bot token is part of Telegram's). */
static l2w_status target_url(const l2w_sink_config *sink, const char *secret, char **url, l2w_err *err)
{
    const char *base = sink->url;
    size_t n = strlen(base);
    while (n > 0 && base[n - 1] == '/')
        n--;
    char *out = NULL;
    int len = -1;
    if (sink->kind == L2W_SINK_ALERTMANAGER)
        len = asprintf(&out, "%.*s/api/v2/alerts", (int)n, base);
    else if (sink->kind == L2W_SINK_TELEGRAM)
        len = asprintf(&out, "%.*s/bot%s/sendMessage", (int)n, base, secret ? secret : "");
    else
        len = asprintf(&out, "%s", base);
    if (len < 0) {
        l2w_err_set(err, "alerts: out of memory");
        return L2W_ERR_NOMEM;
    }
    *url = out;
    return L2W_OK;
}

l2w_status l2w_alert_send(l2w_webhook_client *http, const l2w_sink_config *sink, const char *secret,
                          const l2w_alert_batch *batch, const char *raw, size_t raw_len, const char *idempotency_key,
                          const atomic_bool *cancel, l2w_err *err)
{
    if (sink->kind == L2W_SINK_WEBHOOK)
        return send_webhook(http, sink, secret, batch, raw, raw_len, idempotency_key, err);
    char message_id[256];
    snprintf(message_id, sizeof message_id, "%s@l2watch", idempotency_key);
    char *body = NULL;
    l2w_status st = format_for(sink, secret, batch, message_id, &body, err);
    if (st != L2W_OK) {
        l2w_err_prefix(err, "formatting for %s", sink->kind_name);
        return st;
    }
    if (sink->kind == L2W_SINK_EMAIL) {
        st = l2w_smtp_send(sink, secret, body, strlen(body), cancel, err);
    } else {
        char *url = NULL;
        if ((st = target_url(sink, secret, &url, err)) == L2W_OK) {
            const l2w_http_target t = {.url = url, .headers = NULL, .timeout_ms = sink->timeout_ms};
            st = l2w_webhook_post(http, &t, idempotency_key, body, strlen(body), err);
            l2w_wipe(url, strlen(url));
            free(url);
        }
    }
    free(body);
    return st;
}
