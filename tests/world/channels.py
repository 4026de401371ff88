"""State channels in the local test world: the two real channel adjudicators
deployed on the world's L1 anvil from their npm packages' prebuilt artifacts,
channels between two test keys, states signed off-chain, and the on-chain
dispute calls a cheating counterparty (or a watchtower) makes.

Python standard library only, like world.py: ABI encoding by `cast abi-encode`
and `cast calldata`, hashing by `cast keccak`, signing by `cast wallet sign`,
transactions by `cast send`, reads by JSON-RPC.

    from tests.world import channels
    channels.install_channels(w)                  # both adjudicators, one L1 block
    v = channels.open_vector_channel(w, 10**18, 10**18)
    s3 = v.state(3, alice_amount=..., bob_amount=...)
    v.dispute(s3, v.sign(s3), "bob")             # disputeChannel from bob
    v.get_dispute()["nonce"]                     # 3
    n = channels.open_nitro_channel(w)
    t4 = n.state(4)
    n.challenge(t4, n.sign(t4), "alice")         # ForceMove challenge
    n.status()                                   # {turn_num_record: 4, finalizes_at: ...}

The packages
------------
@connext/vector-contracts 0.2.3 and @statechannels/nitro-protocol 0.17.3,
unpacked by scripts/install-deps.sh (tarballs only, integrity pinned there)
under tools/npm/vendor/<package name>/. Artifacts used:
artifacts/src.sol/{ChannelMastercopy,ChannelFactory}.sol/*.json (Vector;
identical to the dist/artifacts copies) and
lib/artifacts/contracts/{NitroAdjudicator,CountingApp}.sol/*.json (Nitro).

Accounts
--------
anvil's dev accounts 0..6 are world.py's roles; the channels use the next three
(world.py starts anvil with 10 accounts): alice = 7, bob = 8 (the channel
participants, Vector's alice/bob and Nitro's participants[0]/[1]), tower = 9
(the watchtower's key: not a participant, it only sends transactions).
install_channels adds them to w.info["accounts"] like the other roles; the
contracts are deployed by `admin` (0).

Vector (Connext)
----------------
A channel is an EIP-1167 minimal proxy of ChannelMastercopy made by
ChannelFactory(mastercopy, chainId=0: the salt uses the chainid opcode) with
CREATE2 (salt keccak256(alice, bob, chainId)). open_vector_channel calls
createChannelAndDepositAlice(alice, bob, ETH, amount) from alice and bob funds
it by a plain ETH transfer to the (counterfactual) channel address, as Vector's
own clients do: the channel counts its balance above Alice's deposits as Bob's.
CoreChannelState, in this field order (ICMCAdjudicator.sol):
    (address channelAddress, address alice, address bob, address[] assetIds,
     (uint256[2] amount, address[2] to)[] balances, uint256[] processedDepositsA,
     uint256[] processedDepositsB, uint256[] defundNonces, uint256 timeout,
     uint256 nonce, bytes32 merkleRoot)
state hash  = keccak256(abi.encode(ccs))            (a dynamic tuple: starts with 0x20)
commitment  = keccak256(abi.encode(uint8(CommitmentType.ChannelState) = 0, state hash))
signature   = 65-byte r||s||v over keccak256("\\x16Vector Signed Message:\\n32" ++ commitment)
              (LibChannelCrypto.toChannelSignedMessage; `cast wallet sign --no-hash`)
disputeChannel(ccs, aliceSig, bobSig) may come from anyone; a first dispute sets
consensusExpiry = now + timeout and defundExpiry = now + 2 * timeout, a later one
with a higher nonce before consensusExpiry only replaces hash, nonce and merkleRoot.

Nitro (statechannels ForceMove)
-------------------------------
FixedPart (uint256 chainId, address[] participants, uint48 channelNonce,
           address appDefinition, uint48 challengeDuration)
channelId     = keccak256(abi.encode(chainId, participants, channelNonce))   (_getChannelId:
                not appDefinition nor challengeDuration; chainId must be block.chainid)
VariablePart  = (bytes outcome, bytes appData)                               (in that order)
appPartHash   = keccak256(abi.encode(challengeDuration, appDefinition, appData))
outcomeHash   = keccak256(outcome)                  (of the bytes, not re-encoded)
stateHash     = keccak256(abi.encode(uint48 turnNum, bool isFinal, channelId,
                                     appPartHash, outcomeHash))
signature     = (uint8 v, bytes32 r, bytes32 s) over keccak256("\\x19Ethereum Signed
                Message:\\n32" ++ stateHash)        (`cast wallet sign` on the 32 bytes)
challengerSig = the same over keccak256(abi.encode(stateHash, string "forceMove"))
The app is CountingApp (appData = abi.encode(uint256 counter), here the turn
number). ForceMove only calls the app to check a transition between two
submitted states at turn >= 2 * participants; the helpers submit one state
signed by every participant (whoSignedWhat [0, 0]), which needs no transition.
The outcome is a real Nitro allocation outcome for ETH:
abi.encode((address asset, bytes abi.encode((uint8 0 = Allocation,
bytes abi.encode((bytes32 destination, uint256 amount)[]))))[]), destinations
the participants' addresses left-padded to 32 bytes. The channel is funded by
NitroAdjudicator.deposit(ETH, channelId, expectedHeld, amount) from each.

API (every function takes the started World first)
---
account(w, role) -> {address, key, index}           role: alice, bob, tower (or any world role)
install_channels(w, vector=True, nitro=True) -> {name: address} added to
    w.info["contracts"]: ChannelMastercopy, ChannelFactory, NitroAdjudicator, CountingApp
    (all four in one L1 block; idempotent)
open_vector_channel(w, alice_deposit, bob_deposit, timeout=3600) -> VectorChannel
    .address .alice .bob .timeout .deposits .open_block .info (dict, saved in world.json)
    .state(nonce, alice_amount=None, bob_amount=None, merkle_root=ZERO_HASH) -> ccs dict
    .sign(ccs, signers=("alice", "bob")) -> (alice_sig, bob_sig)     (0x + 65 bytes each)
    .dispute(ccs, sigs, sender) -> {tx, block, timestamp, gas_used, receipt}
    .dispute_revert(ccs, sigs, sender) -> bridges.explain_revert dict (reason, ...): eth_call only
    .get_dispute(block="latest") -> {channel_state_hash, nonce, merkle_root,
                                     consensus_expiry, defund_expiry}
    .deposits_onchain() -> {alice, bob}: getTotalDepositsAlice/Bob(ETH)
vector_state_tuple(ccs) -> cast's tuple argument; vector_state_hash(ccs);
vector_commitment(state_hash); vector_sign(commitment, key)
open_nitro_channel(w, alice_deposit=10**18, bob_deposit=10**18, challenge_duration=3600,
                   channel_nonce=None) -> NitroChannel
    .channel_id .participants .fixed_part (dict) .challenge_duration .info
    .state(turn_num, alice_amount=None, bob_amount=None, is_final=False, app_data=None) -> state dict
        (turn_num, is_final, outcome, app_data, app_part_hash, outcome_hash, state_hash)
    .sign(state, signers=("alice", "bob")) -> [sig dict {v, r, s}], in participant order
    .challenge(state, sigs, challenger, sender=None) -> {tx, block, timestamp, gas_used, receipt}
    .checkpoint(state, sigs, sender) -> same
    .challenge_revert(...) / .checkpoint_revert(...) -> explain_revert dict (eth_call only)
    .status(block="latest") -> {turn_num_record, finalizes_at, fingerprint, status_of}
    .holdings() -> wei held for the channel
nitro_channel_id(chain_id, participants, channel_nonce), nitro_outcome(allocations),
nitro_state_hash(...), nitro_sign(hash, key), nitro_challenger_sig(state_hash, key)
"""
import json
import os

