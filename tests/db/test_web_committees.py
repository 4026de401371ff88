"""Validium committees on the web, against a real PostgreSQL and real HTTP:
GET /api/v1/committees, /api/v1/committees/checks (ordering, paging back by
L1 block, every refusal) and the Committees section of the dashboard's DA
page (/da). The store is seeded directly (a read-only view) and every figure
is computed here, independently, from the seeded rows."""
import html.parser
import json
import random
import re
import time

import pytest

from webalerts_util import write_config

NOW = int(time.time())
T0 = NOW - 90_000


def addr(body):
    return "0x" + body.rjust(40, "0")


# Upper case in the config: the API answers lower case.
ROLLUP_A, ROLLUP_B, ROLLUP_C = addr("ABCDEF01"), addr("ABCDEF02"), addr("C0FFEE")
MEMBERS_A = [addr("A01"), addr("B02"), addr("C03")]
MEMBERS_B = [addr("DEAD")]
MEMBERS_C = [addr("E1"), addr("F2")]
# (chain, l1, rollup, members, threshold), in config order.
COMMITTEES = [("val-a", "l1", ROLLUP_A, MEMBERS_A, 2), ("val_b", "l1", ROLLUP_B, MEMBERS_B, 1),
              ("val-c", "l1b", ROLLUP_C, MEMBERS_C, 2)]

# The CHECK list of sql/0009_committees.sql, in its order.
RESULTS = ["ok", "below_threshold", "unknown_signer", "out_of_order", "bad_signature", "malformed",
           "members_mismatch", "not_signed", "unreadable"]
FAILED = RESULTS[1:7]
HOSTILE_DETAIL = "<b>not</b> a sequenceBatchesValidium call & 'x'"


def write_committees_config(path, database_url, with_committees=True):
    """The tools' base config (database, web on a free port, the L1 "l1" last), a second L1 appended to
    its chains, then the committees."""
    # Pages rendered on every request: the tests change the store between reads (the page cache has its own test).
    write_config(path, database_url, [], web_extra="  page_cache_ms: 0")
    text = '  - name: l1b\n    role: l1\n    chain_id: 800\n    rpc: ["http://127.0.0.1:9"]\n'
    if with_committees:
        text += "committees:\n"
        for chain, l1, rollup, members, threshold in COMMITTEES:
            text += (f'  - chain: {chain}\n    l1: {l1}\n    rollup: "{rollup}"\n'
                     f'    members: [{", ".join(f"{m!r}" for m in members)}]\n    threshold: {threshold}\n')
    with open(path, "a") as f:
        f.write(text)


@pytest.fixture
def serve(webalerts, tmp_path):
    """Starts l2w_webalerts on that config (the webalerts fixture stops it and fails the test on any
    fatal line the server logged)."""

    def start(database_url, with_committees=True):
        path = str(tmp_path / "committees.yaml")
        write_committees_config(path, database_url, with_committees)
        return webalerts(name="committees", config=path)

    return start


# ---- the seeded store ----

def h32(n):
    return f"{n:064x}"


