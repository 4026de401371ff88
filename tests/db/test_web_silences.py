"""Silences and dead letters through the API and the /alerts page, against a
real PostgreSQL and a real alert worker: writes need a web.clients token,
bad bodies are refused with the field named and nothing stored, a silence
records matching alerts without sending them and stops doing so once it
ends, and a dead letter can be listed, shown and requeued."""
import hashlib
import json
import time

from test_web_alerts import insert_finding
from webalerts_util import dbtool, wait_until

TOKEN = "ops-console-token"
CLIENTS = f"""  clients:
    - name: ops-console
      token_sha256: "{hashlib.sha256(TOKEN.encode()).hexdigest()}"
      requests_per_minute: 6000"""
AUTH = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}


def start(webalerts, db, hooks, alerts_extra=""):
    return webalerts(db.url, hooks, max_backoff_ms=200, alerts_extra=alerts_extra, web_extra=CLIENTS)


def call(w, method, path, body=None, headers=AUTH):
    data = body if isinstance(body, (str, bytes)) or body is None else json.dumps(body)
    status, hdrs, text = w.request(method, path, body=data, headers=headers)
    return status, hdrs, json.loads(text) if text else None


def l1_finding(db, key, severity="critical"):
    fid = insert_finding(db, key=key, severity=severity)
    db.rows(f"UPDATE findings SET chain = 'l1', subject = 'output:{key}' WHERE id = {fid}")
    return fid


def test_silence_writes_need_a_token(migrated, webalerts):
    w = start(webalerts, migrated, [])
    body = {"matchers": {"kind": "invalid_output_root"}, "duration_s": 600, "reason": "r"}
    status, hdrs, doc = call(w, "POST", "/api/v1/silences", body, headers={"Content-Type": "application/json"})
    assert status == 401 and doc["code"] == "unauthorized"
    assert hdrs["www-authenticate"].startswith("Bearer")
    status, _, doc = call(w, "POST", "/api/v1/silences", body, headers={"Authorization": "Bearer wrong"})
    assert status == 401 and doc["message"] == "unknown token"
    status, _, _ = call(w, "DELETE", "/api/v1/silences/1", headers={})
    assert status == 401
    status, _, _ = call(w, "POST", "/api/v1/alerts/requeue", {"ids": [1]}, headers={})
    assert status == 401
    assert migrated.rows("SELECT count(*) FROM alert_silences") == [["0"]]
    # Reading needs no token.
    assert w.get_json("/api/v1/silences") == []
    assert w.get_json("/api/v1/alerts/dead") == []


def test_bad_silences_are_refused_with_the_field_named_and_nothing_stored(migrated, webalerts):
    w = start(webalerts, migrated, [])
    ok = {"matchers": {"kind": "invalid_output_root"}, "duration_s": 600, "reason": "r"}
    cases = [
        ({**ok, "matchers": {}}, "matchers", "at least one matcher"),
        ({**ok, "matchers": {"chain": "base"}}, "matchers.chain", '"base" is not a chain'),
        ({**ok, "matchers": {"severity": "urgent"}}, "matchers.severity", "critical"),
        ({**ok, "matchers": {"subject": "*"}}, "matchers.subject", "leave subject out"),
        ({**ok, "duration_s": 5}, "duration_s", "60 to 7776000"),
        ({k: v for k, v in ok.items() if k != "duration_s"} | {"expires_at": "2020-01-01T00:00:00Z"},
         "expires_at", "at least 60 seconds from now"),
        ({k: v for k, v in ok.items() if k != "reason"}, "reason", "needs a reason"),
        ({**ok, "startsAt": "x"}, "startsAt", "unknown field"),
    ]
    for body, field, says in cases:
        status, _, doc = call(w, "POST", "/api/v1/silences", body)
        assert status == 422, (body, status, doc)
        assert doc["code"] == "invalid_silence" and doc["param"] == field, doc
        assert says in doc["message"] and doc["message"].startswith(field), doc
    status, _, doc = call(w, "POST", "/api/v1/silences", '{"matchers": {"kind": "k"}, "reason": ')
    assert status == 400 and doc["code"] == "malformed_json" and "line 1" in doc["message"]
    status, _, doc = call(w, "POST", "/api/v1/silences", '{"reason": "a", "reason": "b"}')
    assert status == 400 and "duplicate" in doc["message"]
    status, _, doc = call(w, "POST", "/api/v1/silences", json.dumps({**ok, "reason": "x" * 20000}))
    assert status == 413
    assert migrated.rows("SELECT count(*) FROM alert_silences") == [["0"]]
    for path, param in [("/api/v1/silences?state=open", "state"), ("/api/v1/silences?limit=0", "limit"),
                        ("/api/v1/silences?before=x", "before"), ("/api/v1/alerts/dead?limit=1001", "limit")]:
        status, _, doc = call(w, "GET", path, headers={})
        assert status == 400 and doc["param"] == param, (path, doc)
    status, _, doc = call(w, "GET", "/api/v1/silences/abc", headers={})
    assert status == 404


