"""The channel watchtower end to end, on the real adjudicators: Vector
(ChannelMastercopy behind ChannelFactory) and Nitro (NitroAdjudicator).

Clients sign states off-chain and submit them to l2watch's intake; a
counterparty then disputes with an old state; l2watch's own transaction
registers the newest one before the window closes, and the contract's stored
state is the newest. A dispute with the newest state raises nothing. The
intake refuses each kind of bad submission with its own code and stores
nothing for it."""
import hashlib
import http.client
import json
import os
import re
import urllib.error
import urllib.request

import pytest

from l2wtest import wait_until
from tests.world import channels
from tests.world.world import cast

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
ETH = 10**18
TENTH = 10**17
TOKEN = "tower-client-token-0123456789"
OTHER_TOKEN = "second-client-token-9876543210"

L1_TXMGR = """    txmgr:
      confirmations: 1
      receipt_poll_ms: 200
      resubmit_after_ms: 3000
"""


def write_key(workdir, key):
    path = os.path.join(workdir, "tower.key")
    with open(path, "w") as f:
        f.write(key + "\n")
    os.chmod(path, 0o600)
    return path


def start_tower(make_l2watch, workdir, world, mode="on", max_channels=100000):
    tower = channels.account(world, "tower")
    key = write_key(workdir, tower["key"])
    c = world.info["contracts"]
    sha = hashlib.sha256(TOKEN.encode()).hexdigest()
    sha2 = hashlib.sha256(OTHER_TOKEN.encode()).hexdigest()
    web = f"""  clients:
    - name: wallet
      token_sha256: "{sha}"
      max_channels: {max_channels}
    - name: tiny
      token_sha256: "{sha2}"
      max_channels: 1
"""
    extra = f"""signers:
  - name: tower
    key_file: "{key}"
responses:
  rules:
    - kind: stale_channel_close
      mode: {mode}
      signer: tower
channels:
  chain: l1
  receipt_signer: tower
"""
    if "ChannelFactory" in c:
        extra += f"""  vector_channel_factory: "{c['ChannelFactory']}"
  vector_mastercopy: "{c['ChannelMastercopy']}"
"""
    if "NitroAdjudicator" in c:
        extra += f"""  nitro_adjudicator: "{c['NitroAdjudicator']}"
"""
    lw = make_l2watch(extra=extra, web_extra=web, l1_extra=L1_TXMGR).start()
    return lw, tower


def post(lw, body, token=TOKEN, raw=None):
    data = raw if raw is not None else json.dumps(body).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{lw.port}/api/v1/channels/states", data=data, method="POST",
                                 headers={"Content-Type": "application/json"})
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read()), dict(r.headers)
    except urllib.error.HTTPError as e:
        text = e.read()
        return e.code, (json.loads(text) if text else None), dict(e.headers)


def vector_submission(ccs, sigs):
    return {"protocol": "vector", "signatures": list(sigs), "state": {
        "channelAddress": ccs["channel_address"], "alice": ccs["alice"], "bob": ccs["bob"],
        "assetIds": ccs["asset_ids"],
        "balances": [{"amount": [str(a) for a in b["amount"]], "to": b["to"]} for b in ccs["balances"]],
        "processedDepositsA": [str(x) for x in ccs["processed_deposits_a"]],
        "processedDepositsB": [str(x) for x in ccs["processed_deposits_b"]],
        "defundNonces": [str(x) for x in ccs["defund_nonces"]],
        "timeout": str(ccs["timeout"]), "nonce": str(ccs["nonce"]), "merkleRoot": ccs["merkle_root"]}}


def nitro_submission(ch, state, sigs):
    f = ch.fixed_part
    return {"protocol": "nitro",
            "fixedPart": {"chainId": str(f["chain_id"]), "participants": f["participants"],
                          "channelNonce": f["channel_nonce"], "appDefinition": f["app_definition"],
                          "challengeDuration": f["challenge_duration"]},
            "state": {"turnNum": state["turn_num"], "isFinal": state["is_final"], "appData": state["app_data"],
                      "outcome": state["outcome"]},
            "signatures": [s["r"] + s["s"][2:] + format(s["v"], "02x") for s in sigs]}


def findings(lw, kind):
    return [f for f in lw.get_json("/api/v1/findings") if f["kind"] == kind]


def held_rows(database):
    return database.rows("SELECT protocol, encode(channel, 'hex'), version::text FROM channel_states ORDER BY 1, 2")


