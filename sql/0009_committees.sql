-- Data-availability committees of validiums (issue 7).

-- One row per SequenceBatches log of a watched validium rollup contract, with
-- the verdict on the committee signatures its sequenceBatchesValidium call
-- carried. A fact of the L1 block that holds the log: the reorg unwind
-- deletes it with that block (collector/chain_store.c, fact_tables), and the
-- log of the new branch is checked afresh.
--   result: ok, or the verdict of detectors/committee_signatures.h
--   (below_threshold, unknown_signer, out_of_order, bad_signature, malformed,
--   members_mismatch); not_signed when every batch was forced (the contract
--   does not ask the committee); unreadable when the transaction is no direct
--   sequenceBatchesValidium call l2watch can decode (detail says why).
CREATE TABLE committee_checks (
    l1_chain      text NOT NULL,
    block_hash    bytea NOT NULL CHECK (length(block_hash) = 32),
    log_index     integer NOT NULL CHECK (log_index >= 0),
    block_number  bigint NOT NULL CHECK (block_number >= 0),
    chain         text NOT NULL,              -- committees[].chain, the validium
    tx_hash       bytea NOT NULL CHECK (length(tx_hash) = 32),
    batch         numeric(20,0) NOT NULL,     -- SequenceBatches.numBatch: the sequence's last batch
    fork          text,                       -- which sequenceBatchesValidium the call was
    batches       integer,                    -- batches in the sequence
    signed_hash   bytea CHECK (signed_hash IS NULL OR length(signed_hash) = 32),
    result        text NOT NULL CHECK (result IN ('ok', 'below_threshold', 'unknown_signer', 'out_of_order',
                                                  'bad_signature', 'malformed', 'members_mismatch', 'not_signed',
                                                  'unreadable')),
    signatures    integer,
    valid         integer,                    -- members with a good signature
    threshold     integer NOT NULL,
    detail        text,
    finding_id    bigint,                     -- the committee_threshold_missed finding it raised
    checked_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (l1_chain, block_hash, log_index)
);
CREATE INDEX committee_checks_chain_idx ON committee_checks (chain, block_number DESC);
