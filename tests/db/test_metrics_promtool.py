"""The Prometheus side of l2watch, checked with Prometheus's own promtool
(Debian package prometheus):

- a live /metrics, served by the real daemon following a local anvil world
  into a real PostgreSQL after a wrong output root was found, answered
  on-chain and alerted (one delivery failing first), passes
  `promtool check metrics` with no lint warning, and its histograms hold
  the samples that scenario must have produced;
- l2watch_detection_latency_seconds is observed once for the finding, from
  the proposal's L1 block to the finding, and l2watch_response_latency_seconds
  from the finding to its transaction confirmed;
- deploy/prometheus/l2watch-rules.yml passes `promtool check rules` and its
  unit tests (`promtool test rules`), each rule shown firing and silent;
- every expression of deploy/grafana/l2watch.json is valid PromQL naming only
  metric families the live /metrics exposes (histograms through their
  _bucket, _sum and _count series), and so do the rules' expressions."""
import glob
import http.client
import json
import os
import re
import subprocess
import time

import pytest
import yaml

from l2wtest import BUILD_DIR, REPO, Database, L2Watch, Webhook, wait_until
from tests.e2e.conftest import write_config
from tests.world.world import World
from webalerts_util import parse_prometheus
from webalerts_util import write_config as write_webalerts_config

RULES = os.path.join(REPO, "deploy", "prometheus", "l2watch-rules.yml")
RULES_TEST = os.path.join(REPO, "deploy", "prometheus", "l2watch-rules.test.yml")
DASHBOARD = os.path.join(REPO, "deploy", "grafana", "l2watch.json")

# Series a rule may name that l2watch does not export: Prometheus's own.
PROMETHEUS_SERIES = {"up"}

HEX_VALUE = re.compile(r"0x[0-9a-fA-F]{40}|[0-9a-fA-F]{64}")

# The responder answers invalid_output_root on-chain; a liveness series
# (proposals, too few for its statistics) adds the liveness families.
EXTRA_YAML = """signers:
  - name: challenger
    key_file: "{key}"
responses:
  rules:
    - kind: invalid_output_root
      mode: "on"
      signer: challenger
liveness:
  - chain: op-local
    kind: proposals
    max_interval_s: 3600
"""
L1_TXMGR = """    txmgr:
      confirmations: 1
      receipt_poll_ms: 200
      resubmit_after_ms: 3000
"""


def promtool(*args, stdin=None, cwd=None):
    return subprocess.run(["promtool", *args], input=stdin, capture_output=True, text=True, timeout=120, cwd=cwd)


