"""The processes registry (`bot/app/processes.py`) on both backends (a real SQLite file and a
real PostgreSQL database): overlapping live ranges
are refused in one sentence, dead and replaced processes make room, heartbeats keep a row alive."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app.processes import DEAD_AFTER, HEARTBEAT, ProcessIdentity, ProcessRegistry, ShardOverlap
from bot.clock import ManualClock
from bot.community import Community
from bot.runner import serve
from bot.shards import parse_shards
from bot.store import Store
from bot.store.backend import StoreBackend
from tests.backends import open_test_store
from tests.e2e_support import e2e_settings
from tests.loopback import FakeDiscord

START = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
HOST_A = ProcessIdentity("host-a/pidns:1", 100, "boot:1000")
HOST_B = ProcessIdentity("host-b/pidns:1", 100, "boot:2000")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def store(store_url: str, clock: ManualClock) -> AsyncIterator[StoreBackend]:
    async with await open_test_store(store_url, clock) as opened:
        yield opened


def registry(store: StoreBackend, clock: ManualClock, identity: ProcessIdentity, *,
             running: set[int] | None = None) -> ProcessRegistry:
    async def sleep(seconds: float) -> None:  # waiting moves the manual clock instead
        clock.advance(timedelta(seconds=seconds))

    alive = running if running is not None else {identity.pid}
    return ProcessRegistry(store, clock, identity=identity, sleep=sleep, running=lambda pid: pid in alive)


async def test_a_live_overlapping_range_is_refused_with_a_sentence_naming_it(store: StoreBackend, clock: ManualClock) -> None:
    await registry(store, clock, HOST_A).register(parse_shards("0-3/8"))
    with pytest.raises(ShardOverlap) as caught:
        await registry(store, clock, HOST_B).register(parse_shards("1/2"))
    message = str(caught.value)
    assert "shards 1/2 overlap a running studybot process serving shards 0-3/8 (pid 100 on host-a" in message
    assert "--allow-overlap" in message and "\n" not in message
    assert [str(p.shard_first) + "/" + str(p.shard_count) for p in await registry(store, clock, HOST_A).live()] == ["0/8"]


async def test_disjoint_ranges_run_side_by_side(store: StoreBackend, clock: ManualClock) -> None:
    await registry(store, clock, HOST_A).register(parse_shards("0/2"))
    await registry(store, clock, HOST_B).register(parse_shards("1/2"))
    live = await registry(store, clock, HOST_A).live()
    assert sorted((p.host, p.shard_first) for p in live) == [("host-a/pidns:1", 0), ("host-b/pidns:1", 1)]


async def test_allow_overlap_starts_anyway_and_says_which_process_it_overlaps(
    store: StoreBackend, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    await registry(store, clock, HOST_A).register(parse_shards("0-1/2"))
    with caplog.at_level(logging.WARNING, logger="bot.app.processes"):
        entry = await registry(store, clock, HOST_B).register(parse_shards("0-3/4"), allow_overlap=True)
    assert entry.overlap_allowed
    assert "shards 0-3/4 overlap shards 0-1/2 (pid 100 on host-a" in caplog.text


async def test_a_process_silent_for_45_seconds_is_dead_and_makes_room(store: StoreBackend, clock: ManualClock) -> None:
    await registry(store, clock, HOST_A).register(parse_shards("0/2"))
    clock.advance(DEAD_AFTER - timedelta(seconds=1))
    with pytest.raises(ShardOverlap):
        await registry(store, clock, HOST_B).register(parse_shards("0-1/2"))
    clock.advance(timedelta(seconds=2))
    await registry(store, clock, HOST_B).register(parse_shards("0-1/2"))
    assert [p.host for p in await registry(store, clock, HOST_B).live()] == ["host-b/pidns:1"]


async def test_heartbeats_keep_a_process_alive_past_45_seconds(store: StoreBackend, clock: ManualClock) -> None:
    first = registry(store, clock, HOST_A)
    await first.register(parse_shards("0/2"))
    for _ in range(6):
        clock.advance(HEARTBEAT)
        await first.beat()
    with pytest.raises(ShardOverlap):
        await registry(store, clock, HOST_B).register(parse_shards("0/2"))


async def test_a_predecessor_on_this_machine_that_no_longer_runs_is_replaced_at_once(
    store: StoreBackend, clock: ManualClock
) -> None:
    old = ProcessIdentity(HOST_A.host, 4242, "boot:900")
    await registry(store, clock, old).register(parse_shards("0/2"))  # then SIGKILLed
    clock.advance(timedelta(seconds=2))
    entry = await registry(store, clock, HOST_A, running={HOST_A.pid}).register(parse_shards("0/2"))
    assert [p.process_id for p in await registry(store, clock, HOST_A).live()] == [entry.process_id]


async def test_a_restarted_container_with_the_same_pid_replaces_its_old_row_at_once(
    store: StoreBackend, clock: ManualClock
) -> None:
    await registry(store, clock, ProcessIdentity(HOST_A.host, 1, "boot:1:start-1")).register(parse_shards("1/2"))
    clock.advance(timedelta(seconds=1))
    await registry(store, clock, ProcessIdentity(HOST_A.host, 1, "boot:1:start-2")).register(parse_shards("1/2"))
    assert len(await registry(store, clock, HOST_A).live()) == 1


async def test_a_second_registration_of_this_very_process_is_not_taken_for_a_dead_one(
    store: StoreBackend, clock: ManualClock
) -> None:
    await registry(store, clock, HOST_A).register(parse_shards("0/1"))
    with pytest.raises(ShardOverlap):
        await registry(store, clock, HOST_A).register(parse_shards("0/1"))


async def test_a_restart_elsewhere_waits_for_its_silent_predecessor_instead_of_failing(
    store: StoreBackend, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    await registry(store, clock, HOST_A).register(parse_shards("1/2"))  # killed on host A
    clock.advance(HEARTBEAT + timedelta(seconds=6))  # it missed a heartbeat
    with caplog.at_level(logging.WARNING, logger="bot.app.processes"):
        entry = await registry(store, clock, HOST_B).register(parse_shards("1/2"))
    assert entry.host == HOST_B.host
    assert clock.now() - START >= DEAD_AFTER  # it waited until the old row counted as dead
    assert "stopped sending heartbeats; waiting until" in caplog.text


async def test_a_process_taken_for_dead_after_a_stall_registers_again_on_its_next_beat(
    store: StoreBackend, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    stalled = registry(store, clock, HOST_A)
    await stalled.register(parse_shards("0/2"))
    clock.advance(DEAD_AFTER + timedelta(seconds=1))
    await registry(store, clock, HOST_B).register(parse_shards("1/2"))  # prunes the silent row
    with caplog.at_level(logging.WARNING, logger="bot.app.processes"):
        await stalled.beat()
    assert "had taken this process for dead" in caplog.text
    assert sorted(p.shard_first for p in await stalled.live()) == [0, 1]


async def test_two_processes_starting_at_once_on_overlapping_ranges_let_one_in(store_url: str, clock: ManualClock) -> None:
    async with await open_test_store(store_url, clock) as one, await open_test_store(store_url, clock) as two:
        results = await asyncio.gather(
            registry(one, clock, HOST_A).register(parse_shards("0-1/2")),
            registry(two, clock, HOST_B).register(parse_shards("1/2")),
            return_exceptions=True)
        assert sorted(type(r).__name__ for r in results) == ["ProcessEntry", "ShardOverlap"]
        assert len(await registry(one, clock, HOST_A).live()) == 1


async def test_leaving_removes_the_row(store: StoreBackend, clock: ManualClock) -> None:
    held = registry(store, clock, HOST_A)
    async with held.hold(parse_shards("0/2")):
        assert len(await held.live()) == 1
    assert await held.live() == []
    await registry(store, clock, HOST_B).register(parse_shards("0/2"))


async def test_studybot_run_on_a_live_range_exits_2_before_connecting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with FakeDiscord() as fake:
        settings = e2e_settings(fake, tmp_path, shards="0/2")
        async with await Store.open(settings.db, clock=ManualClock(datetime.now(UTC))) as store:
            await registry(store, ManualClock(datetime.now(UTC)), HOST_B).register(parse_shards("0-1/2"))
        status = await serve(settings, handle_signals=False)
        assert status == 2
        err = capsys.readouterr().err.strip().splitlines()  # log lines, then the one for the user
        told = [line for line in err if line.startswith("studybot:")]
        assert told == [err[-1]] and told[0].startswith("studybot: shards 0/2 overlap a running studybot process")
        assert fake.sessions == [] and fake.requests == []  # it never reached Discord


async def test_a_killed_process_s_send_claims_are_released_when_its_restart_registers(
    store_url: str, clock: ManualClock
) -> None:
    """Not after the two-minute lease: the restart resends at once (the nonce keeps it single)."""
    from bot.app.daily import SEND_LEASE
    from tests.test_store_posts import question

    async with await open_test_store(store_url, clock) as killed, await open_test_store(store_url, clock) as other:
        schedule = await killed.create_or_replace_schedule(Community.discord(10), "20", "09:00", "UTC")
        mine = (await killed.create_daily_post(schedule.schedule_id, "2026-12-05", 1, question(1))).post
        theirs = (await killed.create_daily_post(schedule.schedule_id, "2026-12-05", 2, question(2))).post
        dead = ProcessIdentity(HOST_A.host, 4242, "boot:1")
        await registry(killed, clock, dead, running={4242}).register(parse_shards("0/2"))
        await registry(other, clock, HOST_B).register(parse_shards("1/2"))
        assert await killed.claim_daily_post_send(mine.post_id, lease=SEND_LEASE) is not None
        assert await other.claim_daily_post_send(theirs.post_id, lease=SEND_LEASE) is not None
        # pid 4242 is SIGKILLed; its restart (pid 100 on the same machine) registers:
        await registry(killed, clock, HOST_A, running={HOST_A.pid}).register(parse_shards("0/2"))
        assert await killed.claim_daily_post_send(mine.post_id, lease=SEND_LEASE) is not None
        assert await killed.claim_daily_post_send(theirs.post_id, lease=SEND_LEASE) is None  # a live claim


async def test_studybot_processes_lists_the_live_ranges(tmp_path: Path) -> None:
    from bot.cli import main

    db = tmp_path / "listed.db"
    async with await Store.open(db, clock=ManualClock(datetime.now(UTC))) as store:
        await registry(store, ManualClock(datetime.now(UTC)), HOST_A).register(parse_shards("0-1/4"))
        await registry(store, ManualClock(datetime.now(UTC) - timedelta(minutes=5)), HOST_B).register(
            parse_shards("2-3/4"))  # silent for five minutes: dead, not listed
    out = io.StringIO()
    assert await asyncio.to_thread(main, ["processes", "--json", "--db", str(db)], out) == 0
    (row,) = json.loads(out.getvalue())
    assert (row["shards"], row["pid"], row["host"]) == ("0-1/4", 100, "host-a")
