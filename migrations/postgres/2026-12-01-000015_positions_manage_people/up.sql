-- A position whose holder manages people, holdings and leave (人事行政 in the seed);
-- set from org.toml's `manages_people = true` at import.
ALTER TABLE positions ADD COLUMN manages_people BOOLEAN NOT NULL DEFAULT FALSE;
