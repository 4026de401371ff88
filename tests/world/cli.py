"""Command line for the local test world (run from the repository root):

    python3 -m tests.world.cli up      --dir DIR [--submission-interval N] [--l2-block-time S] [--bridges]
    python3 -m tests.world.cli propose --dir DIR [--kind honest|wrong|ahead] [--count N] [--root 0x..] [--brief]
    python3 -m tests.world.cli status  --dir DIR
    python3 -m tests.world.cli down    --dir DIR
    python3 -m tests.world.cli deposit --dir DIR --eth AMOUNT_WEI [--via portal|bridge]
    python3 -m tests.world.cli forge-withdrawal --dir DIR [--value WEI]
    python3 -m tests.world.cli paused  --dir DIR
    python3 -m tests.world.cli channels --dir DIR

`up` leaves the two anvil nodes running in the background and writes DIR/world.json;
`propose` prints one JSON object per proposal; `down` kills the nodes.

The bridge commands need a world brought up with `up --bridges` (World(bridges=True)
plus bridges.install_op_bridge: the OP Stack standard bridge on both chains, its
addresses in world.json). The install changes L2 state with anvil cheats, which
leave the blocks they touch unprovable against their headers, so `up --bridges`
then proposes honest outputs past the install and prints the L1 block a watcher
should start from. `deposit` sends ETH from `user` into the OptimismPortal,
directly (--via portal) or through the L1StandardBridge (--via bridge, the default),
first mining empty L2 blocks until the head is one no output can be proposed for
(the L2 credit is a cheat too), and prints one JSON object: the deposit, its L1
block, the Portal's balance after it.
`forge-withdrawal` is the proposer-key attack of bridges.forge_withdrawal: a
withdrawal never sent on L2, paying `attacker` --value wei (default: all the ETH
the Portal holds), proven against a forged output root; it prints one JSON object
(withdrawal_hash, prove_tx, prove_block, forged_output_root, ...). `paused` prints
true or false: OptimismPortal.paused(), i.e. the SuperchainConfig circuit breaker.
`channels` deploys the two state channel adjudicators on L1 (Vector's
ChannelMastercopy + ChannelFactory, Nitro's NitroAdjudicator + CountingApp, from
tools/npm/vendor; see tests/world/channels.py) into a running world and opens
one funded channel of each between `alice` and `bob` (anvil accounts 7 and 8;
`tower` is 9), unless world.json already records them; it prints one JSON object
(contracts, accounts, vector, nitro).
"""
import argparse
import json
import sys
import time

from . import bridges, channels
from .world import World, WorldError

# What `up --bridges` adds to world.json; a running world without them has no bridge.
BRIDGE_CONTRACTS = ("OptimismPortalProxy", "L1StandardBridgeProxy", "SuperchainConfigProxy", "L2StandardBridge")


def _up(args):
    try:
        w = World.attach(args.dir)
        if w.is_running():
            if args.bridges and not all(k in w.info["contracts"] for k in BRIDGE_CONTRACTS):
                raise WorldError(f"the world already up in {w.dir} has no bridges; stop it "
                                 f"(`python3 -m tests.world.cli down --dir {args.dir}`) and run `up --bridges` again")
            print(f"world already up in {w.dir} (L1 {w.info['l1']['rpc_url']}, L2 {w.info['l2']['rpc_url']})")
            return 0
        w.stop()  # stale world.json from a world that is gone
    except WorldError:
        pass
    w = World(args.dir, submission_interval=args.submission_interval, l1_block_time=args.l1_block_time,
              l2_block_time=args.l2_block_time, detach=True, bridges=args.bridges)
    w.start()
    settled = None
    if args.bridges:
        try:
            bridges.install_op_bridge(w)
            settled = _settle_install(w)
        except BaseException:
            w.stop()
            raise
    c = w.info["contracts"]
    print(f"world up in {w.info['startup_seconds']}s: L1 {w.info['l1']['rpc_url']} (chain {w.info['l1']['chain_id']}), "
          f"L2 {w.info['l2']['rpc_url']} (chain {w.info['l2']['chain_id']}), "
          f"L2OutputOracle {c['L2OutputOracleProxy']}; details in {w.dir}/world.json")
    if args.bridges:
        print(f"bridges: OptimismPortal {c['OptimismPortalProxy']}, L1StandardBridge {c['L1StandardBridgeProxy']}, "
              f"SuperchainConfig {c['SuperchainConfigProxy']} (guardian {w.info['accounts']['guardian']['address']})")
        print(f"honest outputs #{settled[0]['index']}..#{settled[-1]['index']} proposed through L2 block "
              f"{settled[-1]['l2_block']} (past the bridge install) by L1 block {settled[-1]['l1_block']}; "
              f"watch from L1 block {settled[-1]['l1_block'] + 1}")
    return 0


