-- Bridge guard: bridge movement events, escrow balances over time, pause
-- state; and the finding fields that conditions lasting over many blocks
-- (a drawdown, a backing shortfall) need.

-- Severity ladder used by every detector from here on; 'warning' was the
-- middle of the old three-step scale.
ALTER TABLE findings DROP CONSTRAINT findings_severity_check;
UPDATE findings SET severity = 'medium' WHERE severity = 'warning';
ALTER TABLE findings ADD CONSTRAINT findings_severity_check
    CHECK (severity IN ('info', 'low', 'medium', 'high', 'critical'));

-- What a lasting condition is about ("bridge:<name>:<token>"). At most one
-- open finding per kind and subject, even with several replicas: the index
-- refuses a second.
ALTER TABLE findings ADD COLUMN subject text;
CREATE UNIQUE INDEX findings_open_subject_idx ON findings (kind, subject)
    WHERE status = 'open' AND subject IS NOT NULL;

-- One row per bridge event of a watched bridge, decoded from its log. kind:
--   withdrawal_proven     OptimismPortal.WithdrawalProven (message_id = withdrawal hash)
--   withdrawal_finalized  OptimismPortal.WithdrawalFinalized (success)
--   deposit               value entering an escrow (Portal deposits, L1StandardBridge ERC-20 deposits)
--   release               value leaving an escrow (L1StandardBridge finalizations, a lock/release bridge's release event)
--   initiation            a lock/release bridge's initiation on its source chain
-- Withdrawals proven and releases are judged by forged_withdrawal:
-- check_status 0 pending, 1 backed, 2 forged, 3 not judged (nothing to check).
CREATE TABLE bridge_events (
    chain           text NOT NULL,
    block_hash      bytea NOT NULL,
    log_index       integer NOT NULL,
    block_number    bigint NOT NULL,
    block_timestamp bigint NOT NULL,
    tx_hash         bytea NOT NULL CHECK (length(tx_hash) = 32),
    bridge          text NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('withdrawal_proven', 'withdrawal_finalized', 'deposit',
                                                  'release', 'initiation')),
    token           text,            -- 'native' or 0x-address; NULL when the event does not say
    message_id      bytea CHECK (message_id IS NULL OR length(message_id) = 32),
    sender          bytea CHECK (sender IS NULL OR length(sender) = 20),
    recipient       bytea CHECK (recipient IS NULL OR length(recipient) = 20),
    amount          numeric(78,0),
    success         boolean,
    check_status    smallint NOT NULL DEFAULT 3 CHECK (check_status IN (0, 1, 2, 3)),
    checked_at      timestamptz,
    check_note      text,
    PRIMARY KEY (chain, block_hash, log_index),
    FOREIGN KEY (chain, block_hash, log_index) REFERENCES logs(chain, block_hash, log_index) ON DELETE CASCADE
);
CREATE INDEX bridge_events_message_idx ON bridge_events (bridge, kind, message_id);
CREATE INDEX bridge_events_pending_idx ON bridge_events (bridge, block_number) WHERE check_status = 0;
CREATE INDEX bridge_events_time_idx ON bridge_events (bridge, block_timestamp);

-- The escrow's balance of a token at a block: every block with a movement
-- and, when it changed, the synced tip. outflow is the fall from the
-- previous sample (0 when it rose), so windows and intervals sum it.
CREATE TABLE escrow_samples (
    chain           text NOT NULL,
    block_hash      bytea NOT NULL,
    block_number    bigint NOT NULL,
    block_timestamp bigint NOT NULL,
    bridge          text NOT NULL,
    token           text NOT NULL,   -- 'native' or 0x-address
    balance         numeric(78,0) NOT NULL,
    outflow         numeric(78,0) NOT NULL DEFAULT 0,
    sampled_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (chain, block_hash, bridge, token),
    FOREIGN KEY (chain, block_hash) REFERENCES blocks(chain, hash) ON DELETE CASCADE
);
CREATE INDEX escrow_samples_series_idx ON escrow_samples (bridge, token, block_number);

-- Latest readings per bridge and token, for the dashboard and metrics: the
-- bridged supply on the other chain and whether the bridge is paused.
CREATE TABLE bridge_status (
    bridge          text NOT NULL,
    token           text NOT NULL,
    escrow          numeric(78,0),
    escrow_block    bigint,
    supply          numeric(78,0),
    supply_block    bigint,
    paused          boolean,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (bridge, token)
);
