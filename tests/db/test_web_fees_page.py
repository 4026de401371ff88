"""GET /fees against a real PostgreSQL: the 24 h / 7 d / 30 d windows (whole
UTC days ending yesterday, each against the days just before) and today so
far, the fees per day with their chart's data, the batchers' L1 costs per
day and the latest blocks. Rows are seeded into fee_blocks and batch_costs
(the day rows follow by their triggers); every expected figure is computed
here from the seeded rows with Python integers, and written as ETH with
exact decimals, as the page must."""
import datetime
import html.parser
import json
import re

from decimal import ROUND_HALF_UP, Decimal, localcontext

import pytest

from webalerts_util import config_head

E = 10 ** 18


def addr(last):
    return "0x" + "0" * 38 + last


def config_text(database_url, analytics=True):
    text = config_head(database_url, addr('01')) + f"""  - name: base
    role: l2
    chain_id: 8453
    l1: l1
    rpc: ["http://127.0.0.1:9"]
    l2_output_oracle: "{addr('02')}"
"""
    if analytics:
        text += f"""analytics:
  fees:
    - chain: op
    - chain: base
  batch_costs:
    - chain: op
      batch_inbox: "{addr('10')}"
      batcher: "{addr('11')}"
"""
    return text


@pytest.fixture
def serve(webalerts, tmp_path):
    def start(database_url, analytics=True, name="fees"):
        path = tmp_path / f"{name}.yaml"
        path.write_text(config_text(database_url, analytics))
        return webalerts(name=name, config=str(path))

    return start


# ---- seeding: days are counted back from today (UTC), 0 = today ----

def today():
    return datetime.datetime.now(datetime.timezone.utc).date()


def day_start(days_ago):
    d = today() - datetime.timedelta(days=days_ago)
    return int(datetime.datetime(d.year, d.month, d.day, tzinfo=datetime.timezone.utc).timestamp())


# (chain, days ago, seconds into the day, txs, gas, execution fee, l1 fee) per block. Amounts
# are large and odd so that a float anywhere would show; a window's two halves differ.
def fee_block_plan():
    plan = []
    for k in [0, 0, 1, 1, 1, 2, 5, 7, 8, 13, 14, 20, 29, 31, 45, 59, 60, 61]:
        for j in range(2 if k % 3 == 0 else 1):
            plan.append(("op", k, 600 + 3_000 * j + k, 3 + k % 5, 21_000 * (k + 1),
                         123_456_789_012_345_678 * (k + 2) + 7 * j + 1, 98_765_432_109_876 * (k % 4 + 1) + j))
    # base: fees only in the last days, so its longer windows have nothing before them.
    for k in [0, 1, 3]:
        plan.append(("base", k, 1_000, 2, 42_000, 5 * 10 ** 15 + k, 10 ** 12 * (k + 1)))
    return plan


# (days ago, calldata bytes, zero bytes, gas used, gas price, blobs, blob gas price) per posting of op's batcher.
BATCH_PLAN = [(0, 1200, 100, 150_000, 31_000_000_000, 0, 0), (1, 0, 0, 21_000, 27_000_000_123, 3, 1_000_000_007),
              (1, 800, 20, 90_000, 12_000_000_000, 0, 0), (6, 0, 0, 21_000, 9_000_000_000, 6, 2),
              (9, 5000, 4000, 400_000, 40_000_000_000, 0, 0), (40, 100, 0, 25_000, 1_000_000_000, 1, 5)]
BLOB_GAS = 131_072


