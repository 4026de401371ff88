#!/usr/bin/env python3
"""Channel watchtower: intake of signed states and the breach check per
block, with a million channels held on durable PostgreSQL.

    python3 bench/bench_channels.py [--channels 1000000] [--quick] [--shared-buffers 2GB]
                                    [--build-dir build/bench-rel] [--connections 4]
                                    [--updates 100000] [--singles 40000] [--single-seconds 30]
                                    [--one-client 50000] [--rounds 10] [--keep]

What it sets up: a throwaway PostgreSQL cluster (scripts/pg.sh, then
fsync, synchronous_commit and full_page_writes switched back on with
ALTER SYSTEM and a restart, and track_commit_timestamp on; the server's own
defaults otherwise, shared_buffers included unless --shared-buffers), one anvil
(chain id 31337, nothing deployed: intake and the guard never read the
chain) and l2watch (release build) with a channels section watching Nitro
channels on it, a receipt key, and one write-API client per connection.

States are Nitro states between two fixed keys, one channel per
channelNonce, signed here (keccak and secp256k1 through pycryptodome and
coincurve, installed on first use into the venv ~/.cache/l2watch-bench-venv)
before anything is timed, so signing costs the measured run nothing.

Phases, in order:

1. load: --channels new channels (turnNum 1) through POST
   /api/v1/channels/states in batches of 256, --connections client
   processes at once (each its own API client, as separate wallets would be).
2. batched updates at the full table: --updates newer states (turnNum 2)
   of held channels, batches of 256, --connections at once.
3. single updates at the full table: --singles newer states of other held
   channels, one state per request (one transaction, one commit each), 4 and
   16 connections, each at most --single-seconds.
4. --one-client new channels from ONE client at the full table (batches
   of 256, --connections at once): the per-client channel counter is one row.
5. breach check per block: k = 0, 1, 10, 100 disputes of held channels
   (half registering an older turn than held: stale, a finding and, by the
   default policy, a dry-run channel_dispute response; half the held turn:
   current) inserted in one transaction into channel_disputes as the
   collector stores them, --rounds times each, distinct channels every
   time. l2watch's channel guard judges them on its next poll (1 s), all
   of a step in one transaction. Timed twice: without server logging, that
   transaction from its start (checked_at = now()) to its commit
   (track_commit_timestamp), which leaves out the pending query before it;
   then with log_min_duration_statement = 0 for this phase only, the whole
   step, from the start of its pending-disputes query to the end of its
   unwarned-closes query (server log timestamps, ms resolution; the logging
   is inside that figure). The pending query (its text read from
   app/channel_guard.c) is also run under EXPLAIN ANALYZE with k
   uncommitted pending rows, for the plan.

Every accepted state is checked (each batch answer must say accepted = all)
and the row count is checked at the end of the load. For each intake phase
the bench also prints: CPU time of l2watch and of PostgreSQL (all its
processes) per 1000 states, from /proc, and what the rest of the machine
used (the bench's own client processes, anvil, and anything else running);
WAL bytes and full-page images per state and checkpoints (pg_stat_wal,
pg_stat_bgwriter); and what l2watch's PostgreSQL connections were doing,
sampled every 0.1 s from pg_stat_activity (on CPU, or the wait event).
At the end, with every statement logged, the server time per state of a
few batches and per dispute of the guard's steps, by statement.
"""
import argparse
import hashlib
import http.client
import json
import multiprocessing
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

VENV = os.path.join(os.path.expanduser("~"), ".cache", "l2watch-bench-venv")
PY_DEPS = ["coincurve==21.0.0", "pycryptodome==4.4.0"]


def ensure_crypto():
    """coincurve + pycryptodome, from a cached venv (re-executes under it)."""
    try:
        import coincurve  # noqa: F401
        from Crypto.Hash import keccak  # noqa: F401
        return
    except ImportError:
        pass
    py = os.path.join(VENV, "bin", "python")
    if os.path.realpath(sys.prefix) == os.path.realpath(VENV):
        raise SystemExit(f"{VENV} lacks {PY_DEPS}; remove it and run again")
    if not os.path.exists(py):
        print(f"creating {VENV} with {' '.join(PY_DEPS)}", flush=True)
        subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", VENV], check=True)
    subprocess.run([py, "-m", "pip", "install", "-q", *PY_DEPS], check=True)
    os.execv(py, [py, os.path.abspath(__file__), *sys.argv[1:]])


CHAIN_ID = 31337
CHAIN = "l1"
BATCH = 256
ALICE_KEY = hashlib.sha256(b"l2watch bench alice").digest()
BOB_KEY = hashlib.sha256(b"l2watch bench bob").digest()
TOWER_KEY = hashlib.sha256(b"l2watch bench tower").hexdigest()
APP_DEFINITION = "0x" + "00" * 19 + "42"
ADJUDICATOR = "0x" + "00" * 19 + "43"
CHALLENGE_DURATION = 86400
EIP191 = b"\x19Ethereum Signed Message:\n32"

