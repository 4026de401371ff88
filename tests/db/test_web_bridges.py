"""The bridge guard's web side against a real PostgreSQL and real HTTP:
GET /api/v1/bridges, GET /api/v1/bridges/{name}/escrow (paging and every
refusal) and the Bridges section of the dashboard's /bridges page. The expected figures are
computed here, independently, from the seeded rows: the drawdown window
(the last sample at or before its start opens it), this interval's
outflow, backing ratios and token units, all as exact decimal text."""
import html
import html.parser
import json
import re

import pytest

from webalerts_util import config_head

T = 1_700_000_000
E = 10 ** 18
U = 10 ** 6


def addr(last):
    return "0x" + "0" * 38 + last


USDC = addr("a0")      # op-main's ERC-20, escrowed in the L1StandardBridge
WETH = addr("c0")      # ronin's
STRAY = addr("ff")     # a token ronin does not watch
PORTAL, L1_BRIDGE, SUPERCHAIN, ESCROW = addr("02"), addr("03"), addr("04"), addr("e0")
HOSTILE_SYMBOL = "<i>US&DC'"  # printable, no space or double quote: a symbol the config accepts
HOSTILE_KIND = "<img src=x onerror=alert(1)>"

# (block, timestamp, balance) per (bridge, token), ascending.
SAMPLES = {
    ("op-main", "native"): [
        (90, T - 100_000, 2000 * E),          # older than the chart's day and than the window
        (100, T, 1800 * E + 7),
        (101, T + 3_600, 1600 * E + 123_456_789),  # the last sample at or before the window's start
        (102, T + 10_000, 1500 * E),
        (103, T + 16_000, 1550 * E),
        (104, T + 19_000, 1300 * E + 5),      # before this hour's interval, with an outflow
        (105, T + 20_900, 1250 * E),
        (106, T + 21_000, 1237 * E + 3 * 10 ** 17),
    ],
    ("op-main", USDC): [
        (100, T, 1_000_000 * U + 1),
        (102, T + 10_000, 900_000 * U),
        (106, T + 21_000, 500_000 * U + 250_000),
    ],
    ("ronin", WETH): [
        (100, T, 10 * E),
        (103, T + 16_000, 10 * E),
        (106, T + 21_000, 9 * E),
    ],
}
SUPPLY = {("op-main", USDC): (525_000 * U + 500_000, 77), ("ronin", WETH): (8 * E + 5 * 10 ** 17, 55)}
# (window_s, percent, single_release_percent, interval_s) as configured below.
LIMITS = {"op-main": (14_400, 30, 10, 3_600), "ronin": (7_200, 20, 5, 600)}
DECIMALS = {"native": 18, USDC: 6, WETH: 18}


def config_text(database_url, with_bridges=True):
    text = config_head(database_url, addr('01'),
                       web_extra="  page_cache_ms: 0  # the tests change the store between reads of a page") + f"""    optimism_portal: "{PORTAL}"
    l1_standard_bridge: "{L1_BRIDGE}"
    superchain_config: "{SUPERCHAIN}"
  - name: side
    role: l1
    chain_id: 902
    rpc: ["http://127.0.0.1:9"]
"""
    if with_bridges:
        text += f"""bridges:
  - name: op-main
    kind: op-stack
    remote_chain: op
    tokens:
      - symbol: '{HOSTILE_SYMBOL.replace("'", "''")}'
        address: "{USDC}"
        remote: "{addr('a1')}"
        decimals: 6
  - name: ronin
    kind: lock-release
    chain: l1
    remote_chain: side
    escrow: "{ESCROW}"
    release_event: "Released(bytes32 indexed messageId, address indexed token, address indexed recipient, uint256 amount)"
    source_contract: "{addr('50')}"
    initiation_event: "Burned(uint256 indexed nonce, address indexed token, address from, address to, uint256 value)"
    initiation_fields:
      message_id: nonce
    tokens:
      - symbol: WETH
        address: "{WETH}"
        remote: "{addr('c1')}"
      - symbol: ETH
    drawdown:
      window_seconds: 7200
      percent: 20
      single_release_percent: 5
    outflow:
      interval_seconds: 600
      baseline_days: 14
      warmup_intervals: 144
"""
    return text


