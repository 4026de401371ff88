"""The web server and the alert worker against a real PostgreSQL and real
HTTP: alert delivery with retries, exactly one accepted delivery per
(finding, sink) across replicas, and every HTTP route."""
import json
import re
import time

from webalerts_util import closed_port, dbtool, metric, parse_prometheus, wait_until

XSS_TITLE = '<script>alert("pwned")</script> & bad output root'
RFC3339_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
FINDING_KEYS = {"id", "kind", "severity", "chain", "title", "summary", "evidence", "block_number", "block_chain",
                "tx_hash", "tx_chain", "detected_at", "status", "acknowledgement", "response"}


def sql_literal(s):
    return "'" + s.replace("'", "''") + "'"


def insert_finding(db, key="f1", title=XSS_TITLE, severity="critical", status="open"):
    rows = db.rows(
        # As state_root writes it: the L2 block is op-local's, the proposal l1's.
        "INSERT INTO findings (dedup_key, kind, severity, chain, title, summary, evidence, block_number, tx_hash,"
        " anchor_chain, block_chain, tx_chain, status) VALUES ("
        f"{sql_literal(key)}, 'invalid_output_root', '{severity}', 'op-local', {sql_literal(title)},"
        " 'The proposed output root differs from the one recomputed from the L2.',"
        " '{\"output_index\": \"7\", \"proposed\": \"0x01\", \"recomputed\": \"0x02\"}',"
        " 115792089237316195423570985008687907853269984665640564039457584007913129639935,"
        f" decode(repeat('ab', 32), 'hex'), 'l1', 'op-local', 'l1', '{status}') RETURNING id")
    return int(rows[0][0])


def outbox(db, finding_id):
    rows = db.rows("SELECT sink, attempts, delivered_at IS NOT NULL, coalesce(last_error, ''),"
                   f" payload::text FROM alert_outbox WHERE finding_id = {finding_id} ORDER BY sink")
    return {r[0]: {"attempts": int(r[1]), "delivered": r[2] == "t", "last_error": r[3],
                   "payload": json.loads(r[4])} for r in rows}


def test_alert_retries_then_delivers_exactly_once(migrated, receivers, webalerts):
    # primary fails twice, once with a 500 and once by not answering within
    # its 1 s timeout, then accepts; secondary accepts at once.
    primary = receivers([("status", 500), ("hang", 3.0)])
    secondary = receivers()
    hooks = [("primary", primary.url, 1000), ("secondary", secondary.url, 1000)]
    fid = insert_finding(migrated)

    w = webalerts(migrated.url, hooks)
    dbtool("enqueue", w.config_path, str(fid), "raised")
    dbtool("enqueue", w.config_path, str(fid), "raised")  # the same alert again: no new rows
    assert set(outbox(migrated, fid)) == {"primary", "secondary"}

    wait_until(lambda: primary.accepted() and secondary.accepted(), timeout=30, what="both sinks to accept")
    time.sleep(2.0)  # anything sent after acceptance would show up here

    p, s = primary.snapshot(), secondary.snapshot()
    assert [r["action"] for r in p] == [("status", 500), ("hang", 3.0), ("status", 200)]
    assert len(s) == 1 and len(primary.accepted()) == 1

    # Retries back off: ~1 s after the 500, then 1 s timeout + ~2 s.
    gap1 = p[1]["time"] - p[0]["time"]
    gap2 = p[2]["time"] - p[1]["time"]
    assert 0.75 <= gap1 <= 1.7, gap1
    assert 2.5 <= gap2 <= 4.5, gap2
    assert gap2 > gap1

    for r in p + s:
        sink = "primary" if r in p else "secondary"
        assert r["headers"]["Idempotency-Key"] == f"{fid}-raised-{sink}"
        assert r["headers"]["Content-Type"] == "application/json"
        assert r["headers"]["User-Agent"].startswith("l2watch/")
        doc = json.loads(r["body"])
        assert set(doc) == FINDING_KEYS | {"event"}
        assert doc["id"] == fid and doc["event"] == "raised" and doc["title"] == XSS_TITLE
        assert doc["block_number"] == "1157920892373161954235709850086879078532699846656405640394575840079131" \
                                      "29639935"
        assert doc["tx_hash"] == "0x" + "ab" * 32
        assert doc["tx_chain"] == "l1" and doc["block_chain"] == "op-local"

    rows = outbox(migrated, fid)
    assert rows["primary"]["attempts"] == 3 and rows["primary"]["delivered"]
    assert rows["secondary"]["attempts"] == 1 and rows["secondary"]["delivered"]
    assert rows["primary"]["last_error"] == ""

    def counters():
        _, samples = parse_prometheus(w.get("/metrics")[2])
        return samples

    samples = wait_until(lambda: (lambda s: s if metric(s, "l2watch_alerts_pending") == 0 else None)(counters()),
                         timeout=5, what="pending gauge to reach 0")
    assert metric(samples, "l2watch_alerts_sent_total", sink="primary") == 1
    assert metric(samples, "l2watch_alerts_failed_total", sink="primary") == 2
    assert metric(samples, "l2watch_alerts_sent_total", sink="secondary") == 1
    assert metric(samples, "l2watch_alerts_failed_total", sink="secondary") == 0
    assert metric(samples, "l2watch_alert_delivery_seconds_count", sink="primary") == 3

    # Queueing the same alert after delivery neither adds a row nor resends.
    dbtool("enqueue", w.config_path, str(fid), "raised")
    time.sleep(1.0)
    assert len(primary.snapshot()) == 3 and len(secondary.snapshot()) == 1
    # The secret in the webhook URL never reaches the log.
    w_log = w.output()
    assert "attempt 1 failed: HTTP 500" in w_log and "secret-in-url" not in w_log


