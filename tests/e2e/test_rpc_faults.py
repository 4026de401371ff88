"""Several endpoints per chain, the first ones misbehaving as hosted endpoints
do (stalls, 429, 500, cut-off and non-JSON answers, JSON-RPC errors, another
chain, a head 50 blocks behind): l2watch moves to a healthy endpoint, checks
every honest proposal without a finding, still finds the one wrong root
exactly once, and counts each fault against the endpoint that made it."""
import os
import re

import pytest

from faultproxy import FaultProxy
from l2wtest import L2Watch, run_cli, wait_until
from tests.e2e.conftest import write_config

# Hosted endpoints carry their API key in the path: it must never be shown.
KEY = "SECRETKEY0123456789"
CHAINS = ("l1", "op-local")


def write_faulty_config(path, world, database, webhook, l1_urls, l2_urls):
    """The e2e config with these endpoints and a 1 s request timeout, so a
    stalled endpoint costs a second, not three."""
    return write_config(path, world, database.url, webhook.url, l1_rpc=l1_urls, l2_rpc=l2_urls, rpc_timeout_ms=1000)


@pytest.fixture
def proxies(world):
    """Eight proxies per chain (the most a chain may have) in front of the
    world's anvils: {chain: [p0, ..., p7]}."""
    made = {"l1": [FaultProxy(world.info["l1"]["rpc_url"]) for _ in range(8)],
            "op-local": [FaultProxy(world.info["l2"]["rpc_url"]) for _ in range(8)]}
    yield made
    for ps in made.values():
        for p in ps:
            p.close()


@pytest.fixture
def launch(workdir, world, database, webhook):
    """launch(l1_urls, l2_urls) writes the config and starts l2watch; a test
    that fails half-way still gets it stopped before the proxies close."""
    started = []

    def go(l1_urls, l2_urls):
        path = write_faulty_config(os.path.join(workdir, "l2watch.yaml"), world, database, webhook, l1_urls, l2_urls)
        lw = L2Watch(path, os.path.join(workdir, "l2watch.log")).start()
        started.append(lw)
        return lw

    yield go
    for lw in started:
        if lw.proc and lw.proc.poll() is None:
            lw.stop()


def keyed(proxy):
    return f"{proxy.url}/v2/{KEY}"


def metrics(lw):
    """{(name, frozenset(labels)): value} from /metrics."""
    out = {}
    for line in lw.get("/metrics")[1].splitlines():
        m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\} (\S+)$', line)
        if m:
            labels = frozenset(re.findall(r'([a-z_]+)="([^"]*)"', m.group(2)))
            out[(m.group(1), labels)] = float(m.group(3))
    return out


def value(ms, name, **labels):
    want = set(labels.items())
    return sum(v for (n, ls), v in ms.items() if n == name and want <= ls)


def wait_counted(lw, faults, timeout=40):
    """faults: [(endpoint index, kind)], each to be counted at least once on both chains."""
    def missing():
        ms = metrics(lw)
        return [(c, i, k) for c in CHAINS for i, k in faults
                if value(ms, "l2watch_rpc_errors_total", chain=c, endpoint=f"{i}:127.0.0.1", kind=k) < 1]
    try:
        wait_until(lambda: not missing(), timeout, interval=0.3, what="faults to be counted")
    except AssertionError:
        raise AssertionError(f"after {timeout}s still not counted: {missing()}") from None


def set_modes(proxies, modes):
    """modes: {endpoint index: (mode, params)} applied on both chains."""
    for chain in CHAINS:
        for i, (mode, params) in modes.items():
            proxies[chain][i].set(mode, **params)


def checked(database):
    return int(database.rows("SELECT count(*) FROM output_proposals WHERE check_status <> 0")[0][0])


def propose_and_wait(world, database, n):
    before = checked(database)
    for _ in range(n):
        world.propose_honest()
    wait_until(lambda: checked(database) >= before + n, 45, what=f"{n} honest proposals to be checked")