def http_get(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        return r.status, r.read().decode()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def live(request, tmp_path_factory):
    """The daemon after one wrong output root, its response and its alerts:
    {"metrics": the /metrics text, "bad": the wrong proposal, "db": the
    database, "alerts": the webhook's requests}."""
    url = os.environ.get("L2W_TEST_DATABASE_URL") or request.getfixturevalue("pg_cluster")
    db = Database(url)
    work = tmp_path_factory.mktemp("promtool")
    world = World(str(work / "world"))
    webhook = Webhook(status_plan=[500])  # the first delivery fails, then a retry succeeds
    lw = None
    try:
        world.start()
        key = work / "challenger.key"
        key.write_text(world.info["accounts"]["challenger"]["key"] + "\n")
        os.chmod(key, 0o600)
        cfg = write_config(str(work / "l2watch.yaml"), world, db.url, webhook.url, l1_extra=L1_TXMGR,
                           extra=EXTRA_YAML.format(key=key))
        lw = L2Watch(cfg, str(work / "l2watch.log")).start()
        world.propose_honest()
        bad = world.propose_wrong()
        wait_until(lambda: {"raised", "response_sent", "response_landed"}
                   <= {a["event"] for a in webhook.delivered()}, 90,
                   what="the finding's alert and its response landed")
        # Some reading, as a dashboard and a probe would do.
        for path, expect in [("/", 200), ("/api/v1/chains", 200), ("/api/v1/findings", 200),
                             ("/api/v1/output-proposals", 200), ("/healthz", 200), ("/readyz", 200),
                             ("/api/v1/no-such-thing", 404)]:
            status, _ = http_get(lw.port, path)
            assert status == expect, f"GET {path}: {status}"
        status, text = http_get(lw.port, "/metrics")
        assert status == 200
        (work / "metrics.txt").write_text(text)
        yield {"metrics": text, "bad": bad, "db": db, "alerts": list(webhook.requests)}
    finally:
        try:
            if lw and lw.proc:
                lw.stop()  # also fails on any BROKEN or sanitizer line in its log
        finally:
            webhook.close()
            world.stop()


@pytest.fixture(scope="module")
def families(live):
    return parse_prometheus(live["metrics"])


def histogram(samples, name, **labels):
    """(count, sum, {le: cumulative count}) of one histogram series."""
    want = set(labels.items())
    buckets = {}
    for (sname, lbl), v in samples.items():
        d = dict(lbl)
        if sname == name + "_bucket" and set(d.items()) - {("le", d.get("le"))} == want:
            buckets[float(d["le"])] = v
    key = frozenset(want)
    return samples.get((name + "_count", key)), samples.get((name + "_sum", key)), buckets


# ---- /metrics ------------------------------------------------------------


def test_promtool_check_metrics_passes_on_live_metrics(live):
    out = promtool("check", "metrics", stdin=live["metrics"])
    assert out.returncode == 0 and out.stdout == "" and out.stderr == "", \
        f"promtool check metrics ({out.returncode}):\n{out.stdout}{out.stderr}"


def test_promtool_check_metrics_catches_a_bad_exposition():
    # The check above means something only if promtool lints what it reads.
    bad = "# HELP l2watch_things Things.\n# TYPE l2watch_things counter\nl2watch_things 3\n"
    out = promtool("check", "metrics", stdin=bad)
    assert out.returncode != 0 and "_total" in out.stdout + out.stderr, out.stdout + out.stderr


def test_live_metrics_have_samples_and_no_addresses_or_hashes_as_labels(families):
    fams, samples = families
    for name, fam in fams.items():
        assert name.startswith("l2watch_"), name
        assert fam.get("help"), f"{name} has no help text"
    for (name, labels), _ in samples.items():
        for k, v in labels:
            assert not HEX_VALUE.search(v), f"{name} carries an address or hash in label {k}={v!r}"
    s = lambda name, **lbl: samples.get((name, frozenset(lbl.items())))  # noqa: E731
    assert s("l2watch_findings_total", kind="invalid_output_root", severity="critical") == 1
    assert s("l2watch_txmgr_confirmed_total", chain="l1") == 1
    assert s("l2watch_alerts_failed_total", sink="test") >= 1
    assert s("l2watch_alerts_sent_total", sink="test") >= 3
    assert s("l2watch_output_roots_checked_total", chain="op-local", result="mismatch") == 1
    assert s("l2watch_http_requests_total", route="/readyz", code="200") >= 1
    assert s("l2watch_chain_head_block", chain="l1") >= 1
    assert s("l2watch_liveness_gaps_total", chain="op-local", kind="proposals") == 0
    # Every histogram family has observations.
    for name, fam in fams.items():
        if fam["type"] == "histogram":
            counts = [v for (sname, _), v in samples.items() if sname == name + "_count"]
            assert counts and max(counts) > 0, f"{name} has no observation"
    for name in ("l2watch_rpc_request_duration_seconds", "l2watch_http_request_duration_seconds",
                 "l2watch_output_root_check_delay_seconds", "l2watch_alert_delivery_seconds",
                 "l2watch_detection_latency_seconds", "l2watch_response_latency_seconds"):
        assert fams.get(name, {}).get("type") == "histogram", f"{name} missing from /metrics"


# Where l2watch defines its metric families: every l2w_*_get call site.
SOURCE_DIRS = ("alerts", "app", "collector", "core", "detectors", "responder", "web")
METRIC_GET = re.compile(r'l2w_(counter|gauge|histogram)_get\(\s*"([^"]*)"\s*,\s*((?:"(?:[^"\\]|\\.)*"\s*)+),')


def metric_definitions():
    """{name: (type, help)} of every family the C sources register, with the
    number of call sites read; fails on a call site whose name or help is not
    a string literal, and on one name given two types or helps."""
    defs, sites = {}, 0
    for d in SOURCE_DIRS:
        for path in sorted(glob.glob(os.path.join(REPO, d, "**", "*.c"), recursive=True)):
            if path.endswith(os.path.join("core", "metrics.c")):
                continue  # the registry itself
            text = open(path).read()
            calls = len(re.findall(r"l2w_(?:counter|gauge|histogram)_get\(", text))
            found = list(METRIC_GET.finditer(text))
            assert len(found) == calls, f"{path}: a metric registered without literal name and help"
            for m in found:
                kind, name = m.group(1), m.group(2)
                help_text = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(3))).replace('\\"', '"')
                assert defs.setdefault(name, (kind, help_text)) == (kind, help_text), \
                    f"{name} registered as {defs[name]} and as {(kind, help_text)} ({path})"
                sites += 1
    return defs, sites


