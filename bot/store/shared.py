"""What both store backends do alike around their SQL: argument checks, statement parameters,
and turning rows into records. Pure functions; `bot.store.store` (SQLite) and
`bot.store.postgres` (PostgreSQL) call them, so the two cannot drift apart.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.community import Community
from bot.engine import cards, scoring
from bot.engine.scoring import Board
from bot.store.records import (
    Answerer,
    AnswerResult,
    AnswerStatus,
    PostResults,
    ProcessEntry,
    Reminder,
    ScoreExportRow,
    StoreError,
)

TIME_OF_DAY = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")

# The scoring constants every answer statement takes as parameters.
ANSWER_CONSTANTS: dict[str, Any] = {
    "daily_points": scoring.DAILY_CORRECT_POINTS,
    "practice_points": scoring.PRACTICE_CORRECT_POINTS,
    "wrong_points": scoring.WRONG_POINTS,
    **{f"bonus_{i}": b for i, b in enumerate(scoring.DAILY_FIRST_CORRECT_BONUS)},
}

# The columns of a refused answer's lookup (`refused_answer`), `p` the post, `a` the answer.
REFUSED_COLUMNS = ("p.board, p.owner_user_id, p.revealed_at, p.answer_index,"
                   " a.choice, a.correct, a.points, a.streak, a.correct_rank")

REMINDER_COLUMNS = "community, user_id, time_of_day, timezone, lang, last_sent_date, stopped_at, stop_reason"

PROCESS_COLUMNS = ("process_id, host, pid, start_mark, shard_first, shard_last, shard_count,"
                   " overlap_allowed, started_at, heartbeat_at")


def check_schedule(time: str, questions_per_post: int, reveal_after_hours: float | None) -> None:
    """ValueError for a schedule no backend stores (the zone is checked by the caller)."""
    if not TIME_OF_DAY.match(time):
        raise ValueError(f"{time!r} is not a time of day as HH:MM")
    if not 1 <= questions_per_post <= 5:
        raise ValueError("questions per post must be between 1 and 5")
    if reveal_after_hours is not None and reveal_after_hours <= 0:
        raise ValueError("reveal_after_hours must be positive")


def accepted_answer(outcome: Any, post_id: int) -> AnswerResult | None:
    """The result of an answer statement's outcome: accepted, None when it inserted nothing;
    StoreError when the answer's own statement failed."""
    if isinstance(outcome, Exception):
        raise StoreError(f"The answer to post {post_id} could not be recorded ({outcome}).") from outcome
    if outcome is None:
        return None
    choice, correct, rank, points, streak, answer_index = outcome
    return AnswerResult(AnswerStatus.ACCEPTED, post_id, choice, bool(correct), answer_index, points,
                        streak, rank)


def refused_answer(row: Sequence[Any] | None, post_id: int, user_id: str) -> AnswerResult:
    """Why the answer statement inserted nothing, from the `REFUSED_COLUMNS` row (None: no post)."""
    if row is None:
        return AnswerResult(AnswerStatus.UNKNOWN_POST, post_id)
    board, owner, revealed_at, answer_index, old_choice, old_correct, points, streak, rank = row
    if old_choice is not None:
        return AnswerResult(AnswerStatus.DUPLICATE, post_id, old_choice, bool(old_correct),
                            answer_index, points, streak, rank)
    if board == Board.PRACTICE and owner != user_id:
        return AnswerResult(AnswerStatus.NOT_YOURS, post_id)
    if revealed_at is not None:
        return AnswerResult(AnswerStatus.CLOSED, post_id, correct_index=answer_index)
    raise StoreError(f"The answer to post {post_id} could not be recorded.")


def post_results(post_id: int, choices: str, per_choice: Sequence[Sequence[Any]],
                 first: Sequence[Sequence[Any]]) -> PostResults:
    """Answers per choice (from (choice, n) rows), their total and the first correct answerers."""
    counts = [0] * len(json.loads(choices))
    total = 0
    for choice, n in per_choice:
        total += n
        if 0 <= choice < len(counts):
            counts[choice] = n
    return PostResults(post_id, tuple(counts), total, tuple(Answerer(u, name) for u, name in first))


def reminder(row: Sequence[Any]) -> Reminder:
    """A `REMINDER_COLUMNS` row."""
    community, user_id, at, zone, lang, last, stopped, reason = row
    return Reminder(Community(community), user_id, at, zone, lang, last,
                    None if stopped is None else datetime.fromisoformat(stopped), reason)


def process_entry(row: Sequence[Any]) -> ProcessEntry:
    """A `PROCESS_COLUMNS` row of the processes registry."""
    process_id, host, pid, mark, first, last, count, overlap, started, beat = row
    return ProcessEntry(process_id, host, int(pid), mark, int(first), int(last), int(count),
                        bool(overlap), datetime.fromisoformat(started), datetime.fromisoformat(beat))


def export_rows(rows: Sequence[Sequence[Any]],
                streaks: dict[Board, dict[str, tuple[int, int]]]) -> list[ScoreExportRow]:
    """Score export rows from (board, user, name, points, answered, correct, opted out) rows."""
    result: list[ScoreExportRow] = []
    for board_name, user_id, name, points, answered, correct, opted_out in rows:
        board = Board(board_name)
        current, best = streaks[board].get(user_id, (0, 0))
        result.append(ScoreExportRow(board, user_id, name, points, answered, correct, current, best,
                                     bool(opted_out)))
    return result


Replayed = dict[tuple[str, str, str], tuple[cards.Card, str | None, str]]


def replay(state: Replayed, community: str, user_id: str, entry_id: str, digest: str | None,
           correct: int, rating: int | None, answered_at: str) -> None:
    """One answer of the log applied to the rebuilt cards in `state` (card, definition hash,
    last review per member and entry), as the answer's own transaction did."""
    key = (community, user_id, entry_id)
    before = state.get(key)
    card = cards.after_answer(None if before is None else before[0], bool(correct), rating,
                              datetime.fromisoformat(answered_at))
    if digest is None and before is not None:
        digest = before[1]
    state[key] = (card, digest, answered_at)


__all__ = ["ANSWER_CONSTANTS", "REFUSED_COLUMNS", "REMINDER_COLUMNS", "TIME_OF_DAY", "Replayed",
           "accepted_answer", "check_schedule", "export_rows", "post_results", "refused_answer",
           "reminder", "replay"]
