DROP INDEX leaves_status;
ALTER TABLE leaves DROP COLUMN answer;
ALTER TABLE leaves DROP COLUMN decided_at;
ALTER TABLE leaves DROP COLUMN decided_by;
ALTER TABLE leaves DROP COLUMN requested_at;
ALTER TABLE leaves DROP COLUMN half_day;
ALTER TABLE leaves DROP COLUMN status;
