"""A malformed config, an unreachable RPC and an RPC answering garbage each
give a one-line error naming the cause, and nothing crashes."""
import http.server
import os
import tempfile
import threading
import time

import pytest

from l2wtest import L2Watch, closed_port, run_cli, wait_until

ORACLE = "0x" + "11" * 20


def config_text(db_url, l1_rpc, l2_rpc, extra=""):
    return f"""
database:
  url: "{db_url}"
web:
  listen: 127.0.0.1:0
chains:
  - name: l1
    role: l1
    chain_id: 900
    rpc: ["{l1_rpc}"]
    rpc_timeout_ms: 1000
    poll_interval_ms: 200
{extra}
  - name: op-local
    role: l2
    chain_id: 901
    l1: l1
    rpc: ["{l2_rpc}"]
    rpc_timeout_ms: 1000
    poll_interval_ms: 200
    l2_output_oracle: "{ORACLE}"
"""


def write(text):
    fd, path = tempfile.mkstemp(suffix=".yaml", prefix="l2w-")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    return path


def assert_one_line_error(result, *needles):
    assert result.returncode == 1, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one line, got: {result.stderr!r}"
    assert lines[0].startswith("l2watch: ")
    for n in needles:
        assert n in lines[0], f"{n!r} not in {lines[0]!r}"
    assert "Sanitizer" not in result.stderr and "runtime error" not in result.stderr


@pytest.mark.parametrize("mutation, needles", [
    (("chain_id: 900", "chain_id: nine hundred"), (":9: chains[0].chain_id", "expected an integer")),
    (("    poll_interval_ms: 200\n", "    poll_intervall_ms: 200\n"), ("chains[0].poll_intervall_ms", "unknown key")),
    (("l2_output_oracle: \"" + ORACLE + "\"", "l2_output_oracle: \"0x12\""), ("chains[1].l2_output_oracle",)),
    (("role: l1", "role: [l1"), ("YAML syntax error",)),
    (("l1: l1\n", "l1: mainnet\n"), ("\"mainnet\" is not an l1 chain",)),
])
def test_malformed_config_names_line_and_key(mutation, needles):
    text = config_text("postgresql://x@127.0.0.1/x", "http://127.0.0.1:1", "http://127.0.0.1:2")
    assert mutation[0] in text
    path = write(text.replace(mutation[0], mutation[1], 1))
    for cmd in ("check-config", "run", "migrate"):
        assert_one_line_error(run_cli(cmd, "-c", path), path, *needles)


def test_missing_config_file():
    assert_one_line_error(run_cli("run", "-c", "/nonexistent/l2watch.yaml"), "cannot open config")


def test_unreachable_rpc_check_config():
    port = closed_port()
    path = write(config_text("postgresql://x@127.0.0.1/x", f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port}"))
    assert_one_line_error(run_cli("check-config", "-c", path, "--rpc"), f"http://127.0.0.1:{port}", "eth_chainId",
                          "connect")


def test_unreachable_database():
    port = closed_port()
    path = write(config_text(f"postgresql://x@127.0.0.1:{port}/x", "http://127.0.0.1:1", "http://127.0.0.1:1"))
    assert_one_line_error(run_cli("migrate", "-c", path), "database", "connect")


def test_unreachable_rpc_keeps_running_and_says_why(database, tmp_path):
    port = closed_port()
    path = write(config_text(database.url, f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port}"))
    lw = L2Watch(path, str(tmp_path / "l2watch.log")).start()
    wait_until(lambda: f"http://127.0.0.1:{port}: eth_chainId" in lw.output(), 20, what="the RPC failure to be logged")
    time.sleep(1.5)
    assert lw.get("/healthz")[0] == 200
    lines = [line for line in lw.output().splitlines() if f"127.0.0.1:{port}" in line]
    assert all("UNUSUAL" in line for line in lines), lines
    # A failing endpoint is reported once per distinct error, not every poll.
    assert len(lines) <= 6, lines
    lw.stop()


class GarbageRPC:
    """Answers every JSON-RPC request with one kind of garbage."""

    ANSWERS = {
        "html": (200, b"<html><body>502 Bad Gateway</body></html>"),
        "truncated": (200, b'{"jsonrpc":"2.0","id":1,"result":"0x'),
        "no_version": (200, b'{"id":1,"result":"0x384"}'),
        "wrong_type": (200, b'{"jsonrpc":"2.0","id":1,"result":{"chain":900}}'),
        "huge_number": (200, b'{"jsonrpc":"2.0","id":1,"result":"0x10000000000000000000"}'),
        "duplicate_keys": (200, b'{"jsonrpc":"2.0","id":1,"result":"0x384","result":"0x385"}'),
        "http_500": (500, b"internal error"),
        "rpc_error": (200, b'{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"header not found"}}'),
    }

    def __init__(self, kind):
        status, body = self.ANSWERS[kind]

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize("kind, needle", [
    ("html", "not JSON"),
    ("truncated", "not JSON"),
    ("no_version", "jsonrpc"),
    ("wrong_type", "eth_chainId"),
    ("huge_number", "64-bit"),
    ("duplicate_keys", "duplicate"),
    ("http_500", "HTTP status 500"),
    ("rpc_error", "header not found"),
])
def test_garbage_rpc_is_a_clear_error(kind, needle):
    rpc = GarbageRPC(kind)
    try:
        path = write(config_text("postgresql://x@127.0.0.1/x", rpc.url, rpc.url))
        assert_one_line_error(run_cli("check-config", "-c", path, "--rpc"), rpc.url, needle)
    finally:
        rpc.close()


def test_garbage_rpc_while_running_stores_nothing(database, tmp_path):
    rpc = GarbageRPC("html")
    try:
        path = write(config_text(database.url, rpc.url, rpc.url))
        lw = L2Watch(path, str(tmp_path / "l2watch.log")).start()
        wait_until(lambda: "not JSON" in lw.output(), 20, what="the garbage to be reported")
        time.sleep(1)
        assert lw.get("/healthz")[0] == 200
        assert database.rows("SELECT count(*) FROM blocks") == [["0"]]
        assert database.rows("SELECT count(*) FROM findings") == [["0"]]
        lw.stop()
    finally:
        rpc.close()