from . import bridges
from .world import NPM, RECEIPT_TIMEOUT, ZERO_ADDRESS, ZERO_HASH, WorldError, _addr_from_word, _word, _words, \
    cast, keccak

VENDOR = os.path.join(os.path.dirname(NPM), "vendor")
VECTOR_PACKAGE = os.path.join(VENDOR, "@connext", "vector-contracts")
NITRO_PACKAGE = os.path.join(VENDOR, "@statechannels", "nitro-protocol")
ARTIFACT_PATHS = {
    "ChannelMastercopy": os.path.join(VECTOR_PACKAGE, "artifacts", "src.sol", "ChannelMastercopy.sol",
                                      "ChannelMastercopy.json"),
    "ChannelFactory": os.path.join(VECTOR_PACKAGE, "artifacts", "src.sol", "ChannelFactory.sol", "ChannelFactory.json"),
    "NitroAdjudicator": os.path.join(NITRO_PACKAGE, "lib", "artifacts", "contracts", "NitroAdjudicator.sol",
                                     "NitroAdjudicator.json"),
    "CountingApp": os.path.join(NITRO_PACKAGE, "lib", "artifacts", "contracts", "CountingApp.sol", "CountingApp.json"),
}
PACKAGE_VERSIONS = {VECTOR_PACKAGE: "0.2.3", NITRO_PACKAGE: "0.17.3"}