def test_promtool_check_metrics_passes_on_every_family_the_sources_define(tmp_path):
    # The live run has no bridge, DA or committee: this lints every family
    # by its definition, one zero sample each.
    defs, sites = metric_definitions()
    assert len(defs) >= 40 and sites >= len(defs), (len(defs), sites)
    lines = []
    for name, (kind, help_text) in sorted(defs.items()):
        lines += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
        if kind == "histogram":
            lines += [f'{name}_bucket{{le="+Inf"}} 0', f"{name}_sum 0", f"{name}_count 0"]
        else:
            lines.append(f"{name} 0")
    text = "\n".join(lines) + "\n"
    parse_prometheus(text)
    out = promtool("check", "metrics", stdin=text)
    assert out.returncode == 0 and out.stdout == "" and out.stderr == "", \
        f"promtool check metrics ({out.returncode}):\n{out.stdout}{out.stderr}"


def test_live_families_are_the_ones_the_sources_define(families):
    fams, _ = families
    defs, _ = metric_definitions()
    for name, fam in fams.items():
        assert name in defs, f"{name} is served but no source defines it with literals"
        assert (fam["type"], fam["help"]) == defs[name], name


def epoch(db, sql):
    return float(db.rows(f"SELECT extract(epoch FROM ({sql}))")[0][0])


def test_detection_latency_is_observed_once_from_the_evidence_block(live, families):
    _, samples = families
    count, total, buckets = histogram(samples, "l2watch_detection_latency_seconds", kind="invalid_output_root")
    assert count == 1
    # Only the kind label: no chain, address or hash.
    assert {dict(lbl).keys() - {"le"} == {"kind"} for (n, lbl) in samples
            if n.startswith("l2watch_detection_latency_seconds")} == {True}
    # The finding was inserted at detected_at (the transaction's start) and
    # the latency observed in that transaction: from the proposal's L1 block
    # time (whole seconds) to then.
    detected = epoch(live["db"], "SELECT detected_at FROM findings WHERE kind = 'invalid_output_root'")
    expected = detected - live["bad"]["l1_timestamp"]
    assert -2 < expected < 60, f"the world's clock is off: {expected}"
    assert max(expected, 0) - 0.01 <= total <= max(expected, 0) + 1, (total, expected)
    # The sample sits in the first bucket at or above it.
    first = min(le for le in buckets if le >= total)
    assert buckets[first] == 1 and all(v == 0 for le, v in buckets.items() if le < total)


def test_open_findings_are_counted_by_severity_from_the_database(live, families):
    _, samples = families
    db_counts = dict(live["db"].rows("SELECT severity, count(*) FROM findings WHERE status = 'open' GROUP BY 1"))
    assert db_counts.get("critical") == "1", db_counts  # the wrong output root
    for sev in ("info", "low", "medium", "high", "critical"):
        got = samples.get(("l2watch_findings_open", frozenset({("severity", sev)})))
        assert got == float(db_counts.get(sev, 0)), (sev, got, db_counts)


def test_response_latency_runs_from_the_finding_to_its_transaction_confirmed(live, families):
    _, samples = families
    count, total, _ = histogram(samples, "l2watch_response_latency_seconds", chain="l1")
    assert count == 1
    db = live["db"]
    row = "FROM responses r JOIN findings f ON f.id = r.finding_id WHERE r.status = 'verified'"
    mined = epoch(db, f"SELECT r.mined_at - f.detected_at {row}")
    finished = epoch(db, f"SELECT r.finished_at - f.detected_at {row}")
    # Observed after the receipt had its confirmations and the effect was
    # checked, just before the response was marked verified.
    assert mined - 1 <= total <= finished + 0.5, (mined, total, finished)


