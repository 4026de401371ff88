"""The liveness guard end to end on a real anvil L2 whose blocks the test
mines itself (automine off, `evm_mine`): l2watch polls the L2's head, and
each new head is an event of the series (op-local, l2_head).

- Blocks about every second, with jitter: nothing is raised. When they stop,
  one liveness_gap (medium) is raised within the band the tower computed,
  with one `raised` alert; when they resume it is resolved once, with the
  recovery note; a long run of jittered blocks after it raises nothing.
- With a small max_interval_s and a longer stop, the medium finding becomes
  high once, with one `escalated` alert.
- l2watch restarted during an open gap raises it no second time, and the
  recovery still resolves it.

The jitter comes from a seeded generator; the seed is printed (set
L2W_LIVENESS_SEED to replay a run)."""
import json
import os
import random
import re
import time

import pytest

from l2wtest import wait_until

CHAIN = "op-local"
SUBJECT = f"liveness:{CHAIN}:l2_head"
JITTER = (0.7, 1.3)
# One look of the guard is at most a second; event times are whole seconds
# (the gap is counted from the second the head was seen to advance); the
# head is polled every poll_interval_ms (200 ms here) and the last block's
# time in the test is taken after evm_mine returned.
CHECK_INTERVAL_S = 1.0
SECOND_RESOLUTION_S = 1.0
POLL_SLACK_S = 1.0


@pytest.fixture
def rng():
    seed = int(os.environ.get("L2W_LIVENESS_SEED", str(time.time_ns() % 1_000_000_007)))
    print(f"liveness jitter seed: {seed} (L2W_LIVENESS_SEED={seed} replays it)")
    return random.Random(seed)


@pytest.fixture
def l2(world):
    """The world's L2 with automine off: only the test's evm_mine makes blocks."""
    world.l2("evm_setAutomine", False)
    return world


def liveness_yaml(max_interval_s, min_gap_s=5, min_samples=8, z_threshold=5):
    return f"""liveness:
  - chain: {CHAIN}
    kind: l2_head
    max_interval_s: {max_interval_s}
    min_gap_s: {min_gap_s}
    min_samples: {min_samples}
    z_threshold: {z_threshold}
"""


class Miner:
    """Mines L2 blocks with jittered spacing; remembers when the last one was
    mined (wall clock, right after evm_mine answered)."""

    def __init__(self, world, rng):
        self.world = world
        self.rng = rng
        self.last = None
        self.mined = 0

    def block(self):
        self.world.l2("evm_mine")
        self.last = time.time()
        self.mined += 1

    def run(self, n):
        for _ in range(n):
            time.sleep(self.rng.uniform(*JITTER))
            self.block()


def metric(lw, name):
    text = lw.get("/metrics")[1]
    m = re.search(rf'^{name}{{chain="{CHAIN}",kind="l2_head"}} (\S+)$', text, re.M)
    return float(m.group(1)) if m else None


def warm_up(lw, miner, max_interval_s, at_least=12, at_most=40):
    """Mines until the series has min_samples intervals (the band's high
    edge falls below max_interval_s), and a few more."""
    miner.run(at_least)
    for _ in range(at_most - at_least):
        high = metric(lw, "l2watch_liveness_band_high_seconds")
        if high is not None and high == high and high < max_interval_s:
            break
        miner.run(1)
    else:
        raise AssertionError("the series never reached min_samples intervals")
    miner.run(2)


def gap_findings(database):
    rows = database.rows("SELECT id, severity, status, dedup_key, subject, evidence::text, "
                         "extract(epoch from detected_at)::float8 FROM findings WHERE kind = 'liveness_gap' "
                         "ORDER BY id")
    return [{"id": int(r[0]), "severity": r[1], "status": r[2], "dedup_key": r[3], "subject": r[4],
             "evidence": json.loads(r[5]), "detected_at": float(r[6])} for r in rows]


def outbox(database):
    """(sink, event) -> rows queued, for the liveness findings."""
    rows = database.rows("SELECT o.sink, o.event, count(*) FROM alert_outbox o JOIN findings f ON f.id = o.finding_id "
                         "WHERE f.kind = 'liveness_gap' GROUP BY o.sink, o.event")
    return {(r[0], r[1]): int(r[2]) for r in rows}


def delivered(webhook, event):
    return [a for a in webhook.delivered() if a["kind"] == "liveness_gap" and a["event"] == event]


