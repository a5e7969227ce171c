DROP TABLE open_rollup;
