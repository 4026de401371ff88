"""Helpers for the database-backed tests of the web server and the alert
worker: the tools under test (built from tests/tools/), a scriptable webhook
receiver, and a strict reader of the Prometheus text format."""
import http.client
import http.server
import json
import os
import re
import signal
import subprocess
import threading
import time

from l2wtest import BUILD_DIR, FATAL_PATTERNS, closed_port, wait_until  # noqa: F401 (closed_port: for the tests)

DBTOOL = os.path.join(BUILD_DIR, "l2w_dbtool")
WEBALERTS = os.path.join(BUILD_DIR, "l2w_webalerts")


def dbtool(*args):
    out = subprocess.run([DBTOOL, *args], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, f"l2w_dbtool {' '.join(args)} failed:\n{out.stderr}"
    return out


class Receiver:
    """A webhook receiver that follows a plan, one action per request:
    ("status", N) answers N, ("hang", S) answers nothing for S seconds.
    Once the plan runs out every request gets 200. Every request is kept."""

    def __init__(self, plan=(), delay=0.0, port=0):
        self.plan = list(plan)
        self.delay = delay
        self.requests = []
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                arrived = time.monotonic()
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with outer.lock:
                    action = outer.plan.pop(0) if outer.plan else ("status", 200)
                    outer.requests.append({"time": arrived, "headers": self.headers, "body": body,
                                           "action": action})
                if action[0] == "hang":
                    time.sleep(action[1])
                    self.close_connection = True
                    return
                if outer.delay:
                    time.sleep(outer.delay)
                try:
                    self.send_response(action[1])
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook?token=secret-in-url"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def snapshot(self):
        with self.lock:
            return list(self.requests)

    def accepted(self):
        return [r for r in self.snapshot() if r["action"][0] == "status" and 200 <= r["action"][1] < 300]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def config_head(database_url, oracle, web_extra=""):
    """The opening of a test config that reads a seeded store: the database,
    the web server on a free port (web_extra: lines under web:, indented 2
    spaces), chain l1 (id 900) and its L2 op (id 901) with oracle as its
    output oracle; nothing is followed (the RPC port is closed). Ends after
    op's lines, so a caller may add to op, more chains, or sections."""
    web = web_extra.rstrip("\n") + "\n" if web_extra else ""
    return (f'log_level: debug\ndatabase:\n  url: "{database_url}"\nweb:\n  listen: 127.0.0.1:0\n{web}'
            'chains:\n  - name: l1\n    role: l1\n    chain_id: 900\n    rpc: ["http://127.0.0.1:9"]\n'
            '  - name: op\n    role: l2\n    chain_id: 901\n    l1: l1\n    rpc: ["http://127.0.0.1:9"]\n'
            f'    l2_output_oracle: "{oracle}"\n')


def write_config(path, database_url, webhooks, max_backoff_ms=10000, alerts_extra="", web_extra=""):
    """webhooks: list of (name, url, timeout_ms[, secret_file]); alerts_extra and web_extra:
    YAML lines added under alerts: and web: (indented 2 spaces), e.g. max_attempts or clients."""
    lines = ["log_level: debug", "database:", f'  url: "{database_url}"', "web:", "  listen: 127.0.0.1:0"]
    if web_extra:
        lines.append(web_extra.rstrip("\n"))
    lines += ["alerts:", f"  max_backoff_ms: {max_backoff_ms}"]
    if alerts_extra:
        lines.append(alerts_extra.rstrip("\n"))
    if webhooks:
        lines.append("  webhooks:")
        for name, url, timeout_ms, *secret in webhooks:
            lines += [f"    - name: {name}", f'      url: "{url}"', f"      timeout_ms: {timeout_ms}"]
            if secret:
                lines.append(f'      secret_file: "{secret[0]}"')
    # The tool starts no followers, but the config format requires a chain.
    lines += ["chains:", "  - name: l1", "    role: l1", "    chain_id: 31337", '    rpc: ["http://127.0.0.1:9"]']
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


class WebAlerts:
    """l2w_webalerts as a child process: the web server and the alert worker."""

    def __init__(self, config_path, log_path):
        self.config_path = config_path
        self.log_path = log_path
        self.log = open(log_path, "wb")
        self.proc = subprocess.Popen([WEBALERTS, config_path], stdout=subprocess.PIPE, stderr=self.log)
        line = self.proc.stdout.readline().decode()
        m = re.match(r"listening on port (\d+)", line)
        if not m:
            self.proc.wait(timeout=10)
            raise AssertionError(f"l2w_webalerts did not start ({self.proc.returncode}):\n{self.output()}")
        self.port = int(m.group(1))

    def output(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read().decode()
        finally:
            conn.close()

    def get(self, path):
        return self.request("GET", path)

    def get_json(self, path, expect=200):
        status, headers, body = self.get(path)
        assert status == expect, f"GET {path}: {status} {body}"
        assert headers["content-type"] == "application/json"
        return json.loads(body)

    def kill(self):
        """SIGKILL: no shutdown path runs, as in a crash."""
        self.proc.kill()
        self.proc.wait(timeout=10)
        self.proc.stdout.close()
        self.log.close()

    def stop(self):
        if self.proc.returncode == -signal.SIGKILL:
            return  # killed on purpose (kill()); nothing left to stop
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("l2w_webalerts did not stop within 30 s of SIGTERM")
        self.proc.stdout.close()
        self.log.close()
        out = self.output()
        bad = [line for line in out.splitlines() if any(p in line for p in FATAL_PATTERNS)]
        assert not bad, "fatal lines logged:\n" + "\n".join(bad)
        assert self.proc.returncode == 0, f"l2w_webalerts exited with {self.proc.returncode}:\n{out}"


_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
_SAMPLE = re.compile(r"^(" + _NAME + r")(?:\{(.*)\})? (\S+)$")
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)')


def _unescape(v):
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), v)