# anvil dev account indexes (world.py's ROLES use 0..6).
CHANNEL_ROLES = {"alice": 7, "bob": 8, "tower": 9}

ETH = ZERO_ADDRESS  # both protocols' asset id for ETH

# Vector
BALANCE_TUPLE = "(uint256[2],address[2])"
CCS_TUPLE = (f"(address,address,address,address[],{BALANCE_TUPLE}[],uint256[],uint256[],uint256[],"
             "uint256,uint256,bytes32)")
DISPUTE_CHANNEL_SIG = f"disputeChannel({CCS_TUPLE},bytes,bytes)"
VECTOR_PREFIX = b"\x16Vector Signed Message:\n32"
COMMITMENT_CHANNEL_STATE = 0  # CommitmentType.ChannelState
INITIAL_DEFUND_NONCE = 1

# Nitro
FIXED_PART_TUPLE = "(uint256,address[],uint48,address,uint48)"
VARIABLE_PART_TUPLE = "(bytes,bytes)"
SIGNATURE_TUPLE = "(uint8,bytes32,bytes32)"
CHALLENGE_SIG = (f"challenge({FIXED_PART_TUPLE},uint48,{VARIABLE_PART_TUPLE}[],uint8,{SIGNATURE_TUPLE}[],uint8[],"
                 f"{SIGNATURE_TUPLE})")
CHECKPOINT_SIG = f"checkpoint({FIXED_PART_TUPLE},uint48,{VARIABLE_PART_TUPLE}[],uint8,{SIGNATURE_TUPLE}[],uint8[])"
NITRO_DEPOSIT_SIG = "deposit(address,bytes32,uint256,uint256)"
ALLOCATION_OUTCOME = 0  # Outcome.AssetOutcomeType.Allocation

_artifacts = {}


# ---------------------------------------------------------------- small helpers

def load_channel_artifact(name):
    path = ARTIFACT_PATHS[name]
    if name not in _artifacts:
        try:
            with open(path) as f:
                _artifacts[name] = json.load(f)
        except FileNotFoundError:
            raise WorldError(f"contract artifact {path} is missing; run scripts/install-deps.sh "
                             f"(it unpacks the channel contracts' npm packages under tools/npm/vendor)") from None
        pkg = VECTOR_PACKAGE if path.startswith(VECTOR_PACKAGE) else NITRO_PACKAGE
        with open(os.path.join(pkg, "package.json")) as f:
            version = json.load(f)["version"]
        if version != PACKAGE_VERSIONS[pkg]:
            raise WorldError(f"{pkg} is version {version}, expected {PACKAGE_VERSIONS[pkg]}; "
                             f"run scripts/install-deps.sh")
    return _artifacts[name]


def account(w, role):
    """{address, key, index} of a channel role (alice, bob, tower) or a world role."""
    if role in CHANNEL_ROLES:
        i = CHANNEL_ROLES[role]
        dev = w.info["accounts"]["dev"]
        if i >= len(dev):
            raise WorldError(f"the world's anvil has {len(dev)} accounts; channel role {role} needs index {i}")
        return {"address": cast("to-check-sum-address", dev[i]["address"]), "key": dev[i]["key"], "index": i}
    try:
        return w.info["accounts"][role]
    except KeyError:
        raise WorldError(f"no account role {role!r}") from None


def _key(w, who):
    """A private key from a role name or a key given as 0x-hex."""
    if who.startswith("0x") and len(who) == 66:
        return who
    return account(w, who)["key"]


