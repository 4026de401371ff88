"""The test world's state channels on the real adjudicators: Connext Vector
(ChannelMastercopy behind a ChannelFactory proxy) and statechannels Nitro
(NitroAdjudicator with CountingApp), from their npm packages' artifacts.

Each test signs states off-chain with the world's alice/bob keys, disputes with
an old one and answers with a newer one, asserting what the contract stores:
proof that channels.py encodes, hashes and signs exactly as the contracts do
(a wrong encoding shows up as a rejected signature or a different stored hash).
No l2watch here; the watchtower tests build on these helpers."""
from tests.world import channels
from tests.world.world import cast, keccak

ETH = 10**18
TENTH = 10**17


def _fingerprint(state_hash, outcome_hash):
    """StatusManager._generateFingerprint: the low 160 bits of keccak256(abi.encode(stateHash, outcomeHash))."""
    return "0x" + keccak(cast("abi-encode", "f(bytes32,bytes32)", state_hash, outcome_hash))[-40:]


def test_vector_dispute_old_state_then_newer(world):
    channels.install_channels(world, nitro=False)
    v = channels.open_vector_channel(world, alice_deposit=ETH, bob_deposit=ETH, timeout=3600)
    assert v.deposits_onchain() == {"alice": ETH, "bob": ETH}
    assert world.l1("eth_getBalance", v.address, "latest") == hex(2 * ETH)
    assert v.get_dispute()["nonce"] == 0

    # Off-chain: each update moves 0.1 ETH from bob to alice, so an old state favours bob.
    states = {n: v.state(n, alice_amount=ETH + (n - 1) * TENTH, bob_amount=ETH - (n - 1) * TENTH)
              for n in range(2, 6)}
    sigs = {n: v.sign(s) for n, s in states.items()}

    # Bob disputes with nonce 3.
    first = v.dispute(states[3], sigs[3], "bob")
    d = v.get_dispute()
    assert d["nonce"] == 3
    assert d["channel_state_hash"] == channels.vector_state_hash(states[3])
    assert d["consensus_expiry"] == first["timestamp"] + 3600
    assert d["defund_expiry"] == first["timestamp"] + 2 * 3600
    disputed = [lg for lg in first["receipt"]["logs"] if lg["address"].lower() == v.address.lower()]
    assert len(disputed) == 1  # ChannelDisputed

    # The newest state, from the tower, inside the consensus window: stored, window unchanged.
    second = v.dispute(states[5], sigs[5], "tower")
    assert second["timestamp"] < d["consensus_expiry"]
    d5 = v.get_dispute()
    assert d5["nonce"] == 5
    assert d5["channel_state_hash"] == channels.vector_state_hash(states[5])
    assert d5["consensus_expiry"] == d["consensus_expiry"]
    assert d5["defund_expiry"] == d["defund_expiry"]
    print(f"\nVector disputeChannel gas: first dispute (nonce 3) {first['gas_used']}, "
          f"counter-dispute (nonce 5) {second['gas_used']}")

    # Going back is refused.
    assert v.dispute_revert(states[4], sigs[4], "bob")["reason"] == "CMCAdjudicator: INVALID_NONCE"

    # Bad signatures on an otherwise acceptable nonce 6.
    s6 = v.state(6, alice_amount=ETH + 5 * TENTH, bob_amount=ETH - 5 * TENTH)
    good = v.sign(s6)
    by_tower = v.sign(s6, signers=("tower", "tower"))
    assert v.dispute_revert(s6, (by_tower[0], good[1]), "bob")["reason"] == "CMCAdjudicator: INVALID_ALICE_SIG"
    assert v.dispute_revert(s6, (good[0], by_tower[1]), "alice")["reason"] == "CMCAdjudicator: INVALID_BOB_SIG"
    # Alice's real signature, but on another state.
    assert v.dispute_revert(s6, (sigs[5][0], good[1]), "bob")["reason"] == "CMCAdjudicator: INVALID_ALICE_SIG"
    # Swapped signatures.
    assert v.dispute_revert(s6, (good[1], good[0]), "bob")["reason"] == "CMCAdjudicator: INVALID_ALICE_SIG"
    assert v.dispute_revert(s6, good, "bob")["reverted"] is False
    assert v.get_dispute() == d5


def test_nitro_challenge_old_state_then_checkpoint(world):
    channels.install_channels(world, vector=False)
    n = channels.open_nitro_channel(world, alice_deposit=ETH, bob_deposit=ETH, challenge_duration=3600)
    assert n.holdings() == 2 * ETH
    assert n.channel_id == channels.nitro_channel_id(world.info["l1"]["chain_id"], n.participants, 0)
    assert n.status() == {"turn_num_record": 0, "finalizes_at": 0, "fingerprint": "0x" + "00" * 20,
                          "status_of": "0x" + "00" * 32}

    states = {t: n.state(t, alice_amount=ETH + (t - 3) * TENTH, bob_amount=ETH - (t - 3) * TENTH)
              for t in range(3, 7)}
    sigs = {t: n.sign(s) for t, s in states.items()}

    # Bob challenges with turn 4.
    ch = n.challenge(states[4], sigs[4], "bob")
    st = n.status()
    assert st["turn_num_record"] == 4
    assert st["finalizes_at"] == ch["timestamp"] + 3600
    assert st["fingerprint"] == _fingerprint(states[4]["state_hash"], states[4]["outcome_hash"])
    registered = [lg for lg in ch["receipt"]["logs"] if lg["address"].lower() == n.adjudicator.lower()]
    assert len(registered) == 1
    assert registered[0]["topics"][1] == n.channel_id  # ChallengeRegistered(channelId indexed, ...)

    # The tower answers with turn 6 before finalizesAt: the challenge is cleared.
    cp = n.checkpoint(states[6], sigs[6], "tower")
    assert cp["timestamp"] < st["finalizes_at"]
    st6 = n.status()
    assert st6["turn_num_record"] == 6
    assert st6["finalizes_at"] == 0
    assert st6["fingerprint"] == _fingerprint("0x" + "00" * 32, "0x" + "00" * 32)
    print(f"\nNitro gas: challenge (turn 4) {ch['gas_used']}, checkpoint (turn 6) {cp['gas_used']}")

    # Nothing older gets back in.
    assert n.checkpoint_revert(states[5], sigs[5], "tower")["reason"] == "turnNumRecord not increased."
    assert n.challenge_revert(states[5], sigs[5], "alice")["reason"] == "turnNumRecord decreased."
    # A challenger who is not a participant, and a support signature by the wrong key.
    s7 = n.state(7, alice_amount=ETH + 4 * TENTH, bob_amount=ETH - 4 * TENTH)
    good = n.sign(s7)
    assert n.challenge_revert(s7, good, "tower", sender="alice")["reason"] == "Challenger is not a participant"
    assert n.checkpoint_revert(s7, [good[0], n.sign(s7, ("tower",))[0]], "tower")["reason"] == "Invalid signatures"
    assert n.checkpoint_revert(s7, good, "tower")["reverted"] is False
    assert n.status() == st6
