-- Finished work per day and department, kept in the transaction of every status
-- change, so the department × day dashboard does not recount millions of tasks. Open
-- tasks are counted live (whether they are due depends on the time of asking),
-- through an index that holds everything that count needs.
CREATE TABLE day_rollup (
    day DATE NOT NULL,
    department_id TEXT NOT NULL REFERENCES departments(id),
    done BIGINT NOT NULL,
    on_time BIGINT NOT NULL,
    skipped BIGINT NOT NULL,
    missed BIGINT NOT NULL,
    PRIMARY KEY (day, department_id)
);
INSERT INTO day_rollup (day, department_id, done, on_time, skipped, missed)
SELECT occurs_on, department_id,
       SUM(CASE WHEN status = 'done' THEN 1 ELSE 0 END),
       SUM(CASE WHEN status = 'done' AND done_at <= due_at THEN 1 ELSE 0 END),
       SUM(CASE WHEN status = 'skipped' THEN 1 ELSE 0 END),
       SUM(CASE WHEN status = 'missed' THEN 1 ELSE 0 END)
FROM tasks WHERE status IN ('done', 'skipped', 'missed')
GROUP BY occurs_on, department_id;
CREATE INDEX tasks_status_day_department ON tasks (status, occurs_on, department_id, due_at);
