"""The /channels page against a real PostgreSQL: every held channel, paged
by its key without gaps, with the version held, its latest dispute, where
that dispute's window stands against the newest stored block of the chain,
the tower's verdict and the response; the disputes seen; the
counter-disputes sent. Every figure is read back from the database; the
overview keeps one line about channels."""
import os
import re

from html_tables import DASH, Page, cell

HOSTILE = '<i>wallet</i> & "co"'
TOWER_KEY = "0x" + f"{0x70E7:064x}"
L1_CHAIN_ID = 900


def config(tmp_path, database_url, with_channels=True):
    key = tmp_path / "tower.key"
    key.write_text(TOWER_KEY + "\n")
    os.chmod(key, 0o600)
    text = f"""log_level: debug
database:
  url: "{database_url}"
web:
  listen: 127.0.0.1:0
chains:
  - name: l1
    role: l1
    chain_id: {L1_CHAIN_ID}
    rpc: ["http://127.0.0.1:9"]
signers:
  - name: tower
    key_file: "{key}"
"""
    if with_channels:
        text += f"""channels:
  chain: l1
  receipt_signer: tower
  vector_channel_factory: "0x{'f1' * 20}"
  vector_mastercopy: "0x{'f2' * 20}"
  nitro_adjudicator: "0x{'f3' * 20}"
"""
    path = tmp_path / ("channels.yaml" if with_channels else "nochannels.yaml")
    path.write_text(text)
    return str(path)


def q(v):
    return "NULL" if v is None else "'" + str(v).replace("'", "''") + "'"


def channel_hex(protocol, n):
    return f"{n:040x}" if protocol == "vector" else f"{n:064x}"


def seed(db):
    now = 1_800_000_000
    db.rows("INSERT INTO chains (name, chain_id, role, head_number, synced_number) VALUES ('l1', 900, 'l1', 60, 50)")
    # The newest stored block of l1 says what time it is on chain.
    db.rows(f"INSERT INTO blocks VALUES ('l1', 49, decode('{49:064x}', 'hex'), decode('{48:064x}', 'hex'), {now - 12}),"
            f" ('l1', 50, decode('{50:064x}', 'hex'), decode('{49:064x}', 'hex'), {now})")
    states = []
    for n in range(70):
        protocol = "vector" if n % 3 else "nitro"
        client = "wallet-a" if n % 2 else HOSTILE
        states.append(f"('l1', '{protocol}', decode('{channel_hex(protocol, 0x100 + n)}', 'hex'), {n * 3 + 1},"
                      f" decode('{n:064x}', 'hex'), '{{}}', decode('{'ab' * 65}', 'hex'), {q(client)}, {n % 4 + 1},"
                      f" now() - interval '{n} minutes')")
    db.rows("INSERT INTO channel_states (chain, protocol, channel, version, state_hash, state, receipt, client, updates,"
            " updated_at) VALUES " + ", ".join(states))
    db.rows(f"INSERT INTO channel_clients (client, channels) VALUES ('wallet-a', 35), ({q(HOSTILE)}, 35)")
    # Stale closes raise findings; the tower answers two of them.
    fids = []
    for n in range(3):
        fids.append(int(db.rows(
            "INSERT INTO findings (dedup_key, kind, severity, chain, title, summary, evidence) VALUES"
            f" ('stale{n}', 'stale_channel_close', 'critical', 'l1', 'stale close {n}', 's', '{{}}') RETURNING id")[0][0]))
    disputes = [
        # channel n, block, version, deadline, check_status, held, finding
        (1, 40, 2, now + 3600, 2, 4, fids[0]),      # stale, window open
        (1, 45, 4, now + 7200, 1, 4, None),         # the same channel again, current: the latest one shown
        (2, 41, 7, now - 60, 2, 7, fids[1]),        # stale, window ended
        (3, 42, 10, now + 60, 1, 10, None),         # nitro, current, window open
        (5, 43, 1, now + 10, 0, None, None),        # pending
        (999, 44, 3, now + 10, 3, None, None),      # not a held channel
        (4, 46, 9, now + 100, 2, 13, fids[2]),      # stale, no response yet
    ]
    rows = []
    for i, (n, block, version, deadline, check, held, fid) in enumerate(disputes):
        protocol = "vector" if n % 3 else "nitro"
        rows.append(f"('l1', decode('{block:064x}', 'hex'), {i}, {block}, {now - 100}, decode('{0xD0 + i:064x}', 'hex'),"
                    f" '{protocol}', decode('{channel_hex(protocol, 0x100 + n)}', 'hex'), {version}, {deadline},"
                    f" {check}, {q(held)}, {q(fid)})")
    db.rows("INSERT INTO channel_disputes (chain, block_hash, log_index, block_number, block_timestamp, tx_hash,"
            " protocol, channel, version, deadline, check_status, held_version, finding_id) VALUES " + ", ".join(rows))
    db.rows("INSERT INTO responses (idempotency_key, finding_id, action, chain, mode, to_addr, calldata, status, nonce,"
            " tx_hash, mined_block, mined_at, bumps, note) VALUES"
            f" ('c0', {fids[0]}, 'channel_dispute', 'l1', 'on', decode('{1:040x}', 'hex'), '\\x01', 'mined', 3,"
            f" decode('{0xE1:064x}', 'hex'), 48, now(), 1, {q('counter ' + HOSTILE)}),"
            f" ('c1', {fids[1]}, 'channel_dispute', 'l1', 'on', decode('{1:040x}', 'hex'), '\\x01', 'failed', 4,"
            f" NULL, NULL, NULL, 0, 'deadline passed'),"
            f" ('p0', {fids[2]}, 'pause_bridge', 'l1', 'dry-run', decode('{2:040x}', 'hex'), '\\x01', 'dry_run',"
            " NULL, NULL, NULL, NULL, 0, NULL)")
    return now


