"""Differential tests of transaction signing and message digests against
cast (foundry), on random inputs from a printed, reproducible seed
(L2W_TEST_SEED).

  transactions  1000 random transactions of each type signed by l2w_txtool
                must be byte-identical to `cast mktx` (offline: every field
                given on the command line); `cast decode-tx` of our bytes
                must report our transaction hash, and its signer must be the
                sender our decoder recovered and the key's address
  EIP-191       random text messages vs `cast hash-message`, random binary
                messages by signature vs `cast wallet sign 0x..`
  EIP-712       random typed-data documents (nested structs, arrays, every
                atomic type) by signature vs `cast wallet sign --data`:
                cast 1.7.1 has no command that prints the EIP-712 digest,
                and RFC 6979 makes equal signatures mean equal digests

l2w_txtool runs once per batch (JSON lines in, JSON lines out); cast runs
once per item, on the conftest's thread pool."""
import json
import os
import subprocess

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD_DIR = os.environ.get("L2W_BUILD_DIR", os.path.join(REPO, "build", "asan"))
TXTOOL = os.path.join(BUILD_DIR, "l2w_txtool")

N_PER_TYPE = 1000
CURVE_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
MAX_SHOWN = 5
# cast keeps gas prices in 128 bits and panics above (see the report of this
# test's author); the transaction format allows 256.
FEE_BITS = 128
# Chains cast knows and keeps EIP-1559 on; other ids are drawn above 2^16,
# where cast knows no chain that it would silently switch to legacy (it does
# so for some known chains, e.g. 30).
KNOWN_CHAINS = [1, 10, 137, 8453, 42161, 11155111, 31337, 900, 901]
TYPE_NAMES = {0: "legacy", 1: "eip2930", 2: "eip1559"}


