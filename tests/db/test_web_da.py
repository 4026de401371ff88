"""Data availability and liveness on the web, against a real PostgreSQL and
real HTTP: GET /api/v1/da, /api/v1/da/commitments (paging and every
refusal), /api/v1/liveness, /api/v1/liveness/intervals and the dashboard's
DA & liveness page (/da). The store is seeded directly (a read-only view);
every figure is computed here, independently, from the seeded rows: counts
by status and kind, the last posting, and each series' band replayed the
way the rule does it (events in the guard's order, a refused event
skipped, the window's population statistics with the 1 s floor)."""
import html.parser
import json
import math
import re
import time

import pytest

from webalerts_util import config_head

NOW = int(time.time())
T0 = NOW - 200_000


def addr(last):
    return "0x" + "0" * 38 + last


INBOX, BATCHER, CHALLENGE, ORACLE = addr("10"), addr("11"), addr("12"), addr("13")
# Servers with credentials, a key in the path and one in the query: none of it may be shown.
SERVER_SECRET = "http://user:pw@127.0.0.1:9/v1/KEYINPATH?key=SECRET1"
SERVER_PLAIN = "https://da.example:8443"
BEACON_SECRET = "http://127.0.0.1:9/eth?apikey=SECRET2"
SERVED_SECRET = "http://bob:hunter2@da.example:3100/get?token=SECRET3"
HOSTILE_ERROR = "<script>alert(1)</script> timeout & 404"

# liveness: series as configured below; None = the kind's default.
SERIES = {
    ("op", "batches"): dict(max_interval_s=3600, min_gap_s=None, min_samples=5, window=10, z_threshold=None),
    ("op", "proposals"): dict(max_interval_s=None, min_gap_s=None, min_samples=None, window=None, z_threshold=None),
    ("op", "l2_head"): dict(max_interval_s=None, min_gap_s=5, min_samples=2, window=4, z_threshold=3),
    ("alt", "batches"): dict(max_interval_s=None, min_gap_s=None, min_samples=None, window=None, z_threshold=None),
}
DEFAULTS = {  # detectors/liveness.h
    "batches": dict(max_interval_s=14_400, min_gap_s=600, min_samples=20, window=1024, z_threshold=15),
    "proposals": dict(max_interval_s=14_400, min_gap_s=1800, min_samples=20, window=1024, z_threshold=15),
    "l2_head": dict(max_interval_s=600, min_gap_s=60, min_samples=20, window=1024, z_threshold=15),
}
LIMIT_NAMES = ["max_interval_s", "min_gap_s", "min_samples", "window", "z_threshold"]


def config_text(database_url, with_da=True):
    text = config_head(database_url, ORACLE) + f"""  - name: alt
    role: l2
    chain_id: 902
    l1: l1
    rpc: ["http://127.0.0.1:9"]
    l2_output_oracle: "{addr('23')}"
"""
    if not with_da:
        return text
    text += f"""da:
  - chain: op
    batch_inbox: "{INBOX}"
    batcher: "{BATCHER}"
    servers: ["{SERVER_SECRET}", "{SERVER_PLAIN}"]
    challenge_contract: "{CHALLENGE}"
    fetch_deadline_s: 900
  - chain: alt
    batch_inbox: "{addr('20')}"
    batcher: "{addr('21')}"
    beacon_urls: ["{BEACON_SECRET}"]
liveness:
"""
    for (chain, kind), limits in SERIES.items():
        text += f"  - chain: {chain}\n    kind: {kind}\n"
        for k, v in limits.items():
            if v is not None:
                text += f"    {k}: {v}\n"
    return text


@pytest.fixture
def serve(webalerts, tmp_path):
    def start(database_url, with_da=True, name="da"):
        path = tmp_path / f"{name}.yaml"
        path.write_text(config_text(database_url, with_da))
        return webalerts(name=name, config=str(path))

    return start


# ---- the seeded store ----

def h32(n):
    return f"{n:064x}"


def bx(h):
    return f"decode('{h}', 'hex')"


STATUSES = ["pending", "available", "withheld", "expired"]


