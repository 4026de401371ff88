-- Analytics (issue 9): USD prices from Chainlink aggregators, escrow TVL in
-- token units and USD, fees per block and per day, what a rollup's batcher
-- pays on its L1, and windowed sums over the daily rows for the API.

-- Every read of a price feed (prices: in the config), with its verdict.
-- Only a 'fresh' answer is ever used; the others are kept so that the
-- dashboard can say why a USD figure is missing. A read is of the
-- aggregator at its chain's head when read: not a fact of a followed block,
-- so a reorg does not remove it (the next read sees the new round).
CREATE TABLE price_samples (
    id                 bigserial PRIMARY KEY,
    token              text NOT NULL,          -- the symbol priced (bridges[].tokens[].symbol)
    chain              text NOT NULL,          -- where the aggregator is
    aggregator         bytea NOT NULL CHECK (length(aggregator) = 20),
    block_number       bigint NOT NULL CHECK (block_number >= 0),
    block_hash         bytea NOT NULL CHECK (length(block_hash) = 32),
    round_id           numeric(78,0) NOT NULL CHECK (round_id >= 0),
    answer             numeric(78,0) NOT NULL, -- int256: may be negative
    decimals           smallint NOT NULL CHECK (decimals BETWEEN 0 AND 255),
    started_at         bigint NOT NULL CHECK (started_at >= 0),
    updated_at         bigint NOT NULL CHECK (updated_at >= 0),
    answered_in_round  numeric(78,0) NOT NULL CHECK (answered_in_round >= 0),
    read_at            timestamptz NOT NULL,
    age_s              bigint NOT NULL CHECK (age_s >= 0), -- read_at - updatedAt (0 if updatedAt is ahead)
    -- fresh: used. stale: updatedAt older than max_age_seconds at the read.
    -- non_positive: answer <= 0. incomplete_round: updatedAt 0 or
    -- answeredInRound < roundId (the answer was carried over from an older round).
    status             text NOT NULL CHECK (status IN ('fresh', 'stale', 'non_positive', 'incomplete_round'))
);
CREATE INDEX price_samples_token_idx ON price_samples (token, id);

-- Escrow TVL per bridge and token, every analytics.tvl_interval_seconds:
-- the latest escrow_samples balance, in base units and token units, and in
-- USD when the token's latest price read is fresh at the sampling time.
-- Keyed to the escrow sample's block: a reorg's unwind removes it with it.
CREATE TABLE tvl_samples (
    id            bigserial PRIMARY KEY,
    sampled_at    timestamptz NOT NULL,
    bridge        text NOT NULL,
    token         text NOT NULL,           -- 'native' or 0x-address, as escrow_samples
    symbol        text NOT NULL,
    chain         text NOT NULL,           -- the escrow's chain
    block_hash    bytea NOT NULL CHECK (length(block_hash) = 32),
    block_number  bigint NOT NULL,
    balance       numeric(78,0) NOT NULL CHECK (balance >= 0),   -- base units
    decimals      smallint NOT NULL CHECK (decimals BETWEEN 0 AND 77),
    amount        numeric NOT NULL,        -- balance / 10^decimals, exact
    price_id      bigint REFERENCES price_samples(id) ON DELETE SET NULL,
    -- fresh: usd is set. unpriced: no prices: entry for the token.
    -- no_reading: priced, but never read yet. stale, non_positive,
    -- incomplete_round: the latest read's verdict (stale also when a read
    -- fresh then has aged past max_age_seconds since).
    price_status  text NOT NULL CHECK (price_status IN ('fresh', 'stale', 'non_positive', 'incomplete_round',
                                                        'no_reading', 'unpriced')),
    usd           numeric CHECK (usd IS NULL OR usd >= 0),  -- floor to the micro-dollar
    CHECK ((price_status = 'fresh') = (usd IS NOT NULL))
);
CREATE INDEX tvl_samples_series_idx ON tvl_samples (bridge, token, sampled_at);
CREATE INDEX tvl_samples_block_idx ON tvl_samples (chain, block_hash);