def seed(db):
    blocks = {}
    rows = []
    for n, (chain, k, offset, txs, gas, execution, l1) in enumerate(fee_block_plan()):
        number = 5_000_000 + n
        rows.append(f"('{chain}', decode('{n + 1:064x}', 'hex'), {number}, decode('{n:064x}', 'hex'),"
                    f" {day_start(k) + offset}, {txs}, {gas}, {execution}, {l1}, {txs})")
        blocks[(chain, number)] = (k, day_start(k) + offset, txs, gas, execution, l1)
    db.rows("INSERT INTO fee_blocks (chain, block_hash, block_number, parent_hash, block_timestamp, txs, gas_used,"
            " execution_fee, l1_fee, l1_fee_txs) VALUES " + ", ".join(rows))
    postings = []
    rows = []
    for n, (k, size, zeros, gas, price, blobs, blob_price) in enumerate(BATCH_PLAN):
        calldata_gas = 16 * (size - zeros) + 4 * zeros
        blob_gas = blobs * BLOB_GAS
        postings.append({"k": k, "txs": 1, "blobs": blobs, "bytes": size, "cgas": calldata_gas, "fee": gas * price,
                         "blob_gas": blob_gas, "blob_fee": blob_gas * blob_price})
        rows.append(f"('op', 'l1', decode('{0xB0 + n:064x}', 'hex'), {19_000_000 + n}, {day_start(k) + 7_200},"
                    f" decode('{0xC0 + n:064x}', 'hex'), 0, {3 if blobs else 2}, {size}, {zeros}, {calldata_gas},"
                    f" {calldata_gas * price}, {gas}, {price}, {gas * price}, {blobs}, {blob_gas}, {blob_price},"
                    f" {blob_gas * blob_price})")
    db.rows("INSERT INTO batch_costs (chain, l1_chain, block_hash, block_number, block_timestamp, tx_hash, tx_index,"
            " tx_type, calldata_bytes, calldata_zero_bytes, calldata_gas, calldata_fee, gas_used,"
            " effective_gas_price, fee, blobs, blob_gas_used, blob_gas_price, blob_fee) VALUES " + ", ".join(rows))
    return blocks, postings


# ---- what the page must say ----

def eth(wei):
    sign = "-" if wei < 0 else ""
    whole, frac = divmod(abs(wei), E)
    frac = f"{frac:018d}".rstrip("0")
    return sign + (f"{whole}.{frac}" if frac else str(whole))


