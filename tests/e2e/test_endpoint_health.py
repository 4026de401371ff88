"""The endpoints' health on the API and the overview, from a real l2watch
following real anvils through proxies that fail on demand: the L1 has two
endpoints; while the first answers HTTP 500 the API shows it not healthy
(resting, or waiting for its chain check) with its fault, and the second
in use; once it answers again it is healthy again. A row of an endpoint no
longer configured is deleted, and the key in the URLs is never shown."""
import json
import os
import re

import pytest

from faultproxy import FaultProxy
from l2wtest import L2Watch, wait_until
from tests.e2e.conftest import write_config

KEY = "SECRETKEY0123456789"


@pytest.fixture
def proxies(world):
    made = [FaultProxy(world.info["l1"]["rpc_url"]) for _ in range(2)]
    yield made
    for p in made:
        p.close()


@pytest.fixture
def l2watch(workdir, world, database, webhook, proxies):
    urls = [f"{p.url}/v2/{KEY}?apikey={KEY}" for p in proxies]
    path = write_config(os.path.join(workdir, "l2watch.yaml"), world, database.url, webhook.url, l1_rpc=urls,
                        rpc_timeout_ms=1000, web_extra="  page_cache_ms: 0\n")
    lw = L2Watch(path, os.path.join(workdir, "l2watch.log")).start()
    yield lw
    if lw.proc and lw.proc.poll() is None:
        lw.stop()


def endpoints(lw, chain="l1"):
    status, body = lw.get("/api/v1/chains")
    assert status == 200 and KEY not in body
    return next(c for c in json.loads(body) if c["name"] == chain)["endpoints"]


def states(lw):
    return [(e["index"], e["state"], e["healthy"]) for e in endpoints(lw)]


def overview_summary(lw):
    body = lw.get("/")[1]
    assert KEY not in body
    row = re.search(r"<tr><td>l1</td>.*?</tr>", body, re.S).group(0)
    return re.search(r"(\d+ of \d+ healthy)", row).group(1)


def test_failing_endpoint_shown_unhealthy_then_healthy_again(l2watch, database, proxies):
    lw = l2watch
    # Both answer: 0 in use, 1 on standby once the probe has checked it.
    wait_until(lambda: states(lw) == [(0, "in_use", True), (1, "standby", True)], 30,
               interval=0.3, what="both endpoints healthy")
    eps = endpoints(lw)
    assert [e["label"] for e in eps] == ["0:127.0.0.1", "1:127.0.0.1"]
    assert all(e["requests"] >= 1 and e["last_fault"] is None and e["head_number"] is not None for e in eps)
    assert overview_summary(lw) == "2 of 2 healthy"
    # The L2 has its one endpoint, the world's node.
    assert [(e["index"], e["state"]) for e in endpoints(lw, "op-local")] == [(0, "in_use")]

    # A row left by an earlier config with more endpoints goes at the next store.
    database.rows("INSERT INTO chain_endpoints (chain, endpoint_index, label, state, score, requests, faults)"
                  " VALUES ('l1', 5, '5:gone.example', 'in_use', 1, 0, 0)")
    wait_until(lambda: [e["index"] for e in endpoints(lw)] == [0, 1], 15, interval=0.3,
               what="the row of an endpoint no longer configured to go")

    # 0 fails: shown not healthy with its fault, and 1 takes over.
    proxies[0].set("500")

    def failing_seen():
        eps = endpoints(lw)
        return (not eps[0]["healthy"] and eps[0]["state"] in ("resting", "unchecked")
                and eps[0]["last_fault"] == "http_status" and eps[1]["state"] == "in_use")

    wait_until(failing_seen, 30, interval=0.3, what="endpoint 0 shown failing, 1 in use")
    eps = endpoints(lw)
    assert eps[0]["faults"] >= 1 and eps[0]["score"] < 1 and eps[0]["last_fault_at"] is not None
    assert overview_summary(lw) == "1 of 2 healthy"
    assert proxies[0].injected["500"] >= 1

    # 0 answers again: back on standby, healthy, with its past fault on record.
    proxies[0].set("pass")
    wait_until(lambda: states(lw) == [(0, "standby", True), (1, "in_use", True)], 60, interval=0.3,
               what="endpoint 0 healthy again")
    eps = endpoints(lw)
    assert eps[0]["last_fault"] == "http_status" and eps[0]["resting_until"] is None
    assert overview_summary(lw) == "2 of 2 healthy"
    rows = database.rows("SELECT endpoint_index, label, state FROM chain_endpoints WHERE chain = 'l1'"
                         " ORDER BY endpoint_index")
    assert rows == [["0", "0:127.0.0.1", "standby"], ["1", "1:127.0.0.1", "in_use"]]
    assert KEY not in lw.output()
    lw.stop()
