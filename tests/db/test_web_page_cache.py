"""web.page_cache_ms on a live server: a dashboard page asked without a
query string is answered from a copy at most that old, a query string
always renders afresh, a page that could not be rendered (database down) is
never kept, and 0 keeps nothing."""
import time

from html_tables import Page
from l2wtest import wait_until

SEVERITIES = ["critical", "high", "medium", "low", "info"]


def open_critical(text):
    rows = Page(text).rows("open-findings")
    return dict(zip(SEVERITIES, [r["Open"]["text"] for r in rows]))["critical"]


def add_open_critical(db, key):
    db.rows("INSERT INTO findings (dedup_key, kind, severity, chain, title, summary, evidence, status)"
            f" VALUES ('{key}', 'invalid_output_root', 'critical', 'l1', 't', 's', '{{}}', 'open')")


def overview(w, path="/"):
    status, _, text = w.get(path)
    assert status == 200, (path, status)
    return open_critical(text)


def test_a_young_copy_is_served_then_renewed(migrated, webalerts):
    w = webalerts(migrated.url, [], web_extra="  page_cache_ms: 2500")
    assert overview(w) == "0"
    made = time.monotonic()
    add_open_critical(migrated, "a")
    # Within the interval: the copy, while a query string renders afresh.
    assert overview(w) == "0"
    assert overview(w, "/?fresh=1") == "1"
    assert time.monotonic() - made < 2.0, "the machine was too slow for the interval this test uses"
    # After it, the next request renders the new figure.
    wait_until(lambda: overview(w) == "1", timeout=10, interval=0.2, what="the overview to be rendered again")
    assert time.monotonic() - made >= 2.5 - 0.05


def test_nothing_is_kept_with_zero(migrated, webalerts):
    w = webalerts(migrated.url, [], web_extra="  page_cache_ms: 0")
    assert overview(w) == "0"
    add_open_critical(migrated, "b")
    assert overview(w) == "1"


def test_a_page_that_failed_is_not_kept(migrated, webalerts):
    """With the overview's table gone its rendering fails; once it is back,
    the very next request renders, although the interval is a minute."""
    w = webalerts(migrated.url, [], web_extra="  page_cache_ms: 60000")
    migrated.rows("ALTER TABLE chains RENAME TO chains_away")
    status, _, _ = w.get("/")
    assert status >= 500, status
    migrated.rows("ALTER TABLE chains_away RENAME TO chains")
    assert overview(w) == "0"
    # And that rendering is the one kept now.
    add_open_critical(migrated, "c")
    assert overview(w) == "0"


def test_the_cache_setting_is_checked(tmp_path):
    from webalerts_util import WebAlerts, write_config
    cfg = write_config(str(tmp_path / "bad.yaml"), "postgresql://u@127.0.0.1:9/x", [],
                       web_extra="  page_cache_ms: 60001")
    try:
        w = WebAlerts(cfg, str(tmp_path / "bad.log"))
    except AssertionError as e:
        assert "page_cache_ms" in str(e) and "60000" in str(e), str(e)
    else:
        w.stop()
        raise AssertionError("a page_cache_ms over 60000 was accepted")
