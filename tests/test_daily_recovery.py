"""End-to-end: the daily quiz loses nothing across restarts, because SQLite, not memory, knows
what is still to send and to draw.

In-process bots on a ManualClock against the loopback Discord. A "crash" is what a process left
in the database when it stopped between two steps: a post made but never sent, or a reveal
recorded but never drawn on its message. That state is made through the store while no bot runs,
then the next bot starts and its recovery pass (the sweep) has to finish the job once.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app.daily import DailyCycle, DailyQuiz
from bot.community import Community
from bot.app.study import StudyService
from bot.clock import ManualClock
from bot.store import Store
from tests.conftest import ALIASES_FILE, DEFAULT_NOTES
from tests.e2e_support import daily_cycle, embed_text, running_studybot
from tests.loopback import FakeDiscord, StoredMessage
from tests.loopback.fixtures import fake_discord  # noqa: F401

pytestmark = pytest.mark.e2e

SEOUL = ZoneInfo("Asia/Seoul")
DAILY_ID = re.compile(r"^daily:(\d+):(\d)$")
GRACE = timedelta(hours=3)  # the bot's default STUDYBOT_DAILY_GRACE_HOURS


def seoul(*args: int) -> datetime:
    return datetime(*args, tzinfo=SEOUL)


def is_daily_post(message: StoredMessage) -> bool:
    return any(DAILY_ID.match(c) for c in message.custom_ids())


def post_id_of(message: StoredMessage) -> int:
    match = next(m for m in map(DAILY_ID.match, message.custom_ids()) if m)
    return int(match.group(1))


def daily_messages(fake: FakeDiscord) -> list[StoredMessage]:
    return [m for m in fake.channel_messages(fake.guild.text_channel) if is_daily_post(m)]


def sends(fake: FakeDiscord) -> int:
    return len(fake.find_requests("POST", rf"^/channels/{fake.guild.text_channel.id}/messages$"))


@asynccontextmanager
async def offline_quiz(tmp_path: Path, clock: ManualClock) -> AsyncIterator[DailyQuiz]:
    """The daily quiz on the bot's database while no bot runs (to leave what a crash leaves)."""
    async with await Store.open(tmp_path / "studybot.db", clock=clock, default_timezone="Asia/Seoul") as store:
        service = StudyService(notes_path=DEFAULT_NOTES, store=store, clock=clock, aliases_path=ALIASES_FILE)
        yield DailyQuiz(service, store, grace=GRACE, clock=clock)


async def post_made_but_never_sent(fake: FakeDiscord, tmp_path: Path, clock: ManualClock) -> int:
    """A process made the 09:00 post of 2026-03-02 and died before sending it; its id."""
    g = fake.guild
    clock.set(seoul(2026, 3, 2, 8, 0))
    async with offline_quiz(tmp_path, clock) as quiz:
        made = await quiz.set_schedule(Community.discord(g.id), str(g.text_channel.id), "09:00")
        clock.set(seoul(2026, 3, 2, 9, 0))
        due = await quiz.due(made.schedule)
        assert due.post is not None
        batch = await quiz.create_slot_posts(made.schedule, due.post)
    (post,) = batch.new
    return post.post_id


@asynccontextmanager
async def bot_after_recovery(fake: FakeDiscord, tmp_path: Path, clock: ManualClock) -> AsyncIterator[DailyCycle]:
    """A bot started on the database, once its start-up recovery has run."""
    async with running_studybot(fake, tmp_path, clock=clock) as run:
        cog = daily_cycle(run)
        await asyncio.wait_for(cog.recovered.wait(), 10)
        yield cog


async def posted_at_nine(fake: FakeDiscord, cog: DailyCycle, clock: ManualClock) -> StoredMessage:
    """Schedule 09:00 in the text channel and run the 09:00 post job; the message it sent."""
    g = fake.guild
    await fake.slash(g, g.admin, "dailyadmin", "set", channel=g.text_channel, time="09:00")
    (schedule,) = await cog.quiz.active_schedules()
    clock.set(seoul(2026, 3, 2, 9, 0))
    await cog._post_job(schedule.schedule_id)
    return await fake.wait_for_message(is_daily_post, channel=g.text_channel)


# -- posts made but not sent ---------------------------------------------------------------------


