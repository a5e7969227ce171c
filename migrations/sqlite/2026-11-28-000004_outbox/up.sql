-- Reminders and digests: the policy, webhooks, each person's digest choice, and the
-- outbox every message passes through (decided and written in one transaction, sent
-- by a job; the unique key makes each (task, kind, level, recipient) at most once).
ALTER TABLE company ADD COLUMN reminders TEXT NOT NULL DEFAULT '{}';
ALTER TABLE company ADD COLUMN webhooks TEXT NOT NULL DEFAULT '[]';
ALTER TABLE staff ADD COLUMN digest_opt_out BOOLEAN NOT NULL DEFAULT FALSE;
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dedupe_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    level INTEGER NOT NULL,
    task_id INTEGER REFERENCES tasks(id),
    task_assignee_id INTEGER,
    recipient_id INTEGER REFERENCES staff(id),
    channel TEXT NOT NULL,
    address TEXT NOT NULL,
    lang TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_until TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE UNIQUE INDEX outbox_once ON outbox (dedupe_key);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_task ON outbox (task_id);
