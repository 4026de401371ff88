"""The RPC endpoints' health on the web (sql/0018 chain_endpoints, written
by the chain workers): /api/v1/chains gives each chain exactly the rows the
table holds, in index order, and the overview sums them up per chain
("1 of 3 healthy") with each endpoint in its details, HTML-escaped. The
expected values are computed here from the table, not by the server's SQL."""
import datetime

from html_tables import Page

HOSTILE = '<img src=x onerror="alert(1)">'


def seed(db):
    db.rows("INSERT INTO chains (name, chain_id, role, head_number, synced_number) VALUES ('l1', 900, 'l1', 500, 470)")
    db.rows("INSERT INTO chains (name, chain_id, role, l1) VALUES ('op-local', 901, 'l2', 'l1'), ('op-two', 902,"
            " 'l2', 'l1')")
    db.rows("INSERT INTO chain_endpoints (chain, endpoint_index, label, state, score, head_number, head_seen_at,"
            " resting_until, last_fault, last_fault_at, requests, faults, updated_at) VALUES"
            " ('l1', 0, '0:a.example', 'in_use', 0.9876543210123, 500, now() - interval '1.5 seconds', NULL,"
            "  'timeout', '2026-01-02T03:04:05.678Z', 1234, 2, now()),"
            " ('l1', 2, '2:c.example', 'resting', 0.25, NULL, NULL, '2026-11-22T10:00:01.5Z', 'http_status',"
            "  '2026-11-22T09:59:59.999Z', 17, 9, now() - interval '3 seconds'),"
            " ('l1', 1, '1:b.example', 'behind', 0.5, 470, now(), NULL, 'head_lag', now(), 5, 1, now()),"
            f" ('op-local', 0, '0:{HOSTILE}', 'wrong_chain', 0.5, NULL, NULL, now() + interval '60 seconds',"
            "  'wrong_chain', now(), 1, 1, now()),"
            " ('op-local', 1, '1:d.example', 'standby', 1, 9000, now(), NULL, NULL, NULL, 3, 0, now()),"
            " ('op-local', 2, '2:e.example', 'unchecked', 1, NULL, NULL, NULL, NULL, NULL, 0, 0, now())")


def utc_millis(epoch):
    """The API's time form, from seconds since the epoch (millisecond precision truncated as to_char does)."""
    if epoch in (None, ""):  # psql gives NULL as ''
        return None
    ms = int(round(float(epoch) * 1e6)) // 1000
    t = datetime.datetime.fromtimestamp(ms // 1000, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + f".{ms % 1000:03d}Z"


def table_endpoints(db, chain):
    def ep(col):
        return f"extract(epoch FROM {col})::text"

    rows = db.rows("SELECT endpoint_index, label, state, score::text, head_number, " + ", ".join(
        ep(c) for c in ("head_seen_at", "resting_until", "last_fault_at", "updated_at"))
        + f", last_fault, requests, faults FROM chain_endpoints WHERE chain = '{chain}' ORDER BY endpoint_index")
    out = []
    for i, label, state, score, head, seen, until, fault_at, updated, fault, req, faults in rows:
        out.append({
            "index": int(i), "label": label, "state": state, "healthy": state in ("in_use", "standby"),
            "score": float(score), "head_number": None if head == "" else int(head),
            "head_seen_at": utc_millis(seen), "resting_until": utc_millis(until), "last_fault": fault or None,
            "last_fault_at": utc_millis(fault_at), "requests": int(req), "faults": int(faults),
            "updated_at": utc_millis(updated)})
    return out


def test_api_chains_give_exactly_the_stored_endpoints(migrated, webalerts):
    seed(migrated)
    w = webalerts(migrated.url, [])
    chains = {c["name"]: c for c in w.get_json("/api/v1/chains")}
    assert set(chains) == {"l1", "op-local", "op-two"}
    for name in chains:
        assert chains[name]["endpoints"] == table_endpoints(migrated, name), name
    l1 = chains["l1"]["endpoints"]
    assert [e["index"] for e in l1] == [0, 1, 2]  # by index, not by insertion
    assert l1[0]["last_fault_at"] == "2026-01-02T03:04:05.678Z" and l1[0]["score"] == 0.9876543210123
    assert l1[2]["resting_until"] == "2026-11-22T10:00:01.500Z"
    assert chains["op-two"]["endpoints"] == []
    # The answer follows the table: a row gone is gone, a state changed is seen.
    migrated.rows("DELETE FROM chain_endpoints WHERE chain = 'l1' AND endpoint_index = 2")
    migrated.rows("UPDATE chain_endpoints SET state = 'standby' WHERE chain = 'l1' AND endpoint_index = 1")
    l1 = next(c for c in w.get_json("/api/v1/chains") if c["name"] == "l1")["endpoints"]
    assert [(e["index"], e["state"], e["healthy"]) for e in l1] == [(0, "in_use", True), (1, "standby", True)]


def test_overview_sums_up_each_chains_endpoints(migrated, webalerts):
    seed(migrated)
    w = webalerts(migrated.url, [], web_extra="  page_cache_ms: 0")
    status, _, text = w.get("/")
    assert status == 200
    assert HOSTILE not in text and "0:&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in text
    page = Page(text)
    assert "Endpoints" in page.table("chains")["headers"]
    rows = {r["Name"]["text"]: r["Endpoints"] for r in page.rows("chains")}
    for name in ("l1", "op-local", "op-two"):
        stored = migrated.rows(f"SELECT label, state FROM chain_endpoints WHERE chain = '{name}'"
                               " ORDER BY endpoint_index")
        cell = rows[name]
        if not stored:
            assert cell["text"] == "not reported yet"
            continue
        good = sum(s in ("in_use", "standby") for _, s in stored)
        assert cell["text"].startswith(f"{good} of {len(stored)} healthy"), cell["text"]
        # Each endpoint in the details, in index order, with its state.
        details = cell["text"][len(f"{good} of {len(stored)} healthy"):]
        at = 0
        for label, state in stored:
            found = details.find(f"{label} {state}", at)
            assert found >= at, (name, label, state, details)
            at = found
    assert rows["l1"]["badge"] == "badge sev-medium"  # some healthy
    assert rows["op-local"]["text"].startswith("1 of 3 healthy")
    migrated.rows("UPDATE chain_endpoints SET state = 'standby' WHERE chain = 'l1'")
    l1 = {r["Name"]["text"]: r["Endpoints"] for r in Page(w.get("/")[2]).rows("chains")}["l1"]
    assert l1["text"].startswith("3 of 3 healthy") and l1["badge"] == "badge ok"
