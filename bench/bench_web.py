#!/usr/bin/env python3
"""The web server under a fixed request rate, with 100 000 findings in
PostgreSQL: the findings API, the overview page and /metrics.

    python3 bench/bench_web.py [--rate 1000] [--seconds 30] [--connections 16]
                               [--findings 100000] [--build-dir build/release]
                               [--database-url URL] [--pg-dir DIR] [--keep] [--no-seed]
                               [--routes NAME,...] [--no-saturation]

What it sets up, each step skipped when already done:

- wrk (Debian package wrk), through apt-get when it is missing (sudo when
  not root, as scripts/install-deps.sh does). Debian has no wrk2, so the
  fixed rate comes from bench/wrk_pace.lua (see there): wrk 4 with a
  schedule of send times per thread.
- the release build of l2w_dbtool and l2w_webalerts (cmake preset
  release, build/release; only those two targets, -j --jobs).
- PostgreSQL: the cluster at --database-url, else scripts/pg.sh's throwaway
  cluster in --pg-dir (started, or reused when it runs; stopped at the end
  unless --keep). The database l2w_bench_web is made anew on it, migrated
  with l2w_dbtool and seeded in one transaction from generate_series (unless
  --no-seed, which reuses it): 7 chains (one L1, six L2s), --findings
  findings over the last 365 days (12 kinds, 5 severities, statuses
  86% resolved, 8% retracted, 6% open, skewed as a watchtower's would be),
  a response for each finding of a kind the responder acts on, alert_outbox
  rows (raised to two sinks, resolved or retracted to one; delivered, a few
  dead), a year of hourly output proposals of two OP Stack chains; then
  VACUUM ANALYZE.
- l2w_webalerts (tests/tools/, the web server and the alert worker without
  followers), configured as the database tests do (tests/db/webalerts_util.py).

Then, per route (default page of /api/v1/findings; filtered by kind and
chain, a common and a rare pair; / ; /metrics):

1. The route's statement under EXPLAIN ANALYZE (text read from
   web/routes_findings.c and web/routes_dashboard.c), custom plan as the
   server's unnamed statements get: plan and execution time.
2. Waits until the machine is quiet (other processes under --quiet-cores of
   CPU over 2 s, at most --quiet-wait s), then 5 s of warm-up and
   --seconds at --rate requests/s: wrk -t --threads -c --connections
   --latency with wrk_pace.lua. Prints wrk's report, and reads its
   percentiles, the achieved rate, the errors and how many requests went
   behind schedule (a sign that the rate was not held).
3. Unless --no-saturation: 10 s of plain wrk (no pacing, the same
   connections), the most the route answers per second, and where the CPU
   went per request (l2w_webalerts, PostgreSQL, wrk, everything else).

CPU figures come from /proc: utime + stime of l2w_webalerts, of the
PostgreSQL postmaster and its children, of wrk, and the machine's busy time
from /proc/stat; "other" is what the rest of the machine (other builds and
tests sharing the cores) used in the same window. The 1-minute load average
at the start of each run is printed too.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(REPO, "tests"), os.path.join(REPO, "tests", "db")]

from bench_channels import children_of, cpu_of  # noqa: E402

DB_NAME = "l2w_bench_web"
PACE = os.path.join(REPO, "bench", "wrk_pace.lua")

# Finding kinds, chains, severities and statuses with their weights (out of
# 100): what a watchtower over a few rollups accumulates in a year. Liveness
# and RPC disagreements are frequent; forged withdrawals and invalid output
# roots rare.
KINDS = [("liveness_gap", 25), ("rpc_disagreement", 20), ("data_withheld", 10), ("da_challenged", 8),
         ("outflow_anomaly", 8), ("committee_threshold_missed", 8), ("escrow_drawdown", 6),
         ("channel_window_closing", 5), ("stale_channel_close", 3), ("supply_exceeds_escrow", 3),
         ("invalid_output_root", 2), ("forged_withdrawal", 2)]
CHAINS = [("op", 25), ("base", 25), ("arbitrum", 20), ("zksync", 10), ("scroll", 8), ("linea", 7), ("ethereum", 5)]
SEVERITIES = [("info", 30), ("low", 25), ("medium", 25), ("high", 15), ("critical", 5)]
STATUSES = [("resolved", 86), ("retracted", 8), ("open", 6)]
RESPONDED_KINDS = ("invalid_output_root", "forged_withdrawal", "stale_channel_close", "escrow_drawdown",
                   "supply_exceeds_escrow")

# name, path, where its SQL is (file, statement, parameters for EXPLAIN in
# the order of $1..$n; None is SQL NULL).
ROUTES = [
    ("findings", "/api/v1/findings",
     [("web/routes_findings.c", "findings_sql", ["100", None, None, None, None, None, None, None, None])]),
    ("findings_common", "/api/v1/findings?kind=data_withheld&chain=base",
     [("web/routes_findings.c", "findings_sql", ["100", None, "data_withheld", None, "base", None, None, None,
                                                 None])]),
    ("findings_rare", "/api/v1/findings?kind=forged_withdrawal&chain=linea",
     [("web/routes_findings.c", "findings_sql", ["100", None, "forged_withdrawal", None, "linea", None, None,
                                                 None, None])]),
    ("overview", "/",
     [("web/routes_dashboard.c", name, []) for name in ("chains_sql", "open_sql", "alerts_sql", "responder_sql",
                                                          "in_flight_sql", "mined_sql", "rollups_sql")]),
    ("rollups", "/rollups",
     [("web/routes_dashboard_rollups.c", "chains_sql", []), ("web/routes_dashboard_rollups.c", "mismatches_sql", [None]),
      ("web/routes_dashboard_rollups.c", "list_sql", ["50", None, None, None, None])]),
    ("metrics", "/metrics", []),
]


def weighted_array(pairs):
    """An SQL text[] literal with each value repeated by its weight (100 in all)."""
    assert sum(w for _, w in pairs) == 100
    return "ARRAY[" + ",".join(f"'{v}'" for v, w in pairs for _ in range(w)) + "]"


def seed_sql(n):
    responded = ",".join(f"'{k}'" for k in RESPONDED_KINDS)
    return f"""
