DROP INDEX outbox_created;
DROP TABLE reminder_marks;
ALTER TABLE outbox DROP COLUMN items;
