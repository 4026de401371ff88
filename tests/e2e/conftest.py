"""Fixtures for end-to-end tests: the local world (two anvil nodes with the
real OP Stack contracts), a webhook receiver, and l2watch configured for them."""
import json
import os

import pytest

from l2wtest import L2Watch, Webhook
from tests.world.world import World


@pytest.fixture
def workdir(tmp_path):
    """The test's own directory (world state, configs, logs). pytest keeps
    those of its last three runs, for the logs of a failure, and deletes
    older ones; directories of our own under /tmp piled up by the thousand."""
    return str(tmp_path)


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


def _urls(given, default):
    """A YAML list of RPC URLs from one URL or a list (default: the world's node)."""
    urls = [default] if given is None else [given] if isinstance(given, str) else list(given)
    return "[" + ", ".join(f'"{u}"' for u in urls) + "]"


def write_config(path, world, database_url, webhook_url, l2_rpc=None, l1_rpc=None, l1_extra="", l2_extra="",
                 extra="", rpc_timeout_ms=3000, web_extra=""):
    """l1_rpc/l2_rpc: a URL or a list of URLs (default: the world's node);
    l1_extra/l2_extra: YAML lines added to that chain (indented 4 spaces),
    e.g. a txmgr section; extra: top-level YAML appended (signers, responses);
    web_extra: YAML lines under web: (indented 2 spaces), e.g. clients."""
    info = world.info
    text = f"""
log_level: debug
database:
  url: "{database_url}"
web:
  listen: 127.0.0.1:0
{web_extra}alerts:
  max_backoff_ms: 2000
  webhooks:
    - name: test
      url: "{webhook_url}"
      timeout_ms: 3000
chains:
  - name: l1
    role: l1
    chain_id: {info['l1']['chain_id']}
    rpc: {_urls(l1_rpc, info['l1']['rpc_url'])}
    poll_interval_ms: 200
    rpc_timeout_ms: {rpc_timeout_ms}
    confirmations: 0
    start_block: 0
{l1_extra}  - name: op-local
    role: l2
    chain_id: {info['l2']['chain_id']}
    l1: l1
    rpc: {_urls(l2_rpc, info['l2']['rpc_url'])}
    poll_interval_ms: 200
    rpc_timeout_ms: {rpc_timeout_ms}
    l2_output_oracle: "{info['contracts']['L2OutputOracleProxy']}"
{l2_extra}{extra}"""
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
