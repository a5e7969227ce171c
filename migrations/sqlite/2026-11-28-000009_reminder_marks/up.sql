-- One outbox row per message, not per reminder: a message lists the reminders it
-- carries in `items` ("task:assignee:kind:level", comma-separated), so a sweep after
-- downtime queues one message per person and step instead of one row per task and
-- step. At-most-once moves to `reminder_marks`: per task, the steps already decided
-- (a bit each: due-soon, overdue, each repeat, the two escalations, the two webhook
-- posts) and the assignee they were decided for. Like the outbox, it is a log and
-- holds task ids without a foreign key.
ALTER TABLE outbox ADD COLUMN items TEXT NOT NULL DEFAULT '';
CREATE TABLE reminder_marks (
    task_id BIGINT PRIMARY KEY NOT NULL,
    assignee_id BIGINT,
    steps BIGINT NOT NULL
);
-- The dashboard finds the reminders sent about its overdue tasks by time.
CREATE INDEX outbox_created ON outbox (created_at);
-- Rows queued before: each is a message of one reminder, and each decided step a mark.
UPDATE outbox SET items = task_id || ':' || coalesce(task_assignee_id, '') || ':' || kind || ':' || level
    WHERE task_id IS NOT NULL;
INSERT INTO reminder_marks (task_id, assignee_id, steps)
SELECT o.task_id,
    (SELECT a.task_assignee_id FROM outbox a
        WHERE a.task_id = o.task_id AND a.channel = 'email' AND a.kind IN ('due_soon', 'overdue', 'repeat')
        ORDER BY a.id DESC LIMIT 1),
    SUM(DISTINCT CASE
        WHEN o.channel = 'webhook' AND o.kind = 'overdue' THEN 281474976710656
        WHEN o.channel = 'webhook' AND o.kind = 'escalation' THEN 562949953421312
        WHEN o.kind = 'due_soon' THEN 1
        WHEN o.kind = 'overdue' THEN 2
        WHEN o.kind = 'repeat' THEN (1 << (1 + o.level))
        WHEN o.kind = 'escalation' AND o.level = 1 THEN 1099511627776
        WHEN o.kind = 'escalation' THEN 2199023255552
        ELSE 0 END)
FROM outbox o WHERE o.task_id IS NOT NULL GROUP BY o.task_id;