def check_receipt(receipt, tower_address, submission_hash_expected):
    assert receipt["tower"].lower() == tower_address.lower()
    assert receipt["stateHash"] == submission_hash_expected
    # The signature is personal_sign over the 32-byte receipt hash by the tower key.
    recovered = cast("wallet", "verify", "--address", tower_address, receipt["receiptHash"], receipt["signature"])
    assert "succeeded" in recovered.lower() or "valid" in recovered.lower(), recovered


def test_vector_stale_dispute_is_answered_with_the_newest_state(world, make_l2watch, workdir, database):
    channels.install_channels(world)
    v = channels.open_vector_channel(world, alice_deposit=ETH, bob_deposit=ETH, timeout=3600)
    lw, tower = start_tower(make_l2watch, workdir, world)

    states = {n: v.state(n, alice_amount=ETH + (n - 1) * TENTH, bob_amount=ETH - (n - 1) * TENTH)
              for n in range(2, 6)}
    sigs = {n: v.sign(s) for n, s in states.items()}
    for n in range(2, 6):
        code, body, _ = post(lw, vector_submission(states[n], sigs[n]))
        assert code == 200 and body["accepted"] and body["status"] == ("new" if n == 2 else "newer"), body
        check_receipt(body["receipt"], tower["address"], channels.vector_state_hash(states[n]))
    assert held_rows(database) == [["vector", v.address[2:].lower(), "5"]]

    # Bob, favoured by the old state, disputes with nonce 3.
    bad = v.dispute(states[3], sigs[3], "bob")
    expiry = v.get_dispute()["consensus_expiry"]

    def answered():
        d = v.get_dispute()
        return d["nonce"] == 5 and d

    d = wait_until(answered, timeout=60, what="l2watch's disputeChannel with nonce 5")
    assert d["channel_state_hash"] == channels.vector_state_hash(states[5])
    stale = wait_until(lambda: findings(lw, "stale_channel_close"), timeout=30, what="the finding")
    assert len(stale) == 1
    f = stale[0]
    assert f["severity"] == "critical" and f["chain"] == "l1"
    assert f["evidence"]["onchainVersion"] == "3" and f["evidence"]["heldVersion"] == "5"
    assert f["evidence"]["channel"] == v.address.lower() and f["evidence"]["deadline"] == expiry
    assert f["tx_hash"] == bad["tx"]

    def verified():
        r = lw.get_json(f"/api/v1/findings/{f['id']}")["response"]
        return r and r["status"] == "verified" and r

    resp = wait_until(verified, timeout=60, what="the response to be verified")
    receipt = world.l1("eth_getTransactionReceipt", resp["tx_hash"])
    mined = int(world.l1("eth_getBlockByNumber", receipt["blockNumber"], False)["timestamp"], 16)
    assert mined < expiry
    assert receipt["from"].lower() == tower["address"].lower()
    # The tower's own dispute (nonce 5) is judged current and ends the incident.
    wait_until(lambda: lw.get_json(f"/api/v1/findings/{f['id']}")["status"] == "resolved", timeout=30,
               what="the finding to resolve")
    disputes = lw.get_json("/api/v1/channel-disputes")
    assert sorted(d["verdict"] for d in disputes) == ["current", "stale"]
    assert len(findings(lw, "stale_channel_close")) == 1
    # The dashboard's /channels page: one channel, two disputes, one answered.
    status, page = lw.get("/channels")
    section = page[page.index("<h2>Channels</h2>"):]
    section = section[:section.index("</section>")]
    cells = re.findall(r'<td class="num">(\d+)</td>', section)[:6]
    assert cells == ["1", "2", "1", "1", "0", "0"], cells
    disputes = page[page.index("<h2>Disputes</h2>"):]
    disputes = disputes[:disputes.index("</section>")]
    assert v.address.lower() in disputes and "verified" in disputes
    lw.assert_clean()


