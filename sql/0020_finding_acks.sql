-- Acknowledgements: someone on call says "mine, I am on it" about an open
-- finding (POST /api/v1/findings/{id}/ack, a web.clients token). Kept on the
-- finding's own row, so the finding_doc_texts trigger of 0015 re-renders
-- its document on every change, and an acknowledgement cannot outlive or
-- stray from its finding. client is the token's client (who really wrote
-- it); author is the person the caller names, the client when none.
ALTER TABLE findings
    ADD COLUMN ack_at     timestamptz,
    ADD COLUMN ack_client text,
    ADD COLUMN ack_author text,
    ADD COLUMN ack_note   text,
    ADD CONSTRAINT findings_ack_whole CHECK (
        (ack_at IS NULL AND ack_client IS NULL AND ack_author IS NULL AND ack_note IS NULL)
        OR (ack_at IS NOT NULL AND ack_client IS NOT NULL AND ack_author IS NOT NULL));

-- The open findings nobody has acknowledged yet, the on-call's queue.
CREATE INDEX findings_open_unacked_idx ON findings (id DESC) WHERE status = 'open' AND ack_at IS NULL;

-- 0019's document, and the acknowledgement.
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
           'acknowledgement', CASE WHEN f.ack_at IS NULL THEN NULL ELSE jsonb_build_object(
               'at', to_char(f.ack_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
               'author', f.ack_author, 'client', f.ack_client, 'note', f.ack_note) END,
           'response', (SELECT d.doc FROM response_documents d WHERE d.finding_id = f.id ORDER BY d.id DESC LIMIT 1)
       ) AS doc
FROM findings f;

-- Every stored text follows the view's new shape (each gains
-- "acknowledgement": null).
UPDATE finding_doc_texts t SET doc = d.doc::text FROM finding_documents d WHERE d.id = t.finding_id;
