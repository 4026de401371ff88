"""The seeded world the browser tests look at: the config l2w_webalerts
serves it with, and rows an operator would have after some days of
watching an OP Stack chain. Findings of every severity, status and a
spread of kinds (more than the overview shows, so its limit is seen),
responses, output proposals with all three verdicts, a bridge with escrow
samples and readings, DA commitments in every status with challenges, a
liveness series with an open gap, alerts delivered, waiting, held by
silences and dead (one of them superseded), silences live, expired and
deleted, and five weeks of fees, batch costs and escrow TVL. Text that could break the page (markup, quotes, ampersands) is
seeded where the database keeps operator or chain text, so escaping shows.

The tests read what they expect back from the database with their own
queries; nothing here states what the pages must show."""
import hashlib
import os
import tempfile
import time

TOKEN = "browser-ops-token"
CLIENT = "ops-console"
MAX_ATTEMPTS = 6
# A DA server URL with a key in its path: the page may show the host only.
DA_SERVER = "http://127.0.0.1:9/v1/SEEDKEY-9f3a"
DA_SECRET = "SEEDKEY"
HOSTILE = '<script>alert("x")</script> & "quoted" \'single\''
TOWER_KEY = "0x" + f"{0x70E7:064x}"  # the watchtower's receipt key (a test key)


def addr(last):
    return "0x" + "0" * 38 + last


USDC, USDC_REMOTE = addr("a0"), addr("a1")
ORACLE, PORTAL, L1_BRIDGE, SUPERCHAIN = addr("01"), addr("02"), addr("03"), addr("04")
INBOX, BATCHER = addr("10"), addr("11")


# The followed chains (no follower runs: their RPC is a closed port).
CHAINS = [
    {"name": "l1", "role": "l1", "chain_id": 900},
    {"name": "op", "role": "l2", "chain_id": 901, "l1": "l1", "l2_output_oracle": f'"{ORACLE}"',
     "optimism_portal": f'"{PORTAL}"', "l1_standard_bridge": f'"{L1_BRIDGE}"', "superchain_config": f'"{SUPERCHAIN}"'},
]


def tower_key_file():
    """The watchtower's receipt key (a fixed test key) in a 0600 file of its own."""
    path = os.path.join(tempfile.mkdtemp(prefix="l2w-browser-tower-"), "tower.key")
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
        f.write(TOWER_KEY + "\n")
    return path


def config_text(database_url):
    token_hash = hashlib.sha256(TOKEN.encode()).hexdigest()
    chains = "\n".join(
        "  - " + "\n    ".join(f"{k}: {v}" for k, v in {**c, "rpc": '["http://127.0.0.1:9"]'}.items())
        for c in CHAINS)
    return f"""log_level: debug
database:
  url: "{database_url}"
web:
  listen: 127.0.0.1:0
  clients:
    - name: {CLIENT}
      token_sha256: "{token_hash}"
      requests_per_minute: 6000
alerts:
  max_attempts: {MAX_ATTEMPTS}
chains:
{chains}
da:
  - chain: op
    batch_inbox: "{INBOX}"
    batcher: "{BATCHER}"
    servers: ["{DA_SERVER}"]
liveness:
  - chain: op
    kind: batches
    window: 10
    min_samples: 5
signers:
  - name: tower
    key_file: "{tower_key_file()}"
channels:
  chain: l1
  receipt_signer: tower
  vector_channel_factory: "{addr('f1')}"
  vector_mastercopy: "{addr('f2')}"
  nitro_adjudicator: "{addr('f3')}"
bridges:
  - name: op-main
    kind: op-stack
    remote_chain: op
    tokens:
      - symbol: USDC
        address: "{USDC}"
        remote: "{USDC_REMOTE}"
        decimals: 6
analytics:
  fees:
    - chain: op
  batch_costs:
    - chain: op
"""


def q(v):
    """A SQL literal: NULL, a number, or quoted text."""
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    return "'" + str(v).replace("'", "''") + "'"