def test_nitro_stale_challenge_is_checkpointed_and_a_current_one_raises_nothing(world, make_l2watch, workdir,
                                                                                  database):
    channels.install_channels(world, vector=False)
    stale_ch = channels.open_nitro_channel(world, channel_nonce=1)
    current_ch = channels.open_nitro_channel(world, channel_nonce=2)
    lw, tower = start_tower(make_l2watch, workdir, world)

    states = {n: stale_ch.state(n) for n in range(2, 7)}
    sigs = {n: stale_ch.sign(s) for n, s in states.items()}
    newest = current_ch.state(5)
    newest_sigs = current_ch.sign(newest)
    # One batch, two channels; stale_ch comes five times, out of order. A
    # batch holds the highest version of each channel and answers the lower
    # ones as stale against it.
    turns = [4, 6, 2, 5, 3]
    batch = {"states": [nitro_submission(stale_ch, states[n], sigs[n]) for n in turns] +
             [nitro_submission(current_ch, newest, newest_sigs)]}
    code, body, _ = post(lw, batch)
    assert code == 200 and body["accepted"] == 2 and body["refused"] == 4, body
    results = body["results"]
    assert results[1]["accepted"] and results[1]["status"] == "new", results[1]
    check_receipt(results[1]["receipt"], tower["address"], states[6]["state_hash"])
    for i in (0, 2, 3, 4):
        assert results[i]["code"] == "stale_nonce" and "(version 6)" in results[i]["message"], results[i]
    assert results[5]["accepted"] and results[5]["status"] == "new", results[5]
    held = {row[1]: row[2] for row in held_rows(database)}
    assert held == {stale_ch.channel_id[2:].lower(): "6", current_ch.channel_id[2:].lower(): "5"}, held

    # A challenge with the newest held state: nothing to answer.
    current_ch.challenge(newest, newest_sigs, "alice")
    # Alice challenges the other channel with turn 4.
    ch = stale_ch.challenge(states[4], sigs[4], "alice")
    finalizes = stale_ch.status()["finalizes_at"]
    assert finalizes > ch["timestamp"]

    def checkpointed():
        s = stale_ch.status()
        return s["turn_num_record"] == 6 and s["finalizes_at"] == 0 and s

    wait_until(checkpointed, timeout=60, what="l2watch's checkpoint with turn 6")
    stale = wait_until(lambda: findings(lw, "stale_channel_close"), timeout=30, what="the finding")
    assert len(stale) == 1 and stale[0]["evidence"]["channel"] == stale_ch.channel_id
    assert stale[0]["evidence"]["onchainVersion"] == "4" and stale[0]["evidence"]["heldVersion"] == "6"
    r = wait_until(lambda: (lw.get_json(f"/api/v1/findings/{stale[0]['id']}")["response"] or {}).get("status")
                   == "verified", timeout=60, what="the response to be verified")
    assert r
    disputes = {d["channel"]: d for d in lw.get_json("/api/v1/channel-disputes")}
    assert disputes[current_ch.channel_id]["verdict"] == "current"
    assert disputes[current_ch.channel_id]["finding"] is None
    assert disputes[stale_ch.channel_id]["verdict"] == "stale"
    # Only the stale one was answered on chain; the current challenge still runs.
    assert current_ch.status()["turn_num_record"] == 5 and current_ch.status()["finalizes_at"] > 0
    lw.assert_clean()


