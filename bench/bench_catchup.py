#!/usr/bin/env python3
"""Catch-up throughput: l2watch resuming over a range full of OutputProposed
logs, against a plain curl loop of eth_getLogs over the same range on the
same node.

    python3 bench/bench_catchup.py [--proposals 10000] [--per-block 20] [--spacing 40]
                                   [--build-dir build/release] [--runs 3]

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
  the head (log timestamps, ms), every log stored.

Prints the figures and the ratio l2watch / plain.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)
import tests.world.world as world_module  # noqa: E402
from tests.world.world import World, keccak  # noqa: E402

OUTPUT_PROPOSED = keccak("0x" + b"OutputProposed(bytes32,uint256,uint256,uint256)".hex())
# See tests/e2e/test_catch_up.py: anvil_mine slows with every block under its
# defaults; these flags keep mining thousands of blocks cheap (no anvil_reorg here).
L1_ANVIL_FLAGS = "--hardfork shanghai --prune-history"


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


# The foreign keys that make facts cascade from blocks; PostgreSQL checks
# them row by row. --drop-foreign-keys (a diagnostic, never for real use)
# shows what they cost.
FOREIGN_KEYS = (("logs", "logs_chain_block_hash_fkey"),
                ("output_proposals", "output_proposals_l1_chain_block_hash_log_index_fkey"),
                ("output_proposals", "output_proposals_l2_chain_fkey"))


def run_l2watch(binary, workdir, cluster_url, world, emitter, first, last, run, perf=None, drop_fks=False):
    db = f"bench_catchup_{os.getpid()}_{run}_{int(drop_fks)}"
    psql(cluster_url, f"CREATE DATABASE {db}")
    url = cluster_url.rsplit("/", 1)[0] + "/" + db
    info = world.info
    cfg = os.path.join(workdir, f"l2watch-{run}.yaml")
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
    rpc: ["{info['l1']['rpc_url']}"]
    confirmations: 0
    start_block: {first}
    poll_interval_ms: 1000
  - name: op-local
    role: l2
    chain_id: {info['l2']['chain_id']}
    l1: l1
    rpc: ["{info['l2']['rpc_url']}"]
    l2_output_oracle: "{emitter}"
""")
    if drop_fks:
        subprocess.run([binary, "migrate", "-c", cfg], check=True, capture_output=True)
        for table, name in FOREIGN_KEYS:
            psql(url, f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    log_path = os.path.join(workdir, f"l2watch-{run}-{int(drop_fks)}.log")
    with open(log_path, "wb") as log:
        cmd = [binary, "run", "-c", cfg]
        if perf:
            cmd = ["perf", "record", "-g", "-q", "-o", f"{perf}.{run}", "--"] + cmd
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
    return log_time(done.group(0)) - log_time(start.group(0)), stored, headers, refusals


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--proposals", type=int, default=10000)
    ap.add_argument("--per-block", type=int, default=20)
    ap.add_argument("--spacing", type=int, default=40)
    ap.add_argument("--build-dir", default=os.path.join(REPO, "build", "release"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", action="store_true", help="leave the work directory")
    ap.add_argument("--perf", metavar="FILE", help="record l2watch with perf into FILE.<run>")
    ap.add_argument("--drop-foreign-keys", action="store_true",
                    help="diagnostic: also time l2watch on a schema without its foreign keys")
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
    try:
        world.start()
        t0 = time.monotonic()
        emitter = deploy_emitter(world, workdir)
        first, last = make_proposals(world, emitter, args.proposals, args.per_block, args.spacing)
        print(f"setup: {args.proposals} OutputProposed events in blocks {first}..{last} "
              f"({last - first + 1} blocks, {args.per_block} per block every {args.spacing}) "
              f"in {time.monotonic() - t0:.1f} s", flush=True)
        url = world.info["l1"]["rpc_url"]
        span = last - first + 1
        plain = {c: [] for c in (span, 10000, 2000)}
        ours = []
        no_fks = []
        for run in range(args.runs):
            for chunk in plain:
                plain[chunk].append(plain_loop(url, emitter, first, last, chunk))
            ours.append(run_l2watch(binary, workdir, cluster_url, world, emitter, first, last, run, args.perf))
            if args.drop_foreign_keys:
                no_fks.append(run_l2watch(binary, workdir, cluster_url, world, emitter, first, last, run,
                                          drop_fks=True))
        for chunk, times in plain.items():
            label = "one call" if chunk == span else f"{chunk}-block calls"
            print(f"plain curl loop, {label}: best {min(times):.3f} s, runs {' '.join(f'{t:.3f}' for t in times)}")
        best = min(t for t, _, _, _ in ours)
        for t, stored, headers, refusals in ours:
            if stored != args.proposals:
                raise SystemExit(f"l2watch stored {stored} logs, expected {args.proposals}")
        _, _, headers, refusals = ours[0]
        print(f"l2watch catch-up: best {best:.3f} s, runs {' '.join(f'{t:.3f}' for t, _, _, _ in ours)}; "
              f"{args.proposals} logs and proposals stored, {headers} headers, {refusals} refusals")
        print(f"l2watch: {args.proposals / best:.0f} logs/s, {span / best:.0f} blocks/s")
        if no_fks:
            print(f"l2watch without the foreign keys (diagnostic): best {min(t for t, _, _, _ in no_fks):.3f} s, "
                  f"runs {' '.join(f'{t:.3f}' for t, _, _, _ in no_fks)}")
        base = min(plain[span])
        print(f"ratio l2watch / plain (one call): {best / base:.2f}")
        print(f"ratio l2watch / plain (10000-block calls): {best / min(plain[10000]):.2f}")
    finally:
        world.stop()
        subprocess.run([pg, "stop", pgdir], capture_output=True)
        shutil.rmtree(pgdir, ignore_errors=True)
        if args.keep:
            print(f"work directory: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
