#include "detectors/data_withheld.h"

#include <stdio.h>
#include <string.h>

#include "core/hex.h"

/* Longest commitment written into subjects and evidence (33 bytes today). */
#define MAX_COMMITMENT_HEX (2 * 64 + 3)

const char *l2w_withheld_reason_name(l2w_withheld_reason r)
{
    switch (r) {
    case L2W_WITHHELD_WRONG_DATA:
        return "wrong_data";
    case L2W_WITHHELD_UNRETRIEVABLE:
        return "unretrievable";
    case L2W_WITHHELD_BLOB_MISSING:
        return "blob_missing";
    case L2W_WITHHELD_BLOB_MISMATCH:
        return "blob_mismatch";
    }
    return "?";
}

static l2w_status commitment_hex(char out[MAX_COMMITMENT_HEX], const uint8_t *c, size_t len, l2w_err *err)
{
    if (len == 0 || len > 64) {
        l2w_err_set(err, "a commitment of %zu bytes", len);
        return L2W_ERR_RANGE;
    }
    l2w_hex_encode(out, c, len);
    return L2W_OK;
}

l2w_status l2w_da_subject(char *out, size_t out_len, const char *l1_chain, uint64_t l1_block,
                          const uint8_t *commitment, size_t len, l2w_err *err)
{
    char hex[MAX_COMMITMENT_HEX];
    l2w_status st = commitment_hex(hex, commitment, len, err);
    if (st != L2W_OK)
        return st;
    int n = snprintf(out, out_len, "da:%s:%llu:%s", l1_chain, (unsigned long long)l1_block, hex);
    if (n < 0 || (size_t)n >= out_len) {
        l2w_err_set(err, "da subject too long");
        return L2W_ERR_RANGE;
    }
    return L2W_OK;
}

static void anchor(l2w_finding *f, const char *l1_chain, uint64_t block, const l2w_hash *block_hash,
                   const l2w_hash *tx)
{
    f->has_block_number = true;
    f->block_number = l2w_u256_from_u64(block);
    f->has_tx_hash = true;
    f->tx_hash = *tx;
    /* The posting is the fact: a reorg that drops its block retracts the finding. */
    f->has_anchor = true;
    snprintf(f->anchor_chain, sizeof f->anchor_chain, "%s", l1_chain);
    f->anchor_block_hash = *block_hash;
}

static l2w_status add_challenge(json_t *ev, const l2w_withheld_facts *w, uint64_t *window_end, l2w_err *err)
{
    char contract[L2W_ADDR_HEX_LEN], bond[L2W_U256_DEC_LEN];
    l2w_addr_to_hex(contract, &w->challenge_contract);
    l2w_u256_to_dec(bond, &w->bond_size);
    *window_end = w->l1_block_timestamp + w->challenge_window * w->l1_block_time_s;
    if (json_object_set_new(ev, "challenge_contract", json_string(contract)) ||
        json_object_set_new(ev, "bond_size", json_string(bond)) ||
        json_object_set_new(ev, "challenge_window", json_integer((json_int_t)w->challenge_window)) ||
        json_object_set_new(ev, "challenge_deadline", json_integer((json_int_t)*window_end))) {
        l2w_err_set(err, "data_withheld: out of memory");
        return L2W_ERR_NOMEM;
    }
    return L2W_OK;
}

