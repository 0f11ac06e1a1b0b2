"""The daily quiz drawn for Discord: embeds, views and the answer button (wording: bot.app.messages).

Pure formatting with no state; the answer button finds the `Daily` cog by name when clicked, so
this module never imports `_cog`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
import discord

from bot.app.daily import PickReason, ScheduleSet, ScheduleStatus
from bot.app.messages import Lang, letter, pause_reason, tr, wall_time, why_chosen
from bot.app.ports import Reveal
from bot.app.records import Post
from bot.app.study import AnswerOutcome
from bot.discord_app import limits
from bot.discord_app.errors import channel_ref
from bot.discord_app.views import AnswerButton, answer_template, rendering_view

DAILY_TEMPLATE = answer_template("daily")
PROMPT_CHARS = 1200  # with five choices of CHOICE_CHARS the description stays within 4096
CHOICE_CHARS = 550
NEEDED_PERMISSIONS = ("view_channel", "send_messages", "embed_links")
COLOUR = discord.Colour.gold()
REVEALED = discord.Colour.dark_gold()
CORRECT = discord.Colour.green()
WRONG = discord.Colour.red()


# -- formatting (pure) -------------------------------------------------------------------------


def relative(when: datetime) -> str:
    """A Discord timestamp shown relative to the reader's now ("in 3 hours")."""
    return f"<t:{int(when.timestamp())}:R>"


def missing_permissions(permissions: discord.Permissions) -> list[str]:
    """The permission flags a daily channel needs that `permissions` lacks."""
    return [name for name in NEEDED_PERMISSIONS if not getattr(permissions, name)]


def _local_date(post: Post) -> str:
    return post.local_date or f"{post.posted_at:%Y-%m-%d}"


def post_embed(post: Post, lang: Lang) -> discord.Embed:
    """The channel message of a daily question: prompt, lettered choices, when it is revealed."""
    question = post.question
    lines = [f"**{letter(i)}.** {limits.one_line(c, CHOICE_CHARS)}" for i, c in enumerate(question.choices)]
    title = tr(lang, "daily.title_seq", date=_local_date(post), seq=post.seq) if (post.seq or 1) > 1 \
        else tr(lang, "daily.title", date=_local_date(post))
    description = limits.clip(question.prompt, PROMPT_CHARS) + "\n\n" + "\n".join(lines)
    embed = discord.Embed(title=title, description=description, colour=COLOUR)
    if post.reveal_at is not None:
        embed.add_field(name=tr(lang, "daily.how_title"), value=tr(lang, "daily.how", when=relative(post.reveal_at)), inline=False)
    embed.set_footer(text=limits.one_line(post.topic or question.deck, 200))
    return limits.fit_embed(embed)


def post_view(post: Post) -> discord.ui.View:
    return rendering_view(*(DailyAnswerButton(post.post_id, i) for i in range(len(post.question.choices))))


def reveal_embed(reveal: Reveal, lang: Lang) -> discord.Embed:
    """The revealed post: correct choice marked, count and share per choice, first correct."""
    post, results = reveal.post, reveal.results
    question = post.question
    lines = [tr(lang, "daily.choice_line", mark="✅" if c.correct else "▫️", letter=letter(c.index),
                text=limits.one_line(c.text, CHOICE_CHARS), count=c.count, share=f"{c.share:.0%}")
             for c in reveal.choices()]
    embed = discord.Embed(
        title=tr(lang, "daily.revealed_title", date=_local_date(post)),
        description=limits.clip(question.prompt, PROMPT_CHARS) + "\n\n" + "\n".join(lines),
        colour=REVEALED,
    )
    embed.add_field(name=tr(lang, "daily.answered"), value=tr(lang, "daily.answered_value", count=results.total), inline=True)
    names = [limits.display_name(a.display_name or "?") for a in results.first_correct[:3]]
    embed.add_field(
        name=tr(lang, "daily.first_correct"),
        value=", ".join(f"{n}. {name}" for n, name in enumerate(names, 1)) if names else tr(lang, "daily.nobody_correct"),
        inline=True,
    )
    if question.explanation:
        embed.add_field(name=tr(lang, "daily.explanation"), value=question.explanation, inline=False)
    reason = PickReason.parse(post.pick_reason)
    why = why_chosen(reason.members, reason.seen, reason.forgetting, lang) if reason else ""
    if why:
        embed.add_field(name=tr(lang, "daily.why_title"), value=why, inline=False)
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
        title = tr(lang, "daily.ack_correct", points=result.points, streak=result.streak)
    else:
        title = tr(lang, "daily.ack_wrong", letter=letter(question.answer), answer=limits.one_line(question.correct_choice, 150))
    embed = discord.Embed(
        title=limits.one_line(title, limits.EMBED_TITLE),
        description=question.explanation or None,
        colour=CORRECT if result.correct else WRONG,
    )
    embed.set_footer(text=tr(lang, "daily.ack_choice", letter=letter(outcome.choice)))
    return limits.fit_embed(embed)


