"""Catch-up after downtime: l2watch stopped while the L1 moves 10 000 blocks
with honest and wrong proposals spread across the gap resumes from its
checkpoint and checks every proposal exactly once; killed with SIGKILL in
the middle of a catch-up it resumes with no gap and no duplicate; behind a
provider that refuses wide or crowded eth_getLogs ranges it splits them and
still completes; a reorg reaching below the full header chain (into the
headers catch-up kept sparse) is unwound to the highest stored block still
on the chain."""
import os
import re
import time

import pytest

from l2wtest import wait_until
from rangeproxy import RangeProxy
from tests.world.world import World, keccak

GAP = 10_000
PROPOSALS = 40
WRONG = {4, 17, 31}  # positions in the gap of the wrong proposals
MAX_REORG_DEPTH = 64
OUTPUT_PROPOSED = keccak("0x" + b"OutputProposed(bytes32,uint256,uint256,uint256)".hex())

# With its defaults (Prague, every state kept) anvil_mine slows down with
# every block mined: 8 000 blocks took 70 s here, the last thousand 13 s.
# On Shanghai with only the last 200 states kept (enough for anvil_reorg
# below), 10 000 blocks take about a second. Only the L1 mines thousands of
# blocks, and l2watch reads no old L1 state; the L2 keeps its history
# (eth_getProof at proposal blocks).
L1_ANVIL_FLAGS = "--hardfork shanghai --prune-history 200"


@pytest.fixture
def world(workdir):
    # No interval mining: the L1 moves only when the test says so.
    w = World(os.path.join(workdir, "world"), l1_block_time=None, l1_anvil_args=L1_ANVIL_FLAGS.split())
    w.start()
    yield w
    w.stop()


def synced(database):
    rows = database.rows("SELECT synced_number FROM chains WHERE name = 'l1'")
    return int(rows[0][0]) if rows and rows[0][0] else None


def make_gap(world, blocks=GAP, proposals=PROPOSALS, wrong=WRONG):
    """Moves the L1 by `blocks` blocks with proposals spread evenly across;
    returns {output_index: expected check_status} and the gap's block range."""
    first = world.l1_head() + 1
    chunk = blocks // (proposals + 1) - 1  # each proposal mines one block of its own
    expected = {}
    for i in range(proposals):
        world.l1("anvil_mine", hex(chunk))
        p = world.propose_wrong() if i in wrong else world.propose_honest()
        expected[p["index"]] = 2 if i in wrong else 1
    rest = first + blocks - 1 - world.l1_head()
    if rest > 0:
        world.l1("anvil_mine", hex(rest))
    return expected, (first, world.l1_head())


def node_logs(world):
    """The oracle's OutputProposed logs on the L1 node (what l2watch stores)."""
    return world.l1("eth_getLogs", {"fromBlock": "0x0", "toBlock": "latest",
                                    "address": world.info["contracts"]["L2OutputOracleProxy"],
                                    "topics": [OUTPUT_PROPOSED]})


def wait_complete(world, database, expected, timeout=90):
    head = world.l1_head()
    wait_until(lambda: synced(database) == head, timeout, interval=0.2, what=f"the checkpoint to reach {head}")
    wait_until(lambda: int(database.rows("SELECT count(*) FROM output_proposals WHERE check_status <> 0")[0][0])
               >= len(expected), timeout, interval=0.2, what=f"{len(expected)} proposals to be checked")


