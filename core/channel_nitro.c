#include "core/channel_nitro.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/abi.h"
#include "core/hex.h"
#include "core/json_path.h"
#include "core/json.h"
#include "core/keccak.h"
#include "core/secp.h"

/* ---- ABI shapes (IForceMove.sol, IForceMoveApp.sol) ----
 * VariablePart is (bytes outcome, bytes appData): outcome first. */
#define FIXED_PART_TYPE "(uint256,address[],uint48,address,uint48)"
#define VARIABLE_PART_TYPE "(bytes,bytes)"
#define SIGNATURE_TYPE "(uint8,bytes32,bytes32)"
#define CHALLENGE_DATA_TYPES                                                                                   \
    "uint48,uint48,bool," FIXED_PART_TYPE "," VARIABLE_PART_TYPE "[]," SIGNATURE_TYPE "[],uint8[]"

const char l2w_nitro_challenge_registered_signature[] = "ChallengeRegistered(bytes32," CHALLENGE_DATA_TYPES ")";

static const char checkpoint_signature[] =
    "checkpoint(" FIXED_PART_TYPE ",uint48," VARIABLE_PART_TYPE "[],uint8," SIGNATURE_TYPE "[],uint8[])";

/* FixedPart's fields, by index. */
enum { FP_CHAIN_ID, FP_PARTICIPANTS, FP_CHANNEL_NONCE, FP_APP_DEFINITION, FP_CHALLENGE_DURATION, FP_FIELDS };

/* ---- storage ---- */

l2w_status l2w_nitro_fixed_alloc(l2w_nitro_fixed *f, size_t n_participants, l2w_err *err)
{
    memset(f, 0, sizeof *f);
    if (n_participants > L2W_NITRO_MAX_PARTICIPANTS) {
        l2w_err_set(err, "nitro fixed part: %zu participants exceeds the cap of %d", n_participants,
                    L2W_NITRO_MAX_PARTICIPANTS);
        return L2W_ERR_RANGE;
    }
    if (n_participants == 0)
        return L2W_OK;
    f->participants = calloc(n_participants, sizeof *f->participants);
    if (!f->participants) {
        l2w_err_set(err, "nitro fixed part: out of memory");
        return L2W_ERR_NOMEM;
    }
    f->n_participants = n_participants;
    return L2W_OK;
}

void l2w_nitro_fixed_free(l2w_nitro_fixed *f)
{
    if (!f)
        return;
    free(f->participants);
    memset(f, 0, sizeof *f);
}

/* A malloc'd copy of n bytes (a non-NULL pointer even for none). */
static uint8_t *copy_bytes(const uint8_t *p, size_t n)
{
    uint8_t *c = malloc(n ? n : 1);
    if (c && n)
        memcpy(c, p, n);
    return c;
}

l2w_status l2w_nitro_state_set_data(l2w_nitro_state *s, const uint8_t *app_data, size_t app_data_len,
                                    const uint8_t *outcome, size_t outcome_len, l2w_err *err)
{
    memset(s, 0, sizeof *s);
    if (app_data_len > L2W_NITRO_MAX_APP_DATA || outcome_len > L2W_NITRO_MAX_OUTCOME) {
        l2w_err_set(err, "nitro state: appData %zu / outcome %zu bytes exceeds the cap of %u / %u", app_data_len,
                    outcome_len, L2W_NITRO_MAX_APP_DATA, L2W_NITRO_MAX_OUTCOME);
        return L2W_ERR_RANGE;
    }
    s->app_data = copy_bytes(app_data, app_data_len);
    s->outcome = copy_bytes(outcome, outcome_len);
    if (!s->app_data || !s->outcome) {
        l2w_nitro_state_free(s);
        l2w_err_set(err, "nitro state: out of memory");
        return L2W_ERR_NOMEM;
    }
    s->app_data_len = app_data_len;
    s->outcome_len = outcome_len;
    return L2W_OK;
}

void l2w_nitro_state_free(l2w_nitro_state *s)
{
    if (!s)
        return;
    free(s->app_data);
    free(s->outcome);
    memset(s, 0, sizeof *s);
}

static bool bytes_eq(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    return an == bn && (an == 0 || memcmp(a, b, an) == 0);
}

