"""Bridges in the local test world: the OP Stack standard bridge on the real
contracts, and a generic lock/release bridge run by an operator key, with the
honest flows and the attacks a bridge guard has to notice.

Python standard library only, like world.py: transactions go through `cast`
(or, for impersonated and fast-fire senders, anvil's eth_sendTransaction),
hashing through `cast keccak`, reads through JSON-RPC.

    from tests.world import bridges
    w = bridges.start_bridge_world(dir, finalization_period_seconds=4)
    #   = World(dir, bridges=True, ...).start(); install_op_bridge(w); generic_deploy(w)
    d = bridges.deposit_erc20(w, 10**18)          # L1 deposit + relay on L2
    wd = bridges.withdraw_erc20(w, 10**17)        # L2 withdrawal
    bridges.prove_withdrawal(w, wd)               # honest output + proof on L1
    bridges.finalize_withdrawal(w, wd)            # L1 time travel + finalize
    f = bridges.forge_withdrawal(w, target, bridges.portal_eth_balance(w))  # the proposer-key attack

OP Stack bridge (contracts-bedrock 0.17.3)
------------------------------------------
The World must be started with bridges=True: it then deploys SystemConfig,
L1CrossDomainMessenger and L1StandardBridge behind real Proxies next to the
Portal, and the Portal gets the real SystemConfig (deposits call its
gasPayingToken() and resourceConfig()). install_op_bridge(world) adds:
- on L1 the ERC-20 `L1Token` (OpenZeppelin, supply minted to `user`);
- on L2 the predeploys as real Proxies (Proxy runtime code set with
  anvil_setCode, admin slot set to `admin`, then upgradeToAndCall(impl,
  initialize(...)) from `admin`, as on a real chain): L2CrossDomainMessenger
  0x42..07 (other messenger = L1CrossDomainMessengerProxy), L2StandardBridge
  0x42..10 (other bridge = L1StandardBridgeProxy), OptimismMintableERC20Factory
  0x42..12 (bridge = L2StandardBridge) and L1Block 0x42..15 (no storage: the
  gas paying token reads as ETH); and `L2Token`, the OptimismMintableERC20 for
  L1Token made by the factory.
There is no op-node: deposits are relayed by this module the way derivation
would execute them (see deposit_eth).

Every function takes the started World first. Blocks are ints or "latest".

deposit_eth(w, amount, via="bridge"|"portal", min_gas_limit=200000)
    via="bridge": L1StandardBridge.depositETH from `user`, then on L2 the deposit
    transaction is executed from the aliased L1CrossDomainMessenger
    (impersonated, balance raised by the minted ETH plus gas money) calling
    L2CrossDomainMessenger.relayMessage with the arguments read from the L1
    SentMessage/SentMessageExtension1 events (checked byte for byte against the
    TransactionDeposited data) and the deposit's gas limit.
    via="portal": OptimismPortal.depositTransaction(user, amount, 100000, false, "")
    from `user`; on L2 the user is simply credited with anvil_setBalance (no L2
    transaction, l2_tx is None).
    -> {via, amount, l1_tx, l1_block, deposit: {from, to, mint, value, gas_limit,
        is_creation, data}, message (bridge: {nonce, sender, target, value,
        min_gas_limit, message}), l2_tx, l2_block, msg_hash (bridge)}
deposit_erc20(w, amount, min_gas_limit=200000)
    approve + L1StandardBridge.depositERC20(L1Token, L2Token, ...) from `user`,
    relayed on L2 as above (L2Token minted to the user).
    -> {amount, approve_tx, l1_tx, l1_block, deposit, message, l2_tx, l2_block, msg_hash}
withdraw_eth(w, amount, min_gas_limit=200000) / withdraw_erc20(w, amount, ...)
    L2StandardBridge.withdraw(LEGACY_ERC20_ETH or L2Token, ...) from `user`.
    -> {kind, amount, l2_tx, l2_block, withdrawal: {nonce, sender, target, value,
        gas_limit, data}, withdrawal_hash, message}
    The hash is checked against the MessagePassed event, against cast keccak of
    abi.encode(nonce, sender, target, value, gasLimit, data) and against
    sentMessages(hash) on L2.
prove_withdrawal(w, wd, sender="user")
    Uses the latest output if it covers wd's L2 block and is honest, else proposes
    honest outputs (proposer key, no extra L2 transactions) until one does; proves
    with the L2's own eth_getProof.
    -> {prove_tx, prove_block, l2_output_index, output_root, output_l2_block,
        storage_slot, proof, proposals}
finalize_withdrawal(w, wd, expect_revert=False, sender="user")
    Moves L1 time (evm_increaseTime + evm_mine) just past the finalization period
    of both the proof and the output, then finalizeWithdrawalTransaction.
    -> {finalize_tx, finalize_block, success, events (names of the logs)}
    expect_revert=True sends nothing and asks eth_call/eth_estimateGas instead:
    -> {reverted, error (e.g. "CallPaused"), reason (text), data (revert data)}
forge_withdrawal(w, target, value, data="0x", gas_limit=100000, sender=None, nonce=None)
    The proposer-key attack: a withdrawal never initiated on L2 (sender default
    `attacker`), a one-leaf storage trie holding only its sentMessages slot as
    messagePasserStorageRoot, the real stateRoot/blockHash of L2 block
    nextBlockNumber(), the forged output root proposed for that block, proven by
    `attacker`. -> {withdrawal, withdrawal_hash, l2_output_index,
    forged_output_root, honest_output_root, l2_block, prove_tx, prove_block,
    storage_root, storage_slot, proof, proposal}; finalize_withdrawal works on it.
forge_erc20_withdrawal(w, amount, recipient=None)
    forge_withdrawal of a message from L2StandardBridge through the messengers
    (sender L2CrossDomainMessenger, target L1CrossDomainMessengerProxy) that
    releases `amount` escrowed L1Token to recipient (default `attacker`);
    the result has also `message` and `recipient`.
superchain_pause(w, identifier="l2watch test") / superchain_unpause(w)  -> {tx, block}
portal_paused(w, block="latest") -> bool
portal_eth_balance(w, block)      ETH held by OptimismPortalProxy
bridge_erc20_escrow(w, block)     L1Token.balanceOf(L1StandardBridgeProxy)
bridge_erc20_deposits(w, block)   L1StandardBridge.deposits(L1Token, L2Token)
l2_token_supply(w, block)         L2Token.totalSupply() on L2
l1_token_balance(w, who, block) / l2_token_balance(w, who, block)
    (who: a role name or an address)
sent_message_on_l2(w, hash, block)    L2ToL1MessagePasser.sentMessages(hash)
proven_withdrawal(w, hash, block)     provenWithdrawals(hash) -> {output_root, timestamp, l2_output_index}
finalized_withdrawal(w, hash, block)  finalizedWithdrawals(hash)
propose_honest_through(w, l2_block) / honest_output_covering(w, l2_block)
    the honest proposals prove_withdrawal makes (all sent at once, empty L2 blocks only)
explain_revert(w, "l1"|"l2", sender, to, data) -> {reverted, error, reason, data, ...}
hash_withdrawal(wd), withdrawal_storage_slot(hash), one_leaf_secure_trie(key, value_rlp),
abi_encode/abi_decode, apply_l1_to_l2_alias, event_names(receipt), compile_contracts()

Generic lock/release bridge (tests/world/contracts/GenericBridge.sol, on
OpenZeppelin 4.9.6 AccessControl + Pausable)
-------------------------------------------------------------------------
generic_deploy(w, supply=10**24): GenericL1Token (supply to `user`) and
    EscrowBridge(admin, operator, guardian) on L1, MintBridge(admin, operator,
    guardian, GenericL1Token, ...) on L2 which creates WrappedToken.
generic_lock(w, amount, recipient=None)
    approve + EscrowBridge.lock from `user`, then MintBridge.mint by `operator`.
    -> {amount, message_id, recipient, approve_tx, lock_tx, l1_block, mint_tx, l2_block}
generic_withdraw(w, amount, recipient=None)   (the honest way back)
    MintBridge.burn from `user`, then EscrowBridge.release by `operator` with the
    BurnInitiated message id. -> {amount, message_id, recipient, burn_tx, l2_block,
    release_tx, l1_block}
generic_forged_release(w, amount, recipient=None, message_id=None)
    release by `operator` for a message id never burned (recipient default
    `attacker`). -> {amount, message_id, recipient, release_tx, l1_block}
generic_release(w, message_id, amount, recipient, expect_revert=False)
    a release with a given id; expect_revert=True only asks eth_call why not.
generic_drain(w, n, amount_each, recipient=None)
    n forged releases fired back to back by `operator` (eth_sendTransaction,
    fixed gas, no waiting in between), then all receipts.
    -> {releases: [{message_id, tx, l1_block}], total, recipient, blocks, per_block}
generic_pause(w) / generic_unpause(w) (guardian) -> {tx, block}
generic_pause_state(w, block) -> bool
generic_escrow_balance(w, block), generic_wrapped_supply(w, block),
generic_l1_balance(w, who, block), generic_wrapped_balance(w, who, block)

world.info["contracts"] keys added: (World(bridges=True)) SystemConfigImpl,
SystemConfigProxy (= SystemConfig), L1CrossDomainMessengerImpl/Proxy,
L1StandardBridgeImpl/Proxy; (install_op_bridge) L1Token, L2CrossDomainMessenger(+Impl),
L2StandardBridge(+Impl), OptimismMintableERC20Factory(+Impl), L1Block(+Impl),
L2Token; (generic_deploy) GenericL1Token, EscrowBridge, MintBridge, WrappedToken.
world.info["bridges"] says which chain each is on and who operates what.

EVENTS maps event names to signatures; event_topic(name) gives topic0.
"""
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.request

