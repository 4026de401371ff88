"""The /rollups page against a real PostgreSQL: per L2 the output
proposals by verdict (match, mismatch, pending), its latest proposal and
the oldest still pending; each mismatch with the invalid_output_root
finding the state_root detector raised for it (found by the detector's
dedup key, whose form tests/unit/test_state_root.c pins) and the response
to it; the proposals newest first, filtered by L2 and verdict and paged
back without gaps. Every figure is read back from the database."""
import re

from html_tables import DASH, Page, cell

HOSTILE = '<b>note</b> & "x"'
ORACLE = "0x" + "0" * 38 + "01"
PAGE = 50


def q(v):
    return "NULL" if v is None else "'" + str(v).replace("'", "''") + "'"


def proposal(chain, n, check, l1_block, log_index=0, note=None):
    root = f"{n + (0x5000 if chain == 'op-local' else 0x9000):064x}"
    recomputed = "NULL" if check == 0 else (f"decode('{root}', 'hex')" if check == 1
                                            else f"decode('{n + 0x6000:064x}', 'hex')")
    block_hash = f"{l1_block * 16 + log_index + (0 if chain == 'op-local' else 7):064x}"
    return (f"('l1', decode('{block_hash}', 'hex'), {log_index}, '{chain}', decode('{ORACLE[2:]}', 'hex'), {n},"
            f" {1800 * n}, decode('{root}', 'hex'), {1_700_000_000 + 12 * l1_block}, {l1_block},"
            f" decode('{n:064x}', 'hex'), {check}, {recomputed},"
            f" {'now()' if check else 'NULL'}, {q(note)})")


def seed(db):
    db.rows("INSERT INTO chains (name, chain_id, role, head_number, synced_number) VALUES ('l1', 900, 'l1', 9000, 8990)")
    db.rows("INSERT INTO chains (name, chain_id, role, l1, head_number) VALUES ('op-local', 901, 'l2', 'l1', 130000),"
            " ('op-two', 902, 'l2', 'l1', 4000), ('quiet', 903, 'l2', 'l1', NULL)")
    rows = []
    # op-local: 64 proposals over 32 L1 blocks, two per block (log 0 and 3), so pages split inside a block.
    for n in range(64):
        check = 2 if n in (5, 17, 40) else 0 if n >= 60 else 1
        rows.append(proposal("op-local", n, check, 100 + n // 2, 3 * (n % 2), note="late: " + HOSTILE if n == 61
                             else None))
    # op-two: 5, one mismatch without a finding, two pending.
    for n in range(5):
        rows.append(proposal("op-two", n, [1, 2, 1, 0, 0][n], 100 + 3 * n, 1))
    db.rows("INSERT INTO output_proposals (l1_chain, block_hash, log_index, l2_chain, oracle, output_index,"
            " l2_block_number, output_root, l1_timestamp, l1_block_number, tx_hash, check_status, recomputed_root,"
            " checked_at, check_note) VALUES " + ", ".join(rows))
    # The findings the detector raised for op-local's mismatches, keyed as it keys them; a response to one.
    for n, status in ((5, "resolved"), (17, "open"), (40, "open")):
        block_hash, log_index = db.rows(
            f"SELECT '0x' || encode(block_hash, 'hex'), log_index FROM output_proposals WHERE l2_chain = 'op-local'"
            f" AND output_index = {n}")[0]
        key = f"invalid_output_root:op-local:{ORACLE}:{n}:0x{n + 0x5000:064x}:{block_hash}:{log_index}"
        db.rows("INSERT INTO findings (dedup_key, kind, severity, chain, title, summary, evidence, status) VALUES"
                f" ('{key}', 'invalid_output_root', 'critical', 'op-local', 'Invalid output root at index {n}', 's',"
                f" '{{}}', '{status}')")
    # A finding of another proposal's key shape that must not be taken for op-two's mismatch.
    db.rows("INSERT INTO findings (dedup_key, kind, severity, chain, title, summary, evidence) VALUES"
            " ('invalid_output_root:op-two:x', 'invalid_output_root', 'critical', 'op-two', 't', 's', '{}')")
    fid = db.rows("SELECT id FROM findings WHERE title = 'Invalid output root at index 17'")[0][0]
    db.rows("INSERT INTO responses (idempotency_key, finding_id, action, chain, mode, to_addr, calldata, status,"
            f" tx_hash) VALUES ('d17', {fid}, 'delete_l2_outputs', 'l1', 'on', decode('{1:040x}', 'hex'), '\\x01',"
            f" 'verified', decode('{0xEE:064x}', 'hex'))")