bool l2w_nitro_fixed_eq(const l2w_nitro_fixed *a, const l2w_nitro_fixed *b)
{
    if (l2w_u256_cmp(&a->chain_id, &b->chain_id) != 0 || a->n_participants != b->n_participants ||
        a->channel_nonce != b->channel_nonce || !l2w_addr_eq(&a->app_definition, &b->app_definition) ||
        a->challenge_duration != b->challenge_duration)
        return false;
    for (size_t i = 0; i < a->n_participants; i++)
        if (!l2w_addr_eq(&a->participants[i], &b->participants[i]))
            return false;
    return true;
}

bool l2w_nitro_state_eq(const l2w_nitro_state *a, const l2w_nitro_state *b)
{
    return a->turn_num == b->turn_num && a->is_final == b->is_final &&
           bytes_eq(a->app_data, a->app_data_len, b->app_data, b->app_data_len) &&
           bytes_eq(a->outcome, a->outcome_len, b->outcome, b->outcome_len);
}

/* ---- hashes ---- */

static l2w_status check_fixed(const l2w_nitro_fixed *f, l2w_err *err)
{
    if (f->n_participants > L2W_NITRO_MAX_PARTICIPANTS) {
        l2w_err_set(err, "nitro fixed part: %zu participants exceeds the cap of %d", f->n_participants,
                    L2W_NITRO_MAX_PARTICIPANTS);
        return L2W_ERR_RANGE;
    }
    if (f->channel_nonce > L2W_NITRO_UINT48_MAX || f->challenge_duration > L2W_NITRO_UINT48_MAX) {
        l2w_err_set(err, "nitro fixed part: channelNonce or challengeDuration exceeds uint48");
        return L2W_ERR_RANGE;
    }
    return L2W_OK;
}

static l2w_status check_state(const l2w_nitro_state *s, l2w_err *err)
{
    if (s->turn_num > L2W_NITRO_UINT48_MAX) {
        l2w_err_set(err, "nitro state: turnNum exceeds uint48");
        return L2W_ERR_RANGE;
    }
    if (s->app_data_len > L2W_NITRO_MAX_APP_DATA || s->outcome_len > L2W_NITRO_MAX_OUTCOME) {
        l2w_err_set(err, "nitro state: appData or outcome exceeds its cap");
        return L2W_ERR_RANGE;
    }
    return L2W_OK;
}

/* keccak256 of the encoding of v as the tuple type type_text. */
static l2w_status hash_encoding(l2w_hash *out, const char *type_text, const l2w_abi_value *v, l2w_err *err)
{
    l2w_abi_type *t = NULL;
    uint8_t *enc = NULL;
    size_t enc_len = 0;
    l2w_status st = l2w_abi_type_parse(&t, type_text, err);
    if (st == L2W_OK)
        st = l2w_abi_encode(&enc, &enc_len, t, v, err);
    if (st == L2W_OK)
        l2w_keccak256_hash(out, enc, enc_len);
    free(enc);
    l2w_abi_type_free(t);
    return st;
}

/* abi.encode(chainId, participants, channelNonce), hashed, for a decoded or
 * a built participants array value. */
static l2w_status channel_id_of(l2w_hash *out, const l2w_u256 *chain_id, const l2w_abi_value *participants,
                                uint64_t channel_nonce, l2w_err *err)
{
    l2w_abi_value items[3] = {l2w_abi_val_uint(chain_id), *participants, l2w_abi_val_uint64(channel_nonce)};
    l2w_abi_value args = l2w_abi_val_tuple(items, 3);
    return hash_encoding(out, "(uint256,address[],uint48)", &args, err);
}

l2w_status l2w_nitro_channel_id(l2w_hash *out, const l2w_nitro_fixed *f, l2w_err *err)
{
    l2w_status st = check_fixed(f, err);
    if (st != L2W_OK)
        return st;
    l2w_abi_value parts[L2W_NITRO_MAX_PARTICIPANTS];
    for (size_t i = 0; i < f->n_participants; i++)
        parts[i] = l2w_abi_val_addr(&f->participants[i]);
    l2w_abi_value arr = l2w_abi_val_array(parts, f->n_participants);
    return channel_id_of(out, &f->chain_id, &arr, f->channel_nonce, err);
}

