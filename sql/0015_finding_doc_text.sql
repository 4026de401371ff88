-- Each finding's document (the finding_documents view) kept as text, so that
-- GET /api/v1/findings joins a page of stored texts instead of building a
-- jsonb object per finding, its latest response included, on every request.
-- bench/bench_web.py measured building them at 3.2 ms of PostgreSQL CPU per
-- page of 100: the route could not hold 1 000 requests a second.
--
-- The view stays the one definition of the shape: the triggers below store
-- its output, they do not spell it a second time. A finding's document
-- depends on its own row and on its latest response, so both tables refresh it.

CREATE TABLE finding_doc_texts (
    finding_id bigint PRIMARY KEY REFERENCES findings(id) ON DELETE CASCADE,
    doc        text NOT NULL
);

-- Two writers of one finding's document (the detector changing the finding,
-- the responder its response) could each build it from a snapshot without
-- the other's change, and the later upsert would keep a stale text. So the
-- refresh first takes the finding's row lock, which an UPDATE of the finding
-- also holds, and only then builds the text, in a statement of its own and so
-- with a snapshot taken after the other writer committed. (FOR NO KEY UPDATE:
-- a response's foreign-key check only takes KEY SHARE, which it does not block.)
CREATE FUNCTION finding_doc_text_refresh(fid bigint) RETURNS void
LANGUAGE sql AS $$
    SELECT 1 FROM findings WHERE id = fid FOR NO KEY UPDATE;
    INSERT INTO finding_doc_texts (finding_id, doc)
    SELECT d.id, d.doc::text FROM finding_documents d WHERE d.id = fid
    ON CONFLICT (finding_id) DO UPDATE SET doc = EXCLUDED.doc
$$;

CREATE FUNCTION finding_doc_text_on_finding() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM finding_doc_text_refresh(NEW.id);
    RETURN NULL;
END
$$;

-- A response moved to another finding (never done today) changes both.
CREATE FUNCTION finding_doc_text_on_response() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM finding_doc_text_refresh(OLD.finding_id);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND (TG_OP = 'INSERT' OR NEW.finding_id IS DISTINCT FROM OLD.finding_id) THEN
        PERFORM finding_doc_text_refresh(NEW.finding_id);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER finding_doc_text_finding AFTER INSERT OR UPDATE ON findings
    FOR EACH ROW EXECUTE FUNCTION finding_doc_text_on_finding();
CREATE TRIGGER finding_doc_text_response AFTER INSERT OR UPDATE OR DELETE ON responses
    FOR EACH ROW EXECUTE FUNCTION finding_doc_text_on_response();

INSERT INTO finding_doc_texts (finding_id, doc) SELECT id, doc::text FROM finding_documents;
