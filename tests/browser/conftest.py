"""Browser tests of the dashboard: one seeded, migrated database, one
l2w_webalerts serving it, and one run of headless Chromium (Debian's
/usr/bin/chromium driven by playwright-core from tools/npm) over every page
the dashboard's header links to (and one finding's page), in four looks
(desktop and phone, light and dark). The run is shared by the tests of this folder, which compare
what the browser read with the database.

Screenshots go to tests/artifacts/browser/ (L2W_BROWSER_ARTIFACTS names
another folder), one PNG per page and look, with report.json beside them."""
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
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from browser_report import LOOKS  # noqa: E402
from browser_seed import config_text, seed  # noqa: E402
from webalerts_util import WebAlerts, dbtool  # noqa: E402

CHROMIUM = os.environ.get("L2W_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = os.environ.get("L2W_BROWSER_ARTIFACTS", os.path.join(REPO, "tests", "artifacts", "browser"))
VISIT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "visit.mjs")


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


@pytest.fixture(scope="session")
def site(request, tmp_path_factory):
    """The seeded database and the server: (db, WebAlerts)."""
    url = os.environ.get("L2W_TEST_DATABASE_URL") or request.getfixturevalue("pg_cluster")
    db = Database(url)
    dbtool("migrate", db.url)
    seed(db)
    d = tmp_path_factory.mktemp("browser")
    cfg = d / "browser.yaml"
    cfg.write_text(config_text(db.url))
    server = WebAlerts(str(cfg), str(d / "browser.log"))
    yield db, server
    server.stop()


@pytest.fixture(scope="session")
def browsed(site):
    """What Chromium read: {"pages", "browser", "visits": [...], "probe"}."""
    _, server = site
    assert os.access(CHROMIUM, os.X_OK), f"{CHROMIUM} is missing: run scripts/install-deps.sh"
    status, _, overview = server.get("/")
    assert status == 200, overview
    pages = dashboard_pages(overview)
    if os.path.isdir(ARTIFACTS):
        shutil.rmtree(ARTIFACTS)
    os.makedirs(ARTIFACTS)
    plan = {"base": f"http://127.0.0.1:{server.port}", "pages": pages, "shots": ARTIFACTS, "chromium": CHROMIUM,
            "looks": LOOKS, "follow": {"page": "/", "selector": 'section:has(h2:text-is("Findings")) tbody a'}}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(plan, f)
    try:
        out = subprocess.run(["node", VISIT, f.name], capture_output=True, text=True, timeout=300)
    finally:
        os.unlink(f.name)
    assert out.returncode == 0, f"visit.mjs failed ({out.returncode}):\n{out.stderr}"
    report = json.loads(out.stdout)
    report["pages"] = pages
    with open(os.path.join(ARTIFACTS, "report.json"), "w") as f:
        json.dump(report, f, indent=1)
    return report