_signers = None


def keccak(data):
    from Crypto.Hash import keccak as k
    h = k.new(digest_bits=256)
    h.update(data)
    return h.digest()


def word(n):
    return n.to_bytes(32, "big")


def address_of(key):
    import coincurve
    pub = coincurve.PrivateKey(key).public_key.format(compressed=False)[1:]
    return "0x" + keccak(pub)[12:].hex()


PARTICIPANTS = None
APP_PART_HASH = None
OUTCOME_HASH = None


def init_constants():
    global PARTICIPANTS, APP_PART_HASH, OUTCOME_HASH
    PARTICIPANTS = [address_of(ALICE_KEY), address_of(BOB_KEY)]
    # abi.encode(uint48 challengeDuration, address appDefinition, bytes appData = "")
    APP_PART_HASH = keccak(word(CHALLENGE_DURATION) + word(int(APP_DEFINITION, 16)) + word(0x60) + word(0))
    OUTCOME_HASH = keccak(b"")


def channel_id(nonce):
    # abi.encode(uint256 chainId, address[] participants, uint48 channelNonce)
    return keccak(word(CHAIN_ID) + word(0x60) + word(nonce) + word(2) +
                  word(int(PARTICIPANTS[0], 16)) + word(int(PARTICIPANTS[1], 16)))


def submission(nonce, turn):
    """One Nitro submission (dict) for channel `nonce` at turnNum `turn`,
    signed by both participants as core/channel_nitro.h says."""
    global _signers
    import coincurve
    if _signers is None:
        _signers = [coincurve.PrivateKey(ALICE_KEY), coincurve.PrivateKey(BOB_KEY)]
    state_hash = keccak(word(turn) + word(0) + channel_id(nonce) + APP_PART_HASH + OUTCOME_HASH)
    digest = keccak(EIP191 + state_hash)
    sigs = []
    for key in _signers:
        rsv = key.sign_recoverable(digest, hasher=None)  # r || s || recovery id
        sigs.append("0x" + rsv[:64].hex() + "%02x" % (rsv[64] + 27))
    return {"protocol": "nitro",
            "fixedPart": {"chainId": str(CHAIN_ID), "participants": PARTICIPANTS, "channelNonce": nonce,
                          "appDefinition": APP_DEFINITION, "challengeDuration": CHALLENGE_DURATION},
            "state": {"turnNum": turn, "isFinal": False, "appData": "0x", "outcome": "0x"},
            "signatures": sigs}


def gen_bodies(job):
    """Worker: request bodies (bytes, one per request) for (nonce, turn) pairs."""
    pairs, batched = job
    init_constants()
    subs = [json.dumps(submission(n, t), separators=(",", ":")) for n, t in pairs]
    if not batched:
        return [s.encode() for s in subs]
    return [('{"states":[' + ",".join(subs[i:i + BATCH]) + "]}").encode() for i in range(0, len(subs), BATCH)]


def make_bodies(pool, pairs, batched):
    step = BATCH * 64
    jobs = [(pairs[i:i + step], batched) for i in range(0, len(pairs), step)]
    out = []
    for part in pool.imap(gen_bodies, jobs):
        out.extend(part)
    return out


# ---------------------------------------------------------------- processes and CPU

CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_of(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime
    except (FileNotFoundError, ProcessLookupError):
        return 0.0


def children_of(ppid):
    kids = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == ppid:
                        kids.append(int(d))
            except (FileNotFoundError, ProcessLookupError, IndexError):
                pass
    return kids


class Cpu:
    """CPU seconds of l2watch and of the whole PostgreSQL server (postmaster
    and backends, exited backends lost: the bench keeps its connections)."""

    def __init__(self, l2watch_pid, postmaster_pid, db_url):
        self.l2w = l2watch_pid
        self.pm = postmaster_pid
        self.db_url = db_url

    def snap(self):
        pg = cpu_of(self.pm) + sum(cpu_of(p) for p in children_of(self.pm))
        with open("/proc/stat") as f:
            parts = [int(x) for x in f.readline().split()[1:]]
        busy = (sum(parts) - parts[3] - parts[4]) / CLK_TCK  # all but idle and iowait
        wal = psql(self.db_url, "SELECT wal_bytes, wal_fpi, (SELECT checkpoints_timed + checkpoints_req "
                                "FROM pg_stat_bgwriter) FROM pg_stat_wal").split("|")
        return {"l2watch": cpu_of(self.l2w), "postgres": pg, "machine": busy, "iowait": parts[4] / CLK_TCK,
                "t": time.monotonic(),
                "wal_bytes": float(wal[0]), "wal_fpi": float(wal[1]), "checkpoints": float(wal[2])}

    @staticmethod
    def delta(a, b):
        d = {k: b[k] - a[k] for k in a}
        d["other"] = d["machine"] - d["l2watch"] - d["postgres"]
        return d


class WaitSampler:
    """What l2watch's web connections are doing in PostgreSQL, sampled every
    0.1 s by one psql (\\watch) for the length of a phase: active backends
    on CPU (no wait event) or waiting, and on what."""

    QUERY = ("SELECT 'S|' || count(*) || '|' || coalesce(string_agg(coalesce(wait_event_type || ':' || wait_event, "
             "'CPU'), ','), '') FROM pg_stat_activity WHERE application_name = 'l2watch-web' AND state = 'active'")

    def __init__(self, db_url):
        self.db_url = db_url
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(["psql", self.db_url, "-AtXq"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
        self.proc.stdin.write(self.QUERY + "\n\\watch 0.1\n")
        self.proc.stdin.flush()

    def stop(self):
        self.proc.send_signal(signal.SIGINT)  # ends \\watch; psql then reads the end of its input
        out, _ = self.proc.communicate(timeout=30)
        samples, waits = 0, {}
        for line in out.splitlines():
            if line.startswith("S|"):
                _, n, events = line.split("|", 2)
                samples += 1
                for e in filter(None, events.split(",")):
                    waits[e] = waits.get(e, 0) + 1
        return samples, waits


def wait_summary(samples, waits):
    total = sum(waits.values())
    if not samples:
        return "no samples"
    top = sorted(waits.items(), key=lambda kv: -kv[1])[:5]
    return (f"{total / samples:.2f} l2watch-web backends active on average; of their samples "
            + ", ".join(f"{k} {100.0 * v / max(total, 1):.0f}%" for k, v in top))


# ---------------------------------------------------------------- HTTP clients

def sender(port, token, bodies, batched, go, progress, results, deadline_s):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    sent = accepted = 0
    errors = []
    go.wait()
    t0 = time.monotonic()
    stop_at = t0 + deadline_s if deadline_s else None
    for body in bodies:
        if stop_at and time.monotonic() > stop_at:
            break
        conn.request("POST", "/api/v1/channels/states", body, headers)
        resp = conn.getresponse()
        data = resp.read()
        n = body.count(b'"protocol"')
        sent += n
        ok = 0
        if resp.status == 200:
            doc = json.loads(data)
            ok = doc["accepted"] if batched else int(doc.get("accepted") is True)
        accepted += ok
        if ok != n and len(errors) < 3:
            errors.append(f"HTTP {resp.status}: {data[:300]!r}")
        with progress.get_lock():
            progress.value += n
    results.put({"sent": sent, "accepted": accepted, "errors": errors, "t0": t0, "t1": time.monotonic()})


def run_phase(label, port, tokens, bodies, batched, cpu, deadline_s=0, report_every=0, total=None):
    """bodies spread round-robin over len(tokens) client processes; returns
    the figures. report_every > 0: a progress line every that many seconds."""
    n_conn = len(tokens)
    parts = [bodies[i::n_conn] for i in range(n_conn)]
    go = multiprocessing.Event()
    progress = multiprocessing.Value("q", 0)
    results = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=sender, args=(port, tokens[i], parts[i], batched, go, progress, results,
                                                         deadline_s)) for i in range(n_conn)]
    for p in procs:
        p.start()
    time.sleep(0.5)
    sampler = WaitSampler(cpu.db_url)
    sampler.start()
    c0 = cpu.snap()
    go.set()
    samples = [(time.monotonic(), 0)]
    outs = []
    while len(outs) < n_conn:
        try:
            outs.append(results.get(timeout=report_every or 1))
        except Exception:  # queue.Empty
            pass
        if report_every and time.monotonic() - samples[-1][0] >= report_every:
            now, done = time.monotonic(), progress.value
            rate = (done - samples[-1][1]) / (now - samples[-1][0])
            samples.append((now, done))
            print(f"  {label}: {done}/{total} states, {rate:.0f}/s over the last {report_every} s, "
                  f"{done / (now - samples[0][0]):.0f}/s overall", flush=True)
    c1 = cpu.snap()
    waits = sampler.stop()
    for p in procs:
        p.join()
    sent = sum(o["sent"] for o in outs)
    accepted = sum(o["accepted"] for o in outs)
    errors = [e for o in outs for e in o["errors"]]
    t0 = min(o["t0"] for o in outs)
    t1 = max(o["t1"] for o in outs)
    samples.append((t1, sent))
    res = {"label": label, "sent": sent, "accepted": accepted, "errors": errors, "seconds": t1 - t0,
           "rate": accepted / (t1 - t0), "cpu": Cpu.delta(c0, c1), "connections": n_conn, "samples": samples, "waits": waits}
    if total:
        # Rate over the last tenth (the table near its full size).
        tail = [s for s in samples if s[1] >= 0.9 * total]
        if len(tail) >= 2 and tail[-1][0] > tail[0][0]:
            res["tail_rate"] = (tail[-1][1] - tail[0][1]) / (tail[-1][0] - tail[0][0])
    return res


def print_phase(r, per_request):
    cpu = r["cpu"]
    k = max(r["accepted"], 1) / 1000.0
    line = (f"{r['label']}: {r['accepted']}/{r['sent']} accepted in {r['seconds']:.1f} s = {r['rate']:.0f} states/s"
            f" ({per_request}, {r['connections']} connections)")
    if "tail_rate" in r:
        line += f"; last tenth {r['tail_rate']:.0f} states/s"
    print(line)
    print(f"  CPU s per 1000 states: l2watch {cpu['l2watch'] / k:.3f}, postgres {cpu['postgres'] / k:.3f}, "
          f"rest of the machine (the bench's clients, anvil, others) {cpu['other'] / k:.3f}; "
          f"machine busy {cpu['machine'] / cpu['t']:.2f} of {os.cpu_count()} cores, "
          f"iowait {cpu['iowait'] / cpu['t']:.2f}")
    print(f"  WAL {cpu['wal_bytes'] / max(r['accepted'], 1):.0f} bytes per state ({cpu['wal_fpi'] / k:.0f} full-page "
          f"images per 1000 states), {cpu['checkpoints']:.0f} checkpoints during the phase")
    print(f"  PostgreSQL: {wait_summary(*r['waits'])}", flush=True)
    for e in r["errors"]:
        print(f"  refused: {e}")


# ---------------------------------------------------------------- PostgreSQL

def psql(url, sql):
    return subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-AtX", "-c", sql], check=True,
                          capture_output=True, text=True).stdout.strip()


