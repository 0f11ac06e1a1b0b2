"""The daily quiz's wording and drawing: en/ko strings, embeds, views and the answer button.

Pure formatting with no state; the answer button finds the `Daily` cog by name when clicked, so
this module never imports `_cog`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import discord

from bot.daily import (
    DailyError,
    InvalidTime,
    InvalidZone,
    NoRoomToday,
    Reveal,
    ScheduleSet,
    ScheduleStatus,
    WhichSchedule,
)
from bot.discord_app import limits
from bot.discord_app.errors import GuardedItem
from bot.discord_app.i18n import Lang, letter
from bot.discord_app.views import parse_choice, parse_post_id, rendering_view
from bot.service import AnswerOutcome
from bot.store import Post

# Loose on purpose: a forged or garbled id under our prefix gets a polite answer from the button
# (the service refuses it) instead of matching nothing and leaving the click unanswered.
DAILY_TEMPLATE = r"daily:(?P<post>[^:]{0,90}):(?P<choice>[^:]{0,8})"
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
        "foreign_channel": "That channel is not in this server. Pick one of this server's text channels.",
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
        "post_retry": "Discord did not take the post for {channel} just now. I will keep trying in the background.",
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
        "foreign_channel": "이 서버의 채널이 아닙니다. 이 서버의 텍스트 채널을 골라 주세요.",
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
        "post_retry": "Discord가 지금은 {channel} 채널의 게시를 받지 않았습니다. 잠시 뒤에 다시 시도합니다.",
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
        return cls(parse_post_id(match["post"]), parse_choice(match["choice"]))

    async def run(self, interaction: discord.Interaction) -> None:
        # Looked up by name: `_cog` imports this module, so this module cannot import `Daily`.
        cog: Any = interaction.client.get_cog("Daily")  # type: ignore[attr-defined]
        if cog is None:
            raise RuntimeError("the daily quiz is not loaded")
        await cog.answer_click(interaction, self.post_id, self.choice)


__all__ = [
    "DAILY_TEMPLATE",
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
