"""The Bridges & TVL page (/bridges) as Chromium shows it, against the
seeded database: the bridge guard's escrow, supply, backing, open findings
and pause state in token units; each token's TVL now, in USD or with the
reason there is none, and its change over 24 h, 7 d and 30 d, read back
with the database's own queries; the 30-day figures under each chart; and
every TVL chart drawn, in every look."""
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from browser_charts import chart_problems
from browser_report import DASH, table, table_by_id, texts, utc, visit
from browser_seed import USDC

SYMBOLS = {"native": "ETH", USDC: "USDC"}
ORDER = [USDC, "native"]  # the config's tokens of op-main


def bridges_page(browsed):
    return visit(browsed, "/bridges")


def text(value):
    """A numeric from psql as trim_scale writes it."""
    if "." in value:
        value = value.rstrip("0").rstrip(".")
    return "0" if value in ("", "-0") else value


def dollars(value):
    return "$" + format(Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_DOWN), ",.2f")


def latest(db, token, before=None):
    """(sampled_at as unix seconds, amount, usd, price_status) of the latest sample, at or before a time."""
    where = f" AND sampled_at <= to_timestamp({before})" if before is not None else ""
    rows = db.rows("SELECT extract(epoch FROM sampled_at)::bigint, amount, coalesce(usd::text, ''), price_status"
                   f" FROM tvl_samples WHERE bridge = 'op-main' AND token = '{token}'{where}"
                   " ORDER BY sampled_at DESC, id DESC LIMIT 1")
    return rows[0] if rows else None


def test_tvl_now_and_its_changes(browsed, site):
    db, _ = site
    rows = table_by_id(bridges_page(browsed), "tvl")["rows"]
    assert [r["data"]["token"] for r in rows] == ORDER
    reasons = set()
    for r in rows:
        token = r["data"]["token"]
        symbol = SYMBOLS[token]
        cells = texts(r)
        ts, amount, usd, status = latest(db, token)
        assert cells[:3] == ["op-main", symbol, f"{text(amount)} {symbol}"]
        if usd:
            assert cells[3] == dollars(usd)
        else:
            assert cells[3] == {"unpriced": "unpriced: no price feed configured"}[status]
            reasons.add(status)
        assert cells[4] == utc(ts)
        for days, cell in zip((1, 7, 30), cells[5:8]):
            prev = latest(db, token, int(ts) - days * 86_400)
            change = Decimal(amount) - Decimal(prev[1])
            want = f"{'+' if change > 0 else ''}{text(format(change, 'f'))} {symbol}"
            if usd and prev[2] and Decimal(prev[2]) > 0:
                pct = ((Decimal(usd) - Decimal(prev[2])) * 100 / Decimal(prev[2])).quantize(
                    Decimal("0.01"), rounding=ROUND_HALF_UP)
                want += f" {'' if pct < 0 else '+'}{pct}% USD"
            assert cell == want, (token, days)
    assert reasons == {"unpriced"}


def test_tvl_days_under_the_charts(browsed, site):
    db, _ = site
    for row, token in enumerate(ORDER):
        symbol = SYMBOLS[token]
        want = [[d, f"{text(a)} {symbol}", dollars(u) if u else DASH] for d, a, u in db.rows(
            "SELECT DISTINCT ON (day) day, amount, coalesce(usd::text, '') FROM"
            " (SELECT (sampled_at AT TIME ZONE 'UTC')::date AS day, sampled_at, id, amount, usd FROM tvl_samples"
            f"  WHERE bridge = 'op-main' AND token = '{token}') s"
            " WHERE day >= (now() AT TIME ZONE 'UTC')::date - 30 ORDER BY day DESC, sampled_at DESC, id DESC")]
        assert len(want) == 31
        assert [texts(r) for r in table_by_id(bridges_page(browsed), f"tvl-days-{row}")["rows"]] == want


def test_tvl_charts_drew_in_every_look(browsed):
    problems = chart_problems(browsed, "/bridges", [f"chart-tvl-{i}" for i in range(len(ORDER))])
    assert not problems, "\n".join(problems)


def units(base, decimals):
    """Base units as token units, trailing zeros dropped."""
    digits = str(base).rjust(decimals + 1, "0")
    whole, frac = digits[:-decimals], digits[-decimals:].rstrip("0")
    return whole + ("." + frac if frac else "")


def test_bridge_escrow_and_supply_in_token_units(browsed, site):
    db, _ = site
    tokens = {"native": ("ETH", 18), USDC: ("USDC", 6)}
    rows = [r for r in table(bridges_page(browsed), "Bridges")["rows"]]
    assert sorted(r["data"]["token"] for r in rows) == sorted(tokens)
    paused = db.rows("SELECT paused FROM bridge_status WHERE bridge = 'op-main' AND token = '*'")[0][0]
    for row in rows:
        token = row["data"]["token"]
        symbol, decimals = tokens[token]
        escrow, supply = db.rows("SELECT escrow, coalesce(supply::text, '') FROM bridge_status"
                                 f" WHERE bridge = 'op-main' AND token = '{token}'")[0]
        cells = {c["text"] for c in row["cells"]}
        assert f"{units(int(escrow), decimals)} {symbol}" in cells, (token, cells)
        if supply:
            assert f"{units(int(supply), decimals)} {symbol}" in cells
            ratio = int(supply) * 10000 // int(escrow)
            assert f"{ratio // 10000}.{ratio % 10000:04d}" in cells
        open_kinds = db.rows(
            "SELECT kind, count(*) FROM findings WHERE status = 'open' AND (subject = 'bridge:op-main:' ||"
            f" '{token}' OR (evidence->>'bridge' = 'op-main' AND evidence->>'token' = '{token}'))"
            " GROUP BY kind ORDER BY kind")
        findings = " ".join(f"{k} \u00d7{n}" for k, n in open_kinds) or DASH
        assert findings in cells, (token, cells)
    # One pause cell for the bridge (it spans the token rows).
    pause = [c for r in rows for c in r["cells"] if c["text"] in ("paused", "active", "unknown")]
    assert [(c["text"], c["badge"]) for c in pause] == [("paused", "badge sev-critical") if paused == "t"
                                                        else ("active", "badge ok")]