def parse_prometheus(text):
    """Reads the text exposition format 0.0.4 strictly. Returns (families,
    samples): families maps a name to {"help", "type"}; samples maps
    (name, frozenset of label pairs) to a float. Raises on anything a
    Prometheus server would reject, and on HELP/TYPE given twice."""
    families, samples = {}, {}
    assert text.endswith("\n"), "exposition must end with a newline"
    for line in text.splitlines():
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            kind, rest = line[2:6].lower(), line[7:]
            name, _, value = rest.partition(" ")
            assert re.fullmatch(_NAME, name), line
            fam = families.setdefault(name, {})
            assert kind not in fam, f"second {kind.upper()} for {name}"
            if kind == "type":
                assert value in ("counter", "gauge", "histogram", "summary", "untyped"), line
                assert not any(s[0] == name or s[0].startswith(name + "_") for s in samples), \
                    f"TYPE for {name} after its samples"
            fam[kind] = value
            continue
        assert not line.startswith("#") and line.strip(), f"unexpected line {line!r}"
        m = _SAMPLE.match(line)
        assert m, f"bad sample line {line!r}"
        name, labels_text, value = m.groups()
        labels = {}
        if labels_text:
            pos = 0
            while pos < len(labels_text):
                lm = _LABEL.match(labels_text, pos)
                assert lm, f"bad labels in {line!r}"
                assert lm.group(1) not in labels, f"label twice in {line!r}"
                labels[lm.group(1)] = _unescape(lm.group(2))
                pos = lm.end()
        key = (name, frozenset(labels.items()))
        assert key not in samples, f"duplicate series {line!r}"
        samples[key] = float(value)
    for name, fam in families.items():
        if fam.get("type") == "histogram":
            _check_histogram(name, samples)
    return families, samples


def _check_histogram(name, samples):
    """Buckets are cumulative, end in +Inf, and +Inf equals _count."""
    series = {}
    for (sname, labels), v in samples.items():
        if sname == name + "_bucket":
            rest = frozenset(p for p in labels if p[0] != "le")
            le = dict(labels)["le"]
            series.setdefault(rest, []).append((float(le), v))
    for rest, buckets in series.items():
        buckets.sort()
        values = [v for _, v in buckets]
        assert values == sorted(values), f"{name} buckets not cumulative"
        assert buckets[-1][0] == float("inf"), f"{name} has no +Inf bucket"
        assert samples[(name + "_count", rest)] == values[-1]
        assert (name + "_sum", rest) in samples


def metric(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())))
