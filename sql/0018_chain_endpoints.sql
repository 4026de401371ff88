-- The health of each chain's RPC endpoints (issue 9: the API's chains show
-- their endpoints' health). It lives in the memory of the process that
-- follows the chain; the web server reads only PostgreSQL, and may run on a
-- replica that follows nothing, so the chain worker writes it here every
-- few seconds (collector/endpoint_store.c).
--
-- One row per configured endpoint, keyed by its position in the chain's
-- rpc: list. Never the URL, whose path or query may hold an API key: label
-- is "index:host", as in the metrics. Rows of endpoints no longer
-- configured are deleted by the next write. A row whose updated_at stops
-- moving belongs to a worker that stopped.
CREATE TABLE chain_endpoints (
    chain            text NOT NULL REFERENCES chains(name) ON DELETE CASCADE,
    endpoint_index   integer NOT NULL CHECK (endpoint_index >= 0 AND endpoint_index < 16),
    label            text NOT NULL,
    state            text NOT NULL CHECK (state IN ('in_use', 'standby', 'resting', 'behind', 'wrong_chain',
                                                     'unchecked')),
    score            double precision NOT NULL CHECK (score >= 0 AND score <= 1),
    head_number      bigint CHECK (head_number >= 0),   -- the last head it reported
    head_seen_at     timestamptz,
    resting_until    timestamptz,                       -- while resting or on a wrong chain
    last_fault       text,                              -- a kind of l2watch_rpc_errors_total
    last_fault_at    timestamptz,
    requests         bigint NOT NULL CHECK (requests >= 0),  -- since the worker started
    faults           bigint NOT NULL CHECK (faults >= 0),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (chain, endpoint_index)
);
