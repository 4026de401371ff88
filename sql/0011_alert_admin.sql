-- Silences and dead letters managed through the API (issue 8): who did
-- what, kept for the audit, and the indexes the dashboard's views read.

-- author is what the caller wrote (a person, a ticket); created_by and
-- deleted_by are the web.clients names whose tokens made the change, which
-- a caller cannot choose.
ALTER TABLE alert_silences ADD COLUMN created_by text;
ALTER TABLE alert_silences ADD COLUMN deleted_by text;
ALTER TABLE alert_silences ADD CONSTRAINT alert_silences_deleted_check
    CHECK (deleted_at IS NULL OR (deleted_at < expires_at AND deleted_at >= created_at));

-- What each silence held back, counted per silence for the API.
CREATE INDEX alert_outbox_silence_idx ON alert_outbox (silence_id) WHERE silence_id IS NOT NULL;

-- A requeued dead letter starts its attempts again; these keep what it went
-- through before.
ALTER TABLE alert_outbox ADD COLUMN requeues integer NOT NULL DEFAULT 0 CHECK (requeues >= 0);
ALTER TABLE alert_outbox ADD COLUMN requeued_at timestamptz;
ALTER TABLE alert_outbox ADD COLUMN requeued_by text;

-- The one JSON shape of a silence, for the API and the dashboard.
CREATE VIEW silence_documents AS
SELECT z.id,
       jsonb_build_object(
           'id', z.id,
           'matchers', jsonb_strip_nulls(jsonb_build_object('kind', z.kind, 'chain', z.chain,
                                                            'severity', z.severity, 'subject', z.subject)),
           'author', z.author,
           'created_by', z.created_by,
           'reason', z.reason,
           'created_at', to_char(z.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
           'expires_at', to_char(z.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
           'deleted_at', to_char(z.deleted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
           'deleted_by', z.deleted_by,
           'state', CASE WHEN z.deleted_at IS NOT NULL THEN 'deleted'
                         WHEN z.expires_at <= now() THEN 'expired' ELSE 'live' END,
           'alerts_held', (SELECT count(*) FROM alert_outbox o WHERE o.silence_id = z.id),
           'findings_held', (SELECT count(DISTINCT o.finding_id) FROM alert_outbox o WHERE o.silence_id = z.id)
       ) AS doc
FROM alert_silences z;

-- The one JSON shape of a dead letter. superseded: a later alert of the
-- same finding reached the same sink, so sending this one now would put an
-- old state (say "raised") after a newer one ("resolved") at the receiver.
CREATE VIEW dead_letter_documents AS
SELECT o.id, o.dead_at,
       jsonb_build_object(
           'id', o.id,
           'finding_id', o.finding_id,
           'event', o.event,
           'seq', o.seq,
           'sink', o.sink,
           'kind', o.kind,
           'chain', o.chain,
           'severity', o.severity,
           'attempts', o.attempts,
           'last_error', o.last_error,
           'created_at', to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
           'dead_at', to_char(o.dead_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
           'requeues', o.requeues,
           'requeued_at', to_char(o.requeued_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
           'requeued_by', o.requeued_by,
           'superseded', EXISTS (SELECT 1 FROM alert_outbox l WHERE l.finding_id = o.finding_id
                                 AND l.sink = o.sink AND l.id > o.id AND l.delivered_at IS NOT NULL)
       ) AS doc
FROM alert_outbox o
WHERE o.dead_at IS NOT NULL;
