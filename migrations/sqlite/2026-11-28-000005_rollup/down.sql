DROP INDEX tasks_status_day_department;
DROP TABLE day_rollup;