def test_replicas_deliver_each_alert_once(migrated, receivers, webalerts):
    hook = receivers(delay=0.02)
    hooks = [("ops", hook.url, 2000)]
    a = webalerts(migrated.url, hooks, name="replica-a")
    b = webalerts(migrated.url, hooks, name="replica-b")
    ids = [insert_finding(migrated, key=f"k{i}", title=f"finding {i}") for i in range(40)]
    for fid in ids:
        dbtool("enqueue", a.config_path, str(fid), "raised")
    wait_until(lambda: len(hook.accepted()) >= len(ids), timeout=60, what="all alerts delivered")
    time.sleep(1.0)
    keys = [r["headers"]["Idempotency-Key"] for r in hook.snapshot()]
    assert sorted(keys) == sorted(f"{fid}-raised-ops" for fid in ids)
    assert migrated.rows("SELECT count(*), sum(attempts) FROM alert_outbox WHERE delivered_at IS NOT NULL") == \
        [[str(len(ids)), str(len(ids))]]
    # Both replicas took part (SKIP LOCKED hands them different rows).
    sent = [metric(parse_prometheus(w.get("/metrics")[2])[1], "l2watch_alerts_sent_total", sink="ops")
            for w in (a, b)]
    assert sum(sent) == len(ids)


def test_unconfigured_sink_is_kept_for_later(migrated, receivers, webalerts):
    hook = receivers()
    fid = insert_finding(migrated)
    migrated.rows("INSERT INTO alert_outbox (finding_id, event, sink, payload)"
                  f" VALUES ({fid}, 'raised', 'removed-sink', '{{}}')")
    w = webalerts(migrated.url, [("ops", hook.url, 1000)])
    wait_until(lambda: "not configured" in w.output(), timeout=10, what="the unconfigured sink to be reported")
    time.sleep(0.5)
    assert hook.snapshot() == []
    assert outbox(migrated, fid)["removed-sink"] == {"attempts": 0, "delivered": False, "last_error": "",
                                                     "payload": {}}
    assert "UNUSUAL alerts" in w.output() and "removed-sink" in w.output()