l2w_status l2w_nitro_app_part_hash(l2w_hash *out, const l2w_nitro_fixed *f, const l2w_nitro_state *s, l2w_err *err)
{
    l2w_status st = check_fixed(f, err);
    if (st == L2W_OK)
        st = check_state(s, err);
    if (st != L2W_OK)
        return st;
    l2w_abi_value items[3] = {l2w_abi_val_uint64(f->challenge_duration), l2w_abi_val_addr(&f->app_definition),
                              l2w_abi_val_bytes(s->app_data, s->app_data_len)};
    l2w_abi_value args = l2w_abi_val_tuple(items, 3);
    return hash_encoding(out, "(uint48,address,bytes)", &args, err);
}

l2w_status l2w_nitro_state_hash(l2w_hash *out, const l2w_nitro_fixed *f, const l2w_nitro_state *s, l2w_err *err)
{
    l2w_hash channel_id, app_part, outcome;
    l2w_status st = l2w_nitro_channel_id(&channel_id, f, err);
    if (st == L2W_OK)
        st = l2w_nitro_app_part_hash(&app_part, f, s, err);
    if (st != L2W_OK)
        return st;
    l2w_keccak256_hash(&outcome, s->outcome, s->outcome_len);
    /* State is all static fields: its encoding is five words. */
    uint8_t enc[5 * 32] = {0};
    for (int i = 0; i < 6; i++)
        enc[31 - i] = (uint8_t)(s->turn_num >> (8 * i));
    enc[63] = s->is_final ? 1 : 0;
    memcpy(enc + 64, channel_id.b, 32);
    memcpy(enc + 96, app_part.b, 32);
    memcpy(enc + 128, outcome.b, 32);
    l2w_keccak256_hash(out, enc, sizeof enc);
    return L2W_OK;
}

void l2w_nitro_signed_digest(l2w_hash *out, const l2w_hash *state_hash)
{
    static const char prefix[] = "\x19" "Ethereum Signed Message:\n32";
    l2w_keccak_ctx k;
    l2w_keccak_init(&k);
    l2w_keccak_update(&k, (const uint8_t *)prefix, sizeof prefix - 1);
    l2w_keccak_update(&k, state_hash->b, sizeof state_hash->b);
    l2w_keccak_final(&k, out->b);
}

/* ---- signatures ---- */

void l2w_nitro_sig_from_bytes(l2w_nitro_sig *out, const uint8_t in[65])
{
    memcpy(out->r, in, 32);
    memcpy(out->s, in + 32, 32);
    out->v = in[64];
}

void l2w_nitro_sig_to_bytes(uint8_t out[65], const l2w_nitro_sig *sig)
{
    memcpy(out, sig->r, 32);
    memcpy(out + 32, sig->s, 32);
    out[64] = sig->v;
}

static bool zero32(const uint8_t b[32])
{
    uint8_t acc = 0;
    for (int i = 0; i < 32; i++)
        acc |= b[i];
    return acc == 0;
}

/* What ecrecover(digest, v, r, s) answers, or a fault. The precompile takes
 * a high s as it is; its twin n - s with the other parity recovers the same
 * key, and that is the form libsecp256k1 (through l2w_secp_recover) takes. */
