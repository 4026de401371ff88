"""Differential tests of the core codecs against cast (foundry) and Python
integers, on random inputs from a printed, reproducible seed.

  keccak      l2w_keccak256 vs `cast keccak`, every length around the rate
  u256        dec<->hex vs `cast to-hex`, `cast to-dec`, `cast --to-base`,
              ABI uint256 words vs `cast abi-encode`, arithmetic vs Python
  abi-encode  random nested types and values vs `cast abi-encode`
  abi-decode  cast's encodings (and mutations of them) vs `cast abi-decode --json`

Each test checks at least 1000 inputs; failures name the seed."""
import json
import random

import pytest

N = 1000
MAX_SHOWN = 5
U256_MAX = 2**256 - 1


def report(failures, seed, what, total):
    shown = "\n".join(failures[:MAX_SHOWN])
    return (f"{len(failures)} of {total} {what} cases differ "
            f"(reproduce with L2W_TEST_SEED={seed}):\n{shown}")


# --- keccak ---------------------------------------------------------------


def test_keccak_vs_cast(codec, cast, rng, seed, timed):
    # Every length from 0 to 300 (the rate is 136: 135, 136, 137, 271, 272,
    # 273 are the interesting ones), then random lengths up to 2000 bytes.
    lengths = list(range(0, 301)) + [rng.randrange(0, 2001) for _ in range(N - 300)]
    inputs = [bytes(rng.getrandbits(8) for _ in range(n)) for n in lengths]
    answers = cast.run_many([("keccak", "0x" + b.hex()) for b in inputs])
    failures = []
    for data, (ok, want, err) in zip(inputs, answers):
        mine = codec.ask("keccak 0x" + data.hex())
        if not ok or mine != want:
            failures.append(f"len {len(data)} 0x{data.hex()[:80]}: mine {mine} cast {want or err}")
    assert not failures, report(failures, seed, "keccak", len(inputs))
    assert len(inputs) >= N


# --- u256 -----------------------------------------------------------------


def random_u256(rng):
    mode = rng.randrange(8)
    if mode == 0:
        return rng.choice([0, 1, 2, 2**64 - 1, 2**64, 2**128 - 1, 2**128, 2**255, U256_MAX - 1, U256_MAX])
    bits = rng.randrange(0, 257)
    return rng.getrandbits(bits) if bits else 0


def hex_text(rng, v, max_digits=64):
    """0x hex of v in random case, sometimes with leading zeros."""
    digits = format(v, "x")
    room = max_digits - len(digits)
    if room > 0 and rng.random() < 0.3:
        digits = "0" * rng.randrange(1, room + 1) + digits
    digits = "".join(c.upper() if rng.random() < 0.3 else c for c in digits)
    return "0x" + digits


def dec_text(rng, v):
    s = str(v)
    return ("0" * rng.randrange(1, 4) + s) if rng.random() < 0.1 else s


