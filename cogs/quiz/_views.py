"""Practice drawn for Discord: the question and answer views and the buttons that survive restarts.

`quiz:<post>:<choice>` answers a practice question, `quizme:<entry>` (under a definition) asks
about that entry, `next:<topic>` asks the next one; each carries only ids, and the application
keeps every other piece of state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot.app.messages import Lang, letter, tr
from bot.discord_app import limits
from bot.discord_app.deadline import finish_or_defer
from bot.discord_app.embeds import answer_embed, question_embed
from bot.discord_app.errors import GuardedItem
from bot.discord_app.i18n import interaction_lang
from bot.discord_app.identity import channel_of, community_of, user_of
from bot.discord_app.views import AnswerButton, answer_template, rendering_view, service_of
from bot.engine.model import Question
from bot.engine.scoring import Board

if TYPE_CHECKING:
    from bot.app.records import Post
    from bot.app.study import AnswerOutcome

QUIZ_TEMPLATE = answer_template("quiz")
QUIZME_TEMPLATE = r"quizme:(?P<entry>[^:]{1,90})"
NEXT_TEMPLATE = r"next:(?P<topic>.{0,95})"


class QuizAnswerButton(AnswerButton, discord.ui.DynamicItem[discord.ui.Button[Any]], template=QUIZ_TEMPLATE):
    """One of A–D under a practice question."""

    prefix = "quiz"
    style = discord.ButtonStyle.secondary

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


PRACTICE_ITEMS = (QuizAnswerButton, QuizMeButton, NextQuestionButton)


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
        community=community_of(interaction),
        user_id=user_of(interaction),
        display_name=interaction.user.display_name,
        channel_id=channel_of(interaction),
        topic=topic,
        entry_id=entry_id,
    )
    note = tr(lang, "quiz.dm_practice") if interaction.guild_id is None else discord.utils.MISSING
    await interaction.followup.send(
        content=note,
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
            community=community_of(interaction),
            board=Board.PRACTICE,
            post_id=post_id,
            user_id=user_of(interaction),
            choice=choice,
            display_name=interaction.user.display_name,
        )
        return outcome, await service.get_post(post_id)

    outcome, post = await finish_or_defer(interaction, record(), thinking=False,
                                          journal=service.answers.keep_in_flight)
    embed = answer_embed(outcome.question, choice, outcome.correct, outcome.result.points, lang)
    view = answered_view(outcome.question, choice, post.topic, lang)
    if interaction.response.is_done():
        await interaction.edit_original_response(embed=embed, view=view)
    else:
        await interaction.response.edit_message(embed=embed, view=view)