def make_checks():
    """Every check as a dict of its columns (hashes as 0x hex, checked_at a unix time with a fraction), in
    insertion order, which is neither block order nor checked_at order."""
    rng = random.Random(20240607)
    # val-a: a different count of every result, so a count in the wrong column shows.
    results_a = [r for n, r in enumerate(RESULTS) for _ in range(n if n else 9)]
    rng.shuffle(results_a)
    slots_a = [(1000 + 10 * k, 2) for k in range(len(results_a))]
    slots_a[6] = (1050, 7)                        # block 1050: two of val-a's, and one below
    slots_a[22], slots_a[23] = (1210, 5), (1210, 6)  # block 1210: three of val-a's and one of val_b's
    rows = []
    for k, ((block, log), result) in enumerate(zip(slots_a, results_a)):
        rows.append(dict(l1_chain="l1", block=block, log=log, chain="val-a", batch=100 + k, result=result,
                         threshold=2))
    rows[40]["batch"] = 2 ** 64 - 1   # numeric(20,0) holds any uint64: past int64 it is given as text
    rows[41]["batch"] = 2 ** 63 - 1
    for (block, log), result in zip([(1210, 0), (1300, 1), (1447, 0), (1448, 0)],
                                    ["ok", "below_threshold", "unreadable", "ok"]):
        rows.append(dict(l1_chain="l1", block=block, log=log, chain="val_b", batch=block, result=result,
                         threshold=1))
    # A committee no longer configured, on the other L1: listed, never counted.
    for (block, log), result in zip([(1050, 9), (999, 0), (1449, 3)], ["ok", "malformed", "ok"]):
        rows.append(dict(l1_chain="l1b", block=block, log=log, chain="gone", batch=block, result=result,
                         threshold=1))
    for n, r in enumerate(rows):
        r["block_hash"] = "0x" + h32((0xB << 60) + r["block"] * 16 + (r["l1_chain"] == "l1b"))
        r["tx_hash"] = "0x" + h32(0xA000 + n)
        kind = r["result"]
        readable = kind != "unreadable"
        r["fork"] = ["etrog", "elderberry", "banana"][n % 3] if readable else None
        r["batches"] = 1 + n % 4 if readable else None
        signed = readable and kind != "not_signed"
        r["signed_hash"] = "0x" + h32(0x5000 + n) if signed else None
        r["signatures"] = (r["threshold"] if kind == "ok" else 1) if signed else None
        r["valid"] = (r["threshold"] if kind == "ok" else 0) if signed else None
        r["detail"] = (f"{kind} at signature 0" if kind in FAILED else
                       HOSTILE_DETAIL if kind == "unreadable" else None)
        r["finding_key"] = f"ctm-{n}" if kind in FAILED else None
        r["checked"] = T0 + rng.randrange(0, 80_000) + 0.75
    newest_a = max((r for r in rows if r["chain"] == "val-a"), key=lambda r: (r["block"], r["log"]))
    newest_a["checked"] = T0 + 0.25   # the newest check by block is the oldest by checked_at
    rng.shuffle(rows)
    return rows


CHECKS = make_checks()


def q(v):
    return "NULL" if v is None else "'" + str(v).replace("'", "''") + "'"


def bx(h):
    return "NULL" if h is None else f"decode('{h[2:]}', 'hex')"


def seed(db):
    """Stores CHECKS and their findings; returns {finding_key: id}."""

    def finding(key, kind, chain, status, subject):
        rows = db.rows("INSERT INTO findings (dedup_key, kind, severity, chain, title, summary, evidence, status,"
                       f" subject) VALUES ('{key}', '{kind}', 'high', '{chain}', 'seeded {kind}', 'seeded', '{{}}',"
                       f" '{status}', {q(subject)}) RETURNING id")
        return int(rows[0][0])

    ids = {}
    n_open = 0
    for r in CHECKS:
        if not r["finding_key"]:
            continue
        # val-a: three open, the rest resolved or retracted; the others' all open.
        status = "open"
        if r["chain"] == "val-a":
            status = "open" if n_open < 3 else ("resolved", "retracted")[n_open % 2]
            n_open += 1
        ids[r["finding_key"]] = finding(r["finding_key"], "committee_threshold_missed", r["chain"], status,
                                        f"committee:{r['chain']}:{r['batch']}")
    finding("dw-val-a", "data_withheld", "val-a", "open", None)   # another kind: not counted
    values = []
    for r in CHECKS:
        fid = ids.get(r["finding_key"])
        values.append(f"({q(r['l1_chain'])}, {bx(r['block_hash'])}, {r['log']}, {r['block']}, {q(r['chain'])},"
                      f" {bx(r['tx_hash'])}, {r['batch']}, {q(r['fork'])}, {q(r['batches'])},"
                      f" {bx(r['signed_hash'])}, {q(r['result'])}, {q(r['signatures'])}, {q(r['valid'])},"
                      f" {r['threshold']}, {q(r['detail'])}, {q(fid)}, to_timestamp({r['checked']}))")
    db.rows("INSERT INTO committee_checks (l1_chain, block_hash, log_index, block_number, chain, tx_hash, batch,"
            " fork, batches, signed_hash, result, signatures, valid, threshold, detail, finding_id, checked_at)"
            " VALUES " + ", ".join(values))
    return ids


