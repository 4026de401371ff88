"""The overview (/) as Chromium shows it, against the seeded database: the
chains with head, checkpoint and lag; open findings counted by severity,
each count a link to /findings filtered to them; the latest alert
deliveries with their state; the responder's counts by status, what is in
flight and what was mined last; a line for each page that has its own now,
and a finding's link followed to its page. Output proposals, channels and
bridges moved to /rollups, /channels and /bridges."""
from browser_report import DASH, by_header, cell, epoch, table, table_by_id, texts, utc, visit
from browser_seed import HOSTILE

SEVERITIES = ["critical", "high", "medium", "low", "info"]
RESPONSE_STATUSES = ["planned", "nonce_assigned", "sent", "mined", "verified", "dry_run", "not_needed", "reverted",
                     "failed"]


def overview(browsed):
    return visit(browsed, "/")


def test_sections_of_the_overview(browsed):
    sections = [s["heading"] for s in overview(browsed)["data"]["sections"]]
    assert sections == ["Chains", "Open findings", "Recent alerts", "Responder", "Elsewhere"]


def test_chains_and_their_lag(browsed, site):
    db, _ = site
    want = []
    for name, role, chain_id, head, synced, updated in db.rows(
            f"SELECT name, role, chain_id, head_number, synced_number, {epoch('updated_at')} FROM chains"
            " ORDER BY role, name"):
        lag = str(max(int(head) - int(synced), 0)) if head and synced else DASH
        want.append([name, role, chain_id, cell(head), cell(synced), lag, utc(updated)])
    rows = by_header(table(overview(browsed), "Chains"))
    got = [[r[h]["text"] for h in ("Name", "Role", "Chain ID", "Head", "Checkpoint", "Lag", "Updated")]
           for r in rows]
    assert got == want
    assert any(w[5] not in ("0", DASH) for w in want)  # a chain that lags, seen as such


def test_open_findings_by_severity(browsed, site):
    """One row per severity, zeros included, with the database's count, the
    severity's badge, and a link to exactly those findings."""
    db, _ = site
    counted = dict(db.rows("SELECT severity, count(*) FROM findings WHERE status = 'open' GROUP BY severity"))
    t = table(overview(browsed), "Open findings")
    rows = by_header(t)
    assert [r["data"]["severity"] for r in t["rows"]] == SEVERITIES
    assert [[r["Severity"]["text"], r["Open"]["text"]] for r in rows] == [[s, counted.get(s, "0")] for s in SEVERITIES]
    assert [r["Severity"]["badge"] for r in rows] == [f"badge sev-{s}" for s in SEVERITIES]
    assert [r["Open"]["href"] for r in rows] == [f"/findings?status=open&severity={s}" for s in SEVERITIES]
    assert len([c for c in counted.values() if c != "0"]) >= 3


def test_recent_alerts(browsed, site):
    db, _ = site
    want = db.rows(
        "SELECT o.id, o.finding_id, f.title, coalesce(o.severity, ''), o.event, o.sink,"
        " CASE WHEN o.silence_id IS NOT NULL THEN 'silenced' WHEN o.delivered_at IS NOT NULL THEN 'delivered'"
        " WHEN o.dead_at IS NOT NULL THEN 'dead' ELSE 'pending' END, o.attempts,"
        f" {epoch('o.created_at')} FROM alert_outbox o JOIN findings f ON f.id = o.finding_id"
        " ORDER BY o.id DESC LIMIT 20")
    total = int(db.rows("SELECT count(*) FROM alert_outbox")[0][0])
    rows = by_header(table(overview(browsed), "Recent alerts"))
    assert total > 20 and len(rows) == 20
    heads = ("Alert", "Finding", "Severity", "Event", "Sink", "State", "Attempts", "Queued")
    assert [[r[h]["text"] for h in heads] for r in rows] == \
        [[a, " ".join(t.split()), cell(s), e, k, st, n, utc(c)] for a, _, t, s, e, k, st, n, c in want]
    assert [r["Finding"]["href"] for r in rows] == [f"/findings/{w[1]}" for w in want]
    badge = {"delivered": "badge ok", "dead": "badge sev-critical", "pending": "badge sev-medium",
             "silenced": "badge muted"}
    assert [r["State"]["badge"] for r in rows] == [badge[w[6]] for w in want]


