#include "detectors/da_commitment.h"

#include <string.h>

#include "core/hex.h"
#include "core/keccak.h"
#include "core/sha256.h"

static void set_malformed(l2w_da_calldata *out, const char *why)
{
    out->kind = L2W_DA_KIND_MALFORMED;
    out->why = why;
}

void l2w_da_decode_calldata(l2w_da_calldata *out, const uint8_t *calldata, size_t len)
{
    memset(out, 0, sizeof *out);
    if (len == 0) {
        set_malformed(out, "empty calldata");
        return;
    }
    out->version = calldata[0];
    if (calldata[0] == L2W_DA_DERIVATION_FRAMES) {
        out->kind = L2W_DA_KIND_FRAMES;
        return;
    }
    if (calldata[0] != L2W_DA_DERIVATION_ALT_DA) {
        out->kind = L2W_DA_KIND_UNKNOWN_VERSION;
        out->why = "unknown derivation version byte";
        return;
    }
    const uint8_t *enc = calldata + 1;
    size_t enc_len = len - 1;
    if (enc_len == 0) {
        set_malformed(out, "Alt-DA version byte with no commitment");
        return;
    }
    switch (enc[0]) {
    case L2W_DA_COMMITMENT_KECCAK:
        if (enc_len != L2W_DA_KECCAK_COMMITMENT_LEN) {
            set_malformed(out, "keccak commitment is not 32 bytes");
            return;
        }
        out->kind = L2W_DA_KIND_KECCAK;
        memcpy(out->keccak.b, enc + 1, sizeof out->keccak.b);
        break;
    case L2W_DA_COMMITMENT_GENERIC:
        /* op-node accepts any non-empty payload; the first byte names the DA layer. */
        if (enc_len < 2) {
            set_malformed(out, "generic commitment with no DA layer byte");
            return;
        }
        out->kind = L2W_DA_KIND_GENERIC;
        out->da_layer = enc[1];
        break;
    default:
        set_malformed(out, "unknown commitment type");
        return;
    }
    out->encoded = enc;
    out->encoded_len = enc_len;
}

const char *l2w_da_kind_name(l2w_da_kind kind)
{
    switch (kind) {
    case L2W_DA_KIND_FRAMES:
        return "frames";
    case L2W_DA_KIND_KECCAK:
        return "keccak";
    case L2W_DA_KIND_GENERIC:
        return "generic";
    case L2W_DA_KIND_UNKNOWN_VERSION:
        return "unknown_version";
    case L2W_DA_KIND_MALFORMED:
        return "malformed";
    }
    return "?";
}

bool l2w_da_keccak_matches(const uint8_t commitment33[L2W_DA_KECCAK_COMMITMENT_LEN], const uint8_t *data,
                           size_t len)
{
    if (commitment33[0] != L2W_DA_COMMITMENT_KECCAK)
        return false;
    uint8_t h[32];
    l2w_keccak256(h, data, len);
    return memcmp(h, commitment33 + 1, sizeof h) == 0;
}

l2w_status l2w_da_get_path(char *out, size_t out_cap, const uint8_t *encoded, size_t encoded_len)
{
    /* The size computation cannot wrap for any buffer that exists. */
    if (encoded_len > (SIZE_MAX - 8) / 2 || out_cap < l2w_da_get_path_size(encoded_len)) {
        if (out_cap > 0)
            out[0] = '\0';
        return L2W_ERR_RANGE;
    }
    memcpy(out, "/get/", 5);
    l2w_hex_encode(out + 5, encoded, encoded_len); /* writes "0x..." and the NUL */
    return L2W_OK;
}

void l2w_da_blob_versioned_hash(l2w_hash *out, const uint8_t commitment[L2W_KZG_COMMITMENT_LEN])
{
    l2w_sha256(out->b, commitment, L2W_KZG_COMMITMENT_LEN);
    out->b[0] = L2W_BLOB_VERSIONED_HASH_VERSION_KZG;
}
