#include "detectors/bridge_facts.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/hex.h"
#include "core/json.h"

void l2w_bridge_token_label(char out[L2W_ADDR_HEX_LEN], const l2w_bridge_subject *s)
{
    if (s->native)
        snprintf(out, L2W_ADDR_HEX_LEN, "native");
    else
        l2w_addr_to_hex(out, &s->token);
}

void l2w_bridge_amount(char out[L2W_BRIDGE_AMOUNT_LEN], const l2w_bridge_subject *s, const l2w_u256 *amount)
{
    char units[L2W_U256_UNITS_LEN], base[L2W_U256_DEC_LEN];
    l2w_u256_to_units(units, amount, s->decimals);
    l2w_u256_to_dec(base, amount);
    /* The base units come first in the buffer's priorities: they are what an
     * engineer pastes into a query, so a long symbol is what gets cut. */
    int sym_room = L2W_BRIDGE_AMOUNT_LEN - (int)strlen(units) - (int)strlen(base) - (int)sizeof " ( base units)";
    snprintf(out, L2W_BRIDGE_AMOUNT_LEN, "%s %.*s (%s base units)", units, sym_room > 0 ? sym_room : 0,
             s->symbol ? s->symbol : "", base);
}

l2w_status l2w_bridge_subject_key(char *out, size_t out_len, const l2w_bridge_subject *s, l2w_err *err)
{
    char token[L2W_ADDR_HEX_LEN];
    l2w_bridge_token_label(token, s);
    int n = snprintf(out, out_len, "bridge:%s:%s", s->bridge, token);
    if (n < 0 || (size_t)n >= out_len) {
        l2w_err_set(err, "bridge %s: subject needs %d characters, %zu fit", s->bridge, n, out_len - 1);
        return L2W_ERR_RANGE;
    }
    return L2W_OK;
}

json_t *l2w_bridge_evidence(const l2w_bridge_subject *s, json_t *extra)
{
    if (!extra)
        return NULL;
    char token[L2W_ADDR_HEX_LEN];
    l2w_bridge_token_label(token, s);
    json_t *ev = json_pack("{s:s, s:s, s:s?, s:s, s:s?, s:i, s:o}", "bridge", s->bridge, "chain", s->chain,
                           "remote_chain", s->remote_chain, "token", token, "symbol", s->symbol, "decimals",
                           (int)s->decimals, "escrow", l2w_json_addr(&s->escrow));
    if (!ev || json_object_update(ev, extra) != 0) {
        json_decref(ev);
        ev = NULL;
    }
    json_decref(extra);
    return ev;
}
