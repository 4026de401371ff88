#include "collector/da_fetch.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "collector/rpc_url.h"
#include "core/hex.h"
#include "core/keccak.h"
#include "detectors/da_commitment.h"

struct l2w_da_http {
    CURL *curl;
};

/* curl_global_init is not thread-safe in the libcurl versions we support;
 * workers may create their handles at the same time. */
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result;

static void init_curl(void)
{
    curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

const char *l2w_da_fetch_outcome_name(l2w_da_fetch_outcome o)
{
    switch (o) {
    case L2W_DA_FETCH_OK:
        return "ok";
    case L2W_DA_FETCH_NOT_FOUND:
        return "not_found";
    case L2W_DA_FETCH_SERVER_ERROR:
        return "server_error";
    case L2W_DA_FETCH_TIMEOUT:
        return "timeout";
    case L2W_DA_FETCH_TOO_LARGE:
        return "too_large";
    case L2W_DA_FETCH_TRANSPORT:
        return "transport";
    }
    return "?";
}

const char *l2w_da_verdict_name(l2w_da_verdict v)
{
    switch (v) {
    case L2W_DA_AVAILABLE:
        return "available";
    case L2W_DA_WRONG_DATA:
        return "wrong_data";
    case L2W_DA_UNAVAILABLE:
        return "unavailable";
    }
    return "?";
}

l2w_status l2w_da_http_create(l2w_da_http **out, l2w_err *err)
{
    *out = NULL;
    pthread_once(&curl_once, init_curl);
    if (curl_init_result != CURLE_OK) {
        l2w_err_set(err, "DA fetch: libcurl failed to initialise: %s", curl_easy_strerror(curl_init_result));
        return L2W_ERR_IO;
    }
    l2w_da_http *h = calloc(1, sizeof *h);
    if (!h || !(h->curl = curl_easy_init())) {
        free(h);
        l2w_err_set(err, "DA fetch: cannot create an HTTP client");
        return L2W_ERR_NOMEM;
    }
    *out = h;
    return L2W_OK;
}

void l2w_da_http_destroy(l2w_da_http *http)
{
    if (!http)
        return;
    curl_easy_cleanup(http->curl);
    free(http);
}

void l2w_da_response_clear(l2w_da_response *out)
{
    free(out->body);
    out->body = NULL;
    out->body_len = 0;
}

/* ------------------------------------------------------------ one request */

typedef struct {
    CURL *curl;
    uint8_t *data;
    size_t len;
    size_t cap;
    size_t max;
    bool overflow; /* a 200 body went past max */
    bool unwanted; /* the status is not 200: the body is of no use */
    bool nomem;
} body_sink;

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    body_sink *s = userdata;
    size_t n = size * nmemb; /* size is 1 by libcurl's contract */
    /* The status line is in by the time body bytes arrive. Only a 200
     * carries data; for anything else the status says all we need, so the
     * transfer stops instead of reading an error page of any size. */
    long code = 0;
    if (curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &code) != CURLE_OK || code != 200) {
        s->unwanted = true;
        return 0;
    }
    if (n > s->max - s->len) {
        s->overflow = true;
        return 0; /* refused mid-stream: curl aborts with CURLE_WRITE_ERROR */
    }
    if (s->len + n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 16384;
        while (cap < s->len + n + 1)
            cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
        if (cap > s->max + 1)
            cap = s->max + 1; /* the cap plus the NUL is all we will ever hold */
        uint8_t *nd = realloc(s->data, cap);
        if (!nd) {
            s->nomem = true;
            return 0;
        }
        s->data = nd;
        s->cap = cap;
    }
    memcpy(s->data + s->len, ptr, n);
    s->len += n;
    return n;
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static bool http_scheme(const char *url)
{
    return strncasecmp(url, "http://", 7) == 0 || strncasecmp(url, "https://", 8) == 0;
}

