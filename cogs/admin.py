"""Running the study group: `/studyadmin reload`, `reset-scores` (a new season) and `export`
(scores or the glossary as CSV, or the glossary as an Anki deck, within the upload limit).

Manage Server only: `default_permissions` hides the group from others by default, and since
server owners can override that, `interaction_check` checks the permission again on every use.
"""

from __future__ import annotations

import io

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

from bot.app.messages import file_size, tr
from bot.discord_app.bot import StudyBot
from bot.discord_app.embeds import reload_embed
from bot.discord_app.i18n import interaction_lang
from bot.discord_app.identity import community_of
from bot.discord_app.pictures import upload_limit
from bot.present import anki_export
from bot.discord_app.views import ConfirmView

EXPORTS = [
    app_commands.Choice(name=_("scores (CSV)"), value="scores"),
    app_commands.Choice(name=_("glossary (CSV)"), value="glossary"),
    app_commands.Choice(name=_("Anki deck (.apkg)"), value="anki"),
]


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

    @studyadmin.command(name="export", description=_("Export the scores, the glossary or an Anki deck"))
    @app_commands.describe(what=_("What to export (default: scores as CSV)"))
    @app_commands.choices(what=EXPORTS)
    async def export(self, interaction: discord.Interaction, what: app_commands.Choice[str] | None = None) -> None:
        lang = interaction_lang(interaction)
        community = community_of(interaction)
        kind = what.value if what else "scores"
        await interaction.response.defer(ephemeral=True, thinking=True)
        study, present = self.bot.study, self.bot.present
        if kind == "scores":
            rows = await study.export_scores(community)
            if not rows:
                await interaction.followup.send(tr(lang, "admin.export_empty"), ephemeral=True)
                return
            data, name, text = (await present.scores_csv(rows), f"studybot-scores-{community.id}.csv",
                                tr(lang, "admin.export", count=len(rows)))
        else:
            entries = study.notes.entries
            if not entries:
                await interaction.followup.send(tr(lang, "admin.export_no_entries"), ephemeral=True)
                return
            if kind == "anki":
                data = await anki_export(study, present)
                name = "studybot-glossary.apkg"
                text = tr(lang, "admin.export_anki", entries=len(entries), size=file_size(len(data)))
            else:
                data, name = await present.glossary_csv(entries), "studybot-glossary.csv"
                text = tr(lang, "admin.export_glossary", entries=len(entries))
        limit = upload_limit(interaction)
        if len(data) > limit:
            await interaction.followup.send(tr(lang, "admin.export_too_big", size=file_size(len(data)),
                                               limit=file_size(limit)), ephemeral=True)
            return
        await interaction.followup.send(text, file=discord.File(io.BytesIO(data), filename=name), ephemeral=True)


async def setup(bot: StudyBot) -> None:
    await bot.add_cog(Admin(bot))
