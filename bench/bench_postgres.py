"""PostgreSQL store benchmarks, on a throwaway cluster this benchmark starts (fsync on) and removes.

* Answers/s through `StudyService.answer` on `PostgresStore` (each answer committed before the
  call returns: member lock, the answer statement with its triggers, the card reviewed in Python
  and written), beside plain asyncpg running the store's own answer statement (same schema and
  triggers, no card) as one transaction per answer on one connection, on another database of the
  same cluster, in the same run, alternating halves; once on a cluster with fsync on (commits wait
  for the disk, as deployed) and once with fsync off (the CPU cost alone). Goal: the service
  reaches at least half the plain rate, in both. Also a burst: 400 clicks at once through the service (batched), beside 400 plain
  one-transaction inserts from a pool of 10 connections.
* What `/leaderboard` shows, top 10 plus the caller's own rank, at 1,000,000 answers by 50,000
  members (the data of `bench_store`, built in SQLite and copied with `studybot migrate-db`'s copy,
  which is timed too, then ANALYZEd as autovacuum would): `leaderboard` then `rank_of` for callers
  at the top, middle, bottom and the end of the most crowded score level; the worst is judged.
  Goal: at most 10 ms.

Skips (prints why, returns no rows) when the PostgreSQL server binaries are not installed.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

from bench.bench_store import (
    CALLERS,
    GUILD,
    QUESTION,
    ZONE,
    _bulk_load,
    _callers,
    _params,
    _rebuild,
    _work,
)
from bench.table import Row
from bot.app.study import StudyService
from bot.clock import ManualClock
from bot.engine.scoring import Board, Period
from bot.store.postgres import _RECORD_ANSWER, PostgresStore
from bot.store.store import Store
from bot.store.transfer import copy_sqlite_to_postgres
from tests.postgres_cluster import PostgresCluster, missing_reason, running_cluster

AREA = "postgres"
DEFAULT_NOTES = Path(__file__).resolve().parent.parent / "data" / "notes"
BURST = 400
RANK_RUNS = 15


async def _make_posts(url: str, clock: ManualClock, posts: int) -> list[int]:
    async with await PostgresStore.open(url, clock=clock, default_timezone=ZONE) as store:
        schedule = await store.create_or_replace_schedule(GUILD, "100", "09:00", ZONE)
        ids = []
        for i in range(posts):
            made = await store.create_daily_post(schedule.schedule_id, f"2026-{1 + i // 28:02d}-{1 + i % 28:02d}",
                                                 1, QUESTION)
            ids.append(made.post.post_id)
        return ids


async def _service_rate(url: str, work: list[tuple[int, str, int]], clock: ManualClock) -> float:
    async with await PostgresStore.open(url, clock=clock, default_timezone=ZONE) as store:
        service = StudyService(notes_path=DEFAULT_NOTES, store=store, clock=clock)
        started = time.perf_counter()
        for post_id, user, choice in work:
            outcome = await service.answer(community=GUILD, post_id=post_id, user_id=user, choice=choice,
                                           display_name=f"u{user}")
            assert outcome.result.accepted
        return len(work) / (time.perf_counter() - started)


async def _plain_rate(url: str, work: list[tuple[int, str, int]], now: str) -> float:
    conn = await asyncpg.connect(url)
    try:
        started = time.perf_counter()
        for post_id, user, choice in work:
            async with conn.transaction():
                row = await conn.fetchrow(_RECORD_ANSWER.text,
                                          *_RECORD_ANSWER.args(_params(post_id, user, choice, now)))
            assert row is not None
        return len(work) / (time.perf_counter() - started)
    finally:
        await conn.close()


async def _service_burst(url: str, work: list[tuple[int, str, int]], clock: ManualClock) -> float:
    async with await PostgresStore.open(url, clock=clock, default_timezone=ZONE) as store:
        service = StudyService(notes_path=DEFAULT_NOTES, store=store, clock=clock)
        started = time.perf_counter()
        outcomes = await asyncio.gather(*(
            service.answer(community=GUILD, post_id=post_id, user_id=user, choice=choice, display_name=f"u{user}")
            for post_id, user, choice in work))
        assert all(o.result.accepted for o in outcomes)
        return len(work) / (time.perf_counter() - started)


async def _plain_burst(url: str, work: list[tuple[int, str, int]], now: str) -> float:
    pool = await asyncpg.create_pool(url, min_size=10, max_size=10, server_settings={"jit": "off"})
    try:
        async def one(post_id: int, user: str, choice: int) -> None:
            async with pool.acquire() as conn, conn.transaction():
                row = await conn.fetchrow(_RECORD_ANSWER.text,
                                          *_RECORD_ANSWER.args(_params(post_id, user, choice, now)))
            assert row is not None

        started = time.perf_counter()
        await asyncio.gather(*(one(*w) for w in work))
        return len(work) / (time.perf_counter() - started)
    finally:
        await pool.close()


def _insert_rows(cluster: PostgresCluster, label: str) -> list[Row]:
    clock = ManualClock(datetime(2026, 1, 1, tzinfo=UTC))
    now = clock.now().isoformat(timespec="microseconds")
    service_url, plain_url = cluster.create_database("service"), cluster.create_database("plain")
    service_posts = asyncio.run(_make_posts(service_url, clock, 40))
    plain_posts = asyncio.run(_make_posts(plain_url, clock, 40))
    assert service_posts == plain_posts
    work = _work(service_posts)
    service_rates, plain_rates = [], []
    for part in range(2):
        chunk = work[part::2]
        service_rates.append(asyncio.run(_service_rate(service_url, chunk, clock)))
        plain_rates.append(asyncio.run(_plain_rate(plain_url, chunk, now)))
    service_rate, plain_rate = statistics.mean(service_rates), statistics.mean(plain_rates)
    ratio = service_rate / plain_rate
    burst_posts = asyncio.run(_make_posts(service_url, clock, 2))[-1:]
    asyncio.run(_make_posts(plain_url, clock, 2))
    burst = [(burst_posts[0], f"b{i}", i % 4) for i in range(BURST)]
    service_burst = asyncio.run(_service_burst(service_url, burst, clock))
    plain_burst = asyncio.run(_plain_burst(plain_url, burst, now))
    return [
        Row(AREA, f"answers/s, StudyService.answer on PostgreSQL (1 tx each), {label}", service_rate,
            "answers/s", note=f"{len(work)} answers, one after another"),
        Row(AREA, f"answers/s, plain asyncpg same statement, 1 tx each, {label}", plain_rate, "answers/s",
            note="store's answer statement and triggers, no card"),
        Row(AREA, f"service rate / plain rate, {label}", ratio, "ratio", "≥ 0.5", ratio >= 0.5),
        Row(AREA, f"burst of {BURST} clicks, StudyService.answer, {label}", service_burst, "answers/s",
            note="all at once: batched transactions"),
        Row(AREA, f"burst of {BURST}, plain asyncpg pool of 10, 1 tx each, {label}", plain_burst, "answers/s"),
        Row(AREA, f"burst: service / plain, {label}", service_burst / plain_burst, "ratio", note="reported"),
    ]


async def _copy(path: Path, url: str, now: datetime) -> float:
    clock = ManualClock(now)
    async with await Store.open(path, clock=clock, default_timezone=ZONE) as old, \
            await PostgresStore.open(url, clock=clock, default_timezone=ZONE) as new:
        started = time.perf_counter()
        await copy_sqlite_to_postgres(old, new)
        elapsed = time.perf_counter() - started
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return elapsed


async def _top_and_rank(url: str, now: datetime, callers: dict[Period, dict[str, tuple[str, int]]],
                        ) -> dict[Period, dict[str, float]]:
    timings: dict[Period, dict[str, float]] = {}
    async with await PostgresStore.open(url, clock=ManualClock(now), default_timezone=ZONE) as store:
        for period in Period:
            timings[period] = {}
            for name, (user, rank) in callers[period].items():
                samples = []
                for _ in range(RANK_RUNS):
                    started = time.perf_counter()
                    page = await store.leaderboard(GUILD, Board.DAILY, period)
                    row = await store.rank_of(GUILD, user, Board.DAILY, period)
                    samples.append(time.perf_counter() - started)
                    assert len(page.rows) == 10 and row is not None and row.rank == rank, (period, name, row)
                timings[period][name] = statistics.median(samples) * 1000
    return timings


def _leaderboard_rows(cluster: PostgresCluster, folder: Path) -> list[Row]:
    path = folder / "big.db"
    now = _bulk_load(path)
    asyncio.run(_rebuild(path, now))
    callers = _callers(path, now)
    url = cluster.create_database("big")
    copy_s = asyncio.run(_copy(path, url, now))
    timings = asyncio.run(_top_and_rank(url, now, callers))
    rows = [Row(AREA, "migrate-db copy of 1M answers, 50k members", copy_s, "s",
                note="every table, aggregates included; then ANALYZE")]
    for period in Period:
        by_caller = timings[period]
        worst = max(by_caller.values())
        detail = ", ".join(f"{n} #{callers[period][n][1]:,} {by_caller[n]:.2f}" for n in CALLERS)
        rows.append(Row(AREA, f"PostgreSQL top 10 + caller's rank, {period.value}, worst caller", worst,
                        "ms", "≤ 10 ms", worst <= 10.0, f"median of {RANK_RUNS}, ms: {detail}"))
    return rows


def run() -> list[Row]:
    reason = missing_reason()
    if reason is not None:
        print(f"bench_postgres skipped: {reason}", file=sys.stderr)
        return []
    # fsync on: what a deployment runs (commits wait for the disk); fsync off: the CPU cost alone.
    with running_cluster(durable=False) as cluster:
        cpu = _insert_rows(cluster, "fsync off")
    with running_cluster(durable=True) as cluster, tempfile.TemporaryDirectory(prefix="studybot-bench-") as tmp:
        return _insert_rows(cluster, "fsync on") + cpu + _leaderboard_rows(cluster, Path(tmp))