static l2w_nitro_sig_fault ecrecover(l2w_addr *out, const l2w_hash *digest, const l2w_nitro_sig *sig, l2w_err *err)
{
    if (sig->v != 27 && sig->v != 28) {
        l2w_err_set(err, "v is %u, expected 27 or 28", sig->v);
        return L2W_NITRO_SIG_BAD_V;
    }
    if (zero32(sig->r) || zero32(sig->s) || memcmp(sig->r, l2w_secp_order, 32) >= 0 ||
        memcmp(sig->s, l2w_secp_order, 32) >= 0) {
        l2w_err_set(err, "recovers no signer: r or s is zero or not below the curve order");
        return L2W_NITRO_SIG_UNRECOVERABLE;
    }
    l2w_signature low;
    memcpy(low.r, sig->r, 32);
    memcpy(low.s, sig->s, 32);
    low.recid = sig->v - 27;
    if (memcmp(sig->s, l2w_secp_half_order, 32) > 0) {
        l2w_u256 n, s;
        l2w_u256_from_be32(&n, l2w_secp_order);
        l2w_u256_from_be32(&s, sig->s);
        if (l2w_u256_sub(&s, &n, &s) != L2W_OK) /* cannot fail: s < n */
            return L2W_NITRO_SIG_UNRECOVERABLE;
        l2w_u256_to_be32(low.s, &s);
        low.recid ^= 1;
    }
    l2w_err inner = {{0}};
    if (l2w_secp_recover(out, digest->b, &low, &inner) != L2W_OK) {
        l2w_err_set(err, "recovers no signer (%s)", inner.msg);
        return L2W_NITRO_SIG_UNRECOVERABLE;
    }
    /* ecrecover's failure value, which _recoverSigner refuses; no key has
     * this address, so it is a fault of the same kind. */
    static const l2w_addr zero_addr;
    if (l2w_addr_eq(out, &zero_addr)) {
        l2w_err_set(err, "recovers the zero address");
        return L2W_NITRO_SIG_UNRECOVERABLE;
    }
    return L2W_NITRO_SIG_OK;
}

static void wrong_signer_message(l2w_err *err, const l2w_nitro_fixed *f, size_t i, const l2w_addr *got)
{
    char got_hex[L2W_ADDR_HEX_LEN], want_hex[L2W_ADDR_HEX_LEN], who[40] = "";
    l2w_addr_to_hex(got_hex, got);
    l2w_addr_to_hex(want_hex, &f->participants[i]);
    for (size_t j = 0; j < f->n_participants; j++) {
        if (l2w_addr_eq(got, &f->participants[j])) {
            snprintf(who, sizeof who, " (participant %zu)", j);
            break;
        }
    }
    l2w_err_set(err, "signatures[%zu]: recovers to %s%s, not participants[%zu] %s", i, got_hex, who, i, want_hex);
}

l2w_status l2w_nitro_verify(l2w_nitro_verdict *verdict, const l2w_nitro_fixed *f, const l2w_nitro_state *s,
                            const l2w_nitro_sig *sigs, size_t n_sigs, l2w_err *err)
{
    l2w_nitro_verdict local;
    if (!verdict)
        verdict = &local;
    memset(verdict, 0, sizeof *verdict);
    if (n_sigs != f->n_participants || f->n_participants == 0) {
        verdict->fault = L2W_NITRO_SIG_COUNT;
        verdict->index = n_sigs;
        l2w_err_set(err, "signatures: %zu given for %zu participants", n_sigs, f->n_participants);
        return L2W_ERR_INVALID;
    }
    l2w_hash state_hash, digest;
    l2w_status st = l2w_nitro_state_hash(&state_hash, f, s, err);
    if (st != L2W_OK)
        return st;
    l2w_nitro_signed_digest(&digest, &state_hash);
    for (size_t i = 0; i < n_sigs; i++) {
        l2w_addr who;
        l2w_nitro_sig_fault fault = ecrecover(&who, &digest, &sigs[i], err);
        if (fault == L2W_NITRO_SIG_OK && l2w_addr_eq(&who, &f->participants[i]))
            continue;
        verdict->index = i;
        if (fault == L2W_NITRO_SIG_OK) {
            verdict->fault = L2W_NITRO_SIG_WRONG_SIGNER;
            verdict->recovered = who;
            wrong_signer_message(err, f, i, &who);
        } else {
            verdict->fault = fault;
            l2w_err_prefix(err, "signatures[%zu]", i);
        }
        return L2W_ERR_INVALID;
    }
    return L2W_OK;
}

/* ---- JSON intake ---- */

static l2w_status json_uint48(uint64_t *out, const json_t *v, const char *path, l2w_err *err)
{
    l2w_u256 w;
    l2w_status st = l2w_jpath_u256(&w, v, path, err);
    if (st != L2W_OK)
        return st;
    if (l2w_u256_bit_length(&w) > 48) {
        char dec[L2W_U256_DEC_LEN];
        l2w_u256_to_dec(dec, &w);
        return l2w_jpath_invalid(err, "%s: %s exceeds uint48 (2^48 - 1)", path, dec);
    }
    *out = w.w[0];
    return L2W_OK;
}

