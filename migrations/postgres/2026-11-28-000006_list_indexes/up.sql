-- A person's list asks for their tasks of the coming days and their overdue ones,
-- and for their positions' shared tasks likewise: one narrow index range each, so the
-- list reads tens of rows, not a year of them.
CREATE INDEX IF NOT EXISTS tasks_assignee_open ON tasks (assignee_id, status, due_at);
CREATE INDEX IF NOT EXISTS tasks_position_open ON tasks (position_id, status, due_at);
