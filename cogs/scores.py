"""Keeping score: `/stats [member]` (with one's own leaderboard opt-out) and `/leaderboard`."""

from __future__ import annotations

import math

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

from bot.app.messages import tr
from bot.discord_app import limits
from bot.discord_app.bot import StudyBot
from bot.discord_app.deadline import finish_or_defer
from bot.discord_app.embeds import leaderboard_embed, stats_embed
from bot.discord_app.errors import defer, reply, send_ephemeral
from bot.discord_app.i18n import interaction_lang
from bot.discord_app.identity import community_of, user_of
from bot.discord_app.views import ListingView, Paginator
from bot.engine.scoring import Board, Period

PAGE_SIZE = 10
PERIODS = [
    app_commands.Choice(name=_("this week"), value="week"),
    app_commands.Choice(name=_("this month"), value="month"),
    app_commands.Choice(name=_("all time"), value="all"),
]
BOARDS = [
    app_commands.Choice(name=_("daily"), value="daily"),
    app_commands.Choice(name=_("practice"), value="practice"),
]


class Scores(commands.Cog):
    def __init__(self, bot: StudyBot) -> None:
        self.bot = bot

    @app_commands.command(name="stats", description=_("Show study stats for you or another member"))
    @app_commands.describe(member=_("Whose stats to show (default: you)"))
    @app_commands.guild_only()
    async def stats(self, interaction: discord.Interaction, member: discord.Member | None = None) -> None:
        lang = interaction_lang(interaction)
        target = member or interaction.user
        own = target.id == interaction.user.id
        # Someone else's stats may turn out private (opted out), and a deferral fixes visibility
        # before that is known: a slow lookup of another member is deferred privately.
        stats = await finish_or_defer(interaction, self.bot.study.stats(community_of(interaction), str(target.id)),
                                      ephemeral=not own)
        if stats.opted_out and not own:
            text = tr(lang, "stats.private", name=limits.display_name(target.display_name))
            await send_ephemeral(interaction, text)
            return
        view = ListingView(owner_id=interaction.user.id, lang=lang) if own else None
        await reply(interaction, embed=stats_embed(stats, target.display_name, lang), view=view, ephemeral=False)
        if view is not None:
            view.shown_by(interaction)

    @app_commands.command(name="leaderboard", description=_("Show this server's leaderboard"))
    @app_commands.describe(period=_("This week, this month or all time"), board=_("Daily questions or practice"))
    @app_commands.choices(period=PERIODS, board=BOARDS)
    @app_commands.guild_only()
    async def leaderboard(
        self,
        interaction: discord.Interaction,
        period: app_commands.Choice[str] | None = None,
        board: app_commands.Choice[str] | None = None,
    ) -> None:
        lang = interaction_lang(interaction)
        community, caller = community_of(interaction), user_of(interaction)
        which, when = Board(board.value if board else "daily"), Period(period.value if period else "week")
        await defer(interaction, ephemeral=False)
        service = self.bot.study
        first = await service.leaderboard(community, period=when, board=which, limit=PAGE_SIZE, offset=0)
        mine = await service.own_rank(community, caller, board=which, period=when)
        pages = max(1, math.ceil(first.total / PAGE_SIZE))

        async def render(index: int) -> discord.Embed:
            page = first if index == 0 else await service.leaderboard(
                community, period=when, board=which, limit=PAGE_SIZE, offset=index * PAGE_SIZE
            )
            return leaderboard_embed(
                page, board=which.value, period=when.value, caller_id=caller, caller_row=mine,
                page_number=index + 1, pages=pages, lang=lang,
            )

        await Paginator(owner_id=interaction.user.id, pages=pages, render=render, lang=lang).send(interaction)


async def setup(bot: StudyBot) -> None:
    await bot.add_cog(Scores(bot))
