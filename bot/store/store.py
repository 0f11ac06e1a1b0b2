"""The SQLite store: community settings, schedules, posts, answers, scores and leaderboards.

One aiosqlite connection per `Store`, in WAL mode with foreign keys on. Writes run as
`BEGIN IMMEDIATE` transactions (or a single autocommit statement, which takes the write lock up
front in the same way), so a second process on the same file waits up to the busy timeout instead
of failing with "database is locked". Every method that writes has committed when it returns, so
a caller may acknowledge the user right after.

An answer is recorded by one INSERT ... SELECT that computes correctness, points and streak from
the post snapshot; the triggers of the schema update the per-period score rows, the post's
counters, the member's name and the streak row in the same transaction. The scoring constants
come from `bot.engine.scoring` as parameters. In that same transaction `_record_answer` reviews
the member's card of the post's entry: it reads the card, computes the next one in Python with
`bot.engine.cards.after_answer` and upserts it, so an answer and its card commit together or not
at all. Answers are written by `AnswerWriter` (a burst batched on its own thread and connection,
a lone answer at once on the loop's thread, never waiting for a lock there), and
WAL checkpoints run on `Checkpointer`'s thread, not inside a commit. All SQL of the bot lives in
this package.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import aiosqlite

from bot.clock import Clock
from bot.community import Community
from bot.engine import cards, scoring
from bot.engine.model import Question, QuestionKind, SourceRef
from bot.engine.scoring import Board, Period
from bot.store.answer_writer import AnswerWriter, DatabaseLocked, is_busy
from bot.store.checkpointer import WAL_SIZE_LIMIT, Checkpointer
from bot.store.records import (
    AnswerResult,
    BoardStats,
    CardRebuild,
    CommunitySettings,
    DailyPostResult,
    LeaderboardPage,
    LeaderRow,
    MemberActivity,
    Post,
    PostResults,
    ProcessEntry,
    Reminder,
    Schedule,
    ScoreExportRow,
    StoreError,
    TermMisses,
    UserStats,
)
from bot.store.shared import (
    ANSWER_CONSTANTS,
    PROCESS_COLUMNS,
    REFUSED_COLUMNS,
    REMINDER_COLUMNS,
    TIME_OF_DAY,
    Replayed,
    accepted_answer,
    check_schedule,
    export_rows,
    post_results,
    process_entry,
    refused_answer,
    reminder,
    replay,
)
from bot.store.schema import apply_migrations, load_migrations, schema_version

_CACHE_PAGES_KIB = -32768  # negative: KiB, so 32 MiB of page cache per connection
# Set on every connection to the file: the store's own, the answer writer's and the
# checkpointer's. Checkpoints are the checkpointer's job (bot/store/checkpointer.py), so no commit
# of the store runs one.
_CONNECTION_PRAGMAS = (
    "PRAGMA foreign_keys = ON",
    "PRAGMA synchronous = NORMAL",
    f"PRAGMA cache_size = {_CACHE_PAGES_KIB:d}",
    "PRAGMA wal_autocheckpoint = 0",
    f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT:d}",
)
_WAL_SWITCH_PAUSE = 0.05  # seconds between tries of the WAL switch while another process holds the file
_CARDS_STALE = "cards_stale"  # meta key: the cards do not reflect every answer yet (rebuild them)
_REBUILD_CHUNK = 10_000  # answers read per trip while rebuilding cards

_BONUS_CASE = " ".join(
    f"WHEN {i} THEN :bonus_{i}" for i in range(len(scoring.DAILY_FIRST_CORRECT_BONUS))
)

_RECORD_ANSWER = f"""
INSERT INTO answers (post_id, community, board, season, user_id, display_name, choice, correct,
                     correct_rank, points, streak, answered_at, week_key, month_key, rating)
SELECT p.post_id, p.community,
       CASE WHEN p.review = 1 AND g.review_counts = 0 THEN 'review' ELSE p.board END,
       g.season, :user_id, :display_name, :choice,
       :choice = p.answer_index,
       CASE WHEN :choice = p.answer_index THEN p.correct_count + 1 END,
       CASE WHEN :choice <> p.answer_index THEN :wrong_points
            WHEN p.board = 'daily'
            THEN :daily_points + CASE p.correct_count {_BONUS_CASE} ELSE 0 END
            ELSE :practice_points END,
       CASE WHEN :choice <> p.answer_index THEN 0
            WHEN p.board = 'daily' THEN 1 + coalesce(
                (SELECT a.streak FROM answers a
                  WHERE a.user_id = :user_id AND a.season = g.season
                    AND a.post_id = (SELECT max(q.post_id) FROM posts q
                                      WHERE q.schedule_id = p.schedule_id
                                        AND q.post_id < p.post_id)), 0)
            ELSE 1 + coalesce(
                (SELECT s.current FROM streaks s
                  WHERE s.community = p.community AND s.season = g.season
                    AND s.board = 'practice' AND s.scope = 0 AND s.user_id = :user_id), 0)
       END,
       :now,
       study_period(:now, coalesce(g.timezone, :default_tz), 'week'),
       study_period(:now, coalesce(g.timezone, :default_tz), 'month'),
       :rating
  FROM posts p JOIN communities g ON g.community = p.community
 WHERE p.post_id = :post_id AND p.revealed_at IS NULL
   AND (p.board = 'daily' OR p.owner_user_id = :user_id)
    ON CONFLICT (post_id, user_id) DO NOTHING
RETURNING choice, correct, correct_rank, points, streak,
          (SELECT answer_index FROM posts WHERE post_id = answers.post_id),
          community,
          (SELECT entry_id FROM posts WHERE post_id = answers.post_id),
          (SELECT definition_hash FROM posts WHERE post_id = answers.post_id)
"""

_POST_COLUMNS = """post_id, community, board, season, channel_id, message_id, owner_user_id,
    schedule_id, local_date, seq, topic, question_id, kind, prompt, choices, answer_index,
    explanation, term, entry_id, deck, section, source_path, source_line, posted_at, reveal_at,
    revealed_at, answer_count, correct_count, reveal_edited_at, review, pick_reason"""

_INSERT_POST = f"""
INSERT INTO posts (community, board, season, channel_id, owner_user_id, schedule_id, local_date,
                   seq, topic, question_id, kind, prompt, choices, answer_index, explanation,
                   term, entry_id, deck, section, source_path, source_line, posted_at, reveal_at,
                   definition_hash, review, pick_reason)
SELECT :community, :board, g.season, :channel_id, :owner_user_id, :schedule_id, :local_date,
       :seq, :topic, :question_id, :kind, :prompt, :choices, :answer_index, :explanation,
       :term, :entry_id, :deck, :section, :source_path, :source_line, :posted_at, :reveal_at,
       :definition_hash, :review, :pick_reason
  FROM communities g WHERE g.community = :community
    ON CONFLICT (schedule_id, local_date, seq) DO NOTHING
RETURNING {_POST_COLUMNS}
"""

# Claim unsent daily posts for sending: still without a message, not revealed, of a schedule that
# is neither stopped nor paused, and not claimed by a sender whose lease is still running. One
# UPDATE, so of two processes racing only one gets each post.
_CLAIM_UNSENT = f"""
UPDATE posts SET send_claimed_until = :until, send_claimed_by = :by
 WHERE board = 'daily' AND message_id IS NULL AND revealed_at IS NULL
   AND (send_claimed_until IS NULL OR send_claimed_until < :now)
   AND EXISTS (SELECT 1 FROM schedules s WHERE s.schedule_id = posts.schedule_id
                  AND s.stopped_at IS NULL AND s.paused = 0)
   AND {{which}}
RETURNING {_POST_COLUMNS}
"""

_SCHEDULE_COLUMNS = """schedule_id, community, channel_id, time_of_day, timezone, topic,
    questions_per_post, reveal_after_hours, paused, pause_reason, created_at, stopped_at"""

# Visible = not opted out: the board's size minus the few opted-out members on it (found
# through their partial index; without statistics the planner would scan all members).
_VISIBLE_TOTAL = """
SELECT coalesce((SELECT members FROM board_sizes
                  WHERE community = :community AND board = :board AND season = :season
                    AND period = :period), 0)
     - (SELECT count(*) FROM members m INDEXED BY members_opted_out
         WHERE m.community = :community AND m.opted_out = 1
           AND EXISTS (SELECT 1 FROM scores s
                        WHERE s.community = m.community AND s.board = :board
                          AND s.season = :season AND s.period = :period
                          AND s.user_id = m.user_id))