def make_commitments():
    """(chain, block, ts, tx_n, kind, blob_index, status, attempts, served_by, last_error, challenge, ch_block),
    in insertion (id) order."""
    rows = []
    for i in range(25):
        block = 1000 + i
        status = ["available", "available", "pending", "withheld", "available", "expired"][i % 6]
        kind = "keccak" if i % 4 else "blob"
        served = SERVED_SECRET if status == "available" and i % 2 else ("http://127.0.0.1:3100" if status ==
                                                                        "available" else None)
        err = HOSTILE_ERROR if status in ("withheld", "pending") else None
        challenge = {3: 1, 9: 2, 15: 3}.get(i)
        rows.append(("op", block, T0 + 600 * i, i, kind, i % 3 if kind == "blob" else 0, status, i % 5, served, err,
                     challenge, block + 5 if challenge else None))
    # alt: blobs only, the last posting older than op's
    for j in range(3):
        rows.append(("alt", 2000 + j, T0 - 50_000 + 12 * j, 100 + j, "blob", j, "available" if j else "pending", 1,
                     None, None, None, None))
    return rows


COMMITMENTS = make_commitments()


def commitment_hex(row):
    chain, block, _, tx_n, kind, blob_index, *_ = row
    seed = f"{block:08x}{blob_index:02x}"
    return ("00" + (seed * 8)[:64]) if kind == "keccak" else ("01" + (seed * 8)[:62])


# batches of op: (ts) in id order; one row arrives out of order (older than the one before it) inside the
# band's window, so the tracker must skip it as the rule does.
OP_BATCHES = [T0 + 50_000 + x for x in (0, 300, 650, 900, 1300, 1500, 1810, 2400, 2700, 2900, 2850, 3300, 3600,
                                          4000, 4290, 4600)]
# l2_head of op: a regular second-by-second series with one stall; window 4 holds only the last intervals.
OP_HEAD = [NOW - 3_000 + x for x in (0, 10, 21, 30, 42, 50, 61, 200, 211, 219, 232, 240)]
# proposals of op: (l1 block, log index, l1 timestamp), two of them in the same block and second (the
# second is refused).
OP_PROPOSALS = []
for i in range(26):
    OP_PROPOSALS.append((5000 + 10 * i, 0, T0 + 3600 * i + (37 * i) % 300))
OP_PROPOSALS.append((5000 + 10 * 12, 1, OP_PROPOSALS[12][2]))          # same block and second: refused
OP_PROPOSALS.append((5000 + 10 * 26, 0, T0 + 3600 * 26 + 1000))        # the newest
ALT_PROPOSALS = [(7000 + i, 0, T0 + 50 * i) for i in range(5)]         # another L2's: never counted for op


