"""The test world itself: it comes up, the real contracts sit behind real proxies
with the configured parameters, and the proposer's roots are the ones `cast`
computes from the L2 node on its own (so l2watch is checked against something
that does not share its code)."""
import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from tests.world.world import (CAST, EIP1967_ADMIN_SLOT, EIP1967_IMPLEMENTATION_SLOT, MESSAGE_PASSER, REPO,
                               World, load_artifact)


def c(*args):
    out = subprocess.run([CAST, *map(str, args)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, f"cast {args}: {out.stderr}"
    return out.stdout.strip()


def root_by_cast(l2_url, n):
    """The v0 output root of L2 block n from cast alone."""
    state_root = c("block", n, "--field", "stateRoot", "--rpc-url", l2_url)
    block_hash = c("block", n, "--field", "hash", "--rpc-url", l2_url)
    storage_root = json.loads(c("proof", MESSAGE_PASSER, "--block", n, "--rpc-url", l2_url, "--json"))["storageHash"]
    return c("keccak", "0x" + "00" * 32 + state_root[2:] + storage_root[2:] + block_hash[2:]).lower()


def onchain_output(w, index):
    raw = c("call", w.info["contracts"]["L2OutputOracleProxy"], "getL2Output(uint256)((bytes32,uint128,uint128))",
            index, "--rpc-url", w.info["l1"]["rpc_url"])
    root, ts, block = raw.strip("()").split(", ")
    return root.lower(), int(ts.split()[0]), int(block.split()[0])


def pids_alive(pids):
    alive = []
    for pid in pids:
        try:
            os.kill(pid, 0)
            with open(f"/proc/{pid}/stat") as f:
                if f.read().split(") ")[1].startswith("Z"):
                    continue
            alive.append(pid)
        except (ProcessLookupError, FileNotFoundError):
            pass
    return alive


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with World(str(tmp_path_factory.mktemp("world"))) as w:
        yield w


def test_world_is_up_and_recorded(world):
    info = world.info
    with open(os.path.join(world.dir, "world.json")) as f:
        assert json.load(f) == info
    assert c("chain-id", "--rpc-url", info["l1"]["rpc_url"]) == "900"
    assert c("chain-id", "--rpc-url", info["l2"]["rpc_url"]) == "901"
    for role in ("admin", "proposer", "challenger", "user", "guardian"):
        acc = info["accounts"][role]
        assert c("wallet", "address", "--private-key", acc["key"]) == acc["address"]
    assert len({info["accounts"][r]["address"] for r in ("admin", "proposer", "challenger", "user")}) == 4


def test_proxies_point_at_the_implementations(world):
    con, l1 = world.info["contracts"], world.info["l1"]["rpc_url"]
    admin = world.info["accounts"]["admin"]["address"]
    for name in ("SuperchainConfig", "L2OutputOracle", "OptimismPortal"):
        proxy, impl = con[name + "Proxy"], con[name + "Impl"]
        assert c("call", "--from", admin, proxy, "implementation()(address)", "--rpc-url", l1) == impl
        assert c("call", "--from", admin, proxy, "admin()(address)", "--rpc-url", l1) == admin
        slot = c("storage", proxy, EIP1967_IMPLEMENTATION_SLOT, "--rpc-url", l1)
        assert int(slot, 16) == int(impl, 16)
        assert int(c("storage", proxy, EIP1967_ADMIN_SLOT, "--rpc-url", l1), 16) == int(admin, 16)
        code = c("code", impl, "--rpc-url", l1)
        assert code == load_artifact(name)["deployedBytecode"]["object"]
        # Through the proxy (not from the admin) the implementation answers.
        assert c("call", proxy, "version()(string)", "--rpc-url", l1).strip('"')


def test_contracts_are_initialized_as_configured(world):
    con, l1, p = world.info["contracts"], world.info["l1"]["rpc_url"], world.info["l2oo"]
    acc = world.info["accounts"]
    l2oo = con["L2OutputOracleProxy"]

    def get(sig, to=l2oo):
        return c("call", to, sig, "--rpc-url", l1).split()[0]

    assert get("proposer()(address)") == acc["proposer"]["address"] == p["proposer"]
    assert get("challenger()(address)") == acc["challenger"]["address"] == p["challenger"]
    assert int(get("submissionInterval()(uint256)")) == 2 == p["submission_interval"]
    assert int(get("l2BlockTime()(uint256)")) == 1
    assert int(get("finalizationPeriodSeconds()(uint256)")) == 7 * 24 * 3600
    assert int(get("startingBlockNumber()(uint256)")) == p["starting_block_number"]
    assert int(get("startingTimestamp()(uint256)")) == p["starting_timestamp"]
    assert get("guardian()(address)", con["SuperchainConfigProxy"]) == acc["guardian"]["address"]
    assert get("paused()(bool)", con["SuperchainConfigProxy"]) == "false"
    assert get("l2Oracle()(address)", con["OptimismPortalProxy"]) == l2oo
    assert get("superchainConfig()(address)", con["OptimismPortalProxy"]) == con["SuperchainConfigProxy"]
    # The implementations' own storage was initialized by their constructors (the
    # catch the proxy deployment works around): nobody can initialize them again.
    args = [CAST, "call", con["L2OutputOracleImpl"],
            "initialize(uint256,uint256,uint256,uint256,address,address,uint256)",
            1, 1, 0, 0, acc["proposer"]["address"], acc["proposer"]["address"], 0, "--rpc-url", l1]
    out = subprocess.run(list(map(str, args)), capture_output=True, text=True)
    assert out.returncode != 0 and "already initialized" in out.stderr


def test_message_passer_predeploy(world):
    code = c("code", MESSAGE_PASSER, "--rpc-url", world.info["l2"]["rpc_url"])
    assert code == load_artifact("L2ToL1MessagePasser")["deployedBytecode"]["object"]


def test_honest_proposal_is_accepted_with_the_independent_root(world):
    before = world.next_output_index()
    p = world.propose_honest()
    assert p["index"] == before
    assert p["l2_block"] == world.info["l2oo"]["starting_block_number"] + 2 * (before + 1)
    l2 = world.info["l2"]["rpc_url"]
    # cast's view of the L2 block gives the same root ...
    assert root_by_cast(l2, p["l2_block"]) == p["root"]
    assert c("block", p["l2_block"], "--field", "hash", "--rpc-url", l2) == p["l2_block_hash"]
    assert c("storage-root", MESSAGE_PASSER, "--block", p["l2_block"], "--rpc-url", l2) == \
        p["message_passer_storage_root"]
    # ... and the oracle stored exactly that.
    root, ts, block = onchain_output(world, p["index"])
    assert (root, ts, block) == (p["root"], p["l1_timestamp"], p["l2_block"])
    assert world.get_output(p["index"]) == {"root": p["root"], "timestamp": p["l1_timestamp"],
                                            "l2_block": p["l2_block"]}
    # The proposal's L2 block carries a real withdrawal that changed the storage root.
    receipt = json.loads(c("receipt", p["l2_withdrawal_tx"], "--json", "--rpc-url", l2))
    assert receipt["status"] == "0x1" and receipt["to"].lower() == MESSAGE_PASSER
    assert int(receipt["blockNumber"], 16) <= p["l2_block"]
    empty_trie = "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421"
    assert p["message_passer_storage_root"] != empty_trie
    # The proposal is in the L1 block the result names.
    tx = json.loads(c("tx", p["tx_hash"], "--json", "--rpc-url", world.info["l1"]["rpc_url"]))
    assert int(tx["blockNumber"], 16) == p["l1_block"]


def test_wrong_proposal_is_accepted_but_wrong(world):
    p = world.propose_wrong()
    correct = root_by_cast(world.info["l2"]["rpc_url"], p["l2_block"])
    assert p["correct_root"] == correct
    assert p["root"] != correct
    assert onchain_output(world, p["index"])[0] == p["root"]


def test_proposal_ahead_of_the_l2(world):
    head = world.l2_head()
    p = world.propose_ahead()
    assert p["l2_head"] == head < p["l2_block"]
    assert world.l2_head() == head  # not advanced
    assert onchain_output(world, p["index"])[0] == p["root"]
    # Once the L2 catches up, the block exists and its real root differs.
    world.mine_l2(p["l2_block"] - head)
    assert root_by_cast(world.info["l2"]["rpc_url"], p["l2_block"]) != p["root"]


def test_challenger_can_delete_outputs(world):
    first = world.propose_honest()
    world.propose_honest()
    world.delete_outputs(first["index"])
    assert world.next_output_index() == first["index"]
    again = world.propose_honest()  # the L2 is already past that block: no mining needed
    assert (again["index"], again["l2_block"], again["root"]) == (first["index"], first["l2_block"], first["root"])
    assert again["l2_withdrawal_tx"] is None


def test_twenty_honest_proposals_are_quick(world):
    t0 = time.monotonic()
    start = world.next_output_index()
    props = [world.propose_honest() for _ in range(20)]
    elapsed = time.monotonic() - t0
    assert [p["index"] for p in props] == list(range(start, start + 20))
    assert len({p["root"] for p in props}) == 20
    last = props[-1]
    assert root_by_cast(world.info["l2"]["rpc_url"], last["l2_block"]) == onchain_output(world, last["index"])[0]
    print(f"20 honest proposals in {elapsed:.1f}s")
    assert elapsed < 45, f"20 proposals took {elapsed:.1f}s"


def test_interval_mined_l2(tmp_path):
    with World(str(tmp_path / "w"), l2_block_time=1, submission_interval=3) as w:
        p = w.propose_honest()
        assert root_by_cast(w.info["l2"]["rpc_url"], p["l2_block"]) == p["root"]
        assert w.info["l2"]["block_time"] == 1


def test_stop_leaves_no_process(tmp_path):
    w = World(str(tmp_path / "w")).start()
    pids = [w.info["l1"]["pid"], w.info["l2"]["pid"]]
    assert pids_alive(pids) == pids
    w.stop()
    assert pids_alive(pids) == []
    assert not os.path.exists(tmp_path / "w" / "world.json")


def test_killed_owner_takes_the_anvils_along(tmp_path):
    script = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {REPO!r})
        from tests.world.world import World
        w = World({str(tmp_path / 'w')!r}).start()
        print(w.info["l1"]["pid"], w.info["l2"]["pid"], flush=True)
        time.sleep(600)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        pids = [int(x) for x in proc.stdout.readline().split()]
        assert len(pids) == 2 and pids_alive(pids) == pids
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    deadline = time.monotonic() + 5
    while pids_alive(pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pids_alive(pids) == []


def test_cli_up_propose_down(tmp_path):
    d = str(tmp_path / "cliworld")

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "tests.world.cli", *args, "--dir", d], cwd=REPO,
                              capture_output=True, text=True, timeout=120)

    up = cli("up")
    assert up.returncode == 0, up.stderr
    try:
        info = json.load(open(os.path.join(d, "world.json")))
        assert "already up" in cli("up").stdout
        out = cli("propose", "--count", "2")
        assert out.returncode == 0, out.stderr
        props = [json.loads(line) for line in out.stdout.splitlines()]
        assert [p["index"] for p in props] == [0, 1]
        wrong = json.loads(cli("propose", "--kind", "wrong").stdout)
        assert wrong["root"] != wrong["correct_root"]
        assert cli("status").returncode == 0
    finally:
        down = cli("down")
    assert down.returncode == 0, down.stderr
    assert pids_alive([info["l1"]["pid"], info["l2"]["pid"]]) == []
    assert cli("status").returncode == 1