# ---- what the documents must be ----

def newest_first(rows):
    return sorted(rows, key=lambda r: (r["block"], r["log"]), reverse=True)


def batch_json(b):
    return b if b <= 2 ** 63 - 1 else str(b)


def expected_check(r, ids):
    return {"chain": r["chain"], "l1_chain": r["l1_chain"], "block_number": r["block"],
            "block_hash": r["block_hash"], "log_index": r["log"], "tx_hash": r["tx_hash"],
            "batch": batch_json(r["batch"]), "fork": r["fork"], "batches": r["batches"],
            "signed_hash": r["signed_hash"], "result": r["result"], "signatures": r["signatures"],
            "valid": r["valid"], "threshold": r["threshold"], "detail": r["detail"],
            "finding_id": ids.get(r["finding_key"]), "checked_at": int(r["checked"])}


def test_seed_exercises_the_edges():
    """A wrong implementation must show: every result has a count of its own; blocks hold several checks
    (of one committee, of two, of another L1); the newest check by block is not the newest by time or by
    insertion; a batch passes int64."""
    a = [r for r in CHECKS if r["chain"] == "val-a"]
    counts = [sum(r["result"] == name for r in a) for name in RESULTS]
    assert len(set(counts)) == len(RESULTS) and min(counts) > 0
    per_block = {}
    for r in CHECKS:
        per_block.setdefault(r["block"], set()).add((r["chain"], r["l1_chain"]))
    assert max(len([c for c in CHECKS if c["block"] == b]) for b in per_block) >= 4
    assert len(per_block[1050]) == 2 and len(per_block[1210]) == 2
    assert len({(r["block"], r["log"]) for r in CHECKS}) == len(CHECKS)  # the order is total
    newest = newest_first(a)[0]
    assert newest is not a[-1] and newest["checked"] == min(r["checked"] for r in a)
    assert any(r["batch"] > 2 ** 63 - 1 for r in CHECKS)


# ---- GET /api/v1/committees ----

def check_constraint_results(db):
    (definition,), = db.rows("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid ="
                             " 'committee_checks'::regclass AND pg_get_constraintdef(oid) LIKE '%result%'")
    return re.findall(r"'([a-z_]+)'::text", definition)


def test_committees_api(migrated, serve):
    ids = seed(migrated)
    w = serve(migrated.url)
    before = int(time.time())
    doc = w.get_json("/api/v1/committees")
    assert list(doc) == ["now", "committees"]
    assert before - 1 <= doc["now"] <= int(time.time()) + 1
    assert [c["chain"] for c in doc["committees"]] == ["val-a", "val_b", "val-c"]
    assert check_constraint_results(migrated) == RESULTS
    for got, (chain, l1, rollup, members, threshold) in zip(doc["committees"], COMMITTEES):
        rows = [r for r in CHECKS if r["chain"] == chain]
        assert list(got) == ["chain", "l1", "rollup", "members", "threshold", "checks", "last_check",
                             "open_findings"], chain
        assert (got["l1"], got["rollup"], got["members"], got["threshold"]) == \
            (l1, rollup.lower(), [m.lower() for m in members], threshold), chain
        # Every result of the CHECK list, in its order, zeros included.
        assert list(got["checks"]) == RESULTS, chain
        assert got["checks"] == {name: sum(r["result"] == name for r in rows) for name in RESULTS}, chain
        if rows:
            last = newest_first(rows)[0]
            assert got["last_check"] == {"batch": batch_json(last["batch"]), "result": last["result"],
                                         "block_number": last["block"], "tx_hash": last["tx_hash"],
                                         "checked_at": int(last["checked"])}, chain
        else:
            assert got["last_check"] is None
    # Open committee_threshold_missed findings of the chain only: not resolved or retracted ones, not
    # another kind's, not another chain's.
    assert [c["open_findings"] for c in doc["committees"]] == [3, 1, 0]
    assert len(ids) == 21 + 1 + 1
    # Plain figures, so the expectation code cannot share a mistake with the server.
    a, b, c = doc["committees"]
    assert a["checks"] == {"ok": 9, "below_threshold": 1, "unknown_signer": 2, "out_of_order": 3,
                           "bad_signature": 4, "malformed": 5, "members_mismatch": 6, "not_signed": 7,
                           "unreadable": 8}
    assert a["last_check"]["block_number"] == 1440 and a["last_check"]["batch"] == 144
    assert a["last_check"]["checked_at"] == T0
    assert b["checks"] == dict.fromkeys(RESULTS, 0) | {"ok": 2, "below_threshold": 1, "unreadable": 1}
    assert b["last_check"]["block_number"] == 1448 and b["last_check"]["result"] == "ok"
    assert c["checks"] == dict.fromkeys(RESULTS, 0) and c["last_check"] is None
    assert a["rollup"] == "0x00000000000000000000000000000000abcdef01"
    assert a["members"][0] == "0x0000000000000000000000000000000000000a01"