from .world import (EIP1967_ADMIN_SLOT, MESSAGE_PASSER, NPM, RECEIPT_TIMEOUT, ZERO_ADDRESS, ZERO_HASH, World,
                    WorldError, _addr_from_word, _hex, _word, _words, cast, keccak, output_root_v0)

L2_CROSS_DOMAIN_MESSENGER = "0x4200000000000000000000000000000000000007"
L2_STANDARD_BRIDGE = "0x4200000000000000000000000000000000000010"
OPTIMISM_MINTABLE_ERC20_FACTORY = "0x4200000000000000000000000000000000000012"
L1_BLOCK = "0x4200000000000000000000000000000000000015"
LEGACY_ERC20_ETH = "0xDeadDeAddeAddEAddeadDEaDDEAdDeaDDeAD0000"
ALIAS_OFFSET = 0x1111000000000000000000000000000000001111
DEFAULT_MIN_GAS = 200_000
PORTAL_DEPOSIT_GAS = 100_000
MESSAGE_VERSION = 1  # versioned nonces: version in the top two bytes
SOLIDITY_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "contracts")
SOLC_JS = os.path.join(NPM, "solc", "solc.js")

WITHDRAWAL_TYPES = ("uint256", "address", "address", "uint256", "uint256", "bytes")
WITHDRAWAL_TUPLE = "(uint256,address,address,uint256,uint256,bytes)"
PROVE_SIG = f"proveWithdrawalTransaction({WITHDRAWAL_TUPLE},uint256,(bytes32,bytes32,bytes32,bytes32),bytes[])"
FINALIZE_SIG = f"finalizeWithdrawalTransaction({WITHDRAWAL_TUPLE})"
RELAY_SIG = "relayMessage(uint256,address,address,uint256,uint256,bytes)"

EVENTS = {
    # OptimismPortal
    "TransactionDeposited": "TransactionDeposited(address,address,uint256,bytes)",
    "WithdrawalProven": "WithdrawalProven(bytes32,address,address)",
    "WithdrawalFinalized": "WithdrawalFinalized(bytes32,bool)",
    # CrossDomainMessenger (both sides)
    "SentMessage": "SentMessage(address,address,bytes,uint256,uint256)",
    "SentMessageExtension1": "SentMessageExtension1(address,uint256)",
    "RelayedMessage": "RelayedMessage(bytes32)",
    "FailedRelayedMessage": "FailedRelayedMessage(bytes32)",
    # StandardBridge (both sides) and L1StandardBridge's legacy events
    "ETHBridgeInitiated": "ETHBridgeInitiated(address,address,uint256,bytes)",
    "ETHBridgeFinalized": "ETHBridgeFinalized(address,address,uint256,bytes)",
    "ERC20BridgeInitiated": "ERC20BridgeInitiated(address,address,address,address,uint256,bytes)",
    "ERC20BridgeFinalized": "ERC20BridgeFinalized(address,address,address,address,uint256,bytes)",
    "ETHDepositInitiated": "ETHDepositInitiated(address,address,uint256,bytes)",
    "ETHWithdrawalFinalized": "ETHWithdrawalFinalized(address,address,uint256,bytes)",
    "ERC20DepositInitiated": "ERC20DepositInitiated(address,address,address,address,uint256,bytes)",
    "ERC20WithdrawalFinalized": "ERC20WithdrawalFinalized(address,address,address,address,uint256,bytes)",
    # L2StandardBridge legacy events
    "WithdrawalInitiated": "WithdrawalInitiated(address,address,address,address,uint256,bytes)",
    "DepositFinalized": "DepositFinalized(address,address,address,address,uint256,bytes)",
    # L2ToL1MessagePasser
    "MessagePassed": "MessagePassed(uint256,address,address,uint256,uint256,bytes,bytes32)",
    # SuperchainConfig
    "Paused": "Paused(string)",
    "Unpaused": "Unpaused()",
    # OptimismMintableERC20Factory / OptimismMintableERC20
    "OptimismMintableERC20Created": "OptimismMintableERC20Created(address,address,address)",
    "Mint": "Mint(address,uint256)",
    "Burn": "Burn(address,uint256)",
    # ERC-20
    "Transfer": "Transfer(address,address,uint256)",
    "Approval": "Approval(address,address,uint256)",
    # generic bridge
    "Locked": "Locked(bytes32,address,address,address,uint256)",
    "Released": "Released(bytes32,address,address,uint256)",
    "Minted": "Minted(bytes32,address,uint256)",
    "BurnInitiated": "BurnInitiated(bytes32,address,address,address,uint256)",
    # OpenZeppelin Pausable (generic bridge); same name as SuperchainConfig's, other signature
    "OZPaused": "Paused(address)",
    "OZUnpaused": "Unpaused(address)",
}

# Custom errors the OP contracts revert with (src/libraries/PortalErrors.sol and friends).
KNOWN_ERRORS = ("CallPaused()", "BadTarget()", "NonReentrant()", "GasEstimation()", "LargeCalldata()",
                "SmallGasLimit()", "NoValue()", "Unauthorized()", "TransferFailed()", "OnlyCustomGasToken()",
                "OutOfGas()")

_topics = {}
_error_selectors = {}
_selectors = {}


# ---------------------------------------------------------------- encoding helpers

def event_topic(name):
    """topic0 of an event in EVENTS (by name) or of a full signature."""
    sig = EVENTS.get(name, name)
    if sig not in _topics:
        _topics[sig] = keccak("0x" + sig.encode().hex())
    return _topics[sig]


def selector(signature):
    if signature not in _selectors:
        _selectors[signature] = keccak("0x" + signature.encode().hex())[:10]
    return _selectors[signature]


def _error_name(data):
    if not _error_selectors:
        for sig in KNOWN_ERRORS:
            _error_selectors[selector(sig)] = sig[:-2]
    return _error_selectors.get((data or "")[:10].lower())


def _strip(h):
    return h[2:] if h.startswith("0x") else h