def test_a_silence_holds_matching_alerts_until_it_is_deleted(migrated, receivers, webalerts):
    hook = receivers()
    w = start(webalerts, migrated, [("ops", hook.url, 2000)])
    status, _, s = call(w, "POST", "/api/v1/silences",
                        {"matchers": {"chain": "l1", "subject": "output:quiet*"}, "duration_s": 3600,
                         "author": "alice <on call>", "reason": "replaying a known incident"})
    assert status == 201, s
    assert s["state"] == "live" and s["matchers"] == {"chain": "l1", "subject": "output:quiet*"}
    assert s["author"] == "alice <on call>" and s["created_by"] == "ops-console"
    assert s["alerts_held"] == 0 and s["deleted_at"] is None
    row = migrated.rows(f"SELECT extract(epoch FROM expires_at - created_at)::int, kind IS NULL, severity IS NULL"
                        f" FROM alert_silences WHERE id = {s['id']}")
    assert abs(int(row[0][0]) - 3600) <= 2 and row[0][1:] == ["t", "t"]
    assert w.get_json(f"/api/v1/silences/{s['id']}") == s
    assert [x["id"] for x in w.get_json("/api/v1/silences?state=live")] == [s["id"]]

    quiet = l1_finding(migrated, "quiet-1")
    loud = l1_finding(migrated, "loud-1")
    for fid in (quiet, loud):
        dbtool("enqueue", w.config_path, str(fid), "raised")
    wait_until(lambda: len(hook.accepted()) >= 1, 30, what="the unsilenced alert")
    time.sleep(1.5)
    assert [r["headers"]["Idempotency-Key"] for r in hook.snapshot()] == [f"{loud}-raised-ops"]
    assert migrated.rows(f"SELECT silence_id::text, delivered_at IS NULL FROM alert_outbox WHERE finding_id = {quiet}") \
        == [[str(s["id"]), "t"]]
    # The finding itself is stored and shown.
    assert w.get_json(f"/api/v1/findings/{quiet}")["status"] == "open"
    held = w.get_json(f"/api/v1/silences/{s['id']}")
    assert held["alerts_held"] == 1 and held["findings_held"] == 1

    status, _, d = call(w, "DELETE", f"/api/v1/silences/{s['id']}")
    assert status == 200 and d["state"] == "deleted" and d["deleted_by"] == "ops-console" and d["deleted_at"]
    status, _, again = call(w, "DELETE", f"/api/v1/silences/{s['id']}")
    assert status == 409 and again["code"] == "silence_ended" and "deleted at" in again["message"]
    status, _, missing = call(w, "DELETE", "/api/v1/silences/999999")
    assert status == 404
    assert w.get_json("/api/v1/silences?state=live") == []
    assert [x["id"] for x in w.get_json("/api/v1/silences?state=deleted")] == [s["id"]]

    after = l1_finding(migrated, "quiet-2")
    dbtool("enqueue", w.config_path, str(after), "raised")
    wait_until(lambda: f"{after}-raised-ops" in [r["headers"]["Idempotency-Key"] for r in hook.accepted()], 30,
               what="the alert after the silence was deleted")


def test_an_expired_silence_holds_nothing_and_cannot_be_deleted(migrated, receivers, webalerts):
    hook = receivers()
    w = start(webalerts, migrated, [("ops", hook.url, 2000)])
    status, _, s = call(w, "POST", "/api/v1/silences",
                        {"matchers": {"kind": "invalid_output_root", "severity": "critical"}, "duration_s": 60,
                         "reason": "short"})
    assert status == 201 and s["author"] == "ops-console"  # no author given: the client's name
    # Let it end without waiting a minute: move its window into the past.
    migrated.rows(f"UPDATE alert_silences SET created_at = now() - interval '2 minutes',"
                  f" expires_at = now() - interval '1 minute' WHERE id = {s['id']}")
    assert w.get_json(f"/api/v1/silences/{s['id']}")["state"] == "expired"
    assert [x["id"] for x in w.get_json("/api/v1/silences?state=expired")] == [s["id"]]
    fid = l1_finding(migrated, "after-expiry")
    dbtool("enqueue", w.config_path, str(fid), "raised")
    wait_until(lambda: hook.accepted(), 30, what="the alert after the silence expired")
    status, _, doc = call(w, "DELETE", f"/api/v1/silences/{s['id']}")
    assert status == 409 and "expired at" in doc["message"]
    assert migrated.rows(f"SELECT deleted_at IS NULL FROM alert_silences WHERE id = {s['id']}") == [["t"]]


