#include "detectors/committee_signatures.h"

#include <stdio.h>
#include <string.h>

#include "core/hex.h"
#include "core/json.h"
#include "core/keccak.h"
#include "core/secp.h"

/* The contract's _SIGNATURE_SIZE and _ADDR_SIZE. */
#define SIG_SIZE 65
#define ADDR_SIZE 20

const char *l2w_committee_result_name(l2w_committee_result r)
{
    switch (r) {
    case L2W_COMMITTEE_OK: return "ok";
    case L2W_COMMITTEE_BELOW_THRESHOLD: return "below_threshold";
    case L2W_COMMITTEE_UNKNOWN_SIGNER: return "unknown_signer";
    case L2W_COMMITTEE_OUT_OF_ORDER: return "out_of_order";
    case L2W_COMMITTEE_BAD_SIGNATURE: return "bad_signature";
    case L2W_COMMITTEE_MALFORMED: return "malformed";
    case L2W_COMMITTEE_MEMBERS_MISMATCH: return "members_mismatch";
    }
    return "unknown";
}

void l2w_committee_hash(l2w_hash *out, const l2w_addr *members, size_t n_members)
{
    l2w_keccak_ctx k;
    l2w_keccak_init(&k);
    for (size_t i = 0; i < n_members; i++)
        l2w_keccak_update(&k, members[i].b, sizeof members[i].b);
    l2w_keccak_final(&k, out->b);
}

l2w_status l2w_committee_check(const l2w_committee *c, l2w_err *err)
{
    if (!c->members || c->n_members == 0 || c->n_members > L2W_COMMITTEE_MAX_MEMBERS) {
        l2w_err_set(err, "committee: %zu members, expected 1..%d", c->n_members, L2W_COMMITTEE_MAX_MEMBERS);
        return L2W_ERR_INVALID;
    }
    if (c->threshold == 0 || c->threshold > c->n_members) {
        l2w_err_set(err, "committee: threshold %zu is not within 1..%zu (the member count)", c->threshold,
                    c->n_members);
        return L2W_ERR_INVALID;
    }
    /* setupCommittee refuses anything but strictly increasing addresses
     * above zero, so a list out of that order is a list the contract does
     * not hold. */
    static const l2w_addr zero;
    for (size_t i = 0; i < c->n_members; i++) {
        const l2w_addr *prev = i ? &c->members[i - 1] : &zero;
        if (memcmp(prev->b, c->members[i].b, ADDR_SIZE) < 0)
            continue;
        char a[L2W_ADDR_HEX_LEN], b[L2W_ADDR_HEX_LEN];
        l2w_addr_to_hex(a, &c->members[i]);
        l2w_addr_to_hex(b, prev);
        if (i == 0)
            l2w_err_set(err, "committee: member 0 is the zero address");
        else
            l2w_err_set(err, "committee: member %zu (%s) is not above member %zu (%s); the contract keeps "
                        "members in increasing address order", i, a, i - 1, b);
        return L2W_ERR_INVALID;
    }
    if (c->committee_hash) {
        l2w_hash h;
        l2w_committee_hash(&h, c->members, c->n_members);
        if (!l2w_hash_eq(&h, c->committee_hash)) {
            char want[L2W_HASH_HEX_LEN], got[L2W_HASH_HEX_LEN];
            l2w_hash_to_hex(want, c->committee_hash);
            l2w_hash_to_hex(got, &h);
            l2w_err_set(err, "committee: committeeHash %s is not the hash of the %zu configured members (%s)", want,
                        c->n_members, got);
            return L2W_ERR_INVALID;
        }
    }
    return L2W_OK;
}

static bool zero32(const uint8_t b[32])
{
    uint8_t acc = 0;
    for (int i = 0; i < 32; i++)
        acc |= b[i];
    return acc == 0;
}

/* What OpenZeppelin's ECDSA.recover(digest, sig) returns: *good and the
 * signer, or !*good with why it reverts. It refuses a high s itself and
 * every other bad signature through ecrecover's zero answer, so the exact
 * test that fails only changes the message. Fails only when the secp256k1
 * context cannot be made. */
