ALTER TABLE positions DROP COLUMN manages_people;
