"""collector/da_fetch.h against real HTTP servers on 127.0.0.1, through the
tests/tools/l2w_dafetch tool: one server serving files (the right bytes),
one serving wrong bytes, one answering 500, one redirecting, one too slow for
the timeout, two with bodies over the cap (announced, and streamed without a
length with a pause after the first chunk, so only a refusal while streaming
returns before the pause ends), and a port with nothing listening. Each
single fetch must be classified with a message that names the server; each
round must give the right verdict, name the deciding server, ask every server
at most once and in order, and keep its evidence bounded.

Expected keccak256 values come from `cast keccak`, not from l2watch."""
import hashlib
import json
import os
import re
import shutil
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

import l2wtest
from l2wtest import BUILD_DIR, REPO

TOOL = os.path.join(BUILD_DIR, "l2w_dafetch")
CAST = os.path.join(REPO, "tools", "npm", "node_modules", ".bin", "cast")

# The batch as the DA server stores it: derivation version 0, then frames.
DATA = b"\x00" + bytes(range(256)) * 12
WRONG = b"\x00" + b"not the batch the commitment is for"


def cast_keccak(data):
    cast = CAST if os.path.exists(CAST) else shutil.which("cast")
    assert cast, "cast is needed to compute expected hashes (tools/npm or PATH)"
    out = subprocess.run([cast, "keccak", "0x" + data.hex()], check=True, capture_output=True, text=True)
    return out.stdout.strip()


@pytest.fixture(scope="module")
def keccak_commitment():
    """The 33-byte encoded commitment of DATA, type byte 0x00 first, as hex."""
    return "00" + cast_keccak(DATA)[2:]


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a client that hung up on purpose is not an error here


class Server:
    """An HTTP server on an ephemeral port; respond(handler) answers each GET.
    paths records every request path, in order."""

    def __init__(self, respond=None, directory=None):
        self.paths = []
        outer = self

        base = SimpleHTTPRequestHandler if directory else BaseHTTPRequestHandler

        class Handler(base):
            protocol_version = "HTTP/1.0"

            def __init__(self, *args, **kwargs):
                if directory:
                    kwargs["directory"] = directory
                super().__init__(*args, **kwargs)

            def do_GET(self):
                outer.paths.append(self.path)
                if directory:
                    return super().do_GET()
                respond(self)

            def log_message(self, *args):
                pass

        self.server = QuietServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def answer(handler, status, body=b"", headers=()):
    handler.send_response(status)
    handler.send_header("Content-Length", str(len(body)))
    for k, v in headers:
        handler.send_header(k, v)
    handler.end_headers()
    handler.wfile.write(body)


def slow(handler):
    time.sleep(3)
    answer(handler, 200, DATA)


def slow_body(handler):
    handler.send_response(200)
    handler.send_header("Content-Length", str(len(DATA)))
    handler.end_headers()
    handler.wfile.write(DATA[:100])
    handler.wfile.flush()
    time.sleep(3)
    handler.wfile.write(DATA[100:])


def big_announced(handler):
    handler.send_response(200)
    handler.send_header("Content-Length", str(50 * 1024 * 1024))
    handler.end_headers()
    try:
        for _ in range(50 * 16):
            handler.wfile.write(b"\0" * 65536)
    except OSError:
        pass


def big_streamed(handler):
    """No Content-Length (HTTP/1.0, the end is the close): a first chunk over
    the cap, then a pause longer than the client's timeout."""
    handler.send_response(200)
    handler.end_headers()
    try:
        handler.wfile.write(b"\0" * 65536)
        handler.wfile.flush()
        time.sleep(4)
        handler.wfile.write(b"\0" * 65536)
    except OSError:
        pass


