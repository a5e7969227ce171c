DROP INDEX staff_ical_token;
ALTER TABLE staff DROP COLUMN ical_token_hash;
DROP TABLE task_log;
DROP TABLE login_throttle;
DROP TABLE api_tokens;