def abi_encode(types, values):
    """abi.encode for static words (uint*, address, bytes32, bool) and `bytes`."""
    head, tail = [], []
    offset = 32 * len(types)
    for t, v in zip(types, values):
        if t == "bytes":
            b = bytes.fromhex(_strip(v))
            head.append(_word(offset))
            padded = b.hex() + "00" * ((32 - len(b) % 32) % 32)
            tail.append(_word(len(b)) + padded)
            offset += 32 + len(padded) // 2
        else:
            head.append(_word(v))
    return "0x" + "".join(head) + "".join(tail)


def abi_decode(types, data_hex):
    """The inverse of abi_encode: ints for uint*, checksum-less 0x addresses,
    0x-hex for bytes32 and bytes, bool for bool."""
    h = _strip(data_hex)
    out = []
    for i, t in enumerate(types):
        w = h[64 * i:64 * i + 64]
        if t == "bytes":
            off = int(w, 16) * 2
            n = int(h[off:off + 64], 16)
            out.append("0x" + h[off + 64:off + 64 + 2 * n])
        elif t == "address":
            out.append(_addr_from_word(w))
        elif t == "bytes32":
            out.append("0x" + w)
        elif t == "bool":
            out.append(int(w, 16) != 0)
        else:
            out.append(int(w, 16))
    return out


def _decode_error_string(data):
    """Error(string) revert data -> the string, else None."""
    if data and data[:10].lower() == "0x08c379a0":
        try:
            return bytes.fromhex(_strip(abi_decode(["bytes"], "0x" + data[10:])[0])).decode(errors="replace")
        except (ValueError, IndexError):
            return None
    return None


def apply_l1_to_l2_alias(address):
    """AddressAliasHelper.applyL1ToL2Alias: address + 0x1111...1111 mod 2^160."""
    return "0x" + f"{(int(address, 16) + ALIAS_OFFSET) % (1 << 160):040x}"


def versioned_nonce(nonce, version=MESSAGE_VERSION):
    return (version << 240) | nonce


def withdrawal_tuple(wd):
    """The Types.WithdrawalTransaction of a withdrawal dict as a cast tuple literal."""
    w = wd["withdrawal"] if "withdrawal" in wd else wd
    return f"({w['nonce']},{w['sender']},{w['target']},{w['value']},{w['gas_limit']},{w['data']})"


def hash_withdrawal(w):
    """Hashing.hashWithdrawal: keccak256(abi.encode(nonce, sender, target, value, gasLimit, data))."""
    return keccak(abi_encode(WITHDRAWAL_TYPES, [w["nonce"], w["sender"], w["target"], w["value"], w["gas_limit"],
                                                w["data"]]))


def withdrawal_storage_slot(withdrawal_hash):
    """L2ToL1MessagePasser.sentMessages is the mapping at slot 0."""
    return keccak("0x" + _word(withdrawal_hash) + _word(0))


# RLP and the Merkle-Patricia hex-prefix encoding, just enough for one-leaf tries.

def _rlp_length(n, offset):
    if n < 56:
        return bytes([offset + n])
    lb = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([offset + 55 + len(lb)]) + lb


def rlp_bytes(b):
    if len(b) == 1 and b[0] < 0x80:
        return bytes(b)
    return _rlp_length(len(b), 0x80) + bytes(b)


def rlp_list(encoded_items):
    payload = b"".join(encoded_items)
    return _rlp_length(len(payload), 0xC0) + payload


def hex_prefix(nibbles, leaf):
    flag = 2 if leaf else 0
    if len(nibbles) % 2:
        nibbles = [flag + 1] + list(nibbles)
    else:
        nibbles = [flag, 0] + list(nibbles)
    return bytes(nibbles[i] * 16 + nibbles[i + 1] for i in range(0, len(nibbles), 2))


def one_leaf_secure_trie(key_hex, value_rlp):
    """A secure Merkle-Patricia trie with one entry: path keccak256(key), value
    value_rlp (the already-RLP-encoded value, as in account storage).
    Returns (root, [leaf node]) as 0x-hex; the leaf is the whole proof."""
    path = keccak(key_hex)
    nibbles = [int(c, 16) for c in _strip(path)]
    leaf = rlp_list([rlp_bytes(hex_prefix(nibbles, True)), rlp_bytes(value_rlp)])
    leaf_hex = "0x" + leaf.hex()
    return keccak(leaf_hex), [leaf_hex]


# ---------------------------------------------------------------- Solidity (npm solc, cached)

_compiled = None


def compile_contracts():
    """Compiles tests/world/contracts/*.sol with the npm solc (0.8.15, optimizer on) once:
    the output lives in $TMPDIR/l2watch-solc-<hash of sources and compiler>, shared by
    processes. Returns {name: {"bin": "0x..", "abi": [...]}}."""
    global _compiled
    if _compiled is not None:
        return _compiled
    sources = sorted(f for f in os.listdir(SOLIDITY_DIR) if f.endswith(".sol"))
    digest = hashlib.sha256()
    for name in sources:
        with open(os.path.join(SOLIDITY_DIR, name), "rb") as f:
            digest.update(name.encode() + b"\0" + f.read() + b"\0")
    for pkg in ("solc", "@openzeppelin/contracts"):
        try:
            with open(os.path.join(NPM, pkg, "package.json")) as f:
                digest.update(json.load(f)["version"].encode())
        except FileNotFoundError:
            raise WorldError(f"npm package {pkg} is missing in {NPM}; run scripts/install-deps.sh") from None
    out = os.path.join(tempfile.gettempdir(), f"l2watch-solc-{digest.hexdigest()[:16]}")
    if not os.path.isdir(out):
        tmp = tempfile.mkdtemp(prefix=os.path.basename(out) + ".", dir=os.path.dirname(out))
        cmd = ["node", SOLC_JS, "--bin", "--abi", "--optimize", "--base-path", SOLIDITY_DIR,
               "--include-path", NPM, "-o", tmp] + sources
        r = subprocess.run(cmd, cwd=SOLIDITY_DIR, capture_output=True, text=True, timeout=300)
        if r.returncode != 0:
            shutil.rmtree(tmp, ignore_errors=True)
            raise WorldError(f"solc failed on {SOLIDITY_DIR}: {r.stderr.strip() or r.stdout.strip()}")
        try:
            os.rename(tmp, out)
        except OSError:  # another process got there first
            shutil.rmtree(tmp, ignore_errors=True)
    result = {}
    for f in os.listdir(out):
        if f.endswith(".bin") and f.startswith(tuple(s[:-4] + "_sol_" for s in sources)):
            name = f[:-4].split("_sol_")[-1]
            with open(os.path.join(out, f)) as fh:
                code = fh.read().strip()
            with open(os.path.join(out, f[:-4] + ".abi")) as fh:
                abi = json.load(fh)
            if code:
                result[name] = {"bin": "0x" + code, "abi": abi}
    for needed in ("TestToken", "EscrowBridge", "MintBridge", "WrappedToken"):
        if needed not in result:
            raise WorldError(f"solc output in {out} has no {needed}")
    _compiled = result
    return result


# ---------------------------------------------------------------- chain plumbing

def _blk(block):
    return block if isinstance(block, str) else _hex(block)