BEGIN;
SELECT setseed(0.2026);
INSERT INTO chains (name, chain_id, role, l1, head_number, head_seen_at, synced_number, updated_at) VALUES
  ('ethereum', 1, 'l1', NULL, 21400000, now(), 21399998, now());
INSERT INTO chains (name, chain_id, role, l1, head_number, head_seen_at, synced_number, updated_at) VALUES
  ('op', 10, 'l2', 'ethereum', 128900000, now(), 128899990, now()),
  ('base', 8453, 'l2', 'ethereum', 23300000, now(), 23299995, now()),
  ('arbitrum', 42161, 'l2', 'ethereum', 280000000, now(), 279999960, now()),
  ('zksync', 324, 'l2', 'ethereum', 51000000, now(), 50999999, now()),
  ('scroll', 534352, 'l2', 'ethereum', 11800000, now(), 11799990, now()),
  ('linea', 59144, 'l2', 'ethereum', 13000000, now(), 12999997, now());

-- Ids in detection order over the last 365 days, a few minutes of jitter.
INSERT INTO findings (id, dedup_key, kind, severity, chain, title, summary, evidence, block_number, tx_hash,
                      detected_at, status, updated_at, anchor_chain, anchor_block_hash)
SELECT g, r.kind || ':' || r.chain || ':' || g, r.kind, r.severity, r.chain,
       initcap(replace(r.kind, '_', ' ')) || ' on ' || r.chain || ' at block ' || r.bn,
       'The ' || replace(r.kind, '_', ' ') || ' check on ' || r.chain || ' failed at block ' || r.bn
         || ': what l2watch read from the chain differs from what was posted; the evidence names both values.',
       jsonb_build_object('block_number', r.bn::text, 'block_hash', '0x' || md5(g::text) || md5((g * 7)::text),
                          'expected', '0x' || md5((g * 3)::text) || md5((g * 5)::text),
                          'observed', '0x' || md5((g * 11)::text) || md5((g * 13)::text),
                          'endpoints_agreeing', 2, 'endpoints_asked', 3),
       r.bn, CASE WHEN g % 5 < 3 THEN decode(md5((g * 17)::text) || md5((g * 19)::text), 'hex') END,
       r.t, r.status, CASE WHEN r.status = 'open' THEN r.t ELSE r.t + interval '2 hours' END,
       r.chain, decode(md5(g::text) || md5((g * 7)::text), 'hex')
