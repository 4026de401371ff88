#include "alerts/smtp.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    const char *data;
    size_t len, off;
} upload;

static size_t on_read(char *buf, size_t size, size_t n, void *arg)
{
    upload *u = arg;
    size_t room = size * n, left = u->len - u->off;
    size_t take = left < room ? left : room;
    memcpy(buf, u->data + u->off, take);
    u->off += take;
    return take;
}

static int on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    (void)dt, (void)dn, (void)ut, (void)un;
    const atomic_bool *cancel = arg;
    return cancel && atomic_load(cancel) ? 1 : 0;
}

static l2w_status classify(CURLcode rc, long code, const char *errbuf, uint32_t timeout_ms, l2w_err *err)
{
    if (rc == CURLE_OK)
        return L2W_OK;
    const char *detail = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    int dlen = (int)strcspn(detail, "\r\n");
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
        l2w_err_set(err, "SMTP: no answer within %u ms", (unsigned)timeout_ms);
        return L2W_ERR_TIMEOUT;
    case CURLE_ABORTED_BY_CALLBACK:
        l2w_err_set(err, "SMTP: cancelled");
        return L2W_ERR_IO;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
        l2w_err_set(err, "SMTP: %.*s", dlen, detail);
        return L2W_ERR_IO;
    case CURLE_USE_SSL_FAILED:
        l2w_err_set(err, "SMTP: the server does not offer STARTTLS, and l2watch does not send in the clear");
        return L2W_ERR_PROTOCOL;
    case CURLE_LOGIN_DENIED:
        l2w_err_set(err, "SMTP: authentication refused (server said %ld)", code);
        return L2W_ERR_PROTOCOL;
    default:
        l2w_err_set(err, "SMTP: %.*s (server said %ld)", dlen, detail, code);
        return L2W_ERR_PROTOCOL;
    }
}

l2w_status l2w_smtp_send(const l2w_sink_config *sink, const char *password, const char *message, size_t len,
                         const atomic_bool *cancel, l2w_err *err)
{
    CURL *h = curl_easy_init();
    if (!h) {
        l2w_err_set(err, "SMTP: cannot create a libcurl handle");
        return L2W_ERR_NOMEM;
    }
    char from[320];
    snprintf(from, sizeof from, "<%s>", sink->from);
    struct curl_slist *rcpt = NULL;
    l2w_status st = L2W_OK;
    for (size_t i = 0; i < sink->n_to && st == L2W_OK; i++) {
        char to[320];
        snprintf(to, sizeof to, "<%s>", sink->to[i]);
        struct curl_slist *next = curl_slist_append(rcpt, to);
        if (!next)
            st = L2W_ERR_NOMEM;
        else
            rcpt = next;
    }
    upload u = {message, len, 0};
    char errbuf[CURL_ERROR_SIZE] = {0};
    CURLcode rc = st == L2W_OK ? CURLE_OK : CURLE_OUT_OF_MEMORY;
#define SET(opt, val)                                \
    do {                                             \
        if (rc == CURLE_OK)                          \
            rc = curl_easy_setopt(h, opt, val);      \
    } while (0)
    SET(CURLOPT_URL, sink->url);
    SET(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    SET(CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    SET(CURLOPT_MAIL_FROM, from);
    SET(CURLOPT_MAIL_RCPT, rcpt);
    SET(CURLOPT_UPLOAD, 1L);
    SET(CURLOPT_READFUNCTION, on_read);
    SET(CURLOPT_READDATA, &u);
    SET(CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_TIMEOUT_MS, (long)sink->timeout_ms);
    SET(CURLOPT_CONNECTTIMEOUT_MS, (long)sink->timeout_ms);
    SET(CURLOPT_NOPROGRESS, 0L);
    SET(CURLOPT_XFERINFOFUNCTION, on_progress);
    SET(CURLOPT_XFERINFODATA, (void *)cancel);
    SET(CURLOPT_ERRORBUFFER, errbuf);
    if (sink->ca_file)
        SET(CURLOPT_CAINFO, sink->ca_file);
    if (sink->username && password) {
        SET(CURLOPT_USERNAME, sink->username);
        SET(CURLOPT_PASSWORD, password);
    }
#undef SET
    if (rc == CURLE_OK) {
        rc = curl_easy_perform(h);
        long code = 0;
        (void)curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
        st = classify(rc, code, errbuf, sink->timeout_ms, err);
    } else if (st == L2W_OK) {
        l2w_err_set(err, "SMTP: cannot configure the request: %s", curl_easy_strerror(rc));
        st = L2W_ERR_INVALID;
    } else {
        l2w_err_set(err, "SMTP: out of memory");
    }
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(h);
    return st;
}
