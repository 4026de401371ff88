"""The first automatic response on real contracts: l2watch deletes a wrong
output root from the L2OutputOracle with its own challenger transaction,
exactly once even when killed at any point, bumps a stuck transaction until
it lands, and refuses a key file others can read."""
import os

from l2wtest import run_cli, wait_until
from tests.world.world import keccak

OUTPUTS_DELETED = keccak("0x" + b"OutputsDeleted(uint256,uint256)".hex())
CRASH_POINTS = ["before_sign", "after_sign", "after_send", "before_receipt"]

L1_TXMGR = """    txmgr:
      confirmations: 1
      receipt_poll_ms: 200
      resubmit_after_ms: {resubmit}
"""


def write_key(workdir, key, mode=0o600, name="challenger.key"):
    path = os.path.join(workdir, name)
    with open(path, "w") as f:
        f.write(key + "\n")
    os.chmod(path, mode)
    return path


def responses_yaml(signer_yaml, mode="on"):
    return f"""signers:
{signer_yaml}
responses:
  rules:
    - kind: invalid_output_root
      mode: {mode}
      signer: challenger
"""


def key_signer(path):
    return f"""  - name: challenger
    key_file: "{path}"
"""


def start_responder(make_l2watch, workdir, world, resubmit=3000, signer_yaml=None, env=None):
    if signer_yaml is None:
        signer_yaml = key_signer(write_key(workdir, world.info["accounts"]["challenger"]["key"]))
    lw = make_l2watch(l1_extra=L1_TXMGR.format(resubmit=resubmit), extra=responses_yaml(signer_yaml))
    return lw.start(env=env)


def outputs_deleted(world):
    return world.l1("eth_getLogs", {"fromBlock": "0x0", "toBlock": "latest",
                                    "address": world.info["contracts"]["L2OutputOracleProxy"],
                                    "topics": [OUTPUTS_DELETED]})


def response_for(database, proposal):
    rows = database.rows("SELECT r.status, r.nonce, encode(r.tx_hash, 'hex'), r.bumps FROM responses r "
                         "JOIN findings f ON f.id = r.finding_id "
                         f"WHERE f.evidence->>'l1_tx_hash' = '{proposal['tx_hash'].lower()}'")
    return rows[0] if rows else None


def landed(webhook, proposal):
    for a in webhook.delivered():
        if a["event"] == "response_landed" and a["evidence"]["l1_tx_hash"] == proposal["tx_hash"].lower():
            return a
    return None


def test_wrong_root_is_deleted_by_l2watch_within_three_blocks(world, database, webhook, make_l2watch, workdir):
    challenger = world.info["accounts"]["challenger"]
    lw = start_responder(make_l2watch, workdir, world)
    world.propose_honest()
    bad = world.propose_wrong()

    alert = wait_until(lambda: landed(webhook, bad), 60, what="the response_landed alert")
    logs = outputs_deleted(world)
    assert len(logs) == 1
    log = logs[0]
    assert int(log["topics"][1], 16) == bad["index"] + 1  # prevNextOutputIndex
    assert int(log["topics"][2], 16) == bad["index"]      # newNextOutputIndex
    assert int(log["blockNumber"], 16) - bad["l1_block"] <= 3, "deletion took more than 3 L1 blocks"
    tx = world.l1("eth_getTransactionByHash", log["transactionHash"])
    assert tx["from"].lower() == challenger["address"].lower()
    assert tx["type"] == "0x2"
    assert world.next_output_index() == bad["index"]

    response = alert["response"]
    assert response["status"] == "verified" and response["mode"] == "on"
    assert response["tx_hash"] == log["transactionHash"].lower()
    assert response["sender"] == challenger["address"].lower()
    events = sorted(a["event"] for a in webhook.delivered())
    assert events == ["raised", "response_landed", "response_sent"]
    sent = next(a for a in webhook.delivered() if a["event"] == "response_sent")
    assert sent["response"]["tx_hash"] == response["tx_hash"]

    detail = lw.get_json(f"/api/v1/findings/{alert['id']}")
    assert detail["response"]["status"] == "verified"
    status, page = lw.get("/")
    assert status == 200 and response["tx_hash"] in page
    metrics = lw.get("/metrics")[1]
    assert 'l2watch_txmgr_confirmed_total{chain="l1"} 1' in metrics


