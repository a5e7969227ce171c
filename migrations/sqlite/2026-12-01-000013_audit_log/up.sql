-- Every change an admin, HR, a lead or the operator makes: who, when, what, and the
-- values before and after (JSON). Never updated or deleted.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TIMESTAMP NOT NULL,
    actor_id BIGINT REFERENCES staff(id),
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    before TEXT,
    after TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);