def seed(db):
    db.rows("INSERT INTO chains (name, chain_id, role) VALUES ('l1', 900, 'l1')")
    db.rows("INSERT INTO chains (name, chain_id, role, l1) VALUES ('op', 901, 'l2', 'l1'), ('alt', 902, 'l2', 'l1')")
    values = []
    for row in COMMITMENTS:
        chain, block, ts, tx_n, kind, blob_index, status, attempts, served, err, challenge, ch_block = row

        def q(v):
            return "NULL" if v is None else "'" + str(v).replace("'", "''") + "'"

        values.append(f"('{chain}', 'l1', {block}, {bx(h32(block))}, {ts}, {bx(h32(0xA000 + tx_n))}, {tx_n % 7},"
                      f" '{kind}', {bx(commitment_hex(row))}, {blob_index}, '{status}', {attempts}, {q(served)},"
                      f" {q(err)}, {q(challenge)}, {q(ch_block)}, {'NULL' if status != 'available' else 1000 + tx_n})")
    db.rows("INSERT INTO da_commitments (chain, l1_chain, block_number, block_hash, block_timestamp, tx_hash,"
            " tx_index, kind, commitment, blob_index, status, attempts, served_by, last_error, challenge_status,"
            " challenge_block, data_bytes) VALUES " + ", ".join(values))
    db.rows("INSERT INTO da_scan (chain, l1_chain, next_block) VALUES ('op', 'l1', 1031)")
    # The challenges behind challenge_status, as the DA guard stores them.
    ev = []
    for n, row in enumerate(r for r in COMMITMENTS if r[10]):
        ev.append(f"('l1', {row[11]}, {bx(h32(0xB000 + n))}, 0, {bx(h32(0xC000 + n))}, {bx(CHALLENGE[2:])},"
                  f" {row[1]}, {bx(commitment_hex(row))}, {row[10]}, true, {str(row[10] != 1).lower()})")
    db.rows("INSERT INTO da_challenge_events (l1_chain, block_number, block_hash, log_index, tx_hash, contract,"
            " challenged_block, commitment, status, handled, settled) VALUES " + ", ".join(ev))

    withheld = [r for r in COMMITMENTS if r[6] == "withheld"]

    def finding(key, kind, chain, status="open", subject=None, evidence=None, severity="high"):
        subj = f"'{subject}'" if subject else "NULL"
        rows = db.rows("INSERT INTO findings (dedup_key, kind, severity, chain, title, summary, evidence, status,"
                       f" subject) VALUES ('{key}', '{kind}', '{severity}', '{chain}', 'seeded {kind}', 'seeded',"
                       f" '{json.dumps(evidence or {})}', '{status}', {subj}) RETURNING id")
        return int(rows[0][0])

    ids = [finding(f"dw{n}", "data_withheld", "op") for n in range(len(withheld) - 1)]
    finding("dw-old", "data_withheld", "op", status="resolved")
    finding("dc1", "da_challenged", "op", severity="medium")
    finding("dw-alt", "data_withheld", "alt", status="retracted")
    for fid, row in zip(ids, withheld):
        db.rows(f"UPDATE da_commitments SET finding_id = {fid} WHERE block_number = {row[1]} AND chain = 'op'")

    gap_id = finding("gap-batches", "liveness_gap", "op", subject="liveness:op:batches", severity="medium",
                     evidence={"last_event_ts": OP_BATCHES[-1], "gap_s": 4321, "kind": "batches"})
    finding("gap-proposals-old", "liveness_gap", "op", status="resolved", subject="liveness:op:proposals",
            evidence={"last_event_ts": 1, "gap_s": 2})

    lv = [f"('op', 'batches', {ts}, 'l1', {900 + n})" for n, ts in enumerate(OP_BATCHES)]
    lv += [f"('op', 'l2_head', {ts}, NULL, {n})" for n, ts in enumerate(OP_HEAD)]
    # another chain's and another kind's rows must not count
    lv += [f"('alt', 'l2_head', {ts}, NULL, 1)" for ts in OP_HEAD[:3]]
    db.rows("INSERT INTO liveness_events (chain, kind, ts, l1_chain, block_number) VALUES " + ", ".join(lv))

    props = []
    for n, (block, log, ts) in enumerate(OP_PROPOSALS):
        props.append(f"('l1', {bx(h32(block))}, {log}, 'op', {bx(ORACLE[2:])}, {n}, {n * 1800}, {bx(h32(n + 1))},"
                     f" {ts}, {block}, {bx(h32(0xD000 + n))})")
    for n, (block, log, ts) in enumerate(ALT_PROPOSALS):
        props.append(f"('l1', {bx(h32(block))}, {log}, 'alt', {bx(ORACLE[2:])}, {n}, {n}, {bx(h32(n + 1))},"
                     f" {ts}, {block}, {bx(h32(0xE000 + n))})")
    db.rows("INSERT INTO output_proposals (l1_chain, block_hash, log_index, l2_chain, oracle, output_index,"
            " l2_block_number, output_root, l1_timestamp, l1_block_number, tx_hash) VALUES " + ", ".join(props))
    return gap_id


# ---- what the figures must be ----

def limits(chain, kind):
    conf = SERIES[(chain, kind)]
    out = {k: (conf[k] if conf[k] is not None else DEFAULTS[kind][k]) for k in LIMIT_NAMES}
    if conf["min_samples"] is None and out["min_samples"] > out["window"]:
        out["min_samples"] = out["window"]
    return out


def events_in_order(chain, kind):
    """The series' event times in the order the guard observes them."""
    if (chain, kind) == ("op", "batches"):
        return list(OP_BATCHES)
    if (chain, kind) == ("op", "l2_head"):
        return list(OP_HEAD)
    if (chain, kind) == ("op", "proposals"):
        return [ts for _, _, ts in sorted(OP_PROPOSALS)]
    return []


def replay(times):
    """The rule's observe(): refused unless after the last event taken. Returns (last, [(ts, interval)])."""
    last, out = None, []
    for ts in times:
        if last is not None and ts <= last:
            continue
        if last is not None:
            out.append((ts, ts - last))
        last = ts
    return last, out


def band(chain, kind):
    lim = limits(chain, kind)
    last, ivs = replay(events_in_order(chain, kind)[-(lim["window"] + 1):])
    w = [i for _, i in ivs][-lim["window"]:]
    n = len(w)
    mean = sum(w) / n if n else None
    sd = None
    if n >= 2:
        sd = max(math.sqrt(n * sum(x * x for x in w) - sum(w) ** 2) / n, 1.0)
    statistical = n >= lim["min_samples"]
    high = float(lim["max_interval_s"])
    if statistical:
        high = min(max(mean + lim["z_threshold"] * sd, lim["min_gap_s"]), lim["max_interval_s"])
    return last, {"statistical": statistical, "samples": n, "mean_s": mean, "stddev_s": sd, "low_s": mean,
                  "high_s": high}