def run_txtool(requests):
    """Sends every request to one l2w_txtool process; answers in order."""
    if not os.access(TXTOOL, os.X_OK):
        raise RuntimeError(f"{TXTOOL} is missing: build first (cmake --build --preset asan)")
    text = "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in requests)
    out = subprocess.run([TXTOOL], input=text, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and "Sanitizer" not in out.stderr and "runtime error" not in out.stderr, \
        f"l2w_txtool exited {out.returncode}: {out.stderr[-3000:]}"
    answers = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(answers) == len(requests), f"{len(requests)} requests, {len(answers)} answers"
    return answers


def report(failures, seed, what, total):
    shown = "\n".join(failures[:MAX_SHOWN])
    return (f"{len(failures)} of {total} {what} cases differ "
            f"(reproduce with L2W_TEST_SEED={seed}):\n{shown}")


# --- random values ----------------------------------------------------------


def random_uint(rng, bits):
    """Bit length uniform in 0..bits, so small and huge values both occur."""
    n = rng.randrange(bits + 1)
    return rng.getrandbits(n) if n else 0


def random_key(rng):
    return "0x%064x" % rng.randrange(1, CURVE_N)


def random_hex(rng, n):
    return "0x" + bytes(rng.getrandbits(8) for _ in range(n)).hex()


def random_data_len(rng):
    return rng.choice([0, 0, 1, 4, rng.randrange(0, 64), rng.randrange(0, 600), rng.randrange(1000, 3000)])


def random_chain_id(rng):
    mode = rng.randrange(10)
    if mode < 2:
        return rng.choice(KNOWN_CHAINS)
    if mode == 2:
        return 2**64 - 1  # the largest: legacy v needs 65 bits
    return rng.randrange(2**16, 2 ** rng.randrange(17, 65))


def random_access_list(rng):
    return [{"address": random_hex(rng, 20), "storageKeys": [random_hex(rng, 32) for _ in range(rng.randrange(4))]}
            for _ in range(rng.choice([0, 0, 1, 2, 3]))]


def random_tx(rng, tx_type):
    tx = {"type": tx_type, "chain_id": str(random_chain_id(rng)), "nonce": str(random_uint(rng, 64)),
          "gas_limit": str(random_uint(rng, 64)), "value": str(random_uint(rng, 256)),
          "to": random_hex(rng, 20) if rng.random() < 0.9 else None,
          "data": random_hex(rng, random_data_len(rng))}
    if tx_type == 2:
        tx["max_fee_per_gas"] = str(random_uint(rng, FEE_BITS))
        tx["max_priority_fee_per_gas"] = str(random_uint(rng, FEE_BITS))
    else:
        tx["gas_price"] = str(random_uint(rng, FEE_BITS))
    if tx_type != 0:
        tx["access_list"] = random_access_list(rng)
    return tx


def mktx_argv(tx, key):
    """`cast mktx` arguments that need no RPC: nonce, gas, fees and chain all
    given. Type 1 is --legacy plus an access list (even an empty one)."""
    argv = ["mktx", "--private-key", key, "--nonce", tx["nonce"], "--gas-limit", tx["gas_limit"],
            "--value", tx["value"], "--chain", tx["chain_id"]]
    if tx["type"] == 2:
        argv += ["--gas-price", tx["max_fee_per_gas"], "--priority-gas-price", tx["max_priority_fee_per_gas"]]
    else:
        argv += ["--legacy", "--gas-price", tx["gas_price"]]
    if tx["type"] != 0:
        argv += ["--access-list", json.dumps(tx["access_list"])]
    if tx["to"] is None:
        return argv + ["--create", tx["data"]]
    return argv + [tx["to"]] + ([tx["data"]] if tx["data"] != "0x" else [])


def decoded_cast_tx(stdout):
    """cast decode-tx prints the JSON object as a JSON string; unwrap it."""
    value = json.loads(stdout)
    return json.loads(value) if isinstance(value, str) else value


# --- transactions -------------------------------------------------------------


def compare_tx(tx, mine, made, decoded):
    """Differences between our answer and cast's for one transaction."""
    ok, cast_raw, err = made
    if "error" in mine:
        return [f"l2w_txtool: {mine['error']}"]
    if not ok:
        return [f"cast mktx failed: {err[:300]}"]
    problems = []
    if mine["raw"] != cast_raw:
        problems.append(f"raw differs:\n  mine {mine['raw'][:200]}\n  cast {cast_raw[:200]}")
    if not mine["reencodes"]:
        problems.append("decode + encode of our raw is not our raw")
    if mine["sender"] != mine["address"]:
        problems.append(f"recovered sender {mine['sender']} is not the key's address {mine['address']}")
    ok, out, err = decoded
    if not ok:
        return problems + [f"cast decode-tx of our raw failed: {err[:300]}"]
    theirs = decoded_cast_tx(out)
    if theirs.get("hash") != mine["hash"]:
        problems.append(f"tx hash: mine {mine['hash']} cast {theirs.get('hash')}")
    if str(theirs.get("signer", "")).lower() != mine["sender"]:
        problems.append(f"signer: cast {theirs.get('signer')} mine {mine['sender']}")
    if int(theirs.get("type", "0x0"), 16) != tx["type"]:
        problems.append(f"cast decodes type {theirs.get('type')}")
    return problems


@pytest.mark.parametrize("tx_type", [0, 1, 2], ids=lambda t: TYPE_NAMES[t])
def test_signed_tx_vs_cast(cast, rng, seed, timed, tx_type):
    cases = [(random_tx(rng, tx_type), random_key(rng)) for _ in range(N_PER_TYPE)]
    mine = run_txtool([{"op": "sign_tx", "key": key, "tx": tx} for tx, key in cases])
    made = cast.run_many([mktx_argv(tx, key) for tx, key in cases])
    decoded = cast.run_many([("decode-tx", m.get("raw", "0x")) for m in mine])
    failures = []
    for (tx, key), m, mk, dc in zip(cases, mine, made, decoded):
        problems = compare_tx(tx, m, mk, dc)
        if problems:
            failures.append(f"{json.dumps(tx)[:300]} key {key}: " + "; ".join(problems))
    assert not failures, report(failures, seed, TYPE_NAMES[tx_type] + " transaction", len(cases))


def test_decoder_reads_what_it_signed(rng, seed):
    """decode_tx of signed bytes gives back every field that went in."""
    cases = [random_tx(rng, t) for t in (0, 1, 2) for _ in range(100)]
    signed = run_txtool([{"op": "sign_tx", "key": random_key(rng), "tx": tx} for tx in cases])
    back = run_txtool([{"op": "decode_tx", "raw": s["raw"]} for s in signed])
    failures = []
    for tx, s, b in zip(cases, signed, back):
        got = b.get("tx", {})
        for field in ("type", "chain_id", "nonce", "gas_limit", "value", "to", "data", "access_list",
                      "gas_price", "max_fee_per_gas", "max_priority_fee_per_gas"):
            if field in tx and got.get(field) != tx[field]:
                failures.append(f"{field}: sent {tx[field]!r} decoded {got.get(field)!r} ({b.get('error')})")
        if b.get("sender") != s["address"] or b.get("hash") != s["hash"]:
            failures.append(f"sender/hash of {s['raw'][:80]}: {b}")
    assert not failures, report(failures, seed, "decode", len(cases))


def mutate(rng, raw_hex):
    """One random damage: cut, extra byte, flipped byte or inserted byte."""
    b = bytearray.fromhex(raw_hex[2:])
    mode, at = rng.randrange(4), rng.randrange(len(b))
    if mode == 0:
        del b[at:]
    elif mode == 1:
        b.append(rng.getrandbits(8))
    elif mode == 2:
        b[at] ^= 1 << rng.randrange(8)
    else:
        b.insert(at, rng.getrandbits(8))
    return "0x" + b.hex()


def test_mutated_raw_vs_cast_decode(cast, rng, seed, timed):
    """Damaged transactions: whatever our decoder accepts, cast must accept
    with the same hash and signer. (We refuse some that cast takes, e.g. a
    high s; those are counted and printed, not failures.)"""
    signed = run_txtool([{"op": "sign_tx", "key": random_key(rng), "tx": random_tx(rng, rng.randrange(3))}
                         for _ in range(300)])
    mutated = [mutate(rng, s["raw"]) for s in signed]
    mine = run_txtool([{"op": "decode_tx", "raw": m} for m in mutated])
    theirs = cast.run_many([("decode-tx", m) for m in mutated])
    failures, only_cast = [], []
    for raw, m, (ok, out, err) in zip(mutated, mine, theirs):
        if "error" in m:
            if ok:
                only_cast.append(f"{raw[:60]}..: {m['error']}")
            continue
        theirs_tx = decoded_cast_tx(out) if ok else {}
        if not ok or theirs_tx.get("hash") != m["hash"] or str(theirs_tx.get("signer")).lower() != m["sender"]:
            failures.append(f"{raw[:100]}: mine {m} cast {out[:200] or err[:200]}")
    print(f"mutated: {sum('error' not in m for m in mine)} accepted by both, "
          f"{len(only_cast)} refused only by us" + "".join(f"\n  {x}" for x in only_cast[:MAX_SHOWN]))
    assert not failures, report(failures, seed, "mutated transaction", len(mutated))


# --- EIP-191 ------------------------------------------------------------------


def random_text(rng):
    """Text cast can take as an argument: no NUL; ASCII, controls, multi-byte
    UTF-8; never starting with 0x (cast hash-message hashes "0x.." as text
    but other cast commands decode it, so it is avoided as ambiguous)."""
    alphabet = "abcdefXYZ 0123456789\n\t!\"#$%&'()*+,-./:;<=>?@[]^_`{|}~" + "éß€😀中"
    n = rng.choice([0, 1, 2, rng.randrange(3, 40), rng.randrange(40, 400)])
    text = "".join(rng.choice(alphabet) for _ in range(n))
    return text if not text.startswith("0x") else "x" + text


def test_personal_message_vs_cast(cast, rng, seed, timed):
    texts = [random_text(rng) for _ in range(1000)]
    mine = run_txtool([{"op": "personal", "msg": "0x" + t.encode().hex()} for t in texts])
    theirs = cast.run_many([("hash-message", "--", t) for t in texts])
    failures = [f"{t!r}: mine {m} cast {out or err}" for t, m, (ok, out, err) in zip(texts, mine, theirs)
                if not ok or m.get("digest") != out]
    assert not failures, report(failures, seed, "EIP-191 text", len(texts))


def test_personal_binary_vs_cast_signature(cast, rng, seed, timed):
    """Arbitrary bytes (NUL included) through `cast wallet sign 0x..`, which
    hex-decodes its message: equal signatures mean equal digests."""
    cases = [(random_hex(rng, rng.choice([0, 1, 32, rng.randrange(1, 300)])), random_key(rng)) for _ in range(150)]
    mine = run_txtool([{"op": "personal", "msg": m, "key": k} for m, k in cases])
    theirs = cast.run_many([("wallet", "sign", "--private-key", k, m) for m, k in cases])
    failures = [f"{m[:80]}: mine {mm.get('signature') or mm.get('error')} cast {out or err[:200]}"
                for (m, k), mm, (ok, out, err) in zip(cases, mine, theirs) if not ok or mm.get("signature") != out]
    assert not failures, report(failures, seed, "EIP-191 binary", len(cases))


# --- EIP-712 ------------------------------------------------------------------


ATOMIC = ["bool", "address", "string", "bytes"] + [f"uint{8 * i}" for i in range(1, 33)] + \
    [f"int{8 * i}" for i in range(1, 33)] + [f"bytes{i}" for i in range(1, 33)]


class DocBuilder:
    """A random typed-data document: a few struct types, each field atomic,
    an earlier-defined struct (so no cycles) or an array of those."""

    def __init__(self, rng):
        self.rng = rng
        self.structs = {}

    def field_type(self, depth):
        rng = self.rng
        base = rng.choice(ATOMIC)
        if self.structs and rng.random() < 0.3:
            base = rng.choice(sorted(self.structs))
        for _ in range(rng.choice([0, 0, 0, 1, 1, 2]) if depth < 2 else 0):
            base += rng.choice(["[]", f"[{rng.randrange(1, 4)}]"])
        return base

    def add_struct(self, name):
        n = self.rng.randrange(1, 5)
        self.structs[name] = [{"name": f"f{i}_{self.rng.randrange(100)}", "type": self.field_type(0)}
                              for i in range(n)]

    def value(self, type_, depth=0):
        rng = self.rng
        if type_.endswith("]"):
            inner, dim = type_[:type_.rindex("[")], type_[type_.rindex("[") + 1:-1]
            n = int(dim) if dim else rng.randrange(0, 3 if depth < 3 else 1)
            return [self.value(inner, depth + 1) for _ in range(n)]
        if type_ in self.structs:
            return {f["name"]: self.value(f["type"], depth + 1) for f in self.structs[type_]}
        return atomic_value(rng, type_)


def atomic_value(rng, type_):
    if type_ == "bool":
        return rng.random() < 0.5
    if type_ == "address":
        return random_hex(rng, 20)
    if type_ == "string":
        return random_text(rng)[:60]
    if type_ == "bytes":
        return random_hex(rng, rng.randrange(0, 70))
    if type_.startswith("bytes"):
        return random_hex(rng, int(type_[5:]))
    bits = int(type_.lstrip("uint"))
    if type_.startswith("uint"):
        return integer_text(rng, random_uint(rng, bits))
    v = random_uint(rng, bits - 1)
    # -v - 1 reaches the most negative value, -2^(bits-1).
    return integer_text(rng, -v - 1 if rng.random() < 0.5 else v)


def integer_text(rng, v):
    """A JSON integer (when small), a decimal string, or a 0x hex string.
    JSON integers stay within 2^53: jansson (like JavaScript) cannot hold
    larger ones, and wallets send those as strings."""
    mode = rng.randrange(3)
    if mode == 0 and -2**53 < v < 2**53:
        return v
    if mode == 1 and v >= 0:
        return hex(v)
    return str(v)


DOMAIN_FIELDS = [("name", "string"), ("version", "string"), ("chainId", "uint256"),
                 ("verifyingContract", "address"), ("salt", "bytes32")]


def random_domain(rng):
    fields = [f for f in DOMAIN_FIELDS if rng.random() < 0.7] or [DOMAIN_FIELDS[0]]
    values = {"name": random_text(rng)[:20], "version": str(rng.randrange(10)),
              "chainId": integer_text(rng, rng.choice([1, 31337, random_uint(rng, 256)])),
              "verifyingContract": random_hex(rng, 20),
              "salt": random_hex(rng, 32)}
    return [{"name": n, "type": t} for n, t in fields], {n: values[n] for n, _ in fields}


def random_typed_doc(rng):
    b = DocBuilder(rng)
    names = rng.sample(["Zeta", "Mail", "Person", "Asset", "Order", "B", "a_lower", "Item"], rng.randrange(1, 5))
    for name in names:
        b.add_struct(name)
    primary = names[-1]
    domain_type, domain = random_domain(rng)
    types = dict(b.structs)
    if rng.random() < 0.8:  # else implied from the domain's fields
        types["EIP712Domain"] = domain_type
    return {"types": types, "primaryType": primary, "domain": domain, "message": b.value(primary)}


def test_typed_data_vs_cast_signature(cast, rng, seed, timed):
    cases = [(random_typed_doc(rng), random_key(rng)) for _ in range(400)]
    mine = run_txtool([{"op": "typed", "doc": doc, "key": key} for doc, key in cases])
    theirs = cast.run_many([("wallet", "sign", "--private-key", key, "--data", json.dumps(doc))
                            for doc, key in cases])
    failures = []
    for (doc, key), m, (ok, out, err) in zip(cases, mine, theirs):
        if not ok or m.get("signature") != out:
            failures.append(f"{json.dumps(doc)[:400]}: mine {m.get('signature') or m.get('error')} "
                            f"cast {out or err[:300]}")
    assert not failures, report(failures, seed, "EIP-712", len(cases))
