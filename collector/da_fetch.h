#ifndef L2W_COLLECTOR_DA_FETCH_H
#define L2W_COLLECTOR_DA_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

/* Fetching data-availability data over HTTP: one Alt-DA commitment's input
 * from one DA server (GET <base>/get/0x<hex of the encoded commitment>, the
 * path op-node's DA client uses), a "round" over a list of such servers with
 * the data checked against a keccak commitment, and the capped GET that
 * collector/beacon_blobs.h shares.
 *
 * Every request has a timeout and a byte cap; a body over the cap is refused
 * while it streams in (a hostile server cannot make us buffer more than the
 * cap, nor wait for the rest), redirects are not followed (a DA server that
 * redirects is misconfigured, and following would let it point us anywhere),
 * and only http and https are spoken.
 *
 * Retries, deadlines and backoff belong to the caller: nothing here sleeps or
 * retries, and a round tries each server exactly once, so its worst case is
 * n_servers * timeout_ms. alerts/backoff.h's l2w_alert_backoff_ms (doubling,
 * capped, jittered) suits the delay between rounds. */

/* What one server did with one request. Server behaviour, not our failure:
 * the functions below return L2W_OK with any of these. */
typedef enum {
    L2W_DA_FETCH_OK,           /* HTTP 200 and the whole body, within the cap */
    L2W_DA_FETCH_NOT_FOUND,    /* HTTP 404: the server says it has no such data */
    L2W_DA_FETCH_SERVER_ERROR, /* any other status: 5xx, 3xx (not followed), 4xx, a 2xx other than 200 */
    L2W_DA_FETCH_TIMEOUT,      /* no complete answer within the timeout (connect included) */
    L2W_DA_FETCH_TOO_LARGE,    /* HTTP 200 with a body over the cap: refused mid-transfer */
    L2W_DA_FETCH_TRANSPORT,    /* no HTTP answer: refused, DNS, reset, cut short, TLS */
} l2w_da_fetch_outcome;

const char *l2w_da_fetch_outcome_name(l2w_da_fetch_outcome o);

typedef struct {
    uint32_t timeout_ms; /* one request, connect to last byte; must be > 0 */
    size_t max_bytes;    /* body cap; must be > 0 */
} l2w_da_limits;

/* One libcurl easy handle (its connection cache makes repeated requests to
 * a server cheap). Not thread-safe: one per worker thread. */
typedef struct l2w_da_http l2w_da_http;

L2W_MUST_CHECK l2w_status l2w_da_http_create(l2w_da_http **out, l2w_err *err);
void l2w_da_http_destroy(l2w_da_http *http); /* NULL is fine */

/* The answer to one request. */
typedef struct {
    l2w_da_fetch_outcome outcome;
    long http_status;    /* 0 when no status line arrived */
    uint32_t elapsed_ms;
    /* OK only: the body, malloc'd, followed by a NUL not counted in body_len
     * (so JSON or text can be used in place); the caller frees it with
     * free(). NULL for every other outcome. */
    uint8_t *body;
    size_t body_len;
    /* Every outcome, OK included: one line naming the server (its shown
     * form: scheme://host:port, no path, query or credentials) and what
     * happened, e.g. "http://127.0.0.1:3100: HTTP 500 after 12 ms". */
    l2w_err msg;
} l2w_da_response;

/* GET base + path (path starts with '/'; one trailing '/' of base is
 * dropped), Accept: accept. Returns L2W_OK whenever *out describes what the
 * server did (check out->outcome); an error only for our own faults, with
 * err set: L2W_ERR_INVALID (base not http:// or https://, zero limits, path
 * not starting with '/'), L2W_ERR_NOMEM. */
L2W_MUST_CHECK l2w_status l2w_da_http_get(l2w_da_http *http, l2w_da_response *out, const char *base,
                                          const char *path, const char *accept, const l2w_da_limits *lim,
                                          l2w_err *err);

/* GET <base>/get/0x<hex of encoded> from one DA server. encoded is the
 * encoded commitment, type byte included (l2w_da_calldata.encoded). The body
 * is not checked against the commitment: see l2w_da_fetch_round. Errors as
 * l2w_da_http_get, and L2W_ERR_INVALID for an empty commitment or one over
 * 4096 bytes (no DA layer's commitment is that long; a URL should not be). */
L2W_MUST_CHECK l2w_status l2w_da_fetch_one(l2w_da_http *http, l2w_da_response *out, const char *base,
                                           const uint8_t *encoded, size_t encoded_len, const l2w_da_limits *lim,
                                           l2w_err *err);

/* Frees out->body; the struct may be reused. */
void l2w_da_response_clear(l2w_da_response *out);

/* ------------------------------------------------------------- one round */

typedef enum {
    L2W_DA_AVAILABLE,   /* a server served bytes that match the commitment */
    L2W_DA_WRONG_DATA,  /* no server served matching bytes, and one or more served other bytes */
    L2W_DA_UNAVAILABLE, /* no server served any bytes (404, errors, timeouts, over the cap) */
} l2w_da_verdict;

const char *l2w_da_verdict_name(l2w_da_verdict v);

/* Sized for a finding's evidence or a database text column: the lines of
 * eight servers with short URLs fit; a longer text ends in "..." rather than
 * overflowing. */
#define L2W_DA_EVIDENCE_MAX 2048

typedef struct {
    l2w_da_verdict verdict;
    /* The server (index into servers) the verdict rests on: AVAILABLE the one
     * that served the data, WRONG_DATA the first that served wrong bytes,
     * UNAVAILABLE the one whose failure is in outcome. */
    size_t server;
    /* UNAVAILABLE: the most telling failure, ranked by how much it says
     * about the data itself: NOT_FOUND (the server answered that it has no
     * such data), then TOO_LARGE, SERVER_ERROR, TIMEOUT, TRANSPORT (the
     * server was never reached); among equals the later server's. OK for the
     * other verdicts. */
    l2w_da_fetch_outcome outcome;
    /* AVAILABLE: the verified bytes, owned by the round (l2w_da_round_clear
     * frees them; take them by setting data to NULL). NULL otherwise. */
    uint8_t *data;
    size_t data_len;
    /* Each server's msg in the order tried, joined by "; ". For a 200 the
     * line says whether the keccak matched, and which keccak was served. */
    char evidence[L2W_DA_EVIDENCE_MAX];
} l2w_da_round;

/* Tries servers[0..n_servers) once each, in order, for one commitment,
 * stopping at the first that serves matching bytes. A keccak commitment
 * (type 0x00, 33 bytes) is checked with keccak256. A generic commitment
 * (type 0x01) cannot be checked by anyone but its DA layer, so the first 200
 * counts as AVAILABLE and the evidence says the bytes were not checked, as
 * op-node itself trusts its DA server for generic commitments.
 * Returns L2W_OK with *out filled (including the UNAVAILABLE and WRONG_DATA
 * verdicts); L2W_ERR_INVALID for an encoding that is neither, no servers, or
 * a server URL that is not http(s) (a configuration fault must not pass for
 * unavailable data), and L2W_ERR_NOMEM, with err set and *out cleared.
 * servers takes l2w_da_config.servers as it is. */
L2W_MUST_CHECK l2w_status l2w_da_fetch_round(l2w_da_http *http, l2w_da_round *out, char *const *servers,
                                             size_t n_servers, const uint8_t *encoded, size_t encoded_len,
                                             const l2w_da_limits *lim, l2w_err *err);

void l2w_da_round_clear(l2w_da_round *round);

#endif
