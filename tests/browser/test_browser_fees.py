"""The fees page (/fees) as Chromium shows it, against the seeded database:
the 24 h / 7 d / 30 d windows and today so far summed here from the day
rows with the database's own arithmetic, the days, the batcher's L1 costs
and the latest blocks row by row, every amount in ETH to the wei; and both
charts drawn, in every look."""
import datetime

from browser_charts import chart_problems
from browser_report import DASH, table_by_id, texts, utc, visit

E = 10 ** 18


def fees_page(browsed):
    return visit(browsed, "/fees")


def eth(wei):
    wei = int(wei)
    sign = "-" if wei < 0 else ""
    whole, frac = divmod(abs(wei), E)
    frac = f"{frac:018d}".rstrip("0")
    return sign + (f"{whole}.{frac}" if frac else str(whole)) + " ETH"


def today(db):
    return datetime.date.fromisoformat(db.rows("SELECT (now() AT TIME ZONE 'UTC')::date")[0][0])


def sums(db, table, columns, first, last):
    """Sums of columns over the day rows first..last (dates, inclusive), as ints."""
    got = db.rows(f"SELECT {', '.join(f'coalesce(sum({c}), 0)' for c in columns)} FROM {table}"
                  f" WHERE chain = 'op' AND day BETWEEN '{first}' AND '{last}'")[0]
    return [int(v) for v in got]


def percent(cur, prev):
    if prev == 0:
        return DASH
    hundredths = (abs(cur - prev) * 10_000 * 2 // prev + 1) // 2  # half up, on the magnitude
    sign = "" if hundredths == 0 else "-" if cur < prev else "+"
    return f"{sign}{hundredths // 100}.{hundredths % 100:02d}%"


def test_windows(browsed, site):
    db, _ = site
    rows = table_by_id(fees_page(browsed), "fee-windows")["rows"]
    assert [(r["data"]["chain"], r["data"]["window"]) for r in rows] == [("op", w) for w in ("0", "1", "7", "30")]
    day = today(db)
    for r in rows:
        days = int(r["data"]["window"])
        cells = texts(r)[1:] if days == 0 else texts(r)  # the chain's cell spans the four rows
        last = day if days == 0 else day - datetime.timedelta(days=1)
        first = last - datetime.timedelta(days=max(days, 1) - 1)
        execution, l1 = sums(db, "fee_days", ["execution_fee", "l1_fee"], first, last)
        fee, blob = sums(db, "batch_cost_days", ["fee", "blob_fee"], first, last)
        assert cells[1:4] == [eth(execution), eth(l1), eth(execution + l1)], days
        if days == 0:
            assert cells[4] == "so far" and cells[5:] == [eth(fee + blob), "so far"]
            continue
        before = (first - datetime.timedelta(days=days), first - datetime.timedelta(days=1))
        p_execution, p_l1 = sums(db, "fee_days", ["execution_fee", "l1_fee"], *before)
        p_fee, p_blob = sums(db, "batch_cost_days", ["fee", "blob_fee"], *before)
        assert cells[4:] == [eth(p_execution + p_l1), percent(execution + l1, p_execution + p_l1), eth(fee + blob),
                             percent(fee + blob, p_fee + p_blob)], days
        assert p_execution > 0  # the seed reaches back past every window


def test_fee_days(browsed, site):
    db, _ = site
    want = [[d, b, t, eth(x), eth(y), eth(int(x) + int(y))] for d, b, t, x, y in db.rows(
        "SELECT day, blocks, txs, execution_fee, l1_fee FROM fee_days WHERE chain = 'op'"
        " AND day > (now() AT TIME ZONE 'UTC')::date - 30 ORDER BY day DESC")]
    assert len(want) == 30
    assert [texts(r) for r in table_by_id(fees_page(browsed), "fee-days-0")["rows"]] == want


def test_batch_days(browsed, site):
    db, _ = site
    want = [[d, n, b, cb, cg, eth(f), bg, eth(bf), eth(int(f) + int(bf))] for d, n, b, cb, cg, f, bg, bf in db.rows(
        "SELECT day, txs, blobs, calldata_bytes, calldata_gas, fee, blob_gas_used, blob_fee FROM batch_cost_days"
        " WHERE chain = 'op' AND day > (now() AT TIME ZONE 'UTC')::date - 30 ORDER BY day DESC")]
    assert len(want) >= 29 and any(r[2] != "0" for r in want) and any(r[3] != "0" for r in want)
    assert [texts(r) for r in table_by_id(fees_page(browsed), "batch-days-0")["rows"]] == want


def test_latest_blocks(browsed, site):
    db, _ = site
    want = [[n, utc(ts), t, g, eth(x), eth(y), eth(int(x) + int(y))] for n, ts, t, g, x, y in db.rows(
        "SELECT block_number, block_timestamp, txs, gas_used, execution_fee, l1_fee FROM fee_blocks"
        " WHERE chain = 'op' ORDER BY block_number DESC LIMIT 10")]
    assert len(want) == 10
    assert [texts(r) for r in table_by_id(fees_page(browsed), "fee-blocks-0")["rows"]] == want


def test_charts_drew_in_every_look(browsed):
    problems = chart_problems(browsed, "/fees", ["chart-fees-0", "chart-batches-0"])
    assert not problems, "\n".join(problems)


def test_scripts_are_the_dashboards_own(browsed):
    scripts = fees_page(browsed)["data"]["scripts"]
    srcs = [s for s in scripts if s]
    assert srcs == ["/static/uplot.min.js", "/static/charts.js"]
    assert len(scripts) - len(srcs) == 2  # the two charts' data blocks, which never run