def test_u256_conversions_vs_cast(codec, cast, rng, seed, timed):
    values = [random_u256(rng) for _ in range(N)]
    # Out of range on purpose: both must refuse 2^256 and above.
    values += [U256_MAX + 1 + rng.getrandbits(rng.randrange(1, 64)) for _ in range(30)]
    decs = [dec_text(rng, v) for v in values]
    hexes = [hex_text(rng, v, 70) if v > U256_MAX else hex_text(rng, v) for v in values]
    to_hex = cast.run_many([("to-hex", d) for d in decs])
    to_dec = cast.run_many([("to-dec", h) for h in hexes])
    subset = list(range(0, len(values), 4))
    base16 = cast.run_many([("--to-base", decs[i], "16") for i in subset])
    base10 = cast.run_many([("--to-base", hexes[i], "10") for i in subset])
    by_base16, by_base10 = dict(zip(subset, base16)), dict(zip(subset, base10))
    failures = []
    for i, v in enumerate(values):
        fits = v <= U256_MAX
        mine_hex = codec.ask("u256 dec2hex " + decs[i])
        mine_dec = codec.ask("u256 hex2dec " + hexes[i])
        if fits:
            expect = [(mine_hex, hex(v), "dec2hex vs python"), (mine_dec, str(v), "hex2dec vs python"),
                      (mine_hex, to_hex[i][1], "dec2hex vs cast to-hex"),
                      (mine_dec, to_dec[i][1], "hex2dec vs cast to-dec")]
            if i in by_base16:
                expect += [(mine_hex, by_base16[i][1], "vs cast --to-base 16"),
                           (mine_dec, by_base10[i][1], "vs cast --to-base 10")]
            for got, want, what in expect:
                if got != want:
                    failures.append(f"{what}: {decs[i]} / {hexes[i]}: mine {got} want {want}")
        else:
            if not (mine_hex.startswith("error:") and mine_dec.startswith("error:")):
                failures.append(f"out of range {decs[i]} accepted: {mine_hex} {mine_dec}")
            if to_hex[i][0] or to_dec[i][0]:
                failures.append(f"cast accepted out-of-range {decs[i]}: {to_hex[i][1]} {to_dec[i][1]}")
    assert not failures, report(failures, seed, "u256 conversion", len(values))


def test_u256_abi_words_vs_cast(codec, cast, rng, seed, timed):
    # uint256 through the ABI: cast parses each value, l2w parses it with
    # u256, both write the 32-byte word. 25 values per cast call.
    values = [random_u256(rng) for _ in range(N)]
    batches = [values[i:i + 25] for i in range(0, len(values), 25)]
    texts = [[hex_text(rng, v) if rng.random() < 0.5 else dec_text(rng, v) for v in b] for b in batches]
    answers = cast.run_many([("abi-encode", "f(uint256[])", "[" + ",".join(t) + "]") for t in texts])
    failures = []
    for t, (ok, want, err) in zip(texts, answers):
        mine = codec.ask("abi-encode (uint256[]) ([" + ", ".join(t) + "])")
        if not ok or mine != want:
            failures.append(f"{t}: mine {mine[:100]} cast {(want or err)[:100]}")
    assert not failures, report(failures, seed, "uint256 ABI batch", len(batches))


def test_u256_arithmetic_vs_python(codec, rng, seed, timed):
    failures = []
    ops = {
        "add": lambda a, b: a + b,
        "sub": lambda a, b: a - b,
        "mul": lambda a, b: a * b,
        "div": lambda a, b: a // b if b else None,
        "mod": lambda a, b: a % b if b else None,
    }
    count = 0
    for _ in range(N):
        a, b = random_u256(rng), random_u256(rng)
        if rng.random() < 0.05:
            b = 0
        for op, fn in ops.items():
            count += 1
            want = fn(a, b)
            ok = want is not None and 0 <= want <= U256_MAX
            ta = hex_text(rng, a) if rng.random() < 0.3 else str(a)
            mine = codec.ask(f"u256 {op} {ta} {b}")
            if ok and mine != str(want):
                failures.append(f"{op} {a} {b}: mine {mine} want {want}")
            if not ok and not mine.startswith("error:"):
                failures.append(f"{op} {a} {b}: mine {mine}, want an error")
    assert not failures, report(failures, seed, "u256 arithmetic", count)
    assert count >= N


