DROP TABLE position_list_stamps;
DROP TABLE staff_list_stamps;
ALTER TABLE company DROP COLUMN list_epoch;
