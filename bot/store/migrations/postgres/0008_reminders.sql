-- 0008 (PostgreSQL): opt-in review reminders, as SQLite's 0008_reminders.sql.

CREATE TABLE reminders (
    community      TEXT COLLATE "C" NOT NULL,
    user_id        TEXT COLLATE "C" NOT NULL,
    time_of_day    TEXT COLLATE "C" NOT NULL CHECK (time_of_day ~ '^[0-2][0-9]:[0-5][0-9]$'),
    timezone       TEXT COLLATE "C" NOT NULL,
    lang           TEXT COLLATE "C" NOT NULL DEFAULT 'en',
    last_sent_date TEXT COLLATE "C",
    stopped_at     TEXT COLLATE "C",
    stop_reason    TEXT COLLATE "C",
    PRIMARY KEY (community, user_id)
);

CREATE INDEX reminders_active ON reminders (community) WHERE stopped_at IS NULL;