PROPOSAL_SQL = (
    "SELECT p.l2_chain, p.output_index, p.l2_block_number, '0x' || encode(p.output_root, 'hex'),"
    " CASE p.check_status WHEN 0 THEN 'pending' WHEN 1 THEN 'match' ELSE 'mismatch' END,"
    " coalesce('0x' || encode(p.recomputed_root, 'hex'), ''), p.l1_block_number, coalesce(p.check_note, ''),"
    " coalesce((SELECT f.id::text FROM findings f WHERE f.kind = 'invalid_output_root'"
    "   AND f.title = 'Invalid output root at index ' || p.output_index AND f.chain = p.l2_chain), '')"
    " FROM output_proposals p WHERE {where} ORDER BY p.l1_block_number DESC, p.log_index DESC")
HEADS = ("L2", "Index", "L2 block", "Output root", "Check", "Recomputed root", "L1 block", "Note")


def shown(page):
    return [[r[h]["text"] for h in HEADS] for r in page.rows("proposals")]


def expected(db, where="true"):
    return [[c, i, b, root, chk, cell(rec), l1, cell(note)]
            for c, i, b, root, chk, rec, l1, note, _ in db.rows(PROPOSAL_SQL.format(where=where))]


def walk(w, url):
    """Every row from url on, following the older link; the links followed."""
    rows, links = [], []
    while url:
        status, _, text = w.get(url)
        assert status == 200, (url, text)
        page = Page(text)
        rows += shown(page)
        m = re.search(r'<a id="older" href="([^"]+)">', text)
        url = m.group(1).replace("&amp;", "&") if m else None
        links.append(url)
    return rows, links