def dead_ids(db):
    return [int(r[0]) for r in db.rows("SELECT id FROM alert_outbox WHERE dead_at IS NOT NULL ORDER BY id")]


def test_dead_letters_are_listed_shown_and_requeued(migrated, receivers, webalerts):
    hook = receivers([("status", 500)] * 4)
    w = start(webalerts, migrated, [("ops", hook.url, 1000)], alerts_extra="  max_attempts: 2")
    a, b = l1_finding(migrated, "dead-a"), l1_finding(migrated, "dead-b")
    for fid in (a, b):
        dbtool("enqueue", w.config_path, str(fid), "raised")
    wait_until(lambda: len(dead_ids(migrated)) == 2, 30, what="two dead letters")
    dead = w.get_json("/api/v1/alerts/dead")
    assert [d["finding_id"] for d in dead] == [b, a]  # newest first
    assert all(d["attempts"] == 2 and d["last_error"] == "HTTP 500" and d["sink"] == "ops" for d in dead)
    assert all(d["event"] == "raised" and not d["superseded"] and d["requeues"] == 0 for d in dead)
    assert [d["id"] for d in w.get_json(f"/api/v1/alerts/dead?limit=1&before={dead[0]['id']}")] == [dead[1]["id"]]
    assert w.get_json("/api/v1/alerts/dead?sink=other") == []

    status, _, page = w.request("GET", "/alerts")
    assert status == 200
    for d in dead:
        assert f'<td class="num">{d["id"]}</td><td><a href="/findings/{d["finding_id"]}">' in page
    assert page.count("HTTP 500") == 2 and "can requeue" in page

    # The receiver's plan has run out: it accepts from now on.
    status, _, res = call(w, "POST", "/api/v1/alerts/requeue", {"ids": [dead[1]["id"], 999999]})
    assert status == 200
    assert res == {"requeued": 1, "refused": 1,
                   "results": [{"id": dead[1]["id"], "result": "requeued"}, {"id": 999999, "result": "not_found"}]}
    wait_until(lambda: f"{a}-raised-ops" in [r["headers"]["Idempotency-Key"] for r in hook.accepted()], 30,
               what="the requeued alert")
    row = migrated.rows(f"SELECT requeues, requeued_by, dead_at IS NULL, delivered_at IS NOT NULL, attempts"
                        f" FROM alert_outbox WHERE id = {dead[1]['id']}")
    assert row == [["1", "ops-console", "t", "t", "1"]]
    status, _, res = call(w, "POST", "/api/v1/alerts/requeue", {"ids": [dead[1]["id"]]})
    assert res["results"] == [{"id": dead[1]["id"], "result": "not_dead"}]

    # The rest of the sink at once.
    status, _, res = call(w, "POST", "/api/v1/alerts/requeue", {"sink": "ops"})
    assert status == 200 and res["requeued"] == 1 and res["results"] == [{"id": dead[0]["id"], "result": "requeued"}]
    wait_until(lambda: f"{b}-raised-ops" in [r["headers"]["Idempotency-Key"] for r in hook.accepted()], 30,
               what="the sink's requeued alert")
    assert w.get_json("/api/v1/alerts/dead") == []