static l2w_status json_sig(l2w_nitro_sig *out, const json_t *v, const char *path, l2w_err *err)
{
    const char *t = l2w_jpath_text(v, path, "a 0x signature string", err);
    if (!t)
        return L2W_ERR_INVALID;
    uint8_t raw[65];
    size_t len = strlen(t);
    if (len != 2 + 2 * sizeof raw)
        return l2w_jpath_invalid(err, "%s: expected 0x and 130 hex digits (65 bytes r || s || v), got %zu characters", path,
                       len);
    if (l2w_hex_decode_exact(raw, sizeof raw, t) != L2W_OK)
        return l2w_jpath_invalid(err, "%s: bad hex in signature", path);
    l2w_nitro_sig_from_bytes(out, raw);
    return L2W_OK;
}

/* The member key of obj (an object, checked by the caller), its path in sub. */
static const json_t *member(char *sub, size_t sub_cap, const json_t *obj, const char *key, const char *path,
                            l2w_err *err)
{
    snprintf(sub, sub_cap, "%s%s%s", path, *path ? "." : "", key);
    const json_t *v = json_object_get(obj, key);
    if (!v)
        l2w_jpath_invalid(err, "%s: missing", sub);
    return v;
}

static const json_t *object_member(const json_t *obj, const char *key, l2w_err *err)
{
    char sub[32];
    const json_t *v = member(sub, sizeof sub, obj, key, "", err);
    if (v && !json_is_object(v)) {
        l2w_jpath_invalid(err, "%s: expected an object, got %s", sub, l2w_jpath_kind(v));
        return NULL;
    }
    return v;
}

static l2w_status parse_fixed(l2w_nitro_fixed *f, const json_t *fp, l2w_err *err)
{
    static const char *const names[] = {"chainId", "participants", "channelNonce", "appDefinition",
                                        "challengeDuration"};
    const char *path = "fixedPart";
    char sub[64];
    l2w_status st = l2w_jpath_only_fields(fp, names, 5, path, err);
    if (st != L2W_OK)
        return st;
    const json_t *parts = member(sub, sizeof sub, fp, "participants", path, err);
    if (!parts)
        return L2W_ERR_INVALID;
    if (!json_is_array(parts))
        return l2w_jpath_invalid(err, "%s: expected an array, got %s", sub, l2w_jpath_kind(parts));
    size_t n = json_array_size(parts);
    if (n == 0)
        return l2w_jpath_invalid(err, "%s: no participants", sub);
    if (n > L2W_NITRO_MAX_PARTICIPANTS)
        return l2w_jpath_invalid(err, "%s: %zu participants exceeds the cap of %d", sub, n, L2W_NITRO_MAX_PARTICIPANTS);
    st = l2w_nitro_fixed_alloc(f, n, err);
    for (size_t i = 0; i < n && st == L2W_OK; i++) {
        char item[96];
        snprintf(item, sizeof item, "%s[%zu]", sub, i);
        st = l2w_jpath_addr(&f->participants[i], json_array_get(parts, i), item, err);
    }
    const json_t *v;
    if (st == L2W_OK)
        st = (v = member(sub, sizeof sub, fp, "chainId", path, err)) ? l2w_jpath_u256(&f->chain_id, v, sub, err)
                                                                      : L2W_ERR_INVALID;
    if (st == L2W_OK)
        st = (v = member(sub, sizeof sub, fp, "channelNonce", path, err)) ? json_uint48(&f->channel_nonce, v, sub, err)
                                                                           : L2W_ERR_INVALID;
    if (st == L2W_OK)
        st = (v = member(sub, sizeof sub, fp, "appDefinition", path, err)) ? l2w_jpath_addr(&f->app_definition, v, sub, err)
                                                                            : L2W_ERR_INVALID;
    if (st == L2W_OK)
        st = (v = member(sub, sizeof sub, fp, "challengeDuration", path, err))
                 ? json_uint48(&f->challenge_duration, v, sub, err)
                 : L2W_ERR_INVALID;
    return st;
}

