UPDATE outbox SET body_html = body_json WHERE channel = 'webhook' AND body_json IS NOT NULL;
ALTER TABLE outbox DROP COLUMN body_json;