def test_intake_refuses_bad_submissions_and_stores_nothing(world, make_l2watch, workdir, database):
    channels.install_channels(world)
    v = channels.open_vector_channel(world)
    n = channels.open_nitro_channel(world, channel_nonce=7)
    lw, tower = start_tower(make_l2watch, workdir, world)

    s5 = v.state(5)
    good = vector_submission(s5, v.sign(s5))
    code, body, _ = post(lw, good)
    assert code == 200 and body["status"] == "new"
    first_receipt = body["receipt"]
    baseline = held_rows(database)

    def refused(submission, want_http, want_code, **kw):
        code, body, headers = post(lw, submission, **kw)
        assert code == want_http, (code, body)
        assert body["code"] == want_code, body
        assert held_rows(database) == baseline
        return body, headers

    # An identical resubmission: accepted again, same receipt, nothing changes.
    code, body, _ = post(lw, good)
    assert code == 200 and body["status"] == "duplicate" and body["receipt"] == first_receipt

    # Bad signatures, as the contract would refuse them: alice's malleable
    # high-s twin (OpenZeppelin ECDSA refuses it), and a v of 29.
    sig_a, sig_b = v.sign(v.state(6))
    r, s_, v_ = sig_a[2:66], int(sig_a[66:130], 16), int(sig_a[130:], 16)
    twin = "0x" + r + format(SECP256K1_N - s_, "064x") + format(55 - v_, "02x")
    body, _ = refused(vector_submission(v.state(6), (twin, sig_b)), 422, "bad_signature")
    assert "alice" in body["message"]
    refused(vector_submission(v.state(6), (sig_a[:130] + "1d", sig_b)), 422, "bad_signature")
    # A signer who is not a participant: the tower signs in bob's place.
    outsider = v.sign(v.state(6), signers=("alice", "tower"))
    body, _ = refused(vector_submission(v.state(6), outsider), 422, "not_participant")
    assert tower["address"].lower() in body["message"].lower()
    # An older nonce than the one held.
    s4 = v.state(4)
    body, _ = refused(vector_submission(s4, v.sign(s4)), 409, "stale_nonce")
    # A channel the factory never made: another address, correctly signed.
    alien = dict(v.state(6), channel_address="0x" + "11" * 20)
    body, _ = refused(vector_submission(alien, v.sign(alien)), 422, "unknown_channel")
    # Nitro on another chain id.
    st = n.state(3)
    sub = nitro_submission(n, st, n.sign(st))
    sub["fixedPart"]["chainId"] = "1"
    refused(sub, 422, "unknown_channel")
    # A body over the cap: with its Content-Length, refused from the headers
    # before a byte of it is sent; streamed in chunks, refused once past the cap.
    conn = http.client.HTTPConnection("127.0.0.1", lw.port, timeout=30)
    conn.putrequest("POST", "/api/v1/channels/states")
    conn.putheader("Authorization", f"Bearer {TOKEN}")
    conn.putheader("Content-Length", str(5 * 1024 * 1024))
    conn.endheaders()
    r = conn.getresponse()
    assert r.status == 413 and json.loads(r.read())["code"] == "body_too_large"
    conn.close()
    conn = http.client.HTTPConnection("127.0.0.1", lw.port, timeout=60)
    chunks = (b"x" * 65536 for _ in range(80))  # 5 MiB
    conn.request("POST", "/api/v1/channels/states", body=chunks, encode_chunked=True,
                  headers={"Authorization": f"Bearer {TOKEN}", "Transfer-Encoding": "chunked"})
    r = conn.getresponse()
    assert r.status == 413 and json.loads(r.read())["code"] == "body_too_large"
    conn.close()
    assert held_rows(database) == baseline
    # Malformed JSON, and JSON that is not a submission.
    body, _ = refused(None, 400, "malformed_json", raw=b'{"protocol": "vector", ')
    assert "line" in body["message"]
    body, _ = refused({"protocol": "vector", "state": {}, "signatures": []}, 400, "malformed_json")
    assert "state." in body["message"]
    # No token, an unknown token.
    code, body, headers = post(lw, good, token=None)
    assert code == 401 and body["code"] == "unauthorized" and "Bearer" in headers.get("WWW-Authenticate", "")
    code, body, _ = post(lw, good, token="not-a-client")
    assert code == 401
    # A client over its channel quota: nothing stored for it.
    st = n.state(3)
    assert post(lw, nitro_submission(n, st, n.sign(st)), token=OTHER_TOKEN)[0] == 200
    baseline = held_rows(database)
    s6 = v.state(6)
    code, body, _ = post(lw, vector_submission(s6, v.sign(s6)), token=OTHER_TOKEN)
    assert code == 200  # an existing channel: an update, not a new one
    baseline = held_rows(database)
    n2 = channels.NitroChannel(world, dict(n.info, channel_nonce=8,
                                           channel_id=channels.nitro_channel_id(n.info["chain_id"],
                                                                                n.participants, 8)))
    st2 = n2.state(1)
    refused(nitro_submission(n2, st2, n2.sign(st2)), 403, "channel_quota_exceeded", token=OTHER_TOKEN)
    # A batch mixes results item by item; the refused ones store nothing.
    s7 = v.state(7)
    code, body, _ = post(lw, {"states": [vector_submission(s7, v.sign(s7)), vector_submission(s4, v.sign(s4))]})
    assert code == 200 and body["accepted"] == 1 and body["refused"] == 1
    assert body["results"][1]["code"] == "stale_nonce"
    assert [r for r in held_rows(database) if r[0] == "vector"] == [["vector", v.address[2:].lower(), "7"]]
    lw.assert_clean()


