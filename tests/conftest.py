"""Session fixtures shared by every Python-driven test: one throwaway
PostgreSQL cluster per pytest process (a fresh database per test), helpers in
l2wtest.py, and how `make test` spreads the tests over processes."""
import os
import shutil
import subprocess
import sys
import tempfile

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if REPO not in sys.path:
    sys.path.insert(0, REPO)
sys.path.insert(0, os.path.join(REPO, "tests"))

from l2wtest import Database  # noqa: E402


@pytest.fixture(scope="session")
def pg_cluster():
    # Directly under /tmp: when run as root, the server runs as an unprivileged
    # user who must be able to reach the directory.
    d = tempfile.mkdtemp(prefix="l2w-pg-")
    out = subprocess.run([os.path.join(REPO, "scripts", "pg.sh"), "start", d], check=True, capture_output=True,
                         text=True)
    url = out.stdout.strip().splitlines()[-1]
    yield url
    subprocess.run([os.path.join(REPO, "scripts", "pg.sh"), "stop", d], capture_output=True)
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def database(pg_cluster):
    return Database(pg_cluster)


# ---- parallel runs (pytest-xdist, `make test` runs `-n 3 --dist loadfile`) ----
#
# A test module is one unit of work, run whole by one worker in file order:
# module-scoped fixtures (a world, a set of servers) are made once, and a
# module whose last test judges the ones before it (test_openapi.py) sees them
# all. tests/browser/ is one unit: its tests share one session world and one
# Chromium run over every page. Each worker has its own PostgreSQL cluster
# (pg_cluster), temp directory and free ports, so units do not meet.
#
# The units known to take longest start first, so that none of them is left
# to run alone at the end, the CPU-bound ones (cast, Chromium) between ones
# that mostly wait; the order is only a hint (any unit may run on any worker,
# in any order), and a module missing from it starts after these.
LONGEST_FIRST = (
    "tests/browser",
    "tests/e2e/test_liveness.py",
    "tests/diff/test_diff_cast.py",
    "tests/e2e/test_reorg.py",
    "tests/db/test_alert_delivery.py",
    "tests/e2e/test_channel_watchtower.py",
    "tests/diff/test_diff_tx.py",
    "tests/e2e/test_data_availability.py",
    "tests/e2e/test_response.py",
    "tests/world/test_world.py",
    "tests/e2e/test_catch_up.py",
    "tests/e2e/test_bridge_guard.py",
    "tests/db/test_web_committees.py",
    "tests/e2e/test_rpc_faults.py",
    "tests/db/test_web_findings.py",
    "tests/e2e/test_analytics.py",
    "tests/world/test_bridges_world.py",
    "tests/e2e/test_output_root.py",
)


def unit_of(nodeid):
    """The unit of work a test belongs to: its module, or tests/browser."""
    path = nodeid.split("::", 1)[0]
    return "tests/browser" if path.startswith("tests/browser/") else path


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    rank = {unit: i for i, unit in enumerate(LONGEST_FIRST)}

    class ByUnit(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            return unit_of(nodeid)

        def _assign_work_unit(self, node):
            # The waiting unit that ranks first goes next (ties: file order).
            first = min(self.workqueue, key=lambda unit: rank.get(unit, len(rank)))
            self.workqueue.move_to_end(first, last=False)
            super()._assign_work_unit(node)

    return ByUnit(config, log)
