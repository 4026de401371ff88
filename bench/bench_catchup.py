#!/usr/bin/env python3
"""Catch-up throughput: l2watch resuming over a range full of OutputProposed
logs, against a plain curl loop of eth_getLogs over the same range on the
same node.

    python3 bench/bench_catchup.py [--proposals 10000] [--per-block 20] [--spacing 40]
                                   [--build-dir build/release] [--runs 3]
                                   [--provider | --provider-only] [--latency-ms 150] [--mbytes-per-s 10]

Sets up, on a throwaway PostgreSQL (scripts/pg.sh) and the test world's two
anvils, a small contract (compiled here with the npm solc in tools/npm) that
emits the L2OutputOracle's OutputProposed event, configured as the L2's
oracle: `proposals` events, `per-block` of them in every `spacing`-th block
(10 000 events in 500 blocks over 20 000 blocks by default). The real
oracle is not used for the load: its storage grows with every output, and
anvil copies the whole state for each block mined, so 20 000 blocks over
10 000 real outputs take minutes to make. The events are the same bytes;
their L2 blocks (10^9 and up) are beyond the L2 head, so the output checker
leaves them pending. Then, `runs` times each:

- plain: a bash loop of `curl` eth_getLogs calls (oracle address and
  OutputProposed topic, the same filter l2watch uses) over the range, each
  call as wide as the node allows (anvil has no limit, so one call), plus
  the same loop with 10 000- and 2 000-block calls for reference; answers
  discarded.
- l2watch (release build) with start_block at the range's first block on an
  empty database: from its "catching up" log line to the checkpoint reaching
  the head (log timestamps, ms), every log stored; once with
  log_range_blocks set to the node's limit (the whole range, as the plain
  loop's one call) and once with the default first span of 10 000 blocks.

Prints the figures and the ratios of l2watch to the plain loop with the
same span.

With --provider, everything is measured a second time behind a proxy that
makes anvil answer like a hosted provider seen over the internet (a model,
not a measurement of any provider): every request waits --latency-ms before
it is forwarded (the round trip and the provider's own work), and answers
leave at most --mbytes-per-s over all connections together. The proxy
imposes no range limit, so the plain loop still needs one call. Against
such a node the fetch, not l2watch's own work, sets the pace.
"""
import argparse
import http.client
import http.server
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)
import tests.world.world as world_module  # noqa: E402
from tests.world.world import World, keccak  # noqa: E402

OUTPUT_PROPOSED = keccak("0x" + b"OutputProposed(bytes32,uint256,uint256,uint256)".hex())
# See tests/e2e/test_catch_up.py: anvil_mine slows with every block under its
# defaults; these flags keep mining thousands of blocks cheap (no anvil_reorg here).
L1_ANVIL_FLAGS = "--hardfork shanghai --prune-history"


class ProviderProxy:
    """A JSON-RPC proxy in front of anvil that behaves like a remote provider:
    latency_ms before each request is forwarded, answers paced to
    mbytes_per_s over all connections together (one shared link). Bodies
    pass through as bytes, untouched."""

    CHUNK = 64 * 1024

    def __init__(self, upstream, latency_ms, mbytes_per_s):
        self.latency = latency_ms / 1000.0
        self.rate = mbytes_per_s * 1e6
        self.link_free_at = 0.0
        self.lock = threading.Lock()
        self.requests = 0
        target = urllib.parse.urlparse(upstream)
        outer = self
        local = threading.local()

        def upstream_connection():
            if getattr(local, "conn", None) is None:
                local.conn = http.client.HTTPConnection(target.hostname, target.port, timeout=120)
            return local.conn

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as a real provider

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with outer.lock:
                    outer.requests += 1
                time.sleep(outer.latency)
                conn = upstream_connection()
                try:
                    conn.request("POST", target.path or "/", body, {"Content-Type": "application/json"})
                    answer = conn.getresponse().read()
                except (http.client.HTTPException, OSError):
                    local.conn = None
                    raise
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                for at in range(0, len(answer), outer.CHUNK):
                    piece = answer[at:at + outer.CHUNK]
                    outer._pace(len(piece))
                    self.wfile.write(piece)

            def log_message(self, *args):
                pass

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                # l2watch stopped by the bench mid-answer is not the proxy's error.
                if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
                    super().handle_error(request, client_address)

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _pace(self, size):
        """Waits until the shared link has carried size more bytes."""
        with self.lock:
            start = max(time.monotonic(), self.link_free_at)
            self.link_free_at = start + size / self.rate
            done = self.link_free_at
        delay = done - time.monotonic()
        if delay > 0:
            time.sleep(delay)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def psql(url, sql):
    out = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-AtX", "-c", sql], check=True,
                         capture_output=True, text=True).stdout
    return out.strip()


