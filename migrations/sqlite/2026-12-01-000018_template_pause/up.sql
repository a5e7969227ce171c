-- A paused template makes nothing until resumed (then its catch-up policy decides
-- what becomes of the occurrences it missed). When it was paused; NULL while running.
ALTER TABLE templates ADD COLUMN paused_at TIMESTAMP;
