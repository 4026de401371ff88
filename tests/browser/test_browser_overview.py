"""The overview (/) as Chromium shows it, against the seeded database: the
chains and their lag, the newest findings row by row with the severity
badge each one wears, a finding's link, responses, output proposals and
the bridge's escrow and supply in token units."""
from browser_report import DASH, by_header, cell, epoch, table, table_by_id, texts, utc, visit
from browser_seed import USDC

SEVERITIES = ["critical", "high", "medium", "low", "info"]


def overview(browsed):
    return visit(browsed, "/")


def newest_findings(db, limit):
    rows = db.rows(f"SELECT id, severity, kind, chain, title, {epoch('detected_at')}, status,"
                   " extract(epoch FROM detected_at) FROM findings")
    rows.sort(key=lambda r: (float(r[7]), int(r[0])), reverse=True)
    return rows[:limit], len(rows)


def test_chains_and_their_lag(browsed, site):
    db, _ = site
    want = []
    for name, role, chain_id, head, synced, updated in db.rows(
            f"SELECT name, role, chain_id, head_number, synced_number, {epoch('updated_at')} FROM chains"
            " ORDER BY role, name"):
        lag = str(max(int(head) - int(synced), 0)) if head and synced else DASH
        want.append([name, role, chain_id, cell(head), cell(synced), lag, utc(updated)])
    rows = by_header(table(overview(browsed), "Chains"))
    got = [[r[h]["text"] for h in ("Name", "Role", "Chain ID", "Head", "Synced", "Lag", "Last update")]
           for r in rows]
    assert got == want
    assert any(w[5] not in ("0", DASH) for w in want)  # a chain that lags, seen as such


def test_findings_rows_are_the_newest_fifty(browsed, site):
    db, _ = site
    want, total = newest_findings(db, 50)
    assert total > 50  # the page's limit is exercised
    rows = by_header(table(overview(browsed), "Findings"))
    assert len(rows) == 50
    for r, (fid, sev, kind, chain, title, detected, status, _) in zip(rows, want):
        got = [r[h]["text"] for h in ("Severity", "Kind", "Chain", "Title", "Detected", "Status")]
        assert got == [sev, kind, chain, title, utc(detected), status], fid
        assert r["Title"]["href"] == f"/findings/{fid}"


def test_findings_wear_their_severity(browsed, site):
    """Each row's badge is its severity's, and the page shows as many of each
    severity as the database has among those rows."""
    db, _ = site
    want, _ = newest_findings(db, 50)
    rows = by_header(table(overview(browsed), "Findings"))
    shown = {}
    for r in rows:
        sev = r["Severity"]["text"]
        assert r["Severity"]["badge"] == f"badge sev-{sev}"
        shown[sev] = shown.get(sev, 0) + 1
    counted = {}
    for w in want:
        counted[w[1]] = counted.get(w[1], 0) + 1
    assert shown == counted
    assert set(shown) == set(SEVERITIES)  # every severity is seeded into the page


def test_markup_in_titles_is_text(browsed, site):
    db, _ = site
    page = overview(browsed)["data"]
    hostile = db.rows("SELECT title FROM findings WHERE title LIKE '%<script>%' ORDER BY id LIMIT 1")[0][0]
    titles = [r["Title"]["text"] for r in by_header(table(overview(browsed), "Findings"))]
    assert hostile in titles
    # Only the dashboard's own scripts, from its origin: nothing the data wrote.
    assert all(src and src.startswith("/static/") for src in page["scripts"]), page["scripts"]


def test_a_findings_link_opens_its_page(browsed, site):
    """Clicking the newest finding's title opens its page, which shows that
    finding and every alert queued for it."""
    db, server = site
    want, _ = newest_findings(db, 1)
    fid, sev, kind, chain, title, detected, status, _ = want[0]
    follow = overview(browsed)["follow"]
    assert follow["href"] == f"/findings/{fid}"
    assert follow["url"] == f"http://127.0.0.1:{server.port}/findings/{fid}"
    assert follow["status"] == 200 and follow["contentType"].startswith("text/html")
    page = follow["data"]
    assert page["named"]["finding-title"] == title
    summary = db.rows(f"SELECT summary FROM findings WHERE id = {fid}")[0][0]
    assert page["named"]["finding-summary"] == summary
    fields = dict(texts(r) for r in table_by_id(follow, "finding")["rows"] if len(r["cells"]) == 2)
    assert {k: fields[k] for k in ("Kind", "Chain", "Status", "Detected")} == \
        {"Kind": kind, "Chain": chain, "Status": status, "Detected": utc(detected)}
    alerts = db.rows(f"SELECT id, event, sink FROM alert_outbox WHERE finding_id = {fid} ORDER BY id")
    assert len(alerts) >= 2
    deliveries = by_header(table_by_id(follow, "deliveries"))
    assert [[r[h]["text"] for h in ("Alert", "Event", "Sink")] for r in deliveries] == alerts
    assert not follow["consoleErrors"]