"""

_AHEAD = """(s.points > :points OR (s.points = :points AND (s.correct > :correct
    OR (s.correct = :correct AND (s.answered < :answered
    OR (s.answered = :answered AND s.user_id < :user_id))))))"""

# The member's score level in scores_rank.
_LEVEL = """FROM scores s INDEXED BY scores_rank
         WHERE s.community = :community AND s.board = :board AND s.season = :season
           AND s.period = :period AND s.points = :points"""

# Members on higher score levels (a short range of level rows), plus those ahead in the member's
# own level (three ranges of scores_rank, one per tie-break, so no row is tested against an OR),
# minus the opted-out members ahead (the few found through their partial index).
_VISIBLE_AHEAD = f"""
SELECT coalesce((SELECT sum(members) FROM score_levels
                  WHERE community = :community AND board = :board AND season = :season
                    AND period = :period AND points > :points), 0)
     + (SELECT count(*) {_LEVEL} AND s.correct > :correct)
     + (SELECT count(*) {_LEVEL} AND s.correct = :correct AND s.answered < :answered)
     + (SELECT count(*) {_LEVEL} AND s.correct = :correct AND s.answered = :answered
           AND s.user_id < :user_id)
     - (SELECT count(*) FROM members m INDEXED BY members_opted_out
         WHERE m.community = :community AND m.opted_out = 1
           AND EXISTS (SELECT 1 FROM scores s
                        WHERE s.community = m.community AND s.board = :board
                          AND s.season = :season AND s.period = :period
                          AND s.user_id = m.user_id AND {_AHEAD}))
"""

# A daily streak shows as broken once a later post of its schedule was missed: revealed, or from
# an earlier day than the schedule's newest post, without an answer from the member.
_SHOWN_STREAK = """CASE WHEN k.board = 'daily' AND EXISTS (
        SELECT 1 FROM posts q
         WHERE q.schedule_id = k.scope AND q.post_id > k.last_post_id
           AND (q.revealed_at IS NOT NULL
                OR q.local_date < (SELECT max(z.local_date) FROM posts z
                                    WHERE z.schedule_id = k.scope)))
    THEN 0 ELSE k.current END"""

# One statement for the whole page, so a leaderboard costs two trips to the database thread
# (community settings, then this); the total is uncorrelated and computed once.
_LEADERBOARD = f"""
SELECT s.user_id, coalesce(m.display_name, ''), s.points, s.answered, s.correct,
       coalesce((SELECT max({_SHOWN_STREAK}) FROM streaks k
                  WHERE k.community = s.community AND k.season = s.season
                    AND k.board = s.board AND k.user_id = s.user_id), 0),
       ({_VISIBLE_TOTAL})
  FROM scores s LEFT JOIN members m ON m.community = s.community AND m.user_id = s.user_id
 WHERE s.community = :community AND s.board = :board AND s.season = :season
   AND s.period = :period AND coalesce(m.opted_out, 0) = 0
 ORDER BY s.points DESC, s.correct DESC, s.answered ASC, s.user_id ASC
 LIMIT :limit OFFSET :offset
"""

_STREAKS = f"""
SELECT k.user_id, max({_SHOWN_STREAK}), max(k.best)
  FROM streaks k
 WHERE k.community = ? AND k.season = ? AND k.board = ? {{users}}
 GROUP BY k.user_id
"""


def _ts(when: datetime) -> str:
    if when.tzinfo is None:
        raise ValueError("the store needs timezone-aware datetimes")
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def _dt(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _check_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"{name!r} is not an IANA time zone name") from exc
    return name


def _prepare_connection(conn: sqlite3.Connection) -> None:
    """The answer writer's and the checkpointer's connections: the same functions and PRAGMAs
    as the store's."""
    conn.create_function("study_period", 3, _study_period, deterministic=True)
    for pragma in _CONNECTION_PRAGMAS:
        conn.execute(pragma)


def _study_period(ts: str, zone: str, kind: str) -> str:
    """SQL function study_period(ts, zone, 'week'|'month'): the period key of a stored time."""
    return scoring.period_key(Period(kind), datetime.fromisoformat(ts), zone)


_CARD_COLUMNS = "state, step, stability, difficulty, due, last_review, reps, lapses"


def _card(state: int | None, step: int | None, stability: float | None, difficulty: float | None,
          due: str | None, last_review: str | None, reps: int | None, lapses: int | None,
          ) -> cards.Card | None:
    """A stored card (the columns of `_CARD_COLUMNS`); None for the missing row of a LEFT JOIN."""
    if state is None:
        return None
    assert stability is not None and difficulty is not None and due is not None
    assert last_review is not None and reps is not None and lapses is not None
    return cards.Card(cards.CardState(state), step, stability, difficulty,
                      datetime.fromisoformat(due), datetime.fromisoformat(last_review), reps, lapses)


_CARD_OF = (f"SELECT {_CARD_COLUMNS} FROM cards"
            " WHERE community = ? AND user_id = ? AND entry_id = ?")

_UPSERT_CARD = """
INSERT INTO cards (community, user_id, entry_id, state, step, stability, difficulty, due,
                   last_review, reps, lapses, definition_hash)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (community, user_id, entry_id) DO UPDATE SET
       state = excluded.state, step = excluded.step, stability = excluded.stability,
       difficulty = excluded.difficulty, due = excluded.due, last_review = excluded.last_review,
       reps = excluded.reps, lapses = excluded.lapses,
       definition_hash = coalesce(excluded.definition_hash, definition_hash)
"""


def _record_answer(conn: sqlite3.Connection, params: dict[str, Any]) -> tuple[Any, ...] | None:
    """Insert one answer (`_RECORD_ANSWER` with `params`) and review the member's card of the
    post's entry, on `conn` inside the caller's transaction (the answer writer's batch).

    Returns the answer's (choice, correct, correct rank, points, streak, answer index), or None
    when the statement refused it (then no card changes). The card is read, computed by
    `cards.after_answer` and upserted; its `last_review` is the answer's stored time, its
    definition hash the post's (a post without one keeps the card's). Any failure raises and the
    caller rolls the whole transaction back: never an answer without its card.
    """
    rows = conn.execute(_RECORD_ANSWER, params).fetchall()
    if not rows:
        return None
    *result, community, entry_id, digest = rows[0]
    if entry_id is not None:
        user_id, answered_at = params["user_id"], params["now"]
        before = conn.execute(_CARD_OF, (community, user_id, entry_id)).fetchall()
        card = cards.after_answer(_card(*before[0]) if before else None, bool(result[1]),
                                  params["rating"], datetime.fromisoformat(answered_at))
        conn.execute(_UPSERT_CARD, (community, user_id, entry_id, int(card.state), card.step,
                                    card.stability, card.difficulty, _ts(card.due), answered_at,
                                    card.reps, card.lapses, digest))
    return tuple(result)


def _post(row: Sequence[Any]) -> Post:
    (post_id, community, board, season, channel_id, message_id, owner_user_id, schedule_id,
     local_date, seq, topic, question_id, kind, prompt, choices, answer_index, explanation, term,
     entry_id, deck, section, source_path, source_line, posted_at, reveal_at, revealed_at,
     answer_count, correct_count, reveal_edited_at, review, pick_reason) = row
    question = Question(
        id=question_id, kind=QuestionKind(kind), prompt=prompt, choices=tuple(json.loads(choices)),
        answer=answer_index, explanation=explanation, term=term, deck=deck,
        source=SourceRef(source_path, source_line), entry_id=entry_id,
        section=tuple(json.loads(section)),
    )
    return Post(
        post_id=post_id, community=Community(community), board=Board(board), season=season, question=question,
        channel_id=channel_id, message_id=message_id, owner_user_id=owner_user_id,
        schedule_id=schedule_id, local_date=local_date, seq=seq, topic=topic,
        posted_at=datetime.fromisoformat(posted_at), reveal_at=_dt(reveal_at),
        revealed_at=_dt(revealed_at), answer_count=answer_count, correct_count=correct_count,
        reveal_edited_at=_dt(reveal_edited_at), review=bool(review), pick_reason=pick_reason,
    )


