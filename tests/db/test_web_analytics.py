"""The analytics JSON API against a real PostgreSQL and real HTTP: fees and
batch costs (1, 7 and 30-day windows against the window before, day rows,
block rows and postings, each paged), TVL (the latest sample per bridge
token with its 1, 7 and 30-day changes, and the series) and prices (the
latest read of each feed with its verdict now).

The store is seeded directly with block rows, postings, TVL samples and
price reads; the day rows are the migration's triggers' work. Every figure
expected here is computed in Python from the rows inserted (never by the
SQL functions the routes call), as exact integers and decimals."""
import datetime as dt
import random
import time

from decimal import ROUND_HALF_UP, Decimal, localcontext

import pytest

from webalerts_util import config_head

DAY = 86400
NOW = int(time.time())
TODAY = dt.datetime.fromtimestamp(NOW, dt.timezone.utc).date()
AT = NOW - 10          # the time the TVL is asked at
BIG = 2 ** 53


def addr(last):
    return "0x" + "0" * (40 - len(last)) + last


WETH, USDC = addr("c0"), addr("a0")
ETH_FEED, USDC_FEED = addr("f1"), addr("f2")


def config_text(database_url):
    """Chains l1, op (an L2) and side; bridge lr on l1 (ETH, WETH) and lr-usd on side (USDC, 6 decimals);
    prices for ETH (by symbol) and USDC (by address, in upper case); fees of op and l1, batch costs of op."""
    lock_release = ('    release_event: "Released(bytes32 indexed messageId, address indexed token, address indexed'
                    ' recipient, uint256 amount)"\n'
                    '    initiation_event: "Burned(uint256 indexed nonce, address indexed token, address from,'
                    ' address to, uint256 value)"\n'
                    '    initiation_fields:\n      message_id: nonce\n')
    return config_head(database_url, addr('01')) + f"""  - name: side
    role: l1
    chain_id: 902
    rpc: ["http://127.0.0.1:9"]
bridges:
  - name: lr
    kind: lock-release
    chain: l1
    remote_chain: side
    escrow: "{addr('e0')}"
    source_contract: "{addr('50')}"
{lock_release}    tokens:
      - symbol: ETH
      - symbol: WETH
        address: "{WETH.upper().replace('0X', '0x')}"
        remote: "{addr('c1')}"
  - name: lr-usd
    kind: lock-release
    chain: side
    remote_chain: l1
    escrow: "{addr('e1')}"
    source_contract: "{addr('51')}"
{lock_release}    tokens:
      - symbol: USDC
        address: "{USDC}"
        remote: "{addr('a1')}"
        decimals: 6
prices:
  - token: ETH
    chain: l1
    aggregator: "{ETH_FEED.upper().replace('0X', '0x')}"
  - token: "{USDC.upper().replace('0X', '0x')}"
    chain: side
    aggregator: "{USDC_FEED}"
    max_age_seconds: 600
    poll_seconds: 30
analytics:
  fees:
    - chain: op
    - chain: l1
  batch_costs:
    - chain: op
      batch_inbox: "{addr('b1')}"
      batcher: "{addr('b2')}"
"""


@pytest.fixture
def serve(webalerts, tmp_path):
    def start(database_url):
        path = tmp_path / "analytics.yaml"
        path.write_text(config_text(database_url))
        return webalerts(name="analytics", config=str(path))

    return start


# ---- the seeded rows ----

def midnight(day):
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc).timestamp())


def utc_day(ts):
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc).date()


def millis(ts):
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def h32(n):
    return f"{n:064x}"


def make_fee_blocks():
    """Per chain, block rows spread over the last 65 days (several on some days, none on others), fees past
    2^53. A chain no analytics.fees entry names has rows too: never served."""
    rng = random.Random(9009)
    out = {}
    for chain, n_blocks, first in (("op", 90, 5_000_000), ("l1", 25, 100), ("gone", 5, 1)):
        agos = sorted((rng.choice([0, 0, 1, 2, 3, 6, 7, 8, 13, 14, 20, 29, 30, 31, 44, 59, 60, 65])
                       for _ in range(n_blocks)), reverse=True)
        rows, last_ts = [], {}
        for k, ago in enumerate(agos):
            day = TODAY - dt.timedelta(days=ago)
            ts = max(midnight(day) + rng.randrange(0, min(DAY, NOW - midnight(day) + 1)), last_ts.get(ago, 0))
            last_ts[ago] = ts
            txs = rng.randrange(0, 300)
            l1_fee_txs = rng.randrange(0, txs + 1)
            rows.append(dict(number=first + k, ts=ts, txs=txs, gas=rng.randrange(21_000, 30_000_000),
                             execution_fee=rng.randrange(10 ** 15, 10 ** 21),
                             l1_fee=rng.randrange(10 ** 14, 10 ** 20) if l1_fee_txs else 0, l1_fee_txs=l1_fee_txs))
        out[chain] = rows
    return out


