-- 0008: opt-in review reminders: at most one direct message a day, when the member has cards due.
--
-- A row exists only for a member who asked (`/review remind:on`); turning it off deletes the row,
-- and a direct message that fails stops it (`stopped_at`, `stop_reason`), so the bot never
-- writes again until the member asks anew. `last_sent_date` is the member's local day already
-- reminded: claiming it with one UPDATE makes two processes send at most one message a day.

CREATE TABLE reminders (
    community      TEXT NOT NULL,
    user_id        TEXT NOT NULL,
    time_of_day    TEXT NOT NULL CHECK (time_of_day GLOB '[0-2][0-9]:[0-5][0-9]'),
    timezone       TEXT NOT NULL,
    lang           TEXT NOT NULL DEFAULT 'en',
    last_sent_date TEXT,
    stopped_at     TEXT,
    stop_reason    TEXT,
    PRIMARY KEY (community, user_id)
) WITHOUT ROWID;

CREATE INDEX reminders_active ON reminders (community) WHERE stopped_at IS NULL;
