"""The bridge world (tests/world/bridges.py) is right on its own, before l2watch
looks at it: deposits and withdrawals move exactly the amounts they should on
both chains through the real OP Stack contracts, the forged withdrawal really
gets past the real Portal, the pause really stops finalization, and the generic
lock/release bridge behaves as its Solidity says. Values are checked with
reads that do not go through the helper under test where that is cheap
(`cast`, raw storage slots, anvil's own tries)."""
import json
import os
import subprocess

import pytest

from tests.world import bridges as b
from tests.world.world import CAST, EIP1967_ADMIN_SLOT, EIP1967_IMPLEMENTATION_SLOT, MESSAGE_PASSER, load_artifact

FINALIZATION = 2
ETH = 10**18


def c(*args):
    out = subprocess.run([CAST, *map(str, args)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, f"cast {args}: {out.stderr}"
    return out.stdout.strip()


def mapping_slot(key, slot):
    """Solidity: the slot of mapping[key] for a mapping declared at `slot`."""
    return c("index", "bytes32" if len(str(key)) == 66 else "address", key, slot)


def eth_balance(rpc, who, block="latest"):
    return int(rpc("eth_getBalance", who, block if isinstance(block, str) else hex(block)), 16)


def gas_paid(rpc, tx):
    r = rpc("eth_getTransactionReceipt", tx)
    return int(r["gasUsed"], 16) * int(r["effectiveGasPrice"], 16)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = b.start_bridge_world(str(tmp_path_factory.mktemp("bridgeworld")), finalization_period_seconds=FINALIZATION)
    try:
        yield w
    finally:
        w.stop()


def addr_of(w, role):
    return w.info["accounts"][role]["address"]


# ---------------------------------------------------------------- setup

def test_contracts_are_recorded_and_wired(world):
    con = world.info["contracts"]
    with open(os.path.join(world.dir, "world.json")) as f:
        assert json.load(f) == world.info
    for key in ("SystemConfigProxy", "SystemConfigImpl", "L1CrossDomainMessengerProxy", "L1StandardBridgeProxy",
                "L1Token", "L2CrossDomainMessenger", "L2StandardBridge", "OptimismMintableERC20Factory", "L1Block",
                "L2Token", "GenericL1Token", "EscrowBridge", "MintBridge", "WrappedToken"):
        assert con[key].startswith("0x") and int(con[key], 16) != 0, key
    assert con["SystemConfig"] == con["SystemConfigProxy"]
    l1, l2 = world.info["l1"]["rpc_url"], world.info["l2"]["rpc_url"]
    admin = addr_of(world, "admin")
    portal = con["OptimismPortalProxy"]
    assert c("call", portal, "systemConfig()(address)", "--rpc-url", l1) == con["SystemConfigProxy"]
    assert c("call", con["SystemConfigProxy"], "gasPayingToken()(address,uint8)", "--rpc-url", l1).split() == \
        ["0xEeeeeEeeeEeEeeEeEeEeeEEEeeeeEeeeeeeeEEeE", "18"]
    assert c("call", con["SystemConfigProxy"], "l1StandardBridge()(address)", "--rpc-url", l1) == \
        con["L1StandardBridgeProxy"]
    assert c("call", con["L1StandardBridgeProxy"], "l2TokenBridge()(address)", "--rpc-url", l1) == \
        "0x4200000000000000000000000000000000000010"
    # The L2 predeploys are real Proxies pointing at their implementations.
    for name in ("L2CrossDomainMessenger", "L2StandardBridge", "OptimismMintableERC20Factory", "L1Block"):
        proxy = con[name]
        assert world.l2("eth_getCode", proxy, "latest") == load_artifact("Proxy")["deployedBytecode"]["object"]
        assert int(c("storage", proxy, EIP1967_IMPLEMENTATION_SLOT, "--rpc-url", l2), 16) == int(con[name + "Impl"], 16)
        assert int(c("storage", proxy, EIP1967_ADMIN_SLOT, "--rpc-url", l2), 16) == int(admin, 16)
    assert c("call", con["L2CrossDomainMessenger"], "l1CrossDomainMessenger()(address)", "--rpc-url", l2) == \
        con["L1CrossDomainMessengerProxy"]
    assert c("call", con["L2Token"], "remoteToken()(address)", "--rpc-url", l2) == con["L1Token"]
    assert c("call", con["L2Token"], "bridge()(address)", "--rpc-url", l2) == con["L2StandardBridge"]
    assert c("call", con["WrappedToken"], "bridge()(address)", "--rpc-url", l2) == con["MintBridge"]
    assert c("call", con["WrappedToken"], "l1Token()(address)", "--rpc-url", l2) == con["GenericL1Token"]
    assert b.l1_token_balance(world, "user") == 10**24
    assert b.generic_l1_balance(world, "user") == 10**24
    assert not b.portal_paused(world) and not b.generic_pause_state(world)
    # The aliasing of the L1 messenger, by hand.
    assert int(b.apply_l1_to_l2_alias(con["L1CrossDomainMessengerProxy"]), 16) == \
        (int(con["L1CrossDomainMessengerProxy"], 16) + 0x1111000000000000000000000000000000001111) % 2**160


def test_event_signatures_are_the_contracts_and_topics_are_cast_s(world):
    abis = [load_artifact(n)["abi"] for n in (
        "OptimismPortal", "L1CrossDomainMessenger", "L1StandardBridge", "L2StandardBridge", "L2ToL1MessagePasser",
        "SuperchainConfig", "OptimismMintableERC20Factory", "OptimismMintableERC20")]
    abis += [b.compile_contracts()[n]["abi"] for n in ("EscrowBridge", "MintBridge", "TestToken")]
    declared = {f"{e['name']}({','.join(i['type'] for i in e['inputs'])})"
                for abi in abis for e in abi if e["type"] == "event"}
    for name, sig in b.EVENTS.items():
        assert sig in declared, name
        assert b.event_topic(name) == c("sig-event", sig).lower(), name


def test_storage_layout_facts():
    def slot(contract, label):
        [s] = [s for s in load_artifact(contract)["storageLayout"]["storage"] if s["label"] == label]
        return int(s["slot"]), s["offset"]
    assert slot("L2ToL1MessagePasser", "sentMessages") == (0, 0)
    assert slot("OptimismPortal", "provenWithdrawals") == (52, 0)
    assert slot("OptimismPortal", "finalizedWithdrawals") == (51, 0)
    assert slot("L1StandardBridge", "deposits") == (2, 0)
    assert slot("SuperchainConfig", "_initialized") == (0, 0)


def test_one_leaf_trie_matches_anvil(world):
    """The forger's trie builder against anvil's own storage trie: an account
    whose only storage is slot -> 1 has exactly that root and that proof."""
    who = "0x00000000000000000000000000000000000b0b01"
    slot = b.keccak("0x" + os.urandom(32).hex())
    world.l2("anvil_setCode", who, "0x00")
    world.l2("anvil_setStorageAt", who, slot, "0x" + "00" * 31 + "01")
    proof = world.l2("eth_getProof", who, [slot], "latest")
    root, nodes = b.one_leaf_secure_trie(slot, b"\x01")
    assert proof["storageHash"].lower() == root
    assert [n.lower() for n in proof["storageProof"][0]["proof"]] == nodes


# ---------------------------------------------------------------- OP Stack deposits

def test_eth_deposits_move_the_portal_and_the_l2_balance(world):
    user = addr_of(world, "user")
    l1_messenger = world.info["contracts"]["L1CrossDomainMessengerProxy"]
    for via in ("bridge", "portal"):
        amount = 3 * ETH + 7
        portal_before = b.portal_eth_balance(world)
        l2_before = eth_balance(world.l2, user)
        d = b.deposit_eth(world, amount, via=via)
        assert b.portal_eth_balance(world, d["l1_block"]) - b.portal_eth_balance(world, d["l1_block"] - 1) == amount
        assert b.portal_eth_balance(world) - portal_before == amount
        assert eth_balance(world.l2, user) - l2_before == amount, via
        assert d["deposit"]["mint"] == amount
        if via == "bridge":
            assert d["deposit"]["from"] == b.apply_l1_to_l2_alias(l1_messenger)
            assert d["message"]["sender"].lower() == world.info["contracts"]["L1StandardBridgeProxy"].lower()
            assert d["message"]["value"] == amount
            r = world.l2("eth_getTransactionReceipt", d["l2_tx"])
            assert {"RelayedMessage", "ETHBridgeFinalized", "DepositFinalized"} <= set(b.event_names(r))
        else:
            assert d["deposit"]["from"] == user.lower() and d["deposit"]["to"] == user.lower()


def test_erc20_deposit_moves_escrow_and_l2_supply(world):
    con = world.info["contracts"]
    amount = 50 * ETH + 3
    escrow0, dep0, supply0 = b.bridge_erc20_escrow(world), b.bridge_erc20_deposits(world), b.l2_token_supply(world)
    user_l1, user_l2 = b.l1_token_balance(world, "user"), b.l2_token_balance(world, "user")
    d = b.deposit_erc20(world, amount)
    assert b.bridge_erc20_escrow(world) - escrow0 == amount
    assert b.bridge_erc20_deposits(world) - dep0 == amount
    assert user_l1 - b.l1_token_balance(world, "user") == amount
    assert b.l2_token_supply(world, d["l2_block"]) - b.l2_token_supply(world, d["l2_block"] - 1) == amount
    assert b.l2_token_supply(world) - supply0 == amount
    assert b.l2_token_balance(world, "user") - user_l2 == amount
    # deposits[L1Token][L2Token] is the nested mapping at slot 2 of L1StandardBridge.
    inner = mapping_slot(con["L1Token"], 2)
    raw = c("storage", con["L1StandardBridgeProxy"], mapping_slot(con["L2Token"], inner),
            "--rpc-url", world.info["l1"]["rpc_url"])
    assert int(raw, 16) == b.bridge_erc20_deposits(world)


# ---------------------------------------------------------------- OP Stack withdrawals

def test_honest_erc20_withdrawal_proves_and_finalizes(world):
    con, l1 = world.info["contracts"], world.info["l1"]["rpc_url"]
    if b.bridge_erc20_escrow(world) < 10 * ETH:
        b.deposit_erc20(world, 10 * ETH)
    amount = 4 * ETH + 11
    supply0 = b.l2_token_supply(world)
    wd = b.withdraw_erc20(world, amount)
    assert supply0 - b.l2_token_supply(world) == amount
    w = wd["withdrawal"]
    assert w["sender"] == con["L2CrossDomainMessenger"] and w["target"] == con["L1CrossDomainMessengerProxy"]
    encoded = c("abi-encode", "f(uint256,address,address,uint256,uint256,bytes)", w["nonce"], w["sender"],
                w["target"], w["value"], w["gas_limit"], w["data"])
    assert c("keccak", encoded).lower() == wd["withdrawal_hash"]
    # sentMessages[hash] = true, read as the raw slot keccak256(hash . 0).
    slot = mapping_slot(wd["withdrawal_hash"], 0)
    assert slot == b.withdrawal_storage_slot(wd["withdrawal_hash"])
    assert int(c("storage", MESSAGE_PASSER, slot, "--block", wd["l2_block"], "--rpc-url",
                 world.info["l2"]["rpc_url"]), 16) == 1

    p = b.prove_withdrawal(world, wd)
    assert p["output_l2_block"] >= wd["l2_block"]
    out = world.get_output(p["l2_output_index"])
    assert out["root"] == p["output_root"] == world.output_at(out["l2_block"])["root"]
    # provenWithdrawals[hash] (slot 52): word 0 the output root, word 1 timestamp (low
    # 128 bits) and l2OutputIndex (high 128 bits).
    base = int(mapping_slot(wd["withdrawal_hash"], 52), 16)
    w0 = c("storage", con["OptimismPortalProxy"], base, "--rpc-url", l1)
    w1 = int(c("storage", con["OptimismPortalProxy"], base + 1, "--rpc-url", l1), 16)
    prove_ts = int(world.l1("eth_getBlockByNumber", hex(p["prove_block"]), False)["timestamp"], 16)
    assert w0.lower() == p["output_root"]
    assert (w1 & (2**128 - 1), w1 >> 128) == (prove_ts, p["l2_output_index"])
    assert b.proven_withdrawal(world, wd["withdrawal_hash"]) == {
        "output_root": p["output_root"], "timestamp": prove_ts, "l2_output_index": p["l2_output_index"]}

    escrow0, user0 = b.bridge_erc20_escrow(world), b.l1_token_balance(world, "user")
    f = b.finalize_withdrawal(world, wd)
    assert f["success"]
    assert {"WithdrawalFinalized", "RelayedMessage", "ERC20WithdrawalFinalized", "ERC20BridgeFinalized"} <= \
        set(f["events"])
    assert escrow0 - b.bridge_erc20_escrow(world) == amount
    assert b.l1_token_balance(world, "user") - user0 == amount
    assert b.finalized_withdrawal(world, wd["withdrawal_hash"])
    again = b.finalize_withdrawal(world, wd, expect_revert=True)
    assert again["reverted"] and "already been finalized" in again["reason"]


def test_honest_eth_withdrawal_through_the_bridge(world):
    user = addr_of(world, "user")
    amount = ETH // 4 + 5
    if b.portal_eth_balance(world) < amount:
        b.deposit_eth(world, ETH)
    wd = b.withdraw_eth(world, amount)
    assert wd["withdrawal"]["value"] == amount
    assert eth_balance(world.l2, MESSAGE_PASSER, wd["l2_block"]) - \
        eth_balance(world.l2, MESSAGE_PASSER, wd["l2_block"] - 1) == amount
    b.prove_withdrawal(world, wd, sender="admin")
    portal0, user0 = b.portal_eth_balance(world), eth_balance(world.l1, user)
    f = b.finalize_withdrawal(world, wd, sender="admin")
    assert f["success"] and {"ETHWithdrawalFinalized", "ETHBridgeFinalized"} <= set(f["events"])
    assert portal0 - b.portal_eth_balance(world) == amount
    assert eth_balance(world.l1, user) - user0 == amount


# ---------------------------------------------------------------- the attacks

def test_forged_withdrawal_gets_past_the_real_portal(world):
    con = world.info["contracts"]
    attacker = addr_of(world, "attacker")
    if b.portal_eth_balance(world) < 2 * ETH:
        b.deposit_eth(world, 2 * ETH, via="portal")
    loot = b.portal_eth_balance(world)
    f = b.forge_withdrawal(world, attacker, loot)
    # Proven by the real Portal...
    receipt = world.l1("eth_getTransactionReceipt", f["prove_tx"])
    [proven] = [lg for lg in receipt["logs"] if lg["address"].lower() == con["OptimismPortalProxy"].lower()]
    assert proven["topics"] == [b.event_topic("WithdrawalProven"), f["withdrawal_hash"],
                                "0x" + "00" * 12 + attacker[2:].lower(), "0x" + "00" * 12 + attacker[2:].lower()]
    assert b.proven_withdrawal(world, f["withdrawal_hash"])["output_root"] == f["forged_output_root"]
    assert world.get_output(f["l2_output_index"])["root"] == f["forged_output_root"]
    # ...although the L2 never sent it, and the output is not the L2's.
    assert not b.sent_message_on_l2(world, f["withdrawal_hash"], f["l2_block"])
    assert not b.sent_message_on_l2(world, f["withdrawal_hash"], "latest")
    assert world.output_at(f["l2_block"])["root"] == f["honest_output_root"] != f["forged_output_root"]
    # And it pays out once the finalization period is over.
    before = eth_balance(world.l1, attacker)
    fin = b.finalize_withdrawal(world, f)
    assert fin["success"]
    assert eth_balance(world.l1, attacker) - before == loot
    assert b.portal_eth_balance(world) == 0


def test_forged_erc20_withdrawal_releases_escrow_without_a_burn(world):
    if b.bridge_erc20_escrow(world) < 5 * ETH:
        b.deposit_erc20(world, 5 * ETH)
    amount = 5 * ETH
    escrow0, supply0 = b.bridge_erc20_escrow(world), b.l2_token_supply(world)
    attacker0 = b.l1_token_balance(world, "attacker")
    f = b.forge_erc20_withdrawal(world, amount)
    assert f["withdrawal"]["sender"] == world.info["contracts"]["L2CrossDomainMessenger"]
    assert not b.sent_message_on_l2(world, f["withdrawal_hash"], f["l2_block"])
    fin = b.finalize_withdrawal(world, f)
    assert fin["success"] and "ERC20WithdrawalFinalized" in fin["events"]
    assert escrow0 - b.bridge_erc20_escrow(world) == amount
    assert b.l1_token_balance(world, "attacker") - attacker0 == amount
    assert b.l2_token_supply(world) == supply0  # nothing was burned on L2
    assert b.bridge_erc20_escrow(world) < b.l2_token_supply(world)


def test_superchain_pause_stops_finalization(world):
    if b.bridge_erc20_escrow(world) < ETH:
        b.deposit_erc20(world, ETH)
    wd = b.withdraw_erc20(world, ETH // 2)
    b.prove_withdrawal(world, wd)
    p = b.superchain_pause(world)
    try:
        assert b.portal_paused(world) and not b.portal_paused(world, p["block"] - 1)
        receipt = world.l1("eth_getTransactionReceipt", p["tx"])
        [lg] = receipt["logs"]
        assert lg["topics"][0] == b.event_topic("Paused")
        r = b.finalize_withdrawal(world, wd, expect_revert=True)
        assert r["reverted"] and r["error"] == "CallPaused"
        assert r["data"] == c("sig", "CallPaused()")
        assert r["estimate_gas_error"]
        assert not b.finalized_withdrawal(world, wd["withdrawal_hash"])
    finally:
        b.superchain_unpause(world)
    assert not b.portal_paused(world)
    assert b.finalize_withdrawal(world, wd)["success"]


# ---------------------------------------------------------------- the generic bridge

def test_generic_lock_and_withdraw(world):
    amount = 20 * ETH + 1
    escrow0, supply0 = b.generic_escrow_balance(world), b.generic_wrapped_supply(world)
    lock = b.generic_lock(world, amount)
    assert b.generic_escrow_balance(world) - escrow0 == amount
    assert b.generic_wrapped_supply(world) - supply0 == amount
    assert b.generic_escrow_balance(world, lock["l1_block"] - 1) == escrow0
    back = 7 * ETH
    user0 = b.generic_l1_balance(world, "user")
    wd = b.generic_withdraw(world, back)
    assert wd["message_id"] != lock["message_id"]
    assert b.generic_wrapped_supply(world) - supply0 == amount - back
    assert b.generic_escrow_balance(world) - escrow0 == amount - back
    assert b.generic_l1_balance(world, "user") - user0 == back
    # The release names the burn's message id, and cannot be repeated.
    r = world.l1("eth_getTransactionReceipt", wd["release_tx"])
    [rel] = [lg for lg in r["logs"] if lg["topics"][0] == b.event_topic("Released")]
    assert rel["topics"][1] == wd["message_id"]
    again = b.generic_release(world, wd["message_id"], back, "user", expect_revert=True)
    assert again["reverted"] and again["reason"] == "EscrowBridge: message already released"
    assert b.generic_escrow_balance(world) >= b.generic_wrapped_supply(world)


def test_generic_forged_release_and_drain(world):
    if b.generic_escrow_balance(world) < 20 * ETH:
        b.generic_lock(world, 20 * ETH)
    attacker0 = b.generic_l1_balance(world, "attacker")
    supply0, escrow0 = b.generic_wrapped_supply(world), b.generic_escrow_balance(world)
    f = b.generic_forged_release(world, 2 * ETH)
    assert b.generic_l1_balance(world, "attacker") - attacker0 == 2 * ETH
    assert escrow0 - b.generic_escrow_balance(world) == 2 * ETH
    assert b.generic_wrapped_supply(world) == supply0
    assert f["recipient"] == addr_of(world, "attacker")
    d = b.generic_drain(world, 8, ETH)
    assert len(d["releases"]) == 8 and len({r["message_id"] for r in d["releases"]}) == 8
    assert max(d["per_block"].values()) >= 2, d["per_block"]
    assert b.generic_l1_balance(world, "attacker") - attacker0 == 10 * ETH
    assert escrow0 - b.generic_escrow_balance(world) == 10 * ETH
    assert b.generic_wrapped_supply(world) == supply0


def test_generic_pause_stops_release(world):
    if b.generic_escrow_balance(world) < ETH:
        b.generic_lock(world, ETH)
    refused = b.explain_revert(world, "l1", addr_of(world, "attacker"), world.info["contracts"]["EscrowBridge"],
                               b.selector("pause()"))
    assert refused["reverted"] and "AccessControl" in refused["reason"]
    p = b.generic_pause(world)
    try:
        assert b.generic_pause_state(world) and not b.generic_pause_state(world, p["block"] - 1)
        r = b.generic_release(world, b.keccak("0x01"), ETH, "attacker", expect_revert=True)
        assert r["reverted"] and r["reason"] == "Pausable: paused"
    finally:
        b.generic_unpause(world)
    assert not b.generic_pause_state(world)
    assert not b.generic_release(world, b.keccak("0x01"), ETH, "attacker", expect_revert=True)["reverted"]