def _raw_rpc(rpc, method, *params):
    """JSON-RPC returning (result, error object) instead of raising on an error reply."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)})
    req = urllib.request.Request(rpc.url, data=body.encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=rpc.timeout) as resp:
            reply = json.loads(resp.read())
    except (urllib.error.URLError, OSError) as e:
        raise WorldError(f"{method} on {rpc.url}: {e}") from None
    return reply.get("result"), reply.get("error")


def _acc(w, who):
    if who.startswith("0x"):
        return {"address": who, "key": None}
    return w.info["accounts"][who]


def _addr(w, who):
    return _acc(w, who)["address"]


def _con(w, name):
    try:
        return w.info["contracts"][name]
    except KeyError:
        raise WorldError(f"no {name} in this world; see tests/world/bridges.py for what installs it") from None


def _timeout(w, side):
    bt = w.l1_block_time if side == "l1" else w.l2_block_time
    return RECEIPT_TIMEOUT + float(bt or 0)


def _rpc(w, side):
    return w.l1 if side == "l1" else w.l2


def _send(w, side, who, to, sig, *args, value=None, gas=None, nonce=None):
    """cast send from a role; returns the tx hash (does not wait)."""
    acc = _acc(w, who)
    rpc = _rpc(w, side)
    if nonce is None:
        nonce = w.nonce(rpc, acc["address"])
    return w.send(rpc, acc["key"], to, sig, *args, value=value, gas=gas, nonce=nonce)


def _wait(w, side, tx, what):
    return w.wait_receipt(_rpc(w, side), tx, what=what, timeout=_timeout(w, side))


def _transact(w, side, who, to, sig, *args, what=None, **kw):
    tx = _send(w, side, who, to, sig, *args, **kw)
    return _wait(w, side, tx, what or f"{sig.split('(')[0]} on {side}")


def _deploy(w, side, who, code, what, nonce=None):
    """Sends a deployment; returns the tx hash."""
    return _send(w, side, who, None, code, nonce=nonce)


def _contract_address(w, side, tx, what):
    return cast("to-check-sum-address", _wait(w, side, tx, what)["contractAddress"])


def _encode_args(types, *args):
    """ABI-encoded constructor arguments (any types cast understands), no 0x."""
    if not types:
        return ""
    return _strip(cast("abi-encode", f"f({','.join(types)})", *args))


def _call(w, side, to, data, block="latest", sender=None):
    call = {"to": to, "data": data}
    if sender:
        call["from"] = sender
    return _rpc(w, side)("eth_call", call, _blk(block))


def _call_uint(w, side, to, sig, *args, block="latest"):
    return int(_call(w, side, to, selector(sig) + "".join(_word(a) for a in args), block), 16)


def _logs(receipt, address, name):
    t0 = event_topic(name)
    return [lg for lg in receipt["logs"]
            if lg["address"].lower() == address.lower() and lg["topics"] and lg["topics"][0].lower() == t0]


def _one_log(receipt, address, name):
    logs = _logs(receipt, address, name)
    if len(logs) != 1:
        raise WorldError(f"tx {receipt['transactionHash']}: expected one {name} log from {address}, "
                         f"got {len(logs)}")
    return logs[0]


def event_names(receipt):
    """Names (keys of EVENTS) of a receipt's logs, in order; unknown topics as hex."""
    by_topic = {event_topic(n): n for n in EVENTS}
    return [by_topic.get(lg["topics"][0].lower(), lg["topics"][0]) if lg["topics"] else "anonymous"
            for lg in receipt["logs"]]


def _save(w):
    w._write_info()


def _bridge_info(w):
    return w.info.setdefault("bridges", {})


# ---------------------------------------------------------------- OP Stack: install

def _install_predeploy_proxy(w, address):
    admin = w.info["accounts"]["admin"]["address"]
    code = w.artifact("Proxy")["deployedBytecode"]["object"]
    w.l2("anvil_setCode", address, code)
    w.l2("anvil_setStorageAt", address, EIP1967_ADMIN_SLOT, "0x" + _word(admin))


def install_op_bridge(w, token_supply=10**24):
    """The L2 half of the OP Stack standard bridge plus the L1/L2 test token pair
    (see the module docstring). Returns the contract addresses it added."""
    c = w.info["contracts"]
    if c.get("SystemConfig", ZERO_ADDRESS) == ZERO_ADDRESS or "L1StandardBridgeProxy" not in c:
        raise WorldError("install_op_bridge needs a World started with bridges=True "
                         "(real SystemConfig, L1CrossDomainMessenger and L1StandardBridge)")
    acc = w.info["accounts"]
    admin = acc["admin"]
    predeploys = {
        "L2CrossDomainMessenger": (L2_CROSS_DOMAIN_MESSENGER,
                                   selector("initialize(address)") + _word(c["L1CrossDomainMessengerProxy"])),
        "L2StandardBridge": (L2_STANDARD_BRIDGE, selector("initialize(address)") + _word(c["L1StandardBridgeProxy"])),
        "OptimismMintableERC20Factory": (OPTIMISM_MINTABLE_ERC20_FACTORY,
                                         selector("initialize(address)") + _word(L2_STANDARD_BRIDGE)),
        "L1Block": (L1_BLOCK, None),
    }
    # L2: the implementations (each constructor initializes its own storage with
    # zero addresses, as in the real deployment) and the proxies at the predeploys.
    nonce = w.nonce(w.l2, admin["address"])
    txs = {}
    for name in predeploys:
        txs[name] = _deploy(w, "l2", "admin", w.artifact(name)["bytecode"]["object"], f"deploy {name}", nonce=nonce)
        nonce += 1
    # L1: the token, in parallel.
    token = compile_contracts()["TestToken"]["bin"] + _encode_args(
        ["string", "string", "address", "uint256"], "L1 Test Token", "L1T", acc["user"]["address"], token_supply)
    l1_token_tx = _deploy(w, "l1", "admin", token, "deploy L1Token")
    added = {}
    for name, (address, _init) in predeploys.items():
        added[name + "Impl"] = _contract_address(w, "l2", txs[name], f"deploy {name} implementation")
        _install_predeploy_proxy(w, address)
        added[name] = cast("to-check-sum-address", address)
    nonce = w.nonce(w.l2, admin["address"])
    txs = {}
    for name, (address, init) in predeploys.items():
        if init is None:
            txs[name] = w.send(w.l2, admin["key"], address, "upgradeTo(address)", added[name + "Impl"], nonce=nonce)
        else:
            txs[name] = w.send(w.l2, admin["key"], address, "upgradeToAndCall(address,bytes)", added[name + "Impl"],
                               init, nonce=nonce, gas=1_000_000)
        nonce += 1
    for name, tx in txs.items():
        _wait(w, "l2", tx, f"upgrade predeploy {name}")
    added["L1Token"] = _contract_address(w, "l1", l1_token_tx, "deploy L1Token")
    receipt = _transact(w, "l2", "admin", OPTIMISM_MINTABLE_ERC20_FACTORY,
                        "createOptimismMintableERC20(address,string,string)", added["L1Token"], "L2 Test Token", "L2T",
                        what="createOptimismMintableERC20")
    created = _one_log(receipt, OPTIMISM_MINTABLE_ERC20_FACTORY, "OptimismMintableERC20Created")
    added["L2Token"] = cast("to-check-sum-address", _addr_from_word(created["topics"][1]))

    # What the contracts now say about each other.
    checks = [
        ("l2", L2_CROSS_DOMAIN_MESSENGER, "l1CrossDomainMessenger()", c["L1CrossDomainMessengerProxy"]),
        ("l2", L2_STANDARD_BRIDGE, "otherBridge()", c["L1StandardBridgeProxy"]),
        ("l2", L2_STANDARD_BRIDGE, "messenger()", L2_CROSS_DOMAIN_MESSENGER),
        ("l2", added["L2Token"], "remoteToken()", added["L1Token"]),
        ("l2", added["L2Token"], "bridge()", L2_STANDARD_BRIDGE),
        ("l1", c["L1StandardBridgeProxy"], "otherBridge()", L2_STANDARD_BRIDGE),
        ("l1", c["L1StandardBridgeProxy"], "messenger()", c["L1CrossDomainMessengerProxy"]),
        ("l1", c["L1CrossDomainMessengerProxy"], "otherMessenger()", L2_CROSS_DOMAIN_MESSENGER),
        ("l1", c["L1CrossDomainMessengerProxy"], "portal()", c["OptimismPortalProxy"]),
        ("l1", c["OptimismPortalProxy"], "systemConfig()", c["SystemConfigProxy"]),
    ]
    for side, to, sig, want in checks:
        got = _addr_from_word(_call(w, side, to, selector(sig)))
        if got.lower() != want.lower():
            raise WorldError(f"{to}.{sig} on {side} is {got}, expected {want}")
    c.update(added)
    _bridge_info(w)["op"] = {
        "l1": ["SystemConfigProxy", "L1CrossDomainMessengerProxy", "L1StandardBridgeProxy", "OptimismPortalProxy",
               "L1Token"],
        "l2": ["L2CrossDomainMessenger", "L2StandardBridge", "OptimismMintableERC20Factory", "L1Block", "L2Token",
               "L2ToL1MessagePasser"],
        "l1_token": added["L1Token"],
        "l2_token": added["L2Token"],
        "aliased_l1_messenger": apply_l1_to_l2_alias(c["L1CrossDomainMessengerProxy"]),
        "token_supply": str(token_supply),
    }
    _save(w)
    return added


