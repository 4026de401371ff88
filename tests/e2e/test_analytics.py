"""Analytics end to end (issue 9): a Chainlink-style feed (TestAggregator,
compiled with the npm solc) priced a lock/release bridge's ETH escrow on the
L1 anvil; a fresh round gives TVL in USD, while a stale, a non-positive and a
carried-over round are each refused, counted in
l2watch_price_reads_total and leave the TVL without USD. On the L2 anvil
every block's fees are summed and match what `cast receipt` says; the day
rows equal the sum of the block rows and the 1/7/30-day windows their sums;
a reorg unwinds the fee row of the abandoned block; a receipt missing
effectiveGasPrice stores nothing of its block until the node answers
properly. On the L1 the batcher's calldata and blob postings get their
costs from their receipts."""
import http.server
import json
import re
import threading
import time
import urllib.request
from decimal import Decimal

import pytest

from l2wtest import wait_until
from tests.world import altda
from tests.world.bridges import compile_contracts
from tests.world.world import _word, cast

ESCROW = "0x" + "e5" * 20
SOURCE = "0x" + "50" * 20
ETH = 10**18
PRICE_DECIMALS = 8
MAX_AGE = 600


def deploy_aggregator(w):
    admin = w.info["accounts"]["admin"]
    code = compile_contracts()["TestAggregator"]["bin"] + _word(PRICE_DECIMALS)
    tx = w.send(w.l1, admin["key"], None, code)
    return cast("to-check-sum-address", w.wait_receipt(w.l1, tx, "deploy TestAggregator")["contractAddress"])


def set_round(w, agg, round_id, answer, updated_at, answered_in_round):
    admin = w.info["accounts"]["admin"]
    tx = w.send(w.l1, admin["key"], agg, "setRound(uint80,int256,uint256,uint80)", round_id, str(answer),
                updated_at, answered_in_round)
    w.wait_receipt(w.l1, tx, "setRound")


def bridge_yaml(agg):
    return f"""bridges:
  - name: lr
    kind: lock-release
    chain: l1
    remote_chain: op-local
    escrow: "{ESCROW}"
    release_event: "Released(bytes32 indexed messageId, address indexed token, address indexed recipient, uint256 amount)"
    source_contract: "{SOURCE}"
    initiation_event: "BurnInitiated(bytes32 indexed messageId, address indexed token, address indexed from, address to, uint256 amount)"
    tokens:
      - symbol: ETH
    pause:
      method: none
      mode: off
prices:
  - token: ETH
    chain: l1
    aggregator: "{agg}"
    max_age_seconds: {MAX_AGE}
    poll_seconds: 1
analytics:
  tvl_interval_seconds: 1
"""


def price_rows(database):
    return database.rows("SELECT id, round_id::text, answer::text, decimals, status FROM price_samples ORDER BY id")


def tvl_after(database, price_id_floor):
    """TVL samples taken after price read price_id_floor (by their price or time)."""
    return database.rows("SELECT amount::text, price_status, coalesce(usd::text, ''), coalesce(price_id::text, '') "
                         "FROM tvl_samples WHERE sampled_at > (SELECT read_at FROM price_samples WHERE id = "
                         f"{price_id_floor}) ORDER BY id")


def metric(lw, name, **labels):
    """The value of the series name{labels} (in any label order), 0 when absent."""
    for line in lw.get("/metrics")[1].splitlines():
        m = re.fullmatch(r"([a-zA-Z0-9_:]+)(?:\{(.*)\})? (\S+)", line)
        if m and m.group(1) == name and dict(re.findall(r'(\w+)="([^"]*)"', m.group(2) or "")) == labels:
            return float(m.group(3))
    return 0.0