def band_high(ev):
    """The gap at which the alert starts, from the finding's own figures
    (detectors/liveness.h, l2w_liveness_band_get)."""
    high = max(ev["mean_s"] + ev["z_threshold"] * ev["stddev_s"], ev["min_gap_s"])
    return min(high, ev["max_interval_s"])


def assert_no_other_findings(database):
    assert database.rows("SELECT kind, title FROM findings WHERE kind <> 'liveness_gap'") == []


def test_gap_raised_within_the_band_and_resolved_once(l2, database, webhook, make_l2watch, rng):
    lw = make_l2watch(extra=liveness_yaml(max_interval_s=30)).start()
    miner = Miner(l2, rng)
    warm_up(lw, miner, 30)
    assert gap_findings(database) == [], "regular blocks raised a gap"
    time.sleep(0.6)  # the last head seen (polled every 200 ms) and its interval in the band
    high_before = metric(lw, "l2watch_liveness_band_high_seconds")
    mean_before = metric(lw, "l2watch_liveness_mean_interval_seconds")
    assert 5 <= high_before < 30 and 0.9 <= mean_before <= 2.0, (high_before, mean_before)

    # The blocks stop.
    stopped_at = miner.last
    rows = wait_until(lambda: gap_findings(database), 30, what="liveness_gap raised")
    f = rows[0]
    ev = f["evidence"]
    high = band_high(ev)
    late = f["detected_at"] - stopped_at
    bound = high + CHECK_INTERVAL_S + SECOND_RESOLUTION_S + POLL_SLACK_S
    assert high - SECOND_RESOLUTION_S <= late <= bound, f"raised {late:.2f} s after the last block; band high {high}"
    assert abs(high - high_before) < 1e-6, (high, high_before)
    assert f["severity"] == "medium" and f["status"] == "open" and f["subject"] == SUBJECT
    assert ev["kind"] == "l2_head" and ev["rule"] == "statistical"
    assert ev["samples"] >= 8 and ev["min_samples"] == 8 and ev["max_interval_s"] == 30 and ev["z"] >= 5
    assert stopped_at - 1 <= ev["last_event_ts"] <= stopped_at + 1
    assert f["dedup_key"] == f"liveness_gap:{CHAIN}:l2_head:{ev['last_event_ts']}:medium"
    wait_until(lambda: delivered(webhook, "raised"), 30, what="the raised alert delivered")
    time.sleep(3)  # the gap goes on: nothing more is raised or sent
    assert len(gap_findings(database)) == 1
    assert outbox(database) == {("test", "raised"): 1}
    raised = delivered(webhook, "raised")
    assert len(raised) == 1 and raised[0]["id"] == f["id"] and raised[0]["severity"] == "medium"
    assert metric(lw, "l2watch_liveness_seconds_since_last_event") >= high
    assert metric(lw, "l2watch_liveness_gaps_total") == 1

    # The blocks resume.
    gap_s = None
    miner.block()
    done = wait_until(lambda: [r for r in gap_findings(database) if r["status"] == "resolved"], 30,
                      what="the gap resolved")
    note = done[0]["evidence"]["resolved_note"]
    m = re.fullmatch(r"L2 blocks resumed after a (\d+) s gap \(.*\) following the event at unix (\d+)", note)
    assert m, note
    gap_s = int(m.group(1))
    assert int(m.group(2)) == ev["last_event_ts"]
    assert ev["gap_s"] <= gap_s <= miner.last - ev["last_event_ts"] + 1
    wait_until(lambda: delivered(webhook, "resolved"), 30, what="the resolved alert delivered")

    # A long run of jittered blocks after it: nothing more.
    miner.run(30)
    time.sleep(1.5)
    assert [(r["id"], r["status"], r["severity"]) for r in gap_findings(database)] == [(f["id"], "resolved", "medium")]
    assert outbox(database) == {("test", "raised"): 1, ("test", "resolved"): 1}
    assert [a["event"] for a in webhook.delivered() if a["kind"] == "liveness_gap"] == ["raised", "resolved"]
    assert metric(lw, "l2watch_liveness_gaps_total") == 1
    assert metric(lw, "l2watch_liveness_seconds_since_last_event") <= 4
    assert_no_other_findings(database)
    lw.stop()


