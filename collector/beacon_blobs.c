#include "collector/beacon_blobs.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/rpc_url.h"
#include "core/hex.h"
#include "core/json.h"
#include "detectors/da_commitment.h"

_Static_assert(sizeof(((l2w_beacon_sidecar *)0)->kzg_commitment) == L2W_KZG_COMMITMENT_LEN,
               "a KZG commitment is a 48-byte compressed G1 point");

/* ------------------------------------------------------------- parsing */

/* The beacon API writes every uint64 as a decimal string: digits only, no
 * sign, no leading zero (but "0"), and it must fit. */
static l2w_status decimal_u64(uint64_t *out, const json_t *v)
{
    if (!json_is_string(v))
        return L2W_ERR_PROTOCOL;
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
        return L2W_ERR_PROTOCOL;
    uint64_t r = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return L2W_ERR_PROTOCOL;
        unsigned d = (unsigned)(s[i] - '0');
        if (r > (UINT64_MAX - d) / 10)
            return L2W_ERR_PROTOCOL;
        r = r * 10 + d;
    }
    *out = r;
    return L2W_OK;
}

static l2w_status get_decimal(uint64_t *out, const json_t *obj, const char *key, const char *where, l2w_err *err)
{
    const json_t *v = json_object_get(obj, key);
    if (!v) {
        l2w_err_set(err, "%s%s: missing", where, key);
        return L2W_ERR_PROTOCOL;
    }
    if (decimal_u64(out, v) != L2W_OK) {
        l2w_err_set(err, "%s%s: expected a decimal uint64 string", where, key);
        return L2W_ERR_PROTOCOL;
    }
    return L2W_OK;
}

/* Exactly n bytes of "0x"-prefixed hex. */
static l2w_status get_fixed_hex(uint8_t *out, size_t n, const json_t *obj, const char *key, const char *where,
                                l2w_err *err)
{
    const json_t *v = json_object_get(obj, key);
    if (!v) {
        l2w_err_set(err, "%s%s: missing", where, key);
        return L2W_ERR_PROTOCOL;
    }
    if (!json_is_string(v)) {
        l2w_err_set(err, "%s%s: expected a hex string", where, key);
        return L2W_ERR_PROTOCOL;
    }
    size_t len = json_string_length(v);
    if (len != 2 + 2 * n) {
        l2w_err_set(err, "%s%s: expected 0x and %zu hex digits (%zu bytes), got %zu characters", where, key, 2 * n,
                    n, len);
        return L2W_ERR_PROTOCOL;
    }
    if (l2w_hex_decode_exact(out, n, json_string_value(v)) != L2W_OK) {
        l2w_err_set(err, "%s%s: not 0x-prefixed hex", where, key);
        return L2W_ERR_PROTOCOL;
    }
    return L2W_OK;
}

static l2w_status get_optional_bool(bool *out, const json_t *obj, const char *key, l2w_err *err)
{
    const json_t *v = json_object_get(obj, key);
    *out = false;
    if (!v)
        return L2W_OK;
    if (!json_is_boolean(v)) {
        l2w_err_set(err, "%s: expected true or false", key);
        return L2W_ERR_PROTOCOL;
    }
    *out = json_is_true(v);
    return L2W_OK;
}

static l2w_status parse_sidecar(l2w_beacon_sidecar *sc, uint64_t *slot, l2w_hash *parent_root, const json_t *item,
                                size_t i, l2w_err *err)
{
    char where[64];
    snprintf(where, sizeof where, "data[%zu].", i);
    if (!json_is_object(item)) {
        l2w_err_set(err, "data[%zu]: expected an object", i);
        return L2W_ERR_PROTOCOL;
    }
    l2w_status st;
    if ((st = get_decimal(&sc->index, item, "index", where, err)) != L2W_OK ||
        (st = get_fixed_hex(sc->kzg_commitment, sizeof sc->kzg_commitment, item, "kzg_commitment", where, err)) !=
            L2W_OK ||
        (st = get_fixed_hex(sc->kzg_proof, sizeof sc->kzg_proof, item, "kzg_proof", where, err)) != L2W_OK)
        return st;

    const json_t *header = json_object_get(item, "signed_block_header");
    const json_t *message = json_is_object(header) ? json_object_get(header, "message") : NULL;
    if (!json_is_object(message)) {
        l2w_err_set(err, "%ssigned_block_header: missing, or without a message object", where);
        return L2W_ERR_PROTOCOL;
    }
    char hwhere[96];
    snprintf(hwhere, sizeof hwhere, "%ssigned_block_header.message.", where);
    if ((st = get_decimal(slot, message, "slot", hwhere, err)) != L2W_OK ||
        (st = get_fixed_hex(parent_root->b, sizeof parent_root->b, message, "parent_root", hwhere, err)) != L2W_OK)
        return st;

    /* The blob last: the largest allocation only for an otherwise sound sidecar. */
    if (!(sc->blob = malloc(L2W_BLOB_BYTES))) {
        l2w_err_set(err, "%sblob: out of memory", where);
        return L2W_ERR_NOMEM;
    }
    if ((st = get_fixed_hex(sc->blob, L2W_BLOB_BYTES, item, "blob", where, err)) != L2W_OK)
        return st;
    l2w_da_blob_versioned_hash(&sc->versioned_hash, sc->kzg_commitment);
    return L2W_OK;
}