def insert_chain_facts(db):
    db.rows("INSERT INTO chains (name, chain_id, role, head_number, synced_number, head_seen_at)"
            " VALUES ('l1', 900, 'l1', 120, 100, now())")
    db.rows("INSERT INTO chains (name, chain_id, role, l1, head_number, synced_number)"
            " VALUES ('op-local', 901, 'l2', 'l1', NULL, NULL)")
    h = "decode(repeat('11', 32), 'hex')"
    db.rows(f"INSERT INTO blocks VALUES ('l1', 99, {h}, decode(repeat('22', 32), 'hex'), 1700000000)")
    db.rows(f"INSERT INTO logs VALUES ('l1', {h}, 99, 3, decode(repeat('33', 32), 'hex'),"
            " decode(repeat('44', 20), 'hex'), '{}', '\\x')")
    db.rows("INSERT INTO output_proposals (l1_chain, block_hash, log_index, l2_chain, oracle, output_index,"
            " l2_block_number, output_root, l1_timestamp, l1_block_number, tx_hash, check_status,"
            f" recomputed_root) VALUES ('l1', {h}, 3, 'op-local', decode(repeat('44', 20), 'hex'), 7, 1800,"
            " decode(repeat('55', 32), 'hex'), 1700000000, 99, decode(repeat('33', 32), 'hex'), 2,"
            " decode(repeat('66', 32), 'hex'))")
    # l1's endpoints (sql/0018): one in use, one resting after a fault; op-local has none stored yet.
    db.rows("INSERT INTO chain_endpoints (chain, endpoint_index, label, state, score, head_number, head_seen_at,"
            " resting_until, last_fault, last_fault_at, requests, faults) VALUES"
            " ('l1', 0, '0:a.example', 'in_use', 0.97, 120, now(), NULL, NULL, NULL, 40, 0),"
            " ('l1', 1, '1:b.example', 'resting', 0.41, NULL, NULL, now() + interval '4 seconds', 'timeout',"
            " now(), 9, 3)")