def set_embed(result: ScheduleSet, lang: Lang) -> discord.Embed:
    """`/dailyadmin set`: what was scheduled and the next three post times in the zone."""
    schedule = result.schedule
    lines = [tr(lang, "daily.set_done", channel=channel_ref(schedule.channel_id), time=schedule.time, zone=schedule.timezone)]
    if result.replaced:
        lines.append(tr(lang, "daily.set_replaced"))
    lines.append(tr(lang, "daily.set_topic", topic=limits.user_text(schedule.topic, 100)) if schedule.topic
                 else tr(lang, "daily.set_all_topics"))
    lines.append(tr(lang, "daily.set_questions", count=schedule.questions_per_post))
    hours = schedule.reveal_after_hours
    lines.append(tr(lang, "daily.set_reveal_hours", hours=f"{hours:g}") if hours else tr(lang, "daily.set_reveal_default"))
    embed = discord.Embed(description="\n".join(lines), colour=COLOUR)
    embed.add_field(
        name=tr(lang, "daily.next_posts"),
        value="\n".join(f"{wall_time(s.at, schedule.timezone, lang)} · {relative(s.at)}" for s in result.next_posts),
        inline=False,
    )
    return limits.fit_embed(embed)


def status_embed(statuses: Sequence[ScheduleStatus], lang: Lang) -> discord.Embed:
    """`/daily status`: per schedule its channel, time, zone, next post and questions left."""
    embed = discord.Embed(title=tr(lang, "daily.status_title"), colour=COLOUR)
    if not statuses:
        embed.description = tr(lang, "daily.status_none")
        return limits.fit_embed(embed)
    for n, status in enumerate(statuses[: limits.EMBED_FIELDS], 1):
        schedule = status.schedule
        upcoming = (f"{wall_time(status.next_post.at, schedule.timezone, lang)} · {relative(status.next_post.at)}"
                    if status.next_post else "—")
        value = tr(lang, "daily.status_line", channel=channel_ref(schedule.channel_id), time=schedule.time,
                  zone=schedule.timezone, next=upcoming, left=status.questions_left, size=status.pool_size)
        if schedule.topic:
            value += "\n" + tr(lang, "daily.status_topic", topic=limits.user_text(schedule.topic, 100))
        if schedule.paused:
            value += "\n" + tr(lang, "daily.status_paused", reason=pause_reason(schedule.pause_reason, lang, quote=limits.user_text))
        embed.add_field(name=f"#{n}", value=value, inline=False)
    return limits.fit_embed(embed)


# -- the answer buttons ------------------------------------------------------------------------


class DailyAnswerButton(AnswerButton, discord.ui.DynamicItem[discord.ui.Button[Any]], template=DAILY_TEMPLATE):
    """One of A–D under a daily channel question; the click is routed by its custom id alone."""

    prefix = "daily"
    style = discord.ButtonStyle.primary

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
    "missing_permissions",
    "post_embed",
    "post_view",
    "reveal_embed",
    "reveal_view",
    "set_embed",
    "status_embed",
    "wall_time",
]
