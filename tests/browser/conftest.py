"""Browser tests of the dashboard: a migrated database seeded with what
weeks of watching leave (browser_seed.py), l2w_webalerts serving it, and
headless Chromium (Debian's /usr/bin/chromium driven by playwright-core
from tools/npm) run by the node scripts of this folder, which print what
they read as JSON for the tests to compare with the database.

visit.mjs goes once over every page the dashboard's header links to (and
one finding's page) in four looks, desktop and phone, light and dark; the
tests that only read share that run and its world (site, browsed).
silence.mjs changes the world, so it gets one of its own (fresh_site).

Screenshots go to tests/artifacts/browser/ (L2W_BROWSER_ARTIFACTS names
another folder): <page>-<look>.png, silence-<step>.png, and report.json,
what visit.mjs read."""
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import pytest

from l2wtest import REPO, Database

sys.path.insert(0, os.path.join(REPO, "tests", "db"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # browser_report, browser_seed

from browser_report import LOOKS  # noqa: E402
from browser_seed import config_text, seed  # noqa: E402
from webalerts_util import WebAlerts, dbtool  # noqa: E402

CHROMIUM = os.environ.get("L2W_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = os.environ.get("L2W_BROWSER_ARTIFACTS", os.path.join(REPO, "tests", "artifacts", "browser"))
HERE = os.path.dirname(os.path.abspath(__file__))


class _Links(html.parser.HTMLParser):
    """The header's links, and the first link to one finding's page."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.header = []
        self.finding = None

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href") if tag == "a" else None
        if tag == "header":
            self.depth += 1
        elif href and self.depth:
            self.header.append(href)
        elif href and self.finding is None and re.fullmatch(r"/findings/[0-9]+", href):
            self.finding = href

    def handle_endtag(self, tag):
        if tag == "header":
            self.depth -= 1


def dashboard_pages(overview_html):
    """"/", every page of the dashboard the header links to (not the API or
    the metrics), in the header's order, and the first finding's own page
    the overview links to."""
    parser = _Links()
    parser.feed(overview_html)
    pages = ["/"]
    for href in parser.header:
        if href.startswith("/") and not href.startswith(("/api/", "/metrics", "/static/")) and href not in pages:
            pages.append(href)
    if parser.finding:
        pages.append(parser.finding)
    return pages


def start_world(database_url, workdir):
    """A migrated, seeded database and l2w_webalerts serving it."""
    db = Database(database_url)
    dbtool("migrate", db.url)
    seed(db)
    cfg = workdir / "browser.yaml"
    cfg.write_text(config_text(db.url))
    return db, WebAlerts(str(cfg), str(workdir / "browser.log"))


def cluster_url(request):
    return os.environ.get("L2W_TEST_DATABASE_URL") or request.getfixturevalue("pg_cluster")


@pytest.fixture(scope="session")
def site(request, tmp_path_factory):
    """The seeded world the page tests read: (db, WebAlerts). Nothing may
    change it; a test that writes takes fresh_site."""
    db, server = start_world(cluster_url(request), tmp_path_factory.mktemp("browser"))
    yield db, server
    server.stop()


@pytest.fixture
def fresh_site(request, tmp_path):
    """A seeded world of the test's own, for tests that change it."""
    db, server = start_world(cluster_url(request), tmp_path)
    yield db, server
    server.stop()


@pytest.fixture(scope="session")
def artifacts():
    """The screenshot folder, emptied once per run."""
    if os.path.isdir(ARTIFACTS):
        shutil.rmtree(ARTIFACTS)
    os.makedirs(ARTIFACTS)
    return ARTIFACTS


@pytest.fixture(scope="session")
def run_script():
    """Runs one of this folder's node scripts on a plan; returns its JSON."""
    assert os.access(CHROMIUM, os.X_OK), f"{CHROMIUM} is missing: run scripts/install-deps.sh"

    def run(script, plan):
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump({**plan, "chromium": CHROMIUM}, f)
        try:
            out = subprocess.run(["node", os.path.join(HERE, script), f.name], capture_output=True, text=True,
                                 timeout=300)
        finally:
            os.unlink(f.name)
        assert out.returncode == 0, f"{script} failed ({out.returncode}):\n{out.stderr}"
        return json.loads(out.stdout)

    return run


@pytest.fixture(scope="session")
def browsed(site, artifacts, run_script):
    """What Chromium read: {"pages", "browser", "visits": [...], "probe"}."""
    _, server = site
    status, _, overview = server.get("/")
    assert status == 200, overview
    pages = dashboard_pages(overview)
    report = run_script("visit.mjs", {
        "base": f"http://127.0.0.1:{server.port}", "pages": pages, "shots": artifacts, "looks": LOOKS,
        "follow": {"page": "/", "selector": 'section:has(h2:text-is("Recent alerts")) tbody a'}})
    report["pages"] = pages
    with open(os.path.join(artifacts, "report.json"), "w") as f:
        json.dump(report, f, indent=1)
    return report
