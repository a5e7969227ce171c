-- Accounts: API tokens, login throttling, the calendar feed's secret, and task history.
CREATE TABLE api_tokens (
    id BIGSERIAL PRIMARY KEY,
    staff_id BIGINT NOT NULL REFERENCES staff(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX api_tokens_staff ON api_tokens (staff_id);
CREATE TABLE login_throttle (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    first_failure_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP
);
CREATE TABLE task_log (
    id BIGSERIAL PRIMARY KEY,
    task_id BIGINT NOT NULL REFERENCES tasks(id),
    at TIMESTAMP NOT NULL,
    actor_id BIGINT REFERENCES staff(id),
    action TEXT NOT NULL,
    detail TEXT
);
CREATE INDEX task_log_task ON task_log (task_id);
ALTER TABLE staff ADD COLUMN ical_token_hash TEXT;
CREATE UNIQUE INDEX staff_ical_token ON staff (ical_token_hash);
