"""Shards across processes: what a second `studybot run` costs, and how fast two processes fan out.

1. **CPU per answer, two processes vs one.** The same load runs twice in one bench run against the
   loopback Discord: one `studybot run` serving every guild, then two (`--shards 0/2` and
   `--shards 1/2`) on one database and a two-shard gateway. 20 guilds (10 per shard) each get a
   daily post (schedules due in the current minute, posted by the start-up sweep); 100 members
   per guild click it, 2,000 clicks offered over 4 s, interleaved across the guilds (below the
   capacity of one process, so this measures the work per answer, not a queue). Measured: user +
   system CPU of every bot process from the first click to the last acknowledgement, per stored
   answer; answers stored, lost (an acknowledged click with no row) and duplicated (two rows for
   one member and post, which the schema forbids; counted anyway). Goal: two processes ≤ 1.25 ×
   the CPU per answer of one, nothing lost or duplicated.
2. **Fan-out over two processes.** 1,000 guild schedules due in the same minute (the next whole
   minute at least 25 s away, so the processes' cron jobs fire, as at a popular 09:00), the
   guilds spread over two shards and the two processes, Discord-like rate limits on (50
   requests/s per bot token, shared by both processes; 5 per 5 s per channel). Each process
   paces its sends at 24/s (`bot/discord_app/pacing.py`). Measured: slot minute → last post
   accepted against the floor the limits allow, 429s drawn, early retries, duplicates.

`python -m bench shards` (about 2.5 minutes: part 2 waits for a whole minute).
"""

from __future__ import annotations

import asyncio
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.bench_fanout import _cpu_seconds, _make_schedules, _slot_after
from bench.table import Row
from bot.clock import ManualClock
from bot.community import Community
from bot.store import Store
from tests.e2e_support import answer_buttons, is_daily_post, post_id_of, studybot_argv, studybot_env
from tests.loopback import BotProcess, FakeDiscord, FakeGuild, InteractionHandle, RateLimits

AREA = "shards"
GUILDS, MEMBERS, OFFERED_OVER = 20, 100, 4.0
FANOUT_GUILDS = 1000
CPU_GOAL = 1.25
FANOUT_GOAL = 1.5
POST_TIMEOUT = 240.0


@dataclass(frozen=True)
class AnswerRun:
    processes: int
    clicks: int
    acknowledged: int
    stored: int
    lost: int
    duplicated: int
    cpu_seconds: float
    wall_seconds: float

    @property
    def cpu_per_answer_ms(self) -> float:
        return self.cpu_seconds / max(1, self.stored) * 1000


def _answers(db: Path) -> list[tuple[int, str]]:
    with sqlite3.connect(db) as conn:
        return [(int(p), str(u)) for p, u in conn.execute("SELECT post_id, user_id FROM answers")]


async def _schedule_now(db: Path, guilds: list[FakeGuild]) -> None:
    now = datetime.now(UTC)
    async with await Store.open(db, clock=ManualClock(now - timedelta(minutes=10)), default_timezone="UTC") as store:
        for guild in guilds:
            await store.create_or_replace_schedule(Community.discord(guild.id), guild.text_channel.id,
                                                   f"{now:%H:%M}", "UTC")


def _processes(fake: FakeDiscord, folder: Path, specs: list[str | None], env: dict[str, str]) -> list[BotProcess]:
    procs = []
    for n, spec in enumerate(specs):
        argv = studybot_argv("run", *(["--shards", spec] if spec else []))
        procs.append(BotProcess(fake, argv, folder / f"bot-{n}.log", env))
    return procs