def pg_server_log(pgdir):
    """Where scripts/pg.sh has the server write its log."""
    datadir_file = os.path.join(pgdir, "datadir")
    if os.path.exists(datadir_file):
        with open(datadir_file) as f:
            return os.path.join(os.path.dirname(f.read().strip()), "postgresql.log"), f.name
    return os.path.join(pgdir, "postgresql.log"), None


def pg_data_dir(pgdir):
    f = os.path.join(pgdir, "datadir")
    if os.path.exists(f):
        with open(f) as fh:
            return fh.read().strip()
    return os.path.join(pgdir, "data")


def guard_sql(name):
    """A statement's text as app/channel_guard.c has it (C literals joined)."""
    with open(os.path.join(REPO, "app", "channel_guard.c")) as f:
        src = f.read()
    batch = re.search(r'#define GUARD_BATCH "(\d+)"', src).group(1)
    body = re.search(rf"static const l2w_db_stmt {name} = {{(.*?)}};\n", src, re.S).group(1)
    body = body.replace("GUARD_BATCH", f'"{batch}"')
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', body)[1:])  # the first literal is the name


LOG_LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) \S+ \[(\d+)\] ([^:]*): LOG:  duration: ([\d.]+) ms  "
                      r"(\w+)(?: [^:]*)?: (.*)$")


def parse_log(text, app):
    """Statement lines of one application_name: end time, ms, pid, kind, SQL."""
    recs = []
    for line in text.splitlines():
        m = LOG_LINE.match(line)
        if m and m.group(3) == app:
            ts = time.mktime(time.strptime(m.group(1)[:19], "%Y-%m-%d %H:%M:%S")) + int(m.group(1)[20:]) / 1000.0
            recs.append({"end": ts, "ms": float(m.group(4)), "pid": m.group(2), "kind": m.group(5),
                         "sql": m.group(6)})
    return recs


PENDING_MARK = "FROM channel_disputes d LEFT JOIN channel_states s"
JUDGED_MARK = "UPDATE channel_disputes d SET check_status"
UNWARNED_MARK = "d.check_status = 2 AND d.warned_at IS NULL"


def guard_step(recs, expect_judged):
    """The guard's step in the server log: (step ms, server ms, COMMIT ms,
    statements), on the guard's own connection (the responder worker shares
    the application_name)."""
    pids = {r["pid"] for r in recs if PENDING_MARK in r["sql"]}
    if len(pids) != 1:
        raise SystemExit(f"expected one connection running the guard's query, found {len(pids)}")
    recs = [r for r in recs if r["pid"] in pids]

    def is_pending(i):
        return PENDING_MARK in recs[i]["sql"]

    def unwarned_after(i):
        return next((j for j in range(i, len(recs)) if UNWARNED_MARK in recs[j]["sql"] and
                     recs[j]["kind"] in ("execute", "statement")), None)

    if expect_judged:
        # One statement stores the verdicts of a step (up to its batch of 200).
        judged = [i for i, r in enumerate(recs) if JUDGED_MARK in r["sql"] and r["kind"] == "execute"]
        if len(judged) != 1:
            raise SystemExit(f"expected the verdicts of {expect_judged} disputes in one statement, "
                             f"found {len(judged)} such statements")
        start = max(i for i in range(judged[0]) if is_pending(i))
        end = unwarned_after(judged[-1])
    else:
        # No dispute: the first whole step in the window.
        start = next(i for i in range(len(recs)) if is_pending(i) and (i == 0 or not is_pending(i - 1))
                     and unwarned_after(i) is not None)
        end = unwarned_after(start)
    while start > 0 and is_pending(start - 1):
        start -= 1  # parse, bind, execute: the step starts with the first
    if end is None:
        raise SystemExit("the guard step's last statement is not in the server log")
    t0 = recs[start]["end"] - recs[start]["ms"] / 1000.0
    step_ms = (recs[end]["end"] - t0) * 1000.0
    db_ms = sum(r["ms"] for r in recs[start:end + 1])
    commit_ms = sum(r["ms"] for r in recs[start:end + 1] if r["sql"].strip().upper().startswith("COMMIT"))
    statements = sum(1 for r in recs[start:end + 1] if r["kind"] in ("execute", "statement"))
    return step_ms, db_ms, commit_ms, statements, recs[start:end + 1]