static l2w_status parse_state(l2w_nitro_state *s, const json_t *sj, l2w_err *err)
{
    static const char *const names[] = {"turnNum", "isFinal", "appData", "outcome"};
    const char *path = "state";
    char sub[64];
    l2w_status st = l2w_jpath_only_fields(sj, names, 4, path, err);
    if (st != L2W_OK)
        return st;
    const json_t *v;
    if (!(v = member(sub, sizeof sub, sj, "turnNum", path, err)))
        return L2W_ERR_INVALID;
    st = json_uint48(&s->turn_num, v, sub, err);
    if (st != L2W_OK)
        return st;
    if (!(v = member(sub, sizeof sub, sj, "isFinal", path, err)))
        return L2W_ERR_INVALID;
    if (!json_is_boolean(v))
        return l2w_jpath_invalid(err, "%s: expected true or false, got %s", sub, l2w_jpath_kind(v));
    s->is_final = json_is_true(v);
    if (!(v = member(sub, sizeof sub, sj, "appData", path, err)))
        return L2W_ERR_INVALID;
    st = l2w_jpath_data(&s->app_data, &s->app_data_len, v, L2W_NITRO_MAX_APP_DATA, sub, err);
    if (st != L2W_OK)
        return st;
    if (!(v = member(sub, sizeof sub, sj, "outcome", path, err)))
        return L2W_ERR_INVALID;
    return l2w_jpath_data(&s->outcome, &s->outcome_len, v, L2W_NITRO_MAX_OUTCOME, sub, err);
}

static l2w_status parse_sigs(l2w_nitro_sig *sigs, size_t *n_sigs, const json_t *arr, size_t n_participants,
                             l2w_err *err)
{
    if (!json_is_array(arr))
        return l2w_jpath_invalid(err, "signatures: expected an array, got %s", l2w_jpath_kind(arr));
    size_t n = json_array_size(arr);
    if (n != n_participants)
        return l2w_jpath_invalid(err, "signatures: %zu given for %zu participants (one each, in their order)", n,
                       n_participants);
    for (size_t i = 0; i < n; i++) {
        char item[48];
        snprintf(item, sizeof item, "signatures[%zu]", i);
        l2w_status st = json_sig(&sigs[i], json_array_get(arr, i), item, err);
        if (st != L2W_OK)
            return st;
    }
    *n_sigs = n;
    return L2W_OK;
}

static l2w_status parse_all(l2w_nitro_fixed *f, l2w_nitro_state *s, l2w_nitro_sig *sigs, size_t *n_sigs,
                            const json_t *json, l2w_err *err)
{
    if (!json_is_object(json))
        return l2w_jpath_invalid(err, "body: expected an object, got %s", json ? l2w_jpath_kind(json) : "nothing");
    static const char *const with_sigs[] = {"fixedPart", "state", "signatures"};
    l2w_status st = l2w_jpath_only_fields(json, with_sigs, sigs ? 3 : 2, "", err);
    if (st != L2W_OK)
        return st;
    const json_t *fp = object_member(json, "fixedPart", err);
    if (!fp)
        return L2W_ERR_INVALID;
    st = parse_fixed(f, fp, err);
    if (st != L2W_OK)
        return st;
    const json_t *sj = object_member(json, "state", err);
    if (!sj)
        return L2W_ERR_INVALID;
    st = parse_state(s, sj, err);
    if (st != L2W_OK || !sigs)
        return st;
    char sub[32];
    const json_t *arr = member(sub, sizeof sub, json, "signatures", "", err);
    if (!arr)
        return L2W_ERR_INVALID;
    return parse_sigs(sigs, n_sigs, arr, f->n_participants, err);
}

l2w_status l2w_nitro_from_json(l2w_nitro_fixed *f, l2w_nitro_state *s, l2w_nitro_sig sigs[L2W_NITRO_MAX_PARTICIPANTS],
                               size_t *n_sigs, const json_t *json, l2w_err *err)
{
    memset(f, 0, sizeof *f);
    memset(s, 0, sizeof *s);
    if (n_sigs)
        *n_sigs = 0;
    size_t dummy = 0;
    l2w_status st = parse_all(f, s, sigs, n_sigs ? n_sigs : &dummy, json, err);
    if (st != L2W_OK) {
        l2w_nitro_fixed_free(f);
        l2w_nitro_state_free(s);
        if (n_sigs)
            *n_sigs = 0;
        if (sigs)
            memset(sigs, 0, L2W_NITRO_MAX_PARTICIPANTS * sizeof *sigs);
    }
    return st;
}

