"""Store benchmarks: answers recorded per second, and leaderboard latency on a big community.

* Answers/s through `Store.record_answer` on a file database (each answer its own committed
  transaction, as the bot records them), beside plain synchronous `sqlite3` running the same
  statement (same schema, triggers and PRAGMAs) as `BEGIN IMMEDIATE; INSERT; COMMIT` on another
  file in the same run. Goal: the store reaches at least half the plain rate.
* Leaderboard top 10 for one community (`discord:1`) with 50,000 members and 1,000,000 answers over 90 days, per
  period, through `Store.leaderboard` (page, visible total and streaks), beside a plain GROUP BY
  over the answers of the same window. Goal: at most 10 ms.
* What `/leaderboard` shows, top 10 plus the caller's own rank, per period: `Store.leaderboard`
  then `Store.rank_of` (what `StudyService.leaderboard` and `StudyService.own_rank` pass through
  to), for a caller at the top, in the middle and at the bottom of the board, and for the last
  member of the most crowded score level (the store counts the members ahead within the caller's
  own level one by one, so that caller costs it most); the worst of the four is judged. Goal: at
  most 10 ms. Beside it the same answer as plain GROUP BYs over the answers of the window (the
  top 10, and the caller's rank as the count of members ahead), which must agree with the
  store's rank.

The SQL here only builds the test data and the plain baselines; the store's own SQL is imported.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.table import Row
from bot.app.study import StudyService
from bot.clock import ManualClock
from bot.community import Community
from bot.engine import scoring
from bot.engine.model import Question, QuestionKind, SourceRef
from bot.engine.scoring import Board, Period
from bot.store import Store
from bot.store.store import _RECORD_ANSWER, _study_period

AREA = "store"
GUILD = Community.discord(1)
CHANNEL = "100"
ZONE = "Asia/Seoul"
INSERT_ANSWERS = 4000
MEMBERS = 50_000
ANSWERS = 1_000_000
DEFAULT_NOTES = Path(__file__).resolve().parent.parent / "data" / "notes"
DAYS = 90
LEADERBOARD_RUNS = 30
RAW_RUNS = 1
RANK_RUNS = 15
CALLERS = ("top", "middle", "bottom", "level end")
START = datetime(2026, 9, 1, 0, 0, tzinfo=UTC)

QUESTION = Question(
    id="bench-q", kind=QuestionKind.TERM_TO_DEFINITION, prompt="What is a container?",
    choices=("a", "b", "c", "d"), answer=1, explanation="b", term="Container", deck="bench",
    source=SourceRef("bench.md", 1),
)


def _params(post_id: int, user_id: str, choice: int, now: str) -> dict[str, object]:
    return {
        "post_id": post_id, "user_id": user_id, "choice": choice, "display_name": f"u{user_id}",
        "now": now, "default_tz": ZONE, "rating": None, "daily_points": scoring.DAILY_CORRECT_POINTS,
        "practice_points": scoring.PRACTICE_CORRECT_POINTS, "wrong_points": scoring.WRONG_POINTS,
        **{f"bonus_{i}": b for i, b in enumerate(scoring.DAILY_FIRST_CORRECT_BONUS)},
    }


async def _make_posts(path: Path, clock: ManualClock, posts: int) -> list[int]:
    async with await Store.open(path, clock=clock, default_timezone=ZONE) as store:
        schedule = await store.create_or_replace_schedule(GUILD, CHANNEL, "09:00", ZONE,
                                                          questions_per_post=1)
        day = datetime(2026, 1, 1)
        ids = []
        for i in range(posts):
            local_date = (day + timedelta(days=i)).date().isoformat()
            result = await store.create_daily_post(schedule.schedule_id, local_date, 1, QUESTION)
            ids.append(result.post.post_id)
        return ids


def _work(post_ids: list[int]) -> list[tuple[int, str, int]]:
    """(post id, user id, choice) per answer; user ids are text, as the store keeps them."""
    rng = random.Random(7)
    per_post = INSERT_ANSWERS // len(post_ids)
    return [(post_id, str(user), rng.randrange(4)) for post_id in post_ids
            for user in range(1, per_post + 1)]


async def _store_rate(path: Path, work: list[tuple[int, str, int]], clock: ManualClock) -> float:
    async with await Store.open(path, clock=clock, default_timezone=ZONE) as store:
        started = time.perf_counter()
        for post_id, user, choice in work:
            result = await store.record_answer(post_id, user, choice, f"u{user}")
            assert result.accepted
        return len(work) / (time.perf_counter() - started)


async def _service_rate(path: Path, work: list[tuple[int, str, int]], clock: ManualClock) -> float:
    """The same answers through `StudyService.answer`, as a front end records a click."""
    async with await Store.open(path, clock=clock, default_timezone=ZONE) as store:
        service = StudyService(notes_path=DEFAULT_NOTES, store=store, clock=clock)
        started = time.perf_counter()
        for post_id, user, choice in work:
            outcome = await service.answer(community=GUILD, post_id=post_id, user_id=user, choice=choice,
                                           display_name=f"u{user}")
            assert outcome.result.accepted
        return len(work) / (time.perf_counter() - started)


def _raw_rate(path: Path, work: list[tuple[int, str, int]], now: str) -> float:
    conn = sqlite3.connect(path, isolation_level=None, timeout=10.0)
    try:
        conn.create_function("study_period", 3, _study_period, deterministic=True)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
        started = time.perf_counter()
        for post_id, user, choice in work:
            conn.execute("BEGIN IMMEDIATE")
            rows = conn.execute(_RECORD_ANSWER, _params(post_id, user, choice, now)).fetchall()
            conn.execute("COMMIT")
            assert rows
        return len(work) / (time.perf_counter() - started)
    finally:
        conn.close()


def _insert_rows(folder: Path) -> list[Row]:
    clock = ManualClock(datetime(2026, 1, 1, tzinfo=UTC))
    now = clock.now().isoformat(timespec="microseconds")
    store_db, service_db, raw_db = folder / "store.db", folder / "service.db", folder / "raw.db"
    store_posts = asyncio.run(_make_posts(store_db, clock, 40))
    service_posts = asyncio.run(_make_posts(service_db, clock, 40))
    raw_posts = asyncio.run(_make_posts(raw_db, clock, 40))
    work = _work(store_posts)
    assert store_posts == raw_posts == service_posts
    # Alternate the three so none of them always gets the warm or the cold disk cache.
    store_rates, service_rates, raw_rates = [], [], []
    for part in range(2):
        chunk = work[part::2]
        store_rates.append(asyncio.run(_store_rate(store_db, chunk, clock)))
        service_rates.append(asyncio.run(_service_rate(service_db, chunk, clock)))
        raw_rates.append(_raw_rate(raw_db, chunk, now))
    store_rate, raw_rate = statistics.mean(store_rates), statistics.mean(raw_rates)
    service_rate = statistics.mean(service_rates)
    ratio = service_rate / raw_rate
    return [
        Row(AREA, "answers/s, StudyService.answer (file, 1 tx each)", service_rate, "answers/s",
            note=f"{len(work)} answers"),
        Row(AREA, "answers/s, Store.record_answer alone", store_rate, "answers/s"),
        Row(AREA, "answers/s, plain sqlite3 same statement", raw_rate, "answers/s"),
        Row(AREA, "service rate / plain rate", ratio, "ratio", "≥ 0.5", ratio >= 0.5),
    ]


def _bulk_load(path: Path) -> datetime:
    """1M answers by 50k members over 90 days of daily posts; returns 'now' (the last day).

    The answers go in with one executemany per day and the aggregate trigger dropped on this
    throw-away file; `Store.rebuild_scores(rekey=False)` then builds the score rows from them
    (timed separately). Streak rows are written directly, one per member.
    """
    asyncio.run(_make_posts(path, ManualClock(START), 0))
    rng = random.Random(42)
    zone = ZoneInfo(ZONE)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -1000000")
    conn.execute("DROP TRIGGER answers_keep_aggregates")
    conn.execute("BEGIN")
    schedule_id = conn.execute("SELECT max(schedule_id) FROM schedules").fetchone()[0]
    conn.executemany(
        "INSERT INTO members (community, user_id, display_name, opted_out) VALUES (?, ?, ?, ?)",
        ((GUILD, str(u), f"member {u}", int(u % 997 == 0)) for u in range(1, MEMBERS + 1)))
    per_day = ANSWERS // DAYS
    # Activity is skewed so that the top of the board is contested and ties occur.
    weights = [1.0 / (1 + (u % 500)) for u in range(1, MEMBERS + 1)]
    users = list(range(1, MEMBERS + 1))
    first_day = START.astimezone(zone).date()
    last_post: dict[int, int] = {}
    loaded = 0
    for day in range(DAYS):
        local_date = first_day + timedelta(days=day)
        posted = datetime(local_date.year, local_date.month, local_date.day, 9, tzinfo=zone)
        post_id = conn.execute(
            "INSERT INTO posts (community, board, season, channel_id, schedule_id, local_date, seq,"
            " question_id, kind, prompt, choices, answer_index, explanation, term, deck,"
            " source_path, source_line, posted_at, revealed_at)"
            " VALUES (?, 'daily', 1, ?, ?, ?, 1, ?, 'acronym', 'p', '[\"a\",\"b\",\"c\",\"d\"]',"
            " 1, 'e', ?, 'bench', 'bench.md', 1, ?, ?)",
            (GUILD, CHANNEL, schedule_id, local_date.isoformat(), f"q{day}", f"term {day % 40}",
             posted.astimezone(UTC).isoformat(timespec="microseconds"),
             (posted + timedelta(hours=12)).astimezone(UTC).isoformat(timespec="microseconds")),
        ).lastrowid
        count = per_day if day < DAYS - 1 else ANSWERS - loaded
        chosen: set[int] = set()
        while len(chosen) < count:
            chosen.update(rng.choices(users, weights, k=count - len(chosen)))
        order = sorted(chosen, key=lambda _: rng.random())
        week = scoring.period_key(Period.WEEK, posted, ZONE)
        month = scoring.period_key(Period.MONTH, posted, ZONE)
        rows = []
        for rank, user in enumerate(order):
            correct = rng.random() < 0.7
            at = posted + timedelta(seconds=rank)
            rows.append((post_id, GUILD, str(user), f"member {user}", 1 if correct else 0,
                         int(correct), scoring.answer_points(Board.DAILY, correct, rank + 1),
                         int(correct), at.astimezone(UTC).isoformat(timespec="microseconds"),
                         week, month))
            last_post[user] = post_id
        conn.executemany(
            "INSERT INTO answers (post_id, community, board, season, user_id, display_name, choice,"
            " correct, points, streak, answered_at, week_key, month_key)"
            " VALUES (?, ?, 'daily', 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        loaded += count
    conn.executemany(
        "INSERT INTO streaks (community, season, board, scope, user_id, current, best, last_post_id)"
        " VALUES (?, 1, 'daily', ?, ?, ?, ?, ?)",
        ((GUILD, schedule_id, str(u), n % 7, n % 7 + 3, n) for u, n in last_post.items()))
    conn.execute("COMMIT")
    conn.close()
    last = first_day + timedelta(days=DAYS - 1)
    return datetime(last.year, last.month, last.day, 21, tzinfo=zone)


async def _rebuild(path: Path, now: datetime) -> float:
    async with await Store.open(path, clock=ManualClock(now), default_timezone=ZONE) as store:
        started = time.perf_counter()
        await store.rebuild_scores(GUILD, rekey=False)
        return time.perf_counter() - started


async def _store_leaderboard(path: Path, now: datetime) -> dict[Period, float]:
    clock = ManualClock(now)
    timings: dict[Period, float] = {}
    async with await Store.open(path, clock=clock, default_timezone=ZONE) as store:
        for period in Period:
            samples = []
            for _ in range(LEADERBOARD_RUNS):
                started = time.perf_counter()
                page = await store.leaderboard(GUILD, Board.DAILY, period)
                samples.append(time.perf_counter() - started)
                assert len(page.rows) == 10
            timings[period] = statistics.median(samples) * 1000
    return timings


def _window_start(period: Period, now: datetime) -> datetime:
    local = now.astimezone(ZoneInfo(ZONE))
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if period is Period.WEEK:
        return midnight - timedelta(days=local.weekday())
    if period is Period.MONTH:
        return midnight.replace(day=1)
    return datetime(1970, 1, 1, tzinfo=UTC)


def _raw_leaderboard(path: Path, now: datetime) -> dict[Period, float]:
    conn = sqlite3.connect(path, isolation_level=None)
    timings: dict[Period, float] = {}
    try:
        for period in Period:
            start = _window_start(period, now).astimezone(UTC).isoformat(timespec="microseconds")
            samples = []
            for _ in range(RAW_RUNS):
                started = time.perf_counter()
                rows = conn.execute(
                    "SELECT a.user_id, sum(a.points) AS p, sum(a.correct) AS c, count(*) AS n"
                    " FROM answers a WHERE a.community = ? AND a.board = 'daily' AND a.season = 1"
                    " AND a.answered_at >= ? AND a.user_id NOT IN (SELECT user_id FROM members"
                    " WHERE community = ? AND opted_out = 1)"
                    " GROUP BY a.user_id ORDER BY p DESC, c DESC, n ASC, a.user_id LIMIT 10",
                    (GUILD, start, GUILD)).fetchall()
                samples.append(time.perf_counter() - started)
                assert len(rows) == 10
            timings[period] = statistics.median(samples) * 1000
    finally:
        conn.close()
    return timings


def _callers(path: Path, now: datetime) -> dict[Period, dict[str, tuple[str, int]]]:
    """Per period, (user_id, rank) of a visible member at the top, in the middle and at the
    bottom of the board, and of the last visible member with the most common points, in
    tie-break order (bench set-up, from the score rows)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        found: dict[Period, dict[str, tuple[str, int]]] = {}
        for period in Period:
            key = scoring.period_key(period, now, ZONE)
            visible = ("FROM scores s WHERE s.community = ? AND s.board = 'daily' AND s.season = 1"
                       " AND s.period = ? AND s.user_id NOT IN (SELECT user_id FROM members"
                       " WHERE community = ? AND opted_out = 1)")
            total = conn.execute(f"SELECT count(*) {visible}", (GUILD, key, GUILD)).fetchone()[0]
            (level_end,) = conn.execute(
                f"SELECT count(*) {visible} AND s.points >= (SELECT s.points {visible}"
                " GROUP BY s.points ORDER BY count(*) DESC LIMIT 1)",
                (GUILD, key, GUILD, GUILD, key, GUILD)).fetchone()
            found[period] = {}
            for name, offset in zip(CALLERS, (0, total // 2, total - 1, level_end - 1),
                                    strict=True):
                (user,) = conn.execute(
                    f"SELECT s.user_id {visible} ORDER BY s.points DESC, s.correct DESC,"
                    " s.answered ASC, s.user_id ASC LIMIT 1 OFFSET ?",
                    (GUILD, key, GUILD, offset)).fetchone()
                found[period][name] = (user, offset + 1)
        return found
    finally:
        conn.close()


async def _store_top_and_rank(
    path: Path, now: datetime, callers: dict[Period, dict[str, tuple[str, int]]],
) -> tuple[dict[Period, dict[str, tuple[float, float]]], dict[Period, list[str]]]:
    """Median ms of `leaderboard` + `rank_of` (what /leaderboard runs), and of `rank_of` alone,
    per period and caller (the rank checked against the board's order); and the top 10 ids."""
    timings: dict[Period, dict[str, tuple[float, float]]] = {}
    pages: dict[Period, list[str]] = {}
    async with await Store.open(path, clock=ManualClock(now), default_timezone=ZONE) as store:
        for period in Period:
            timings[period] = {}
            for name, (user, rank) in callers[period].items():
                both, alone = [], []
                for _ in range(RANK_RUNS):
                    started = time.perf_counter()
                    page = await store.leaderboard(GUILD, Board.DAILY, period)
                    middle = time.perf_counter()
                    row = await store.rank_of(GUILD, user, Board.DAILY, period)
                    ended = time.perf_counter()
                    both.append(ended - started)
                    alone.append(ended - middle)
                    assert len(page.rows) == 10 and row is not None and row.rank == rank, (period, name, row)
                timings[period][name] = (statistics.median(both) * 1000, statistics.median(alone) * 1000)
                pages[period] = [r.user_id for r in page.rows]
    return timings, pages


def _raw_top_and_rank(path: Path, now: datetime, callers: dict[Period, dict[str, tuple[str, int]]],
                      pages: dict[Period, list[str]]) -> dict[Period, float]:
    """ms per period of one plain statement giving what /leaderboard shows: a GROUP BY over the
    answers since the period's start, its top 10, and each caller's rank (1 + the visible
    members ahead in tie-break order). Its top 10 and ranks must equal the store's."""
    conn = sqlite3.connect(path, isolation_level=None)
    timings: dict[Period, float] = {}
    try:
        for period in Period:
            start = _window_start(period, now).astimezone(UTC).isoformat(timespec="microseconds")
            wanted = {user: rank for user, rank in callers[period].values()}
            marks = ",".join("?" * len(wanted))
            started = time.perf_counter()
            rows = conn.execute(
                "WITH t AS MATERIALIZED (SELECT a.user_id AS u, sum(a.points) AS p,"
                " sum(a.correct) AS c, count(*) AS n FROM answers a WHERE a.community = ?"
                " AND a.board = 'daily' AND a.season = 1 AND a.answered_at >= ?"
                " AND a.user_id NOT IN (SELECT user_id FROM members WHERE community = ?"
                " AND opted_out = 1) GROUP BY a.user_id)"
                " SELECT * FROM (SELECT 0, u, 0 FROM t ORDER BY p DESC, c DESC, n ASC, u ASC LIMIT 10)"
                " UNION ALL SELECT 1, me.u, 1 + (SELECT count(*) FROM t WHERE t.p > me.p"
                " OR (t.p = me.p AND (t.c > me.c OR (t.c = me.c AND (t.n < me.n"
                " OR (t.n = me.n AND t.u < me.u)))))) FROM t AS me"
                f" WHERE me.u IN ({marks})",
                (GUILD, start, GUILD, *wanted)).fetchall()
            timings[period] = (time.perf_counter() - started) * 1000
            assert [u for kind, u, _ in rows if kind == 0] == pages[period], period
            assert {u: r for kind, u, r in rows if kind == 1} == wanted, period
    finally:
        conn.close()
    return timings


def _leaderboard_rows(folder: Path) -> list[Row]:
    path = folder / "big.db"
    started = time.perf_counter()
    now = _bulk_load(path)
    load_s = time.perf_counter() - started
    rebuild_s = asyncio.run(_rebuild(path, now))
    store_ms = asyncio.run(_store_leaderboard(path, now))
    raw_ms = _raw_leaderboard(path, now)
    callers = _callers(path, now)
    ranked_ms, pages = asyncio.run(_store_top_and_rank(path, now, callers))
    raw_ranked_ms = _raw_top_and_rank(path, now, callers, pages)
    rows = [Row(AREA, "bulk load 1M answers, 50k members", load_s, "s", note="setup"),
            Row(AREA, "Store.rebuild_scores(rekey=False), 1M answers", rebuild_s, "s",
                note="score rows from answers")]
    for period in Period:
        rows.append(Row(AREA, f"leaderboard top 10, {period.value}", store_ms[period], "ms",
                        "≤ 10 ms", store_ms[period] <= 10.0,
                        f"median of {LEADERBOARD_RUNS}, incl. total and streaks"))
        rows.append(Row(AREA, f"plain GROUP BY top 10, {period.value}", raw_ms[period], "ms",
                        note="over answers in the window"))
        rows.append(Row(AREA, f"GROUP BY time / leaderboard time, {period.value}",
                        raw_ms[period] / store_ms[period], "ratio", note="× faster"))
    for period in Period:
        by_caller = ranked_ms[period]
        worst_name = max(by_caller, key=lambda n: by_caller[n][0])
        worst = by_caller[worst_name][0]
        detail = ", ".join(f"{n} #{callers[period][n][1]:,} {by_caller[n][0]:.2f} "
                           f"(rank_of {by_caller[n][1]:.2f})" for n in CALLERS)
        rows.append(Row(AREA, f"top 10 + caller's rank, {period.value}, worst caller", worst, "ms",
                        "≤ 10 ms", worst <= 10.0, f"median of {RANK_RUNS}, ms: {detail}"))
        rows.append(Row(AREA, f"plain GROUP BY top 10 + caller's rank, {period.value}", raw_ranked_ms[period],
                        "ms", note="one statement: GROUP BY, its top 10, the callers' ranks (= store's)"))
        rows.append(Row(AREA, f"GROUP BY time / store time, top 10 + rank, {period.value}",
                        raw_ranked_ms[period] / worst, "ratio", note="× faster"))
    return rows


def run() -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="studybot-bench-") as tmp:
        folder = Path(tmp)
        return _insert_rows(folder) + _leaderboard_rows(folder)
