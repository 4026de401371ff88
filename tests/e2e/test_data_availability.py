"""Data availability end to end: the real DataAvailabilityChallenge on the L1
anvil, a batcher posting OP Alt-DA commitments to the batch inbox, and DA
servers: a real file-serving process (`python3 -m http.server`) and, for the
faults, a server in this process that answers wrong bytes, 500s or slowly.

l2watch must leave served data alone, raise data_withheld for data nobody
serves, challenge it on-chain inside the window, and follow the challenge
to its on-chain resolution."""
import http.server
import os
import threading
import time
import urllib.error
import urllib.request

from l2wtest import wait_until
from tests.e2e.test_response import write_key
from tests.world import altda

CHALLENGE_WINDOW = 60   # L1 blocks (1 s each in the world)
RESOLVE_WINDOW = 40
BOND = 10**16
DEADLINE_S = 4

L1_TXMGR = """    txmgr:
      confirmations: 1
      receipt_poll_ms: 200
"""


def da_yaml(world, servers, challenge=None, deadline=DEADLINE_S, mode="on", key_path=None):
    batcher = world.info["accounts"][altda.BATCHER_ROLE]["address"]
    lines = ""
    if key_path:
        lines += f"""signers:
  - name: challenger
    key_file: "{key_path}"
responses:
  rules:
    - kind: data_withheld
      mode: {mode}
      signer: challenger
"""
    lines += f"""da:
  - chain: op-local
    batch_inbox: "{altda.BATCH_INBOX}"
    batcher: "{batcher}"
    servers: [{", ".join(f'"{s}"' for s in servers)}]
    fetch_deadline_s: {deadline}
    fetch_timeout_ms: 800
    retry_ms: 300
    retry_max_ms: 1000
    l1_block_time_s: 1
"""
    if challenge:
        lines += f'    challenge_contract: "{challenge}"\n'
    return lines


def commitment_rows(database):
    rows = database.rows("SELECT '0x' || encode(commitment, 'hex'), status, attempts, coalesce(last_error, ''), "
                         "coalesce(finding_id::text, ''), coalesce(challenge_status::text, '') "
                         "FROM da_commitments ORDER BY id")
    return {r[0]: {"status": r[1], "attempts": int(r[2]), "error": r[3], "finding": r[4], "challenge": r[5]}
            for r in rows}


def findings(database, kind):
    rows = database.rows(f"SELECT id, status, severity, evidence->>'commitment', evidence->>'reason', "
                         f"extract(epoch FROM detected_at)::bigint, evidence->>'attempts' "
                         f"FROM findings WHERE kind = '{kind}' ORDER BY id")
    return [[r[0], r[1], r[2], r[3], r[4], int(r[5]), int(r[6])] for r in rows]


def events_for(webhook, finding_id):
    return [a["event"] for a in webhook.delivered() if str(a["id"]) == str(finding_id)]