# ---- detection latency per source of the evidence time ------------------

RAISE = os.path.join(BUILD_DIR, "l2w_raise")


def raise_finding(cfg, kind, key, *args):
    """Raises one finding with l2w_raise; (created, that process's samples)."""
    out = subprocess.run([RAISE, cfg, kind, key, *args], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, f"l2w_raise {kind} {key}: {out.stderr}"
    first, _, text = out.stdout.partition("\n")
    assert first in ("created 0", "created 1"), first
    return first == "created 1", parse_prometheus(text)[1] if text else {}  # nothing registered: no text


def detection(samples, kind):
    count, total, buckets = histogram(samples, "l2watch_detection_latency_seconds", kind=kind)
    labels = {k for (n, lbl) in samples if n.startswith("l2watch_detection_latency_seconds") for k, _ in lbl}
    assert labels <= {"kind", "le"}, labels
    return count, total, buckets


def test_detection_latency_from_each_source_of_the_evidence_time(migrated, tmp_path):
    db = migrated
    cfg = write_webalerts_config(str(tmp_path / "raise.yaml"), db.url, [])
    block = {name: "0x" + byte * 32 for name, byte in
             (("stored", "11"), ("posting", "22"), ("unknown", "33"), ("future", "44"))}
    now = int(time.time())
    db.rows("INSERT INTO chains (name, chain_id, role) VALUES ('l1', 31337, 'l1')")
    db.rows("INSERT INTO blocks (chain, number, hash, parent_hash, timestamp) VALUES "
            f"('l1', 100, decode('{block['stored'][2:]}', 'hex'), decode(repeat('00', 32), 'hex'), {now - 42}), "
            f"('l1', 300, decode('{block['future'][2:]}', 'hex'), decode(repeat('00', 32), 'hex'), {now + 600})")
    # A batcher posting in an L1 block the follower kept no header of.
    db.rows("INSERT INTO da_commitments (chain, l1_chain, block_number, block_hash, block_timestamp, tx_hash, "
            f"tx_index, kind, commitment) VALUES ('l1', 'l1', 200, decode('{block['posting'][2:]}', 'hex'), "
            f"{now - 300}, decode(repeat('ab', 32), 'hex'), 0, 'keccak', decode(repeat('cd', 32), 'hex'))")

    # The anchor block's stored time: 42 s before now, in the (30, 60] bucket.
    created, samples = raise_finding(cfg, "test_anchor", "k1", "--anchor", "l1", block["stored"], "--block", "100")
    count, total, buckets = detection(samples, "test_anchor")
    assert created and count == 1 and 42 <= total < 50, (created, count, total)
    assert buckets[30] == 0 and buckets[60] == 1
    # The same finding again is not a new one: nothing observed.
    created, samples = raise_finding(cfg, "test_anchor", "k1", "--anchor", "l1", block["stored"], "--block", "100")
    assert not created and detection(samples, "test_anchor")[0] is None

    # The posting's own time, found by its L1 block number and hash.
    created, samples = raise_finding(cfg, "test_posting", "k2", "--anchor", "l1", block["posting"], "--block", "200")
    count, total, _ = detection(samples, "test_posting")
    assert created and count == 1 and 300 <= total < 310, (count, total)

    # No block at all: the clock the gap was judged by (last event + gap).
    created, samples = raise_finding(cfg, "test_gap", "k3", "--evidence",
                                     json.dumps({"last_event_ts": now - 1000, "gap_s": 900}))
    count, total, _ = detection(samples, "test_gap")
    assert created and count == 1 and 100 <= total < 110, (count, total)

    # A block l2watch knows nothing of: the finding stands, no latency is made up.
    created, samples = raise_finding(cfg, "test_unknown", "k4", "--anchor", "l1", block["unknown"])
    assert created and detection(samples, "test_unknown")[0] is None
    assert db.rows("SELECT count(*) FROM findings WHERE dedup_key = 'k4'") == [["1"]]

    # A block stamped ahead of this host's clock counts as seen at once.
    created, samples = raise_finding(cfg, "test_future", "k5", "--anchor", "l1", block["future"], "--block", "300")
    count, total, _ = detection(samples, "test_future")
    assert created and count == 1 and total == 0


# ---- rules ---------------------------------------------------------------


def test_promtool_check_rules_passes_on_the_example_rules():
    out = promtool("check", "rules", RULES)
    assert out.returncode == 0, out.stdout + out.stderr
    n = len([r for g in yaml.safe_load(open(RULES))["groups"] for r in g["rules"]])
    assert f"SUCCESS: {n} rules found" in out.stdout, out.stdout


def test_promtool_rule_unit_tests_pass():
    out = promtool("test", "rules", os.path.basename(RULES_TEST), cwd=os.path.dirname(RULES_TEST))
    assert out.returncode == 0 and "SUCCESS" in out.stdout, out.stdout + out.stderr


def test_promtool_rule_unit_tests_fail_when_a_rule_does_not_fire(tmp_path):
    # The unit tests must be able to fail: with a threshold no series
    # reaches, the lagging chain's expected alert goes missing.
    rules = open(RULES).read().replace("l2watch_chain_synced_block) > 20", "l2watch_chain_synced_block) > 1000")
    assert rules != open(RULES).read()
    (tmp_path / "l2watch-rules.yml").write_text(rules)
    (tmp_path / "l2watch-rules.test.yml").write_text(open(RULES_TEST).read())
    out = promtool("test", "rules", "l2watch-rules.test.yml", cwd=str(tmp_path))
    assert out.returncode != 0 and "L2watchChainLagging" in out.stdout + out.stderr, out.stdout + out.stderr


def test_every_rule_is_unit_tested_firing_and_silent():
    alerts = [r["alert"] for g in yaml.safe_load(open(RULES))["groups"] for r in g["rules"]]
    assert len(alerts) == len(set(alerts))
    fires, silent = set(), set()
    for t in yaml.safe_load(open(RULES_TEST))["tests"]:
        for case in t["alert_rule_test"]:
            (fires if case["exp_alerts"] else silent).add(case["alertname"])
    assert fires == set(alerts), f"never shown firing: {set(alerts) - fires}"
    assert silent == set(alerts), f"never shown silent: {set(alerts) - silent}"
    # The topics the rules must cover.
    for want in ("L2watchFindingCritical", "L2watchChainLagging", "L2watchRpcEndpointFailing",
                 "L2watchAlertsDeadLettered", "L2watchAlertsPendingTooLong", "L2watchResponseFailed",
                 "L2watchNotReady"):
        assert want in alerts


def test_rules_name_only_exposed_metric_families(families):
    fams, _ = families
    for g in yaml.safe_load(open(RULES))["groups"]:
        for r in g["rules"]:
            names = promql_metric_names(r["expr"])
            assert names, r["alert"]
            unknown = {n for n in names if n not in PROMETHEUS_SERIES and not exposed(n, fams)}
            assert not unknown, f"{r['alert']} names {unknown}, which /metrics does not expose"


# ---- Grafana dashboard ---------------------------------------------------

PROMQL_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool", "and", "or",
                "unless", "inf", "nan"}