def assert_band(got, want, where):
    assert got.keys() == want.keys(), where
    for k, v in want.items():
        if isinstance(v, float):
            assert got[k] == pytest.approx(v, rel=1e-12), (where, k)
        else:
            assert got[k] == v, (where, k)


def test_seed_exercises_the_edges():
    """A wrong implementation must show: the out-of-order batch falls inside the band's window and is
    skipped; l2_head has more events than its window; a proposal is refused; the series differ in
    whether they are statistical."""
    lim = limits("op", "batches")
    tail = OP_BATCHES[-(lim["window"] + 1):]
    assert any(b <= a for a, b in zip(tail, tail[1:]))
    assert len(OP_HEAD) > limits("op", "l2_head")["window"] + 1
    assert len(replay(events_in_order("op", "proposals"))[1]) == len(OP_PROPOSALS) - 2
    assert band("op", "batches")[1]["statistical"] and band("op", "proposals")[1]["statistical"]
    assert band("op", "l2_head")[1]["statistical"]
    _, b = band("op", "l2_head")
    assert b["high_s"] not in (float(limits("op", "l2_head")["max_interval_s"]), 30.0)  # the z rule, unclamped
    assert {r[6] for r in COMMITMENTS if r[0] == "op"} == set(STATUSES)


# ---- GET /api/v1/da ----

def test_da_api(migrated, serve):
    seed(migrated)
    w = serve(migrated.url)
    doc = w.get_json("/api/v1/da")
    assert abs(doc["now"] - time.time()) < 30
    now = doc["now"]
    assert [e["chain"] for e in doc["da"]] == ["op", "alt"]
    op, alt = doc["da"]
    # URLs shown without credentials, path or query.
    assert op["servers"] == ["http://127.0.0.1:9/...", "https://da.example:8443"]
    assert op["beacon_urls"] == [] and alt["servers"] == [] and alt["beacon_urls"] == ["http://127.0.0.1:9/..."]
    assert "SECRET" not in json.dumps(doc) and "pw@" not in json.dumps(doc)
    assert (op["l1_chain"], op["batch_inbox"], op["batcher"], op["challenge_contract"], op["fetch_deadline_s"]) == \
        ("l1", INBOX, BATCHER, CHALLENGE, 900)
    assert alt["challenge_contract"] is None and alt["fetch_deadline_s"] == 600

    for e in doc["da"]:
        rows = [r for r in COMMITMENTS if r[0] == e["chain"]]
        assert e["commitments"] == {
            "total": len(rows),
            "by_status": {s: sum(r[6] == s for r in rows) for s in STATUSES},
            "by_kind": {k: sum(r[4] == k for r in rows) for k in ("keccak", "blob")}}, e["chain"]
        assert e["challenges"] == {name: sum(r[10] == code for r in rows)
                                   for code, name in ((1, "active"), (2, "resolved"), (3, "expired"))}
        last = max(rows, key=lambda r: (r[2], r[1]))
        assert e["last_posting"] == {"block_number": last[1], "timestamp": last[2], "tx_hash": "0x" + h32(0xA000 +
                                                                                                         last[3])}
        assert e["seconds_since_last_posting"] == now - last[2]
    assert op["scan"]["next_block"] == 1031 and op["scan"]["scanned_through"] == 1030
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", op["scan"]["updated_at"])
    assert alt["scan"] == {"next_block": None, "scanned_through": None, "updated_at": None}
    withheld = sum(r[6] == "withheld" for r in COMMITMENTS if r[0] == "op")
    assert op["open_findings"] == {"data_withheld": withheld - 1, "da_challenged": 1}
    assert alt["open_findings"] == {"data_withheld": 0, "da_challenged": 0}
    # Plain figures, so the expectation code cannot share a mistake with the server.
    assert op["commitments"]["total"] == 25 and op["commitments"]["by_status"]["withheld"] == 4
    assert op["commitments"]["by_kind"] == {"keccak": 18, "blob": 7}
    assert op["last_posting"]["block_number"] == 1024 and alt["last_posting"]["block_number"] == 2002


