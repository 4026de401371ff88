#include "core/chain_presets.h"

#include <string.h>

/* OP Mainnet's L2OutputOracle is the proxy it settled through until fault
 * proofs (June 2024); the registry no longer lists it, but a deployment that
 * audits that history still needs it.
 *
 * OP Mainnet, Base and Zora are members of the same Superchain and share its
 * SuperchainConfig: the registry lists it once for all of them
 * (superchain/configs/mainnet/superchain.toml, superchain_config_addr). */
#define MAINNET_SUPERCHAIN_CONFIG "0x95703e0982140D16f8ebA6d158FccEde42f04a4C"

static const l2w_chain_preset presets[] = {
    {.name = "ethereum", .role = L2W_CHAIN_L1, .chain_id = 1},
    {.name = "op-mainnet",
     .role = L2W_CHAIN_L2,
     .chain_id = 10,
     .l2_output_oracle = "0xdfe97868233d1aa22e815a266982f2cf17685a27",
     .optimism_portal = "0xbEb5Fc579115071764c7423A4f12eDde41f106Ed",
     .l1_standard_bridge = "0x99C9fc46f92E8a1c0deC1b1747d010903E884bE1",
     .system_config = "0x229047fed2591dbec1eF1118d64F7aF3dB9EB290",
     .dispute_game_factory = "0xe5965Ab5962eDc7477C8520243A95517CD252fA9",
     .superchain_config = MAINNET_SUPERCHAIN_CONFIG,
     .l1_start_block = 17422590},
    {.name = "base",
     .role = L2W_CHAIN_L2,
     .chain_id = 8453,
     .l2_output_oracle = "0x56315b90c40730925ec5485cf004d835058518A0",
     .optimism_portal = "0x49048044D57e1C92A77f79988d21Fa8fAF74E97e",
     .l1_standard_bridge = "0x3154Cf16ccdb4C6d922629664174b904d80F2C35",
     .system_config = "0x73a79Fab69143498Ed3712e519A88a918e1f4072",
     .dispute_game_factory = "0x43edB88C4B80fDD2AdFF2412A7BebF9dF42cB40e",
     .superchain_config = MAINNET_SUPERCHAIN_CONFIG,
     .l1_start_block = 17481768},
    {.name = "zora",
     .role = L2W_CHAIN_L2,
     .chain_id = 7777777,
     .l2_output_oracle = "0x9E6204F750cD866b299594e2aC9eA824E2e5f95c",
     .optimism_portal = "0x1a0ad011913A150f69f6A19DF447A0CfD9551054",
     .l1_standard_bridge = "0x3e2Ea9B92B7E48A52296fD261dc26fd995284631",
     .system_config = "0xA3cAB0126d5F504B071b81a3e8A2BBBF17930d86",
     .superchain_config = MAINNET_SUPERCHAIN_CONFIG,
     .l1_start_block = 17473923},
};

const l2w_chain_preset *l2w_chain_preset_find(const char *name)
{
    for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++)
        if (strcmp(presets[i].name, name) == 0)
            return &presets[i];
    return NULL;
}

const char *l2w_chain_preset_names(void)
{
    return "ethereum, op-mainnet, base, zora";
}