def _address_of_key(key):
    return cast("wallet", "address", "--private-key", key)


def _sender(w, who):
    if who.startswith("0x") and len(who) == 66:
        return {"address": _address_of_key(who), "key": who}
    return account(w, who)


def _con(w, name):
    try:
        return w.info["contracts"][name]
    except KeyError:
        raise WorldError(f"no {name} in this world; channels.install_channels(w) deploys it") from None


def _timeout(w):
    return RECEIPT_TIMEOUT + float(w.l1_block_time or 0)


def _transact(w, who, to, sig, *args, what, value=None, gas=None):
    """cast send on L1 from a role (or a raw key); waits. -> {tx, block, timestamp, gas_used, receipt}."""
    acc = _sender(w, who)
    tx = w.send(w.l1, acc["key"], to, sig, *args, value=value, gas=gas, nonce=w.nonce(w.l1, acc["address"]))
    receipt = w.wait_receipt(w.l1, tx, what=what, timeout=_timeout(w))
    return _result(w, receipt)


def _result(w, receipt):
    block = w.l1("eth_getBlockByNumber", receipt["blockNumber"], False)
    return {"tx": receipt["transactionHash"], "block": int(receipt["blockNumber"], 16),
            "timestamp": int(block["timestamp"], 16), "gas_used": int(receipt["gasUsed"], 16), "receipt": receipt}


def _call(w, to, data, block="latest"):
    return w.call(w.l1, to, data, block)


def _calldata(sig, *args):
    return cast("calldata", sig, *args)


def _list(items):
    return "[" + ",".join(str(i) for i in items) + "]"


def _save(w):
    w._write_info()


def _split_sig(sig_hex):
    h = sig_hex[2:] if sig_hex.startswith("0x") else sig_hex
    if len(h) != 130:
        raise WorldError(f"not a 65-byte signature: {sig_hex!r}")
    return {"r": "0x" + h[:64], "s": "0x" + h[64:128], "v": int(h[128:], 16)}


# ---------------------------------------------------------------- install

def install_channels(w, vector=True, nitro=True):
    """Deploys ChannelMastercopy + ChannelFactory(mastercopy, 0) (vector) and
    NitroAdjudicator + CountingApp (nitro) from `admin` in one L1 block; the
    factory's constructor gets the mastercopy's address computed from admin's
    nonce. Adds alice/bob/tower to w.info["accounts"]. Returns what it added."""
    c = w.info["contracts"]
    names = []
    if vector:
        names += [n for n in ("ChannelMastercopy", "ChannelFactory") if n not in c]
    if nitro:
        names += [n for n in ("NitroAdjudicator", "CountingApp") if n not in c]
    for role in CHANNEL_ROLES:
        w.info["accounts"].setdefault(role, account(w, role))
    if "ChannelFactory" in names and "ChannelMastercopy" not in names and "ChannelMastercopy" not in c:
        raise WorldError("ChannelFactory needs ChannelMastercopy")
    admin = w.info["accounts"]["admin"]
    nonce = w.nonce(w.l1, admin["address"])
    planned, txs = {}, {}
    for name in names:
        code = load_channel_artifact(name)["bytecode"]
        if name == "ChannelFactory":
            mastercopy = planned.get("ChannelMastercopy") or c["ChannelMastercopy"]
            code += cast("abi-encode", "f(address,uint256)", mastercopy, 0)[2:]
        planned[name] = cast("to-check-sum-address",
                             cast("compute-address", admin["address"], "--nonce", nonce).split()[-1])
        txs[name] = w.send(w.l1, admin["key"], None, code, nonce=nonce)
        nonce += 1
    added = {}
    for name in names:
        receipt = w.wait_receipt(w.l1, txs[name], what=f"deploy {name}", timeout=_timeout(w))
        got = cast("to-check-sum-address", receipt["contractAddress"])
        if got != planned[name]:
            raise WorldError(f"{name} deployed at {got}, expected {planned[name]} (admin's nonce moved)")
        added[name] = got
        w.info["l1"]["channels_deploy_block"] = int(receipt["blockNumber"], 16)
    c.update(added)
    if "ChannelFactory" in added:
        got = _addr_from_word(_call(w, c["ChannelFactory"], _calldata("getMastercopy()")))
        if got.lower() != c["ChannelMastercopy"].lower():
            raise WorldError(f"ChannelFactory.getMastercopy() is {got}, expected {c['ChannelMastercopy']}")
    if "NitroAdjudicator" in added:
        chain = int(_call(w, c["NitroAdjudicator"], _calldata("getChainID()")), 16)
        if chain != w.info["l1"]["chain_id"]:
            raise WorldError(f"NitroAdjudicator.getChainID() is {chain}, expected {w.info['l1']['chain_id']}")
    _save(w)
    return added


