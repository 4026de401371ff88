#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "app/da_guard_internal.h"
#include "collector/beacon_blobs.h"
#include "core/hex.h"
#include "core/json.h"
#include "core/log.h"

/* Is a type-3 batcher transaction's blob still to be had? Each round asks
 * every beacon endpoint in order, first
 *   GET /eth/v1/beacon/blobs/{block_id}?versioned_hashes=0x..
 * (the Fulu-era API: the node returns the blobs of the block that match the
 * versioned hashes), and, from a node that does not serve that route (400,
 * 404 on the route, 405, 410, 501),
 *   GET /eth/v1/beacon/blob_sidecars/{block_id}
 * whose sidecars' KZG commitments are hashed into versioned hashes here.
 * The blob bytes are not checked against their KZG commitment (that needs
 * a KZG library): beacon nodes verify the proofs when they take a blob from
 * the network, and l2watch checks that the blob the transaction commits to
 * can still be had from the endpoints it trusts.
 *
 * block_id is the slot, from the block's time and the endpoint's
 * genesis_time (or the execution block number with beacon_block_id:
 * number, as anvil takes it). A blob no endpoint has by the deadline is
 * data_withheld (blob_missing); one older than blob_retention_s is not
 * checked (status expired): every node may have pruned it. */

#define DETAIL_MAX 1024

typedef enum { BLOB_FOUND, BLOB_ABSENT, BLOB_NO_ANSWER, BLOB_OLD_API } blob_answer;

static void append(char *detail, const char *line)
{
    size_t used = strlen(detail);
    if (used + 3 >= DETAIL_MAX)
        return;
    snprintf(detail + used, DETAIL_MAX - used, "%s%s", used ? "; " : "", line);
}

static l2w_status block_id(da_ctx *c, size_t endpoint, const da_pending *r, char *out, size_t out_len,
                           l2w_err *err)
{
    if (c->da->beacon_by_number) {
        snprintf(out, out_len, "%llu", (unsigned long long)r->block_number);
        return L2W_OK;
    }
    const l2w_da_limits lim = {.timeout_ms = c->da->fetch_timeout_ms, .max_bytes = 65536};
    if (!c->have_genesis[endpoint]) {
        l2w_status st = l2w_beacon_get_genesis_time(c->http, &c->genesis_time[endpoint],
                                                    c->da->beacon_urls[endpoint], &lim, err);
        if (st != L2W_OK)
            return st;
        c->have_genesis[endpoint] = true;
    }
    uint64_t slot;
    l2w_status st = l2w_beacon_slot_at(&slot, r->block_timestamp, c->genesis_time[endpoint], c->da->l1_block_time_s,
                                       err);
    if (st == L2W_OK)
        snprintf(out, out_len, "%llu", (unsigned long long)slot);
    return st;
}

/* The answer of GET /eth/v1/beacon/blobs: {"data": ["0x<blob>", ...]}. */
static blob_answer parse_blobs(const l2w_da_response *resp, char *line, size_t line_len)
{
    json_error_t jerr;
    json_t *doc = json_loadb((const char *)resp->body, resp->body_len, JSON_REJECT_DUPLICATES, &jerr);
    const json_t *data = doc ? json_object_get(doc, "data") : NULL;
    blob_answer a = BLOB_NO_ANSWER;
    if (!json_is_array(data))
        snprintf(line, line_len, "%s: an answer without a data list", resp->msg.msg);
    else if (json_array_size(data) == 0)
        snprintf(line, line_len, "%s: the block's blobs do not include it", resp->msg.msg), a = BLOB_ABSENT;
    else
        snprintf(line, line_len, "%s: has it", resp->msg.msg), a = BLOB_FOUND;
    json_decref(doc);
    return a;
}

static bool old_api(const l2w_da_response *resp)
{
    long s = resp->http_status;
    return s == 400 || s == 405 || s == 410 || s == 501;
}

static l2w_status ask_blobs(da_ctx *c, size_t endpoint, const char *id, const da_pending *r, blob_answer *a,
                            char *line, size_t line_len, l2w_err *err)
{
    char path[160], vh[L2W_HASH_HEX_LEN];
    l2w_hash h;
    memcpy(h.b, r->commitment, 32);
    l2w_hash_to_hex(vh, &h);
    snprintf(path, sizeof path, "/eth/v1/beacon/blobs/%s?versioned_hashes=%s", id, vh);
    const l2w_da_limits lim = {.timeout_ms = c->da->fetch_timeout_ms, .max_bytes = c->da->max_data_bytes};
    l2w_da_response resp;
    l2w_status st = l2w_da_http_get(c->http, &resp, c->da->beacon_urls[endpoint], path, "application/json", &lim, err);
    if (st != L2W_OK)
        return st;
    if (resp.outcome == L2W_DA_FETCH_OK) {
        *a = parse_blobs(&resp, line, line_len);
    } else {
        *a = old_api(&resp) ? BLOB_OLD_API : BLOB_NO_ANSWER;
        snprintf(line, line_len, "%s", resp.msg.msg);
    }
    l2w_da_response_clear(&resp);
    return L2W_OK;
}

