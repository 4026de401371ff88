"""The local test world: an L1 and an L2 anvil node with the real OP Stack
contracts from @eth-optimism/contracts-bedrock, and an honest (or dishonest)
proposer driven from Python.

Python standard library only. Transactions are signed and sent by `cast`,
hashing is done by `cast keccak` (hashlib.sha3_256 is not Keccak-256), reads go
through plain JSON-RPC over urllib.

    w = World("/tmp/some/dir")   # nothing runs yet
    w.start()                    # anvils up, contracts deployed, DIR/world.json written
    p = w.propose_honest()       # {'index': 0, 'l2_block': 2, 'root': '0x..', ...}
    w.stop()                     # anvils gone (also on `with`, garbage collection, exit)

Everything the world knows is in `w.info` (the content of DIR/world.json).
"""
import ctypes
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import weakref

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NPM = os.path.join(REPO, "tools", "npm", "node_modules")
ANVIL = os.environ.get("L2W_ANVIL", os.path.join(NPM, ".bin", "anvil"))
CAST = os.environ.get("L2W_CAST", os.path.join(NPM, ".bin", "cast"))
ARTIFACTS = os.path.join(NPM, "@eth-optimism", "contracts-bedrock", "forge-artifacts")

L1_CHAIN_ID = 900
L2_CHAIN_ID = 901
MESSAGE_PASSER = "0x4200000000000000000000000000000000000016"
ZERO_ADDRESS = "0x" + "00" * 20
ZERO_HASH = "0x" + "00" * 32
# bytes32(uint256(keccak256("eip1967.proxy.implementation")) - 1) and the admin slot.
EIP1967_IMPLEMENTATION_SLOT = "0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc"
EIP1967_ADMIN_SLOT = "0xb53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103"

# Which of anvil's dev accounts (default mnemonic, by index) plays which role.
ROLES = {"admin": 0, "proposer": 1, "challenger": 2, "user": 3, "guardian": 4,
         "operator": 5, "attacker": 6}  # operator: the generic bridge's relayer key (tests/world/bridges.py)

WORLD_FILE = "world.json"
SEVEN_DAYS = 7 * 24 * 3600
RPC_TIMEOUT = 10.0
RECEIPT_TIMEOUT = 30.0
START_TIMEOUT = 20.0


class WorldError(RuntimeError):
    """Something in the world did not behave; the message says what and where."""


# ---------------------------------------------------------------- small helpers

def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _hex(n):
    return hex(int(n))


def _word(value):
    """The 32-byte ABI word of an int, an address or a 32-byte hex string."""
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, int):
        if value < 0 or value >= 1 << 256:
            raise ValueError(f"{value} does not fit in uint256")
        return f"{value:064x}"
    h = value[2:] if value.startswith("0x") else value
    if len(h) > 64 or any(c not in "0123456789abcdefABCDEF" for c in h):
        raise ValueError(f"not a 32-byte word: {value!r}")
    return h.lower().rjust(64, "0")


def _addr_from_word(word_hex):
    h = word_hex[2:] if word_hex.startswith("0x") else word_hex
    return "0x" + h[-40:]


def _words(data_hex):
    h = data_hex[2:] if data_hex.startswith("0x") else data_hex
    return [h[i:i + 64] for i in range(0, len(h), 64)]


def _set_pdeathsig():
    """Runs in the child before exec: die with the parent (no orphaned anvils
    when the test process is killed)."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _is_our_anvil(pid, port):
    """True if pid is still the anvil we started on that port (pids get reused)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            argv = f.read().split(b"\0")
    except OSError:
        return False
    if not argv or not os.path.basename(argv[0].decode(errors="replace")).startswith("anvil"):
        return False
    return str(port).encode() in argv