CHANNEL_SQL = """
SELECT s.chain, s.protocol, '0x' || encode(s.channel, 'hex'), s.version, s.client, s.updates,
  (SELECT count(*) FROM channel_disputes x WHERE x.chain = s.chain AND x.protocol = s.protocol AND x.channel = s.channel),
  coalesce(d.version::text, ''), coalesce(d.deadline::text, ''), coalesce(d.check_status::text, ''),
  coalesce(d.finding_id::text, ''),
  coalesce((SELECT r.status FROM responses r WHERE r.finding_id = d.finding_id ORDER BY r.id DESC LIMIT 1), '')
FROM channel_states s LEFT JOIN LATERAL (SELECT * FROM channel_disputes x WHERE x.chain = s.chain
  AND x.protocol = s.protocol AND x.channel = s.channel ORDER BY x.block_number DESC LIMIT 1) d ON true
ORDER BY s.chain, s.protocol, s.channel"""
VERDICT = {"0": "pending", "1": "current", "2": "stale", "3": "not watched"}


def expected_channels(db, now):
    out = []
    for chain, proto, ch, version, client, updates, n, dv, deadline, check, fid, rstatus in db.rows(CHANNEL_SQL):
        if not dv:
            standing = "no dispute"
        else:
            standing = "disputed, window open" if int(deadline) > now else "disputed, window ended"
        out.append([chain, proto, ch, version, client, updates, n, standing, cell(dv),
                    VERDICT[check] if check else DASH, rstatus or ("finding" if fid else DASH)])
    return out


HEADS = ("Chain", "Protocol", "Channel", "Held version", "Client", "Updates", "Disputes", "On chain",
         "Disputed version", "Verdict", "Response")