static l2w_status ask_sidecars(da_ctx *c, size_t endpoint, const char *id, const da_pending *r, blob_answer *a,
                               char *line, size_t line_len, l2w_err *err)
{
    const l2w_da_limits lim = {.timeout_ms = c->da->fetch_timeout_ms,
                               .max_bytes = c->da->max_data_bytes};
    l2w_beacon_sidecars set;
    l2w_err ferr = {{0}};
    uint64_t slot = strtoull(id, NULL, 10);
    l2w_status st = l2w_beacon_get_sidecars_by_slot(c->http, &set, c->da->beacon_urls[endpoint], slot, &lim, &ferr);
    if (st == L2W_ERR_INVALID || st == L2W_ERR_NOMEM) {
        *err = ferr;
        return st;
    }
    if (st != L2W_OK) {
        *a = BLOB_NO_ANSWER;
        snprintf(line, line_len, "blob_sidecars: %s", ferr.msg);
        return L2W_OK;
    }
    bool present = false;
    l2w_hash wanted;
    memcpy(wanted.b, r->commitment, 32);
    *a = l2w_beacon_sidecars_match(&set, &present, &wanted, 1) == 0 ? BLOB_FOUND : BLOB_ABSENT;
    snprintf(line, line_len, "blob_sidecars of %s from endpoint %zu: %s", id, endpoint,
             *a == BLOB_FOUND ? "has it" : "the block's sidecars do not include it");
    l2w_beacon_sidecars_free(&set);
    return L2W_OK;
}

static l2w_status mark_expired(l2w_db *db, const da_pending *r, l2w_err *err)
{
    const char *params[] = {r->id};
    return l2w_db_exec(db, NULL,
                       "UPDATE da_commitments SET status = 'expired', checked_at = now(), last_error = "
                       "'older than blob_retention_s: beacon nodes may have pruned it; not checked' "
                       "WHERE id = $1::bigint",
                       1, params, err);
}

l2w_status l2w_da_check_blob(da_ctx *c, l2w_db *db, const da_pending *r, l2w_err *err)
{
    uint64_t now = (uint64_t)time(NULL);
    if (now > r->block_timestamp + c->da->blob_retention_s)
        return mark_expired(db, r, err);
    char detail[DETAIL_MAX] = "";
    blob_answer best = BLOB_NO_ANSWER;
    size_t found_at = 0;
    for (size_t i = 0; i < c->da->n_beacon_urls && best != BLOB_FOUND; i++) {
        char id[24], line[600];
        blob_answer a = BLOB_NO_ANSWER;
        l2w_err e = {{0}};
        l2w_status st = block_id(c, i, r, id, sizeof id, &e);
        if (st == L2W_OK)
            st = ask_blobs(c, i, id, r, &a, line, sizeof line, &e);
        if (st == L2W_OK && a == BLOB_OLD_API)
            st = ask_sidecars(c, i, id, r, &a, line, sizeof line, &e);
        if (st == L2W_ERR_NOMEM) {
            *err = e;
            return st;
        }
        if (st != L2W_OK) {
            a = BLOB_NO_ANSWER;
            snprintf(line, sizeof line, "%.300s", e.msg);
        }
        append(detail, line);
        if (a == BLOB_FOUND)
            found_at = i;
        if (a == BLOB_FOUND || (a == BLOB_ABSENT && best == BLOB_NO_ANSWER))
            best = a;
    }
    if (best == BLOB_FOUND) {
        l2w_counter_add(c->checks_passed, 1);
        return l2w_da_mark_available(db, r, c->da->beacon_urls[found_at], 0, err);
    }
    if (now < r->block_timestamp + c->da->fetch_deadline_s)
        return l2w_da_schedule_retry(c, db, r, detail, err);
    l2w_counter_add(c->checks_failed, 1);
    return l2w_da_mark_withheld(c, db, r,
                                best == BLOB_ABSENT ? L2W_WITHHELD_BLOB_MISMATCH : L2W_WITHHELD_BLOB_MISSING, detail,
                                err);
}