def test_responder_status(browsed, site):
    db, _ = site
    page = overview(browsed)
    counted = dict(db.rows("SELECT status, count(*) FROM responses GROUP BY status"))
    t = table_by_id(page, "responses-by-status")
    assert t["headers"] == RESPONSE_STATUSES
    assert [texts(r) for r in t["rows"]] == [[counted.get(s, "0") for s in RESPONSE_STATUSES]]
    flight = db.rows(
        "SELECT finding_id, action, status, coalesce(nonce::text, ''), CASE WHEN tx_hash IS NULL THEN '' ELSE"
        f" '0x' || encode(tx_hash, 'hex') END, bumps, coalesce(note, ''), {epoch('updated_at')} FROM responses"
        " WHERE status IN ('planned', 'nonce_assigned', 'sent', 'mined') ORDER BY id DESC LIMIT 10")
    rows = by_header(table_by_id(page, "in-flight"))
    heads = ("Finding", "Action", "Status", "Nonce", "Transaction", "Bumps", "Note", "Updated")
    assert [[r[h]["text"] for h in heads] for r in rows] == \
        [[f, a, s, cell(n), cell(t), b, cell(x), utc(u)] for f, a, s, n, t, b, x, u in flight]
    assert flight and [r["Finding"]["href"] for r in rows] == [f"/findings/{w[0]}" for w in flight]
    mined = db.rows("SELECT finding_id, action, status, '0x' || encode(tx_hash, 'hex'), mined_block,"
                    f" {epoch('mined_at')} FROM responses WHERE mined_at IS NOT NULL ORDER BY mined_at DESC LIMIT 1")
    rows = by_header(table_by_id(page, "latest-mined"))
    assert [[r[h]["text"] for h in ("Finding", "Action", "Status", "Transaction", "Block", "Mined")]
            for r in rows] == [[f, a, s, t, b, utc(m)] for f, a, s, t, b, m in mined]


def test_a_line_for_each_page(browsed, site):
    db, _ = site
    t = table(overview(browsed), "Elsewhere")
    lines = {r["data"]["page"]: r["cells"] for r in t["rows"]}
    assert [c[0]["href"] for c in lines.values()] == ["/rollups", "/channels", "/bridges", "/fees", "/da"]
    l2s = db.rows("SELECT count(*) FROM chains WHERE role = 'l2'")[0][0]
    pending, mismatches, latest = db.rows(
        "SELECT count(*) FILTER (WHERE check_status = 0), count(*) FILTER (WHERE check_status = 2),"
        " (SELECT l1_block_number FROM output_proposals ORDER BY l1_block_number DESC, log_index DESC LIMIT 1)"
        " FROM output_proposals")[0]

    def n(count, one, many):
        return f"{count} {one if count == '1' else many}"
    # One L2 is configured (op); the seed adds a second L2 in the database only.
    assert lines["rollups"][1]["text"] == (f"1 L2 \u00b7 {n(pending, 'proposal pending', 'proposals pending')}"
                                           f" \u00b7 {n(mismatches, 'mismatch', 'mismatches')} \u00b7 latest at L1"
                                           f" block {latest}")
    assert l2s == "2"
    watched, stale, flying = db.rows(
        "SELECT (SELECT sum(channels) FROM channel_clients), (SELECT count(*) FROM channel_disputes"
        " WHERE check_status = 2), (SELECT count(*) FROM responses WHERE action = 'channel_dispute' AND status IN"
        " ('planned', 'nonce_assigned', 'sent', 'mined'))")[0]
    assert lines["channels"][1]["text"] == (f"{n(watched, 'channel watched', 'channels watched')} \u00b7"
                                            f" {n(stale, 'stale close', 'stale closes')} \u00b7"
                                            f" {n(flying, 'response in flight', 'responses in flight')}")
    assert lines["bridges"][1]["text"] == "1 bridge watched"
    assert lines["da"][1]["text"].startswith("1 DA entry")


def test_markup_in_notes_is_text(browsed, site):
    """A response's note carrying markup (it can quote a chain's revert
    reason) shows as text, and no script but the dashboard's own runs."""
    db, _ = site
    page = overview(browsed)["data"]
    hostile = db.rows("SELECT note FROM responses WHERE note LIKE '%<script>%' AND status IN"
                      " ('planned', 'nonce_assigned', 'sent', 'mined') ORDER BY id DESC LIMIT 1")[0][0]
    notes = [r["Note"]["text"] for r in by_header(table_by_id(overview(browsed), "in-flight"))]
    assert hostile in notes and HOSTILE in hostile
    assert all(src and src.startswith("/static/") for src in page["scripts"]), page["scripts"]


def test_a_findings_link_opens_its_page(browsed, site):
    """Clicking the newest alert's finding opens its page, which shows that
    finding and every alert queued for it."""
    db, server = site
    fid = db.rows("SELECT finding_id FROM alert_outbox ORDER BY id DESC LIMIT 1")[0][0]
    kind, chain, status, title, detected = db.rows(
        f"SELECT kind, chain, status, title, {epoch('detected_at')} FROM findings WHERE id = {fid}")[0]
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
    assert len(alerts) >= 1
    deliveries = by_header(table_by_id(follow, "deliveries"))
    assert [[r[h]["text"] for h in ("Alert", "Event", "Sink")] for r in deliveries] == alerts
    assert not follow["consoleErrors"]
