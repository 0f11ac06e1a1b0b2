-- 0001: the whole first schema.
--
-- Answers are the source of truth. `scores` and `streaks` are aggregates kept by the triggers at
-- the end of this file in the same transaction as each answer, so recording an answer is one
-- INSERT from the application's side. Timestamps are UTC ISO 8601 text with microseconds
-- ('2026-11-23T09:00:00.000000+00:00'), which sorts in time order.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE guilds (
    guild_id          INTEGER PRIMARY KEY,
    timezone          TEXT,                         -- IANA name; NULL means the store's default
    season            INTEGER NOT NULL DEFAULT 1,
    season_started_at TEXT
);

CREATE TABLE members (
    guild_id     INTEGER NOT NULL REFERENCES guilds (guild_id),
    user_id      INTEGER NOT NULL,
    display_name TEXT    NOT NULL DEFAULT '',
    opted_out    INTEGER NOT NULL DEFAULT 0 CHECK (opted_out IN (0, 1)),
    PRIMARY KEY (guild_id, user_id)
) WITHOUT ROWID;

CREATE INDEX members_opted_out ON members (guild_id) WHERE opted_out = 1;

CREATE TABLE schedules (
    schedule_id        INTEGER PRIMARY KEY,
    guild_id           INTEGER NOT NULL REFERENCES guilds (guild_id),
    channel_id         INTEGER NOT NULL,
    time_of_day        TEXT    NOT NULL CHECK (time_of_day GLOB '[0-2][0-9]:[0-5][0-9]'),
    timezone           TEXT    NOT NULL,
    topic              TEXT,
    questions_per_post INTEGER NOT NULL DEFAULT 1 CHECK (questions_per_post BETWEEN 1 AND 5),
    reveal_after_hours REAL    CHECK (reveal_after_hours IS NULL OR reveal_after_hours > 0),
    paused             INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    pause_reason       TEXT,
    created_at         TEXT    NOT NULL,
    stopped_at         TEXT
);

-- One active schedule per channel; stopped ones stay as history.
CREATE UNIQUE INDEX schedules_active_channel ON schedules (channel_id) WHERE stopped_at IS NULL;
CREATE INDEX schedules_guild ON schedules (guild_id);

-- A question shown to a channel (board 'daily') or to one member (board 'practice'), with a
-- snapshot of the question so the post keeps working after the notes change.
CREATE TABLE posts (
    post_id       INTEGER PRIMARY KEY,
    guild_id      INTEGER NOT NULL REFERENCES guilds (guild_id),
    board         TEXT    NOT NULL CHECK (board IN ('daily', 'practice')),
    season        INTEGER NOT NULL,
    channel_id    INTEGER,
    message_id    INTEGER,
    owner_user_id INTEGER,                          -- practice: the member who asked
    schedule_id   INTEGER REFERENCES schedules (schedule_id),
    local_date    TEXT,                             -- daily: 'YYYY-MM-DD' in the schedule's zone
    seq           INTEGER CHECK (seq IS NULL OR seq BETWEEN 1 AND 5),
    topic         TEXT,
    question_id   TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    prompt        TEXT    NOT NULL,
    choices       TEXT    NOT NULL,                 -- JSON array of strings
    answer_index  INTEGER NOT NULL,
    explanation   TEXT    NOT NULL,
    term          TEXT    NOT NULL,
    entry_id      TEXT,
    deck          TEXT    NOT NULL,
    section       TEXT    NOT NULL DEFAULT '[]',    -- JSON array of strings
    source_path   TEXT    NOT NULL,
    source_line   INTEGER NOT NULL,
    posted_at     TEXT    NOT NULL,
    reveal_at     TEXT,
    revealed_at   TEXT,
    answer_count  INTEGER NOT NULL DEFAULT 0,
    correct_count INTEGER NOT NULL DEFAULT 0,       -- decides the first-correct bonus
    CHECK (board = 'practice' OR schedule_id IS NULL
           OR (local_date IS NOT NULL AND seq IS NOT NULL)),
    CHECK (board = 'daily' OR owner_user_id IS NOT NULL),
    UNIQUE (schedule_id, local_date, seq)
);

CREATE INDEX posts_schedule ON posts (schedule_id, post_id);
CREATE INDEX posts_due_reveal ON posts (reveal_at) WHERE revealed_at IS NULL AND reveal_at IS NOT NULL;
CREATE INDEX posts_guild_topic ON posts (guild_id, topic) WHERE board = 'daily';

