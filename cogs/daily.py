"""The daily channel quiz: `/daily set|now|stop|status`, answer buttons, timed posts and reveals.

Thin over `bot.daily.DailyQuiz`, which decides and records; this cog formats and sends.

* Buttons are `DynamicItem`s `daily:<post>:<choice>` carrying only ids, so every post keeps
  working after a restart; the answer is committed before the ephemeral acknowledgement.
* SQLite is the source of truth. `cog_load` rebuilds one APScheduler `CronTrigger` job per
  active schedule (in the schedule's zone, `coalesce`, misfire grace = the daily grace) and a
  sweep job every minute that redraws reveals whose edit is missing, reveals due posts, posts
  due slots nobody posted (a safety net for downtime and daylight-saving edges) and sends posts
  made but never sent (a crash or a failed send), within the grace window. Every send is claimed
  in the store first, so no two processes send the same post. Once the bot is ready, a recovery
  pass runs the sweep and logs slots and posts skipped beyond the grace window.
* A channel that is gone, or that the bot lost access to, pauses its schedule with a log line
  and a notice in the server's system channel when the bot may write there.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Sequence
from datetime import datetime, timedelta
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
    InvalidTime,
    InvalidZone,
    NoRoomToday,
    PostBatch,
    Reveal,
    ScheduleSet,
    ScheduleStatus,
    WhichSchedule,
    schedule_time,
)
from bot.discord_app import limits
from bot.discord_app.bot import StudyBot
from bot.discord_app.errors import GuardedItem, guard_autocomplete, send_ephemeral
from bot.discord_app.i18n import Lang, interaction_lang, lang_of, letter
from bot.discord_app.views import rendering_view
from bot.engine.schedule import DailySlot, suggest_zones
from bot.errors import AnswersClosed, NoQuestions
from bot.service import AnswerOutcome
from bot.store import Post, Schedule

log = logging.getLogger(__name__)

DAILY_TEMPLATE = r"daily:(?P<post>[0-9]{1,20}):(?P<choice>[0-9])"
SWEEP_SECONDS = 60
SWEEP_JOB = "daily:sweep"
EARLY_FIRE = timedelta(seconds=5)  # a cron job that fires a hair early still finds its slot
ACK_DEFER_AFTER = 2.0  # seconds: defer the click when recording takes longer than this
PROMPT_CHARS = 1200  # with five choices of CHOICE_CHARS the description stays within 4096
CHOICE_CHARS = 550
NEEDED_PERMISSIONS = ("view_channel", "send_messages", "embed_links")
COLOUR = discord.Colour.gold()
REVEALED = discord.Colour.dark_gold()
CORRECT = discord.Colour.green()
WRONG = discord.Colour.red()

# Pause reasons are stored as codes and worded when shown.
REASON_DELETED = "channel_deleted"
REASON_ACCESS = "missing_access"
REASON_NO_QUESTIONS = "no_questions"

MESSAGES: dict[Lang, dict[str, str]] = {
    "en": {
        "title": "Daily question · {date}",
        "title_seq": "Daily question · {date} · #{seq}",
        "how_title": "How to answer",
        "how": "Pick a letter below. Your first answer counts. The answer is revealed {when}.",
        "revealed_title": "Daily question · {date} · answer",
        "choice_line": "{mark} **{letter}.** {text} · {count} ({share})",
        "answered": "Answers",
        "answered_value": "{count} answered",
        "first_correct": "First correct",
        "nobody_correct": "Nobody got it right this time.",
        "explanation": "Explanation",
        "ack_correct": "✅ Correct! +{points} points · streak {streak}",
        "ack_wrong": "❌ Not quite: the answer is {letter}. {answer}",
        "ack_choice": "Your answer: {letter}",
        "closed": "This question has been revealed, so answers are closed. The answer was **{letter}**.",
        "set_done": "Daily questions in {channel} every day at **{time}** ({zone}).",
        "set_replaced": "This replaces the channel's earlier schedule.",
        "set_topic": "Topic: **{topic}**",
        "set_all_topics": "Topic: every deck",
        "set_questions": "Questions per post: **{count}**",
        "set_reveal_hours": "Answers are revealed {hours} h after each post.",
        "set_reveal_default": "Answers are revealed one hour before the next post.",
        "next_posts": "Next posts",
        "missing_permissions": (
            "I can't run a daily quiz in {channel}: I'm missing **{permissions}** there. "
            "Nothing was scheduled."
        ),
        "perm.view_channel": "View Channel",
        "perm.send_messages": "Send Messages",
        "perm.embed_links": "Embed Links",
        "invalid_time": "**{value}** is not a time of day. Use 24-hour HH:MM, e.g. 09:00 or 21:30.",
        "invalid_zone": "**{value}** is not a time zone. Use an IANA name such as Asia/Seoul or UTC.",
        "did_you_mean": "Did you mean: {suggestions}?",
        "no_schedule": "There is no daily quiz in this server yet. An admin can start one with /daily set.",
        "which": "This server has several daily quizzes; run the command in one of their channels: {channels}",
        "no_room": "This schedule already has {limit} questions today. Try again tomorrow.",
        "posted_now": "Posted a question in {channel}. The schedule is unchanged: next post {next}.",
        "post_failed": "I could not post in {channel}; the schedule is paused. Check my permissions there.",
        "stopped": "Stopped the daily quiz in {channel}. Its questions and scores stay.",
        "status_title": "Daily quizzes",
        "status_none": "No daily quiz yet. An admin can start one with /daily set.",
        "status_line": (
            "{channel} · every day at **{time}** ({zone})\n"
            "Next post: {next}\n"
            "Questions left before repeats: **{left}** of {size}"
        ),
        "status_topic": "Topic: {topic}",
        "status_paused": "⏸️ Paused: {reason}. Run /daily set again to resume.",
        "paused_notice": "The daily quiz in {channel} is paused: {reason}. An admin can fix it and run /daily set again.",
        "reason.channel_deleted": "the channel was deleted",
        "reason.missing_access": "I lost access to the channel or a permission there",
        "reason.no_questions": "its topic has no questions any more",
    },
    "ko": {
        "title": "오늘의 문제 · {date}",
        "title_seq": "오늘의 문제 · {date} · #{seq}",
        "how_title": "답하는 법",
        "how": "아래에서 답을 고르세요. 첫 번째 답만 인정됩니다. 정답은 {when} 공개됩니다.",
        "revealed_title": "오늘의 문제 · {date} · 정답",
        "choice_line": "{mark} **{letter}.** {text} · {count}명 ({share})",
        "answered": "참여",
        "answered_value": "{count}명 답변",
        "first_correct": "먼저 맞힌 사람",
        "nobody_correct": "이번에는 맞힌 사람이 없습니다.",
        "explanation": "해설",
        "ack_correct": "✅ 정답입니다! +{points}점 · 연속 {streak}",
        "ack_wrong": "❌ 아쉬워요. 정답은 {letter}. {answer}",
        "ack_choice": "내 답: {letter}",
        "closed": "정답이 이미 공개되어 답변이 마감되었습니다. 정답은 **{letter}** 였습니다.",
        "set_done": "{channel} 채널에 매일 **{time}** ({zone}) 문제를 올립니다.",
        "set_replaced": "이 채널의 기존 일정을 대신합니다.",
        "set_topic": "주제: **{topic}**",
        "set_all_topics": "주제: 모든 덱",
        "set_questions": "한 번에 올릴 문제 수: **{count}**",
        "set_reveal_hours": "정답은 게시 {hours}시간 뒤에 공개됩니다.",
        "set_reveal_default": "정답은 다음 게시 한 시간 전에 공개됩니다.",
        "next_posts": "다음 게시",
        "missing_permissions": (
            "{channel} 채널에서 오늘의 문제를 올릴 수 없습니다: **{permissions}** 권한이 없습니다. "
            "일정을 만들지 않았습니다."
        ),
        "perm.view_channel": "채널 보기",
        "perm.send_messages": "메시지 보내기",
        "perm.embed_links": "링크 첨부",
        "invalid_time": "**{value}**은(는) 올바른 시각이 아닙니다. 24시간제 HH:MM으로 적어 주세요 (예: 09:00, 21:30).",
        "invalid_zone": "**{value}**은(는) 시간대가 아닙니다. Asia/Seoul, UTC 같은 IANA 이름을 쓰세요.",
        "did_you_mean": "혹시 이것을 찾으셨나요: {suggestions}?",
        "no_schedule": "이 서버에는 아직 오늘의 문제가 없습니다. 관리자가 /daily set으로 시작할 수 있습니다.",
        "which": "이 서버에는 오늘의 문제 일정이 여러 개 있습니다. 해당 채널에서 명령을 실행하세요: {channels}",
        "no_room": "이 일정은 오늘 이미 {limit}문제를 올렸습니다. 내일 다시 해 보세요.",
        "posted_now": "{channel} 채널에 문제를 올렸습니다. 일정은 그대로입니다: 다음 게시 {next}.",
        "post_failed": "{channel} 채널에 올리지 못해 일정을 멈췄습니다. 그 채널의 권한을 확인해 주세요.",
        "stopped": "{channel} 채널의 오늘의 문제를 멈췄습니다. 지난 문제와 점수는 남아 있습니다.",
        "status_title": "오늘의 문제 일정",
        "status_none": "아직 오늘의 문제 일정이 없습니다. 관리자가 /daily set으로 시작할 수 있습니다.",
        "status_line": (
            "{channel} · 매일 **{time}** ({zone})\n"
            "다음 게시: {next}\n"
            "반복 전까지 남은 문제: **{left}** / {size}"
        ),
        "status_topic": "주제: {topic}",
        "status_paused": "⏸️ 일시 중지: {reason}. /daily set을 다시 실행하면 재개됩니다.",
        "paused_notice": "{channel} 채널의 오늘의 문제가 멈췄습니다: {reason}. 관리자가 문제를 고친 뒤 /daily set을 다시 실행해 주세요.",
        "reason.channel_deleted": "채널이 삭제되었습니다",
        "reason.missing_access": "채널 접근 권한이나 필요한 권한을 잃었습니다",
        "reason.no_questions": "주제에 더 이상 문제가 없습니다",
    },
}

WEEKDAYS: dict[Lang, tuple[str, ...]] = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "ko": ("월", "화", "수", "목", "금", "토", "일"),
}


def t(lang: Lang, key: str, /, **params: Any) -> str:
    """A daily-quiz reply in `lang` (English when Korean lacks it)."""
    template = MESSAGES.get(lang, {}).get(key) or MESSAGES["en"][key]
    return template.format(**params)


# -- formatting (pure) -------------------------------------------------------------------------


def wall_time(when: datetime, zone: str, lang: Lang) -> str:
    """An instant as the zone's clocks show it: 'Tue 2026-03-10 09:00 EDT'."""
    local = when.astimezone(ZoneInfo(zone))
    day = WEEKDAYS[lang][local.weekday()]
    abbreviation = local.strftime("%Z")
    if lang == "ko":
        return f"{local:%Y-%m-%d} ({day}) {local:%H:%M} {abbreviation}"
    return f"{day} {local:%Y-%m-%d %H:%M} {abbreviation}"


