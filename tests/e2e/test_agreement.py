"""Agreement before a verdict: with two L2 endpoints that serve different
chains under the same chain id (a node on another fork), l2watch raises
rpc_disagreement and never invalid_output_root; with two honest endpoints a
wrong root is found once and its evidence names both endpoints."""
import os
import subprocess
import time

import pytest

from l2wtest import wait_until
from tests.world.world import ANVIL, Rpc, _free_port


@pytest.fixture
def other_fork(world, workdir):
    """An anvil with the L2's chain id but none of its transactions: same
    heights, different blocks."""
    port = _free_port()
    log = open(os.path.join(workdir, "fork-anvil.log"), "wb")
    proc = subprocess.Popen([ANVIL, "--host", "127.0.0.1", "--port", str(port), "--chain-id",
                             str(world.info["l2"]["chain_id"])], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    rpc = Rpc(url, timeout=2)
    deadline = time.monotonic() + 30
    while True:
        try:
            rpc("eth_chainId")
            break
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    yield url, rpc
    proc.terminate()
    proc.wait()
    log.close()


def keep_heights_equal(world, rpc):
    gap = world.l2_head() - int(rpc("eth_blockNumber"), 16)
    if gap > 0:
        rpc("anvil_mine", hex(gap + 2))


def findings(database, kind):
    return database.rows(f"SELECT id, evidence::text FROM findings WHERE kind = '{kind}' ORDER BY id")


def test_endpoints_that_disagree_raise_rpc_disagreement_not_fraud(world, database, webhook, make_l2watch, other_fork):
    url, rpc = other_fork
    make_l2watch(l2_rpc=[world.info["l2"]["rpc_url"], url],
                 extra="responses:\n  default_mode: off\n").start()
    honest = world.propose_honest()
    keep_heights_equal(world, rpc)
    wait_until(lambda: findings(database, "rpc_disagreement"), 60, what="the rpc_disagreement finding")
    bad = world.propose_wrong()
    keep_heights_equal(world, rpc)
    wait_until(lambda: len(findings(database, "rpc_disagreement")) == 2, 60,
               what="a second rpc_disagreement for the wrong proposal")
    assert findings(database, "invalid_output_root") == []
    pending = database.rows("SELECT output_index, check_status, check_note FROM output_proposals ORDER BY output_index")
    assert [(int(i), s) for i, s, _ in pending] == [(honest["index"], "0"), (bad["index"], "0")]
    assert all("disagree" in note for _, _, note in pending)
    raised = wait_until(lambda: [a for a in webhook.delivered() if a["event"] == "raised"][1:] and
                        [a for a in webhook.delivered() if a["event"] == "raised"], 30, what="both alerts")
    assert {a["kind"] for a in raised} == {"rpc_disagreement"} and len(raised) == 2
    answers = raised[0]["evidence"]["answers"]
    assert len(answers) == 2 and answers[0]["l2_block_hash"] != answers[1]["l2_block_hash"]


def test_two_honest_endpoints_cross_check_the_verdict(world, database, webhook, make_l2watch):
    l2 = world.info["l2"]
    same_node = l2["rpc_url"].replace("127.0.0.1", "localhost")
    make_l2watch(l2_rpc=[l2["rpc_url"], same_node], extra="responses:\n  default_mode: off\n").start()
    bad = world.propose_wrong()
    alert = wait_until(lambda: next((a for a in webhook.delivered() if a["event"] == "raised"), None), 60,
                       what="the invalid_output_root alert")
    assert alert["kind"] == "invalid_output_root"
    ev = alert["evidence"]
    assert ev["output_index"] == str(bad["index"])
    assert ev["endpoint"] and ev["cross_checked_by"] and ev["endpoint"] != ev["cross_checked_by"]
    assert findings(database, "rpc_disagreement") == []