def start_bridge_world(dir, generic=True, **world_kwargs):
    """World(dir, bridges=True, **world_kwargs) started, with install_op_bridge and
    (generic=True) generic_deploy done."""
    w = World(dir, bridges=True, **world_kwargs)
    w.start()
    try:
        install_op_bridge(w)
        if generic:
            generic_deploy(w)
    except BaseException:
        w.stop()
        raise
    return w


# ---------------------------------------------------------------- OP Stack: deposits

def _deposits_in(w, receipt):
    out = []
    for lg in _logs(receipt, _con(w, "OptimismPortalProxy"), "TransactionDeposited"):
        opaque = _strip(abi_decode(["bytes"], lg["data"])[0])
        out.append({
            "from": _addr_from_word(lg["topics"][1]),
            "to": _addr_from_word(lg["topics"][2]),
            "version": int(lg["topics"][3], 16),
            "mint": int(opaque[0:64], 16),
            "value": int(opaque[64:128], 16),
            "gas_limit": int(opaque[128:144], 16),
            "is_creation": int(opaque[144:146], 16) != 0,
            "data": "0x" + opaque[146:],
        })
    return out


def _sent_message(w, receipt, messenger):
    sent = _one_log(receipt, messenger, "SentMessage")
    ext = _one_log(receipt, messenger, "SentMessageExtension1")
    sender, message, nonce, min_gas = abi_decode(["address", "bytes", "uint256", "uint256"], sent["data"])
    return {"nonce": nonce, "sender": sender, "target": _addr_from_word(sent["topics"][1]),
            "value": int(ext["data"], 16), "min_gas_limit": min_gas, "message": message}


def _relay_on_l2(w, msg, deposit):
    """Executes an L1CrossDomainMessenger deposit on L2 as the derivation pipeline
    would: from the aliased L1 messenger, to L2CrossDomainMessenger.relayMessage,
    with the deposit's gas limit, minting the deposit's ETH to the sender first."""
    l1_messenger = _con(w, "L1CrossDomainMessengerProxy")
    aliased = apply_l1_to_l2_alias(l1_messenger)
    data = cast("calldata", RELAY_SIG, msg["nonce"], msg["sender"], msg["target"], msg["value"],
                msg["min_gas_limit"], msg["message"]).lower()
    if deposit["from"].lower() != aliased or deposit["to"].lower() != L2_CROSS_DOMAIN_MESSENGER.lower() \
            or deposit["data"].lower() != data or deposit["mint"] != msg["value"] or deposit["value"] != msg["value"]:
        raise WorldError(f"the deposit {deposit} is not the relayMessage of {msg}")
    balance = int(w.l2("eth_getBalance", aliased, "latest"), 16)
    w.l2("anvil_setBalance", aliased, _hex(balance + deposit["mint"] + 10**18))  # minted ETH + gas money
    w.l2("anvil_impersonateAccount", aliased)
    try:
        tx = w.l2("eth_sendTransaction", {"from": aliased, "to": deposit["to"], "value": _hex(deposit["value"]),
                                          "data": deposit["data"], "gas": _hex(deposit["gas_limit"])})
        receipt = _wait(w, "l2", tx, "relay the deposit on L2")
    finally:
        w.l2("anvil_stopImpersonatingAccount", aliased)
    relayed = _logs(receipt, L2_CROSS_DOMAIN_MESSENGER, "RelayedMessage")
    if len(relayed) != 1:
        raise WorldError(f"relay {tx} on L2 did not relay the message (events {event_names(receipt)})")
    return {"l2_tx": tx, "l2_block": int(receipt["blockNumber"], 16), "msg_hash": relayed[0]["topics"][1]}


def deposit_eth(w, amount, via="bridge", min_gas_limit=DEFAULT_MIN_GAS):
    user = w.info["accounts"]["user"]["address"]
    if via == "portal":
        receipt = _transact(w, "l1", "user", _con(w, "OptimismPortalProxy"),
                            "depositTransaction(address,uint256,uint64,bool,bytes)", user, amount,
                            PORTAL_DEPOSIT_GAS, "false", "0x", value=amount, what="OptimismPortal.depositTransaction")
        [dep] = _deposits_in(w, receipt)
        # No derivation here: the deposit's effect (mint to the user, who sends it to
        # itself) is applied directly.
        balance = int(w.l2("eth_getBalance", user, "latest"), 16)
        w.l2("anvil_setBalance", user, _hex(balance + dep["mint"]))
        return {"via": via, "amount": amount, "l1_tx": receipt["transactionHash"],
                "l1_block": int(receipt["blockNumber"], 16), "deposit": dep, "message": None,
                "l2_tx": None, "l2_block": w.l2_head(), "msg_hash": None}
    if via != "bridge":
        raise ValueError("via must be 'bridge' or 'portal'")
    receipt = _transact(w, "l1", "user", _con(w, "L1StandardBridgeProxy"), "depositETH(uint32,bytes)",
                        min_gas_limit, "0x", value=amount, what="L1StandardBridge.depositETH")
    msg = _sent_message(w, receipt, _con(w, "L1CrossDomainMessengerProxy"))
    [dep] = _deposits_in(w, receipt)
    result = {"via": via, "amount": amount, "l1_tx": receipt["transactionHash"],
              "l1_block": int(receipt["blockNumber"], 16), "deposit": dep, "message": msg}
    result.update(_relay_on_l2(w, msg, dep))
    return result


def deposit_erc20(w, amount, min_gas_limit=DEFAULT_MIN_GAS):
    user = w.info["accounts"]["user"]["address"]
    bridge = _con(w, "L1StandardBridgeProxy")
    nonce = w.nonce(w.l1, user)
    approve = _send(w, "l1", "user", _con(w, "L1Token"), "approve(address,uint256)", bridge, amount,
                    nonce=nonce, gas=100_000)
    dtx = _send(w, "l1", "user", bridge, "depositERC20(address,address,uint256,uint32,bytes)", _con(w, "L1Token"),
                _con(w, "L2Token"), amount, min_gas_limit, "0x", nonce=nonce + 1, gas=1_500_000)
    _wait(w, "l1", approve, "approve L1Token")
    receipt = _wait(w, "l1", dtx, "L1StandardBridge.depositERC20")
    msg = _sent_message(w, receipt, _con(w, "L1CrossDomainMessengerProxy"))
    [dep] = _deposits_in(w, receipt)
    result = {"amount": amount, "approve_tx": approve, "l1_tx": dtx, "l1_block": int(receipt["blockNumber"], 16),
              "deposit": dep, "message": msg}
    result.update(_relay_on_l2(w, msg, dep))
    return result


# ---------------------------------------------------------------- OP Stack: withdrawals

