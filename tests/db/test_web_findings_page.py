"""The /findings pages against a real PostgreSQL: the table shows exactly
the rows the database holds for the filters chosen, pages back without
gaps, and a finding's page shows its evidence, its transaction and every
alert delivery, escaped."""
import re

from test_web_alerts import XSS_TITLE, insert_finding
from webalerts_util import dbtool, wait_until, write_config


def table_ids(page, table_id):
    start = page.index(f'<table id="{table_id}">')
    body = page[start:page.index("</table>", start)]
    return [int(m) for m in re.findall(r'<tr><td class="num">(\d+)</td>', body)]


def test_the_table_follows_the_filters_and_pages_back(migrated, webalerts):
    for i in range(120):
        fid = insert_finding(migrated, key=f"p{i}", severity=["critical", "high", "low"][i % 3],
                             status="resolved" if i % 4 == 0 else "open")
        if i % 2:
            migrated.rows(f"UPDATE findings SET kind = 'liveness_gap', chain = 'l1' WHERE id = {fid}")
    w = webalerts(migrated.url, [])
    status, headers, page = w.request("GET", "/findings")
    assert status == 200 and headers["content-type"].startswith("text/html")
    newest = [int(r[0]) for r in migrated.rows("SELECT id FROM findings ORDER BY id DESC LIMIT 50")]
    assert table_ids(page, "findings") == newest
    # The filter form offers the kinds stored and the chains configured.
    assert '<option>invalid_output_root</option><option>liveness_gap</option>' in page
    assert '<select name="chain"><option value="">any</option><option>l1</option></select>' in page

    seen, url = [], "/findings?severity=high&status=open&kind=liveness_gap"
    while url:
        status, _, page = w.request("GET", url)
        assert status == 200
        seen += table_ids(page, "findings")
        m = re.search(r'<a id="older" href="([^"]+)">', page)
        url = m.group(1).replace("&amp;", "&") if m else None
        if m:
            assert "severity=high" in url and "status=open" in url and "kind=liveness_gap" in url
    want = [int(r[0]) for r in migrated.rows(
        "SELECT id FROM findings WHERE severity = 'high' AND status = 'open' AND kind = 'liveness_gap'"
        " ORDER BY id DESC")]
    assert seen == want and want
    assert '<option selected>high</option>' in w.request("GET", "/findings?severity=high")[2]
    # The form's "any" is an empty value: no filter.
    assert table_ids(w.request("GET", "/findings?status=&kind=&severity=&chain=")[2], "findings") == newest

    for query in ("severity=urgent", "status=closed", "kind=Drop%20table", "before=abc", "chain=a%2Fb"):
        status, _, body = w.request("GET", "/findings?" + query)
        assert status == 400 and '"param"' in body, query


def test_a_findings_page_shows_evidence_transaction_and_deliveries(migrated, receivers, webalerts):
    ok, down = receivers(), receivers([("status", 500)] * 10)
    w = webalerts(migrated.url, [("ok", ok.url, 1000), ("down", down.url, 1000)], max_backoff_ms=200,
                  alerts_extra="  max_attempts: 2")
    fid = insert_finding(migrated)
    migrated.rows(f"UPDATE findings SET evidence = evidence || '{{\"note\": \"<b>on chain</b>\"}}',"
                  f" subject = 'output:7' WHERE id = {fid}")
    dbtool("enqueue", w.config_path, str(fid), "raised")
    wait_until(lambda: migrated.rows("SELECT count(*) FROM alert_outbox WHERE delivered_at IS NOT NULL"
                                     " OR dead_at IS NOT NULL") == [["2"]], 30, what="both sinks to settle")
    status, _, page = w.request("GET", f"/findings/{fid}")
    assert status == 200
    assert XSS_TITLE not in page and "&lt;" in page  # the title is escaped
    assert '<span class="badge sev-critical">critical</span>' in page
    for key, value in [("note", "&lt;b&gt;on chain&lt;/b&gt;"), ("output_index", "7"), ("proposed", "0x01"),
                       ("recomputed", "0x02")]:
        assert f'<tr><th>{key}</th><td class="hash">{value}</td></tr>' in page
    assert '<tr><th>Subject</th><td>output:7</td></tr>' in page
    # Each with the chain it is on; no chain has an explorer here, so no link.
    assert "0x" + "ab" * 32 + ' <span class="muted">on l1</span>' in page
    assert str(2 ** 256 - 1) + ' <span class="muted">on op-local</span>' in page
    assert "/tx/" not in page and "/block/" not in page
    assert "No response" in page
    start = page.index('<table id="deliveries">')
    rows = page[start:page.index("</table>", start)].split("<tr>")[2:]
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", r) for r in rows]
    by_sink = {c[3]: c for c in cells}
    assert set(by_sink) == {"ok", "down"}
    assert by_sink["ok"][4] == "delivered" and by_sink["ok"][5] == "1"
    assert by_sink["down"][4] == "dead" and by_sink["down"][5] == "2" and by_sink["down"][6] == "HTTP 500"
    for missing in ("999999", "0", "abc"):
        status, _, _ = w.request("GET", f"/findings/{missing}")
        assert status == 404
    # The overview links here.
    assert f'href="/findings/{fid}"' in w.request("GET", "/")[2]


def test_block_and_transaction_link_to_the_explorer_of_their_own_chain(migrated, webalerts, tmp_path):
    """An output root's finding is op-local's; its block is op-local's and its
    proposal transaction l1's, each linked to its own chain's explorer."""
    cfg = write_config(str(tmp_path / "explorers.yaml"), migrated.url, [])
    with open(cfg, "a") as f:
        f.write('    explorer_url: "https://l1scan.example.org"\n'
                "  - name: op-local\n    role: l2\n    chain_id: 901\n    l1: l1\n"
                '    rpc: ["http://127.0.0.1:9"]\n    l2_output_oracle: "0x' + "42" * 20 + '"\n'
                '    explorer_url: "https://opscan.example.org"\n')
    fid = insert_finding(migrated)
    w = webalerts(config=cfg)
    status, _, page = w.request("GET", f"/findings/{fid}")
    assert status == 200
    block, tx = str(2 ** 256 - 1), "0x" + "ab" * 32
    assert (f'<tr><th>Block</th><td class="num"><a rel="noreferrer" href="https://opscan.example.org/block/{block}">'
            f'{block}</a> <span class="muted">on op-local</span></td></tr>') in page
    assert (f'<tr><th>Transaction</th><td class="hash"><a rel="noreferrer" href="https://l1scan.example.org/tx/{tx}">'
            f'{tx}</a> <span class="muted">on l1</span></td></tr>') in page
    assert "https://opscan.example.org/tx/" not in page
