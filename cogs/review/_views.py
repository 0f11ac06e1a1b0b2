"""Reviews drawn for Discord: the card, its answer or its back, and the buttons that survive restarts.

`rv:<post>:<choice>` answers a multiple-choice card, `rvshow:<post>` turns a flashcard over,
`rvrate:<post>:<rating>` rates it (1 Again .. 4 Easy), `rvtype:<post>` opens the text box of a
"type the term" card (a modal, `rvtyped:<post>`, which lives as long as Discord shows it),
`rvnext:<mode>` asks for the next card.
Each carries only ids; `bot.app.review` keeps every other piece of state and refuses a post that
is not the clicker's own review.
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime
from typing import Any

import discord

from bot.app.messages import Lang, letter, tr, typed_verdict_text
from bot.app.review import ReviewItem, ReviewMode, ReviewStatus, ReviewVerdict
from bot.discord_app import limits
from bot.discord_app.deadline import finish_or_defer
from bot.discord_app.embeds import COLOUR, CORRECT, WRONG
from bot.discord_app.errors import GuardedItem, report_error, reply
from bot.discord_app.i18n import interaction_lang
from bot.discord_app.identity import channel_of, community_of, user_of
from bot.discord_app.views import AnswerButton, answer_template, parse_post_id, rendering_view, service_of
from bot.engine.model import Question
from bot.engine.typed import MAX_TYPED

REVIEW_TEMPLATE = answer_template("rv")
SHOW_TEMPLATE = r"rvshow:(?P<post>[^:]{0,90})"
TYPE_TEMPLATE = r"rvtype:(?P<post>[^:]{0,90})"
RATE_TEMPLATE = r"rvrate:(?P<post>[^:]{0,90}):(?P<rating>[^:]{0,8})"
NEXT_TEMPLATE = r"rvnext:(?P<mode>[^:]{0,20})"
RATINGS = (1, 2, 3, 4)
RATING_STYLES = {1: discord.ButtonStyle.danger, 2: discord.ButtonStyle.secondary,
                 3: discord.ButtonStyle.primary, 4: discord.ButtonStyle.success}


def when_text(when: datetime | None, lang: Lang) -> str:
    """A due time as Discord shows it in each reader's own zone and language ("in 10 minutes")."""
    return tr(lang, "time.none") if when is None else discord.utils.format_dt(when, "R")


def status_line(status: ReviewStatus, lang: Lang) -> str:
    return tr(lang, "review.status", due=status.due_now, new=status.new_entries,
              next=when_text(status.next_due, lang))


def item_embed(item: ReviewItem, lang: Lang) -> discord.Embed:
    """The front of a card: a multiple-choice question, or a flashcard's term."""
    q = item.question
    kind = tr(lang, "review.new_entry" if item.is_new else "review.due_entry")
    if item.mode is ReviewMode.FLASHCARD:
        title = tr(lang, "review.title_flashcard")
        body = f"**{limits.one_line(q.prompt, 250)}**\n\n{tr(lang, 'review.recall_prompt')}"
    elif item.mode is ReviewMode.TYPED:
        title = tr(lang, "review.title_typed")
        body = f"{limits.clip(q.prompt, 3000)}\n\n{tr(lang, 'typed.prompt')}"
    else:
        title = tr(lang, "review.title_choice")
        lines = [f"**{letter(i)}.** {limits.one_line(c, 900)}" for i, c in enumerate(q.choices)]
        body = limits.clip(q.prompt, 2000) + "\n\n" + "\n".join(lines)
    embed = discord.Embed(title=f"{title} · {kind}", description=body, colour=COLOUR)
    embed.add_field(name=limits.EMPTY, value=status_line(item.status, lang), inline=False)
    embed.set_footer(text=tr(lang, "quiz.footer", deck=q.deck))
    return limits.fit_embed(embed)


def back_embed(question: Question, lang: Lang) -> discord.Embed:
    """A flashcard turned over: the term, its definition, and the rating question."""
    embed = discord.Embed(title=limits.title_text(question.prompt, limits.EMBED_TITLE),
                          description=limits.clip(question.explanation or limits.EMPTY, 3500), colour=COLOUR)
    embed.add_field(name=tr(lang, "quiz.source"), value=f"`{question.source}` · {question.deck}", inline=False)
    embed.set_footer(text=tr(lang, "review.rate_prompt"))
    return limits.fit_embed(embed)


