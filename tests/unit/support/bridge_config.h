#ifndef L2W_TESTS_UNIT_SUPPORT_BRIDGE_CONFIG_H
#define L2W_TESTS_UNIT_SUPPORT_BRIDGE_CONFIG_H

/* The configuration the bridge unit tests start from, as YAML text pieces to
 * concatenate: an L1 ("l1"), an OP Stack L2 ("op", with oracle, portal,
 * standard bridge and SuperchainConfig at 0x..01 to 0x..04) and a second L1
 * ("side"); then the bridges "op-main" (op-stack over "op") and "lr" (a
 * lock/release bridge from "op" whose events both name the token). */

#define TEST_ADDR(last) "\"0x00000000000000000000000000000000000000" last "\""

#define TEST_BRIDGE_CHAINS                                                                                            \
    "database:\n"                                                                                                     \
    "  url: postgresql://u@h/d\n"                                                                                     \
    "chains:\n"                                                                                                       \
    "  - name: l1\n"                                                                                                  \
    "    role: l1\n"                                                                                                  \
    "    chain_id: 900\n"                                                                                             \
    "    rpc: [\"http://127.0.0.1:8545\"]\n"                                                                          \
    "  - name: op\n"                                                                                                  \
    "    role: l2\n"                                                                                                  \
    "    chain_id: 901\n"                                                                                             \
    "    l1: l1\n"                                                                                                    \
    "    rpc: [\"http://127.0.0.1:9545\"]\n"                                                                          \
    "    l2_output_oracle: " TEST_ADDR("01") "\n"                                                                     \
    "    optimism_portal: " TEST_ADDR("02") "\n"                                                                      \
    "    l1_standard_bridge: " TEST_ADDR("03") "\n"                                                                   \
    "    superchain_config: " TEST_ADDR("04") "\n"                                                                    \
    "  - name: side\n"                                                                                                \
    "    role: l1\n"                                                                                                  \
    "    chain_id: 902\n"                                                                                             \
    "    rpc: [\"http://127.0.0.1:7545\"]\n"

#define TEST_BRIDGES_OP_AND_LR                                                                                        \
    "bridges:\n"                                                                                                      \
    "  - name: op-main\n"                                                                                             \
    "    kind: op-stack\n"                                                                                            \
    "    remote_chain: op\n"                                                                                          \
    "  - name: lr\n"                                                                                                  \
    "    kind: lock-release\n"                                                                                        \
    "    chain: l1\n"                                                                                                 \
    "    remote_chain: op\n"                                                                                          \
    "    escrow: " TEST_ADDR("e0") "\n"                                                                               \
    "    release_event: \"Released(bytes32 indexed messageId, address indexed token, address indexed recipient, "     \
    "uint256 amount)\"\n"                                                                                             \
    "    source_contract: " TEST_ADDR("50") "\n"                                                                      \
    "    initiation_event: \"BurnInitiated(bytes32 indexed messageId, address indexed token, address indexed from, "  \
    "address to, uint256 amount)\"\n"                                                                                 \
    "    tokens:\n"                                                                                                   \
    "      - symbol: WETH\n"                                                                                          \
    "        address: " TEST_ADDR("c0") "\n"                                                                          \
    "        remote: " TEST_ADDR("c1") "\n"                                                                           \
    "      - symbol: ETH\n"

#endif