def _channels_info(w):
    return w.info.setdefault("channels", {"vector": [], "nitro": []})


# ---------------------------------------------------------------- Vector

def vector_state_tuple(ccs):
    """A CoreChannelState dict as cast's tuple argument."""
    balances = _list(f"({_list(b['amount'])},{_list(b['to'])})" for b in ccs["balances"])
    return (f"({ccs['channel_address']},{ccs['alice']},{ccs['bob']},{_list(ccs['asset_ids'])},{balances},"
            f"{_list(ccs['processed_deposits_a'])},{_list(ccs['processed_deposits_b'])},"
            f"{_list(ccs['defund_nonces'])},{ccs['timeout']},{ccs['nonce']},{ccs['merkle_root']})")


def vector_encode_state(ccs):
    """abi.encode(ccs) as 0x-hex."""
    return cast("abi-encode", f"f({CCS_TUPLE})", vector_state_tuple(ccs))


def vector_state_hash(ccs):
    """CMCAdjudicator.hashChannelState: keccak256(abi.encode(ccs))."""
    return keccak(vector_encode_state(ccs))


def vector_commitment(state_hash):
    """keccak256(abi.encode(CommitmentType.ChannelState, stateHash)): what both sign."""
    return keccak("0x" + _word(COMMITMENT_CHANNEL_STATE) + _word(state_hash))


def vector_digest(commitment):
    """LibChannelCrypto.toChannelSignedMessage."""
    return keccak("0x" + VECTOR_PREFIX.hex() + _word(commitment))


def vector_sign(commitment, key):
    """A participant's 65-byte signature (r, s, v=27/28) on a commitment."""
    return cast("wallet", "sign", "--no-hash", "--private-key", key, vector_digest(commitment))


class VectorChannel:
    """One Vector channel; see the module docstring."""

    def __init__(self, w, info):
        self.w = w
        self.info = info
        self.address = info["address"]
        self.alice = info["alice"]
        self.bob = info["bob"]
        self.timeout = info["timeout"]
        self.deposits = {"alice": int(info["alice_deposit"]), "bob": int(info["bob_deposit"])}
        self.open_block = info["open_block"]

    def state(self, nonce, alice_amount=None, bob_amount=None, merkle_root=ZERO_HASH, timeout=None):
        """A CoreChannelState for ETH only: balances alice/bob (default: what each
        deposited), processed deposits = the deposits, defund nonce 1."""
        a = self.deposits["alice"] if alice_amount is None else int(alice_amount)
        b = self.deposits["bob"] if bob_amount is None else int(bob_amount)
        if a + b != self.deposits["alice"] + self.deposits["bob"]:
            raise ValueError(f"balances {a} + {b} do not add up to the deposits {self.deposits}")
        return {
            "channel_address": self.address, "alice": self.alice, "bob": self.bob,
            "asset_ids": [ETH],
            "balances": [{"amount": [a, b], "to": [self.alice, self.bob]}],
            "processed_deposits_a": [self.deposits["alice"]],
            "processed_deposits_b": [self.deposits["bob"]],
            "defund_nonces": [INITIAL_DEFUND_NONCE],
            "timeout": self.timeout if timeout is None else int(timeout),
            "nonce": int(nonce),
            "merkle_root": merkle_root,
        }

    def sign(self, ccs, signers=("alice", "bob")):
        """(alice_sig, bob_sig): each signer (a role or a raw key) signs the commitment."""
        commitment = vector_commitment(vector_state_hash(ccs))
        return tuple(vector_sign(commitment, _key(self.w, s)) for s in signers)

    def dispute(self, ccs, sigs, sender):
        """disputeChannel(ccs, sigs[0], sigs[1]) from sender (a role or a key); waits."""
        return _transact(self.w, sender, self.address, DISPUTE_CHANNEL_SIG, vector_state_tuple(ccs), sigs[0], sigs[1],
                         what=f"disputeChannel nonce {ccs['nonce']}")

    def dispute_revert(self, ccs, sigs, sender):
        """Why disputeChannel would revert (eth_call from sender, nothing sent)."""
        data = _calldata(DISPUTE_CHANNEL_SIG, vector_state_tuple(ccs), sigs[0], sigs[1])
        return bridges.explain_revert(self.w, "l1", _sender(self.w, sender)["address"], self.address, data)

    def get_dispute(self, block="latest"):
        """getChannelDispute(): the ChannelDispute struct (five static words)."""
        words = _words(_call(self.w, self.address, _calldata("getChannelDispute()"), block))
        return {"channel_state_hash": "0x" + words[0], "nonce": int(words[1], 16), "merkle_root": "0x" + words[2],
                "consensus_expiry": int(words[3], 16), "defund_expiry": int(words[4], 16)}

    def deposits_onchain(self, block="latest"):
        return {who: int(_call(self.w, self.address, _calldata(f"getTotalDeposits{who.title()}(address)", ETH),
                               block), 16) for who in ("alice", "bob")}


