-- 0010: the processes registry. Each `studybot run` registers the shard range it serves and
-- renews `heartbeat_at` every 15 s; a row whose heartbeat is older than 45 s belongs to a dead
-- process and is removed by the next registration. A new process whose range overlaps a live
-- one is refused unless it was started with --allow-overlap (`overlap_allowed`). The registry
-- only guards against starting two owners by mistake: daily posts are claimed in `posts`
-- whatever it says, so an overlap never posts a slot twice.
--
-- `host`, `pid` and `start_mark` (the process's start time as the kernel counts it) let a
-- process restarted on the same host replace the row of its dead predecessor at once instead
-- of waiting for its heartbeat to age (a container restarts with the same host name and pid).

CREATE TABLE processes (
    process_id      TEXT PRIMARY KEY,
    host            TEXT NOT NULL,
    pid             INTEGER NOT NULL,
    start_mark      TEXT NOT NULL,
    shard_first     INTEGER NOT NULL,
    shard_last      INTEGER NOT NULL,
    shard_count     INTEGER NOT NULL,
    overlap_allowed INTEGER NOT NULL DEFAULT 0,
    started_at      TEXT NOT NULL,
    heartbeat_at    TEXT NOT NULL,
    CHECK (0 <= shard_first AND shard_first <= shard_last AND shard_last < shard_count)
) WITHOUT ROWID;

-- The registered process that holds a post's send claim (NULL: a process outside the registry,
-- e.g. a tool). A registration releases the claims of processes no longer registered, so the
-- restart of a killed process resends its claimed posts at once instead of after the lease.
ALTER TABLE posts ADD COLUMN send_claimed_by TEXT;
