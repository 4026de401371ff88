"""Making and ending a silence on /alerts in Chromium, as an operator does:
the form refuses a wrong token and stores nothing, makes the silence with
a right one (stored with the client's name, shown live after the page
reloads), and the row's End button ends it (stored as deleted by that
client, shown so), with no console error or CSP violation on the way."""
from browser_report import by_header, epoch, utc
from browser_seed import CLIENT, TOKEN

SILENCE = {"kind": "invalid_output_root", "chain": "op", "severity": "critical", "duration_s": 14400,
           "author": "bob <INC-7>", "reason": "Rolling the op-proposer; a mismatch is expected & known"}


def silences_table(step):
    found = [t for t in step["page"]["tables"] if t["id"] == "silences"]
    assert len(found) == 1
    return by_header(found[0])


def live_ids(db):
    return [r[0] for r in db.rows("SELECT id FROM alert_silences WHERE deleted_at IS NULL AND expires_at > now()"
                                  " ORDER BY id DESC")]


def test_make_and_end_a_silence(fresh_site, artifacts, run_script):
    db, server = fresh_site
    before = db.rows("SELECT count(*), max(id) FROM alert_silences")[0]
    live_before = live_ids(db)
    report = run_script("silence.mjs", {"base": f"http://127.0.0.1:{server.port}", "shots": artifacts,
                                        "token": TOKEN, "silence": SILENCE})

    # The script shows the form and an End button on every live silence.
    assert report["opened"] == {"consoleErrors": [], "formVisible": True, "endButtons": live_before}

    # A wrong token: refused, said so, nothing stored. The browser logs the
    # 401 itself; nothing else may be logged.
    assert report["refused"]["answer"] == {"text": "unknown token", "cls": "error-text"}
    assert len(report["refused"]["consoleErrors"]) == 1
    assert "status of 401" in report["refused"]["consoleErrors"][0]
    assert report["refused"]["consoleErrors"][0].endswith("/api/v1/silences)")

    # The right one: stored as asked, by the client the token belongs to.
    rows = db.rows(f"SELECT id, kind, chain, severity, subject, author, reason, created_by, {epoch('created_at')},"
                   f" {epoch('expires_at')}, extract(epoch FROM expires_at - created_at), {epoch('deleted_at')},"
                   f" deleted_by, (SELECT doc->>'expires_at' FROM silence_documents d WHERE d.id = z.id)"
                   f" FROM alert_silences z WHERE id > {before[1]}")
    assert len(rows) == 1, rows
    sid, kind, chain, sev, subject, author, reason, by, created, expires, length, deleted, deleted_by, until = rows[0]
    assert (kind, chain, sev, subject, author, reason, by) == (
        SILENCE["kind"], SILENCE["chain"], SILENCE["severity"], "", SILENCE["author"], SILENCE["reason"], CLIENT)
    assert abs(float(length) - SILENCE["duration_s"]) < 2  # the server's clock against the database's
    assert report["madeId"] == sid
    assert report["made"]["answer"] == {"text": f"Silence {sid} made, until {until}.", "cls": "ok-text"}
    first = silences_table(report["made"])[0]
    assert [first[h]["text"] for h in ("ID", "State", "Matchers", "Author", "Client", "Reason", "Created",
                                       "Ends / ended", "Alerts held")] == \
        [sid, "live", f"kind = {kind}, chain = {chain}, severity = {sev}", author, CLIENT, reason, utc(created),
         utc(expires), "0"]
    tiles = {t["label"]: t["number"] for t in report["made"]["page"]["tiles"]}
    assert tiles["live silences"] == str(len(live_before) + 1)
    assert report["tokenKept"] == TOKEN

    # Its End button: ended early, by the same client, and shown so.
    assert deleted and deleted_by == CLIENT and int(created) <= int(deleted) < int(expires)
    assert report["ended"]["answer"] == {"text": f"Silence {sid} ended.", "cls": "ok-text"}
    row = [r for r in silences_table(report["ended"]) if r["ID"]["text"] == sid]
    assert len(row) == 1
    assert (row[0]["State"]["text"], row[0]["State"]["badge"], row[0]["Ends / ended"]["text"]) == \
        ("deleted", "badge muted", utc(deleted))
    tiles = {t["label"]: t["number"] for t in report["ended"]["page"]["tiles"]}
    assert tiles["live silences"] == str(len(live_before))
    assert live_ids(db) == live_before
    assert db.rows("SELECT count(*) FROM alert_silences")[0][0] == str(int(before[0]) + 1)

    assert report["made"]["consoleErrors"] == [] and report["ended"]["consoleErrors"] == []
    assert report["pageErrors"] == [] and report["cspViolations"] == []