static l2w_status configure(CURL *c, const char *url, struct curl_slist *headers, const l2w_da_limits *lim,
                            body_sink *sink)
{
    curl_easy_reset(c); /* keeps the connection cache */
    CURLcode rc = CURLE_OK;
#define SET(opt, val)                           \
    do {                                        \
        if (rc == CURLE_OK)                     \
            rc = curl_easy_setopt(c, opt, val); \
    } while (0)
    SET(CURLOPT_URL, url);
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_FOLLOWLOCATION, 0L);
    SET(CURLOPT_NOSIGNAL, 1L); /* workers are threads: no SIGALRM for DNS timeouts */
    SET(CURLOPT_HTTPGET, 1L);
    SET(CURLOPT_TIMEOUT_MS, (long)lim->timeout_ms);
    SET(CURLOPT_CONNECTTIMEOUT_MS, (long)lim->timeout_ms);
    /* Refuses up front when Content-Length is over the cap; the write
     * callback enforces the cap for bodies of unannounced length. */
    curl_off_t max_file = lim->max_bytes > (uint64_t)INT64_MAX ? INT64_MAX : (curl_off_t)lim->max_bytes;
    SET(CURLOPT_MAXFILESIZE_LARGE, max_file);
    /* Compression is welcome (blobs are often mostly zero padding); the cap
     * applies to the decoded bytes the write callback sees. */
    SET(CURLOPT_ACCEPT_ENCODING, "");
    SET(CURLOPT_HTTPHEADER, headers);
    SET(CURLOPT_USERAGENT, "l2watch/" L2W_VERSION);
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_WRITEDATA, sink);
#undef SET
    return rc == CURLE_OK ? L2W_OK : L2W_ERR_INVALID;
}

/* Turns what curl and the sink saw into an outcome and a message. */
static void classify(l2w_da_response *out, CURLcode rc, long code, long os_errno, const body_sink *sink,
                     const char *shown, const l2w_da_limits *lim)
{
    uint32_t ms = out->elapsed_ms;
    out->http_status = code;
    if (code != 0 && code != 200) {
        /* An answer, whatever happened to its body afterwards. */
        if (code == 404) {
            out->outcome = L2W_DA_FETCH_NOT_FOUND;
            l2w_err_set(&out->msg, "%s: HTTP 404 (not found) after %u ms", shown, ms);
        } else {
            out->outcome = L2W_DA_FETCH_SERVER_ERROR;
            l2w_err_set(&out->msg, "%s: HTTP %ld after %u ms%s", shown, code, ms,
                        code >= 300 && code < 400 ? " (redirects are not followed)" : "");
        }
    } else if (rc == CURLE_OK && code == 200) {
        out->outcome = L2W_DA_FETCH_OK;
        l2w_err_set(&out->msg, "%s: HTTP 200, %zu bytes after %u ms", shown, sink->len, ms);
    } else if (sink->overflow || rc == CURLE_FILESIZE_EXCEEDED) {
        out->outcome = L2W_DA_FETCH_TOO_LARGE;
        l2w_err_set(&out->msg, "%s: HTTP 200 with a body over the %zu-byte cap, refused after %u ms", shown,
                    lim->max_bytes, ms);
    } else if (rc == CURLE_OPERATION_TIMEDOUT) {
        out->outcome = L2W_DA_FETCH_TIMEOUT;
        if (code == 200)
            l2w_err_set(&out->msg, "%s: no complete answer within %u ms (HTTP 200, %zu bytes so far)", shown,
                        lim->timeout_ms, sink->len);
        else
            l2w_err_set(&out->msg, "%s: no answer within %u ms", shown, lim->timeout_ms);
    } else {
        /* curl_easy_strerror, not the error buffer: it is short, and cannot
         * carry any part of the URL. The system's word after it tells
         * "refused" from "unreachable" or "reset". */
        out->outcome = L2W_DA_FETCH_TRANSPORT;
        char sysbuf[128];
        const char *sys = os_errno ? strerror_r((int)os_errno, sysbuf, sizeof sysbuf) : NULL;
        l2w_err_set(&out->msg, "%s: transport error after %u ms: %s%s%s%s", shown, ms,
                    rc == CURLE_OK ? "no HTTP status line" : curl_easy_strerror(rc), sys ? " (" : "",
                    sys ? sys : "", sys ? ")" : "");
    }
}

