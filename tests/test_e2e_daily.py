"""End-to-end: the daily channel quiz of the real studybot against the loopback Discord.

In-process bots run on a ManualClock, so a scheduled post fires by moving the clock and running
the job the CronTrigger would run, and a reveal by moving it past the reveal time and running the
sweep. The restart test runs `studybot run` as real processes on one database: the post is made
by the first process, which is killed; an old button is clicked in the second; the reveal falls
due while no bot runs and happens when the third starts.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app.daily import DailyCycle
from bot.community import Community
from bot.clock import ManualClock, SystemClock
from bot.engine.schedule import wall_clock
from bot.store import Store
from tests.e2e_support import (
    daily_cycle,
    answer_buttons,
    embed_text,
    is_daily_post,
    post_id_of,
    reply_message,
    running_studybot,
    studybot_argv,
    studybot_env,
)
from tests.loopback import FakeDiscord
from tests.loopback.fixtures import bot_process, fake_discord  # noqa: F401
from tests.loopback.payloads import BOT_PERMISSIONS, EMBED_LINKS

pytestmark = pytest.mark.e2e

SEOUL = ZoneInfo("Asia/Seoul")


def seoul(*args: int) -> datetime:
    return datetime(*args, tzinfo=SEOUL)


async def test_set_is_admin_only_checks_input_and_permissions_and_lists_three_times(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    g = fake_discord.guild
    no_embeds = fake_discord.add_channel(g, "no-embeds")
    no_embeds.bot_permissions = BOT_PERMISSIONS & ~EMBED_LINKS
    clock = ManualClock(seoul(2026, 3, 2, 8, 0))
    async with running_studybot(fake_discord, tmp_path, clock=clock) as run:
        store = run.store
        denied = await fake_discord.slash(g, g.member, "dailyadmin", "set", channel=g.text_channel, time="09:00")
        assert denied.ephemeral and "Manage Server" in denied.text()
        assert await store.active_schedules() == []

        bad_zone = await fake_discord.slash(g, g.admin, "dailyadmin", "set", channel=g.text_channel, time="09:00",
                                            timezone="Asia/Seul")
        text = reply_message(bad_zone).content
        assert "Asia/Seul" in text and "Asia/Seoul" in text
        bad_time = await fake_discord.slash(g, g.admin, "dailyadmin", "set", channel=g.text_channel, time="25:61")
        assert "HH:MM" in reply_message(bad_time).content
        assert await store.active_schedules() == []

        refused = await fake_discord.slash(g, g.admin, "dailyadmin", "set", channel=no_embeds, time="09:00",
                                           in_channel=no_embeds)
        assert refused.ephemeral and "Embed Links" in refused.text() and "Send Messages" not in refused.text()
        assert await store.active_schedules() == []

        zones = await fake_discord.autocomplete(g, g.admin, "dailyadmin", "set", focused="timezone", value="seo",
                                                channel=g.text_channel, time="09:00")
        assert "Asia/Seoul" in [c["value"] for c in zones.choices]

        done = await fake_discord.slash(g, g.admin, "dailyadmin", "set", channel=g.text_channel, time="09:00",
                                        timezone="America/New_York")
        message = reply_message(done)
        assert message.ephemeral
        text = embed_text(message)
        assert text.count("09:00 E") == 3, text  # the next three posts, in the zone
        (schedule,) = await store.active_schedules()
        assert (schedule.channel_id, schedule.time, schedule.timezone) == (str(g.text_channel.id), "09:00",
                                                                             "America/New_York")
        job = run.app.daily.post_job(schedule.schedule_id)
        assert job is not None and job.next_run_time.astimezone(ZoneInfo("America/New_York")).hour == 9

        status = await fake_discord.slash(g, g.member, "daily", "status")
        assert "America/New_York" in embed_text(reply_message(status))

        stopped = await fake_discord.slash(g, g.admin, "dailyadmin", "stop")
        assert "Stopped" in reply_message(stopped).content
        assert await store.active_schedules() == []
        assert run.app.daily.post_job(schedule.schedule_id) is None


async def test_a_scheduled_post_fifty_clicks_duplicates_and_the_reveal(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    g = fake_discord.guild
    members = fake_discord.make_members(g, 50)
    clock = ManualClock(seoul(2026, 3, 2, 8, 0))
    async with running_studybot(fake_discord, tmp_path, clock=clock) as run:
        cog = daily_cycle(run)
        await asyncio.wait_for(cog.recovered.wait(), 10)
        await fake_discord.slash(g, g.admin, "dailyadmin", "set", channel=g.text_channel, time="09:00")
        (schedule,) = await run.store.active_schedules()

        # The cron job (on the real clock) fires at 09:00 Seoul: run what it runs, with our clock there.
        job = run.app.daily.post_job(schedule.schedule_id)
        assert job is not None and job.next_run_time.astimezone(SEOUL).strftime("%H:%M:%S") == "09:00:00"
        clock.set(seoul(2026, 3, 2, 9, 0))
        await cog._post_job(schedule.schedule_id)
        post = await fake_discord.wait_for_message(is_daily_post, channel=g.text_channel)
        assert "2026-03-02" in post.embeds[0]["title"]
        await cog._post_job(schedule.schedule_id)  # a second firing posts nothing
        await cog.sweep()
        assert len([m for m in fake_discord.channel_messages(g.text_channel) if is_daily_post(m)]) == 1

        post_id = post_id_of(post)
        stored = await run.store.get_post(post_id)
        assert stored is not None
        right = stored.question.answer
        wrong = (right + 1) % len(stored.question.choices)
        choices = [right if i % 5 else wrong for i in range(50)]  # 40 right, 10 wrong
        results = await asyncio.gather(*(
            fake_discord.click(post, f"daily:{post_id}:{choice}", member)
            for member, choice in zip(members, choices, strict=True)))
        for result, choice in zip(results, choices, strict=True):
            assert result.ephemeral, result
            ack = reply_message(result)
            assert ("Correct" in ack.embeds[0]["title"]) is (choice == right)
        assert (await run.store.post_results(post_id)).total == 50  # type: ignore[union-attr]

        again = await fake_discord.click(post, f"daily:{post_id}:{right}", members[0])
        assert again.ephemeral and f"already answered this one ({'ABCD'[wrong]})" in again.text()
        assert (await run.store.post_results(post_id)).total == 50  # type: ignore[union-attr]

        # Reveal: an hour before tomorrow's post.
        clock.set(seoul(2026, 3, 3, 7, 59))
        await cog.sweep()
        assert len(post.history) == 0
        clock.set(seoul(2026, 3, 3, 8, 0))
        await cog.sweep()  # returns after the edit
        assert len(post.history) == 1
        text = embed_text(post)
        assert "50 answered" in text
        assert f"✅ **{'ABCD'[right]}.**" in text and "40 (80%)" in text and "10 (20%)" in text
        first = [m.user.username for m in members if choices[members.index(m)] == right][:3]
        assert all(name in text for name in first)
        assert "<@" not in text
        assert all(b.get("disabled") for b in post.buttons())
        assert not answer_buttons(post)


async def test_daily_now_posts_at_once_and_a_click_after_the_reveal_is_refused_politely(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    g = fake_discord.guild
    clock = ManualClock(seoul(2026, 3, 2, 12, 0))
    async with running_studybot(fake_discord, tmp_path, clock=clock) as run:
        cog = daily_cycle(run)
        await fake_discord.slash(g, g.admin, "dailyadmin", "set", channel=g.text_channel, time="09:00", topic="Serverless")
        denied = await fake_discord.slash(g, g.member, "dailyadmin", "now")
        assert "Manage Server" in denied.text()
        done = await fake_discord.slash(g, g.admin, "dailyadmin", "now")
        assert "unchanged" in reply_message(done).content
        post = await fake_discord.wait_for_message(is_daily_post, channel=g.text_channel)
        post_id = post_id_of(post)
        (schedule,) = await run.store.active_schedules()
        job = run.app.daily.post_job(schedule.schedule_id)
        assert job.next_run_time.astimezone(SEOUL).strftime("%H:%M") == "09:00"  # the schedule did not move
        (status,) = await cog.quiz.status(Community.discord(g.id))
        assert status.schedule.community == Community.discord(g.id) and status.next_post.at == seoul(2026, 3, 3, 9, 0)  # type: ignore[union-attr]

        korean = await fake_discord.click(post, f"daily:{post_id}:0", g.admin, locale="ko")
        title = reply_message(korean).embeds[0]["title"]
        assert korean.ephemeral and ("정답입니다" in title or "아쉬워요" in title)

        # Revealed in the database, but this client still shows the old buttons.
        stored = await run.store.get_post(post_id)
        assert stored is not None
        await cog.quiz.reveal(stored)
        late = await fake_discord.click(post, f"daily:{post_id}:0", g.member)
        assert late.ephemeral and "closed" in late.text() and f"**{'ABCD'[stored.question.answer]}**" in late.text()


async def test_a_lost_channel_pauses_the_schedule_and_tells_the_system_channel(
    fake_discord: FakeDiscord, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    g = fake_discord.guild
    clock = ManualClock(seoul(2026, 3, 2, 8, 0))
    async with running_studybot(fake_discord, tmp_path, clock=clock) as run:
        cog = daily_cycle(run)
        await fake_discord.slash(g, g.admin, "dailyadmin", "set", channel=g.text_channel, time="09:00")
        (schedule,) = await run.store.active_schedules()
        fake_discord.forbid_channel(g.text_channel)
        clock.set(seoul(2026, 3, 2, 9, 0))
        with caplog.at_level(logging.WARNING, logger="bot.app.daily"):
            await cog._post_job(schedule.schedule_id)
            await cog.sweep()  # nothing more is tried while paused
        notice = await fake_discord.wait_for_message(channel=g.system_channel)
        assert f"<#{g.text_channel.id}>" in notice.content and "paused" in notice.content
        paused = await run.store.get_schedule(schedule.schedule_id)
        assert paused is not None and paused.paused
        assert sum("paused schedule" in r.getMessage() for r in caplog.records) == 1
        assert len(fake_discord.find_requests("POST", rf"^/channels/{g.text_channel.id}/messages$")) == 1
        status = await fake_discord.slash(g, g.member, "daily", "status")
        assert "Paused" in embed_text(reply_message(status))
        fake_discord.clear_failures()


async def test_recovery_posts_a_slot_missed_within_grace_skips_one_beyond_and_reveals_what_fell_due(
    fake_discord: FakeDiscord, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    g = fake_discord.guild
    clock = ManualClock(seoul(2026, 3, 2, 8, 0))
    async with running_studybot(fake_discord, tmp_path, clock=clock):
        await fake_discord.slash(g, g.admin, "dailyadmin", "set", channel=g.text_channel, time="09:00")

    clock.set(seoul(2026, 3, 2, 11, 59))  # down over 09:00; back within the 3 h grace
    async with running_studybot(fake_discord, tmp_path, clock=clock) as run:
        await asyncio.wait_for(daily_cycle(run).recovered.wait(), 10)
        post = await fake_discord.wait_for_message(is_daily_post, channel=g.text_channel)
        assert "2026-03-02" in post.embeds[0]["title"]

    clock.set(seoul(2026, 3, 3, 12, 1))  # down over the next 09:00 too, now beyond grace
    with caplog.at_level(logging.INFO, logger="bot.app.daily"):
        async with running_studybot(fake_discord, tmp_path, clock=clock) as run:
            await asyncio.wait_for(daily_cycle(run).recovered.wait(), 10)
    assert [m for m in fake_discord.channel_messages(g.text_channel) if is_daily_post(m)] == []  # buttons gone
    assert len(post.history) == 1 and "0 answered" in embed_text(post)  # the reveal fell due at 08:00
    assert any("skipped the 2026-03-03 slot" in r.getMessage() for r in caplog.records)
    assert len(fake_discord.find_requests("POST", rf"^/channels/{g.text_channel.id}/messages$")) == 1


async def move_reveal(db: Path, post_id: int, when: datetime) -> None:
    """Let time pass while no bot runs: the post's reveal time moves into the past."""
    async with await Store.open(db, clock=SystemClock()) as store:
        assert await store.set_reveal_at(post_id, when)