def _withdrawal_from(w, receipt, kind, amount):
    lg = _one_log(receipt, MESSAGE_PASSER, "MessagePassed")
    value, gas_limit, data, event_hash = abi_decode(["uint256", "uint256", "bytes", "bytes32"], lg["data"])
    wd = {"nonce": int(lg["topics"][1], 16), "sender": cast("to-check-sum-address", _addr_from_word(lg["topics"][2])),
          "target": cast("to-check-sum-address", _addr_from_word(lg["topics"][3])), "value": value,
          "gas_limit": gas_limit, "data": data}
    computed = hash_withdrawal(wd)
    if computed != event_hash.lower():
        raise WorldError(f"withdrawal hash: MessagePassed says {event_hash}, keccak(abi.encode(..)) is {computed}")
    block = int(receipt["blockNumber"], 16)
    if not sent_message_on_l2(w, computed, block):
        raise WorldError(f"sentMessages({computed}) is false on L2 at block {block}")
    return {"kind": kind, "amount": amount, "l2_tx": receipt["transactionHash"], "l2_block": block,
            "withdrawal": wd, "withdrawal_hash": computed,
            "message": _sent_message(w, receipt, L2_CROSS_DOMAIN_MESSENGER)}


def withdraw_eth(w, amount, min_gas_limit=DEFAULT_MIN_GAS):
    receipt = _transact(w, "l2", "user", L2_STANDARD_BRIDGE, "withdraw(address,uint256,uint32,bytes)",
                        LEGACY_ERC20_ETH, amount, min_gas_limit, "0x", value=amount, gas=1_000_000,
                        what="L2StandardBridge.withdraw (ETH)")
    return _withdrawal_from(w, receipt, "eth", amount)


def withdraw_erc20(w, amount, min_gas_limit=DEFAULT_MIN_GAS):
    receipt = _transact(w, "l2", "user", L2_STANDARD_BRIDGE, "withdraw(address,uint256,uint32,bytes)",
                        _con(w, "L2Token"), amount, min_gas_limit, "0x", gas=1_000_000,
                        what="L2StandardBridge.withdraw (L2Token)")
    return _withdrawal_from(w, receipt, "erc20", amount)


def sent_message_on_l2(w, withdrawal_hash, block="latest"):
    """L2ToL1MessagePasser.sentMessages(hash) on L2."""
    return _call_uint(w, "l2", MESSAGE_PASSER, "sentMessages(bytes32)", withdrawal_hash, block=block) != 0


def propose_honest_through(w, l2_block):
    """Honest proposals for nextBlockNumber(), + submission interval, ... until one
    is at or after l2_block, all sent at once (consecutive proposer nonces, so they
    usually share an L1 block). Unlike world.propose_honest no L2 withdrawal is
    made: the L2 is advanced with empty blocks only. Returns the proposals, each
    {index, l2_block, root, tx_hash, l1_block, state_root, message_passer_storage_root,
    l2_block_hash}."""
    first = w.next_block_number()
    targets = [first]
    while targets[-1] < l2_block:
        targets.append(targets[-1] + w.submission_interval)
    w.advance_l2_to(targets[-1], withdraw=False)
    proposer = w.info["accounts"]["proposer"]
    l2oo = _con(w, "L2OutputOracleProxy")
    anchor = w.l1("eth_getBlockByNumber", "latest", False)
    nonce = w.nonce(w.l1, proposer["address"])
    sent = []
    for i, target in enumerate(targets):
        out = w.output_at(target)
        tx = w.send(w.l1, proposer["key"], l2oo, "proposeL2Output(bytes32,uint256,bytes32,uint256)", out["root"],
                    target, anchor["hash"], int(anchor["number"], 16), nonce=nonce + i, gas=300_000)
        sent.append((tx, out))
    proposals = []
    for tx, out in sent:
        r = _wait(w, "l1", tx, f"proposeL2Output for L2 block {out['l2_block']}")
        lg = [x for x in r["logs"] if x["address"].lower() == l2oo.lower()]
        if len(lg) != 1 or lg[0]["topics"][1].lower() != out["root"].lower():
            raise WorldError(f"proposal {tx}: unexpected logs {r['logs']}")
        proposals.append({"index": int(lg[0]["topics"][2], 16), "l2_block": out["l2_block"], "root": out["root"],
                          "tx_hash": tx, "l1_block": int(r["blockNumber"], 16), "state_root": out["state_root"],
                          "message_passer_storage_root": out["message_passer_storage_root"],
                          "l2_block_hash": out["block_hash"]})
    return proposals


def honest_output_covering(w, l2_block):
    """An output index whose L2 block is at or after l2_block and whose root is
    right: the latest one if it qualifies, else new honest proposals until one
    does. Returns ({index, l2_block, root, state_root, message_passer_storage_root,
    block_hash}, [proposals made])."""
    n = w.next_output_index()
    if n > 0:
        latest = w.get_output(n - 1)
        if latest["l2_block"] >= l2_block:
            out = w.output_at(latest["l2_block"])
            if out["root"].lower() == latest["root"].lower():
                out["index"] = n - 1
                return out, []
    proposals = propose_honest_through(w, l2_block)
    out = w.output_at(proposals[-1]["l2_block"])
    out["index"] = proposals[-1]["index"]
    return out, proposals


def prove_withdrawal(w, wd, sender="user"):
    whash = wd["withdrawal_hash"]
    out, proposals = honest_output_covering(w, wd["l2_block"])
    slot = withdrawal_storage_slot(whash)
    proof = w.l2("eth_getProof", MESSAGE_PASSER, [slot], _hex(out["l2_block"]))
    if proof["storageHash"].lower() != out["message_passer_storage_root"].lower():
        raise WorldError("eth_getProof's storage root is not the one in the output")
    sp = proof["storageProof"][0]
    if int(sp["value"], 16) != 1:
        raise WorldError(f"sentMessages[{whash}] is {sp['value']} at L2 block {out['l2_block']}")
    nodes = sp["proof"]
    orp = f"({ZERO_HASH},{out['state_root']},{out['message_passer_storage_root']},{out['block_hash']})"
    receipt = _transact(w, "l1", sender, _con(w, "OptimismPortalProxy"), PROVE_SIG, withdrawal_tuple(wd),
                        out["index"], orp, "[" + ",".join(nodes) + "]", gas=1_500_000,
                        what="OptimismPortal.proveWithdrawalTransaction")
    lg = _one_log(receipt, _con(w, "OptimismPortalProxy"), "WithdrawalProven")
    if lg["topics"][1].lower() != whash.lower():
        raise WorldError(f"WithdrawalProven for {lg['topics'][1]}, expected {whash}")
    return {"prove_tx": receipt["transactionHash"], "prove_block": int(receipt["blockNumber"], 16),
            "l2_output_index": out["index"], "output_root": out["root"], "output_l2_block": out["l2_block"],
            "storage_slot": slot, "proof": nodes, "proposals": proposals}


def proven_withdrawal(w, withdrawal_hash, block="latest"):
    """OptimismPortal.provenWithdrawals(hash) -> {output_root, timestamp, l2_output_index}
    (timestamp 0: not proven)."""
    data = _call(w, "l1", _con(w, "OptimismPortalProxy"),
                 selector("provenWithdrawals(bytes32)") + _word(withdrawal_hash), block)
    root, ts, idx = _words(data)
    return {"output_root": "0x" + root, "timestamp": int(ts, 16), "l2_output_index": int(idx, 16)}


def finalized_withdrawal(w, withdrawal_hash, block="latest"):
    return _call_uint(w, "l1", _con(w, "OptimismPortalProxy"), "finalizedWithdrawals(bytes32)", withdrawal_hash,
                      block=block) != 0


def _advance_l1_past_finalization(w, wd):
    proven = proven_withdrawal(w, wd["withdrawal_hash"])
    times = [proven["timestamp"]]
    if proven["timestamp"]:
        times.append(w.get_output(proven["l2_output_index"])["timestamp"])
    ready = max(times) + w.finalization_period_seconds + 1  # "block.timestamp > t + period"
    now = int(w.l1("eth_getBlockByNumber", "latest", False)["timestamp"], 16)
    if now + 1 < ready:  # the next block is at least now + 1
        w.l1("evm_increaseTime", _hex(ready - now - 1))
    if now < ready:
        w.l1("evm_mine")


