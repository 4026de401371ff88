"""The stored finding documents of sql/0015 on a real PostgreSQL: after any
write to a finding or its responses, each stored text equals what the
finding_documents view builds (the API serves the text; alerts build from
the view), including when the detector and the responder write one finding
at the same time."""
import subprocess
import time

from l2wtest import psql


def add_finding(db, key, status="open"):
    return int(db.rows(
        "INSERT INTO findings (dedup_key, kind, severity, chain, title, summary, evidence, block_number, tx_hash,"
        f" status) VALUES ('{key}', 'invalid_output_root', 'critical', 'l1', 'root <{key}>', 's',"
        " '{\"output_index\": \"3\"}', 12, decode(repeat('ab', 32), 'hex'), '" + status + "') RETURNING id")[0][0])


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