FROM generate_series(1, {n}) g
CROSS JOIN LATERAL (
  SELECT ({weighted_array(KINDS)})[1 + floor(random() * 100)::int] AS kind,
         ({weighted_array(CHAINS)})[1 + floor(random() * 100)::int] AS chain,
         ({weighted_array(SEVERITIES)})[1 + floor(random() * 100)::int] AS severity,
         ({weighted_array(STATUSES)})[1 + floor(random() * 100)::int] AS status,
         now() - interval '365 days' + (g::float8 / {n}) * interval '365 days' + random() * interval '5 minutes' AS t,
         (20000000 + g * 25)::numeric AS bn) r;
SELECT setval('findings_id_seq', {n});

-- The responder's answer to the findings it acts on: dry runs, and every
-- tenth sent and verified.
INSERT INTO responses (idempotency_key, finding_id, action, chain, mode, signer, sender, to_addr, calldata, status,
                       nonce, gas_limit, tx_hash, mined_block, note, created_at, updated_at)
SELECT 'bench:' || f.id, f.id,
       CASE f.kind WHEN 'invalid_output_root' THEN 'delete_l2_outputs' WHEN 'stale_channel_close' THEN 'channel_dispute'
                   ELSE 'pause' END,
       'ethereum', CASE WHEN f.id % 10 = 0 THEN 'on' ELSE 'dry-run' END, 'local',
       decode(repeat('ab', 20), 'hex'), decode(md5(f.kind) || substr(md5(f.chain), 1, 8), 'hex'),
       decode('a4ee9d7b' || lpad(to_hex(f.id), 64, '0'), 'hex'),
       CASE WHEN f.id % 10 = 0 THEN 'verified' ELSE 'dry_run' END,
       CASE WHEN f.id % 10 = 0 THEN f.id END, 120000,
       CASE WHEN f.id % 10 = 0 THEN decode(md5((f.id * 23)::text) || md5((f.id * 29)::text), 'hex') END,
       CASE WHEN f.id % 10 = 0 THEN 21000000 + f.id END,
       CASE WHEN f.id % 10 = 0 THEN 'mined and verified' ELSE 'dry run: would send' END,
       f.detected_at, f.detected_at + interval '40 seconds'
FROM findings f WHERE f.kind IN ({responded}) ORDER BY f.id;

-- Alerts: raised to two sinks, resolved or retracted to one; delivered two
-- seconds later, one in 300 dead after 8 attempts.
INSERT INTO alert_outbox (finding_id, event, sink, payload, attempts, next_attempt_at, delivered_at, last_error,
                          created_at, kind, chain, severity, dead_at)
