"""Validium committees end to end: TestValidium (the elderberry
sequenceBatchesValidium, accepting any committee message as a chain whose
data-availability protocol was swapped for one that checks nothing) on the
L1 anvil, a committee of three dev accounts of which two must sign, and
signatures made by `cast wallet sign`.

l2watch must read every SequenceBatches the follower stores, decode its
transaction, leave a sequence signed at threshold alone, raise
committee_threshold_missed (high) for one below threshold, one signed by a
non-member and one carrying a malformed signature, and record a sequence of
forced batches only as not asked of the committee."""
from l2wtest import wait_until
from tests.world import validium

THRESHOLD = 2


def committee_yaml(rollup, members):
    return f"""committees:
  - chain: cdk
    l1: l1
    rollup: "{rollup}"
    members: [{", ".join(f'"{m["address"]}"' for m in members)}]
    threshold: {THRESHOLD}
"""


def checks(database):
    rows = database.rows("SELECT batch::text, result, coalesce(signatures::text, ''), coalesce(valid::text, ''), "
                         "coalesce(detail, ''), coalesce(finding_id::text, ''), '0x' || encode(tx_hash, 'hex'), "
                         "coalesce('0x' || encode(signed_hash, 'hex'), ''), coalesce(fork, '') "
                         "FROM committee_checks ORDER BY block_number, log_index")
    return [{"batch": int(r[0]), "result": r[1], "signatures": r[2], "valid": r[3], "detail": r[4],
             "finding": r[5], "tx": r[6], "signed_hash": r[7], "fork": r[8]} for r in rows]


def test_committee_signatures_are_checked_per_sequence(world, database, webhook, make_l2watch):
    rollup = validium.deploy(world)
    members = validium.committee(world, 3)
    outsider = world.info["accounts"]["attacker"]
    lw = make_l2watch(extra=committee_yaml(rollup, members)).start()

    def send(batches, signers, tamper=None):
        digest = validium.signed_hash(batches)
        sigs = [validium.sign(s["key"], digest) for s in signers]
        if tamper:
            sigs = tamper(sigs)
        return validium.sequence(world, rollup, batches, sigs, members)

    def bad_v(sigs):
        return sigs[:-1] + [sigs[-1][:-2] + "1d"]  # v = 29: ECDSA.recover reverts

    sent = {
        "ok": send([validium.batch(), validium.batch(forced=True), validium.batch()], members[:2]),
        "below_threshold": send([validium.batch()], members[:1]),
        "unknown_signer": send([validium.batch()], [members[0], outsider]),
        "bad_signature": send([validium.batch()], members[1:3], tamper=bad_v),
        "not_signed": send([validium.batch(forced=True)], []),
    }

    got = wait_until(lambda: (c := checks(database)) and len(c) >= len(sent) and c, 60,
                     what="every sequence to be checked")
    assert len(got) == len(sent)
    by_tx = {c["tx"]: c for c in got}
    for result, s in sent.items():
        c = by_tx[s["tx"]]
        assert (c["result"], c["batch"], c["fork"]) == (result, s["batch"], "elderberry"), (result, c)
        if result != "not_signed":
            assert c["signed_hash"] == s["signed_hash"], (result, c)  # computed over non-forced batches only
    assert (by_tx[sent["ok"]["tx"]]["signatures"], by_tx[sent["ok"]["tx"]]["valid"]) == ("2", "2")
    assert (by_tx[sent["below_threshold"]["tx"]]["signatures"], by_tx[sent["below_threshold"]["tx"]]["valid"]) == (
        "1", "1")
    assert outsider["address"].lower()[2:] in by_tx[sent["unknown_signer"]["tx"]]["detail"].lower()
    assert by_tx[sent["ok"]["tx"]]["finding"] == "" and by_tx[sent["not_signed"]["tx"]]["finding"] == ""

    # One high finding per short sequence, named by its last batch and anchored at its L1 block.
    rows = database.rows("SELECT id, subject, severity, status, evidence->>'verdict', anchor_chain, "
                         "'0x' || encode(tx_hash, 'hex') FROM findings WHERE kind = 'committee_threshold_missed' "
                         "ORDER BY id")
    assert [(r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows] == [
        (f"committee:cdk:{sent[k]['batch']}", "high", "open", k, "l1", sent[k]["tx"])
        for k in ("below_threshold", "unknown_signer", "bad_signature")]
    assert [str(r[0]) for r in rows] == [by_tx[sent[k]["tx"]]["finding"]
                                        for k in ("below_threshold", "unknown_signer", "bad_signature")]
    assert len(database.rows("SELECT 1 FROM findings")) == 3
    wait_until(lambda: sorted(str(a["id"]) for a in webhook.delivered() if a["event"] == "raised") ==
               sorted(str(r[0]) for r in rows), 30, what="one raised alert per finding")

    metrics = lw.get("/metrics")[1]
    for result in sent:
        assert f'l2watch_committee_checks_total{{chain="cdk",result="{result}"}} 1' in metrics, result
    assert f'l2watch_committee_last_batch{{chain="cdk"}} {sent["not_signed"]["batch"]}' in metrics
    lw.stop()
    lw.assert_clean()