@pytest.fixture(scope="module")
def servers(keccak_commitment, tmp_path_factory):
    root = tmp_path_factory.mktemp("da")
    (root / "get").mkdir()
    (root / "get" / f"0x{keccak_commitment}").write_bytes(DATA)
    # A generic commitment: DA layer byte 0x0c, opaque payload.
    (root / "get" / "0x010c0102030405").write_bytes(b"\x00generic payload")
    made = {
        "good": Server(directory=str(root)),
        "wrong": Server(lambda h: answer(h, 200, WRONG)),
        "e500": Server(lambda h: answer(h, 500, b"internal error")),
        "redirect": Server(lambda h: answer(h, 302, headers=[("Location", "http://127.0.0.1:1/elsewhere")])),
        "slow": Server(slow),
        "slow_body": Server(slow_body),
        "big": Server(big_announced),
        "big_streamed": Server(big_streamed),
    }
    yield made
    for s in made.values():
        s.close()


@pytest.fixture
def closed_port():
    """A URL where the connection is refused."""
    return f"http://127.0.0.1:{l2wtest.closed_port()}"


@pytest.fixture(autouse=True)
def fresh_paths(servers):
    for s in servers.values():
        s.paths.clear()


def run_tool(*args, timeout_ms=2000, max_bytes=1 << 20, expect_rc=0):
    cmd = [TOOL, "--timeout-ms", str(timeout_ms), "--max-bytes", str(max_bytes), *args]
    start = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    took = time.monotonic() - start
    assert p.returncode == expect_rc, f"{cmd}: exit {p.returncode}\nstdout: {p.stdout}\nstderr: {p.stderr}"
    for bad in ("AddressSanitizer", "runtime error:", "LeakSanitizer"):
        assert bad not in p.stderr, p.stderr
    if expect_rc != 0:
        return p.stderr, took
    return json.loads(p.stdout), took


def fetch_one(server_url, commitment, **kw):
    return run_tool("one", server_url, commitment, **kw)


def fetch_round(commitment, *server_urls, **kw):
    return run_tool("round", commitment, *server_urls, **kw)[0]


def shown(url):
    return re.escape(url)


# ---------------------------------------------------------------- one server


def test_good_server_serves_the_bytes(servers, keccak_commitment):
    r, _ = fetch_one(servers["good"].url, keccak_commitment)
    assert r["outcome"] == "ok"
    assert r["http_status"] == 200
    assert r["bytes"] == len(DATA)
    assert r["keccak"] == cast_keccak(DATA)
    assert re.fullmatch(shown(servers["good"].url) + rf": HTTP 200, {len(DATA)} bytes after \d+ ms", r["msg"])
    assert servers["good"].paths == [f"/get/0x{keccak_commitment}"]


def test_base_with_trailing_slash(servers, keccak_commitment):
    r, _ = fetch_one(servers["good"].url + "/", keccak_commitment)
    assert r["outcome"] == "ok"
    assert servers["good"].paths == [f"/get/0x{keccak_commitment}"]


def test_unknown_commitment_is_not_found(servers):
    other = "00" + "ab" * 32
    r, _ = fetch_one(servers["good"].url, other)
    assert r["outcome"] == "not_found"
    assert r["http_status"] == 404
    assert r["bytes"] == 0
    assert re.fullmatch(shown(servers["good"].url) + r": HTTP 404 \(not found\) after \d+ ms", r["msg"])


def test_server_error(servers, keccak_commitment):
    r, _ = fetch_one(servers["e500"].url, keccak_commitment)
    assert r["outcome"] == "server_error"
    assert r["http_status"] == 500
    assert re.fullmatch(shown(servers["e500"].url) + r": HTTP 500 after \d+ ms", r["msg"])


def test_redirect_is_not_followed(servers, keccak_commitment):
    r, _ = fetch_one(servers["redirect"].url, keccak_commitment)
    assert r["outcome"] == "server_error"
    assert r["http_status"] == 302
    assert re.fullmatch(shown(servers["redirect"].url) + r": HTTP 302 after \d+ ms \(redirects are not followed\)",
                        r["msg"])


