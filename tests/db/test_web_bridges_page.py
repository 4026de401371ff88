"""GET /bridges ("Bridges & TVL") against a real PostgreSQL: each watched
token's escrow TVL now in token units and USD, or the reason there is no USD
figure (unpriced, a stale price with the read behind it), its change over
24 h, 7 d and 30 d, and the 30-day chart with its table (the day's last
sample of each UTC day). TVL samples are seeded every six hours over 40 days
with uneven amounts; every expected figure is computed here from them with
Decimal arithmetic. The guard's own table on this page is checked by
test_web_bridges.py."""
import datetime
import time
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, localcontext

import pytest

import test_web_bridges as tb
from test_web_fees_page import parse

STEP = 6 * 3600
# The config's tokens in its order (op-stack bridges watch native ETH too).
ORDER = [("op-main", tb.USDC), ("op-main", "native"), ("ronin", tb.WETH), ("ronin", "native")]
SYMBOLS = {("op-main", tb.USDC): tb.HOSTILE_SYMBOL, ("ronin", tb.WETH): "WETH", ("ronin", "native"): "ETH"}
DECIMALS = {tb.USDC: 6, tb.WETH: 18, "native": 18}


def plan(now):
    """{(bridge, token): [(unix time, balance, status, usd or None)]}, oldest first. op-main's USDC is
    priced fresh throughout; ronin's WETH is unpriced and only ten days old; ronin's ETH was priced
    fresh until its latest sample, read at a stale price."""
    out = {}
    for (bridge, token), days in ((("op-main", tb.USDC), 40), (("ronin", tb.WETH), 10), (("ronin", "native"), 40)):
        d = DECIMALS[token]
        rows = []
        n = days * 4
        for k in range(n):
            ts = now - (n - 1 - k) * STEP - 17
            # Uneven: rises and falls, odd low digits.
            balance = (1_000_000 + (k * 7919) % 250_000 - k * 1_001) * 10 ** d // 1000 + k * 37 + 3
            amount = Decimal(balance).scaleb(-d)
            if token == tb.WETH:
                rows.append((ts, balance, "unpriced", None))
            elif token == "native" and k == n - 1:
                rows.append((ts, balance, "stale", None))
            else:
                price = Decimal("1.000123") if token == tb.USDC else Decimal("3150.27")
                usd = (amount * price).quantize(Decimal("0.000001"), rounding=ROUND_DOWN)
                rows.append((ts, balance, "fresh", usd))
        out[(bridge, token)] = rows
    return out


def seed(db):
    tb.seed(db)
    now = int(time.time())
    samples = plan(now)
    db.rows("INSERT INTO price_samples (token, chain, aggregator, block_number, block_hash, round_id, answer, decimals,"
            " started_at, updated_at, answered_in_round, read_at, age_s, status) VALUES ('ETH', 'l1',"
            f" decode('{'aa' * 20}', 'hex'), 77, decode('{'bb' * 32}', 'hex'), 9, 315027000000, 8, {now - 7300},"
            f" {now - 7300}, 9, to_timestamp({now - 100}), 7200, 'stale')")
    price_id = db.rows("SELECT id FROM price_samples")[0][0]
    rows = []
    for (bridge, token), s in samples.items():
        d = DECIMALS[token]
        for n, (ts, balance, status, usd) in enumerate(s):
            pid = price_id if status == "stale" else "NULL"
            rows.append(f"(to_timestamp({ts}), '{bridge}', '{token}', 'SYM', 'l1', decode('{n:064x}', 'hex'), {n},"
                        f" {balance}, {d}, {Decimal(balance).scaleb(-d)}, {pid}, '{status}',"
                        f" {'NULL' if usd is None else usd})")
    db.rows("INSERT INTO tvl_samples (sampled_at, bridge, token, symbol, chain, block_hash, block_number, balance,"
            " decimals, amount, price_id, price_status, usd) VALUES " + ", ".join(rows))
    return samples


