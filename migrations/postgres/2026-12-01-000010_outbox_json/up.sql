-- A webhook's JSON body gets a column of its own instead of riding in body_html.
ALTER TABLE outbox ADD COLUMN body_json TEXT;
UPDATE outbox SET body_json = body_html, body_html = '' WHERE channel = 'webhook';