def statement_costs(recs, states):
    """Server ms per state by statement (parse + bind + execute), biggest first."""
    agg = {}
    for r in recs:
        sql = r["sql"].strip()
        key = "COMMIT" if sql.upper().startswith("COMMIT") else "BEGIN" if sql.upper().startswith("BEGIN") \
            else f"{r['kind']:7s} {sql[:60]}"
        agg.setdefault(key, [0.0, 0])
        agg[key][0] += r["ms"]
        agg[key][1] += r["kind"] in ("execute", "statement")
    return sorted(((ms / states, n, key) for key, (ms, n) in agg.items()), reverse=True)


def fsync_rate(workdir):
    """pg_test_fsync's fdatasync figure for one 8 kB write on the work directory's disk."""
    tools = sorted((d for d in os.listdir("/usr/lib/postgresql") if d.isdigit()), key=int)
    binary = os.path.join("/usr/lib/postgresql", tools[-1], "bin", "pg_test_fsync") if tools else ""
    if not os.access(binary, os.X_OK):
        return "pg_test_fsync not found"
    out = subprocess.run([binary, "-s", "2", "-f", os.path.join(workdir, "fsync.test")], capture_output=True,
                         text=True).stdout
    m = re.search(r"^\s+fdatasync\s+([\d.]+) ops/sec\s+(\d+) usecs/op", out, re.M)
    return f"fdatasync of one 8 kB write: {float(m.group(1)):.0f}/s, {m.group(2)} us each (pg_test_fsync)" if m \
        else "pg_test_fsync gave no fdatasync figure"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_anvil(workdir):
    import tests.world.world as world_module
    port = free_port()
    log = open(os.path.join(workdir, "anvil.log"), "wb")
    proc = subprocess.Popen([world_module.ANVIL, "--host", "127.0.0.1", "--port", str(port), "--chain-id",
                             str(CHAIN_ID), "--accounts", "1"], stdin=subprocess.DEVNULL, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            c.request("POST", "/", b'{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}',
                      {"Content-Type": "application/json"})
            if c.getresponse().status == 200:
                return proc, url
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("anvil did not start")


def start_l2watch(binary, workdir, db_url, rpc_url, tokens):
    key = os.path.join(workdir, "tower.key")
    with open(key, "w") as f:
        f.write("0x" + TOWER_KEY + "\n")
    os.chmod(key, 0o600)
    clients = "".join(f"""    - name: client{i}
      token_sha256: "{hashlib.sha256(t.encode()).hexdigest()}"
      requests_per_minute: 1000000
      max_channels: 100000000
""" for i, t in enumerate(tokens))
    cfg = os.path.join(workdir, "l2watch.yaml")
    with open(cfg, "w") as f:
        f.write(f"""database:
  url: "{db_url}?application_name=l2watch-worker"
web:
  listen: 127.0.0.1:0
  clients:
{clients}chains:
  - name: {CHAIN}
    role: l1
    chain_id: {CHAIN_ID}
    rpc: ["{rpc_url}"]
    confirmations: 0
signers:
  - name: tower
    key_file: "{key}"
channels:
  chain: {CHAIN}
  receipt_signer: tower
  nitro_adjudicator: "{ADJUDICATOR}"
""")
    log_path = os.path.join(workdir, "l2watch.log")
    log = open(log_path, "ab")
    proc = subprocess.Popen([binary, "run", "-c", cfg], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"l2watch exited with {proc.returncode}; see {log_path}")
        with open(log_path, errors="replace") as f:
            m = re.search(r"dashboard on http://[^:]+:(\d+)/", f.read())
        if m:
            return proc, int(m.group(1)), log_path
        time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"l2watch did not start; see {log_path}")


def log_offset(path):
    with open(path, "rb") as f:
        f.seek(0, 2)
        return f.tell()


def log_since(path, offset):
    with open(path, "rb") as f:
        f.seek(offset)
        return f.read().decode(errors="replace")