async def test_a_post_made_but_not_sent_before_a_crash_is_sent_once_at_the_next_start(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    clock = ManualClock(seoul(2026, 3, 2, 8, 0))
    post_id = await post_made_but_never_sent(fake_discord, tmp_path, clock)

    clock.set(seoul(2026, 3, 2, 9, 0) + GRACE - timedelta(minutes=1))
    async with bot_after_recovery(fake_discord, tmp_path, clock) as cog:
        (message,) = daily_messages(fake_discord)
        assert post_id_of(message) == post_id and "2026-03-02" in message.embeds[0]["title"]
        await cog.sweep()  # a later sweep does not send it again
        stored = await cog.quiz.get_post(post_id)
        assert stored is not None and stored.message_id == str(message.id)
    async with bot_after_recovery(fake_discord, tmp_path, clock):
        pass  # nor does the next start
    assert sends(fake_discord) == 1


async def test_a_post_made_but_not_sent_is_not_sent_after_the_grace_window(
    fake_discord: FakeDiscord, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = ManualClock(seoul(2026, 3, 2, 8, 0))
    post_id = await post_made_but_never_sent(fake_discord, tmp_path, clock)

    clock.set(seoul(2026, 3, 2, 9, 0) + GRACE + timedelta(minutes=1))
    with caplog.at_level(logging.WARNING, logger="bot.app.daily"):
        async with bot_after_recovery(fake_discord, tmp_path, clock):
            pass
    assert sends(fake_discord) == 0
    assert any(f"post {post_id} " in r.getMessage() and "never sent" in r.getMessage() for r in caplog.records)


async def test_a_send_that_failed_is_sent_by_the_next_process(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    g = fake_discord.guild
    clock = ManualClock(seoul(2026, 3, 2, 8, 0))
    async with bot_after_recovery(fake_discord, tmp_path, clock) as cog:
        fake_discord.fail("POST", rf"^/channels/{g.text_channel.id}/messages$", 503)
        await fake_discord.slash(g, g.admin, "dailyadmin", "set", channel=g.text_channel, time="09:00")
        (schedule,) = await cog.quiz.active_schedules()
        clock.set(seoul(2026, 3, 2, 9, 0))
        await cog._post_job(schedule.schedule_id)
        assert daily_messages(fake_discord) == []

    clock.set(seoul(2026, 3, 2, 9, 30))
    async with bot_after_recovery(fake_discord, tmp_path, clock):
        (message,) = daily_messages(fake_discord)
    assert "2026-03-02" in message.embeds[0]["title"]


async def test_a_send_that_failed_is_retried_at_the_next_sweep(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    g = fake_discord.guild
    clock = ManualClock(seoul(2026, 3, 2, 8, 0))
    async with bot_after_recovery(fake_discord, tmp_path, clock) as cog:
        fake_discord.fail("POST", rf"^/channels/{g.text_channel.id}/messages$", 503)
        await fake_discord.slash(g, g.admin, "dailyadmin", "set", channel=g.text_channel, time="09:00")
        (schedule,) = await cog.quiz.active_schedules()
        clock.set(seoul(2026, 3, 2, 9, 0))
        await cog._post_job(schedule.schedule_id)
        clock.set(seoul(2026, 3, 2, 9, 1))
        await cog.sweep()
        assert len(daily_messages(fake_discord)) == 1
    assert sends(fake_discord) == 2  # the failed one and the retry


# -- reveals recorded but not drawn --------------------------------------------------------------


async def test_a_reveal_recorded_before_a_crash_is_drawn_on_its_message_at_the_next_start(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    clock = ManualClock(seoul(2026, 3, 2, 8, 0))
    async with bot_after_recovery(fake_discord, tmp_path, clock) as cog:
        message = await posted_at_nine(fake_discord, cog, clock)
    post_id = post_id_of(message)

    clock.set(seoul(2026, 3, 3, 8, 0))  # the reveal time: recorded, then the process died
    async with offline_quiz(tmp_path, clock) as quiz:
        assert await quiz.store.mark_revealed(post_id)
    assert message.history == []

    clock.set(seoul(2026, 3, 3, 8, 5))
    async with bot_after_recovery(fake_discord, tmp_path, clock) as cog:
        assert len(message.history) == 1 and "0 answered" in embed_text(message)
        assert all(b.get("disabled") for b in message.buttons())
        await cog.sweep()  # drawn once
    assert len(message.history) == 1


async def test_a_reveal_edit_that_failed_for_now_is_retried_at_the_next_sweep(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    clock = ManualClock(seoul(2026, 3, 2, 8, 0))
    async with bot_after_recovery(fake_discord, tmp_path, clock) as cog:
        message = await posted_at_nine(fake_discord, cog, clock)
        fake_discord.fail("PATCH", rf"/messages/{message.id}$", 503)
        clock.set(seoul(2026, 3, 3, 8, 0))
        await cog.sweep()
        assert message.history == []
        await cog.sweep()
        assert len(message.history) == 1 and "0 answered" in embed_text(message)


async def test_a_reveal_edit_of_a_deleted_message_is_given_up(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    clock = ManualClock(seoul(2026, 3, 2, 8, 0))
    async with bot_after_recovery(fake_discord, tmp_path, clock) as cog:
        message = await posted_at_nine(fake_discord, cog, clock)
        fake_discord.fail("PATCH", rf"/messages/{message.id}$", 404, code=10008, times=None)
        clock.set(seoul(2026, 3, 3, 8, 0))
        await cog.sweep()
        await cog.sweep()
        stored = await cog.quiz.get_post(post_id_of(message))
    assert len(fake_discord.find_requests("PATCH", rf"/messages/{message.id}$")) == 1
    assert stored is not None and stored.reveal_edited_at is not None
    fake_discord.clear_failures()
