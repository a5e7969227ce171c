-- What a person's cached list was read under. A change to one task (done, skipped,
-- reopened) counts one more on its assignee's row and, when it is shared, on its
-- position's; a change to many (generation, staffing, a catalogue change, a
-- rename) counts one more on the company's `list_epoch`. The statement that finds
-- who is asking reads all three, so an instance knows whether a list it keeps is
-- still true without reading it again.
ALTER TABLE company ADD COLUMN list_epoch BIGINT NOT NULL DEFAULT 0;
CREATE TABLE staff_list_stamps (
    staff_id BIGINT PRIMARY KEY NOT NULL,
    rev BIGINT NOT NULL
);
CREATE TABLE position_list_stamps (
    position_id TEXT PRIMARY KEY NOT NULL,
    rev BIGINT NOT NULL
);
