-- One-off tasks: a lead assigns a piece of work once. Each is a template row of
-- origin 'one_off' (never generated, never listed in the catalogue) under the
-- position's duty marked `assigned` (carry out what superiors assign), and its task
-- remembers who assigned it, to be told when it is done.
ALTER TABLE duties ADD COLUMN assigned BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE templates ADD COLUMN origin TEXT NOT NULL DEFAULT 'catalogue';
ALTER TABLE tasks ADD COLUMN assigned_by BIGINT REFERENCES staff(id);
CREATE INDEX tasks_assigned_by ON tasks (assigned_by);
