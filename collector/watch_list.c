#include "collector/watch_list.h"

#include <string.h>

#include "collector/op_outputs.h"
#include "core/channel_nitro.h"
#include "core/channel_vector.h"
#include "core/keccak.h"

/* Event signatures of the OP Stack contracts, as in contracts-bedrock 0.17.3. */
#define WITHDRAWAL_PROVEN "WithdrawalProven(bytes32,address,address)"
#define WITHDRAWAL_FINALIZED "WithdrawalFinalized(bytes32,bool)"
#define TRANSACTION_DEPOSITED "TransactionDeposited(address,address,uint256,bytes)"
#define ERC20_BRIDGE_FINALIZED "ERC20BridgeFinalized(address,address,address,address,uint256,bytes)"
#define ETH_BRIDGE_FINALIZED "ETHBridgeFinalized(address,address,uint256,bytes)"
#define ERC20_BRIDGE_INITIATED "ERC20BridgeInitiated(address,address,address,address,uint256,bytes)"
/* PolygonRollupBaseEtrog: numBatch is the last batch of the sequence. */
#define SEQUENCE_BATCHES "SequenceBatches(uint64,bytes32)"

void l2w_event_topic(l2w_hash *out, const char *canonical)
{
    l2w_keccak256(out->b, (const uint8_t *)canonical, strlen(canonical));
}

static void add(l2w_watch *out, size_t *n, l2w_watch_kind kind, const l2w_addr *address, const char *canonical,
                const l2w_hash *topic0, const char *l2_chain, const l2w_bridge_config *bridge)
{
    if (*n >= L2W_MAX_WATCHES)
        return; /* cannot happen: the config's limits bound the list */
    l2w_watch *w = &out[(*n)++];
    memset(w, 0, sizeof *w);
    w->kind = kind;
    w->address = *address;
    if (topic0)
        w->topic0 = *topic0;
    else
        l2w_event_topic(&w->topic0, canonical);
    w->l2_chain = l2_chain;
    w->bridge = bridge;
}

static void add_op_stack_bridge(const l2w_config *cfg, const l2w_bridge_config *b, l2w_watch *out, size_t *n)
{
    const l2w_chain_config *l2 = l2w_config_chain(cfg, b->remote_chain);
    if (!l2)
        return;
    if (l2->has_optimism_portal) {
        add(out, n, L2W_WATCH_PORTAL_PROVEN, &l2->optimism_portal, WITHDRAWAL_PROVEN, NULL, NULL, b);
        add(out, n, L2W_WATCH_PORTAL_FINALIZED, &l2->optimism_portal, WITHDRAWAL_FINALIZED, NULL, NULL, b);
        add(out, n, L2W_WATCH_PORTAL_DEPOSIT, &l2->optimism_portal, TRANSACTION_DEPOSITED, NULL, NULL, b);
    }
    if (l2->has_l1_standard_bridge) {
        add(out, n, L2W_WATCH_ERC20_FINALIZED, &l2->l1_standard_bridge, ERC20_BRIDGE_FINALIZED, NULL, NULL, b);
        add(out, n, L2W_WATCH_ETH_FINALIZED, &l2->l1_standard_bridge, ETH_BRIDGE_FINALIZED, NULL, NULL, b);
        add(out, n, L2W_WATCH_ERC20_INITIATED, &l2->l1_standard_bridge, ERC20_BRIDGE_INITIATED, NULL, NULL, b);
    }
}

size_t l2w_watches_for_chain(const l2w_config *cfg, const char *chain, l2w_watch *out)
{
    size_t n = 0;
    for (size_t i = 0; i < cfg->n_chains; i++) {
        const l2w_chain_config *ch = &cfg->chains[i];
        if (ch->role == L2W_CHAIN_L2 && ch->l1 && strcmp(ch->l1, chain) == 0 && ch->has_l2_output_oracle)
            add(out, &n, L2W_WATCH_OUTPUT_PROPOSED, &ch->l2_output_oracle, NULL, l2w_output_proposed_topic(),
                ch->name, NULL);
    }
    for (size_t i = 0; i < cfg->n_bridges; i++) {
        const l2w_bridge_config *b = &cfg->bridges[i];
        switch (b->kind) {
        case L2W_BRIDGE_OP_STACK:
            if (strcmp(b->chain, chain) == 0)
                add_op_stack_bridge(cfg, b, out, &n);
            break;
        case L2W_BRIDGE_LOCK_RELEASE:
            if (strcmp(b->chain, chain) == 0 && b->has_escrow)
                add(out, &n, L2W_WATCH_RELEASE, &b->escrow, NULL, &b->release.topic0, NULL, b);
            if (strcmp(b->remote_chain, chain) == 0 && b->has_source_contract)
                add(out, &n, L2W_WATCH_INITIATION, &b->source_contract, NULL, &b->initiation.topic0, NULL, b);
            break;
        }
    }
    const l2w_channels_config *cc = &cfg->channels;
    if (cc->enabled && strcmp(cc->chain, chain) == 0) {
        l2w_hash topic;
        if (cc->has_vector_channel_factory) {
            l2w_vector_channel_disputed_topic(&topic);
            l2w_addr none = {{0}};
            add(out, &n, L2W_WATCH_VECTOR_DISPUTED, &none, NULL, &topic, NULL, NULL);
            out[n - 1].any_address = true;
        }
        if (cc->has_nitro_adjudicator) {
            l2w_nitro_challenge_registered_topic(&topic);
            add(out, &n, L2W_WATCH_NITRO_CHALLENGE, &cc->nitro_adjudicator, NULL, &topic, NULL, NULL);
        }
    }
    for (size_t i = 0; i < cfg->n_committees; i++) {
        const l2w_committee_config *m = &cfg->committees[i];
        if (strcmp(m->l1, chain) == 0) {
            add(out, &n, L2W_WATCH_VALIDIUM_SEQUENCED, &m->rollup, SEQUENCE_BATCHES, NULL, m->chain, NULL);
            out[n - 1].committee = m;
        }
    }
    return n;
}

const l2w_watch *l2w_watch_find(const l2w_watch *w, size_t n, const l2w_addr *address, const l2w_hash *topic0)
{
    for (size_t i = 0; i < n; i++)
        if ((w[i].any_address || l2w_addr_eq(&w[i].address, address)) && l2w_hash_eq(&w[i].topic0, topic0))
            return &w[i];
    return NULL;
}