static l2w_status ecdsa_recover(bool *good, l2w_addr *out, l2w_err *why, const uint8_t digest[32],
                                const uint8_t sig[SIG_SIZE], l2w_err *err)
{
    const uint8_t *r = sig, *s = sig + 32;
    uint8_t v = sig[64];
    *good = false;
    if (v != 27 && v != 28) {
        l2w_err_set(why, "v is %u, expected 27 or 28", v);
        return L2W_OK;
    }
    if (zero32(r) || memcmp(r, l2w_secp_order, 32) >= 0) {
        l2w_err_set(why, "r is zero or not below the curve order");
        return L2W_OK;
    }
    if (zero32(s)) {
        l2w_err_set(why, "s is zero");
        return L2W_OK;
    }
    if (memcmp(s, l2w_secp_half_order, 32) > 0) {
        l2w_err_set(why, "s is above n/2 (the malleable twin that ECDSA.recover refuses)");
        return L2W_OK;
    }
    l2w_signature parsed;
    memcpy(parsed.r, r, 32);
    memcpy(parsed.s, s, 32);
    parsed.recid = v - 27;
    l2w_err inner = {{0}};
    l2w_status st = l2w_secp_recover(out, digest, &parsed, &inner);
    /* With v, r and s in range, a refusal means r is no point's x: ecrecover
     * answers zero. Anything else is the context failing, not the input. */
    if (st == L2W_ERR_INVALID) {
        l2w_err_set(why, "no key recovers from it (%s)", inner.msg);
        return L2W_OK;
    }
    if (st != L2W_OK) {
        l2w_err_set(err, "committee: %s", inner.msg);
        return st;
    }
    static const l2w_addr zero;
    if (l2w_addr_eq(out, &zero)) {
        l2w_err_set(why, "it recovers the zero address");
        return L2W_OK;
    }
    *good = true;
    return L2W_OK;
}