def make_postings():
    """The batcher's postings of op on l1: one to three a block, calldata and blob postings; and a posting of
    a chain analytics.batch_costs does not name."""
    rng = random.Random(4242)
    rows = []
    block = 19_000_000
    for ago in sorted((rng.choice([0, 0, 1, 2, 5, 6, 7, 9, 15, 28, 29, 31, 40, 58, 61]) for _ in range(30)),
                      reverse=True):
        block += rng.randrange(1, 50)
        day = TODAY - dt.timedelta(days=ago)
        ts = midnight(day) + rng.randrange(0, min(DAY, NOW - midnight(day) + 1))
        for tx_index in sorted(rng.sample(range(0, 200), rng.choice([1, 1, 2, 3]))):
            blobs = rng.choice([0, 0, 1, 3, 6])
            size = rng.randrange(100, 120_000) if blobs == 0 else rng.randrange(0, 200)
            zeros = rng.randrange(0, size + 1)
            price = rng.randrange(10 ** 9, 2 * 10 ** 11)
            gas_used = 21_000 + 16 * (size - zeros) + 4 * zeros + rng.randrange(0, 5_000)
            blob_price = rng.randrange(1, 10 ** 13) if blobs else 0
            rows.append(dict(chain="op", block=block, ts=ts, tx_index=tx_index, tx_type=3 if blobs else 2,
                             bytes=size, zeros=zeros, calldata_gas=16 * (size - zeros) + 4 * zeros,
                             gas_used=gas_used, price=price, blobs=blobs, blob_gas=131_072 * blobs,
                             blob_price=blob_price))
    rows.append(dict(chain="zk", block=block + 1, ts=NOW - 60, tx_index=0, tx_type=2, bytes=10, zeros=0,
                     calldata_gas=160, gas_used=21_160, price=10 ** 9, blobs=0, blob_gas=0, blob_price=0))
    for r in rows:
        r["calldata_fee"] = r["calldata_gas"] * r["price"]
        r["fee"] = r["gas_used"] * r["price"]
        r["blob_fee"] = r["blob_gas"] * r["blob_price"]
    return rows


FEE_BLOCKS = make_fee_blocks()
POSTINGS = make_postings()


def seed_fees(db):
    values = []
    for chain, rows in FEE_BLOCKS.items():
        for r in rows:
            values.append(f"('{chain}', '\\x{h32(r['number'] + 1)}', {r['number']}, '\\x{h32(r['number'])}', "
                          f"{r['ts']}, {r['txs']}, {r['gas']}, {r['execution_fee']}, {r['l1_fee']}, "
                          f"{r['l1_fee_txs']})")
    db.rows("INSERT INTO fee_blocks (chain, block_hash, block_number, parent_hash, block_timestamp, txs, gas_used,"
            " execution_fee, l1_fee, l1_fee_txs) VALUES " + ", ".join(values))
    values = []
    for n, r in enumerate(POSTINGS):
        values.append(f"('{r['chain']}', 'l1', '\\x{h32(r['block'] + 7)}', {r['block']}, {r['ts']},"
                      f" '\\x{h32(0xABC000 + n)}', {r['tx_index']}, {r['tx_type']}, {r['bytes']}, {r['zeros']},"
                      f" {r['calldata_gas']}, {r['calldata_fee']}, {r['gas_used']}, {r['price']}, {r['fee']},"
                      f" {r['blobs']}, {r['blob_gas']}, {r['blob_price']}, {r['blob_fee']})")
    db.rows("INSERT INTO batch_costs (chain, l1_chain, block_hash, block_number, block_timestamp, tx_hash, tx_index,"
            " tx_type, calldata_bytes, calldata_zero_bytes, calldata_gas, calldata_fee, gas_used,"
            " effective_gas_price, fee, blobs, blob_gas_used, blob_gas_price, blob_fee) VALUES " + ", ".join(values))


# ---- what the fee and batch-cost figures must be ----

def fee_figures(r):
    return {"blocks": 1, "txs": r["txs"], "gas_used": r["gas"], "execution_fee_wei": r["execution_fee"],
            "l1_fee_wei": r["l1_fee"], "fee_wei": r["execution_fee"] + r["l1_fee"]}