def test_http_routes(migrated, receivers, webalerts):
    insert_chain_facts(migrated)
    older = insert_finding(migrated, key="old", title="older warning", severity="medium", status="resolved")
    fid = insert_finding(migrated)
    hook = receivers()
    w = webalerts(migrated.url, [("ops", hook.url, 1000)])

    assert w.get("/healthz")[::2] == (200, "ok\n")
    assert w.get("/readyz")[::2] == (200, "ready\n")

    status, headers, body = w.request("HEAD", "/healthz")
    assert status == 200 and body == ""

    # Chains
    chains = w.get_json("/api/v1/chains")
    assert [c["name"] for c in chains] == ["l1", "op-local"]
    l1 = chains[0]
    assert set(l1) == {"name", "chain_id", "role", "l1", "head_number", "synced_number", "lag", "head_seen_at",
                       "updated_at", "endpoints"}
    assert (l1["chain_id"], l1["role"], l1["l1"], l1["head_number"], l1["synced_number"], l1["lag"]) == \
        (900, "l1", None, 120, 100, 20)
    assert RFC3339_UTC.match(l1["head_seen_at"]) and RFC3339_UTC.match(l1["updated_at"])
    # Its endpoints as stored, in index order (tests/db/test_web_chain_endpoints.py has the rest).
    assert [(e["index"], e["label"], e["state"], e["healthy"], e["last_fault"]) for e in l1["endpoints"]] == \
        [(0, "0:a.example", "in_use", True, None), (1, "1:b.example", "resting", False, "timeout")]
    assert all(RFC3339_UTC.match(e["updated_at"]) for e in l1["endpoints"])
    assert chains[1]["endpoints"] == []
    assert chains[1]["l1"] == "l1" and chains[1]["lag"] is None and chains[1]["head_seen_at"] is None

    # Findings: newest first, the documented shape
    findings = w.get_json("/api/v1/findings")
    assert [f["id"] for f in findings] == [fid, older]
    f = findings[0]
    assert set(f) == FINDING_KEYS
    assert f["title"] == XSS_TITLE and f["kind"] == "invalid_output_root" and f["severity"] == "critical"
    assert f["chain"] == "op-local" and f["status"] == "open" and f["response"] is None
    assert f["block_number"] == str(2 ** 256 - 1)
    assert f["tx_hash"] == "0x" + "ab" * 32
    assert f["tx_chain"] == "l1" and f["block_chain"] == "op-local"
    assert RFC3339_UTC.match(f["detected_at"])
    assert f["evidence"] == {"output_index": "7", "proposed": "0x01", "recomputed": "0x02"}
    assert [x["id"] for x in w.get_json("/api/v1/findings?limit=1")] == [fid]
    assert [x["id"] for x in w.get_json("/api/v1/findings?status=resolved")] == [older]
    assert [x["id"] for x in w.get_json("/api/v1/findings?status=open&limit=1000")] == [fid]
    for bad in ("0", "1001", "-1", "abc", "", "1e2", "10%20"):
        err = w.get_json(f"/api/v1/findings?limit={bad}", expect=400)
        assert err["param"] == "limit" and "limit" in err["message"]
    err = w.get_json("/api/v1/findings?status=bogus", expect=400)
    assert err["param"] == "status"
    assert w.get_json(f"/api/v1/findings/{fid}") == f
    for missing in ("999999", "0", "abc", "1%20", "99999999999999999999"):
        assert "message" in w.get_json(f"/api/v1/findings/{missing}", expect=404)

    # Output proposals
    props = w.get_json("/api/v1/output-proposals")
    assert len(props) == 1
    p = props[0]
    assert p["check_status"] == "mismatch" and p["output_index"] == "7" and p["l2_block_number"] == "1800"
    assert p["output_root"] == "0x" + "55" * 32 and p["recomputed_root"] == "0x" + "66" * 32
    assert p["l2_chain"] == "op-local" and p["l1_block_number"] == 99
    assert w.get_json("/api/v1/output-proposals?limit=x", expect=400)["param"] == "limit"

    # Dashboard
    status, headers, page = w.get("/")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert "<script" not in page
    assert '<meta http-equiv="refresh" content="5">' in page
    assert "sev-critical" in page and "op-local" in page
    assert 'href="/findings?status=open&amp;severity=critical">1</a>' in page
    # The findings list and the rollups page took over what the overview showed.
    findings_page = w.get("/findings")[2]
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; bad output root" in findings_page
    assert f'href="/findings/{fid}"' in findings_page
    assert "mismatch" in w.get("/rollups")[2]
    assert "default-src 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    status, headers, css = w.get("/static/dashboard.css")
    assert status == 200 and headers["content-type"].startswith("text/css") and "--bg" in css
    assert w.get("/static/nope.css")[0] == 404
    assert w.get("/static/../server.c")[0] == 404

    # Unknown paths, wrong methods, bodies
    status, headers, body = w.get("/nope")
    assert status == 404 and headers["content-type"] == "application/json" and "message" in json.loads(body)
    status, headers, body = w.request("POST", "/api/v1/findings", body=b'{"x":1}',
                                      headers={"Content-Type": "application/json"})
    assert status == 405 and headers["allow"] == "GET, HEAD" and "message" in json.loads(body)
    assert w.request("DELETE", f"/api/v1/findings/{fid}")[0] == 405
    assert w.request("POST", "/nope")[0] == 404
    assert w.request("GET", "/healthz", body=b"unexpected")[0] == 413

    # Metrics last, so the requests above are counted
    status, headers, text = w.get("/metrics")
    assert status == 200 and headers["content-type"].startswith("text/plain; version=0.0.4")
    families, samples = parse_prometheus(text)
    assert metric(samples, "l2watch_build_info", version=re.search(r'version="([^"]+)"', text).group(1)) == 1
    assert families["l2watch_http_requests_total"]["type"] == "counter"
    assert families["l2watch_http_request_duration_seconds"]["type"] == "histogram"
    assert metric(samples, "l2watch_http_requests_total", route="/healthz", code="200") >= 2
    assert metric(samples, "l2watch_http_requests_total", route="/api/v1/findings", code="400") >= 7
    assert metric(samples, "l2watch_http_requests_total", route="/api/v1/findings/{id}", code="404") >= 5
    assert metric(samples, "l2watch_http_requests_total", route="unmatched", code="404") >= 1
    assert metric(samples, "l2watch_http_requests_total", route="/api/v1/findings", code="405") == 1
    assert metric(samples, "l2watch_alerts_sent_total", sink="ops") == 0
    assert metric(samples, "l2watch_alerts_failed_total", sink="ops") == 0
    assert families["l2watch_alerts_pending"]["type"] == "gauge"
    assert families["l2watch_alert_delivery_seconds"]["type"] == "histogram"


def test_database_down(receivers, webalerts):
    hook = receivers()
    url = f"postgresql://l2watch@127.0.0.1:{closed_port()}/l2watch"
    w = webalerts(url, [("ops", hook.url, 1000)])
    assert w.get("/healthz")[0] == 200
    status, _, body = w.get("/readyz")
    assert status == 503 and body.startswith("not ready: ")
    assert w.get_json("/api/v1/findings", expect=503) == {"code": "unavailable", "message": "database unavailable"}
    status, headers, page = w.get("/")
    assert status == 503 and headers["content-type"].startswith("text/html") and "unavailable" in page
    wait_until(lambda: "database unavailable, retrying" in w.output(), timeout=10, what="the worker to retry")
    assert "message" in w.get_json("/nope", expect=404)
