/* POST /api/v1/channels/states: the watchtower's intake. A client sends one
 * submission, or {"states": [...]} with up to CHANNEL_BATCH_MAX of them;
 * each is checked (core/channel_intake), signed for (the receipt) and held
 * (web/channel_store) or refused with its own code. A batch is one
 * transaction: one commit for all its states, which is what lets a client
 * catching up after being offline send thousands of states a second. */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/channel_intake.h"
#include "core/hex.h"
#include "core/log.h"
#include "responder/signer.h"
#include "web/channel_store.h"
#include "web/routes.h"

#define CHANNEL_BATCH_MAX 256

typedef struct {
    const json_t *json;
    const char *code;        /* NULL while accepted */
    char message[sizeof(((l2w_err *)0)->msg)];
    l2w_channel_submission sub;
    l2w_hash receipt_hash;
    uint8_t receipt[65];
    l2w_hold_result hold;
} item;

static unsigned http_code_of(const char *code)
{
    if (strcmp(code, "malformed_json") == 0)
        return 400;
    if (strcmp(code, "stale_nonce") == 0 || strcmp(code, "conflicting_state") == 0)
        return 409;
    if (strcmp(code, "channel_quota_exceeded") == 0)
        return 403;
    return 422; /* unknown_channel, bad_signature, not_participant */
}

L2W_PRINTF(3, 4) static void refuse(item *it, const char *code, const char *fmt, ...)
{
    it->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(it->message, sizeof it->message, fmt, ap);
    va_end(ap);
}

static l2w_status check_and_sign(item *it, const l2w_channel_intake_ctx *ctx, l2w_signer *signer, l2w_err *err)
{
    l2w_err why = {{0}};
    l2w_status st = l2w_channel_intake_check(&it->sub, &it->code, ctx, it->json, &why);
    if (st == L2W_ERR_INVALID) {
        snprintf(it->message, sizeof it->message, "%s", why.msg);
        return L2W_OK;
    }
    if (st != L2W_OK) {
        l2w_err_set(err, "%s", why.msg);
        return st;
    }
    it->code = NULL;
    l2w_channel_receipt_hash(&it->receipt_hash, ctx->chain_id, &it->sub);
    l2w_hash digest;
    l2w_channel_receipt_digest(&digest, &it->receipt_hash);
    return l2w_signer_sign_digest(signer, it->receipt, &digest, err);
}

static void judge_hold(item *it)
{
    char held[L2W_U256_DEC_LEN];
    switch (it->hold.outcome) {
    case L2W_HOLD_NEW:
    case L2W_HOLD_NEWER:
        break;
    case L2W_HOLD_SAME:
        memcpy(it->receipt, it->hold.held_receipt, 65);
        break;
    case L2W_HOLD_STALE:
        l2w_u256_to_dec(held, &it->hold.held_version);
        refuse(it, "stale_nonce", "a newer state of this channel is held (version %s)", held);
        break;
    case L2W_HOLD_CONFLICT:
        l2w_u256_to_dec(held, &it->hold.held_version);
        refuse(it, "conflicting_state", "another state with the same version %s is held for this channel", held);
        break;
    case L2W_HOLD_QUOTA:
        refuse(it, "channel_quota_exceeded", "this client already has its max_channels channels watched");
        break;
    }
}

static l2w_status hold_all(const l2w_web_request *req, item *items, size_t n, l2w_err *err)
{
    l2w_hold_item *accepted = calloc(n ? n : 1, sizeof *accepted);
    if (!accepted) {
        l2w_err_set(err, "channel intake: out of memory");
        return L2W_ERR_NOMEM;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!items[i].code)
            accepted[k++] = (l2w_hold_item){.sub = &items[i].sub, .receipt = items[i].receipt};
    l2w_status st = L2W_OK;
    if (k > 0) {
        l2w_db *db;
        st = l2w_db_pool_acquire(req->pool, &db, L2W_WEB_DB_WAIT_MS, err);
        if (st == L2W_OK) {
            st = l2w_db_begin(db, err);
            if (st == L2W_OK)
                st = l2w_db_end(db,
                                l2w_channel_hold(db, req->cfg->channels.chain, req->client->name,
                                                 req->client->max_channels, accepted, k, err),
                                err);
            l2w_db_pool_release(req->pool, db);
        }
    }
    for (size_t i = 0, j = 0; st == L2W_OK && i < n; i++)
        if (!items[i].code) {
            items[i].hold = accepted[j++].result;
            judge_hold(&items[i]);
        }
    free(accepted);
    return st;
}

static json_t *hex_string(const uint8_t *b, size_t n)
{
    char *text = l2w_hex_encode_alloc(b, n);
    json_t *s = text ? json_string(text) : NULL;
    free(text);
    return s;
}