def test_u256_rejects_malformed(codec, rng, seed):
    # Strict text: no sign, no whitespace, no other characters, not empty;
    # hex needs 0x and 1..64 digits.
    bad_dec = ["", "-1", "+1", " 1", "1 ", "1a", "0x1", "1e3", "1_0", "١", "1.0", "\t7"]
    bad_hex = ["", "0x", "1f", "0x-1", "-0x1", " 0x1", "0x1 ", "0xg", "0x" + "0" * 65, "x12", "0x1_0"]
    for _ in range(100):
        s = str(random_u256(rng))
        pos = rng.randrange(len(s) + 1)
        bad_dec.append(s[:pos] + rng.choice(" -+x.,\t/:a") + s[pos:])
        h = format(random_u256(rng), "x")
        pos = rng.randrange(len(h) + 1)
        bad_hex.append("0x" + h[:pos] + rng.choice(" -+xg.,/:G") + h[pos:])
    failures = [f"dec2hex {s!r}: {a}" for s in bad_dec if not (a := codec.ask("u256 dec2hex " + s)).startswith("error:")]
    failures += [f"hex2dec {s!r}: {a}" for s in bad_hex if not (a := codec.ask("u256 hex2dec " + s)).startswith("error:")]
    assert not failures, report(failures, seed, "malformed u256 text", len(bad_dec) + len(bad_hex))


# --- ABI model ------------------------------------------------------------
# Types are tuples: ("uint", bits) ("int", bits) ("address",) ("bool",)
# ("fbytes", n) ("bytes",) ("string",) ("array", elem) ("farray", elem, k)
# ("tuple", [fields]). Values are Python ints, bools, bytes, str and lists.


def type_str(t):
    k = t[0]
    if k in ("uint", "int"):
        return f"{k}{t[1]}"
    if k == "fbytes":
        return f"bytes{t[1]}"
    if k in ("address", "bool", "bytes", "string"):
        return k
    if k == "array":
        return type_str(t[1]) + "[]"
    if k == "farray":
        return f"{type_str(t[1])}[{t[2]}]"
    return "(" + ",".join(type_str(f) for f in t[1]) + ")"


def gen_type(rng, depth):
    leaf = depth >= 4
    pick = rng.randrange(7 if leaf else 10)
    if pick == 0:
        return ("uint", 8 * rng.randrange(1, 33))
    if pick == 1:
        return ("int", 8 * rng.randrange(1, 33))
    if pick == 2:
        return ("address",)
    if pick == 3:
        return ("bool",)
    if pick == 4:
        return ("fbytes", rng.randrange(1, 33))
    if pick == 5:
        return ("bytes",)
    if pick == 6:
        return ("string",)
    if pick in (7, 8):
        return ("tuple", [gen_type(rng, depth + 1) for _ in range(rng.randrange(1, 4))])
    elem = gen_type(rng, depth + 2)
    return ("array", elem) if rng.random() < 0.5 else ("farray", elem, rng.randrange(1, 4))


def gen_args(rng):
    return [gen_type(rng, 1) for _ in range(rng.randrange(1, 5))]


# Nested strings go to cast inside "...", which has no escapes: no quote or
# backslash there. Top-level strings reach cast as a whole argv entry.
NESTED_CHARS = "abcXYZ019 ,()[]-_.:;!?#$%&*+=<>/@^`{|}~'\té∂😀"
TOP_CHARS = NESTED_CHARS + "\"\\\n\r\x01\x7f"


def gen_string(rng, top):
    n = rng.choice([0, 1, 2, 5, 31, 32, 33, rng.randrange(0, 80)])
    s = "".join(rng.choice(TOP_CHARS if top else NESTED_CHARS) for _ in range(n))
    if top:
        # cast reads a top-level argument that starts with a quote (' or ")
        # as a quoted string and drops trailing whitespace; keep clear of both.
        s = s.lstrip("'\"").rstrip(" \t\r\n")
    return s


def gen_int(rng, lo, hi):
    mode = rng.randrange(6)
    if mode == 0:
        return rng.choice([lo, hi, 0, 1, -1 if lo < 0 else 2])
    if mode == 1:
        return rng.randrange(-128 if lo < 0 else 0, 128)
    width = (hi - lo).bit_length()
    v = rng.getrandbits(rng.randrange(1, width + 1))
    if lo < 0 and rng.random() < 0.5:
        v = -v
    return min(max(v, lo), hi)


