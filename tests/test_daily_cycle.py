"""The daily cycle over a fake delivery port: posting, catch-up, skips, reveals, redraws, pauses
and retries, driven by a manual clock on a real database, with no chat platform at all."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import App, open_app
from bot.app.daily import PLATFORM_DISCORD
from bot.app.messages import REASON_ACCESS, REASON_DELETED, pause_reason
from bot.app.ports import Delivered, DeliveryOutcome, Forbidden, Gone, Reveal, TryLater
from bot.app.records import Post, Schedule
from bot.clock import ManualClock
from bot.community import Community
from bot.config import Settings
from tests.conftest import ALIASES_FILE, DEFAULT_NOTES

GUILD = Community.discord(1001)
CHANNEL = "2001"
NINE_SEOUL = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)  # Mon 09:00 in Seoul


@dataclass
class FakePort:
    """Records every call; answers from scripted outcomes, then `Delivered`."""

    post_outcomes: list[DeliveryOutcome] = field(default_factory=list)
    reveal_outcomes: list[DeliveryOutcome] = field(default_factory=list)
    posted: list[Post] = field(default_factory=list)
    revealed: list[Reveal] = field(default_factory=list)
    paused: list[tuple[int, str]] = field(default_factory=list)

    async def wait_ready(self) -> None:
        return None

    async def post_question(self, schedule: Schedule, post: Post) -> DeliveryOutcome:
        self.posted.append(post)
        if self.post_outcomes:
            return self.post_outcomes.pop(0)
        return Delivered(f"m{post.post_id}")

    async def show_reveal(self, reveal: Reveal) -> DeliveryOutcome:
        self.revealed.append(reveal)
        return self.reveal_outcomes.pop(0) if self.reveal_outcomes else Delivered()

    async def announce_pause(self, schedule: Schedule, reason: str) -> None:
        self.paused.append((schedule.schedule_id, reason))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NINE_SEOUL - timedelta(hours=1))


@pytest.fixture
async def app(tmp_path: Path, clock: ManualClock) -> AsyncIterator[App]:
    settings = Settings(_env_file=None, notes=DEFAULT_NOTES, aliases=ALIASES_FILE, db=tmp_path / "cycle.db",  # type: ignore[call-arg]
                        timezone="Asia/Seoul", daily_grace_hours=3, daily_sweep_seconds=3600)
    async with open_app(settings, clock=clock) as opened:
        yield opened


async def attached(app: App, port: FakePort) -> FakePort:
    await app.daily.attach(PLATFORM_DISCORD, port)
    await app.daily.recovered.wait()
    return port


async def nine_oclock_schedule(app: App) -> Schedule:
    result = await app.daily.set_schedule(GUILD, CHANNEL, "09:00", timezone="Asia/Seoul", reveal_after_hours=2)
    return result.schedule


async def stored(app: App, post: Post) -> Post:
    fresh = await app.daily.quiz.get_post(post.post_id)
    assert fresh is not None
    return fresh


async def test_a_due_slot_is_posted_through_the_port_and_its_message_id_kept(app: App, clock: ManualClock) -> None:
    port = await attached(app, FakePort())
    await nine_oclock_schedule(app)
    await app.daily.sweep()
    assert port.posted == []  # not yet nine
    clock.set(NINE_SEOUL + timedelta(seconds=30))
    await app.daily.sweep()
    await app.daily.sweep()  # the second sweep finds the slot posted
    (post,) = port.posted
    assert (await stored(app, post)).message_id == f"m{post.post_id}"


async def test_a_slot_missed_within_grace_is_caught_up_at_recovery(app: App, clock: ManualClock) -> None:
    await nine_oclock_schedule(app)
    clock.set(NINE_SEOUL + timedelta(hours=2, minutes=30))  # down from before nine until 11:30
    port = await attached(app, FakePort())
    assert len(port.posted) == 1 and port.posted[0].local_date == "2026-03-02"


async def test_a_slot_missed_beyond_grace_is_skipped_and_logged(
    app: App, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    await nine_oclock_schedule(app)
    clock.set(NINE_SEOUL + timedelta(hours=4))
    with caplog.at_level(logging.WARNING, logger="bot.app.daily"):
        port = await attached(app, FakePort())
    assert port.posted == []
    assert "skipped the 2026-03-02 slot" in caplog.text


async def test_a_due_post_is_revealed_through_the_port_once(app: App, clock: ManualClock) -> None:
    port = await attached(app, FakePort())
    await nine_oclock_schedule(app)
    clock.set(NINE_SEOUL)
    await app.daily.sweep()
    (post,) = port.posted
    await app.daily.answer(GUILD, post.post_id, "7", post.question.answer, "Ada")
    clock.set(NINE_SEOUL + timedelta(hours=2, seconds=1))
    await app.daily.sweep()
    await app.daily.sweep()
    (reveal,) = port.revealed
    assert reveal.post.post_id == post.post_id and reveal.results.total == 1
    assert [a.display_name for a in reveal.results.first_correct] == ["Ada"]


async def test_a_failed_reveal_edit_is_redrawn_by_a_later_sweep(app: App, clock: ManualClock) -> None:
    port = await attached(app, FakePort(reveal_outcomes=[TryLater("502")]))
    await nine_oclock_schedule(app)
    clock.set(NINE_SEOUL)
    await app.daily.sweep()
    clock.set(NINE_SEOUL + timedelta(hours=3))
    await app.daily.sweep()  # revealed (recorded), the edit fails
    assert len(port.revealed) == 1 and (await stored(app, port.posted[0])).revealed_at is not None
    await app.daily.sweep()  # redrawn
    await app.daily.sweep()  # and never again
    assert len(port.revealed) == 2


async def test_a_post_whose_channel_is_gone_pauses_the_schedule_and_is_not_retried(app: App, clock: ManualClock) -> None:
    port = await attached(app, FakePort(post_outcomes=[Gone(channel=True)]))
    schedule = await nine_oclock_schedule(app)
    clock.set(NINE_SEOUL)
    await app.daily.sweep()
    await app.daily.sweep()
    assert len(port.posted) == 1
    assert port.paused == [(schedule.schedule_id, REASON_DELETED)]
    (status,) = await app.daily.status(GUILD)
    assert status.schedule.paused and status.schedule.pause_reason == REASON_DELETED


async def test_a_reveal_edit_forbidden_pauses_the_schedule_and_is_not_retried(app: App, clock: ManualClock) -> None:
    port = await attached(app, FakePort(reveal_outcomes=[Forbidden()]))
    schedule = await nine_oclock_schedule(app)
    clock.set(NINE_SEOUL)
    await app.daily.sweep()
    clock.set(NINE_SEOUL + timedelta(hours=3))
    await app.daily.sweep()
    await app.daily.sweep()
    assert len(port.revealed) == 1
    assert port.paused == [(schedule.schedule_id, REASON_ACCESS)]


async def test_a_reveal_whose_message_is_gone_is_given_up_without_pausing(app: App, clock: ManualClock) -> None:
    port = await attached(app, FakePort(reveal_outcomes=[Gone(channel=False)]))
    await nine_oclock_schedule(app)
    clock.set(NINE_SEOUL)
    await app.daily.sweep()
    clock.set(NINE_SEOUL + timedelta(hours=3))
    await app.daily.sweep()
    await app.daily.sweep()
    assert len(port.revealed) == 1 and port.paused == []


async def test_a_post_the_platform_refused_for_now_is_sent_by_a_later_sweep(app: App, clock: ManualClock) -> None:
    # The slot's own attempt and the same sweep's retry of unsent posts are both refused.
    port = await attached(app, FakePort(post_outcomes=[TryLater("429"), TryLater("429")]))
    await nine_oclock_schedule(app)
    clock.set(NINE_SEOUL)
    await app.daily.sweep()
    first = port.posted[0]
    assert len(port.posted) == 2 and (await stored(app, first)).message_id is None
    await app.daily.sweep()
    await app.daily.sweep()
    assert [p.post_id for p in port.posted] == [first.post_id] * 3
    assert (await stored(app, first)).message_id == f"m{first.post_id}"


async def test_post_now_sends_an_extra_question_and_leaves_the_schedule_alone(app: App, clock: ManualClock) -> None:
    port = await attached(app, FakePort())
    await nine_oclock_schedule(app)
    clock.set(NINE_SEOUL + timedelta(hours=5))
    done = await app.daily.post_now(GUILD, CHANNEL)
    assert done.sent and not done.paused and len(port.posted) == 1
    assert done.next_post.at == NINE_SEOUL + timedelta(days=1)


async def test_without_a_port_for_its_platform_nothing_is_sent(app: App, clock: ManualClock) -> None:
    await nine_oclock_schedule(app)
    clock.set(NINE_SEOUL)
    await app.daily.sweep()
    port = await attached(app, FakePort())
    assert len(port.posted) == 1  # the slot waited for a port and is posted once one is attached


@dataclass
class StuckPort(FakePort):
    """The first post hangs (a platform sleeping out a long rate limit) until `release` is set."""

    release: asyncio.Event = field(default_factory=asyncio.Event)
    stuck: asyncio.Event = field(default_factory=asyncio.Event)

    async def post_question(self, schedule: Schedule, post: Post) -> DeliveryOutcome:
        if not self.stuck.is_set():
            self.stuck.set()
            await self.release.wait()
        return await super().post_question(schedule, post)


async def test_daily_now_is_not_held_behind_a_sweep_whose_delivery_waits(app: App, clock: ManualClock) -> None:
    """No lock across a delivery: while the sweep's post waits on the platform, `/dailyadmin now`
    posts at once; each post goes out once."""
    port = await attached(app, StuckPort())
    await nine_oclock_schedule(app)
    clock.set(NINE_SEOUL + timedelta(minutes=1))
    sweep = asyncio.create_task(app.daily.sweep())
    await asyncio.wait_for(port.stuck.wait(), 10)
    done = await asyncio.wait_for(app.daily.post_now(GUILD, CHANNEL), 10)
    assert done.sent and len(port.posted) == 1
    port.release.set()
    await asyncio.wait_for(sweep, 10)
    assert len(port.posted) == 2 and len({p.post_id for p in port.posted}) == 2


async def test_a_missing_permission_pauses_with_its_name(app: App, clock: ManualClock) -> None:
    port = await attached(app, FakePort(post_outcomes=[Forbidden(("embed_links",))]))
    schedule = await nine_oclock_schedule(app)
    done = await app.daily.post_now(GUILD, CHANNEL)
    assert not done.sent and done.paused
    assert port.paused == [(schedule.schedule_id, "missing_permission:embed_links")]
    assert pause_reason("missing_permission:embed_links", "en") == "I am missing a permission there: Embed Links"