def test_price_feed_gives_usd_tvl_and_refuses_bad_rounds(world, database, make_l2watch):
    agg = deploy_aggregator(world)
    now = int(time.time())
    set_round(world, agg, 1, 3000_12345678, now, 1)
    world.l1("anvil_setBalance", ESCROW, hex(5 * ETH))
    lw = make_l2watch(extra=bridge_yaml(agg)).start()

    # Fresh: 5 ETH at 3000.12345678 USD is 15000.6172839, kept to the micro-dollar.
    fresh = wait_until(lambda: database.rows("SELECT amount::text, usd::text, price_id FROM tvl_samples "
                                             "WHERE price_status = 'fresh' ORDER BY id LIMIT 1"),
                       60, what="a TVL sample in USD")[0]
    assert fresh[0] == "5" and fresh[1] == "15000.617283", fresh
    used = database.rows(f"SELECT round_id::text, answer::text, decimals, status, encode(aggregator, 'hex') "
                         f"FROM price_samples WHERE id = {fresh[2]}")[0]
    assert used == ["1", "300012345678", "8", "fresh", agg[2:].lower()]

    # Each bad round: its verdict stored, counted, and no USD from it.
    cases = [("stale", (2, 3100_00000000, now - 3600, 2)),
             ("non_positive", (3, 0, int(time.time()), 3)),
             ("incomplete_round", (5, 3000_00000000, int(time.time()), 4))]
    for verdict, rnd in cases:
        before = metric(lw, "l2watch_price_reads_total", token="ETH", result=verdict)
        set_round(world, agg, *rnd)
        row = wait_until(lambda: [r for r in price_rows(database) if r[1] == str(rnd[0])], 30,
                         what=f"round {rnd[0]} to be read")[0]
        assert row[4] == verdict, (verdict, row)
        assert row[2] == str(rnd[1])
        wait_until(lambda: metric(lw, "l2watch_price_reads_total", token="ETH", result=verdict) > before, 10,
                   what=f"{verdict} to be counted")
        tvl = wait_until(lambda: [t for t in tvl_after(database, row[0]) if t[1] == verdict], 30,
                         what=f"a TVL sample judged {verdict}")
        assert all(t[2] == "" and t[3] == "" for t in tvl), tvl  # no USD, no price used
        assert tvl[0][0] == "5"
    assert "stale, not used" in lw.output()

    # Fresh again, and the escrow grown: 7 ETH at 2000 USD.
    world.l1("anvil_setBalance", ESCROW, hex(7 * ETH))
    set_round(world, agg, 6, 2000_00000000, int(time.time()), 6)
    wait_until(lambda: database.rows("SELECT 1 FROM tvl_samples WHERE price_status = 'fresh' AND usd = 14000"), 60,
               what="TVL at the new price and balance")
    assert metric(lw, "l2watch_tvl_usd", bridge="lr", token="ETH") == 14000
    assert metric(lw, "l2watch_price_usd", token="ETH") == 2000

    # The windows: now against a day ago (no sample then yet).
    win = database.rows("SELECT days, amount::text, usd::text, coalesce(previous_amount::text, '') "
                        "FROM tvl_windows() WHERE bridge = 'lr' ORDER BY days")
    assert [w[0] for w in win] == ["1", "7", "30"] and all(w[1:] == ["7", "14000", ""] for w in win), win
    lw.stop()


# ---- fees ----

