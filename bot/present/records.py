"""The plain records of `bot.present`, importable without matplotlib or genanki (the bot and
the command line import them at start-up; the drawing libraries load only where drawing happens)."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_DECK = "studybot"


@dataclass(frozen=True, slots=True)
class Picture:
    """A rendered image: PNG bytes, the alt text that says the same in words, a file name."""

    png: bytes
    alt: str
    filename: str
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class PodiumRow:
    """One place on the leaderboard card (plain data, so it crosses to the worker cheaply)."""

    rank: int
    name: str
    points: int
    answered: int
    correct: int


class ExportError(Exception):
    """An export that cannot be written; the message is one sentence for the person running it."""