def explain_revert(w, side, sender, to, data, value=0):
    """Why a call would revert: {reverted, error, reason, data} from eth_call,
    cross-checked with eth_estimateGas."""
    call = {"from": sender, "to": to, "data": data, "value": _hex(value)}
    rpc = _rpc(w, side)
    _res, err = _raw_rpc(rpc, "eth_call", call, "latest")
    if not err:
        return {"reverted": False, "error": None, "reason": None, "data": None}
    _res2, err2 = _raw_rpc(rpc, "eth_estimateGas", call)
    data = err.get("data")
    if isinstance(data, dict):
        data = data.get("data")
    reason = _decode_error_string(data)
    name = _error_name(data) or ("Error" if reason is not None else None)
    return {"reverted": True, "error": name, "reason": reason if reason is not None else err.get("message"),
            "data": data, "message": err.get("message"), "estimate_gas_error": (err2 or {}).get("message")}


def finalize_withdrawal(w, wd, expect_revert=False, sender="user", advance=True):
    portal = _con(w, "OptimismPortalProxy")
    if advance:
        _advance_l1_past_finalization(w, wd)
    if expect_revert:
        data = cast("calldata", FINALIZE_SIG, withdrawal_tuple(wd))
        return explain_revert(w, "l1", _addr(w, sender), portal, data)
    gas = max(1_000_000, 2 * wd["withdrawal"]["gas_limit"] + 300_000)
    receipt = _transact(w, "l1", sender, portal, FINALIZE_SIG, withdrawal_tuple(wd), gas=gas,
                        what="OptimismPortal.finalizeWithdrawalTransaction")
    lg = _one_log(receipt, portal, "WithdrawalFinalized")
    if lg["topics"][1].lower() != wd["withdrawal_hash"].lower():
        raise WorldError(f"WithdrawalFinalized for {lg['topics'][1]}, expected {wd['withdrawal_hash']}")
    return {"finalize_tx": receipt["transactionHash"], "finalize_block": int(receipt["blockNumber"], 16),
            "success": int(lg["data"], 16) != 0, "events": event_names(receipt), "receipt": receipt}


# ---------------------------------------------------------------- OP Stack: the forged withdrawal

def forge_withdrawal(w, target, value, data="0x", gas_limit=100_000, sender=None, nonce=None):
    """See the module docstring. The proposal is made with the proposer key; the
    proof is sent by `attacker`."""
    attacker = w.info["accounts"]["attacker"]["address"]
    if nonce is None:
        nonce = versioned_nonce(int.from_bytes(os.urandom(8), "big") | (1 << 70))  # never used by the L2
    wd = {"nonce": nonce, "sender": cast("to-check-sum-address", sender or attacker),
          "target": cast("to-check-sum-address", target), "value": int(value), "gas_limit": int(gas_limit),
          "data": data if data.startswith("0x") else "0x" + data}
    whash = hash_withdrawal(wd)
    slot = withdrawal_storage_slot(whash)
    storage_root, proof = one_leaf_secure_trie(slot, b"\x01")
    l2_block = w.next_block_number()
    w.advance_l2_to(l2_block, withdraw=False)
    real = w.output_at(l2_block)
    forged_root = output_root_v0(real["state_root"], storage_root, real["block_hash"])
    proposal = w.propose(forged_root, l2_block)
    orp = f"({ZERO_HASH},{real['state_root']},{storage_root},{real['block_hash']})"
    portal = _con(w, "OptimismPortalProxy")
    receipt = _transact(w, "l1", "attacker", portal, PROVE_SIG, withdrawal_tuple(wd), proposal["index"], orp,
                        "[" + ",".join(proof) + "]", gas=1_000_000, what="prove the forged withdrawal")
    lg = _one_log(receipt, portal, "WithdrawalProven")
    if lg["topics"][1].lower() != whash:
        raise WorldError(f"WithdrawalProven for {lg['topics'][1]}, expected {whash}")
    return {"withdrawal": wd, "withdrawal_hash": whash, "l2_output_index": proposal["index"],
            "forged_output_root": forged_root, "honest_output_root": real["root"], "l2_block": l2_block,
            "prove_tx": receipt["transactionHash"], "prove_block": int(receipt["blockNumber"], 16),
            "storage_root": storage_root, "storage_slot": slot, "proof": proof, "proposal": proposal}


def forge_erc20_withdrawal(w, amount, recipient=None, min_gas_limit=DEFAULT_MIN_GAS):
    attacker = w.info["accounts"]["attacker"]["address"]
    recipient = _addr(w, recipient) if recipient else attacker
    message = cast("calldata", "finalizeBridgeERC20(address,address,address,address,uint256,bytes)",
                   _con(w, "L1Token"), _con(w, "L2Token"), attacker, recipient, amount, "0x")
    msg_nonce = versioned_nonce(int.from_bytes(os.urandom(8), "big") | (1 << 70))
    relay = cast("calldata", RELAY_SIG, msg_nonce, L2_STANDARD_BRIDGE, _con(w, "L1StandardBridgeProxy"), 0,
                 min_gas_limit, message)
    f = forge_withdrawal(w, _con(w, "L1CrossDomainMessengerProxy"), 0, relay, gas_limit=min_gas_limit + 400_000,
                         sender=L2_CROSS_DOMAIN_MESSENGER)
    f.update(message={"nonce": msg_nonce, "sender": L2_STANDARD_BRIDGE, "target": _con(w, "L1StandardBridgeProxy"),
                      "value": 0, "min_gas_limit": min_gas_limit, "message": message},
             recipient=recipient, amount=amount)
    return f


# ---------------------------------------------------------------- OP Stack: pause and readers

def superchain_pause(w, identifier="l2watch test"):
    r = _transact(w, "l1", "guardian", _con(w, "SuperchainConfigProxy"), "pause(string)", identifier,
                  what="SuperchainConfig.pause")
    return {"tx": r["transactionHash"], "block": int(r["blockNumber"], 16)}


def superchain_unpause(w):
    r = _transact(w, "l1", "guardian", _con(w, "SuperchainConfigProxy"), "unpause()", what="SuperchainConfig.unpause")
    return {"tx": r["transactionHash"], "block": int(r["blockNumber"], 16)}


def portal_paused(w, block="latest"):
    return _call_uint(w, "l1", _con(w, "OptimismPortalProxy"), "paused()", block=block) != 0


def portal_eth_balance(w, block="latest"):
    return int(w.l1("eth_getBalance", _con(w, "OptimismPortalProxy"), _blk(block)), 16)


def l1_token_balance(w, who, block="latest"):
    return _call_uint(w, "l1", _con(w, "L1Token"), "balanceOf(address)", _addr(w, who), block=block)


def l2_token_balance(w, who, block="latest"):
    return _call_uint(w, "l2", _con(w, "L2Token"), "balanceOf(address)", _addr(w, who), block=block)


def bridge_erc20_escrow(w, block="latest"):
    return l1_token_balance(w, _con(w, "L1StandardBridgeProxy"), block)


def bridge_erc20_deposits(w, block="latest"):
    return _call_uint(w, "l1", _con(w, "L1StandardBridgeProxy"), "deposits(address,address)", _con(w, "L1Token"),
                      _con(w, "L2Token"), block=block)


def l2_token_supply(w, block="latest"):
    return _call_uint(w, "l2", _con(w, "L2Token"), "totalSupply()", block=block)


# ---------------------------------------------------------------- the generic lock/release bridge

