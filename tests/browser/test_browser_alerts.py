"""The alerts & silences page (/alerts) as Chromium shows it, against the
seeded database: the four counts an on-call engineer reads first, every
live silence and the latest ended ones with their matchers and the alerts
each holds, and the dead letters with the sink's last error and whether
requeueing them needs force."""
from browser_report import by_header, cell, epoch, table, utc, visit
from browser_seed import MAX_ATTEMPTS


def alerts_page(browsed):
    return visit(browsed, "/alerts")


def test_count_tiles(browsed, site):
    db, _ = site
    outbox = db.rows("SELECT delivered_at IS NOT NULL, dead_at IS NOT NULL, silence_id IS NOT NULL"
                     " FROM alert_outbox")
    waiting = sum(1 for d, x, s in outbox if (d, x, s) == ("f", "f", "f"))
    dead = sum(1 for _, x, _ in outbox if x == "t")
    held = sum(1 for _, _, s in outbox if s == "t")
    live = db.rows("SELECT count(*) FROM alert_silences WHERE deleted_at IS NULL AND expires_at > now()")[0][0]
    tiles = {t["label"]: t["number"] for t in alerts_page(browsed)["data"]["tiles"]}
    assert tiles == {"alerts waiting to be sent": str(waiting), "dead letters": str(dead),
                     "alerts held by silences": str(held), "live silences": live}
    assert 0 not in (waiting, dead, held) and live != "0"


def test_silences_live_first_then_ended(browsed, site):
    db, _ = site
    rows = db.rows("SELECT id, kind, chain, severity, subject, author, created_by, reason,"
                   f" {epoch('created_at')}, {epoch('coalesce(deleted_at, expires_at)')},"
                   " CASE WHEN deleted_at IS NOT NULL THEN 'deleted' WHEN expires_at <= now() THEN 'expired'"
                   " ELSE 'live' END, (SELECT count(*) FROM alert_outbox o WHERE o.silence_id = z.id)"
                   " FROM alert_silences z")
    live = sorted((r for r in rows if r[10] == "live"), key=lambda r: -int(r[0]))
    ended = sorted((r for r in rows if r[10] != "live"), key=lambda r: -int(r[0]))[:20]
    want = []
    for sid, kind, chain, sev, subject, author, by, reason, created, ends, state, held in live + ended:
        matchers = ", ".join(f"{name} = {v}" for name, v in
                             (("kind", kind), ("chain", chain), ("severity", sev), ("subject", subject)) if v)
        want.append([sid, state, matchers, author, cell(by), reason, utc(created), utc(ends), held])
    t = by_header(table(alerts_page(browsed), "Silences"))
    heads = ("ID", "State", "Matchers", "Author", "Client", "Reason", "Created", "Ends / ended", "Alerts held")
    assert [[r[h]["text"] for h in heads] for r in t] == want
    assert [r["State"]["badge"] for r in t] == ["badge sev-medium" if w[1] == "live" else "badge muted"
                                                for w in want]
    assert {w[1] for w in want} == {"live", "expired", "deleted"}


def test_dead_letters(browsed, site):
    db, _ = site
    outbox = db.rows("SELECT id, finding_id, event, sink, kind, chain, attempts, coalesce(last_error, ''),"
                     f" coalesce({epoch('dead_at')}::text, ''), requeues, delivered_at IS NOT NULL FROM alert_outbox")
    dead = sorted((r for r in outbox if r[8]), key=lambda r: -int(r[0]))[:50]

    def superseded(d):
        return any(o[1] == d[1] and o[3] == d[3] and int(o[0]) > int(d[0]) and o[10] == "t" for o in outbox)

    want = [[d[0], d[1], d[2], d[3], d[4], d[5], d[6], cell(d[7]), utc(d[8]),
             "superseded" if superseded(d) else "can requeue", d[9]] for d in dead]
    t = by_header(table(alerts_page(browsed), "Dead letters"))
    heads = ("Alert", "Finding", "Event", "Sink", "Kind", "Chain", "Attempts", "Last error", "Dead since", "Requeue",
             "Requeued")
    assert [[r[h]["text"] for h in heads] for r in t] == want
    assert [r["Finding"]["href"] for r in t] == [f"/findings/{w[1]}" for w in want]
    assert {w[9] for w in want} == {"superseded", "can requeue"}
    assert any(w[10] != "0" for w in want)


def test_dead_letters_name_max_attempts(browsed):
    sections = {s["heading"]: s["text"] for s in alerts_page(browsed)["data"]["sections"]}
    assert f"alerts.max_attempts ({MAX_ATTEMPTS}) times" in sections["Dead letters"]
