-- 0010 (PostgreSQL): the processes registry and the claimer of a post's send claim, as SQLite's
-- 0010_shards.sql (see there for what each column is for). Times are ISO text, like every other
-- time in this schema, so both backends compare them the same way.

CREATE TABLE processes (
    process_id      TEXT COLLATE "C" PRIMARY KEY,
    host            TEXT COLLATE "C" NOT NULL,
    pid             INTEGER NOT NULL,
    start_mark      TEXT COLLATE "C" NOT NULL,
    shard_first     INTEGER NOT NULL,
    shard_last      INTEGER NOT NULL,
    shard_count     INTEGER NOT NULL,
    overlap_allowed INTEGER NOT NULL DEFAULT 0,
    started_at      TEXT COLLATE "C" NOT NULL,
    heartbeat_at    TEXT COLLATE "C" NOT NULL,
    CHECK (0 <= shard_first AND shard_first <= shard_last AND shard_last < shard_count)
);

ALTER TABLE posts ADD COLUMN send_claimed_by TEXT COLLATE "C";