def expected_commitment(row, rid):
    chain, block, ts, tx_n, kind, blob_index, status, attempts, served, err, challenge, ch_block = row
    shown = None if served is None else ("http://da.example:3100/..." if served == SERVED_SECRET else served)
    return {"id": rid, "chain": chain, "l1_chain": "l1", "block_number": block, "block_hash": "0x" + h32(block),
            "block_timestamp": ts, "tx_hash": "0x" + h32(0xA000 + tx_n), "tx_index": tx_n % 7, "kind": kind,
            "commitment": "0x" + commitment_hex(row), "blob_index": blob_index, "status": status,
            "attempts": attempts, "data_bytes": 1000 + tx_n if status == "available" else None, "served_by": shown,
            "last_error": err, "challenge_status": {1: "active", 2: "resolved", 3: "expired"}.get(challenge),
            "challenge_block": ch_block}


def walk(w, query, limit):
    pages, before = [], None
    while True:
        q = f"/api/v1/da/commitments?limit={limit}{query}" + (f"&before={before}" if before else "")
        page = w.get_json(q)
        assert len(page["commitments"]) <= limit
        pages.append(page["commitments"])
        before = page["next_before"]
        if before is None:
            return pages
        assert before == page["commitments"][-1]["id"] and len(page["commitments"]) == limit


def test_da_commitments_and_paging(migrated, serve):
    seed(migrated)
    w = serve(migrated.url)
    ids = {int(i): n for n, (i,) in enumerate(migrated.rows("SELECT id FROM da_commitments ORDER BY id"))}
    assert len(ids) == len(COMMITMENTS)
    by_id = {rid: COMMITMENTS[n] for rid, n in ids.items()}
    finding_of = {int(b): int(f) for b, f in migrated.rows(
        "SELECT id, finding_id FROM da_commitments WHERE finding_id IS NOT NULL")}

    doc = w.get_json("/api/v1/da/commitments")
    assert doc["next_before"] is None
    got = doc["commitments"]
    assert [c["id"] for c in got] == sorted(ids, reverse=True)  # newest first
    for c in got:
        want = expected_commitment(by_id[c["id"]], c["id"])
        want["finding_id"] = finding_of.get(c["id"])
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", c.pop("seen_at"))
        assert c.pop("checked_at") is None
        assert c == want, c["id"]
    assert "SECRET" not in json.dumps(doc) and "hunter2" not in json.dumps(doc)
    assert sum(c["finding_id"] is not None for c in got) == 3

    # Paging back by id: no row twice, none missed, for any page size and filter.
    for limit in (1, 7, 25, 28, 1000):
        pages = walk(w, "", limit)
        flat = [c["id"] for p in pages for c in p]
        assert flat == sorted(ids, reverse=True), limit
        assert len(pages) == math.ceil(len(ids) / limit), limit
    for query, pred in (("&chain=op", lambda r: r[0] == "op"), ("&status=available", lambda r: r[6] == "available"),
                        ("&chain=op&status=withheld", lambda r: r[0] == "op" and r[6] == "withheld"),
                        ("&chain=alt&status=pending", lambda r: r[0] == "alt" and r[6] == "pending"),
                        ("&chain=alt&status=expired", lambda r: False)):
        want = sorted((rid for rid, r in by_id.items() if pred(r)), reverse=True)
        for limit in (2, 3, 100):
            flat = [c["id"] for p in walk(w, query, limit) for c in p]
            assert flat == want, (query, limit)
    # A page that ends exactly at the last row says there is no more.
    oldest_two = sorted(ids)[:2]
    exact = w.get_json(f"/api/v1/da/commitments?before={oldest_two[1] + 1}&limit=2")
    assert [c["id"] for c in exact["commitments"]] == oldest_two[::-1] and exact["next_before"] is None
    assert w.get_json(f"/api/v1/da/commitments?before={min(ids)}")["commitments"] == []
    assert w.get_json("/api/v1/da/commitments?before=9223372036854775807")["commitments"][0]["id"] == max(ids)


def test_da_refusals(migrated, serve):
    seed(migrated)
    w = serve(migrated.url)
    base = "/api/v1/da/commitments"
    for bad in ("nope", "l1", "OP", ""):
        err = w.get_json(f"{base}?chain={bad}", expect=400)
        assert err["code"] == "bad_request" and err["param"] == "chain", bad
    for bad in ("bogus", "Withheld", "", "open"):
        assert w.get_json(f"{base}?status={bad}", expect=400)["param"] == "status", bad
    for bad in ("0", "1001", "-1", "abc", "", "01", "1e3"):
        err = w.get_json(f"{base}?limit={bad}", expect=400)
        assert err["param"] == "limit" and "limit" in err["message"], bad
    for bad in ("0", "-1", "abc", "", "01", "9223372036854775808"):
        assert w.get_json(f"{base}?before={bad}", expect=400)["param"] == "before", bad
    for path in ("/api/v1/da/", "/api/v1/da/foo", "/api/v1/da/commitments/1", "/api/v1/da/op",
                 "/api/v1/da/commitments/", "/api/v1/liveness/", "/api/v1/liveness/op", "/api/v1/livenes",
                 "/da/x"):
        status, headers, body = w.get(path)
        assert status == 404 and headers["content-type"] == "application/json", path
        assert json.loads(body)["code"] == "not_found", path
    for path in ("/api/v1/da", "/api/v1/da/commitments", "/api/v1/liveness", "/api/v1/liveness/intervals", "/da"):
        assert w.request("POST", path)[0] == 405, path


