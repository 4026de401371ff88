"""Alert delivery guarantees against a real PostgreSQL and real HTTP
receivers: the generic webhook's HMAC signature, a sink that is down for a
minute, a crash (kill -9) in the middle of delivery, order per finding,
dead letters, routes and silences."""
import hashlib
import hmac
import json
import os
import time

from test_web_alerts import insert_finding
from webalerts_util import Receiver, dbtool, metric, parse_prometheus, wait_until

SECRET = "a shared secret the receiver also holds"


def write_secret(tmp_path, text=SECRET, name="hmac.key"):
    path = tmp_path / name
    path.write_text(text + "\n")
    os.chmod(path, 0o600)
    return str(path)


def verify(headers, body, secret=SECRET, max_skew_s=300):
    """What a receiver does: recompute the HMAC over "<timestamp>.<body>" and
    refuse a stale timestamp (a replay)."""
    ts = headers.get("X-L2watch-Timestamp", "")
    sig = headers.get("X-L2watch-Signature", "")
    if not ts.isdigit() or abs(time.time() - int(ts)) > max_skew_s or not sig.startswith("v1="):
        return False
    want = hmac.new(secret.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(want, sig[3:])


def keys(requests):
    return [r["headers"]["Idempotency-Key"] for r in requests]


def test_webhook_body_is_signed_and_tampering_is_detected(migrated, receivers, webalerts, tmp_path):
    hook = receivers()
    unsigned = receivers()
    w = webalerts(migrated.url, [("signed", hook.url, 2000, write_secret(tmp_path)), ("plain", unsigned.url, 2000)])
    fid = insert_finding(migrated)
    dbtool("enqueue", w.config_path, str(fid), "raised")
    wait_until(lambda: hook.accepted() and unsigned.accepted(), 30, what="both sinks to receive the alert")
    r = hook.accepted()[0]
    assert json.loads(r["body"])["id"] == fid
    assert verify(r["headers"], r["body"])
    # One changed byte, or another key, or an old timestamp: refused.
    assert not verify(r["headers"], r["body"].replace(b'"critical"', b'"low"'))
    assert not verify(r["headers"], r["body"], secret="another secret")
    old = dict(r["headers"].items())
    old["X-L2watch-Timestamp"] = str(int(old["X-L2watch-Timestamp"]) - 3600)
    assert not verify(old, r["body"])
    # A sink without a secret gets no signature headers.
    assert "X-L2watch-Signature" not in unsigned.accepted()[0]["headers"]


def test_a_secret_file_others_can_read_stops_the_start(migrated, tmp_path):
    from webalerts_util import WEBALERTS, write_config
    import subprocess
    path = write_secret(tmp_path)
    os.chmod(path, 0o644)
    cfg = write_config(str(tmp_path / "c.yaml"), migrated.url, [("signed", "http://127.0.0.1:9/h", 1000, path)])
    out = subprocess.run([WEBALERTS, cfg], capture_output=True, text=True, timeout=30)
    assert out.returncode != 0
    assert f"secret_file of sink signed {path} has mode 0644" in out.stderr


def test_sink_down_for_a_minute_then_back_gets_everything_in_order_once(migrated, receivers, webalerts):
    hook = receivers()
    port_url = hook.url
    hook.close()  # down: connections are refused
    w = webalerts(migrated.url, [("ops", port_url, 1000)], max_backoff_ms=4000)
    ids = [insert_finding(migrated, key=f"down{i}", title=f"finding {i}") for i in range(3)]
    want = []
    for fid in ids:
        for event in ("raised", "escalated", "resolved"):
            dbtool("enqueue", w.config_path, str(fid), event)
            want.append(f"{fid}-{event}-ops")
    time.sleep(60)
    failed = migrated.rows("SELECT count(*) FROM alert_outbox WHERE attempts > 0 AND delivered_at IS NULL")
    assert int(failed[0][0]) >= 3, "the worker did not keep trying while the sink was down"
    back = Receiver(port=int(port_url.split(":")[2].split("/")[0]))
    try:
        wait_until(lambda: len(back.accepted()) >= len(want), 60, what="every alert after the sink came back")
        time.sleep(2)  # a duplicate would arrive here
        got = keys(back.accepted())
        assert sorted(got) == sorted(want), got  # every alert, none twice
        for fid in ids:  # in order per finding
            mine = [k for k in got if k.startswith(f"{fid}-")]
            assert mine == [f"{fid}-raised-ops", f"{fid}-escalated-ops", f"{fid}-resolved-ops"], mine
    finally:
        back.close()


def test_kill_9_during_delivery_loses_nothing(migrated, receivers, webalerts):
    hook = receivers(delay=0.3)
    w = webalerts(migrated.url, [("ops", hook.url, 5000)], max_backoff_ms=2000)
    ids = [insert_finding(migrated, key=f"kill{i}", title=f"finding {i}") for i in range(12)]
    for fid in ids:
        dbtool("enqueue", w.config_path, str(fid), "raised")
    wait_until(lambda: len(hook.snapshot()) >= 4, 30, what="delivery to be under way")
    w.kill()
    before = len(hook.accepted())
    assert before < len(ids), "everything was delivered before the kill: the test proves nothing"
    w2 = webalerts(migrated.url, [("ops", hook.url, 5000)], max_backoff_ms=2000, name="after-kill")
    want = {f"{fid}-raised-ops" for fid in ids}
    wait_until(lambda: want <= set(keys(hook.accepted())), 60, what="every alert after the restart")
    time.sleep(1)
    got = keys(hook.accepted())
    # At least once: only the request in flight at the kill may come twice,
    # with the same Idempotency-Key, so a receiver that keeps keys sees it once.
    extra = len(got) - len(set(got))
    assert extra <= 1, got
    assert migrated.rows("SELECT count(*) FROM alert_outbox WHERE delivered_at IS NULL") == [["0"]]
    w2.stop()


def test_dead_letter_after_max_attempts(migrated, receivers, webalerts):
    hook = receivers([("status", 500)] * 100)
    w = webalerts(migrated.url, [("ops", hook.url, 1000)], max_backoff_ms=200, alerts_extra="  max_attempts: 3")
    fid = insert_finding(migrated)
    dbtool("enqueue", w.config_path, str(fid), "raised")
    dbtool("enqueue", w.config_path, str(fid), "resolved")
    wait_until(lambda: migrated.rows("SELECT count(*) FROM alert_outbox WHERE dead_at IS NOT NULL") == [["2"]], 30,
               what="both alerts to be dead-lettered")
    rows = migrated.rows("SELECT event, attempts, last_error FROM alert_outbox ORDER BY id")
    assert rows == [["raised", "3", "HTTP 500"], ["resolved", "3", "HTTP 500"]]
    time.sleep(1)
    assert len(hook.snapshot()) == 6  # three each, then nothing more
    samples = parse_prometheus(w.get("/metrics")[2])[1]
    assert metric(samples, "l2watch_alerts_dead_total", sink="ops") == 2
    assert metric(samples, "l2watch_alerts_pending") == 0


def test_routes_pick_sinks_and_silences_record_without_sending(migrated, receivers, webalerts):
    pager, chat = receivers(), receivers()
    routes = """  routes:
    - sinks: [pager]
      min_severity: high
    - sinks: [chat]
      kinds: [invalid_output_root]
      chains: [l1]"""
    w = webalerts(migrated.url, [("pager", pager.url, 2000), ("chat", chat.url, 2000)], alerts_extra=routes)
    crit = insert_finding(migrated, key="crit", severity="critical")
    low = insert_finding(migrated, key="low", severity="low")
    migrated.rows("UPDATE findings SET chain = 'l1' WHERE id = " + str(low))
    dbtool("enqueue", w.config_path, str(crit), "raised")
    dbtool("enqueue", w.config_path, str(low), "raised")
    sinks = migrated.rows("SELECT finding_id, sink FROM alert_outbox ORDER BY finding_id, sink")
    # critical on op-local: the pager route only; low on l1: the chat route only
    assert sinks == [[str(crit), "pager"], [str(low), "chat"]]
    wait_until(lambda: pager.accepted() and chat.accepted(), 30, what="both routed alerts")

    migrated.rows("INSERT INTO alert_silences (kind, chain, author, reason, expires_at) VALUES "
                  "('invalid_output_root', 'op-local', 'ops@example', 'known incident', now() + interval '1 hour')")
    silenced = insert_finding(migrated, key="silenced", severity="critical")
    dbtool("enqueue", w.config_path, str(silenced), "raised")
    rows = migrated.rows(f"SELECT sink, silence_id IS NOT NULL FROM alert_outbox WHERE finding_id = {silenced}")
    assert rows == [["pager", "t"]]
    time.sleep(1.5)
    assert len(pager.snapshot()) == 1  # recorded, not sent


def test_open_findings_are_repeated_until_they_close(migrated, receivers, webalerts):
    hook = receivers()
    routes = """  routes:
    - sinks: [ops]
      repeat_interval_s: 2"""
    w = webalerts(migrated.url, [("ops", hook.url, 2000)], alerts_extra=routes)
    fid = insert_finding(migrated)
    dbtool("enqueue", w.config_path, str(fid), "raised")
    wait_until(lambda: f"{fid}-repeat-ops-2" in keys(hook.accepted()), 30, what="two reminders")
    got = keys(hook.accepted())
    assert got[:3] == [f"{fid}-raised-ops", f"{fid}-repeat-ops-1", f"{fid}-repeat-ops-2"], got
    gaps = [b["time"] - a["time"] for a, b in zip(hook.accepted(), hook.accepted()[1:3])]
    assert all(g >= 1.9 for g in gaps), gaps  # not before the interval
    assert json.loads(hook.accepted()[1]["body"])["event"] == "repeat"
    migrated.rows(f"UPDATE findings SET status = 'resolved' WHERE id = {fid}")
    dbtool("enqueue", w.config_path, str(fid), "resolved")
    wait_until(lambda: f"{fid}-resolved-ops" in keys(hook.accepted()), 30, what="the resolved notice")
    n = len(hook.accepted())
    time.sleep(6)  # three intervals: a closed finding is not repeated
    assert len(hook.accepted()) == n


def test_rate_limit_per_sink(migrated, receivers, webalerts):
    hook = receivers()
    sinks = f"""  sinks:
    - name: ops
      kind: webhook
      url: "{hook.url}"
      timeout_ms: 2000
      rate_per_minute: 6"""
    w = webalerts(migrated.url, [], alerts_extra=sinks)
    ids = [insert_finding(migrated, key=f"rate{i}", title=f"finding {i}") for i in range(8)]
    for fid in ids:
        dbtool("enqueue", w.config_path, str(fid), "raised")
    wait_until(lambda: len(hook.accepted()) >= 6, 10, what="a minute's worth at once")
    time.sleep(3)
    assert len(hook.accepted()) == 6  # then one every 10 s
    wait_until(lambda: len(hook.accepted()) >= 7, 15, what="the next token")
    t = [r["time"] for r in hook.accepted()]
    assert t[6] - t[5] >= 5, t


def test_a_burst_to_a_chat_sink_is_one_message(migrated, receivers, webalerts):
    slack = receivers()
    sinks = f"""  group_window_s: 3
  sinks:
    - name: chat
      kind: slack
      url: "{slack.url}"
      timeout_ms: 2000"""
    w = webalerts(migrated.url, [], alerts_extra=sinks)
    first = insert_finding(migrated, key="burst0", title="finding 0")
    dbtool("enqueue", w.config_path, str(first), "raised")
    wait_until(lambda: slack.accepted(), 10, what="the first of the burst, at once")
    rest = [insert_finding(migrated, key=f"burst{i}", title=f"finding {i}") for i in range(1, 5)]
    for fid in rest:
        dbtool("enqueue", w.config_path, str(fid), "raised")
    time.sleep(1)
    assert len(slack.snapshot()) == 1  # held for the window
    wait_until(lambda: len(slack.accepted()) == 2, 10, what="the rest of the burst as one message")
    time.sleep(1)
    assert len(slack.snapshot()) == 2
    grouped = json.loads(slack.accepted()[1]["body"])
    text = json.dumps(grouped)
    assert "4 invalid_output_root findings on op-local" in text, text[:400]
    for i in range(1, 5):
        assert f"finding {i}" in text
    rows = migrated.rows("SELECT count(*), count(DISTINCT coalesce(sent_with, id)) FROM alert_outbox "
                         "WHERE delivered_at IS NOT NULL")
    assert rows == [["5", "2"]]