def statement_logging(db_url, on):
    if on:
        psql(db_url, "ALTER SYSTEM SET log_line_prefix = '%m [%p] %a: '")
        psql(db_url, "ALTER SYSTEM SET log_min_duration_statement = 0")
    else:
        psql(db_url, "ALTER SYSTEM RESET log_min_duration_statement")
    psql(db_url, "SELECT pg_reload_conf()")
    time.sleep(1.5)


def breach_phase(args, db_url, pglog, held, nonces_free, rng):
    """Rounds of k disputes per block. Returns the steps timed from the
    server log {k: [(step ms, server ms, COMMIT ms, statements)]}, the judge
    transactions timed without logging {k: [ms]} and the pending query's
    plans {k: {exec_ms, nodes, text}}."""
    pending_sql = guard_sql("pending_stmt")
    head = int(psql(db_url, f"SELECT coalesce(max(number), 0) FROM blocks WHERE chain = '{CHAIN}'") or 0)
    block = [head + 1_000_000]
    now = int(time.time())

    def insert_sql(k):
        block[0] += 1
        bh = rng.getrandbits(256).to_bytes(32, "big").hex()
        values = []
        for j in range(k):
            n = nonces_free.pop()
            version = held[n] - 1 if j % 2 == 0 else held[n]  # stale, then current
            tx = rng.getrandbits(256).to_bytes(32, "big").hex()
            values.append(f"('{CHAIN}', '\\x{bh}', {j}, {block[0]}, {now}, '\\x{tx}', 'nitro', "
                          f"'\\x{channel_id(n).hex()}', {version}, {now + 86400}, NULL, false)")
        return ("INSERT INTO channel_disputes (chain, block_hash, log_index, block_number, block_timestamp, tx_hash,"
                " protocol, channel, version, deadline, disputer, is_final) VALUES " + ",".join(values)), bh

    def judged(bh, k):
        deadline = time.monotonic() + 30
        while psql(db_url, f"SELECT count(*) FROM channel_disputes WHERE block_hash = '\\x{bh}' "
                           f"AND check_status <> 0") != str(k):
            if time.monotonic() > deadline:
                raise SystemExit("the guard did not judge the disputes within 30 s")
            time.sleep(0.05)

    plans = {}
    for k in (0, 1, 10, 100):
        # The pending query alone, with k pending rows the guard cannot see
        # (inserted in a transaction that is rolled back).
        times = []
        plan = None
        for _ in range(5):
            script = "BEGIN;\n" + (insert_sql(k)[0] + ";\n" if k else "") + \
                f"PREPARE p(text) AS {pending_sql};\nEXPLAIN (ANALYZE, BUFFERS) EXECUTE p('{CHAIN}');\nROLLBACK;\n"
            plan = subprocess.run(["psql", db_url, "-v", "ON_ERROR_STOP=1", "-AtX"], input=script, check=True,
                                  capture_output=True, text=True).stdout
            times.append(float(re.search(r"Execution Time: ([\d.]+) ms", plan).group(1)))
        nodes = re.findall(r"((?:Index Only Scan|Index Scan|Bitmap Heap Scan|Bitmap Index Scan|Seq Scan|Nested Loop"
                           r"(?: Left Join)?|Hash(?: Left)? Join|Merge(?: Left)? Join|Incremental Sort|Sort|Limit)"
                           r"(?: using \S+ on \S+(?: \w+)?)?)  \(", plan)
        plans[k] = {"exec_ms": statistics.median(times), "nodes": nodes, "text": plan}

    # Without server logging: the judge transaction of a block, from its
    # start (checked_at = now()) to its commit (track_commit_timestamp); the
    # pending query before it is not in it.
    quiet = {}
    for k in (1, 10, 100):
        quiet[k] = []
        for _ in range(args.rounds):
            sql, bh = insert_sql(k)
            psql(db_url, sql)
            judged(bh, k)
            quiet[k].append(float(psql(db_url, "SELECT extract(epoch FROM max(pg_xact_commit_timestamp(xmin)) - "
                                               f"min(checked_at)) * 1000 FROM channel_disputes "
                                               f"WHERE block_hash = '\\x{bh}'")))

    # With every statement logged: the whole step, pending query to the
    # unwarned-closes query, and where its time goes.
    statement_logging(db_url, True)
    steps = {}
    try:
        for k in (0, 1, 10, 100):
            steps[k] = []
            for _ in range(args.rounds):
                offset = log_offset(pglog)
                if k:
                    sql, bh = insert_sql(k)
                    psql(db_url, sql)
                    judged(bh, k)
                time.sleep(1.3)  # the step's last statement, one poll at most after the judging
                steps[k].append(guard_step(parse_log(log_since(pglog, offset), "l2watch-worker"), k))
    finally:
        statement_logging(db_url, False)
    counts = psql(db_url, "SELECT check_status, count(*) FROM channel_disputes GROUP BY 1 ORDER BY 1")
    return steps, quiet, plans, counts


