"""/readyz against a real PostgreSQL: ready only while the database answers
and every configured chain is followed within its bounds (a head seen in
the last minute at the test's 1 s poll, the checkpoint no further behind
than confirmations + max_head_lag_blocks); ?scope=database asks only the
database, for the Helm readiness probe."""


def set_chain(db, head, synced, seen_ago_s=0):
    db.rows("INSERT INTO chains (name, chain_id, role) VALUES ('l1', 31337, 'l1') ON CONFLICT (name) DO NOTHING")
    db.rows(f"UPDATE chains SET head_number = {head}, synced_number = {synced},"
            f" head_seen_at = now() - interval '{seen_ago_s} seconds' WHERE name = 'l1'")


def test_ready_only_while_every_chain_is_followed(migrated, webalerts):
    w = webalerts(migrated.url, [])
    assert w.get("/readyz")[::2] == (503, "not ready: chain l1: never followed (no row in chains)\n")
    assert w.get("/readyz?scope=database")[::2] == (200, "ready\n")

    set_chain(migrated, 1000, 1000)
    assert w.get("/readyz")[::2] == (200, "ready\n")
    # The default bound: confirmations (2) + max_head_lag_blocks (20).
    set_chain(migrated, 1000, 978)
    assert w.get("/readyz")[0] == 200
    set_chain(migrated, 1000, 977)
    assert w.get("/readyz")[::2] == (503, "not ready: chain l1: 23 blocks behind its head (bound 22)\n")
    assert w.get("/readyz?scope=database")[0] == 200

    set_chain(migrated, 1000, 1000, seen_ago_s=600)
    status, _, body = w.get("/readyz")
    assert status == 503 and body.startswith("not ready: chain l1: last head seen 60") and "(bound 60 s)" in body

    migrated.rows("UPDATE chains SET head_seen_at = NULL, head_number = NULL WHERE name = 'l1'")
    assert w.get("/readyz")[::2] == (503, "not ready: chain l1: no head seen yet\n")
    status, _, doc = w.request("GET", "/readyz?scope=chains")
    assert status == 400 and '"param":"scope"' in doc
