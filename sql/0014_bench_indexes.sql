-- Two reads that bench/bench_web.py (100 000 findings, a year of hourly
-- output proposals of two chains) found walking whole tables.

-- The findings API filtered by kind and chain together. With only the
-- one-column indexes of 0013 the planner walks the primary key back and
-- drops the other pairs (about 4 000 rows read for a page of 100 when the
-- pair is 2.5% of the findings), or intersects both indexes and sorts.
-- This one yields the page in order.
CREATE INDEX findings_kind_chain_page_idx ON findings (kind, chain, id DESC);

-- The overview's latest output proposals. Without an index every proposal
-- is read, its roots hex-encoded and sorted to keep 20 (13 ms of server CPU
-- for 17 520 proposals). The dashboard's statement uses it once its ORDER
-- BY names the column (output_proposals.l1_block_number): the bare name
-- means the text of the select list's l1_block_number::text, which neither
-- an index serves nor sorts as numbers.
CREATE INDEX output_proposals_recent_idx ON output_proposals (l1_block_number DESC, log_index DESC);