def generic_deploy(w, supply=10**24):
    acc = w.info["accounts"]
    sol = compile_contracts()
    admin, operator, guardian = (acc[r]["address"] for r in ("admin", "operator", "guardian"))
    nonce = w.nonce(w.l1, admin)
    token_tx = _deploy(w, "l1", "admin", sol["TestToken"]["bin"] + _encode_args(
        ["string", "string", "address", "uint256"], "Generic L1 Token", "GL1", acc["user"]["address"], supply),
        "deploy GenericL1Token", nonce=nonce)
    escrow_tx = _deploy(w, "l1", "admin", sol["EscrowBridge"]["bin"] + _encode_args(
        ["address", "address", "address"], admin, operator, guardian), "deploy EscrowBridge", nonce=nonce + 1)
    token = _contract_address(w, "l1", token_tx, "deploy GenericL1Token")
    escrow = _contract_address(w, "l1", escrow_tx, "deploy EscrowBridge")
    mint_tx = _deploy(w, "l2", "admin", sol["MintBridge"]["bin"] + _encode_args(
        ["address", "address", "address", "address", "string", "string"], admin, operator, guardian, token,
        "Wrapped Generic L1 Token", "wGL1"), "deploy MintBridge")
    mint_bridge = _contract_address(w, "l2", mint_tx, "deploy MintBridge")
    wrapped = cast("to-check-sum-address", _addr_from_word(_call(w, "l2", mint_bridge, selector("token()"))))
    added = {"GenericL1Token": token, "EscrowBridge": escrow, "MintBridge": mint_bridge, "WrappedToken": wrapped}
    w.info["contracts"].update(added)
    _bridge_info(w)["generic"] = {
        "l1": ["GenericL1Token", "EscrowBridge"], "l2": ["MintBridge", "WrappedToken"],
        "operator": operator, "guardian": guardian, "l1_token": token, "l2_token": wrapped,
        "token_supply": str(supply),
    }
    _save(w)
    return added


def generic_lock(w, amount, recipient=None):
    user = w.info["accounts"]["user"]["address"]
    recipient = _addr(w, recipient) if recipient else user
    escrow, token = _con(w, "EscrowBridge"), _con(w, "GenericL1Token")
    nonce = w.nonce(w.l1, user)
    approve = _send(w, "l1", "user", token, "approve(address,uint256)", escrow, amount, nonce=nonce, gas=100_000)
    lock = _send(w, "l1", "user", escrow, "lock(address,uint256,address)", token, amount, recipient,
                 nonce=nonce + 1, gas=300_000)
    _wait(w, "l1", approve, "approve GenericL1Token")
    receipt = _wait(w, "l1", lock, "EscrowBridge.lock")
    lg = _one_log(receipt, escrow, "Locked")
    message_id = lg["topics"][1]
    mint = _transact(w, "l2", "operator", _con(w, "MintBridge"), "mint(bytes32,address,uint256)", message_id,
                     recipient, amount, gas=300_000, what="MintBridge.mint")
    return {"amount": amount, "message_id": message_id, "recipient": recipient, "approve_tx": approve,
            "lock_tx": lock, "l1_block": int(receipt["blockNumber"], 16), "mint_tx": mint["transactionHash"],
            "l2_block": int(mint["blockNumber"], 16)}


def generic_release(w, message_id, amount, recipient, expect_revert=False):
    """EscrowBridge.release from `operator`. expect_revert=True sends nothing and
    returns explain_revert's answer."""
    escrow, token = _con(w, "EscrowBridge"), _con(w, "GenericL1Token")
    recipient = _addr(w, recipient)
    sig = "release(bytes32,address,address,uint256)"
    if expect_revert:
        data = selector(sig) + _word(message_id) + _word(token) + _word(recipient) + _word(amount)
        return explain_revert(w, "l1", _addr(w, "operator"), escrow, data)
    r = _transact(w, "l1", "operator", escrow, sig, message_id, token, recipient, amount, gas=200_000,
                  what="EscrowBridge.release")
    _one_log(r, escrow, "Released")
    return {"amount": amount, "message_id": message_id, "recipient": recipient, "release_tx": r["transactionHash"],
            "l1_block": int(r["blockNumber"], 16)}


def generic_withdraw(w, amount, recipient=None):
    user = w.info["accounts"]["user"]["address"]
    recipient = _addr(w, recipient) if recipient else user
    mint_bridge = _con(w, "MintBridge")
    burn = _transact(w, "l2", "user", mint_bridge, "burn(uint256,address)", amount, recipient, gas=300_000,
                     what="MintBridge.burn")
    lg = _one_log(burn, mint_bridge, "BurnInitiated")
    if _addr_from_word(lg["topics"][2]).lower() != _con(w, "GenericL1Token").lower():
        raise WorldError(f"BurnInitiated names token {lg['topics'][2]}, not the L1 token")
    message_id = lg["topics"][1]
    rel = generic_release(w, message_id, amount, recipient)
    return {"amount": amount, "message_id": message_id, "recipient": recipient, "burn_tx": burn["transactionHash"],
            "l2_block": int(burn["blockNumber"], 16), "release_tx": rel["release_tx"], "l1_block": rel["l1_block"]}


def _random_message_id():
    return keccak("0x" + os.urandom(32).hex())


def generic_forged_release(w, amount, recipient=None, message_id=None):
    return generic_release(w, message_id or _random_message_id(), amount, recipient or "attacker")


def generic_drain(w, n, amount_each, recipient=None):
    recipient = _addr(w, recipient or "attacker")
    operator = w.info["accounts"]["operator"]["address"]
    escrow, token = _con(w, "EscrowBridge"), _con(w, "GenericL1Token")
    sel = selector("release(bytes32,address,address,uint256)")
    nonce = w.nonce(w.l1, operator)
    sent = []
    # anvil's dev accounts are unlocked: eth_sendTransaction costs one round trip
    # (the same signature cast would make), so the releases share blocks.
    for i in range(n):
        mid = _random_message_id()
        data = sel + _word(mid) + _word(token) + _word(recipient) + _word(amount_each)
        tx = w.l1("eth_sendTransaction", {"from": operator, "to": escrow, "data": data, "gas": _hex(150_000),
                                          "nonce": _hex(nonce + i)})
        sent.append((mid, tx))
    releases, per_block = [], {}
    for mid, tx in sent:
        r = _wait(w, "l1", tx, "drain release")
        _one_log(r, escrow, "Released")
        b = int(r["blockNumber"], 16)
        per_block[b] = per_block.get(b, 0) + 1
        releases.append({"message_id": mid, "tx": tx, "l1_block": b})
    return {"releases": releases, "total": n * amount_each, "recipient": recipient, "blocks": sorted(per_block),
            "per_block": per_block}


def generic_pause(w):
    r = _transact(w, "l1", "guardian", _con(w, "EscrowBridge"), "pause()", what="EscrowBridge.pause")
    return {"tx": r["transactionHash"], "block": int(r["blockNumber"], 16)}


def generic_unpause(w):
    r = _transact(w, "l1", "guardian", _con(w, "EscrowBridge"), "unpause()", what="EscrowBridge.unpause")
    return {"tx": r["transactionHash"], "block": int(r["blockNumber"], 16)}


def generic_pause_state(w, block="latest"):
    return _call_uint(w, "l1", _con(w, "EscrowBridge"), "paused()", block=block) != 0


def generic_l1_balance(w, who, block="latest"):
    return _call_uint(w, "l1", _con(w, "GenericL1Token"), "balanceOf(address)", _addr(w, who), block=block)


def generic_escrow_balance(w, block="latest"):
    return generic_l1_balance(w, _con(w, "EscrowBridge"), block)


def generic_wrapped_supply(w, block="latest"):
    return _call_uint(w, "l2", _con(w, "WrappedToken"), "totalSupply()", block=block)


def generic_wrapped_balance(w, who, block="latest"):
    return _call_uint(w, "l2", _con(w, "WrappedToken"), "balanceOf(address)", _addr(w, who), block=block)