class MangleProxy:
    """Forwards JSON-RPC to a node; while `mangle` is set, the first receipt
    of every non-empty eth_getBlockReceipts answer loses effectiveGasPrice."""

    def __init__(self, upstream):
        self.upstream = upstream
        self.mangle = False
        self.mangled = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                data = outer.forward(body)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def forward(self, body):
        req = urllib.request.Request(self.upstream, body, {"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            data = r.read()
        if not self.mangle:
            return data
        calls = json.loads(body)
        answers = json.loads(data)
        ids = {c["id"] for c in (calls if isinstance(calls, list) else [calls])
               if c.get("method") == "eth_getBlockReceipts"}
        for a in answers if isinstance(answers, list) else [answers]:
            if a.get("id") in ids and a.get("result"):
                a["result"][0].pop("effectiveGasPrice", None)
                self.mangled += 1
        return json.dumps(answers).encode()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


FEES_YAML = """analytics:
  fees:
    - chain: op-local
      start_block: 0
      blocks_per_pass: 5
  batch_costs:
    - chain: op-local
      batch_inbox: "{inbox}"
      batcher: "{batcher}"
      start_block: 0
"""


def expected_fees(w, number):
    """(txs, gas, sum of gasUsed x effectiveGasPrice) of an L2 block, from `cast receipt`."""
    block = w.l2("eth_getBlockByNumber", hex(number), False)
    gas = fee = 0
    for tx in block["transactions"]:
        r = json.loads(cast("receipt", "--rpc-url", w.l2.url, "--json", tx))
        gas += int(r["gasUsed"], 16)
        fee += int(r["gasUsed"], 16) * int(r["effectiveGasPrice"], 16)
    return len(block["transactions"]), gas, fee, block["hash"]


def fee_row(database, number):
    rows = database.rows(f"SELECT txs, gas_used, execution_fee::text, l1_fee::text, '0x' || encode(block_hash, 'hex') "
                         f"FROM fee_blocks WHERE chain = 'op-local' AND block_number = {number}")
    return rows[0] if rows else None


def send_l2(w, who, tip_gwei, value=1):
    acct = w.info["accounts"]["dev"][who]
    tx = cast("send", "--async", "--rpc-url", w.l2.url, "--private-key", acct["key"], "--gas-price", "100gwei",
              "--priority-gas-price", f"{tip_gwei}gwei", "0x" + "77" * 20, "--value", str(value)).splitlines()[-1].strip()
    return w.wait_receipt(w.l2, tx, "L2 transfer")


def days_match_blocks(database, table, days_table, cols):
    sums = ", ".join(f"sum({c})::text" for c in cols)
    by_blocks = database.rows(f"SELECT chain, analytics_utc_day(block_timestamp)::text, count(*), {sums} "
                              f"FROM {table} GROUP BY 1, 2 ORDER BY 1, 2")
    by_days = database.rows(f"SELECT chain, day::text, {'blocks' if table == 'fee_blocks' else 'txs'}, "
                            + ", ".join(f"{c}::text" for c in cols) + f" FROM {days_table} ORDER BY 1, 2")
    return by_blocks, by_days


def windows(database, metric_name):
    return database.rows("SELECT days, value::text, previous::text, coalesce(change_percent::text, '') "
                         f"FROM analytics_windows() WHERE chain = 'op-local' AND metric = '{metric_name}' "
                         "ORDER BY days")


def expected_windows(database, days_table, expr):
    """The 1/7/30-day windows ending today, summed here from the day rows."""
    rows = database.rows(f"SELECT (now() AT TIME ZONE 'UTC')::date - day, ({expr})::text FROM {days_table} "
                         "WHERE chain = 'op-local'")
    out = []
    for n in (1, 7, 30):
        cur = sum(int(v) for ago, v in rows if int(ago) < n)
        prev = sum(int(v) for ago, v in rows if n <= int(ago) < 2 * n)
        pct = "" if prev == 0 else str((Decimal(cur - prev) * 100 / prev).quantize(Decimal("0.01")))
        out.append([str(n), str(cur), str(prev), pct])
    return out


@pytest.fixture
def mangler(world):
    p = MangleProxy(world.info["l2"]["rpc_url"])
    yield p
    p.close()


def test_fees_per_block_day_windows_reorg_and_batch_costs(world, database, workdir, mangler, make_l2watch):
    batcher = world.info["accounts"][altda.BATCHER_ROLE]["address"]
    lw = make_l2watch(l2_rpc=mangler.url, l2_extra="    confirmations: 0\n",
                      extra=FEES_YAML.format(inbox=altda.BATCH_INBOX, batcher=batcher)).start()

    # Transfers at different tips, each its own block (automine), then two empty blocks.
    mined = [int(send_l2(world, i, tip)["blockNumber"], 16) for i, tip in ((1, 1), (2, 3), (3, 7))]
    head = world.mine_l2(2)
    wait_until(lambda: fee_row(database, head), 60, what="fees of the L2 head")
    for n in range(0, head + 1):
        txs, gas, fee, block_hash = expected_fees(world, n)
        assert fee_row(database, n) == [str(txs), str(gas), str(fee), "0", block_hash], n
    assert all(int(fee_row(database, n)[2]) > 0 for n in mined)

    # The day rows are the sums of the block rows; the windows sum the days.
    cols = ("txs", "gas_used", "execution_fee", "l1_fee")
    by_blocks, by_days = days_match_blocks(database, "fee_blocks", "fee_days", cols)
    assert by_blocks == by_days and by_days, (by_blocks, by_days)
    assert windows(database, "l2_fee_wei") == expected_windows(database, "fee_days", "execution_fee + l1_fee")

    # A reorg: the block of one transfer is replaced by a block with another.
    snap = world.l2("evm_snapshot")
    old = int(send_l2(world, 4, 2)["blockNumber"], 16)
    world.mine_l2(1)
    wait_until(lambda: fee_row(database, old + 1), 60, what="fees of the block to be abandoned")
    abandoned = fee_row(database, old)
    assert world.l2("evm_revert", snap)
    new = int(send_l2(world, 5, 11)["blockNumber"], 16)
    assert new == old
    head = world.mine_l2(2)
    _, _, fee, block_hash = expected_fees(world, new)
    wait_until(lambda: (r := fee_row(database, head)) and fee_row(database, new)[4] == block_hash, 60,
               what="the new branch's fees")
    assert fee_row(database, new)[2] == str(fee) and fee_row(database, new)[4] != abandoned[4]
    assert metric(lw, "l2watch_fee_blocks_unwound_total", chain="op-local") >= 1
    by_blocks, by_days = days_match_blocks(database, "fee_blocks", "fee_days", cols)
    assert by_blocks == by_days, (by_blocks, by_days)

    # A receipt without effectiveGasPrice: its block is refused whole, the
    # field named, until the node answers properly.
    mangler.mangle = True
    bad = int(send_l2(world, 6, 1)["blockNumber"], 16)
    world.mine_l2(1)
    wait_until(lambda: "field effectiveGasPrice" in lw.output(), 30, what="the refusal to be logged")
    line = next(ln for ln in lw.output().splitlines() if "field effectiveGasPrice" in ln)
    assert f"block {bad}" in line and "receipt 0" in line, line
    assert fee_row(database, bad) is None
    assert not database.rows(f"SELECT 1 FROM fee_blocks WHERE chain = 'op-local' AND block_number >= {bad}")
    mangler.mangle = False
    wait_until(lambda: fee_row(database, bad), 30, what="the block once answered properly")
    assert fee_row(database, bad)[2] == str(expected_fees(world, bad)[2])
    assert mangler.mangled > 0

    # Batch postings on the L1: calldata and a blob.
    data = bytes([0x00, 0x01]) + bytes(10) + bytes(range(1, 30))
    calldata = altda.post(world, "0x" + data.hex())
    blob = altda.post_blob(world, b"blob batch", workdir)
    rows = wait_until(lambda: (r := database.rows(
        "SELECT '0x' || encode(tx_hash, 'hex'), tx_type, calldata_bytes, calldata_zero_bytes, calldata_gas, "
        "calldata_fee::text, gas_used, effective_gas_price::text, fee::text, blobs, blob_gas_used, "
        "blob_gas_price::text, blob_fee::text FROM batch_costs WHERE chain = 'op-local' ORDER BY block_number, "
        "tx_index")) and len(r) >= 2 and r, 60, what="both postings' costs")
    assert len(rows) == 2
    by_tx = {r[0]: r for r in rows}
    for posted in (calldata, blob):
        r = json.loads(cast("receipt", "--rpc-url", world.l1.url, "--json", posted["tx"]))
        tx = world.l1("eth_getTransactionByHash", posted["tx"])
        row = by_tx[posted["tx"]]
        raw = bytes.fromhex(tx["input"][2:])
        zeros = raw.count(0)
        price = int(r["effectiveGasPrice"], 16)
        cd_gas = 4 * zeros + 16 * (len(raw) - zeros)
        assert row[2:9] == [str(len(raw)), str(zeros), str(cd_gas), str(cd_gas * price), str(int(r["gasUsed"], 16)),
                            str(price), str(int(r["gasUsed"], 16) * price)], row
        if posted is blob:
            assert row[1] == "3" and row[9:] == ["1", str(int(r["blobGasUsed"], 16)), str(int(r["blobGasPrice"], 16)),
                                                 str(int(r["blobGasUsed"], 16) * int(r["blobGasPrice"], 16))], row
            assert int(r["blobGasUsed"], 16) == 131072
        else:
            assert row[9:] == ["0", "0", "0", "0"], row
    cols = ("blobs", "calldata_bytes", "calldata_gas", "calldata_fee", "gas_used", "fee", "blob_gas_used", "blob_fee")
    by_blocks, by_days = days_match_blocks(database, "batch_costs", "batch_cost_days", cols)
    assert by_blocks == by_days and by_days, (by_blocks, by_days)
    assert windows(database, "batch_cost_wei") == expected_windows(database, "batch_cost_days", "fee + blob_fee")
    assert int(windows(database, "batch_cost_wei")[2][1]) == sum(int(r[8]) + int(r[12]) for r in rows)
    assert metric(lw, "l2watch_batch_cost_postings_total", chain="op-local") == 2

    # An L1 reorg takes the cost of a posting on the abandoned branch away
    # with its block (the follower's unwind), and its day with it.
    def cost_blocks():
        return {r[0]: r[1] for r in database.rows("SELECT '0x' || encode(tx_hash, 'hex'), '0x' || "
                                                  "encode(block_hash, 'hex') FROM batch_costs")}
    snap = world.l1("evm_snapshot")
    doomed = altda.post(world, "0x01" + "ab" * 40)
    doomed_block = world.l1("eth_getBlockByNumber", hex(doomed["block"]), False)["hash"]
    wait_until(lambda: cost_blocks().get(doomed["tx"]) == doomed_block, 60, what="the doomed posting's cost")
    assert world.l1("evm_revert", snap) is True
    world.l1("anvil_mine", hex(4))  # a longer branch
    wait_until(lambda: doomed_block not in cost_blocks().values(), 60, what="the abandoned posting's cost to go")
    kept = cost_blocks()
    assert kept.get(calldata["tx"]) and kept.get(blob["tx"]), kept
    if doomed["tx"] in kept:  # mined again on the new branch: stored with its new block
        assert kept[doomed["tx"]] == world.l1("eth_getTransactionReceipt", doomed["tx"])["blockHash"]
    by_blocks, by_days = days_match_blocks(database, "batch_costs", "batch_cost_days", cols)
    assert by_blocks == by_days, (by_blocks, by_days)
    lw.stop()

