"""The `Quiz` cog: `/quiz [topic]` asks a personal question with A–D buttons that survive restarts."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

from bot.discord_app import limits
from bot.discord_app.bot import StudyBot
from bot.discord_app.errors import guard_autocomplete
from cogs.quiz._views import PRACTICE_ITEMS, ask_practice


class Quiz(commands.Cog):
    def __init__(self, bot: StudyBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*PRACTICE_ITEMS)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*PRACTICE_ITEMS)

    @app_commands.command(name="quiz", description=_("Get a personal practice question"))
    @app_commands.describe(topic=_("A deck or section to practise (optional)"))
    # In a server, and in a DM with the bot as personal practice on no server's board.
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
    async def quiz(self, interaction: discord.Interaction, topic: app_commands.Range[str, 1, 100] | None = None) -> None:
        await ask_practice(interaction, topic=topic)

    @quiz.autocomplete("topic")
    @guard_autocomplete
    async def quiz_topic(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        topics = self.bot.study.topics(current, limit=limits.CHOICES)
        return limits.choices((t, t) for t in topics if len(t) <= limits.CHOICE_VALUE)

