"""OP Alt-DA in the local test world: the real DataAvailabilityChallenge
(contracts-bedrock 0.17.3) behind a real Proxy on the L1, a batcher that
posts commitments to the batch inbox, and a DA server process that serves
files from a folder.

Python standard library only, like world.py.

    from tests.world import altda
    dac = altda.deploy_challenge(w, challenge_window=40, resolve_window=20, bond=10**16)
    server = altda.FileServer(dir)            # `python3 -m http.server` on a folder
    p = altda.post_commitment(w, b"batch data", server)    # data served
    q = altda.post_commitment(w, b"withheld", None)        # data nowhere
    altda.challenge_status(w, dac, q["block"], q["commitment"])   # 0..3
    altda.resolve(w, dac, q["block"], q["commitment"], b"withheld")

Formats (specs.optimism.io, experimental/alt-da):
    commitment = 0x00 ‖ keccak256(data)         (33 bytes, type 0 = keccak)
    calldata   = 0x01 ‖ commitment              (derivation version 1 = Alt-DA)
    DA server  GET /get/0x<commitment hex>      -> data
"""
import os
import socket
import subprocess
import sys
import time
import urllib.request

from tests.world.world import WorldError, _word, cast, keccak

BATCH_INBOX = "0xff" + f"{901:038x}"
BATCHER_ROLE = "operator"


def deploy_challenge(w, challenge_window, resolve_window, bond, refund_percent=0):
    """DataAvailabilityChallenge implementation + Proxy, initialised through
    upgradeToAndCall by the admin as a real deployment is. Returns its
    (proxy) address."""
    admin = w.info["accounts"]["admin"]
    nonce = w.nonce(w.l1, admin["address"])
    impl_tx = w.send(w.l1, admin["key"], None, w.artifact("DataAvailabilityChallenge")["bytecode"]["object"],
                     nonce=nonce)
    proxy_tx = w.send(w.l1, admin["key"], None, w.artifact("Proxy")["bytecode"]["object"] + _word(admin["address"]),
                      nonce=nonce + 1)
    impl = cast("to-check-sum-address", w.wait_receipt(w.l1, impl_tx, "deploy DAC")["contractAddress"])
    proxy = cast("to-check-sum-address", w.wait_receipt(w.l1, proxy_tx, "deploy DAC proxy")["contractAddress"])
    init = w.calldata("DataAvailabilityChallenge", "initialize(address,uint256,uint256,uint256,uint256)",
                      admin["address"], challenge_window, resolve_window, bond, refund_percent)
    tx = w.send(w.l1, admin["key"], proxy, "upgradeToAndCall(address,bytes)", impl, init)
    w.wait_receipt(w.l1, tx, "initialize DAC")
    got = int(w.call(w.l1, proxy, w.calldata("DataAvailabilityChallenge", "challengeWindow()")), 16)
    if got != challenge_window:
        raise WorldError(f"DataAvailabilityChallenge proxy reports challengeWindow {got}, expected {challenge_window}")
    w.info["contracts"]["DataAvailabilityChallenge"] = proxy
    return proxy


def commitment_of(data):
    return "0x00" + keccak("0x" + data.hex())[2:]


class FileServer:
    """A DA server: `python3 -m http.server` serving DIR, where the data of
    commitment C is the file DIR/get/0x<C>. A real process, started here and
    killed by close()."""

    def __init__(self, dir):
        self.dir = dir
        os.makedirs(os.path.join(dir, "get"), exist_ok=True)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen([sys.executable, "-m", "http.server", str(self.port), "--bind", "127.0.0.1",
                                      "--directory", dir], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                urllib.request.urlopen(self.url + "/", timeout=1).read()
                break
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.close()
                    raise WorldError("the DA file server did not start")
                time.sleep(0.05)

    def put(self, data, commitment=None):
        """Stores data under its commitment (or under another one, to serve wrong bytes)."""
        commitment = commitment or commitment_of(data)
        with open(os.path.join(self.dir, "get", commitment), "wb") as f:
            f.write(data)
        return commitment

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(5)


def post(w, calldata_hex, role=BATCHER_ROLE):
    """A transaction to the batch inbox; returns {tx, block, timestamp}."""
    acct = w.info["accounts"][role]
    tx = _send_raw_call(w, acct["key"], calldata_hex)
    receipt = w.wait_receipt(w.l1, tx, "batcher posting")
    block = int(receipt["blockNumber"], 16)
    ts = int(w.l1("eth_getBlockByNumber", hex(block), False)["timestamp"], 16)
    return {"tx": tx, "block": block, "timestamp": ts}


def _send_raw_call(w, key, calldata_hex):
    # cast send TO DATA treats DATA as raw calldata when it is 0x-hex.
    out = cast("send", "--async", "--rpc-url", w.l1.url, "--private-key", key, BATCH_INBOX, calldata_hex)
    tx = out.splitlines()[-1].strip()
    if not (tx.startswith("0x") and len(tx) == 66):
        raise WorldError(f"cast send returned {tx!r}")
    return tx


def post_commitment(w, data, server=None, role=BATCHER_ROLE):
    """Posts the Alt-DA commitment of data; stores data on server first when given."""
    commitment = commitment_of(data)
    if server is not None:
        server.put(data)
    p = post(w, "0x01" + commitment[2:], role)
    p["commitment"] = commitment
    return p


def challenge_status(w, dac, block, commitment):
    data = cast("calldata", "getChallengeStatus(uint256,bytes)", str(block), commitment)
    return int(w.call(w.l1, dac, data), 16)


def get_challenge(w, dac, block, commitment):
    """(challenger, lockedBond, startBlock, resolvedBlock)."""
    data = cast("calldata", "getChallenge(uint256,bytes)", str(block), commitment)
    words = w.call(w.l1, dac, data)[2:]
    parts = [words[i:i + 64] for i in range(0, len(words), 64)]
    return ("0x" + parts[0][24:], int(parts[1], 16), int(parts[2], 16), int(parts[3], 16))


def resolve(w, dac, block, commitment, data, role=BATCHER_ROLE):
    acct = w.info["accounts"][role]
    tx = w.send(w.l1, acct["key"], dac, "resolve(uint256,bytes,bytes)", block, commitment, "0x" + data.hex())
    return w.wait_receipt(w.l1, tx, "resolve")


def post_blob(w, data, path_dir, role=BATCHER_ROLE):
    """A type-3 (EIP-4844) transaction to the batch inbox carrying data in
    one blob, built and signed by `cast send --blob`; returns {tx, block,
    timestamp, versioned_hash}."""
    acct = w.info["accounts"][role]
    path = os.path.join(path_dir, f"blob-{time.monotonic_ns()}.bin")
    with open(path, "wb") as f:
        f.write(data)
    out = cast("send", "--async", "--rpc-url", w.l1.url, "--private-key", acct["key"], "--blob", "--eip4844",
               "--path", path, BATCH_INBOX)
    tx = out.splitlines()[-1].strip()
    receipt = w.wait_receipt(w.l1, tx, "blob posting")
    block = int(receipt["blockNumber"], 16)
    ts = int(w.l1("eth_getBlockByNumber", hex(block), False)["timestamp"], 16)
    vh = w.l1("eth_getTransactionByHash", tx)["blobVersionedHashes"]
    if len(vh) != 1:
        raise WorldError(f"blob posting {tx} lists {len(vh)} versioned hashes")
    return {"tx": tx, "block": block, "timestamp": ts, "versioned_hash": vh[0]}