def test_dry_run_sends_nothing(world, database, webhook, make_l2watch, workdir):
    challenger = world.info["accounts"]["challenger"]
    key = write_key(workdir, challenger["key"])
    make_l2watch(l1_extra=L1_TXMGR.format(resubmit=3000),
                 extra=responses_yaml(key_signer(key), mode="dry-run")).start()
    nonce = world.nonce(world.l1, challenger["address"])
    bad = world.propose_wrong()
    dry = wait_until(lambda: next((a for a in webhook.delivered() if a["event"] == "response_dry_run"), None), 60,
                     what="the dry-run alert")
    assert dry["response"]["status"] == "dry_run"
    assert dry["response"]["sender"] == challenger["address"].lower()
    assert "would call" in dry["response"]["note"]
    world.mine_l2(1)
    assert world.nonce(world.l1, challenger["address"]) == nonce
    assert outputs_deleted(world) == []
    assert world.get_output(bad["index"])["root"].lower() == bad["root"]


def test_killed_at_any_point_of_a_response_exactly_one_deletion_lands(world, database, webhook, make_l2watch,
                                                                     workdir):
    challenger = world.info["accounts"]["challenger"]
    start_nonce = world.nonce(world.l1, challenger["address"])
    lw = start_responder(make_l2watch, workdir, world)
    world.propose_honest()
    lw.stop()
    runs = 20
    for i in range(runs):
        point = CRASH_POINTS[i % len(CRASH_POINTS)]
        lw.start(env={"L2W_FAILPOINT": point})
        bad = world.propose_wrong()
        lw.wait_killed()
        lw.start()
        wait_until(lambda: (response_for(database, bad) or [None])[0] == "verified", 60,
                   what=f"run {i} ({point}): the response to be verified after the restart")
        lw.stop()
        assert len(outputs_deleted(world)) == i + 1, f"run {i} ({point}): not exactly one deletion"
        assert world.nonce(world.l1, challenger["address"]) == start_nonce + i + 1, f"run {i} ({point}): nonce"
        assert world.next_output_index() == bad["index"]

    rows = database.rows("SELECT nonce, status FROM responses ORDER BY id")
    assert [int(n) for n, _ in rows] == list(range(start_nonce, start_nonce + runs)), "nonce gap or reuse"
    assert {s for _, s in rows} == {"verified"}
    # Every transaction the challenger sent is one l2watch stored before sending.
    mined = {log["transactionHash"].lower() for log in outputs_deleted(world)}
    stored = {"0x" + h for (h,) in database.rows("SELECT encode(tx_hash, 'hex') FROM response_attempts")}
    assert mined <= stored


def test_stuck_transaction_is_bumped_until_it_lands(world, database, webhook, make_l2watch, workdir):
    lw = start_responder(make_l2watch, workdir, world, resubmit=1500)
    world.propose_honest()
    # Stop block production so l2watch's first transaction waits in the pool,
    # then make the next blocks far more expensive than it pays.
    world.l1("evm_setIntervalMining", 0)
    target = world.next_block_number()
    world.advance_l2_to(target)
    proposal = world.propose(keccak("0x" + os.urandom(32).hex()), target, wait=False)
    world.l1("evm_mine")
    wait_until(lambda: (response_for(database, proposal) or [None])[0] == "sent", 30,
               what="the first attempt to be broadcast")
    first = database.rows("SELECT max_fee_per_gas::text FROM response_attempts ORDER BY attempt LIMIT 1")
    first_fee = int(first[0][0])
    world.l1("anvil_setNextBlockBaseFeePerGas", hex(first_fee * 4))
    world.l1("evm_setIntervalMining", 1)

    wait_until(lambda: (response_for(database, proposal) or [None])[0] == "verified", 90,
               what="the bumped response to land")
    status, nonce, tx_hash, bumps = response_for(database, proposal)
    assert int(bumps) >= 1
    attempts = database.rows("SELECT a.attempt, encode(a.tx_hash, 'hex'), a.max_fee_per_gas::text, "
                             "a.max_priority_fee_per_gas::text FROM response_attempts a JOIN responses s "
                             "ON s.id = a.response_id WHERE s.tx_hash = decode('" + tx_hash + "', 'hex') "
                             "ORDER BY a.attempt")
    assert len(attempts) >= 2
    for prev, cur in zip(attempts, attempts[1:]):
        assert int(cur[2]) * 10 >= int(prev[2]) * 11 and int(cur[3]) * 10 >= int(prev[3]) * 11
    mined = [a for a in attempts if a[1] == tx_hash]
    assert mined and mined[0][0] != "1", "the first, underpriced attempt cannot be the one mined"
    receipt = world.l1("eth_getTransactionReceipt", "0x" + tx_hash)
    block = world.l1("eth_getBlockByNumber", receipt["blockNumber"], False)
    assert int(block["baseFeePerGas"], 16) > first_fee, "the first attempt could have landed in that block"
    assert len(outputs_deleted(world)) == 1


