"""End to end on real contracts: honest proposals raise nothing, a wrong one
raises exactly one invalid_output_root alert with the right evidence, a
restart does not alert again, and an L2 behind a proposal is not a mismatch."""
import html

from l2wtest import wait_until


def proposals_checked(database, n):
    rows = database.rows("SELECT count(*) FROM output_proposals WHERE check_status <> 0")
    return int(rows[0][0]) >= n


def test_honest_proposals_then_one_wrong_then_restart(world, database, webhook, make_l2watch):
    lw = make_l2watch().start()

    honest = [world.propose_honest() for _ in range(20)]
    wait_until(lambda: proposals_checked(database, 20), 60, what="20 honest proposals to be checked")
    statuses = database.rows("SELECT output_index, check_status, encode(recomputed_root, 'hex') FROM output_proposals "
                             "ORDER BY output_index")
    assert len(statuses) == 20
    for (index, status, recomputed), p in zip(statuses, honest):
        assert int(index) == p["index"]
        assert status == "1", f"honest proposal {index} judged {status}"
        assert "0x" + recomputed == p["root"].lower()
    assert database.rows("SELECT count(*) FROM findings") == [["0"]]
    assert webhook.requests == []

    bad = world.propose_wrong()
    # With no responses section the policy is dry-run: the finding's alert,
    # then one saying what would have been sent, and nothing sent.
    alerts = wait_until(lambda: len(webhook.delivered()) >= 2 and webhook.delivered(), 60,
                        what="the invalid_output_root alert and its dry-run response alert")
    assert [x["event"] for x in alerts] == ["raised", "response_dry_run"]
    dry = alerts[1]["response"]
    assert dry["mode"] == "dry-run" and dry["status"] == "dry_run" and dry["action"] == "delete_l2_outputs"
    assert dry["to"] == world.info["contracts"]["L2OutputOracleProxy"].lower()
    assert dry["calldata"] == world.calldata("L2OutputOracle", "deleteL2Outputs(uint256)", bad["index"])
    assert dry["tx_hash"] is None
    assert world.get_output(bad["index"])["root"].lower() == bad["root"]
    a = alerts[0]
    assert a["kind"] == "invalid_output_root"
    assert a["severity"] == "critical"
    assert a["chain"] == "op-local"
    assert a["status"] == "open"
    assert a["event"] == "raised"
    ev = a["evidence"]
    assert ev["output_index"] == str(bad["index"])
    assert ev["l2_block_number"] == str(bad["l2_block"])
    assert ev["posted_output_root"] == bad["root"].lower()
    assert ev["recomputed_output_root"] == bad["correct_root"].lower()
    assert ev["l1_tx_hash"] == bad["tx_hash"].lower()
    assert ev["l1_block_number"] == bad["l1_block"]
    assert a["tx_hash"] == bad["tx_hash"].lower()
    # The proposal is an L1 transaction about an L2 block: the alert says
    # which chain each is on, so a sink links each to its own explorer.
    assert a["tx_chain"] == "l1"
    assert a["block_number"] == str(bad["l2_block"]) and a["block_chain"] == "op-local"

    # The dashboard shows it; the API has it.
    status, page = lw.get("/")
    assert status == 200 and html.escape(a["title"]) in page
    # /rollups finds the detector's finding for the mismatched proposal by its dedup key.
    status, page = lw.get("/rollups")
    mismatches = page[page.index('<table id="mismatches">'):]
    mismatches = mismatches[:mismatches.index("</table>")]
    assert status == 200 and f'<a href="/findings/{a["id"]}">#{a["id"]}</a> open' in mismatches
    findings = lw.get_json("/api/v1/findings")
    assert [f["id"] for f in findings if f["kind"] == "invalid_output_root"] == [a["id"]]

    # Restart: the finding is known, nothing is alerted again, and l2watch keeps working.
    lw.stop()
    lw.start()
    more = world.propose_honest()
    wait_until(lambda: proposals_checked(database, 22), 60, what="the proposal after the restart to be checked")
    assert database.rows(f"SELECT check_status FROM output_proposals WHERE output_index = {more['index']}") == [["1"]]
    assert len(webhook.requests) == 2
    assert database.rows("SELECT count(*) FROM findings") == [["1"]]
    assert database.rows("SELECT count(*), count(delivered_at) FROM alert_outbox") == [["2", "2"]]
    lw.stop()


def test_l2_behind_the_proposal_is_not_yet_checkable(world, database, webhook, make_l2watch):
    lw = make_l2watch().start()
    honest = world.propose_honest()
    wait_until(lambda: proposals_checked(database, 1), 60, what="the first proposal to be checked")

    # A wrong root for a block the L2 node does not have yet.
    ahead = world.propose_ahead("0x" + "ab" * 32)
    note = wait_until(lambda: database.rows(
        f"SELECT check_note FROM output_proposals WHERE output_index = {ahead['index']} AND check_note IS NOT NULL"),
        60, what="the proposal ahead of the L2 to be seen")
    assert "not yet checkable" in note[0][0]
    assert database.rows(f"SELECT check_status FROM output_proposals WHERE output_index = {ahead['index']}") == [["0"]]
    assert database.rows("SELECT count(*) FROM findings") == [["0"]]
    assert webhook.requests == []
    assert honest["index"] + 1 == ahead["index"]

    # Once the L2 reaches the block, the wrong root is found.
    world.mine_l2(ahead["l2_block"] - world.l2_head())
    alerts = wait_until(webhook.delivered, 60, what="the alert once the L2 caught up")
    raised = [x for x in alerts if x["event"] == "raised"]
    assert len(raised) == 1 and raised[0]["evidence"]["output_index"] == str(ahead["index"])
    lw.stop()
