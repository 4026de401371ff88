-- The findings API pages newest first by id and filters by kind, chain,
-- severity and status; with 100 000 findings and more, each filter needs
-- an index that yields its rows already in page order.
CREATE INDEX findings_kind_page_idx ON findings (kind, id DESC);
CREATE INDEX findings_chain_page_idx ON findings (chain, id DESC);
CREATE INDEX findings_severity_page_idx ON findings (severity, id DESC);
CREATE INDEX findings_status_page_idx ON findings (status, id DESC);