def test_timeout(servers, keccak_commitment):
    r, took = fetch_one(servers["slow"].url, keccak_commitment, timeout_ms=300)
    assert r["outcome"] == "timeout"
    assert r["http_status"] == 0
    assert r["msg"] == f"{servers['slow'].url}: no answer within 300 ms"
    assert took < 2.5, f"the 300 ms timeout took {took:.2f} s"


def test_timeout_mid_body(servers, keccak_commitment):
    r, took = fetch_one(servers["slow_body"].url, keccak_commitment, timeout_ms=400)
    assert r["outcome"] == "timeout"
    assert r["msg"] == f"{servers['slow_body'].url}: no complete answer within 400 ms (HTTP 200, 100 bytes so far)"
    assert took < 2.5


def test_too_large_announced(servers, keccak_commitment):
    r, took = fetch_one(servers["big"].url, keccak_commitment, max_bytes=1000)
    assert r["outcome"] == "too_large"
    assert r["bytes"] == 0
    assert re.fullmatch(shown(servers["big"].url) +
                        r": HTTP 200 with a body over the 1000-byte cap, refused after \d+ ms", r["msg"])
    assert took < 2.0


def test_too_large_refused_while_streaming(servers, keccak_commitment):
    # The server pauses 4 s after its first 64 KiB: a client that read the
    # whole body before judging its size would hit the 3 s timeout instead.
    r, took = fetch_one(servers["big_streamed"].url, keccak_commitment, max_bytes=1000, timeout_ms=3000)
    assert r["outcome"] == "too_large", r
    assert re.fullmatch(shown(servers["big_streamed"].url) +
                        r": HTTP 200 with a body over the 1000-byte cap, refused after \d+ ms", r["msg"])
    assert took < 2.0, f"refusal took {took:.2f} s: the body was not refused while streaming"


def test_nothing_listening(closed_port, keccak_commitment):
    r, took = fetch_one(closed_port, keccak_commitment)
    assert r["outcome"] == "transport"
    assert r["http_status"] == 0
    assert re.fullmatch(shown(closed_port) + r": transport error after \d+ ms: .+", r["msg"])
    assert "connect" in r["msg"].lower()
    assert "refused" in r["msg"].lower()  # the system's reason, not only curl's


def test_credentials_and_path_are_not_shown(servers, keccak_commitment):
    port = servers["e500"].server.server_address[1]
    r, _ = fetch_one(f"http://user:SECRET@127.0.0.1:{port}/da/SECRETKEY", keccak_commitment)
    assert r["outcome"] == "server_error"
    assert "SECRET" not in r["msg"]
    assert r["msg"].startswith(f"http://127.0.0.1:{port}/...: HTTP 500")
    assert servers["e500"].paths == [f"/da/SECRETKEY/get/0x{keccak_commitment}"]


def test_only_http_and_https(keccak_commitment):
    err, _ = fetch_one("ftp://127.0.0.1:21", keccak_commitment, expect_rc=1)
    assert "not an http:// or https:// URL" in err


# ---------------------------------------------------------------- rounds


def test_round_available_from_the_first(servers, keccak_commitment):
    r = fetch_round(keccak_commitment, servers["good"].url, servers["e500"].url)
    assert r["verdict"] == "available"
    assert r["server"] == 0
    assert r["outcome"] == "ok"
    assert r["bytes"] == len(DATA)
    assert re.fullmatch(shown(servers["good"].url) + rf": HTTP 200, {len(DATA)} bytes after \d+ ms, keccak matches",
                        r["evidence"])
    assert servers["e500"].paths == [], "a round must stop at the first server with the data"


def test_round_500_then_good(servers, keccak_commitment):
    r = fetch_round(keccak_commitment, servers["e500"].url, servers["good"].url)
    assert r["verdict"] == "available"
    assert r["server"] == 1
    assert r["bytes"] == len(DATA)
    first, second = r["evidence"].split("; ")
    assert re.fullmatch(shown(servers["e500"].url) + r": HTTP 500 after \d+ ms", first)
    assert re.fullmatch(shown(servers["good"].url) + r": HTTP 200, \d+ bytes after \d+ ms, keccak matches", second)
    assert len(servers["e500"].paths) == 1 and len(servers["good"].paths) == 1