@pytest.fixture
def serve(webalerts, tmp_path):
    def start(database_url, with_bridges=True, name="bridges"):
        path = tmp_path / f"{name}.yaml"
        path.write_text(config_text(database_url, with_bridges))
        return webalerts(name=name, config=str(path))

    return start


# ---- seeding ----

def block_hash(number):
    return f"{number:064x}"


def hexbytes(h):
    return f"decode('{h}', 'hex')"


def with_outflow(samples):
    """outflow = the fall from the previous sample, as the bridge guard stores it."""
    out, prev = [], None
    for block, ts, balance in samples:
        out.append((block, ts, balance, max(prev - balance, 0) if prev is not None else 0))
        prev = balance
    return out


def seed(db):
    db.rows("INSERT INTO chains (name, chain_id, role) VALUES ('l1', 900, 'l1'), ('side', 902, 'l1')")
    db.rows("INSERT INTO chains (name, chain_id, role, l1) VALUES ('op', 901, 'l2', 'l1')")
    blocks = {}
    for samples in SAMPLES.values():
        for block, ts, _ in samples:
            blocks[block] = ts
    db.rows("INSERT INTO blocks VALUES " + ", ".join(
        f"('l1', {n}, {hexbytes(block_hash(n))}, {hexbytes(block_hash(n - 1))}, {ts})"
        for n, ts in sorted(blocks.items())))
    # One finalized withdrawal behind the fall at block 106, as the collector decodes it.
    db.rows(f"INSERT INTO logs VALUES ('l1', {hexbytes(block_hash(106))}, 106, 0, {hexbytes('77' * 32)},"
            f" {hexbytes(PORTAL[2:])}, '{{}}', '\\x')")
    db.rows("INSERT INTO bridge_events (chain, block_hash, log_index, block_number, block_timestamp, tx_hash, bridge,"
            " kind, token, message_id, amount, success) VALUES"
            f" ('l1', {hexbytes(block_hash(106))}, 0, 106, {T + 21_000}, {hexbytes('77' * 32)}, 'op-main',"
            f" 'withdrawal_finalized', 'native', {hexbytes('88' * 32)}, {127 * 10 ** 17}, true)")
    rows = []
    for (bridge, token), samples in SAMPLES.items():
        for block, ts, balance, outflow in with_outflow(samples):
            rows.append(f"('l1', {hexbytes(block_hash(block))}, {block}, {ts}, '{bridge}', '{token}', {balance},"
                        f" {outflow})")
    db.rows("INSERT INTO escrow_samples (chain, block_hash, block_number, block_timestamp, bridge, token, balance,"
            " outflow) VALUES " + ", ".join(rows))
    for (bridge, token), samples in SAMPLES.items():
        block, _, balance = samples[-1]
        supply, supply_block = SUPPLY.get((bridge, token), ("NULL", "NULL"))
        db.rows("INSERT INTO bridge_status (bridge, token, escrow, escrow_block, supply, supply_block) VALUES"
                f" ('{bridge}', '{token}', {balance}, {block}, {supply}, {supply_block})")
    db.rows("INSERT INTO bridge_status (bridge, token, paused) VALUES ('op-main', '*', true)")

    def finding(key, kind, evidence, subject=None, status="open"):
        subj = f"'{subject}'" if subject else "NULL"
        db.rows("INSERT INTO findings (dedup_key, kind, severity, chain, title, summary, evidence, status, subject)"
                f" VALUES ('{key}', '{kind}', 'high', 'l1', 'bridge finding', 'seeded',"
                f" '{json.dumps(evidence)}', '{status}', {subj})")

    finding("dd", "escrow_drawdown", {"bridge": "op-main", "token": USDC}, f"bridge:op-main:{USDC}")
    finding("fw1", "forged_withdrawal", {"bridge": "op-main", "token": "native"})
    finding("fw2", "forged_withdrawal", {"bridge": "op-main", "token": "native"}, status="resolved")
    finding("xss", HOSTILE_KIND, {"bridge": "op-main", "token": "native"})
    # A bridge whose name starts like op-main's must not count for it.
    finding("other", "supply_exceeds_escrow", {"bridge": "op-main-2", "token": "native"}, "bridge:op-main-2:native")
    finding("stray", "forged_withdrawal", {"bridge": "ronin", "token": STRAY})