def gen_value(rng, t, top=False):
    k = t[0]
    if k == "uint":
        return gen_int(rng, 0, 2**t[1] - 1)
    if k == "int":
        return gen_int(rng, -2**(t[1] - 1), 2**(t[1] - 1) - 1)
    if k == "address":
        return bytes(rng.getrandbits(8) for _ in range(20))
    if k == "bool":
        return rng.random() < 0.5
    if k == "fbytes":
        return bytes(rng.getrandbits(8) for _ in range(t[1]))
    if k == "bytes":
        return bytes(rng.getrandbits(8) for _ in range(rng.choice([0, 1, 31, 32, 33, rng.randrange(0, 100)])))
    if k == "string":
        return gen_string(rng, top)
    if k == "array":
        return [gen_value(rng, t[1]) for _ in range(rng.choice([0, 1, 2, 3]))]
    if k == "farray":
        return [gen_value(rng, t[1]) for _ in range(t[2])]
    return [gen_value(rng, f) for f in t[1]]


def int_text(rng, v):
    if rng.random() < 0.5:
        return str(v)
    return ("-" if v < 0 else "") + hex(abs(v))


def quote_mine(s):
    out = []
    for ch in s:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7f:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def render(rng, t, v, for_cast, top=False):
    """Value text: l2w_abi_value_parse syntax, or cast's argument syntax."""
    k = t[0]
    if k in ("uint", "int"):
        return int_text(rng, v)
    if k == "bool":
        return "true" if v else "false"
    if k in ("address", "fbytes", "bytes"):
        return "0x" + v.hex()
    if k == "string":
        if for_cast:
            return v if top else '"' + v + '"'
        return quote_mine(v)
    sep = rng.choice([",", ", "])
    items = t[1] if k == "tuple" else [t[1]] * len(v)
    inner = sep.join(render(rng, it, iv, for_cast) for it, iv in zip(items, v))
    return ("(" if k == "tuple" else "[") + inner + (")" if k == "tuple" else "]")


def _text_hex(b, drop_del):
    # cast's JSON output leaves out DEL (0x7f) characters of strings, so
    # comparisons with cast drop them on both sides.
    return (b.replace(b"\x7f", b"") if drop_del else b).hex()


def canon(t, v, drop_del=False):
    """A comparable form of a value: ints, bools, hex of bytes, lists."""
    k = t[0]
    if k in ("uint", "int"):
        return int(v)
    if k == "bool":
        return bool(v)
    if k == "string":
        return _text_hex(v.encode("utf-8", "surrogateescape"), drop_del)
    if k in ("address", "fbytes", "bytes"):
        return v.hex()
    items = t[1] if k == "tuple" else [t[1]] * len(v)
    return [canon(it, iv, drop_del) for it, iv in zip(items, v)]


def canon_mine(t, j, drop_del=False):
    """l2w_codec's JSON: integers as decimal strings, every byte string as hex."""
    k = t[0]
    if k in ("uint", "int"):
        return int(j)
    if k == "bool":
        return j
    if k == "string":
        return _text_hex(bytes.fromhex(j[2:]), drop_del)
    if k in ("address", "fbytes", "bytes"):
        return j.removeprefix("0x")
    items = t[1] if k == "tuple" else [t[1]] * len(j)
    return [canon_mine(it, ij, drop_del) for it, ij in zip(items, j)]


class CastPrintedJson(Exception):
    """cast --json prints a string whose text is itself JSON ("{}", "[1]",
    "true") as that JSON value, not as a string: the text is lost."""


def canon_cast(t, j):
    """cast --json: numbers or decimal strings, checksummed addresses, text strings."""
    k = t[0]
    if k in ("uint", "int"):
        return int(j)
    if k == "bool":
        return j
    if k == "string":
        if not isinstance(j, str):
            raise CastPrintedJson(j)
        return _text_hex(j.encode("utf-8", "surrogateescape"), True)
    if k in ("address", "fbytes", "bytes"):
        return j.lower().removeprefix("0x")
    items = t[1] if k == "tuple" else [t[1]] * len(j)
    return [canon_cast(it, ij) for it, ij in zip(items, j)]