def relative(when: datetime) -> str:
    """A Discord timestamp shown relative to the reader's now ("in 3 hours")."""
    return f"<t:{int(when.timestamp())}:R>"


def channel_ref(channel_id: int) -> str:
    return f"<#{channel_id}>"


def missing_permissions(permissions: discord.Permissions) -> list[str]:
    """The permission flags a daily channel needs that `permissions` lacks."""
    return [name for name in NEEDED_PERMISSIONS if not getattr(permissions, name)]


def reason_text(reason: str | None, lang: Lang) -> str:
    key = f"reason.{reason}"
    if key in MESSAGES["en"]:
        return t(lang, key)
    return limits.user_text(reason or "?", 200)


def error_text(error: DailyError, lang: Lang) -> str:
    """A daily-quiz error as one reply, with suggestions when there are any."""
    params = error.params
    if isinstance(error, InvalidTime):
        return t(lang, "invalid_time", value=limits.user_text(str(params.get("value", "")), 50))
    if isinstance(error, InvalidZone):
        text = t(lang, "invalid_zone", value=limits.user_text(str(params.get("value", "")), 60))
        suggestions = [limits.user_text(s, 60) for s in params.get("suggestions") or ()]
        if suggestions:
            text += "\n" + t(lang, "did_you_mean", suggestions=", ".join(suggestions))
        return limits.content(text)
    if isinstance(error, WhichSchedule):
        channels = ", ".join(channel_ref(c) for c in params.get("channel_ids") or ())
        return limits.content(t(lang, "which", channels=channels))
    if isinstance(error, NoRoomToday):
        return t(lang, "no_room", limit=params.get("limit", 5))
    return t(lang, "no_schedule")