l2w_status l2w_da_http_get(l2w_da_http *http, l2w_da_response *out, const char *base, const char *path,
                           const char *accept, const l2w_da_limits *lim, l2w_err *err)
{
    memset(out, 0, sizeof *out);
    out->outcome = L2W_DA_FETCH_TRANSPORT;
    char shown[L2W_RPC_URL_SHOWN_MAX];
    l2w_rpc_url_shown(shown, sizeof shown, base);
    if (!http_scheme(base)) {
        l2w_err_set(err, "%s: not an http:// or https:// URL", shown);
        return L2W_ERR_INVALID;
    }
    if (path[0] != '/' || lim->timeout_ms == 0 || lim->max_bytes == 0 || lim->max_bytes == SIZE_MAX) {
        l2w_err_set(err, "%s: bad request (the path must start with '/', timeout and cap must be set)", shown);
        return L2W_ERR_INVALID;
    }
    /* Header values are ours, but a newline would smuggle a header in. */
    if (strpbrk(accept, "\r\n") || strpbrk(path, "\r\n")) {
        l2w_err_set(err, "%s: newline in the request", shown);
        return L2W_ERR_INVALID;
    }
    char accept_header[128];
    int an = snprintf(accept_header, sizeof accept_header, "Accept: %s", accept);
    if (an < 0 || (size_t)an >= sizeof accept_header) {
        l2w_err_set(err, "%s: Accept value too long", shown);
        return L2W_ERR_INVALID;
    }
    size_t base_len = strlen(base);
    if (base_len > 0 && base[base_len - 1] == '/')
        base_len--;
    size_t path_len = strlen(path);
    char *url = malloc(base_len + path_len + 1);
    struct curl_slist *headers = curl_slist_append(NULL, accept_header);
    if (!url || !headers) {
        free(url);
        curl_slist_free_all(headers);
        l2w_err_set(err, "%s: out of memory", shown);
        return L2W_ERR_NOMEM;
    }
    memcpy(url, base, base_len);
    memcpy(url + base_len, path, path_len + 1);

    body_sink sink = {.curl = http->curl, .max = lim->max_bytes};
    l2w_status st = configure(http->curl, url, headers, lim, &sink);
    if (st != L2W_OK) {
        l2w_err_set(err, "%s: cannot configure the HTTP request", shown);
    } else {
        uint64_t start = now_ms();
        CURLcode rc = curl_easy_perform(http->curl);
        uint64_t elapsed = now_ms() - start;
        out->elapsed_ms = elapsed > UINT32_MAX ? UINT32_MAX : (uint32_t)elapsed;
        long code = 0, os_errno = 0;
        if (curl_easy_getinfo(http->curl, CURLINFO_RESPONSE_CODE, &code) != CURLE_OK)
            code = 0;
        if (curl_easy_getinfo(http->curl, CURLINFO_OS_ERRNO, &os_errno) != CURLE_OK)
            os_errno = 0;
        if (sink.nomem) {
            l2w_err_set(err, "%s: out of memory reading the answer", shown);
            st = L2W_ERR_NOMEM;
        } else {
            classify(out, rc, code, os_errno, &sink, shown, lim);
        }
    }
    /* The handle must not keep pointers into freed memory or this frame. */
    (void)curl_easy_setopt(http->curl, CURLOPT_HTTPHEADER, NULL);
    (void)curl_easy_setopt(http->curl, CURLOPT_WRITEDATA, NULL);
    curl_slist_free_all(headers);
    free(url);

    if (st == L2W_OK && out->outcome == L2W_DA_FETCH_OK) {
        if (!sink.data && !(sink.data = malloc(1))) {
            l2w_err_set(err, "%s: out of memory", shown);
            return L2W_ERR_NOMEM;
        }
        sink.data[sink.len] = '\0';
        out->body = sink.data;
        out->body_len = sink.len;
    } else {
        free(sink.data);
    }
    return st;
}

l2w_status l2w_da_fetch_one(l2w_da_http *http, l2w_da_response *out, const char *base, const uint8_t *encoded,
                            size_t encoded_len, const l2w_da_limits *lim, l2w_err *err)
{
    memset(out, 0, sizeof *out);
    out->outcome = L2W_DA_FETCH_TRANSPORT;
    /* A URL carrying more than this is no commitment any DA layer uses;
     * refusing it keeps a garbage calldata blob from becoming a megabyte URL. */
    enum { MAX_COMMITMENT = 4096 };
    if (encoded_len == 0 || encoded_len > MAX_COMMITMENT) {
        l2w_err_set(err, "DA fetch: commitment of %zu bytes (1..%d expected)", encoded_len, (int)MAX_COMMITMENT);
        return L2W_ERR_INVALID;
    }
    size_t path_size = l2w_da_get_path_size(encoded_len);
    char *path = malloc(path_size);
    if (!path) {
        l2w_err_set(err, "DA fetch: out of memory");
        return L2W_ERR_NOMEM;
    }
    l2w_status st = l2w_da_get_path(path, path_size, encoded, encoded_len);
    if (st == L2W_OK)
        st = l2w_da_http_get(http, out, base, path, "application/octet-stream", lim, err);
    else
        l2w_err_set(err, "DA fetch: cannot build the request path");
    free(path);
    return st;
}

/* ------------------------------------------------------------- one round */

/* A bounded text that ends in "..." once something did not fit. */
typedef struct {
    char *buf;
    size_t cap;
    size_t len;
    bool cut;
} bounded_text;

