"""Scoring rules: points per answer, streaks and leaderboard periods.

Points
    * A correct answer to a daily channel question is worth 10 points. The first three members
      to answer a daily question correctly get a bonus of 3, 2 and 1 points on top.
    * A correct answer to a personal practice question (/quiz) is worth 2 points, no bonus.
    * A wrong answer is worth 0 points but still counts as answered.
    * Each member answers a question once; the first answer is final.

Streaks
    * Daily streak: the number of consecutive daily questions of one schedule answered
      correctly. A wrong answer resets it to 0. A member who skipped the previous question of
      that schedule starts again at 1. A streak shows as broken (0) once a later question of the
      schedule was missed: it was revealed, or a newer day's question was posted, without an
      answer from the member.
    * Practice streak: the number of consecutive correct practice answers; a wrong one resets it.
    * The best streak is the highest streak reached in the current season.

Periods and seasons
    * Leaderboards cover the week (since Monday 00:00), the month (since the 1st, 00:00) or all
      time, in the guild's time zone. Weeks and months are windows over timestamped answers;
      nothing is reset when a new week starts.
    * Ties are broken by points (more first), then correct answers (more first), then answers
      given (fewer first), then the Discord user id (lower first).
    * `/studyadmin reset-scores` starts a new season: earlier answers are kept but the boards
      and stats only show the current season.

Everything here is pure. The store applies the same rules inside SQL, with the constants of this
module passed in as parameters, so this module stays the one place the rules are written down.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

DAILY_CORRECT_POINTS = 10
DAILY_FIRST_CORRECT_BONUS: tuple[int, ...] = (3, 2, 1)
PRACTICE_CORRECT_POINTS = 2
WRONG_POINTS = 0


class Board(StrEnum):
    DAILY = "daily"
    PRACTICE = "practice"


class Period(StrEnum):
    WEEK = "week"
    MONTH = "month"
    ALL = "all"


def first_correct_bonus(correct_rank: int) -> int:
    """The bonus of the `correct_rank`-th (1-based) correct answerer of a daily question."""
    if 1 <= correct_rank <= len(DAILY_FIRST_CORRECT_BONUS):
        return DAILY_FIRST_CORRECT_BONUS[correct_rank - 1]
    return 0


def answer_points(board: Board, correct: bool, correct_rank: int) -> int:
    """Points for one answer; `correct_rank` is the 1-based place among the correct answers."""
    if not correct:
        return WRONG_POINTS
    if board is Board.DAILY:
        return DAILY_CORRECT_POINTS + first_correct_bonus(correct_rank)
    return PRACTICE_CORRECT_POINTS


def daily_streak_after(previous_post_streak: int | None, correct: bool) -> int:
    """A member's daily streak after answering a question.

    `previous_post_streak` is the member's streak after their answer to the schedule's previous
    question, or None when they did not answer it (or there was none).
    """
    if not correct:
        return 0
    return (previous_post_streak or 0) + 1


def practice_streak_after(current: int, correct: bool) -> int:
    """A member's practice streak after one more practice answer."""
    return current + 1 if correct else 0


def accuracy(correct: int, answered: int) -> float:
    """Share of correct answers, 0.0 when nothing was answered."""
    return correct / answered if answered else 0.0


def period_key(period: Period, when: datetime, timezone: str) -> str:
    """The key of the period that `when` (aware) falls in, in `timezone`.

    Weeks are ISO weeks ('2026-W48', Monday first), months are '2026-11', all time is 'all'.
    """
    if period is Period.ALL:
        return "all"
    local = when.astimezone(ZoneInfo(timezone))
    if period is Period.WEEK:
        year, week, _ = local.isocalendar()
        return f"{year:04d}-W{week:02d}"
    return f"{local.year:04d}-{local.month:02d}"


def rank_key(points: int, correct: int, answered: int, user_id: int) -> tuple[int, int, int, int]:
    """Sort key that puts leaderboard rows in tie-break order (ascending sort)."""
    return (-points, -correct, answered, user_id)
