DROP INDEX tasks_position_open;
DROP INDEX tasks_assignee_open;