static json_t *result_json(const item *it, const l2w_web_request *req, uint64_t chain_id)
{
    if (it->code)
        return json_pack("{s:b, s:s, s:s}", "accepted", 0, "code", it->code, "message", it->message);
    static const char *const status[] = {"new", "newer", "duplicate"};
    char version[L2W_U256_DEC_LEN], tower[L2W_ADDR_HEX_LEN];
    l2w_u256_to_dec(version, &it->sub.version);
    l2w_addr_to_hex(tower, l2w_signer_address(req->receipt_signer));
    json_t *receipt = json_pack("{s:s, s:I, s:s, s:o?, s:s, s:o?, s:o?, s:o?}", "tower", tower, "chainId",
                                (json_int_t)chain_id, "protocol", l2w_channel_protocol_name(it->sub.protocol),
                                "channel", hex_string(it->sub.channel, it->sub.channel_len), "version", version,
                                "stateHash", hex_string(it->sub.state_hash.b, 32), "receiptHash",
                                hex_string(it->receipt_hash.b, 32), "signature", hex_string(it->receipt, 65));
    if (!receipt)
        return NULL;
    return json_pack("{s:b, s:s, s:o}", "accepted", 1, "status", status[it->hold.outcome], "receipt", receipt);
}

static l2w_status respond(l2w_web_response *resp, const l2w_web_request *req, const item *items, size_t n,
                          bool batch, uint64_t chain_id)
{
    json_t *doc = NULL;
    unsigned code = 200;
    if (!batch) {
        doc = result_json(&items[0], req, chain_id);
        if (items[0].code)
            code = http_code_of(items[0].code);
    } else {
        json_t *results = json_array();
        size_t accepted = 0;
        for (size_t i = 0; results && i < n; i++) {
            accepted += items[i].code == NULL;
            if (json_array_append_new(results, result_json(&items[i], req, chain_id)) != 0) {
                json_decref(results);
                results = NULL;
            }
        }
        if (results)
            doc = json_pack("{s:I, s:I, s:o}", "accepted", (json_int_t)accepted, "refused",
                            (json_int_t)(n - accepted), "results", results);
    }
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    if (!text)
        return L2W_ERR_NOMEM;
    l2w_web_respond_take(resp, code, L2W_CT_JSON, text, strlen(text));
    return L2W_OK;
}

/* The items of the body: the body itself, or its "states" array. */
static l2w_status body_items(l2w_web_response *resp, const json_t *body, bool *batch, const json_t **arr,
                             bool *refused)
{
    *refused = true;
    const json_t *states = json_is_object(body) ? json_object_get(body, "states") : NULL;
    *batch = states != NULL;
    *arr = states;
    if (!states) {
        *refused = false;
        return L2W_OK;
    }
    char msg[128];
    if (json_object_size(body) != 1)
        return l2w_web_respond_error_code(resp, 400, "malformed_json", NULL,
                                          "a batch is {\"states\": [...]} with no other field");
    if (!json_is_array(states) || json_array_size(states) == 0 || json_array_size(states) > CHANNEL_BATCH_MAX) {
        snprintf(msg, sizeof msg, "states: expected an array of 1 to %d submissions", CHANNEL_BATCH_MAX);
        return l2w_web_respond_error_code(resp, 400, "malformed_json", "states", msg);
    }
    *refused = false;
    return L2W_OK;
}

l2w_status l2w_route_channel_states(l2w_web_response *resp, const l2w_web_request *req, l2w_err *err)
{
    const l2w_config *cfg = req->cfg;
    if (!cfg->channels.enabled || !req->receipt_signer)
        return l2w_web_respond_error_code(resp, 404, "channels_disabled", NULL,
                                          "this l2watch watches no channels (no channels: section)");
    l2w_status bst;
    json_t *body = l2w_web_json_body(resp, req, &bst);
    if (!body)
        return bst;
    bool batch, refused;
    const json_t *arr;
    l2w_status st = body_items(resp, body, &batch, &arr, &refused);
    if (st != L2W_OK || refused) {
        json_decref(body);
        return st;
    }
    size_t n = batch ? json_array_size(arr) : 1;
    item *items = calloc(n, sizeof *items);
    if (!items) {
        json_decref(body);
        l2w_err_set(err, "channel intake: out of memory");
        return L2W_ERR_NOMEM;
    }
    const l2w_chain_config *chain = l2w_config_chain(cfg, cfg->channels.chain);
    l2w_channel_intake_ctx ctx = {&cfg->channels, chain->chain_id};
    for (size_t i = 0; st == L2W_OK && i < n; i++) {
        items[i].json = batch ? json_array_get(arr, i) : body;
        st = check_and_sign(&items[i], &ctx, req->receipt_signer, err);
    }
    if (st == L2W_OK)
        st = hold_all(req, items, n, err);
    if (st == L2W_OK)
        st = respond(resp, req, items, n, batch, chain->chain_id);
    for (size_t i = 0; i < n; i++)
        l2w_channel_submission_clear(&items[i].sub);
    free(items);
    json_decref(body);
    return st;
}
