"""Running the study group: `/studyadmin reload`, `reset-scores` (a new season) and `export`.

Manage Server only: `default_permissions` hides the group from others by default, and since
server owners can override that, `interaction_check` checks the permission again on every use.
"""

from __future__ import annotations

import csv
import io

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

from bot.app.messages import tr
from bot.discord_app.bot import StudyBot
from bot.discord_app.embeds import reload_embed
from bot.discord_app.i18n import interaction_lang
from bot.discord_app.identity import community_of
from bot.discord_app.views import ConfirmView

CSV_COLUMNS = ("board", "user_id", "display_name", "points", "answered", "correct", "streak", "best_streak", "opted_out")


def csv_cell(value: object) -> str:
    """A cell a spreadsheet will not run as a formula."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class Admin(commands.Cog):
    def __init__(self, bot: StudyBot) -> None:
        self.bot = bot

    studyadmin = app_commands.Group(
        name="studyadmin",
        description=_("Study bot administration"),
        guild_only=True,
        allowed_contexts=app_commands.AppCommandContext(guild=True),  # `contexts`, not only dm_permission
        default_permissions=discord.Permissions(manage_guild=True),
    )

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.guild_id is None:
            raise app_commands.NoPrivateMessage()
        if not interaction.permissions.manage_guild:
            raise app_commands.MissingPermissions(["manage_guild"])
        return True

    @studyadmin.command(name="reload", description=_("Re-read the notes and report problems"))
    async def reload(self, interaction: discord.Interaction) -> None:
        lang = interaction_lang(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        report = await self.bot.study.reload_notes()
        embed = reload_embed(report.entries, report.questions, report.notes.problems, lang,
                             changes=(report.added, report.removed, report.changed), due_again=report.due_again)
        await interaction.followup.send(embed=embed, ephemeral=True)

    @studyadmin.command(name="reset-scores", description=_("Start a new season (answers are kept)"))
    async def reset_scores(self, interaction: discord.Interaction) -> None:
        lang = interaction_lang(interaction)
        community = community_of(interaction)

        async def start_season(click: discord.Interaction) -> None:
            await click.response.defer()
            season = await self.bot.study.start_new_season(community)
            await click.edit_original_response(content=tr(lang, "admin.reset_done", season=season), view=None)

        view = ConfirmView(
            owner_id=interaction.user.id,
            lang=lang,
            yes=tr(lang, "admin.reset_yes"),
            no=tr(lang, "admin.reset_no"),
            on_yes=start_season,
        )
        await interaction.response.send_message(tr(lang, "admin.reset_confirm"), view=view, ephemeral=True)
        view.shown_by(interaction)

    @studyadmin.command(name="review-scores", description=_("Whether review answers count on the practice leaderboard"))
    @app_commands.describe(on=_("On: reviews count; off: they count nowhere"))
    async def review_scores(self, interaction: discord.Interaction, on: bool) -> None:
        lang = interaction_lang(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.bot.study.review.set_counts_on_leaderboard(community_of(interaction), on)
        await interaction.followup.send(tr(lang, "admin.review_counts_on" if on else "admin.review_counts_off"),
                                        ephemeral=True)

    @studyadmin.command(name="export", description=_("Export everyone's scores as CSV"))
    async def export(self, interaction: discord.Interaction) -> None:
        lang = interaction_lang(interaction)
        community = community_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        rows = await self.bot.study.export_scores(community)
        if not rows:
            await interaction.followup.send(tr(lang, "admin.export_empty"), ephemeral=True)
            return
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        for r in rows:
            values = (r.board, r.user_id, r.display_name, r.points, r.answered, r.correct, r.streak, r.best_streak, int(r.opted_out))
            writer.writerow([csv_cell(v) for v in values])
        file = discord.File(io.BytesIO(buffer.getvalue().encode("utf-8-sig")), filename=f"studybot-scores-{community.id}.csv")
        await interaction.followup.send(tr(lang, "admin.export", count=len(rows)), file=file, ephemeral=True)


async def setup(bot: StudyBot) -> None:
    await bot.add_cog(Admin(bot))