def posting_figures(r):
    return {"txs": 1, "blobs": r["blobs"], "calldata_bytes": r["bytes"], "calldata_gas": r["calldata_gas"],
            "calldata_fee_wei": r["calldata_fee"], "gas_used": r["gas_used"], "fee_wei": r["fee"],
            "blob_gas_used": r["blob_gas"], "blob_fee_wei": r["blob_fee"], "cost_wei": r["fee"] + r["blob_fee"]}


def by_day(rows, figures):
    """{UTC day: {figure: sum}} of the rows."""
    days = {}
    for r in rows:
        d = days.setdefault(utc_day(r["ts"]), {})
        for k, v in figures(r).items():
            d[k] = d.get(k, 0) + v
    return days


def percent(change, previous):
    if previous == 0:
        return None
    with localcontext() as ctx:
        ctx.prec = 100
        return format((Decimal(change) * 100 / Decimal(previous)).quantize(Decimal("0.01"), ROUND_HALF_UP), "f")


def expected_windows(days, names, end):
    """The windows document of one chain: for 1, 7 and 30 days ending with end, each figure's sum, the sum of
    as many days before, the change and its percent."""
    out = []
    for n in (1, 7, 30):
        figures = {}
        for name in names:
            cur = sum(v.get(name, 0) for d, v in days.items() if end - dt.timedelta(days=n) < d <= end)
            prev = sum(v.get(name, 0) for d, v in days.items()
                       if end - dt.timedelta(days=2 * n) < d <= end - dt.timedelta(days=n))
            figures[name] = {"value": str(cur), "previous": str(prev), "change": str(cur - prev),
                             "change_percent": percent(cur - prev, prev)}
        out.append({"days": n, "first_day": str(end - dt.timedelta(days=n - 1)), "last_day": str(end),
                     "figures": figures})
    return out


FEE_NAMES = list(fee_figures(FEE_BLOCKS["op"][0]))
BATCH_NAMES = list(posting_figures(POSTINGS[0]))


def db_today(db):
    return dt.date.fromisoformat(db.rows("SELECT (now() AT TIME ZONE 'UTC')::date")[0][0])


def refused(w, target, status, param):
    """target answers status with an error naming param."""
    doc = w.get_json(target, expect=status)
    assert doc.get("param") == param and doc["code"] == ("not_found" if status == 404 else "bad_request"), \
        (target, doc)
    assert set(doc) == {"code", "message", "param"} and doc["message"], doc


def test_fee_and_batch_cost_windows(migrated, serve):
    db = migrated
    seed_fees(db)
    w = serve(db.url)
    fee_days = {c: by_day(rows, fee_figures) for c, rows in FEE_BLOCKS.items()}
    batch_days = by_day([r for r in POSTINGS if r["chain"] == "op"], posting_figures)
    for end in (TODAY, TODAY - dt.timedelta(days=9), TODAY - dt.timedelta(days=200)):
        doc = w.get_json(f"/api/v1/fees?end={end}")
        assert doc == {"end": str(end), "chains": [
            {"chain": "op", "windows": expected_windows(fee_days["op"], FEE_NAMES, end)},
            {"chain": "l1", "windows": expected_windows(fee_days["l1"], FEE_NAMES, end)}]}
        doc = w.get_json(f"/api/v1/batch-costs?end={end}")
        assert doc == {"end": str(end), "chains": [
            {"chain": "op", "windows": expected_windows(batch_days, BATCH_NAMES, end)}]}
    # The seeding spreads over both halves of every window: changes of both signs, sums past 2^53.
    figures = w.get_json(f"/api/v1/fees?chain=op&end={TODAY}")["chains"][0]["windows"][2]["figures"]
    assert int(figures["fee_wei"]["value"]) > BIG and int(figures["fee_wei"]["previous"]) > BIG
    changes = [f["change"] for c in (w.get_json(f"/api/v1/fees?end={TODAY}"),
                                     w.get_json(f"/api/v1/batch-costs?end={TODAY}"))
               for ch in c["chains"] for win in ch["windows"] for f in win["figures"].values()]
    assert any(c.startswith("-") for c in changes) and any(c not in ("0",) and c[0] != "-" for c in changes)

    # Without end: today as the database sees it.
    before = db_today(db)
    doc = w.get_json("/api/v1/fees?chain=l1")
    assert dt.date.fromisoformat(doc["end"]) in (before, db_today(db))
    end = dt.date.fromisoformat(doc["end"])
    assert doc["chains"] == [{"chain": "l1", "windows": expected_windows(fee_days["l1"], FEE_NAMES, end)}]

    # A chain without rows: zero everywhere, no percent. A chain with rows but no entry: refused.
    db.rows("DELETE FROM fee_blocks WHERE chain = 'l1'")
    zeros = {"value": "0", "previous": "0", "change": "0", "change_percent": None}
    for win in w.get_json(f"/api/v1/fees?chain=l1&end={TODAY}")["chains"][0]["windows"]:
        assert win["figures"] == {name: zeros for name in FEE_NAMES}
    refused(w, "/api/v1/fees?chain=gone", 404, "chain")
    refused(w, "/api/v1/batch-costs?chain=l1", 404, "chain")  # summed for fees, not costed for batches
    refused(w, "/api/v1/batch-costs?chain=zk", 404, "chain")
    for bad in ("2026-02-30", "20261122", "2026-11-22T00:00:00Z", "", "2026-1-22"):
        refused(w, f"/api/v1/fees?end={bad}", 400, "end")
    refused(w, "/api/v1/batch-costs?end=yesterday", 400, "end")


