"""Shared views: practice-question buttons that survive restarts, pagination and confirmations.

Buttons that must work after a restart are `DynamicItem`s whose custom id carries only ids
(`quiz:<post_id>:<choice>`, `quizme:<entry_id>`, `next:<topic>`); all state lives in SQLite
behind the service. Cogs register them with `bot.add_dynamic_items` in `cog_load`. Views sent
with them are only for rendering (stopped at once): clicks are routed by the templates.
Pagination and confirmation views are ordinary timed views that only their owner may use.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import discord

from bot.discord_app import limits
from bot.discord_app.deadline import finish_or_defer
from bot.discord_app.embeds import answer_embed, question_embed
from bot.discord_app.errors import GuardedItem, GuardedView
from bot.discord_app.i18n import Lang, interaction_lang, letter, tr
from bot.engine.model import Question
from bot.engine.scoring import Board

if TYPE_CHECKING:
    from bot.service import AnswerOutcome, StudyService
    from bot.store import Post

log = logging.getLogger(__name__)

QUIZ_TEMPLATE = r"quiz:(?P<post>[^:]{0,90}):(?P<choice>[^:]{0,8})"  # loose: see parse_post_id
QUIZME_TEMPLATE = r"quizme:(?P<entry>[^:]{1,90})"
NEXT_TEMPLATE = r"next:(?P<topic>.{0,95})"


_ROW_ID = re.compile(r"[0-9]{1,19}")


def parse_post_id(text: str) -> int:
    """A post id from a button's custom id; 0 (which no post has) when it is not a plain number.

    Button templates accept anything between the colons so that a forged or garbled id reaches
    the button and gets a polite "that question no longer exists" rather than no answer at all.
    """
    return int(text) if _ROW_ID.fullmatch(text) else 0


def parse_choice(text: str) -> int:
    """A choice index from a custom id; -1 (never a valid choice) when it is not one digit."""
    return int(text) if len(text) == 1 and "0" <= text <= "9" else -1


def service_of(interaction: discord.Interaction) -> StudyService:
    return interaction.client.service  # type: ignore[attr-defined]


def rendering_view(*items: discord.ui.Item[Any]) -> discord.ui.View:
    """A view that only lays buttons out; it is stopped so discord.py keeps no state for it."""
    view = discord.ui.View(timeout=None)
    for item in items:
        view.add_item(item)
    view.stop()
    return view


# -- practice questions ------------------------------------------------------------------------


class QuizAnswerButton(GuardedItem, discord.ui.DynamicItem[discord.ui.Button[Any]], template=QUIZ_TEMPLATE):
    """One of A–D under a practice question."""

    def __init__(self, post_id: int, choice: int) -> None:
        super().__init__(
            discord.ui.Button(
                label=letter(choice),
                style=discord.ButtonStyle.secondary,
                custom_id=limits.custom_id("quiz", str(post_id), str(choice)),
            )
        )
        self.post_id = post_id
        self.choice = choice

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: Any, /
    ) -> QuizAnswerButton:
        return cls(parse_post_id(match["post"]), parse_choice(match["choice"]))

    async def run(self, interaction: discord.Interaction) -> None:
        await answer_practice(interaction, self.post_id, self.choice)


class QuizMeButton(GuardedItem, discord.ui.DynamicItem[discord.ui.Button[Any]], template=QUIZME_TEMPLATE):
    """"Quiz me on this" under a definition: a practice question about that entry."""

    def __init__(self, entry_id: str, lang: Lang = "en") -> None:
        super().__init__(
            discord.ui.Button(
                label=limits.button_label(tr(lang, "define.quiz_me")),
                style=discord.ButtonStyle.primary,
                emoji="📝",
                custom_id=limits.custom_id("quizme", entry_id),
            )
        )
        self.entry_id = entry_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: Any, /
    ) -> QuizMeButton:
        return cls(match["entry"], interaction_lang(interaction))

    async def run(self, interaction: discord.Interaction) -> None:
        await ask_practice(interaction, entry_id=self.entry_id)


class NextQuestionButton(GuardedItem, discord.ui.DynamicItem[discord.ui.Button[Any]], template=NEXT_TEMPLATE):
    """"Next question" under an answered practice question; keeps the topic when it fits."""

    def __init__(self, topic: str | None, lang: Lang = "en") -> None:
        topic = topic or ""
        if not limits.fits_custom_id("next", topic) or "\n" in topic:
            topic = ""  # too long to carry: the next question comes from every topic
        super().__init__(
            discord.ui.Button(
                label=limits.button_label(tr(lang, "quiz.next")),
                style=discord.ButtonStyle.primary,
                custom_id=limits.custom_id("next", topic),
            )
        )
        self.topic = topic or None

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: Any, /
    ) -> NextQuestionButton:
        return cls(match["topic"], interaction_lang(interaction))

    async def run(self, interaction: discord.Interaction) -> None:
        await ask_practice(interaction, topic=self.topic)


PRACTICE_ITEMS = (QuizAnswerButton, NextQuestionButton)


def question_view(post_id: int, question: Question) -> discord.ui.View:
    return rendering_view(*(QuizAnswerButton(post_id, i) for i in range(len(question.choices))))


def answered_view(question: Question, choice: int, topic: str | None, lang: Lang) -> discord.ui.View:
    """The choices again, disabled and coloured, and the "Next question" button."""
    buttons: list[discord.ui.Item[Any]] = []
    for i in range(len(question.choices)):
        style = (
            discord.ButtonStyle.success
            if i == question.answer
            else discord.ButtonStyle.danger
            if i == choice
            else discord.ButtonStyle.secondary
        )
        buttons.append(discord.ui.Button(label=letter(i), style=style, disabled=True))
    buttons.append(NextQuestionButton(topic, lang))
    return rendering_view(*buttons)


async def ask_practice(
    interaction: discord.Interaction, *, topic: str | None = None, entry_id: str | None = None
) -> None:
    """Send the clicker (or the `/quiz` caller) a personal, ephemeral practice question."""
    service = service_of(interaction)
    lang = interaction_lang(interaction)
    await interaction.response.defer(ephemeral=True, thinking=True)
    asked = await service.next_practice_question(
        guild_id=interaction.guild_id or 0,
        user_id=interaction.user.id,
        display_name=interaction.user.display_name,
        channel_id=interaction.channel_id,
        topic=topic,
        entry_id=entry_id,
    )
    await interaction.followup.send(
        embed=question_embed(asked.question, lang),
        view=question_view(asked.post_id, asked.question),
        ephemeral=True,
    )


async def answer_practice(interaction: discord.Interaction, post_id: int, choice: int) -> None:
    """Record a click on A–D and turn the question into its answer, with "Next question".

    A refused click (someone else's question, a forged id) gets a private reply and leaves the
    message alone; a slow database gets a deferred update first.
    """
    service = service_of(interaction)
    lang = interaction_lang(interaction)

    async def record() -> tuple[AnswerOutcome, Post]:
        outcome = await service.answer(
            guild_id=interaction.guild_id or 0,
            board=Board.PRACTICE,
            post_id=post_id,
            user_id=interaction.user.id,
            choice=choice,
            display_name=interaction.user.display_name,
        )
        return outcome, await service.get_post(post_id)

    outcome, post = await finish_or_defer(interaction, record(), thinking=False)
    embed = answer_embed(outcome.question, choice, outcome.correct, outcome.result.points, lang)
    view = answered_view(outcome.question, choice, post.topic, lang)
    if interaction.response.is_done():
        await interaction.edit_original_response(embed=embed, view=view)
    else:
        await interaction.response.edit_message(embed=embed, view=view)


# -- pagination and confirmation ---------------------------------------------------------------

Render = Callable[[int], Awaitable[discord.Embed]]


class Paginator(GuardedView):
    """Previous/Next over `pages` pages; `render(index)` builds one page. Owner only, 3 minutes."""

    def __init__(self, *, owner_id: int, pages: int, render: Render, lang: Lang, timeout: float = 180.0) -> None:
        super().__init__(owner_id=owner_id, timeout=timeout)
        self.pages = max(1, pages)
        self.index = 0
        self._render = render
        self._origin: discord.Interaction | None = None
        self.previous.label = limits.button_label(tr(lang, "page.previous"))
        self.next.label = limits.button_label(tr(lang, "page.next"))
        self._refresh()

    def _refresh(self) -> None:
        self.previous.disabled = self.index <= 0
        self.next.disabled = self.index >= self.pages - 1

    async def send(self, interaction: discord.Interaction, *, ephemeral: bool = False) -> None:
        """Answer `interaction` (deferred or not) with the first page and these buttons."""
        embed = await self._render(0)
        self._origin = interaction
        view = self if self.pages > 1 else discord.utils.MISSING
        if interaction.response.is_done():
            await interaction.followup.send(embed=embed, view=view, ephemeral=ephemeral)
        else:
            await interaction.response.send_message(embed=embed, view=view, ephemeral=ephemeral)
        if self.pages <= 1:
            self.stop()

    async def _turn(self, interaction: discord.Interaction, step: int) -> None:
        self.index = min(max(self.index + step, 0), self.pages - 1)
        self._refresh()
        await interaction.response.defer()
        embed = await self._render(self.index)
        await interaction.edit_original_response(embed=embed, view=self)

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await self._turn(interaction, -1)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await self._turn(interaction, +1)

    async def on_timeout(self) -> None:
        if self._origin is None:
            return
        try:
            await self._origin.edit_original_response(view=None)
        except discord.HTTPException:
            log.debug("could not remove the page buttons after the timeout", exc_info=True)


Action = Callable[[discord.Interaction], Awaitable[None]]


class ConfirmView(GuardedView):
    """A yes/no question for the caller only; `on_yes` runs once, then the buttons go away."""

    def __init__(self, *, owner_id: int, lang: Lang, yes: str, no: str, on_yes: Action, timeout: float = 60.0) -> None:
        super().__init__(owner_id=owner_id, timeout=timeout)
        self._lang = lang
        self._on_yes = on_yes
        self.confirm.label = limits.button_label(yes)
        self.cancel.label = limits.button_label(no)

    @discord.ui.button(label="Yes", style=discord.ButtonStyle.danger)
    async def confirm(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        self.stop()
        await self._on_yes(interaction)

    @discord.ui.button(label="No", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        self.stop()
        await interaction.response.edit_message(content=tr(self._lang, "admin.reset_cancelled"), view=None)


class ListingView(GuardedView):
    """Under one's own `/stats`: hide me from, or show me on, this server's leaderboards."""

    def __init__(self, *, owner_id: int, lang: Lang, timeout: float = 300.0) -> None:
        super().__init__(owner_id=owner_id, timeout=timeout)
        self._lang = lang
        self.hide.label = limits.button_label(tr(lang, "stats.hide"))
        self.show.label = limits.button_label(tr(lang, "stats.show"))

    async def _set(self, interaction: discord.Interaction, public: bool) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await service_of(interaction).set_public_listing(interaction.guild_id or 0, interaction.user.id, public)
        await interaction.followup.send(tr(self._lang, "stats.shown" if public else "stats.hidden"), ephemeral=True)

    @discord.ui.button(label="Hide", style=discord.ButtonStyle.secondary)
    async def hide(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await self._set(interaction, public=False)

    @discord.ui.button(label="Show", style=discord.ButtonStyle.secondary)
    async def show(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await self._set(interaction, public=True)
