"""Reminders delivered on Discord: one direct message, its failure mapped to the application's outcomes."""

from __future__ import annotations

import discord

from bot.app.messages import tr
from bot.app.ports import Delivered, DeliveryOutcome, Forbidden, Gone, TryLater
from bot.app.review import ReviewStatus
from bot.app.records import Reminder


class DiscordReminderPort:
    """`bot.app.reminders.ReminderPort` for Discord: the reminder as a direct message."""

    def __init__(self, client: discord.Client) -> None:
        self._client = client

    async def send_reminder(self, reminder: Reminder, status: ReviewStatus) -> DeliveryOutcome:
        lang = "ko" if reminder.lang == "ko" else "en"
        try:
            user = self._client.get_user(int(reminder.user_id)) or await self._client.fetch_user(int(reminder.user_id))
            await user.send(tr(lang, "review.reminder_dm", due=status.due_now),
                            allowed_mentions=discord.AllowedMentions.none())
        except discord.Forbidden:
            return Forbidden()  # direct messages closed: the reminder stops
        except discord.NotFound:
            return Gone(channel=True)
        except (discord.HTTPException, OSError, ValueError) as exc:
            return TryLater(str(exc)[:200])
        return Delivered()
