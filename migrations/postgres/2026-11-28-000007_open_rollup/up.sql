-- Open tasks per day and department, by the (UTC) date they fall due, kept like
-- day_rollup: whether an open task counts as overdue depends on the time of asking,
-- and with this only the tasks falling due today need a live count.
CREATE TABLE open_rollup (
    day DATE NOT NULL,
    department_id TEXT NOT NULL REFERENCES departments(id),
    due_on DATE NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (day, department_id, due_on)
);
INSERT INTO open_rollup (day, department_id, due_on, n)
SELECT occurs_on, department_id, CAST(due_at AS DATE), COUNT(*)
FROM tasks WHERE status = 'open'
GROUP BY occurs_on, department_id, CAST(due_at AS DATE);