def test_gap_past_max_interval_escalates_once(l2, database, webhook, make_l2watch, rng):
    # z 3 and min_gap_s 5: the statistical rule opens the gap at 5 s, medium;
    # past max_interval_s (8 s) it becomes high.
    lw = make_l2watch(extra=liveness_yaml(max_interval_s=8, min_gap_s=5, z_threshold=3)).start()
    miner = Miner(l2, rng)
    warm_up(lw, miner, 8)
    assert gap_findings(database) == []
    stopped_at = miner.last

    rows = wait_until(lambda: [r for r in gap_findings(database) if r["severity"] == "high"], 30,
                      what="the gap escalated")
    time.sleep(4)  # longer still: no second escalation
    rows = gap_findings(database)
    assert len(rows) == 1, rows
    f = rows[0]
    ev = f["evidence"]
    assert f["severity"] == "high" and f["status"] == "open"
    assert f["dedup_key"].endswith(":medium"), "the escalated finding is the medium one, not a second"
    assert ev["escalated_from"] == "medium"
    assert ev["rule"] in ("max_interval", "statistical+max_interval") and ev["gap_s"] > 8
    assert f["detected_at"] - stopped_at <= 5 + CHECK_INTERVAL_S + SECOND_RESOLUTION_S + POLL_SLACK_S
    wait_until(lambda: delivered(webhook, "escalated"), 30, what="the escalated alert delivered")
    assert outbox(database) == {("test", "raised"): 1, ("test", "escalated"): 1}
    raised, escalated = delivered(webhook, "raised"), delivered(webhook, "escalated")
    assert len(raised) == 1 and raised[0]["severity"] == "medium"
    assert len(escalated) == 1 and escalated[0]["severity"] == "high" and escalated[0]["id"] == f["id"]
    assert escalated[0]["evidence"]["escalated_from"] == "medium"

    miner.run(2)
    done = wait_until(lambda: [r for r in gap_findings(database) if r["status"] == "resolved"], 30,
                      what="the gap resolved")
    assert done[0]["severity"] == "high"
    assert done[0]["evidence"]["resolved_note"].startswith("L2 blocks resumed after a ")
    wait_until(lambda: delivered(webhook, "resolved"), 30, what="the resolved alert delivered")
    assert outbox(database) == {("test", "raised"): 1, ("test", "escalated"): 1, ("test", "resolved"): 1}
    assert len(gap_findings(database)) == 1
    assert_no_other_findings(database)
    lw.stop()


def test_restart_during_an_open_gap_raises_it_once(l2, database, webhook, make_l2watch, rng):
    lw = make_l2watch(extra=liveness_yaml(max_interval_s=30)).start()
    miner = Miner(l2, rng)
    warm_up(lw, miner, 30)
    rows = wait_until(lambda: gap_findings(database), 30, what="liveness_gap raised")
    first = rows[0]
    assert first["severity"] == "medium"
    wait_until(lambda: delivered(webhook, "raised"), 30, what="the raised alert delivered")
    lw.stop()

    # The gap goes on while l2watch is down and after it is back.
    lw.start()
    wait_until(lambda: "this replica now judges 1 liveness series" in lw.output(), 30, what="the guard leading")
    wait_until(lambda: (metric(lw, "l2watch_liveness_seconds_since_last_event") or 0) > first["evidence"]["gap_s"],
               30, what="the rebuilt tracker judging the open gap")
    time.sleep(2)
    rows = gap_findings(database)
    assert [(r["id"], r["status"], r["dedup_key"]) for r in rows] == [(first["id"], "open", first["dedup_key"])]
    assert outbox(database) == {("test", "raised"): 1}
    # This process saw the gap open again and folded it into the open finding.
    assert metric(lw, "l2watch_liveness_gaps_total") == 0

    miner.run(3)
    done = wait_until(lambda: [r for r in gap_findings(database) if r["status"] == "resolved"], 30,
                      what="the gap resolved after the restart")
    note = done[0]["evidence"]["resolved_note"]
    assert note.endswith(f"following the event at unix {first['evidence']['last_event_ts']}"), note
    wait_until(lambda: delivered(webhook, "resolved"), 30, what="the resolved alert delivered")
    time.sleep(1)
    assert outbox(database) == {("test", "raised"): 1, ("test", "resolved"): 1}
    assert [a["event"] for a in webhook.delivered() if a["kind"] == "liveness_gap"] == ["raised", "resolved"]
    assert len(gap_findings(database)) == 1
    assert_no_other_findings(database)
    lw.stop()