l2w_status l2w_data_withheld_finding(l2w_finding *f, const l2w_withheld_facts *w, l2w_err *err)
{
    memset(f, 0, sizeof *f);
    char hex[MAX_COMMITMENT_HEX], tx[L2W_HASH_HEX_LEN], block_hash[L2W_HASH_HEX_LEN];
    l2w_status st = commitment_hex(hex, w->commitment, w->commitment_len, err);
    if (st == L2W_OK)
        st = l2w_da_subject(f->subject, sizeof f->subject, w->l1_chain, w->l1_block, w->commitment,
                            w->commitment_len, err);
    if (st != L2W_OK)
        return st;
    l2w_hash_to_hex(tx, &w->tx_hash);
    l2w_hash_to_hex(block_hash, &w->l1_block_hash);
    int n = snprintf(f->dedup_key, sizeof f->dedup_key, "data_withheld:%s:%s:%u", w->l1_chain, tx,
                     (unsigned)w->blob_index);
    if (n < 0 || (size_t)n >= sizeof f->dedup_key) {
        l2w_err_set(err, "data_withheld: dedup key too long");
        return L2W_ERR_RANGE;
    }
    f->kind = "data_withheld";
    f->severity = L2W_SEV_HIGH;
    snprintf(f->chain, sizeof f->chain, "%s", w->chain);
    anchor(f, w->l1_chain, w->l1_block, &w->l1_block_hash, &w->tx_hash);
    f->evidence = json_pack("{s:s, s:s, s:I, s:s, s:I, s:s, s:s, s:s, s:I, s:s, s:s, s:I, s:I}", "chain", w->chain,
                            "l1_chain", w->l1_chain, "l1_block", (json_int_t)w->l1_block, "l1_block_hash",
                            block_hash, "l1_block_timestamp", (json_int_t)w->l1_block_timestamp, "tx_hash", tx,
                            "commitment", hex, "commitment_kind", w->blob ? "blob" : "keccak", "blob_index",
                            (json_int_t)w->blob_index, "reason", l2w_withheld_reason_name(w->reason), "detail",
                            w->detail ? w->detail : "", "attempts", (json_int_t)w->attempts, "deadline",
                            (json_int_t)w->deadline);
    if (!f->evidence) {
        l2w_err_set(err, "data_withheld: out of memory");
        return L2W_ERR_NOMEM;
    }
    uint64_t window_end = 0;
    if (w->challengeable && (st = add_challenge(f->evidence, w, &window_end, err)) != L2W_OK) {
        l2w_finding_clear(f);
        return st;
    }
    const char *what = w->blob ? "blob" : "Alt-DA commitment";
    switch (w->reason) {
    case L2W_WITHHELD_WRONG_DATA:
        l2w_finding_text(f->title, sizeof f->title, "%s: a DA server serves the wrong data for a batch", w->chain);
        break;
    case L2W_WITHHELD_UNRETRIEVABLE:
        l2w_finding_text(f->title, sizeof f->title, "%s: a batch's data cannot be fetched", w->chain);
        break;
    case L2W_WITHHELD_BLOB_MISSING:
    case L2W_WITHHELD_BLOB_MISMATCH:
        l2w_finding_text(f->title, sizeof f->title, "%s: a batch's blob is not available", w->chain);
        break;
    }
    if (w->challengeable)
        l2w_finding_text(f->summary, sizeof f->summary,
                         "The batcher of %s posted %s %s in %s block %llu (tx %s); after %u round(s) no source "
                         "served data matching it (%s: %s). It can be challenged on DataAvailabilityChallenge until "
                         "about unix %llu (block %llu).",
                         w->chain, what, hex, w->l1_chain, (unsigned long long)w->l1_block, tx, (unsigned)w->attempts,
                         l2w_withheld_reason_name(w->reason), w->detail ? w->detail : "",
                         (unsigned long long)window_end, (unsigned long long)(w->l1_block + w->challenge_window));
    else
        l2w_finding_text(f->summary, sizeof f->summary,
                         "The batcher of %s posted %s %s in %s block %llu (tx %s); after %u round(s) no source "
                         "served data matching it (%s: %s).",
                         w->chain, what, hex, w->l1_chain, (unsigned long long)w->l1_block, tx, (unsigned)w->attempts,
                         l2w_withheld_reason_name(w->reason), w->detail ? w->detail : "");
    return L2W_OK;
}

l2w_status l2w_da_challenged_finding(l2w_finding *f, const char *chain, const char *l1_chain,
                                     uint64_t challenged_block, const uint8_t *commitment, size_t len,
                                     uint64_t event_block, const l2w_hash *event_block_hash, const l2w_hash *event_tx,
                                     uint64_t resolve_window, l2w_err *err)
{
    memset(f, 0, sizeof *f);
    char hex[MAX_COMMITMENT_HEX], tx[L2W_HASH_HEX_LEN];
    l2w_status st = commitment_hex(hex, commitment, len, err);
    if (st == L2W_OK)
        st = l2w_da_subject(f->subject, sizeof f->subject, l1_chain, challenged_block, commitment, len, err);
    if (st != L2W_OK)
        return st;
    l2w_hash_to_hex(tx, event_tx);
    int n = snprintf(f->dedup_key, sizeof f->dedup_key, "da_challenged:%s:%s", l1_chain, tx);
    if (n < 0 || (size_t)n >= sizeof f->dedup_key) {
        l2w_err_set(err, "da_challenged: dedup key too long");
        return L2W_ERR_RANGE;
    }
    f->kind = "da_challenged";
    f->severity = L2W_SEV_MEDIUM;
    snprintf(f->chain, sizeof f->chain, "%s", chain);
    anchor(f, l1_chain, event_block, event_block_hash, event_tx);
    f->evidence = json_pack("{s:s, s:s, s:I, s:s, s:I, s:s, s:I, s:I}", "chain", chain, "l1_chain", l1_chain,
                            "challenged_block", (json_int_t)challenged_block, "commitment", hex, "challenge_block",
                            (json_int_t)event_block, "challenge_tx", tx, "resolve_window", (json_int_t)resolve_window,
                            "resolve_by_block", (json_int_t)(event_block + resolve_window));
    if (!f->evidence) {
        l2w_err_set(err, "da_challenged: out of memory");
        return L2W_ERR_NOMEM;
    }
    l2w_finding_text(f->title, sizeof f->title, "%s: a batch commitment was challenged on %s", chain, l1_chain);
    l2w_finding_text(f->summary, sizeof f->summary,
                     "Commitment %s posted in %s block %llu was challenged in block %llu (tx %s). The batcher must "
                     "publish its data with resolve() by block %llu, or op-node drops the batch and %s reorgs past "
                     "it.",
                     hex, l1_chain, (unsigned long long)challenged_block, (unsigned long long)event_block, tx,
                     (unsigned long long)(event_block + resolve_window), chain);
    return L2W_OK;
}
