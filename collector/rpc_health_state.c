/* The one-word state of an endpoint that operators see (the API, the
 * dashboard), derived from its health: pure, like the rest of rpc_health. */

#include "collector/rpc_health.h"

const char *l2w_rpc_endpoint_state_name(l2w_rpc_endpoint_state state)
{
    switch (state) {
    case L2W_RPC_EP_IN_USE:
        return "in_use";
    case L2W_RPC_EP_STANDBY:
        return "standby";
    case L2W_RPC_EP_RESTING:
        return "resting";
    case L2W_RPC_EP_BEHIND:
        return "behind";
    case L2W_RPC_EP_WRONG_CHAIN:
        return "wrong_chain";
    case L2W_RPC_EP_UNCHECKED:
        return "unchecked";
    case L2W_RPC_EP_STATE_COUNT:
        break;
    }
    return "unknown";
}

/* The order is what keeps an endpoint out of use longest first: a wrong
 * chain outlasts its backoff (it stays wrong until checked again), a rest
 * ends on a clock, a lag when the heads move, a pending check at the next
 * call or probe. */
l2w_rpc_endpoint_state l2w_rpc_health_state(const l2w_rpc_health *h, size_t i, size_t in_use, uint64_t now_ms)
{
    if (i >= h->n)
        return L2W_RPC_EP_UNCHECKED;
    if (h->ep[i].chain == L2W_RPC_CHAIN_WRONG)
        return L2W_RPC_EP_WRONG_CHAIN;
    if (l2w_rpc_health_in_backoff(h, i, now_ms))
        return L2W_RPC_EP_RESTING;
    if (l2w_rpc_health_lagging(h, i, now_ms))
        return L2W_RPC_EP_BEHIND;
    if (h->ep[i].chain == L2W_RPC_CHAIN_UNCHECKED)
        return L2W_RPC_EP_UNCHECKED;
    return i == in_use ? L2W_RPC_EP_IN_USE : L2W_RPC_EP_STANDBY;
}
