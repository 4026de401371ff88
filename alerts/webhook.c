#include "alerts/webhook.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Receivers answer with a short acknowledgement; anything longer is read no
 * further (a hostile or broken receiver cannot make us buffer megabytes). */
#define RESPONSE_CAP (64 * 1024)

struct l2w_webhook_client {
    CURL *curl;
    const atomic_bool *cancel;
};

typedef struct {
    size_t seen;
    bool capped;
} body_sink;

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
    (void)data;
    body_sink *sink = userdata;
    size_t n = size * nmemb;
    if (n > RESPONSE_CAP - sink->seen) {
        sink->capped = true;
        return 0; /* stops the transfer; the status line has been read already */
    }
    sink->seen += n;
    return n;
}

static int on_progress(void *clientp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    const atomic_bool *cancel = clientp;
    return cancel && atomic_load(cancel) ? 1 : 0;
}

l2w_status l2w_webhook_client_create(l2w_webhook_client **out, const atomic_bool *cancel, l2w_err *err)
{
    *out = NULL;
    l2w_webhook_client *c = calloc(1, sizeof *c);
    if (!c || !(c->curl = curl_easy_init())) {
        free(c);
        l2w_err_set(err, "webhook: cannot create an HTTP client");
        return L2W_ERR_NOMEM;
    }
    c->cancel = cancel;
    *out = c;
    return L2W_OK;
}

void l2w_webhook_client_destroy(l2w_webhook_client *client)
{
    if (!client)
        return;
    curl_easy_cleanup(client->curl);
    free(client);
}

static l2w_status configure(l2w_webhook_client *c, const l2w_http_target *wh, struct curl_slist *headers,
                            const char *payload, size_t payload_len, body_sink *sink, char *errbuf)
{
    CURL *h = c->curl;
    /* A reset keeps the connection cache, so a sink's connection is reused. */
    curl_easy_reset(h);
    CURLcode rc = CURLE_OK;
#define SET(opt, val)                                \
    do {                                             \
        if (rc == CURLE_OK)                          \
            rc = curl_easy_setopt(h, opt, val);      \
    } while (0)
    SET(CURLOPT_URL, wh->url);
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_FOLLOWLOCATION, 0L);
    SET(CURLOPT_NOSIGNAL, 1L); /* we run in a worker thread */
    SET(CURLOPT_TIMEOUT_MS, (long)wh->timeout_ms);
    SET(CURLOPT_CONNECTTIMEOUT_MS, (long)wh->timeout_ms);
    SET(CURLOPT_POST, 1L);
    SET(CURLOPT_POSTFIELDS, payload);
    SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)payload_len);
    SET(CURLOPT_HTTPHEADER, headers);
    SET(CURLOPT_USERAGENT, "l2watch/" L2W_VERSION);
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_WRITEDATA, sink);
    SET(CURLOPT_NOPROGRESS, 0L);
    SET(CURLOPT_XFERINFOFUNCTION, on_progress);
    SET(CURLOPT_XFERINFODATA, (void *)c->cancel);
    SET(CURLOPT_ERRORBUFFER, errbuf);
#undef SET
    return rc == CURLE_OK ? L2W_OK : L2W_ERR_INVALID;
}

static l2w_status build_headers(struct curl_slist **out, const char *idempotency_key, const char *const *extra)
{
    char key_header[256];
    int n = snprintf(key_header, sizeof key_header, "Idempotency-Key: %s", idempotency_key);
    if (n < 0 || (size_t)n >= sizeof key_header || strpbrk(idempotency_key, "\r\n"))
        return L2W_ERR_INVALID;
    /* "Expect:" turns off 100-continue: one round trip per alert. */
    static const char *const fixed[] = {"Content-Type: application/json", "Accept: */*", "Expect:"};
    struct curl_slist *list = NULL;
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        struct curl_slist *next = curl_slist_append(list, fixed[i]);
        if (!next) {
            curl_slist_free_all(list);
            return L2W_ERR_NOMEM;
        }
        list = next;
    }
    struct curl_slist *next = curl_slist_append(list, key_header);
    if (!next) {
        curl_slist_free_all(list);
        return L2W_ERR_NOMEM;
    }
    list = next;
    for (size_t i = 0; extra && extra[i]; i++) {
        if (strpbrk(extra[i], "\r\n") || !(next = curl_slist_append(list, extra[i]))) {
            curl_slist_free_all(list);
            return L2W_ERR_INVALID;
        }
        list = next;
    }
    *out = list;
    return L2W_OK;
}

static l2w_status classify(l2w_webhook_client *c, CURLcode rc, const body_sink *sink, const char *errbuf,
                           const l2w_http_target *wh, l2w_err *err)
{
    long code = 0;
    if (curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &code) != CURLE_OK)
        code = 0;
    /* An over-long body after a complete status line still counts as an answer. */
    bool answered = rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && sink->capped && code != 0);
    if (answered) {
        if (code >= 200 && code < 300)
            return L2W_OK;
        l2w_err_set(err, "HTTP %ld", code);
        return L2W_ERR_PROTOCOL;
    }
    /* The error buffer can name the host but not the path or query, where
     * tokens live; curl_easy_strerror is the fallback. */
    const char *detail = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    if (rc == CURLE_ABORTED_BY_CALLBACK) {
        l2w_err_set(err, "cancelled");
        return L2W_ERR_IO;
    }
    if (rc == CURLE_OPERATION_TIMEDOUT) {
        l2w_err_set(err, "no answer within %u ms", (unsigned)wh->timeout_ms);
        return L2W_ERR_TIMEOUT;
    }
    l2w_err_set(err, "%.*s", (int)strcspn(detail, "\r\n"), detail);
    return L2W_ERR_IO;
}

l2w_status l2w_webhook_post(l2w_webhook_client *client, const l2w_http_target *wh, const char *idempotency_key,
                            const char *payload, size_t payload_len, l2w_err *err)
{
    struct curl_slist *headers = NULL;
    l2w_status st = build_headers(&headers, idempotency_key, wh->headers);
    if (st != L2W_OK) {
        l2w_err_set(err, "cannot build request headers");
        return st;
    }
    char errbuf[CURL_ERROR_SIZE] = {0};
    body_sink sink = {0, false};
    st = configure(client, wh, headers, payload, payload_len, &sink, errbuf);
    if (st != L2W_OK) {
        l2w_err_set(err, "cannot configure the HTTP request");
    } else {
        CURLcode rc = curl_easy_perform(client->curl);
        st = classify(client, rc, &sink, errbuf, wh, err);
    }
    /* The handle must not keep pointers into this frame. */
    (void)curl_easy_setopt(client->curl, CURLOPT_HTTPHEADER, NULL);
    (void)curl_easy_setopt(client->curl, CURLOPT_ERRORBUFFER, NULL);
    curl_slist_free_all(headers);
    return st;
}
