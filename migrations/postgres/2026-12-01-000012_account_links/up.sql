-- One-time links that let a person set their password: an invitation (72 hours) or
-- a reset (1 hour). Only the secret's hash is kept; a link is used once.
CREATE TABLE account_links (
    secret_hash TEXT PRIMARY KEY,
    staff_id BIGINT NOT NULL REFERENCES staff(id),
    purpose TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX account_links_staff ON account_links (staff_id);
