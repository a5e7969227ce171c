ALTER TABLE company DROP COLUMN catalog_version;
ALTER TABLE tasks DROP COLUMN template_version;
ALTER TABLE duties DROP COLUMN retired_on;
ALTER TABLE positions DROP COLUMN retired_on;
ALTER TABLE departments DROP COLUMN retired_on;
ALTER TABLE templates DROP COLUMN retire_reason;
ALTER TABLE templates DROP COLUMN retired_on;
ALTER TABLE templates DROP COLUMN version;
DROP TABLE template_versions;