def collect(w, target, key, cursor_key, cursor_param):
    """Every page of target, following the cursor; returns the pages."""
    pages, cursor = [], ""
    while True:
        doc = w.get_json(target + cursor)
        pages.append(doc[key])
        assert len(pages) < 100
        if doc[cursor_key] is None:
            return pages
        cursor = f"&{cursor_param}={doc[cursor_key]}"


def test_fee_and_batch_cost_days_and_rows(migrated, serve):
    db = migrated
    seed_fees(db)
    w = serve(db.url)

    # Day rows, newest first, paged back with next_until.
    for chain in ("op", "l1"):
        days = by_day(FEE_BLOCKS[chain], fee_figures)
        want = [{"day": str(d), **{k: (str(v) if k.endswith("_wei") else v) for k, v in days[d].items()}}
                for d in sorted(days, reverse=True)]
        pages = collect(w, f"/api/v1/fees/daily?chain={chain}&limit=4", "days", "next_until", "until")
        assert [r for p in pages for r in p] == want
        assert all(len(p) == 4 for p in pages[:-1]) and 1 <= len(pages[-1]) <= 4
        assert w.get_json(f"/api/v1/fees/daily?chain={chain}&limit=1000") == \
            {"chain": chain, "days": want, "next_until": None}
    days = by_day(FEE_BLOCKS["op"], fee_figures)
    since, until = TODAY - dt.timedelta(days=30), TODAY - dt.timedelta(days=3)
    got = w.get_json(f"/api/v1/fees/daily?chain=op&since={since}&until={until}")["days"]
    assert [r["day"] for r in got] == [str(d) for d in sorted(days, reverse=True) if since <= d <= until]
    assert any(int(r["fee_wei"]) > BIG for r in got) and all(isinstance(r["fee_wei"], str) for r in got)
    # the default page: 30 days
    assert len(w.get_json("/api/v1/fees/daily?chain=op")["days"]) == min(30, len(days))

    bdays = by_day([r for r in POSTINGS if r["chain"] == "op"], posting_figures)
    want = [{"day": str(d), **{k: (str(v) if k.endswith("_wei") else v) for k, v in bdays[d].items()}}
            for d in sorted(bdays, reverse=True)]
    pages = collect(w, "/api/v1/batch-costs/daily?chain=op&limit=3", "days", "next_until", "until")
    assert [r for p in pages for r in p] == want and len(pages) > 2

    # Block rows, newest first, paged back by block number.
    for chain in ("op", "l1"):
        want = [{"block_number": r["number"], "block_hash": "0x" + h32(r["number"] + 1),
                 "parent_hash": "0x" + h32(r["number"]), "block_time": millis(r["ts"]), "txs": r["txs"],
                 "gas_used": r["gas"], "execution_fee_wei": str(r["execution_fee"]), "l1_fee_wei": str(r["l1_fee"]),
                 "l1_fee_txs": r["l1_fee_txs"], "fee_wei": str(r["execution_fee"] + r["l1_fee"])}
                for r in sorted(FEE_BLOCKS[chain], key=lambda r: -r["number"])]
        pages = collect(w, f"/api/v1/fees/blocks?chain={chain}&limit=13", "blocks", "next_before", "before")
        assert [r for p in pages for r in p] == want
        assert all(len(p) == 13 for p in pages[:-1])
        assert w.get_json(f"/api/v1/fees/blocks?chain={chain}")["blocks"] == want[:100]
    top = FEE_BLOCKS["op"][-1]["number"]
    assert [b["block_number"] for b in w.get_json(f"/api/v1/fees/blocks?chain=op&before={top - 3}&limit=2")
            ["blocks"]] == [top - 4, top - 5]

    # Postings: a page holds whole L1 blocks, so one may pass limit.
    mine = sorted((r for r in POSTINGS if r["chain"] == "op"), key=lambda r: (-r["block"], -r["tx_index"]))
    want = [{"l1_chain": "l1", "block_number": r["block"], "block_hash": "0x" + h32(r["block"] + 7),
             "block_time": millis(r["ts"]), "tx_hash": "0x" + h32(0xABC000 + POSTINGS.index(r)),
             "tx_index": r["tx_index"], "tx_type": r["tx_type"], "calldata_bytes": r["bytes"],
             "calldata_zero_bytes": r["zeros"], "calldata_gas": r["calldata_gas"],
             "calldata_fee_wei": str(r["calldata_fee"]), "gas_used": r["gas_used"],
             "effective_gas_price_wei": str(r["price"]), "fee_wei": str(r["fee"]), "blobs": r["blobs"],
             "blob_gas_used": r["blob_gas"], "blob_gas_price_wei": str(r["blob_price"]),
             "blob_fee_wei": str(r["blob_fee"]), "cost_wei": str(r["fee"] + r["blob_fee"])} for r in mine]
    assert any(int(p["blob_fee_wei"]) > BIG for p in want)
    for limit in (1, 2, 4, 1000):
        pages = collect(w, f"/api/v1/batch-costs/postings?chain=op&limit={limit}", "postings", "next_before",
                        "before")
        assert [r for p in pages for r in p] == want, limit
        blocks = [{r["block_number"] for r in p} for p in pages]
        assert all(not (a & b) for i, a in enumerate(blocks) for b in blocks[i + 1:]), "a block split over pages"
        for p in pages[:-1]:
            last = p[-1]["block_number"]
            assert len(p) >= limit and len([r for r in p if r["block_number"] != last]) < limit, (limit, p)
    assert any(len(p) > 2 for p in collect(w, "/api/v1/batch-costs/postings?chain=op&limit=2", "postings",
                                           "next_before", "before")), "no page passed its limit"

    # Refusals.
    for route in ("fees/daily", "fees/blocks", "batch-costs/daily", "batch-costs/postings"):
        refused(w, f"/api/v1/{route}", 400, "chain")
        refused(w, f"/api/v1/{route}?chain=gone", 404, "chain")
        refused(w, f"/api/v1/{route}?chain=op&limit=0", 400, "limit")
        refused(w, f"/api/v1/{route}?chain=op&limit=1001", 400, "limit")
        refused(w, f"/api/v1/{route}?chain=op&limit=01", 400, "limit")
    refused(w, "/api/v1/batch-costs/daily?chain=l1", 404, "chain")
    for route in ("fees/daily", "batch-costs/daily"):
        refused(w, f"/api/v1/{route}?chain=op&since=2026-02-29", 400, "since")
        refused(w, f"/api/v1/{route}?chain=op&until=2026-11-22T00:00:00Z", 400, "until")
    for route in ("fees/blocks", "batch-costs/postings"):
        for bad in ("0", "-1", "1.5", "x", "9223372036854775808"):
            refused(w, f"/api/v1/{route}?chain=op&before={bad}", 400, "before")


