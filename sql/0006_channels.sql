-- Channel watchtower: the newest signed state of each watched channel, the
-- disputes seen on chain, and deadlines on responses.

-- One row per channel: the newest state a client submitted, with every
-- participant's signature, and the receipt the tower signed for it.
--   protocol 'vector': channel = the channel's address (20 bytes), version = nonce
--   protocol 'nitro':  channel = the channel id (32 bytes), version = turnNum
-- Only a strictly higher version replaces a row (the intake's upsert says
-- so in its WHERE clause), so two replicas taking submissions at once can
-- never go backwards.
CREATE TABLE channel_states (
    chain        text NOT NULL,
    protocol     text NOT NULL CHECK (protocol IN ('vector', 'nitro')),
    channel      bytea NOT NULL CHECK (length(channel) IN (20, 32)),
    version      numeric(78,0) NOT NULL CHECK (version >= 0),
    state_hash   bytea NOT NULL CHECK (length(state_hash) = 32),
    state        jsonb NOT NULL,           -- the submission as accepted: state and signatures
    receipt      bytea NOT NULL CHECK (length(receipt) = 65),
    client       text NOT NULL,            -- the client that first submitted the channel
    updates      bigint NOT NULL DEFAULT 1,
    first_seen   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (chain, protocol, channel)
);

-- Channels per client, for web.clients[].max_channels: a counter kept in
-- the intake's transaction, so the quota check is one row, not a count.
CREATE TABLE channel_clients (
    client       text PRIMARY KEY,
    channels     bigint NOT NULL DEFAULT 0 CHECK (channels >= 0),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- A dispute opened on chain: Vector ChannelDisputed (version = the disputed
-- state's nonce, deadline = consensusExpiry) or Nitro ChallengeRegistered
-- (version = turnNumRecord, deadline = finalizesAt). Facts, keyed by block
-- hash, removed by a reorg's unwind.
-- check_status: 0 pending, 1 no newer state held, 2 stale (a finding was
-- raised), 3 not a watched channel.
CREATE TABLE channel_disputes (
    chain           text NOT NULL,
    block_hash      bytea NOT NULL,
    log_index       integer NOT NULL,
    block_number    bigint NOT NULL,
    block_timestamp bigint NOT NULL,
    tx_hash         bytea NOT NULL CHECK (length(tx_hash) = 32),
    protocol        text NOT NULL CHECK (protocol IN ('vector', 'nitro')),
    channel         bytea NOT NULL CHECK (length(channel) IN (20, 32)),
    version         numeric(78,0) NOT NULL,
    deadline        bigint NOT NULL,
    disputer        bytea CHECK (disputer IS NULL OR length(disputer) = 20),
    is_final        boolean,
    check_status    smallint NOT NULL DEFAULT 0 CHECK (check_status IN (0, 1, 2, 3)),
    held_version    numeric(78,0),
    finding_id      bigint,                  -- the stale_channel_close finding it raised or joined
    checked_at      timestamptz,
    warned_at       timestamptz,             -- when channel_window_closing was raised for it
    PRIMARY KEY (chain, block_hash, log_index)
);
CREATE INDEX channel_disputes_pending_idx ON channel_disputes (chain, block_number) WHERE check_status = 0;
CREATE INDEX channel_disputes_unwarned_idx ON channel_disputes (chain, deadline)
    WHERE check_status = 2 AND warned_at IS NULL;
CREATE INDEX channel_disputes_channel_idx ON channel_disputes (chain, protocol, channel, block_number);

-- When a response stops mattering (a dispute's deadline, unix seconds) and
-- when its window opened: the transaction manager pays more as the rest of
-- the window shrinks.
ALTER TABLE responses ADD COLUMN deadline bigint;
ALTER TABLE responses ADD COLUMN window_start bigint;
