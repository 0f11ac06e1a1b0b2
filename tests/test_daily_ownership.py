"""Two processes' daily cycles on one database, each owning half of the communities (shards 0/2
and 1/2): each posts, retries and reveals only its own communities, every slot is posted once,
and when both own everything (a rescale) the claim in the database still lets one post through."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import App, open_app
from bot.app.daily import PLATFORM_DISCORD
from bot.app.ownership import owner_slot
from bot.app.ports import Delivered, DeliveryOutcome, TryLater
from bot.app.records import Reminder
from bot.app.review import ReviewStatus
from bot.clock import ManualClock
from bot.community import Community
from bot.config import Settings
from bot.engine.cards import Rating
from tests.conftest import ALIASES_FILE, DEFAULT_NOTES
from tests.test_daily_cycle import NINE_SEOUL, FakePort

# Guild ids whose shard of 2 is known: (id >> 22) % 2.
EVEN = [Community.discord((10 + 2 * i) << 22) for i in range(3)]
ODD = [Community.discord((11 + 2 * i) << 22) for i in range(3)]


def settings(db: Path, shards: str | None) -> Settings:
    return Settings(_env_file=None, notes=DEFAULT_NOTES, aliases=ALIASES_FILE, db=db,  # type: ignore[call-arg]
                    timezone="Asia/Seoul", daily_grace_hours=3, daily_sweep_seconds=3600, shards=shards)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NINE_SEOUL - timedelta(hours=1))


async def two_processes(stack: AsyncExitStack, db: Path, clock: ManualClock,
                        shards: tuple[str | None, str | None]) -> list[tuple[App, FakePort]]:
    pairs = []
    for spec in shards:
        app = await stack.enter_async_context(open_app(settings(db, spec), clock=clock))
        port = FakePort()
        await app.daily.attach(PLATFORM_DISCORD, port)
        await app.daily.recovered.wait()
        pairs.append((app, port))
    return pairs


@pytest.fixture
async def halves(tmp_path: Path, clock: ManualClock) -> AsyncIterator[list[tuple[App, FakePort]]]:
    async with AsyncExitStack() as stack:
        yield await two_processes(stack, tmp_path / "one.db", clock, ("0/2", "1/2"))


async def schedule_everyone(app: App) -> None:
    for n, community in enumerate(EVEN + ODD):
        await app.daily.set_schedule(community, f"{7000 + n}", "09:00", timezone="Asia/Seoul", reveal_after_hours=2)


def test_the_test_guilds_fall_on_the_shards_they_are_named_for() -> None:
    assert [owner_slot(c, 2) for c in EVEN] == [0, 0, 0] and [owner_slot(c, 2) for c in ODD] == [1, 1, 1]


async def test_each_process_posts_only_its_own_communities_and_every_slot_once(
    halves: list[tuple[App, FakePort]], clock: ManualClock
) -> None:
    (zero, zero_port), (one, one_port) = halves
    await schedule_everyone(zero)
    clock.set(NINE_SEOUL + timedelta(seconds=20))
    for _ in range(2):
        await zero.daily.sweep()
        await one.daily.sweep()
    assert sorted(p.community for p in zero_port.posted) == sorted(EVEN)
    assert sorted(p.community for p in one_port.posted) == sorted(ODD)


async def test_a_schedule_set_through_one_process_gets_its_job_in_the_owner_only(
    halves: list[tuple[App, FakePort]], clock: ManualClock
) -> None:
    """On Slack a command may reach any process: the owner picks the schedule up at its sweep."""
    (zero, _), (one, _) = halves
    done = await zero.daily.set_schedule(ODD[0], "7100", "09:00", timezone="Asia/Seoul")
    job = done.schedule.schedule_id
    assert zero.daily.post_job(job) is None and one.daily.post_job(job) is None
    await one.daily.sweep()
    assert one.daily.post_job(job) is not None and zero.daily.post_job(job) is None


async def test_a_post_left_unsent_is_retried_by_its_owner_and_not_by_the_other(
    halves: list[tuple[App, FakePort]], clock: ManualClock
) -> None:
    (zero, zero_port), (one, one_port) = halves
    await schedule_everyone(zero)
    one_port.post_outcomes = [TryLater("502")] * 2  # its first send and the same sweep's retry
    clock.set(NINE_SEOUL + timedelta(seconds=20))
    await one.daily.sweep()
    refused = one_port.posted[0]
    await zero.daily.sweep()  # the other process does not touch the unsent post of shard 1
    assert refused.post_id not in [p.post_id for p in zero_port.posted]
    await one.daily.sweep()
    stored = await one.daily.quiz.get_post(refused.post_id)
    assert stored is not None and stored.message_id == f"m{refused.post_id}"


async def test_each_process_reveals_only_its_own_posts(halves: list[tuple[App, FakePort]], clock: ManualClock) -> None:
    (zero, zero_port), (one, one_port) = halves
    await schedule_everyone(zero)
    clock.set(NINE_SEOUL + timedelta(seconds=20))
    await zero.daily.sweep()
    await one.daily.sweep()
    clock.set(NINE_SEOUL + timedelta(hours=2, minutes=1))
    await zero.daily.sweep()
    assert sorted(r.post.community for r in zero_port.revealed) == sorted(EVEN)
    await one.daily.sweep()
    assert sorted(r.post.community for r in one_port.revealed) == sorted(ODD)


async def test_while_ranges_overlap_during_a_rescale_each_slot_is_still_posted_once(
    tmp_path: Path, clock: ManualClock
) -> None:
    async with AsyncExitStack() as stack:
        (old, old_port), (new, new_port) = await two_processes(stack, tmp_path / "rescale.db", clock, (None, "0-1/2"))
        await schedule_everyone(old)
        clock.set(NINE_SEOUL + timedelta(seconds=20))
        for _ in range(2):
            await new.daily.sweep()
            await old.daily.sweep()
        posted = [p.community for p in old_port.posted + new_port.posted]
        assert sorted(posted) == sorted(EVEN + ODD)  # both tried every slot; each went out once


async def test_reminders_are_sent_by_the_owner_of_their_community_only(tmp_path: Path, clock: ManualClock) -> None:
    async with AsyncExitStack() as stack:
        (zero, _), (one, _) = await two_processes(stack, tmp_path / "reminders.db", clock, ("0/2", "1/2"))
        sent: list[str] = []

        class Port:
            async def send_reminder(self, reminder: Reminder, status: ReviewStatus) -> DeliveryOutcome:
                sent.append(str(reminder.community))
                return Delivered()

        for community in (EVEN[0], ODD[0]):
            await zero.study.reminders.turn_on(community, "42", "08:00")
            item = await zero.study.review.next_item(community=community, user_id="42", display_name="Ada",
                                                     mode="flashcard")
            await zero.study.review.rate(community=community, post_id=item.post_id, user_id="42",
                                         rating=Rating.AGAIN, display_name="Ada")
        clock.set(NINE_SEOUL + timedelta(days=1))
        await zero.study.reminders.sweep(Port(), platform="discord", owns=zero.daily.owns)
        assert sent == [str(EVEN[0])]
        await one.study.reminders.sweep(Port(), platform="discord", owns=one.daily.owns)
        assert sent == [str(EVEN[0]), str(ODD[0])]