def test_withheld_commitment_is_challenged_and_resolution_is_followed(world, database, workdir, webhook,
                                                                      make_l2watch):
    dac = altda.deploy_challenge(world, CHALLENGE_WINDOW, RESOLVE_WINDOW, BOND)
    server = altda.FileServer(os.path.join(workdir, "da"))
    try:
        key = write_key(workdir, world.info["accounts"]["challenger"]["key"])
        lw = make_l2watch(l1_extra=L1_TXMGR, extra=da_yaml(world, [server.url], dac, key_path=key)).start()

        served = [altda.post_commitment(world, f"batch {i} ".encode() * 40, server) for i in range(2)]
        frames = altda.post(world, "0x00" + "ab" * 64)  # version 0: frames on L1, nothing to fetch
        withheld = altda.post_commitment(world, b"data the batcher never published" * 8)

        rows = wait_until(lambda: (r := commitment_rows(database)) and withheld["commitment"] in r and
                          all(r.get(p["commitment"], {}).get("status") == "available" for p in served) and r,
                          30, what="the served commitments to be verified")
        assert len(rows) == 3, rows  # frames carry no commitment
        for p in served:
            assert rows[p["commitment"]]["attempts"] == 1

        # The missing data: withheld once the deadline passes, then challenged on-chain.
        found = wait_until(lambda: findings(database, "data_withheld"), DEADLINE_S + 30,
                           what="data_withheld for the unpublished commitment")
        assert len(found) == 1
        fid, status, severity, commitment, reason, detected_at, attempts = found[0]
        assert (status, severity, commitment, reason) == ("open", "high", withheld["commitment"], "unretrievable")
        assert detected_at >= withheld["timestamp"] + DEADLINE_S
        assert attempts >= 2  # retried before the deadline, not judged on one 404

        response = wait_until(lambda: database.rows(
            f"SELECT status, action, value::text, mined_block FROM responses WHERE finding_id = {fid} "
            f"AND status IN ('verified', 'failed', 'reverted', 'not_needed')"), 60, what="the challenge to land")
        assert response[0][:3] == ["verified", "da_challenge", str(BOND)]
        assert altda.challenge_status(world, dac, withheld["block"], withheld["commitment"]) == 1  # Active
        challenger, bond, start, resolved = altda.get_challenge(world, dac, withheld["block"], withheld["commitment"])
        assert challenger.lower() == world.info["accounts"]["challenger"]["address"].lower()
        assert bond == BOND and resolved == 0
        assert withheld["block"] <= start <= withheld["block"] + CHALLENGE_WINDOW
        wait_until(lambda: "challenge_active" in events_for(webhook, fid), 30, what="the challenge_active alert")
        active = next(a for a in webhook.delivered() if a["event"] == "challenge_active")
        assert active["evidence"]["challenge"]["status"] == "active"
        assert active["evidence"]["challenge"]["block"] == start

        # The batcher publishes the data on-chain: the challenge resolves, and so does the finding.
        data = b"data the batcher never published" * 8
        altda.resolve(world, dac, withheld["block"], withheld["commitment"], data)
        assert altda.challenge_status(world, dac, withheld["block"], withheld["commitment"]) == 2
        wait_until(lambda: "resolved" in events_for(webhook, fid), 30, what="the resolved alert")
        note = next(a for a in webhook.delivered() if a["event"] == "resolved")["evidence"]["resolved_note"]
        assert note.startswith("resolved on-chain") and "DataAvailabilityChallenge.resolve" in note
        rows = commitment_rows(database)
        assert rows[withheld["commitment"]]["status"] == "available"
        assert rows[withheld["commitment"]]["challenge"] == "2"
        # Exactly one finding and one alert per event; the served data raised nothing.
        assert len(database.rows("SELECT 1 FROM findings")) == 1
        assert sorted(events_for(webhook, fid)) == sorted(
            ["raised", "response_sent", "response_landed", "challenge_active", "resolved"])
        # Every posting, frames included, is a liveness event of the chain's batches.
        ts = {int(r[0]) for r in database.rows("SELECT ts FROM liveness_events WHERE kind = 'batches'")}
        assert {p["timestamp"] for p in served + [frames, withheld]} == ts
        lw.stop()
    finally:
        server.close()


class FaultServer:
    """A DA server whose answers are scripted per commitment: each request
    takes the next step of its plan ("ok", "wrong", "500", "slow"), the last
    step repeating. Unknown commitments get 404."""

    def __init__(self):
        self.plans, self.data, self.hits = {}, {}, {}
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                c = self.path.rsplit("/", 1)[-1]
                with outer.lock:
                    plan = outer.plans.get(c)
                    n = outer.hits.get(c, 0)
                    outer.hits[c] = n + 1
                step = plan[min(n, len(plan) - 1)] if plan else "404"
                if step == "slow":
                    time.sleep(1.5)  # past fetch_timeout_ms
                if step in ("404", "500"):
                    self.send_response(int(step))
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = outer.data[c] if step in ("ok", "slow") else b"not the committed bytes"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except OSError:
                    pass  # l2watch gave up on a slow answer

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def script(self, data, plan):
        c = altda.commitment_of(data)
        self.data[c], self.plans[c] = data, plan
        return c

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_wrong_bytes_slow_and_failing_servers(world, database, make_l2watch):
    deadline = 6
    fault = FaultServer()
    try:
        lw = make_l2watch(extra=da_yaml(world, [fault.url], deadline=deadline)).start()
        cases = {
            "wrong": (b"wrong bytes case" * 10, ["wrong"]),
            "flaky": (b"500 then served" * 10, ["500", "500", "ok"]),
            "slow": (b"slow then served" * 10, ["slow", "slow", "ok"]),
            "down": (b"always 500" * 10, ["500"]),
        }
        posted = {}
        for name, (data, plan) in cases.items():
            fault.script(data, plan)
            posted[name] = altda.post_commitment(world, data)

        def settled():
            rows = commitment_rows(database)
            return len(rows) == 4 and all(r["status"] != "pending" for r in rows.values()) and rows

        rows = wait_until(settled, deadline + 40, what="every commitment to be judged")
        by = {name: rows[p["commitment"]] for name, p in posted.items()}
        # Wrong bytes: withheld on the first answer, well before the deadline.
        assert by["wrong"]["status"] == "withheld" and by["wrong"]["attempts"] == 1
        assert "keccak" in by["wrong"]["error"]
        # 500 and slow answers are retried until the data comes.
        assert by["flaky"]["status"] == "available" and by["flaky"]["attempts"] == 3
        assert by["slow"]["status"] == "available" and by["slow"]["attempts"] == 3
        # A server that never serves: withheld at the deadline, after retries.
        assert by["down"]["status"] == "withheld" and by["down"]["attempts"] >= 3
        assert "500" in by["down"]["error"]

        found = {f[3]: f for f in findings(database, "data_withheld")}
        assert set(found) == {posted["wrong"]["commitment"], posted["down"]["commitment"]}
        assert found[posted["wrong"]["commitment"]][4] == "wrong_data"
        assert found[posted["wrong"]["commitment"]][5] < posted["wrong"]["timestamp"] + deadline
        assert found[posted["down"]["commitment"]][4] == "unretrievable"
        assert found[posted["down"]["commitment"]][5] >= posted["down"]["timestamp"] + deadline
        # No challenge contract configured: nothing to answer with.
        assert database.rows("SELECT count(*) FROM responses") == [["0"]]
        lw.stop()
    finally:
        fault.close()