# ---- GET /api/v1/liveness ----

def test_liveness_api(migrated, serve):
    gap_id = seed(migrated)
    w = serve(migrated.url)
    doc = w.get_json("/api/v1/liveness")
    now = doc["now"]
    assert abs(now - time.time()) < 30
    assert [(s["chain"], s["kind"]) for s in doc["series"]] == list(SERIES)
    for s in doc["series"]:
        key = (s["chain"], s["kind"])
        lim = limits(*key)
        assert s["limits"] == lim, key
        assert s["limits_defaulted"] == [k for k in LIMIT_NAMES if SERIES[key][k] is None], key
        last, want = band(*key)
        assert s["last_event_ts"] == last, key
        assert s["seconds_since_last_event"] == (None if last is None else now - last), key
        assert_band(s["band"], want, key)
    op_b, op_p, op_h, alt_b = doc["series"]
    assert op_b["open_finding"]["id"] == gap_id
    assert {k: op_b["open_finding"][k] for k in ("severity", "title", "last_event_ts", "gap_s")} == \
        {"severity": "medium", "title": "seeded liveness_gap", "last_event_ts": OP_BATCHES[-1], "gap_s": 4321}
    assert op_p["open_finding"] is None and op_h["open_finding"] is None  # resolved ones do not count
    # Nothing stored: no last event, no mean, the maximum as the only bound.
    assert alt_b["last_event_ts"] is None and alt_b["seconds_since_last_event"] is None
    assert alt_b["band"] == {"statistical": False, "samples": 0, "mean_s": None, "stddev_s": None, "low_s": None,
                             "high_s": 14400.0}
    # Plain figures: the last 11 batches give 9 intervals (the out-of-order row is skipped); l2_head's
    # window of 4 holds its last 4 intervals only, 11, 8, 13 and 8 s.
    assert op_b["band"]["samples"] == 9 and op_b["last_event_ts"] == T0 + 54_600
    assert op_b["band"]["mean_s"] == pytest.approx((4600 - 1500) / 9, rel=1e-12)
    assert op_h["band"]["samples"] == 4 and op_h["band"]["mean_s"] == 10.0
    assert op_h["band"]["stddev_s"] == pytest.approx(math.sqrt(4.5), rel=1e-12)
    assert op_h["band"]["high_s"] == pytest.approx(10 + 3 * math.sqrt(4.5), rel=1e-12)


def test_liveness_intervals(migrated, serve):
    seed(migrated)
    w = serve(migrated.url)
    for (chain, kind) in SERIES:
        lim = limits(chain, kind)
        for limit in (1, 3, 5, 12, 100, 1024):
            doc = w.get_json(f"/api/v1/liveness/intervals?chain={chain}&kind={kind}&limit={limit}")
            read = events_in_order(chain, kind)[-(max(lim["window"], limit) + 1):]
            want = [{"ts": ts, "interval_s": iv} for ts, iv in replay(read)[1][-limit:]]
            assert doc["intervals"] == want, (chain, kind, limit)
            last, b = band(chain, kind)
            assert (doc["chain"], doc["kind"], doc["last_event_ts"], doc["limits"]) == (chain, kind, last, lim)
            assert_band(doc["band"], b, (chain, kind, limit))
    # The default is 100, oldest first.
    doc = w.get_json("/api/v1/liveness/intervals?chain=op&kind=proposals")
    assert len(doc["intervals"]) == len(OP_PROPOSALS) - 2
    assert [i["ts"] for i in doc["intervals"]] == sorted(i["ts"] for i in doc["intervals"])
    assert w.get_json("/api/v1/liveness/intervals?chain=alt&kind=batches")["intervals"] == []
    # Refusals.
    base = "/api/v1/liveness/intervals"
    assert w.get_json(f"{base}?kind=batches", expect=400)["param"] == "chain"
    assert w.get_json(f"{base}?chain=&kind=batches", expect=400)["param"] == "chain"
    for bad in ("", "proofs", "bogus", "Batches"):
        assert w.get_json(f"{base}?chain=op&kind={bad}", expect=400)["param"] == "kind", bad
    assert w.get_json(f"{base}?chain=op", expect=400)["param"] == "kind"
    for bad in ("0", "1025", "-1", "x", "", "007"):
        assert w.get_json(f"{base}?chain=op&kind=batches&limit={bad}", expect=400)["param"] == "limit", bad
    assert w.get_json(f"{base}?chain=nope&kind=batches", expect=404)["param"] == "chain"
    assert w.get_json(f"{base}?chain=l1&kind=l2_head", expect=404)["param"] == "chain"
    assert w.get_json(f"{base}?chain=alt&kind=l2_head", expect=404)["param"] == "kind"