def bx(n, size=32):
    """size bytes derived from n, as a bytea literal."""
    return f"decode('{n:0{size * 2}x}', 'hex')"


def values(rows):
    return ", ".join("(" + ", ".join(r) + ")" for r in rows)


# Kinds the detectors raise, each with the chain and severities it comes with.
KINDS = [
    ("invalid_output_root", "op", "critical"),
    ("withdrawal_forgery", "l1", "critical"),
    ("escrow_drawdown", "l1", "high"),
    ("bridge_outflow", "l1", "medium"),
    ("data_withheld", "op", "high"),
    ("da_challenged", "op", "medium"),
    ("liveness_gap", "op", "medium"),
    ("channel_stale_close", "l1", "low"),
    ("committee_threshold_missed", "op", "info"),
]
SEVERITIES = ["critical", "high", "medium", "low", "info"]
STATUSES = ["open", "open", "resolved", "retracted"]
N_FINDINGS = 56  # more than the overview's 50


def seed_findings(db):
    """Returns the ids in insertion order; detected_at falls with the index,
    one finding every 37 minutes and some seconds, all distinct."""
    rows = []
    for i in range(N_FINDINGS):
        kind, chain, sev = KINDS[i % len(KINDS)]
        if i % 5 == 4:
            sev = SEVERITIES[(i // 5) % len(SEVERITIES)]  # every severity on every few kinds
        status = STATUSES[(i * 7) % len(STATUSES)]
        title = f"{kind.replace('_', ' ')} on {chain} #{i}"
        if i == 1:
            title = "Forged withdrawal " + HOSTILE
        if i == 2:
            title = "Escrow fell 31.4% in 4 h — USDC ≥ limit"
        subject = None
        if kind == "liveness_gap":
            subject = "liveness:op:batches"
            # Only the newest gap is open: the guard raises one at a time.
            status = "open" if i == 6 else "resolved"
        if kind == "escrow_drawdown" and status == "open" and i == 11:
            subject = f"bridge:op-main:{USDC}"  # one open finding per subject
        evidence = '{"seeded": true, "index": %d}' % i
        if kind == "liveness_gap":
            evidence = '{"kind": "batches", "gap_s": %d, "last_event_ts": %d}' % (4000 + i, int(time.time()) - 4000)
        rows.append([q(f"seed-{i}"), q(kind), q(sev), q(chain), q(title), q(f"Seeded finding {i}."), q(evidence),
                     str(19_000_000 + i), bx(0xF1000 + i), f"now() - interval '{i * 37} minutes {i * 3 + 1} seconds'",
                     q(status), q(subject)])
    db.rows("INSERT INTO findings (dedup_key, kind, severity, chain, title, summary, evidence, block_number,"
            " tx_hash, detected_at, status, subject) VALUES " + values(rows))
    return [int(r[0]) for r in db.rows("SELECT id FROM findings ORDER BY id")]


def seed_facts(db, ids):
    db.rows("INSERT INTO chains (name, chain_id, role, head_number, synced_number, head_seen_at) VALUES"
            " ('l1', 900, 'l1', 19000120, 19000108, now())")
    db.rows("INSERT INTO chains (name, chain_id, role, l1, head_number, synced_number, head_seen_at) VALUES"
            " ('op', 901, 'l2', 'l1', 125400010, 125400010, now())")
    # Responses: a challenge that landed, a dry run, one that failed.
    db.rows("INSERT INTO responses (idempotency_key, finding_id, action, chain, mode, signer, to_addr, calldata,"
            " status, nonce, tx_hash, bumps, note) VALUES " + values([
                [q("r-0"), str(ids[0]), q("challenge_output"), q("l1"), q("on"), q("hot"), bx(0xAA, 20),
                 "'\\x01'", q("verified"), "41", bx(0xE0), "2", q(None)],
                [q("r-1"), str(ids[1]), q("pause_bridge"), q("l1"), q("dry-run"), q(None), bx(0xAB, 20),
                 "'\\x02'", q("dry_run"), q(None), q(None), "0", q("dry run: would pause")],
                [q("r-2"), str(ids[4]), q("challenge_da"), q("l1"), q("on"), q("hot"), bx(0xAC, 20), "'\\x03'",
                 q("failed"), "42", bx(0xE2), "1", q("reverted: " + HOSTILE)],
            ]))
    # Output proposals, newest L1 block first on the page: pending, match, mismatch.
    props = []
    for n in range(7):
        check = [1, 1, 2, 1, 0, 1, 0][n]
        recomputed = None if check == 0 else (bx(0x5000 + n) if check == 1 else bx(0x6000 + n))
        props.append([q("l1"), bx(0x7000 + n), "0", q("op"), bx(0x01, 20), str(300 + n), str(125_000_000 + 1800 * n),
                      bx(0x5000 + n), str(int(time.time()) - 3600 * (7 - n)), str(19_000_000 + 10 * n),
                      bx(0x8000 + n), str(check), recomputed or "NULL"])
    db.rows("INSERT INTO output_proposals (l1_chain, block_hash, log_index, l2_chain, oracle, output_index,"
            " l2_block_number, output_root, l1_timestamp, l1_block_number, tx_hash, check_status, recomputed_root)"
            " VALUES " + values(props))


def seed_bridge(db):
    now = int(time.time())
    e, u = 10 ** 18, 10 ** 6
    samples = {
        "native": [(100, now - 20_000, 2000 * e), (101, now - 9_000, 1600 * e + 123_456_789),
                   (102, now - 3_000, 1237 * e + 3 * 10 ** 17)],
        USDC: [(100, now - 20_000, 1_000_000 * u + 1), (102, now - 3_000, 500_000 * u + 250_000)],
    }
    blocks = sorted({(b, ts) for s in samples.values() for b, ts, _ in s})
    db.rows("INSERT INTO blocks VALUES " + values(
        [[q("l1"), str(b), bx(0xB000 + b), bx(0xB000 + b - 1), str(ts)] for b, ts in blocks]))
    rows = []
    for token, s in samples.items():
        prev = None
        for b, ts, bal in s:
            out = max(prev - bal, 0) if prev is not None else 0
            rows.append([q("l1"), bx(0xB000 + b), str(b), str(ts), q("op-main"), q(token), str(bal), str(out)])
            prev = bal
    db.rows("INSERT INTO escrow_samples (chain, block_hash, block_number, block_timestamp, bridge, token, balance,"
            " outflow) VALUES " + values(rows))
    db.rows("INSERT INTO bridge_status (bridge, token, escrow, escrow_block, supply, supply_block) VALUES "
            + values([[q("op-main"), q("native"), str(samples["native"][-1][2]), "102", "NULL", "NULL"],
                      [q("op-main"), q(USDC), str(samples[USDC][-1][2]), "102", str(487_500 * u + 7), "555"]]))
    db.rows("INSERT INTO bridge_status (bridge, token, paused) VALUES ('op-main', '*', false)")


def seed_da(db, ids):
    now = int(time.time())
    rows = []
    for i in range(26):
        status = ["available", "available", "pending", "withheld", "available", "expired"][i % 6]
        kind = "keccak" if i % 4 else "blob"
        commitment = bx(0xC0_0000 + i, 33) if kind == "keccak" else bx(0x0100_0000 + i, 32)
        challenge = {3: 1, 9: 2, 15: 3, 21: 1}.get(i)
        served = "http://127.0.0.1:3100" if status == "available" else None
        error = ("timeout after 900 s: " + HOSTILE) if status in ("withheld", "pending") else None
        rows.append([q("op"), q("l1"), str(19_000_000 + 7 * i), bx(0xD000 + i), str(now - 900 * (26 - i)),
                     bx(0xDA00 + i), str(i % 3), q(kind), commitment, str(i % 2 if kind == "blob" else 0),
                     q(status), str(i % 5), q(served), q(error), q(challenge),
                     q(19_000_000 + 7 * i + 3 if challenge else None)])
    db.rows("INSERT INTO da_commitments (chain, l1_chain, block_number, block_hash, block_timestamp, tx_hash,"
            " tx_index, kind, commitment, blob_index, status, attempts, served_by, last_error, challenge_status,"
            " challenge_block) VALUES " + values(rows))
    # The withheld ones point at the data_withheld findings, oldest first.
    withheld = [int(r[0]) for r in db.rows("SELECT id FROM da_commitments WHERE status = 'withheld' ORDER BY id")]
    dw = [int(r[0]) for r in db.rows("SELECT id FROM findings WHERE kind = 'data_withheld' ORDER BY id")]
    for cid, fid in zip(withheld, dw):
        db.rows(f"UPDATE da_commitments SET finding_id = {fid} WHERE id = {cid}")
    db.rows("INSERT INTO da_scan (chain, l1_chain, next_block) VALUES ('op', 'l1', 19000190)")
    # Batches of op, ascending, with uneven gaps; the last one 70 minutes ago.
    gaps = [900, 1140, 870, 1500, 960, 1020, 4200]
    ts = now - 4200 - sum(gaps)
    events = []
    for n, g in enumerate([0] + gaps):
        ts += g
        events.append([q("op"), q("batches"), str(ts), q("l1"), str(19_000_000 + n)])
    db.rows("INSERT INTO liveness_events (chain, kind, ts, l1_chain, block_number) VALUES " + values(events))


def seed_alerts(db, ids):
    # Silences: three live, two expired, one deleted early.
    sil = [
        # kind, chain, severity, subject, author, created_by, reason, created (ago), expires (from now), deleted
        ("bridge_outflow", None, None, None, "alice", CLIENT, "Known migration of USDC liquidity", "3 hours",
         "5 hours", None),
        (None, "op", "low", None, "bob <oncall@example>", None, "Noise during the op upgrade " + HOSTILE,
         "1 hour", "2 days", None),
        (None, None, None, f"bridge:op-main:{USDC}", "INC-4211", CLIENT, "Drawdown expected while rebalancing",
         "20 minutes", "40 minutes", None),
        ("liveness_gap", "op", None, None, "carol", CLIENT, "Batcher maintenance window", "2 days", "-1 day",
         None),
        (None, "l1", "info", None, "dave", None, "Testnet noise", "5 days", "-4 days", None),
        ("withdrawal_forgery", None, None, None, "erin", CLIENT, "Wrong matcher, ended by hand", "6 hours",
         "18 hours", "5 hours"),
    ]
    rows = []
    for kind, chain, sev, subject, author, by, reason, created, expires, deleted in sil:
        rows.append([q(kind), q(chain), q(sev), q(subject), q(author), q(by), q(reason),
                     f"now() - interval '{created}'", f"now() + interval '{expires}'",
                     f"now() - interval '{deleted}'" if deleted else "NULL",
                     q(CLIENT) if deleted else "NULL"])
    db.rows("INSERT INTO alert_silences (kind, chain, severity, subject, author, created_by, reason, created_at,"
            " expires_at, deleted_at, deleted_by) VALUES " + values(rows))
    sids = [int(r[0]) for r in db.rows("SELECT id FROM alert_silences ORDER BY id")]

    def kind_of(fid):
        return db.rows(f"SELECT kind, chain, severity FROM findings WHERE id = {fid}")[0]

    out = []

    def alert(fid, event, sink, *, delivered=None, pending=False, dead=None, attempts=1, error=None, silence=None,
              requeues=0, seq=0):
        k, c, s = kind_of(fid)
        out.append([str(fid), q(event), q(sink), q('{"seeded": true}'), str(attempts),
                    "now() + interval '1 day'" if pending else "now()",
                    f"now() - interval '{delivered}'" if delivered else "NULL", q(error),
                    f"now() - interval '{dead}'" if dead else "NULL", q(silence), q(k), q(c), q(s), str(requeues),
                    str(seq)])

    # Delivered alerts for most findings, to two sinks.
    for n, fid in enumerate(ids[:30]):
        alert(fid, "raised", "webhook-ops", delivered=f"{n * 37 + 1} minutes")
        if n % 3 == 0:
            alert(fid, "raised", "slack-sec", delivered=f"{n * 37 + 2} minutes")
    # Waiting: next try tomorrow, so the worker leaves them alone.
    for fid in ids[30:34]:
        alert(fid, "raised", "webhook-ops", pending=True, attempts=2, error="HTTP 503")
    # Dead letters, with the error each sink answered.
    errors = ["HTTP 502 <b>Bad Gateway</b>", "timeout after 10000 ms", "HTTP 401: token & \"scope\" refused",
              "connect: connection refused", "HTTP 429 rate limited", "TLS: certificate expired",
              "HTTP 500 " + HOSTILE]
    for n, fid in enumerate(ids[34:41]):
        alert(fid, "raised", ["pagerduty", "slack-sec", "email-oncall"][n % 3], dead=f"{n * 13 + 5} minutes",
              attempts=MAX_ATTEMPTS, error=errors[n], requeues=1 if n == 2 else 0)
    # A dead "raised" whose "resolved" later reached the same sink: superseded.
    alert(ids[41], "raised", "pagerduty", dead="2 hours", attempts=MAX_ATTEMPTS, error="HTTP 503")
    alert(ids[41], "resolved", "pagerduty", delivered="30 minutes")
    # Held by silences: two by a live one, one by an expired one.
    alert(ids[42], "raised", "webhook-ops", attempts=0, silence=sids[0])
    alert(ids[43], "raised", "webhook-ops", attempts=0, silence=sids[0])
    alert(ids[44], "raised", "webhook-ops", attempts=0, silence=sids[3])
    db.rows("INSERT INTO alert_outbox (finding_id, event, sink, payload, attempts, next_attempt_at, delivered_at,"
            " last_error, dead_at, silence_id, kind, chain, severity, requeues, seq) VALUES " + values(out))


def seed_analytics(db):
    """Five weeks of op's block fees (one block every few hours, so each
    day has several), its batcher's postings with and without blobs, and
    escrow TVL every six hours: USDC priced fresh, ETH unpriced."""
    now = int(time.time())
    blocks = []
    for n in range(35 * 6):
        ts = now - n * 14_400 - 300
        blocks.append([q("op"), bx(0xFE0000 + n), str(125_400_000 - n), bx(0xFE0000 + n + 1), str(ts),
                       str(3 + n % 7), str(210_000 + 1_337 * n),
                       str(41_000_000_000_000 * (1 + n % 5) + 1_234_567 * n + 9),
                       str(7_777_777_777_777 * (1 + n % 3) + n), str(2 + n % 7)])
    db.rows("INSERT INTO fee_blocks (chain, block_hash, block_number, parent_hash, block_timestamp, txs, gas_used,"
            " execution_fee, l1_fee, l1_fee_txs) VALUES " + values(blocks))
    postings = []
    for n in range(35 * 2):
        ts = now - n * 43_200 - 900
        blobs = 0 if n % 3 == 0 else 1 + n % 3
        size, zeros = (6_000 + 17 * n, 400 + n) if blobs == 0 else (0, 0)
        gas = 21_000 + 16 * (size - zeros) + 4 * zeros
        price = 9_000_000_000 + 3_000_017 * n
        blob_price = 10 ** 9 * (1 + n % 4) + 13 * n  # blob base fee in wei: blobs cost as much as calldata
        postings.append([q("op"), q("l1"), bx(0xBC0000 + n), str(19_000_000 - n), str(ts), bx(0xBD0000 + n), "0",
                         str(3 if blobs else 2), str(size), str(zeros), str(16 * (size - zeros) + 4 * zeros),
                         str((16 * (size - zeros) + 4 * zeros) * price), str(gas), str(price), str(gas * price),
                         str(blobs), str(131_072 * blobs), str(blob_price), str(131_072 * blobs * blob_price)])
    db.rows("INSERT INTO batch_costs (chain, l1_chain, block_hash, block_number, block_timestamp, tx_hash, tx_index,"
            " tx_type, calldata_bytes, calldata_zero_bytes, calldata_gas, calldata_fee, gas_used,"
            " effective_gas_price, fee, blobs, blob_gas_used, blob_gas_price, blob_fee) VALUES " + values(postings))
    tvl = []
    for n in range(35 * 4):
        ts = now - n * 21_600 - 60
        usdc = 500_000 * 10 ** 6 + 250_000 + (n * 7_919_333) % 90_000_000_000 - n * 1_000_003
        eth = 1237 * 10 ** 18 + 3 * 10 ** 17 + (n * 10 ** 16) % (150 * 10 ** 18) + n
        usdc_usd = f"trunc({usdc} * 0.000001 * 1.000123, 6)"
        tvl.append([f"to_timestamp({ts})", q("op-main"), q(USDC), q("USDC"), q("l1"), bx(0xAB0000 + n), str(200 - n),
                    str(usdc), "6", f"{usdc} * 0.000001", "NULL", q("fresh"), usdc_usd])
        tvl.append([f"to_timestamp({ts})", q("op-main"), q("native"), q("ETH"), q("l1"), bx(0xAB0000 + n),
                    str(200 - n), str(eth), "18", f"{eth} * 0.000000000000000001", "NULL", q("unpriced"), "NULL"])
    db.rows("INSERT INTO tvl_samples (sampled_at, bridge, token, symbol, chain, block_hash, block_number, balance,"
            " decimals, amount, price_id, price_status, usd) VALUES " + values(tvl))


def seed_rollups_and_channels(db):
    """The invalid_output_root finding of the mismatched proposal, keyed as
    the state_root detector keys it, with a deletion that landed; a second
    L2 with proposals of its own; held channels (Vector and Nitro, one more
    than a /channels page), disputes in every verdict, and the tower's
    counter-disputes: one mined, one sent, one failed."""
    block_hash, log_index, index, root = db.rows(
        "SELECT '0x' || encode(block_hash, 'hex'), log_index, output_index, '0x' || encode(output_root, 'hex')"
        " FROM output_proposals WHERE check_status = 2 ORDER BY l1_block_number LIMIT 1")[0]
    key = f"invalid_output_root:op:{addr('01')}:{index}:{root}:{block_hash}:{log_index}"
    fid = db.rows("INSERT INTO findings (dedup_key, kind, severity, chain, title, summary, evidence, status,"
                  f" detected_at) VALUES ({q(key)}, 'invalid_output_root', 'critical', 'op',"
                  f" 'Invalid output root at index {index}', 'Seeded.', '{{}}', 'open', now() - interval '3 days')"
                  " RETURNING id")[0][0]
    db.rows("INSERT INTO responses (idempotency_key, finding_id, action, chain, mode, signer, to_addr, calldata,"
            f" status, nonce, tx_hash, mined_block, mined_at) VALUES ('d-{fid}', {fid}, 'delete_l2_outputs', 'l1',"
            f" 'on', 'hot', {bx(0x01, 20)}, '\\x04', 'verified', 43, {bx(0xE5)}, 19000101,"
            " now() - interval '2 days')")
    db.rows("INSERT INTO chains (name, chain_id, role, l1, head_number, synced_number, head_seen_at) VALUES"
            " ('base-sepolia', 84532, 'l2', 'l1', 700, 640, now())")
    props = []
    for n in range(4):
        check = [1, 0, 0, 1][n]
        props.append([q("l1"), bx(0x7100 + n), "2", q("base-sepolia"), bx(0x09, 20), str(10 + n), str(600 + 60 * n),
                      bx(0x5100 + n), str(int(time.time()) - 900 * (4 - n)), str(19_000_003 + 10 * n),
                      bx(0x8100 + n), str(check), bx(0x5100 + n) if check else "NULL"])
    db.rows("INSERT INTO output_proposals (l1_chain, block_hash, log_index, l2_chain, oracle, output_index,"
            " l2_block_number, output_root, l1_timestamp, l1_block_number, tx_hash, check_status, recomputed_root)"
            " VALUES " + values(props))

    now = int(db.rows("SELECT max(timestamp) FROM blocks WHERE chain = 'l1'")[0][0])
    states = []
    for n in range(53):
        protocol = "vector" if n % 4 else "nitro"
        channel = bx(0xC4A0 + n, 20 if protocol == "vector" else 32)
        client = CLIENT if n % 3 else "wallet <backend> & co"
        states.append([q("l1"), q(protocol), channel, str(2 * n + 1), bx(0x5A00 + n), "'{}'", bx(0xAB, 65),
                       q(client), str(1 + n % 6), f"now() - interval '{n * 11} minutes'"])
    db.rows("INSERT INTO channel_states (chain, protocol, channel, version, state_hash, state, receipt, client,"
            " updates, updated_at) VALUES " + values(states))
    db.rows(f"INSERT INTO channel_clients (client, channels) VALUES ({q(CLIENT)}, 35),"
            " ('wallet <backend> & co', 18)")
    stale = [int(r[0]) for r in db.rows(
        "INSERT INTO findings (dedup_key, kind, severity, chain, title, summary, evidence, status) VALUES"
        " ('stale-a', 'stale_channel_close', 'critical', 'l1', 'Stale close of a Vector channel', 's', '{}', 'open'),"
        " ('stale-b', 'stale_channel_close', 'critical', 'l1', 'Stale close of a Nitro channel', 's', '{}', 'open'),"
        " ('stale-c', 'stale_channel_close', 'critical', 'l1', 'Stale close, too late', 's', '{}', 'resolved')"
        " RETURNING id") if r[0].isdigit()]  # psql's command tag follows the ids
    disputes = [  # channel n, block, disputed version, deadline from the newest block, verdict, held, finding
        (1, 101, 1, 3600, 2, 3, stale[0]), (4, 102, 5, 7200, 2, 9, stale[1]), (5, 100, 11, -600, 2, 11, stale[2]),
        (2, 100, 5, 1800, 1, 5, None), (6, 102, 13, 900, 0, None, None), (77, 101, 2, 60, 3, None, None)]
    rows = []
    for i, (n, block, version, deadline, check, held, finding) in enumerate(disputes):
        protocol = "vector" if n % 4 else "nitro"
        rows.append([q("l1"), bx(0xB000 + block), str(i), str(block), str(now - 30), bx(0xD500 + i), q(protocol),
                     bx(0xC4A0 + n, 20 if protocol == "vector" else 32), str(version), str(now + deadline),
                     str(check), q(held), q(finding)])
    db.rows("INSERT INTO channel_disputes (chain, block_hash, log_index, block_number, block_timestamp, tx_hash,"
            " protocol, channel, version, deadline, check_status, held_version, finding_id) VALUES " + values(rows))
    db.rows("INSERT INTO responses (idempotency_key, finding_id, action, chain, mode, signer, to_addr, calldata,"
            " status, nonce, tx_hash, mined_block, mined_at, bumps, note) VALUES " + values([
                [q("cd-a"), str(stale[0]), q("channel_dispute"), q("l1"), q("on"), q("tower"), bx(0xF1, 20),
                 "'\\x05'", q("mined"), "44", bx(0xE6), "19000119", "now() - interval '5 minutes'", "0",
                 q("counter-dispute with version 3")],
                [q("cd-b"), str(stale[1]), q("channel_dispute"), q("l1"), q("on"), q("tower"), bx(0xF3, 20),
                 "'\\x06'", q("sent"), "45", bx(0xE7), "NULL", "NULL", "2", q("bumped: " + HOSTILE)],
                [q("cd-c"), str(stale[2]), q("channel_dispute"), q("l1"), q("on"), q("tower"), bx(0xF1, 20),
                 "'\\x07'", q("failed"), "46", "NULL", "NULL", "NULL", "0", q("window ended before it was sent")],
            ]))


def seed(db):
    ids = seed_findings(db)
    seed_facts(db, ids)
    seed_bridge(db)
    seed_da(db, ids)
    seed_alerts(db, ids)
    seed_rollups_and_channels(db)
    seed_analytics(db)
