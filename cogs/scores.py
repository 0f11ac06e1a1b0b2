"""Keeping score: `/stats [member]` (with one's own leaderboard opt-out and a chart of the last
30 days attached) and `/leaderboard` (with `podium:true`, a picture of the top 10)."""

from __future__ import annotations

import logging
import math

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

from bot.app.messages import Lang, tr
from bot.app.records import LeaderboardPage, LeaderRow, UserStats
from bot.community import Community
from bot.discord_app import limits
from bot.discord_app.bot import StudyBot
from bot.discord_app.deadline import finish_or_defer
from bot.discord_app.embeds import leaderboard_embed, stats_embed
from bot.discord_app.errors import defer, reply, send_ephemeral
from bot.discord_app.i18n import interaction_lang
from bot.discord_app.identity import community_of, user_of
from bot.discord_app.pictures import attach_to, picture_file, upload_limit
from bot.discord_app.views import ListingView, Paginator
from bot.engine.scoring import Board, Period
from bot.present import leaderboard_card, member_chart
from bot.present.records import Picture

log = logging.getLogger(__name__)

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
        community = community_of(interaction)

        async def stats_and_chart() -> tuple[UserStats, Picture | None]:
            stats = await self.bot.study.stats(community, str(target.id))
            if stats.opted_out and not own:
                return stats, None
            return stats, await self._chart(community, str(target.id), target.display_name, lang)

        # Someone else's stats may turn out private (opted out), and a deferral fixes visibility
        # before that is known: a slow lookup of another member is deferred privately. The chart
        # is drawn in the worker process; its first render (starting the worker) may take the
        # deferral.
        stats, chart = await finish_or_defer(interaction, stats_and_chart(), ephemeral=not own)
        if stats.opted_out and not own:
            text = tr(lang, "stats.private", name=limits.display_name(target.display_name))
            await send_ephemeral(interaction, text)
            return
        embed = stats_embed(stats, target.display_name, lang)
        file = None
        if chart is not None and len(chart.png) <= upload_limit(interaction):
            attach_to(embed, chart)
            file = picture_file(chart)
        view = ListingView(owner_id=interaction.user.id, lang=lang) if own else None
        await reply(interaction, embed=embed, view=view, ephemeral=False, file=file)
        if view is not None:
            view.shown_by(interaction)

    async def _chart(self, community: Community, user_id: str, name: str, lang: Lang) -> Picture | None:
        """The member's chart, or None when it cannot be drawn (the numbers are sent anyway)."""
        try:
            return await member_chart(self.bot.study, self.bot.present, community, user_id, name, lang)
        except Exception:
            log.exception("could not draw the /stats chart for %s in %s", user_id, community)
            return None

    @app_commands.command(name="leaderboard", description=_("Show this server's leaderboard"))
    @app_commands.describe(period=_("This week, this month or all time"), board=_("Daily questions or practice"),
                           podium=_("Attach a picture of the top 10"))
    @app_commands.choices(period=PERIODS, board=BOARDS)
    @app_commands.guild_only()
    async def leaderboard(
        self,
        interaction: discord.Interaction,
        period: app_commands.Choice[str] | None = None,
        board: app_commands.Choice[str] | None = None,
        podium: bool = False,
    ) -> None:
        lang = interaction_lang(interaction)
        community, caller = community_of(interaction), user_of(interaction)
        which, when = Board(board.value if board else "daily"), Period(period.value if period else "week")
        await defer(interaction, ephemeral=False)
        service = self.bot.study
        first = await service.leaderboard(community, period=when, board=which, limit=PAGE_SIZE, offset=0)
        mine = await service.own_rank(community, caller, board=which, period=when)
        pages = max(1, math.ceil(first.total / PAGE_SIZE))
        if podium:
            await self._podium(interaction, community, first, mine, which, when, pages, lang)
            return

        async def render(index: int) -> discord.Embed:
            page = first if index == 0 else await service.leaderboard(
                community, period=when, board=which, limit=PAGE_SIZE, offset=index * PAGE_SIZE
            )
            return leaderboard_embed(
                page, board=which.value, period=when.value, caller_id=caller, caller_row=mine,
                page_number=index + 1, pages=pages, lang=lang,
            )

        await Paginator(owner_id=interaction.user.id, pages=pages, render=render, lang=lang).send(interaction)


    async def _podium(self, interaction: discord.Interaction, community: Community, first: LeaderboardPage,
                      mine: LeaderRow | None, which: Board, when: Period, pages: int, lang: Lang) -> None:
        """The first page with the top-10 card inside it (no paging: the card is the top 10)."""
        embed = leaderboard_embed(first, board=which.value, period=when.value, caller_id=user_of(interaction),
                                  caller_row=mine, page_number=1, pages=pages, lang=lang)
        file = None
        try:
            card = await leaderboard_card(self.bot.study, self.bot.present, community, period=when, board=which,
                                          lang=lang)
        except Exception:
            log.exception("could not draw the leaderboard card in %s", community)
        else:
            if len(card.png) <= upload_limit(interaction):
                attach_to(embed, card)
                file = picture_file(card)
        await reply(interaction, embed=embed, ephemeral=False, file=file)


async def setup(bot: StudyBot) -> None:
    await bot.add_cog(Scores(bot))