def _local_date(post: Post) -> str:
    return post.local_date or f"{post.posted_at:%Y-%m-%d}"


def post_embed(post: Post, lang: Lang) -> discord.Embed:
    """The channel message of a daily question: prompt, lettered choices, when it is revealed."""
    question = post.question
    lines = [f"**{letter(i)}.** {limits.one_line(c, CHOICE_CHARS)}" for i, c in enumerate(question.choices)]
    title = t(lang, "title_seq", date=_local_date(post), seq=post.seq) if (post.seq or 1) > 1 \
        else t(lang, "title", date=_local_date(post))
    description = limits.clip(question.prompt, PROMPT_CHARS) + "\n\n" + "\n".join(lines)
    embed = discord.Embed(title=title, description=description, colour=COLOUR)
    if post.reveal_at is not None:
        embed.add_field(name=t(lang, "how_title"), value=t(lang, "how", when=relative(post.reveal_at)), inline=False)
    embed.set_footer(text=limits.one_line(post.topic or question.deck, 200))
    return limits.fit_embed(embed)


def post_view(post: Post) -> discord.ui.View:
    return rendering_view(*(DailyAnswerButton(post.post_id, i) for i in range(len(post.question.choices))))


def reveal_embed(reveal: Reveal, lang: Lang) -> discord.Embed:
    """The revealed post: correct choice marked, count and share per choice, first correct."""
    post, results = reveal.post, reveal.results
    question = post.question
    lines = []
    for i, text in enumerate(question.choices):
        count = results.counts[i] if i < len(results.counts) else 0
        share = reveal.shares[i] if i < len(reveal.shares) else 0.0
        lines.append(t(lang, "choice_line", mark="✅" if i == question.answer else "▫️", letter=letter(i),
                       text=limits.one_line(text, CHOICE_CHARS), count=count, share=f"{share:.0%}"))
    embed = discord.Embed(
        title=t(lang, "revealed_title", date=_local_date(post)),
        description=limits.clip(question.prompt, PROMPT_CHARS) + "\n\n" + "\n".join(lines),
        colour=REVEALED,
    )
    embed.add_field(name=t(lang, "answered"), value=t(lang, "answered_value", count=results.total), inline=True)
    names = [limits.display_name(a.display_name or "?") for a in results.first_correct[:3]]
    embed.add_field(
        name=t(lang, "first_correct"),
        value=", ".join(f"{n}. {name}" for n, name in enumerate(names, 1)) if names else t(lang, "nobody_correct"),
        inline=True,
    )
    if question.explanation:
        embed.add_field(name=t(lang, "explanation"), value=question.explanation, inline=False)
    embed.set_footer(text=limits.one_line(post.topic or question.deck, 200))
    return limits.fit_embed(embed)