-- One answer per member per post. `season` is the guild's season when the answer was given;
-- week_key/month_key are the answer's period in the guild's zone ('2026-W48', '2026-11').
CREATE TABLE answers (
    answer_id    INTEGER PRIMARY KEY,
    post_id      INTEGER NOT NULL REFERENCES posts (post_id),
    guild_id     INTEGER NOT NULL,
    board        TEXT    NOT NULL,
    season       INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    display_name TEXT    NOT NULL,
    choice       INTEGER NOT NULL,
    correct      INTEGER NOT NULL CHECK (correct IN (0, 1)),
    correct_rank INTEGER,                           -- 1-based place among correct answers
    points       INTEGER NOT NULL,
    streak       INTEGER NOT NULL,                  -- the member's streak after this answer
    answered_at  TEXT    NOT NULL,
    week_key     TEXT    NOT NULL,
    month_key    TEXT    NOT NULL,
    UNIQUE (post_id, user_id)
);

CREATE INDEX answers_guild_user ON answers (guild_id, user_id);
CREATE INDEX answers_misses ON answers (guild_id, post_id) WHERE correct = 0;

-- Per-period totals: period is 'all', a week key or a month key. The second index makes a
-- leaderboard page an index range scan in tie-break order.
CREATE TABLE scores (
    guild_id INTEGER NOT NULL,
    board    TEXT    NOT NULL,
    season   INTEGER NOT NULL,
    period   TEXT    NOT NULL,
    user_id  INTEGER NOT NULL,
    points   INTEGER NOT NULL,
    answered INTEGER NOT NULL,
    correct  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, board, season, period, user_id)
) WITHOUT ROWID;

CREATE INDEX scores_rank ON scores
    (guild_id, board, season, period, points DESC, correct DESC, answered ASC, user_id ASC);

-- Members per board, season and period (opted-out members included), kept by a trigger on
-- new score rows so a leaderboard's total needs no count over the whole board.
CREATE TABLE board_sizes (
    guild_id INTEGER NOT NULL,
    board    TEXT    NOT NULL,
    season   INTEGER NOT NULL,
    period   TEXT    NOT NULL,
    members  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, board, season, period)
) WITHOUT ROWID;

-- Fires for new rows only: an upsert that updates an existing row fires no INSERT trigger.
CREATE TRIGGER scores_count_members AFTER INSERT ON scores
BEGIN
    INSERT INTO board_sizes (guild_id, board, season, period, members)
    VALUES (NEW.guild_id, NEW.board, NEW.season, NEW.period, 1)
    ON CONFLICT (guild_id, board, season, period) DO UPDATE SET members = members + 1;
END;

-- Current and best streak: scope is the schedule for the daily board, 0 for practice.
-- last_post_id is the newest post of that scope the member answered.
CREATE TABLE streaks (
    guild_id     INTEGER NOT NULL,
    season       INTEGER NOT NULL,
    board        TEXT    NOT NULL,
    scope        INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    current      INTEGER NOT NULL,
    best         INTEGER NOT NULL,
    last_post_id INTEGER NOT NULL,
    PRIMARY KEY (guild_id, season, board, user_id, scope)
) WITHOUT ROWID;

CREATE TRIGGER answers_keep_aggregates AFTER INSERT ON answers
BEGIN
    INSERT INTO scores (guild_id, board, season, period, user_id, points, answered, correct)
    VALUES (NEW.guild_id, NEW.board, NEW.season, 'all', NEW.user_id, NEW.points, 1, NEW.correct),
           (NEW.guild_id, NEW.board, NEW.season, NEW.week_key, NEW.user_id, NEW.points, 1, NEW.correct),
           (NEW.guild_id, NEW.board, NEW.season, NEW.month_key, NEW.user_id, NEW.points, 1, NEW.correct)
    ON CONFLICT (guild_id, board, season, period, user_id) DO UPDATE SET
        points = points + excluded.points,
        answered = answered + 1,
        correct = correct + excluded.correct;

    UPDATE posts
       SET answer_count = answer_count + 1,
           correct_count = correct_count + NEW.correct
     WHERE post_id = NEW.post_id;

    INSERT INTO members (guild_id, user_id, display_name)
    VALUES (NEW.guild_id, NEW.user_id, NEW.display_name)
    ON CONFLICT (guild_id, user_id) DO UPDATE SET display_name = excluded.display_name
     WHERE display_name IS NOT excluded.display_name;

    -- An answer to an older post than the newest one answered (out of order) only counts
    -- towards the best streak.
    INSERT INTO streaks (guild_id, season, board, scope, user_id, current, best, last_post_id)
    VALUES (NEW.guild_id, NEW.season, NEW.board,
            CASE NEW.board WHEN 'daily'
                 THEN coalesce((SELECT schedule_id FROM posts WHERE post_id = NEW.post_id), 0)
                 ELSE 0 END,
            NEW.user_id, NEW.streak, NEW.streak, NEW.post_id)
    ON CONFLICT (guild_id, season, board, user_id, scope) DO UPDATE SET
        current = CASE WHEN excluded.last_post_id > last_post_id THEN excluded.current ELSE current END,
        best = max(best, excluded.best),
        last_post_id = max(last_post_id, excluded.last_post_id);
END;
