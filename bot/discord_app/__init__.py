"""The Discord front end: the bot, its launcher, command sync, views, formatting and the error handler.

Cogs live in the top-level `cogs/` package and reach the application only through `bot.study`
(a `StudyService`) and `bot.daily` (the `DailyCycle`).
"""