SELECT f.id, e.event, e.sink,
       jsonb_build_object('id', f.id, 'event', e.event, 'kind', f.kind, 'chain', f.chain, 'severity', f.severity,
                          'title', f.title, 'detected_at', f.detected_at),
       CASE WHEN (f.id + e.n) % 300 = 0 THEN 8 ELSE 1 END, f.detected_at + e.after,
       CASE WHEN (f.id + e.n) % 300 = 0 THEN NULL ELSE f.detected_at + e.after + interval '2 seconds' END,
       CASE WHEN (f.id + e.n) % 300 = 0 THEN 'HTTP 503 from the receiver' END,
       f.detected_at + e.after, f.kind, f.chain, f.severity,
       CASE WHEN (f.id + e.n) % 300 = 0 THEN f.detected_at + e.after + interval '1 hour' END
FROM findings f
CROSS JOIN LATERAL (VALUES (0, 'raised', 'ops-webhook', interval '0'), (1, 'raised', 'sec-slack', interval '0'),
                           (2, CASE f.status WHEN 'retracted' THEN 'retracted' ELSE 'resolved' END, 'ops-webhook',
                            interval '2 hours')) e(n, event, sink, after)
WHERE e.n < 2 OR f.status <> 'open'
ORDER BY f.id, e.n;

-- A year of hourly output proposals of two OP Stack chains, all checked.
INSERT INTO output_proposals (l1_chain, block_hash, log_index, l2_chain, oracle, output_index, l2_block_number,
                              output_root, l1_timestamp, l1_block_number, tx_hash, check_status, recomputed_root,
                              checked_at, check_note)
SELECT 'ethereum', decode(md5('b' || i || c.name) || md5('h' || i || c.name), 'hex'), c.log_index, c.name,
       decode(md5(c.name) || substr(md5(c.name || 'o'), 1, 8), 'hex'), i, i * 1800,
       decode(md5('r' || i || c.name) || md5('s' || i || c.name), 'hex'),
       extract(epoch FROM now())::bigint - (8760 - i) * 3600, 21399000 - (8760 - i) * 300,
       decode(md5('t' || i || c.name) || md5('u' || i || c.name), 'hex'), 1,
       decode(md5('r' || i || c.name) || md5('s' || i || c.name), 'hex'),
       now() - (8760 - i) * interval '1 hour', NULL
