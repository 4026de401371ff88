"""Merkle-Patricia proofs from a real node: l2w_proofcheck fetches
eth_getProof from anvil, checks every proof against the block header's
stateRoot, and the values it proves must equal what cast reads (balance,
nonce, code, storage), at the latest block and at an older one. Absent
accounts and empty slots must verify as absent, and an answer with one proof
byte changed must be refused, naming the node.

State is made by real transactions: transfers to fresh accounts, and a
contract deployed from raw bytecode whose constructor writes slots and whose
code stores calldata word 1 at slot calldata word 0."""
import json
import os
import socket
import subprocess
import time

import pytest

from tests.world.world import ANVIL, Rpc, WorldError

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD_DIR = os.path.abspath(os.environ.get("L2W_BUILD_DIR", os.path.join(REPO, "build", "asan")))
PROOFCHECK = os.path.join(BUILD_DIR, "l2w_proofcheck")

# anvil's first dev account (default mnemonic), unlocked for eth_sendTransaction.
DEV = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"

# Runtime: sstore(calldataload(0), calldataload(32)); stop.
STORE_RUNTIME = "6020356000355500"


def _init_code(slots):
    """Constructor writing each (slot, value), then returning STORE_RUNTIME."""
    prefix = "".join(f"7f{value:064x}7f{slot:064x}55" for slot, value in slots)
    runtime_len = len(STORE_RUNTIME) // 2
    tail_len = 13  # the CODECOPY / RETURN part below
    offset = len(prefix) // 2 + tail_len
    tail = f"60{runtime_len:02x}61{offset:04x}600039" + f"60{runtime_len:02x}6000f3"
    assert len(tail) // 2 == tail_len
    return "0x" + prefix + tail + STORE_RUNTIME


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def anvil(tmp_path_factory):
    if not os.access(ANVIL, os.X_OK):
        pytest.fail(f"anvil not found at {ANVIL}; run scripts/install-deps.sh")
    log_path = tmp_path_factory.mktemp("anvil") / "anvil.log"
    for _attempt in range(5):
        port = _free_port()
        with open(log_path, "ab") as log:
            proc = subprocess.Popen([ANVIL, "--host", "127.0.0.1", "--port", str(port), "--accounts", "3"],
                                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        rpc = Rpc(url, timeout=5)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                rpc("eth_chainId")
                break
            except WorldError:
                time.sleep(0.05)
        if proc.poll() is None:
            break
    else:
        pytest.fail(f"anvil did not start: {log_path.read_text()[-2000:]}")
    yield url, rpc
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _send(rpc, tx):
    txh = rpc("eth_sendTransaction", {"from": DEV, **tx})
    # Automine answers with the hash before the block is always queryable.
    deadline = time.monotonic() + 20
    receipt = rpc("eth_getTransactionReceipt", txh)
    while receipt is None and time.monotonic() < deadline:
        time.sleep(0.01)
        receipt = rpc("eth_getTransactionReceipt", txh)
    assert receipt and int(receipt["status"], 16) == 1, f"transaction failed: {tx}"
    return receipt


@pytest.fixture(scope="module")
def state(anvil, seed):
    """Funds accounts and fills a contract's storage; returns what was written,
    with the block of a first snapshot and of the final state."""
    import random
    rng = random.Random(f"{seed}:mpt-state")
    url, rpc = anvil
    funded = ["0x" + rng.randbytes(20).hex() for _ in range(6)]
    for i, addr in enumerate(funded):
        _send(rpc, {"to": addr, "value": hex(rng.randrange(1, 10**21) + i)})
    ctor_slots = [(0, 1), (1, rng.randrange(1 << 255, 1 << 256)), (7, 0x1234)]
    receipt = _send(rpc, {"data": _init_code(ctor_slots), "gas": hex(3_000_000)})
    contract = receipt["contractAddress"].lower()
    written = dict(ctor_slots)
    # Enough slots that the storage trie has branches several levels deep.
    for _ in range(40):
        slot = rng.choice([rng.randrange(0, 64), rng.randrange(0, 1 << 256)])
        value = rng.choice([rng.randrange(1, 256), rng.randrange(1, 1 << 256)])
        _send(rpc, {"to": contract, "data": f"0x{slot:064x}{value:064x}"})
        written[slot] = value
    snapshot_block = int(rpc("eth_blockNumber"), 16)
    snapshot = dict(written)
    # Change one slot and clear another (a cleared slot leaves the trie).
    _send(rpc, {"to": contract, "data": f"0x{7:064x}{0xbeef:064x}"})
    _send(rpc, {"to": contract, "data": f"0x{1:064x}{0:064x}"})
    written[7] = 0xbeef
    written[1] = 0
    return {"url": url, "rpc": rpc, "funded": funded, "contract": contract, "written": written,
            "snapshot": snapshot, "snapshot_block": snapshot_block, "latest": int(rpc("eth_blockNumber"), 16)}


def proofcheck(url, address, slots=(), block=None, flip=None):
    if not os.access(PROOFCHECK, os.X_OK):
        pytest.fail(f"{PROOFCHECK} is missing: build first (cmake --build --preset asan)")
    argv = [PROOFCHECK, "--rpc", url, "--address", address]
    for s in slots:
        argv += ["--slot", hex(s)]
    if block is not None:
        argv += ["--block", str(block)]
    if flip:
        argv += ["--flip", flip]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert "Sanitizer" not in out.stderr and "runtime error" not in out.stderr, out.stderr
    assert out.stdout.strip(), f"no output (rc {out.returncode}): {out.stderr}"
    return out.returncode, json.loads(out.stdout)


def cast_int(cast, *args):
    ok, out, err = cast.run(*args)
    assert ok, f"cast {' '.join(args)}: {err}"
    return int(out, 0)


def test_accounts_match_cast(state, cast):
    url, block = state["url"], state["latest"]
    for addr in [DEV, state["contract"], *state["funded"]]:
        rc, got = proofcheck(url, addr, block=block)
        assert rc == 0 and got["ok"], got
        assert got["exists"] is True
        assert got["block"] == block
        assert int(got["balance"]) == cast_int(cast, "balance", addr, "--block", str(block), "--rpc-url", url)
        assert int(got["nonce"]) == cast_int(cast, "nonce", addr, "--block", str(block), "--rpc-url", url)
        ok, code, err = cast.run("code", addr, "--block", str(block), "--rpc-url", url)
        assert ok, err
        ok, code_hash, err = cast.run("keccak", code)
        assert ok, err
        assert got["code_hash"] == code_hash.lower()
    assert int(proofcheck(url, DEV, block=block)[1]["nonce"]) >= 49


def test_storage_matches_cast(state, cast):
    url, contract, block = state["url"], state["contract"], state["latest"]
    slots = sorted(state["written"]) + [2, 3, 63, (1 << 256) - 1]
    rc, got = proofcheck(url, contract, slots, block=block)
    assert rc == 0 and got["ok"], got
    assert got["storage_root"] != "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421"
    for entry, slot in zip(got["storage"], slots):
        want = cast_int(cast, "storage", contract, hex(slot), "--block", str(block), "--rpc-url", url)
        assert int(entry["value"], 16) == want == state["written"].get(slot, 0), (hex(slot), entry)
        assert int(entry["value_dec"]) == want


def test_older_block_has_older_values(state, cast):
    url, contract, block = state["url"], state["contract"], state["snapshot_block"]
    slots = [1, 7]
    rc, got = proofcheck(url, contract, slots, block=block)
    assert rc == 0 and got["ok"], got
    for entry, slot in zip(got["storage"], slots):
        want = cast_int(cast, "storage", contract, hex(slot), "--block", str(block), "--rpc-url", url)
        assert int(entry["value"], 16) == want == state["snapshot"][slot]
    rc, latest = proofcheck(url, contract, slots)
    assert latest["storage_root"] != got["storage_root"] and latest["state_root"] != got["state_root"]


def test_absent_account_and_empty_slot(state, cast):
    url = state["url"]
    absent = "0x" + "5a" * 20
    assert cast_int(cast, "balance", absent, "--rpc-url", url) == 0
    rc, got = proofcheck(url, absent, [0, 1])
    assert rc == 0 and got["ok"], got
    assert got["exists"] is False and got["balance"] == "0" and got["nonce"] == "0"
    assert got["storage_root"] == "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421"
    assert got["code_hash"] == "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    assert [e["value"] for e in got["storage"]] == ["0x0", "0x0"]
    # A slot never written, in a contract whose storage trie is not empty.
    rc, got = proofcheck(url, state["contract"], [0xdead])
    assert rc == 0 and got["storage"][0]["value"] == "0x0", got


def test_tampered_proofs_are_refused(state):
    url, contract = state["url"], state["contract"]
    rc, good = proofcheck(url, contract, [0])
    assert rc == 0, good
    for node in range(good["account_proof_nodes"]):
        rc, got = proofcheck(url, contract, [0], flip=f"account:{node}")
        assert rc == 1 and not got["ok"], got
        assert got["status"] == "protocol error"
        assert f"accountProof: mpt proof: node {node}" in got["error"], got["error"]
    rc, got = proofcheck(url, contract, [0], flip="storage:0:0")
    assert rc == 1 and "storageProof[0]: mpt proof: node 0" in got["error"], got
    # The absent account's proof of absence cannot be tampered with either.
    rc, got = proofcheck(url, "0x" + "5a" * 20, flip="account:0")
    assert rc == 1 and "node 0" in got["error"], got