def check_complete(world, database, expected):
    """Everything the node has is stored exactly once, judged right, with one
    finding per wrong proposal; the checkpoint is at the head."""
    head = world.l1_head()
    assert synced(database) == head
    tip = database.rows(f"SELECT encode(hash, 'hex') FROM blocks WHERE chain = 'l1' AND number = {head}")
    assert tip and "0x" + tip[0][0] == world.l1("eth_getBlockByNumber", hex(head), False)["hash"]

    # No gap and no duplicate: the stored logs are exactly the node's, each
    # hanging off a stored header with the node's hash.
    logs = node_logs(world)
    stored = database.rows("SELECT '0x' || encode(l.block_hash, 'hex'), l.log_index, l.block_number, "
                           "'0x' || encode(b.hash, 'hex') FROM logs l "
                           "JOIN blocks b ON b.chain = l.chain AND b.hash = l.block_hash WHERE l.chain = 'l1'")
    assert sorted((h, int(i)) for h, i, _, _ in stored) == \
        sorted((lg["blockHash"], int(lg["logIndex"], 16)) for lg in logs)
    for block_hash, _, number, header_hash in stored:
        assert block_hash == header_hash
        assert world.l1("eth_getBlockByNumber", hex(int(number)), False)["hash"] == block_hash

    proposals = database.rows("SELECT output_index, check_status FROM output_proposals ORDER BY output_index")
    assert len(proposals) == len(logs) == world.next_output_index()
    judged = {int(i): int(s) for i, s in proposals}
    assert len(judged) == len(proposals)
    for index, status in expected.items():
        assert judged[index] == status, f"proposal {index} judged {judged[index]}, expected {status}"

    wrong = sorted(i for i, s in judged.items() if s == 2)
    findings = database.rows("SELECT (evidence->>'output_index')::int, status FROM findings "
                             "WHERE kind = 'invalid_output_root' ORDER BY 1")
    assert [(int(i), s) for i, s in findings] == [(i, "open") for i in wrong]
    raised = database.rows("SELECT count(*), count(DISTINCT finding_id) FROM alert_outbox WHERE event = 'raised'")
    assert raised == [[str(len(wrong)), str(len(wrong))]]


def stored_headers(database):
    return int(database.rows("SELECT count(*) FROM blocks WHERE chain = 'l1'")[0][0])


def metric(lw, name):
    _, text = lw.get("/metrics")
    m = re.search(rf'^{name}{{chain="l1"}} (\S+)$', text, re.M)
    return float(m.group(1)) if m else None


def start_synced(world, database, make_l2watch, **kw):
    """l2watch on a young chain, followed to its head, then stopped."""
    lw = make_l2watch(**kw).start()
    head = world.l1_head()
    wait_until(lambda: synced(database) == head, 30, what="l2watch to follow the young chain")
    lw.stop()
    return lw


def test_catch_up_after_10000_blocks_checks_every_proposal_once(world, database, make_l2watch):
    lw = start_synced(world, database, make_l2watch)
    expected, (first, last) = make_gap(world)
    assert last - first + 1 == GAP

    t0 = time.monotonic()
    lw.start()
    wait_complete(world, database, expected)
    took = time.monotonic() - t0
    check_complete(world, database, expected)
    # Only the gap's final-enough part was skipped: far fewer headers than blocks.
    assert stored_headers(database) < first + PROPOSALS + 3 * MAX_REORG_DEPTH
    out = lw.output()
    assert "catching up" in out and "catch-up done" in out
    print(f"catch-up of {GAP} blocks with {PROPOSALS} proposals, checked: {took:.1f} s")

    # A restart changes nothing: no proposal stored or alerted twice.
    lw.stop()
    lw.start()
    world.l1("anvil_mine", hex(3))
    wait_complete(world, database, expected)
    check_complete(world, database, expected)
    lw.stop()


def test_kill_during_catch_up_leaves_no_gap_and_no_duplicate(world, database, make_l2watch):
    proxy = RangeProxy(world.info["l1"]["rpc_url"], max_span=500, delay_ms=60)
    try:
        lw = start_synced(world, database, make_l2watch, l1_rpc=proxy.url)
        expected, (first, last) = make_gap(world, wrong={2, 20, 33})

        lw.start()
        # Part-way: some ranges committed, most of the gap still ahead.
        wait_until(lambda: (synced(database) or 0) >= first + 1500, 60, interval=0.05,
                   what="the catch-up to be part-way")
        lw.proc.kill()
        lw.wait_killed()
        at_kill = synced(database)
        print(f"killed at {at_kill} in {first}..{last}")
        assert first + 1500 <= at_kill < last - 2000, f"killed at {at_kill}, not part-way through {first}..{last}"
        # What was committed is whole: every log up to the checkpoint is stored.
        logs_below = [lg for lg in node_logs(world) if int(lg["blockNumber"], 16) <= at_kill]
        assert int(database.rows("SELECT count(*) FROM logs")[0][0]) == len(logs_below)

        proxy.delay_ms = 0
        lw.start()
        wait_complete(world, database, expected)
        check_complete(world, database, expected)
        lw.stop()
    finally:
        proxy.close()