def percent(cur, prev):
    if prev == 0:
        return None
    with localcontext() as ctx:
        ctx.prec = 60
        return str((Decimal(cur - prev) * 100 / Decimal(prev)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def fee_days(blocks, chain):
    days = {}
    for (c, _), (k, _, txs, _, execution, l1) in blocks.items():
        if c == chain:
            d = days.setdefault(k, {"blocks": 0, "txs": 0, "execution": 0, "l1": 0})
            d["blocks"] += 1
            d["txs"] += txs
            d["execution"] += execution
            d["l1"] += l1
    return days


def batch_days(postings):
    days = {}
    for p in postings:
        d = days.setdefault(p["k"], {key: 0 for key in p if key != "k"})
        for key in d:
            d[key] += p[key]
    return days


def window(days, key, first, last):
    """The sum of key over the days first..last ago, inclusive."""
    return sum(v[key] for k, v in days.items() if first <= k <= last)


def total(d):
    return {k: {**v, "total": v.get("execution", 0) + v.get("l1", 0), "cost": v.get("fee", 0) + v.get("blob_fee", 0)}
            for k, v in d.items()}


class Tables(html.parser.HTMLParser):
    """Every table by id: rows of (tr attributes, [cell text], [cell title]);
    every chart figure's data block by the figure's id; every script
    element's attributes and every inline style attribute seen."""

    def __init__(self):
        super().__init__()
        self.tables, self.charts, self.scripts, self.styles = {}, {}, [], []
        self.table = self.row = self.cell = None
        self.figure = self.data = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "style" in a:
            self.styles.append(tag)
        if tag == "table":
            self.table = self.tables.setdefault(a.get("id"), [])
        elif tag == "tr" and self.table is not None:
            self.row = (a, [], [])
            self.table.append(self.row)
        elif tag in ("td", "th") and self.row is not None:
            self.cell = ""
            self.row[2].append(a.get("title"))
        elif tag == "br" and self.cell is not None:
            self.cell += " "
        elif tag == "figure":
            self.figure = a.get("id")
        elif tag == "script":
            self.scripts.append(a)
            if a.get("type") == "application/json":
                self.data = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.row[1].append(re.sub(r"\s+", " ", self.cell).strip())
            self.cell = None
        elif tag == "tr":
            self.row = None
        elif tag == "table":
            self.table = None
        elif tag == "script" and self.data is not None:
            self.charts[self.figure] = json.loads(self.data, parse_float=Decimal, parse_int=Decimal)
            self.data = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data
        if self.data is not None:
            self.data += data


def parse(page):
    p = Tables()
    p.feed(page)
    return p


def test_windows_and_today(migrated, serve):
    blocks, postings = seed(migrated)
    w = serve(migrated.url)
    status, headers, page = w.get("/fees")
    assert status == 200 and headers["content-type"].startswith("text/html")
    p = parse(page)
    # Scripts: the three static files and data blocks, nothing inline that runs; no inline style.
    assert [s["src"] for s in p.scripts if "src" in s] == ["/static/uplot.min.js", "/static/charts.js"]
    assert all(s.get("type") == "application/json" for s in p.scripts if "src" not in s)
    assert not p.styles
    rows = p.tables["fee-windows"][1:]
    assert [(r[0]["data-chain"], r[0]["data-window"]) for r in rows] == \
        [(c, str(d)) for c in ("op", "base") for d in (0, 1, 7, 30)]
    op_days = total(fee_days(blocks, "op"))
    base_days = total(fee_days(blocks, "base"))
    cost_days = total(batch_days(postings))
    seen_down = seen_up = seen_none = False
    for r in rows:
        chain, days = r[0]["data-chain"], int(r[0]["data-window"])
        cells = r[1][1:] if days == 0 else r[1]  # the chain's cell spans its four rows
        fd = op_days if chain == "op" else base_days
        label = {0: "today", 1: "24 h", 7: "7 d", 30: "30 d"}[days]
        assert cells[0] == label
        first, last = (0, 0) if days == 0 else (1, days)
        cur = {key: window(fd, key, first, last) for key in ("execution", "l1", "total")}
        assert cells[1:4] == [f"{eth(cur['execution'])} ETH", f"{eth(cur['l1'])} ETH", f"{eth(cur['total'])} ETH"], r
        if days == 0:
            assert cells[4] == "so far"
        else:
            prev = window(fd, "total", days + 1, 2 * days)
            assert cells[4] == f"{eth(prev)} ETH"
            pct = percent(cur["total"], prev)
            if pct is None:
                assert cells[5] == "\u2014"
                seen_none = True
            else:
                assert cells[5] == ("" if pct.startswith("-") else "+") + pct + "%", (chain, days)
                seen_down |= pct.startswith("-")
                seen_up |= not pct.startswith("-")
        if chain == "base":
            assert cells[-1] == "not in analytics.batch_costs"
        else:
            cost = window(cost_days, "cost", first, last)
            batch_cells = cells[-2:] if days else cells[-2:]
            assert batch_cells[0] == f"{eth(cost)} ETH", (days, batch_cells)
            if days:
                pct = percent(cost, window(cost_days, "cost", days + 1, 2 * days))
                assert batch_cells[1] == ("\u2014" if pct is None else ("" if pct.startswith("-") else "+") + pct + "%")
    # The seed shows rises, falls and a window with nothing before it.
    assert seen_down and seen_up and seen_none


def test_days_chart_and_blocks(migrated, serve):
    blocks, postings = seed(migrated)
    w = serve(migrated.url)
    p = parse(w.get("/fees")[2])
    for i, chain in enumerate(("op", "base")):
        fd = total(fee_days(blocks, chain))
        shown = sorted(k for k in fd if k < 30)
        assert len(shown) < len(fd) or chain == "base"  # older days exist and stay off the page
        rows = p.tables[f"fee-days-{i}"][1:]
        want = [[(today() - datetime.timedelta(days=k)).isoformat(), str(fd[k]["blocks"]), str(fd[k]["txs"]),
                 f"{eth(fd[k]['execution'])} ETH", f"{eth(fd[k]['l1'])} ETH", f"{eth(fd[k]['total'])} ETH"]
                for k in shown]
        assert [r[1] for r in rows] == want
        # The chart holds the same days, oldest first, as exact numbers.
        chart = p.charts[f"chart-fees-{i}"]
        assert chart["unit"] == "ETH"
        assert chart["x"] == [Decimal(day_start(k)) for k in reversed(shown)]
        assert [s["label"] for s in chart["series"]] == ["Execution", "L1 data fee", "Total"]
        for s, key in zip(chart["series"], ("execution", "l1", "total")):
            assert s["values"] == [Decimal(eth(fd[k][key])) for k in reversed(shown)], (chain, key)
        # The latest blocks, newest first, at most ten.
        mine = sorted(((n, v) for (c, n), v in blocks.items() if c == chain), reverse=True)[:10]
        got = [r[1] for r in p.tables[f"fee-blocks-{i}"][1:]]
        assert got == [[str(n), datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime(
            "%Y-%m-%d %H:%M:%SZ"), str(txs), str(gas), f"{eth(ex)} ETH", f"{eth(l1)} ETH", f"{eth(ex + l1)} ETH"]
            for n, (_, ts, txs, gas, ex, l1) in mine]
    # Batch costs: op only.
    assert "batch-days-1" not in p.tables and "chart-batches-1" not in p.charts
    bd = batch_days(postings)
    shown = sorted(k for k in bd if k < 30)
    want = [[(today() - datetime.timedelta(days=k)).isoformat(), str(d["txs"]), str(d["blobs"]), str(d["bytes"]),
             str(d["cgas"]), f"{eth(d['fee'])} ETH", str(d["blob_gas"]), f"{eth(d['blob_fee'])} ETH",
             f"{eth(d['fee'] + d['blob_fee'])} ETH"] for k in shown for d in [bd[k]]]
    assert [r[1] for r in p.tables["batch-days-0"][1:]] == want
    chart = p.charts["chart-batches-0"]
    assert [s["values"] for s in chart["series"]] == [
        [Decimal(eth(bd[k][key])) for k in reversed(shown)] for key in ("fee", "blob_fee")] + [
        [Decimal(eth(bd[k]["fee"] + bd[k]["blob_fee"])) for k in reversed(shown)]]


def test_a_reorged_block_leaves_the_page(migrated, serve):
    """The page reads the stored rows each time: a block the follower
    unwinds is gone from the latest blocks and from its day."""
    blocks, _ = seed(migrated)
    w = serve(migrated.url)
    newest = max(n for c, n in blocks if c == "op")
    migrated.rows(f"DELETE FROM fee_blocks WHERE chain = 'op' AND block_number = {newest}")
    del blocks[("op", newest)]
    p = parse(w.get("/fees")[2])
    assert str(newest) not in [r[1][0] for r in p.tables["fee-blocks-0"][1:]]
    fd = total(fee_days(blocks, "op"))
    today_row = p.tables["fee-days-0"][1][1]
    assert today_row[0] == today().isoformat() and today_row[5] == f"{eth(fd[0]['total'])} ETH"


def test_no_analytics_configured(migrated, serve):
    w = serve(migrated.url, analytics=False)
    status, _, page = w.get("/fees")
    assert status == 200 and "No chain is configured under analytics.fees" in page
    assert "charts.js" not in page
    # The header links both new pages; this one unlinked, as the current page.
    assert '<a href="/bridges">Bridges &amp; TVL</a>' in page and '<a href="/fees">' not in page