def test_a_superseded_dead_letter_needs_force(migrated, receivers, webalerts):
    hook = receivers([("status", 500)] * 2)
    w = start(webalerts, migrated, [("ops", hook.url, 1000)], alerts_extra="  max_attempts: 2")
    fid = l1_finding(migrated, "superseded")
    dbtool("enqueue", w.config_path, str(fid), "raised")
    wait_until(lambda: len(dead_ids(migrated)) == 1, 30, what="the raised alert to die")
    dbtool("enqueue", w.config_path, str(fid), "resolved")
    wait_until(lambda: f"{fid}-resolved-ops" in [r["headers"]["Idempotency-Key"] for r in hook.accepted()], 30,
               what="the resolved alert")
    [dead] = w.get_json("/api/v1/alerts/dead")
    assert dead["superseded"] is True
    status, _, page = w.request("GET", "/alerts")
    assert "superseded" in page

    bad = [({"ids": []}, "ids"), ({"ids": [0]}, "ids"), ({"ids": ["1"]}, "ids"), ({"sink": "nope"}, "sink"),
           ({"ids": [1], "sink": "ops"}, "ids"), ({}, "ids"), ({"ids": [1], "force": "yes"}, "force"),
           ({"ids": [1], "all": True}, "all")]
    for body, field in bad:
        status, _, doc = call(w, "POST", "/api/v1/alerts/requeue", body)
        assert status == 422 and doc["param"] == field, (body, doc)

    status, _, res = call(w, "POST", "/api/v1/alerts/requeue", {"ids": [dead["id"]]})
    assert status == 200 and res["results"] == [{"id": dead["id"], "result": "superseded"}]
    assert dead_ids(migrated) == [dead["id"]]
    time.sleep(1)
    assert f"{fid}-raised-ops" not in [r["headers"]["Idempotency-Key"] for r in hook.accepted()]
    status, _, res = call(w, "POST", "/api/v1/alerts/requeue", {"ids": [dead["id"]], "force": True})
    assert res["results"] == [{"id": dead["id"], "result": "requeued"}]
    wait_until(lambda: f"{fid}-raised-ops" in [r["headers"]["Idempotency-Key"] for r in hook.accepted()], 30,
               what="the forced requeue")


def test_the_alerts_page_shows_silences_escaped(migrated, webalerts):
    w = start(webalerts, migrated, [])
    status, _, s = call(w, "POST", "/api/v1/silences",
                        {"matchers": {"kind": "invalid_output_root", "subject": "<img src=x>*"}, "duration_s": 600,
                         "author": "<script>alert(1)</script>", "reason": "a \"quoted\" & <b>bold</b> reason"})
    assert status == 201
    migrated.rows("INSERT INTO alert_silences (kind, author, reason, created_at, expires_at) VALUES"
                  " ('stale_channel_close', 'bob', 'old one', now() - interval '2 hours', now() - interval '1 hour')")
    status, headers, page = w.request("GET", "/alerts")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "subject = <code>&lt;img src=x&gt;*</code>" in page
    assert "a &quot;quoted&quot; &amp; &lt;b&gt;bold&lt;/b&gt; reason" in page
    body = page[page.index('<table id="silences">'):page.index("</table>", page.index('<table id="silences">'))]
    rows = body.split("<tr>")[2:]
    assert len(rows) == 2
    assert '<span class="badge sev-medium">live</span>' in rows[0] and "ops-console" in rows[0]
    assert '<span class="badge muted">expired</span>' in rows[1] and "bob" in rows[1]
    assert 'id="count-3"><span class="num big">1</span> <span class="muted">live silences' in page
    # Every page links to this one.
    for path in ("/", "/da"):
        assert '<a href="/alerts">alerts &amp; silences</a>' in w.request("GET", path)[2]


def test_the_alerts_page_carries_the_silence_form_and_its_script(migrated, webalerts):
    w = start(webalerts, migrated, [])
    status, _, live = call(w, "POST", "/api/v1/silences",
                           {"matchers": {"kind": "invalid_output_root"}, "duration_s": 600, "reason": "r"})
    migrated.rows("INSERT INTO alert_silences (kind, author, reason, created_at, expires_at) VALUES"
                  " ('liveness_gap', 'bob', 'old', now() - interval '2 hours', now() - interval '1 hour')")
    status, headers, page = w.request("GET", "/alerts")
    assert '<script defer src="/static/alerts.js"></script>' in page
    assert 'http-equiv="refresh"' not in page  # a form must not be wiped while typed into
    assert '<form id="silence-form" class="panel" hidden>' in page
    assert '<select id="sf-chain"><option value="">any</option><option>l1</option></select>' in page
    # Only the live silence can be ended.
    assert page.count('class="end-silence"') == 1 and f'data-id="{live["id"]}"' in page
    csp = headers["content-security-policy"]
    assert "script-src 'self'" in csp and "connect-src 'self'" in csp and "unsafe-inline" not in csp
    status, headers, js = w.request("GET", "/static/alerts.js")
    assert status == 200 and headers["content-type"].startswith("text/javascript")
    assert "'/api/v1/silences'" in js and "Authorization" in js
    # The other pages still refresh themselves and load no script.
    for path in ("/", "/da"):
        other = w.request("GET", path)[2]
        assert 'http-equiv="refresh" content="5"' in other and "<script" not in other
