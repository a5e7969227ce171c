-- Page sessions kept on the server, so that logging out, changing a password or
-- signing out everywhere ends them at once. The cookie holds the secret; only its
-- hash is stored.
CREATE TABLE sessions (
    secret_hash TEXT PRIMARY KEY,
    staff_id BIGINT NOT NULL REFERENCES staff(id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_staff ON sessions (staff_id);
