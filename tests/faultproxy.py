"""A JSON-RPC proxy in front of a real node (an anvil of the test world) that
misbehaves on demand, the way hosted endpoints do: it stalls, rate-limits,
fails, cuts answers short, answers HTML, returns JSON-RPC errors, claims
another chain, or lags behind the head. A test switches the behaviour at run
time with set() and reads what was injected from injected / served.

    proxy = FaultProxy(world.info["l1"]["rpc_url"])
    proxy.url                      # give this to l2watch (any path is ignored)
    proxy.set("delay", seconds=3)  # every request stalls 3 s, then passes
    proxy.set("lag", blocks=50)    # the head is 50 blocks back
    proxy.set("pass")
    proxy.injected["delay"]        # how many requests got the fault
    proxy.close()

Modes:
  pass       forward unchanged
  delay      wait `seconds` (default 5), then forward: a client with a shorter
             timeout sees a timeout
  429        HTTP 429 Too Many Requests
  500        HTTP 500
  truncated  the node's answer, cut in half mid-transfer (Content-Length says
             the whole; the connection is closed)
  not_json   HTTP 200 with an HTML error page
  rpc_error  a JSON-RPC error object (-32603 internal error) for each request
  chain_id   forward, but eth_chainId answers `chain_id`
  lag        the node seen `blocks` behind: eth_blockNumber is head - blocks;
             blocks above that are not found (null, or "header not found")
"""
import collections
import http.server
import json
import threading
import urllib.request

MODES = ("pass", "delay", "429", "500", "truncated", "not_json", "rpc_error", "chain_id", "lag")

# Methods whose block parameter (at this position) is a number, a tag or a hash.
BLOCK_PARAM = {"eth_call": 1, "eth_getProof": 2, "eth_getBalance": 1, "eth_getCode": 1, "eth_getStorageAt": 2,
               "eth_getTransactionCount": 1, "eth_estimateGas": 1}


