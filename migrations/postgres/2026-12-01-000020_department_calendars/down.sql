ALTER TABLE company DROP COLUMN calendars;
ALTER TABLE departments DROP COLUMN calendar;
CREATE TABLE calendar_years_old (
    year INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    loaded_at TIMESTAMP NOT NULL
);
INSERT INTO calendar_years_old (year, source, loaded_at) SELECT year, source, loaded_at FROM calendar_years WHERE calendar = '';
DROP TABLE calendar_years;
ALTER TABLE calendar_years_old RENAME TO calendar_years;
CREATE TABLE calendar_days_old (
    day DATE PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL
);
INSERT INTO calendar_days_old (day, kind, name) SELECT day, kind, name FROM calendar_days WHERE calendar = '';
DROP TABLE calendar_days;
ALTER TABLE calendar_days_old RENAME TO calendar_days;
