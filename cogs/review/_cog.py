"""The `Review` cog: `/review [mode]` shows the member's next card, with buttons that survive restarts."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

from bot.app.review import ReviewMode
from bot.discord_app.bot import StudyBot
from cogs.review._views import REVIEW_ITEMS, ask_review


class Review(commands.Cog):
    def __init__(self, bot: StudyBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*REVIEW_ITEMS)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*REVIEW_ITEMS)

    @app_commands.command(name="review", description=_("Review your due cards, then new entries"))
    @app_commands.describe(mode=_("Multiple choice, flashcard (rate yourself) or type the term"))
    @app_commands.choices(mode=[
        app_commands.Choice(name=_("Multiple choice"), value=ReviewMode.CHOICE.value),
        app_commands.Choice(name=_("Flashcard"), value=ReviewMode.FLASHCARD.value),
        app_commands.Choice(name=_("Type the term"), value=ReviewMode.TYPED.value),
    ])
    async def review(self, interaction: discord.Interaction, mode: str = ReviewMode.CHOICE.value) -> None:
        await ask_review(interaction, mode)
