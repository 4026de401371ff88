"""A real node takes what l2w_txtool signs: legacy (EIP-155 with the node's
chain id, and pre-EIP-155), EIP-2930 and EIP-1559 transactions from an
anvil dev account, sent with eth_sendRawTransaction. Each must be mined with
status 1, from the expected address, under the hash our tool computed; a
contract we deploy (a creation transaction) is then called with calldata by
every type and must store what each call sent."""
import time

import pytest

from test_diff_tx import run_txtool
from tests.world.world import Rpc, World

CHAIN_ID = 4242  # not anvil's default, so a wrong EIP-155 chain id shows
GAS = 200_000

# A contract whose runtime stores the calldata word after the selector in
# slot 0: PUSH1 4, CALLDATALOAD, PUSH1 0, SSTORE, STOP. Its init code copies
# those 7 bytes (which start at offset 12 of the init code) to memory and
# returns them: PUSH1 7, PUSH1 12, PUSH1 0, CODECOPY, PUSH1 7, PUSH1 0, RETURN.
RUNTIME = "6004356000" "5500"
INIT_CODE = "0x6007600c60003960076000f3" + RUNTIME
SET_SELECTOR = "60fe47b1"  # set(uint256); the contract ignores it


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    """One anvil for the module, started the way the test world starts its
    nodes (free port, logs, dev accounts written to a config file)."""
    world = World(str(tmp_path_factory.mktemp("anvil")))
    info = world._start_anvil("txs", CHAIN_ID, None)
    rpc = Rpc(info["rpc_url"])
    config = info["_config"]
    yield rpc, config["private_keys"], config["available_accounts"]
    world.stop()


class Sender:
    """Signs with l2w_txtool for one dev account and sends to the node."""

    def __init__(self, rpc, key, address):
        self.rpc, self.key, self.address = rpc, key, address.lower()
        self.nonce = int(rpc("eth_getTransactionCount", address, "pending"), 16)

    def fees(self):
        base = int(self.rpc("eth_getBlockByNumber", "latest", False)["baseFeePerGas"], 16)
        tip = 10**9
        return {"gas_price": str(2 * base + tip), "max_fee_per_gas": str(2 * base + tip),
                "max_priority_fee_per_gas": str(tip)}

    def send(self, tx_type, to, data="0x", value=0, chain_id=CHAIN_ID, access_list=None):
        fees = self.fees()
        tx = {"type": tx_type, "chain_id": str(chain_id), "nonce": str(self.nonce), "gas_limit": str(GAS),
              "to": to, "value": str(value), "data": data}
        if tx_type == 2:
            tx.update(max_fee_per_gas=fees["max_fee_per_gas"],
                      max_priority_fee_per_gas=fees["max_priority_fee_per_gas"])
        else:
            tx["gas_price"] = fees["gas_price"]
        if tx_type != 0:
            tx["access_list"] = access_list or []
        signed = run_txtool([{"op": "sign_tx", "key": self.key, "tx": tx}])[0]
        assert "error" not in signed, signed
        assert signed["sender"] == self.address
        got = self.rpc("eth_sendRawTransaction", signed["raw"])
        assert got == signed["hash"], f"node says {got}, our hash is {signed['hash']}"
        self.nonce += 1
        return self.receipt(got, tx_type)

    def receipt(self, tx_hash, tx_type):
        receipt = None
        for _ in range(200):
            receipt = self.rpc("eth_getTransactionReceipt", tx_hash)
            if receipt:
                break
            time.sleep(0.05)
        assert receipt, f"no receipt for {tx_hash}"
        assert int(receipt["status"], 16) == 1, f"{tx_hash} failed: {receipt}"
        assert receipt["from"].lower() == self.address
        mined = self.rpc("eth_getTransactionByHash", tx_hash)
        assert int(mined["type"], 16) == tx_type and mined["from"].lower() == self.address
        return receipt


def word(n):
    return "%064x" % n


def test_node_accepts_every_type(node):
    rpc, keys, addresses = node
    sender = Sender(rpc, keys[0], addresses[0])
    receipt = sender.send(2, None, data=INIT_CODE)
    contract = receipt["contractAddress"]
    assert rpc("eth_getCode", contract, "latest") == "0x" + RUNTIME

    recipient = addresses[5]
    slot_key = "0x" + word(0)
    before = int(rpc("eth_getBalance", recipient, "latest"), 16)
    sent = 0
    for round_ in range(3):
        for tx_type in (0, 1, 2):
            value = 10**15 * (round_ + 1) + tx_type
            sender.send(tx_type, recipient, value=value,
                        access_list=[{"address": recipient, "storageKeys": []}] if round_ else None)
            sent += value
            stored = 1000 * round_ + tx_type + 1
            access = [{"address": contract, "storageKeys": [slot_key]}] if tx_type and round_ != 1 else None
            sender.send(tx_type, contract, data="0x" + SET_SELECTOR + word(stored), access_list=access)
            assert int(rpc("eth_getStorageAt", contract, "0x0", "latest"), 16) == stored
    assert int(rpc("eth_getBalance", recipient, "latest"), 16) == before + sent


def test_node_accepts_pre_eip155_legacy(node):
    """chain_id 0 signs without replay protection (v = 27/28); anvil takes it."""
    rpc, keys, addresses = node
    sender = Sender(rpc, keys[1], addresses[1])
    for value in (1, 2, 3):
        sender.send(0, addresses[6], value=value, chain_id=0)


def test_node_rejects_wrong_chain_id(node):
    rpc, keys, addresses = node
    sender = Sender(rpc, keys[2], addresses[2])
    with pytest.raises(Exception) as info:
        sender.send(2, addresses[6], value=1, chain_id=CHAIN_ID + 1)
    assert "chain" in str(info.value).lower()