class HidingBeacon:
    """A beacon API in front of anvil's: it forwards every request, except
    that blobs whose versioned hash is hidden are left out of the answer (a
    node that lost them, or never had them)."""

    def __init__(self, upstream):
        self.hidden = set()
        self.requests = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.requests.append(self.path)
                if any(h in self.path for h in outer.hidden):
                    body = b'{"execution_optimistic":false,"finalized":false,"data":[]}'
                    status = 200
                else:
                    try:
                        with urllib.request.urlopen(upstream + self.path, timeout=5) as r:
                            body, status = r.read(), r.status
                    except urllib.error.HTTPError as e:
                        body, status = e.read(), e.code
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_blobs_are_checked_on_the_beacon_api(world, database, workdir, make_l2watch):
    deadline = 5
    beacon = HidingBeacon(world.info["l1"]["rpc_url"])
    try:
        batcher = world.info["accounts"][altda.BATCHER_ROLE]["address"]
        extra = f"""da:
  - chain: op-local
    batch_inbox: "{altda.BATCH_INBOX}"
    batcher: "{batcher}"
    beacon_urls: ["{beacon.url}"]
    beacon_block_id: number
    fetch_deadline_s: {deadline}
    fetch_timeout_ms: 2000
    retry_ms: 300
    retry_max_ms: 1000
    l1_block_time_s: 1
"""
        lw = make_l2watch(extra=extra).start()
        kept = altda.post_blob(world, b"a batch in a blob" * 100, workdir)
        lost = altda.post_blob(world, b"a blob the beacon node lost" * 100, workdir)
        beacon.hidden.add(lost["versioned_hash"])

        def settled():
            rows = database.rows("SELECT '0x' || encode(commitment, 'hex'), status, attempts FROM da_commitments "
                                 "WHERE kind = 'blob'")
            return len(rows) == 2 and all(r[1] != "pending" for r in rows) and {r[0]: r for r in rows}

        rows = wait_until(settled, deadline + 30, what="both blobs to be judged")
        assert rows[kept["versioned_hash"]][1] == "available"
        assert rows[lost["versioned_hash"]][1] == "withheld" and int(rows[lost["versioned_hash"]][2]) >= 2
        found = findings(database, "data_withheld")
        assert len(found) == 1
        assert found[0][3] == lost["versioned_hash"] and found[0][4] == "blob_mismatch"
        assert found[0][5] >= lost["timestamp"] + deadline
        # The endpoint was asked with the transaction's versioned hash.
        assert any(kept["versioned_hash"] in p and p.startswith("/eth/v1/beacon/blobs/") for p in beacon.requests)
        lw.stop()
    finally:
        beacon.close()


def test_challenge_nobody_resolves_expires_with_an_alert(world, database, workdir, webhook, make_l2watch):
    resolve_window = 6
    dac = altda.deploy_challenge(world, CHALLENGE_WINDOW, resolve_window, BOND)
    server = altda.FileServer(os.path.join(workdir, "da"))
    try:
        key = write_key(workdir, world.info["accounts"]["challenger"]["key"])
        lw = make_l2watch(l1_extra=L1_TXMGR, extra=da_yaml(world, [server.url], dac, deadline=2, key_path=key)).start()
        lost = altda.post_commitment(world, b"gone for good" * 16)
        fid = wait_until(lambda: findings(database, "data_withheld"), 40, what="data_withheld")[0][0]
        wait_until(lambda: "challenge_active" in events_for(webhook, fid), 60, what="the challenge to be active")
        _, _, start, _ = altda.get_challenge(world, dac, lost["block"], lost["commitment"])
        # Nobody publishes the data: past start + resolveWindow the contract reports Expired (no event).
        wait_until(lambda: "challenge_expired" in events_for(webhook, fid), resolve_window + 30,
                   what="the challenge_expired alert")
        assert altda.challenge_status(world, dac, lost["block"], lost["commitment"]) == 3
        assert int(world.l1("eth_blockNumber"), 16) > start + resolve_window
        expired = next(a for a in webhook.delivered() if a["event"] == "challenge_expired")
        assert expired["evidence"]["challenge"]["status"] == "expired"
        assert expired["status"] == "open"  # what the L2 lost needs a person
        assert commitment_rows(database)[lost["commitment"]]["challenge"] == "3"
        assert events_for(webhook, fid).count("challenge_expired") == 1
        lw.stop()
    finally:
        server.close()
