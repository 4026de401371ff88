#ifndef L2W_COLLECTOR_WATCH_LIST_H
#define L2W_COLLECTOR_WATCH_LIST_H

#include <stddef.h>

#include "core/config.h"
#include "core/eth_types.h"

/* The contract events a chain's follower collects, from the config: the
 * L2OutputOracles of the L2s settling on it, the events of the bridges
 * with an escrow or a source contract on it, the channel contracts' disputes
 * and the validium rollup contracts' sequences. The follower asks eth_getLogs
 * for every watched address and topic0 at once and keeps each log only if
 * its (address, topic0) pair is watched. */

typedef enum {
    L2W_WATCH_OUTPUT_PROPOSED = 0,     /* L2OutputOracle.OutputProposed */
    L2W_WATCH_PORTAL_PROVEN = 1,       /* OptimismPortal.WithdrawalProven */
    L2W_WATCH_PORTAL_FINALIZED = 2,    /* OptimismPortal.WithdrawalFinalized */
    L2W_WATCH_PORTAL_DEPOSIT = 3,      /* OptimismPortal.TransactionDeposited */
    L2W_WATCH_ERC20_FINALIZED = 4,     /* L1StandardBridge.ERC20BridgeFinalized */
    L2W_WATCH_ETH_FINALIZED = 5,       /* L1StandardBridge.ETHBridgeFinalized */
    L2W_WATCH_ERC20_INITIATED = 6,     /* L1StandardBridge.ERC20BridgeInitiated */
    L2W_WATCH_RELEASE = 7,             /* a lock/release bridge's configured release event */
    L2W_WATCH_INITIATION = 8,          /* a lock/release bridge's configured initiation event */
    L2W_WATCH_VECTOR_DISPUTED = 9,     /* Vector ChannelDisputed, from any channel (any address) */
    L2W_WATCH_NITRO_CHALLENGE = 10,    /* NitroAdjudicator.ChallengeRegistered */
    L2W_WATCH_VALIDIUM_SEQUENCED = 11, /* a validium's SequenceBatches: kept as a log, read by the committee guard */
} l2w_watch_kind;

typedef struct {
    l2w_watch_kind kind;
    /* Every Vector channel is its own contract, and a million of them do not
     * fit in a filter: such a topic is asked for from any address, and the
     * dispute is matched to a held channel by the emitting address. */
    bool any_address;
    l2w_addr address;                  /* unset when any_address */
    l2w_hash topic0;
    const char *l2_chain;              /* OUTPUT_PROPOSED: the L2 the oracle belongs to */
    const l2w_bridge_config *bridge;   /* the bridge kinds */
    const l2w_committee_config *committee; /* VALIDIUM_SEQUENCED */
} l2w_watch;

#define L2W_MAX_WATCHES (L2W_MAX_CHAINS + 8 * L2W_MAX_BRIDGES + 2 + L2W_MAX_COMMITTEES)

/* Fills out (room for L2W_MAX_WATCHES) with chain's watches; returns how many. */
size_t l2w_watches_for_chain(const l2w_config *cfg, const char *chain, l2w_watch *out);

/* The watch a log belongs to, or NULL. An any_address watch matches its
 * topic from every address. */
const l2w_watch *l2w_watch_find(const l2w_watch *w, size_t n, const l2w_addr *address, const l2w_hash *topic0);

/* topic0 of a canonical event signature. */
void l2w_event_topic(l2w_hash *out, const char *canonical);

#endif