def promql_metric_names(expr):
    """The metric names an expression selects: identifiers that are not
    functions, keywords, label names or durations."""
    s = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'', '""', expr)
    s = re.sub(r"\{[^}]*\}", "", s)
    s = re.sub(r"\[[^\]]*\]", "", s)
    s = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", s)
    names = set()
    for m in re.finditer(r"[a-zA-Z_:][a-zA-Z0-9_:]*", s):
        before = s[m.start() - 1] if m.start() else " "
        if before.isdigit() or before in "._$" or m.group(0) in PROMQL_WORDS:
            continue
        if s[m.end():].lstrip().startswith("("):
            continue  # a function
        names.add(m.group(0))
    return names


def exposed(name, fams):
    if name in fams:
        return fams[name]["type"] != "histogram"  # a histogram is read through its series
    for suffix in ("_bucket", "_sum", "_count"):
        base = name[:-len(suffix)]
        if name.endswith(suffix) and fams.get(base, {}).get("type") == "histogram":
            return True
    return False


def dashboard_panels(panels):
    for p in panels:
        yield p
        yield from dashboard_panels(p.get("panels", []))


def dashboard_expressions():
    """(where, expr) for every panel target and every label_values variable."""
    dash = json.load(open(DASHBOARD))
    out = []
    for p in dashboard_panels(dash["panels"]):
        for t in p.get("targets", []):
            out.append((f"panel {p['title']!r} target {t['refId']}", t["expr"]))
    for v in dash["templating"]["list"]:
        if v["type"] != "query":
            continue
        q = v["query"]["query"] if isinstance(v["query"], dict) else v["query"]
        m = re.fullmatch(r"label_values\((.+),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)", q)
        assert m, f"variable {v['name']}: {q!r} is not label_values(selector, label)"
        out.append((f"variable {v['name']}", m.group(1)))
    return dash, out


