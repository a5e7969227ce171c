-- The outbox is a log: a message stays when its task is removed by a staffing change
-- (the sender then cancels it, "task no longer exists"), so it holds task and staff
-- ids without foreign keys. Without them a sweep also queues its rows without a
-- lookup in the tasks and staff tables for each.
ALTER TABLE outbox DROP CONSTRAINT IF EXISTS outbox_task_id_fkey;
ALTER TABLE outbox DROP CONSTRAINT IF EXISTS outbox_recipient_id_fkey;