# ---- what the figures must be, computed from SAMPLES ----

def units(base, decimals):
    whole, frac = divmod(base, 10 ** decimals)
    frac = f"{frac:0{decimals}d}".rstrip("0") if decimals else ""
    return f"{whole}.{frac}" if frac else str(whole)


def scaled(n, places):
    return f"{n // 10 ** places}.{n % 10 ** places:0{places}d}"


def expected_drawdown(samples, window_s):
    last_ts = samples[-1][1]
    start = max(last_ts - window_s, 0)
    opening = max((i for i, s in enumerate(samples) if s[1] <= start), default=0)
    peak = max(s[2] for s in samples[opening:])
    latest = samples[-1][2]
    bp = (peak - latest) * 10_000 // peak if peak else 0
    return peak, latest, bp


def expected_outflow(samples, interval_s):
    start = samples[-1][1] // interval_s * interval_s
    return start, sum(o for _, ts, _, o in with_outflow(samples) if start <= ts < start + interval_s)


def chart_samples(samples):
    last_ts = samples[-1][1]
    return [s for s in samples if s[1] >= last_ts - 86_400][-500:]


def test_seed_exercises_the_edges():
    """The data above must make a wrong implementation visible."""
    eth = SAMPLES[("op-main", "native")]
    peak, _, bp = expected_drawdown(eth, 14_400)
    # the window opens on block 101's balance, which is neither the oldest nor inside the window
    assert peak == 1600 * E + 123_456_789
    assert peak != max(b for _, _, b in eth) and peak != max(b for _, ts, b in eth if ts >= T + 21_000 - 14_400)
    assert bp < 3000  # under the limit
    assert expected_drawdown(SAMPLES[("op-main", USDC)], 14_400)[2] > 3000  # over it
    start, total = expected_outflow(eth, 3_600)
    in_interval = [s for s in with_outflow(eth) if start <= s[1] < start + 3_600]
    assert len(in_interval) == 2 and with_outflow(eth)[5][3] > 0 and with_outflow(eth)[5][1] < start
    assert len(chart_samples(eth)) == len(eth) - 1


# ---- the API ----