def _schedule(row: Sequence[Any]) -> Schedule:
    (schedule_id, community, channel_id, time_of_day, timezone, topic, questions_per_post,
     reveal_after_hours, paused, pause_reason, created_at, stopped_at) = row
    return Schedule(
        schedule_id=schedule_id, community=Community(community), channel_id=channel_id, time=time_of_day,
        timezone=timezone, topic=topic, questions_per_post=questions_per_post,
        reveal_after_hours=reveal_after_hours, paused=bool(paused), pause_reason=pause_reason,
        created_at=datetime.fromisoformat(created_at), stopped_at=_dt(stopped_at),
    )


def _question_params(question: Question, definition_hash: str | None) -> dict[str, Any]:
    return {
        "definition_hash": definition_hash,
        "question_id": question.id, "kind": str(question.kind), "prompt": question.prompt,
        "choices": json.dumps(list(question.choices), ensure_ascii=False),
        "answer_index": question.answer, "explanation": question.explanation,
        "term": question.term, "entry_id": question.entry_id, "deck": question.deck,
        "section": json.dumps(list(question.section), ensure_ascii=False),
        "source_path": question.source.path, "source_line": question.source.line,
    }


def _refuse_read_only(path: Path) -> None:
    # Checked by mode bits as well as os.access: root passes os.access on a chmod 0444 file, but
    # the owner clearly asked for the file not to be written.
    if path.exists():
        if not path.is_file():
            raise StoreError(f"The database path {path} is not a file.")
        if not path.stat().st_mode & 0o222 or not os.access(path, os.W_OK):
            raise StoreError(
                f"The database file {path} is read-only; studybot needs to write to it.")
    folder = path.parent
    if not folder.stat().st_mode & 0o222 or not os.access(folder, os.W_OK | os.X_OK):
        raise StoreError(
            f"The folder {folder} is read-only; studybot needs to create files beside the database."
        )


def _open_error(path: Path, exc: sqlite3.Error) -> StoreError:
    text = str(exc)
    if "readonly" in text or "read-only" in text:
        return StoreError(f"The database file {path} is read-only; studybot needs to write to it.")
    if isinstance(exc, sqlite3.OperationalError) and "locked" in text:
        return StoreError(f"The database file {path} stayed locked by another program ({text}).")
    if isinstance(exc, sqlite3.OperationalError) and "unable to open" in text:
        return StoreError(f"The database file {path} cannot be opened ({text}).")
    return StoreError(f"The file {path} is not a SQLite database or is damaged ({text}).")


