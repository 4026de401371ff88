"""The findings API's filters and paging, and a finding's alert deliveries,
against a real PostgreSQL: each filter returns exactly the rows the database
holds for it, pages join up without gaps or repeats, and bad parameters are
refused with the parameter named."""
import itertools

from test_web_alerts import insert_finding
from webalerts_util import dbtool, wait_until

KINDS = ["invalid_output_root", "outflow_anomaly", "liveness_gap"]
CHAINS = ["l1", "op-local"]
SEVERITIES = ["critical", "high", "medium", "low"]


def seed(db, n=60):
    """n findings across kinds, chains, severities, statuses and days."""
    ids = []
    combos = itertools.cycle(itertools.product(KINDS, CHAINS, SEVERITIES))
    for i in range(n):
        kind, chain, sev = next(combos)
        fid = insert_finding(db, key=f"seed-{i}", severity=sev, status="resolved" if i % 5 == 0 else "open")
        db.rows(f"UPDATE findings SET kind = '{kind}', chain = '{chain}',"
                f" detected_at = timestamptz '2026-11-01T00:00:00Z' + interval '{i} hours' WHERE id = {fid}")
        ids.append(fid)
    return ids


def expected(db, where):
    return [int(r[0]) for r in db.rows(f"SELECT id FROM findings WHERE {where} ORDER BY id DESC")]


def test_filters_match_the_database(migrated, webalerts):
    seed(migrated)
    w = webalerts(migrated.url, [])
    cases = {
        "kind=outflow_anomaly": "kind = 'outflow_anomaly'",
        "chain=l1": "chain = 'l1'",
        "severity=high": "severity = 'high'",
        "status=resolved": "status = 'resolved'",
        "kind=liveness_gap&chain=op-local&severity=low": "kind = 'liveness_gap' AND chain = 'op-local' AND severity = 'low'",
        "since=2026-11-02T00:00:00Z": "detected_at >= '2026-11-02T00:00:00Z'",
        "since=2026-11-01T10:00:00%2B02:00&until=2026-11-01T20:00:00Z":
            "detected_at >= '2026-11-01T08:00:00Z' AND detected_at < '2026-11-01T20:00:00Z'",
        "until=2026-11-01T00:00:00Z": "false",
    }
    for query, where in cases.items():
        got = [f["id"] for f in w.get_json(f"/api/v1/findings?limit=1000&{query}")]
        want = expected(migrated, where)
        assert got == want, query
        assert query == "until=2026-11-01T00:00:00Z" or want, f"{query}: the seed gives this filter nothing to find"


def test_pages_join_up_without_gaps_or_repeats(migrated, webalerts):
    ids = seed(migrated, 45)
    w = webalerts(migrated.url, [])
    seen, before = [], None
    while True:
        page = w.get_json("/api/v1/findings?limit=7&chain=l1" + (f"&before={before}" if before else ""))
        if not page:
            break
        assert len(page) <= 7
        seen += [f["id"] for f in page]
        before = page[-1]["id"]
    assert seen == expected(migrated, "chain = 'l1'")
    assert len(seen) > 14 and len(set(seen)) == len(seen)  # three pages at least, no repeats
    assert set(seen) < set(ids)


def test_bad_parameters_name_themselves(migrated, webalerts):
    w = webalerts(migrated.url, [])
    for query, param in [("kind=Bad%20Kind", "kind"), ("chain=", "chain"), ("severity=warning", "severity"),
                         ("since=yesterday", "since"), ("until=2026-11-31T00:00:00Z", "until"),
                         ("before=0", "before"), ("before=-3", "before"), ("status=closed", "status")]:
        err = w.get_json(f"/api/v1/findings?{query}", expect=400)
        assert err["param"] == param, query
    for path in ("/api/v1/findings/1/alert", "/api/v1/findings/1/alerts/x", "/api/v1/findings//alerts"):
        assert "message" in w.get_json(path, expect=404)


def test_a_findings_alerts_show_each_delivery(migrated, receivers, webalerts):
    ok, down = receivers(), receivers([("status", 500)] * 10)
    w = webalerts(migrated.url, [("ok", ok.url, 1000), ("down", down.url, 1000)], max_backoff_ms=200,
                  alerts_extra="  max_attempts: 2")
    fid = insert_finding(migrated)
    dbtool("enqueue", w.config_path, str(fid), "raised")
    wait_until(lambda: migrated.rows("SELECT count(*) FROM alert_outbox WHERE delivered_at IS NOT NULL"
                                     " OR dead_at IS NOT NULL") == [["2"]], 30, what="both sinks to settle")
    alerts = w.get_json(f"/api/v1/findings/{fid}/alerts")
    by_sink = {a["sink"]: a for a in alerts}
    assert set(by_sink) == {"ok", "down"}
    assert by_sink["ok"]["state"] == "delivered" and by_sink["ok"]["attempts"] == 1 and by_sink["ok"]["delivered_at"]
    assert by_sink["down"]["state"] == "dead" and by_sink["down"]["attempts"] == 2
    assert by_sink["down"]["last_error"] == "HTTP 500" and by_sink["down"]["dead_at"]
    assert all(a["event"] == "raised" for a in alerts)
    other = insert_finding(migrated, key="no-alerts")
    assert w.get_json(f"/api/v1/findings/{other}/alerts") == []
    assert "message" in w.get_json("/api/v1/findings/999999/alerts", expect=404)
