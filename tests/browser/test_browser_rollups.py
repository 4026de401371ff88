"""The rollups page (/rollups) as Chromium shows it, against the seeded
database: per L2 the proposals by verdict with the latest and the oldest
pending, each count a link to the proposals it counts; the mismatch with
its finding and the deletion that answered it; the newest proposals with
their verdict badges, a mismatch linking to its finding."""
from browser_report import DASH, by_header, cell, table, visit

BADGE = {"pending": "badge muted", "match": "badge ok", "mismatch": "badge sev-critical"}
VERDICT = {"0": "pending", "1": "match", "2": "mismatch"}


def rollups(browsed):
    return visit(browsed, "/rollups")


def finding_of(db, chain, index):
    """The invalid_output_root finding raised for a proposal: the seed keys it as the detector does."""
    rows = db.rows("SELECT f.id FROM findings f JOIN output_proposals p ON f.dedup_key = 'invalid_output_root:'"
                   " || p.l2_chain || ':0x' || encode(p.oracle, 'hex') || ':' || p.output_index || ':0x' ||"
                   " encode(p.output_root, 'hex') || ':0x' || encode(p.block_hash, 'hex') || ':' || p.log_index"
                   f" WHERE p.l2_chain = '{chain}' AND p.output_index = {index}")
    return rows[0][0] if rows else None


def test_per_l2_counts(browsed, site):
    db, _ = site
    t = table(rollups(browsed), "Rollups")
    rows = by_header(t)
    chains = db.rows("SELECT name, coalesce(head_number::text, '') FROM chains WHERE role = 'l2' ORDER BY name")
    assert [r["L2"]["text"] for r in rows] == [c for c, _ in chains] and len(chains) == 2
    for r, (chain, head) in zip(rows, chains):
        counts = dict(db.rows(f"SELECT check_status, count(*) FROM output_proposals WHERE l2_chain = '{chain}'"
                              " GROUP BY check_status"))
        total = sum(int(v) for v in counts.values())
        latest = db.rows("SELECT output_index, l2_block_number, l1_block_number FROM output_proposals"
                         f" WHERE l2_chain = '{chain}' ORDER BY l1_block_number DESC, log_index DESC LIMIT 1")[0]
        oldest = db.rows("SELECT 'n' || coalesce(min(l2_block_number)::text, '') FROM output_proposals"
                         f" WHERE l2_chain = '{chain}' AND check_status = 0")[0][0][1:]
        got = [r[h]["text"] for h in ("L2 head", "Proposals", "Match", "Mismatch", "Pending", "Latest index",
                                      "Latest L2 block", "Latest L1 block", "Oldest pending L2 block")]
        assert got == [cell(head), str(total), counts.get("1", "0"), counts.get("2", "0"), counts.get("0", "0"),
                       *latest, cell(oldest)], chain
        assert r["L2"]["href"] == f"/rollups?chain={chain}"
        for head_, check in (("Match", "match"), ("Mismatch", "mismatch"), ("Pending", "pending")):
            want = None if r[head_]["text"] == "0" else f"/rollups?chain={chain}&check={check}"
            assert r[head_]["href"] == want
    assert rows[1]["Mismatch"]["badge"] == "badge sev-critical"


def test_mismatches_link_their_finding_and_response(browsed, site):
    db, _ = site
    want = db.rows("SELECT l2_chain, output_index, l2_block_number, '0x' || encode(output_root, 'hex'),"
                   " '0x' || encode(recomputed_root, 'hex'), l1_block_number FROM output_proposals"
                   " WHERE check_status = 2 ORDER BY l1_block_number DESC, log_index DESC")
    rows = by_header(table(rollups(browsed), "Mismatches"))
    heads = ("L2", "Index", "L2 block", "Posted root", "Recomputed root", "L1 block")
    assert [[r[h]["text"] for h in heads] for r in rows] == want and want
    for r, w in zip(rows, want):
        fid = finding_of(db, w[0], w[1])
        assert fid, w
        status = db.rows(f"SELECT status FROM findings WHERE id = {fid}")[0][0]
        assert (r["Finding"]["text"], r["Finding"]["href"]) == (f"#{fid} {status}", f"/findings/{fid}")
        resp = db.rows("SELECT action || ' ' || status || ' 0x' || encode(tx_hash, 'hex') FROM responses"
                       f" WHERE finding_id = {fid} ORDER BY id DESC LIMIT 1")
        assert r["Response"]["text"] == (resp[0][0] if resp else DASH)


def test_newest_proposals(browsed, site):
    db, _ = site
    want = db.rows("SELECT l2_chain, output_index, l2_block_number, '0x' || encode(output_root, 'hex'), check_status,"
                   " coalesce('0x' || encode(recomputed_root, 'hex'), ''), l1_block_number FROM output_proposals"
                   " ORDER BY l1_block_number DESC, log_index DESC LIMIT 50")
    rows = by_header(table(rollups(browsed), "Output proposals"))
    heads = ("L2", "Index", "L2 block", "Output root", "Check", "Recomputed root", "L1 block")
    assert [[r[h]["text"] for h in heads] for r in rows] == \
        [[c, i, b, root, VERDICT[s], cell(rec), l1] for c, i, b, root, s, rec, l1 in want]
    assert [r["Check"]["badge"] for r in rows] == [BADGE[VERDICT[w[4]]] for w in want]
    assert {VERDICT[w[4]] for w in want} == set(BADGE)
    for r, w in zip(rows, want):
        fid = finding_of(db, w[0], w[1]) if w[4] == "2" else None
        assert r["Check"]["href"] == (f"/findings/{fid}" if fid else None)
    # Fewer than a page: no link to older ones.
    assert "Older proposals" not in rollups(browsed)["data"]["bodyText"]