def test_rollups_page_against_the_database(migrated, webalerts):
    seed(migrated)
    w = webalerts(migrated.url, [])
    status, headers, text = w.get("/rollups")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert HOSTILE not in text and "late: &lt;b&gt;note&lt;/b&gt; &amp; &quot;x&quot;" in text
    assert "<script" not in text and not re.search(r"\sstyle=", text)
    page = Page(text)
    assert page.headings() == ["Rollups", "Mismatches", "Output proposals"]

    # Per L2: every chain of role l2, with its counts and latest proposal.
    want = []
    for name, head in migrated.rows("SELECT name, coalesce(head_number::text, '') FROM chains WHERE role = 'l2'"
                                    " ORDER BY name"):
        counts = dict(migrated.rows(f"SELECT check_status, count(*) FROM output_proposals WHERE l2_chain = '{name}'"
                                    " GROUP BY check_status"))
        total = migrated.rows(f"SELECT count(*) FROM output_proposals WHERE l2_chain = '{name}'")[0][0]
        latest = migrated.rows(f"SELECT output_index, l2_block_number, l1_block_number FROM output_proposals"
                               f" WHERE l2_chain = '{name}' ORDER BY l1_block_number DESC, log_index DESC LIMIT 1")
        oldest = migrated.rows(f"SELECT 'n' || coalesce(min(l2_block_number)::text, '') FROM output_proposals"
                               f" WHERE l2_chain = '{name}' AND check_status = 0")[0][0][1:]
        want.append([name, cell(head), total, counts.get("1", "0"), counts.get("2", "0"), counts.get("0", "0"),
                     *(latest[0] if latest else [DASH] * 3), cell(oldest)])
    got = page.texts("rollups", ["L2", "L2 head", "Proposals", "Match", "Mismatch", "Pending", "Latest index",
                                 "Latest L2 block", "Latest L1 block", "Oldest pending L2 block"])
    assert got == want
    assert [r[0] for r in want] == ["op-local", "op-two", "quiet"] and want[2][2] == "0"
    # Each count links to the proposals it counts.
    for r in page.rows("rollups"):
        chain = r["L2"]["text"]
        assert r["L2"]["href"] == f"/rollups?chain={chain}"
        for head, check, code in (("Match", "match", 1), ("Mismatch", "mismatch", 2), ("Pending", "pending", 0)):
            if r[head]["text"] == "0":
                assert r[head]["href"] is None
                continue
            assert r[head]["href"] == f"/rollups?chain={chain}&check={check}"
            rows, _ = walk(w, r[head]["href"])
            assert rows == expected(migrated, f"p.l2_chain = '{chain}' AND p.check_status = {code}")
            assert len(rows) == int(r[head]["text"])

    # The mismatches, newest first, each with its finding and the response to it.
    mismatches = [r for r in expected(migrated, "p.check_status = 2")]
    findings = [f for *_, f in migrated.rows(PROPOSAL_SQL.format(where="p.check_status = 2"))]
    rows = page.rows("mismatches")
    assert [[r[h]["text"] for h in ("L2", "Index", "L2 block", "Posted root", "Recomputed root", "L1 block")]
            for r in rows] == [[m[0], m[1], m[2], m[3], m[5], m[6]] for m in mismatches]
    assert len(rows) == 4 and findings.count("") == 1  # op-two's has no finding
    for r, fid in zip(rows, findings):
        if not fid:
            assert r["Finding"]["text"] == DASH and r["Finding"]["href"] is None
            continue
        fstatus = migrated.rows(f"SELECT status FROM findings WHERE id = {fid}")[0][0]
        assert r["Finding"]["href"] == f"/findings/{fid}" and r["Finding"]["text"] == f"#{fid} {fstatus}"
        resp = migrated.rows("SELECT action || ' ' || status || ' 0x' || encode(tx_hash, 'hex') FROM responses"
                             f" WHERE finding_id = {fid}")
        assert r["Response"]["text"] == (resp[0][0] if resp else DASH)
    assert sum(r["Response"]["text"] != DASH for r in rows) == 1

    # The proposals: the newest 50, then older pages until every one was shown once, in order.
    assert shown(page) == expected(migrated)[:PAGE]
    checks = {r["Check"]["text"]: r["Check"]["badge"] for r in page.rows("proposals")}
    assert checks == {"match": "badge ok", "mismatch": "badge sev-critical", "pending": "badge muted"}
    for r in page.rows("proposals"):
        fid = [f for *_, f in migrated.rows(PROPOSAL_SQL.format(
            where=f"p.l2_chain = '{r['L2']['text']}' AND p.output_index = {r['Index']['text']}"))][0]
        assert r["Check"]["href"] == (f"/findings/{fid}" if fid else None)
    rows, links = walk(w, "/rollups")
    assert rows == expected(migrated) and len(links) == 2
    assert re.fullmatch(r"/rollups\?before=\d+-\d", links[0])
    rows, links = walk(w, "/rollups?chain=op-local")
    assert rows == expected(migrated, "p.l2_chain = 'op-local'") and len(rows) == 64 and len(links) == 2
    assert links[0].startswith("/rollups?chain=op-local&before=")
    assert walk(w, "/rollups?chain=op-two&check=")[0] == expected(migrated, "p.l2_chain = 'op-two'")
    assert "No output proposals match." in w.get("/rollups?chain=quiet")[2]
    # The filter form keeps what was chosen.
    text = w.get("/rollups?chain=op-two&check=pending")[2]
    assert "<option selected>op-two</option>" in text and "<option selected>pending</option>" in text


def test_rollups_page_refuses_bad_filters(migrated, webalerts):
    w = webalerts(migrated.url, [])
    assert w.get("/rollups")[0] == 200
    for query, param in (("check=bogus", "check"), ("chain=Op", "chain"), ("chain=a%2Fb", "chain"),
                         ("before=12", "before"), ("before=012-1", "before"), ("before=12-", "before"),
                         ("before=-1", "before"), ("before=1-01", "before"), ("before=99999999999999999999-1",
                                                                              "before")):
        status, _, body = w.get("/rollups?" + query)
        assert status == 400 and f'"param":"{param}"' in body.replace(" ", ""), (query, body)
    assert w.get("/rollups?before=12-0")[0] == 200