# ---- TVL ----

WEI = 10 ** 18


def tvl_samples():
    """(bridge, token, symbol, seconds before AT, balance, decimals, status, usd); a sample after AT, two in
    one second, a chain of samples without USD, and a bridge no longer configured."""
    rows = [("lr", "native", "ETH", ago, bal, 18, status, usd) for ago, bal, status, usd in [
        (40 * DAY + 5, 1000 * WEI, "fresh", "2000000.000000"),
        (31 * DAY, 1100 * WEI + 1, "fresh", "2310000.000002"),
        (8 * DAY + 60, 900 * WEI, "stale", None),
        (2 * DAY, 123456 * WEI + 789012345678901234, "fresh", "370370367.037036"),
        (DAY + 30, 120000 * WEI, "fresh", "360000000.000000"),
        (3600, 130000 * WEI + 5, "non_positive", None),
        (3600, 130001 * WEI, "fresh", "390003000.000000"),
        (60, 131000 * WEI, "fresh", "392999999.999999"),
        (-5, 1 * WEI, "fresh", "3000.000000")]]
    rows += [("lr", WETH, "WETH", ago, bal, 18, "unpriced", None)
             for ago, bal in [(9 * DAY, 5 * WEI), (DAY + 1, 7 * WEI), (100, 2 ** 70)]]
    rows += [("gone", "native", "ETH", 50, 1, 18, "unpriced", None)]
    return rows


TVL = tvl_samples()


def units(balance, decimals):
    whole, frac = divmod(balance, 10 ** decimals)
    return f"{whole}.{frac:0{decimals}d}"


