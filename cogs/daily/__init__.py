"""The daily channel quiz: `/daily status`, `/dailyadmin set|now|stop`, answer buttons, timed posts and reveals.

Thin over `bot.daily.DailyQuiz`, which decides and records; this cog formats and sends.

* Buttons are `DynamicItem`s `daily:<post>:<choice>` carrying only ids, so every post keeps
  working after a restart; the answer is committed before the ephemeral acknowledgement.
* SQLite is the source of truth. `cog_load` rebuilds one APScheduler `CronTrigger` job per
  active schedule (in the schedule's zone, `coalesce`, misfire grace = the daily grace) and a
  sweep job every minute that redraws reveals whose edit is missing, reveals due posts, posts
  due slots nobody posted (a safety net for downtime and daylight-saving edges) and sends posts
  made but never sent (a crash or a failed send), within the grace window. Every send is claimed
  in the store first, so no two processes send the same post. Once the bot is ready, a recovery
  pass runs the sweep and logs slots and posts skipped beyond the grace window.
* A channel that is gone, or that the bot lost access to, pauses its schedule with a log line
  and a notice in the server's system channel when the bot may write there.

The package keeps the extension name `cogs.daily`: `_views` holds the wording, embeds, views and
the answer button; `_cog` holds the `Daily` cog.
"""

from __future__ import annotations

from bot.discord_app.bot import StudyBot
from cogs.daily._cog import Daily


async def setup(bot: StudyBot) -> None:
    await bot.add_cog(Daily(bot))