def test_faults_rotate_endpoints_and_verdicts_stay_right(world, database, proxies, launch):
    # Heads high enough that "50 blocks behind" means something.
    world.l1("anvil_mine", hex(60))
    world.mine_l2(60)
    # Faulty endpoints first, each with its own fault; 6 and 7 are healthy.
    set_modes(proxies, {0: ("delay", {"seconds": 2.5}), 1: ("429", {}), 2: ("500", {}), 3: ("truncated", {}),
                        4: ("not_json", {}), 5: ("lag", {"blocks": 50})})
    lw = launch([keyed(p) for p in proxies["l1"]], [keyed(p) for p in proxies["op-local"]])
    propose_and_wait(world, database, 2)
    wait_counted(lw, [(0, "timeout"), (1, "rate_limited"), (2, "http_status"), (3, "transport"),
                      (4, "malformed"), (5, "head_lag")])

    # Cycle the faults one endpoint along; endpoint 4 comes back from its
    # outage serving another chain (its chain id is checked again on return),
    # and the endpoint in use (6) starts answering JSON-RPC errors: calls move to 7.
    set_modes(proxies, {0: ("429", {}), 1: ("500", {}), 2: ("truncated", {}), 3: ("delay", {"seconds": 2.5}),
                        4: ("chain_id", {"chain_id": 31337}), 6: ("rpc_error", {})})
    propose_and_wait(world, database, 2)
    wait_counted(lw, [(0, "rate_limited"), (1, "http_status"), (2, "transport"), (3, "timeout"),
                      (4, "wrong_chain"), (6, "rpc_error")], 60)
    assert all(proxies[c][4].injected["chain_id"] >= 1 and proxies[c][5].injected["lag"] >= 1 for c in CHAINS)

    propose_and_wait(world, database, 1)
    assert database.rows("SELECT count(*) FROM findings") == [["0"]]
    assert database.rows("SELECT count(*) FROM output_proposals WHERE check_status <> 1") == [["0"]]

    bad = world.propose_wrong()
    wait_until(lambda: checked(database) >= 6, 45, what="the wrong proposal's verdict")
    rows = database.rows("SELECT kind, evidence->>'output_index' FROM findings")
    assert rows == [["invalid_output_root", str(bad["index"])]]

    # Each kind is counted against the endpoint that made it, and nowhere else;
    # calls moved away from the lagging endpoint and from the failing one in use.
    ms = metrics(lw)
    made = {0: {"timeout", "rate_limited"}, 1: {"rate_limited", "http_status"}, 2: {"http_status", "transport"},
            3: {"transport", "timeout"}, 4: {"malformed", "wrong_chain"}, 5: {"head_lag"}, 6: {"rpc_error"},
            7: set()}
    kinds = {"timeout", "transport", "rate_limited", "http_status", "malformed", "oversize", "rpc_error",
             "wrong_chain", "head_lag"}
    for c in CHAINS:
        for i, expected in made.items():
            ep = f"{i}:127.0.0.1"
            for k in kinds:
                n = value(ms, "l2watch_rpc_errors_total", chain=c, endpoint=ep, kind=k)
                assert (n >= 1) == (k in expected), f"{c} endpoint {i} kind {k}: {n}"
            assert value(ms, "l2watch_rpc_requests_total", chain=c, endpoint=ep) >= 1
            assert value(ms, "l2watch_rpc_request_duration_seconds_count", chain=c, endpoint=ep) >= 1
        assert value(ms, "l2watch_rpc_rotations_total", chain=c, endpoint="6:127.0.0.1") >= 1, c
        assert value(ms, "l2watch_rpc_rotations_total", chain=c) >= 2, c

    out = lw.output()
    assert KEY not in out and KEY not in lw.get("/metrics")[1]
    for c, want in (("l1", 900), ("op-local", 901)):
        assert re.search(rf"UNUSUAL rpc\[{c}\] .*endpoint 4:127\.0\.0\.1 serves chain id 31337, "
                         rf"the config says {want}; skipping it", out), c
        assert re.search(rf"UNUSUAL rpc\[{c}\] endpoint 5:127\.0\.0\.1 lags", out), c
        assert re.search(rf"UNUSUAL rpc\[{c}\] switched from endpoint 6:127\.0\.0\.1 to 7:127\.0\.0\.1", out), c
    lw.stop()


def test_endpoint_of_another_chain_at_start_is_skipped(world, database, proxies, launch):
    for c in CHAINS:
        proxies[c][0].set("chain_id", chain_id=5)
    lw = launch([keyed(proxies["l1"][0]), keyed(proxies["l1"][1])],
                [keyed(proxies["op-local"][0]), keyed(proxies["op-local"][1])])
    propose_and_wait(world, database, 1)
    out = lw.output()
    for c, want in (("l1", 900), ("op-local", 901)):
        assert re.search(rf"UNUSUAL rpc\[{c}\] rpc {c} http://127\.0\.0\.1:{proxies[c][0].port}/\.\.\.: endpoint "
                         rf"0:127\.0\.0\.1 serves chain id 5, the config says {want}; skipping it", out), out
        # Asked its chain id, and nothing else after that.
        assert set(proxies[c][0].methods) == {"eth_chainId"}, proxies[c][0].methods
    assert database.rows("SELECT count(*) FROM findings") == [["0"]]
    assert KEY not in out
    lw.stop()


@pytest.mark.parametrize("n", [1, 2])
def test_no_endpoint_of_the_right_chain_stops_at_start(world, database, webhook, workdir, proxies, n):
    for p in proxies["l1"][:n]:
        p.set("chain_id", chain_id=5)
    path = write_faulty_config(os.path.join(workdir, "l2watch.yaml"), world, database, webhook,
                               [keyed(p) for p in proxies["l1"][:n]], [keyed(proxies["op-local"][0])])
    r = run_cli("run", "-c", path, timeout=60)
    assert r.returncode == 1, r
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith("l2watch: ") and "serves chain id 5, the config says 900" in last, r.stderr
    assert KEY not in r.stderr
    assert "BROKEN" not in r.stderr and "Sanitizer" not in r.stderr
