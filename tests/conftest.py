"""Session fixtures shared by every Python-driven test: one throwaway
PostgreSQL cluster (a fresh database per test), and helpers in l2wtest.py."""
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