EMITTER_SOURCE = """// SPDX-License-Identifier: MIT
pragma solidity 0.8.15;

/// Emits the L2OutputOracle's OutputProposed event without keeping state,
/// so a chain with many of them stays cheap to mine.
contract OutputProposedEmitter {
    event OutputProposed(bytes32 indexed outputRoot, uint256 indexed l2OutputIndex,
                         uint256 indexed l2BlockNumber, uint256 l1Timestamp);

    function emitMany(uint256 firstIndex, uint256 count) external {
        for (uint256 i = 0; i < count; i++) {
            uint256 index = firstIndex + i;
            emit OutputProposed(keccak256(abi.encode(index)), index, 1e9 + 2 * index, block.timestamp);
        }
    }
}
"""


def deploy_emitter(world, workdir):
    src = os.path.join(workdir, "OutputProposedEmitter.sol")
    with open(src, "w") as f:
        f.write(EMITTER_SOURCE)
    out = os.path.join(workdir, "solc-out")
    solcjs = os.path.join(world_module.NPM, "solc", "solc.js")
    subprocess.run(["node", solcjs, "--bin", "--optimize", "-o", out, src], check=True, cwd=workdir,
                   capture_output=True)
    code = open(os.path.join(out, "OutputProposedEmitter_sol_OutputProposedEmitter.bin")).read().strip()
    admin = world.info["accounts"]["admin"]
    tx = world.l1("eth_sendTransaction", {"from": admin["address"], "data": "0x" + code, "gas": hex(1_000_000)})
    return world.wait_receipt(world.l1, tx, what="deploy the emitter")["contractAddress"]


def make_proposals(world, emitter, proposals, per_block, spacing):
    """per_block events in one transaction (one block), spacing-1 empty
    blocks between. Returns the first and last block of the range."""
    l1 = world.l1
    sender = world.info["accounts"]["admin"]["address"]
    selector = world_module.cast("sig", "emitMany(uint256,uint256)")
    first = world.l1_head() + 1
    made = 0
    while made < proposals:
        count = min(per_block, proposals - made)
        data = selector + world_module._word(made) + world_module._word(count)
        l1("eth_sendTransaction", {"from": sender, "to": emitter, "data": data, "gas": hex(100_000 + 5_000 * count)})
        made += count
        if spacing > 1:
            l1("anvil_mine", hex(spacing - 1))
    last = world.l1_head()
    logs = l1("eth_getLogs", {"fromBlock": hex(first), "toBlock": hex(last), "address": emitter,
                              "topics": [OUTPUT_PROPOSED]})
    if len(logs) != proposals:
        raise SystemExit(f"expected {proposals} OutputProposed logs, the node has {len(logs)} (a reverted tx?)")
    return first, last


def plain_loop(url, oracle, first, last, chunk):
    """Seconds for a bash loop of curl eth_getLogs calls over first..last."""
    script = f"""
set -e
from={first}
while [ $from -le {last} ]; do
  to=$((from + {chunk} - 1)); [ $to -gt {last} ] && to={last}
  curl -sS -o /dev/null -H 'Content-Type: application/json' -X POST {url} \\
    -d "{{\\"jsonrpc\\":\\"2.0\\",\\"id\\":1,\\"method\\":\\"eth_getLogs\\",\\"params\\":[{{\\"fromBlock\\":\\"$(printf '0x%x' $from)\\",\\"toBlock\\":\\"$(printf '0x%x' $to)\\",\\"address\\":[\\"{oracle}\\"],\\"topics\\":[[\\"{OUTPUT_PROPOSED}\\"]]}}]}}"
  from=$((to + 1))
done
"""
    t0 = time.monotonic()
    subprocess.run(["bash", "-c", script], check=True)
    return time.monotonic() - t0