def test_responses(browsed, site):
    db, _ = site
    want = [[r[0], r[1], r[2], r[3], r[4], cell(r[5]), cell(r[6]), r[7], cell(r[8]), utc(r[9])] for r in db.rows(
        "SELECT finding_id, action, chain, mode, status, nonce, CASE WHEN tx_hash IS NULL THEN '' ELSE"
        f" '0x' || encode(tx_hash, 'hex') END, bumps, note, {epoch('updated_at')} FROM responses ORDER BY id DESC")]
    rows = by_header(table(overview(browsed), "Responses"))
    heads = ("Finding", "Action", "Chain", "Mode", "Status", "Nonce", "Transaction", "Bumps", "Note", "Updated")
    assert [[r[h]["text"] for h in heads] for r in rows] == want
    assert [r["Finding"]["href"] for r in rows] == [f"/findings/{w[0]}" for w in want]


def test_output_proposals_and_their_verdicts(browsed, site):
    db, _ = site
    verdict = {"0": "pending", "1": "match", "2": "mismatch"}
    badge = {"pending": "badge muted", "match": "badge ok", "mismatch": "badge sev-critical"}
    want = [[r[0], r[1], r[2], r[3], verdict[r[4]], cell(r[5]), r[6]] for r in db.rows(
        "SELECT l2_chain, output_index, l2_block_number, '0x' || encode(output_root, 'hex'), check_status,"
        " CASE WHEN recomputed_root IS NULL THEN '' ELSE '0x' || encode(recomputed_root, 'hex') END,"
        " l1_block_number FROM output_proposals ORDER BY l1_block_number DESC, log_index DESC LIMIT 20")]
    rows = by_header(table(overview(browsed), "Output proposals"))
    heads = ("L2", "Index", "L2 block", "Output root", "Check", "Recomputed root", "L1 block")
    assert [[r[h]["text"] for h in heads] for r in rows] == want
    assert [r["Check"]["badge"] for r in rows] == [badge[w[4]] for w in want]
    assert {w[4] for w in want} == set(badge)


def units(base, decimals):
    """Base units as token units, trailing zeros dropped."""
    digits = str(base).rjust(decimals + 1, "0")
    whole, frac = digits[:-decimals], digits[-decimals:].rstrip("0")
    return whole + ("." + frac if frac else "")


def test_bridge_escrow_and_supply_in_token_units(browsed, site):
    db, _ = site
    tokens = {"native": ("ETH", 18), USDC: ("USDC", 6)}
    rows = [r for r in table(overview(browsed), "Bridges")["rows"]]
    assert sorted(r["data"]["token"] for r in rows) == sorted(tokens)
    paused = db.rows("SELECT paused FROM bridge_status WHERE bridge = 'op-main' AND token = '*'")[0][0]
    for row in rows:
        token = row["data"]["token"]
        symbol, decimals = tokens[token]
        escrow, supply = db.rows("SELECT escrow, coalesce(supply::text, '') FROM bridge_status"
                                 f" WHERE bridge = 'op-main' AND token = '{token}'")[0]
        cells = {c["text"] for c in row["cells"]}
        assert f"{units(int(escrow), decimals)} {symbol}" in cells, (token, cells)
        if supply:
            assert f"{units(int(supply), decimals)} {symbol}" in cells
            ratio = int(supply) * 10000 // int(escrow)
            assert f"{ratio // 10000}.{ratio % 10000:04d}" in cells
        open_kinds = db.rows(
            "SELECT kind, count(*) FROM findings WHERE status = 'open' AND (subject = 'bridge:op-main:' ||"
            f" '{token}' OR (evidence->>'bridge' = 'op-main' AND evidence->>'token' = '{token}'))"
            " GROUP BY kind ORDER BY kind")
        findings = " ".join(f"{k} \u00d7{n}" for k, n in open_kinds) or DASH
        assert findings in cells, (token, cells)
    # One pause cell for the bridge (it spans the token rows).
    pause = [c for r in rows for c in r["cells"] if c["text"] in ("paused", "active", "unknown")]
    assert [(c["text"], c["badge"]) for c in pause] == [("paused", "badge sev-critical") if paused == "t"
                                                        else ("active", "badge ok")]