def test_remote_signer_over_eth_sign_transaction(world, database, webhook, make_l2watch, workdir):
    """anvil holds the challenger's dev key unlocked and answers eth_signTransaction,
    as web3signer or clef would."""
    challenger = world.info["accounts"]["challenger"]
    signer = f"""  - name: challenger
    remote_url: "{world.info['l1']['rpc_url']}"
    address: "{challenger['address']}"
"""
    start_responder(make_l2watch, workdir, world, signer_yaml=signer)
    bad = world.propose_wrong()
    alert = wait_until(lambda: landed(webhook, bad), 60, what="the response_landed alert")
    tx = world.l1("eth_getTransactionByHash", alert["response"]["tx_hash"])
    assert tx["from"].lower() == challenger["address"].lower()
    assert world.next_output_index() == bad["index"]


def test_key_file_readable_by_others_stops_the_start(world, database, workdir):
    from tests.e2e.conftest import write_config
    key = write_key(workdir, world.info["accounts"]["challenger"]["key"], mode=0o644)
    cfg = write_config(os.path.join(workdir, "l2watch.yaml"), world, database.url, "http://127.0.0.1:9/hook",
                       extra=responses_yaml(key_signer(key)))
    result = run_cli("run", "-c", cfg)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "signer challenger" in lines[0] and "mode 0644" in lines[0] and "chmod 600" in lines[0]
    assert world.info["accounts"]["challenger"]["key"][2:] not in result.stderr + result.stdout
    # Nothing was started: the database was not even migrated.
    assert database.rows("SELECT count(*) FROM information_schema.tables WHERE table_name = 'responses'") == [["0"]]


def test_response_reorged_out_is_sent_again(world, database, webhook, make_l2watch, workdir):
    challenger = world.info["accounts"]["challenger"]
    nonce = world.nonce(world.l1, challenger["address"])
    lw = make_l2watch(l1_extra=L1_TXMGR.format(resubmit=3000).replace("confirmations: 1", "confirmations: 6"),
                      extra=responses_yaml(key_signer(write_key(workdir, challenger["key"]))))
    lw.start()
    bad = world.propose_wrong()
    wait_until(lambda: (response_for(database, bad) or [None])[0] == "mined", 30, what="the response to be mined")
    world.l1("evm_setIntervalMining", 0)
    mined_block = int(database.rows("SELECT mined_block FROM responses")[0][0])
    head = int(world.l1("eth_blockNumber"), 16)
    assert mined_block > bad["l1_block"]
    world.l1("anvil_rollback", head - mined_block + 1)  # the block with the deletion is gone
    assert outputs_deleted(world) == []
    world.l1("evm_setIntervalMining", 1)

    wait_until(lambda: (response_for(database, bad) or [None])[0] == "verified", 60,
               what="the response to land again and be verified")
    assert database.rows("SELECT reorgs FROM responses") == [["1"]]
    logs = outputs_deleted(world)
    assert len(logs) == 1 and int(logs[0]["topics"][2], 16) == bad["index"]
    assert world.nonce(world.l1, challenger["address"]) == nonce + 1
    assert 'l2watch_txmgr_reorged_total{chain="l1"} 1' in lw.get("/metrics")[1]


def test_policy_off_records_the_finding_and_plans_nothing(world, database, webhook, make_l2watch, workdir):
    off = "responses:\n  default_mode: dry-run\n  rules:\n    - kind: invalid_output_root\n      chain: op-local\n" \
          "      mode: off\n"
    make_l2watch(extra=off).start()
    bad = world.propose_wrong()
    raised = wait_until(lambda: [a for a in webhook.delivered() if a["event"] == "raised"], 60,
                        what="the finding's alert")
    assert raised[0]["evidence"]["l1_tx_hash"] == bad["tx_hash"].lower()
    assert raised[0]["response"] is None
    world.mine_l2(1)
    assert database.rows("SELECT count(*) FROM responses") == [["0"]]
    assert [a["event"] for a in webhook.delivered()] == ["raised"]
