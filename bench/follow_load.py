#!/usr/bin/env python3
"""CPU and memory of l2watch (release build) following an L1 and three L2s,
each making 4 blocks a second, with an honest proposer posting to three
L2OutputOracles.

    python3 bench/follow_load.py [--seconds 60] [--warmup 15] [--build-dir build/release]
                                 [--submission-interval 40]

The world: the test world (tests/world/world.py) started with
--block-time 0.25 on both nodes gives the L1, the first L2 and its real
L2OutputOracle behind a real Proxy; two more L2 anvils (chain ids 902, 903)
are started the same way, and each gets its own L2OutputOracle + Proxy on
the one L1, deployed from the same contracts-bedrock artifacts. A proposer
thread posts the correct output root of every submission_interval-th L2
block (40 blocks = every 10 s per chain), so l2watch ingests real
OutputProposed logs and checks them with eth_getProof.

l2watch runs with the default poll intervals (1 s) on an empty database
started at the L1 head. After the warm-up, /proc/<pid>/stat (utime+stime)
and /proc/<pid>/status (VmRSS, VmHWM) are read at the start and the end of
the window; the CPU figure is the share of one core over the window.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)
from tests.world.world import (MESSAGE_PASSER, World, WorldError, _word,  # noqa: E402
                               output_root_v0)

BLOCK_TIME = 0.25
EXTRA_L2_CHAIN_IDS = (902, 903)


def deploy_oracle(world, l2, submission_interval):
    """An L2OutputOracle behind a Proxy on the world's L1 for the L2 node l2
    (an Rpc), initialised like the world's own. Returns the proxy address."""
    acc = world.info["accounts"]
    admin = acc["admin"]
    nonce = world.nonce(world.l1, admin["address"])
    impl_tx = world.send(world.l1, admin["key"], None, world.artifact("L2OutputOracle")["bytecode"]["object"],
                         nonce=nonce)
    proxy_tx = world.send(world.l1, admin["key"], None,
                          world.artifact("Proxy")["bytecode"]["object"] + _word(admin["address"]), nonce=nonce + 1)
    impl = world.wait_receipt(world.l1, impl_tx, what="deploy L2OutputOracle")["contractAddress"]
    proxy = world.wait_receipt(world.l1, proxy_tx, what="deploy Proxy")["contractAddress"]
    l1_head = world.l1("eth_getBlockByNumber", "latest", False)
    init = world.calldata("L2OutputOracle", "initialize(uint256,uint256,uint256,uint256,address,address,uint256)",
                          submission_interval, 1, int(l2("eth_blockNumber"), 16),
                          int(l1_head["timestamp"], 16) - 100_000, acc["proposer"]["address"],
                          acc["challenger"]["address"], 7 * 24 * 3600)
    tx = world.send(world.l1, admin["key"], proxy, "upgradeToAndCall(address,bytes)", impl, init,
                    nonce=world.nonce(world.l1, admin["address"]))
    world.wait_receipt(world.l1, tx, what="initialize L2OutputOracle")
    return proxy


class Proposer(threading.Thread):
    """Posts the right output root for every L2 block an oracle asks for, as
    soon as the L2 has it; one proposer key for all oracles, one at a time."""

    def __init__(self, world, chains):
        super().__init__(daemon=True)
        self.world = world
        self.chains = chains  # [(name, l2 Rpc, oracle address)]
        self.stop = threading.Event()
        self.posted = 0
        self.error = None

    def run(self):
        try:
            while not self.stop.is_set():
                for _name, l2, oracle in self.chains:
                    self.propose_if_due(l2, oracle)
                self.stop.wait(0.5)
        except WorldError as e:
            self.error = e

    def propose_if_due(self, l2, oracle):
        w = self.world
        target = int(w.call(w.l1, oracle, w.calldata("L2OutputOracle", "nextBlockNumber()")), 16)
        if int(l2("eth_blockNumber"), 16) < target:
            return
        block = l2("eth_getBlockByNumber", hex(target), False)
        proof = l2("eth_getProof", MESSAGE_PASSER, [], hex(target))
        root = output_root_v0(block["stateRoot"], proof["storageHash"], block["hash"])
        proposer = w.info["accounts"]["proposer"]
        anchor = w.l1("eth_getBlockByNumber", "latest", False)
        tx = w.send(w.l1, proposer["key"], oracle, "proposeL2Output(bytes32,uint256,bytes32,uint256)", root, target,
                    anchor["hash"], int(anchor["number"], 16), nonce=w.nonce(w.l1, proposer["address"]))
        w.wait_receipt(w.l1, tx, what=f"proposal for L2 block {target}")
        self.posted += 1


def proc_cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime


def proc_memory_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        text = f.read()
    return {k: int(re.search(rf"^{k}:\s+(\d+) kB", text, re.M).group(1)) for k in ("VmRSS", "VmHWM")}


def psql(url, sql):
    return subprocess.run(["psql", url, "-AtX", "-c", sql], check=True, capture_output=True, text=True).stdout.strip()