# ---- the dashboard page ----

class Page(html.parser.HTMLParser):
    """Rows carrying data-da, data-commitment or data-series: their class, and each cell's text, title and
    classes; an SVG's title and rects."""

    def __init__(self):
        super().__init__()
        self.rows, self.row, self.cell, self.svg, self.title = {}, None, None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        key = next((a[k] for k in ("data-da", "data-commitment", "data-series") if k in a), None)
        if tag == "tr" and key is not None:
            self.row = {"class": a.get("class") or "", "cells": []}
            self.rows[key] = self.row
        elif tag == "td" and self.row is not None:
            self.cell = {"text": "", "title": a.get("title"), "classes": set((a.get("class") or "").split()),
                         "svg": None}
            self.row["cells"].append(self.cell)
        elif self.cell is not None:
            self.cell["classes"] |= set((a.get("class") or "").split())
            if tag == "svg":
                self.svg = self.cell["svg"] = {"title": "", "bars": [], "band": None, "high": None}
            elif tag == "rect" and self.svg is not None:
                r = {k: float(a[k]) for k in ("x", "y", "width", "height")}
                r["classes"] = set(a["class"].split())
                if "iv-band" in r["classes"]:
                    self.svg["band"] = r
                else:
                    self.svg["bars"].append(r)
            elif tag == "line" and "iv-high" in (a.get("class") or ""):
                self.svg["high"] = float(a["y1"])
            elif tag == "title" and self.svg is not None and not self.svg["title"]:
                self.title = "svg"

    def handle_endtag(self, tag):
        if tag == "title":
            self.title = None
        elif tag == "svg":
            self.svg = None
        elif tag == "td":
            self.cell = None
        elif tag == "tr":
            self.row = None

    def handle_data(self, data):
        if self.title == "svg":
            self.svg["title"] += data
        elif self.cell is not None and self.svg is None:
            self.cell["text"] += data


