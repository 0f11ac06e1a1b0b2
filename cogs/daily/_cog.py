"""The `Daily` cog: `/daily` commands and the answer buttons, over the application's daily cycle.

The cycle (`bot.app.daily.DailyCycle`) decides, records and runs the timed posts and reveals; this
cog parses what Discord sends, calls it, and words the answer with `_views`. On load it attaches
the Discord delivery port, which starts the cycle's jobs and its start-up recovery.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

from bot.app.daily import PLATFORM_DISCORD, DailyCycle, DailyError
from bot.app.messages import letter, tr
from bot.discord_app import limits
from bot.discord_app.bot import StudyBot
from bot.discord_app.deadline import finish_or_defer
from bot.discord_app.errors import channel_ref, guard_autocomplete, reply, send_ephemeral, study_error_text
from bot.discord_app.i18n import interaction_lang
from bot.discord_app.identity import channel_of, community_of, user_of
from bot.errors import AnswersClosed
from cogs.daily._delivery import DiscordDelivery
from cogs.daily._views import (
    DailyAnswerButton,
    ack_embed,
    missing_permissions,
    relative,
    set_embed,
    status_embed,
    wall_time,
)


class Daily(commands.Cog):
    """`/daily status` (everyone), `/dailyadmin set|now|stop` (Manage Server), and the answer
    buttons under daily posts.

    One group cannot carry permissions per subcommand, so the admin parts are their own group
    whose `default_permissions` hide it from members without Manage Server (server owners can
    override that, so the subcommands check the permission again on every use)."""

    def __init__(self, bot: StudyBot) -> None:
        self.bot = bot
        self.cycle: DailyCycle = bot.daily

    daily = app_commands.Group(name="daily", description=_("Daily channel quiz"), guild_only=True,
                               allowed_contexts=app_commands.AppCommandContext(guild=True))
    dailyadmin = app_commands.Group(name="dailyadmin", description=_("Run the daily channel quiz"), guild_only=True,
                                    allowed_contexts=app_commands.AppCommandContext(guild=True),
                                    default_permissions=discord.Permissions(manage_guild=True))

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(DailyAnswerButton)
        await self.cycle.attach(PLATFORM_DISCORD, DiscordDelivery(self.bot))

    async def cog_unload(self) -> None:
        await self.cycle.detach(PLATFORM_DISCORD)
        self.bot.remove_dynamic_items(DailyAnswerButton)

    # -- clicks ------------------------------------------------------------------------------

    async def answer_click(self, interaction: discord.Interaction, post_id: int, choice: int) -> None:
        """Record the click, then acknowledge privately; a slow store gets a deferral first.

        A click from a channel that is gone (deleted after the post) or that the member can no
        longer see (access lost between post and click) is refused politely and stores nothing.
        """
        lang = interaction_lang(interaction)
        guild = interaction.guild
        channel_gone = guild is not None and interaction.channel_id is not None \
            and guild.get_channel_or_thread(interaction.channel_id) is None
        if channel_gone or not interaction.permissions.view_channel:
            await reply(interaction, tr(lang, "daily.no_access"))
            return
        recording = self.cycle.answer(
            community_of(interaction), post_id, user_of(interaction), choice, interaction.user.display_name)
        try:
            outcome = await finish_or_defer(interaction, recording, journal=self.bot.study.answers.keep_in_flight)
        except AnswersClosed:
            answer = await self.cycle.correct_choice(post_id)
            await reply(interaction, tr(lang, "daily.closed", letter=letter(answer) if answer is not None else "?"))
            return
        await reply(interaction, embed=ack_embed(outcome, lang))

    # -- commands ----------------------------------------------------------------------------

    @staticmethod
    def _bot_permissions(interaction: discord.Interaction, channel: discord.abc.GuildChannel) -> discord.Permissions:
        me = channel.guild.me
        if channel.id == interaction.channel_id or me is None:
            return interaction.app_permissions
        return channel.permissions_for(me)

    @dailyadmin.command(name="set", description=_("Post a daily question in a channel"))
    @app_commands.describe(
        channel=_("The channel for the daily question"),
        time=_("Time of day, 24-hour HH:MM"),
        timezone=_("IANA time zone (default: the server's)"),
        topic=_("A deck or section (default: all)"),
        questions=_("Questions per post (1-5)"),
        reveal_after_hours=_("Hours until the answer is shown (default: 1 h before the next post)"),
    )
    @app_commands.checks.has_permissions(manage_guild=True)
    async def set_schedule(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel,
        time: app_commands.Range[str, 1, 20],
        timezone: app_commands.Range[str, 1, 64] | None = None,
        topic: app_commands.Range[str, 1, 100] | None = None,
        questions: app_commands.Range[int, 1, 5] = 1,
        reveal_after_hours: app_commands.Range[int, 1, 23] | None = None,
    ) -> None:
        lang = interaction_lang(interaction)
        if interaction.guild is None or interaction.guild.get_channel(channel.id) is None:
            # Discord's client only offers this server's channels; a forged request may not.
            await send_ephemeral(interaction, tr(lang, "daily.foreign_channel"))
            return
        missing = missing_permissions(self._bot_permissions(interaction, channel))
        if missing:
            names = ", ".join(tr(lang, f"daily.perm.{m}") for m in missing)
            await send_ephemeral(interaction, tr(lang, "daily.missing_permissions", channel=channel.mention,
                                                 permissions=names))
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            result = await self.cycle.set_schedule(
                community_of(interaction), str(channel.id), time, timezone=timezone, topic=topic,
                questions=questions, reveal_after_hours=reveal_after_hours,
            )
        except DailyError as exc:
            await send_ephemeral(interaction, study_error_text(exc, lang))
            return
        await reply(interaction, embed=set_embed(result, lang))

    @set_schedule.autocomplete("timezone")
    @guard_autocomplete
    async def zone_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return limits.choices((z, z) for z in self.cycle.suggest_zones(current, limit=limits.CHOICES))

    @set_schedule.autocomplete("topic")
    @guard_autocomplete
    async def topic_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        topics = self.bot.study.topics(current, limit=limits.CHOICES)
        return limits.choices((name, name) for name in topics if len(name) <= limits.CHOICE_VALUE)

    @dailyadmin.command(name="now", description=_("Post the next daily question now"))
    @app_commands.checks.has_permissions(manage_guild=True)
    async def post_now(self, interaction: discord.Interaction) -> None:
        lang = interaction_lang(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            done = await self.cycle.post_now(community_of(interaction), channel_of(interaction))
        except DailyError as exc:
            await send_ephemeral(interaction, study_error_text(exc, lang))
            return
        channel = channel_ref(done.schedule.channel_id)
        if not done.sent:
            await send_ephemeral(interaction, tr(lang, "daily.post_failed" if done.paused else "daily.post_retry",
                                                 channel=channel))
            return
        when = f"{wall_time(done.next_post.at, done.schedule.timezone, lang)} · {relative(done.next_post.at)}"
        await send_ephemeral(interaction, tr(lang, "daily.posted_now", channel=channel, next=when))

    @dailyadmin.command(name="stop", description=_("Stop the daily question (history stays)"))
    @app_commands.checks.has_permissions(manage_guild=True)
    async def stop(self, interaction: discord.Interaction) -> None:
        lang = interaction_lang(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            schedule = await self.cycle.stop(community_of(interaction), channel_of(interaction))
        except DailyError as exc:
            await send_ephemeral(interaction, study_error_text(exc, lang))
            return
        await send_ephemeral(interaction, tr(lang, "daily.stopped", channel=channel_ref(schedule.channel_id)))

    @daily.command(name="status", description=_("Show this server's daily questions"))
    async def status(self, interaction: discord.Interaction) -> None:
        lang = interaction_lang(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        statuses = await self.cycle.status(community_of(interaction))
        await reply(interaction, embed=status_embed(statuses, lang))


__all__ = ["Daily"]