def verdict_embed(verdict: ReviewVerdict, lang: Lang) -> discord.Embed:
    """A recorded review: right or wrong (or the rating given), the definition, when it comes back."""
    q = verdict.question
    due = when_text(verdict.card.due if verdict.card else None, lang)
    title = "review.title_choice"
    if verdict.typed is not None:
        title = "review.title_typed"
        headline = (typed_verdict_text(verdict.typed, lang, quote=limits.user_text) + "\n"
                    + tr(lang, "review.rated", rating=tr(lang, f"review.rating.{int(verdict.rating)}"), next=due))
        colour = CORRECT if verdict.correct else WRONG
        body = limits.clip(q.explanation, 3000)
    elif verdict.choice < 0:
        title = "review.title_flashcard"
        headline = tr(lang, "review.rated", rating=tr(lang, f"review.rating.{int(verdict.rating)}"), next=due)
        colour = COLOUR
        body = f"**{limits.one_line(q.prompt, 250)}**\n\n{limits.clip(q.explanation, 3000)}"
    else:
        headline = (tr(lang, "review.correct", next=due) if verdict.correct else
                    tr(lang, "review.incorrect", letter=letter(q.answer),
                       answer=limits.one_line(q.correct_choice, 200), next=due))
        colour = CORRECT if verdict.correct else WRONG
        lines = []
        for i, text in enumerate(q.choices):
            mark = "✅" if i == q.answer else ("❌" if i == verdict.choice else "▫️")
            lines.append(f"{mark} **{letter(i)}.** {limits.one_line(text, 900)}")
        body = limits.clip(q.prompt, 1500) + "\n\n" + "\n".join(lines)
        if q.explanation:
            body += "\n\n" + limits.clip(q.explanation, 1000)
    embed = discord.Embed(title=tr(lang, title), description=headline + "\n\n" + body, colour=colour)
    embed.add_field(name=limits.EMPTY, value=status_line(verdict.status, lang), inline=False)
    embed.set_footer(text=tr(lang, "review.counted" if verdict.counted else "review.not_counted"))
    return limits.fit_embed(embed)


# -- buttons -------------------------------------------------------------------------------------


class ReviewAnswerButton(AnswerButton, discord.ui.DynamicItem[discord.ui.Button[Any]], template=REVIEW_TEMPLATE):
    """One of A–D under a multiple-choice review card."""

    prefix = "rv"
    style = discord.ButtonStyle.secondary

    async def run(self, interaction: discord.Interaction) -> None:
        await answer_review(interaction, self.post_id, self.choice)


class ShowButton(GuardedItem, discord.ui.DynamicItem[discord.ui.Button[Any]], template=SHOW_TEMPLATE):
    """"Show definition" under a flashcard."""

    def __init__(self, post_id: int, lang: Lang = "en") -> None:
        super().__init__(discord.ui.Button(label=limits.button_label(tr(lang, "review.show")),
                                           style=discord.ButtonStyle.primary,
                                           custom_id=limits.custom_id("rvshow", str(post_id))))
        self.post_id = post_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: Any, /,
                             ) -> ShowButton:
        return cls(parse_post_id(match["post"]), interaction_lang(interaction))

    async def run(self, interaction: discord.Interaction) -> None:
        await show_back(interaction, self.post_id)


class TypeButton(GuardedItem, discord.ui.DynamicItem[discord.ui.Button[Any]], template=TYPE_TEMPLATE):
    """"Type the answer" under a "type the term" card: opens the text box."""

    def __init__(self, post_id: int, lang: Lang = "en") -> None:
        super().__init__(discord.ui.Button(label=limits.button_label(tr(lang, "typed.button")),
                                           style=discord.ButtonStyle.primary, emoji="⌨️",
                                           custom_id=limits.custom_id("rvtype", str(post_id))))
        self.post_id = post_id
        self.lang = lang

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: Any, /,
                             ) -> TypeButton:
        return cls(parse_post_id(match["post"]), interaction_lang(interaction))

    async def run(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(TypedModal(self.post_id, self.lang))


class TypedModal(discord.ui.Modal):
    """The text box of a "type the term" card; the answer is judged by the application."""

    def __init__(self, post_id: int, lang: Lang) -> None:
        super().__init__(title=limits.clip(tr(lang, "typed.modal_title"), 45),
                         custom_id=limits.custom_id("rvtyped", str(post_id)), timeout=900)
        self.post_id = post_id
        self.answer: discord.ui.TextInput[TypedModal] = discord.ui.TextInput(
            label=limits.clip(tr(lang, "typed.field"), 45), max_length=MAX_TYPED, required=True)
        self.add_item(self.answer)

    async def on_submit(self, interaction: discord.Interaction, /) -> None:
        lang = interaction_lang(interaction)
        service = service_of(interaction)
        work = service.review.answer_typed(
            community=community_of(interaction), post_id=self.post_id, user_id=user_of(interaction),
            text=str(self.answer.value or ""), display_name=interaction.user.display_name)
        verdict = await finish_or_defer(interaction, work, journal=service.answers.keep_in_flight)
        await reply(interaction, embed=verdict_embed(verdict, lang),
                    view=rendering_view(NextCardButton(ReviewMode.TYPED.value, lang)))

    async def on_error(self, interaction: discord.Interaction, error: Exception, /) -> None:
        await report_error(interaction, error)


class RateButton(GuardedItem, discord.ui.DynamicItem[discord.ui.Button[Any]], template=RATE_TEMPLATE):
    """Again / Hard / Good / Easy under a flashcard's back."""

    def __init__(self, post_id: int, rating: int, lang: Lang = "en") -> None:
        super().__init__(discord.ui.Button(
            label=limits.button_label(tr(lang, f"review.rating.{rating}") if rating in RATINGS else "?"),
            style=RATING_STYLES.get(rating, discord.ButtonStyle.secondary),
            custom_id=limits.custom_id("rvrate", str(post_id), str(rating))))
        self.post_id = post_id
        self.rating = rating

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: Any, /,
                             ) -> RateButton:
        text = match["rating"]
        rating = int(text) if len(text) == 1 and text.isdigit() else 0
        return cls(parse_post_id(match["post"]), rating, interaction_lang(interaction))

    async def run(self, interaction: discord.Interaction) -> None:
        await rate_card(interaction, self.post_id, self.rating)


