DROP TABLE outbox;
ALTER TABLE staff DROP COLUMN digest_opt_out;
ALTER TABLE company DROP COLUMN webhooks;
ALTER TABLE company DROP COLUMN reminders;