def encode_case(rng, args):
    values = [gen_value(rng, t, top=True) for t in args]
    sig_types = ",".join(type_str(t) for t in args)
    cast_argv = ["abi-encode", f"f({sig_types})"] + [render(rng, t, v, True, top=True) for t, v in zip(args, values)]
    tup = ("tuple", args)
    mine_line = f"abi-encode ({sig_types}) " + render(rng, tup, values, False)
    return values, cast_argv, mine_line


def test_abi_encode_vs_cast(codec, cast, rng, seed, timed):
    cases = []
    for _ in range(N):
        args = gen_args(rng)
        cases.append((args,) + encode_case(rng, args))
    answers = cast.run_many([c[2] for c in cases])
    failures = []
    for (args, values, argv, line), (ok, want, err) in zip(cases, answers):
        mine = codec.ask(line)
        if not ok:
            failures.append(f"cast refused {argv!r}: {err[:300]}")
        elif mine != want:
            failures.append(f"{line[:300]}\n  mine {mine[:200]}\n  cast {want[:200]}")
    assert not failures, report(failures, seed, "abi-encode", len(cases))


# --- abi-decode -------------------------------------------------------------


def mutate(rng, data):
    """One corruption of an encoding, of a kind a hostile peer would try."""
    b = bytearray(data)
    kind = rng.randrange(6)
    if kind == 0 and b:
        b[rng.randrange(len(b))] = rng.getrandbits(8)
    elif kind == 1 and b:
        del b[rng.randrange(len(b)):]
    elif kind == 2 and len(b) >= 32:
        w = 32 * rng.randrange(len(b) // 32)
        b[w + rng.randrange(0, 31)] |= 1 << rng.randrange(8)  # a high byte of some word
    elif kind == 3 and len(b) >= 32:
        w = 32 * rng.randrange(len(b) // 32)
        big = rng.choice([2**64, 2**255, 2**256 - 1, len(b), len(b) + 32, len(b) - 31, 0x20 * rng.randrange(1, 8)])
        b[w:w + 32] = (big % 2**256).to_bytes(32, "big")
    elif kind == 4:
        b += bytes(rng.getrandbits(8) for _ in range(rng.randrange(1, 64)))
    else:
        # bool-ish and small values in every word: plausible but wrong shapes.
        for w in range(0, len(b) - 31, 32):
            if rng.random() < 0.2:
                b[w:w + 32] = rng.randrange(0, 4).to_bytes(32, "big")
    return bytes(b)


# Why l2w may refuse what cast accepts: the decoder checks padding as
# Solidity's does (cast does not), and bounds overlapping tails.
STRICTER = ("dirty padding", "neither 0 nor 1", "overlapping offsets")


def test_abi_decode_vs_cast(codec, cast, rng, seed, timed):
    cases = []
    for _ in range(N):
        args = gen_args(rng)
        values, argv, _ = encode_case(rng, args)
        cases.append((args, values, argv))
    encoded = cast.run_many([c[2] for c in cases])
    inputs = []  # (args, values or None if mutated, hex)
    for (args, values, argv), (ok, enc, err) in zip(cases, encoded):
        assert ok, f"cast refused {argv!r}: {err} (L2W_TEST_SEED={seed})"
        inputs.append((args, values, enc))
        if rng.random() < 0.5:
            inputs.append((args, None, "0x" + mutate(rng, bytes.fromhex(enc[2:])).hex()))
    types = ["(" + ",".join(type_str(t) for t in args) + ")" for args, _, _ in inputs]
    decoded = cast.run_many([("abi-decode", "--json", f"f(){ty}", h) for ty, (_, _, h) in zip(types, inputs)])
    failures, stricter, lossy, compared, both_refused = [], 0, 0, 0, 0
    for ty, (args, values, h), (cok, cout, cerr) in zip(types, inputs, decoded):
        tup = ("tuple", args)
        mine = codec.ask(f"abi-decode {ty} {h}")
        mok = not mine.startswith("error:")
        where = f"{ty} {h[:200]}{'...' if len(h) > 200 else ''}"
        if values is not None:
            # A valid encoding: both decode it, to the value that was encoded.
            if not (mok and cok):
                failures.append(f"valid input refused: {where}\n  mine {mine[:200]}\n  cast {cerr[:200]}")
                continue
            mj = json.loads(mine)
            try:
                cast_ok = canon_cast(tup, json.loads(cout)) == canon(tup, values, True)
            except CastPrintedJson:
                cast_ok, lossy = True, lossy + 1  # cast's rendering lost the text: compare l2w alone
            if canon_mine(tup, mj) != canon(tup, values) or not cast_ok:
                failures.append(f"wrong value: {where}\n  mine {mine[:300]}\n  cast {cout[:300]}")
                continue
            # Formatting the decoded value and parsing it back gives the input.
            text = codec.ask(f"abi-format {ty} {h}")
            again = codec.ask(f"abi-encode {ty} {text}")
            if again != h:
                failures.append(f"format/parse round trip: {where}\n  text {text[:200]}\n  got {again[:200]}")
            continue
        # A mutated encoding: whatever l2w accepts, cast must accept with the
        # same value; what only cast accepts must be a documented strictness.
        if mok and not cok:
            failures.append(f"l2w accepted what cast refused: {where}\n  mine {mine[:200]}\n  cast {cerr[:200]}")
        elif mok and cok:
            try:
                cv = canon_cast(tup, json.loads(cout))
            except CastPrintedJson:
                cv = None
            if "\ufffd" in cout or cv is None:
                lossy += 1  # cast replaced invalid UTF-8 or printed a string as JSON: nothing to compare
            elif canon_mine(tup, json.loads(mine), True) != cv:
                failures.append(f"mutated input decoded differently: {where}\n  mine {mine[:300]}\n  cast {cout[:300]}")
            else:
                compared += 1
        elif cok and not mok:
            if any(s in mine for s in STRICTER):
                stricter += 1
            else:
                failures.append(f"l2w refused what cast accepted: {where}\n  mine {mine[:300]}\n  cast {cout[:200]}")
        else:
            both_refused += 1
    print(f"abi-decode: {len(inputs)} inputs; mutated: {compared} decoded alike, {both_refused} refused by both, "
          f"{stricter} refused by l2w's padding/overlap checks only, {lossy} that cast printed lossily (invalid UTF-8, a string that is JSON) not compared")
    assert not failures, report(failures, seed, "abi-decode", len(inputs))
    assert sum(1 for i in inputs if i[1] is not None) >= N


def test_selectors_vs_cast(codec, cast, rng, seed):
    sigs = []
    for i in range(200):
        name = rng.choice(["f", "transfer", "proposeL2Output", "_x$1", "OutputProposed"]) + str(i)
        sigs.append(name + "(" + ",".join(type_str(t) for t in gen_args(rng)) + ")")
    sels = cast.run_many([("sig", s) for s in sigs])
    topics = cast.run_many([("keccak", s) for s in sigs])
    failures = []
    for s, (ok1, sel, e1), (ok2, topic, e2) in zip(sigs, sels, topics):
        mine_sel, mine_topic = codec.ask("selector " + s), codec.ask("topic " + s)
        if not (ok1 and ok2) or mine_sel != sel or mine_topic != topic:
            failures.append(f"{s}: mine {mine_sel} {mine_topic} cast {sel or e1} {topic or e2}")
    assert not failures, report(failures, seed, "selector", len(sigs))
