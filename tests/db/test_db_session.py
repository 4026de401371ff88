"""Settings every database session l2watch opens carries, whatever the
database or role defaults say."""

from l2wtest import psql
from webalerts_util import dbtool


def test_jit_is_off_in_l2watch_sessions(database):
    # The database's default turns JIT on; a session of our own must see it,
    # so the check below can tell l2watch's setting from the default.
    psql(database.url, f"ALTER DATABASE {database.name} SET jit = on")
    assert psql(database.url, "SELECT current_setting('jit')") == [["on"]]
    assert dbtool("setting", database.url, "jit").stdout.strip() == "off"