# ---- GET /api/v1/committees/checks ----

CHECK_KEYS = ["chain", "l1_chain", "block_number", "block_hash", "log_index", "tx_hash", "batch", "fork", "batches",
              "signed_hash", "result", "signatures", "valid", "threshold", "detail", "finding_id", "checked_at"]


def walk(w, query, limit):
    """Every page of a listing, following next_before; checks that each ends at a block boundary."""
    pages, before = [], None
    while True:
        page = w.get_json(f"/api/v1/committees/checks?limit={limit}{query}" +
                          (f"&before={before}" if before is not None else ""))
        got = page["checks"]
        blocks = {c["block_number"] for c in got}
        # Longer than limit only when one block alone holds more checks.
        assert len(got) <= limit or len(blocks) == 1, (query, limit, before)
        pages.append(got)
        before = page["next_before"]
        if before is None:
            return pages
        assert got and before == got[-1]["block_number"], (query, limit)


def test_checks_listing(migrated, serve):
    ids = seed(migrated)
    w = serve(migrated.url)
    doc = w.get_json("/api/v1/committees/checks")
    assert list(doc) == ["checks", "next_before"] and doc["next_before"] is None
    want = [expected_check(r, ids) for r in newest_first(CHECKS)]
    assert len(doc["checks"]) == len(CHECKS) == 52
    for got, exp in zip(doc["checks"], want):
        assert list(got) == CHECK_KEYS
        assert got == exp, (exp["chain"], exp["block_number"], exp["log_index"])
    # Plain figures: the newest is the other L1's at block 1449; block 1210 holds val-a's logs 6, 5
    # and 2, then val_b's log 0, in that order; the huge batch is text, the int64 maximum a number.
    got = doc["checks"]
    assert (got[0]["chain"], got[0]["block_number"], got[0]["log_index"]) == ("gone", 1449, 3)
    in_1210 = [(c["chain"], c["log_index"]) for c in got if c["block_number"] == 1210]
    assert in_1210 == [("val-a", 6), ("val-a", 5), ("val-a", 2), ("val_b", 0)]
    assert {c["batch"] for c in got if isinstance(c["batch"], str)} == {"18446744073709551615"}
    assert 9223372036854775807 in {c["batch"] for c in got}
    unreadable = next(c for c in got if c["result"] == "unreadable")
    assert unreadable["detail"] == HOSTILE_DETAIL and unreadable["fork"] is None and \
        unreadable["signed_hash"] is None and unreadable["signatures"] is None and unreadable["finding_id"] is None
    not_signed = next(c for c in got if c["result"] == "not_signed")
    assert not_signed["fork"] and not_signed["signed_hash"] is None and not_signed["valid"] is None
    failed = [c for c in got if c["result"] in FAILED]
    assert all(isinstance(c["finding_id"], int) for c in failed) and len(failed) == 21 + 1 + 1

    # Filters, alone and together.
    for query, pred in (("chain=val-a", lambda r: r["chain"] == "val-a"),
                        ("chain=val_b", lambda r: r["chain"] == "val_b"),
                        ("chain=val-c", lambda r: False),
                        ("result=ok", lambda r: r["result"] == "ok"),
                        ("result=unreadable&chain=val_b", lambda r: r["chain"] == "val_b" and
                         r["result"] == "unreadable"),
                        ("chain=val_b&result=bad_signature", lambda r: False),
                        ("result=malformed", lambda r: r["result"] == "malformed")):
        page = w.get_json(f"/api/v1/committees/checks?{query}")
        assert page["checks"] == [expected_check(r, ids) for r in newest_first(CHECKS) if pred(r)], query
        assert page["next_before"] is None
    # The other L1's malformed check is listed, though its committee is no longer configured.
    assert "gone" in {c["chain"] for c in w.get_json("/api/v1/committees/checks?result=malformed")["checks"]}