async def _answer_load(folder: Path, specs: list[str | None]) -> AnswerRun:
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "studybot.db"
    count = max(1, len(specs))
    async with FakeDiscord(shard_count=count, max_concurrency=2, record_responses=False,
                           rate_limits=RateLimits()) as fake:
        guilds = [fake.add_guild(f"Study Group {n:02d}", shard=n % count) for n in range(GUILDS)]
        await _schedule_now(db, guilds)
        env = studybot_env(folder, STUDYBOT_DB=str(db), STUDYBOT_TIMEZONE="UTC", STUDYBOT_LOG_LEVEL="WARNING")
        procs = _processes(fake, folder, specs, env)
        try:
            for proc in procs:
                await proc.start(ready_timeout=60)
            posts = {}
            await fake.wait_for(lambda: all(any(is_daily_post(m) for m in fake.channel_messages(g.text_channel))
                                            for g in guilds), 60)
            for g in guilds:
                posts[g.id] = next(m for m in fake.channel_messages(g.text_channel) if is_daily_post(m))
            members = {g.id: fake.make_members(g, MEMBERS) for g in guilds}
            await asyncio.sleep(1.0)  # let start-up work settle before the CPU clock starts
            cpu_before = sum(_cpu_seconds(p.pid) or 0.0 for p in procs)
            started = time.perf_counter()
            gap = OFFERED_OVER / (GUILDS * MEMBERS)
            clicks: list[InteractionHandle] = []
            for i in range(MEMBERS):
                for g in guilds:
                    post = posts[g.id]
                    buttons = answer_buttons(post)
                    click = fake.click(post, buttons[i % len(buttons)], members[g.id][i])
                    await click.send()
                    clicks.append(click)
                    await asyncio.sleep(gap)
            results = await asyncio.gather(*(c.wait(timeout=30, until="callback") for c in clicks))
            wall = time.perf_counter() - started
            cpu = sum(_cpu_seconds(p.pid) or 0.0 for p in procs) - cpu_before
        finally:
            for proc in procs:
                if proc.returncode is None:
                    await proc.stop(timeout=30)
        stored = _answers(db)
        acknowledged = {(c.record.payload["message"]["id"], str(c.record.payload["member"]["user"]["id"]))
                        for c, r in zip(clicks, results, strict=True) if r.acknowledged}
        post_of_message = {m.id: post_id_of(m) for m in posts.values()}
        kept = {(post_of_message[mid], uid) for mid, uid in acknowledged}
        return AnswerRun(len(specs), len(clicks), len(acknowledged), len(set(stored)),
                         len(kept - set(stored)), len(stored) - len(set(stored)), cpu, wall)