-- Fees of every block of a chain in analytics.fees: the sum over its
-- transactions of gasUsed x effectiveGasPrice (what senders paid for L2
-- execution, base fee and tip) and of the L1 data fee OP Stack receipts
-- report (l1Fee; deposits and non-OP chains report none). All in wei.
-- The scan keeps its own parent-hash chain: a block whose parent differs
-- from the stored one unwinds the stored blocks down to the fork.
CREATE TABLE fee_blocks (
    chain            text NOT NULL,
    block_hash       bytea NOT NULL CHECK (length(block_hash) = 32),
    block_number     bigint NOT NULL CHECK (block_number >= 0),
    parent_hash      bytea NOT NULL CHECK (length(parent_hash) = 32),
    block_timestamp  bigint NOT NULL CHECK (block_timestamp >= 0),
    txs              integer NOT NULL CHECK (txs >= 0),
    gas_used         bigint NOT NULL CHECK (gas_used >= 0),
    execution_fee    numeric(78,0) NOT NULL CHECK (execution_fee >= 0),
    l1_fee           numeric(78,0) NOT NULL CHECK (l1_fee >= 0),
    l1_fee_txs       integer NOT NULL CHECK (l1_fee_txs >= 0),  -- receipts that reported an l1Fee
    PRIMARY KEY (chain, block_hash),
    UNIQUE (chain, block_number)
);
CREATE INDEX fee_blocks_time_idx ON fee_blocks (chain, block_timestamp);

-- What a batcher paid for each posting to its batch inbox on the L1.
-- calldata_gas is the EIP-2028 price of the input (16 per non-zero byte, 4
-- per zero byte) and calldata_fee that gas at the transaction's price; fee
-- is what the receipt says it paid for execution (gasUsed x
-- effectiveGasPrice, the 21000 base and any EIP-7623 floor included);
-- blob_fee is blobGasUsed x blobGasPrice of a type-3 posting. Unwound by
-- block number with the L1 (the scan reads blocks the follower may not keep).
CREATE TABLE batch_costs (
    chain                text NOT NULL,    -- the L2
    l1_chain             text NOT NULL,
    block_hash           bytea NOT NULL CHECK (length(block_hash) = 32),
    block_number         bigint NOT NULL CHECK (block_number >= 0),
    block_timestamp      bigint NOT NULL CHECK (block_timestamp >= 0),
    tx_hash              bytea NOT NULL CHECK (length(tx_hash) = 32),
    tx_index             integer NOT NULL CHECK (tx_index >= 0),
    tx_type              integer NOT NULL CHECK (tx_type BETWEEN 0 AND 255),
    calldata_bytes       integer NOT NULL CHECK (calldata_bytes >= 0),
    calldata_zero_bytes  integer NOT NULL CHECK (calldata_zero_bytes >= 0),
    calldata_gas         bigint NOT NULL CHECK (calldata_gas >= 0),
    calldata_fee         numeric(78,0) NOT NULL CHECK (calldata_fee >= 0),
    gas_used             bigint NOT NULL CHECK (gas_used >= 0),
    effective_gas_price  numeric(78,0) NOT NULL CHECK (effective_gas_price >= 0),
    fee                  numeric(78,0) NOT NULL CHECK (fee >= 0),
    blobs                integer NOT NULL CHECK (blobs >= 0),
    blob_gas_used        bigint NOT NULL CHECK (blob_gas_used >= 0),
    blob_gas_price       numeric(78,0) NOT NULL CHECK (blob_gas_price >= 0),
    blob_fee             numeric(78,0) NOT NULL CHECK (blob_fee >= 0),
    PRIMARY KEY (l1_chain, block_hash, tx_hash)
);
CREATE INDEX batch_costs_block_idx ON batch_costs (l1_chain, block_number);
CREATE INDEX batch_costs_time_idx ON batch_costs (chain, block_timestamp);

-- How far each analytics.batch_costs entry's scan of its L1 got.
CREATE TABLE batch_cost_scan (
    chain       text PRIMARY KEY,
    l1_chain    text NOT NULL,
    next_block  bigint NOT NULL CHECK (next_block >= 0),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- ---- daily rows ----
-- Sums per chain and UTC day of the block rows above, kept by statement
-- triggers: every insert adds its rows' sums and every delete (a reorg's
-- unwind, whoever runs it) takes them away, so a day always equals the sum
-- of its stored blocks. The block tables are never updated.

