"""Daily fan-out: 1,000 guild schedules due in the same minute, against Discord-like rate limits.

The real `studybot run` process runs against the loopback Discord (tests/loopback) with
`RateLimits()` on: 50 requests/s per bot token, and 5 per 5 s per channel for posting. The fake
has 1,000 guilds with a text channel each; before the bot starts, 1,000 daily schedules (one
per guild, all at the same UTC minute, a little after start-up) are written to a fresh database
with `Store.create_or_replace_schedule`. At that minute the bot's 1,000 cron jobs fire together,
which is what a popular posting time (09:00) does every day; the start-up sweep would post the
same way after downtime, but that is the rarer path.

Measured: seconds from the slot's minute until the fake has accepted all 1,000 channel posts,
against the floor the rate limits allow (`RateLimits.floor_seconds`: 19 s, 20 windows of 50
posts; one post per channel never meets the per-channel limit); also the 429s the bot drew,
early retries after a 429 (protocol violations), duplicate posts (must be 0), and the median
gap between two posts. Goal: all 1,000 posted within 1.5 × the floor, no duplicates, no early
retries.

`python -m bench fanout` (about 1.5 min: it waits for the next whole minute).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.table import Row
from bot.clock import SystemClock
from bot.community import Community
from bot.store import Store
from tests.e2e_support import studybot_argv, studybot_env
from tests.loopback import (
    BotProcess,
    FakeDiscord,
    FakeGuild,
    RateLimits,
    RecordedRequest,
)

AREA = "fan-out"
GUILDS = 1000
# The slot is the first whole minute at least this far away, so the bot is up before it.
START_UP_LEAD = timedelta(seconds=25)
POST_TIMEOUT = 240.0  # seconds after the slot before giving up
GOAL_RATIO = 1.5
CHANNEL_POST = r"^/channels/(\d+)/messages$"


def _slot_after(now: datetime) -> datetime:
    earliest = now + START_UP_LEAD
    return earliest.replace(second=0, microsecond=0) + timedelta(minutes=1)


async def _make_schedules(db: Path, guilds: list[FakeGuild], at: datetime) -> None:
    async with await Store.open(db, clock=SystemClock(), default_timezone="UTC") as store:
        for guild in guilds:
            await store.create_or_replace_schedule(Community.discord(guild.id), str(guild.text_channel.id),
                                                   at.strftime("%H:%M"), "UTC")


def _cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU time of a process so far (Linux /proc; None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _daily_posts(fake: FakeDiscord, channel_ids: set[str]) -> list[RecordedRequest]:
    """The channel posts the fake accepted in the guilds' text channels."""
    return [r for r in fake.requests
            if r.method == "POST" and r.status == 200 and r.path.startswith("/channels/")
            and r.path.endswith("/messages") and r.path.split("/")[2] in channel_ids]


async def _measure(folder: Path) -> list[Row]:
    limits = RateLimits()
    async with FakeDiscord(rate_limits=limits, record_responses=False) as fake:
        guilds = [fake.guild] + [fake.add_guild(f"Study Group {i:04d}") for i in range(1, GUILDS)]
        channel_ids = {g.text_channel.id for g in guilds}
        slot = _slot_after(datetime.now(UTC))
        await _make_schedules(folder / "studybot.db", guilds, slot)

        env = studybot_env(folder, STUDYBOT_TIMEZONE="UTC", STUDYBOT_LOG_LEVEL="INFO")
        bot = BotProcess(fake, studybot_argv("run"), folder / "bot.log", env)
        started = time.perf_counter()
        await bot.start(ready_timeout=60, ready_line=r"daily quiz: recovery done")
        ready_s = time.perf_counter() - started
        try:
            loop = asyncio.get_running_loop()
            # The slot on the event loop's clock, which is what the fake stamps requests with.
            slot_at = loop.time() + (slot - datetime.now(UTC)).total_seconds()
            if slot_at < loop.time():
                raise RuntimeError(f"the bot took {ready_s:.0f} s to start, past the slot; raise START_UP_LEAD")
            await asyncio.sleep(max(0.0, slot_at - loop.time() - 1.0))
            cpu_before = _cpu_seconds(bot.pid)
            deadline = slot_at + POST_TIMEOUT
            while len(fake.messages) < GUILDS and loop.time() < deadline and bot.returncode is None:
                await asyncio.sleep(0.2)
            cpu_after = _cpu_seconds(bot.pid)
            await asyncio.sleep(1.0)  # anything more (duplicates) would come now
        finally:
            await bot.stop(timeout=30)

        posts = _daily_posts(fake, channel_ids)
        per_channel = [len(fake.channel_messages(cid, include_deleted=True)) for cid in channel_ids]
        posted = sum(1 for n in per_channel if n)
        duplicates = sum(n - 1 for n in per_channel if n > 1)
        last = max((r.at for r in posts), default=slot_at)
        first = min((r.at for r in posts), default=slot_at)
        elapsed = last - slot_at
        floor = limits.floor_seconds(GUILDS, GUILDS)
        ratio = elapsed / floor if floor else float("inf")
        arrivals = sorted(r.at for r in fake.find_requests("POST", CHANNEL_POST))
        gaps = [b - a for a, b in zip(arrivals, arrivals[1:], strict=False)]
        limited = fake.rate_limited
        global_429 = sum(1 for r in limited if r.rate_limit_scope == "global")
        early = [v for v in fake.violations if "after a 429" in v.problem]
        complete = posted == GUILDS
        cpu = cpu_after - cpu_before if cpu_before is not None and cpu_after is not None else float("nan")
        return [
            Row(AREA, "guild schedules due in one minute", GUILDS, "schedules",
                note=f"bot ready in {ready_s:.1f} s (1,000 guilds)"),
            Row(AREA, "posts made", posted, "posts", f"= {GUILDS}", complete),
            Row(AREA, "slot minute → last post accepted", elapsed, "s",
                note=f"first post {first - slot_at:.2f} s after the minute"),
            Row(AREA, "floor allowed by the rate limits", floor, "s", note="50/s global, 5/5 s per channel"),
            Row(AREA, "elapsed / floor", ratio, "ratio", f"≤ {GOAL_RATIO}", complete and ratio <= GOAL_RATIO),
            Row(AREA, "median gap between two post requests", statistics.median(gaps) * 1000 if gaps else 0.0,
                "ms", note=f"{len(arrivals)} post requests incl. retries"),
            Row(AREA, "bot CPU during the fan-out, per post", cpu / max(1, posted) * 1000, "ms",
                note=f"{cpu:.1f} s of CPU in {elapsed:.1f} s"),
            Row(AREA, "429s drawn", len(limited), "responses",
                note=f"{global_429} global, {len(limited) - global_429} per-route"),
            Row(AREA, "requests before retry_after ran out", len(early), "requests", "0", not early),
            Row(AREA, "duplicate posts", duplicates, "posts", "0", duplicates == 0),
        ]


def run() -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="studybot-fanout-") as tmp:
        return asyncio.run(_measure(Path(tmp)))