async def _fanout(folder: Path) -> list[Row]:
    folder.mkdir(parents=True, exist_ok=True)
    limits = RateLimits()
    async with FakeDiscord(rate_limits=limits, record_responses=False, shard_count=2, max_concurrency=2) as fake:
        guilds = [fake.add_guild(f"Study Group {i:04d}", shard=i % 2) for i in range(FANOUT_GUILDS)]
        channel_ids = {g.text_channel.id for g in guilds}
        slot = _slot_after(datetime.now(UTC))
        await _make_schedules(folder / "studybot.db", guilds, slot)
        env = studybot_env(folder, STUDYBOT_TIMEZONE="UTC", STUDYBOT_LOG_LEVEL="WARNING")
        procs = _processes(fake, folder, ["0/2", "1/2"], env)
        started = time.perf_counter()
        await asyncio.gather(*(p.start(ready_timeout=60) for p in procs))
        ready_s = time.perf_counter() - started
        try:
            loop = asyncio.get_running_loop()
            slot_at = loop.time() + (slot - datetime.now(UTC)).total_seconds()
            if slot_at < loop.time():
                raise RuntimeError(f"the bots took {ready_s:.0f} s to start, past the slot")
            await asyncio.sleep(max(0.0, slot_at - loop.time() - 1.0))
            cpu_before = sum(_cpu_seconds(p.pid) or 0.0 for p in procs)
            deadline = slot_at + POST_TIMEOUT
            while len(fake.messages) < FANOUT_GUILDS and loop.time() < deadline \
                    and all(p.returncode is None for p in procs):
                await asyncio.sleep(0.2)
            cpu = sum(_cpu_seconds(p.pid) or 0.0 for p in procs) - cpu_before
            await asyncio.sleep(2.0)  # a duplicate would come now
        finally:
            for proc in procs:
                await proc.stop(timeout=30)
        posts = [r for r in fake.requests if r.method == "POST" and r.status == 200
                 and r.path.startswith("/channels/") and r.path.split("/")[2] in channel_ids]
        per_channel = [len(fake.channel_messages(cid, include_deleted=True)) for cid in channel_ids]
        posted = sum(1 for n in per_channel if n)
        duplicates = sum(n - 1 for n in per_channel if n > 1)
        last = max((r.at for r in posts), default=slot_at)
        elapsed = last - slot_at
        floor = limits.floor_seconds(FANOUT_GUILDS, FANOUT_GUILDS)
        ratio = elapsed / floor if floor else float("inf")
        limited = fake.rate_limited
        early = [v for v in fake.violations if "after a 429" in v.problem]
        complete = posted == FANOUT_GUILDS
        return [
            Row(AREA, "fan-out: schedules due in one minute, two processes", FANOUT_GUILDS, "schedules",
                note=f"shards 0/2 and 1/2, 500 guilds each; both ready in {ready_s:.1f} s"),
            Row(AREA, "fan-out: posts made", posted, "posts", f"= {FANOUT_GUILDS}", complete),
            Row(AREA, "fan-out: slot minute → last post accepted", elapsed, "s",
                note="each process paced at 24 sends/s"),
            Row(AREA, "fan-out: floor allowed by the rate limits", floor, "s", note="50/s global for the bot, 5/5 s per channel"),
            Row(AREA, "fan-out: elapsed / floor", ratio, "ratio", f"≤ {FANOUT_GOAL}", complete and ratio <= FANOUT_GOAL),
            Row(AREA, "fan-out: bot CPU per post, both processes", cpu / max(1, posted) * 1000, "ms"),
            Row(AREA, "fan-out: 429s drawn", len(limited), "responses",
                note=f"{sum(1 for r in limited if r.rate_limit_scope == 'global')} global"),
            Row(AREA, "fan-out: requests before retry_after ran out", len(early), "requests", "0", not early),
            Row(AREA, "fan-out: duplicate posts", duplicates, "posts", "0", duplicates == 0),
        ]


async def _measure(folder: Path) -> list[Row]:
    one = await _answer_load(folder / "one", [None])
    two = await _answer_load(folder / "two", ["0/2", "1/2"])
    ratio = two.cpu_per_answer_ms / one.cpu_per_answer_ms if one.cpu_per_answer_ms else float("inf")
    clean = all(r.lost == 0 and r.duplicated == 0 and r.stored == r.clicks for r in (one, two))
    rows = [
        Row(AREA, "one process: bot CPU per answer", one.cpu_per_answer_ms, "ms",
            note=f"{one.stored} answers stored of {one.clicks} clicks offered over {OFFERED_OVER:.0f} s; "
                 f"{one.cpu_seconds:.2f} s CPU in {one.wall_seconds:.1f} s"),
        Row(AREA, "two processes (0/2, 1/2): bot CPU per answer, both", two.cpu_per_answer_ms, "ms",
            note=f"{two.stored} answers stored of {two.clicks}; {two.cpu_seconds:.2f} s CPU in {two.wall_seconds:.1f} s"),
        Row(AREA, "two processes / one process, CPU per answer", ratio, "ratio", f"≤ {CPU_GOAL}",
            ratio <= CPU_GOAL and clean),
        Row(AREA, "answers lost or duplicated (both runs)", one.lost + one.duplicated + two.lost + two.duplicated,
            "answers", "0", clean, note=f"acknowledged {one.acknowledged} / {two.acknowledged}"),
    ]
    return rows + await _fanout(folder / "fanout")


def run() -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="studybot-shards-") as tmp:
        return asyncio.run(_measure(Path(tmp)))
