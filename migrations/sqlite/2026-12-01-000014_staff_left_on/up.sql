-- A person's last day: from the day after, they cannot sign in and hold nothing;
-- their history stays under their name.
ALTER TABLE staff ADD COLUMN left_on DATE;
