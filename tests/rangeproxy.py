"""A JSON-RPC proxy in front of a node that refuses eth_getLogs ranges the way
hosted providers do, so catch-up's range splitting can be tested on anvil
(which accepts any range).

    p = RangeProxy(upstream_url, max_span=500)      # refuse > 500 blocks
    p = RangeProxy(upstream_url, max_results=3)     # refuse answers of > 3 logs
    p.url, p.refusals, p.spans_served, p.close()

A refused range gets the JSON-RPC error providers send: "block range too
large" (code -32602) above max_span blocks, "query returned more than N
results" (code -32005) above max_results logs. delay_ms slows every request
(to catch a catch-up part-way). Batches are answered item by item. Every
other method goes through unchanged.

Also a command: python3 tests/rangeproxy.py --upstream URL --max-span N [--port P]
"""
import argparse
import http.server
import json
import sys
import threading
import time
import urllib.request


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client killed mid-request (the kill -9 test) is not the proxy's error.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


class RangeProxy:
    def __init__(self, upstream, max_span=None, max_results=None, delay_ms=0, port=0):
        self.upstream = upstream
        self.max_span = max_span
        self.max_results = max_results
        self.delay_ms = delay_ms
        self.lock = threading.Lock()
        self.refusals = 0
        self.spans_served = []  # span of every eth_getLogs answered with logs
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as a real provider

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                request = json.loads(self.rfile.read(length))
                if outer.delay_ms:
                    time.sleep(outer.delay_ms / 1000.0)
                if isinstance(request, list):
                    answer = [outer._answer(item) for item in request]
                else:
                    answer = outer._answer(request)
                body = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = _QuietServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def _forward(self, item):
        req = urllib.request.Request(self.upstream, data=json.dumps(item).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as resp:
            return json.loads(resp.read())

    def _refuse(self, item, code, message):
        with self.lock:
            self.refusals += 1
        return {"jsonrpc": "2.0", "id": item.get("id"), "error": {"code": code, "message": message}}

    def _answer(self, item):
        if item.get("method") != "eth_getLogs":
            return self._forward(item)
        span = _span(item)
        if self.max_span is not None and span is not None and span > self.max_span:
            return self._refuse(item, -32602, f"block range too large: {span} blocks, at most {self.max_span}")
        answer = self._forward(item)
        results = answer.get("result")
        if self.max_results is not None and isinstance(results, list) and len(results) > self.max_results:
            return self._refuse(item, -32005, f"query returned more than {self.max_results} results")
        with self.lock:
            self.spans_served.append(span)
        return answer

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def _span(item):
    """Blocks in an eth_getLogs filter with numeric bounds; None for tags or a block hash."""
    try:
        f = item["params"][0]
        return int(f["toBlock"], 16) - int(f["fromBlock"], 16) + 1
    except (KeyError, IndexError, TypeError, ValueError):
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--max-span", type=int)
    ap.add_argument("--max-results", type=int)
    ap.add_argument("--delay-ms", type=int, default=0)
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    p = RangeProxy(args.upstream, args.max_span, args.max_results, args.delay_ms, args.port)
    print(p.url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        p.close()


if __name__ == "__main__":
    main()
