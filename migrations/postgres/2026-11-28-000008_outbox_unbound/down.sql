DELETE FROM outbox WHERE task_id IS NOT NULL AND task_id NOT IN (SELECT id FROM tasks);
ALTER TABLE outbox ADD CONSTRAINT outbox_task_id_fkey FOREIGN KEY (task_id) REFERENCES tasks(id);
ALTER TABLE outbox ADD CONSTRAINT outbox_recipient_id_fkey FOREIGN KEY (recipient_id) REFERENCES staff(id);