def test_channels_page_against_the_database(migrated, webalerts, tmp_path):
    now = seed(migrated)
    w = webalerts(config=config(tmp_path, migrated.url))
    status, _, text = w.get("/channels")
    assert status == 200
    assert HOSTILE not in text and "&lt;i&gt;wallet&lt;/i&gt; &amp; &quot;co&quot;" in text
    assert "<script" not in text and not re.search(r"\sstyle=", text)
    page = Page(text)
    assert page.headings() == ["Channels", "Watched channels", "Disputes", "Punishment responses"]

    # The summary, from the counters and the tables.
    summary = page.rows("channel-summary")[0]
    want = migrated.rows(
        "SELECT (SELECT sum(channels) FROM channel_clients), (SELECT count(*) FROM channel_disputes),"
        " (SELECT count(*) FROM channel_disputes WHERE check_status = 2),"
        " (SELECT count(*) FROM responses WHERE action = 'channel_dispute' AND status = 'verified'),"
        " (SELECT count(*) FROM responses WHERE action = 'channel_dispute' AND status IN ('failed', 'reverted')),"
        " (SELECT count(*) FROM responses WHERE action = 'channel_dispute'"
        "   AND status IN ('planned', 'nonce_assigned', 'sent', 'mined'))")[0]
    assert [c["text"] for c in summary.values()] == want == ["70", "7", "3", "0", "1", "1"]

    # Every held channel, 50 a page, in key order, each page continuing where the last ended.
    shown, url, pages = [], "/channels", 0
    while url:
        status, _, text = w.get(url)
        assert status == 200, text
        p = Page(text)
        rows = p.rows("channels")
        shown += [[r[h]["text"] for h in HEADS] for r in rows]
        for r in rows:
            if r["Response"]["href"]:
                assert re.fullmatch(r"/findings/\d+", r["Response"]["href"])
        m = re.search(r'<a id="next" href="([^"]+)">', text)
        url = m.group(1) if m else None
        pages += 1
    want = expected_channels(migrated, now)
    assert shown == want and len(want) == 70 and pages == 2
    standings = {r[7] for r in want}
    assert standings == {"no dispute", "disputed, window open", "disputed, window ended"}
    # The channel disputed twice shows its latest dispute, and counts both.
    twice = [r for r in want if r[6] == "2"]
    assert len(twice) == 1 and twice[0][9] == "current"

    # The disputes, newest first, with verdict and response.
    rows = page.rows("disputes")
    want = migrated.rows(
        "SELECT block_number, protocol, '0x' || encode(channel, 'hex'), version, coalesce(held_version::text, '-'),"
        " check_status, coalesce(finding_id::text, '-') FROM channel_disputes ORDER BY block_number DESC, log_index DESC")
    assert [[r[h]["text"] for h in ("Block", "Protocol", "Channel", "On chain", "Held", "Verdict")] for r in rows] == \
        [[b, p, c, v, cell(h.strip("-")), VERDICT[s]] for b, p, c, v, h, s, _ in want]
    assert [r["Response"]["href"] for r in rows] == [None if f == "-" else f"/findings/{f}" for *_, f in want]
    assert {r["Verdict"]["badge"] for r in rows} == {"badge sev-critical", "badge ok", "badge muted"}

    # The counter-disputes only (not the bridge pause).
    rows = page.rows("channel-responses")
    want = migrated.rows("SELECT finding_id, status, coalesce(note, '-') FROM responses"
                         " WHERE action = 'channel_dispute' ORDER BY id DESC")
    assert [[r[h]["text"] for h in ("Finding", "Status", "Note")] for r in rows] == \
        [[f, s, cell(n.strip("-")) if n == "-" else n] for f, s, n in want]
    assert [r["Status"]["badge"] for r in rows] == ["badge sev-critical", "badge sev-medium"]

    # The overview keeps one line about channels.
    lines = {r["data"]["page"]: r["cells"] for r in Page(w.get("/")[2]).table("elsewhere")["rows"]}
    assert lines["channels"][1]["text"] == "70 channels watched \u00b7 3 stale closes \u00b7 1 response in flight"
    assert "<h2>Channels</h2>" not in w.get("/")[2]

    for bad in ("x", "l1:vector", "l1:vector:0x12", "L1:vector:0x" + "00" * 20, "l1:lightning:0x" + "00" * 20,
                "l1:vector:0x" + "AB" * 20, "l1:nitro:" + "00" * 32):
        status, _, body = w.get("/channels?after=" + bad)
        assert status == 400 and '"after"' in body, bad


def test_channels_page_without_the_watchtower(migrated, webalerts, tmp_path):
    w = webalerts(config=config(tmp_path, migrated.url, with_channels=False))
    status, _, text = w.get("/channels")
    assert status == 200 and "The watchtower is off" in text
    assert "<table" not in text.split("<main>")[1]
