-- Data availability and liveness (issue 7).

-- Every commitment a rollup's batcher posted to its batch inbox on the L1,
-- and whether its data could be fetched and matched. kind 'keccak': an OP
-- Alt-DA keccak256 commitment in calldata (commitment = its 33-byte encoding,
-- type byte then hash, as DataAvailabilityChallenge takes it); kind 'blob':
-- one blob of a type-3 transaction (commitment = its 32-byte versioned hash,
-- blob_index its position in the transaction).
-- Rows are facts of the L1 block that carried them: a reorg's unwind deletes
-- them by block number (the DA scan reads blocks whose headers the follower
-- may not keep).
CREATE TABLE da_commitments (
    id               bigserial PRIMARY KEY,
    chain            text NOT NULL REFERENCES chains(name),   -- the L2
    l1_chain         text NOT NULL REFERENCES chains(name),
    block_number     bigint NOT NULL CHECK (block_number >= 0),
    block_hash       bytea NOT NULL CHECK (length(block_hash) = 32),
    block_timestamp  bigint NOT NULL,
    tx_hash          bytea NOT NULL CHECK (length(tx_hash) = 32),
    tx_index         integer NOT NULL CHECK (tx_index >= 0),
    kind             text NOT NULL CHECK (kind IN ('keccak', 'blob')),
    commitment       bytea NOT NULL CHECK (length(commitment) IN (32, 33)),
    blob_index       integer NOT NULL DEFAULT 0 CHECK (blob_index >= 0),
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'available', 'withheld', 'expired')),
    attempts         integer NOT NULL DEFAULT 0,
    next_try_at      timestamptz NOT NULL DEFAULT now(),
    seen_at          timestamptz NOT NULL DEFAULT now(),
    checked_at       timestamptz,
    served_by        text,                    -- the server or beacon endpoint that had the data
    data_bytes       integer,
    last_error       text,                    -- why the last round did not verify
    finding_id       bigint,                  -- the data_withheld finding it raised
    -- DataAvailabilityChallenge's view: NULL never challenged, else the
    -- latest ChallengeStatus seen (1 Active, 2 Resolved, 3 Expired).
    challenge_status smallint CHECK (challenge_status IS NULL OR challenge_status IN (1, 2, 3)),
    challenge_block  bigint,
    UNIQUE (l1_chain, tx_hash, kind, blob_index)
);
CREATE INDEX da_commitments_pending_idx ON da_commitments (chain, next_try_at) WHERE status = 'pending';
CREATE INDEX da_commitments_challenged_idx ON da_commitments (l1_chain, block_number, commitment);
CREATE INDEX da_commitments_block_idx ON da_commitments (l1_chain, block_number);

-- ChallengeStatusChanged events of a DataAvailabilityChallenge contract.
CREATE TABLE da_challenge_events (
    l1_chain          text NOT NULL,
    block_number      bigint NOT NULL,
    block_hash        bytea NOT NULL CHECK (length(block_hash) = 32),
    log_index         integer NOT NULL,
    tx_hash           bytea NOT NULL CHECK (length(tx_hash) = 32),
    contract          bytea NOT NULL CHECK (length(contract) = 20),
    challenged_block  numeric(78,0) NOT NULL,
    commitment        bytea NOT NULL,
    status            smallint NOT NULL,
    handled           boolean NOT NULL DEFAULT false, -- its alert or finding is written
    -- An Active event stays unsettled until a Resolved event for the same
    -- challenge or a read that finds it Expired (expiry emits no event).
    settled           boolean NOT NULL DEFAULT false,
    PRIMARY KEY (l1_chain, block_hash, log_index)
);
CREATE INDEX da_challenge_events_unhandled_idx ON da_challenge_events (l1_chain, block_number) WHERE NOT handled;
CREATE INDEX da_challenge_events_unsettled_idx ON da_challenge_events (l1_chain) WHERE status = 1 AND NOT settled;

-- How far each da: entry's scan of its L1 got (the next block to read).
CREATE TABLE da_scan (
    chain       text PRIMARY KEY REFERENCES chains(name),
    l1_chain    text NOT NULL REFERENCES chains(name),
    next_block  bigint NOT NULL CHECK (next_block >= 0),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Events of the liveness series: a batch posted (L1 block time), an output
-- proposed (L1 block time), the L2 head seen to advance (wall clock). The
-- trackers are rebuilt from the last rows of each series after a restart.
-- Rows carried by an L1 block go with it in a reorg.
CREATE TABLE liveness_events (
    id            bigserial PRIMARY KEY,
    chain         text NOT NULL REFERENCES chains(name),
    kind          text NOT NULL CHECK (kind IN ('batches', 'proposals', 'proofs', 'l2_head')),
    ts            bigint NOT NULL CHECK (ts >= 0),
    l1_chain      text,
    block_number  bigint,
    UNIQUE (chain, kind, ts)
);
CREATE INDEX liveness_events_series_idx ON liveness_events (chain, kind, id);
CREATE INDEX liveness_events_block_idx ON liveness_events (l1_chain, block_number) WHERE l1_chain IS NOT NULL;

-- A payable response (DataAvailabilityChallenge.challenge carries its bond).
ALTER TABLE responses ADD COLUMN value numeric(78,0) NOT NULL DEFAULT 0 CHECK (value >= 0);

ALTER TABLE alert_outbox DROP CONSTRAINT alert_outbox_event_check;
ALTER TABLE alert_outbox ADD CONSTRAINT alert_outbox_event_check
    CHECK (event IN ('raised', 'retracted', 'resolved', 'escalated', 'challenge_active', 'challenge_expired',
                     'response_dry_run', 'response_sent', 'response_landed', 'response_failed'));
