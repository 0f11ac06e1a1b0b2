"""The Discord front end: the bot, its launcher, command sync, views, formatting and the error handler.

Cogs live in the top-level `cogs/` package and reach the study engine only through
`bot.service` (a `StudyService`).
"""
