"""The DA & liveness page (/da) as Chromium shows it, against the seeded
database: the DA entry's counts by status, kind and challenge, its last
posting and open findings, the newest commitments row by row, and the
liveness series' last event, mean interval, alert threshold, samples, open
gap and chart bars. The DA server's key never reaches the page."""
import math

from browser_report import DASH, by_header, table, utc, visit
from browser_seed import DA_SECRET

# detectors/liveness.h defaults for batches, and the config's own limits.
WINDOW, MIN_SAMPLES, MAX_INTERVAL_S, MIN_GAP_S, Z = 10, 5, 14_400, 600, 15


def da_page(browsed):
    return visit(browsed, "/da")


def count(db, where):
    return db.rows(f"SELECT count(*) FROM da_commitments WHERE chain = 'op' AND {where}")[0][0]


def test_da_entry_counts(browsed, site):
    db, _ = site
    rows = table(da_page(browsed), "Data availability")
    assert [r["data"] for r in rows["rows"]] == [{"da": "op"}]
    row = by_header(rows)[0]
    want = {
        "Commitments": count(db, "true"),
        "Pending": count(db, "status = 'pending'"),
        "Available": count(db, "status = 'available'"),
        "Withheld": count(db, "status = 'withheld'"),
        "Expired": count(db, "status = 'expired'"),
        "Keccak": count(db, "kind = 'keccak'"),
        "Blob": count(db, "kind = 'blob'"),
        "Challenged": count(db, "challenge_status = 1"),
    }
    assert {h: row[h]["text"] for h in want} == want
    assert all(v != "0" for v in want.values())  # every count is seeded
    assert row["Withheld"]["badge"] == "badge sev-critical" and row["Challenged"]["badge"] == "badge sev-high"
    next_block = db.rows("SELECT next_block FROM da_scan WHERE chain = 'op'")[0][0]
    assert row["Scanned through"]["text"] == str(int(next_block) - 1)
    block, ts = db.rows("SELECT block_number, block_timestamp FROM da_commitments WHERE chain = 'op'"
                        " ORDER BY block_timestamp DESC, block_number DESC, id DESC LIMIT 1")[0]
    assert (row["Last posting"]["text"], row["Posted"]["text"]) == (block, utc(ts))
    assert row["Sources"]["text"] == "http://127.0.0.1:9/..."
    opened = []
    for kind in ("data_withheld", "da_challenged"):
        n = db.rows(f"SELECT count(*) FROM findings WHERE kind = '{kind}' AND chain = 'op' AND status = 'open'")[0][0]
        if n != "0":
            opened.append(f"{kind} \u00d7{n}")
    assert len(opened) == 2
    assert row["Open findings"]["text"] == " ".join(opened)


def test_da_server_key_is_not_shown(browsed):
    for page in browsed["pages"]:
        assert DA_SECRET not in visit(browsed, page)["data"]["bodyText"], page


def test_recent_commitments(browsed, site):
    db, _ = site
    status_badge = {"withheld": "badge sev-critical", "available": "badge ok", "expired": "badge sev-medium",
                    "pending": "badge muted"}
    challenge = {"1": "active", "2": "resolved", "3": "expired"}
    want = db.rows("SELECT id, chain, block_number, block_timestamp, '0x' || encode(tx_hash, 'hex'),"
                   " '0x' || encode(commitment, 'hex'), kind, blob_index, status, attempts,"
                   " coalesce(challenge_status::text, ''), coalesce(challenge_block::text, ''),"
                   " coalesce(finding_id::text, '') FROM da_commitments ORDER BY id DESC LIMIT 20")
    t = table(da_page(browsed), "Recent commitments")
    assert [r["data"]["commitment"] for r in t["rows"]] == [w[0] for w in want]
    for r, w in zip(by_header(t), want):
        cid, chain, block, ts, tx, commitment, kind, blob_index, status, attempts, ch, ch_block, finding = w
        got = [r[h]["text"] for h in ("Chain", "L1 block", "Posted", "Transaction", "Commitment", "Kind", "Status",
                                      "Attempts", "Challenge", "Finding")]
        assert got == [chain, block, utc(ts), tx, commitment, kind + (f" #{blob_index}" if kind == "blob" else ""),
                       status, attempts, f"{challenge[ch]} block {ch_block}" if ch else DASH,
                       f"#{finding}" if finding else DASH], cid
        assert r["Status"]["badge"] == status_badge[status]
    assert {w[8] for w in want} == set(status_badge)
    withheld = [r["data"]["commitment"] for r in t["rows"] if r["cls"] == "withheld"]
    assert withheld == [w[0] for w in want if w[8] == "withheld"]


def test_liveness_series(browsed, site):
    db, _ = site
    t = table(da_page(browsed), "Liveness")
    assert [r["data"] for r in t["rows"]] == [{"series": "op:batches"}]
    row = by_header(t)[0]
    times = [int(r[0]) for r in db.rows("SELECT ts FROM liveness_events WHERE chain = 'op' AND kind = 'batches'"
                                        " ORDER BY id")]
    assert times == sorted(times) and len(set(times)) == len(times)  # the tracker takes every one of them
    intervals = [b - a for a, b in zip(times, times[1:])][-WINDOW:]
    n = len(intervals)
    mean = sum(intervals) / n
    sd = max(math.sqrt(sum((x - mean) ** 2 for x in intervals) / n), 1.0)
    high = min(max(mean + Z * sd, MIN_GAP_S), MAX_INTERVAL_S) if n >= MIN_SAMPLES else MAX_INTERVAL_S
    assert row["Last event"]["text"] == utc(times[-1])
    assert row["Mean interval"]["text"] == f"{mean:.1f} s"
    assert row["Alert at"]["text"] == f"{high:.1f} s"
    assert row["Samples"]["text"] == f"{n} / {MIN_SAMPLES}"
    assert row["Last intervals"]["bars"] == n
    gap = db.rows("SELECT id, severity FROM findings WHERE kind = 'liveness_gap' AND subject = 'liveness:op:batches'"
                  " AND status = 'open'")
    assert len(gap) == 1
    assert row["Open gap"]["text"] == f"gap {gap[0][1]}"
    assert row["Open gap"]["href"] == f"/findings/{gap[0][0]}"


def test_committees_say_none_configured(browsed):
    sections = {s["heading"]: s["text"] for s in da_page(browsed)["data"]["sections"]}
    assert sections["Committees"].endswith("No committees configured.")
