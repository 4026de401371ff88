"""A slow client cannot hold a connection (a server thread) for longer than
web.request_timeout_ms per request: one that sends its headers or its body a
few bytes at a time, each within libmicrohttpd's idle timeout, is cut at the
deadline and counted, while other clients are answered meanwhile; a
keep-alive client whose requests each finish in time keeps its connection
however long it lives."""
import http.client
import select
import socket
import time

import pytest

from test_web_silences import AUTH, CLIENTS
from webalerts_util import metric, parse_prometheus

DEADLINE_S = 1.5
# The server's idle timeout is 15 s: a client sending a line this often is
# never idle, and without a deadline would be served until it stopped.
DRIP_S = 0.3


def cut_count(w):
    status, _, text = w.get("/metrics")
    assert status == 200
    return metric(parse_prometheus(text)[1], "l2watch_http_connections_cut_total")


def closed_by_server(sock):
    """True once the server has shut the connection (EOF or reset)."""
    ready, _, _ = select.select([sock], [], [], 0)
    if not ready:
        return False
    try:
        return sock.recv(4096) == b""
    except ConnectionError:
        return True


def drip(sock, head, piece, limit_s):
    """Sends head, then piece every DRIP_S; returns the seconds from connecting
    until the server closed the connection, or None if it was still open
    after limit_s. Halfway, checks that another client is answered."""
    started = time.monotonic()
    sock.sendall(head)
    other_answered = None
    while time.monotonic() - started < limit_s:
        time.sleep(DRIP_S)
        if closed_by_server(sock):
            return time.monotonic() - started, other_answered
        if other_answered is None and time.monotonic() - started > DEADLINE_S / 2:
            conn = http.client.HTTPConnection("127.0.0.1", sock.getpeername()[1], timeout=10)
            conn.request("GET", "/healthz")
            other_answered = conn.getresponse().status == 200
            conn.close()
        try:
            sock.sendall(piece)
        except (BrokenPipeError, ConnectionError):
            return time.monotonic() - started, other_answered
    return None, other_answered


@pytest.mark.parametrize("part", ["headers", "body"])
def test_a_request_sent_a_little_at_a_time_is_cut_at_its_deadline(migrated, webalerts, part):
    w = webalerts(migrated.url, web_extra=CLIENTS + f"\n  request_timeout_ms: {int(DEADLINE_S * 1000)}")
    assert cut_count(w) == 0
    sock = socket.create_connection(("127.0.0.1", w.port), timeout=10)
    try:
        if part == "headers":
            head, piece = b"GET /healthz HTTP/1.1\r\nHost: l2watch\r\n", b"X-Slow: 1\r\n"
        else:
            # A complete, authorised request whose declared body arrives a byte at a time.
            fields = "".join(f"{k}: {v}\r\n" for k, v in AUTH.items())
            head = (f"POST /api/v1/silences HTTP/1.1\r\nHost: l2watch\r\n{fields}"
                    "Content-Length: 200\r\n\r\n{").encode()
            piece = b" "
        took, other_answered = drip(sock, head, piece, limit_s=12)
    finally:
        sock.close()
    assert took is not None, "the slow connection was still open after 12 s"
    # Not before its deadline; after it within the watchdog's scan, with room for a loaded machine.
    assert DEADLINE_S - 0.1 <= took < DEADLINE_S + 5, took
    assert other_answered, "another client was not answered while the slow one was connected"
    assert cut_count(w) == 1
    assert "took over 1500 ms on one request" in w.output()


def test_a_keep_alive_connection_outlives_the_deadline_when_each_request_is_quick(migrated, webalerts):
    w = webalerts(migrated.url, web_extra=f"  request_timeout_ms: {int(DEADLINE_S * 1000)}")
    conn = http.client.HTTPConnection("127.0.0.1", w.port, timeout=10)
    try:
        started = time.monotonic()
        conn.request("GET", "/healthz")
        first = conn.getresponse()
        first.read()
        sock = conn.sock
        while time.monotonic() - started < 2.5 * DEADLINE_S:
            time.sleep(DEADLINE_S / 3)
            conn.request("GET", "/healthz")
            r = conn.getresponse()
            assert r.status == 200 and r.read() == b"ok\n"
            assert conn.sock is sock, "the connection was reopened"
    finally:
        conn.close()
    assert cut_count(w) == 0


def test_the_deadline_is_range_checked(migrated, webalerts):
    with pytest.raises(AssertionError, match="request_timeout_ms"):
        webalerts(migrated.url, web_extra="  request_timeout_ms: 999")
