"""Fixtures for the database-backed tests of the web server and the alert
worker. Each test gets a fresh database: on the cluster named by
L2W_TEST_DATABASE_URL when that is set (a server someone already runs),
otherwise on the session cluster of tests/conftest.py."""
import os

import pytest

from l2wtest import Database
from webalerts_util import Receiver, WebAlerts, dbtool, write_config


@pytest.fixture
def database(request):
    url = os.environ.get("L2W_TEST_DATABASE_URL")
    # getfixturevalue starts the session cluster only when it is needed.
    return Database(url or request.getfixturevalue("pg_cluster"))


@pytest.fixture
def migrated(database):
    dbtool("migrate", database.url)
    return database


@pytest.fixture
def receivers():
    made = []

    def make(plan=(), delay=0.0):
        r = Receiver(plan, delay)
        made.append(r)
        return r

    yield make
    for r in made:
        r.close()


@pytest.fixture
def webalerts(tmp_path):
    started = []

    def start(database_url=None, webhooks=(), max_backoff_ms=10000, name="webalerts", alerts_extra="", web_extra="",
              config=None):
        """config: a config file the test wrote itself, used instead of one written here."""
        cfg = config or write_config(str(tmp_path / f"{name}.yaml"), database_url, webhooks, max_backoff_ms,
                                     alerts_extra, web_extra)
        w = WebAlerts(cfg, str(tmp_path / f"{name}.log"))
        started.append(w)
        return w

    yield start
    errors = []
    for w in started:
        try:
            w.stop()
        except AssertionError as e:
            errors.append(str(e))
    assert not errors, "\n".join(errors)