def log_time(line):
    m = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})Z", line)
    t = time.strptime(m.group(1)[:19], "%Y-%m-%dT%H:%M:%S")
    return time.mktime(t) + int(m.group(1)[20:23]) / 1000.0


def run_l2watch(binary, workdir, cluster_url, world, rpc_url, emitter, first, last, label, log_range, perf=None):
    """Seconds from l2watch's "catching up" line to its checkpoint at last,
    the logs and headers stored, the ranges refused, and the per-range
    milliseconds its DEBUG lines give (logs, headers, store, waited for)."""
    db = f"bench_catchup_{os.getpid()}_{label}"
    psql(cluster_url, f"CREATE DATABASE {db}")
    url = cluster_url.rsplit("/", 1)[0] + "/" + db
    info = world.info
    cfg = os.path.join(workdir, f"l2watch-{label}.yaml")
    with open(cfg, "w") as f:
        f.write(f"""log_level: debug
database:
  url: "{url}"
web:
  listen: 127.0.0.1:0
chains:
  - name: l1
    role: l1
    chain_id: {info['l1']['chain_id']}
    rpc: ["{rpc_url}"]
    confirmations: 0
    start_block: {first}
    log_range_blocks: {log_range}
    poll_interval_ms: 1000
  - name: op-local
    role: l2
    chain_id: {info['l2']['chain_id']}
    l1: l1
    rpc: ["{info['l2']['rpc_url']}"]
    l2_output_oracle: "{emitter}"
""")
    log_path = os.path.join(workdir, f"l2watch-{label}.log")
    with open(log_path, "wb") as log:
        cmd = [binary, "run", "-c", cfg]
        if perf:
            cmd = ["perf", "record", "-g", "-q", "-o", f"{perf}.{label}", "--"] + cmd
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 600
        while True:
            with open(log_path) as f:
                text = f.read()
            done = re.search(rf"^(\S+) DEBUG follower\[l1\] stored blocks \d+\.\.{last} with", text, re.M)
            if done:
                break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"l2watch did not reach {last}; see {log_path}")
            time.sleep(0.05)
    finally:
        proc.terminate()
        proc.wait(30)
    start = re.search(r"^(\S+) INFO follower\[l1\] catching up", text, re.M)
    if not start:
        raise SystemExit(f"no catch-up in {log_path}")
    stored = int(psql(url, "SELECT count(*) FROM logs"))
    headers = int(psql(url, "SELECT count(*) FROM blocks"))
    refusals = len(re.findall(r"refused: ", text))
    phases = [0.0, 0.0, 0.0, 0.0]
    # Builds before the pipeline print no "waited for": their stores overlapped nothing.
    ranges = re.findall(r"caught up \d+\.\.\d+: .*\(logs (\d+) ms, headers (\d+) ms, store (\d+) ms"
                        r"(?:, (\d+) ms of it waited for)?\)", text)
    for r in ranges:
        for i in range(4):
            phases[i] += float(r[i] or r[2])
    # The ranges end with the last "caught up" line; the last max_reorg_depth + 1
    # blocks are stored after it (read with the last range's headers).
    ranged = [m for m in re.finditer(r"^(\S+) DEBUG follower\[l1\] caught up ", text, re.M)]
    ranges_s = log_time(ranged[-1].group(0)) - log_time(start.group(0)) if ranged else 0.0
    return {"seconds": log_time(done.group(0)) - log_time(start.group(0)), "stored": stored, "headers": headers,
            "refusals": refusals, "ranges": len(ranges), "phases": phases, "ranges_s": ranges_s}