void l2w_beacon_sidecars_free(l2w_beacon_sidecars *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->n; i++)
        free(set->items[i].blob);
    free(set->items);
    *set = (l2w_beacon_sidecars)L2W_BEACON_SIDECARS_INIT;
}

l2w_status l2w_beacon_parse_sidecars(l2w_beacon_sidecars *out, const char *json, size_t len, l2w_err *err)
{
    *out = (l2w_beacon_sidecars)L2W_BEACON_SIDECARS_INIT;
    json_t *root = NULL;
    l2w_status st = l2w_json_parse(&root, json, len, err);
    if (st != L2W_OK)
        return st;
    l2w_beacon_sidecars set = L2W_BEACON_SIDECARS_INIT;
    const json_t *data = json_is_object(root) ? json_object_get(root, "data") : NULL;
    if (!json_is_object(root)) {
        l2w_err_set(err, "answer: expected an object");
        st = L2W_ERR_PROTOCOL;
        goto out;
    }
    if (!json_is_array(data)) {
        l2w_err_set(err, "data: %s", data ? "expected an array" : "missing");
        st = L2W_ERR_PROTOCOL;
        goto out;
    }
    if ((st = get_optional_bool(&set.execution_optimistic, root, "execution_optimistic", err)) != L2W_OK ||
        (st = get_optional_bool(&set.finalized, root, "finalized", err)) != L2W_OK)
        goto out;

    size_t n = json_array_size(data);
    /* A sidecar's fixed-size fields alone (commitment, proof, header roots)
     * take more than 256 characters: more entries than that allows are junk,
     * refused before allocating for them. */
    if (n > len / 256) {
        l2w_err_set(err, "data: %zu entries cannot be sidecars in a %zu-byte answer", n, len);
        st = L2W_ERR_PROTOCOL;
        goto out;
    }
    if (n > 0 && !(set.items = calloc(n, sizeof *set.items))) {
        l2w_err_set(err, "data: out of memory for %zu sidecars", n);
        st = L2W_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t slot = 0;
        l2w_hash parent = {{0}};
        /* Counted before parsing, so a half-parsed sidecar's blob is freed too. */
        set.n = i + 1;
        if ((st = parse_sidecar(&set.items[i], &slot, &parent, json_array_get(data, i), i, err)) != L2W_OK)
            goto out;
        if (i == 0) {
            set.slot = slot;
            set.parent_root = parent;
        } else if (slot != set.slot || !l2w_hash_eq(&parent, &set.parent_root)) {
            l2w_err_set(err, "data[%zu]: from another block (slot %" PRIu64 ") than data[0] (slot %" PRIu64 ")", i,
                        slot, set.slot);
            st = L2W_ERR_PROTOCOL;
            goto out;
        }
        for (size_t j = 0; j < i; j++) {
            if (set.items[j].index == set.items[i].index) {
                l2w_err_set(err, "data[%zu].index: %" PRIu64 " repeats data[%zu]'s", i, set.items[i].index, j);
                st = L2W_ERR_PROTOCOL;
                goto out;
            }
        }
    }
out:
    json_decref(root);
    if (st == L2W_OK)
        *out = set;
    else
        l2w_beacon_sidecars_free(&set);
    return st;
}

const l2w_beacon_sidecar *l2w_beacon_sidecars_find(const l2w_beacon_sidecars *set, const l2w_hash *h)
{
    for (size_t i = 0; i < set->n; i++)
        if (l2w_hash_eq(&set->items[i].versioned_hash, h))
            return &set->items[i];
    return NULL;
}

size_t l2w_beacon_sidecars_match(const l2w_beacon_sidecars *set, bool *present, const l2w_hash *wanted,
                                 size_t n_wanted)
{
    size_t missing = 0;
    for (size_t i = 0; i < n_wanted; i++) {
        present[i] = l2w_beacon_sidecars_find(set, &wanted[i]) != NULL;
        if (!present[i])
            missing++;
    }
    return missing;
}

l2w_status l2w_beacon_parse_genesis_time(uint64_t *out, const char *json, size_t len, l2w_err *err)
{
    json_t *root = NULL;
    l2w_status st = l2w_json_parse(&root, json, len, err);
    if (st != L2W_OK)
        return st;
    const json_t *data = json_is_object(root) ? json_object_get(root, "data") : NULL;
    if (!json_is_object(data)) {
        l2w_err_set(err, "data: missing, or not an object");
        st = L2W_ERR_PROTOCOL;
    } else {
        st = get_decimal(out, data, "genesis_time", "data.", err);
    }
    json_decref(root);
    return st;
}