static void set(json_t *obj, const char *key, json_t *v, bool *ok)
{
    if (!obj || !v || json_object_set_new(obj, key, v) != 0)
        *ok = false;
}

static void append(json_t *arr, json_t *item, bool *ok)
{
    if (!arr || !item || json_array_append_new(arr, item) != 0)
        *ok = false;
}

l2w_status l2w_nitro_to_json(json_t **out, const l2w_nitro_fixed *f, const l2w_nitro_state *s,
                             const l2w_nitro_sig *sigs, size_t n_sigs, l2w_err *err)
{
    bool ok = true;
    char dec[L2W_U256_DEC_LEN];
    l2w_u256_to_dec(dec, &f->chain_id);
    json_t *parts = json_array();
    for (size_t i = 0; i < f->n_participants; i++)
        append(parts, l2w_json_addr(&f->participants[i]), &ok);
    json_t *fp = json_object();
    set(fp, "chainId", json_string(dec), &ok);
    set(fp, "participants", parts, &ok);
    set(fp, "channelNonce", json_integer((json_int_t)f->channel_nonce), &ok);
    set(fp, "appDefinition", l2w_json_addr(&f->app_definition), &ok);
    set(fp, "challengeDuration", json_integer((json_int_t)f->challenge_duration), &ok);
    json_t *st = json_object();
    set(st, "turnNum", json_integer((json_int_t)s->turn_num), &ok);
    set(st, "isFinal", json_boolean(s->is_final), &ok);
    set(st, "appData", l2w_json_hex(s->app_data, s->app_data_len), &ok);
    set(st, "outcome", l2w_json_hex(s->outcome, s->outcome_len), &ok);
    json_t *o = json_object();
    set(o, "fixedPart", fp, &ok);
    set(o, "state", st, &ok);
    if (sigs) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n_sigs; i++) {
            uint8_t raw[65];
            l2w_nitro_sig_to_bytes(raw, &sigs[i]);
            append(arr, l2w_json_hex(raw, sizeof raw), &ok);
        }
        set(o, "signatures", arr, &ok);
    }
    if (!ok) {
        json_decref(o);
        l2w_err_set(err, "nitro state to JSON: out of memory");
        return L2W_ERR_NOMEM;
    }
    *out = o;
    return L2W_OK;
}

/* ---- checkpoint ---- */

l2w_status l2w_nitro_checkpoint_calldata(uint8_t **out, size_t *out_len, const l2w_nitro_fixed *f,
                                         const l2w_nitro_state *s, const l2w_nitro_sig *sigs, size_t n_sigs,
                                         l2w_err *err)
{
    *out = NULL;
    *out_len = 0;
    l2w_status st = check_fixed(f, err);
    if (st == L2W_OK)
        st = check_state(s, err);
    if (st != L2W_OK)
        return st;
    if (n_sigs != f->n_participants || n_sigs == 0) {
        l2w_err_set(err, "checkpoint: %zu signatures for %zu participants", n_sigs, f->n_participants);
        return L2W_ERR_INVALID;
    }
    size_t n = f->n_participants;
    l2w_abi_value parts[L2W_NITRO_MAX_PARTICIPANTS];
    l2w_abi_value sig_fields[L2W_NITRO_MAX_PARTICIPANTS][3];
    l2w_abi_value sig_vals[L2W_NITRO_MAX_PARTICIPANTS];
    l2w_abi_value who[L2W_NITRO_MAX_PARTICIPANTS];
    for (size_t i = 0; i < n; i++) {
        parts[i] = l2w_abi_val_addr(&f->participants[i]);
        sig_fields[i][0] = l2w_abi_val_uint64(sigs[i].v);
        sig_fields[i][1] = l2w_abi_val_fixed_bytes(sigs[i].r, 32);
        sig_fields[i][2] = l2w_abi_val_fixed_bytes(sigs[i].s, 32);
        sig_vals[i] = l2w_abi_val_tuple(sig_fields[i], 3);
        who[i] = l2w_abi_val_uint64(0);
    }
    l2w_abi_value fixed[FP_FIELDS] = {
        [FP_CHAIN_ID] = l2w_abi_val_uint(&f->chain_id),
        [FP_PARTICIPANTS] = l2w_abi_val_array(parts, n),
        [FP_CHANNEL_NONCE] = l2w_abi_val_uint64(f->channel_nonce),
        [FP_APP_DEFINITION] = l2w_abi_val_addr(&f->app_definition),
        [FP_CHALLENGE_DURATION] = l2w_abi_val_uint64(f->challenge_duration),
    };
    l2w_abi_value variable[2] = {l2w_abi_val_bytes(s->outcome, s->outcome_len),
                                 l2w_abi_val_bytes(s->app_data, s->app_data_len)};
    l2w_abi_value variable_part = l2w_abi_val_tuple(variable, 2);
    l2w_abi_value args[6] = {
        l2w_abi_val_tuple(fixed, FP_FIELDS),  l2w_abi_val_uint64(s->turn_num),
        l2w_abi_val_array(&variable_part, 1), l2w_abi_val_uint64(s->is_final ? 1 : 0),
        l2w_abi_val_array(sig_vals, n),       l2w_abi_val_array(who, n),
    };
    l2w_abi_value call = l2w_abi_val_tuple(args, 6);
    st = l2w_abi_encode_call(out, out_len, checkpoint_signature, &call, err);
    if (st != L2W_OK)
        l2w_err_prefix(err, "checkpoint");
    return st;
}

