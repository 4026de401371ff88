-- The analytics API (web/routes_fees.c): a batcher's postings are paged
-- newest first by L1 block for one L2, which neither index of 0012 serves
-- (they are by L1 chain, and by time).
CREATE INDEX batch_costs_chain_block_idx ON batch_costs (chain, block_number, tx_index);