class Store:
    """Async access to the bot's SQLite database. Create with `await Store.open(...)`."""

    def __init__(self, db: aiosqlite.Connection, path: Path, clock: Clock,
                 default_timezone: str, busy_timeout: float) -> None:
        self._db = db
        self._path = path
        self._clock = clock
        self._default_tz = default_timezone
        self._busy_timeout = busy_timeout
        # One connection is shared by all coroutines: a transaction must not interleave with
        # another coroutine's statements, so every use of the connection takes this lock. The
        # answer writer takes it too, so its connection never waits for this one.
        self._lock = asyncio.Lock()
        # The parameters of the answer statement that are the same for every answer.
        self._answer_constants: dict[str, Any] = {"default_tz": default_timezone, **ANSWER_CONSTANTS}
        self._checkpointer = Checkpointer(path, busy_timeout=busy_timeout, prepare=_prepare_connection)
        self._answers = AnswerWriter(path, _record_answer, lock=self._lock, busy_timeout=busy_timeout,
                                     prepare=_prepare_connection, committed=self._checkpointer.committed)
        # The registered process (bot/app/processes.py) whose send claims this store makes; a
        # claim of a process no longer registered is released when the next process registers.
        self._claimer: str | None = None

    # ---- life cycle -------------------------------------------------------------------------

    @classmethod
    async def open(cls, path: str | os.PathLike[str], *, clock: Clock,
                   default_timezone: str = "UTC", busy_timeout: float = 10.0) -> Store:
        """Open (creating if needed) and migrate the database at `path`.

        Raises StoreError with a one-sentence message when the file is read-only, not a SQLite
        database, damaged, or from a newer version of studybot; the file is then left untouched.
        """
        _check_zone(default_timezone)
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"Cannot create the folder for the database {path} ({exc.strerror})."
            ) from exc
        _refuse_read_only(path)
        try:
            db = await aiosqlite.connect(path, isolation_level=None, timeout=busy_timeout)
        except sqlite3.Error as exc:
            raise _open_error(path, exc) from exc
        store = cls(db, path, clock, default_timezone, busy_timeout)
        try:
            await store._start()
            await store._answers.open()
            store._checkpointer.start()
        except BaseException:
            await store._answers.close()
            store._checkpointer.close()
            await db.close()
            raise
        return store

    async def _start(self) -> None:
        db = self._db
        migrations = load_migrations()
        newest = migrations[-1].number
        try:
            await db.create_function("study_period", 3, _study_period, deterministic=True)
            version = await schema_version(db)
            await db.execute_fetchall("SELECT count(*) FROM sqlite_master")
            if version > newest:
                raise StoreError(
                    f"The database {self._path} has schema version {version}, newer than this "
                    f"studybot knows ({newest}); upgrade studybot or use another database file."
                )
            mode = await self._switch_to_wal()
            if mode != "wal":
                raise StoreError(f"The database file {self._path} cannot be switched to WAL mode; "
                                 "it is probably read-only.")
            for pragma in _CONNECTION_PRAGMAS:
                await db.execute(pragma)
            if not await apply_migrations(db, migrations):
                # Nothing to migrate: prove that the file is writable now rather than at the
                # first answer.
                await db.execute("BEGIN IMMEDIATE")
                try:
                    await db.execute(f"PRAGMA user_version = {version:d}")
                finally:
                    await db.execute("ROLLBACK")
            # Answers older than the cards (migration 0005) get theirs now; see rebuild_cards.
            if await self.get_meta(_CARDS_STALE) is not None:
                await self.rebuild_cards()
        except sqlite3.Error as exc:
            raise _open_error(self._path, exc) from exc

    async def _switch_to_wal(self) -> str:
        """`PRAGMA journal_mode = WAL`, retried while another process holds the file; returns
        the journal mode now in force.

        Two processes opening a new file at once both hold a shared lock when they ask for the
        exclusive one the switch needs; SQLite then answers one of them "database is locked" at
        once instead of calling its busy handler (waiting could deadlock). By the next try the
        other has switched the file, and the switch is a no-op."""
        deadline = time.monotonic() + self._busy_timeout
        while True:
            try:
                mode = await self._db.execute_fetchall("PRAGMA journal_mode = WAL")
                return str(list(mode)[0][0]).lower()
            except sqlite3.OperationalError as exc:
                if not is_busy(exc) or time.monotonic() >= deadline:
                    raise
                await asyncio.sleep(_WAL_SWITCH_PAUSE)

    async def close(self) -> None:
        await self._answers.close()
        await asyncio.get_running_loop().run_in_executor(None, self._checkpointer.close)
        async with self._lock:
            await self._db.close()

    async def checkpointed(self, timeout: float | None = None) -> bool:
        """Wait until everything committed so far is in the database file itself, not only in
        its WAL (the background checkpointer's next whole pass); False on timeout."""
        return await asyncio.get_running_loop().run_in_executor(
            None, self._checkpointer.wait_until_checkpointed, timeout)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def path(self) -> Path:
        return self._path

    @property
    def default_timezone(self) -> str:
        return self._default_tz

    # ---- plumbing ---------------------------------------------------------------------------

    @asynccontextmanager
    async def _write(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._lock:
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                await self._db.execute("ROLLBACK")
                raise
            await self._db.execute("COMMIT")
            self._checkpointer.committed()

    @asynccontextmanager
    async def _read(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._lock:
            yield self._db

    @staticmethod
    async def _one(db: aiosqlite.Connection, sql: str,
                   params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        rows = list(await db.execute_fetchall(sql, params))
        return rows[0] if rows else None

    async def _ensure_community(self, db: aiosqlite.Connection, community: Community) -> None:
        await db.execute(
            "INSERT INTO communities (community, season_started_at) VALUES (?, ?)"
            " ON CONFLICT (community) DO NOTHING",
            (community, _ts(self._clock.now())),
        )

    async def _community(self, db: aiosqlite.Connection, community: Community) -> CommunitySettings:
        row = await self._one(
            db, "SELECT timezone, season, season_started_at, review_counts FROM communities"
            " WHERE community = ?", (community,))
        if row is None:
            return CommunitySettings(community, self._default_tz, True, 1, None)
        zone, season, started, review_counts = row
        return CommunitySettings(community, zone or self._default_tz, zone is None, season, _dt(started),
                                 review_counts=bool(review_counts))

    # ---- meta -------------------------------------------------------------------------------

    async def get_meta(self, key: str) -> str | None:
        async with self._read() as db:
            row = await self._one(db, "SELECT value FROM meta WHERE key = ?", (key,))
        return None if row is None else row[0]

    async def set_meta(self, key: str, value: str) -> None:
        async with self._write() as db:
            await db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))

    # ---- communities and members--------------------------------------------------------------

    async def community_settings(self, community: Community) -> CommunitySettings:
        async with self._read() as db:
            return await self._community(db, community)

    async def set_timezone(self, community: Community, timezone: str | None) -> CommunitySettings:
        """Set (or with None clear) the community's zone and re-key its weekly and monthly scores.

        No front end offers this yet; tests and maintenance scripts use it."""
        if timezone is not None:
            _check_zone(timezone)
        async with self._write() as db:
            await self._ensure_community(db, community)
            await db.execute("UPDATE communities SET timezone = ? WHERE community = ?",
                             (timezone, community))
            await self._rebuild(db, community)
            return await self._community(db, community)

    async def rebuild_scores(self, community: Community, *, rekey: bool = True) -> None:
        """Recompute the community's score rows from its answers (a repair tool: the triggers
        keep them in step with every answer; tests use it to check that).

        With `rekey` the week and month keys of the answers are first recomputed in the community's
        current zone (needed after the zone changed, or when unsure).
        """
        async with self._write() as db:
            await self._rebuild(db, community, rekey=rekey)

    async def _rebuild(self, db: aiosqlite.Connection, community: Community, *, rekey: bool = True,
                       ) -> None:
        zone = (await self._community(db, community)).timezone
        params = {"community": community, "zone": zone}
        # A rebuild touches every row of the community; a bigger page cache for its duration
        # keeps it from re-reading the same pages.
        await db.execute("PRAGMA cache_size = -262144")
        try:
            if rekey:
                await db.execute(
                    "UPDATE answers SET week_key = study_period(answered_at, :zone, 'week'),"
                    " month_key = study_period(answered_at, :zone, 'month')"
                    " WHERE community = :community"
                    " AND (week_key IS NOT study_period(answered_at, :zone, 'week')"
                    " OR month_key IS NOT study_period(answered_at, :zone, 'month'))", params)
            await db.execute("DELETE FROM scores WHERE community = :community", params)
            await db.execute("DELETE FROM board_sizes WHERE community = :community", params)
            # The insert triggers on scores fill both again from the new rows.
            await db.execute("DELETE FROM score_levels WHERE community = :community", params)
            for period in ("'all'", "week_key", "month_key"):
                await db.execute(
                    "INSERT INTO scores (community, board, season, period, user_id, points,"
                    f" answered, correct) SELECT community, board, season, {period}, user_id,"
                    " sum(points), count(*), sum(correct) FROM answers WHERE community = :community"
                    f" GROUP BY board, season, {period}, user_id", params)
        finally:
            await db.execute(f"PRAGMA cache_size = {_CACHE_PAGES_KIB:d}")

    async def start_new_season(self, community: Community) -> int:
        """Start a new scoring season for the community; answers are kept. Returns its number."""
        async with self._write() as db:
            await self._ensure_community(db, community)
            await db.execute(
                "UPDATE communities SET season = season + 1, season_started_at = ? WHERE community = ?",
                (_ts(self._clock.now()), community))
            return (await self._community(db, community)).season

    async def set_review_counts(self, community: Community, on: bool) -> None:
        """Whether review answers from now on count on the community's practice board."""
        async with self._write() as db:
            await self._ensure_community(db, community)
            await db.execute("UPDATE communities SET review_counts = ? WHERE community = ?",
                             (int(on), community))

    async def remember_member(self, community: Community, user_id: str, display_name: str) -> None:
        async with self._write() as db:
            await self._ensure_community(db, community)
            await db.execute(
                "INSERT INTO members (community, user_id, display_name) VALUES (?, ?, ?)"
                " ON CONFLICT (community, user_id)"
                " DO UPDATE SET display_name = excluded.display_name",
                (community, user_id, display_name))

    async def set_opt_out(self, community: Community, user_id: str, opted_out: bool = True) -> None:
        """Hide (or show again) the member on public leaderboards."""
        async with self._write() as db:
            await self._ensure_community(db, community)
            await db.execute(
                "INSERT INTO members (community, user_id, opted_out) VALUES (?, ?, ?)"
                " ON CONFLICT (community, user_id) DO UPDATE SET opted_out = excluded.opted_out",
                (community, user_id, int(opted_out)))

    # ---- schedules --------------------------------------------------------------------------

    async def create_or_replace_schedule(
        self, community: Community, channel_id: str, time: str, timezone: str, *,
        topic: str | None = None, questions_per_post: int = 1,
        reveal_after_hours: float | None = None,
    ) -> Schedule:
        """Make the channel's active schedule; an earlier active one there is stopped."""
        check_schedule(time, questions_per_post, reveal_after_hours)
        _check_zone(timezone)
        now = _ts(self._clock.now())
        async with self._write() as db:
            await self._ensure_community(db, community)
            await db.execute(
                "UPDATE schedules SET stopped_at = ? WHERE community = ? AND channel_id = ? AND stopped_at IS NULL",
                (now, community, channel_id))
            row = await self._one(
                db,
                "INSERT INTO schedules (community, channel_id, time_of_day, timezone, topic,"
                " questions_per_post, reveal_after_hours, created_at)"
                f" VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING {_SCHEDULE_COLUMNS}",
                (community, channel_id, time, timezone, topic, questions_per_post,
                 reveal_after_hours, now))
        return _schedule(row)

    async def get_schedule(self, schedule_id: int) -> Schedule | None:
        async with self._read() as db:
            row = await self._one(
                db, f"SELECT {_SCHEDULE_COLUMNS} FROM schedules WHERE schedule_id = ?",
                (schedule_id,))
        return None if row is None else _schedule(row)

    async def active_schedules(self, community: Community | None = None) -> list[Schedule]:
        """Schedules not stopped (paused ones included), of one community or of all."""
        async with self._read() as db:
            rows = await db.execute_fetchall(
                f"SELECT {_SCHEDULE_COLUMNS} FROM schedules WHERE stopped_at IS NULL"
                " AND (:community IS NULL OR community = :community) ORDER BY schedule_id",
                {"community": community})
        return [_schedule(r) for r in rows]

    async def stop_schedule(self, schedule_id: int) -> bool:
        """Stop an active schedule; its posts stay. False if it was not active."""
        return await self._update_schedule(
            "UPDATE schedules SET stopped_at = :now WHERE schedule_id = :id AND stopped_at IS NULL",
            schedule_id)

    async def pause_schedule(self, schedule_id: int, reason: str | None = None) -> bool:
        return await self._update_schedule(
            "UPDATE schedules SET paused = 1, pause_reason = :reason"
            " WHERE schedule_id = :id AND stopped_at IS NULL", schedule_id, reason=reason)

    async def resume_schedule(self, schedule_id: int) -> bool:
        """Resume a paused schedule. No front end offers this yet (`/dailyadmin set` makes a new
        schedule); tests and maintenance scripts use it."""
        return await self._update_schedule(
            "UPDATE schedules SET paused = 0, pause_reason = NULL"
            " WHERE schedule_id = :id AND stopped_at IS NULL AND paused = 1", schedule_id)

    async def _update_schedule(self, sql: str, schedule_id: int, **extra: Any) -> bool:
        async with self._write() as db:
            cursor = await db.execute(
                sql, {"id": schedule_id, "now": _ts(self._clock.now()), **extra})
            return cursor.rowcount == 1

    # ---- posts ------------------------------------------------------------------------------

    async def create_practice_post(
        self, community: Community, user_id: str, question: Question, *,
        channel_id: str | None = None, reveal_at: datetime | None = None,
        topic: str | None = None, definition_hash: str | None = None, review: bool = False,
    ) -> Post:
        """A personal /quiz question for `user_id`; only they can answer it.

        `topic` is the deck or section it was asked from, so "Next question" can stay on it.
        `definition_hash` fingerprints the entry's definition as asked (it goes on the card);
        `review` marks a review session's post (its answers count on no leaderboard by default).
        """
        params = {
            "community": community, "board": Board.PRACTICE.value, "channel_id": channel_id,
            "owner_user_id": user_id, "schedule_id": None, "local_date": None, "seq": None,
            "topic": topic, "posted_at": _ts(self._clock.now()), "review": int(review), "pick_reason": None,
            "reveal_at": None if reveal_at is None else _ts(reveal_at),
            **_question_params(question, definition_hash),
        }
        async with self._write() as db:
            await self._ensure_community(db, community)
            row = await self._one(db, _INSERT_POST, params)
        return _post(row)

    async def create_daily_post(
        self, schedule_id: int, local_date: str, seq: int, question: Question, *,
        reveal_at: datetime | None = None, definition_hash: str | None = None,
        pick_reason: str | None = None,
    ) -> DailyPostResult:
        """The `seq`-th question (1-5) of a schedule's day `local_date` ('YYYY-MM-DD').

        At most one post exists per (schedule, day, seq), also with several processes racing:
        when it exists already, that post is returned with `duplicate=True`.
        """
        if not 1 <= seq <= 5:
            raise ValueError("seq must be between 1 and 5")
        async with self._write() as db:
            sched = await self._one(
                db, "SELECT community, channel_id, topic FROM schedules WHERE schedule_id = ?",
                (schedule_id,))
            if sched is None:
                raise StoreError(f"There is no schedule {schedule_id}.")
            community, channel_id, topic = sched
            params = {
                "community": community, "board": Board.DAILY.value, "channel_id": channel_id,
                "owner_user_id": None, "schedule_id": schedule_id, "local_date": local_date,
                "seq": seq, "topic": topic, "posted_at": _ts(self._clock.now()), "review": 0,
                "pick_reason": pick_reason,
                "reveal_at": None if reveal_at is None else _ts(reveal_at),
                **_question_params(question, definition_hash),
            }
            row = await self._one(db, _INSERT_POST, params)
            if row is not None:
                return DailyPostResult(_post(row), duplicate=False)
            row = await self._one(
                db, f"SELECT {_POST_COLUMNS} FROM posts"
                " WHERE schedule_id = ? AND local_date = ? AND seq = ?",
                (schedule_id, local_date, seq))
        return DailyPostResult(_post(row), duplicate=True)

    async def get_post(self, post_id: int) -> Post | None:
        async with self._read() as db:
            row = await self._one(db, f"SELECT {_POST_COLUMNS} FROM posts WHERE post_id = ?",
                                  (post_id,))
        return None if row is None else _post(row)

    async def daily_posts(self, schedule_id: int, local_date: str) -> list[Post]:
        """The posts of one schedule's day, by seq."""
        async with self._read() as db:
            rows = await db.execute_fetchall(
                f"SELECT {_POST_COLUMNS} FROM posts WHERE schedule_id = ? AND local_date = ?"
                " ORDER BY seq", (schedule_id, local_date))
        return [_post(r) for r in rows]

    async def set_message_id(self, post_id: int, message_id: str) -> None:
        """Remember the post's message; a send claim on it has done its job and ends."""
        async with self._write() as db:
            await db.execute(
                "UPDATE posts SET message_id = ?, send_claimed_until = NULL, send_claimed_by = NULL"
                " WHERE post_id = ?",
                (message_id, post_id))

    async def claim_daily_post_send(self, post_id: int, *, lease: timedelta,
                                    now: datetime | None = None) -> Post | None:
        """Claim one unsent daily post for `lease` before sending it.

        None when it was sent, revealed, its schedule is stopped or paused, or another sender
        holds an unexpired claim: then the caller must not send it.
        """
        when = now or self._clock.now()
        async with self._write() as db:
            row = await self._one(db, _CLAIM_UNSENT.format(which="post_id = :post_id"),
                                  {"now": _ts(when), "until": _ts(when + lease),
                                   "post_id": post_id, "by": self._claimer})
        return None if row is None else _post(row)

    async def claim_unsent_daily_posts(self, *, lease: timedelta, since: datetime,
                                       now: datetime | None = None) -> list[Post]:
        """Claim, for `lease`, every unsent daily post made at or after `since`, oldest first.

        Unsent means no message yet and not revealed, of an active, unpaused schedule, and not
        claimed by another sender whose lease is still running. Each post is claimed by one
        caller only, also across processes; the caller sends them (or leaves the claim to expire).
        """
        when = now or self._clock.now()
        async with self._write() as db:
            rows = await db.execute_fetchall(
                _CLAIM_UNSENT.format(which="posted_at >= :since"),
                {"now": _ts(when), "until": _ts(when + lease), "since": _ts(since), "by": self._claimer})
        return sorted((_post(r) for r in rows), key=lambda p: (p.posted_at, p.post_id))

    async def release_send_claim(self, post_id: int) -> None:
        """Give up a send claim (the send failed and may be retried at once by anyone)."""
        async with self._write() as db:
            await db.execute("UPDATE posts SET send_claimed_until = NULL, send_claimed_by = NULL"
                             " WHERE post_id = ? AND message_id IS NULL", (post_id,))

    async def stale_unsent_daily_posts(self, before: datetime) -> list[Post]:
        """Unsent, unrevealed daily posts made before `before` (too late to send), oldest first."""
        async with self._read() as db:
            rows = await db.execute_fetchall(
                f"SELECT {_POST_COLUMNS} FROM posts WHERE board = 'daily'"
                " AND message_id IS NULL AND revealed_at IS NULL AND posted_at < ?"
                " ORDER BY posted_at, post_id", (_ts(before),))
        return [_post(r) for r in rows]

    async def set_reveal_at(self, post_id: int, when: datetime | None) -> bool:
        """Move (or with None clear) the time the post is revealed; False if there is no post.

        Used by tests and maintenance scripts to bring a reveal forward; the application sets
        reveal times when it creates a post."""
        async with self._write() as db:
            cursor = await db.execute(
                "UPDATE posts SET reveal_at = ? WHERE post_id = ?",
                (None if when is None else _ts(when), post_id))
            return cursor.rowcount == 1

    async def due_reveals(self, now: datetime | None = None) -> list[Post]:
        """Posts whose reveal time has come and that are not revealed yet, oldest first."""
        when = _ts(now or self._clock.now())
        async with self._read() as db:
            rows = await db.execute_fetchall(
                f"SELECT {_POST_COLUMNS} FROM posts WHERE revealed_at IS NULL"
                " AND reveal_at IS NOT NULL AND reveal_at <= ? ORDER BY reveal_at, post_id",
                (when,))
        return [_post(r) for r in rows]

    async def mark_revealed(self, post_id: int) -> bool:
        """Close the post to answers. True only for the call that closed it."""
        async with self._write() as db:
            cursor = await db.execute(
                "UPDATE posts SET revealed_at = ? WHERE post_id = ? AND revealed_at IS NULL",
                (_ts(self._clock.now()), post_id))
            return cursor.rowcount == 1

    async def pending_reveal_edits(self, since: datetime) -> list[Post]:
        """Posts revealed at or after `since` whose message has not shown the answer yet."""
        async with self._read() as db:
            rows = await db.execute_fetchall(
                f"SELECT {_POST_COLUMNS} FROM posts WHERE revealed_at IS NOT NULL"
                " AND reveal_edited_at IS NULL AND message_id IS NOT NULL AND revealed_at >= ?"
                " ORDER BY revealed_at, post_id", (_ts(since),))
        return [_post(r) for r in rows]

    async def mark_reveal_edited(self, post_id: int) -> None:
        """The post's message shows its answer (or never can): no more reveal edits for it."""
        async with self._write() as db:
            await db.execute(
                "UPDATE posts SET reveal_edited_at = ?"
                " WHERE post_id = ? AND reveal_edited_at IS NULL",
                (_ts(self._clock.now()), post_id))

    async def question_use_counts(self, community: Community, topic: str | None) -> dict[str, int]:
        """Daily posts per question id on the community's board for `topic` (None: no topic)."""
        async with self._read() as db:
            rows = await db.execute_fetchall(
                "SELECT question_id, count(*) FROM posts"
                " WHERE community = ? AND board = 'daily' AND topic IS ? GROUP BY question_id",
                (community, topic))
        return {question_id: n for question_id, n in rows}

    async def term_miss_counts(self, community: Community) -> dict[str, int]:
        """Wrong answers per question term in the community, all seasons."""
        async with self._read() as db:
            rows = await db.execute_fetchall(
                "SELECT p.term, count(*) FROM answers a JOIN posts p ON p.post_id = a.post_id"
                " WHERE a.community = ? AND a.correct = 0 GROUP BY p.term", (community,))
        return {term: n for term, n in rows}

    # ---- answers ----------------------------------------------------------------------------

    async def record_answer(self, post_id: int, user_id: str, choice: int, display_name: str,
                            now: datetime | None = None, *, rating: int | None = None) -> AnswerResult:
        """Record a member's answer; committed before this returns.

        `rating` is a self-rated flashcard's FSRS rating (1-4), stored with the answer and given
        to the card as is; None for a graded answer (its rating follows from correctness).

        The first answer per member and post counts. The result says whether it was accepted,
        and otherwise why not (duplicate: the earlier choice, closed, not yours, unknown post).
        """
        params = {
            **self._answer_constants, "post_id": post_id, "user_id": user_id, "choice": choice,
            "display_name": display_name, "now": _ts(now or self._clock.now()), "rating": rating,
        }
        try:
            outcome = await self._answers.write(params)
        except DatabaseLocked as exc:
            raise StoreError("The database stayed locked by another process; the answer was "
                             "not recorded.") from exc
        result = accepted_answer(outcome, post_id)
        return result if result is not None else await self._refused_answer(post_id, user_id)

    async def _refused_answer(self, post_id: int, user_id: str) -> AnswerResult:
        """Why the answer statement inserted nothing: duplicate, closed, not yours, no post."""
        async with self._read() as db:
            row = await self._one(
                db,
                f"SELECT {REFUSED_COLUMNS}"
                " FROM posts p LEFT JOIN answers a ON a.post_id = p.post_id AND a.user_id = ?"
                " WHERE p.post_id = ?", (user_id, post_id))
        return refused_answer(row, post_id, user_id)

    async def post_results(self, post_id: int) -> PostResults | None:
        """Answers per choice, total, and the first three correct answerers; None if no post."""
        async with self._read() as db:
            post = await self._one(db, "SELECT choices FROM posts WHERE post_id = ?", (post_id,))
            if post is None:
                return None
            per_choice = await db.execute_fetchall(
                "SELECT choice, count(*) FROM answers WHERE post_id = ? GROUP BY choice",
                (post_id,))
            first = await db.execute_fetchall(
                "SELECT a.user_id, coalesce(m.display_name, a.display_name) FROM answers a"
                " LEFT JOIN members m ON m.community = a.community AND m.user_id = a.user_id"
                " WHERE a.post_id = ? AND a.correct_rank <= 3 ORDER BY a.correct_rank",
                (post_id,))
        return post_results(post_id, post[0], list(per_choice), list(first))

    # ---- reminders --------------------------------------------------------------------------

    async def set_reminder(self, community: Community, user_id: str, time: str, timezone: str,
                           lang: str) -> Reminder:
        """Ask for (or move) the member's daily reminder; a stopped one starts again."""
        if not TIME_OF_DAY.match(time):
            raise ValueError(f"{time!r} is not a time of day as HH:MM")
        _check_zone(timezone)
        async with self._write() as db:
            row = await self._one(
                db, "INSERT INTO reminders (community, user_id, time_of_day, timezone, lang)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (community, user_id) DO UPDATE SET"
                " time_of_day = excluded.time_of_day, timezone = excluded.timezone, lang = excluded.lang,"
                f" stopped_at = NULL, stop_reason = NULL RETURNING {REMINDER_COLUMNS}",
                (community, user_id, time, timezone, lang))
        return reminder(row)

    async def clear_reminder(self, community: Community, user_id: str) -> bool:
        async with self._write() as db:
            cursor = await db.execute("DELETE FROM reminders WHERE community = ? AND user_id = ?",
                                      (community, user_id))
            return cursor.rowcount == 1

    async def get_reminder(self, community: Community, user_id: str) -> Reminder | None:
        async with self._read() as db:
            row = await self._one(db, f"SELECT {REMINDER_COLUMNS} FROM reminders"
                                  " WHERE community = ? AND user_id = ?", (community, user_id))
        return None if row is None else reminder(row)

    async def active_reminders(self, platform: str) -> list[Reminder]:
        """Reminders not stopped, of one platform's communities ('discord' for 'discord:...')."""
        async with self._read() as db:
            rows = await db.execute_fetchall(
                f"SELECT {REMINDER_COLUMNS} FROM reminders WHERE stopped_at IS NULL"
                " AND substr(community, 1, ?) = ? ORDER BY community, user_id",
                (len(platform) + 1, platform + ":"))
        return [reminder(r) for r in rows]

    async def claim_reminder(self, community: Community, user_id: str, local_date: str) -> bool:
        """Take the member's reminder for `local_date`; True for the one caller that did."""
        async with self._write() as db:
            cursor = await db.execute(
                "UPDATE reminders SET last_sent_date = ? WHERE community = ? AND user_id = ?"
                " AND stopped_at IS NULL AND (last_sent_date IS NULL OR last_sent_date < ?)",
                (local_date, community, user_id, local_date))
            return cursor.rowcount == 1

    async def release_reminder(self, community: Community, user_id: str, local_date: str,
                               previous: str | None) -> None:
        """Give a claimed day back (the message could not be sent yet)."""
        async with self._write() as db:
            await db.execute("UPDATE reminders SET last_sent_date = ? WHERE community = ? AND user_id = ?"
                             " AND last_sent_date = ?", (previous, community, user_id, local_date))

    async def stop_reminder(self, community: Community, user_id: str, reason: str, now: datetime) -> None:
        async with self._write() as db:
            await db.execute("UPDATE reminders SET stopped_at = ?, stop_reason = ?"
                             " WHERE community = ? AND user_id = ?", (_ts(now), reason, community, user_id))

    # ---- cards ------------------------------------------------------------------------------

    async def member_cards(self, community: Community, user_id: str,
                           entry_ids: Sequence[str] | None = None) -> dict[str, cards.Card]:
        """The member's cards by entry id (entries they answered at least once), all or those of
        `entry_ids`."""
        only = "" if entry_ids is None else f" AND entry_id IN ({','.join('?' * len(entry_ids))})"
        async with self._read() as db:
            rows = await db.execute_fetchall(
                f"SELECT entry_id, {_CARD_COLUMNS} FROM cards WHERE community = ? AND user_id = ?{only}",
                (community, user_id, *(entry_ids or ())))
        return {entry_id: card for entry_id, *rest in rows if (card := _card(*rest)) is not None}

    async def due_entry_ids(self, community: Community, user_id: str, now: datetime, *,
                            limit: int | None = None, offset: int = 0) -> list[str]:
        """Entry ids of the member's cards due at `now`, most overdue first (a range of `cards_due`)."""
        async with self._read() as db:
            rows = await db.execute_fetchall(
                "SELECT entry_id FROM cards INDEXED BY cards_due"
                " WHERE community = ? AND user_id = ? AND due <= ? ORDER BY due, entry_id"
                " LIMIT ? OFFSET ?",
                (community, user_id, _ts(now), -1 if limit is None else limit, offset))
        return [entry_id for (entry_id,) in rows]

    async def next_due_cards(self, community: Community, user_id: str, *, after: datetime,
                             limit: int) -> list[tuple[str, datetime]]:
        """(entry id, due) of the member's cards due after `after`, soonest first."""
        async with self._read() as db:
            rows = await db.execute_fetchall(
                "SELECT entry_id, due FROM cards INDEXED BY cards_due"
                " WHERE community = ? AND user_id = ? AND due > ? ORDER BY due, entry_id LIMIT ?",
                (community, user_id, _ts(after), limit))
        return [(entry_id, datetime.fromisoformat(due)) for entry_id, due in rows]

    async def carded_entry_ids(self, community: Community, user_id: str,
                               entry_ids: Sequence[str]) -> set[str]:
        """Which of `entry_ids` the member has a card for."""
        found: set[str] = set()
        async with self._read() as db:
            for start in range(0, len(entry_ids), 500):
                chunk = entry_ids[start:start + 500]
                rows = await db.execute_fetchall(
                    "SELECT entry_id FROM cards WHERE community = ? AND user_id = ?"
                    f" AND entry_id IN ({','.join('?' * len(chunk))})", (community, user_id, *chunk))
                found.update(entry_id for (entry_id,) in rows)
        return found

    async def entry_memory(self, community: Community, entry_ids: Sequence[str], *, sample: int,
                           when: datetime, curve: tuple[float, float], below: float,
                           ) -> tuple[int, dict[str, tuple[int, int, float, int]]]:
        """What the daily pick weighs: (members of the community with any card, {entry id:
        (members who studied it, cards sampled, their summed predicted recall at `when`, how many
        of those are under `below`)}), for the entries of `entry_ids` someone studied.

        Predicted recall is FSRS's curve `(1 + factor * days / stability) ** decay` over whole
        days since the last review, `curve` = (factor, decay) from `bot.engine.cards`. The sample
        is an entry's first `sample` members by id in the `cards_entry` index: the same rows for
        every process, and a bounded read however large the group. Two statements: the member
        count is one row of `card_holders` (kept by a trigger as cards are made), the rest one
        read of the index."""
        factor, decay = curve
        recall = ("pow(1 + :factor * max(0, CAST(julianday(:when) - julianday(c.last_review) AS INTEGER))"
                  " / c.stability, :decay)")
        params = {"community": community, "ids": json.dumps(list(entry_ids)), "sample": sample,
                  "when": _ts(when), "factor": factor, "decay": decay, "below": below}
        async with self._read() as db:
            studying = (await self._one(
                db, "SELECT coalesce((SELECT members FROM card_holders WHERE community = :community), 0)",
                params))[0]
            rows = await db.execute_fetchall(
                f"SELECT j.value, r.members, count(*), total({recall}), total({recall} < :below)"
                " FROM json_each(:ids) j"
                " JOIN entry_reach r ON r.community = :community AND r.entry_id = j.value"
                " JOIN cards c INDEXED BY cards_entry ON c.community = :community AND c.entry_id = j.value"
                " AND c.user_id <= coalesce((SELECT c2.user_id FROM cards c2 INDEXED BY cards_entry"
                "   WHERE c2.community = :community AND c2.entry_id = j.value"
                "   ORDER BY c2.user_id LIMIT 1 OFFSET :sample - 1), char(1114111))"
                " GROUP BY j.value", params)
        return studying, {entry_id: (seen, sampled, float(total), int(low))
                          for entry_id, seen, sampled, total, low in rows}

    async def make_changed_cards_due(self, current: Sequence[tuple[str, str]], now: datetime) -> int:
        """For each (entry id, definition hash as the notes have it now): every card of that entry,
        in any community, last reviewed on another definition and not yet due becomes due at
        `now` (its memory state is kept). Cards without a hash (from before hashes) are left.
        Returns how many cards changed; one transaction."""
        moved = 0
        async with self._write() as db:
            for entry_id, digest in current:
                cursor = await db.execute(
                    "UPDATE cards SET due = :now WHERE entry_id = :entry AND community IN"
                    " (SELECT community FROM entry_reach WHERE entry_id = :entry)"
                    " AND definition_hash IS NOT NULL AND definition_hash <> :hash AND due > :now",
                    {"entry": entry_id, "hash": digest, "now": _ts(now)})
                moved += cursor.rowcount
        return moved

    async def all_cards(self) -> list[tuple[Any, ...]]:
        """Every card row as stored, in key order (tests compare a rebuild with this)."""
        async with self._read() as db:
            return list(await db.execute_fetchall(
                "SELECT community, user_id, entry_id, state, step, stability, difficulty, due,"
                " last_review, reps, lapses, definition_hash FROM cards"
                " ORDER BY community, user_id, entry_id"))

    async def rebuild_cards(self) -> CardRebuild:
        """Recompute every card from the answer log, in one transaction.

        The answers are replayed in the order they were written (answer id) through the same
        `bot.engine.cards.after_answer` each answer's transaction uses, so the result equals the
        incrementally kept cards (tests hold this). Cards of entries that left the notes are rebuilt too: their
        history stays.
        """
        state: Replayed = {}
        answers = 0
        async with self._write() as db:
            await db.execute("DELETE FROM cards")
            await db.execute("DELETE FROM entry_reach")  # both refilled by the triggers on new cards
            await db.execute("DELETE FROM card_holders")
            cursor = await db.execute(
                "SELECT a.community, a.user_id, p.entry_id, p.definition_hash, a.correct, a.rating,"
                " a.answered_at FROM answers a JOIN posts p ON p.post_id = a.post_id"
                " WHERE p.entry_id IS NOT NULL ORDER BY a.answer_id")
            try:
                while batch := await cursor.fetchmany(_REBUILD_CHUNK):
                    answers += len(batch)
                    for row in batch:
                        replay(state, *row)
            finally:
                await cursor.close()
            await db.executemany(
                "INSERT INTO cards (community, user_id, entry_id, state, step, stability, difficulty,"
                " due, last_review, reps, lapses, definition_hash)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                ((community, user_id, entry_id, int(c.state), c.step, c.stability, c.difficulty,
                  _ts(c.due), answered_at, c.reps, c.lapses, digest)
                 for (community, user_id, entry_id), (c, digest, answered_at) in state.items()))
            await db.execute("DELETE FROM meta WHERE key = ?", (_CARDS_STALE,))
        return CardRebuild(answers=answers, cards=len(state))

    # ---- leaderboards and stats -------------------------------------------------------------

    def _period_key(self, period: Period, zone: str, now: datetime | None) -> str:
        return scoring.period_key(period, now or self._clock.now(), zone)

    async def _streaks(self, db: aiosqlite.Connection, community: Community, season: int, board: Board,
                       user_ids: Iterable[str] | None) -> dict[str, tuple[int, int]]:
        """(current, best) streak per member; all members of the board when user_ids is None."""
        if user_ids is None:
            ids: list[str] = []
            users = ""
        else:
            ids = list(user_ids)
            if not ids:
                return {}
            users = f"AND k.user_id IN ({','.join('?' * len(ids))})"
        rows = await db.execute_fetchall(
            _STREAKS.format(users=users), (community, season, board.value, *ids))
        return {u: (current, best) for u, current, best in rows}

    async def leaderboard(self, community: Community, board: Board = Board.DAILY,
                          period: Period = Period.ALL, *, offset: int = 0, limit: int = 10,
                          now: datetime | None = None) -> LeaderboardPage:
        """One page of the board for the current season, in tie-break order, opted-out hidden."""
        if offset < 0 or limit < 1:
            raise ValueError("offset must be >= 0 and limit >= 1")
        async with self._read() as db:
            home = await self._community(db, community)
            key = self._period_key(period, home.timezone, now)
            params = {"community": community, "board": board.value, "season": home.season,
                      "period": key, "limit": limit, "offset": offset}
            rows = list(await db.execute_fetchall(_LEADERBOARD, params))
            if rows:
                total = rows[0][-1]
            else:
                total = (await self._one(db, _VISIBLE_TOTAL, params))[0]
        leaders = tuple(
            LeaderRow(offset + i + 1, u, name, points, answered, correct, streak)
            for i, (u, name, points, answered, correct, streak, _) in enumerate(rows))
        return LeaderboardPage(community, board, period, key, home.season, total, offset, leaders)

    async def _rank(self, db: aiosqlite.Connection, community: Community, board: Board, season: int,
                    key: str, user_id: str) -> tuple[int, int, int, int] | None:
        """(rank, points, answered, correct) of a member; rank counts visible members ahead."""
        params: dict[str, Any] = {"community": community, "board": board.value, "season": season,
                                  "period": key, "user_id": user_id}
        row = await self._one(
            db, "SELECT points, answered, correct FROM scores WHERE community = :community"
            " AND board = :board AND season = :season AND period = :period"
            " AND user_id = :user_id", params)
        if row is None:
            return None
        points, answered, correct = row
        params.update(points=points, answered=answered, correct=correct)
        ahead = (await self._one(db, _VISIBLE_AHEAD, params))[0]
        return ahead + 1, points, answered, correct

    async def rank_of(self, community: Community, user_id: str, board: Board = Board.DAILY,
                      period: Period = Period.ALL, *, now: datetime | None = None,
                      ) -> LeaderRow | None:
        """The member's own leaderboard line (also when opted out); None if nothing answered."""
        async with self._read() as db:
            home = await self._community(db, community)
            key = self._period_key(period, home.timezone, now)
            ranked = await self._rank(db, community, board, home.season, key, user_id)
            if ranked is None:
                return None
            name = await self._one(
                db, "SELECT display_name FROM members WHERE community = ? AND user_id = ?",
                (community, user_id))
            streaks = await self._streaks(db, community, home.season, board, [user_id])
        rank, points, answered, correct = ranked
        return LeaderRow(rank, user_id, name[0] if name else "", points, answered, correct,
                         streaks.get(user_id, (0, 0))[0])

    async def user_stats(self, community: Community, user_id: str) -> UserStats:
        """The member's current-season numbers per board and the three terms missed most."""
        async with self._read() as db:
            home = await self._community(db, community)
            boards: dict[Board, BoardStats] = {}
            for board in Board:
                ranked = await self._rank(db, community, board, home.season, "all", user_id)
                rank, points, answered, correct = ranked or (None, 0, 0, 0)
                current, best = (await self._streaks(
                    db, community, home.season, board, [user_id])).get(user_id, (0, 0))
                boards[board] = BoardStats(board, answered, correct,
                                           scoring.accuracy(correct, answered), points,
                                           current, best, rank)
            missed = await db.execute_fetchall(
                "SELECT p.term, count(*) AS n FROM answers a JOIN posts p ON p.post_id = a.post_id"
                " WHERE a.community = ? AND a.user_id = ? AND a.season = ? AND a.correct = 0"
                " GROUP BY p.term ORDER BY n DESC, p.term LIMIT 3",
                (community, user_id, home.season))
            member = await self._one(
                db, "SELECT display_name, opted_out FROM members WHERE community = ? AND user_id = ?",
                (community, user_id))
        return UserStats(community, user_id, member[0] if member else "", home.season, boards,
                         tuple(TermMisses(t, n) for t, n in missed),
                         opted_out=bool(member[1]) if member else False)

    async def export_scores(self, community: Community) -> list[ScoreExportRow]:
        """All-time current-season rows per board and member, in leaderboard order."""
        async with self._read() as db:
            home = await self._community(db, community)
            rows = await db.execute_fetchall(
                "SELECT s.board, s.user_id, coalesce(m.display_name, ''), s.points, s.answered,"
                " s.correct, coalesce(m.opted_out, 0) FROM scores s LEFT JOIN members m"
                " ON m.community = s.community AND m.user_id = s.user_id"
                " WHERE s.community = ? AND s.season = ? AND s.period = 'all'"
                " AND s.board IN ('daily', 'practice')"
                " ORDER BY s.board, s.points DESC, s.correct DESC, s.answered, s.user_id",
                (community, home.season))
            streaks = {board: await self._streaks(db, community, home.season, board, None)
                       for board in Board}
        return export_rows(list(rows), streaks)

    # ---- unsent posts for one process's communities -------------------------------------------

    async def claimable_unsent_daily_posts(self, *, since: datetime,
                                           now: datetime | None = None) -> list[Post]:
        """Unsent daily posts made at or after `since` that no sender holds a running claim on,
        of active, unpaused schedules, oldest first. Nothing is claimed: a process serving some
        communities picks its own and claims each with `claim_daily_post_send`."""
        when = now or self._clock.now()
        async with self._read() as db:
            rows = await db.execute_fetchall(
                f"SELECT {_POST_COLUMNS} FROM posts WHERE board = 'daily' AND message_id IS NULL"
                " AND revealed_at IS NULL AND posted_at >= :since"
                " AND (send_claimed_until IS NULL OR send_claimed_until < :now)"
                " AND EXISTS (SELECT 1 FROM schedules s WHERE s.schedule_id = posts.schedule_id"
                "             AND s.stopped_at IS NULL AND s.paused = 0)"
                " ORDER BY posted_at, post_id", {"since": _ts(since), "now": _ts(when)})
        return [_post(r) for r in rows]

    # ---- the processes registry (shards across processes) -------------------------------------

    def claim_as(self, process_id: str | None) -> None:
        """Mark this store's send claims as made by `process_id` (a registered process)."""
        self._claimer = process_id

    async def register_process(self, entry: ProcessEntry, *, dead_before: datetime,
                               stale: Callable[[ProcessEntry], bool],
                               conflicts: Callable[[ProcessEntry], bool]) -> list[ProcessEntry]:
        """Add `entry` to the registry unless a live process conflicts with it, in one write
        transaction (so two processes starting at once cannot both get in).

        Rows whose heartbeat is before `dead_before`, and rows `stale` says are dead (a
        predecessor on this host), are removed first, and the send claims of processes no longer
        registered are released (their posts are sent again at once, with the same nonce, instead
        of after the lease). Returns the live rows `conflicts` picked; when there are any,
        `entry` is not added.
        """
        async with self._write() as db:
            await db.execute("DELETE FROM processes WHERE heartbeat_at < ?", (_ts(dead_before),))
            rows = [process_entry(r) for r in
                    await db.execute_fetchall(f"SELECT {PROCESS_COLUMNS} FROM processes")]
            for row in rows:
                if stale(row):
                    await db.execute("DELETE FROM processes WHERE process_id = ?", (row.process_id,))
            await db.execute(
                "UPDATE posts SET send_claimed_until = NULL, send_claimed_by = NULL"
                " WHERE send_claimed_by IS NOT NULL AND message_id IS NULL"
                " AND send_claimed_by NOT IN (SELECT process_id FROM processes)")
            blockers = [r for r in rows if not stale(r) and conflicts(r)]
            if not blockers:
                await self._insert_process(db, entry)
        return blockers

    async def _insert_process(self, db: aiosqlite.Connection, entry: ProcessEntry) -> None:
        await db.execute(
            f"INSERT INTO processes ({PROCESS_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (process_id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at",
            (entry.process_id, entry.host, entry.pid, entry.start_mark, entry.shard_first,
             entry.shard_last, entry.shard_count, int(entry.overlap_allowed), _ts(entry.started_at),
             _ts(entry.heartbeat_at)))

    async def heartbeat_process(self, entry: ProcessEntry, now: datetime) -> bool:
        """Renew the process's heartbeat; when its row is gone (another process took it for dead
        after a long stall) it is put back and False is returned."""
        async with self._write() as db:
            cursor = await db.execute("UPDATE processes SET heartbeat_at = ? WHERE process_id = ?",
                                      (_ts(now), entry.process_id))
            if cursor.rowcount == 1:
                return True
            await self._insert_process(db, entry)
            return False

    async def unregister_process(self, process_id: str) -> None:
        async with self._write() as db:
            await db.execute("DELETE FROM processes WHERE process_id = ?", (process_id,))

    async def live_processes(self, alive_since: datetime) -> list[ProcessEntry]:
        """Registered processes whose heartbeat is at or after `alive_since`, by shard range."""
        async with self._read() as db:
            rows = await db.execute_fetchall(
                f"SELECT {PROCESS_COLUMNS} FROM processes WHERE heartbeat_at >= ?"
                " ORDER BY shard_count, shard_first, started_at", (_ts(alive_since),))
        return [process_entry(r) for r in rows]

    # ---- progress (charts) ------------------------------------------------------------------

    async def member_activity(self, community: Community, user_id: str, *, since: datetime,
                              until: datetime, due_before: datetime) -> MemberActivity:
        """The member's answers in [since, until) grouped by UTC minute (every board, reviews
        included: it is their practice, whatever a leaderboard counts), and their cards due
        before `due_before`. Both are index ranges: `answers_community_user`, `cards_due`."""
        async with self._read() as db:
            home = await self._community(db, community)
            answers = await db.execute_fetchall(
                "SELECT substr(answered_at, 1, 16), count(*), sum(correct) FROM answers"
                " WHERE community = ? AND user_id = ? AND answered_at >= ? AND answered_at < ?"
                " GROUP BY 1 ORDER BY 1",
                (community, user_id, _ts(since), _ts(until)))
            due = await db.execute_fetchall(
                "SELECT entry_id, due FROM cards INDEXED BY cards_due"
                " WHERE community = ? AND user_id = ? AND due < ? ORDER BY due",
                (community, user_id, _ts(due_before)))
        return MemberActivity(
            community, user_id, home.timezone,
            tuple((datetime.fromisoformat(minute + ":00+00:00"), n, right) for minute, n, right in answers),
            tuple((entry_id, datetime.fromisoformat(when)) for entry_id, when in due))
