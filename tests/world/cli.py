"""Command line for the local test world (run from the repository root):

    python3 -m tests.world.cli up      --dir DIR [--submission-interval N] [--l2-block-time S]
    python3 -m tests.world.cli propose --dir DIR [--kind honest|wrong|ahead] [--count N] [--root 0x..] [--brief]
    python3 -m tests.world.cli status  --dir DIR
    python3 -m tests.world.cli down    --dir DIR

`up` leaves the two anvil nodes running in the background and writes DIR/world.json;
`propose` prints one JSON object per proposal; `down` kills the nodes.
"""
import argparse
import json
import sys
import time

from .world import World, WorldError


def _up(args):
    try:
        w = World.attach(args.dir)
        if w.is_running():
            print(f"world already up in {w.dir} (L1 {w.info['l1']['rpc_url']}, L2 {w.info['l2']['rpc_url']})")
            return 0
        w.stop()  # stale world.json from a world that is gone
    except WorldError:
        pass
    w = World(args.dir, submission_interval=args.submission_interval, l1_block_time=args.l1_block_time,
              l2_block_time=args.l2_block_time, detach=True)
    w.start()
    c = w.info["contracts"]
    print(f"world up in {w.info['startup_seconds']}s: L1 {w.info['l1']['rpc_url']} (chain {w.info['l1']['chain_id']}), "
          f"L2 {w.info['l2']['rpc_url']} (chain {w.info['l2']['chain_id']}), "
          f"L2OutputOracle {c['L2OutputOracleProxy']}; details in {w.dir}/world.json")
    return 0


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
    pr = sub.add_parser("propose", help="post output proposals")
    pr.add_argument("--kind", choices=("honest", "wrong", "ahead"), default="honest")
    pr.add_argument("--count", type=int, default=1)
    pr.add_argument("--root", default=None, help="root for --kind wrong/ahead (default: random)")
    pr.add_argument("--brief", action="store_true", help="one human-readable line per proposal instead of JSON")
    sub.add_parser("status", help="is the world up")
    sub.add_parser("down", help="kill the anvils")
    for p in sub.choices.values():
        p.add_argument("--dir", required=True)
    args = ap.parse_args(argv)
    for name in ("l1_block_time", "l2_block_time"):
        v = getattr(args, name, None)
        if v is not None and float(v).is_integer():
            setattr(args, name, int(v))
    try:
        return {"up": _up, "propose": _propose, "status": _status, "down": _down}[args.cmd](args)
    except WorldError as e:
        print(f"world: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
