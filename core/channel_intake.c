#include "core/channel_intake.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/channel_nitro.h"
#include "core/channel_vector.h"
#include "core/eth_sign.h"
#include "core/hex.h"
#include "core/json_path.h"
#include "core/keccak.h"

const char *l2w_channel_protocol_name(l2w_channel_protocol p)
{
    switch (p) {
    case L2W_CHANNEL_VECTOR:
        return "vector";
    case L2W_CHANNEL_NITRO:
        return "nitro";
    }
    return "unknown";
}

void l2w_channel_submission_clear(l2w_channel_submission *s)
{
    if (!s)
        return;
    json_decref(s->doc);
    memset(s, 0, sizeof *s);
}

/* EIP-1167 minimal proxy around the mastercopy, as ChannelFactory builds it. */
static const uint8_t proxy_prefix[] = {0x3d, 0x60, 0x2d, 0x80, 0x60, 0x0a, 0x3d, 0x39, 0x81, 0xf3,
                                       0x36, 0x3d, 0x3d, 0x37, 0x3d, 0x3d, 0x3d, 0x36, 0x3d, 0x73};
static const uint8_t proxy_suffix[] = {0x5a, 0xf4, 0x3d, 0x82, 0x80, 0x3e, 0x90, 0x3d,
                                       0x91, 0x60, 0x2b, 0x57, 0xfd, 0x5b, 0xf3};

void l2w_vector_channel_address(l2w_addr *out, const l2w_addr *factory, const l2w_addr *mastercopy,
                                uint64_t chain_id, const l2w_addr *alice, const l2w_addr *bob)
{
    uint8_t init[sizeof proxy_prefix + 20 + sizeof proxy_suffix];
    memcpy(init, proxy_prefix, sizeof proxy_prefix);
    memcpy(init + sizeof proxy_prefix, mastercopy->b, 20);
    memcpy(init + sizeof proxy_prefix + 20, proxy_suffix, sizeof proxy_suffix);
    uint8_t salt_in[20 + 20 + 32] = {0};
    memcpy(salt_in, alice->b, 20);
    memcpy(salt_in + 20, bob->b, 20);
    l2w_u256 id = l2w_u256_from_u64(chain_id);
    l2w_u256_to_be32(salt_in + 40, &id);
    uint8_t pre[1 + 20 + 32 + 32];
    pre[0] = 0xff;
    memcpy(pre + 1, factory->b, 20);
    l2w_keccak256(pre + 21, salt_in, sizeof salt_in);
    l2w_keccak256(pre + 53, init, sizeof init);
    uint8_t h[32];
    l2w_keccak256(h, pre, sizeof pre);
    memcpy(out->b, h + 12, 20);
}

/* ---- Vector ---------------------------------------------------------------- */

static l2w_status vector_sigs(const json_t *item, uint8_t *sig[2], size_t len[2], const char **code, l2w_err *err)
{
    const json_t *arr = json_object_get(item, "signatures");
    *code = "malformed_json";
    if (!arr)
        return l2w_jpath_invalid(err, "signatures: required: [alice's signature, bob's signature]");
    if (!json_is_array(arr) || json_array_size(arr) != 2) {
        *code = "malformed_json";
        return l2w_jpath_invalid(err, "signatures: expected an array of 2 signatures (alice's, then bob's), got %s",
                                 json_is_array(arr) ? "another length" : l2w_jpath_kind(arr));
    }
    for (size_t i = 0; i < 2; i++) {
        char path[32];
        snprintf(path, sizeof path, "signatures[%zu]", i);
        /* Longer than 65 bytes is read (up to a cap) so the refusal can say
         * bad_signature with the length, as the contract would. */
        l2w_status st = l2w_jpath_data(&sig[i], &len[i], json_array_get(arr, i), 256, path, err);
        if (st != L2W_OK)
            return st;
    }
    return L2W_OK;
}

static const char *vector_fault_code(const l2w_vector_verdict *v, const l2w_vector_state *s)
{
    switch (v->fault) {
    case L2W_VECTOR_SIG_OK:
    case L2W_VECTOR_SIG_LENGTH:
    case L2W_VECTOR_SIG_HIGH_S:
    case L2W_VECTOR_SIG_BAD_V:
    case L2W_VECTOR_SIG_UNRECOVERABLE:
        return "bad_signature";
    case L2W_VECTOR_SIG_WRONG_SIGNER:
        return l2w_addr_eq(&v->recovered, &s->alice) || l2w_addr_eq(&v->recovered, &s->bob) ? "bad_signature"
                                                                                                : "not_participant";
    }
    return "bad_signature";
}

