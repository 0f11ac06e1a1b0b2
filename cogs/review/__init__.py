"""Reviewing: `/review [mode]`, one due (or new) card at a time, ephemeral.

`_cog` holds the `Review` cog; `_views` the card views and their restart-proof buttons.
"""

from __future__ import annotations

from bot.discord_app.bot import StudyBot
from cogs.review._cog import Review

__all__ = ["Review", "setup"]


async def setup(bot: StudyBot) -> None:
    await bot.add_cog(Review(bot))
