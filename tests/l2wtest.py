"""Helpers shared by the Python-driven tests: paths, a PostgreSQL database per
test, a webhook receiver, and an l2watch process under test."""
import http.server
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.request
import uuid

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD_DIR = os.environ.get("L2W_BUILD_DIR", os.path.join(REPO, "build", "asan"))
L2WATCH = os.path.join(BUILD_DIR, "l2watch")

# Lines that mean l2watch itself is wrong; any of them fails the test.
FATAL_PATTERNS = ("BROKEN", "AddressSanitizer", "runtime error:", "LeakSanitizer", "Segmentation fault")


def wait_until(predicate, timeout=30.0, interval=0.1, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def psql(url, sql):
    """Runs one statement; returns rows as lists of strings."""
    out = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-AtX", "-F", "\t", "-c", sql],
                         check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


class Database:
    """A fresh database on the shared test cluster."""

    def __init__(self, cluster_url):
        self.name = "t_" + uuid.uuid4().hex[:12]
        psql(cluster_url, f"CREATE DATABASE {self.name}")
        head, _, _ = cluster_url.rpartition("/")
        self.url = f"{head}/{self.name}"

    def rows(self, sql):
        return psql(self.url, sql)


class Webhook:
    """An HTTP receiver that records every POST. status_plan lists the HTTP
    statuses to answer, in order; after it runs out every answer is 200."""

    def __init__(self, status_plan=()):
        self.requests = []
        self.plan = list(status_plan)
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with outer.lock:
                    status = outer.plan.pop(0) if outer.plan else 200
                    outer.requests.append({"path": self.path, "headers": dict(self.headers),
                                           "body": body, "status": status, "time": time.time()})
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def delivered(self):
        with self.lock:
            return [json.loads(r["body"]) for r in self.requests if 200 <= r["status"] < 300]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class L2Watch:
    """l2watch run as a child process, its log kept in a file."""

    def __init__(self, config_path, log_path):
        self.config_path = config_path
        self.log_path = log_path
        self.proc = None
        self.port = None

    def start(self, timeout=60, env=None):
        """env: extra environment variables for this run (e.g. L2W_FAILPOINT)."""
        self.log = open(self.log_path, "ab")
        self.start_offset = self.log.tell()
        self.proc = subprocess.Popen([L2WATCH, "run", "-c", self.config_path], stdout=self.log,
                                     stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})

        def ready():
            if self.proc.poll() is not None:
                raise AssertionError(f"l2watch exited with {self.proc.returncode}:\n{self.output()}")
            m = re.search(r"dashboard on http://[^:]+:(\d+)/", self.output())
            return m and int(m.group(1))

        self.port = wait_until(ready, timeout, what="l2watch to start")
        return self

    def output(self):
        with open(self.log_path, "rb") as f:
            f.seek(self.start_offset)
            return f.read().decode(errors="replace")

    def get(self, path):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10) as r:
            return r.status, r.read().decode()

    def get_json(self, path):
        return json.loads(self.get(path)[1])

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("l2watch did not stop within 30 s of SIGTERM")
        if self.proc:
            self.log.close()
            assert self.proc.returncode == 0, f"l2watch exited with {self.proc.returncode}:\n{self.output()}"
        self.assert_clean()

    def wait_killed(self, timeout=60):
        """Waits for the process to die of SIGKILL (a failpoint) and closes its log."""
        wait_until(lambda: self.proc.poll() is not None, timeout, what="l2watch to hit its failpoint")
        self.log.close()
        assert self.proc.returncode == -signal.SIGKILL, \
            f"l2watch exited with {self.proc.returncode}, not SIGKILL:\n{self.output()}"
        self.assert_clean()

    def assert_clean(self):
        out = self.output()
        bad = [line for line in out.splitlines() if any(p in line for p in FATAL_PATTERNS)]
        assert not bad, "l2watch logged fatal lines:\n" + "\n".join(bad)


def run_cli(*args, timeout=60, env=None):
    return subprocess.run([L2WATCH, *args], capture_output=True, text=True, timeout=timeout, env=env)


# Sockets behind closed_port's ports, held until the process ends.
_held_ports = []


def closed_port():
    """A local port where a connection is refused, for as long as the test
    run lasts: the port stays bound by a socket that never listens, so no
    server started later (another test's, on another worker) can take it.
    A port bound and released at once could be handed to one."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    _held_ports.append(s)
    return s.getsockname()[1]