def test_checks_paging(migrated, serve):
    seed(migrated)
    w = serve(migrated.url)
    order = [(r["chain"], r["block"], r["log"]) for r in newest_first(CHECKS)]

    def key(c):
        return (c["chain"], c["block_number"], c["log_index"])

    # Paging back by block: no check twice, none missed, for any page size and filter.
    for limit in (1, 2, 3, 4, 5, 7, 10, 51, 52, 100, 500):
        flat = [key(c) for p in walk(w, "", limit) for c in p]
        assert flat == order, limit
    for query, pred in (("&chain=val-a", lambda r: r["chain"] == "val-a"),
                        ("&result=ok", lambda r: r["result"] == "ok"),
                        ("&chain=val_b&result=ok", lambda r: r["chain"] == "val_b" and r["result"] == "ok")):
        want = [(r["chain"], r["block"], r["log"]) for r in newest_first(CHECKS) if pred(r)]
        for limit in (1, 2, 3, 100):
            assert [key(c) for p in walk(w, query, limit) for c in p] == want, (query, limit)

    # Plain pages. The three newest checks are each alone in their block: limit 2 cuts after two.
    page = w.get_json("/api/v1/committees/checks?limit=2")
    assert [key(c) for c in page["checks"]] == [("gone", 1449, 3), ("val_b", 1448, 0)]
    assert page["next_before"] == 1448
    # Block 1210 holds four checks (val-a's 6, 5 and 2, val_b's 0); 1240 and 1200 one each. A page that
    # would end inside it ends before it instead ...
    page = w.get_json("/api/v1/committees/checks?limit=3&before=1250")
    assert [c["block_number"] for c in page["checks"]] == [1240] and page["next_before"] == 1240
    # ... one that starts at it, with room for fewer, holds the whole block ...
    page = w.get_json("/api/v1/committees/checks?limit=3&before=1240")
    assert [key(c) for c in page["checks"]] == [("val-a", 1210, 6), ("val-a", 1210, 5), ("val-a", 1210, 2),
                                                ("val_b", 1210, 0)]
    assert page["next_before"] == 1210
    # ... and one with room for it takes it whole.
    page = w.get_json("/api/v1/committees/checks?limit=5&before=1250")
    assert [c["block_number"] for c in page["checks"]] == [1240] + [1210] * 4 and page["next_before"] == 1210
    page = w.get_json("/api/v1/committees/checks?limit=1&before=1210")
    assert [key(c) for c in page["checks"]] == [("val-a", 1200, 2)] and page["next_before"] == 1200
    # before is strict: below the block given.
    assert w.get_json("/api/v1/committees/checks?before=999")["checks"] == []
    assert [key(c) for c in w.get_json("/api/v1/committees/checks?before=1000")["checks"]] == [("gone", 999, 0)]
    for before in ("1450", "9223372036854775807"):
        assert [key(c) for c in w.get_json(f"/api/v1/committees/checks?before={before}")["checks"]] == order
    # The default limit is 100 and the most 500: all 52 fit, and nothing follows.
    assert w.get_json("/api/v1/committees/checks?limit=500")["next_before"] is None
    last = w.get_json("/api/v1/committees/checks?limit=52")
    assert len(last["checks"]) == 52 and last["next_before"] is None
    one_short = w.get_json("/api/v1/committees/checks?limit=51")
    assert len(one_short["checks"]) == 51 and one_short["next_before"] == 1000