def open_vector_channel(w, alice_deposit=10**18, bob_deposit=10**18, timeout=3600):
    """createChannelAndDepositAlice from alice, bob's ETH sent to the channel
    address (both in one block). Checks the proxy's alice/bob and deposits."""
    factory = _con(w, "ChannelFactory")
    alice, bob = account(w, "alice"), account(w, "bob")
    address = cast("to-check-sum-address", _addr_from_word(
        _call(w, factory, _calldata("getChannelAddress(address,address)", alice["address"], bob["address"]))))
    if w.l1("eth_getCode", address, "latest") not in ("0x", "0x0"):
        raise WorldError(f"a Vector channel between alice and bob already exists at {address} "
                         f"(the factory makes one per pair)")
    txs = [w.send(w.l1, alice["key"], factory, "createChannelAndDepositAlice(address,address,address,uint256)",
                  alice["address"], bob["address"], ETH, int(alice_deposit), value=int(alice_deposit),
                  nonce=w.nonce(w.l1, alice["address"]))]
    if bob_deposit:
        txs.append(w.send(w.l1, bob["key"], address, "0x", value=int(bob_deposit),
                          nonce=w.nonce(w.l1, bob["address"])))
    receipts = [w.wait_receipt(w.l1, tx, what="open Vector channel", timeout=_timeout(w)) for tx in txs]
    topic = keccak("0x" + b"ChannelCreation(address)".hex())
    created = [lg for lg in receipts[0]["logs"] if lg["address"].lower() == factory.lower()
               and lg["topics"][0].lower() == topic]
    if len(created) != 1 or _addr_from_word(created[0]["data"]).lower() != address.lower():
        raise WorldError(f"createChannelAndDepositAlice {txs[0]}: no ChannelCreation({address}) log")
    info = {"address": address, "alice": alice["address"], "bob": bob["address"], "timeout": int(timeout),
            "alice_deposit": str(int(alice_deposit)), "bob_deposit": str(int(bob_deposit)),
            "open_block": max(int(r["blockNumber"], 16) for r in receipts), "create_tx": txs[0]}
    ch = VectorChannel(w, info)
    for fn, want in (("getAlice()", alice["address"]), ("getBob()", bob["address"])):
        got = _addr_from_word(_call(w, address, _calldata(fn)))
        if got.lower() != want.lower():
            raise WorldError(f"Vector channel {address}: {fn} is {got}, expected {want}")
    got = ch.deposits_onchain()
    if got != ch.deposits:
        raise WorldError(f"Vector channel {address}: deposits {got}, expected {ch.deposits}")
    _channels_info(w)["vector"].append(info)
    _save(w)
    return ch


# ---------------------------------------------------------------- Nitro

def nitro_channel_id(chain_id, participants, channel_nonce):
    """ForceMove._getChannelId: keccak256(abi.encode(chainId, participants, channelNonce))."""
    return keccak(cast("abi-encode", "f(uint256,address[],uint48)", chain_id, _list(participants), channel_nonce))