def seed_tvl(db):
    values = []
    for n, (bridge, token, symbol, ago, balance, decimals, status, usd) in enumerate(TVL):
        values.append(f"(to_timestamp({AT - ago}), '{bridge}', '{token}', '{symbol}', 'l1', '\\x{h32(0x7000 + n)}',"
                      f" {1000 + n}, {balance}, {decimals}, {units(balance, decimals)}, '{status}',"
                      f" {usd if usd else 'NULL'})")
    db.rows("INSERT INTO tvl_samples (sampled_at, bridge, token, symbol, chain, block_hash, block_number, balance,"
            " decimals, amount, price_status, usd) VALUES " + ", ".join(values))
    # The ids, to say the order of the two samples of one second and to page by.
    ids = [int(r[0]) for r in db.rows("SELECT id FROM tvl_samples ORDER BY block_number")]
    return [dict(id=i, bridge=r[0], token=r[1], at=AT - r[3], block=1000 + n, hash="0x" + h32(0x7000 + n),
                 balance=r[4], amount=units(r[4], r[5]), status=r[6], usd=r[7])
            for n, (i, r) in enumerate(zip(ids, TVL))]


def sample_doc(s):
    return {"id": s["id"], "sampled_at": millis(s["at"]), "block_number": s["block"], "block_hash": s["hash"],
            "balance": str(s["balance"]), "amount": s["amount"], "usd": s["usd"], "price_status": s["status"]}


def dec(x):
    return None if x is None else Decimal(x)


def fmt(x):
    return None if x is None else format(x, "f")


def expected_tvl(samples, bridge, token, at):
    """The latest sample at or before at, and per window the latest one a window earlier."""
    mine = sorted((s for s in samples if s["bridge"] == bridge and s["token"] == token),
                  key=lambda s: (s["at"], s["id"]))
    upto = [s for s in mine if s["at"] <= at]
    if not upto:
        return None, []
    latest = upto[-1]
    changes = []
    with localcontext() as ctx:
        ctx.prec = 100
        for n in (1, 7, 30):
            before = [s for s in mine if s["at"] <= at - n * DAY]
            if not before:
                changes.append({"days": n, "previous_at": None, "previous_amount": None, "previous_usd": None,
                                "amount_change": None, "usd_change": None, "usd_change_percent": None})
                continue
            p = before[-1]
            usd_change = dec(latest["usd"]) - dec(p["usd"]) if latest["usd"] and p["usd"] else None
            pct = None
            if usd_change is not None and dec(p["usd"]) > 0:
                pct = fmt((usd_change * 100 / dec(p["usd"])).quantize(Decimal("0.01"), ROUND_HALF_UP))
            changes.append({"days": n, "previous_at": millis(p["at"]), "previous_amount": p["amount"],
                            "previous_usd": p["usd"], "amount_change": fmt(dec(latest["amount"]) - dec(p["amount"])),
                            "usd_change": fmt(usd_change), "usd_change_percent": pct})
    return sample_doc(latest), changes


