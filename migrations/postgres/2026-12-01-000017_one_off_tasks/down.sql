DROP INDEX tasks_assigned_by;
ALTER TABLE tasks DROP COLUMN assigned_by;
ALTER TABLE templates DROP COLUMN origin;
ALTER TABLE duties DROP COLUMN assigned;
