"""Fixtures for end-to-end tests: the local world (two anvil nodes with the
real OP Stack contracts), a webhook receiver, and l2watch configured for them."""
import json
import os
import tempfile

import pytest

from l2wtest import L2Watch, Webhook
from tests.world.world import World


@pytest.fixture
def workdir():
    d = tempfile.mkdtemp(prefix="l2w-e2e-")
    yield d


@pytest.fixture
def world(workdir):
    w = World(os.path.join(workdir, "world"))
    w.start()
    yield w
    w.stop()


@pytest.fixture
def webhook():
    hook = Webhook()
    yield hook
    hook.close()


def write_config(path, world, database_url, webhook_url, l2_rpc=None, l1_rpc=None, l1_extra="", extra=""):
    """l1_extra: YAML lines added to the l1 chain (indented 4 spaces), e.g. a
    txmgr section; extra: top-level YAML appended (signers, responses)."""
    info = world.info
    text = f"""
log_level: debug
database:
  url: "{database_url}"
web:
  listen: 127.0.0.1:0
alerts:
  max_backoff_ms: 2000
  webhooks:
    - name: test
      url: "{webhook_url}"
      timeout_ms: 3000
chains:
  - name: l1
    role: l1
    chain_id: {info['l1']['chain_id']}
    rpc: ["{l1_rpc or info['l1']['rpc_url']}"]
    poll_interval_ms: 200
    rpc_timeout_ms: 3000
    confirmations: 0
    start_block: 0
{l1_extra}  - name: op-local
    role: l2
    chain_id: {info['l2']['chain_id']}
    l1: l1
    rpc: ["{l2_rpc or info['l2']['rpc_url']}"]
    poll_interval_ms: 200
    rpc_timeout_ms: 3000
    l2_output_oracle: "{info['contracts']['L2OutputOracleProxy']}"
{extra}"""
    with open(path, "w") as f:
        f.write(text)
    return path


@pytest.fixture
def make_l2watch(workdir, world, database, webhook):
    started = []

    def make(**kw):
        cfg = write_config(os.path.join(workdir, "l2watch.yaml"), world, database.url, webhook.url, **kw)
        lw = L2Watch(cfg, os.path.join(workdir, "l2watch.log"))
        started.append(lw)
        return lw

    yield make
    for lw in started:
        if lw.proc and lw.proc.poll() is None:
            lw.stop()
