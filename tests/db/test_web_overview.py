"""The overview (/) against a real PostgreSQL: open findings counted by
severity with links that the /findings page answers with exactly those
findings, the latest alert deliveries with their state, the responder's
counts by status, what is in flight and what was mined last, and a line
for each page that took a section away from it. Every figure is read back
from the database by the test's own queries. And the overview's
statements, read from web/routes_dashboard.c, each have an index to read
(sql/0017): with sequential scans disabled, none is left on a table that
grows."""
import os
import re
import sys

from html_tables import DASH, Page, cell
from l2wtest import REPO

sys.path.insert(0, os.path.join(REPO, "bench"))
from bench_web import c_statement  # noqa: E402

HOSTILE = '<img src=x onerror="alert(1)"> & \'quoted\''
SEVERITIES = ["critical", "high", "medium", "low", "info"]
STATUSES = ["planned", "nonce_assigned", "sent", "mined", "verified", "dry_run", "not_needed", "reverted", "failed"]
IN_FLIGHT = ("planned", "nonce_assigned", "sent", "mined")


def q(v):
    return "NULL" if v is None else "'" + str(v).replace("'", "''") + "'"


def seed(db):
    db.rows("INSERT INTO chains (name, chain_id, role, head_number, synced_number) VALUES ('l1', 900, 'l1', 500, 470)")
    db.rows("INSERT INTO chains (name, chain_id, role, l1, head_number, synced_number) VALUES"
            " ('op-local', 901, 'l2', 'l1', 9000, NULL)")
    # 60 findings: severities and statuses spread unevenly, so each count differs.
    rows = []
    for i in range(60):
        sev = SEVERITIES[(i // 4) % 5]
        status = ["open", "open", "resolved", "open", "retracted"][i % 5]
        title = f"finding {i}" if i % 7 else f"finding {i} {HOSTILE}"
        rows.append(f"('k{i}', 'liveness_gap', '{sev}', 'op-local', {q(title)}, 's', '{{}}',"
                    f" now() - interval '{i} minutes', '{status}')")
    db.rows("INSERT INTO findings (dedup_key, kind, severity, chain, title, summary, evidence, detected_at, status)"
            " VALUES " + ", ".join(rows))
    ids = [int(r[0]) for r in db.rows("SELECT id FROM findings ORDER BY id")]
    # 26 alert deliveries (more than the 20 shown) in every state.
    alerts = []
    for n in range(26):
        fid = ids[n * 2]
        state = n % 4
        alerts.append(f"({fid}, 'raised', 'sink-{n % 3}', '{{}}', {n % 5}, now(),"
                      f" {'now()' if state == 0 else 'NULL'}, {'now()' if state == 1 else 'NULL'},"
                      f" {'1' if state == 2 else 'NULL'}, 'liveness_gap', 'op-local',"
                      f" (SELECT severity FROM findings WHERE id = {fid}))")
    db.rows("INSERT INTO alert_outbox (finding_id, event, sink, payload, attempts, next_attempt_at, delivered_at,"
            " dead_at, silence_id, kind, chain, severity) VALUES " + ", ".join(alerts))
    # Responses: every status but not_needed, some twice; two mined at different times.
    resp = []
    for n, status in enumerate(["planned", "sent", "sent", "mined", "verified", "verified", "verified", "dry_run",
                                "reverted", "failed", "nonce_assigned", "mined"]):
        mined = status in ("mined", "verified", "reverted")
        sent = status not in ("planned", "dry_run")
        resp.append(", ".join([
            q(f"r{n}"), str(ids[n]), "'pause_bridge'", "'l1'", "'on'", f"decode('{n:040x}', 'hex')", "'\\x01'",
            q(status), str(n) if sent else "NULL", f"decode('{n + 0xE0:064x}', 'hex')" if sent else "NULL",
            str(400 + n) if mined else "NULL", f"now() - interval '{60 - n} minutes'" if mined else "NULL",
            q("note " + HOSTILE) if n == 1 else "NULL", f"decode('{n:040x}', 'hex')"]))
    db.rows("INSERT INTO responses (idempotency_key, finding_id, action, chain, mode, to_addr, calldata, status, nonce,"
            " tx_hash, mined_block, mined_at, note, sender) VALUES " + ", ".join(f"({r})" for r in resp))
    # Output proposals: 2 pending, 1 mismatch, 3 matches.
    props = []
    for n, check in enumerate([1, 0, 2, 1, 0, 1]):
        props.append(f"('l1', decode('{n + 0x70:064x}', 'hex'), 0, 'op-local', decode('{1:040x}', 'hex'), {n},"
                     f" {1800 * n}, decode('{n + 0x50:064x}', 'hex'), 0, {100 + n}, decode('{n:064x}', 'hex'),"
                     f" {check})")
    db.rows("INSERT INTO output_proposals (l1_chain, block_hash, log_index, l2_chain, oracle, output_index,"
            " l2_block_number, output_root, l1_timestamp, l1_block_number, tx_hash, check_status) VALUES "
            + ", ".join(props))
    return ids


def test_overview_figures_match_the_database(migrated, webalerts):
    seed(migrated)
    w = webalerts(migrated.url, [])
    status, headers, text = w.get("/")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert "<script" not in text and not re.search(r"\sstyle=", text)
    assert HOSTILE not in text and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &#39;quoted&#39;" in text
    page = Page(text)
    # What moved to pages of its own is gone from here.
    assert page.headings() == ["Chains", "Open findings", "Recent alerts", "Responder", "Elsewhere"]

    # Chains with head, checkpoint and lag.
    want = [[n, r, c, cell(h), cell(s), str(max(int(h) - int(s), 0)) if h and s else DASH]
            for n, r, c, h, s in migrated.rows("SELECT name, role, chain_id, head_number, synced_number FROM chains"
                                               " ORDER BY role, name")]
    assert page.texts("chains", ["Name", "Role", "Chain ID", "Head", "Checkpoint", "Lag"]) == want
    assert want[0][5] == "30"

    # Open findings by severity, zeros included, each linking to its filter.
    counted = dict(migrated.rows("SELECT severity, count(*) FROM findings WHERE status = 'open' GROUP BY severity"))
    rows = page.rows("open-findings")
    assert [r["Severity"]["text"] for r in rows] == SEVERITIES
    assert [r["Open"]["text"] for r in rows] == [counted.get(s, "0") for s in SEVERITIES]
    assert len(set(counted.values())) > 1 and len(counted) >= 3
    for r in rows:
        sev = r["Severity"]["text"]
        assert r["Severity"]["badge"] == f"badge sev-{sev}"
        assert r["Open"]["href"] == f"/findings?status=open&severity={sev}"
        # The link's page lists exactly those findings.
        listed = Page(w.get(r["Open"]["href"])[2]).rows("findings")
        ids = [x["ID"]["text"] for x in listed if "ID" in x]
        want_ids = [i for (i,) in migrated.rows(f"SELECT id FROM findings WHERE status = 'open' AND severity = '{sev}'"
                                                " ORDER BY id DESC")]
        assert ids == want_ids, sev

    # The latest 20 alert deliveries, newest first, with their state.
    want = migrated.rows(
        "SELECT o.id, o.finding_id, f.title, o.severity, o.event, o.sink, CASE WHEN o.silence_id IS NOT NULL THEN"
        " 'silenced' WHEN o.delivered_at IS NOT NULL THEN 'delivered' WHEN o.dead_at IS NOT NULL THEN 'dead'"
        " ELSE 'pending' END, o.attempts FROM alert_outbox o JOIN findings f ON f.id = o.finding_id"
        " ORDER BY o.id DESC LIMIT 20")
    rows = page.rows("recent-alerts")
    assert migrated.rows("SELECT count(*) FROM alert_outbox")[0][0] == "26" and len(rows) == 20
    got = [[r[h]["text"] for h in ("Alert", "Finding", "Severity", "Event", "Sink", "State", "Attempts")]
           for r in rows]
    assert got == [[a, " ".join(t.split()), s, e, k, st, n] for a, _, t, s, e, k, st, n in want]
    assert [r["Finding"]["href"] for r in rows] == [f"/findings/{w_[1]}" for w_ in want]
    assert {r["State"]["text"] for r in rows} == {"delivered", "dead", "silenced", "pending"}

    # The responder: every status counted, what is in flight, the latest mined.
    counted = dict(migrated.rows("SELECT status, count(*) FROM responses GROUP BY status"))
    by_status = page.rows("responses-by-status")
    assert len(by_status) == 1
    assert {h: c["text"] for h, c in by_status[0].items()} == {s: counted.get(s, "0") for s in STATUSES}
    flight = migrated.rows(
        "SELECT finding_id, status, coalesce(nonce::text, ''), CASE WHEN tx_hash IS NULL THEN '' ELSE '0x' ||"
        " encode(tx_hash, 'hex') END, coalesce(note, '') FROM responses WHERE status IN"
        f" ({', '.join(q(s) for s in IN_FLIGHT)}) ORDER BY id DESC LIMIT 10")
    rows = page.rows("in-flight")
    assert [[r[h]["text"] for h in ("Finding", "Status", "Nonce", "Transaction", "Note")] for r in rows] == \
        [[f, s, cell(n), cell(t), cell(x)] for f, s, n, t, x in flight]
    assert len(rows) == 6 and any(HOSTILE in r["Note"]["text"] for r in rows)
    mined = migrated.rows("SELECT finding_id, status, '0x' || encode(tx_hash, 'hex'), mined_block FROM responses"
                          " WHERE mined_at IS NOT NULL ORDER BY mined_at DESC LIMIT 1")
    rows = page.rows("latest-mined")
    assert [[r[h]["text"] for h in ("Finding", "Status", "Transaction", "Block")] for r in rows] == mined
    assert rows[0]["Finding"]["href"] == f"/findings/{mined[0][0]}"

    # A line for each page that has its own now.
    lines = {r["data"]["page"]: r["cells"] for r in page.table("elsewhere")["rows"]}
    assert list(lines) == ["rollups", "channels", "bridges", "fees", "da"]
    assert [c[0]["href"] for c in lines.values()] == ["/rollups", "/channels", "/bridges", "/fees", "/da"]
    pending, mismatches, latest = migrated.rows(
        "SELECT count(*) FILTER (WHERE check_status = 0), count(*) FILTER (WHERE check_status = 2),"
        " max(l1_block_number) FROM output_proposals")[0]
    assert lines["rollups"][1]["text"] == (f"0 L2s \u00b7 {pending} proposals pending \u00b7 {mismatches} mismatch"
                                           f" \u00b7 latest at L1 block {latest}")
    assert lines["channels"][1]["text"] == "no channels: section configured"


def test_overview_of_an_empty_database(migrated, webalerts):
    w = webalerts(migrated.url, [])
    status, _, text = w.get("/")
    assert status == 200
    page = Page(text)
    assert [r["Open"]["text"] for r in page.rows("open-findings")] == ["0"] * 5
    assert "No alerts yet." in text and "Nothing in flight." in text and "No response mined yet." in text
    assert [c["text"] for c in page.rows("responses-by-status")[0].values()] == ["0"] * len(STATUSES)
    lines = {r["data"]["page"]: r["cells"] for r in page.table("elsewhere")["rows"]}
    assert lines["rollups"][1]["text"] == "0 L2s \u00b7 0 proposals pending \u00b7 0 mismatches"


OVERVIEW_STATEMENTS = ["chains_sql", "open_sql", "alerts_sql", "responder_sql", "in_flight_sql", "mined_sql",
                       "rollups_sql", "channels_sql"]
# Tables that stay a handful of rows: one per chain, one per API client,
# one per RPC endpoint.
SMALL = {"chains", "channel_clients", "chain_endpoints"}


def test_every_overview_statement_reads_an_index(migrated):
    seed(migrated)
    migrated.rows("ANALYZE")
    plans = {}
    for name in OVERVIEW_STATEMENTS:
        sql = c_statement("web/routes_dashboard.c", name)
        out = migrated.rows(f"SET enable_seqscan = off; EXPLAIN {sql}")
        plans[name] = "\n".join(r[0] for r in out)
    sql = c_statement("web/routes_dashboard_endpoints.c", "endpoints_sql")
    plans["endpoints_sql"] = "\n".join(r[0] for r in migrated.rows(f"SET enable_seqscan = off; EXPLAIN {sql}"))
    for name, plan in plans.items():
        scanned = set(re.findall(r"Seq Scan on (\w+)", plan))
        assert scanned <= SMALL, f"{name} reads {scanned - SMALL} whole:\n{plan}"
    # The counts are index-only scans of the indexes made for them.
    assert "Index Only Scan using findings_open_severity_idx" in plans["open_sql"]
    assert "Index Only Scan using responses_status_idx" in plans["responder_sql"]
    assert "responses_mined_idx" in plans["mined_sql"]
    assert "output_proposals_mismatch_idx" in plans["rollups_sql"]
    assert "channel_disputes_stale_idx" in plans["channels_sql"]
    # And the check can fail: a count the indexes do not serve is seen.
    out = migrated.rows("SET enable_seqscan = off; EXPLAIN SELECT count(*) FROM findings WHERE title = 'x'")
    assert "Seq Scan on findings" in "\n".join(r[0] for r in out)

