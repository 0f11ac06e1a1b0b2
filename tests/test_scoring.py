"""The pure scoring rules: points, bonuses, streaks, period keys and tie-break order."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from bot.engine import scoring
from bot.engine.scoring import Board, Period


def test_first_three_correct_daily_answers_get_bonus_3_2_1():
    assert [scoring.answer_points(Board.DAILY, True, r) for r in (1, 2, 3, 4)] == [13, 12, 11, 10]


def test_practice_correct_answer_is_worth_2_without_bonus():
    assert scoring.answer_points(Board.PRACTICE, True, 1) == 2


@given(board=st.sampled_from(list(Board)), rank=st.integers(min_value=1, max_value=1000))
def test_wrong_answer_is_worth_nothing(board, rank):
    assert scoring.answer_points(board, False, rank) == 0


def test_daily_streak_continues_from_the_previous_post():
    assert scoring.daily_streak_after(4, True) == 5


def test_daily_streak_restarts_at_one_after_a_skipped_post():
    assert scoring.daily_streak_after(None, True) == 1


def test_wrong_daily_answer_resets_the_streak():
    assert scoring.daily_streak_after(4, False) == 0


def test_practice_streak_counts_consecutive_correct_answers():
    streak = 0
    for correct in (True, True, False, True):
        streak = scoring.practice_streak_after(streak, correct)
    assert streak == 1


def test_accuracy_of_nothing_answered_is_zero():
    assert scoring.accuracy(0, 0) == 0.0


def test_week_key_follows_the_local_monday():
    # Sunday 2026-11-29 20:00 UTC is already Monday 05:00 in Seoul: ISO week 49 there.
    when = datetime(2026, 11, 29, 20, 0, tzinfo=UTC)
    assert scoring.period_key(Period.WEEK, when, "UTC") == "2026-W48"
    assert scoring.period_key(Period.WEEK, when, "Asia/Seoul") == "2026-W49"


def test_month_key_follows_the_local_first_of_the_month():
    when = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    assert scoring.period_key(Period.MONTH, when, "UTC") == "2026-11"
    assert scoring.period_key(Period.MONTH, when, "Asia/Seoul") == "2026-12"


def test_week_key_uses_the_iso_year_at_new_year():
    assert scoring.period_key(Period.WEEK, datetime(2027, 1, 1, tzinfo=UTC), "UTC") == "2026-W53"


def test_ties_break_by_points_correct_answered_then_user_id():
    rows = [(10, 1, 1, 5), (10, 1, 2, 1), (10, 2, 2, 9), (12, 1, 1, 7), (10, 1, 1, 3)]
    ordered = sorted(rows, key=lambda r: scoring.rank_key(*r))
    assert [r[3] for r in ordered] == [7, 9, 3, 5, 1]