def nitro_outcome(allocations, asset=ETH):
    """An encoded single-asset allocation Outcome: allocations [(address, amount)]."""
    items = _list(f"({'0x' + _word(a)},{int(n)})" for a, n in allocations)
    allocation = cast("abi-encode", "f((bytes32,uint256)[])", items)
    asset_outcome = cast("abi-encode", "f((uint8,bytes))", f"({ALLOCATION_OUTCOME},{allocation})")
    return cast("abi-encode", "f((address,bytes)[])", f"[({asset},{asset_outcome})]")


def nitro_app_part_hash(challenge_duration, app_definition, app_data):
    return keccak(cast("abi-encode", "f(uint48,address,bytes)", challenge_duration, app_definition, app_data))


def nitro_state_hash(turn_num, is_final, channel_id, app_part_hash, outcome_hash):
    """keccak256(abi.encode(State(turnNum, isFinal, channelId, appPartHash, outcomeHash)))."""
    return keccak("0x" + _word(turn_num) + _word(bool(is_final)) + _word(channel_id) + _word(app_part_hash)
                  + _word(outcome_hash))


def nitro_sign(hash32, key):
    """{v, r, s}: an eth_sign-style signature (EIP-191 prefix) on 32 bytes."""
    return _split_sig(cast("wallet", "sign", "--private-key", key, hash32))


def nitro_challenger_sig(state_hash, key):
    """The challenger's signature on keccak256(abi.encode(stateHash, 'forceMove'))."""
    return nitro_sign(keccak(cast("abi-encode", "f(bytes32,string)", state_hash, "forceMove")), key)


def _sig_tuple(sig):
    return f"({sig['v']},{sig['r']},{sig['s']})"


class NitroChannel:
    """One Nitro channel on NitroAdjudicator; see the module docstring."""

    def __init__(self, w, info):
        self.w = w
        self.info = info
        self.channel_id = info["channel_id"]
        self.participants = info["participants"]
        self.challenge_duration = info["challenge_duration"]
        self.deposits = {"alice": int(info["alice_deposit"]), "bob": int(info["bob_deposit"])}
        self.fixed_part = {"chain_id": info["chain_id"], "participants": self.participants,
                           "channel_nonce": info["channel_nonce"], "app_definition": info["app_definition"],
                           "challenge_duration": self.challenge_duration}
        self.adjudicator = info["adjudicator"]

    def fixed_part_tuple(self):
        f = self.fixed_part
        return (f"({f['chain_id']},{_list(f['participants'])},{f['channel_nonce']},{f['app_definition']},"
                f"{f['challenge_duration']})")

    def state(self, turn_num, alice_amount=None, bob_amount=None, is_final=False, app_data=None):
        """A state: CountingApp data (counter = turn_num unless app_data is given)
        and an ETH allocation (default: what each deposited)."""
        a = self.deposits["alice"] if alice_amount is None else int(alice_amount)
        b = self.deposits["bob"] if bob_amount is None else int(bob_amount)
        outcome = nitro_outcome([(self.participants[0], a), (self.participants[1], b)])
        if app_data is None:
            app_data = "0x" + _word(int(turn_num))  # abi.encode(CountingAppData{counter})
        app_part_hash = nitro_app_part_hash(self.challenge_duration, self.fixed_part["app_definition"], app_data)
        outcome_hash = keccak(outcome)
        return {"turn_num": int(turn_num), "is_final": bool(is_final), "outcome": outcome, "app_data": app_data,
                "app_part_hash": app_part_hash, "outcome_hash": outcome_hash,
                "state_hash": nitro_state_hash(turn_num, is_final, self.channel_id, app_part_hash, outcome_hash)}

    def sign(self, state, signers=("alice", "bob")):
        """One signature per participant, in participant order."""
        return [nitro_sign(state["state_hash"], _key(self.w, s)) for s in signers]

    def _support_args(self, state, sigs):
        """largestTurnNum, variableParts, isFinalCount, sigs, whoSignedWhat for one
        state signed by every participant."""
        return (state["turn_num"], f"[({state['outcome']},{state['app_data']})]", 1 if state["is_final"] else 0,
                _list(_sig_tuple(s) for s in sigs), _list([0] * len(sigs)))

    def _challenge_args(self, state, sigs, challenger):
        return (self.fixed_part_tuple(), *self._support_args(state, sigs),
                _sig_tuple(nitro_challenger_sig(state["state_hash"], _key(self.w, challenger))))

    def challenge(self, state, sigs, challenger, sender=None):
        """challenge(...) with `state` supported by sigs; challenger (a participant
        role or key) signs the forceMove message; sent by sender (default: the challenger)."""
        return _transact(self.w, sender or challenger, self.adjudicator, CHALLENGE_SIG,
                         *self._challenge_args(state, sigs, challenger), what=f"challenge turn {state['turn_num']}")

    def challenge_revert(self, state, sigs, challenger, sender=None):
        data = _calldata(CHALLENGE_SIG, *self._challenge_args(state, sigs, challenger))
        return bridges.explain_revert(self.w, "l1", _sender(self.w, sender or challenger)["address"],
                                      self.adjudicator, data)

    def checkpoint(self, state, sigs, sender):
        return _transact(self.w, sender, self.adjudicator, CHECKPOINT_SIG, self.fixed_part_tuple(),
                         *self._support_args(state, sigs), what=f"checkpoint turn {state['turn_num']}")

    def checkpoint_revert(self, state, sigs, sender):
        data = _calldata(CHECKPOINT_SIG, self.fixed_part_tuple(), *self._support_args(state, sigs))
        return bridges.explain_revert(self.w, "l1", _sender(self.w, sender)["address"], self.adjudicator, data)

    def status(self, block="latest"):
        """unpackStatus(channelId) and the raw statusOf(channelId) word."""
        words = _words(_call(self.w, self.adjudicator, _calldata("unpackStatus(bytes32)", self.channel_id), block))
        raw = _call(self.w, self.adjudicator, _calldata("statusOf(bytes32)", self.channel_id), block)
        return {"turn_num_record": int(words[0], 16), "finalizes_at": int(words[1], 16),
                "fingerprint": "0x" + words[2][-40:], "status_of": raw}

    def holdings(self, block="latest"):
        return int(_call(self.w, self.adjudicator, _calldata("holdings(address,bytes32)", ETH, self.channel_id),
                         block), 16)


