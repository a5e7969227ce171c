-- The company, its organisation, its catalogue, its calendar, its people and their tasks.
CREATE TABLE company (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL,
    name_en TEXT NOT NULL,
    timezone TEXT NOT NULL,
    festivals TEXT NOT NULL,
    imported_at TIMESTAMP NOT NULL
);
CREATE TABLE departments (
    id TEXT PRIMARY KEY,
    zh TEXT NOT NULL,
    en TEXT NOT NULL,
    lead_position_id TEXT,
    reports_to TEXT REFERENCES departments(id),
    sort_order INTEGER NOT NULL
);
CREATE TABLE positions (
    id TEXT PRIMARY KEY,
    department_id TEXT NOT NULL REFERENCES departments(id),
    zh TEXT NOT NULL,
    en TEXT NOT NULL,
    headcount INTEGER NOT NULL,
    sort_order INTEGER NOT NULL
);
CREATE TABLE duties (
    id TEXT PRIMARY KEY,
    position_id TEXT NOT NULL REFERENCES positions(id),
    kind TEXT NOT NULL,
    zh TEXT NOT NULL,
    en TEXT NOT NULL,
    source TEXT NOT NULL,
    sort_order INTEGER NOT NULL
);
CREATE TABLE templates (
    id TEXT PRIMARY KEY,
    duty_id TEXT NOT NULL REFERENCES duties(id),
    position_id TEXT NOT NULL REFERENCES positions(id),
    zh TEXT NOT NULL,
    en TEXT NOT NULL,
    spec TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    sort_order INTEGER NOT NULL
);
CREATE TABLE staff (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT,
    is_admin BOOLEAN NOT NULL DEFAULT FALSE,
    locale TEXT NOT NULL DEFAULT 'zh-CN',
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL
);
CREATE TABLE position_holders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    staff_id BIGINT NOT NULL REFERENCES staff(id),
    position_id TEXT NOT NULL REFERENCES positions(id),
    deputy BOOLEAN NOT NULL,
    valid_from DATE NOT NULL,
    valid_to DATE
);
CREATE INDEX position_holders_position ON position_holders (position_id);
CREATE INDEX position_holders_staff ON position_holders (staff_id);
CREATE TABLE leaves (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    staff_id BIGINT NOT NULL REFERENCES staff(id),
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX leaves_staff ON leaves (staff_id);
CREATE TABLE calendar_days (
    day DATE PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL
);
CREATE TABLE calendar_years (
    year INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    loaded_at TIMESTAMP NOT NULL
);
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    subject_staff_id BIGINT REFERENCES staff(id),
    occurs_on DATE NOT NULL,
    fired_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX events_once ON events (name, subject, occurs_on);
CREATE TABLE template_state (
    template_id TEXT PRIMARY KEY REFERENCES templates(id),
    generated_through DATE NOT NULL
);
CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    template_id TEXT NOT NULL REFERENCES templates(id),
    occurrence TEXT NOT NULL,
    slot TEXT NOT NULL,
    occurs_on DATE NOT NULL,
    due_at TIMESTAMP NOT NULL,
    position_id TEXT NOT NULL REFERENCES positions(id),
    department_id TEXT NOT NULL REFERENCES departments(id),
    assignee_id BIGINT REFERENCES staff(id),
    cover TEXT NOT NULL,
    covered_staff_id BIGINT REFERENCES staff(id),
    event_id BIGINT REFERENCES events(id),
    status TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    done_at TIMESTAMP,
    done_by BIGINT REFERENCES staff(id),
    note TEXT,
    figures TEXT
);
-- Exactly once: one task per template, occurrence and slot, whoever inserts it.
CREATE UNIQUE INDEX tasks_once ON tasks (template_id, occurrence, slot);
CREATE INDEX tasks_assignee_day ON tasks (assignee_id, occurs_on);
CREATE INDEX tasks_status_due ON tasks (status, due_at);
CREATE INDEX tasks_position_day ON tasks (position_id, occurs_on);