CREATE TABLE fee_days (
    chain          text NOT NULL,
    day            date NOT NULL,
    blocks         bigint NOT NULL,
    txs            bigint NOT NULL,
    gas_used       numeric NOT NULL,
    execution_fee  numeric NOT NULL,
    l1_fee         numeric NOT NULL,
    PRIMARY KEY (chain, day)
);

CREATE TABLE batch_cost_days (
    chain           text NOT NULL,
    day             date NOT NULL,
    txs             bigint NOT NULL,
    blobs           bigint NOT NULL,
    calldata_bytes  numeric NOT NULL,
    calldata_gas    numeric NOT NULL,
    calldata_fee    numeric NOT NULL,
    gas_used        numeric NOT NULL,
    fee             numeric NOT NULL,
    blob_gas_used   numeric NOT NULL,
    blob_fee        numeric NOT NULL,
    PRIMARY KEY (chain, day)
);

CREATE FUNCTION analytics_utc_day(ts bigint) RETURNS date
    LANGUAGE sql IMMUTABLE STRICT
    AS $$ SELECT (to_timestamp(ts) AT TIME ZONE 'UTC')::date $$;

-- One function per day table serves both of its triggers: the insert
-- trigger names its new rows and the delete trigger its old rows "changed".
CREATE FUNCTION fee_days_follow() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    sign integer := CASE TG_OP WHEN 'INSERT' THEN 1 ELSE -1 END;
BEGIN
    INSERT INTO fee_days AS d (chain, day, blocks, txs, gas_used, execution_fee, l1_fee)
    SELECT chain, analytics_utc_day(block_timestamp), sign * count(*), sign * sum(txs), sign * sum(gas_used),
           sign * sum(execution_fee), sign * sum(l1_fee)
    FROM changed GROUP BY 1, 2
    ON CONFLICT (chain, day) DO UPDATE SET blocks = d.blocks + EXCLUDED.blocks, txs = d.txs + EXCLUDED.txs,
        gas_used = d.gas_used + EXCLUDED.gas_used, execution_fee = d.execution_fee + EXCLUDED.execution_fee,
        l1_fee = d.l1_fee + EXCLUDED.l1_fee;
    DELETE FROM fee_days WHERE blocks = 0;
    RETURN NULL;
END $$;

CREATE TRIGGER fee_blocks_added AFTER INSERT ON fee_blocks REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION fee_days_follow();
CREATE TRIGGER fee_blocks_removed AFTER DELETE ON fee_blocks REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION fee_days_follow();

CREATE FUNCTION batch_cost_days_follow() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    sign integer := CASE TG_OP WHEN 'INSERT' THEN 1 ELSE -1 END;
BEGIN
    INSERT INTO batch_cost_days AS d (chain, day, txs, blobs, calldata_bytes, calldata_gas, calldata_fee, gas_used,
                                      fee, blob_gas_used, blob_fee)
    SELECT chain, analytics_utc_day(block_timestamp), sign * count(*), sign * sum(blobs), sign * sum(calldata_bytes),
           sign * sum(calldata_gas), sign * sum(calldata_fee), sign * sum(gas_used), sign * sum(fee),
           sign * sum(blob_gas_used), sign * sum(blob_fee)
    FROM changed GROUP BY 1, 2
    ON CONFLICT (chain, day) DO UPDATE SET txs = d.txs + EXCLUDED.txs, blobs = d.blobs + EXCLUDED.blobs,
        calldata_bytes = d.calldata_bytes + EXCLUDED.calldata_bytes,
        calldata_gas = d.calldata_gas + EXCLUDED.calldata_gas, calldata_fee = d.calldata_fee + EXCLUDED.calldata_fee,
        gas_used = d.gas_used + EXCLUDED.gas_used, fee = d.fee + EXCLUDED.fee,
        blob_gas_used = d.blob_gas_used + EXCLUDED.blob_gas_used, blob_fee = d.blob_fee + EXCLUDED.blob_fee;
    DELETE FROM batch_cost_days WHERE txs = 0;
    RETURN NULL;
END $$;

CREATE TRIGGER batch_costs_added AFTER INSERT ON batch_costs REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION batch_cost_days_follow();
CREATE TRIGGER batch_costs_removed AFTER DELETE ON batch_costs REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION batch_cost_days_follow();

-- ---- for the API ----

