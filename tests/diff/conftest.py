"""Fixtures for the differential tests: the l2w_codec tool as one long-lived
process, cast (foundry) as the oracle, and a reproducible random seed.

Every failure message carries the seed; rerun with L2W_TEST_SEED=<seed> to
replay the same inputs."""
import concurrent.futures
import os
import random
import subprocess
import time

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD_DIR = os.environ.get("L2W_BUILD_DIR", os.path.join(REPO, "build", "asan"))
CODEC = os.path.join(BUILD_DIR, "l2w_codec")
CAST = os.path.join(REPO, "tools", "npm", "node_modules", ".bin", "cast")

# cast is a ~10 ms process start; a few threads overlap the waiting.
CAST_THREADS = max(4, 2 * (os.cpu_count() or 1))


class Codec:
    """l2w_codec speaking its line protocol over pipes; one answer per line."""

    def __init__(self, path):
        if not os.access(path, os.X_OK):
            raise RuntimeError(f"{path} is missing: build first (cmake --build --preset asan)")
        self.proc = subprocess.Popen([path], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, encoding="utf-8",
                                     errors="surrogateescape", bufsize=1)

    def ask(self, line):
        assert "\n" not in line, "one command per line"
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline()
        if not answer:
            err = self.proc.stderr.read()
            raise RuntimeError(f"l2w_codec died on {line[:200]!r}: {err}")
        return answer.rstrip("\n")

    def close(self):
        self.proc.stdin.close()
        rc = self.proc.wait(timeout=60)
        err = self.proc.stderr.read()
        # Sanitizer reports (leaks are only reported at exit) fail the run.
        assert rc == 0 and "Sanitizer" not in err and "runtime error" not in err, \
            f"l2w_codec exited {rc}: {err}"


class Cast:
    def __init__(self, path):
        if not os.access(path, os.X_OK):
            raise RuntimeError(f"{path} is missing: run scripts/install-deps.sh")
        self.path = path
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=CAST_THREADS)
        self.calls = 0

    def run(self, *args):
        """(ok, stdout stripped, stderr) of one cast call."""
        out = subprocess.run([self.path, *args], capture_output=True, timeout=60,
                             encoding="utf-8", errors="surrogateescape")
        return out.returncode == 0, out.stdout.strip(), out.stderr.strip()

    def run_many(self, argvs):
        """Runs many cast calls concurrently; results in input order."""
        self.calls += len(argvs)
        return list(self.pool.map(lambda a: self.run(*a), argvs))


@pytest.fixture(scope="session")
def seed():
    env = os.environ.get("L2W_TEST_SEED")
    value = int(env, 0) if env else random.SystemRandom().randrange(1, 2**32)
    print(f"\ndifferential tests: L2W_TEST_SEED={value}")
    return value


@pytest.fixture
def rng(seed, request):
    # One stream per test, derived from the seed and the test's name, so one
    # test replays the same inputs whether run alone or with the others.
    return random.Random(f"{seed}:{request.node.name}")


@pytest.fixture(scope="session")
def codec():
    c = Codec(CODEC)
    yield c
    c.close()


@pytest.fixture(scope="session")
def cast():
    c = Cast(CAST)
    yield c
    c.pool.shutdown()


@pytest.fixture
def timed(request):
    start = time.monotonic()
    yield
    print(f"{request.node.name}: {time.monotonic() - start:.1f}s")
