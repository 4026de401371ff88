-- Where a finding's evidence lives on chain: the block (by hash) of the fact
-- it was raised on. When a reorg removes that block, the finding is
-- retracted in the same transaction that removes the block's facts.
ALTER TABLE findings ADD COLUMN anchor_chain text;
ALTER TABLE findings ADD COLUMN anchor_block_hash bytea CHECK (anchor_block_hash IS NULL OR length(anchor_block_hash) = 32);
CREATE INDEX findings_open_anchor_idx ON findings (anchor_chain, anchor_block_hash) WHERE status = 'open';