static void text_add(bounded_text *t, const char *sep, const char *s)
{
    if (t->cut)
        return;
    const char *parts[2] = {t->len ? sep : "", s};
    size_t need = strlen(parts[0]) + strlen(parts[1]);
    if (t->len + need < t->cap) {
        for (size_t p = 0; p < 2; p++) {
            size_t n = strlen(parts[p]);
            memcpy(t->buf + t->len, parts[p], n);
            t->len += n;
        }
        t->buf[t->len] = '\0';
        return;
    }
    /* Keep what fits, leaving room for "..." and the NUL. */
    size_t limit = t->cap - 4;
    if (t->len > limit)
        t->len = limit;
    for (size_t p = 0; p < 2; p++)
        for (const char *c = parts[p]; *c && t->len < limit; c++)
            t->buf[t->len++] = *c;
    memcpy(t->buf + t->len, "...", 4);
    t->len += 3;
    t->cut = true;
}

/* How much a failure says about the data itself: a server that answered
 * "not found" speaks about the data; one we never reached says nothing. */
static int failure_rank(l2w_da_fetch_outcome o)
{
    switch (o) {
    case L2W_DA_FETCH_NOT_FOUND:
        return 4;
    case L2W_DA_FETCH_TOO_LARGE:
        return 3;
    case L2W_DA_FETCH_SERVER_ERROR:
        return 2;
    case L2W_DA_FETCH_TIMEOUT:
        return 1;
    case L2W_DA_FETCH_TRANSPORT:
        return 0;
    case L2W_DA_FETCH_OK:
        return -1;
    }
    return -1;
}

void l2w_da_round_clear(l2w_da_round *round)
{
    free(round->data);
    round->data = NULL;
    round->data_len = 0;
}

l2w_status l2w_da_fetch_round(l2w_da_http *http, l2w_da_round *out, char *const *servers, size_t n_servers,
                              const uint8_t *encoded, size_t encoded_len, const l2w_da_limits *lim, l2w_err *err)
{
    memset(out, 0, sizeof *out);
    out->verdict = L2W_DA_UNAVAILABLE;
    out->outcome = L2W_DA_FETCH_TRANSPORT;
    bool keccak = encoded_len == L2W_DA_KECCAK_COMMITMENT_LEN && encoded[0] == L2W_DA_COMMITMENT_KECCAK;
    bool generic = encoded_len >= 2 && encoded[0] == L2W_DA_COMMITMENT_GENERIC;
    if (!keccak && !generic) {
        l2w_err_set(err, "DA fetch: not a keccak (33 bytes, type 0x00) or generic (type 0x01) commitment");
        return L2W_ERR_INVALID;
    }
    if (n_servers == 0) {
        l2w_err_set(err, "DA fetch: no DA servers to ask");
        return L2W_ERR_INVALID;
    }
    bounded_text ev = {.buf = out->evidence, .cap = sizeof out->evidence};
    int best = -2;
    bool wrong = false;
    for (size_t i = 0; i < n_servers; i++) {
        l2w_da_response r;
        l2w_status st = l2w_da_fetch_one(http, &r, servers[i], encoded, encoded_len, lim, err);
        if (st != L2W_OK) {
            l2w_da_round_clear(out);
            memset(out, 0, sizeof *out);
            out->verdict = L2W_DA_UNAVAILABLE;
            return st;
        }
        char line[sizeof r.msg.msg + 128];
        if (r.outcome != L2W_DA_FETCH_OK) {
            text_add(&ev, "; ", r.msg.msg);
            int rank = failure_rank(r.outcome);
            if (!wrong && rank >= best) { /* later servers win ties */
                best = rank;
                out->server = i;
                out->outcome = r.outcome;
            }
            continue;
        }
        if (generic) {
            snprintf(line, sizeof line, "%s, not checked (a generic commitment only its DA layer can check)",
                     r.msg.msg);
        } else if (l2w_da_keccak_matches(encoded, r.body, r.body_len)) {
            snprintf(line, sizeof line, "%s, keccak matches", r.msg.msg);
        } else {
            l2w_hash got;
            char got_hex[L2W_HASH_HEX_LEN];
            l2w_keccak256_hash(&got, r.body, r.body_len);
            l2w_hash_to_hex(got_hex, &got);
            snprintf(line, sizeof line, "%s, keccak %s does not match the commitment", r.msg.msg, got_hex);
            text_add(&ev, "; ", line);
            if (!wrong) {
                wrong = true;
                out->server = i;
                out->outcome = L2W_DA_FETCH_OK;
            }
            l2w_da_response_clear(&r);
            continue;
        }
        text_add(&ev, "; ", line);
        out->verdict = L2W_DA_AVAILABLE;
        out->server = i;
        out->outcome = L2W_DA_FETCH_OK;
        out->data = r.body;
        out->data_len = r.body_len;
        return L2W_OK;
    }
    out->verdict = wrong ? L2W_DA_WRONG_DATA : L2W_DA_UNAVAILABLE;
    return L2W_OK;
}
