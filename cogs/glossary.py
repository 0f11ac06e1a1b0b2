"""Looking things up: `/define` a term (autocompleted) and `/search` inside the definitions."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

from bot.discord_app import limits
from bot.discord_app.bot import StudyBot
from bot.discord_app.embeds import definition_embed, search_pages
from bot.discord_app.errors import guard_autocomplete
from bot.discord_app.i18n import interaction_lang
from bot.discord_app.views import Paginator, rendering_view
from cogs.quiz import QuizMeButton

SEARCH_HITS = 10


class Glossary(commands.Cog):
    def __init__(self, bot: StudyBot) -> None:
        self.bot = bot

    @app_commands.command(name="define", description=_("Look up a term in the study notes"))
    @app_commands.describe(term=_("A term, an acronym or its Korean spelling"))
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
    async def define(self, interaction: discord.Interaction, term: app_commands.Range[str, 1, 100]) -> None:
        lang = interaction_lang(interaction)
        found = self.bot.study.define(term)
        await interaction.response.send_message(
            embed=definition_embed(found.entry, found.related, lang),
            view=rendering_view(QuizMeButton(found.entry.id, lang)),
        )

    @define.autocomplete("term")
    @guard_autocomplete
    async def define_term(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        # An empty box gets the glossary's default list, so the menu is useful before typing.
        entries = self.bot.study.lookup(current, limit=limits.CHOICES)
        return limits.choices((f"{e.term} ({', '.join(e.aliases)})" if e.aliases else e.term, e.id) for e in entries)

    @app_commands.command(name="search", description=_("Search inside the definitions"))
    @app_commands.describe(query=_("Words to look for"))
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
    async def search(self, interaction: discord.Interaction, query: app_commands.Range[str, 1, 100]) -> None:
        lang = interaction_lang(interaction)
        pages = search_pages(self.bot.study.search(query, limit=SEARCH_HITS), query, lang)

        async def render(index: int) -> discord.Embed:
            return pages[index]

        await Paginator(owner_id=interaction.user.id, pages=len(pages), render=render, lang=lang).send(interaction)


async def setup(bot: StudyBot) -> None:
    await bot.add_cog(Glossary(bot))