def write_config(path, db_url, world, chains):
    text = f"""log_level: info
database:
  url: "{db_url}"
web:
  listen: 127.0.0.1:0
chains:
  - name: l1
    role: l1
    chain_id: {world.info['l1']['chain_id']}
    rpc: ["{world.info['l1']['rpc_url']}"]
"""
    for name, l2, oracle, chain_id in chains:
        text += f"""  - name: {name}
    role: l2
    chain_id: {chain_id}
    l1: l1
    rpc: ["{l2.url}"]
    l2_output_oracle: "{oracle}"
"""
    with open(path, "w") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--warmup", type=float, default=15)
    ap.add_argument("--submission-interval", type=int, default=40)
    ap.add_argument("--build-dir", default=os.path.join(REPO, "build", "release"))
    args = ap.parse_args()
    binary = os.path.join(args.build_dir, "l2watch")
    if not os.access(binary, os.X_OK):
        raise SystemExit(f"{binary} missing: cmake --preset release && cmake --build --preset release")

    workdir = tempfile.mkdtemp(prefix="l2w-bench-load-")
    pgdir = tempfile.mkdtemp(prefix="l2w-bench-pg-")
    pg = os.path.join(REPO, "scripts", "pg.sh")
    db_url = subprocess.run([pg, "start", pgdir], check=True, capture_output=True,
                            text=True).stdout.strip().splitlines()[-1]
    world = World(os.path.join(workdir, "world"), submission_interval=args.submission_interval,
                  l1_block_time=BLOCK_TIME, l2_block_time=BLOCK_TIME)
    proc = proposer = None
    try:
        world.start()
        chains = [("op-a", world.l2, world.info["contracts"]["L2OutputOracleProxy"], world.info["l2"]["chain_id"])]
        for i, chain_id in enumerate(EXTRA_L2_CHAIN_IDS):
            node = world._start_anvil(f"l2-{chain_id}", chain_id, BLOCK_TIME)
            l2 = type(world.l2)(node["rpc_url"])
            code = world.artifact("L2ToL1MessagePasser")["deployedBytecode"]["object"]
            l2("anvil_setCode", MESSAGE_PASSER, code)
            chains.append((f"op-{'bc'[i]}", l2, deploy_oracle(world, l2, args.submission_interval), chain_id))
        proposer = Proposer(world, [(n, l2, o) for n, l2, o, _ in chains])
        proposer.start()

        cfg = os.path.join(workdir, "l2watch.yaml")
        write_config(cfg, db_url, world, chains)
        log_path = os.path.join(workdir, "l2watch.log")
        log = open(log_path, "wb")
        proc = subprocess.Popen([binary, "run", "-c", cfg], stdout=log, stderr=subprocess.STDOUT)
        time.sleep(args.warmup)
        if proc.poll() is not None:
            raise SystemExit(f"l2watch exited; see {log_path}")
        checked0 = int(psql(db_url, "SELECT count(*) FROM output_proposals WHERE check_status <> 0"))
        synced0 = int(psql(db_url, "SELECT synced_number FROM chains WHERE name = 'l1'") or 0)
        cpu0, t0 = proc_cpu_seconds(proc.pid), time.monotonic()
        mem_samples = []
        while time.monotonic() - t0 < args.seconds:
            time.sleep(1)
            mem_samples.append(proc_memory_kb(proc.pid)["VmRSS"])
        cpu1, t1 = proc_cpu_seconds(proc.pid), time.monotonic()
        mem = proc_memory_kb(proc.pid)
        checked1 = int(psql(db_url, "SELECT count(*) FROM output_proposals WHERE check_status <> 0"))
        synced1 = int(psql(db_url, "SELECT synced_number FROM chains WHERE name = 'l1'"))
        lag = int(world.l1_head()) - synced1
        threads = len(os.listdir(f"/proc/{proc.pid}/task"))
        findings = int(psql(db_url, "SELECT count(*) FROM findings"))
        window = t1 - t0
        print(f"window {window:.1f} s after {args.warmup:.0f} s warm-up; L1 + {len(chains)} L2s at "
              f"{1 / BLOCK_TIME:.0f} blocks/s each, proposals every {args.submission_interval} L2 blocks")
        print(f"l2watch CPU: {100 * (cpu1 - cpu0) / window:.2f}% of one core "
              f"({cpu1 - cpu0:.2f} s user+system over {window:.1f} s)")
        print(f"l2watch memory: VmRSS {mem['VmRSS'] / 1024:.1f} MB at the end "
              f"(min {min(mem_samples) / 1024:.1f}, max {max(mem_samples) / 1024:.1f} during the window), "
              f"VmHWM {mem['VmHWM'] / 1024:.1f} MB; {threads} threads")
        print(f"work done in the window: {synced1 - synced0} L1 blocks ingested (lag at the end {lag}), "
              f"{checked1 - checked0} output roots checked, {findings} findings; "
              f"the proposer posted {proposer.posted} in all")
        if proposer.error:
            print(f"proposer error: {proposer.error}")
    finally:
        if proposer:
            proposer.stop.set()
        if proc and proc.poll() is None:
            proc.terminate()
            proc.wait(30)
        world.stop()
        subprocess.run([pg, "stop", pgdir], capture_output=True)
        shutil.rmtree(pgdir, ignore_errors=True)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