static l2w_status vector_doc(json_t **out, const l2w_vector_state *s, uint8_t *const sig[2])
{
    json_t *state = NULL;
    l2w_err ignored = {{0}};
    if (l2w_vector_state_to_json(&state, s, &ignored) != L2W_OK)
        return L2W_ERR_NOMEM;
    char hex[2][2 + 130 + 1];
    for (size_t i = 0; i < 2; i++)
        l2w_hex_encode(hex[i], sig[i], 65);
    *out = json_pack("{s:s, s:o, s:[s,s]}", "protocol", "vector", "state", state, "signatures", hex[0], hex[1]);
    return *out ? L2W_OK : L2W_ERR_NOMEM;
}

static l2w_status check_vector(l2w_channel_submission *out, const char **code, const l2w_channel_intake_ctx *ctx,
                               const json_t *item, l2w_err *err)
{
    static const char *const fields[] = {"protocol", "state", "signatures"};
    *code = "malformed_json";
    l2w_status st = l2w_jpath_only_fields(item, fields, 3, "", err);
    if (st != L2W_OK)
        return st;
    const json_t *state_json = json_object_get(item, "state");
    if (!state_json)
        return l2w_jpath_invalid(err, "state: required");
    l2w_vector_state s;
    if ((st = l2w_vector_state_from_json(&s, state_json, err)) != L2W_OK)
        return st;
    uint8_t *sig[2] = {NULL, NULL};
    size_t len[2] = {0, 0};
    st = vector_sigs(item, sig, len, code, err);
    l2w_addr expected;
    if (st == L2W_OK) {
        const l2w_channels_config *cc = ctx->cfg;
        l2w_vector_channel_address(&expected, &cc->vector_channel_factory, &cc->vector_mastercopy, ctx->chain_id,
                                   &s.alice, &s.bob);
        if (!l2w_addr_eq(&expected, &s.channel_address)) {
            char got[L2W_ADDR_HEX_LEN], want[L2W_ADDR_HEX_LEN];
            l2w_addr_to_hex(got, &s.channel_address);
            l2w_addr_to_hex(want, &expected);
            *code = "unknown_channel";
            st = l2w_jpath_invalid(err,
                                   "state.channelAddress: %s is not a channel of the watched ChannelFactory: "
                                   "for this alice and bob on chain %llu it would be %s",
                                   got, (unsigned long long)ctx->chain_id, want);
        }
    }
    l2w_vector_verdict verdict;
    if (st == L2W_OK) {
        st = l2w_vector_verify(&verdict, &s, sig[0], len[0], sig[1], len[1], err);
        if (st == L2W_ERR_INVALID)
            *code = vector_fault_code(&verdict, &s);
    }
    if (st == L2W_OK)
        st = l2w_vector_state_hash(&out->state_hash, &s, err);
    if (st == L2W_OK)
        st = vector_doc(&out->doc, &s, sig);
    if (st == L2W_OK) {
        out->protocol = L2W_CHANNEL_VECTOR;
        memcpy(out->channel, s.channel_address.b, 20);
        out->channel_len = 20;
        out->version = s.nonce;
    }
    free(sig[0]);
    free(sig[1]);
    l2w_vector_state_free(&s);
    return st;
}

/* ---- Nitro ----------------------------------------------------------------- */

static const char *nitro_fault_code(const l2w_nitro_verdict *v, const l2w_nitro_fixed *f)
{
    switch (v->fault) {
    case L2W_NITRO_SIG_OK:
    case L2W_NITRO_SIG_COUNT:
    case L2W_NITRO_SIG_BAD_V:
    case L2W_NITRO_SIG_UNRECOVERABLE:
        return "bad_signature";
    case L2W_NITRO_SIG_WRONG_SIGNER:
        for (size_t i = 0; i < f->n_participants; i++)
            if (l2w_addr_eq(&v->recovered, &f->participants[i]))
                return "bad_signature";
        return "not_participant";
    }
    return "bad_signature";
}

l2w_status l2w_nitro_from_submission(l2w_nitro_fixed *f, l2w_nitro_state *s,
                                     l2w_nitro_sig sigs[L2W_NITRO_MAX_PARTICIPANTS], size_t *n_sigs,
                                     const json_t *item, l2w_err *err)
{
    /* The codec's form has no "protocol": read a copy without it. */
    json_t *body = json_copy((json_t *)item);
    if (!body)
        return L2W_ERR_NOMEM;
    json_object_del(body, "protocol");
    l2w_status st = l2w_nitro_from_json(f, s, sigs, n_sigs, body, err);
    json_decref(body);
    return st;
}