def intake_breakdown(db_url, pglog, port, token, bodies):
    """A few batches with every statement logged: server time per state by
    statement (the logging slows this sample; the rates above are without)."""
    statement_logging(db_url, True)
    try:
        offset = log_offset(pglog)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        states = 0
        for body in bodies:
            conn.request("POST", "/api/v1/channels/states", body,
                         {"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
            resp = conn.getresponse()
            doc = json.loads(resp.read())
            states += doc["accepted"]
        time.sleep(0.5)
        recs = parse_log(log_since(pglog, offset), "l2watch-web")
    finally:
        statement_logging(db_url, False)
    return states, statement_costs(recs, max(states, 1))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--channels", type=int, default=1_000_000)
    ap.add_argument("--updates", type=int, default=100_000, help="batched newer states at the full table")
    ap.add_argument("--singles", type=int, default=40_000, help="single-state requests prepared per run")
    ap.add_argument("--single-seconds", type=float, default=30.0)
    ap.add_argument("--one-client", type=int, default=50_000, help="new channels from one client")
    ap.add_argument("--connections", type=int, default=4)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--quick", action="store_true", help="smoke run: 20 000 channels, small phases")
    ap.add_argument("--shared-buffers", metavar="SIZE",
                    help="PostgreSQL shared_buffers (e.g. 2GB); the server's default (128MB) when not given")
    ap.add_argument("--build-dir", default=os.path.join(REPO, "build", "bench-rel"))
    ap.add_argument("--keep", action="store_true", help="leave the work directory and cluster")
    args = ap.parse_args()
    if args.quick:
        args.channels, args.updates, args.singles, args.one_client = 20_000, 10_240, 4_000, 5_120
        args.single_seconds, args.rounds = 10.0, 3
    binary = os.path.join(args.build_dir, "l2watch")
    if not os.access(binary, os.X_OK):
        raise SystemExit(f"{binary} missing: cmake --preset release -B {args.build_dir} && "
                         f"cmake --build {args.build_dir} -j2")
    ensure_crypto()
    init_constants()
    n_upd = min(args.updates, args.channels // 2)
    n_single = min(args.singles, args.channels // 4)
    rng = random.Random(6)

    print(f"machine: {os.cpu_count()} cores, {os.uname().machine}; load average at start "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; l2watch {binary}", flush=True)

    # States, signed before anything is timed.
    t0 = time.monotonic()
    order = list(range(args.channels))
    rng.shuffle(order)
    upd_nonces = order[:n_upd]
    single_nonces = order[n_upd:n_upd + n_single]
    held = {}
    with multiprocessing.Pool(os.cpu_count()) as pool:
        load = make_bodies(pool, [(n, 1) for n in range(args.channels)], True)
        upd = make_bodies(pool, [(n, 2) for n in upd_nonces], True)
        singles = make_bodies(pool, [(n, 2) for n in single_nonces], False)
        base = args.channels + 1_000_000
        one = make_bodies(pool, [(base + n, 1) for n in range(args.one_client)], True)
        sample = make_bodies(pool, [(n, 3) for n in upd_nonces[-20 * BATCH:]], True)
    print(f"signed {args.channels + n_upd + n_single + args.one_client} states in {time.monotonic() - t0:.0f} s "
          f"({len(load[0]) // 1024} KiB per 256-state request)", flush=True)

    workdir = tempfile.mkdtemp(prefix="l2w-bench-channels-")
    pgdir = tempfile.mkdtemp(prefix="l2w-bench-channels-pg-")
    pg = os.path.join(REPO, "scripts", "pg.sh")
    procs = []
    try:
        cluster = subprocess.run([pg, "start", pgdir], check=True, capture_output=True,
                                 text=True).stdout.strip().splitlines()[-1]
        # pg.sh makes a test cluster (fsync off); this one must be durable.
        # track_commit_timestamp: for timing the guard's transactions without logging.
        for setting in ("fsync = on", "synchronous_commit = on", "full_page_writes = on",
                        "track_commit_timestamp = on") + \
                ((f"shared_buffers = '{args.shared_buffers}'",) if args.shared_buffers else ()):
            psql(cluster, f"ALTER SYSTEM SET {setting}")
        subprocess.run([pg, "stop", pgdir], check=True, capture_output=True)
        cluster = subprocess.run([pg, "start", pgdir], check=True, capture_output=True,
                                 text=True).stdout.strip().splitlines()[-1]
        settings = {s: psql(cluster, f"SHOW {s}") for s in ("server_version", "fsync", "synchronous_commit",
                                                            "full_page_writes", "wal_sync_method", "shared_buffers",
                                                            "max_wal_size", "checkpoint_timeout",
                                                            "track_commit_timestamp")}
        print("postgresql: " + ", ".join(f"{k}={v}" for k, v in settings.items()), flush=True)
        if settings["fsync"] != "on" or settings["synchronous_commit"] != "on":
            raise SystemExit("the cluster is not durable")
        data = pg_data_dir(pgdir)
        print(f"disk: {fsync_rate(workdir)}", flush=True)
        with open(os.path.join(data, "postmaster.pid")) as f:
            postmaster = int(f.readline())
        pglog, _ = pg_server_log(pgdir)

        anvil, rpc_url = start_anvil(workdir)
        procs.append(anvil)
        tokens = [f"bench-client-token-{i}-0123456789" for i in range(max(args.connections, 16))]
        l2w, port, l2w_log = start_l2watch(binary, workdir, cluster, rpc_url, tokens)
        procs.append(l2w)
        cpu = Cpu(l2w.pid, postmaster, cluster)
        results = []

        r = run_phase("load", port, tokens[:args.connections], load, True, cpu, report_every=30,
                      total=args.channels)
        print_phase(r, "256 states a request")
        results.append(r)
        held_rows = int(psql(cluster, "SELECT count(*) FROM channel_states"))
        size = psql(cluster, "SELECT pg_size_pretty(pg_total_relation_size('channel_states'))")
        print(f"held: {held_rows} channels, channel_states {size}", flush=True)
        if r["accepted"] != args.channels or held_rows != args.channels:
            raise SystemExit("the load did not store every channel")
        for n in range(args.channels):
            held[n] = 1

        r = run_phase("batched updates at the full table", port, tokens[:args.connections], upd, True, cpu)
        print_phase(r, "256 states a request")
        results.append(r)
        if r["accepted"] != n_upd:
            raise SystemExit("not every update was accepted")
        for n in upd_nonces:
            held[n] = 2
        half = (len(singles) + 1) // 2
        for conns, part in ((4, singles[:half]), (16, singles[half:])):
            r = run_phase("single-state updates at the full table", port, tokens[:conns], part, False, cpu,
                          deadline_s=args.single_seconds)
            print_phase(r, "1 state a request")
            results.append(r)
        r = run_phase("new channels from one client at the full table", port, [tokens[0]] * args.connections, one,
                      True, cpu)
        print_phase(r, "256 states a request")
        results.append(r)

        # Breach check: channels never touched by the update phases, or touched (turn 2).
        free = [n for n in order[n_upd + n_single:]][:3000] + upd_nonces[:1000]
        rng.shuffle(free)
        steps, quiet, plans, counts = breach_phase(args, cluster, pglog, held, free, rng)
        print(f"--- breach check ({args.rounds} rounds per k; channel_states holds "
              f"{psql(cluster, 'SELECT count(*) FROM channel_states')} rows)")
        for k in (0, 1, 10, 100):
            s = steps[k]
            ms = [x[0] for x in s]
            print(f"k={k:3d} disputes in a block: guard step (server log) median {statistics.median(ms):.1f} ms, "
                  f"max {max(ms):.1f} ms (rounds {' '.join(f'{x:.0f}' for x in ms)}); server time in it "
                  f"{statistics.median(x[1] for x in s):.1f} ms, of which COMMIT "
                  f"{statistics.median(x[2] for x in s):.1f} ms; {statistics.median(x[3] for x in s):.0f} statements")
            if k:
                q = quiet[k]
                print(f"        judge transaction without logging (BEGIN to COMMIT): median "
                      f"{statistics.median(q):.1f} ms, max {max(q):.1f} ms")
            print(f"        pending query alone (EXPLAIN ANALYZE, {k} pending): {plans[k]['exec_ms']:.3f} ms; "
                  f"plan: {' > '.join(plans[k]['nodes'])}")
        print(f"dispute check_status counts (status, rows): {counts.replace(chr(10), '; ')}")
        recs = [rec for x in steps[100] for rec in x[4]]
        print(f"--- server time per dispute in the guard's steps at k=100, by statement (all {args.rounds} rounds, "
              f"every statement logged)")
        for ms, n, key in statement_costs(recs, 100 * args.rounds)[:12]:
            print(f"  {ms * 1000:7.1f} us  {n:6d} runs  {key}")
        states, costs = intake_breakdown(cluster, pglog, port, tokens[0], sample)
        print(f"--- server time per state in the intake, by statement ({states} states in batches of 256, "
              f"one connection, every statement logged)")
        for ms, n, key in costs[:8]:
            print(f"  {ms * 1000:7.1f} us  {n:6d} runs  {key}")
        print(f"  {sum(c[0] for c in costs) * 1000:7.1f} us in all")
        print(f"load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print("pending query plan at k=100:")
        print(plans[100]["text"])
        print(f"l2watch log: {l2w_log}" if args.keep else "", flush=True)
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(30)
                except subprocess.TimeoutExpired:
                    p.kill()
        if not args.keep:
            subprocess.run([pg, "stop", pgdir], capture_output=True)
            shutil.rmtree(pgdir, ignore_errors=True)
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"work directory {workdir}, cluster {pgdir} (scripts/pg.sh stop {pgdir})")


if __name__ == "__main__":
    main()
