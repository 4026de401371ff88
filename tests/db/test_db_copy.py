"""core/db.h's binary COPY, which stores every block, log and output
proposal the collector writes, against a real PostgreSQL: what goes in
comes back the same (numeric(78,0) from u256 edge cases and random values,
bytea, bytea[], integers, NULL, text), and a COPY that fails stores nothing
and leaves the connection usable (tests/tools/l2w_copycheck.c)."""
import os
import random
import subprocess

from l2wtest import BUILD_DIR

COPYCHECK = os.path.join(BUILD_DIR, "l2w_copycheck")


def test_binary_copy_round_trip_and_failures(database):
    seed = int(os.environ.get("L2W_TEST_SEED", random.randrange(1, 2**63)))
    print(f"seed {seed}")
    out = subprocess.run([COPYCHECK, database.url, str(seed)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, f"l2w_copycheck (seed {seed}) failed:\n{out.stderr}"
    assert out.stdout.startswith("ok: ")
