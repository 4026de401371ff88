#include "collector/bridge_reads.h"

#include <stdlib.h>
#include <string.h>

#include "collector/eth_tx.h"
#include "core/keccak.h"
#include "detectors/state_root.h"

l2w_status l2w_read_escrow_balance(l2w_rpc *rpc, const l2w_bridge_token *token, const l2w_hash *block_hash,
                                   l2w_u256 *out, l2w_err *err)
{
    if (token->native)
        return l2w_eth_balance_at(rpc, &token->escrow, "latest", block_hash, out, err);
    uint8_t arg[32] = {0}, word[32];
    memcpy(arg + 12, token->escrow.b, 20);
    l2w_status st = l2w_eth_call_words(rpc, &token->address, "balanceOf(address)", arg, "latest", block_hash, 1, word, err);
    if (st == L2W_OK)
        l2w_u256_from_be32(out, word);
    return st;
}

l2w_status l2w_read_total_supply(l2w_rpc *rpc, const l2w_addr *token, uint64_t block_number, l2w_u256 *out,
                                 l2w_err *err)
{
    char tag[24];
    snprintf(tag, sizeof tag, "0x%llx", (unsigned long long)block_number);
    uint8_t word[32];
    l2w_status st = l2w_eth_call_words(rpc, token, "totalSupply()", NULL, tag, NULL, 1, word, err);
    if (st == L2W_OK)
        l2w_u256_from_be32(out, word);
    return st;
}

l2w_status l2w_read_paused(l2w_rpc *rpc, const l2w_addr *contract, const char *block_tag, bool *paused,
                           l2w_err *err)
{
    uint8_t word[32];
    l2w_status st = l2w_eth_call_words(rpc, contract, "paused()", NULL, block_tag, NULL, 1, word, err);
    if (st != L2W_OK)
        return st;
    for (int i = 0; i < 31; i++)
        if (word[i]) {
            l2w_err_set(err, "paused(): not a bool");
            return L2W_ERR_PROTOCOL;
        }
    if (word[31] > 1) {
        l2w_err_set(err, "paused(): not a bool");
        return L2W_ERR_PROTOCOL;
    }
    *paused = word[31] == 1;
    return L2W_OK;
}

l2w_status l2w_read_proven_withdrawal(l2w_rpc *rpc, const l2w_addr *portal, const l2w_hash *hash,
                                      const l2w_hash *block_hash, l2w_hash *output_root, l2w_u256 *output_index,
                                      l2w_err *err)
{
    /* (bytes32 outputRoot, uint128 timestamp, uint128 l2OutputIndex) */
    uint8_t w[96];
    l2w_status st = l2w_eth_call_words(rpc, portal, "provenWithdrawals(bytes32)", hash->b, "latest", block_hash, 3, w, err);
    if (st != L2W_OK)
        return st;
    l2w_u256 ts;
    l2w_u256_from_be32(&ts, w + 32);
    if (l2w_u256_is_zero(&ts)) {
        l2w_err_set(err, "provenWithdrawals: not proven at that block");
        return L2W_ERR_NOT_FOUND;
    }
    memcpy(output_root->b, w, 32);
    l2w_u256_from_be32(output_index, w + 64);
    return L2W_OK;
}

l2w_status l2w_read_l2_output(l2w_rpc *rpc, const l2w_addr *oracle, const l2w_u256 *index, const l2w_hash *block_hash,
                              l2w_hash *output_root, l2w_u256 *l2_block_number, l2w_err *err)
{
    /* OutputProposal (bytes32 outputRoot, uint128 timestamp, uint128 l2BlockNumber) */
    uint8_t arg[32], w[96];
    l2w_u256_to_be32(arg, index);
    l2w_status st = l2w_eth_call_words(rpc, oracle, "getL2Output(uint256)", arg, "latest", block_hash, 3, w, err);
    if (st != L2W_OK)
        return st;
    memcpy(output_root->b, w, 32);
    l2w_u256_from_be32(l2_block_number, w + 64);
    return L2W_OK;
}

void l2w_message_passer_slot(l2w_hash *out, const l2w_hash *withdrawal_hash)
{
    uint8_t buf[64] = {0};
    memcpy(buf, withdrawal_hash->b, 32);
    l2w_keccak256(out->b, buf, sizeof buf);
}

l2w_status l2w_read_message_sent(l2w_rpc *rpc, const l2w_hash *withdrawal_hash, const l2w_block_header *header,
                                 bool *sent, l2w_err *err)
{
    l2w_hash slot;
    l2w_message_passer_slot(&slot, withdrawal_hash);
    l2w_mpt_account account;
    l2w_u256 value;
    l2w_status st = l2w_eth_get_proof(rpc, &l2w_message_passer_address, &slot, 1, header, &account, &value, err);
    if (st == L2W_OK)
        *sent = !l2w_u256_is_zero(&value);
    return st;
}