async def test_buttons_work_after_a_restart_and_a_reveal_due_during_downtime_happens_on_start(
    fake_discord: FakeDiscord, bot_process, tmp_path: Path  # noqa: F811
) -> None:
    g = fake_discord.guild
    first, second = fake_discord.make_members(g, 2)
    env = studybot_env(tmp_path, STUDYBOT_TIMEZONE="UTC")
    ready = r"daily quiz: recovery done"

    one = bot_process(studybot_argv("run"), env=env)
    await one.start(ready_line=ready)
    now = datetime.now(UTC)
    far = wall_clock(now.date(), (now + timedelta(hours=12)).time().replace(second=0, microsecond=0), ZoneInfo("UTC"))
    await fake_discord.slash(g, g.admin, "dailyadmin", "set", channel=g.text_channel, time=f"{far:%H:%M}")
    posted = await fake_discord.slash(g, g.admin, "dailyadmin", "now")
    assert "unchanged" in reply_message(posted).content
    post = await fake_discord.wait_for_message(is_daily_post, channel=g.text_channel)
    post_id = post_id_of(post)
    accepted = await fake_discord.click(post, f"daily:{post_id}:0", first)
    assert accepted.ephemeral and reply_message(accepted).embeds
    assert await one.kill() == -9  # a crash

    two = bot_process(studybot_argv("run"), env=env)
    await two.start(ready_line=ready)
    after_restart = await fake_discord.click(post, f"daily:{post_id}:1", second)
    assert after_restart.ephemeral and reply_message(after_restart).embeds, after_restart
    duplicate = await fake_discord.click(post, f"daily:{post_id}:1", first)
    assert "already answered this one (A)" in duplicate.text()
    assert post.history == []  # not revealed yet
    assert await two.stop() == 0

    await move_reveal(tmp_path / "studybot.db", post_id, datetime.now(UTC) - timedelta(minutes=5))
    three = bot_process(studybot_argv("run"), env=env)
    await three.start(ready_line=ready)  # recovery has run: the edit is done
    assert len(post.history) == 1, three.output()[-3000:]
    text = embed_text(post)
    assert "2 answered" in text
    assert all(b.get("disabled") for b in post.buttons())
    assert f"revealed post {post_id}" in three.output()
    assert not answer_buttons(post)  # nothing left to click
    assert await three.stop() == 0