def test_checks_refusals(migrated, serve):
    seed(migrated)
    w = serve(migrated.url)
    base = "/api/v1/committees/checks"

    def refused(query, param):
        err = w.get_json(f"{base}?{query}", expect=400)
        assert err["code"] == "bad_request" and err["param"] == param, query
        return err["message"]

    # A committee's chain, as configured: not an L1, not one only the store knows, not another spelling.
    for bad in ("nope", "l1", "gone", "VAL-A", "val-a%20", ""):
        assert refused(f"chain={bad}", "chain") == "chain must name a chain with a committees: entry", bad
    for bad in ("bogus", "OK", "", "failed", "open", "ok,malformed"):
        message = refused(f"result={bad}", "result")
        assert message.startswith("result must be one of"), bad
        assert re.findall(r"[a-z_]+", message.split(":", 1)[1]) == RESULTS, bad
    for bad in ("0", "501", "-1", "abc", "", "01", "1e3", "5.0", "99999999999999999999"):
        assert refused(f"limit={bad}", "limit") == "limit must be an integer from 1 to 500", bad
    for bad in ("0", "-1", "abc", "", "01", "9223372036854775808", "1.5", "0x10"):
        assert refused(f"before={bad}", "before") == "before must be an L1 block number, an integer from 1", bad
    # Each parameter is named on its own, whatever else is right.
    assert refused("chain=val-a&result=nope&limit=5", "result")
    assert refused("chain=val-a&result=ok&limit=0", "limit")
    for path in ("/api/v1/committees/", "/api/v1/committees/val-a", "/api/v1/committees/checks/1",
                 "/api/v1/committee", "/api/v1/committees/checks/"):
        status, headers, body = w.get(path)
        assert status == 404 and headers["content-type"] == "application/json", path
        assert json.loads(body)["code"] == "not_found", path
    for path in ("/api/v1/committees", "/api/v1/committees/checks"):
        assert w.request("POST", path)[0] == 405, path


# ---- the dashboard page ----

class Page(html.parser.HTMLParser):
    """Rows carrying data-committee: each cell's text, title and classes (its own and its children's)."""

    def __init__(self):
        super().__init__()
        self.rows, self.row, self.cell = {}, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr" and "data-committee" in a:
            self.row = []
            self.rows[a["data-committee"]] = self.row
        elif tag == "td" and self.row is not None:
            self.cell = {"text": "", "title": a.get("title"), "classes": set((a.get("class") or "").split())}
            self.row.append(self.cell)
        elif self.cell is not None:
            self.cell["classes"] |= set((a.get("class") or "").split())

    def handle_endtag(self, tag):
        if tag == "td":
            self.cell = None
        elif tag == "tr":
            self.row = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell["text"] += data