static l2w_status check_nitro(l2w_channel_submission *out, const char **code, const l2w_channel_intake_ctx *ctx,
                              const json_t *item, l2w_err *err)
{
    *code = "malformed_json";
    l2w_nitro_fixed f;
    l2w_nitro_state s;
    l2w_nitro_sig sigs[L2W_NITRO_MAX_PARTICIPANTS];
    size_t n_sigs = 0;
    l2w_status st = l2w_nitro_from_submission(&f, &s, sigs, &n_sigs, item, err);
    if (st != L2W_OK)
        return st;
    l2w_u256 want = l2w_u256_from_u64(ctx->chain_id);
    if (l2w_u256_cmp(&f.chain_id, &want) != 0) {
        char got[L2W_U256_DEC_LEN];
        l2w_u256_to_dec(got, &f.chain_id);
        *code = "unknown_channel";
        st = l2w_jpath_invalid(err, "fixedPart.chainId: %s is not the watched chain's id %llu", got,
                               (unsigned long long)ctx->chain_id);
    }
    l2w_nitro_verdict verdict;
    if (st == L2W_OK) {
        st = l2w_nitro_verify(&verdict, &f, &s, sigs, n_sigs, err);
        if (st == L2W_ERR_INVALID)
            *code = nitro_fault_code(&verdict, &f);
    }
    l2w_hash id;
    if (st == L2W_OK)
        st = l2w_nitro_channel_id(&id, &f, err);
    if (st == L2W_OK)
        st = l2w_nitro_state_hash(&out->state_hash, &f, &s, err);
    json_t *doc = NULL;
    if (st == L2W_OK)
        st = l2w_nitro_to_json(&doc, &f, &s, sigs, n_sigs, err);
    if (st == L2W_OK && json_object_set_new(doc, "protocol", json_string("nitro")) != 0)
        st = L2W_ERR_NOMEM;
    if (st == L2W_OK) {
        out->doc = doc;
        doc = NULL;
        out->protocol = L2W_CHANNEL_NITRO;
        memcpy(out->channel, id.b, 32);
        out->channel_len = 32;
        out->version = l2w_u256_from_u64(s.turn_num);
    }
    json_decref(doc);
    l2w_nitro_fixed_free(&f);
    l2w_nitro_state_free(&s);
    return st;
}

l2w_status l2w_channel_intake_check(l2w_channel_submission *out, const char **code, const l2w_channel_intake_ctx *ctx,
                                    const json_t *item, l2w_err *err)
{
    memset(out, 0, sizeof *out);
    *code = "malformed_json";
    if (!json_is_object(item))
        return l2w_jpath_invalid(err, "expected a submission object, got %s", l2w_jpath_kind(item));
    const char *protocol = l2w_jpath_text(json_object_get(item, "protocol"), "protocol", "\"vector\" or \"nitro\"",
                                          err);
    if (!protocol)
        return L2W_ERR_INVALID;
    l2w_status st;
    if (strcmp(protocol, "vector") == 0) {
        if (!ctx->cfg->has_vector_channel_factory) {
            *code = "unknown_channel";
            return l2w_jpath_invalid(err, "protocol: this tower watches no Vector channels");
        }
        st = check_vector(out, code, ctx, item, err);
    } else if (strcmp(protocol, "nitro") == 0) {
        if (!ctx->cfg->has_nitro_adjudicator) {
            *code = "unknown_channel";
            return l2w_jpath_invalid(err, "protocol: this tower watches no Nitro channels");
        }
        st = check_nitro(out, code, ctx, item, err);
    } else {
        return l2w_jpath_invalid(err, "protocol: expected \"vector\" or \"nitro\"");
    }
    if (st != L2W_OK)
        l2w_channel_submission_clear(out);
    return st;
}

void l2w_channel_receipt_hash(l2w_hash *out, uint64_t chain_id, const l2w_channel_submission *s)
{
    static const char domain[] = "l2watch channel state receipt v1";
    uint8_t buf[6 * 32] = {0};
    l2w_keccak256(buf, (const uint8_t *)domain, sizeof domain - 1);
    l2w_u256 id = l2w_u256_from_u64(chain_id);
    l2w_u256_to_be32(buf + 32, &id);
    buf[95] = (uint8_t)s->protocol;
    memcpy(buf + 96 + (32 - s->channel_len), s->channel, s->channel_len);
    l2w_u256_to_be32(buf + 128, &s->version);
    memcpy(buf + 160, s->state_hash.b, 32);
    l2w_keccak256(out->b, buf, sizeof buf);
}

void l2w_channel_receipt_digest(l2w_hash *out, const l2w_hash *receipt_hash)
{
    l2w_eip191_digest(out, receipt_hash->b, sizeof receipt_hash->b);
}
