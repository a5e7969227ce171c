-- Templates change from a date. Every version of a catalogue template is kept with
-- the date it takes effect; the templates row holds the latest. A task remembers the
-- version it was made under; a retired template makes nothing from `retired_on`, and
-- its open tasks from then on are cancelled with the reason (in the task's note).
-- Departments, positions and duties retire from a date too, and stay for history.
CREATE TABLE template_versions (
    template_id TEXT NOT NULL REFERENCES templates(id),
    version INTEGER NOT NULL,
    effective_from DATE NOT NULL,
    duty_id TEXT NOT NULL,
    position_id TEXT NOT NULL,
    zh TEXT NOT NULL,
    en TEXT NOT NULL,
    spec TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by BIGINT REFERENCES staff(id),
    reason TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (template_id, version)
);
ALTER TABLE templates ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE templates ADD COLUMN retired_on DATE;
ALTER TABLE templates ADD COLUMN retire_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE departments ADD COLUMN retired_on DATE;
ALTER TABLE positions ADD COLUMN retired_on DATE;
ALTER TABLE duties ADD COLUMN retired_on DATE;
ALTER TABLE tasks ADD COLUMN template_version INTEGER NOT NULL DEFAULT 1;
-- How many times the catalogue changed: instances compare it to see a change made
-- elsewhere without a restart.
ALTER TABLE company ADD COLUMN catalog_version BIGINT NOT NULL DEFAULT 1;
INSERT INTO template_versions (template_id, version, effective_from, duty_id, position_id, zh, en, spec, created_at)
SELECT t.id, 1, date(c.imported_at), t.duty_id, t.position_id, t.zh, t.en, t.spec, c.imported_at
FROM templates t CROSS JOIN company c WHERE t.origin = 'catalogue';