def measure(args, binary, workdir, cluster_url, world, rpc_url, emitter, first, last, name, title):
    """The plain loops and l2watch, args.runs times each, against rpc_url; prints the figures."""
    span = last - first + 1
    plain = {c: [] for c in (span, 10000, 2000)}
    # l2watch told the node's limit (log_range_blocks: this node takes the
    # whole range in one call, as the plain loop does), and with the
    # default first span of 10 000 blocks, paired with the 10 000-block loop.
    ours = {span: [], 10000: []}
    for run in range(args.runs):
        for chunk in plain:
            plain[chunk].append(plain_loop(rpc_url, emitter, first, last, chunk))
        for log_range in ours:
            ours[log_range].append(run_l2watch(binary, workdir, cluster_url, world, rpc_url, emitter, first, last,
                                               f"{name}_{run}_{log_range}", log_range, args.perf))
    print(f"--- {title}")
    for chunk, times in plain.items():
        label = "one call" if chunk == span else f"{chunk}-block calls"
        print(f"plain curl loop, {label}: best {min(times):.3f} s, runs {' '.join(f'{t:.3f}' for t in times)}")
    for log_range, results in ours.items():
        label = "one call" if log_range == span else f"{log_range}-block calls"
        for o in results:
            if o["stored"] != args.proposals:
                raise SystemExit(f"l2watch stored {o['stored']} logs, expected {args.proposals}")
        best = min(results, key=lambda o: o["seconds"])
        runs = " ".join(f"{o['seconds']:.3f}" for o in results)
        print(f"l2watch, log_range_blocks {log_range}: best {best['seconds']:.3f} s, runs {runs}; "
              f"{args.proposals} logs and proposals stored, {best['headers']} headers, {best['refusals']} refusals; "
              f"{args.proposals / best['seconds']:.0f} logs/s, {span / best['seconds']:.0f} blocks/s")
        for o in results:
            logs_ms, headers_ms, store_ms, waited_ms = o["phases"]
            print(f"  run {o['seconds']:.3f} s ({o['ranges_s']:.3f} s to the last range): "
                  f"{o['ranges']} ranges; logs {logs_ms:.0f} ms, headers {headers_ms:.0f} ms, "
                  f"store {store_ms:.0f} ms of which {waited_ms:.0f} ms not overlapped with fetching")
        print(f"ratio l2watch / plain ({label}): {best['seconds'] / min(plain[log_range]):.2f}", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--proposals", type=int, default=10000)
    ap.add_argument("--per-block", type=int, default=20)
    ap.add_argument("--spacing", type=int, default=40)
    ap.add_argument("--build-dir", default=os.path.join(REPO, "build", "release"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", action="store_true", help="leave the work directory")
    ap.add_argument("--perf", metavar="FILE", help="record l2watch with perf into FILE.<label>")
    ap.add_argument("--provider", action="store_true",
                    help="also measure behind a proxy with a provider's latency and bandwidth")
    ap.add_argument("--provider-only", action="store_true", help="measure only behind that proxy")
    ap.add_argument("--latency-ms", type=float, default=150.0)
    ap.add_argument("--mbytes-per-s", type=float, default=10.0)
    args = ap.parse_args()
    binary = os.path.join(args.build_dir, "l2watch")
    if not os.access(binary, os.X_OK):
        raise SystemExit(f"{binary} missing: cmake --preset release && cmake --build --preset release")

    workdir = tempfile.mkdtemp(prefix="l2w-bench-catchup-")
    pgdir = tempfile.mkdtemp(prefix="l2w-bench-pg-")
    pg = os.path.join(REPO, "scripts", "pg.sh")
    cluster_url = subprocess.run([pg, "start", pgdir], check=True, capture_output=True,
                                 text=True).stdout.strip().splitlines()[-1]
    world = World(os.path.join(workdir, "world"), l1_block_time=None, l1_anvil_args=L1_ANVIL_FLAGS.split())
    proxy = None
    try:
        world.start()
        t0 = time.monotonic()
        emitter = deploy_emitter(world, workdir)
        first, last = make_proposals(world, emitter, args.proposals, args.per_block, args.spacing)
        print(f"setup: {args.proposals} OutputProposed events in blocks {first}..{last} "
              f"({last - first + 1} blocks, {args.per_block} per block every {args.spacing}) "
              f"in {time.monotonic() - t0:.1f} s", flush=True)
        url = world.info["l1"]["rpc_url"]
        if not args.provider_only:
            measure(args, binary, workdir, cluster_url, world, url, emitter, first, last, "anvil", "anvil")
        if args.provider or args.provider_only:
            proxy = ProviderProxy(url, args.latency_ms, args.mbytes_per_s)
            measure(args, binary, workdir, cluster_url, world, proxy.url, emitter, first, last, "provider",
                    f"behind the provider proxy ({args.latency_ms:.0f} ms a request, {args.mbytes_per_s:g} MB/s)")
    finally:
        if proxy:
            proxy.close()
        world.stop()
        subprocess.run([pg, "stop", pgdir], capture_output=True)
        shutil.rmtree(pgdir, ignore_errors=True)
        if args.keep:
            print(f"work directory: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
