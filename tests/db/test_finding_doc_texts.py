"""The stored finding documents of sql/0015 on a real PostgreSQL: after any
write to a finding or its responses, each stored text equals what the
finding_documents view builds (the API serves the text; alerts build from
the view), including when the detector and the responder write one finding
at the same time."""
import json
import pathlib
import subprocess
import time

from l2wtest import psql

SQL_DIR = pathlib.Path(__file__).resolve().parents[2] / "sql"
LINK_CHAINS = SQL_DIR / "0019_finding_link_chains.sql"


def add_finding(db, key, status="open"):
    # As state_root writes it: the L2 block on the L2, the proposal on the L1.
    return int(db.rows(
        "INSERT INTO findings (dedup_key, kind, severity, chain, title, summary, evidence, block_number, tx_hash,"
        " anchor_chain, block_chain, tx_chain, status) VALUES"
        f" ('{key}', 'invalid_output_root', 'critical', 'op', 'root <{key}>', 's',"
        " '{\"output_index\": \"3\"}', 12, decode(repeat('ab', 32), 'hex'), 'l1', 'op', 'l1',"
        " '" + status + "') RETURNING id")[0][0])


def add_response(db, key, fid, status="planned"):
    return int(db.rows(
        "INSERT INTO responses (idempotency_key, finding_id, action, chain, mode, to_addr, calldata, status)"
        f" VALUES ('{key}', {fid}, 'challenge_output', 'l1', 'on', decode(repeat('bb', 20), 'hex'), '\\x01',"
        f" '{status}') RETURNING id")[0][0])


def stale(db):
    """Findings whose stored text is missing or differs from the view's."""
    return db.rows("SELECT v.id FROM finding_documents v LEFT JOIN finding_doc_texts t ON t.finding_id = v.id"
                   " WHERE t.doc IS DISTINCT FROM v.doc::text ORDER BY v.id")


def stored(db, fid):
    return db.rows(f"SELECT doc::jsonb->>'status', doc::jsonb->'response'->>'status', doc::jsonb->>'severity'"
                   f" FROM finding_doc_texts WHERE finding_id = {fid}")[0]


def test_texts_follow_every_write(migrated):
    db = migrated
    a, b = add_finding(db, "a"), add_finding(db, "b")
    assert stale(db) == [] and stored(db, a) == ["open", "", "critical"]
    r1 = add_response(db, "r1", a)
    assert stored(db, a) == ["open", "planned", "critical"] and stale(db) == []
    db.rows(f"UPDATE responses SET status = 'sent', nonce = 4, tx_hash = decode(repeat('cd', 32), 'hex')"
            f" WHERE id = {r1}")
    assert stored(db, a)[1] == "sent" and stale(db) == []
    # A newer response is the one the document carries.
    add_response(db, "r2", a, "dry_run")
    assert stored(db, a)[1] == "dry_run" and stale(db) == []
    db.rows(f"UPDATE findings SET status = 'resolved', severity = 'high', evidence = evidence || '{{\"x\": 1}}'"
            f" WHERE id = {a}")
    assert stored(db, a) == ["resolved", "dry_run", "high"] and stale(db) == []
    # A response moved to the other finding leaves the first and joins the second.
    db.rows(f"UPDATE responses SET finding_id = {b} WHERE idempotency_key = 'r2'")
    assert stored(db, a)[1] == "sent" and stored(db, b)[1] == "dry_run" and stale(db) == []
    db.rows("DELETE FROM responses WHERE idempotency_key = 'r2'")
    assert stored(db, b)[1] == "" and stale(db) == []


def test_the_api_text_is_the_view_text_byte_for_byte(migrated):
    db = migrated
    ids = [add_finding(db, f"k{i}") for i in range(3)]
    add_response(db, "r", ids[1])
    page = db.rows("SELECT '[' || string_agg(doc, ', ' ORDER BY finding_id DESC) || ']' FROM finding_doc_texts")
    built = db.rows("SELECT jsonb_agg(doc ORDER BY id DESC)::text FROM finding_documents")
    assert page == built


