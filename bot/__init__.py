"""studybot: a study-group bot. `bot.engine` and `bot.store` hold the Discord-free study engine,
`bot.service` the use cases every front end calls, and the front ends live beside them."""

__version__ = "0.1.0"
