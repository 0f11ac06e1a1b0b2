"""Practising: `/quiz [topic]`, "Quiz me on this" under a definition, and "Next question".

`_cog` holds the `Quiz` cog; `_views` the question and answer views and their buttons.
"""

from __future__ import annotations

from bot.discord_app.bot import StudyBot
from cogs.quiz._cog import Quiz
from cogs.quiz._views import QuizMeButton

__all__ = ["Quiz", "QuizMeButton", "setup"]


async def setup(bot: StudyBot) -> None:
    await bot.add_cog(Quiz(bot))
