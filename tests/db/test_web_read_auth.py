"""web.read_auth: required on a live server: every page, API route, asset
and /metrics refuses a request without credentials (401 with both
challenges) and serves a reader by HTTP Basic (a crypt(3) hash made by
openssl), a reader's bearer token or a write client's token; the probes stay
open; guessing passwords runs into 429; and with reading open nothing
changes."""
import base64
import hashlib
import json
import subprocess

import pytest

PASSWORD = "correct horse: battery"
PATHS = ["/", "/findings", "/alerts", "/da", "/api/v1/findings", "/api/v1/chains", "/api/v1/silences", "/metrics",
         "/static/dashboard.css"]


def sha256(text):
    return hashlib.sha256(text.encode()).hexdigest()


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def sha512_crypt(password):
    return subprocess.run(["openssl", "passwd", "-6", "-stdin"], input=password, capture_output=True, text=True,
                          check=True).stdout.strip()


@pytest.fixture
def guarded(migrated, webalerts):
    web = (
        "  read_auth: required\n"
        f"  clients:\n    - name: wallet\n      token_sha256: \"{sha256('wallet-token')}\"\n"
        f"  readers:\n    - name: alice\n      password_hash: \"{sha512_crypt(PASSWORD)}\"\n"
        f"    - name: prometheus\n      token_sha256: \"{sha256('scrape-token')}\"\n")
    return webalerts(migrated.url, web_extra=web)


def test_reads_need_credentials(guarded):
    w = guarded
    for path in PATHS:
        for headers in ({}, {"Authorization": basic("alice", "wrong")}, {"Authorization": basic("mallory", PASSWORD)},
                        {"Authorization": "Bearer nope"}, {"Authorization": "Digest username=alice"}):
            status, h, body = w.request("GET", path, headers=headers)
            assert status == 401, (path, headers, status, body)
            assert h["www-authenticate"].startswith('Basic realm="l2watch"') and "Bearer" in h["www-authenticate"]
            doc = json.loads(body)
            assert doc["code"] == "unauthorized" and doc["message"], doc
            # Nothing of the page leaks into the refusal.
            assert "l2watch_" not in body and "<html" not in body.lower()
        status, _, _ = w.request("HEAD", path)
        assert status == 401, path


def test_readers_and_clients_read(guarded):
    w = guarded
    for auth in (basic("alice", PASSWORD), "Bearer scrape-token", "Bearer wallet-token"):
        for path in PATHS:
            status, h, body = w.request("GET", path, headers={"Authorization": auth})
            assert status == 200, (path, auth, status, body)
    status, _, body = w.request("GET", "/metrics", headers={"Authorization": "Bearer scrape-token"})
    assert "l2watch_build_info" in body


def test_probes_stay_open(guarded):
    assert guarded.request("GET", "/healthz")[0] == 200
    assert guarded.request("GET", "/readyz?scope=database")[0] == 200


def test_a_reader_cannot_write(guarded):
    body = json.dumps({"matchers": {"kind": "x"}, "duration_s": 600, "author": "a", "reason": "r"})
    for auth in (basic("alice", PASSWORD), "Bearer scrape-token"):
        status, _, text = guarded.request("POST", "/api/v1/silences", body=body,
                                          headers={"Authorization": auth, "Content-Type": "application/json"})
        assert status == 401, (auth, status, text)
    assert guarded.request("GET", "/api/v1/silences?state=all",
                           headers={"Authorization": "Bearer scrape-token"})[2] == "[]"


def test_password_guessing_is_rationed(guarded):
    w = guarded
    answers = [w.request("GET", "/api/v1/chains", headers={"Authorization": basic("alice", f"guess{i}")})
               for i in range(60)]
    statuses = [a[0] for a in answers]
    assert statuses.count(401) >= 20 and 429 in statuses, statuses
    throttled = [a for a in answers if a[0] == 429]
    assert all(h["retry-after"] == "1" and json.loads(b)["code"] == "rate_limited" for _, h, b in throttled)
    # Tokens are not rationed: hashing one costs nothing worth guarding.
    assert w.request("GET", "/api/v1/chains", headers={"Authorization": "Bearer scrape-token"})[0] == 200


def test_reading_is_open_by_default(migrated, webalerts):
    w = webalerts(migrated.url)
    for path in PATHS:
        assert w.request("GET", path)[0] == 200, path
