-- Facts no longer hang off blocks through foreign keys. PostgreSQL checks a
-- foreign key row by row, and a catch-up range stores thousands of logs and
-- decoded facts at once: the checks of logs -> blocks, output_proposals ->
-- logs and output_proposals -> chains took about half of a range's store time
-- (bench/README.md, bench_catchup). What they guaranteed still holds by how
-- the facts are written and removed:
--   * every log, with the facts decoded from it, is stored in the same
--     transaction as the header of its block (collector/follower_store_range.c);
--   * a reorg's unwind deletes the facts of the abandoned blocks table by
--     table before the blocks themselves (l2w_store_unwind in
--     collector/chain_store.c keeps the list of fact tables);
--   * chains rows are written from the config and never deleted.
-- escrow_samples keeps its key to blocks: it is written a sample at a time,
-- never in bulk, and the unwind deletes it explicitly all the same.
ALTER TABLE logs DROP CONSTRAINT logs_chain_block_hash_fkey;
ALTER TABLE output_proposals DROP CONSTRAINT output_proposals_l1_chain_block_hash_log_index_fkey;
ALTER TABLE output_proposals DROP CONSTRAINT output_proposals_l2_chain_fkey;
ALTER TABLE bridge_events DROP CONSTRAINT bridge_events_chain_block_hash_log_index_fkey;
