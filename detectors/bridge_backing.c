#include "detectors/bridge_backing.h"

#include <stdio.h>
#include <string.h>

#include "core/hex.h"
#include "core/json.h"

void l2w_backing_judge(l2w_backing_verdict *out, const l2w_backing_reading *r)
{
    l2w_backing_verdict v;
    memset(&v, 0, sizeof v);
    /* The lower of the two supply reads: a deposit minted between them
     * raises only the later one, a withdrawal burnt between them lowers
     * only the later one; neither raises the lower read above the escrow. */
    v.supply = l2w_u256_cmp(&r->supply_before, &r->supply_after) <= 0 ? r->supply_before : r->supply_after;
    /* The subtraction fails exactly when the escrow holds more than the
     * supply, leaving the excess at 0; equal is fully backed. */
    v.exceeds = l2w_u256_sub(&v.excess, &v.supply, &r->escrow) == L2W_OK && !l2w_u256_is_zero(&v.excess);
    *out = v;
}

static json_t *backing_json(const l2w_backing_reading *r, const l2w_backing_verdict *v)
{
    char before[L2W_U256_DEC_LEN], after[L2W_U256_DEC_LEN], escrow[L2W_U256_DEC_LEN];
    char supply[L2W_U256_DEC_LEN], excess[L2W_U256_DEC_LEN];
    l2w_u256_to_dec(before, &r->supply_before);
    l2w_u256_to_dec(after, &r->supply_after);
    l2w_u256_to_dec(escrow, &r->escrow);
    l2w_u256_to_dec(supply, &v->supply);
    l2w_u256_to_dec(excess, &v->excess);
    return json_pack("{s:s, s:I, s:s, s:I, s:o, s:s, s:I, s:s, s:s}", "supply_before", before,
                     "remote_block_before", (json_int_t)r->remote_block_before, "escrow_balance", escrow,
                     "escrow_block_number", (json_int_t)r->escrow_block, "escrow_block_hash",
                     l2w_json_hash(&r->escrow_block_hash), "supply_after", after, "remote_block_after",
                     (json_int_t)r->remote_block_after, "supply", supply, "excess", excess);
}

l2w_status l2w_backing_finding(l2w_finding *out, const l2w_bridge_subject *s, const l2w_backing_reading *r,
                               const l2w_backing_verdict *v, l2w_err *err)
{
    memset(out, 0, sizeof *out);
    if (!v->exceeds) {
        l2w_err_set(err, "supply_exceeds_escrow: bridge %s: the supply is backed at block %llu", s->bridge,
                    (unsigned long long)r->escrow_block);
        return L2W_ERR_INVALID;
    }
    char token[L2W_ADDR_HEX_LEN], escrow[L2W_ADDR_HEX_LEN], block_hash[L2W_HASH_HEX_LEN];
    l2w_bridge_token_label(token, s);
    l2w_addr_to_hex(escrow, &s->escrow);
    l2w_hash_to_hex(block_hash, &r->escrow_block_hash);
    l2w_status st = l2w_bridge_subject_key(out->subject, sizeof out->subject, s, err);
    if (st != L2W_OK)
        return st;
    /* Named by the escrow read it stands on: the same reading after a
     * restart is the same row, a reorg of that block retracts it. */
    int n = snprintf(out->dedup_key, sizeof out->dedup_key, "supply_exceeds_escrow:%s:%s:%s", s->bridge, token,
                     block_hash);
    if (n < 0 || (size_t)n >= sizeof out->dedup_key) {
        l2w_err_set(err, "supply_exceeds_escrow: bridge %s: dedup key too long", s->bridge);
        return L2W_ERR_RANGE;
    }
    out->kind = "supply_exceeds_escrow";
    out->severity = L2W_SEV_CRITICAL;
    snprintf(out->chain, sizeof out->chain, "%s", s->chain);

    char units[L2W_U256_UNITS_LEN], excess[L2W_BRIDGE_AMOUNT_LEN], before[L2W_BRIDGE_AMOUNT_LEN];
    char after[L2W_BRIDGE_AMOUNT_LEN], held[L2W_BRIDGE_AMOUNT_LEN];
    l2w_u256_to_units(units, &v->excess, s->decimals);
    l2w_bridge_amount(excess, s, &v->excess);
    l2w_bridge_amount(before, s, &r->supply_before);
    l2w_bridge_amount(after, s, &r->supply_after);
    l2w_bridge_amount(held, s, &r->escrow);
    l2w_finding_text(out->title, sizeof out->title, "Bridge %s: %s supply on %s exceeds the escrow on %s by %s %s", s->bridge,
             s->symbol, s->remote_chain, s->chain, units, s->symbol);
    l2w_finding_text(out->summary, sizeof out->summary,
             "The bridged %s supply on %s was %s at block %llu and %s at block %llu. Between those reads, the "
             "escrow %s of bridge %s on %s held %s at block %llu. Even the lower supply exceeds the escrow by %s: "
             "tokens exist on %s that nothing backs (an unbacked mint, or a release without its burn). Pause the "
             "bridge and find the mint or release.",
             s->symbol, s->remote_chain, before, (unsigned long long)r->remote_block_before, after,
             (unsigned long long)r->remote_block_after, escrow, s->bridge, s->chain, held,
             (unsigned long long)r->escrow_block, excess, s->remote_chain);
    out->evidence = l2w_bridge_evidence(s, backing_json(r, v));
    if (!out->evidence) {
        l2w_err_set(err, "supply_exceeds_escrow: out of memory building evidence");
        return L2W_ERR_NOMEM;
    }
    out->has_block_number = true;
    out->block_number = l2w_u256_from_u64(r->escrow_block);
    out->has_anchor = true;
    snprintf(out->anchor_chain, sizeof out->anchor_chain, "%s", s->chain);
    out->anchor_block_hash = r->escrow_block_hash;
    return L2W_OK;
}