def test_round_wrong_then_good(servers, keccak_commitment):
    r = fetch_round(keccak_commitment, servers["wrong"].url, servers["good"].url)
    assert r["verdict"] == "available"
    assert r["server"] == 1
    assert f"keccak {cast_keccak(WRONG)} does not match the commitment" in r["evidence"]


def test_round_wrong_data(servers, keccak_commitment, closed_port):
    r = fetch_round(keccak_commitment, servers["e500"].url, servers["wrong"].url, closed_port)
    assert r["verdict"] == "wrong_data"
    assert r["server"] == 1
    assert r["outcome"] == "ok"
    assert r["bytes"] == 0
    parts = r["evidence"].split("; ")
    assert len(parts) == 3
    assert re.fullmatch(shown(servers["wrong"].url) +
                        rf": HTTP 200, {len(WRONG)} bytes after \d+ ms, keccak {cast_keccak(WRONG)} "
                        r"does not match the commitment", parts[1])
    assert parts[2].startswith(closed_port + ": transport error")


def test_round_unavailable_not_found_is_most_telling(servers, closed_port):
    other = "00" + "cd" * 32
    r = fetch_round(other, servers["e500"].url, servers["good"].url, closed_port)
    assert r["verdict"] == "unavailable"
    assert r["outcome"] == "not_found"
    assert r["server"] == 1
    assert r["bytes"] == 0
    assert len(r["evidence"].split("; ")) == 3


def test_round_unavailable_ranks_failures(servers, keccak_commitment, closed_port):
    r = fetch_round(keccak_commitment, closed_port, servers["e500"].url, servers["slow"].url, timeout_ms=300)
    assert r["verdict"] == "unavailable"
    assert r["outcome"] == "server_error"
    assert r["server"] == 1
    r = fetch_round(keccak_commitment, servers["e500"].url, servers["big"].url, max_bytes=1000)
    assert r["outcome"] == "too_large"
    assert r["server"] == 1


def test_round_every_server_once_in_order(servers, keccak_commitment):
    order = [servers["e500"], servers["wrong"], servers["redirect"]]
    r = fetch_round(keccak_commitment, *[s.url for s in order])
    assert r["verdict"] == "wrong_data"
    assert [len(s.paths) for s in order] == [1, 1, 1]
    urls = [p.split(": ")[0] for p in r["evidence"].split("; ")]
    assert urls == [s.url for s in order]


def test_round_generic_commitment(servers):
    r = fetch_round("010c0102030405", servers["e500"].url, servers["good"].url)
    assert r["verdict"] == "available"
    assert r["server"] == 1
    assert r["evidence"].endswith("not checked (a generic commitment only its DA layer can check)")


def test_round_evidence_is_bounded(closed_port, keccak_commitment):
    r = fetch_round(keccak_commitment, *([closed_port] * 60))
    assert r["verdict"] == "unavailable"
    assert r["outcome"] == "transport"
    assert r["server"] == 59
    assert len(r["evidence"]) <= 2047
    assert r["evidence"].endswith("...")


def test_round_rejects_a_malformed_commitment(servers):
    err, _ = run_tool("round", "0200", servers["good"].url, expect_rc=1)
    assert "not a keccak" in err
    err, _ = run_tool("round", "00" + "ab" * 31, servers["good"].url, expect_rc=1)
    assert "not a keccak" in err


# ---------------------------------------------------------------- beacon API

GENESIS = 1606824023
SLOT = 8626176
PARENT = "0x" + "11" * 32


def versioned_hash(commitment):
    return "0x01" + hashlib.sha256(commitment).hexdigest()[2:]