# Anvil cheats (anvil_setCode, anvil_setStorageAt, anvil_setBalance) change the
# state of the L2 head block in place: eth_getProof at that block then answers
# for the changed state, which its header's stateRoot does not commit to, so an
# output for that block can never be checked. bridges.py uses them to install
# the L2 predeploys and to credit deposits on L2; the two helpers below keep
# such blocks out of what a watcher has to verify.

def _settle_install(w):
    """Honest proposals through the install's last L2 block, before anyone
    watches: the oracle's next output is then for a block after the install.
    A watcher should start after the L1 block of the last of them; this returns
    once the L1 head is past that block, so starting at the head is enough."""
    proposals = bridges.propose_honest_through(w, w.l2_head())
    last = proposals[-1]["l1_block"]
    if not w.l1_block_time:
        w.l1("evm_mine")  # automine: no block comes by itself
    wait = 10 + float(w.l1_block_time or 0)
    deadline = time.monotonic() + wait
    while w.l1_head() <= last:
        if time.monotonic() > deadline:
            raise WorldError(f"the L1 head did not pass block {last} (the last settling proposal) within {wait:g} s")
        time.sleep(0.05)
    return proposals


def _off_schedule(w):
    """Mines empty L2 blocks until the head is one the L2OutputOracle never takes
    an output for (outputs are for startingBlockNumber + k * submissionInterval,
    whatever is deleted), so a cheat on it touches no block an output commits to.
    Impossible with a submission interval of 1."""
    start, step = w.info["l2oo"]["starting_block_number"], w.submission_interval
    if step < 2:
        return
    while (w.l2_head() - start) % step == 0:
        w.mine_l2(1)


def _attach_running(dir):
    w = World.attach(dir)
    if not w.is_running():
        raise WorldError(f"the world recorded in {dir}/world.json is not running; "
                         f"`python3 -m tests.world.cli up --dir {dir}` starts a new one")
    return w


def _propose(args):
    w = _attach_running(args.dir)
    for _ in range(args.count):
        t0 = time.monotonic()
        if args.kind == "honest":
            p = w.propose_honest()
        elif args.kind == "wrong":
            p = w.propose_wrong(args.root)
        else:
            p = w.propose_ahead(args.root)
        p["kind"] = args.kind
        p["seconds"] = round(time.monotonic() - t0, 3)
        if args.brief:
            line = (f"{args.kind:6} proposal #{p['index']} for L2 block {p['l2_block']}: root {p['root']} "
                    f"(L1 block {p['l1_block']}, tx {p['tx_hash']})")
            if "correct_root" in p:
                line += f"; the correct root is {p['correct_root']}"
            if "l2_head" in p:
                line += f"; the L2 head is only {p['l2_head']}"
            print(line, flush=True)
        else:
            print(json.dumps(p, sort_keys=True), flush=True)
    return 0


def _status(args):
    try:
        w = _attach_running(args.dir)
    except WorldError as e:
        print(f"down: {e}")
        return 1
    print(f"up: L1 {w.info['l1']['rpc_url']} head {w.l1_head()}, L2 {w.info['l2']['rpc_url']} head {w.l2_head()}, "
          f"next output index {w.next_output_index()} for L2 block {w.next_block_number()}")
    return 0


def _attach_bridges(dir):
    w = _attach_running(dir)
    missing = [k for k in BRIDGE_CONTRACTS if k not in w.info["contracts"]]
    if missing:
        raise WorldError(f"the world in {dir} has no bridges ({', '.join(missing)} missing); "
                         f"it must be brought up with `python3 -m tests.world.cli up --bridges --dir {dir}`")
    return w


def _deposit(args):
    w = _attach_bridges(args.dir)
    if args.eth <= 0:
        raise WorldError("--eth must be a positive amount of wei")
    _off_schedule(w)  # the L2 credit is an anvil cheat on the head block
    d = bridges.deposit_eth(w, args.eth, via=args.via)
    d["portal_eth_balance"] = bridges.portal_eth_balance(w, d["l1_block"])
    print(json.dumps(d, sort_keys=True), flush=True)
    return 0


