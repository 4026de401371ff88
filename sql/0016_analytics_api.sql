-- The analytics API (web/routes_fees.c): a batcher's postings are paged
-- newest first by L1 block for one L2, which neither index of 0012 serves
-- (they are by L1 chain, and by time).
CREATE INDEX batch_costs_chain_block_idx ON batch_costs (chain, block_number, tx_index);

-- tvl_windows as 0012 defines it, the same rows, without reading every
-- sample: 0012 found each bridge token's latest sample with a DISTINCT ON
-- over the whole table (0.57 s at a year of two tokens sampled every 5
-- minutes, and growing with the history). Here the tokens are found by
-- skipping through tvl_samples_series_idx, one probe each, and each
-- token's latest sample by one more.
CREATE OR REPLACE FUNCTION tvl_windows(p_at timestamptz DEFAULT now())
RETURNS TABLE (bridge text, token text, symbol text, days integer, sampled_at timestamptz, amount numeric,
               usd numeric, previous_at timestamptz, previous_amount numeric, previous_usd numeric,
               amount_change numeric, usd_change numeric, usd_change_percent numeric)
LANGUAGE sql STABLE AS $$
    WITH RECURSIVE k AS (
        (SELECT t.bridge, t.token FROM tvl_samples t ORDER BY t.bridge, t.token LIMIT 1)
        UNION ALL
        SELECT x.bridge, x.token FROM k
        CROSS JOIN LATERAL (SELECT t.bridge, t.token FROM tvl_samples t WHERE (t.bridge, t.token) > (k.bridge, k.token)
                            ORDER BY t.bridge, t.token LIMIT 1) x)
    SELECT n.bridge, n.token, n.symbol, w.days, n.sampled_at, n.amount, n.usd, p.sampled_at, p.amount, p.usd,
           n.amount - p.amount, n.usd - p.usd,
           CASE WHEN p.usd > 0 THEN round((n.usd - p.usd) * 100 / p.usd, 2) END
    FROM k
    CROSS JOIN LATERAL (SELECT t.bridge, t.token, t.symbol, t.sampled_at, t.amount, t.usd FROM tvl_samples t
                        WHERE t.bridge = k.bridge AND t.token = k.token AND t.sampled_at <= p_at
                        ORDER BY t.sampled_at DESC, t.id DESC LIMIT 1) n
    CROSS JOIN (VALUES (1), (7), (30)) w(days)
    LEFT JOIN LATERAL (SELECT t.sampled_at, t.amount, t.usd FROM tvl_samples t
                       WHERE t.bridge = n.bridge AND t.token = n.token
                       AND t.sampled_at <= p_at - make_interval(days => w.days)
                       ORDER BY t.sampled_at DESC, t.id DESC LIMIT 1) p ON true
    ORDER BY n.bridge, n.token, w.days
$$;
