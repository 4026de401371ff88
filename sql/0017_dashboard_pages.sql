-- Indexes for the dashboard's overview, /rollups and /channels (issue 9).
-- The overview is read at 1 000 requests a second over 100 000 findings
-- (bench/bench_web.py), so each of its counts reads an index only, never a
-- table.

-- Open findings by severity: the overview counts each severity's entries
-- of this index (a few thousand at most while findings are worked off),
-- not the findings.
CREATE INDEX findings_open_severity_idx ON findings (severity) WHERE status = 'open';

-- Responses by status (the overview's responder counts), and the latest
-- one mined.
CREATE INDEX responses_status_idx ON responses (status);
CREATE INDEX responses_mined_idx ON responses (mined_at DESC) WHERE mined_at IS NOT NULL;

-- /rollups: per L2, proposals by verdict; an L2's latest proposals in page
-- order; the mismatches, newest first (the overview counts them too).
CREATE INDEX output_proposals_chain_status_idx ON output_proposals (l2_chain, check_status);
CREATE INDEX output_proposals_chain_recent_idx ON output_proposals (l2_chain, l1_block_number DESC, log_index DESC);
CREATE INDEX output_proposals_mismatch_idx ON output_proposals (l1_block_number DESC, log_index DESC)
    WHERE check_status = 2;

-- /channels: the latest disputes in page order, and the stale ones (the
-- overview counts those).
CREATE INDEX channel_disputes_recent_idx ON channel_disputes (block_number DESC, log_index DESC);
CREATE INDEX channel_disputes_stale_idx ON channel_disputes (block_number DESC, log_index DESC)
    WHERE check_status = 2;