def test_tvl(migrated, serve):
    db = migrated
    samples = seed_tvl(db)
    w = serve(db.url)
    tokens = [("lr", "l1", "native", "ETH", 18), ("lr", "l1", WETH, "WETH", 18), ("lr-usd", "side", USDC, "USDC", 6)]

    def want(at, only=None):
        out = []
        for bridge, chain, token, symbol, decimals in tokens:
            if only and bridge != only:
                continue
            latest, changes = expected_tvl(samples, bridge, token, at)
            out.append({"bridge": bridge, "chain": chain, "token": token, "symbol": symbol, "decimals": decimals,
                        "latest": latest, "changes": changes})
        return out

    at_text = dt.datetime.fromtimestamp(AT, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    doc = w.get_json(f"/api/v1/tvl?at={at_text}")
    assert doc == {"at": millis(AT), "tvl": want(AT)}
    eth = doc["tvl"][0]
    # Seconds apart from AT in the seeding: 1 day has USD at both ends, 7 days is the stale sample, 30 days
    # the sample 31 days back (the latest at or before the window's start).
    assert eth["latest"]["usd"] == "392999999.999999" and eth["changes"][0]["usd_change_percent"] is not None
    assert eth["changes"][1]["previous_usd"] is None and eth["changes"][1]["usd_change"] is None
    assert eth["changes"][2]["previous_amount"] == units(1100 * WEI + 1, 18)
    weth = doc["tvl"][1]
    assert weth["latest"]["usd"] is None and weth["latest"]["price_status"] == "unpriced"
    assert weth["latest"]["balance"] == str(2 ** 70) and int(weth["latest"]["balance"]) > BIG
    assert doc["tvl"][2]["latest"] is None and doc["tvl"][2]["changes"] == []

    # Now: the sample after AT is the latest.
    doc = w.get_json("/api/v1/tvl?bridge=lr")
    assert doc["tvl"][0]["latest"]["balance"] == str(WEI) and [t["token"] for t in doc["tvl"]] == ["native", WETH]
    # An offset is the same instant; before every sample, nothing is latest.
    shifted = dt.datetime.fromtimestamp(AT, dt.timezone(dt.timedelta(hours=2))).strftime("%Y-%m-%dT%H:%M:%S+02:00")
    assert w.get_json(f"/api/v1/tvl?at={shifted.replace('+', '%2B')}")["tvl"] == want(AT)
    assert w.get_json("/api/v1/tvl?bridge=lr-usd&at=2000-01-01T00:00:00Z")["tvl"] == want(946684800, "lr-usd")
    assert all(t["latest"] is None for t in w.get_json("/api/v1/tvl?at=2000-01-01T00:00:00Z")["tvl"])
    refused(w, "/api/v1/tvl?bridge=gone", 404, "bridge")
    for bad in ("yesterday", "2026-11-22", "2026-11-22T25:00:00Z", "2026-11-22T00:00:00"):
        refused(w, f"/api/v1/tvl?at={bad}", 400, "at")


def test_tvl_series(migrated, serve):
    db = migrated
    samples = seed_tvl(db)
    w = serve(db.url)
    eth = sorted((s for s in samples if s["bridge"] == "lr" and s["token"] == "native"),
                 key=lambda s: (s["at"], s["id"]))
    # The two samples of one second: paging must neither repeat nor lose one.
    assert eth[5]["at"] == eth[6]["at"]
    docs = [sample_doc(s) for s in eth]
    for limit in (1, 2, 3, 6, 1000):
        pages = collect(w, f"/api/v1/tvl/series?bridge=lr&token=ETH&limit={limit}", "samples", "next_after", "after")
        assert [s for p in pages for s in p] == docs, limit
        assert all(len(p) == limit for p in pages[:-1])
    head = w.get_json("/api/v1/tvl/series?bridge=lr&token=native")
    assert head == {"bridge": "lr", "token": "native", "symbol": "ETH", "decimals": 18, "samples": docs,
                    "next_after": None}
    since, until = AT - 8 * DAY - 60, AT - 3600
    iso = lambda t: dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.250Z")  # noqa: E731
    got = w.get_json(f"/api/v1/tvl/series?bridge=lr&token=ETH&since={iso(since)}&until={iso(until)}")["samples"]
    assert got == [d for s, d in zip(eth, docs) if since <= s["at"] < until]  # the fraction is dropped
    weth = w.get_json(f"/api/v1/tvl/series?bridge=lr&token={WETH.upper().replace('0X', '0x')}")
    assert [s["balance"] for s in weth["samples"]] == [str(5 * WEI), str(7 * WEI), str(2 ** 70)]
    assert weth["token"] == WETH and all(s["usd"] is None for s in weth["samples"])
    assert w.get_json("/api/v1/tvl/series?bridge=lr-usd")["samples"] == []  # its only token

    # A cursor whose sample a reorg removed: said, not an empty page.
    page = w.get_json("/api/v1/tvl/series?bridge=lr&token=ETH&limit=2")
    db.rows(f"DELETE FROM tvl_samples WHERE id = {page['next_after']}")
    refused(w, f"/api/v1/tvl/series?bridge=lr&token=ETH&after={page['next_after']}", 404, "after")
    refused(w, f"/api/v1/tvl/series?bridge=lr&token=WETH&after={eth[0]['id']}", 404, "after")  # another series

    refused(w, "/api/v1/tvl/series", 400, "bridge")
    refused(w, "/api/v1/tvl/series?bridge=gone&token=ETH", 404, "bridge")
    refused(w, "/api/v1/tvl/series?bridge=lr", 400, "token")  # two tokens: which one
    refused(w, "/api/v1/tvl/series?bridge=lr&token=DAI", 400, "token")
    refused(w, "/api/v1/tvl/series?bridge=lr&token=ETH&since=2026-11-22", 400, "since")
    refused(w, "/api/v1/tvl/series?bridge=lr&token=ETH&until=now", 400, "until")
    refused(w, "/api/v1/tvl/series?bridge=lr&token=ETH&after=0", 400, "after")
    refused(w, "/api/v1/tvl/series?bridge=lr&token=ETH&limit=1001", 400, "limit")


# ---- prices ----

def insert_read(db, token, feed, read_at, updated_at, answer, decimals, status, round_id=7):
    db.rows("INSERT INTO price_samples (token, chain, aggregator, block_number, block_hash, round_id, answer,"
            " decimals, started_at, updated_at, answered_in_round, read_at, age_s, status) VALUES"
            f" ('{token}', 'l1', '\\x{feed[2:]}', 77, '\\x{h32(round_id)}', {round_id}, {answer}, {decimals},"
            f" {max(updated_at - 5, 0)}, {updated_at}, {round_id}, to_timestamp({read_at}),"
            f" {max(read_at - updated_at, 0)}, '{status}')")
    return int(db.rows("SELECT max(id) FROM price_samples")[0][0])


def test_prices(migrated, serve):
    db = migrated
    w = serve(db.url)
    entries = [{"token": "ETH", "configured_as": "ETH", "chain": "l1", "aggregator": ETH_FEED,
                "max_age_seconds": 3600, "poll_seconds": 60},
               {"token": "USDC", "configured_as": USDC.upper().replace("0X", "0x"), "chain": "side",
                "aggregator": USDC_FEED, "max_age_seconds": 600, "poll_seconds": 30}]
    doc = w.get_json("/api/v1/prices")
    assert doc["prices"] == [dict(e, verdict="no_reading", age_seconds=None, latest=None) for e in entries]

    def read_doc(rid, read_at, updated_at, answer, decimals, status, price, round_id, feed):
        return {"id": rid, "read_at": millis(read_at), "chain": "l1", "aggregator": feed, "block_number": 77,
                "block_hash": "0x" + h32(round_id), "round_id": str(round_id), "answered_in_round": str(round_id),
                "answer": str(answer), "decimals": decimals, "price": price,
                "started_at": millis(updated_at - 5) if updated_at < 253402300800 else None,
                "updated_at": millis(updated_at) if updated_at < 253402300800 else None,
                "age_seconds": max(read_at - updated_at, 0), "status": status}

    big_round = 2 ** 64 * 3 + 17  # a uint80 round id, past 2^53
    insert_read(db, "ETH", ETH_FEED, NOW - 4000, NOW - 4100, 1, 8, "stale")  # older: not the latest
    eth = insert_read(db, "ETH", ETH_FEED, NOW - 30, NOW - 100, 301245000000, 8, "fresh", big_round)
    # Fresh when read, but its updatedAt is older than max_age_seconds by now: stale now.
    usdc = insert_read(db, "USDC", USDC_FEED, NOW - 20, NOW - 1000, 99990000, 8, "fresh")
    db.rows(f"INSERT INTO price_samples (token, chain, aggregator, block_number, block_hash, round_id, answer,"
            f" decimals, started_at, updated_at, answered_in_round, read_at, age_s, status)"
            f" VALUES ('DAI', 'l1', '\\x{addr('f9')[2:]}', 1, '\\x{h32(1)}', 1, 1, 8, 1, 1, 1, now(), 1, 'fresh')")
    doc = w.get_json("/api/v1/prices")
    since_now = int(time.time()) + 1 - NOW  # seconds since NOW, at most, when the server answered
    got = doc["prices"]
    assert [p["token"] for p in got] == ["ETH", "USDC"]  # DAI has reads, not an entry
    assert got[0]["latest"] == read_doc(eth, NOW - 30, NOW - 100, 301245000000, 8, "fresh", "3012.45", big_round,
                                        ETH_FEED)
    assert got[0]["verdict"] == "fresh" and 100 <= got[0]["age_seconds"] <= 100 + since_now
    assert got[1]["latest"] == read_doc(usdc, NOW - 20, NOW - 1000, 99990000, 8, "fresh", "0.9999", 7, USDC_FEED)
    assert got[1]["verdict"] == "stale" and 1000 <= got[1]["age_seconds"] <= 1000 + since_now
    assert {k: v for k, v in got[0].items() if k not in ("verdict", "age_seconds", "latest")} == entries[0]

    # A non-positive answer, with an updatedAt past year 9999: no time for it, its age 0.
    last = insert_read(db, "USDC", USDC_FEED, NOW, 2 ** 62, -5, 8, "non_positive", 9)
    got = w.get_json("/api/v1/prices")["prices"][1]
    assert got["verdict"] == "non_positive" and got["age_seconds"] == 0
    assert got["latest"] == read_doc(last, NOW, 2 ** 62, -5, 8, "non_positive", "-0.00000005", 9, USDC_FEED)
    insert_read(db, "ETH", ETH_FEED, NOW, NOW - 1, 7, 0, "incomplete_round", 10)
    got = w.get_json("/api/v1/prices")["prices"][0]
    assert got["verdict"] == "incomplete_round" and got["latest"]["price"] == "7"