-- The daily rows as (chain, day, metric, value): one shape for every
-- figure the windows sum. Amounts in wei.
CREATE VIEW analytics_daily AS
SELECT f.chain, f.day, m.metric, m.value
FROM fee_days f
CROSS JOIN LATERAL (VALUES ('l2_blocks', f.blocks::numeric), ('l2_txs', f.txs::numeric),
                           ('l2_gas_used', f.gas_used), ('l2_execution_fee_wei', f.execution_fee),
                           ('l2_l1_fee_wei', f.l1_fee), ('l2_fee_wei', f.execution_fee + f.l1_fee)) m(metric, value)
UNION ALL
SELECT b.chain, b.day, m.metric, m.value
FROM batch_cost_days b
CROSS JOIN LATERAL (VALUES ('batch_txs', b.txs::numeric), ('batch_blobs', b.blobs::numeric),
                           ('batch_calldata_bytes', b.calldata_bytes), ('batch_calldata_gas', b.calldata_gas),
                           ('batch_calldata_fee_wei', b.calldata_fee), ('batch_gas_used', b.gas_used),
                           ('batch_fee_wei', b.fee), ('batch_blob_gas_used', b.blob_gas_used),
                           ('batch_blob_fee_wei', b.blob_fee),
                           ('batch_cost_wei', b.fee + b.blob_fee)) m(metric, value);

-- Sums over windows of 1, 7 and 30 UTC days ending with p_end (inclusive;
-- today by default, which is a day still under way), each against the
-- window of as many days just before it: change is the difference and
-- change_percent its share of the previous sum (NULL when that is 0).
CREATE FUNCTION analytics_windows(p_end date DEFAULT (now() AT TIME ZONE 'UTC')::date)
RETURNS TABLE (chain text, metric text, days integer, first_day date, last_day date, value numeric,
               previous numeric, change numeric, change_percent numeric)
LANGUAGE sql STABLE AS $$
    SELECT s.chain, s.metric, w.days, p_end - w.days + 1, p_end, cur, prev, cur - prev,
           CASE WHEN prev > 0 THEN round((cur - prev) * 100 / prev, 2) END
    FROM (VALUES (1), (7), (30)) w(days)
    CROSS JOIN LATERAL (
        SELECT a.chain, a.metric,
               coalesce(sum(a.value) FILTER (WHERE a.day > p_end - w.days), 0) AS cur,
               coalesce(sum(a.value) FILTER (WHERE a.day <= p_end - w.days), 0) AS prev
        FROM analytics_daily a
        WHERE a.day > p_end - 2 * w.days AND a.day <= p_end
        GROUP BY a.chain, a.metric) s
    ORDER BY s.chain, s.metric, w.days
$$;

-- TVL now (the latest sample at or before p_at) and 1, 7 and 30 days
-- before, per bridge and token: change in token units and, where both
-- samples have a USD value, in USD.
CREATE FUNCTION tvl_windows(p_at timestamptz DEFAULT now())
RETURNS TABLE (bridge text, token text, symbol text, days integer, sampled_at timestamptz, amount numeric,
               usd numeric, previous_at timestamptz, previous_amount numeric, previous_usd numeric,
               amount_change numeric, usd_change numeric, usd_change_percent numeric)
LANGUAGE sql STABLE AS $$
    SELECT n.bridge, n.token, n.symbol, w.days, n.sampled_at, n.amount, n.usd, p.sampled_at, p.amount, p.usd,
           n.amount - p.amount, n.usd - p.usd,
           CASE WHEN p.usd > 0 THEN round((n.usd - p.usd) * 100 / p.usd, 2) END
    FROM (SELECT DISTINCT ON (t.bridge, t.token) t.bridge, t.token, t.symbol, t.sampled_at, t.amount, t.usd
          FROM tvl_samples t WHERE t.sampled_at <= p_at
          ORDER BY t.bridge, t.token, t.sampled_at DESC, t.id DESC) n
    CROSS JOIN (VALUES (1), (7), (30)) w(days)
    LEFT JOIN LATERAL (SELECT t.sampled_at, t.amount, t.usd FROM tvl_samples t
                       WHERE t.bridge = n.bridge AND t.token = n.token
                       AND t.sampled_at <= p_at - make_interval(days => w.days)
                       ORDER BY t.sampled_at DESC, t.id DESC LIMIT 1) p ON true
    ORDER BY n.bridge, n.token, w.days
$$;