def test_concurrent_batches_keep_the_newest_state_and_count_each_channel_once(world, make_l2watch, workdir,
                                                                              database):
    """Two connections post overlapping batches at once (the same channels,
    in opposite orders, the same and different turns) while a third posts
    single states; then the quota is tight and a batch of new channels
    overflows it. Every request is answered 200, with nothing refused but as
    stale or duplicate; each channel ends at its highest turn, and the
    client's channel counter counts each channel once."""
    import threading

    channels.install_channels(world, vector=False)
    lw, _ = start_tower(make_l2watch, workdir, world)
    template = channels.open_nitro_channel(world, alice_deposit=0, bob_deposit=0, channel_nonce=500).info

    def offchain(nonce):
        return channels.NitroChannel(world, dict(template, channel_nonce=nonce, channel_id=channels.nitro_channel_id(
            template["chain_id"], template["participants"], nonce)))

    chans = [offchain(1000 + i) for i in range(12)]
    subs = {}
    for i, ch in enumerate(chans):
        for turn in (2, 3, 4):
            st = ch.state(turn)
            subs[i, turn] = nitro_submission(ch, st, ch.sign(st))
    answers, lock = [], threading.Lock()

    def send(bodies):
        for body in bodies:
            code, doc, _ = post(lw, body)
            with lock:
                answers.append((code, doc))

    order = list(range(len(chans)))
    a = [{"states": [subs[i, t] for i in order]} for t in (2, 3, 4, 4)]
    b = [{"states": [subs[i, t] for i in reversed(order)]} for t in (3, 2, 4, 3)]
    singles = [subs[i, t] for t in (4, 2) for i in order[::3]]
    threads = [threading.Thread(target=send, args=(x,)) for x in (a, b, singles)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(answers) == len(a) + len(b) + len(singles)
    for code, doc in answers:
        assert code in (200, 409), doc
        results = doc["results"] if "results" in doc else [doc]
        for r in results:
            assert r["accepted"] or r["code"] == "stale_nonce", r
    held = {row[1]: row[2] for row in held_rows(database)}
    for ch in chans:
        assert held[ch.channel_id[2:].lower()] == "4", held
    assert database.rows("SELECT channels FROM channel_clients WHERE client = 'wallet'") == [[str(len(chans))]]

    # Room for two more: a batch of four new channels holds the first two in
    # channel order and refuses the others, which store nothing.
    lw.stop()
    lw, _ = start_tower(make_l2watch, workdir, world, max_channels=len(chans) + 2)
    extra = [offchain(2000 + i) for i in range(4)]
    firsts = []
    for ch in extra:
        st = ch.state(2)
        firsts.append(nitro_submission(ch, st, ch.sign(st)))
    code, doc, _ = post(lw, {"states": firsts})
    assert code == 200 and doc["accepted"] == 2 and doc["refused"] == 2, doc
    by_id = sorted(extra, key=lambda ch: bytes.fromhex(ch.channel_id[2:]))
    admitted = {ch.channel_id for ch in by_id[:2]}
    for ch, r in zip(extra, doc["results"]):
        if ch.channel_id in admitted:
            assert r["accepted"] and r["status"] == "new", r
        else:
            assert r["code"] == "channel_quota_exceeded", r
    held = {row[1] for row in held_rows(database)}
    assert {ch.channel_id[2:].lower() for ch in extra} & held == {c[2:].lower() for c in admitted}
    assert database.rows("SELECT channels FROM channel_clients WHERE client = 'wallet'") == [[str(len(chans) + 2)]]
    lw.assert_clean()


def test_unanswered_stale_close_near_its_deadline_raises_window_closing(world, make_l2watch, workdir):
    """In dry-run nothing is sent: with a 10-minute challenge window and the
    default 15-minute warning, the stale close is at once also an
    unanswered one, and channel_window_closing says so."""
    channels.install_channels(world, vector=False)
    ch = channels.open_nitro_channel(world, channel_nonce=3, challenge_duration=600)
    lw, _ = start_tower(make_l2watch, workdir, world, mode="dry-run")
    states = {n: ch.state(n) for n in (2, 5)}
    sigs = {n: ch.sign(s) for n, s in states.items()}
    assert post(lw, nitro_submission(ch, states[5], sigs[5]))[0] == 200
    ch.challenge(states[2], sigs[2], "bob")
    closing = wait_until(lambda: findings(lw, "channel_window_closing"), timeout=30, what="the window warning")
    assert len(closing) == 1
    w = closing[0]
    stale = findings(lw, "stale_channel_close")
    assert len(stale) == 1 and w["evidence"]["staleFinding"] == stale[0]["id"]
    assert w["severity"] == "critical" and 0 < w["evidence"]["secondsLeft"] <= 600
    assert w["evidence"]["response"] in ("planned", "dry_run")  # never sent
    assert "UNANSWERED" in w["title"]
    # Nothing was sent: the challenge still stands at turn 2.
    assert ch.status()["turn_num_record"] == 2
    lw.assert_clean()