l2w_status l2w_beacon_slot_at(uint64_t *slot, uint64_t timestamp, uint64_t genesis_time, uint32_t seconds_per_slot,
                              l2w_err *err)
{
    if (seconds_per_slot == 0) {
        l2w_err_set(err, "seconds per slot is 0");
        return L2W_ERR_INVALID;
    }
    if (timestamp < genesis_time) {
        l2w_err_set(err, "timestamp %" PRIu64 " is before beacon genesis %" PRIu64, timestamp, genesis_time);
        return L2W_ERR_INVALID;
    }
    uint64_t since = timestamp - genesis_time;
    if (since % seconds_per_slot != 0) {
        l2w_err_set(err,
                    "timestamp %" PRIu64 " is not on a slot start (genesis %" PRIu64
                    ", %" PRIu32 " s slots): wrong genesis or slot length for this chain",
                    timestamp, genesis_time, seconds_per_slot);
        return L2W_ERR_INVALID;
    }
    *slot = since / seconds_per_slot;
    return L2W_OK;
}

/* ------------------------------------------------------------- fetching */

static l2w_status outcome_status(l2w_da_fetch_outcome o)
{
    switch (o) {
    case L2W_DA_FETCH_OK:
        return L2W_OK;
    case L2W_DA_FETCH_NOT_FOUND:
        return L2W_ERR_NOT_FOUND;
    case L2W_DA_FETCH_TIMEOUT:
        return L2W_ERR_TIMEOUT;
    case L2W_DA_FETCH_TOO_LARGE:
        return L2W_ERR_RANGE;
    case L2W_DA_FETCH_SERVER_ERROR:
    case L2W_DA_FETCH_TRANSPORT:
        return L2W_ERR_IO;
    }
    return L2W_ERR_IO;
}

/* GET base+path as JSON; on L2W_OK *resp holds the body. what names the
 * request in messages. */
static l2w_status get_json(l2w_da_http *http, l2w_da_response *resp, const char *base, const char *path,
                           const char *what, const l2w_da_limits *lim, l2w_err *err)
{
    l2w_status st = l2w_da_http_get(http, resp, base, path, "application/json", lim, err);
    if (st != L2W_OK) {
        l2w_err_prefix(err, "%s", what);
        return st;
    }
    st = outcome_status(resp->outcome);
    if (st != L2W_OK)
        l2w_err_set(err, "%s: %s", what, resp->msg.msg);
    return st;
}

static l2w_status get_sidecars(l2w_da_http *http, l2w_beacon_sidecars *out, const char *base, const char *block_id,
                               const l2w_da_limits *lim, l2w_err *err)
{
    *out = (l2w_beacon_sidecars)L2W_BEACON_SIDECARS_INIT;
    char path[128];
    char what[128];
    snprintf(path, sizeof path, "/eth/v1/beacon/blob_sidecars/%s", block_id);
    snprintf(what, sizeof what, "blob sidecars of block %s", block_id);
    l2w_da_response resp;
    l2w_status st = get_json(http, &resp, base, path, what, lim, err);
    if (st != L2W_OK)
        return st;
    st = l2w_beacon_parse_sidecars(out, (const char *)resp.body, resp.body_len, err);
    if (st != L2W_OK) {
        char shown[L2W_RPC_URL_SHOWN_MAX];
        l2w_rpc_url_shown(shown, sizeof shown, base);
        l2w_err_prefix(err, "%s: %s: HTTP 200, invalid answer", what, shown);
    }
    l2w_da_response_clear(&resp);
    return st;
}

l2w_status l2w_beacon_get_sidecars_by_slot(l2w_da_http *http, l2w_beacon_sidecars *out, const char *base,
                                           uint64_t slot, const l2w_da_limits *lim, l2w_err *err)
{
    char id[24];
    snprintf(id, sizeof id, "%" PRIu64, slot);
    return get_sidecars(http, out, base, id, lim, err);
}

l2w_status l2w_beacon_get_sidecars_by_root(l2w_da_http *http, l2w_beacon_sidecars *out, const char *base,
                                           const l2w_hash *root, const l2w_da_limits *lim, l2w_err *err)
{
    char id[L2W_HASH_HEX_LEN];
    l2w_hash_to_hex(id, root);
    return get_sidecars(http, out, base, id, lim, err);
}

l2w_status l2w_beacon_get_genesis_time(l2w_da_http *http, uint64_t *genesis_time, const char *base,
                                       const l2w_da_limits *lim, l2w_err *err)
{
    l2w_da_limits small = *lim;
    if (small.max_bytes > 65536)
        small.max_bytes = 65536;
    const char *what = "beacon genesis";
    l2w_da_response resp;
    l2w_status st = get_json(http, &resp, base, "/eth/v1/beacon/genesis", what, &small, err);
    if (st != L2W_OK)
        return st;
    st = l2w_beacon_parse_genesis_time(genesis_time, (const char *)resp.body, resp.body_len, err);
    if (st != L2W_OK) {
        char shown[L2W_RPC_URL_SHOWN_MAX];
        l2w_rpc_url_shown(shown, sizeof shown, base);
        l2w_err_prefix(err, "%s: %s: HTTP 200, invalid answer", what, shown);
    }
    l2w_da_response_clear(&resp);
    return st;
}
