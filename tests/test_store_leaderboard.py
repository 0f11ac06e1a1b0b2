"""Leaderboards, ranks, stats and export: periods in the guild's zone, tie-breaks, opt-out."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.clock import ManualClock
from bot.engine.model import Question, QuestionKind, SourceRef
from bot.engine.scoring import Board, Period
from bot.store import Store

GUILD = 10


def question(term: str = "Container") -> Question:
    return Question(id=f"q-{term}", kind=QuestionKind.ACRONYM, prompt="p", choices=("a", "b"),
                    answer=0, explanation="e", term=term, deck="d", source=SourceRef("f.md", 1))


@pytest.fixture
def clock() -> ManualClock:
    # Monday 2026-11-23 09:00 in Seoul.
    return ManualClock(datetime(2026, 11, 23, 0, 0, tzinfo=UTC))


@pytest.fixture
async def store(db_path, clock):
    async with await Store.open(db_path, clock=clock, default_timezone="Asia/Seoul") as s:
        yield s


async def practice(store, user: int, correct: bool, *, at: datetime | None = None,
                   name: str | None = None, term: str = "Container"):
    post = await store.create_practice_post(GUILD, user, question(term))
    return await store.record_answer(post.post_id, user, 0 if correct else 1,
                                     name or f"member {user}", now=at)


async def test_ties_break_by_correct_then_fewer_answers_then_user_id(store):
    for user, answers in ((5, (True,)), (3, (True,)), (4, (True, False)), (9, (True, True))):
        for correct in answers:
            await practice(store, user, correct)
    page = await store.leaderboard(GUILD, Board.PRACTICE)
    assert [(r.rank, r.user_id) for r in page.rows] == [(1, 9), (2, 3), (3, 5), (4, 4)]


async def test_page_has_offset_limit_and_total(store):
    for user in range(1, 8):
        for _ in range(user):
            await practice(store, user, True)
    page = await store.leaderboard(GUILD, Board.PRACTICE, offset=2, limit=3)
    assert [(r.rank, r.user_id) for r in page.rows] == [(3, 5), (4, 4), (5, 3)]
    assert page.total == 7


async def test_opted_out_member_is_hidden_and_not_counted(store):
    for user in (1, 2, 3):
        await practice(store, user, True)
    await store.set_opt_out(GUILD, 2)
    page = await store.leaderboard(GUILD, Board.PRACTICE)
    assert [r.user_id for r in page.rows] == [1, 3]
    assert page.total == 2


async def test_opted_out_member_still_sees_own_rank(store):
    for user in (1, 2, 3):
        await practice(store, user, True)
    await store.set_opt_out(GUILD, 1)
    row = await store.rank_of(GUILD, 3, Board.PRACTICE)
    assert row.rank == 2
    assert (await store.rank_of(GUILD, 1, Board.PRACTICE)).rank == 1


async def test_opting_back_in_shows_the_member_again(store):
    await practice(store, 1, True)
    await store.set_opt_out(GUILD, 1)
    await store.set_opt_out(GUILD, 1, False)
    assert [r.user_id for r in (await store.leaderboard(GUILD, Board.PRACTICE)).rows] == [1]


async def test_rank_of_member_without_answers_is_none(store):
    assert await store.rank_of(GUILD, 42) is None


async def test_week_board_starts_monday_midnight_in_guild_zone(store, clock):
    # Sunday 23:30 in Seoul is last week; Monday 00:10 in Seoul is this week.
    await practice(store, 1, True, at=datetime(2026, 11, 22, 14, 30, tzinfo=UTC))
    await practice(store, 2, True, at=datetime(2026, 11, 22, 15, 10, tzinfo=UTC))
    page = await store.leaderboard(GUILD, Board.PRACTICE, Period.WEEK)
    assert (page.period_key, [r.user_id for r in page.rows]) == ("2026-W48", [2])


async def test_month_board_starts_on_the_first_in_guild_zone(store, clock):
    # Nov 1 00:10 in Seoul counts for November; Oct 31 23:50 in Seoul does not.
    await practice(store, 1, True, at=datetime(2026, 10, 31, 15, 10, tzinfo=UTC))
    await practice(store, 2, True, at=datetime(2026, 10, 31, 14, 50, tzinfo=UTC))
    page = await store.leaderboard(GUILD, Board.PRACTICE, Period.MONTH)
    assert [r.user_id for r in page.rows] == [1]


async def test_all_time_board_counts_every_answer_of_the_season(store):
    await practice(store, 1, True, at=datetime(2025, 1, 5, tzinfo=UTC))
    await practice(store, 1, True)
    assert (await store.rank_of(GUILD, 1, Board.PRACTICE, Period.ALL)).answered == 2


async def test_changing_the_zone_moves_answers_between_weeks(store):
    # Monday 00:10 in Seoul, still Sunday in UTC.
    await practice(store, 1, True, at=datetime(2026, 11, 22, 15, 10, tzinfo=UTC))
    await store.set_timezone(GUILD, "UTC")
    page = await store.leaderboard(GUILD, Board.PRACTICE, Period.WEEK)
    assert page.rows == ()


async def test_new_season_empties_the_boards_but_keeps_answers(store):
    await practice(store, 1, True)
    await store.start_new_season(GUILD)
    assert (await store.leaderboard(GUILD, Board.PRACTICE)).rows == ()
    assert await store.term_miss_counts(GUILD) == {}
    await practice(store, 1, False)
    assert await store.term_miss_counts(GUILD) == {"Container": 1}


async def test_boards_are_separate(store):
    await practice(store, 1, True)
    assert (await store.leaderboard(GUILD, Board.DAILY)).rows == ()


async def test_leaderboard_shows_last_known_display_name(store):
    await practice(store, 1, True, name="Old")
    await practice(store, 1, True, name="New")
    assert (await store.leaderboard(GUILD, Board.PRACTICE)).rows[0].display_name == "New"


async def test_rebuild_reproduces_the_incremental_scores(store):
    for user, correct in ((1, True), (2, False), (1, False), (3, True)):
        await practice(store, user, correct)
    before = await store.leaderboard(GUILD, Board.PRACTICE, Period.WEEK)
    await store.rebuild_scores(GUILD)
    assert await store.leaderboard(GUILD, Board.PRACTICE, Period.WEEK) == before


async def test_user_stats_per_board_with_accuracy_rank_and_most_missed(store):
    await practice(store, 2, True)
    for term, correct in (("Pod", False), ("Pod", False), ("Node", False), ("Mesh", False),
                          ("Node", True), ("Helm", False), ("Helm", False), ("Helm", False)):
        await practice(store, 1, correct, term=term)
    stats = await store.user_stats(GUILD, 1)
    practice_stats = stats.boards[Board.PRACTICE]
    assert (practice_stats.answered, practice_stats.correct, practice_stats.rank) == (8, 1, 2)
    assert practice_stats.accuracy == pytest.approx(1 / 8)
    assert [(m.term, m.misses) for m in stats.most_missed] == [("Helm", 3), ("Pod", 2),
                                                               ("Mesh", 1)]
    assert stats.boards[Board.DAILY].rank is None


async def test_export_has_one_row_per_member_and_board_in_board_order(store):
    await practice(store, 1, True)
    await practice(store, 2, True)
    await practice(store, 2, True)
    await store.set_opt_out(GUILD, 1)
    rows = await store.export_scores(GUILD)
    assert [(r.board, r.user_id, r.points, r.streak, r.opted_out) for r in rows] == [
        (Board.PRACTICE, 2, 4, 2, False), (Board.PRACTICE, 1, 2, 1, True)]