def session(url):
    return subprocess.Popen(["psql", url, "-v", "ON_ERROR_STOP=1", "-AtqX"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def waiting_on_lock(db, pid):
    return db.rows(f"SELECT wait_event_type FROM pg_stat_activity WHERE pid = {pid}") == [["Lock"]]


def test_concurrent_writers_of_one_finding(migrated):
    """The responder updates a response while the detector resolves its
    finding. Without the row lock the refresh takes, the detector's text,
    built from a snapshot without the uncommitted response change, would be
    upserted last and keep the old response."""
    db = migrated
    fid = add_finding(db, "race")
    rid = add_response(db, "race-r", fid)
    responder, detector = session(db.url), session(db.url)
    try:
        responder.stdin.write("SELECT pg_backend_pid();\nBEGIN;\n"
                              f"UPDATE responses SET status = 'mined', mined_block = 99 WHERE id = {rid};\n"
                              "SELECT 'updated';\n")
        responder.stdin.flush()
        assert responder.stdout.readline().strip().isdigit()
        assert responder.stdout.readline().strip() == "updated"
        detector.stdin.write("SELECT pg_backend_pid();\n"
                             f"UPDATE findings SET status = 'resolved' WHERE id = {fid};\nSELECT 'resolved';\n")
        detector.stdin.flush()
        detector_pid = int(detector.stdout.readline())
        deadline = time.monotonic() + 20
        while not waiting_on_lock(db, detector_pid):
            assert time.monotonic() < deadline, "the detector's update never waited for the responder"
            time.sleep(0.05)
        responder.stdin.write("COMMIT;\n")
        responder.stdin.close()
        assert detector.stdout.readline().strip() == "resolved"
        detector.stdin.close()
        assert responder.wait(20) == 0 and detector.wait(20) == 0, (responder.stderr.read(), detector.stderr.read())
    finally:
        for p in (responder, detector):
            if p.poll() is None:
                p.kill()
    assert stored(db, fid)[:2] == ["resolved", "mined"]
    assert stale(db) == []
    assert psql(db.url, f"SELECT status FROM findings WHERE id = {fid}") == [["resolved"]]


def doc(db, fid):
    return json.loads(db.rows(f"SELECT doc FROM finding_doc_texts WHERE finding_id = {fid}")[0][0])


def test_documents_say_the_chain_of_block_and_tx_as_stored(migrated):
    db = migrated
    fid = add_finding(db, "chains")
    d = doc(db, fid)
    assert (d["chain"], d["block_number"], d["block_chain"], d["tx_chain"]) == ("op", "12", "op", "l1")
    assert d["tx_hash"] == "0x" + "ab" * 32 and stale(db) == []
    # Without a block or a transaction there is no chain for them.
    bare = int(db.rows("INSERT INTO findings (dedup_key, kind, severity, chain, title, summary, evidence)"
                       " VALUES ('bare', 'liveness_gap', 'medium', 'op', 't', 's', '{}') RETURNING id")[0][0])
    d = doc(db, bare)
    assert d["block_number"] is None and d["block_chain"] is None and d["tx_chain"] is None
    # A chain for a hash or number that is not there is refused.
    for column, other in (("tx_chain", "tx_hash"), ("block_chain", "block_number")):
        r = subprocess.run(["psql", db.url, "-v", "ON_ERROR_STOP=1", "-AtqX", "-c",
                            f"UPDATE findings SET {column} = 'l1' WHERE id = {bare}"], capture_output=True, text=True)
        assert r.returncode != 0 and f"findings_{column}_check" in r.stderr, (column, other, r.stderr)


def apply_file(db, path):
    """A migration file as l2watch applies it: in one transaction."""
    subprocess.run(["psql", db.url, "-v", "ON_ERROR_STOP=1", "-1", "-qX", "-f", str(path)], check=True,
                   capture_output=True, text=True)


def test_migration_backfills_findings_raised_before_it(database):
    """Rows written before 0019 get their chains by what their detectors
    wrote (tx on the anchor's chain; block too, but for the L2 block of an
    output root or an endpoint disagreement), and every stored text is
    re-rendered to the view's."""
    db = database
    for path in sorted(SQL_DIR.glob("[0-9][0-9][0-9][0-9]_*.sql")):
        if path.name < LINK_CHAINS.name:
            apply_file(db, path)
    cols = ("dedup_key, kind, severity, chain, title, summary, evidence, block_number, tx_hash, anchor_chain,"
            " anchor_block_hash")
    h = "decode(repeat('{}', 32), 'hex')"
    rows = {  # key: (kind, chain, block, tx, anchor chain) -> (block_chain, tx_chain) wanted
        "ior": (("invalid_output_root", "op", 120, h.format("a1"), "l1"), ("op", "l1")),
        "rpc": (("rpc_disagreement", "op", 121, "NULL", "l1"), ("op", None)),
        "dw": (("data_withheld", "base", 19780044, h.format("3e"), "l1"), ("l1", "l1")),
        "fw": (("forged_withdrawal", "l1", 55, h.format("0f"), "l1"), ("l1", "l1")),
        "sup": (("supply_exceeds_escrow", "l1", 56, "NULL", "l1"), ("l1", None)),
        "gap": (("liveness_gap", "op", "NULL", "NULL", None), (None, None)),
        "old": (("committee_threshold_missed", "val", 7, h.format("77"), None), ("val", "val")),
    }
    for key, ((kind, chain, block, tx, anchor), _) in rows.items():
        anchor_sql = f"'{anchor}', {h.format('bb')}" if anchor else "NULL, NULL"
        db.rows(f"INSERT INTO findings ({cols}) VALUES ('{key}', '{kind}', 'high', '{chain}', 't', 's', '{{}}',"
                f" {block}, {tx}, {anchor_sql})")
    fid = int(db.rows("SELECT id FROM findings WHERE dedup_key = 'ior'")[0][0])
    db.rows("INSERT INTO responses (idempotency_key, finding_id, action, chain, mode, to_addr, calldata, status)"
            f" VALUES ('r', {fid}, 'delete_l2_outputs', 'l1', 'on', decode(repeat('bb', 20), 'hex'), '\\x01',"
            " 'planned')")
    before = dict(db.rows("SELECT finding_id, doc FROM finding_doc_texts"))
    assert all("tx_chain" not in json.loads(t) for t in before.values())

    apply_file(db, LINK_CHAINS)

    got = {r[0]: (r[1] or None, r[2] or None) for r in
           db.rows("SELECT dedup_key, block_chain, tx_chain FROM findings")}
    assert got == {key: want for key, (_, want) in rows.items()}
    assert stale(db) == []
    for key, (_, (block_chain, tx_chain)) in rows.items():
        d = json.loads(db.rows("SELECT t.doc FROM finding_doc_texts t JOIN findings f ON f.id = t.finding_id"
                               f" WHERE f.dedup_key = '{key}'")[0][0])
        assert (d["block_chain"], d["tx_chain"]) == (block_chain, tx_chain), key
    assert doc(db, fid)["response"]["status"] == "planned"
    # The refresh trigger is on again.
    db.rows(f"UPDATE findings SET status = 'resolved' WHERE id = {fid}")
    assert doc(db, fid)["status"] == "resolved" and stale(db) == []
