-- Alert delivery (issue 8): routing, ordering, dead letters, reminders,
-- grouping and silences.

-- What a row is about, copied from its finding when it is queued: the
-- grouping of bursts and the dashboard's views read it without a join.
ALTER TABLE alert_outbox ADD COLUMN kind text;
ALTER TABLE alert_outbox ADD COLUMN chain text;
ALTER TABLE alert_outbox ADD COLUMN severity text;
UPDATE alert_outbox o SET kind = f.kind, chain = f.chain, severity = f.severity FROM findings f WHERE f.id = o.finding_id;

-- seq tells the reminders of one open finding apart ('repeat' rows 1, 2,
-- ...); every other event has seq 0, so the old rule (one row per finding,
-- event and sink) still holds for them.
ALTER TABLE alert_outbox ADD COLUMN seq integer NOT NULL DEFAULT 0 CHECK (seq >= 0);
ALTER TABLE alert_outbox DROP CONSTRAINT alert_outbox_finding_id_event_sink_key;
ALTER TABLE alert_outbox ADD CONSTRAINT alert_outbox_finding_event_sink_seq_key UNIQUE (finding_id, event, sink, seq);

-- A row that failed alerts.max_attempts times is dead: kept, shown on the
-- dashboard, counted, and never sent again unless requeued.
ALTER TABLE alert_outbox ADD COLUMN dead_at timestamptz;
-- A row written while a silence matched its finding: recorded, never sent.
ALTER TABLE alert_outbox ADD COLUMN silence_id bigint;
-- Rows sent as part of another row's message (a grouped burst) name it.
ALTER TABLE alert_outbox ADD COLUMN sent_with bigint;

ALTER TABLE alert_outbox DROP CONSTRAINT alert_outbox_event_check;
ALTER TABLE alert_outbox ADD CONSTRAINT alert_outbox_event_check
    CHECK (event IN ('raised', 'retracted', 'resolved', 'escalated', 'repeat', 'challenge_active',
                     'challenge_expired', 'response_dry_run', 'response_sent', 'response_landed',
                     'response_failed'));

DROP INDEX alert_outbox_due_idx;
CREATE INDEX alert_outbox_due_idx ON alert_outbox (next_attempt_at)
    WHERE delivered_at IS NULL AND dead_at IS NULL AND silence_id IS NULL;
-- Per finding and sink, in order: a row waits for the rows before it.
CREATE INDEX alert_outbox_finding_sink_idx ON alert_outbox (finding_id, sink, id);
CREATE INDEX alert_outbox_dead_idx ON alert_outbox (dead_at) WHERE dead_at IS NOT NULL;

-- Silences: while one is live (not expired, not deleted), findings it
-- matches are stored and their alerts recorded as silenced instead of sent.
-- A matcher left NULL matches anything; at least one is set. subject ends
-- in '*' to match a prefix.
CREATE TABLE alert_silences (
    id          bigserial PRIMARY KEY,
    kind        text,
    chain       text,
    severity    text CHECK (severity IS NULL OR severity IN ('info', 'low', 'medium', 'high', 'critical')),
    subject     text,
    author      text NOT NULL CHECK (length(author) BETWEEN 1 AND 200),
    reason      text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    deleted_at  timestamptz,
    CHECK (kind IS NOT NULL OR chain IS NOT NULL OR severity IS NOT NULL OR subject IS NOT NULL),
    CHECK (expires_at > created_at)
);
CREATE INDEX alert_silences_live_idx ON alert_silences (expires_at) WHERE deleted_at IS NULL;