def _terminate(pids_and_procs, timeout=5.0):
    """SIGTERM, then SIGKILL what is still there. Accepts Popen objects or pids."""
    procs = [p for p in pids_and_procs if p is not None]
    for p in procs:
        try:
            if isinstance(p, subprocess.Popen):
                if p.poll() is None:
                    p.terminate()
            else:
                os.kill(p, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + timeout
    for p in procs:
        while time.monotonic() < deadline:
            gone = p.poll() is not None if isinstance(p, subprocess.Popen) else not _alive(p)
            if gone:
                break
            time.sleep(0.02)
        else:
            try:
                if isinstance(p, subprocess.Popen):
                    p.kill()
                    p.wait(5)
                else:
                    os.kill(p, signal.SIGKILL)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass


def _cleanup(procs):
    """weakref.finalize callback: must not reference the World."""
    _terminate(procs)
    procs.clear()


def load_artifact(name):
    path = os.path.join(ARTIFACTS, f"{name}.sol", f"{name}.json")
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        raise WorldError(f"contract artifact {path} is missing; run scripts/install-deps.sh "
                         f"(it runs `npm ci` in tools/npm)") from None


class Rpc:
    """A minimal JSON-RPC client."""

    def __init__(self, url, timeout=RPC_TIMEOUT):
        self.url = url
        self.timeout = timeout
        self._id = 0

    def __call__(self, method, *params):
        self._id += 1
        body = json.dumps({"jsonrpc": "2.0", "id": self._id, "method": method, "params": list(params)})
        req = urllib.request.Request(self.url, data=body.encode(), headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                reply = json.loads(resp.read())
        except (urllib.error.URLError, OSError) as e:
            raise WorldError(f"{method} on {self.url}: {e}") from None
        if reply.get("error"):
            raise WorldError(f"{method} on {self.url}: {reply['error']}")
        return reply.get("result")


def cast(*args, timeout=60):
    """Runs cast; returns stdout stripped, raises WorldError with cast's stderr."""
    if not os.access(CAST, os.X_OK):
        raise WorldError(f"cast not found at {CAST}; run scripts/install-deps.sh")
    try:
        out = subprocess.run([CAST, *map(str, args)], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise WorldError(f"cast {args[0]} timed out after {timeout}s") from None
    if out.returncode != 0:
        shown = [a if not str(a).startswith("0x") or len(str(a)) < 200 else str(a)[:20] + "..." for a in args]
        raise WorldError(f"cast {' '.join(map(str, shown))} failed: {out.stderr.strip()}")
    return out.stdout.strip()


def keccak(data_hex):
    """Keccak-256 of the bytes given as 0x-hex, via `cast keccak`."""
    if not data_hex.startswith("0x"):
        data_hex = "0x" + data_hex
    return cast("keccak", data_hex).lower()


def output_root_v0(state_root, message_passer_storage_root, block_hash):
    """OP Stack output root, version 0:
    keccak256(bytes32(0) ++ stateRoot ++ messagePasserStorageRoot ++ blockHash)."""
    return keccak(ZERO_HASH + _word(state_root) + _word(message_passer_storage_root) + _word(block_hash))


# ---------------------------------------------------------------- the world

class World:
    """Two anvil nodes with the OP Stack L1 contracts behind real proxies.

    World(dir, submission_interval=2, l1_block_time=1, l2_block_time=None, detach=False)

    - dir: where logs and world.json go (created if missing).
    - l2_block_time None = automine (each L2 transaction is a block; the proposer
      helpers mine the rest), a number = anvil --block-time.
    - detach: the anvils outlive this Python process (used by `cli up`); otherwise
      they are killed by stop(), on leaving a `with` block, on garbage collection,
      at interpreter exit, and (PR_SET_PDEATHSIG) if this process dies.
    - bridges: also deploy the L1 half of the OP Stack standard bridge (SystemConfig,
      L1CrossDomainMessenger, L1StandardBridge behind proxies, in the same two L1
      blocks) and give the Portal the real SystemConfig, which deposits and
      finalization need. Off: the Portal gets the zero address as SystemConfig.
      tests/world/bridges.py installs the L2 half and the tokens.
    """

    def __init__(self, dir, submission_interval=2, l1_block_time=1, l2_block_time=None,
                 finalization_period_seconds=SEVEN_DAYS, starting_timestamp_lag=100_000, detach=False,
                 l1_anvil_args=(), bridges=False):
        """l1_anvil_args: extra command-line flags for the L1 anvil (e.g. a
        hardfork and history pruning for tests that mine many blocks)."""
        if int(submission_interval) < 1:
            raise ValueError("submission_interval must be at least 1")
        self.dir = os.path.abspath(dir)
        self.submission_interval = int(submission_interval)
        self.l1_block_time = l1_block_time
        self.l2_block_time = l2_block_time
        self.finalization_period_seconds = int(finalization_period_seconds)
        self.starting_timestamp_lag = int(starting_timestamp_lag)
        self.detach = detach
        self.l1_anvil_args = list(l1_anvil_args)
        self.bridges = bool(bridges)
        self.info = None
        self.l1 = None
        self.l2 = None
        self._procs = []  # Popen objects we own and must kill
        self._finalizer = weakref.finalize(self, _cleanup, self._procs)
        self._artifacts = {}

    # -- lifecycle

    def __enter__(self):
        if self.info is None:
            self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    @classmethod
    def attach(cls, dir):
        """A World for anvils that are already running (started by `cli up`),
        from DIR/world.json. stop() on it kills them."""
        path = os.path.join(os.path.abspath(dir), WORLD_FILE)
        try:
            with open(path) as f:
                info = json.load(f)
        except FileNotFoundError:
            raise WorldError(f"no world in {dir} ({path} is missing); start one with "
                             f"`python3 -m tests.world.cli up --dir {dir}`") from None
        w = cls(dir, submission_interval=info["l2oo"]["submission_interval"],
                l1_block_time=info["l1"]["block_time"], l2_block_time=info["l2"]["block_time"],
                finalization_period_seconds=info["l2oo"]["finalization_period_seconds"], detach=True)
        w.info = info
        w.l1 = Rpc(info["l1"]["rpc_url"])
        w.l2 = Rpc(info["l2"]["rpc_url"])
        return w

    def is_running(self):
        if not self.info:
            return False
        for side in ("l1", "l2"):
            node = self.info[side]
            if not _is_our_anvil(node["pid"], node["port"]):
                return False
        return True

    def start(self):
        if self.info is not None:
            raise WorldError("world already started")
        os.makedirs(self.dir, exist_ok=True)
        t0 = time.monotonic()
        try:
            l1 = self._start_anvil("l1", L1_CHAIN_ID, self.l1_block_time, self.l1_anvil_args)
            l2 = self._start_anvil("l2", L2_CHAIN_ID, self.l2_block_time)
            self.l1, self.l2 = Rpc(l1["rpc_url"]), Rpc(l2["rpc_url"])
            accounts = self._accounts(l1.pop("_config"))
            l2.pop("_config")
            self.info = {
                "version": 1,
                "dir": self.dir,
                "l1": l1,
                "l2": l2,
                "accounts": accounts,
                "contracts": {},
                "l2oo": {},
                "artifacts": ARTIFACTS,
                "anvil": ANVIL,
                "cast": CAST,
            }
            self._deploy_l2()
            self._deploy_l1()
            self.info["startup_seconds"] = round(time.monotonic() - t0, 3)
            self._write_info()
        except BaseException:
            self.stop()
            raise
        if self.detach:
            self._procs.clear()  # no longer ours to kill on exit
        return self

    def stop(self):
        """Kills the anvils (ours, or those recorded in world.json after attach)."""
        if self._procs:
            _terminate(self._procs)
            self._procs.clear()
        elif self.info:
            pids = [self.info[s]["pid"] for s in ("l1", "l2")
                    if _is_our_anvil(self.info[s]["pid"], self.info[s]["port"])]
            _terminate(pids)
        path = os.path.join(self.dir, WORLD_FILE)
        if self.info and os.path.exists(path):
            os.unlink(path)  # the chains lived in memory: nothing left to attach to
        self.info = None

    def _start_anvil(self, name, chain_id, block_time, extra_args=()):
        if not os.access(ANVIL, os.X_OK):
            raise WorldError(f"anvil not found at {ANVIL}; run scripts/install-deps.sh")
        log_path = os.path.join(self.dir, f"{name}-anvil.log")
        config_path = os.path.join(self.dir, f"{name}-anvil.json")
        last_error = None
        for _attempt in range(5):
            port = _free_port()
            cmd = [ANVIL, "--host", "127.0.0.1", "--port", str(port), "--chain-id", str(chain_id),
                   "--accounts", "10", "--config-out", config_path]
            if block_time:
                cmd += ["--block-time", str(block_time)]
            cmd += list(extra_args)
            if os.path.exists(config_path):
                os.unlink(config_path)
            with open(log_path, "ab") as log:
                log.write(f"\n==== {time.strftime('%Y-%m-%dT%H:%M:%S')} {' '.join(cmd)}\n".encode())
                log.flush()
                proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=True,
                                        preexec_fn=None if self.detach else _set_pdeathsig)
            self._procs.append(proc)
            url = f"http://127.0.0.1:{port}"
            rpc = Rpc(url, timeout=2)
            deadline = time.monotonic() + START_TIMEOUT
            while time.monotonic() < deadline:
                if proc.poll() is not None:
                    break
                try:
                    if int(rpc("eth_chainId"), 16) == chain_id and os.path.exists(config_path):
                        with open(config_path) as f:
                            config = json.load(f)
                        return {"rpc_url": url, "port": port, "chain_id": chain_id, "pid": proc.pid,
                                "block_time": block_time, "log": log_path, "_config": config}
                except (WorldError, ValueError):
                    pass
                time.sleep(0.02)
            _terminate([proc])
            self._procs.remove(proc)
            last_error = f"anvil ({name}) exited with {proc.returncode}" if proc.returncode is not None \
                else f"anvil ({name}) did not answer within {START_TIMEOUT}s"
            if "in use" not in _tail(log_path):
                break  # not a port race: retrying will not help
        raise WorldError(f"{last_error}; see {log_path}:\n{_tail(log_path)}")

    @staticmethod
    def _accounts(config):
        addrs, keys = config["available_accounts"], config["private_keys"]
        roles = {role: {"address": cast("to-check-sum-address", addrs[i]), "key": keys[i], "index": i}
                 for role, i in ROLES.items()}
        return {**roles, "dev": [{"address": a, "key": k} for a, k in zip(addrs, keys)],
                "mnemonic": config["wallet"]["mnemonic"]}

    def _write_info(self):
        path = os.path.join(self.dir, WORLD_FILE)
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.info, f, indent=2, sort_keys=True)
            f.write("\n")
        os.replace(tmp, path)

    # -- deployment

    def artifact(self, name):
        if name not in self._artifacts:
            self._artifacts[name] = load_artifact(name)
        return self._artifacts[name]

    def selector(self, contract, signature):
        try:
            return "0x" + self.artifact(contract)["methodIdentifiers"][signature]
        except KeyError:
            raise WorldError(f"{contract} has no function {signature}") from None

    def calldata(self, contract, signature, *args):
        """ABI-encodes a call whose arguments are all static (uint, address, bytes32, bool)."""
        return self.selector(contract, signature) + "".join(_word(a) for a in args)

    def _deploy_l2(self):
        code = self.artifact("L2ToL1MessagePasser")["deployedBytecode"]["object"]
        self.l2("anvil_setCode", MESSAGE_PASSER, code)
        if self.l2("eth_getCode", MESSAGE_PASSER, "latest").lower() != code.lower():
            raise WorldError("anvil_setCode did not install L2ToL1MessagePasser")
        self.info["contracts"]["L2ToL1MessagePasser"] = MESSAGE_PASSER

    def _deploy_l1(self):
        acc = self.info["accounts"]
        admin = acc["admin"]
        names = ("SuperchainConfig", "L2OutputOracle", "OptimismPortal")
        if self.bridges:
            names += ("SystemConfig", "L1CrossDomainMessenger", "L1StandardBridge")

        # Round 1 (one L1 block): the implementations and their proxies.
        nonce = self.nonce(self.l1, admin["address"])
        txs = {}
        for name in names:
            txs[name + "Impl"] = self.send(self.l1, admin["key"], None, self.artifact(name)["bytecode"]["object"],
                                           nonce=nonce)
            nonce += 1
        proxy_code = self.artifact("Proxy")["bytecode"]["object"] + _word(admin["address"])
        for name in names:
            txs[name + "Proxy"] = self.send(self.l1, admin["key"], None, proxy_code, nonce=nonce)
            nonce += 1
        self._mine_l1_now()
        contracts = self.info["contracts"]
        for label, tx in txs.items():
            receipt = self.wait_receipt(self.l1, tx, what=f"deploy {label}")
            contracts[label] = cast("to-check-sum-address", receipt["contractAddress"])
        if self.bridges:
            contracts["SystemConfig"] = contracts["SystemConfigProxy"]
        else:
            contracts["SystemConfig"] = ZERO_ADDRESS  # not deployed: the Portal only stores it

        # Round 2 (one L1 block): upgradeToAndCall(impl, initialize(...)) from the admin.
        l1_head = self.l1("eth_getBlockByNumber", "latest", False)
        l2_head = int(self.l2("eth_blockNumber"), 16)
        l2oo = {
            "submission_interval": self.submission_interval,
            "l2_block_time": 1,
            "starting_block_number": l2_head,
            "starting_timestamp": int(l1_head["timestamp"], 16) - self.starting_timestamp_lag,
            "proposer": acc["proposer"]["address"],
            "challenger": acc["challenger"]["address"],
            "finalization_period_seconds": self.finalization_period_seconds,
        }
        inits = {
            "SuperchainConfig": self.calldata("SuperchainConfig", "initialize(address,bool)",
                                              acc["guardian"]["address"], False),
            "L2OutputOracle": self.calldata(
                "L2OutputOracle", "initialize(uint256,uint256,uint256,uint256,address,address,uint256)",
                l2oo["submission_interval"], l2oo["l2_block_time"], l2oo["starting_block_number"],
                l2oo["starting_timestamp"], l2oo["proposer"], l2oo["challenger"],
                l2oo["finalization_period_seconds"]),
            "OptimismPortal": self.calldata("OptimismPortal", "initialize(address,address,address)",
                                            contracts["L2OutputOracleProxy"], contracts["SystemConfig"],
                                            contracts["SuperchainConfigProxy"]),
        }
        if self.bridges:
            inits.update(self._bridge_inits(contracts))
        nonce = self.nonce(self.l1, admin["address"])
        txs = {}
        for name in names:
            txs[name] = self.send(self.l1, admin["key"], contracts[name + "Proxy"],
                                  "upgradeToAndCall(address,bytes)", contracts[name + "Impl"], inits[name],
                                  nonce=nonce)
            nonce += 1
        self._mine_l1_now()
        for name, tx in txs.items():
            receipt = self.wait_receipt(self.l1, tx, what=f"upgradeToAndCall {name}")
            self.info["l1"]["deploy_block"] = max(self.info["l1"].get("deploy_block", 0),
                                                  int(receipt["blockNumber"], 16))
            impl = _addr_from_word(self.l1("eth_getStorageAt", contracts[name + "Proxy"],
                                           EIP1967_IMPLEMENTATION_SLOT, "latest"))
            if impl.lower() != contracts[name + "Impl"].lower():
                raise WorldError(f"{name}Proxy points at {impl}, expected {contracts[name + 'Impl']}")
        self.info["l2oo"] = l2oo

    def _mine_l1_now(self):
        """With interval mining, mines the deployment's pending round now
        instead of waiting up to a block time for the next block."""
        if self.l1_block_time:
            self.l1("evm_mine")

    def _bridge_inits(self, contracts):
        """initialize(...) calldata of SystemConfig, L1CrossDomainMessenger and
        L1StandardBridge (world with bridges=True)."""
        admin = self.info["accounts"]["admin"]["address"]
        # Constants.DEFAULT_RESOURCE_CONFIG(): maxResourceLimit, elasticityMultiplier,
        # baseFeeMaxChangeDenominator, minimumBaseFee, systemTxMaxGas, maximumBaseFee.
        resource_config = (20_000_000, 10, 8, 10**9, 1_000_000, (1 << 128) - 1)
        batch_inbox = "0xff" + f"{L2_CHAIN_ID:038x}"
        # SystemConfig.Addresses: l1CrossDomainMessenger, l1ERC721Bridge, l1StandardBridge,
        # disputeGameFactory, optimismPortal, optimismMintableERC20Factory, gasPayingToken
        # (zero = ETH). The structs are static, so they are encoded in place.
        addresses = (contracts["L1CrossDomainMessengerProxy"], ZERO_ADDRESS, contracts["L1StandardBridgeProxy"],
                     ZERO_ADDRESS, contracts["OptimismPortalProxy"], ZERO_ADDRESS, ZERO_ADDRESS)
        system_config = self.calldata(
            "SystemConfig", "initialize(address,uint32,uint32,bytes32,uint64,address,"
            "(uint32,uint8,uint8,uint32,uint32,uint128),address,(address,address,address,address,address,address,"
            "address))",
            admin, 1368, 810949, ZERO_HASH, 30_000_000, ZERO_ADDRESS, *resource_config, batch_inbox, *addresses)
        return {
            "SystemConfig": system_config,
            "L1CrossDomainMessenger": self.calldata(
                "L1CrossDomainMessenger", "initialize(address,address,address)", contracts["SuperchainConfigProxy"],
                contracts["OptimismPortalProxy"], contracts["SystemConfigProxy"]),
            "L1StandardBridge": self.calldata(
                "L1StandardBridge", "initialize(address,address,address)", contracts["L1CrossDomainMessengerProxy"],
                contracts["SuperchainConfigProxy"], contracts["SystemConfigProxy"]),
        }

    # -- transactions and reads

    def nonce(self, rpc, address):
        return int(rpc("eth_getTransactionCount", address, "pending"), 16)

    def send(self, rpc, key, to, sig_or_code, *args, value=None, nonce=None, gas=None):
        """Signs and sends with `cast send --async`; returns the tx hash.
        to=None deploys sig_or_code (init code with constructor args appended)."""
        cmd = ["send", "--async", "--rpc-url", rpc.url, "--private-key", key]
        if nonce is not None:
            cmd += ["--nonce", nonce]
        if gas is not None:
            cmd += ["--gas-limit", gas]
        if value is not None:
            cmd += ["--value", value]
        if to is None:
            cmd += ["--create", sig_or_code]
        else:
            cmd += [to, sig_or_code, *args]
        tx = cast(*cmd).splitlines()[-1].strip()
        if not (tx.startswith("0x") and len(tx) == 66):
            raise WorldError(f"cast send returned {tx!r}, not a transaction hash")
        return tx

    def wait_receipt(self, rpc, tx, what="transaction", timeout=RECEIPT_TIMEOUT):
        deadline = time.monotonic() + timeout
        while True:
            receipt = rpc("eth_getTransactionReceipt", tx)
            if receipt:
                if int(receipt["status"], 16) != 1:
                    raise WorldError(f"{what}: transaction {tx} reverted in block "
                                     f"{int(receipt['blockNumber'], 16)}{self._revert_reason(rpc, tx)}")
                return receipt
            if time.monotonic() > deadline:
                raise WorldError(f"{what}: no receipt for {tx} after {timeout}s")
            time.sleep(0.03)

    def _revert_reason(self, rpc, tx):
        try:
            t = rpc("eth_getTransactionByHash", tx)
            call = {"from": t["from"], "to": t["to"], "data": t["input"], "value": t["value"]}
            rpc("eth_call", call, hex(int(t["blockNumber"], 16) - 1))
        except WorldError as e:
            return f" ({e})"
        return ""

    def call(self, rpc, to, data, block="latest"):
        return rpc("eth_call", {"to": to, "data": data}, block if isinstance(block, str) else _hex(block))

    def l2oo_call(self, signature, *args, block="latest"):
        return self.call(self.l1, self.info["contracts"]["L2OutputOracleProxy"],
                         self.calldata("L2OutputOracle", signature, *args), block)

    def next_block_number(self):
        """L2OutputOracle.nextBlockNumber(): the only L2 block a proposal may be for."""
        return int(self.l2oo_call("nextBlockNumber()"), 16)

    def next_output_index(self):
        return int(self.l2oo_call("nextOutputIndex()"), 16)

    def get_output(self, index):
        """L2OutputOracle.getL2Output(index) -> {root, timestamp, l2_block}."""
        w = _words(self.l2oo_call("getL2Output(uint256)", index))
        return {"root": "0x" + w[0], "timestamp": int(w[1], 16), "l2_block": int(w[2], 16)}

    def l2_head(self):
        return int(self.l2("eth_blockNumber"), 16)

    def l1_head(self):
        return int(self.l1("eth_blockNumber"), 16)

    def mine_l2(self, n=1):
        """Mines n empty L2 blocks; returns the new L2 head."""
        if n > 0:
            self.l2("anvil_mine", _hex(n))
        return self.l2_head()

    def withdraw_l2(self, value_wei=10**15, target=None, gas_limit=100_000, data="0x"):
        """A real L2 transaction from the user: L2ToL1MessagePasser.initiateWithdrawal,
        which writes the message passer's storage (so the output root's storage part
        changes). Returns the receipt once it is in a block."""
        user = self.info["accounts"]["user"]
        tx = self.send(self.l2, user["key"], MESSAGE_PASSER, "initiateWithdrawal(address,uint256,bytes)",
                       target or user["address"], gas_limit, data, value=value_wei,
                       nonce=self.nonce(self.l2, user["address"]))
        if not self.l2_block_time:
            return self.wait_receipt(self.l2, tx, what="initiateWithdrawal")
        return self.wait_receipt(self.l2, tx, what="initiateWithdrawal",
                                 timeout=RECEIPT_TIMEOUT + float(self.l2_block_time))

    def output_at(self, l2_block):
        """The v0 output root of an L2 block, computed from the L2 node alone:
        {root, l2_block, block_hash, state_root, message_passer_storage_root}."""
        block = self.l2("eth_getBlockByNumber", _hex(l2_block), False)
        if block is None:
            raise WorldError(f"L2 block {l2_block} does not exist (head {self.l2_head()})")
        proof = self.l2("eth_getProof", MESSAGE_PASSER, [], _hex(l2_block))
        return {
            "root": output_root_v0(block["stateRoot"], proof["storageHash"], block["hash"]),
            "l2_block": int(l2_block),
            "block_hash": block["hash"],
            "state_root": block["stateRoot"],
            "message_passer_storage_root": proof["storageHash"],
        }

    def advance_l2_to(self, target, withdraw=True):
        """Brings the L2 head to at least `target`: first (if the head is below it) one
        real withdrawal transaction, then empty blocks. Returns the withdrawal tx hash or None."""
        tx = None
        if self.l2_head() < target and withdraw:
            tx = self.withdraw_l2()["transactionHash"]
        head = self.l2_head()
        if head < target:
            self.mine_l2(target - head)
        return tx

    # -- the proposer

    def propose_honest(self):
        """Advances the L2 to nextBlockNumber() (one withdrawal tx + empty blocks),
        computes the correct output root and proposes it. Returns
        {index, l2_block, root, tx_hash, l1_block, l1_block_hash, l1_timestamp,
         l1_anchor_block, l1_anchor_hash, l2_block_hash, state_root,
         message_passer_storage_root, l2_withdrawal_tx}."""
        target = self.next_block_number()
        wtx = self.advance_l2_to(target)
        out = self.output_at(target)
        result = self.propose(out["root"], target)
        result.update(l2_block_hash=out["block_hash"], state_root=out["state_root"],
                      message_passer_storage_root=out["message_passer_storage_root"], l2_withdrawal_tx=wtx)
        return result

    def propose_wrong(self, root=None):
        """Like propose_honest but posts a wrong root (random unless given).
        The result has the same keys plus correct_root."""
        target = self.next_block_number()
        wtx = self.advance_l2_to(target)
        out = self.output_at(target)
        if root is None:
            root = keccak("0x" + os.urandom(32).hex())
        if root.lower() == out["root"].lower():
            raise WorldError("propose_wrong was given the correct root")
        result = self.propose(root, target)
        result.update(correct_root=out["root"], l2_block_hash=out["block_hash"], state_root=out["state_root"],
                      message_passer_storage_root=out["message_passer_storage_root"], l2_withdrawal_tx=wtx)
        return result

    def propose_ahead(self, root=None):
        """Proposes for nextBlockNumber() WITHOUT advancing the L2, as a proposer
        ahead of (or an L2 node behind) the chain would. Root random unless given.
        The result has the proposal keys plus l2_head (the L2 head when proposing)."""
        target = self.next_block_number()
        head = self.l2_head()
        if root is None:
            root = keccak("0x" + os.urandom(32).hex())
        result = self.propose(root, target)
        result["l2_head"] = head
        return result

    def propose(self, root, l2_block, wait=True):
        """proposeL2Output(root, l2_block, <latest L1 hash>, <latest L1 number>) from
        the proposer with `cast send`; waits for the receipt. Returns {index, l2_block,
        root, tx_hash, l1_block, l1_block_hash, l1_timestamp, l1_anchor_block, l1_anchor_hash}."""
        proposer = self.info["accounts"]["proposer"]
        l2oo = self.info["contracts"]["L2OutputOracleProxy"]
        anchor = self.l1("eth_getBlockByNumber", "latest", False)
        tx = self.send(self.l1, proposer["key"], l2oo, "proposeL2Output(bytes32,uint256,bytes32,uint256)",
                       root, int(l2_block), anchor["hash"], int(anchor["number"], 16),
                       nonce=self.nonce(self.l1, proposer["address"]))
        result = {"index": None, "l2_block": int(l2_block), "root": root.lower(), "tx_hash": tx,
                  "l1_anchor_block": int(anchor["number"], 16), "l1_anchor_hash": anchor["hash"]}
        if not wait:
            return result
        receipt = self.wait_receipt(self.l1, tx, what=f"proposeL2Output for L2 block {l2_block}",
                                    timeout=RECEIPT_TIMEOUT + float(self.l1_block_time or 0))
        logs = [lg for lg in receipt["logs"] if lg["address"].lower() == l2oo.lower()]
        if len(logs) != 1 or len(logs[0]["topics"]) != 4:
            raise WorldError(f"proposal {tx}: expected one OutputProposed log, got {receipt['logs']}")
        topics = logs[0]["topics"]
        if topics[1].lower() != root.lower() or int(topics[3], 16) != int(l2_block):
            raise WorldError(f"proposal {tx}: OutputProposed says root {topics[1]} block {int(topics[3], 16)}")
        block = self.l1("eth_getBlockByNumber", receipt["blockNumber"], False)
        result.update(index=int(topics[2], 16), l1_block=int(receipt["blockNumber"], 16),
                      l1_block_hash=receipt["blockHash"], l1_timestamp=int(block["timestamp"], 16))
        return result

    def delete_outputs(self, index):
        """L2OutputOracle.deleteL2Outputs(index) from the challenger (for scenario setup;
        l2watch's responder normally sends this itself). Returns the receipt."""
        ch = self.info["accounts"]["challenger"]
        tx = self.send(self.l1, ch["key"], self.info["contracts"]["L2OutputOracleProxy"],
                       "deleteL2Outputs(uint256)", int(index), nonce=self.nonce(self.l1, ch["address"]))
        return self.wait_receipt(self.l1, tx, what=f"deleteL2Outputs({index})",
                                 timeout=RECEIPT_TIMEOUT + float(self.l1_block_time or 0))


def _tail(path, n=20):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return ""
