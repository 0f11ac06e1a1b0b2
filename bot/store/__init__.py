"""Persistence: the SQLite store (aiosqlite) and the records it returns. All SQL lives here."""

from bot.store.records import (
    Answerer,
    AnswerResult,
    AnswerStatus,
    BoardStats,
    CardRebuild,
    CommunitySettings,
    DailyPostResult,
    LeaderboardPage,
    LeaderRow,
    Post,
    PostResults,
    ProcessEntry,
    Schedule,
    ScoreExportRow,
    StoreError,
    TermMisses,
    UserStats,
)
from bot.store.store import Store

__all__ = [
    "AnswerResult",
    "AnswerStatus",
    "Answerer",
    "BoardStats",
    "CardRebuild",
    "DailyPostResult",
    "CommunitySettings",
    "LeaderRow",
    "LeaderboardPage",
    "Post",
    "PostResults",
    "ProcessEntry",
    "Schedule",
    "ScoreExportRow",
    "Store",
    "StoreError",
    "TermMisses",
    "UserStats",
]
