"""Reorgs of depth 1, 2, 5, 20 and 64 around an output proposal, made with
anvil_reorg (same height, new transactions) and with evm_snapshot/evm_revert
(a longer branch with other transactions): the finding on the abandoned
branch is retracted exactly once, a bad proposal on the new branch is found
exactly once, and no fact of the abandoned branch stays in the database."""
import os

import pytest

from l2wtest import wait_until
from tests.world.world import keccak

ZERO = "0x" + "00" * 32
L1_REORG = """    max_reorg_depth: 80
"""


def random_root():
    return keccak("0x" + os.urandom(32).hex())


def propose_tx(world, root, l2_block):
    """A proposal with no L1 anchor (bytes32(0) skips the blockhash check), so
    it is valid on any branch."""
    return {"from": world.info["accounts"]["proposer"]["address"],
            "to": world.info["contracts"]["L2OutputOracleProxy"],
            "data": world.calldata("L2OutputOracle", "proposeL2Output(bytes32,uint256,bytes32,uint256)",
                                   root, l2_block, ZERO, 0),
            "gas": hex(500_000)}


def alerts(webhook, event):
    return [a for a in webhook.delivered() if a["event"] == event]


def finding_for_root(database, root):
    rows = database.rows(f"SELECT id, status FROM findings WHERE evidence->>'posted_output_root' = '{root.lower()}'")
    return rows


def stored_blocks_are_canonical(world, database):
    for number, block_hash in database.rows("SELECT number, encode(hash, 'hex') FROM blocks WHERE chain = 'l1'"):
        node = world.l1("eth_getBlockByNumber", hex(int(number)), False)
        if node is None or node["hash"].lower() != "0x" + block_hash:
            return False
    return True


def check_after_reorg(world, database, webhook, old_root, new_root):
    raised_new = wait_until(lambda: [a for a in alerts(webhook, "raised")
                                     if a["evidence"]["posted_output_root"] == new_root.lower()], 60,
                            what="the finding on the new branch")
    retracted = wait_until(lambda: alerts(webhook, "retracted"), 60, what="the retraction alert")
    assert len(raised_new) == 1
    assert len(retracted) == 1 and retracted[0]["evidence"]["posted_output_root"] == old_root.lower()
    assert retracted[0]["status"] == "retracted"
    assert finding_for_root(database, old_root)[0][1] == "retracted"
    assert finding_for_root(database, new_root)[0][1] == "open"
    # Nothing of the abandoned branch: every stored block is on the node's chain,
    # and the only proposals stored are canonical ones.
    wait_until(lambda: stored_blocks_are_canonical(world, database), 30, what="the stored chain to be canonical")
    roots = {r for (r,) in database.rows("SELECT '0x' || encode(output_root, 'hex') FROM output_proposals")}
    assert old_root.lower() not in roots and new_root.lower() in roots
    # Settle, then count again: exactly once each, nothing re-raised or re-retracted.
    world.l1("anvil_mine", hex(3))
    wait_until(lambda: int(database.rows("SELECT synced_number FROM chains WHERE name = 'l1'")[0][0])
               == int(world.l1("eth_blockNumber"), 16), 30, what="l2watch to follow the new head")
    assert len(alerts(webhook, "retracted")) == 1
    assert len([a for a in alerts(webhook, "raised") if a["evidence"]["posted_output_root"] == new_root.lower()]) == 1
    assert len(alerts(webhook, "raised")) == 2


def start(world, make_l2watch):
    world.l1("evm_setIntervalMining", 0)  # the test decides when blocks appear
    return make_l2watch(l1_extra=L1_REORG,
                        extra="responses:\n  default_mode: off\n").start()


def propose_on_head(world, root):
    """Proposes root for the next L2 block in a block of its own; returns that block."""
    target = world.next_block_number()
    world.advance_l2_to(target)
    tx = world.propose(root, target, wait=False)["tx_hash"]
    world.l1("evm_mine")
    receipt = world.wait_receipt(world.l1, tx, what="proposal")
    assert receipt["status"] == "0x1"
    return int(receipt["blockNumber"], 16), target


@pytest.mark.parametrize("depth", [1, 2, 5, 20, 64])
def test_anvil_reorg_around_a_proposal(world, database, webhook, make_l2watch, depth):
    start(world, make_l2watch)
    world.l1("anvil_mine", hex(depth + 2))
    old_root, new_root = random_root(), random_root()
    block, l2_block = propose_on_head(world, old_root)
    if depth > 1:
        world.l1("anvil_mine", hex(depth - 1))
    assert int(world.l1("eth_blockNumber"), 16) == block + depth - 1
    wait_until(lambda: finding_for_root(database, old_root), 60, what="the finding on the first branch")

    # Replace the last `depth` blocks (the proposal's block is the first of
    # them) by blocks where another wrong root is proposed for the same L2 block.
    world.l1("anvil_reorg", depth, [[propose_tx(world, new_root, l2_block), depth // 2]])
    assert world.get_output(world.next_output_index() - 1)["root"].lower() == new_root.lower()
    check_after_reorg(world, database, webhook, old_root, new_root)


@pytest.mark.parametrize("depth", [1, 2, 5, 20, 64])
def test_snapshot_revert_around_a_proposal(world, database, webhook, make_l2watch, depth):
    start(world, make_l2watch)
    world.l1("anvil_mine", hex(3))
    snapshot = world.l1("evm_snapshot")
    old_root, new_root = random_root(), random_root()
    block, l2_block = propose_on_head(world, old_root)
    if depth > 1:
        world.l1("anvil_mine", hex(depth - 1))
    wait_until(lambda: finding_for_root(database, old_root), 60, what="the finding on the first branch")

    assert world.l1("evm_revert", snapshot) is True
    # The new branch: other transactions (a transfer, then the other proposal)
    # and one block longer than the old one, so it wins.
    user = world.info["accounts"]["user"]
    world.send(world.l1, user["key"], world.info["accounts"]["admin"]["address"], "0x", value=1,
               nonce=world.nonce(world.l1, user["address"]))
    world.l1("evm_mine")
    new_block, _ = propose_on_head(world, new_root)
    world.l1("anvil_mine", hex(max(block + depth - new_block, 1)))
    check_after_reorg(world, database, webhook, old_root, new_root)