def test_refused_ranges_are_split_and_catch_up_completes(world, database, make_l2watch):
    # A block-range limit and, tighter where proposals crowd, a result limit.
    proxy = RangeProxy(world.info["l1"]["rpc_url"], max_span=1500, max_results=4)
    try:
        lw = start_synced(world, database, make_l2watch, l1_rpc=proxy.url)
        expected, _ = make_gap(world)
        lw.start()
        wait_complete(world, database, expected)
        check_complete(world, database, expected)

        assert proxy.refusals > 0
        assert max(s for s in proxy.spans_served if s) <= 1500
        assert metric(lw, "l2watch_chain_log_range_refusals_total") > 0
        assert 1 <= metric(lw, "l2watch_chain_log_range_blocks") <= 1500
        out = lw.output()
        assert re.search(r"eth_getLogs over \d+ blocks \(\d+\.\.\d+\) refused: .*block range too large", out)
        assert re.search(r"eth_getLogs over \d+ blocks \(\d+\.\.\d+\) refused: .*more than 4 results", out)
        lw.stop()
    finally:
        proxy.close()



def propose_tx(world, root, l2_block):
    """proposeL2Output with no L1 anchor (valid on any branch), as anvil_reorg takes it."""
    return {"from": world.info["accounts"]["proposer"]["address"],
            "to": world.info["contracts"]["L2OutputOracleProxy"],
            "data": world.calldata("L2OutputOracle", "proposeL2Output(bytes32,uint256,bytes32,uint256)",
                                   root, l2_block, "0x" + "00" * 32, 0),
            "gas": hex(500_000)}


def test_reorg_over_sparse_headers_unwinds_to_a_stored_block_on_the_chain(world, database, make_l2watch):
    # Catch up with a full header chain only 5 blocks deep, so the proposal
    # 20 blocks below the head keeps only its own header, and so does the
    # honest one 50 blocks below (the highest stored block the reorg below
    # leaves alone, whatever eth_getLogs spans the catch-up used).
    shallow = "    max_reorg_depth: 5\n"
    start_synced(world, database, make_l2watch, l1_extra=shallow)
    expected, _ = make_gap(world, blocks=2000, proposals=8, wrong=set())
    anchor = world.propose_honest()
    world.l1("anvil_mine", hex(29))
    old = world.propose_wrong()
    world.l1("anvil_mine", hex(19))
    lw = make_l2watch(l1_extra=shallow).start()
    expected[anchor["index"]] = 1
    expected[old["index"]] = 2
    wait_complete(world, database, expected)
    head = world.l1_head()
    below = database.rows(f"SELECT count(*) FROM blocks WHERE chain = 'l1' AND number > {head - 40}")
    assert int(below[0][0]) < 10, "the last 40 blocks should mostly lack headers"
    lw.stop()

    # While l2watch is down, 30 blocks are replaced: the old proposal's block
    # among them, and a different wrong root for the same L2 block proposed.
    new_root = "0x" + "5e" * 32
    world.l1("anvil_reorg", 30, [[propose_tx(world, new_root, old["l2_block"]), 10]])
    assert world.l1_head() == head

    # Now allowed to unwind 80 blocks: the walk back skips the heights with no
    # header and stops at the first stored block the node still has.
    lw = make_l2watch(l1_extra="    max_reorg_depth: 80\n").start()
    wait_until(lambda: database.rows("SELECT status FROM findings WHERE evidence->>'posted_output_root' = "
                                     f"'{new_root}'") == [["open"]], 60, what="the finding on the new branch")
    wait_until(lambda: synced(database) == world.l1_head(), 30, what="the checkpoint to reach the head")
    assert database.rows("SELECT status FROM findings WHERE evidence->>'posted_output_root' = "
                         f"'{old['root'].lower()}'") == [["retracted"]]
    assert re.search(r"reorg: unwound \d+ block\(s\) above fork point \d+, retracted 1 finding", lw.output())
    for number, block_hash in database.rows("SELECT number, encode(hash, 'hex') FROM blocks WHERE chain = 'l1'"):
        assert world.l1("eth_getBlockByNumber", hex(int(number)), False)["hash"] == "0x" + block_hash
    roots = {r for (r,) in database.rows("SELECT '0x' || encode(output_root, 'hex') FROM output_proposals")}
    assert new_root in roots and old["root"].lower() not in roots
    lw.stop()