class FaultProxy:
    def __init__(self, upstream, mode="pass", **params):
        self.upstream = upstream
        self.lock = threading.Lock()
        self.injected = collections.Counter()  # mode -> requests that got the fault
        self.served = collections.Counter()    # mode -> every request, faulty or not
        self.methods = collections.Counter()   # JSON-RPC method -> calls seen
        self._stopping = threading.Event()
        self.set(mode, **params)
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real endpoints do

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                try:
                    outer._handle(self, body)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up (a timeout): fine

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        # close() waits for the loop to see the shutdown: at most one poll
        # interval, 0.5 s by default, and a test may close sixteen proxies.
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def set(self, mode, seconds=5.0, chain_id=424242, blocks=50):
        if mode not in MODES:
            raise ValueError(f"unknown fault mode {mode!r}; one of {MODES}")
        with self.lock:
            self.mode = mode
            self.seconds = float(seconds)
            self.chain_id = int(chain_id)
            self.blocks = int(blocks)

    def close(self):
        self._stopping.set()
        self.server.shutdown()
        self.server.server_close()

    # -- the node behind

    def _forward(self, body):
        req = urllib.request.Request(self.upstream, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read()

    def _node(self, method, *params):
        _, raw = self._forward(json.dumps({"jsonrpc": "2.0", "id": 1, "method": method,
                                                "params": list(params)}).encode())
        return json.loads(raw).get("result")

    # -- one request

    def _handle(self, h, body):
        with self.lock:
            mode, seconds, chain_id, blocks = self.mode, self.seconds, self.chain_id, self.blocks
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
        calls = parsed if isinstance(parsed, list) else [parsed]
        with self.lock:
            self.served[mode] += 1
            for c in calls:
                if isinstance(c, dict):
                    self.methods[str(c.get("method"))] += 1

        if mode == "delay":
            self._count(mode)
            if self._stopping.wait(seconds):
                return
            mode = "pass"
        if mode == "429":
            self._count(mode)
            return self._reply(h, 429, b'{"error":"too many requests"}')
        if mode == "500":
            self._count(mode)
            return self._reply(h, 500, b"internal server error")
        if mode == "not_json":
            self._count(mode)
            return self._reply(h, 200, b"<html><body><h1>502 Bad Gateway</h1></body></html>",
                               "text/html")
        if mode == "rpc_error":
            self._count(mode)
            errors = [{"jsonrpc": "2.0", "id": c.get("id") if isinstance(c, dict) else None,
                       "error": {"code": -32603, "message": "internal error (injected)"}} for c in calls]
            return self._reply(h, 200, json.dumps(errors if isinstance(parsed, list) else errors[0]).encode())
        if mode == "truncated":
            self._count(mode)
            status, answer = self._forward(body)
            h.send_response(status)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(len(answer)))
            h.end_headers()
            h.wfile.write(answer[:len(answer) // 2])
            h.wfile.flush()
            h.close_connection = True
            return
        if mode in ("chain_id", "lag") and parsed is not None:
            answers = [self._rewrite(c, mode, chain_id, blocks) for c in calls]
            if any(touched for _, touched in answers):
                self._count(mode)
            out = [a for a, _ in answers]
            return self._reply(h, 200, json.dumps(out if isinstance(parsed, list) else out[0]).encode())
        status, answer = self._forward(body)
        return self._reply(h, status, answer)

    def _count(self, mode):
        with self.lock:
            self.injected[mode] += 1

    @staticmethod
    def _reply(h, status, data, content_type="application/json"):
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    # -- rewriting one call: returns (answer, whether it was changed)

    def _rewrite(self, call, mode, chain_id, blocks):
        if not isinstance(call, dict):
            return {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "invalid request"}}, False
        method, params, cid = call.get("method"), call.get("params") or [], call.get("id")

        def ok(result):
            return {"jsonrpc": "2.0", "id": cid, "result": result}

        def passed():
            _, raw = self._forward(json.dumps(call).encode())
            return json.loads(raw)

        if mode == "chain_id":
            return (ok(hex(chain_id)), True) if method == "eth_chainId" else (passed(), False)

        # lag: everything above limit does not exist yet
        limit = max(0, int(self._node("eth_blockNumber"), 16) - blocks)
        not_found = {"jsonrpc": "2.0", "id": cid, "error": {"code": -32000, "message": "header not found"}}
        if method == "eth_blockNumber":
            return ok(hex(limit)), True
        if method == "eth_getBlockByNumber" and params:
            tag = params[0]
            if tag in ("latest", "pending", "safe", "finalized"):
                return ok(self._node("eth_getBlockByNumber", hex(limit), *params[1:])), True
            if isinstance(tag, str) and tag.startswith("0x") and int(tag, 16) > limit:
                return ok(None), True
            return passed(), False
        if method in ("eth_getBlockByHash", "eth_getTransactionReceipt", "eth_getTransactionByHash"):
            answer = passed()
            result = answer.get("result")
            number = result.get("blockNumber" if method != "eth_getBlockByHash" else "number") \
                if isinstance(result, dict) else None
            if number and int(number, 16) > limit:
                return ok(None), True
            return answer, False
        if method in BLOCK_PARAM and len(params) > BLOCK_PARAM[method]:
            number = self._block_number_of(params[BLOCK_PARAM[method]], limit)
            if number is not None and number > limit:
                return not_found, True
            return passed(), False
        if method == "eth_getLogs" and params and isinstance(params[0], dict):
            f = dict(params[0])
            if "blockHash" in f:
                number = self._block_number_of(f["blockHash"], limit)
                return (ok([]), True) if number is None or number > limit else (passed(), False)
            to = f.get("toBlock", "latest")
            if to in ("latest", "pending", "safe", "finalized") or int(to, 16) > limit:
                if int(f.get("fromBlock", "0x0"), 16) > limit:
                    return ok([]), True
                f["toBlock"] = hex(limit)
                _, raw = self._forward(json.dumps({**call, "params": [f]}).encode())
                return json.loads(raw), True
            return passed(), False
        return passed(), False

    def _block_number_of(self, ref, limit):
        """The number of a block parameter: a quantity, a tag, a hash or an EIP-1898 object."""
        if isinstance(ref, dict):
            ref = ref.get("blockHash") or ref.get("blockNumber")
        if not isinstance(ref, str):
            return None
        if ref in ("latest", "pending", "safe", "finalized"):
            return limit
        if ref == "earliest":
            return 0
        if len(ref) == 66:
            block = self._node("eth_getBlockByHash", ref, False)
            return int(block["number"], 16) if block else None
        return int(ref, 16)
