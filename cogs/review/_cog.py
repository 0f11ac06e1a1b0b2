"""The `Review` cog: `/review [mode]` shows the member's next card, with buttons that survive restarts."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

import logging

from discord.ext import tasks

from bot.app.messages import tr
from bot.app.review import ReviewMode
from bot.discord_app.bot import StudyBot
from bot.discord_app.i18n import interaction_lang
from bot.discord_app.identity import community_of, user_of
from cogs.review._reminders import DiscordReminderPort
from cogs.review._views import REVIEW_ITEMS, ask_review

log = logging.getLogger(__name__)
REMINDER_SWEEP_SECONDS = 60


class Review(commands.Cog):
    def __init__(self, bot: StudyBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*REVIEW_ITEMS)
        if self.bot.study is not None:
            self._reminders = tasks.loop(seconds=REMINDER_SWEEP_SECONDS)(self._send_reminders)
            self._reminders.start()

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*REVIEW_ITEMS)
        if getattr(self, "_reminders", None) is not None:
            self._reminders.cancel()

    async def _send_reminders(self) -> None:
        await self.bot.wait_until_ready()
        try:
            await self.bot.study.reminders.sweep(DiscordReminderPort(self.bot), platform="discord",
                                                 owns=self.bot.daily.owns)
        except Exception:  # one failed sweep must not stop the loop; the next one retries
            log.exception("the reminder sweep failed")

    @app_commands.command(name="review", description=_("Review your due cards, then new entries"))
    @app_commands.guild_only()  # cards belong to a server's members; a DM has no deck of its own
    @app_commands.describe(mode=_("Multiple choice, flashcard (rate yourself) or type the term"),
                           remind=_("A daily reminder when you have cards due: on or off"),
                           at=_("Reminder time, 24-hour HH:MM (default 09:00)"),
                           timezone=_("Time zone of the reminder (default: the server's)"))
    @app_commands.choices(mode=[
        app_commands.Choice(name=_("Multiple choice"), value=ReviewMode.CHOICE.value),
        app_commands.Choice(name=_("Flashcard"), value=ReviewMode.FLASHCARD.value),
        app_commands.Choice(name=_("Type the term"), value=ReviewMode.TYPED.value),
    ], remind=[app_commands.Choice(name=_("on"), value="on"), app_commands.Choice(name=_("off"), value="off")])
    async def review(self, interaction: discord.Interaction, mode: str = ReviewMode.CHOICE.value,
                     remind: str | None = None, at: app_commands.Range[str, 1, 40] | None = None,
                     timezone: app_commands.Range[str, 1, 60] | None = None) -> None:
        if remind is None:
            await ask_review(interaction, mode)
            return
        lang = interaction_lang(interaction)
        reminders = self.bot.study.reminders
        if remind == "off":
            await reminders.turn_off(community_of(interaction), user_of(interaction))
            await interaction.response.send_message(tr(lang, "review.remind_off"), ephemeral=True)
            return
        set_to = await reminders.turn_on(community_of(interaction), user_of(interaction), at or "09:00",
                                         timezone=timezone, lang=lang)
        await interaction.response.send_message(
            tr(lang, "review.remind_on", time=set_to.time, zone=set_to.timezone), ephemeral=True)
