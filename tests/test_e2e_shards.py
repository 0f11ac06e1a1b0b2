"""Two `studybot run` processes, shards 0/2 and 1/2, on one database and the loopback Discord
(two shards): 200 guilds whose daily schedules are all due in the same minute.

* every slot is posted exactly once, by the process of its guild's shard, although one process
  is SIGKILLed in the middle of its fan-out and restarted;
* members click posts on both shards; the other process is SIGKILLed in the middle of that burst
  and restarted: every acknowledged click is stored, once; the clicks the dead process never
  answered can be made again and are stored once too; and still no slot is posted twice.

The database is parametrised: a SQLite file, and a database of the session's throwaway PostgreSQL
cluster (skipped with one reason where the server binaries are absent).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.community import Community
from bot.store.backend import open_store
from tests.backends import read_rows
from tests.e2e_support import RECOVERED, answer_buttons, is_daily_post, post_id_of, studybot_argv, studybot_env
from tests.loopback import BotProcess, FakeDiscord, FakeGuild, InteractionHandle, StoredMessage, shard_of
from tests.loopback.fixtures import bot_process, fake_discord  # noqa: F401
from tests.postgres_cluster import PostgresCluster
from tests.test_e2e_reliability import answered_on_leaderboard, click_burst

pytestmark = [pytest.mark.e2e, pytest.mark.loopback(shard_count=2, max_concurrency=2)]

GUILDS = 200
START_TIMEOUT = 60.0
IDENTIFY_INTERVAL = 5.0  # Discord takes one IDENTIFY per shard bucket per 5 s, across processes


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """STUDYBOT_DB for both processes."""
    if request.param == "sqlite":
        yield str(tmp_path / "studybot.db")
        return
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    url = cluster.create_database()
    try:
        yield url
    finally:
        cluster.drop_database(url)


async def schedule_this_minute(db: str, guilds: list[FakeGuild]) -> None:
    """One schedule per guild, all at the current UTC minute, made ten minutes ago (so the slot
    counts as due, not as before the schedule existed)."""
    now = datetime.now(UTC)
    async with await open_store(db, clock=ManualClock(now - timedelta(minutes=10)), default_timezone="UTC") as store:
        for guild in guilds:
            await store.create_or_replace_schedule(Community.discord(guild.id), guild.text_channel.id,
                                                   f"{now:%H:%M}", "UTC")


def posts_in(fake: FakeDiscord, guilds: list[FakeGuild]) -> dict[str, list[StoredMessage]]:
    """Every daily post the fake holds, per guild (deleted ones too)."""
    return {g.id: [m for m in fake.channel_messages(g.text_channel, include_deleted=True) if is_daily_post(m)]
            for g in guilds}


def posted(fake: FakeDiscord, guilds: list[FakeGuild]) -> int:
    return sum(1 for messages in posts_in(fake, guilds).values() if messages)


def stored_clicks(db: str) -> list[tuple[int, str]]:
    return [(int(p), str(u)) for p, u in read_rows(db, "SELECT post_id, user_id FROM answers")]


def user_of(click: InteractionHandle) -> str:
    return str(click.record.payload["member"]["user"]["id"])


async def test_two_processes_post_every_slot_once_and_keep_every_acknowledged_click_through_sigkills(
    fake_discord: FakeDiscord, bot_process: Callable[..., BotProcess], tmp_path: Path, database: str  # noqa: F811
) -> None:
    fake = fake_discord
    guilds = [fake.add_guild(f"Study Group {n:03d}", shard=n % 2) for n in range(GUILDS)]
    on_shard = {s: [g for g in guilds if shard_of(g.id, 2) == s] for s in (0, 1)}
    assert [len(on_shard[0]), len(on_shard[1])] == [GUILDS // 2, GUILDS // 2]
    await schedule_this_minute(database, guilds)
    env = studybot_env(tmp_path, STUDYBOT_DB=database, STUDYBOT_TIMEZONE="UTC", STUDYBOT_DAILY_SWEEP_SECONDS="2")

    def process(shard: int) -> BotProcess:
        return bot_process(studybot_argv("run", "--shards", f"{shard}/2"), env=env)

    # Both start; shard 1's process is killed in the middle of its fan-out.
    zero, one = process(0), process(1)
    await asyncio.gather(zero.start(ready_timeout=START_TIMEOUT), one.start(ready_timeout=START_TIMEOUT))
    await fake.wait_for(lambda: posted(fake, on_shard[1]) >= 15, 60)
    assert await one.kill() == -9
    cut = posted(fake, on_shard[1])
    assert cut < GUILDS // 2, "the kill did not land mid-fan-out"
    await asyncio.sleep(IDENTIFY_INTERVAL)  # a supervisor's restart delay (RestartSec=5 in the unit)
    one = process(1)
    await one.start(ready_timeout=START_TIMEOUT, ready_line=RECOVERED)
    await fake.wait_for(lambda: posted(fake, guilds) == GUILDS, 120)
    await asyncio.sleep(5)  # two more sweeps of each process: a second post would come now
    per_guild = posts_in(fake, guilds)
    assert sorted(len(m) for m in per_guild.values()) == [1] * GUILDS  # every slot once, none twice
    for shard in (0, 1):  # each slot by the process of its guild's shard
        assert all(len(per_guild[g.id]) == 1 for g in on_shard[shard])
    assert "registered as shards 1/2" in one.output()

    # Clicks on both shards; shard 0's process is killed mid-burst.
    chosen = on_shard[0][:4] + on_shard[1][:4]
    members = {g.id: fake.make_members(g, 25, prefix=f"s{g.id[-4:]}") for g in chosen}
    sent: dict[str, list[InteractionHandle]] = {g.id: [] for g in chosen}
    stop = asyncio.Event()
    bursts = [asyncio.create_task(click_burst(fake, per_guild[g.id][0], members[g.id], over=1.5, sent=sent[g.id],
                                              stop=stop if shard_of(g.id, 2) == 0 else None))
              for g in chosen]
    def zero_acknowledged() -> int:
        return sum(1 for g in on_shard[0][:4] for c in sent[g.id] if c.record.acknowledged)

    await fake.wait_for(lambda: zero_acknowledged() >= 30, 30)
    assert await zero.kill() == -9
    stop.set()
    restart_after = asyncio.create_task(asyncio.sleep(IDENTIFY_INTERVAL))
    await asyncio.gather(*bursts)
    for g in on_shard[1][:4]:  # the live process answers all of its clicks
        results = await asyncio.gather(*(c.wait(until="callback") for c in sent[g.id]))
        assert len(results) == 25 and all(r.acknowledged and r.ephemeral for r in results)
    acknowledged = {(post_id_of(per_guild[g.id][0]), user_of(c)) for g in chosen for c in sent[g.id]
                    if c.record.acknowledged}
    assert 30 <= zero_acknowledged() < 100, "the kill did not land mid-burst"

    await restart_after
    zero = process(0)
    await zero.start(ready_timeout=START_TIMEOUT, ready_line=RECOVERED)
    stored = stored_clicks(database)
    assert len(stored) == len(set(stored))  # nobody twice
    assert acknowledged <= set(stored)  # every acknowledged click kept

    # Whoever the dead process never answered clicks again, on the restarted process.
    for g in on_shard[0][:4]:
        post = per_guild[g.id][0]
        have = {u for p, u in stored_clicks(database) if p == post_id_of(post)}
        again = [m for m in members[g.id] if m.id not in have]
        results = await asyncio.gather(*(fake.click(post, answer_buttons(post)[0], m) for m in again))
        assert all(r.acknowledged for r in results)
    final = stored_clicks(database)
    assert len(final) == len(set(final)) == 8 * 25
    for g in chosen:
        assert await answered_on_leaderboard(database, g.id) == 25  # score rows: none half-stored
    assert sorted(len(m) for m in posts_in(fake, guilds).values()) == [1] * GUILDS
    assert await zero.stop() == 0 and await one.stop() == 0