def open_nitro_channel(w, alice_deposit=10**18, bob_deposit=10**18, challenge_duration=3600, channel_nonce=None):
    """A channel [alice, bob] with CountingApp, funded on NitroAdjudicator by alice
    then bob (deposit's expectedHeld orders them: two blocks). channel_nonce
    default: the number of Nitro channels this world has opened."""
    adjudicator, app = _con(w, "NitroAdjudicator"), _con(w, "CountingApp")
    alice, bob = account(w, "alice"), account(w, "bob")
    opened = _channels_info(w)["nitro"]
    if channel_nonce is None:
        channel_nonce = len(opened)
    chain_id = w.info["l1"]["chain_id"]
    participants = [alice["address"], bob["address"]]
    channel_id = nitro_channel_id(chain_id, participants, channel_nonce)
    info = {"channel_id": channel_id, "chain_id": chain_id, "participants": participants,
            "channel_nonce": int(channel_nonce), "app_definition": app, "challenge_duration": int(challenge_duration),
            "adjudicator": adjudicator, "alice_deposit": str(int(alice_deposit)), "bob_deposit": str(int(bob_deposit))}
    held = 0
    block = None
    for who, amount in (("alice", int(alice_deposit)), ("bob", int(bob_deposit))):
        if amount:
            r = _transact(w, who, adjudicator, NITRO_DEPOSIT_SIG, ETH, channel_id, held, amount, value=amount,
                          what=f"Nitro deposit from {who}")
            held += amount
            block = r["block"]
    ch = NitroChannel(w, info)
    if ch.holdings() != held:
        raise WorldError(f"Nitro channel {channel_id}: holdings {ch.holdings()}, expected {held}")
    info["open_block"] = block
    opened.append(info)
    _save(w)
    return ch


def channels_from_world(w):
    """The channels recorded in world.json: {"vector": [VectorChannel], "nitro": [NitroChannel]}."""
    info = w.info.get("channels", {})
    return {"vector": [VectorChannel(w, i) for i in info.get("vector", [])],
            "nitro": [NitroChannel(w, i) for i in info.get("nitro", [])]}
