-- Leave is asked for and answered: `requested` until a lead or HR approves or
-- declines it; `cancelled` once withdrawn. Only approved whole-day leave moves tasks.
-- Leave recorded before this migration was recorded directly, so it is approved.
ALTER TABLE leaves ADD COLUMN status TEXT NOT NULL DEFAULT 'approved';
-- NULL for whole days; 'am' or 'pm' for half of one day (recorded, moves no task).
ALTER TABLE leaves ADD COLUMN half_day TEXT;
ALTER TABLE leaves ADD COLUMN requested_at TIMESTAMP;
ALTER TABLE leaves ADD COLUMN decided_by BIGINT REFERENCES staff(id);
ALTER TABLE leaves ADD COLUMN decided_at TIMESTAMP;
-- What the approver said (a reason to decline, say).
ALTER TABLE leaves ADD COLUMN answer TEXT NOT NULL DEFAULT '';
CREATE INDEX leaves_status ON leaves (status, starts_on);
