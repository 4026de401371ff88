-- Which chain a finding's tx_hash and block_number are on. The document
-- named only the finding's chain, so an alert linked an invalid_output_root's
-- L1 proposal transaction to the L2's explorer. The detector that raises a
-- finding knows where its block and transaction are; l2watch stores what it
-- says, and nothing downstream guesses from the kind.
ALTER TABLE findings ADD COLUMN tx_chain text;
ALTER TABLE findings ADD COLUMN block_chain text;

-- The document says where each is, null when there is none.
CREATE OR REPLACE VIEW finding_documents AS
SELECT f.id,
       jsonb_build_object(
           'id', f.id,
           'kind', f.kind,
           'severity', f.severity,
           'chain', f.chain,
           'title', f.title,
           'summary', f.summary,
           'evidence', f.evidence,
           'block_number', f.block_number::text,
           'block_chain', CASE WHEN f.block_number IS NULL THEN NULL ELSE f.block_chain END,
           'tx_hash', CASE WHEN f.tx_hash IS NULL THEN NULL ELSE '0x' || encode(f.tx_hash, 'hex') END,
           'tx_chain', CASE WHEN f.tx_hash IS NULL THEN NULL ELSE f.tx_chain END,
           'detected_at', to_char(f.detected_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
           'status', f.status,
           'response', (SELECT d.doc FROM response_documents d WHERE d.finding_id = f.id ORDER BY d.id DESC LIMIT 1)
       ) AS doc
FROM findings f;

-- Findings raised before this migration, by what their detectors wrote: a
-- transaction is always the anchor fact's, on the anchor's chain; so is the
-- block, except the L2 block an output root (invalid_output_root) or an
-- endpoint disagreement (rpc_disagreement) is about, which is on the
-- finding's chain. A finding without an anchor cites its own chain.
--
-- The per-row refresh trigger of 0015 is off while the rows change: every
-- finding's text changes here (it gains both keys), and one set-based
-- statement below re-renders them all instead of one view query per row.
-- ADD COLUMN holds the table's exclusive lock until commit, so no writer
-- can slip in while the trigger is off.
ALTER TABLE findings DISABLE TRIGGER finding_doc_text_finding;
UPDATE findings
   SET tx_chain = CASE WHEN tx_hash IS NULL THEN NULL ELSE coalesce(anchor_chain, chain) END,
       block_chain = CASE WHEN block_number IS NULL THEN NULL
                          WHEN kind IN ('invalid_output_root', 'rpc_disagreement') THEN chain
                          ELSE coalesce(anchor_chain, chain) END
 WHERE tx_hash IS NOT NULL OR block_number IS NOT NULL;
ALTER TABLE findings ENABLE TRIGGER finding_doc_text_finding;

-- A chain for a hash or number that is not there would say something false.
ALTER TABLE findings ADD CONSTRAINT findings_tx_chain_check CHECK (tx_chain IS NULL OR tx_hash IS NOT NULL);
ALTER TABLE findings ADD CONSTRAINT findings_block_chain_check
    CHECK (block_chain IS NULL OR block_number IS NOT NULL);

-- The stored texts stay the view's, byte for byte (0015).
INSERT INTO finding_doc_texts (finding_id, doc)
SELECT d.id, d.doc::text FROM finding_documents d
ON CONFLICT (finding_id) DO UPDATE SET doc = EXCLUDED.doc WHERE finding_doc_texts.doc IS DISTINCT FROM EXCLUDED.doc;