def _forge_withdrawal(args):
    w = _attach_bridges(args.dir)
    value = bridges.portal_eth_balance(w) if args.value is None else args.value
    if value < 0:
        raise WorldError("--value must not be negative")
    attacker = w.info["accounts"]["attacker"]["address"]
    f = bridges.forge_withdrawal(w, attacker, value)
    wd = f["withdrawal"]
    out = {"withdrawal_hash": f["withdrawal_hash"], "prove_tx": f["prove_tx"], "prove_block": f["prove_block"],
           "forged_output_root": f["forged_output_root"], "honest_output_root": f["honest_output_root"],
           "l2_output_index": f["l2_output_index"], "l2_block": f["l2_block"],
           "proposal_tx": f["proposal"]["tx_hash"], "proposal_l1_block": f["proposal"]["l1_block"],
           "sender": wd["sender"], "target": wd["target"], "value": wd["value"], "nonce": wd["nonce"],
           "gas_limit": wd["gas_limit"], "data": wd["data"]}
    print(json.dumps(out, sort_keys=True), flush=True)
    return 0


def _paused(args):
    w = _attach_bridges(args.dir)
    print("true" if bridges.portal_paused(w) else "false")
    return 0


def _channels(args):
    w = _attach_running(args.dir)
    channels.install_channels(w)
    opened = w.info.get("channels", {})
    vector = opened.get("vector") or [channels.open_vector_channel(w).info]
    nitro = opened.get("nitro") or [channels.open_nitro_channel(w).info]
    names = ("ChannelMastercopy", "ChannelFactory", "NitroAdjudicator", "CountingApp")
    out = {"contracts": {k: w.info["contracts"][k] for k in names},
           "accounts": {r: w.info["accounts"][r]["address"] for r in channels.CHANNEL_ROLES},
           "vector": vector[0], "nitro": nitro[0]}
    print(json.dumps(out, sort_keys=True), flush=True)
    return 0


def _down(args):
    try:
        w = World.attach(args.dir)
    except WorldError:
        print(f"no world in {args.dir}")
        return 0
    w.stop()
    print(f"world in {args.dir} stopped")
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python3 -m tests.world.cli", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    up = sub.add_parser("up", help="start the anvils and deploy the contracts (background)")
    up.add_argument("--submission-interval", type=int, default=2)
    up.add_argument("--l1-block-time", type=float, default=1)
    up.add_argument("--l2-block-time", type=float, default=None, help="default: automine")
    up.add_argument("--bridges", action="store_true",
                    help="also deploy the OP Stack standard bridge (L1 and L2 halves, test token pair)")
    pr = sub.add_parser("propose", help="post output proposals")
    pr.add_argument("--kind", choices=("honest", "wrong", "ahead"), default="honest")
    pr.add_argument("--count", type=int, default=1)
    pr.add_argument("--root", default=None, help="root for --kind wrong/ahead (default: random)")
    pr.add_argument("--brief", action="store_true", help="one human-readable line per proposal instead of JSON")
    sub.add_parser("status", help="is the world up")
    sub.add_parser("down", help="kill the anvils")
    de = sub.add_parser("deposit", help="deposit ETH from `user` into the OptimismPortal (needs up --bridges)")
    de.add_argument("--eth", type=int, required=True, metavar="AMOUNT_WEI")
    de.add_argument("--via", choices=("portal", "bridge"), default="bridge",
                    help="OptimismPortal.depositTransaction or L1StandardBridge.depositETH (default)")
    fw = sub.add_parser("forge-withdrawal", help="prove a withdrawal never sent on L2 against a forged output root")
    fw.add_argument("--value", type=int, default=None, metavar="WEI",
                    help="wei paid to `attacker` (default: the Portal's whole ETH balance)")
    sub.add_parser("paused", help="print OptimismPortal.paused(): true or false")
    sub.add_parser("channels", help="deploy the Vector and Nitro adjudicators and open one channel of each")
    for p in sub.choices.values():
        p.add_argument("--dir", required=True)
    args = ap.parse_args(argv)
    for name in ("l1_block_time", "l2_block_time"):
        v = getattr(args, name, None)
        if v is not None and float(v).is_integer():
            setattr(args, name, int(v))
    try:
        return {"up": _up, "propose": _propose, "status": _status, "down": _down, "deposit": _deposit,
                "forge-withdrawal": _forge_withdrawal, "paused": _paused, "channels": _channels}[args.cmd](args)
    except WorldError as e:
        print(f"world: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
