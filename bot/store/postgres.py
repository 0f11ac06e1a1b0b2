"""The PostgreSQL store: the same methods and promises as the SQLite `Store`, through asyncpg.

Open with `await PostgresStore.open("postgresql://user@host/db", clock=...)` (or `open_store`,
which picks the backend from the URL). The schema is the PostgreSQL dialect of the same numbered
migrations (`bot/store/migrations/postgres/`), and the aggregate triggers keep the score rows,
the post's counters, the member's name and the streak in the answer's transaction, as SQLite's
do. Timestamps are the same UTC ISO 8601 text and every text column sorts bytewise (COLLATE "C"),
so both backends return the same rows in the same order.

Answers are written in batches, like the SQLite answer writer: the answers that arrive while a
batch is being written go together in the next transaction, which first takes a transaction-level
advisory lock per member (so two processes never interleave one member's answers: their streaks
and cards stay those of one writer), then inserts each answer with the same statement logic as
SQLite's (the post row locked, so the first-correct rank is right across processes), reviews each
card in Python with `bot.engine.cards` and writes the cards with one statement before COMMIT. Every
answer has committed before its caller hears the result.

A server that cannot be reached (stopped, restarting, network gone) raises
`bot.errors.StoreUnavailable` after a few retries; a transaction cut off by it is rolled back by
the server, so nothing is half stored. The same text statements as SQLite's, with `:name`
parameters turned into `$n` by `_named`.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Self
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from bot.clock import Clock
from bot.community import Community
from bot.engine import cards, scoring
from bot.engine.scoring import Board, Period
from bot.errors import StoreUnavailable
from bot.store.pg_schema import (
    MIGRATION_LOCK,
    PgMigration,
    apply_pg_migrations,
    load_pg_migrations,
    pg_schema_version,
)
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
    REFUSED_COLUMNS,
    PROCESS_COLUMNS,
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
from bot.store.store import (
    _CARD_COLUMNS,
    _CARDS_STALE,
    _POST_COLUMNS,
    _REBUILD_CHUNK,
    _SCHEDULE_COLUMNS,
    _card,
    _check_zone,
    _dt,
    _post,
    _question_params,
    _schedule,
    _ts,
)

log = logging.getLogger(__name__)

CONNECT_ATTEMPTS = 3  # tries to reach the server before a call gives up with StoreUnavailable
RETRY_PAUSE = 0.25  # seconds between tries, times the try's number
MAX_BATCH = 256  # answers per transaction
_PARAM = re.compile(r"(?<![:\w]):([a-z_][a-z0-9_]*)")


@dataclass(frozen=True, slots=True)
class _Sql:
    """A statement with `$n` placeholders and the parameter names they stand for, in order."""

    text: str
    names: tuple[str, ...]

    def args(self, params: dict[str, Any]) -> list[Any]:
        return [params[name] for name in self.names]


def _named(sql: str) -> _Sql:
    """Turn `:name` parameters into `$1, $2, ...` (`::type` casts and quoted text are left)."""
    names: list[str] = []
    pieces = re.split(r"('(?:[^']|'')*')", sql)  # odd pieces are string literals

    def number(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    text = "".join(piece if i % 2 else _PARAM.sub(number, piece) for i, piece in enumerate(pieces))
    return _Sql(text, tuple(names))


def _count(status: str) -> int:
    """Rows touched, from asyncpg's command status ('UPDATE 1', 'INSERT 0 3')."""
    tail = status.rsplit(" ", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unreadable URL>"
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    host = netloc[-1]
    user = parts.username or ""
    return urlunsplit((parts.scheme, f"{user}:***@{host}", parts.path, parts.query, parts.fragment))


_UNAVAILABLE = (
    OSError,
    asyncio.TimeoutError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.PostgresConnectionError,  # class 08
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.TooManyConnectionsError,
)


def is_unavailable(exc: BaseException) -> bool:
    """The server cannot be reached or went away (as opposed to a statement's own error)."""
    if isinstance(exc, _UNAVAILABLE):
        return True
    return isinstance(exc, asyncpg.exceptions.InterfaceError) and (
        "closed" in str(exc) or "connection" in str(exc).lower())


def _lock_key(community: str, user_id: str) -> int:
    """A member's advisory lock key (signed 64-bit)."""
    digest = hashlib.blake2b(f"{community}\0{user_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


_BONUS_CASE = " ".join(
    f"WHEN {i} THEN :bonus_{i}" for i in range(len(scoring.DAILY_FIRST_CORRECT_BONUS))
)

# SQLite's _RECORD_ANSWER; the post row is locked (FOR UPDATE) so that answers from several
# processes to one post see each other's correct_count, and the card of the answer's entry comes
# back with it for the review in Python.
_RECORD_ANSWER = _named(f"""
WITH ins AS (
INSERT INTO answers (post_id, community, board, season, user_id, display_name, choice, correct,
                     correct_rank, points, streak, answered_at, week_key, month_key, rating)
SELECT p.post_id, p.community,
       CASE WHEN p.review = 1 AND g.review_counts = 0 THEN 'review' ELSE p.board END,
       g.season, :user_id::text, :display_name::text, :choice::int,
       (:choice::int = p.answer_index)::int,
       CASE WHEN :choice::int = p.answer_index THEN p.correct_count + 1 END,
       CASE WHEN :choice::int <> p.answer_index THEN :wrong_points::int
            WHEN p.board = 'daily'
            THEN :daily_points::int + CASE p.correct_count {_BONUS_CASE} ELSE 0 END
            ELSE :practice_points::int END,
       CASE WHEN :choice::int <> p.answer_index THEN 0
            WHEN p.board = 'daily' THEN 1 + coalesce(
                (SELECT a.streak FROM answers a
                  WHERE a.user_id = :user_id::text AND a.season = g.season
                    AND a.post_id = (SELECT max(q.post_id) FROM posts q
                                      WHERE q.schedule_id = p.schedule_id
                                        AND q.post_id < p.post_id)), 0)
            ELSE 1 + coalesce(
                (SELECT s.current FROM streaks s
                  WHERE s.community = p.community AND s.season = g.season
                    AND s.board = 'practice' AND s.scope = 0 AND s.user_id = :user_id::text), 0)
       END,
       :now::text,
       study_period(:now::text, coalesce(g.timezone, :default_tz::text), 'week'),
       study_period(:now::text, coalesce(g.timezone, :default_tz::text), 'month'),
       :rating::int
  FROM posts p JOIN communities g ON g.community = p.community
 WHERE p.post_id = :post_id::bigint AND p.revealed_at IS NULL
   AND (p.board = 'daily' OR p.owner_user_id = :user_id::text)
   FOR UPDATE OF p
    ON CONFLICT (post_id, user_id) DO NOTHING
RETURNING choice, correct, correct_rank, points, streak, post_id, community, user_id, rating,
          answered_at
)
SELECT ins.choice, ins.correct, ins.correct_rank, ins.points, ins.streak, p.answer_index,
       ins.community, ins.user_id, p.entry_id, p.definition_hash, ins.rating, ins.answered_at,
       c.state, c.step, c.stability, c.difficulty, c.due, c.last_review, c.reps, c.lapses
  FROM ins JOIN posts p ON p.post_id = ins.post_id
  LEFT JOIN cards c ON c.community = ins.community AND c.user_id = ins.user_id
                   AND c.entry_id = p.entry_id
""")

_LOCK_MEMBERS = "SELECT pg_advisory_xact_lock(k) FROM unnest($1::bigint[]) AS t(k) ORDER BY k"

_WRITE_CARDS = """
INSERT INTO cards (community, user_id, entry_id, state, step, stability, difficulty, due,
                   last_review, reps, lapses, definition_hash)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::int[], $6::float8[],
                     $7::float8[], $8::text[], $9::text[], $10::int[], $11::int[], $12::text[])
    ON CONFLICT (community, user_id, entry_id) DO UPDATE SET
       state = excluded.state, step = excluded.step, stability = excluded.stability,
       difficulty = excluded.difficulty, due = excluded.due, reps = excluded.reps,
       lapses = excluded.lapses, last_review = excluded.last_review,
       definition_hash = coalesce(excluded.definition_hash, cards.definition_hash)
"""

_INSERT_POST = _named(f"""
INSERT INTO posts (community, board, season, channel_id, owner_user_id, schedule_id, local_date,
                   seq, topic, question_id, kind, prompt, choices, answer_index, explanation,
                   term, entry_id, deck, section, source_path, source_line, posted_at, reveal_at,
                   definition_hash, review, pick_reason)
SELECT :community::text, :board::text, g.season, :channel_id::text, :owner_user_id::text,
       :schedule_id::bigint, :local_date::text, :seq::int, :topic::text, :question_id::text,
       :kind::text, :prompt::text, :choices::text, :answer_index::int, :explanation::text,
       :term::text, :entry_id::text, :deck::text, :section::text, :source_path::text,
       :source_line::int, :posted_at::text, :reveal_at::text, :definition_hash::text,
       :review::int, :pick_reason::text
  FROM communities g WHERE g.community = :community::text
    ON CONFLICT (schedule_id, local_date, seq) DO NOTHING
RETURNING {_POST_COLUMNS}
""")

_CLAIM_UNSENT = f"""
UPDATE posts SET send_claimed_until = :until::text, send_claimed_by = :by::text
 WHERE board = 'daily' AND message_id IS NULL AND revealed_at IS NULL
   AND (send_claimed_until IS NULL OR send_claimed_until < :now::text)
   AND EXISTS (SELECT 1 FROM schedules s WHERE s.schedule_id = posts.schedule_id
                  AND s.stopped_at IS NULL AND s.paused = 0)
   AND {{which}}
RETURNING {_POST_COLUMNS}
"""
_CLAIM_ONE = _named(_CLAIM_UNSENT.format(which="post_id = :post_id::bigint"))
_CLAIM_SINCE = _named(_CLAIM_UNSENT.format(which="posted_at >= :since::text"))

_BOARD_KEY = """community = :community::text AND board = :board::text AND season = :season::int
                AND period = :period::text"""

_VISIBLE_TOTAL_SQL = f"""
SELECT coalesce((SELECT members FROM board_sizes WHERE {_BOARD_KEY}), 0)
     - (SELECT count(*) FROM members m
         WHERE m.community = :community::text AND m.opted_out = 1
           AND EXISTS (SELECT 1 FROM scores s
                        WHERE s.community = m.community AND s.board = :board::text
                          AND s.season = :season::int AND s.period = :period::text
                          AND s.user_id = m.user_id))
"""

_AHEAD = """(s.points > :points::int OR (s.points = :points::int AND (s.correct > :correct::int
    OR (s.correct = :correct::int AND (s.answered < :answered::int
    OR (s.answered = :answered::int AND s.user_id < :user_id::text))))))"""

_LEVEL = """FROM scores s
         WHERE s.community = :community::text AND s.board = :board::text
           AND s.season = :season::int AND s.period = :period::text AND s.points = :points::int"""

# Members ahead: on higher score levels (level rows), in the member's own level with more correct
# or as many correct and fewer answers (a few `score_ties` rows), and with exactly the member's
# numbers and a smaller user id (a range of scores_rank); minus the opted-out members ahead.
_VISIBLE_AHEAD_SQL = f"""
SELECT coalesce((SELECT sum(members) FROM score_levels
                  WHERE {_BOARD_KEY} AND points > :points::int), 0)
     + coalesce((SELECT sum(members) FROM score_ties
                  WHERE {_BOARD_KEY} AND points = :points::int
                    AND (correct > :correct::int
                         OR (correct = :correct::int AND answered < :answered::int))), 0)
     + (SELECT count(*) {_LEVEL} AND s.correct = :correct::int AND s.answered = :answered::int
           AND s.user_id < :user_id::text)
     - (SELECT count(*) FROM members m
         WHERE m.community = :community::text AND m.opted_out = 1
           AND EXISTS (SELECT 1 FROM scores s
                        WHERE s.community = m.community AND s.board = :board::text
                          AND s.season = :season::int AND s.period = :period::text
                          AND s.user_id = m.user_id AND {_AHEAD}))
"""

_SHOWN_STREAK = """CASE WHEN k.board = 'daily' AND EXISTS (
        SELECT 1 FROM posts q
         WHERE q.schedule_id = k.scope AND q.post_id > k.last_post_id
           AND (q.revealed_at IS NOT NULL
                OR q.local_date < (SELECT max(z.local_date) FROM posts z
                                    WHERE z.schedule_id = k.scope)))
    THEN 0 ELSE k.current END"""

# The community's current season and the period key of `:now` in its zone (the store's default
# zone when it has none), computed in the statement so a leaderboard or a rank is one trip.
_HEADER = """h AS MATERIALIZED (
    SELECT coalesce(g.season, 1) AS season,
           CASE :kind::text WHEN 'all' THEN 'all'
                ELSE study_period(:now::text, coalesce(g.timezone, :default_tz::text), :kind::text)
           END AS period
      FROM (SELECT 1) AS one LEFT JOIN communities g ON g.community = :community::text)"""


def _in_header(sql: str) -> str:
    """`sql` with the season and period parameters read from the `h` row of `_HEADER`."""
    return sql.replace(":season::int", "h.season").replace(":period::text", "h.period")


# One page in one trip: the header row, the visible total, and the page's rows joined to it (a
# page past the end is the header row with NULLs).
_LEADERBOARD = _named(f"""
WITH {_HEADER},
     t AS MATERIALIZED (SELECT h.season, h.period, ({_in_header(_VISIBLE_TOTAL_SQL)}) AS total FROM h)
SELECT t.season, t.period, t.total, p.*
  FROM t LEFT JOIN LATERAL (
    SELECT s.user_id, coalesce(m.display_name, '') AS name, s.points, s.answered, s.correct,
           coalesce((SELECT max({_SHOWN_STREAK}) FROM streaks k
                      WHERE k.community = s.community AND k.season = s.season
                        AND k.board = s.board AND k.user_id = s.user_id), 0) AS streak
      FROM scores s LEFT JOIN members m ON m.community = s.community AND m.user_id = s.user_id
     WHERE s.community = :community::text AND s.board = :board::text AND s.season = t.season
       AND s.period = t.period AND coalesce(m.opted_out, 0) = 0
     ORDER BY s.points DESC, s.correct DESC, s.answered ASC, s.user_id ASC
     LIMIT :limit::bigint OFFSET :offset::bigint) p ON true
""")

# A member's line in one trip: the header, their score row, the visible members ahead
# (`_VISIBLE_AHEAD_SQL` on that row), their name and their shown and best streak.
_RANK_OF = _named(f"""
WITH {_HEADER}
SELECT me.points, me.answered, me.correct,
       ({_in_header(_VISIBLE_AHEAD_SQL).replace(":points::int", "me.points")
         .replace(":correct::int", "me.correct").replace(":answered::int", "me.answered")}) AS ahead,
       (SELECT display_name FROM members WHERE community = :community::text AND user_id = :user_id::text),
       (SELECT max({_SHOWN_STREAK}) FROM streaks k
         WHERE k.community = :community::text AND k.season = h.season AND k.board = :board::text
           AND k.user_id = :user_id::text),
       (SELECT max(k.best) FROM streaks k
         WHERE k.community = :community::text AND k.season = h.season AND k.board = :board::text
           AND k.user_id = :user_id::text)
  FROM h JOIN scores me
    ON me.community = :community::text AND me.board = :board::text AND me.season = h.season
   AND me.period = h.period AND me.user_id = :user_id::text
""")

_STREAKS = f"""
SELECT k.user_id, max({_SHOWN_STREAK}), max(k.best)
  FROM streaks k
 WHERE k.community = $1 AND k.season = $2 AND k.board = $3 {{users}}
 GROUP BY k.user_id
"""

# Predicted recall over whole days since the last review (SQLite: julianday difference cast to
# an integer, which truncates).
_RECALL = ("power(1 + :factor::float8 * greatest(0, trunc(extract(epoch FROM"
           " ((:when::text)::timestamptz - c.last_review::timestamptz)) / 86400)) / c.stability,"
           " :decay::float8)")

_ENTRY_MEMORY = _named(f"""
SELECT j.entry_id, r.members, count(*), coalesce(sum({_RECALL}), 0),
       coalesce(sum(({_RECALL} < :below::float8)::int), 0)
  FROM unnest(:ids::text[]) AS j(entry_id)
  JOIN entry_reach r ON r.community = :community::text AND r.entry_id = j.entry_id
  JOIN cards c ON c.community = :community::text AND c.entry_id = j.entry_id
   AND c.user_id <= coalesce((SELECT c2.user_id FROM cards c2
                               WHERE c2.community = :community::text AND c2.entry_id = j.entry_id
                               ORDER BY c2.user_id LIMIT 1 OFFSET :sample::int - 1), chr(1114111))
 GROUP BY j.entry_id, r.members
""")


@dataclass(slots=True)
class _Pending:
    params: dict[str, Any]
    future: asyncio.Future[Any]


class PostgresStore:
    """Async access to the bot's PostgreSQL database. Create with `await PostgresStore.open(...)`."""

    def __init__(self, pool: asyncpg.Pool, url: str, clock: Clock, default_timezone: str) -> None:
        self._pool = pool
        self._url = url
        self._clock = clock
        self._default_tz = default_timezone
        self._queue: list[_Pending] = []
        self._draining = False
        self._takeover: asyncio.Task[None] | None = None
        self._claimer: str | None = None

    # ---- life cycle -------------------------------------------------------------------------

    @classmethod
    async def open(cls, url: str, *, clock: Clock, default_timezone: str = "UTC",
                   min_connections: int = 1, max_connections: int = 10,
                   connect_timeout: float = 10.0) -> PostgresStore:
        """Connect to the database at `url` (postgresql://user:password@host:port/name) and migrate it.

        Raises StoreError with one sentence when the URL is malformed, the server cannot be
        reached or refuses the login, or the database is from a newer studybot (then it is left
        untouched)."""
        _check_zone(default_timezone)
        shown = redact(url)
        try:
            pool = await asyncpg.create_pool(url, min_size=min_connections, max_size=max_connections,
                                             timeout=connect_timeout, command_timeout=None,
                                             # JIT makes asyncpg's type introspection take seconds
                                             # (asyncpg's FAQ) and short queries gain nothing.
                                             server_settings={"jit": "off"})
        except (ValueError, asyncpg.exceptions.ClientConfigurationError,
                asyncpg.exceptions.InterfaceError) as exc:
            raise StoreError(f"The database URL {shown} is not a valid PostgreSQL URL ({exc}).") from exc
        except asyncpg.exceptions.InvalidCatalogNameError as exc:
            raise StoreError(f"The PostgreSQL database of {shown} does not exist; create it first "
                             "(createdb), studybot makes the tables.") from exc
        except (asyncpg.exceptions.InvalidAuthorizationSpecificationError,
                asyncpg.exceptions.InvalidPasswordError) as exc:
            raise StoreError(f"PostgreSQL refused the login of {shown} ({exc}).") from exc
        except (OSError, asyncio.TimeoutError, asyncpg.exceptions.PostgresError) as exc:
            reason = str(exc) or type(exc).__name__
            raise StoreError(f"Cannot connect to PostgreSQL at {shown} ({reason}).") from exc
        store = cls(pool, url, clock, default_timezone)
        try:
            await store._start()
        except BaseException:
            pool.terminate()
            raise
        return store

    async def _start(self) -> None:
        migrations = load_pg_migrations()
        async with self._pool.acquire() as conn:
            # One starting process at a time looks at the schema and migrates it.
            await conn.execute(f"SELECT pg_advisory_lock({MIGRATION_LOCK:d})")
            try:
                await self._check_and_migrate(conn, migrations)
            finally:
                await conn.execute(f"SELECT pg_advisory_unlock({MIGRATION_LOCK:d})")
        if await self.get_meta(_CARDS_STALE) is not None:
            await self.rebuild_cards()

    async def _check_and_migrate(self, conn: asyncpg.Connection, migrations: tuple[PgMigration, ...]) -> None:
        newest = migrations[-1].number
        version = await pg_schema_version(conn)
        if version > newest:
            raise StoreError(
                f"The database {redact(self._url)} has schema version {version}, newer than "
                f"this studybot knows ({newest}); upgrade studybot or use another database.")
        if version == 0:
            tables = await conn.fetchval(
                "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
                " AND tablename <> 'studybot_schema'")
            if tables:
                raise StoreError(
                    f"The database {redact(self._url)} already holds {tables} tables that are "
                    "not studybot's; give studybot an empty database of its own.")
        try:
            await apply_pg_migrations(conn, migrations)
        except asyncpg.exceptions.InsufficientPrivilegeError as exc:
            raise StoreError(f"The user of {redact(self._url)} may not create studybot's "
                             f"tables ({exc}).") from exc

    async def close(self) -> None:
        while self._queue or self._draining:
            if not self._draining:
                self._draining = True
                await self._drain()
            else:
                await asyncio.sleep(0.01)
        try:
            await asyncio.wait_for(self._pool.close(), timeout=5)
        except (asyncio.TimeoutError, *_UNAVAILABLE):
            self._pool.terminate()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def url(self) -> str:
        """The database URL without its password."""
        return redact(self._url)

    @property
    def default_timezone(self) -> str:
        return self._default_tz

    # ---- plumbing ---------------------------------------------------------------------------

    @asynccontextmanager
    async def _read(self) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection; a server that cannot be reached raises StoreUnavailable."""
        for attempt in range(1, CONNECT_ATTEMPTS + 1):
            try:
                conn = await self._pool.acquire()
                break
            except Exception as exc:
                if not is_unavailable(exc):
                    raise
                if attempt == CONNECT_ATTEMPTS:
                    log.warning("PostgreSQL unreachable after %d attempts: %s", attempt, exc)
                    raise StoreUnavailable() from exc
                await asyncio.sleep(RETRY_PAUSE * attempt)
        try:
            yield conn
        except Exception as exc:
            if is_unavailable(exc):
                raise StoreUnavailable() from exc
            raise
        finally:
            try:
                await self._pool.release(conn)
            except Exception:  # noqa: BLE001 - a dead connection is dropped by the pool
                conn.terminate()

    @asynccontextmanager
    async def _write(self) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection in a transaction, committed when the block ends."""
        async with self._read() as conn:
            async with conn.transaction():
                yield conn

    @staticmethod
    async def _one(conn: asyncpg.Connection, sql: _Sql | str, params: dict[str, Any] | Sequence[Any] = ()) -> Any:
        if isinstance(sql, _Sql):
            assert isinstance(params, dict)
            return await conn.fetchrow(sql.text, *sql.args(params))
        return await conn.fetchrow(sql, *params)

    async def _ensure_community(self, conn: asyncpg.Connection, community: Community) -> None:
        await conn.execute(
            "INSERT INTO communities (community, season_started_at) VALUES ($1, $2)"
            " ON CONFLICT (community) DO NOTHING", community, _ts(self._clock.now()))

    async def _community(self, conn: asyncpg.Connection, community: Community) -> CommunitySettings:
        row = await conn.fetchrow(
            "SELECT timezone, season, season_started_at, review_counts FROM communities"
            " WHERE community = $1", community)
        if row is None:
            return CommunitySettings(community, self._default_tz, True, 1, None)
        zone, season, started, review_counts = row
        return CommunitySettings(community, zone or self._default_tz, zone is None, season, _dt(started),
                                 review_counts=bool(review_counts))

    # ---- meta -------------------------------------------------------------------------------

    async def get_meta(self, key: str) -> str | None:
        async with self._read() as conn:
            value: str | None = await conn.fetchval("SELECT value FROM meta WHERE key = $1", key)
        return value

    async def set_meta(self, key: str, value: str) -> None:
        async with self._write() as conn:
            await conn.execute(
                "INSERT INTO meta (key, value) VALUES ($1, $2)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value)

    # ---- communities and members ------------------------------------------------------------

    async def community_settings(self, community: Community) -> CommunitySettings:
        async with self._read() as conn:
            return await self._community(conn, community)

    async def set_timezone(self, community: Community, timezone: str | None) -> CommunitySettings:
        """Set (or with None clear) the community's zone and re-key its weekly and monthly scores."""
        if timezone is not None:
            _check_zone(timezone)
        async with self._write() as conn:
            await self._ensure_community(conn, community)
            await conn.execute("UPDATE communities SET timezone = $1 WHERE community = $2",
                               timezone, community)
            await self._rebuild(conn, community)
            return await self._community(conn, community)

    async def rebuild_scores(self, community: Community, *, rekey: bool = True) -> None:
        """Recompute the community's score rows from its answers (a repair tool)."""
        async with self._write() as conn:
            await self._rebuild(conn, community, rekey=rekey)

    async def _rebuild(self, conn: asyncpg.Connection, community: Community, *, rekey: bool = True) -> None:
        zone = (await self._community(conn, community)).timezone
        if rekey:
            await conn.execute(
                "UPDATE answers SET week_key = study_period(answered_at, $2, 'week'),"
                " month_key = study_period(answered_at, $2, 'month')"
                " WHERE community = $1"
                " AND (week_key IS DISTINCT FROM study_period(answered_at, $2, 'week')"
                " OR month_key IS DISTINCT FROM study_period(answered_at, $2, 'month'))",
                community, zone)
        await conn.execute("DELETE FROM scores WHERE community = $1", community)
        await conn.execute("DELETE FROM board_sizes WHERE community = $1", community)
        await conn.execute("DELETE FROM score_levels WHERE community = $1", community)
        await conn.execute("DELETE FROM score_ties WHERE community = $1", community)
        for period in ("'all'", "week_key", "month_key"):
            await conn.execute(
                "INSERT INTO scores (community, board, season, period, user_id, points,"
                f" answered, correct) SELECT community, board, season, {period}, user_id,"
                " sum(points), count(*), sum(correct) FROM answers WHERE community = $1"
                " GROUP BY community, board, season, 4, user_id", community)

    async def start_new_season(self, community: Community) -> int:
        async with self._write() as conn:
            await self._ensure_community(conn, community)
            await conn.execute(
                "UPDATE communities SET season = season + 1, season_started_at = $1 WHERE community = $2",
                _ts(self._clock.now()), community)
            return (await self._community(conn, community)).season

    async def set_review_counts(self, community: Community, on: bool) -> None:
        async with self._write() as conn:
            await self._ensure_community(conn, community)
            await conn.execute("UPDATE communities SET review_counts = $1 WHERE community = $2",
                               int(on), community)

    async def remember_member(self, community: Community, user_id: str, display_name: str) -> None:
        async with self._write() as conn:
            await self._ensure_community(conn, community)
            await conn.execute(
                "INSERT INTO members (community, user_id, display_name) VALUES ($1, $2, $3)"
                " ON CONFLICT (community, user_id) DO UPDATE SET display_name = excluded.display_name",
                community, user_id, display_name)

    async def set_opt_out(self, community: Community, user_id: str, opted_out: bool = True) -> None:
        async with self._write() as conn:
            await self._ensure_community(conn, community)
            await conn.execute(
                "INSERT INTO members (community, user_id, opted_out) VALUES ($1, $2, $3)"
                " ON CONFLICT (community, user_id) DO UPDATE SET opted_out = excluded.opted_out",
                community, user_id, int(opted_out))

    # ---- schedules --------------------------------------------------------------------------

    async def create_or_replace_schedule(
        self, community: Community, channel_id: str, time: str, timezone: str, *,
        topic: str | None = None, questions_per_post: int = 1,
        reveal_after_hours: float | None = None,
    ) -> Schedule:
        check_schedule(time, questions_per_post, reveal_after_hours)
        _check_zone(timezone)
        now = _ts(self._clock.now())
        async with self._write() as conn:
            await self._ensure_community(conn, community)
            await conn.execute(
                "UPDATE schedules SET stopped_at = $1 WHERE community = $2 AND channel_id = $3"
                " AND stopped_at IS NULL", now, community, channel_id)
            row = await conn.fetchrow(
                "INSERT INTO schedules (community, channel_id, time_of_day, timezone, topic,"
                " questions_per_post, reveal_after_hours, created_at)"
                f" VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {_SCHEDULE_COLUMNS}",
                community, channel_id, time, timezone, topic, questions_per_post,
                reveal_after_hours, now)
        return _schedule(row)

    async def get_schedule(self, schedule_id: int) -> Schedule | None:
        async with self._read() as conn:
            row = await conn.fetchrow(
                f"SELECT {_SCHEDULE_COLUMNS} FROM schedules WHERE schedule_id = $1", schedule_id)
        return None if row is None else _schedule(row)

    async def active_schedules(self, community: Community | None = None) -> list[Schedule]:
        async with self._read() as conn:
            rows = await conn.fetch(
                f"SELECT {_SCHEDULE_COLUMNS} FROM schedules WHERE stopped_at IS NULL"
                " AND ($1::text IS NULL OR community = $1::text) ORDER BY schedule_id", community)
        return [_schedule(r) for r in rows]

    async def stop_schedule(self, schedule_id: int) -> bool:
        return await self._update_schedule(
            "UPDATE schedules SET stopped_at = :now::text WHERE schedule_id = :id::bigint"
            " AND stopped_at IS NULL", schedule_id)

    async def pause_schedule(self, schedule_id: int, reason: str | None = None) -> bool:
        return await self._update_schedule(
            "UPDATE schedules SET paused = 1, pause_reason = :reason::text"
            " WHERE schedule_id = :id::bigint AND stopped_at IS NULL", schedule_id, reason=reason)

    async def resume_schedule(self, schedule_id: int) -> bool:
        return await self._update_schedule(
            "UPDATE schedules SET paused = 0, pause_reason = NULL"
            " WHERE schedule_id = :id::bigint AND stopped_at IS NULL AND paused = 1", schedule_id)

    async def _update_schedule(self, sql: str, schedule_id: int, **extra: Any) -> bool:
        statement = _named(sql)
        params = {"id": schedule_id, "now": _ts(self._clock.now()), **extra}
        async with self._write() as conn:
            return _count(await conn.execute(statement.text, *statement.args(params))) == 1

    # ---- posts ------------------------------------------------------------------------------

    async def create_practice_post(
        self, community: Community, user_id: str, question: Any, *,
        channel_id: str | None = None, reveal_at: datetime | None = None,
        topic: str | None = None, definition_hash: str | None = None, review: bool = False,
    ) -> Post:
        params = {
            "community": community, "board": Board.PRACTICE.value, "channel_id": channel_id,
            "owner_user_id": user_id, "schedule_id": None, "local_date": None, "seq": None,
            "topic": topic, "posted_at": _ts(self._clock.now()), "review": int(review),
            "pick_reason": None, "reveal_at": None if reveal_at is None else _ts(reveal_at),
            **_question_params(question, definition_hash),
        }
        async with self._write() as conn:
            await self._ensure_community(conn, community)
            row = await self._one(conn, _INSERT_POST, params)
        return _post(row)

    async def create_daily_post(
        self, schedule_id: int, local_date: str, seq: int, question: Any, *,
        reveal_at: datetime | None = None, definition_hash: str | None = None,
        pick_reason: str | None = None,
    ) -> DailyPostResult:
        if not 1 <= seq <= 5:
            raise ValueError("seq must be between 1 and 5")
        async with self._write() as conn:
            sched = await conn.fetchrow(
                "SELECT community, channel_id, topic FROM schedules WHERE schedule_id = $1",
                schedule_id)
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
            row = await self._one(conn, _INSERT_POST, params)
            if row is not None:
                return DailyPostResult(_post(row), duplicate=False)
            row = await conn.fetchrow(
                f"SELECT {_POST_COLUMNS} FROM posts"
                " WHERE schedule_id = $1 AND local_date = $2 AND seq = $3",
                schedule_id, local_date, seq)
        return DailyPostResult(_post(row), duplicate=True)

    async def get_post(self, post_id: int) -> Post | None:
        async with self._read() as conn:
            row = await conn.fetchrow(f"SELECT {_POST_COLUMNS} FROM posts WHERE post_id = $1", post_id)
        return None if row is None else _post(row)

    async def daily_posts(self, schedule_id: int, local_date: str) -> list[Post]:
        async with self._read() as conn:
            rows = await conn.fetch(
                f"SELECT {_POST_COLUMNS} FROM posts WHERE schedule_id = $1 AND local_date = $2"
                " ORDER BY seq", schedule_id, local_date)
        return [_post(r) for r in rows]

    async def set_message_id(self, post_id: int, message_id: str) -> None:
        async with self._write() as conn:
            await conn.execute(
                "UPDATE posts SET message_id = $1, send_claimed_until = NULL, send_claimed_by = NULL"
                " WHERE post_id = $2",
                message_id, post_id)

    async def claim_daily_post_send(self, post_id: int, *, lease: timedelta,
                                    now: datetime | None = None) -> Post | None:
        when = now or self._clock.now()
        async with self._write() as conn:
            row = await self._one(conn, _CLAIM_ONE, {"now": _ts(when), "until": _ts(when + lease),
                                                     "post_id": post_id, "by": self._claimer})
        return None if row is None else _post(row)

    async def claim_unsent_daily_posts(self, *, lease: timedelta, since: datetime,
                                       now: datetime | None = None) -> list[Post]:
        when = now or self._clock.now()
        params = {"now": _ts(when), "until": _ts(when + lease), "since": _ts(since),
                  "by": self._claimer}
        async with self._write() as conn:
            rows = await conn.fetch(_CLAIM_SINCE.text, *_CLAIM_SINCE.args(params))
        return sorted((_post(r) for r in rows), key=lambda p: (p.posted_at, p.post_id))

    async def release_send_claim(self, post_id: int) -> None:
        async with self._write() as conn:
            await conn.execute("UPDATE posts SET send_claimed_until = NULL, send_claimed_by = NULL"
                               " WHERE post_id = $1 AND message_id IS NULL", post_id)

    async def claimable_unsent_daily_posts(self, *, since: datetime,
                                           now: datetime | None = None) -> list[Post]:
        when = now or self._clock.now()
        async with self._read() as conn:
            rows = await conn.fetch(
                f"SELECT {_POST_COLUMNS} FROM posts WHERE board = 'daily' AND message_id IS NULL"
                " AND revealed_at IS NULL AND posted_at >= $1"
                " AND (send_claimed_until IS NULL OR send_claimed_until < $2)"
                " AND EXISTS (SELECT 1 FROM schedules s WHERE s.schedule_id = posts.schedule_id"
                "             AND s.stopped_at IS NULL AND s.paused = 0)"
                " ORDER BY posted_at, post_id", _ts(since), _ts(when))
        return [_post(r) for r in rows]

    async def stale_unsent_daily_posts(self, before: datetime) -> list[Post]:
        async with self._read() as conn:
            rows = await conn.fetch(
                f"SELECT {_POST_COLUMNS} FROM posts WHERE board = 'daily'"
                " AND message_id IS NULL AND revealed_at IS NULL AND posted_at < $1"
                " ORDER BY posted_at, post_id", _ts(before))
        return [_post(r) for r in rows]

    async def set_reveal_at(self, post_id: int, when: datetime | None) -> bool:
        async with self._write() as conn:
            status = await conn.execute("UPDATE posts SET reveal_at = $1 WHERE post_id = $2",
                                        None if when is None else _ts(when), post_id)
        return _count(status) == 1

    async def due_reveals(self, now: datetime | None = None) -> list[Post]:
        when = _ts(now or self._clock.now())
        async with self._read() as conn:
            rows = await conn.fetch(
                f"SELECT {_POST_COLUMNS} FROM posts WHERE revealed_at IS NULL"
                " AND reveal_at IS NOT NULL AND reveal_at <= $1 ORDER BY reveal_at, post_id", when)
        return [_post(r) for r in rows]

    async def mark_revealed(self, post_id: int) -> bool:
        async with self._write() as conn:
            status = await conn.execute(
                "UPDATE posts SET revealed_at = $1 WHERE post_id = $2 AND revealed_at IS NULL",
                _ts(self._clock.now()), post_id)
        return _count(status) == 1

    async def pending_reveal_edits(self, since: datetime) -> list[Post]:
        async with self._read() as conn:
            rows = await conn.fetch(
                f"SELECT {_POST_COLUMNS} FROM posts WHERE revealed_at IS NOT NULL"
                " AND reveal_edited_at IS NULL AND message_id IS NOT NULL AND revealed_at >= $1"
                " ORDER BY revealed_at, post_id", _ts(since))
        return [_post(r) for r in rows]

    async def mark_reveal_edited(self, post_id: int) -> None:
        async with self._write() as conn:
            await conn.execute(
                "UPDATE posts SET reveal_edited_at = $1 WHERE post_id = $2 AND reveal_edited_at IS NULL",
                _ts(self._clock.now()), post_id)

    async def question_use_counts(self, community: Community, topic: str | None) -> dict[str, int]:
        async with self._read() as conn:
            rows = await conn.fetch(
                "SELECT question_id, count(*) FROM posts WHERE community = $1 AND board = 'daily'"
                " AND topic IS NOT DISTINCT FROM $2::text GROUP BY question_id", community, topic)
        return {question_id: n for question_id, n in rows}

    async def term_miss_counts(self, community: Community) -> dict[str, int]:
        async with self._read() as conn:
            rows = await conn.fetch(
                "SELECT p.term, count(*) FROM answers a JOIN posts p ON p.post_id = a.post_id"
                " WHERE a.community = $1 AND a.correct = 0 GROUP BY p.term", community)
        return {term: n for term, n in rows}

    # ---- answers ----------------------------------------------------------------------------

    async def record_answer(self, post_id: int, user_id: str, choice: int, display_name: str,
                            now: datetime | None = None, *, rating: int | None = None) -> AnswerResult:
        """Record a member's answer; committed before this returns (see the module docstring).

        Raises StoreUnavailable when the server cannot be reached; nothing of the answer is
        stored then, and the member may simply answer again."""
        params = {
            **ANSWER_CONSTANTS, "post_id": post_id, "user_id": user_id, "choice": choice,
            "display_name": display_name, "now": _ts(now or self._clock.now()),
            "default_tz": self._default_tz, "rating": rating,
        }
        result = accepted_answer(await self._queue_answer(params), post_id)
        return result if result is not None else await self._refused_answer(post_id, user_id)

    async def _queue_answer(self, params: dict[str, Any]) -> Any:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.append(_Pending(params, future))
        if not self._draining:
            self._draining = True
            await self._drain()
        return await future

    async def _drain(self) -> None:
        """Write batches until the queue is empty; the caller has set `_draining`."""
        try:
            while self._queue:
                batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
                try:
                    outcomes = await self._write_batch([p.params for p in batch])
                except asyncio.CancelledError:
                    for pending in batch:
                        pending.future.cancel()
                    raise
                except Exception as exc:  # noqa: BLE001 - handed to every waiting caller
                    for pending in batch:
                        if not pending.future.done():
                            pending.future.set_exception(exc)
                    continue
                for pending, outcome in zip(batch, outcomes, strict=True):
                    if not pending.future.done():
                        pending.future.set_result(outcome)
        finally:
            if self._queue:  # the draining caller was cancelled: a task finishes the queue
                self._takeover = asyncio.create_task(self._drain(), name="studybot-pg-answers")
            else:
                self._draining = False

    async def _write_batch(self, batch: list[dict[str, Any]]) -> list[Any]:
        """One transaction for the batch; a server that went away is retried, then StoreUnavailable.

        An answer whose statement fails on its own is written alone to find it, so one bad
        answer cannot sink the others."""
        for attempt in range(1, CONNECT_ATTEMPTS + 1):
            try:
                async with self._read() as conn:
                    try:
                        return await self._transaction(conn, batch)
                    except asyncpg.exceptions.PostgresError as exc:
                        if is_unavailable(exc):
                            raise
                        if len(batch) == 1:
                            return [exc]
                    outcomes: list[Any] = []
                    for params in batch:
                        try:
                            outcomes.extend(await self._transaction(conn, [params]))
                        except asyncpg.exceptions.PostgresError as exc:
                            if is_unavailable(exc):
                                raise
                            outcomes.append(exc)
                    return outcomes
            except StoreUnavailable:
                if attempt == CONNECT_ATTEMPTS:
                    raise
                log.warning("%d answers: PostgreSQL went away (attempt %d of %d); retrying",
                            len(batch), attempt, CONNECT_ATTEMPTS, exc_info=True)
                await asyncio.sleep(RETRY_PAUSE * attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _transaction(self, conn: asyncpg.Connection, batch: list[dict[str, Any]]) -> list[Any]:
        """Lock the batch's members, insert each answer, review and write their cards; commit."""
        outcomes: list[Any] = []
        reviewed: dict[tuple[str, str, str], tuple[cards.Card, str | None, str]] = {}
        async with conn.transaction():
            communities = await conn.fetch(
                "SELECT post_id, community FROM posts WHERE post_id = ANY($1::bigint[])",
                list({p["post_id"] for p in batch}))
            home = {post_id: community for post_id, community in communities}
            keys = sorted({_lock_key(home[p["post_id"]], p["user_id"]) for p in batch
                           if p["post_id"] in home})
            if keys:
                await conn.execute(_LOCK_MEMBERS, keys)
            for params in batch:
                row = await conn.fetchrow(_RECORD_ANSWER.text, *_RECORD_ANSWER.args(params))
                if row is None:
                    outcomes.append(None)
                    continue
                (choice, correct, rank, points, streak, answer_index, community, user_id, entry_id,
                 digest, rating, answered_at, *card_columns) = row
                outcomes.append((choice, correct, rank, points, streak, answer_index))
                if entry_id is None:
                    continue
                key = (community, user_id, entry_id)
                if key in reviewed:
                    before, old_digest, _ = reviewed[key]
                else:
                    before = _card(*card_columns)
                    old_digest = None
                card = cards.after_answer(before, bool(correct), rating, datetime.fromisoformat(answered_at))
                reviewed[key] = (card, digest if digest is not None else old_digest, answered_at)
            if reviewed:
                await conn.execute(_WRITE_CARDS, *_card_columns(reviewed))
        return outcomes

    async def _refused_answer(self, post_id: int, user_id: str) -> AnswerResult:
        async with self._read() as conn:
            row = await conn.fetchrow(
                f"SELECT {REFUSED_COLUMNS}"
                " FROM posts p LEFT JOIN answers a ON a.post_id = p.post_id AND a.user_id = $1"
                " WHERE p.post_id = $2", user_id, post_id)
        return refused_answer(row, post_id, user_id)

    async def post_results(self, post_id: int) -> PostResults | None:
        async with self._read() as conn:
            post = await conn.fetchrow("SELECT choices FROM posts WHERE post_id = $1", post_id)
            if post is None:
                return None
            per_choice = await conn.fetch(
                "SELECT choice, count(*) FROM answers WHERE post_id = $1 GROUP BY choice", post_id)
            first = await conn.fetch(
                "SELECT a.user_id, coalesce(m.display_name, a.display_name) FROM answers a"
                " LEFT JOIN members m ON m.community = a.community AND m.user_id = a.user_id"
                " WHERE a.post_id = $1 AND a.correct_rank <= 3 ORDER BY a.correct_rank", post_id)
        return post_results(post_id, post[0], per_choice, first)

    # ---- reminders --------------------------------------------------------------------------

    async def set_reminder(self, community: Community, user_id: str, time: str, timezone: str,
                           lang: str) -> Reminder:
        if not TIME_OF_DAY.match(time):
            raise ValueError(f"{time!r} is not a time of day as HH:MM")
        _check_zone(timezone)
        async with self._write() as conn:
            row = await conn.fetchrow(
                "INSERT INTO reminders (community, user_id, time_of_day, timezone, lang)"
                " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (community, user_id) DO UPDATE SET"
                " time_of_day = excluded.time_of_day, timezone = excluded.timezone, lang = excluded.lang,"
                f" stopped_at = NULL, stop_reason = NULL RETURNING {REMINDER_COLUMNS}",
                community, user_id, time, timezone, lang)
        return reminder(row)

    async def clear_reminder(self, community: Community, user_id: str) -> bool:
        async with self._write() as conn:
            status = await conn.execute("DELETE FROM reminders WHERE community = $1 AND user_id = $2",
                                        community, user_id)
        return _count(status) == 1

    async def get_reminder(self, community: Community, user_id: str) -> Reminder | None:
        async with self._read() as conn:
            row = await conn.fetchrow(f"SELECT {REMINDER_COLUMNS} FROM reminders"
                                      " WHERE community = $1 AND user_id = $2", community, user_id)
        return None if row is None else reminder(row)

    async def active_reminders(self, platform: str) -> list[Reminder]:
        async with self._read() as conn:
            rows = await conn.fetch(
                f"SELECT {REMINDER_COLUMNS} FROM reminders WHERE stopped_at IS NULL"
                " AND substr(community, 1, $1) = $2 ORDER BY community, user_id",
                len(platform) + 1, platform + ":")
        return [reminder(r) for r in rows]

    async def claim_reminder(self, community: Community, user_id: str, local_date: str) -> bool:
        async with self._write() as conn:
            status = await conn.execute(
                "UPDATE reminders SET last_sent_date = $1 WHERE community = $2 AND user_id = $3"
                " AND stopped_at IS NULL AND (last_sent_date IS NULL OR last_sent_date < $1)",
                local_date, community, user_id)
        return _count(status) == 1

    async def release_reminder(self, community: Community, user_id: str, local_date: str,
                               previous: str | None) -> None:
        async with self._write() as conn:
            await conn.execute(
                "UPDATE reminders SET last_sent_date = $1 WHERE community = $2 AND user_id = $3"
                " AND last_sent_date = $4", previous, community, user_id, local_date)

    async def stop_reminder(self, community: Community, user_id: str, reason: str, now: datetime) -> None:
        async with self._write() as conn:
            await conn.execute("UPDATE reminders SET stopped_at = $1, stop_reason = $2"
                               " WHERE community = $3 AND user_id = $4", _ts(now), reason, community, user_id)

    # ---- cards ------------------------------------------------------------------------------

    async def member_cards(self, community: Community, user_id: str,
                           entry_ids: Sequence[str] | None = None) -> dict[str, cards.Card]:
        async with self._read() as conn:
            rows = await conn.fetch(
                f"SELECT entry_id, {_CARD_COLUMNS} FROM cards WHERE community = $1 AND user_id = $2"
                " AND ($3::text[] IS NULL OR entry_id = ANY($3::text[]))",
                community, user_id, None if entry_ids is None else list(entry_ids))
        return {entry_id: card for entry_id, *rest in rows if (card := _card(*rest)) is not None}

    async def due_entry_ids(self, community: Community, user_id: str, now: datetime, *,
                            limit: int | None = None, offset: int = 0) -> list[str]:
        async with self._read() as conn:
            rows = await conn.fetch(
                "SELECT entry_id FROM cards WHERE community = $1 AND user_id = $2 AND due <= $3"
                " ORDER BY due, entry_id LIMIT $4 OFFSET $5",
                community, user_id, _ts(now), limit, offset)
        return [entry_id for (entry_id,) in rows]

    async def next_due_cards(self, community: Community, user_id: str, *, after: datetime,
                             limit: int) -> list[tuple[str, datetime]]:
        async with self._read() as conn:
            rows = await conn.fetch(
                "SELECT entry_id, due FROM cards WHERE community = $1 AND user_id = $2 AND due > $3"
                " ORDER BY due, entry_id LIMIT $4", community, user_id, _ts(after), limit)
        return [(entry_id, datetime.fromisoformat(due)) for entry_id, due in rows]

    async def carded_entry_ids(self, community: Community, user_id: str,
                               entry_ids: Sequence[str]) -> set[str]:
        async with self._read() as conn:
            rows = await conn.fetch(
                "SELECT entry_id FROM cards WHERE community = $1 AND user_id = $2"
                " AND entry_id = ANY($3::text[])", community, user_id, list(entry_ids))
        return {entry_id for (entry_id,) in rows}

    async def entry_memory(self, community: Community, entry_ids: Sequence[str], *, sample: int,
                           when: datetime, curve: tuple[float, float], below: float,
                           ) -> tuple[int, dict[str, tuple[int, int, float, int]]]:
        """See `Store.entry_memory`: the same numbers, in one statement per part."""
        factor, decay = curve
        params = {"community": community, "ids": list(entry_ids), "sample": sample,
                  "when": _ts(when), "factor": factor, "decay": decay, "below": below}
        async with self._read() as conn:
            studying = await conn.fetchval(
                "SELECT coalesce((SELECT members FROM card_holders WHERE community = $1), 0)", community)
            rows = await conn.fetch(_ENTRY_MEMORY.text, *_ENTRY_MEMORY.args(params))
        return int(studying), {entry_id: (seen, sampled, float(total), int(low))
                               for entry_id, seen, sampled, total, low in rows}

    async def make_changed_cards_due(self, current: Sequence[tuple[str, str]], now: datetime) -> int:
        if not current:
            return 0
        async with self._write() as conn:
            status = await conn.execute(
                "UPDATE cards c SET due = $3 FROM unnest($1::text[], $2::text[]) AS n(entry_id, digest)"
                " WHERE c.entry_id = n.entry_id AND c.community IN"
                " (SELECT community FROM entry_reach r WHERE r.entry_id = n.entry_id)"
                " AND c.definition_hash IS NOT NULL AND c.definition_hash <> n.digest AND c.due > $3",
                [e for e, _ in current], [d for _, d in current], _ts(now))
        return _count(status)

    async def all_cards(self) -> list[tuple[Any, ...]]:
        async with self._read() as conn:
            rows = await conn.fetch(
                "SELECT community, user_id, entry_id, state, step, stability, difficulty, due,"
                " last_review, reps, lapses, definition_hash FROM cards"
                " ORDER BY community, user_id, entry_id")
        return [tuple(r) for r in rows]

    async def rebuild_cards(self) -> CardRebuild:
        """Recompute every card from the answer log in answer order, in one transaction
        (see `Store.rebuild_cards`)."""
        state: Replayed = {}
        answers = 0
        async with self._write() as conn:
            await conn.execute("DELETE FROM cards")
            await conn.execute("DELETE FROM entry_reach")  # both refilled by the triggers on new cards
            await conn.execute("DELETE FROM card_holders")
            cursor = conn.cursor(
                "SELECT a.community, a.user_id, p.entry_id, p.definition_hash, a.correct, a.rating,"
                " a.answered_at FROM answers a JOIN posts p ON p.post_id = a.post_id"
                " WHERE p.entry_id IS NOT NULL ORDER BY a.answer_id", prefetch=_REBUILD_CHUNK)
            async for row in cursor:
                answers += 1
                replay(state, *row)
            if state:
                await conn.execute(_WRITE_CARDS, *_card_columns(state))
            await conn.execute("DELETE FROM meta WHERE key = $1", _CARDS_STALE)
        return CardRebuild(answers=answers, cards=len(state))

    # ---- leaderboards and stats -------------------------------------------------------------

    async def _streaks(self, conn: asyncpg.Connection, community: Community, season: int, board: Board,
                       user_ids: Iterable[str] | None) -> dict[str, tuple[int, int]]:
        if user_ids is None:
            rows = await conn.fetch(_STREAKS.format(users=""), community, season, board.value)
        else:
            ids = list(user_ids)
            if not ids:
                return {}
            rows = await conn.fetch(_STREAKS.format(users="AND k.user_id = ANY($4::text[])"),
                                    community, season, board.value, ids)
        return {u: (current, best) for u, current, best in rows}

    async def leaderboard(self, community: Community, board: Board = Board.DAILY,
                          period: Period = Period.ALL, *, offset: int = 0, limit: int = 10,
                          now: datetime | None = None) -> LeaderboardPage:
        """One page of the board for the current season, in tie-break order, opted-out hidden;
        one statement (the season and period key come from the community's row)."""
        if offset < 0 or limit < 1:
            raise ValueError("offset must be >= 0 and limit >= 1")
        params = {"community": community, "board": board.value, "kind": period.value,
                  "now": _ts(now or self._clock.now()), "default_tz": self._default_tz,
                  "limit": limit, "offset": offset}
        async with self._read() as conn:
            rows = await conn.fetch(_LEADERBOARD.text, *_LEADERBOARD.args(params))
        season, key, total = rows[0][0], rows[0][1], int(rows[0][2])
        leaders = tuple(
            LeaderRow(offset + i + 1, u, name, points, answered, correct, streak)
            for i, (_, _, _, u, name, points, answered, correct, streak) in enumerate(rows)
            if u is not None)
        return LeaderboardPage(community, board, period, key, season, total, offset, leaders)

    async def _rank(self, conn: asyncpg.Connection, community: Community, board: Board, period: Period,
                    now: datetime | None, user_id: str) -> tuple[int, int, int, int, str, int, int] | None:
        """(rank, points, answered, correct, name, shown streak, best streak) of a member in the
        current season, in one trip; rank counts the visible members ahead. None when the member
        has no score row."""
        params = {"community": community, "board": board.value, "kind": period.value,
                  "now": _ts(now or self._clock.now()), "default_tz": self._default_tz,
                  "user_id": user_id}
        row = await self._one(conn, _RANK_OF, params)
        if row is None:
            return None
        points, answered, correct, ahead, name, streak, best = row
        return int(ahead) + 1, points, answered, correct, name or "", streak or 0, best or 0

    async def rank_of(self, community: Community, user_id: str, board: Board = Board.DAILY,
                      period: Period = Period.ALL, *, now: datetime | None = None,
                      ) -> LeaderRow | None:
        async with self._read() as conn:
            ranked = await self._rank(conn, community, board, period, now, user_id)
        if ranked is None:
            return None
        rank, points, answered, correct, name, streak, _ = ranked
        return LeaderRow(rank, user_id, name, points, answered, correct, streak)

    async def user_stats(self, community: Community, user_id: str) -> UserStats:
        async with self._read() as conn:
            home = await self._community(conn, community)
            boards: dict[Board, BoardStats] = {}
            for board in Board:
                ranked = await self._rank(conn, community, board, Period.ALL, None, user_id)
                if ranked is None:  # no score row: the streak rows may still say something
                    current, best = (await self._streaks(
                        conn, community, home.season, board, [user_id])).get(user_id, (0, 0))
                    rank, points, answered, correct = None, 0, 0, 0
                else:
                    rank, points, answered, correct, _, current, best = ranked
                boards[board] = BoardStats(board, answered, correct,
                                           scoring.accuracy(correct, answered), points,
                                           current, best, rank)
            missed = await conn.fetch(
                "SELECT p.term, count(*) AS n FROM answers a JOIN posts p ON p.post_id = a.post_id"
                " WHERE a.community = $1 AND a.user_id = $2 AND a.season = $3 AND a.correct = 0"
                " GROUP BY p.term ORDER BY n DESC, p.term LIMIT 3", community, user_id, home.season)
            member = await conn.fetchrow(
                "SELECT display_name, opted_out FROM members WHERE community = $1 AND user_id = $2",
                community, user_id)
        return UserStats(community, user_id, member[0] if member else "", home.season, boards,
                         tuple(TermMisses(t, n) for t, n in missed),
                         opted_out=bool(member[1]) if member else False)

    async def export_scores(self, community: Community) -> list[ScoreExportRow]:
        async with self._read() as conn:
            home = await self._community(conn, community)
            rows = await conn.fetch(
                "SELECT s.board, s.user_id, coalesce(m.display_name, ''), s.points, s.answered,"
                " s.correct, coalesce(m.opted_out, 0) FROM scores s LEFT JOIN members m"
                " ON m.community = s.community AND m.user_id = s.user_id"
                " WHERE s.community = $1 AND s.season = $2 AND s.period = 'all'"
                " AND s.board IN ('daily', 'practice')"
                " ORDER BY s.board, s.points DESC, s.correct DESC, s.answered, s.user_id",
                community, home.season)
            streaks = {board: await self._streaks(conn, community, home.season, board, None)
                       for board in Board}
        return export_rows(rows, streaks)

    # ---- progress (charts) ------------------------------------------------------------------

    # ---- the processes registry (shards across processes) -------------------------------------

    def claim_as(self, process_id: str | None) -> None:
        self._claimer = process_id

    async def register_process(self, entry: ProcessEntry, *, dead_before: datetime,
                               stale: Callable[[ProcessEntry], bool],
                               conflicts: Callable[[ProcessEntry], bool]) -> list[ProcessEntry]:
        async with self._write() as conn:
            # The exclusive lock makes registrations one at a time (as SQLite's single writer
            # does), so two processes starting at once cannot both see an empty registry.
            await conn.execute("LOCK TABLE processes IN SHARE ROW EXCLUSIVE MODE")
            await conn.execute("DELETE FROM processes WHERE heartbeat_at < $1", _ts(dead_before))
            rows = [process_entry(r) for r in await conn.fetch(f"SELECT {PROCESS_COLUMNS} FROM processes")]
            for row in rows:
                if stale(row):
                    await conn.execute("DELETE FROM processes WHERE process_id = $1", row.process_id)
            await conn.execute(
                "UPDATE posts SET send_claimed_until = NULL, send_claimed_by = NULL"
                " WHERE send_claimed_by IS NOT NULL AND message_id IS NULL"
                " AND send_claimed_by NOT IN (SELECT process_id FROM processes)")
            blockers = [r for r in rows if not stale(r) and conflicts(r)]
            if not blockers:
                await self._insert_process(conn, entry)
        return blockers

    @staticmethod
    async def _insert_process(conn: asyncpg.Connection, entry: ProcessEntry) -> None:
        await conn.execute(
            f"INSERT INTO processes ({PROCESS_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
            " ON CONFLICT (process_id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at",
            entry.process_id, entry.host, entry.pid, entry.start_mark, entry.shard_first,
            entry.shard_last, entry.shard_count, int(entry.overlap_allowed), _ts(entry.started_at),
            _ts(entry.heartbeat_at))

    async def heartbeat_process(self, entry: ProcessEntry, now: datetime) -> bool:
        async with self._write() as conn:
            status = await conn.execute("UPDATE processes SET heartbeat_at = $1 WHERE process_id = $2",
                                        _ts(now), entry.process_id)
            if status == "UPDATE 1":
                return True
            await self._insert_process(conn, entry)
            return False

    async def unregister_process(self, process_id: str) -> None:
        async with self._write() as conn:
            await conn.execute("DELETE FROM processes WHERE process_id = $1", process_id)

    async def live_processes(self, alive_since: datetime) -> list[ProcessEntry]:
        async with self._read() as conn:
            rows = await conn.fetch(
                f"SELECT {PROCESS_COLUMNS} FROM processes WHERE heartbeat_at >= $1"
                " ORDER BY shard_count, shard_first, started_at", _ts(alive_since))
        return [process_entry(r) for r in rows]

    async def member_activity(self, community: Community, user_id: str, *, since: datetime,
                              until: datetime, due_before: datetime) -> MemberActivity:
        """See `Store.member_activity`: answers in [since, until) per UTC minute, cards due before
        `due_before`."""
        async with self._read() as conn:
            home = await self._community(conn, community)
            answers = await conn.fetch(
                "SELECT substr(answered_at, 1, 16), count(*), sum(correct) FROM answers"
                " WHERE community = $1 AND user_id = $2 AND answered_at >= $3 AND answered_at < $4"
                " GROUP BY 1 ORDER BY 1", community, user_id, _ts(since), _ts(until))
            due = await conn.fetch(
                "SELECT entry_id, due FROM cards WHERE community = $1 AND user_id = $2 AND due < $3"
                " ORDER BY due", community, user_id, _ts(due_before))
        return MemberActivity(
            community, user_id, home.timezone,
            tuple((datetime.fromisoformat(minute + ":00+00:00"), n, int(right)) for minute, n, right in answers),
            tuple((entry_id, datetime.fromisoformat(when)) for entry_id, when in due))



def _card_columns(reviewed: dict[tuple[str, str, str], tuple[cards.Card, str | None, str]]) -> list[list[Any]]:
    """The twelve column arrays of `_WRITE_CARDS` for the reviewed cards."""
    columns: list[list[Any]] = [[] for _ in range(12)]
    for (community, user_id, entry_id), (card, digest, answered_at) in reviewed.items():
        for column, value in zip(columns, (
                community, user_id, entry_id, int(card.state), card.step, card.stability,
                card.difficulty, _ts(card.due), answered_at, card.reps, card.lapses, digest),
                strict=True):
            column.append(value)
    return columns


__all__ = ["PostgresStore", "is_unavailable", "redact"]
