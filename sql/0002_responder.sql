-- Responses: the transactions l2watch sends (or, in dry-run, would send) to
-- answer a finding. One row per action, keyed by an idempotency key derived
-- from the fact answered, so a replay after a crash or a second replica finds
-- the same row instead of planning a second action.
CREATE TABLE responses (
    id               bigserial PRIMARY KEY,
    idempotency_key  text NOT NULL UNIQUE,
    finding_id       bigint NOT NULL REFERENCES findings(id),
    action           text NOT NULL,
    chain            text NOT NULL,          -- where the transaction goes
    mode             text NOT NULL CHECK (mode IN ('dry-run', 'on')),
    signer           text,
    sender           bytea CHECK (sender IS NULL OR length(sender) = 20),
    to_addr          bytea NOT NULL CHECK (length(to_addr) = 20),
    calldata         bytea NOT NULL,
    params           jsonb NOT NULL DEFAULT '{}',   -- what the action's checks need
    status           text NOT NULL CHECK (status IN ('planned', 'dry_run', 'not_needed', 'nonce_assigned', 'sent',
                                                     'mined', 'verified', 'reverted', 'failed')),
    nonce            bigint,
    gas_limit        bigint,
    tx_hash          bytea,                  -- the attempt that was mined, else the newest sent
    mined_block      bigint,
    mined_block_hash bytea,
    bumps            integer NOT NULL DEFAULT 0,
    reorgs           integer NOT NULL DEFAULT 0,
    note             text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    sent_at          timestamptz,
    mined_at         timestamptz,
    finished_at      timestamptz,
    -- A nonce is given to at most one action per sender and chain: that is
    -- what makes every replacement of a response's transaction mutually
    -- exclusive with every other action.
    UNIQUE (chain, sender, nonce)
);
CREATE INDEX responses_open_idx ON responses (chain, id)
    WHERE status IN ('planned', 'nonce_assigned', 'sent', 'mined');
CREATE INDEX responses_finding_idx ON responses (finding_id);

-- Every signed transaction of a response, written before it is broadcast.
-- After a crash the stored bytes are re-broadcast, never re-signed, so the
-- network only ever sees transactions this table knows about.
CREATE TABLE response_attempts (
    response_id              bigint NOT NULL REFERENCES responses(id),
    attempt                  integer NOT NULL,
    tx_hash                  bytea NOT NULL UNIQUE,
    raw_tx                   bytea NOT NULL,
    max_fee_per_gas          numeric(78, 0) NOT NULL,
    max_priority_fee_per_gas numeric(78, 0) NOT NULL,
    created_at               timestamptz NOT NULL DEFAULT now(),
    sent_at                  timestamptz,
    send_error               text,
    PRIMARY KEY (response_id, attempt)
);

-- Next nonce l2watch will hand out per chain and sender; reconciled with the
-- chain's pending nonce each time one is taken.
CREATE TABLE tx_nonces (
    chain      text NOT NULL,
    sender     bytea NOT NULL CHECK (length(sender) = 20),
    next_nonce bigint NOT NULL CHECK (next_nonce >= 0),
    PRIMARY KEY (chain, sender)
);

ALTER TABLE alert_outbox DROP CONSTRAINT alert_outbox_event_check;
ALTER TABLE alert_outbox ADD CONSTRAINT alert_outbox_event_check
    CHECK (event IN ('raised', 'retracted', 'resolved',
                     'response_dry_run', 'response_sent', 'response_landed', 'response_failed'));

CREATE VIEW response_documents AS
SELECT r.id, r.finding_id,
       jsonb_build_object(
           'id', r.id,
           'action', r.action,
           'chain', r.chain,
           'mode', r.mode,
           'status', r.status,
           'signer', r.signer,
           'sender', CASE WHEN r.sender IS NULL THEN NULL ELSE '0x' || encode(r.sender, 'hex') END,
           'to', '0x' || encode(r.to_addr, 'hex'),
           'calldata', '0x' || encode(r.calldata, 'hex'),
           'params', r.params,
           'nonce', r.nonce,
           'gas_limit', r.gas_limit,
           'tx_hash', CASE WHEN r.tx_hash IS NULL THEN NULL ELSE '0x' || encode(r.tx_hash, 'hex') END,
           'mined_block', r.mined_block,
           'bumps', r.bumps,
           'reorgs', r.reorgs,
           'note', r.note,
           'created_at', to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
           'updated_at', to_char(r.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
       ) AS doc
FROM responses r;

CREATE OR REPLACE VIEW finding_documents AS
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
           'response', (SELECT d.doc FROM response_documents d WHERE d.finding_id = f.id ORDER BY d.id DESC LIMIT 1)
       ) AS doc
FROM findings f;