def token_expectation(bridge, token, symbol):
    samples = SAMPLES.get((bridge, token))
    window_s, percent, single, interval_s = LIMITS[bridge]
    doc = {"symbol": symbol, "token": token, "decimals": DECIMALS[token]}
    if not samples:
        doc.update(escrow=None, escrow_block=None, supply=None, supply_block=None, backing_ratio=None)
        doc["drawdown"] = {"window_seconds": window_s, "limit_percent": percent, "single_release_percent": single,
                           "peak": None, "latest": None, "latest_block": None, "latest_timestamp": None,
                           "fall_percent": None}
        doc["outflow"] = {"interval_seconds": interval_s, "interval_start": None, "amount": None}
        return doc
    supply, supply_block = SUPPLY.get((bridge, token), (None, None))
    escrow = samples[-1][2]
    peak, latest, bp = expected_drawdown(samples, window_s)
    start, outflow = expected_outflow(samples, interval_s)
    doc.update(escrow=str(escrow), escrow_block=samples[-1][0], supply=None if supply is None else str(supply),
               supply_block=supply_block,
               backing_ratio=None if supply is None else scaled(supply * 10_000 // escrow, 4))
    doc["drawdown"] = {"window_seconds": window_s, "limit_percent": percent, "single_release_percent": single,
                       "peak": str(peak), "latest": str(latest), "latest_block": samples[-1][0],
                       "latest_timestamp": samples[-1][1], "fall_percent": scaled(bp, 2)}
    doc["outflow"] = {"interval_seconds": interval_s, "interval_start": start, "amount": str(outflow)}
    return doc


def test_bridges_api(migrated, serve):
    seed(migrated)
    w = serve(migrated.url)
    bridges = w.get_json("/api/v1/bridges")
    assert [b["name"] for b in bridges] == ["op-main", "ronin"]
    op, ronin = bridges

    assert {k: op[k] for k in ("kind", "chain", "remote_chain", "paused", "pause_method", "pause_mode",
                               "pause_contract")} == \
        {"kind": "op-stack", "chain": "l1", "remote_chain": "op", "paused": True, "pause_method": "superchain",
         "pause_mode": "dry-run", "pause_contract": SUPERCHAIN}
    assert {k: ronin[k] for k in ("kind", "chain", "remote_chain", "paused", "pause_method", "pause_contract")} == \
        {"kind": "lock-release", "chain": "l1", "remote_chain": "side", "paused": None, "pause_method": "pausable",
         "pause_contract": ESCROW}
    # Open findings: resolved ones and another bridge's (op-main-2) do not count; a token the
    # config does not list counts for its bridge only.
    assert op["open_findings"] == {"escrow_drawdown": 1, "forged_withdrawal": 1, HOSTILE_KIND: 1}
    assert ronin["open_findings"] == {"forged_withdrawal": 1}

    # Tokens in config order; an op-stack bridge always watches ETH in its portal.
    assert [(t["symbol"], t["token"], t["escrow_contract"]) for t in op["tokens"]] == \
        [(HOSTILE_SYMBOL, USDC, L1_BRIDGE), ("ETH", "native", PORTAL)]
    assert [(t["symbol"], t["token"], t["escrow_contract"]) for t in ronin["tokens"]] == \
        [("WETH", WETH, ESCROW), ("ETH", "native", ESCROW)]
    findings = {("op-main", USDC): {"escrow_drawdown": 1},
                ("op-main", "native"): {"forged_withdrawal": 1, HOSTILE_KIND: 1},
                ("ronin", WETH): {}, ("ronin", "native"): {}}
    for b in bridges:
        for t in b["tokens"]:
            want = token_expectation(b["name"], t["token"], t["symbol"])
            want["escrow_contract"] = t["escrow_contract"]
            want["open_findings"] = findings[(b["name"], t["token"])]
            assert t == want, (b["name"], t["symbol"])

    # Spot checks in plain figures, so the expectation code above cannot share a mistake with the server.
    usdc, eth = op["tokens"]
    assert usdc["backing_ratio"] == "1.0500" and usdc["drawdown"]["fall_percent"] == "49.99"
    assert eth["drawdown"]["peak"] == "1600000000000123456789"
    assert eth["drawdown"]["latest"] == "1237300000000000000000"
    assert eth["drawdown"]["fall_percent"] == "22.66"
    assert eth["outflow"] == {"interval_seconds": 3600, "interval_start": 1_700_020_800,
                              "amount": "62700000000000000005"}
    assert ronin["tokens"][0]["backing_ratio"] == "0.9444" and ronin["tokens"][0]["drawdown"]["fall_percent"] == \
        "10.00"

    # The pause switch turned off again reads as false, not as unknown.
    migrated.rows("UPDATE bridge_status SET paused = false WHERE bridge = 'op-main' AND token = '*'")
    assert w.get_json("/api/v1/bridges")[0]["paused"] is False


def escrow_rows(bridge, token):
    return [{"block_number": b, "block_hash": "0x" + block_hash(b), "timestamp": ts, "balance": str(bal),
             "outflow": str(o)} for b, ts, bal, o in with_outflow(SAMPLES[(bridge, token)])]


def test_escrow_series_and_paging(migrated, serve):
    seed(migrated)
    w = serve(migrated.url)
    eth = escrow_rows("op-main", "native")
    doc = w.get_json("/api/v1/bridges/op-main/escrow?token=native")
    assert doc == {"bridge": "op-main", "token": "native", "symbol": "ETH", "decimals": 18, "samples": eth,
                   "next_after_block": None}
    # The token by symbol, and an address in any case.
    assert w.get_json("/api/v1/bridges/op-main/escrow?token=ETH")["samples"] == eth
    usdc = w.get_json("/api/v1/bridges/op-main/escrow?token=" + USDC.upper().replace("0X", "0x"))
    assert usdc["token"] == USDC and usdc["symbol"] == HOSTILE_SYMBOL and usdc["decimals"] == 6
    assert usdc["samples"] == escrow_rows("op-main", USDC)
    assert usdc["samples"][-1]["outflow"] == str(399_999_750_000)

    # since is inclusive, in block time.
    since = w.get_json(f"/api/v1/bridges/op-main/escrow?token=native&since={T + 10_000}")
    assert since["samples"] == [r for r in eth if r["timestamp"] >= T + 10_000] and since["samples"][0][
        "block_number"] == 102
    assert w.get_json(f"/api/v1/bridges/op-main/escrow?token=native&since={T + 10 ** 6}")["samples"] == []
    assert w.get_json("/api/v1/bridges/op-main/escrow?token=native&since=0")["samples"] == eth

    # Paging forward by block until next_after_block is null.
    pages, after = [], None
    while True:
        q = "/api/v1/bridges/op-main/escrow?token=native&limit=3" + (f"&after_block={after}" if after else "")
        page = w.get_json(q)
        pages.append([r["block_number"] for r in page["samples"]])
        after = page["next_after_block"]
        if after is None:
            break
        assert after == page["samples"][-1]["block_number"]
    assert pages == [[90, 100, 101], [102, 103, 104], [105, 106]]
    # A page that ends exactly at the last sample says there is no more.
    exact = w.get_json("/api/v1/bridges/op-main/escrow?token=native&after_block=104&limit=2")
    assert [r["block_number"] for r in exact["samples"]] == [105, 106] and exact["next_after_block"] is None
    assert w.get_json("/api/v1/bridges/op-main/escrow?token=native&limit=1000")["samples"] == eth
    # A single-token query on ronin's ETH: configured, never sampled.
    assert w.get_json("/api/v1/bridges/ronin/escrow?token=native")["samples"] == []


def test_escrow_refusals(migrated, serve):
    seed(migrated)
    w = serve(migrated.url)
    base = "/api/v1/bridges/op-main/escrow?token=native"
    for path in ("/api/v1/bridges/nope/escrow?token=native", "/api/v1/bridges/op-main-2/escrow",
                 "/api/v1/bridges/OP-MAIN/escrow"):
        assert w.get_json(path, expect=404) == {"code": "not_found", "message": "no such bridge", "param": "name"}, path
    for path in ("/api/v1/bridges/op-main", "/api/v1/bridges/op-main/", "/api/v1/bridges/op-main/escrows",
                 "/api/v1/bridges/op-main/escrow/x", "/api/v1/bridges/", "/api/v1/bridges//escrow"):
        status, headers, body = w.get(path)
        assert status == 404 and headers["content-type"] == "application/json" and "message" in json.loads(body), path
    # op-main watches two tokens: which one must be said.
    err = w.get_json("/api/v1/bridges/op-main/escrow", expect=400)
    assert err["param"] == "token" and "required" in err["message"]
    for bad in ("bogus", STRAY, "eth", "", addr("a1")):
        err = w.get_json(f"/api/v1/bridges/op-main/escrow?token={bad}", expect=400)
        assert err["param"] == "token", bad
    for bad in ("-1", "abc", "01", "", "1.5", "1e3", "99999999999999999999"):
        err = w.get_json(f"{base}&since={bad}", expect=400)
        assert err["param"] == "since" and "since" in err["message"], bad
    for bad in ("0", "1001", "-1", "abc", "", "10%20"):
        err = w.get_json(f"{base}&limit={bad}", expect=400)
        assert err["param"] == "limit" and "limit" in err["message"], bad
    for bad in ("-5", "x", "007"):
        assert w.get_json(f"{base}&after_block={bad}", expect=400)["param"] == "after_block", bad
    assert w.request("POST", "/api/v1/bridges")[0] == 405
    assert w.request("DELETE", "/api/v1/bridges/op-main/escrow")[0] == 405


# ---- the dashboard ----

class Rows(html.parser.HTMLParser):
    """The Bridges table's rows by (bridge, token): each cell's text and
    title, the classes of the elements inside it, and an SVG's points.
    Only that table's (the TVL table's rows name bridges and tokens too)."""

    def __init__(self):
        super().__init__()
        self.rows, self.row, self.cell, self.inside = {}, None, None, False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self.inside = "bridges" in (a.get("class") or "").split()
        elif tag == "tr" and "data-bridge" in a and self.inside:
            self.row = self.rows.setdefault((a["data-bridge"], a["data-token"]), [])
        elif tag == "td" and self.row is not None:
            self.cell = {"text": "", "title": a.get("title"), "classes": set((a.get("class") or "").split()),
                         "points": None, "svg": None}
            self.row.append(self.cell)
        elif self.cell is not None:
            self.cell["classes"] |= set((a.get("class") or "").split())
            if tag == "polyline":
                self.cell["points"] = a["points"]
            if tag == "svg":
                self.cell["svg"] = a

    def handle_endtag(self, tag):
        if tag == "td":
            self.cell = None
        elif tag == "tr":
            self.row = None
        elif tag == "table":
            self.inside = False

    def handle_data(self, data):
        if self.cell is not None:
            self.cell["text"] += data


def cells(rows, bridge, token):
    """Named cells; the bridge and pause cells span a bridge's rows and sit in its first."""
    row = rows[(bridge, token)]
    if len(row) == 10:
        row = row[1:7] + row[8:]
    assert len(row) == 8, row
    return dict(zip(("token", "escrow", "supply", "backing", "drawdown", "outflow", "findings", "chart"), row))


def parse_points(points):
    return [tuple(float(v) for v in p.split(",")) for p in points.split()]


def test_dashboard_bridges(migrated, serve):
    seed(migrated)
    w = serve(migrated.url)
    status, headers, page = w.get("/bridges")
    assert status == 200 and headers["content-type"].startswith("text/html")
    # The guard's table first, then TVL; scripts only from /static/ or as data blocks
    # (never run), no inline style anywhere.
    assert page.index("<h2>Bridges</h2>") < page.index("<h2>TVL</h2>")
    scripts = re.findall(r"<script\b[^>]*>", page, re.I)
    assert scripts and all(re.fullmatch(r'<script defer src="/static/[a-z.]+">', s)
                           or s == '<script type="application/json" class="chart-data">' for s in scripts), scripts
    assert not re.search(r"\sstyle=", page)
    # The hostile symbol and finding kind arrive escaped, never raw.
    assert HOSTILE_SYMBOL not in page and "&lt;i&gt;US&amp;DC&#39;" in page
    assert HOSTILE_KIND not in page and html.escape(HOSTILE_KIND, quote=True).replace("&#x27;", "&#39;") in page

    parser = Rows()
    parser.feed(page)
    rows = parser.rows
    assert set(rows) == {("op-main", USDC), ("op-main", "native"), ("ronin", WETH), ("ronin", "native")}
    first = rows[("op-main", USDC)]
    assert len(first) == 10 and first[0]["text"].startswith("op-main") and "op-stack" in first[0]["text"]
    assert first[7]["text"] == "paused" and "sev-critical" in first[7]["classes"]
    ronin_first = rows[("ronin", WETH)]
    assert ronin_first[7]["text"] == "unknown" and "lock-release" in ronin_first[0]["text"]

    for (bridge, token), samples in SAMPLES.items():
        c = cells(rows, bridge, token)
        d = DECIMALS[token]
        symbol = c["token"]["text"]
        escrow = samples[-1][2]
        assert c["escrow"]["text"] == f"{units(escrow, d)} {symbol}", (bridge, token)
        assert c["escrow"]["title"].startswith(f"{escrow} base units at block {samples[-1][0]}")
        window_s, percent, _, interval_s = LIMITS[bridge]
        _, _, bp = expected_drawdown(samples, window_s)
        hours = f"{window_s // 3600} h"
        assert c["drawdown"]["text"] == f"{scaled(bp, 2)}% of {percent}% in {hours}", (bridge, token)
        assert ("sev-high" in c["drawdown"]["classes"]) == (bp > percent * 100)
        _, outflow = expected_outflow(samples, interval_s)
        interval = f"{interval_s // 60} min" if interval_s < 3600 else f"{interval_s // 3600} h"
        assert c["outflow"]["text"] == f"{units(outflow, d)} {symbol} this {interval}", (bridge, token)
        assert c["outflow"]["title"].startswith(f"{outflow} base units since ")
        if (bridge, token) in SUPPLY:
            supply, supply_block = SUPPLY[(bridge, token)]
            assert c["supply"]["text"] == f"{units(supply, d)} {symbol}"
            assert c["supply"]["title"].startswith(f"{supply} base units at block {supply_block}")
            ratio = supply * 10_000 // escrow
            assert c["backing"]["text"] == scaled(ratio, 4)
            assert ("sev-critical" in c["backing"]["classes"]) == (ratio > 10_000)
        else:
            assert c["supply"]["text"] == "\u2014" and c["backing"]["text"] == "\u2014"

        # One point per sample of the last day, left to right in time, higher balances higher up.
        shown = chart_samples(samples)
        points = parse_points(c["chart"]["points"])
        assert len(points) == len(shown), (bridge, token)
        xs = [p[0] for p in points]
        assert xs == sorted(xs) and xs[0] < xs[-1]
        ys = [p[1] for p in points]
        balances = [s[2] for s in shown]
        if max(balances) > min(balances):
            assert ys[balances.index(max(balances))] == min(ys) and ys[balances.index(min(balances))] == max(ys)
        assert c["chart"]["svg"]["class"] == "spark" and "width" in c["chart"]["svg"]

    # Figures written out, as a reader would see them.
    usdc, eth = cells(rows, "op-main", USDC), cells(rows, "op-main", "native")
    assert usdc["escrow"]["text"] == f"500000.25 {HOSTILE_SYMBOL}"
    assert usdc["backing"]["text"] == "1.0500" and "sev-critical" in usdc["backing"]["classes"]
    assert usdc["drawdown"]["text"] == "49.99% of 30% in 4 h" and "sev-high" in usdc["drawdown"]["classes"]
    assert eth["drawdown"]["text"] == "22.66% of 30% in 4 h" and "sev-high" not in eth["drawdown"]["classes"]
    assert eth["outflow"]["text"] == "62.700000000000000005 ETH this 1 h"
    assert "forged_withdrawal \u00d71" in eth["findings"]["text"] and f"{HOSTILE_KIND} \u00d71" in \
        eth["findings"]["text"]
    assert "escrow_drawdown \u00d71" in usdc["findings"]["text"] and "forged" not in usdc["findings"]["text"]

    # ronin's ETH: configured, nothing stored yet.
    empty = cells(rows, "ronin", "native")
    for name in ("escrow", "supply", "backing", "outflow", "findings", "chart"):
        assert empty[name]["text"].strip() == "\u2014", name
    assert empty["chart"]["points"] is None
    assert empty["drawdown"]["text"] == "\u2014 of 20% in 2 h"

    migrated.rows("UPDATE bridge_status SET paused = false WHERE bridge = 'op-main' AND token = '*'")
    parser = Rows()
    parser.feed(w.get("/bridges")[2])
    assert parser.rows[("op-main", USDC)][7]["text"] == "active"


def test_no_bridges_configured(migrated, serve):
    w = serve(migrated.url, with_bridges=False)
    assert w.get_json("/api/v1/bridges") == []
    assert w.get_json("/api/v1/bridges/op-main/escrow?token=native", expect=404)["param"] == "name"
    status, _, page = w.get("/bridges")
    assert status == 200 and "No bridge is configured under bridges." in page and 'class="bridges"' not in page