def test_dashboard_page(migrated, serve):
    seed(migrated)
    w = serve(migrated.url)
    before = int(time.time())
    status, headers, page = w.get("/da")
    after = int(time.time())
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert "<script" not in page.lower() and not re.search(r"\sstyle=", page)
    assert "SECRET" not in page and "hunter2" not in page and "pw@" not in page
    assert "<h2>Data availability</h2>" in page and "<h2>Recent commitments</h2>" in page and \
        "<h2>Liveness</h2>" in page
    # The hostile last_error arrives escaped.
    assert HOSTILE_ERROR not in page and "&lt;script&gt;alert(1)&lt;/script&gt; timeout &amp; 404" in page
    # Linked from the overview.
    assert 'href="/da"' in w.get("/")[2]

    p = Page()
    p.feed(page)
    op = p.rows["op"]["cells"]
    rows = [r for r in COMMITMENTS if r[0] == "op"]
    counts = [len(rows)] + [sum(r[6] == s for r in rows) for s in STATUSES] + \
        [sum(r[4] == k for r in rows) for k in ("keccak", "blob")] + [sum(r[10] == 1 for r in rows)]
    assert [c["text"] for c in op[3:11]] == [str(n) for n in counts]
    assert counts == [25, 4, 13, 4, 4, 18, 7, 1]
    assert op[2]["text"] == "1030" and "sev-critical" in op[6]["classes"]
    assert op[1]["text"] == "http://127.0.0.1:9/...https://da.example:8443"
    last = max((r for r in COMMITMENTS if r[0] == "op"), key=lambda r: r[2])
    assert op[11]["text"] == str(last[1])
    age = int(op[13]["title"].split()[0])
    assert before - last[2] <= age <= after - last[2]
    assert "data_withheld \u00d73" in op[14]["text"] and "da_challenged \u00d71" in op[14]["text"]
    alt = p.rows["alt"]["cells"]
    assert alt[2]["text"] == "\u2014" and alt[6]["text"] == "0" and "sev-critical" not in alt[6]["classes"]

    # The 20 newest commitments; the withheld ones highlighted.
    ids = [int(i) for (i,) in migrated.rows("SELECT id FROM da_commitments ORDER BY id DESC LIMIT 20")]
    shown = [int(k) for k in p.rows if k.isdigit()]
    assert shown == ids
    for rid in ids:
        row = p.rows[str(rid)]
        status_text = row["cells"][6]["text"]
        st = migrated.rows(f"SELECT status, served_by FROM da_commitments WHERE id = {rid}")[0]
        assert status_text == st[0]
        assert (row["class"] == "withheld") == (st[0] == "withheld"), rid
        if st[0] == "withheld":
            assert "sev-critical" in row["cells"][6]["classes"]
        if st[1] == SERVED_SECRET:
            assert row["cells"][8]["text"] == "http://da.example:3100/..."
    assert sum(p.rows[str(i)]["class"] == "withheld" for i in ids) >= 3

    # Liveness: last event age, mean interval, alert threshold, and the chart with the band.
    for (chain, kind) in SERIES:
        cells = p.rows[f"{chain}:{kind}"]["cells"]
        last, b = band(chain, kind)
        if last is None:
            assert cells[2]["text"] == "\u2014" and cells[4]["text"] == "\u2014"
            assert cells[5]["text"] == "14400.0 s" and cells[8]["svg"] is None
            continue
        age = int(cells[3]["title"].split()[0])
        assert before - last <= age <= after - last, (chain, kind)
        assert cells[4]["text"] == f"{b['mean_s']:.1f} s", (chain, kind)
        assert cells[5]["text"] == f"{b['high_s']:.1f} s", (chain, kind)
        assert cells[6]["text"].startswith(f"{b['samples']} "), (chain, kind)
        svg = cells[8]["svg"]
        lim = limits(chain, kind)
        ivs = replay(events_in_order(chain, kind)[-(max(lim["window"], 60) + 1):])[1][-60:]
        assert svg["title"] == f"{len(ivs)} interval{'s' if len(ivs) != 1 else ''}; mean {b['mean_s']:.1f} s; " \
                               f"alert at {b['high_s']:.1f} s", (chain, kind)
        assert len(svg["bars"]) == len(ivs)
        # Taller bars for longer intervals; the ones at or past the threshold marked.
        heights = [r["height"] for r in svg["bars"]]
        values = [iv for _, iv in ivs]
        assert heights.index(max(heights)) == values.index(max(values))
        for r, v in zip(svg["bars"], values):
            over = v > b["high_s"] or (v >= b["high_s"] and b["high_s"] < lim["max_interval_s"])
            assert ("over" in r["classes"]) == over, (chain, kind, v)
        # The band spans mean to high: its top edge is the threshold line, and bars reach it as their values do.
        assert svg["band"]["y"] == pytest.approx(svg["high"], abs=0.06)
        top = max(max(values), b["high_s"]) * 1.1
        assert svg["high"] == pytest.approx(48 - 2 - b["high_s"] / top * 44, abs=0.06)
        assert svg["band"]["y"] + svg["band"]["height"] == pytest.approx(48 - 2 - b["mean_s"] / top * 44, abs=0.11)
    # l2_head's stall passes its threshold and is drawn as such.
    head = p.rows["op:l2_head"]["cells"][8]["svg"]
    assert any("over" in r["classes"] for r in head["bars"])
    assert "gap medium" in p.rows["op:batches"]["cells"][7]["text"]


def test_nothing_configured(migrated, serve):
    w = serve(migrated.url, with_da=False)
    doc = w.get_json("/api/v1/da")
    assert doc["da"] == [] and isinstance(doc["now"], int)
    assert w.get_json("/api/v1/liveness")["series"] == []
    assert w.get_json("/api/v1/da/commitments") == {"commitments": [], "next_before": None}
    assert w.get_json("/api/v1/da/commitments?chain=op", expect=400)["param"] == "chain"
    assert w.get_json("/api/v1/liveness/intervals?chain=op&kind=batches", expect=404)["param"] == "chain"
    status, _, page = w.get("/da")
    assert status == 200 and "No da: entries configured." in page and "No liveness: series configured." in page
