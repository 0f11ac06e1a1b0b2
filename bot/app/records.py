"""The records the application hands to front ends, under one roof.

They are the store's plain frozen dataclasses; front ends import them (and `StoreError`, which
an unusable database raises) from here, so that none of them imports the store.
"""

from __future__ import annotations

from bot.store.records import (
    Answerer,
    AnswerResult,
    AnswerStatus,
    BoardStats,
    CardRebuild,
    LeaderboardPage,
    LeaderRow,
    Post,
    PostResults,
    ProcessEntry,
    Reminder,
    Schedule,
    ScoreExportRow,
    StoreError,
    TermMisses,
    UserStats,
)

__all__ = [
    "AnswerResult",
    "AnswerStatus",
    "Answerer",
    "BoardStats",
    "CardRebuild",
    "LeaderRow",
    "LeaderboardPage",
    "Post",
    "PostResults",
    "ProcessEntry",
    "Reminder",
    "Schedule",
    "ScoreExportRow",
    "StoreError",
    "TermMisses",
    "UserStats",
]
