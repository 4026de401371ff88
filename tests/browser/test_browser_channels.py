"""The channels page (/channels) as Chromium shows it, against the seeded
database: the watchtower's counts, every held channel of the first page in
key order with the version held and its latest dispute (where its window
stands against the chain's newest block, the verdict, the response), the
disputes seen, and the counter-disputes with their outcome."""
from browser_report import DASH, by_header, cell, epoch, table, utc, visit

VERDICT = {"0": "pending", "1": "current", "2": "stale", "3": "not watched"}
PAGE = 50


def channels(browsed):
    return visit(browsed, "/channels")


def test_summary(browsed, site):
    db, _ = site
    want = db.rows(
        "SELECT (SELECT sum(channels) FROM channel_clients), (SELECT count(*) FROM channel_disputes),"
        " (SELECT count(*) FROM channel_disputes WHERE check_status = 2),"
        " (SELECT count(*) FROM responses WHERE action = 'channel_dispute' AND status = 'verified'),"
        " (SELECT count(*) FROM responses WHERE action = 'channel_dispute' AND status IN ('failed', 'reverted')),"
        " (SELECT count(*) FROM responses WHERE action = 'channel_dispute'"
        "   AND status IN ('planned', 'nonce_assigned', 'sent', 'mined'))")[0]
    rows = by_header(table(channels(browsed), "Channels"))
    assert len(rows) == 1
    assert [rows[0][h]["text"] for h in ("Channels watched", "Disputes seen", "Stale closes", "Answered on chain",
                                          "Responses failed", "Responses in flight")] == want


def test_watched_channels_first_page(browsed, site):
    db, _ = site
    tip = int(db.rows("SELECT timestamp FROM blocks WHERE chain = 'l1' ORDER BY number DESC LIMIT 1")[0][0])
    want = []
    for (chain, proto, ch, version, client, updates, n, dv, deadline, check, fid,
         rstatus) in db.rows(
            "SELECT s.chain, s.protocol, '0x' || encode(s.channel, 'hex'), s.version, s.client, s.updates,"
            " (SELECT count(*) FROM channel_disputes x WHERE x.chain = s.chain AND x.protocol = s.protocol"
            "   AND x.channel = s.channel), coalesce(d.version::text, '-'), coalesce(d.deadline::text, '-'),"
            " coalesce(d.check_status::text, '-'), coalesce(d.finding_id::text, '-'), coalesce((SELECT r.status"
            "   FROM responses r WHERE r.finding_id = d.finding_id ORDER BY r.id DESC LIMIT 1), '-')"
            " FROM channel_states s LEFT JOIN LATERAL (SELECT * FROM channel_disputes x WHERE x.chain = s.chain"
            "   AND x.protocol = s.protocol AND x.channel = s.channel ORDER BY x.block_number DESC LIMIT 1) d ON true"
            f" ORDER BY s.chain, s.protocol, s.channel LIMIT {PAGE}"):
        if dv == "-":
            standing = "no dispute"
        else:
            standing = "disputed, window open" if int(deadline) > tip else "disputed, window ended"
        response = rstatus if rstatus != "-" else ("finding" if fid != "-" else DASH)
        want.append([chain, proto, ch, version, client, updates, n, standing, cell(dv.strip("-")),
                     VERDICT.get(check, DASH), response, None if fid == "-" else f"/findings/{fid}"])
    total = int(db.rows("SELECT count(*) FROM channel_states")[0][0])
    assert total > PAGE
    rows = by_header(table(channels(browsed), "Watched channels"))
    heads = ("Chain", "Protocol", "Channel", "Held version", "Client", "Updates", "Disputes", "On chain",
             "Disputed version", "Verdict", "Response")
    assert [[r[h]["text"] for h in heads] + [r["Response"]["href"]] for r in rows] == want
    assert {w[7] for w in want} == {"no dispute", "disputed, window open", "disputed, window ended"}
    badge = {"no dispute": "badge ok", "disputed, window open": "badge sev-high",
             "disputed, window ended": "badge muted"}
    assert [r["On chain"]["badge"] for r in rows] == [badge[w[7]] for w in want]
    assert "Next channels" in channels(browsed)["data"]["bodyText"]


def test_disputes(browsed, site):
    db, _ = site
    want = db.rows("SELECT block_number, protocol, '0x' || encode(channel, 'hex'), version,"
                   " coalesce(held_version::text, '-'), check_status, coalesce(finding_id::text, '-'),"
                   " coalesce((SELECT r.status FROM responses r WHERE r.finding_id = d.finding_id ORDER BY r.id DESC"
                   " LIMIT 1), '-'), deadline FROM channel_disputes d ORDER BY block_number DESC, log_index DESC")
    rows = by_header(table(channels(browsed), "Disputes"))
    heads = ("Block", "Protocol", "Channel", "On chain", "Held", "Verdict", "Deadline", "Response")
    assert [[r[h]["text"] for h in heads] for r in rows] == \
        [[b, p, c, v, cell(h.strip("-")), VERDICT[s], utc(dl), rs if rs != "-" else ("finding" if f != "-" else DASH)]
         for b, p, c, v, h, s, f, rs, dl in want]
    assert [r["Response"]["href"] for r in rows] == [None if w[6] == "-" else f"/findings/{w[6]}" for w in want]
    assert {VERDICT[w[5]] for w in want} == set(VERDICT.values())


def test_punishment_responses(browsed, site):
    db, _ = site
    want = db.rows("SELECT finding_id, chain, mode, status, coalesce(nonce::text, '-'), coalesce('0x' ||"
                   " encode(tx_hash, 'hex'), '-'), coalesce(mined_block::text, '-'), bumps, coalesce(note, '-'),"
                   f" {epoch('updated_at')} FROM responses WHERE action = 'channel_dispute' ORDER BY id DESC")
    rows = by_header(table(channels(browsed), "Punishment responses"))
    heads = ("Finding", "Chain", "Mode", "Status", "Nonce", "Transaction", "Mined block", "Bumps", "Note", "Updated")
    assert [[r[h]["text"] for h in heads] for r in rows] == \
        [[f, c, m, s, cell(n.strip("-")) if n == "-" else n, cell(t.strip("-")) if t == "-" else t,
          cell(b.strip("-")) if b == "-" else b, bu, cell(x.strip("-")) if x == "-" else x, utc(u)]
         for f, c, m, s, n, t, b, bu, x, u in want]
    badge = {"mined": "badge sev-medium", "sent": "badge sev-medium", "failed": "badge sev-critical",
             "verified": "badge ok"}
    assert [r["Status"]["badge"] for r in rows] == [badge[w[3]] for w in want] and len(want) == 3
    assert [r["Finding"]["href"] for r in rows] == [f"/findings/{w[0]}" for w in want]