class NextCardButton(GuardedItem, discord.ui.DynamicItem[discord.ui.Button[Any]], template=NEXT_TEMPLATE):
    """"Next card" under an answered review, in the same mode."""

    def __init__(self, mode: str, lang: Lang = "en") -> None:
        mode = mode if mode in {m.value for m in ReviewMode} else ReviewMode.CHOICE.value
        super().__init__(discord.ui.Button(label=limits.button_label(tr(lang, "review.next")),
                                           style=discord.ButtonStyle.primary,
                                           custom_id=limits.custom_id("rvnext", mode)))
        self.mode = mode

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: Any, /,
                             ) -> NextCardButton:
        return cls(match["mode"], interaction_lang(interaction))

    async def run(self, interaction: discord.Interaction) -> None:
        await ask_review(interaction, self.mode)


REVIEW_ITEMS = (ReviewAnswerButton, ShowButton, TypeButton, RateButton, NextCardButton)


def item_view(item: ReviewItem, lang: Lang) -> discord.ui.View:
    if item.mode is ReviewMode.FLASHCARD:
        return rendering_view(ShowButton(item.post_id, lang))
    if item.mode is ReviewMode.TYPED:
        return rendering_view(TypeButton(item.post_id, lang))
    return rendering_view(*(ReviewAnswerButton(item.post_id, i) for i in range(len(item.question.choices))))


# -- what a click does ------------------------------------------------------------------------------


async def ask_review(interaction: discord.Interaction, mode: str) -> None:
    """Send the member their next card, ephemeral."""
    service = service_of(interaction)
    lang = interaction_lang(interaction)
    await interaction.response.defer(ephemeral=True, thinking=True)
    item = await service.review.next_item(
        community=community_of(interaction), user_id=user_of(interaction),
        display_name=interaction.user.display_name, mode=mode if mode in {m.value for m in ReviewMode} else "choice",
        channel_id=channel_of(interaction))
    await interaction.followup.send(embed=item_embed(item, lang), view=item_view(item, lang), ephemeral=True)


async def _redraw(interaction: discord.Interaction, embed: discord.Embed, view: discord.ui.View) -> None:
    if interaction.response.is_done():
        await interaction.edit_original_response(embed=embed, view=view)
    else:
        await interaction.response.edit_message(embed=embed, view=view)


async def _show_verdict(interaction: discord.Interaction, work: Awaitable[ReviewVerdict], mode: ReviewMode) -> None:
    """Record a review (deferring if the database is slow), then draw its verdict and "Next card"."""
    lang = interaction_lang(interaction)
    verdict = await finish_or_defer(interaction, work, thinking=False,
                                    journal=service_of(interaction).answers.keep_in_flight)
    await _redraw(interaction, verdict_embed(verdict, lang), rendering_view(NextCardButton(mode.value, lang)))


async def answer_review(interaction: discord.Interaction, post_id: int, choice: int) -> None:
    work = service_of(interaction).review.answer(
        community=community_of(interaction), post_id=post_id, user_id=user_of(interaction), choice=choice,
        display_name=interaction.user.display_name)
    await _show_verdict(interaction, work, ReviewMode.CHOICE)


async def show_back(interaction: discord.Interaction, post_id: int) -> None:
    service = service_of(interaction)
    lang = interaction_lang(interaction)
    question = await finish_or_defer(interaction, service.review.get_item(
        community=community_of(interaction), post_id=post_id, user_id=user_of(interaction)), thinking=False)
    await _redraw(interaction, back_embed(question, lang),
                  rendering_view(*(RateButton(post_id, r, lang) for r in RATINGS)))


async def rate_card(interaction: discord.Interaction, post_id: int, rating: int) -> None:
    work = service_of(interaction).review.rate(
        community=community_of(interaction), post_id=post_id, user_id=user_of(interaction), rating=rating,
        display_name=interaction.user.display_name)
    await _show_verdict(interaction, work, ReviewMode.FLASHCARD)