def reveal_view(post: Post) -> discord.ui.View:
    """The choices again, disabled; the correct one green."""
    buttons = [
        discord.ui.Button(
            label=letter(i),
            style=discord.ButtonStyle.success if i == post.question.answer else discord.ButtonStyle.secondary,
            disabled=True,
            custom_id=limits.custom_id("daily", "done", str(post.post_id), str(i)),
        )
        for i in range(len(post.question.choices))
    ]
    return rendering_view(*buttons)


def ack_embed(outcome: AnswerOutcome, lang: Lang) -> discord.Embed:
    """The clicker's private acknowledgement: right or wrong, with the explanation."""
    question, result = outcome.question, outcome.result
    if result.correct:
        title = t(lang, "ack_correct", points=result.points, streak=result.streak)
    else:
        title = t(lang, "ack_wrong", letter=letter(question.answer), answer=limits.one_line(question.correct_choice, 150))
    embed = discord.Embed(
        title=limits.one_line(title, limits.EMBED_TITLE),
        description=question.explanation or None,
        colour=CORRECT if result.correct else WRONG,
    )
    embed.set_footer(text=t(lang, "ack_choice", letter=letter(outcome.choice)))
    return limits.fit_embed(embed)


def set_embed(result: ScheduleSet, lang: Lang) -> discord.Embed:
    """`/daily set`: what was scheduled and the next three post times in the zone."""
    schedule = result.schedule
    lines = [t(lang, "set_done", channel=channel_ref(schedule.channel_id), time=schedule.time, zone=schedule.timezone)]
    if result.replaced:
        lines.append(t(lang, "set_replaced"))
    lines.append(t(lang, "set_topic", topic=limits.user_text(schedule.topic, 100)) if schedule.topic
                 else t(lang, "set_all_topics"))
    lines.append(t(lang, "set_questions", count=schedule.questions_per_post))
    hours = schedule.reveal_after_hours
    lines.append(t(lang, "set_reveal_hours", hours=f"{hours:g}") if hours else t(lang, "set_reveal_default"))
    embed = discord.Embed(description="\n".join(lines), colour=COLOUR)
    embed.add_field(
        name=t(lang, "next_posts"),
        value="\n".join(f"{wall_time(s.at, schedule.timezone, lang)} · {relative(s.at)}" for s in result.next_posts),
        inline=False,
    )
    return limits.fit_embed(embed)