def text(d):
    """A Decimal as PostgreSQL's trim_scale writes it."""
    s = format(d, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def signed(d):
    return ("+" if d > 0 else "") + text(d)


def dollars(usd):
    return "$" + format(usd.quantize(Decimal("0.01"), rounding=ROUND_DOWN), ",.2f")


def percent(cur, prev):
    with localcontext() as ctx:
        ctx.prec = 60
        return (Decimal(cur - prev) * 100 / prev).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def amount(token, balance):
    return Decimal(balance).scaleb(-DECIMALS[token])


def utc_day(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).date()


def test_tvl_now_and_its_changes(migrated, serve_page):
    samples = seed(migrated)
    w = serve_page(migrated.url)
    status, _, page = w.get("/bridges")
    assert status == 200
    p = parse(page)
    rows = p.tables["tvl"][1:]
    assert [(r[0]["data-bridge"], r[0]["data-token"]) for r in rows] == ORDER
    seen_missing_window = seen_down = seen_up = False
    for attrs, cells, titles in rows:
        key = (attrs["data-bridge"], attrs["data-token"])
        if key not in samples:  # op-main's ETH: configured, never sampled
            assert cells[2:] == ["no TVL sample yet"]
            continue
        symbol, token = SYMBOLS[key], key[1]
        s = samples[key]
        ts, balance, status, usd = s[-1]
        assert cells[:2] == [key[0], symbol]
        assert cells[2] == f"{text(amount(token, balance))} {symbol}"
        if usd is not None:
            assert cells[3] == dollars(usd) and titles[3] == f"{usd} USD at a fresh price"
        elif status == "unpriced":
            assert cells[3] == "unpriced: no price feed configured" and titles[3] is None
        else:
            assert cells[3] == "stale price"
            assert titles[3].startswith("price read ") and titles[3].endswith(", updated 7200 s before")
        assert cells[4] == datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")
        for days, cell in zip((1, 7, 30), cells[5:8]):
            older = [x for x in s if x[0] <= ts - days * 86400]
            if not older:
                assert cell == "\u2014"
                seen_missing_window = True
                continue
            pts, pbal, _, pusd = older[-1]
            change = amount(token, balance) - amount(token, pbal)
            want = f"{signed(change)} {symbol}"
            if usd is not None and pusd:
                pct = percent(usd, pusd)
                want += f" {'+' if pct >= 0 else ''}{pct}% USD"
            assert cell == want, (key, days)
            seen_down |= change < 0
            seen_up |= change > 0
    assert seen_missing_window and seen_down and seen_up


def test_tvl_chart_and_its_table(migrated, serve_page):
    samples = seed(migrated)
    w = serve_page(migrated.url)
    p = parse(w.get("/bridges")[2])
    today = datetime.datetime.now(datetime.timezone.utc).date()
    first = today - datetime.timedelta(days=30)
    assert set(p.charts) == {f"chart-tvl-{ORDER.index(key)}" for key in samples}
    for key in samples:
        row = ORDER.index(key)
        token, symbol = key[1], SYMBOLS[key]
        last_of_day = {}
        for sample in samples[key]:
            if first <= utc_day(sample[0]) <= today:
                last_of_day[utc_day(sample[0])] = sample
        days = sorted(last_of_day)
        assert len(days) < len({utc_day(x[0]) for x in samples[key]}) or token == tb.WETH  # older days left out
        chart = p.charts[f"chart-tvl-{row}"]
        assert chart["unit"] == symbol
        assert chart["x"] == [Decimal(last_of_day[d][0]) for d in days]
        assert chart["series"][0]["values"] == [amount(token, last_of_day[d][1]) for d in days]
        got = [r[1] for r in p.tables[f"tvl-days-{row}"][1:]]
        want = [[d.isoformat(), f"{text(amount(token, last_of_day[d][1]))} {symbol}",
                 dollars(last_of_day[d][3]) if last_of_day[d][3] is not None else "\u2014"] for d in reversed(days)]
        assert got == want, key


def test_a_token_without_samples(migrated, serve_page):
    """Bridges with no TVL sampled yet: the row says so, no chart is drawn."""
    tb.seed(migrated)
    w = serve_page(migrated.url)
    p = parse(w.get("/bridges")[2])
    assert [r[1][2] for r in p.tables["tvl"][1:]] == ["no TVL sample yet"] * 4
    assert not p.charts
    assert "No TVL sample in the last 30 days." in w.get("/bridges")[2]


@pytest.fixture
def serve_page(webalerts, tmp_path):
    def start(database_url):
        path = tmp_path / "bridges-page.yaml"
        path.write_text(tb.config_text(database_url))
        return webalerts(name="bridges-page", config=str(path))

    return start
