"""studybot: a study-group bot. `bot.engine` (notes, glossary, questions, scoring) and
`bot.store` (SQLite) know no chat platform; `bot.app` holds every use case and builds the whole
application (`open_app`); the front ends (`bot.console`, `bot.discord_app` with `cogs/`, the
`bot.cli` command line) call only `bot.app`."""

__version__ = "0.1.0"
