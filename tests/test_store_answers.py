"""Recording answers: correctness, points, refusals, streaks, results; committed on return."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.community import Community
from bot.engine import scoring
from bot.engine.model import Question, QuestionKind, SourceRef
from bot.engine.scoring import Board
from bot.store import AnswerStatus, StoreError
from tests.backends import open_test_store, read_rows

GUILD = Community.discord(10)
CHANNEL = "20"


def question(n: int = 1, answer: int = 1, term: str = "Container") -> Question:
    return Question(id=f"q{n}", kind=QuestionKind.TERM_TO_DEFINITION, prompt=f"prompt {n}",
                    choices=("a", "b", "c", "d"), answer=answer, explanation="because",
                    term=term, deck="cloud", source=SourceRef("notes/cloud.md", 12))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 23, 0, 0, tzinfo=UTC))


@pytest.fixture
async def store(store_url, clock):
    async with await open_test_store(store_url, clock=clock, default_timezone="Asia/Seoul") as s:
        yield s


@pytest.fixture
async def schedule(store):
    return await store.create_or_replace_schedule(GUILD, CHANNEL, "09:00", "Asia/Seoul")


async def daily(store, schedule, day: int, seq: int = 1, **kw):
    date = (datetime(2026, 11, 23) + timedelta(days=day)).date().isoformat()
    return (await store.create_daily_post(schedule.schedule_id, date, seq, question(day * 10 + seq),
                                          **kw)).post


async def test_correct_answer_is_accepted_with_points(store, schedule):
    post = await daily(store, schedule, 0)
    result = await store.record_answer(post.post_id, "1", 1, "Ann")
    assert result.status is AnswerStatus.ACCEPTED
    assert (result.correct, result.correct_index, result.points) == (True, 1, 13)


async def test_wrong_answer_is_accepted_with_no_points_and_the_correct_index(store, schedule):
    post = await daily(store, schedule, 0)
    result = await store.record_answer(post.post_id, "1", 3, "Ann")
    assert (result.accepted, result.correct, result.correct_index, result.points) == (
        True, False, 1, 0)


async def test_points_follow_the_scoring_rules_for_each_correct_place(store, schedule):
    post = await daily(store, schedule, 0)
    got = [(await store.record_answer(post.post_id, str(u), 1, f"u{u}")).points for u in range(1, 6)]
    assert got == [scoring.answer_points(Board.DAILY, True, r) for r in range(1, 6)]


async def test_wrong_answers_do_not_take_a_bonus_place(store, schedule):
    post = await daily(store, schedule, 0)
    await store.record_answer(post.post_id, "1", 0, "wrong")
    result = await store.record_answer(post.post_id, "2", 1, "right")
    assert (result.correct_rank, result.points) == (1, 13)


async def test_second_answer_to_same_post_is_refused_and_changes_nothing(store, schedule):
    post = await daily(store, schedule, 0)
    await store.record_answer(post.post_id, "1", 3, "Ann")
    again = await store.record_answer(post.post_id, "1", 1, "Ann")
    assert (again.status, again.choice, again.correct, again.points) == (
        AnswerStatus.DUPLICATE, 3, False, 0)
    row = await store.rank_of(GUILD, "1")
    assert (row.answered, row.points) == (1, 0)


async def test_answer_to_revealed_post_is_refused(store, schedule):
    post = await daily(store, schedule, 0)
    await store.mark_revealed(post.post_id)
    result = await store.record_answer(post.post_id, "1", 1, "Ann")
    assert (result.status, result.correct_index) == (AnswerStatus.CLOSED, 1)
    assert (await store.post_results(post.post_id)).total == 0


async def test_answer_to_unknown_post_is_refused(store):
    result = await store.record_answer(999, "1", 1, "Ann")
    assert result.status is AnswerStatus.UNKNOWN_POST


async def test_practice_question_of_another_member_is_refused(store):
    post = await store.create_practice_post(GUILD, "1", question())
    result = await store.record_answer(post.post_id, "2", 1, "Bob")
    assert result.status is AnswerStatus.NOT_YOURS


async def test_practice_correct_answer_earns_practice_points(store):
    post = await store.create_practice_post(GUILD, "1", question())
    result = await store.record_answer(post.post_id, "1", 1, "Ann")
    assert result.points == scoring.PRACTICE_CORRECT_POINTS


async def test_answer_is_committed_when_record_answer_returns(store, schedule, store_url):
    post = await daily(store, schedule, 0)
    await store.record_answer(post.post_id, "1", 1, "Ann")
    assert read_rows(store_url, "SELECT user_id, points FROM answers") == [("1", 13)]
    assert read_rows(store_url, "SELECT answered FROM scores WHERE period = 'all'") == [(1,)]


async def test_daily_streak_grows_over_consecutive_correct_posts(store, schedule):
    streaks = []
    for day in range(3):
        post = await daily(store, schedule, day)
        streaks.append((await store.record_answer(post.post_id, "1", 1, "Ann")).streak)
    assert streaks == [1, 2, 3]


async def test_daily_streak_restarts_at_one_after_a_skipped_post(store, schedule):
    for day in (0, 1):
        post = await daily(store, schedule, day)
        await store.record_answer(post.post_id, "1", 1, "Ann")
    await daily(store, schedule, 2)  # skipped
    post = await daily(store, schedule, 3)
    assert (await store.record_answer(post.post_id, "1", 1, "Ann")).streak == 1


async def test_wrong_daily_answer_resets_the_streak_but_keeps_the_best(store, schedule):
    for day, choice in enumerate((1, 1, 0)):
        post = await daily(store, schedule, day)
        await store.record_answer(post.post_id, "1", choice, "Ann")
    stats = (await store.user_stats(GUILD, "1")).boards[Board.DAILY]
    assert (stats.current_streak, stats.best_streak) == (0, 2)


async def test_streak_shows_broken_once_a_later_day_was_missed(store, schedule):
    post = await daily(store, schedule, 0)
    await store.record_answer(post.post_id, "1", 1, "Ann")
    await daily(store, schedule, 1)  # not answered
    await daily(store, schedule, 2)
    assert (await store.rank_of(GUILD, "1")).streak == 0


async def test_streak_still_shows_while_todays_post_is_open(store, schedule):
    post = await daily(store, schedule, 0)
    await store.record_answer(post.post_id, "1", 1, "Ann")
    await daily(store, schedule, 1)  # today, not answered yet, not revealed
    assert (await store.rank_of(GUILD, "1")).streak == 1


async def test_streak_shows_broken_once_an_unanswered_post_is_revealed(store, schedule):
    post = await daily(store, schedule, 0)
    await store.record_answer(post.post_id, "1", 1, "Ann")
    missed = await daily(store, schedule, 1)
    await store.mark_revealed(missed.post_id)
    assert (await store.rank_of(GUILD, "1")).streak == 0


async def test_practice_streak_counts_consecutive_correct_answers(store):
    results = []
    for n, choice in enumerate((1, 1, 0, 1, 1)):
        post = await store.create_practice_post(GUILD, "1", question(n))
        results.append((await store.record_answer(post.post_id, "1", choice, "Ann")).streak)
    assert results == [1, 2, 0, 1, 2]


async def test_post_results_count_choices_and_name_first_three_correct(store, schedule):
    post = await daily(store, schedule, 0)
    for user, choice in ((1, 0), (2, 1), (3, 1), (4, 2), (5, 1), (6, 1)):
        await store.record_answer(post.post_id, str(user), choice, f"member {user}")
    results = await store.post_results(post.post_id)
    assert (results.counts, results.total) == ((1, 4, 1, 0), 6)
    assert [(a.user_id, a.display_name) for a in results.first_correct] == [
        ("2", "member 2"), ("3", "member 3"), ("5", "member 5")]


async def test_post_results_of_unknown_post_is_none(store):
    assert await store.post_results(12345) is None


async def test_answers_of_a_new_season_start_from_zero(store, schedule):
    post = await daily(store, schedule, 0)
    await store.record_answer(post.post_id, "1", 1, "Ann")
    assert await store.start_new_season(GUILD) == 2
    post = await daily(store, schedule, 1)
    result = await store.record_answer(post.post_id, "1", 1, "Ann")
    assert result.streak == 1
    row = await store.rank_of(GUILD, "1")
    assert (row.answered, row.points) == (1, result.points)


async def test_answer_keeps_working_after_the_question_left_the_notes(store, schedule):
    post = await daily(store, schedule, 0)
    loaded = await store.get_post(post.post_id)
    assert loaded.question == question(1)
    assert (await store.record_answer(post.post_id, "1", 1, "Ann")).correct is True


def _hold_write_lock(path, seconds: float) -> threading.Thread:
    """Another connection (as another process would) holds the write lock for `seconds`."""
    held = threading.Event()

    def hold() -> None:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        held.set()
        time.sleep(seconds)
        other.execute("COMMIT")
        other.close()

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    assert held.wait(5)
    return holder


@pytest.mark.sqlite_only("SQLite's file write lock and busy timeout")
async def test_an_answer_outlasts_a_lock_held_past_the_busy_timeout(store_url, clock):
    async with await open_test_store(store_url, clock=clock, default_timezone="Asia/Seoul", busy_timeout=0.3) as store:
        schedule = await store.create_or_replace_schedule(GUILD, CHANNEL, "09:00", "Asia/Seoul")
        post = await daily(store, schedule, 0)
        _hold_write_lock(store_url, 0.8)  # longer than one busy timeout, shorter than three
        result = await store.record_answer(post.post_id, "1", 1, "Ann")
        assert result.status is AnswerStatus.ACCEPTED
        assert (await store.post_results(post.post_id)).total == 1


@pytest.mark.sqlite_only("SQLite's file write lock and busy timeout")
async def test_a_lock_that_never_ends_refuses_the_answer_and_stores_nothing(store_url, clock):
    async with await open_test_store(store_url, clock=clock, default_timezone="Asia/Seoul", busy_timeout=0.1) as store:
        schedule = await store.create_or_replace_schedule(GUILD, CHANNEL, "09:00", "Asia/Seoul")
        post = await daily(store, schedule, 0)
        holder = _hold_write_lock(store_url, 1.5)  # past three busy timeouts and the pauses between
        with pytest.raises(StoreError, match="locked"):
            await store.record_answer(post.post_id, "1", 1, "Ann")
        await asyncio.to_thread(holder.join)
        assert (await store.post_results(post.post_id)).total == 0