/* Members are in increasing order (l2w_committee_check), so a binary search. */
static bool member_index(size_t *out, const l2w_committee *c, const l2w_addr *a)
{
    size_t lo = 0, hi = c->n_members;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = memcmp(c->members[mid].b, a->b, ADDR_SIZE);
        if (cmp == 0) {
            *out = mid;
            return true;
        }
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/* Records r as the verdict when no earlier breach is; the caller fills in
 * the details only when this returns true. */
static bool first_fault(l2w_committee_verdict *v, l2w_committee_result r)
{
    if (v->result != L2W_COMMITTEE_OK)
        return false;
    v->result = r;
    return true;
}

static void check_addresses(l2w_committee_verdict *out, const l2w_committee *c, const uint8_t *addrs)
{
    size_t j = 0;
    while (j < c->n_members && memcmp(addrs + j * ADDR_SIZE, c->members[j].b, ADDR_SIZE) == 0)
        j++;
    if (j == c->n_members)
        return;
    /* The contract compares keccak256 of this part with committeeHash; the
     * configured hash is the hash of the configured members
     * (l2w_committee_check), so comparing the addresses themselves is the
     * same test and can say which one differs. */
    l2w_addr got;
    memcpy(got.b, addrs + j * ADDR_SIZE, ADDR_SIZE);
    l2w_hash part;
    l2w_keccak256_hash(&part, addrs, c->n_members * ADDR_SIZE);
    char got_hex[L2W_ADDR_HEX_LEN], want_hex[L2W_ADDR_HEX_LEN], part_hex[L2W_HASH_HEX_LEN];
    l2w_addr_to_hex(got_hex, &got);
    l2w_addr_to_hex(want_hex, &c->members[j]);
    l2w_hash_to_hex(part_hex, &part);
    if (first_fault(out, L2W_COMMITTEE_MEMBERS_MISMATCH))
        l2w_err_set(&out->why,
                    "address %zu of signaturesAndAddrs is %s but configured member %zu is %s (the address part "
                    "hashes to %s, not to the committee's hash)",
                    j, got_hex, j, want_hex, part_hex);
}

static void out_of_order(l2w_committee_verdict *out, size_t i, size_t k, size_t member, const l2w_addr *who,
                         size_t prev_member, size_t prev_sig)
{
    char hex[L2W_ADDR_HEX_LEN];
    l2w_addr_to_hex(hex, who);
    if (member == prev_member)
        l2w_err_set(&out->why, "signature %zu of %zu is member %zu (%s) again after signature %zu; the contract "
                    "counts a member once", i, k, member, hex, prev_sig);
    else
        l2w_err_set(&out->why, "signature %zu of %zu is member %zu (%s), listed before member %zu of signature "
                    "%zu; the contract takes signers in member order", i, k, member, hex, prev_member, prev_sig);
}

l2w_status l2w_committee_verify(l2w_committee_verdict *out, const l2w_committee *c, const l2w_hash *signed_hash,
                                const uint8_t *sigs_and_addrs, size_t len, l2w_err *err)
{
    memset(out, 0, sizeof *out);
    l2w_status st = l2w_committee_check(c, err);
    if (st != L2W_OK)
        return st;
    size_t m = c->n_members, addrs_len = m * ADDR_SIZE;
    /* The contract splits at 65 * requiredAmountOfSignatures, a number that
     * is on chain and not here; the members' count fixes the same split
     * from the other end, for every blob the contract can accept. */
    if (len < addrs_len || (len - addrs_len) % SIG_SIZE != 0) {
        out->result = L2W_COMMITTEE_MALFORMED;
        l2w_err_set(&out->why, "signaturesAndAddrs is %zu bytes, not 65-byte signatures followed by the %zu "
                    "members' addresses (%zu bytes)", len, m, addrs_len);
        return L2W_OK;
    }
    size_t k = (len - addrs_len) / SIG_SIZE;
    if (k > m) {
        /* setupCommittee keeps requiredAmountOfSignatures <= members; this
         * bound is also what caps the recoveries one input can cost. */
        out->result = L2W_COMMITTEE_MALFORMED;
        l2w_err_set(&out->why, "signaturesAndAddrs carries %zu signatures for a committee of %zu; the contract "
                    "never requires more signatures than members", k, m);
        return L2W_OK;
    }
    out->signatures = k;
    check_addresses(out, c, sigs_and_addrs + k * SIG_SIZE);

    bool counted[L2W_COMMITTEE_MAX_MEMBERS] = {false};
    /* The contract's lastAddrIndexUsed: the lowest member the next signer may be. */
    size_t next = 0, prev_sig = 0;
    for (size_t i = 0; i < k; i++) {
        bool good;
        l2w_addr who;
        l2w_err why = {{0}};
        st = ecdsa_recover(&good, &who, &why, signed_hash->b, sigs_and_addrs + i * SIG_SIZE, err);
        if (st != L2W_OK)
            return st;
        if (!good) {
            if (first_fault(out, L2W_COMMITTEE_BAD_SIGNATURE)) {
                out->has_index = true;
                out->index = i;
                l2w_err_set(&out->why, "signature %zu of %zu: %s", i, k, why.msg);
            }
            continue;
        }
        size_t j;
        if (!member_index(&j, c, &who)) {
            if (first_fault(out, L2W_COMMITTEE_UNKNOWN_SIGNER)) {
                char hex[L2W_ADDR_HEX_LEN];
                l2w_addr_to_hex(hex, &who);
                out->has_index = out->has_recovered = true;
                out->index = i;
                out->recovered = who;
                l2w_err_set(&out->why, "signature %zu of %zu recovers %s which is not a committee member", i, k,
                            hex);
            }
            continue;
        }
        if (j < next) {
            if (first_fault(out, L2W_COMMITTEE_OUT_OF_ORDER)) {
                out->has_index = out->has_recovered = true;
                out->index = i;
                out->recovered = who;
                out_of_order(out, i, k, j, &who, next - 1, prev_sig);
            }
        } else {
            next = j + 1;
            prev_sig = i;
        }
        /* A member signing twice is still one member that holds the data. */
        if (!counted[j]) {
            counted[j] = true;
            out->valid++;
        }
    }
    if (out->valid < c->threshold && first_fault(out, L2W_COMMITTEE_BELOW_THRESHOLD))
        l2w_err_set(&out->why, "%zu valid member signatures of the %zu carried; the configured threshold is %zu",
                    out->valid, k, c->threshold);
    return L2W_OK;
}

/* Adds key = value to obj, taking value; false (obj unchanged) on OOM. */
static bool add(json_t *obj, const char *key, json_t *value)
{
    return value && json_object_set_new(obj, key, value) == 0;
}

static json_t *evidence(const l2w_committee_batch *b, const l2w_committee *c, const l2w_hash *signed_hash,
                        const l2w_committee_verdict *v)
{
    json_t *e = json_pack("{s:o, s:s, s:s, s:I, s:I, s:I, s:I}", "signedHash", l2w_json_hash(signed_hash),
                          "verdict", l2w_committee_result_name(v->result), "detail", v->why.msg, "signatures",
                          (json_int_t)v->signatures, "valid", (json_int_t)v->valid, "threshold",
                          (json_int_t)c->threshold, "members", (json_int_t)c->n_members);
    if (!e)
        return NULL;
    bool ok = true;
    if (c->committee_hash)
        ok = ok && add(e, "committeeHash", l2w_json_hash(c->committee_hash));
    if (b->has_batch)
        ok = ok && add(e, "batch", json_integer((json_int_t)b->batch));
    if (v->has_index)
        ok = ok && add(e, "index", json_integer((json_int_t)v->index));
    if (v->has_recovered)
        ok = ok && add(e, "recovered", l2w_json_addr(&v->recovered));
    if (!ok) {
        json_decref(e);
        return NULL;
    }
    return e;
}

l2w_status l2w_committee_threshold_missed_finding(l2w_finding *f, const l2w_committee_batch *b,
                                                  const l2w_committee *c, const l2w_hash *signed_hash,
                                                  const l2w_committee_verdict *v, l2w_err *err)
{
    memset(f, 0, sizeof *f);
    if (v->result == L2W_COMMITTEE_OK) {
        l2w_err_set(err, "committee_threshold_missed: the signatures meet the threshold");
        return L2W_ERR_INVALID;
    }
    if (!b->chain || strlen(b->chain) >= sizeof f->chain ||
        (b->has_anchor && (!b->anchor_chain || strlen(b->anchor_chain) >= sizeof f->anchor_chain))) {
        l2w_err_set(err, "committee_threshold_missed: chain name missing or longer than %zu bytes",
                    sizeof f->chain - 1);
        return L2W_ERR_INVALID;
    }
    char hash[L2W_HASH_HEX_LEN], block[L2W_HASH_HEX_LEN] = "", what[40 + L2W_HASH_HEX_LEN];
    l2w_hash_to_hex(hash, signed_hash);
    if (b->has_anchor)
        l2w_hash_to_hex(block, &b->block_hash);
    /* The signed hash (accumulated over the sequence's transactionsHash
     * values, collector/validium_calldata.h) names the
     * fact; the block tells a re-sequencing after a reorg from the first. */
    int n = snprintf(f->dedup_key, sizeof f->dedup_key, "committee_threshold_missed:%s:%s%s%s", b->chain, hash,
                     b->has_anchor ? ":" : "", block);
    if (n < 0 || (size_t)n >= sizeof f->dedup_key) {
        l2w_err_set(err, "committee_threshold_missed: dedup key too long");
        return L2W_ERR_RANGE;
    }
    if (b->has_batch)
        snprintf(what, sizeof what, "batch %llu", (unsigned long long)b->batch);
    else
        snprintf(what, sizeof what, "signed hash %s", hash);
    f->kind = "committee_threshold_missed";
    f->severity = L2W_SEV_HIGH;
    snprintf(f->chain, sizeof f->chain, "%s", b->chain);
    if (b->has_batch)
        snprintf(f->subject, sizeof f->subject, "committee:%s:%llu", b->chain, (unsigned long long)b->batch);
    else
        snprintf(f->subject, sizeof f->subject, "committee:%s:%s", b->chain, hash);
    const char *verdict = l2w_committee_result_name(v->result);
    l2w_finding_text(f->title, sizeof f->title, "%s %s: committee signatures fall short (%s)", b->chain, what,
                     verdict);
    l2w_finding_text(f->summary, sizeof f->summary,
                     "The data-availability committee signatures for %s of %s (signed hash %s) show %zu valid "
                     "member signatures where the configuration trusts %zu of %zu members: %s. Unless enough "
                     "members attest that they hold the batch data, it may be retrievable from the sequencer "
                     "alone, and users could not prove their balances to leave the chain.",
                     what, b->chain, hash, v->valid, c->threshold, c->n_members, v->why.msg);
    f->evidence = evidence(b, c, signed_hash, v);
    if (!f->evidence) {
        l2w_err_set(err, "committee_threshold_missed: out of memory building evidence");
        return L2W_ERR_NOMEM;
    }
    if (b->has_anchor) {
        f->has_block_number = true;
        f->block_number = l2w_u256_from_u64(b->block_number);
        f->has_tx_hash = true;
        f->tx_hash = b->tx_hash;
        f->has_anchor = true;
        snprintf(f->anchor_chain, sizeof f->anchor_chain, "%s", b->anchor_chain);
        f->anchor_block_hash = b->block_hash;
    }
    return L2W_OK;
}