/* ---- ChallengeRegistered ---- */

void l2w_nitro_challenge_registered_topic(l2w_hash *out)
{
    l2w_keccak256_hash(out, (const uint8_t *)l2w_nitro_challenge_registered_signature,
                       sizeof l2w_nitro_challenge_registered_signature - 1);
}

static l2w_status protocol(l2w_err *err, const char *what)
{
    l2w_err_set(err, "ChallengeRegistered: %s", what);
    return L2W_ERR_PROTOCOL;
}

l2w_status l2w_nitro_decode_challenge_registered(l2w_nitro_challenge *out, const l2w_hash *topics, size_t n_topics,
                                                 const uint8_t *data, size_t data_len, l2w_err *err)
{
    memset(out, 0, sizeof *out);
    l2w_hash topic0;
    l2w_nitro_challenge_registered_topic(&topic0);
    if (n_topics == 0)
        return protocol(err, "log has no topics");
    if (!l2w_hash_eq(&topics[0], &topic0))
        return protocol(err, "topic0 is another event's");
    if (n_topics != 2)
        return protocol(err, "expected 2 topics (topic0, channelId)");
    l2w_abi_type *t = NULL;
    l2w_abi_value *v = NULL;
    l2w_status st = l2w_abi_type_parse(&t, "(" CHALLENGE_DATA_TYPES ")", err);
    if (st != L2W_OK)
        goto out;
    st = l2w_abi_decode(&v, t, data, data_len, err);
    if (st == L2W_ERR_INVALID || st == L2W_ERR_RANGE) {
        l2w_err_prefix(err, "ChallengeRegistered data");
        st = L2W_ERR_PROTOCOL;
    }
    if (st != L2W_OK)
        goto out;
    /* uint48 words decode only when they fit, so the low limb holds them. */
    out->channel_id = topics[1];
    out->turn_num_record = v->items[0].word.w[0];
    out->finalizes_at = v->items[1].word.w[0];
    out->is_final = v->items[2].boolean;
    const l2w_abi_value *fp = v->items[3].items;
    out->n_participants = fp[FP_PARTICIPANTS].len;
    out->n_variable_parts = v->items[4].len;
    l2w_hash id;
    st = channel_id_of(&id, &fp[FP_CHAIN_ID].word, &fp[FP_PARTICIPANTS], fp[FP_CHANNEL_NONCE].word.w[0], err);
    if (st == L2W_OK && !l2w_hash_eq(&id, &out->channel_id))
        st = protocol(err, "channelId (topic1) is not the id of the fixed part in the data");
out:
    l2w_abi_value_free(v);
    l2w_abi_type_free(t);
    if (st != L2W_OK)
        memset(out, 0, sizeof *out);
    return st;
}
