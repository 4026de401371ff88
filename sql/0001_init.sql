-- l2watch schema, version 1.
-- Facts (blocks, logs, decoded proposals) are keyed by (chain, block hash) and
-- cascade from blocks, so unwinding a reorg is one DELETE on blocks.
-- Integers that come from the chain (indexes, block numbers in events, wei) are
-- numeric(78,0): they are uint256 on-chain and never a float.

CREATE TABLE chains (
    name            text PRIMARY KEY,
    chain_id        bigint NOT NULL,
    role            text NOT NULL CHECK (role IN ('l1', 'l2')),
    l1              text REFERENCES chains(name),
    head_number     bigint,          -- latest head an endpoint reported
    head_seen_at    timestamptz,
    synced_number   bigint,          -- highest block whose facts are stored (the checkpoint)
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE blocks (
    chain           text NOT NULL REFERENCES chains(name),
    number          bigint NOT NULL CHECK (number >= 0),
    hash            bytea NOT NULL CHECK (length(hash) = 32),
    parent_hash     bytea NOT NULL CHECK (length(parent_hash) = 32),
    timestamp       bigint NOT NULL,
    PRIMARY KEY (chain, hash),
    UNIQUE (chain, number)  -- only the canonical chain is kept
);

CREATE TABLE logs (
    chain           text NOT NULL,
    block_hash      bytea NOT NULL,
    block_number    bigint NOT NULL,
    log_index       integer NOT NULL CHECK (log_index >= 0),
    tx_hash         bytea NOT NULL CHECK (length(tx_hash) = 32),
    address         bytea NOT NULL CHECK (length(address) = 20),
    topics          bytea[] NOT NULL,
    data            bytea NOT NULL,
    PRIMARY KEY (chain, block_hash, log_index),
    FOREIGN KEY (chain, block_hash) REFERENCES blocks(chain, hash) ON DELETE CASCADE
);
CREATE INDEX logs_address_idx ON logs (chain, address, block_number);

-- OutputProposed events of an L2OutputOracle, decoded, and the state_root
-- detector's verdict on each.
CREATE TABLE output_proposals (
    l1_chain        text NOT NULL,
    block_hash      bytea NOT NULL,
    log_index       integer NOT NULL,
    l2_chain        text NOT NULL REFERENCES chains(name),
    oracle          bytea NOT NULL CHECK (length(oracle) = 20),
    output_index    numeric(78,0) NOT NULL,
    l2_block_number numeric(78,0) NOT NULL,
    output_root     bytea NOT NULL CHECK (length(output_root) = 32),
    l1_timestamp    numeric(78,0) NOT NULL,
    l1_block_number bigint NOT NULL,
    tx_hash         bytea NOT NULL,
    -- 0 pending (not yet checked or not yet checkable), 1 matches, 2 mismatch
    check_status    smallint NOT NULL DEFAULT 0 CHECK (check_status IN (0, 1, 2)),
    recomputed_root bytea,
    checked_at      timestamptz,
    check_note      text,
    PRIMARY KEY (l1_chain, block_hash, log_index),
    FOREIGN KEY (l1_chain, block_hash, log_index)
        REFERENCES logs(chain, block_hash, log_index) ON DELETE CASCADE
);
CREATE INDEX output_proposals_pending_idx ON output_proposals (l2_chain, l2_block_number)
    WHERE check_status = 0;

CREATE TABLE findings (
    id              bigserial PRIMARY KEY,
    dedup_key       text NOT NULL UNIQUE,
    kind            text NOT NULL,
    severity        text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    chain           text NOT NULL,
    title           text NOT NULL,
    summary         text NOT NULL,
    evidence        jsonb NOT NULL,
    block_number    numeric(78,0),
    tx_hash         bytea,
    detected_at     timestamptz NOT NULL DEFAULT now(),
    status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'retracted')),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX findings_recent_idx ON findings (detected_at DESC);

-- One row per (finding, event, sink), written in the same transaction as the
-- finding. The UNIQUE constraint is what makes "alerted once" hold across
-- crashes and replicas.
CREATE TABLE alert_outbox (
    id              bigserial PRIMARY KEY,
    finding_id      bigint NOT NULL REFERENCES findings(id),
    event           text NOT NULL CHECK (event IN ('raised', 'retracted', 'resolved')),
    sink            text NOT NULL,
    payload         jsonb NOT NULL,
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (finding_id, event, sink)
);
CREATE INDEX alert_outbox_due_idx ON alert_outbox (next_attempt_at) WHERE delivered_at IS NULL;

-- The one JSON shape of a finding, shared by the API and alert payloads.
CREATE VIEW finding_documents AS
SELECT f.id,
       jsonb_build_object(
           'id', f.id,
           'kind', f.kind,
           'severity', f.severity,
           'chain', f.chain,
           'title', f.title,
           'summary', f.summary,
           'evidence', f.evidence,
           'block_number', f.block_number::text,
           'tx_hash', CASE WHEN f.tx_hash IS NULL THEN NULL ELSE '0x' || encode(f.tx_hash, 'hex') END,
           'detected_at', to_char(f.detected_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
           'status', f.status,
           'response', NULL
       ) AS doc
FROM findings f;
