"""The `Daily` cog: `/daily` commands, scheduler jobs, the sweep, posting, reveals and clicks.

Decisions come from `bot.daily.DailyQuiz`; wording and drawing come from `_views`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import discord
from apscheduler.jobstores.base import JobLookupError
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

from bot.daily import (
    DailyError,
    DailyQuiz,
    PostBatch,
    Reveal,
    schedule_time,
)
from bot.discord_app import limits
from bot.discord_app.bot import StudyBot
from bot.discord_app.deadline import finish_or_defer
from bot.discord_app.errors import guard_autocomplete, send_ephemeral
from bot.discord_app.i18n import Lang, interaction_lang, lang_of, letter
from bot.engine.schedule import DailySlot, suggest_zones
from bot.errors import AnswersClosed, NoQuestions
from bot.store import Post, Schedule
from cogs.daily._views import (
    REASON_ACCESS,
    REASON_DELETED,
    REASON_NO_QUESTIONS,
    DailyAnswerButton,
    ack_embed,
    channel_ref,
    error_text,
    missing_permissions,
    post_embed,
    post_view,
    reason_text,
    relative,
    reveal_embed,
    reveal_view,
    set_embed,
    status_embed,
    t,
    wall_time,
)

log = logging.getLogger(__name__)

SWEEP_JOB = "daily:sweep"
EARLY_FIRE = timedelta(seconds=5)  # a cron job that fires a hair early still finds its slot


async def _reply(interaction: discord.Interaction, *, embed: discord.Embed | None = None,
                 text: str | None = None) -> None:
    """An ephemeral reply, or followup when the interaction was deferred."""
    kwargs: dict[str, Any] = {"ephemeral": True}
    if embed is not None:
        kwargs["embed"] = embed
    if text is not None:
        kwargs["content"] = limits.content(text)
    if interaction.response.is_done():
        await interaction.followup.send(**kwargs)
    else:
        await interaction.response.send_message(**kwargs)


# -- the cog -----------------------------------------------------------------------------------


class Daily(commands.Cog):
    """`/daily`, the daily answer buttons, and the timed posts and reveals."""

    def __init__(self, bot: StudyBot) -> None:
        self.bot = bot
        self.quiz = DailyQuiz(bot.service, grace=timedelta(hours=bot.settings.daily_grace_hours), clock=bot.clock)
        self._lock = asyncio.Lock()  # one post/reveal pass at a time in this process
        self._jobs: set[str] = set()
        self._recovery: asyncio.Task[None] | None = None
        self.recovered = asyncio.Event()

    daily = app_commands.Group(name="daily", description=_("Daily channel quiz"), guild_only=True)

    # -- life cycle --------------------------------------------------------------------------

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(DailyAnswerButton)
        for schedule in await self.quiz.active_schedules():
            self._add_post_job(schedule)
        every = self.bot.settings.daily_sweep_seconds
        self.bot.scheduler.add_job(
            self._sweep_job, IntervalTrigger(seconds=every), id=SWEEP_JOB, name="daily quiz sweep",
            replace_existing=True, coalesce=True, max_instances=1, misfire_grace_time=every,
        )
        self._jobs.add(SWEEP_JOB)
        self._recovery = asyncio.create_task(self._recover(), name="daily-recovery")
        log.info("daily quiz: %d post jobs scheduled", len(self._jobs) - 1)

    async def cog_unload(self) -> None:
        if self._recovery is not None and not self._recovery.done():
            self._recovery.cancel()
            await asyncio.gather(self._recovery, return_exceptions=True)
        for job_id in list(self._jobs):
            self._remove_job(job_id)
        self.bot.remove_dynamic_items(DailyAnswerButton)

    def _grace_seconds(self) -> int:
        return max(1, int(self.quiz.grace.total_seconds()))

    @staticmethod
    def _job_id(schedule_id: int) -> str:
        return f"daily:post:{schedule_id}"

    def _add_post_job(self, schedule: Schedule) -> None:
        at = schedule_time(schedule)
        job_id = self._job_id(schedule.schedule_id)
        self.bot.scheduler.add_job(
            self._post_job, CronTrigger(hour=at.hour, minute=at.minute, timezone=ZoneInfo(schedule.timezone)),
            args=[schedule.schedule_id], id=job_id, name=f"daily post {schedule.schedule_id}",
            replace_existing=True, coalesce=True, max_instances=1, misfire_grace_time=self._grace_seconds(),
        )
        self._jobs.add(job_id)

    def _remove_job(self, job_id: str) -> None:
        self._jobs.discard(job_id)
        try:
            self.bot.scheduler.remove_job(job_id)
        except JobLookupError:
            pass

    async def _recover(self) -> None:
        """After downtime: reveal what fell due, post missed slots within grace, log the rest."""
        try:
            await self.bot.wait_until_ready()
            await self.sweep(recovering=True)
            log.info("daily quiz: recovery done")
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("daily quiz: recovery failed")
        finally:
            self.recovered.set()

    async def _post_job(self, schedule_id: int) -> None:
        """The CronTrigger job of one schedule."""
        try:
            schedule = await self.quiz.get_schedule(schedule_id)
            if schedule is None or not schedule.active:
                self._remove_job(self._job_id(schedule_id))
                return
            async with self._lock:
                due = await self.quiz.due(schedule, self.quiz.now() + EARLY_FIRE)
                if due.post is not None:
                    await self._post_slot(schedule, due.post)
        except Exception:
            log.exception("daily quiz: the post job of schedule %s failed", schedule_id)

    async def _sweep_job(self) -> None:
        try:
            await self.sweep()
        except Exception:
            log.exception("daily quiz: the sweep failed")

    async def sweep(self, *, recovering: bool = False) -> None:
        """Redraw missed reveal edits, reveal due posts, post due slots, send unsent posts."""
        async with self._lock:
            for post in await self.quiz.pending_reveal_edits():
                await self._guarded(self._redraw_reveal(post), f"reveal edit of post {post.post_id}")
            for post in await self.quiz.due_reveals():
                await self._guarded(self._reveal(post), f"reveal of post {post.post_id}")
            for due in await self.quiz.due_slots():
                if due.post is not None:
                    if recovering:
                        log.info("daily quiz: posting the %s slot of schedule %s missed while down",
                                 due.post.local_date, due.schedule.schedule_id)
                    await self._guarded(self._post_slot(due.schedule, due.post),
                                        f"post of schedule {due.schedule.schedule_id}")
                elif due.skipped is not None and recovering:
                    log.warning(
                        "daily quiz: skipped the %s slot of schedule %s (due %s, more than %s ago)",
                        due.skipped.local_date, due.schedule.schedule_id, due.skipped.at.isoformat(),
                        self.quiz.grace)
            for post in await self.quiz.claim_unsent():
                await self._guarded(self._send_unsent(post), f"retry of post {post.post_id}")
            if recovering:
                for post in await self.quiz.stale_unsent():
                    log.warning("daily quiz: post %s (schedule %s, %s #%s) was never sent and is more than %s "
                                "old; not sending it", post.post_id, post.schedule_id, post.local_date,
                                post.seq, self.quiz.grace)

    async def _guarded(self, work: Awaitable[Any], what: str) -> None:
        try:
            await work
        except Exception:
            log.exception("daily quiz: %s failed", what)

    # -- posting and revealing ---------------------------------------------------------------

    def _guild_lang(self, guild_id: int) -> Lang:
        guild = self.bot.get_guild(guild_id)
        return lang_of(guild.preferred_locale) if guild is not None else "en"

    async def _post_slot(self, schedule: Schedule, slot: DailySlot) -> PostBatch | None:
        try:
            batch = await self.quiz.create_slot_posts(schedule, slot)
        except NoQuestions:
            await self._pause(schedule, REASON_NO_QUESTIONS)
            return None
        await self._send_batch(batch)
        return batch

    async def _send_batch(self, batch: PostBatch) -> bool:
        """Send every new post of a batch; True when all of them went out."""
        sent = [await self._send_post(batch.schedule, post) for post in batch.new]
        return all(sent)

    async def _send_unsent(self, post: Post) -> None:
        """Send a post claimed by the sweep: made earlier (maybe by a crashed process) but unsent."""
        schedule = await self.quiz.get_schedule(post.schedule_id) if post.schedule_id is not None else None
        if schedule is None:  # pragma: no cover - the claim only returns posts of live schedules
            return
        log.info("daily quiz: sending post %s (schedule %s, %s #%s), made earlier but not sent",
                 post.post_id, schedule.schedule_id, post.local_date, post.seq)
        await self._send_claimed(schedule, post)

    async def _send_post(self, schedule: Schedule, post: Post) -> bool:
        """Claim a post this process made and send it; False when not sent (now)."""
        claimed = await self.quiz.claim_send(post)
        if claimed is None:
            log.info("daily quiz: post %s is sent, revealed or being sent elsewhere; not sending it", post.post_id)
            return False
        return await self._send_claimed(schedule, claimed)

    async def _send_claimed(self, schedule: Schedule, post: Post) -> bool:
        """Send a claimed post and remember its message; a lost channel pauses the schedule.

        The schedule is paused before the claim runs out, so nobody retries a lost channel; any
        other failure gives up the claim, and the next sweep (of any process) tries again.
        """
        lang = self._guild_lang(schedule.guild_id)
        channel = self.bot.get_partial_messageable(schedule.channel_id, guild_id=schedule.guild_id)
        try:
            message = await channel.send(embed=post_embed(post, lang), view=post_view(post),
                                         allowed_mentions=discord.AllowedMentions.none())
        except discord.NotFound:
            await self._pause(schedule, REASON_DELETED)
            return False
        except discord.Forbidden:
            await self._pause(schedule, REASON_ACCESS)
            return False
        except discord.HTTPException as exc:
            await self.quiz.release_send(post)
            log.error("daily quiz: could not send post %s to channel %s (%s); retrying at the next sweep",
                      post.post_id, schedule.channel_id, exc)
            return False
        await self.quiz.set_message_id(post, message.id)
        log.info("daily quiz: posted post %s (schedule %s, %s #%s) as message %s", post.post_id,
                 schedule.schedule_id, post.local_date, post.seq, message.id)
        return True

    async def _reveal(self, post: Post) -> None:
        """Close a due post (recorded first), then draw the answer on its message."""
        reveal = await self.quiz.reveal(post)
        if reveal is None:
            return
        if reveal.post.message_id is None or reveal.post.channel_id is None:
            log.info("daily quiz: revealed post %s, which has no message to edit", post.post_id)
            return
        if await self._edit_reveal(reveal):
            log.info("daily quiz: revealed post %s (%d answers)", post.post_id, reveal.results.total)

    async def _redraw_reveal(self, post: Post) -> None:
        """Draw the answer on a post revealed earlier whose edit never happened (or failed)."""
        reveal = await self.quiz.results(post)
        if reveal is None:  # pragma: no cover - the post was listed a moment ago
            return
        if await self._edit_reveal(reveal):
            log.info("daily quiz: drew the reveal of post %s on its message (%d answers)",
                     post.post_id, reveal.results.total)

    async def _edit_reveal(self, reveal: Reveal) -> bool:
        """Edit the post's message to show the answer; True when the edit was made.

        Done, or impossible for good (message or channel gone, access lost: the schedule pauses),
        is recorded so it is not tried again; any other failure is retried at the next sweep.
        """
        post = reveal.post
        assert post.message_id is not None and post.channel_id is not None
        lang = self._guild_lang(post.guild_id)
        message = self.bot.get_partial_messageable(post.channel_id, guild_id=post.guild_id) \
            .get_partial_message(post.message_id)
        try:
            await message.edit(embed=reveal_embed(reveal, lang), view=reveal_view(post),
                               allowed_mentions=discord.AllowedMentions.none())
        except discord.NotFound as exc:
            if exc.code == 10003:  # unknown channel
                await self._pause_schedule_of(post, REASON_DELETED)
            else:
                log.info("daily quiz: the message of post %s is gone; revealed without an edit", post.post_id)
            await self.quiz.mark_reveal_edited(post)
            return False
        except discord.Forbidden:
            await self._pause_schedule_of(post, REASON_ACCESS)
            await self.quiz.mark_reveal_edited(post)
            return False
        except discord.HTTPException as exc:
            log.error("daily quiz: revealed post %s but could not edit its message (%s); retrying at the next "
                      "sweep", post.post_id, exc)
            return False
        await self.quiz.mark_reveal_edited(post)
        return True

    async def _pause_schedule_of(self, post: Post, reason: str) -> None:
        if post.schedule_id is None:
            return
        schedule = await self.quiz.get_schedule(post.schedule_id)
        if schedule is not None and schedule.active and not schedule.paused:
            await self._pause(schedule, reason)

    async def _pause(self, schedule: Schedule, reason: str) -> None:
        """Pause the schedule, log it, and tell the server in its system channel if possible."""
        if not await self.quiz.pause(schedule, reason):
            return
        log.warning("daily quiz: paused schedule %s of guild %s in channel %s: %s",
                    schedule.schedule_id, schedule.guild_id, schedule.channel_id, reason)
        guild = self.bot.get_guild(schedule.guild_id)
        target = guild.system_channel if guild is not None else None
        if guild is None or target is None or target.id == schedule.channel_id or guild.me is None:
            return
        if missing_permissions(target.permissions_for(guild.me)):
            return
        lang = lang_of(guild.preferred_locale)
        text = t(lang, "paused_notice", channel=channel_ref(schedule.channel_id), reason=reason_text(reason, lang))
        try:
            await target.send(limits.content(text), allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException as exc:
            log.warning("daily quiz: could not tell guild %s about the pause: %s", schedule.guild_id, exc)

    # -- clicks ------------------------------------------------------------------------------

    async def answer_click(self, interaction: discord.Interaction, post_id: int, choice: int) -> None:
        """Record the click, then acknowledge privately; a slow store gets a deferral first."""
        lang = interaction_lang(interaction)
        recording = self.quiz.answer(
            interaction.guild_id or 0, post_id, interaction.user.id, choice, interaction.user.display_name)
        try:
            outcome = await finish_or_defer(interaction, recording)
        except AnswersClosed:
            post = await self.quiz.get_post(post_id)
            answer = letter(post.question.answer) if post is not None else "?"
            await _reply(interaction, text=t(lang, "closed", letter=answer))
            return
        await _reply(interaction, embed=ack_embed(outcome, lang))

    # -- commands ----------------------------------------------------------------------------

    def _bot_permissions(self, interaction: discord.Interaction, channel: discord.abc.GuildChannel) -> discord.Permissions:
        if channel.id == interaction.channel_id:
            return interaction.app_permissions
        guild = channel.guild
        me = guild.me
        if me is None:
            return interaction.app_permissions
        return channel.permissions_for(me)

    @daily.command(name="set", description=_("Post a daily question in a channel"))
    @app_commands.describe(
        channel=_("The channel for the daily question"),
        time=_("Time of day, 24-hour HH:MM"),
        timezone=_("IANA time zone (default: the server's)"),
        topic=_("A deck or section (default: all)"),
        questions=_("Questions per post (1-5)"),
        reveal_after_hours=_("Hours until the answer is shown (default: 1 h before the next post)"),
    )
    @app_commands.checks.has_permissions(manage_guild=True)
    async def set_schedule(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel,
        time: app_commands.Range[str, 1, 20],
        timezone: app_commands.Range[str, 1, 64] | None = None,
        topic: app_commands.Range[str, 1, 100] | None = None,
        questions: app_commands.Range[int, 1, 5] = 1,
        reveal_after_hours: app_commands.Range[int, 1, 23] | None = None,
    ) -> None:
        lang = interaction_lang(interaction)
        if interaction.guild is None or interaction.guild.get_channel(channel.id) is None:
            # Discord's client only offers this server's channels; a forged request may not.
            await send_ephemeral(interaction, t(lang, "foreign_channel"))
            return
        missing = missing_permissions(self._bot_permissions(interaction, channel))
        if missing:
            names = ", ".join(t(lang, f"perm.{m}") for m in missing)
            await send_ephemeral(interaction, t(lang, "missing_permissions", channel=channel.mention, permissions=names))
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            result = await self.quiz.set_schedule(
                interaction.guild_id or 0, channel.id, time, timezone=timezone, topic=topic,
                questions=questions, reveal_after_hours=reveal_after_hours,
            )
        except DailyError as exc:
            await send_ephemeral(interaction, error_text(exc, lang))
            return
        await self._resync_jobs()
        log.info("daily quiz: schedule %s set in channel %s at %s %s", result.schedule.schedule_id,
                 channel.id, result.schedule.time, result.schedule.timezone)
        await interaction.followup.send(embed=set_embed(result, lang), ephemeral=True)

    async def _resync_jobs(self) -> None:
        """Make the post jobs match the active schedules in SQLite."""
        active = await self.quiz.active_schedules()
        wanted = {self._job_id(s.schedule_id) for s in active}
        for job_id in list(self._jobs):
            if job_id != SWEEP_JOB and job_id not in wanted:
                self._remove_job(job_id)
        for schedule in active:
            self._add_post_job(schedule)

    @set_schedule.autocomplete("timezone")
    @guard_autocomplete
    async def zone_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return limits.choices((z, z) for z in suggest_zones(current, limit=limits.CHOICES))

    @set_schedule.autocomplete("topic")
    @guard_autocomplete
    async def topic_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        topics = self.bot.service.topics(current, limit=limits.CHOICES)
        return limits.choices((name, name) for name in topics if len(name) <= limits.CHOICE_VALUE)

    @daily.command(name="now", description=_("Post the next daily question now"))
    @app_commands.checks.has_permissions(manage_guild=True)
    async def post_now(self, interaction: discord.Interaction) -> None:
        lang = interaction_lang(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            schedule = await self.quiz.find_schedule(interaction.guild_id or 0, interaction.channel_id)
            async with self._lock:
                batch = await self.quiz.create_extra_post(schedule)
                sent = await self._send_batch(batch)
        except DailyError as exc:
            await send_ephemeral(interaction, error_text(exc, lang))
            return
        if not sent:
            now = await self.quiz.get_schedule(schedule.schedule_id)
            key = "post_failed" if now is None or now.paused else "post_retry"
            await send_ephemeral(interaction, t(lang, key, channel=channel_ref(schedule.channel_id)))
            return
        upcoming = self.quiz.next_post(schedule)
        when = f"{wall_time(upcoming.at, schedule.timezone, lang)} · {relative(upcoming.at)}"
        await send_ephemeral(interaction, t(lang, "posted_now", channel=channel_ref(schedule.channel_id), next=when))

    @daily.command(name="stop", description=_("Stop the daily question (history stays)"))
    @app_commands.checks.has_permissions(manage_guild=True)
    async def stop(self, interaction: discord.Interaction) -> None:
        lang = interaction_lang(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            schedule = await self.quiz.stop(interaction.guild_id or 0, interaction.channel_id)
        except DailyError as exc:
            await send_ephemeral(interaction, error_text(exc, lang))
            return
        self._remove_job(self._job_id(schedule.schedule_id))
        log.info("daily quiz: schedule %s stopped", schedule.schedule_id)
        await send_ephemeral(interaction, t(lang, "stopped", channel=channel_ref(schedule.channel_id)))

    @daily.command(name="status", description=_("Show this server's daily questions"))
    async def status(self, interaction: discord.Interaction) -> None:
        lang = interaction_lang(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        statuses = await self.quiz.status(interaction.guild_id or 0)
        await interaction.followup.send(embed=status_embed(statuses, lang), ephemeral=True)


__all__ = ["Daily"]