FROM (VALUES ('op', 3), ('base', 7)) c(name, log_index), generate_series(1, 8760) i;
COMMIT;
VACUUM ANALYZE;
"""


def psql(url, sql, *extra):
    out = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-AtXq", *extra], input=sql, capture_output=True,
                         text=True)
    if out.returncode != 0:
        raise SystemExit(f"psql failed:\n{out.stderr}")
    return out.stdout


def ensure_wrk():
    if shutil.which("wrk"):
        return
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    print("installing wrk (apt)", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "update", "-q"], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-q", "--no-install-recommends", "wrk"], check=True, env=env,
                   stdout=subprocess.DEVNULL)


def ensure_build(build_dir, jobs):
    if os.path.realpath(build_dir) == os.path.realpath(os.path.join(REPO, "build", "release")):
        subprocess.run(["cmake", "--preset", "release"], cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    elif not os.path.exists(os.path.join(build_dir, "CMakeCache.txt")):
        subprocess.run(["cmake", "-S", REPO, "-B", build_dir, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=RelWithDebInfo"],
                       check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", build_dir, f"-j{jobs}", "--target", "l2w_dbtool", "l2w_webalerts"],
                   check=True, stdout=subprocess.DEVNULL)


def c_statement(path, name):
    """A statement's text as a web/*.c file has it: the adjacent C string
    literals of `static const char NAME[] = ...;`, with the file's
    `#define X "..." "..."` macros between them expanded (one line or
    continued with backslashes) and comments skipped."""
    with open(os.path.join(REPO, path)) as f:
        src = re.sub(r"\\\n", " ", f.read())  # a macro continued over lines is one line
    lit = r'"(?:[^"\\]|\\.)*"'
    macros = {name: '"' + "".join(x[1:-1] for x in re.findall(lit, value)) + '"'
              for name, value in re.findall(rf'^#define (\w+)\s+((?:{lit}\s*)+)$', src, re.M)}
    body = re.search(rf"static const char {name}\[\] =(.*?);\n", src, re.S).group(1)
    parts = []
    for lit, ident in re.findall(r'"((?:[^"\\]|\\.)*)"|/\*.*?\*/|//[^\n]*|(\w+)', body, re.S):
        if lit or ident:
            text = lit if not ident else macros[ident][1:-1]
            parts.append(re.sub(r"\\(.)", r"\1", text))
    return "".join(parts)


def explain(url, sql, params):
    """EXPLAIN ANALYZE with a custom plan (the server's PQexecParams plans
    each unnamed statement with its values): plan text, planning and
    execution ms."""
    args = ",".join("NULL" if p is None else "'" + p.replace("'", "''") + "'" for p in params)
    script = "SET plan_cache_mode = force_custom_plan;\n"
    if params:
        script += f"PREPARE q AS {sql};\nEXPLAIN (ANALYZE, BUFFERS) EXECUTE q({args});\n"
    else:
        script += f"EXPLAIN (ANALYZE, BUFFERS) {sql};\n"
    plan = psql(url, script)
    planning = float(re.search(r"Planning Time: ([\d.]+) ms", plan).group(1))
    execution = float(re.search(r"Execution Time: ([\d.]+) ms", plan).group(1))
    return plan, planning, execution


def machine_busy():
    with open("/proc/stat") as f:
        parts = [int(x) for x in f.readline().split()[1:]]
    return (sum(parts) - parts[3] - parts[4]) / os.sysconf("SC_CLK_TCK")


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


class Cpu:
    """CPU seconds of l2w_webalerts, the PostgreSQL server, wrk and the machine."""

    def __init__(self, web_pid, postmaster_pid):
        self.web = web_pid
        self.pm = postmaster_pid

    def snap(self, wrk_pid=None):
        return {"web": cpu_of(self.web), "postgres": cpu_of(self.pm) + sum(cpu_of(p) for p in children_of(self.pm)),
                "wrk": cpu_of(wrk_pid) if wrk_pid else 0.0, "machine": machine_busy(), "t": time.monotonic()}

    @staticmethod
    def delta(a, b):
        d = {k: b[k] - a[k] for k in a}
        d["other"] = d["machine"] - d["web"] - d["postgres"] - d["wrk"]
        return d


def wait_quiet(cpu, cores, max_wait):
    """Until the rest of the machine uses under `cores` of CPU over 2 s (at
    most max_wait s); returns what it used in the last window."""
    deadline = time.monotonic() + max_wait
    while True:
        a = cpu.snap()
        time.sleep(2)
        d = Cpu.delta(a, cpu.snap())
        other = d["other"] / d["t"]
        if other < cores or time.monotonic() > deadline:
            return other
        print(f"  waiting: other processes use {other:.2f} cores", flush=True)


def run_wrk(cpu, url, seconds, connections, threads, rate=None):
    """One wrk run (paced when rate is given): its output, the L2W_PACE
    fields and the CPU used while it ran."""
    cmd = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--latency", "--timeout", "5s"]
    if rate:
        cmd += ["-s", PACE, url, "--", str(rate / threads)]
    else:
        cmd += [url]
    before = cpu.snap()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    before["wrk"] = cpu_of(proc.pid)
    # wrk's CPU is read just before it exits: poll until its output closes.
    last = before
    while proc.poll() is None:
        time.sleep(0.2)
        snap = cpu.snap(proc.pid)
        if snap["wrk"] > 0:
            last = snap
    out = proc.stdout.read()
    after = cpu.snap()
    after["wrk"] = last["wrk"]
    if proc.returncode != 0:
        raise SystemExit(f"wrk failed ({proc.returncode}):\n{out}")
    fields = {}
    m = re.search(r"^L2W_PACE (.*)$", out, re.M)
    if m:
        fields = {k: float(v) for k, v in (kv.split("=") for kv in m.group(1).split())}
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return out, fields, rps, Cpu.delta(before, after)


def check_route(port, path):
    """The route answers 200 with what it should, before anything is timed."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as r:
        body = r.read()
        assert r.status == 200, (path, r.status)
    if path.startswith("/api/v1/findings"):
        items = json.loads(body)
        assert len(items) == 100, (path, len(items))
        q = dict(p.split("=") for p in path.partition("?")[2].split("&") if p)
        for item in items:
            for key, want in q.items():
                assert item[key] == want, (path, item)
    return len(body)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rate", type=float, default=1000)
    ap.add_argument("--seconds", type=int, default=30)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--findings", type=int, default=100000)
    ap.add_argument("--build-dir", default=os.path.join(REPO, "build", "release"))
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--database-url", help="a running cluster (any database on it); default: scripts/pg.sh's")
    ap.add_argument("--pg-dir", help="scripts/pg.sh cluster directory (default: a new temporary one)")
    ap.add_argument("--keep", action="store_true", help="leave the cluster running and the database in place")
    ap.add_argument("--no-seed", action="store_true", help=f"reuse the seeded database {DB_NAME}")
    ap.add_argument("--routes", help="comma-separated names: " + ",".join(r[0] for r in ROUTES))
    ap.add_argument("--no-saturation", action="store_true")
    ap.add_argument("--quiet-cores", type=float, default=0.3)
    ap.add_argument("--quiet-wait", type=float, default=180)
    args = ap.parse_args()

    ensure_wrk()
    build_dir = os.path.abspath(args.build_dir)
    ensure_build(build_dir, args.jobs)
    os.environ["L2W_BUILD_DIR"] = build_dir
    from webalerts_util import WebAlerts, dbtool, write_config  # after L2W_BUILD_DIR is set

    pg = os.path.join(REPO, "scripts", "pg.sh")
    pgdir = None
    if args.database_url:
        cluster = args.database_url
    else:
        pgdir = os.path.abspath(args.pg_dir) if args.pg_dir else tempfile.mkdtemp(prefix="l2w-bench-web-pg-")
        cluster = subprocess.run([pg, "start", pgdir], check=True, capture_output=True,
                                 text=True).stdout.strip().splitlines()[-1]
    url = cluster.rpartition("/")[0] + "/" + DB_NAME
    workdir = tempfile.mkdtemp(prefix="l2w-bench-web-")
    web = None
    try:
        if not args.no_seed:
            psql(cluster, f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE);\nCREATE DATABASE {DB_NAME};\n")
            dbtool("migrate", url)
            t0 = time.monotonic()
            psql(url, seed_sql(args.findings))
            print(f"seeded in {time.monotonic() - t0:.1f} s", flush=True)
        counts = psql(url, "SELECT (SELECT count(*) FROM findings) || ' findings, ' ||"
                           " (SELECT count(*) FROM alert_outbox) || ' alert_outbox rows, ' ||"
                           " (SELECT count(*) FROM responses) || ' responses, ' ||"
                           " (SELECT count(*) FROM output_proposals) || ' output proposals, ' ||"
                           " (SELECT count(*) FROM chains) || ' chains; database ' ||"
                           " pg_size_pretty(pg_database_size(current_database())) || ', PostgreSQL ' ||"
                           " current_setting('server_version')").strip()
        print(counts, flush=True)
        # The postmaster: the parent of the server's checkpointer.
        checkpointer = int(psql(url, "SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'"))
        with open(f"/proc/{checkpointer}/stat") as f:
            postmaster = int(f.read().rsplit(")", 1)[1].split()[1])

        cfg = write_config(os.path.join(workdir, "webalerts.yaml"), url, [])
        web = WebAlerts(cfg, os.path.join(workdir, "webalerts.log"))
        cpu = Cpu(web.proc.pid, postmaster)
        base = f"http://127.0.0.1:{web.port}"
        commit = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True).stdout.strip()
        print(f"l2w_webalerts ({build_dir}) on port {web.port}, commit {commit}; {os.cpu_count()} cores\n", flush=True)

        wanted = set(args.routes.split(",")) if args.routes else None
        rows = []
        for name, path, statements in ROUTES:
            if wanted and name not in wanted:
                continue
            size = check_route(web.port, path)
            print(f"== {name}: GET {path} ({size} bytes)", flush=True)
            for file, stmt, params in statements:
                plan, planning, execution = explain(url, c_statement(file, stmt), params)
                print(f"-- {file} {stmt}: planning {planning:.3f} ms, execution {execution:.3f} ms")
                print("   " + plan.strip().replace("\n", "\n   "))
            other_before = wait_quiet(cpu, args.quiet_cores, args.quiet_wait)
            load = loadavg()
            run_wrk(cpu, base + path, 5, args.connections, args.threads, args.rate)  # warm-up
            out, pace, rps, d = run_wrk(cpu, base + path, args.seconds, args.connections, args.threads, args.rate)
            print(f"load average {load:.2f}, other processes {other_before:.2f} cores before the run")
            print(out.strip())
            dt = d["t"]
            row = {"name": name, "path": path, "rps": rps, "load": load, **pace,
                   "cores_web": d["web"] / dt, "cores_pg": d["postgres"] / dt, "cores_wrk": d["wrk"] / dt,
                   "cores_other": d["other"] / dt}
            print(f"CPU (cores): l2w_webalerts {row['cores_web']:.2f}, PostgreSQL {row['cores_pg']:.2f},"
                  f" wrk {row['cores_wrk']:.2f}, other {row['cores_other']:.2f}")
            if not args.no_saturation:
                wait_quiet(cpu, args.quiet_cores, args.quiet_wait)
                _, _, max_rps, s = run_wrk(cpu, base + path, 10, args.connections, args.threads)
                n = max_rps * s["t"]
                row["max_rps"] = max_rps
                row["us_per_req"] = {k: s[k] / n * 1e6 for k in ("web", "postgres", "wrk", "other")}
                print(f"saturation (no pacing): {max_rps:.0f} requests/s; CPU per request:"
                      f" l2w_webalerts {row['us_per_req']['web']:.0f} µs, PostgreSQL"
                      f" {row['us_per_req']['postgres']:.0f} µs, wrk {row['us_per_req']['wrk']:.0f} µs,"
                      f" other {row['us_per_req']['other']:.0f} µs")
            print(flush=True)
            rows.append(row)

        print(f"\n{'route':<17} {'load':>5} {'other':>5} {'rate/s':>7} {'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7}"
              f" {'p99.9 ms':>8} {'max ms':>7} {'errors':>6} {'late>1ms':>8} {'max/s':>6}")
        for r in rows:
            errors = sum(int(r.get(k, 0)) for k in ("err_connect", "err_read", "err_write", "err_status",
                                                     "err_timeout"))
            print(f"{r['name']:<17} {r['load']:>5.2f} {r['cores_other']:>5.2f} {r['rps']:>7.0f}"
                  f" {r['p50_us'] / 1000:>7.2f} {r['p90_us'] / 1000:>7.2f} {r['p99_us'] / 1000:>7.2f}"
                  f" {r['p999_us'] / 1000:>8.2f} {r['max_us'] / 1000:>7.2f} {errors:>6} {int(r['behind_1ms']):>8}"
                  f" {r.get('max_rps', 0):>6.0f}")
    finally:
        if web:
            web.stop()
        if pgdir and not args.keep:
            subprocess.run([pg, "stop", pgdir], capture_output=True)
            shutil.rmtree(pgdir, ignore_errors=True)
        elif pgdir:
            print(f"cluster kept: {pgdir} ({url}); scripts/pg.sh stop {pgdir}")
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
