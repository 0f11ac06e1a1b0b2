-- 0004: communities instead of Discord guilds; users, channels and messages as the platform's text.
--
-- A community is 'platform:id' ('discord:1178...', 'slack:T024BE7LD'), so two groups with the
-- same id on different platforms never share a row. Every table that carried a guild id carries
-- the community key instead, and user, channel and message ids become text (Slack's are not
-- numbers). Existing rows are Discord's: guild 1178... becomes 'discord:1178...'. Each table is
-- rebuilt (SQLite cannot change a column's type in place): new tables are filled from the old
-- ones, the old ones dropped, the new ones renamed, then indexes and triggers are made again.
-- The migration runner turns foreign-key enforcement off around a migration and checks every
-- reference before it commits.

CREATE TABLE communities_new (
    community         TEXT    PRIMARY KEY,
    timezone          TEXT,                         -- IANA name; NULL means the store's default
    season            INTEGER NOT NULL DEFAULT 1,
    season_started_at TEXT
);
INSERT INTO communities_new (community, timezone, season, season_started_at)
SELECT 'discord:' || guild_id, timezone, season, season_started_at FROM guilds;

CREATE TABLE members_new (
    community    TEXT    NOT NULL REFERENCES communities (community),
    user_id      TEXT    NOT NULL,
    display_name TEXT    NOT NULL DEFAULT '',
    opted_out    INTEGER NOT NULL DEFAULT 0 CHECK (opted_out IN (0, 1)),
    PRIMARY KEY (community, user_id)
) WITHOUT ROWID;
INSERT INTO members_new (community, user_id, display_name, opted_out)
SELECT 'discord:' || guild_id, CAST(user_id AS TEXT), display_name, opted_out FROM members;

CREATE TABLE schedules_new (
    schedule_id        INTEGER PRIMARY KEY,
    community          TEXT    NOT NULL REFERENCES communities (community),
    channel_id         TEXT    NOT NULL,
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
INSERT INTO schedules_new
SELECT schedule_id, 'discord:' || guild_id, CAST(channel_id AS TEXT), time_of_day, timezone, topic,
       questions_per_post, reveal_after_hours, paused, pause_reason, created_at, stopped_at
  FROM schedules;

CREATE TABLE posts_new (
    post_id            INTEGER PRIMARY KEY,
    community          TEXT    NOT NULL REFERENCES communities (community),
    board              TEXT    NOT NULL CHECK (board IN ('daily', 'practice')),
    season             INTEGER NOT NULL,
    channel_id         TEXT,
    message_id         TEXT,
    owner_user_id      TEXT,                        -- practice: the member who asked
    schedule_id        INTEGER REFERENCES schedules (schedule_id),
    local_date         TEXT,                        -- daily: 'YYYY-MM-DD' in the schedule's zone
    seq                INTEGER CHECK (seq IS NULL OR seq BETWEEN 1 AND 5),
    topic              TEXT,
    question_id        TEXT    NOT NULL,
    kind               TEXT    NOT NULL,
    prompt             TEXT    NOT NULL,
    choices            TEXT    NOT NULL,            -- JSON array of strings
    answer_index       INTEGER NOT NULL,
    explanation        TEXT    NOT NULL,
    term               TEXT    NOT NULL,
    entry_id           TEXT,
    deck               TEXT    NOT NULL,
    section            TEXT    NOT NULL DEFAULT '[]', -- JSON array of strings
    source_path        TEXT    NOT NULL,
    source_line        INTEGER NOT NULL,
    posted_at          TEXT    NOT NULL,
    reveal_at          TEXT,
    revealed_at        TEXT,
    answer_count       INTEGER NOT NULL DEFAULT 0,
    correct_count      INTEGER NOT NULL DEFAULT 0,  -- decides the first-correct bonus
    send_claimed_until TEXT,
    reveal_edited_at   TEXT,
    CHECK (board = 'practice' OR schedule_id IS NULL
           OR (local_date IS NOT NULL AND seq IS NOT NULL)),
    CHECK (board = 'daily' OR owner_user_id IS NOT NULL),
    UNIQUE (schedule_id, local_date, seq)
);
INSERT INTO posts_new
SELECT post_id, 'discord:' || guild_id, board, season, CAST(channel_id AS TEXT),
       CAST(message_id AS TEXT), CAST(owner_user_id AS TEXT), schedule_id, local_date, seq, topic,
       question_id, kind, prompt, choices, answer_index, explanation, term, entry_id, deck, section,
       source_path, source_line, posted_at, reveal_at, revealed_at, answer_count, correct_count,
       send_claimed_until, reveal_edited_at
  FROM posts;

CREATE TABLE answers_new (
    answer_id    INTEGER PRIMARY KEY,
    post_id      INTEGER NOT NULL REFERENCES posts (post_id),
    community    TEXT    NOT NULL,
    board        TEXT    NOT NULL,
    season       INTEGER NOT NULL,
    user_id      TEXT    NOT NULL,
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
INSERT INTO answers_new
SELECT answer_id, post_id, 'discord:' || guild_id, board, season, CAST(user_id AS TEXT),
       display_name, choice, correct, correct_rank, points, streak, answered_at, week_key, month_key
  FROM answers;

CREATE TABLE scores_new (
    community TEXT    NOT NULL,
    board     TEXT    NOT NULL,
    season    INTEGER NOT NULL,
    period    TEXT    NOT NULL,
    user_id   TEXT    NOT NULL,
    points    INTEGER NOT NULL,
    answered  INTEGER NOT NULL,
    correct   INTEGER NOT NULL,
    PRIMARY KEY (community, board, season, period, user_id)
) WITHOUT ROWID;
INSERT INTO scores_new
SELECT 'discord:' || guild_id, board, season, period, CAST(user_id AS TEXT), points, answered, correct
  FROM scores;

CREATE TABLE board_sizes_new (
    community TEXT    NOT NULL,
    board     TEXT    NOT NULL,
    season    INTEGER NOT NULL,
    period    TEXT    NOT NULL,
    members   INTEGER NOT NULL,
    PRIMARY KEY (community, board, season, period)
) WITHOUT ROWID;
INSERT INTO board_sizes_new SELECT 'discord:' || guild_id, board, season, period, members FROM board_sizes;

CREATE TABLE streaks_new (
    community    TEXT    NOT NULL,
    season       INTEGER NOT NULL,
    board        TEXT    NOT NULL,
    scope        INTEGER NOT NULL,
    user_id      TEXT    NOT NULL,
    current      INTEGER NOT NULL,
    best         INTEGER NOT NULL,
    last_post_id INTEGER NOT NULL,
    PRIMARY KEY (community, season, board, user_id, scope)
) WITHOUT ROWID;
INSERT INTO streaks_new
SELECT 'discord:' || guild_id, season, board, scope, CAST(user_id AS TEXT), current, best, last_post_id
  FROM streaks;

CREATE TABLE score_levels_new (
    community TEXT    NOT NULL,
    board     TEXT    NOT NULL,
    season    INTEGER NOT NULL,
    period    TEXT    NOT NULL,
    points    INTEGER NOT NULL,
    members   INTEGER NOT NULL,
    PRIMARY KEY (community, board, season, period, points)
) WITHOUT ROWID;
INSERT INTO score_levels_new
SELECT 'discord:' || guild_id, board, season, period, points, members FROM score_levels;

-- Children first; dropping a table drops its indexes and triggers.
DROP TABLE score_levels;
DROP TABLE streaks;
DROP TABLE board_sizes;
DROP TABLE scores;
DROP TABLE answers;
DROP TABLE posts;
DROP TABLE schedules;
DROP TABLE members;
DROP TABLE guilds;

ALTER TABLE communities_new RENAME TO communities;
ALTER TABLE members_new RENAME TO members;
ALTER TABLE schedules_new RENAME TO schedules;
ALTER TABLE posts_new RENAME TO posts;
ALTER TABLE answers_new RENAME TO answers;
ALTER TABLE scores_new RENAME TO scores;
ALTER TABLE board_sizes_new RENAME TO board_sizes;
ALTER TABLE streaks_new RENAME TO streaks;
ALTER TABLE score_levels_new RENAME TO score_levels;

CREATE INDEX members_opted_out ON members (community) WHERE opted_out = 1;

-- One active schedule per channel; stopped ones stay as history.
CREATE UNIQUE INDEX schedules_active_channel ON schedules (community, channel_id) WHERE stopped_at IS NULL;
CREATE INDEX schedules_community ON schedules (community);

CREATE INDEX posts_schedule ON posts (schedule_id, post_id);
CREATE INDEX posts_due_reveal ON posts (reveal_at) WHERE revealed_at IS NULL AND reveal_at IS NOT NULL;
CREATE INDEX posts_community_topic ON posts (community, topic) WHERE board = 'daily';
CREATE INDEX posts_unsent ON posts (posted_at)
    WHERE board = 'daily' AND message_id IS NULL AND revealed_at IS NULL;
CREATE INDEX posts_pending_reveal_edit ON posts (revealed_at)
    WHERE revealed_at IS NOT NULL AND reveal_edited_at IS NULL AND message_id IS NOT NULL;

CREATE INDEX answers_community_user ON answers (community, user_id);
CREATE INDEX answers_misses ON answers (community, post_id) WHERE correct = 0;

CREATE INDEX scores_rank ON scores
    (community, board, season, period, points DESC, correct DESC, answered ASC, user_id ASC);

-- The triggers of 0001 and 0003, keyed by community.
CREATE TRIGGER scores_count_members AFTER INSERT ON scores
BEGIN
    INSERT INTO board_sizes (community, board, season, period, members)
    VALUES (NEW.community, NEW.board, NEW.season, NEW.period, 1)
    ON CONFLICT (community, board, season, period) DO UPDATE SET members = members + 1;
END;

CREATE TRIGGER answers_keep_aggregates AFTER INSERT ON answers
BEGIN
    INSERT INTO scores (community, board, season, period, user_id, points, answered, correct)
    VALUES (NEW.community, NEW.board, NEW.season, 'all', NEW.user_id, NEW.points, 1, NEW.correct),
           (NEW.community, NEW.board, NEW.season, NEW.week_key, NEW.user_id, NEW.points, 1, NEW.correct),
           (NEW.community, NEW.board, NEW.season, NEW.month_key, NEW.user_id, NEW.points, 1, NEW.correct)
    ON CONFLICT (community, board, season, period, user_id) DO UPDATE SET
        points = points + excluded.points,
        answered = answered + 1,
        correct = correct + excluded.correct;

    UPDATE posts
       SET answer_count = answer_count + 1,
           correct_count = correct_count + NEW.correct
     WHERE post_id = NEW.post_id;

    INSERT INTO members (community, user_id, display_name)
    VALUES (NEW.community, NEW.user_id, NEW.display_name)
    ON CONFLICT (community, user_id) DO UPDATE SET display_name = excluded.display_name
     WHERE display_name IS NOT excluded.display_name;

    -- An answer to an older post than the newest one answered (out of order) only counts
    -- towards the best streak.
    INSERT INTO streaks (community, season, board, scope, user_id, current, best, last_post_id)
    VALUES (NEW.community, NEW.season, NEW.board,
            CASE NEW.board WHEN 'daily'
                 THEN coalesce((SELECT schedule_id FROM posts WHERE post_id = NEW.post_id), 0)
                 ELSE 0 END,
            NEW.user_id, NEW.streak, NEW.streak, NEW.post_id)
    ON CONFLICT (community, season, board, user_id, scope) DO UPDATE SET
        current = CASE WHEN excluded.last_post_id > last_post_id THEN excluded.current ELSE current END,
        best = max(best, excluded.best),
        last_post_id = max(last_post_id, excluded.last_post_id);
END;

CREATE TRIGGER scores_level_new AFTER INSERT ON scores
BEGIN
    INSERT INTO score_levels (community, board, season, period, points, members)
    VALUES (NEW.community, NEW.board, NEW.season, NEW.period, NEW.points, 1)
    ON CONFLICT (community, board, season, period, points) DO UPDATE SET members = members + 1;
END;

CREATE TRIGGER scores_level_move AFTER UPDATE OF points ON scores
WHEN NEW.points IS NOT OLD.points
BEGIN
    UPDATE score_levels SET members = members - 1
     WHERE community = OLD.community AND board = OLD.board AND season = OLD.season
       AND period = OLD.period AND points = OLD.points;
    INSERT INTO score_levels (community, board, season, period, points, members)
    VALUES (NEW.community, NEW.board, NEW.season, NEW.period, NEW.points, 1)
    ON CONFLICT (community, board, season, period, points) DO UPDATE SET members = members + 1;
END;
