ALTER TABLE templates DROP COLUMN paused_at;