def sidecar(index, commitment):
    return {
        "index": str(index),
        "blob": "0x" + "00" * 131072,
        "kzg_commitment": "0x" + commitment.hex(),
        "kzg_proof": "0x" + commitment.hex(),
        "signed_block_header": {
            "message": {"slot": str(SLOT), "proposer_index": "7", "parent_root": PARENT,
                        "state_root": "0x" + "22" * 32, "body_root": "0x" + "33" * 32},
            "signature": "0x" + "00" * 96,
        },
        "kzg_commitment_inclusion_proof": ["0x" + "44" * 32] * 17,
    }


COMMITMENTS = [bytes([0xc0]) + bytes(47), bytes(range(48)), bytes(range(48, 96))]


@pytest.fixture(scope="module")
def beacon():
    accepts = []

    def respond(h):
        accepts.append(h.headers.get("Accept"))
        if h.path == "/eth/v1/beacon/genesis":
            body = {"data": {"genesis_time": str(GENESIS), "genesis_validators_root": "0x" + "00" * 32,
                             "genesis_fork_version": "0x00000000"}}
        elif h.path == f"/eth/v1/beacon/blob_sidecars/{SLOT}":
            body = {"version": "deneb", "execution_optimistic": False, "finalized": True,
                    "data": [sidecar(i, c) for i, c in enumerate(COMMITMENTS)]}
        elif h.path == f"/eth/v1/beacon/blob_sidecars/{SLOT + 1}":
            body = {"data": [sidecar(0, COMMITMENTS[0]), sidecar(0, COMMITMENTS[1])]}  # index repeated
        elif h.path == f"/eth/v1/beacon/blob_sidecars/{SLOT + 2}":
            body = {"data": []}
        else:
            return answer(h, 404, b'{"code":404,"message":"Block not found"}')
        answer(h, 200, json.dumps(body).encode(), headers=[("Content-Type", "application/json")])

    s = Server(respond)
    s.accepts = accepts
    yield s
    s.close()


def test_beacon_sidecars(beacon):
    r, _ = run_tool("sidecars", beacon.url, str(SLOT), max_bytes=3 * 270000 + 4096)
    assert r["status"] == "ok", r
    assert r["slot"] == SLOT
    assert r["parent_root"] == PARENT
    assert r["indices"] == [0, 1, 2]
    assert r["versioned_hashes"] == [versioned_hash(c) for c in COMMITMENTS]
    assert r["versioned_hashes"][0] == "0x010657f37554c781402a22917dee2f75def7ab966d7b770905398eba3c444014"
    assert beacon.accepts[-1] == "application/json"


def test_beacon_sidecars_over_the_cap(beacon):
    r, _ = run_tool("sidecars", beacon.url, str(SLOT), max_bytes=2 * 270000)
    assert r["status"] == "out of range", r
    assert "over the 540000-byte cap" in r["msg"]
    assert r["msg"].startswith(f"blob sidecars of block {SLOT}: {beacon.url}: ")


def test_beacon_sidecars_not_found_and_invalid(beacon):
    r, _ = run_tool("sidecars", beacon.url, "5")
    assert r["status"] == "not found", r
    assert re.fullmatch(rf"blob sidecars of block 5: {shown(beacon.url)}: HTTP 404 \(not found\) after \d+ ms",
                        r["msg"])
    r, _ = run_tool("sidecars", beacon.url, str(SLOT + 1))
    assert r["status"] == "protocol error"
    assert r["msg"] == (f"blob sidecars of block {SLOT + 1}: {beacon.url}: HTTP 200, invalid answer: "
                        "data[1].index: 0 repeats data[0]'s")
    r, _ = run_tool("sidecars", beacon.url, str(SLOT + 2))
    assert r["indices"] == [] and r["msg"] == ""


def test_beacon_genesis(beacon, closed_port):
    r, _ = run_tool("genesis", beacon.url)
    assert r["genesis_time"] == GENESIS and r["msg"] == ""
    r, _ = run_tool("genesis", closed_port)
    assert r["status"] == "I/O error"
    assert r["msg"].startswith(f"beacon genesis: {closed_port}: transport error after ")
