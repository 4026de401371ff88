#ifndef L2W_CORE_CHAIN_PRESETS_H
#define L2W_CORE_CHAIN_PRESETS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "core/eth_types.h"

/* Known networks, so a config names `preset: base` instead of copying
 * addresses. The addresses are the proxies on Ethereum mainnet as listed in
 * the Superchain Registry (superchain/configs/mainnet/<chain>.toml). */
typedef struct {
    const char *name;
    l2w_chain_role role;
    uint64_t chain_id;
    const char *l2_output_oracle;     /* NULL when the chain never had one */
    const char *optimism_portal;
    const char *l1_standard_bridge;
    const char *system_config;
    const char *dispute_game_factory; /* NULL before fault proofs */
    const char *superchain_config;    /* the guardian's pause switch; NULL outside a Superchain */
    uint64_t l1_start_block;          /* the L1 block of the chain's genesis: a safe start_block */
} l2w_chain_preset;

/* NULL when there is no preset of that name. */
const l2w_chain_preset *l2w_chain_preset_find(const char *name);
/* Comma-separated names, for error messages. */
const char *l2w_chain_preset_names(void);

#endif
