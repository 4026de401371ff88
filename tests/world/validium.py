"""A Polygon CDK validium in the local test world: TestValidium
(tests/world/contracts/TestValidium.sol, the elderberry sequenceBatchesValidium)
on the L1, sequenced by the operator account, and a data-availability
committee made of anvil dev accounts whose signatures cast makes.

Python standard library only, like world.py.

    from tests.world import validium
    v = validium.deploy(w)
    committee = validium.committee(w, 3)            # members sorted by address
    s = validium.sequence(w, v, [validium.batch()], signers=committee[:2], members=committee)

Formats (zkevm-contracts PolygonValidiumEtrog / PolygonDataCommittee):
    signed hash = acc over non-forced batches: acc = keccak256(acc ‖ transactionsHash), acc0 = 0
    dataAvailabilityMessage = sig_0 ‖ … ‖ sig_k-1 ‖ addr_0 ‖ … ‖ addr_n-1
        each sig 65 bytes r ‖ s ‖ v over the signed hash as it is (no EIP-191 prefix)
"""
import os

from tests.world.bridges import compile_contracts
from tests.world.world import WorldError, _word, cast, keccak

SEQUENCER_ROLE = "operator"
SIGNATURE = "sequenceBatchesValidium((bytes32,bytes32,uint64,bytes32)[],uint64,uint64,address,bytes)"
ZERO32 = "0x" + "00" * 32
COINBASE = "0x" + "00" * 19 + "c0"


def deploy(w):
    sequencer = w.info["accounts"][SEQUENCER_ROLE]
    admin = w.info["accounts"]["admin"]
    code = compile_contracts()["TestValidium"]["bin"] + _word(sequencer["address"])
    tx = w.send(w.l1, admin["key"], None, code)
    return cast("to-check-sum-address", w.wait_receipt(w.l1, tx, "deploy TestValidium")["contractAddress"])


def committee(w, n, first_dev=7):
    """n members from anvil's dev accounts, in increasing address order as the
    committee contract holds them: [{address, key}]."""
    dev = w.info["accounts"]["dev"][first_dev:first_dev + n]
    if len(dev) < n:
        raise WorldError(f"the world has {len(dev)} spare dev accounts, not {n}")
    return sorted(({"address": d["address"], "key": d["key"]} for d in dev), key=lambda m: int(m["address"], 16))


def batch(forced=False):
    """A batch with a fresh transactionsHash; forced ones carry a timestamp."""
    tx_hash = "0x" + os.urandom(32).hex()
    if forced:
        return (tx_hash, "0x" + os.urandom(32).hex(), 1_700_000_000, "0x" + os.urandom(32).hex())
    return (tx_hash, ZERO32, 0, ZERO32)


def signed_hash(batches):
    acc = ZERO32
    for b in batches:
        if b[2] == 0:
            acc = keccak(acc + b[0][2:])
    return acc


def sign(key, digest):
    """65 bytes r ‖ s ‖ v (v 27 or 28) over digest itself, by cast."""
    sig = cast("wallet", "sign", "--no-hash", "--private-key", key, digest).strip()
    if not (sig.startswith("0x") and len(sig) == 132):
        raise WorldError(f"cast wallet sign returned {sig!r}")
    return sig


def message(signatures, members):
    return "0x" + "".join(s[2:] for s in signatures) + "".join(m["address"][2:].lower() for m in members)


def sequence(w, rollup, batches, signatures, members):
    """Sends one sequence with signatures (hex, in order) and the members'
    addresses; returns {tx, block, batch, signed_hash}."""
    last = int(w.call(w.l1, rollup, cast("calldata", "lastBatchSequenced()")), 16)
    head = w.l1("eth_getBlockByNumber", "latest", False)
    tuples = "[" + ",".join(f"({b[0]},{b[1]},{b[2]},{b[3]})" for b in batches) + "]"
    tx = w.send(w.l1, w.info["accounts"][SEQUENCER_ROLE]["key"], rollup, SIGNATURE, tuples,
                str(int(head["timestamp"], 16)), str(last), COINBASE, message(signatures, members))
    receipt = w.wait_receipt(w.l1, tx, "sequenceBatchesValidium")
    return {"tx": tx, "block": int(receipt["blockNumber"], 16), "batch": last + len(batches),
            "signed_hash": signed_hash(batches)}
