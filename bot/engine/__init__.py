"""The study engine: notes parser, glossary index, question bank and scoring rules.

Nothing under this package imports discord, touches SQLite or formats for a front end."""