def grafana_to_promql(expr):
    """The expression as Prometheus would get it with the variables set."""
    for var, value in (("$__rate_interval", "5m"), ("$__range", "6h"), ("$__interval", "1m"),
                       ("$instance", ".*"), ("$chain", ".*")):
        expr = expr.replace(var, value)
    assert "$" not in expr, f"unknown variable in {expr!r}"
    return expr


def test_dashboard_expressions_are_valid_promql(tmp_path):
    _, exprs = dashboard_expressions()
    rules = {"groups": [{"name": "dashboard", "rules": [
        {"record": f"dashboard:expr_{i}", "expr": grafana_to_promql(e)} for i, (_, e) in enumerate(exprs)]}]}
    path = tmp_path / "dashboard-exprs.yml"
    path.write_text(yaml.safe_dump(rules))
    out = promtool("check", "rules", str(path))
    assert out.returncode == 0, out.stdout + out.stderr


def test_dashboard_names_only_exposed_metric_families(families):
    fams, _ = families
    dash, exprs = dashboard_expressions()
    assert dash["uid"] == "l2watch" and dash["title"]
    named = set()
    for where, e in exprs:
        names = promql_metric_names(e)
        assert names, f"{where}: no metric in {e!r}"
        unknown = {n for n in names if not exposed(n, fams)}
        assert not unknown, f"{where}: {unknown} not exposed by /metrics"
        named |= {n if n in fams else re.sub(r"_(bucket|sum|count)$", "", n) for n in names}
    # What the dashboard is for: chains' heads and lag, RPC latency,
    # findings, detection and response latency, alert delivery, HTTP.
    for want in ("l2watch_chain_head_block", "l2watch_chain_synced_block", "l2watch_rpc_request_duration_seconds",
                 "l2watch_findings_total", "l2watch_detection_latency_seconds", "l2watch_response_latency_seconds",
                 "l2watch_alerts_sent_total", "l2watch_alerts_failed_total", "l2watch_alerts_dead_total",
                 "l2watch_alerts_pending", "l2watch_http_requests_total", "l2watch_http_request_duration_seconds"):
        assert want in named, f"the dashboard shows nothing of {want}"
    # Every panel reads the chosen data source.
    for p in dashboard_panels(dash["panels"]):
        if p["type"] != "row":
            assert p["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, p["title"]
            assert all(t["datasource"] == p["datasource"] for t in p["targets"]), p["title"]
    ids = [p["id"] for p in dashboard_panels(dash["panels"])]
    assert len(ids) == len(set(ids))


def test_metric_name_reader_sees_through_promql():
    # The two checks above rest on this reader.
    e = ('histogram_quantile(0.95, sum by (chain, le) (rate(l2watch_x_bucket{chain=~"$chain",le!="1"}'
         '[$__rate_interval]))) / on (chain) group_left l2watch_y offset 5m > 1e3 and up{job="a"}')
    assert promql_metric_names(e) == {"l2watch_x_bucket", "l2watch_y", "up"}
    fams = {"l2watch_h": {"type": "histogram"}, "l2watch_c_total": {"type": "counter"}}
    assert exposed("l2watch_h_bucket", fams) and exposed("l2watch_c_total", fams)
    assert not exposed("l2watch_h", fams) and not exposed("l2watch_c_total_sum", fams)
