-- The outbox is a log: a message stays when its task is removed by a staffing change
-- (the sender then cancels it, "task no longer exists"), so it holds task and staff
-- ids without foreign keys. Without them a sweep also queues its rows without a
-- lookup in the tasks and staff tables for each. SQLite drops a constraint by
-- rebuilding the table.
CREATE TABLE outbox_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dedupe_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    level INTEGER NOT NULL,
    task_id INTEGER,
    task_assignee_id INTEGER,
    recipient_id INTEGER,
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
INSERT INTO outbox_new (id, dedupe_key, kind, level, task_id, task_assignee_id, recipient_id, channel, address, lang, subject, body_text, body_html, status, attempts, next_attempt_at, claimed_until, last_error, created_at, sent_at)
    SELECT id, dedupe_key, kind, level, task_id, task_assignee_id, recipient_id, channel, address, lang, subject, body_text, body_html, status, attempts, next_attempt_at, claimed_until, last_error, created_at, sent_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE UNIQUE INDEX outbox_once ON outbox (dedupe_key);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_task ON outbox (task_id);
