"""Acknowledging findings through the API, against a real PostgreSQL: a
write needs a web.clients token; an open finding is acknowledged once (who,
which client, when, the note), shown in its document and the list, filtered
on, and can be taken back; a resolved finding, an acknowledged one, an
unknown one and bad bodies are refused with the reason and nothing stored."""
import json

import pytest

from test_web_alerts import insert_finding
from test_web_silences import AUTH, CLIENTS, call


def start(webalerts, db):
    return webalerts(db.url, web_extra=CLIENTS)


def stored_ack(db, fid):
    # A newline in the note would end psql's row: shown as |.
    return db.rows(f"SELECT ack_client, ack_author, coalesce(replace(ack_note, chr(10), '|'), '-'),"
                   f" ack_at IS NOT NULL FROM findings WHERE id = {fid}")[0]


def test_an_open_finding_is_acknowledged_once_shown_filtered_and_taken_back(migrated, webalerts):
    db = migrated
    fid, other = insert_finding(db, "ack-1"), insert_finding(db, "ack-2")
    w = start(webalerts, db)
    status, _, doc = call(w, "POST", f"/api/v1/findings/{fid}/ack", {"author": "alice", "note": "on it\nchecking"})
    assert status == 200, doc
    ack = doc["acknowledgement"]
    assert (ack["author"], ack["client"], ack["note"]) == ("alice", "ops-console", "on it\nchecking")
    assert ack["at"].endswith("Z")
    assert stored_ack(db, fid) == ["ops-console", "alice", "on it|checking", "t"]
    # The document the API serves is the stored text, in the list as in the detail.
    assert w.get_json(f"/api/v1/findings/{fid}")["acknowledgement"] == ack
    assert w.get_json(f"/api/v1/findings/{other}")["acknowledgement"] is None
    assert [f["id"] for f in w.get_json("/api/v1/findings?acknowledged=true")] == [fid]
    assert [f["id"] for f in w.get_json("/api/v1/findings?acknowledged=false")] == [other]
    assert {f["id"] for f in w.get_json("/api/v1/findings")} == {fid, other}

    # The first acknowledgement stands: a second one is refused and names it.
    status, _, err = call(w, "POST", f"/api/v1/findings/{fid}/ack", {"author": "bob"})
    assert status == 409 and err["code"] == "already_acknowledged" and err["param"] == "id"
    assert "alice" in err["message"] and "ops-console" in err["message"]
    assert stored_ack(db, fid)[1] == "alice"

    status, _, doc = call(w, "DELETE", f"/api/v1/findings/{fid}/ack")
    assert status == 200 and doc["acknowledgement"] is None
    assert stored_ack(db, fid) == ["", "", "-", "f"]
    status, _, err = call(w, "DELETE", f"/api/v1/findings/{fid}/ack")
    assert status == 409 and err["code"] == "not_acknowledged"

    # No body: the client's name is the author, and there is no note.
    status, _, doc = call(w, "POST", f"/api/v1/findings/{other}/ack")
    assert status == 200 and doc["acknowledgement"]["author"] == "ops-console"
    assert doc["acknowledgement"]["note"] is None


def test_only_open_findings_known_ones_and_token_holders_acknowledge(migrated, webalerts):
    db = migrated
    resolved = insert_finding(db, "ack-resolved", status="resolved")
    fid = insert_finding(db, "ack-open")
    w = start(webalerts, db)
    status, _, err = call(w, "POST", f"/api/v1/findings/{resolved}/ack", {})
    assert status == 409 and err["code"] == "finding_not_open" and "resolved" in err["message"]
    status, _, err = call(w, "POST", "/api/v1/findings/999999/ack", {})
    assert status == 404 and err["param"] == "id"
    for path in (f"/api/v1/findings/{fid}/nack", f"/api/v1/findings/{fid}x/ack", "/api/v1/findings//ack"):
        assert call(w, "POST", path, {})[0] in (404, 405), path
    # A finding's page and its alerts are still served by their GET routes.
    assert w.get(f"/api/v1/findings/{fid}/alerts")[0] == 200
    assert w.request("POST", f"/api/v1/findings/{fid}")[0] == 405
    for method, body in (("POST", {}), ("DELETE", None)):
        status, hdrs, _ = call(w, method, f"/api/v1/findings/{fid}/ack", body, headers={})
        assert status == 401 and "Bearer" in hdrs["www-authenticate"]
        status, _, _ = call(w, method, f"/api/v1/findings/{fid}/ack", body,
                            headers={**AUTH, "Authorization": "Bearer not-the-token"})
        assert status == 401
    assert stored_ack(db, fid)[3] == "f" and stored_ack(db, resolved)[3] == "f"


@pytest.mark.parametrize("body,field", [
    ('{"author": ""}', "author"),
    ('{"author": "a\\u0007b"}', "author"),
    ('{"author": "' + "x" * 201 + '"}', "author"),
    ('{"note": 5}', "note"),
    ('{"note": "' + "n" * 2001 + '"}', "note"),
    ('{"who": "alice"}', "who"),
    ('["alice"]', None),
])
def test_bad_bodies_are_refused_with_the_field_named_and_nothing_stored(migrated, webalerts, body, field):
    db = migrated
    fid = insert_finding(db, "ack-bad")
    w = start(webalerts, db)
    status, _, err = call(w, "POST", f"/api/v1/findings/{fid}/ack", body)
    assert status == 422 and err["code"] == "invalid_acknowledgement", err
    assert err.get("param") == field
    assert stored_ack(db, fid)[3] == "f"


def test_malformed_json_and_filters_are_refused(migrated, webalerts):
    db = migrated
    fid = insert_finding(db, "ack-json")
    w = start(webalerts, db)
    status, _, err = call(w, "POST", f"/api/v1/findings/{fid}/ack", '{"author": ')
    assert status == 400 and err["code"] == "malformed_json"
    status, _, body = w.request("GET", "/api/v1/findings?acknowledged=yes")
    assert status == 400 and json.loads(body)["param"] == "acknowledged"
    assert stored_ack(db, fid)[3] == "f"


def test_the_finding_page_shows_the_acknowledgement_escaped(migrated, webalerts):
    db = migrated
    fid = insert_finding(db, "ack-page")
    w = start(webalerts, db)
    status, _, page = w.get(f"/findings/{fid}")
    assert status == 200 and "<th>Acknowledged</th>" in page and "ops-console" not in page
    call(w, "POST", f"/api/v1/findings/{fid}/ack", {"author": "<b>eve</b>", "note": "on it"})
    status, _, page = w.get(f"/findings/{fid}")
    assert status == 200
    assert "&lt;b&gt;eve&lt;/b&gt; (client ops-console) at " in page and ": on it" in page
    assert "<b>eve</b>" not in page