def test_dashboard_section(migrated, serve):
    seed(migrated)
    w = serve(migrated.url)
    before = int(time.time())
    status, headers, page = w.get("/da")
    after = int(time.time())
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert "<h2>Committees</h2>" in page and "No committees configured." not in page
    assert "<script" not in page.lower() and not re.search(r"\sstyle=", page)
    # The DA page keeps its sections, the committees between the commitments and liveness.
    assert page.index("<h2>Data availability</h2>") < page.index("<h2>Committees</h2>") < \
        page.index("<h2>Liveness</h2>")

    p = Page()
    p.feed(page)
    assert list(p.rows) == ["val-a", "val_b", "val-c"]
    for chain, l1, _, members, threshold in COMMITTEES:
        cells = p.rows[chain]
        rows = [r for r in CHECKS if r["chain"] == chain]
        n = {name: sum(r["result"] == name for r in rows) for name in RESULTS}
        failed = sum(n[k] for k in FAILED)
        assert cells[0]["text"] == f"{chain}on {l1}", chain
        assert cells[1]["text"] == f"{threshold} of {len(members)}", chain
        assert [c["text"] for c in cells[2:7]] == [str(len(rows)), str(n["ok"]), str(failed),
                                                   str(n["not_signed"]), str(n["unreadable"])], chain
        assert ("sev-high" in cells[4]["classes"]) == (failed > 0), chain
        if not rows:
            assert [c["text"] for c in cells[7:11]] == ["\u2014"] * 4, chain
            assert cells[11]["text"] == "\u2014"
            continue
        last = newest_first(rows)[0]
        assert cells[7]["text"] == str(last["batch"]) and cells[8]["text"] == last["result"], chain
        assert cells[9]["title"] == f"unix {int(last['checked'])}", chain
        age = int(cells[10]["title"].split()[0])
        assert before - int(last["checked"]) <= age <= after - int(last["checked"]), chain
    # Plain figures.
    a = p.rows["val-a"]
    assert [c["text"] for c in a[2:9]] == ["45", "9", "21", "7", "8", "144", rows_result(1440)]
    assert "committee_threshold_missed \u00d73" in a[11]["text"] and "sev-high" in a[11]["classes"]
    assert "committee_threshold_missed \u00d71" in p.rows["val_b"][11]["text"]
    assert p.rows["val_b"][8]["text"] == "ok" and "ok" in p.rows["val_b"][8]["classes"]
    assert [c["text"] for c in p.rows["val-c"][2:7]] == ["0"] * 5
    assert "sev-high" not in p.rows["val-c"][4]["classes"]


def rows_result(block):
    return next(r["result"] for r in CHECKS if r["chain"] == "val-a" and r["block"] == block)


def test_last_result_badge(migrated, serve):
    """The last result is marked as what it is: a failed verdict high, unreadable medium, ok ok."""
    seed(migrated)
    w = serve(migrated.url)
    for result, cls in (("malformed", "sev-high"), ("unreadable", "sev-medium"), ("ok", "ok"),
                        ("not_signed", "muted")):
        migrated.rows(f"UPDATE committee_checks SET result = '{result}' WHERE chain = 'val-a' AND"
                      " block_number = 1440")
        p = Page()
        p.feed(w.get("/da")[2])
        cell = p.rows["val-a"][8]
        assert cell["text"] == result and cls in cell["classes"], result
        assert not ({"sev-high", "sev-medium", "ok", "muted"} - {cls}) & (cell["classes"] - {"badge"}), result
        assert w.get_json("/api/v1/committees")["committees"][0]["last_check"]["result"] == result


def test_nothing_configured(migrated, serve):
    seed(migrated)  # checks stored, but no committee configured: none is shown
    w = serve(migrated.url, with_committees=False)
    doc = w.get_json("/api/v1/committees")
    assert list(doc) == ["now", "committees"] and doc["committees"] == [] and isinstance(doc["now"], int)
    assert w.get_json("/api/v1/committees/checks?chain=val-a", expect=400)["param"] == "chain"
    assert len(w.get_json("/api/v1/committees/checks")["checks"]) == len(CHECKS)
    status, _, page = w.get("/da")
    assert status == 200 and "<h2>Committees</h2>" in page and "No committees configured." in page
    assert "data-committee" not in page


def test_empty_store(migrated, serve):
    w = serve(migrated.url)
    doc = w.get_json("/api/v1/committees")
    assert [c["checks"] for c in doc["committees"]] == [dict.fromkeys(RESULTS, 0)] * 3
    assert [(c["last_check"], c["open_findings"]) for c in doc["committees"]] == [(None, 0)] * 3
    assert w.get_json("/api/v1/committees/checks") == {"checks": [], "next_before": None}
    assert w.get_json("/api/v1/committees/checks?chain=val-a&result=ok&limit=1&before=5") == \
        {"checks": [], "next_before": None}
