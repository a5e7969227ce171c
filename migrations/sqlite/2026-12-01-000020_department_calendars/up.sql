-- Calendars per department: a department may name a calendar of its own (declared
-- with its usual working days in the company's `calendars`); its days and years are
-- stored beside the company's, whose calendar name is ''.
CREATE TABLE calendar_days_new (
    calendar TEXT NOT NULL DEFAULT '',
    day DATE NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (calendar, day)
);
INSERT INTO calendar_days_new (calendar, day, kind, name) SELECT '', day, kind, name FROM calendar_days;
DROP TABLE calendar_days;
ALTER TABLE calendar_days_new RENAME TO calendar_days;
CREATE TABLE calendar_years_new (
    calendar TEXT NOT NULL DEFAULT '',
    year INTEGER NOT NULL,
    source TEXT NOT NULL,
    loaded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (calendar, year)
);
INSERT INTO calendar_years_new (calendar, year, source, loaded_at) SELECT '', year, source, loaded_at FROM calendar_years;
DROP TABLE calendar_years;
ALTER TABLE calendar_years_new RENAME TO calendar_years;
ALTER TABLE departments ADD COLUMN calendar TEXT;
ALTER TABLE company ADD COLUMN calendars TEXT NOT NULL DEFAULT '[]';