def status_embed(statuses: Sequence[ScheduleStatus], lang: Lang) -> discord.Embed:
    """`/daily status`: per schedule its channel, time, zone, next post and questions left."""
    embed = discord.Embed(title=t(lang, "status_title"), colour=COLOUR)
    if not statuses:
        embed.description = t(lang, "status_none")
        return limits.fit_embed(embed)
    for n, status in enumerate(statuses[: limits.EMBED_FIELDS], 1):
        schedule = status.schedule
        upcoming = (f"{wall_time(status.next_post.at, schedule.timezone, lang)} · {relative(status.next_post.at)}"
                    if status.next_post else "—")
        value = t(lang, "status_line", channel=channel_ref(schedule.channel_id), time=schedule.time,
                  zone=schedule.timezone, next=upcoming, left=status.questions_left, size=status.pool_size)
        if schedule.topic:
            value += "\n" + t(lang, "status_topic", topic=limits.user_text(schedule.topic, 100))
        if schedule.paused:
            value += "\n" + t(lang, "status_paused", reason=reason_text(schedule.pause_reason, lang))
        embed.add_field(name=f"#{n}", value=value, inline=False)
    return limits.fit_embed(embed)


# -- the answer buttons ------------------------------------------------------------------------


class DailyAnswerButton(GuardedItem, discord.ui.DynamicItem[discord.ui.Button[Any]], template=DAILY_TEMPLATE):
    """One of A–D under a daily channel question; the click is routed by its custom id alone."""

    def __init__(self, post_id: int, choice: int) -> None:
        super().__init__(
            discord.ui.Button(
                label=letter(choice),
                style=discord.ButtonStyle.primary,
                custom_id=limits.custom_id("daily", str(post_id), str(choice)),
            )
        )
        self.post_id = post_id
        self.choice = choice

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: Any, /
    ) -> DailyAnswerButton:
        return cls(int(match["post"]), int(match["choice"]))

    async def run(self, interaction: discord.Interaction) -> None:
        cog = interaction.client.get_cog(Daily.__cog_name__)  # type: ignore[attr-defined]
        if not isinstance(cog, Daily):
            raise RuntimeError("the daily quiz is not loaded")
        await cog.answer_click(interaction, self.post_id, self.choice)


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
        self.bot.scheduler.add_job(
            self._sweep_job, IntervalTrigger(seconds=SWEEP_SECONDS), id=SWEEP_JOB, name="daily quiz sweep",
            replace_existing=True, coalesce=True, max_instances=1, misfire_grace_time=SWEEP_SECONDS,
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
        recording = asyncio.ensure_future(self.quiz.answer(
            post_id, interaction.user.id, choice, interaction.user.display_name))
        done, _ = await asyncio.wait({recording}, timeout=ACK_DEFER_AFTER)
        if not done:
            await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            outcome = await recording
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
            await send_ephemeral(interaction, t(lang, "post_failed", channel=channel_ref(schedule.channel_id)))
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


async def setup(bot: StudyBot) -> None:
    await bot.add_cog(Daily(bot))


__all__ = [
    "DAILY_TEMPLATE",
    "Daily",
    "DailyAnswerButton",
    "ack_embed",
    "error_text",
    "missing_permissions",
    "post_embed",
    "post_view",
    "reveal_embed",
    "reveal_view",
    "set_embed",
    "status_embed",
    "wall_time",
]
