"""Leaderboards, ranks, stats and export: periods in the guild's zone, tie-breaks, opt-out."""

from __future__ import annotations

import random
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.community import Community
from bot.engine import scoring
from bot.engine.model import Question, QuestionKind, SourceRef
from bot.engine.scoring import Board, Period
from bot.store.schema import load_migrations
from tests.backends import open_test_store, read_rows

GUILD = Community.discord(10)


def question(term: str = "Container") -> Question:
    return Question(id=f"q-{term}", kind=QuestionKind.ACRONYM, prompt="p", choices=("a", "b"),
                    answer=0, explanation="e", term=term, deck="d", source=SourceRef("f.md", 1))


@pytest.fixture
def clock() -> ManualClock:
    # Monday 2026-11-23 09:00 in Seoul.
    return ManualClock(datetime(2026, 11, 23, 0, 0, tzinfo=UTC))


@pytest.fixture
async def store(store_url, clock):
    async with await open_test_store(store_url, clock=clock, default_timezone="Asia/Seoul") as s:
        yield s


async def practice(store, user: int | str, correct: bool, *, at: datetime | None = None,
                   name: str | None = None, term: str = "Container"):
    post = await store.create_practice_post(GUILD, str(user), question(term))
    return await store.record_answer(post.post_id, str(user), 0 if correct else 1,
                                     name or f"member {user}", now=at)


async def test_ties_break_by_correct_then_fewer_answers_then_user_id(store):
    for user, answers in ((5, (True,)), (3, (True,)), (4, (True, False)), (9, (True, True))):
        for correct in answers:
            await practice(store, user, correct)
    page = await store.leaderboard(GUILD, Board.PRACTICE)
    assert [(r.rank, r.user_id) for r in page.rows] == [(1, "9"), (2, "3"), (3, "5"), (4, "4")]


async def test_page_has_offset_limit_and_total(store):
    for user in range(1, 8):
        for _ in range(user):
            await practice(store, user, True)
    page = await store.leaderboard(GUILD, Board.PRACTICE, offset=2, limit=3)
    assert [(r.rank, r.user_id) for r in page.rows] == [(3, "5"), (4, "4"), (5, "3")]
    assert page.total == 7


async def test_a_page_without_a_practical_limit_lists_everyone(store):
    """The CLI's --json board asks for every row with a limit beyond any 32-bit integer."""
    for user in range(1, 4):
        await practice(store, user, True)
    page = await store.leaderboard(GUILD, Board.PRACTICE, limit=2**62)
    assert [r.user_id for r in page.rows] == ["1", "2", "3"]


async def test_opted_out_member_is_hidden_and_not_counted(store):
    for user in (1, 2, 3):
        await practice(store, user, True)
    await store.set_opt_out(GUILD, "2")
    page = await store.leaderboard(GUILD, Board.PRACTICE)
    assert [r.user_id for r in page.rows] == ["1", "3"]
    assert page.total == 2


async def test_opted_out_member_still_sees_own_rank(store):
    for user in (1, 2, 3):
        await practice(store, user, True)
    await store.set_opt_out(GUILD, "1")
    row = await store.rank_of(GUILD, "3", Board.PRACTICE)
    assert row.rank == 2
    assert (await store.rank_of(GUILD, "1", Board.PRACTICE)).rank == 1


async def test_opting_back_in_shows_the_member_again(store):
    await practice(store, 1, True)
    await store.set_opt_out(GUILD, "1")
    await store.set_opt_out(GUILD, "1", False)
    assert [r.user_id for r in (await store.leaderboard(GUILD, Board.PRACTICE)).rows] == ["1"]


async def test_rank_of_member_without_answers_is_none(store):
    assert await store.rank_of(GUILD, "42") is None


async def test_week_board_starts_monday_midnight_in_guild_zone(store, clock):
    # Sunday 23:30 in Seoul is last week; Monday 00:10 in Seoul is this week.
    await practice(store, 1, True, at=datetime(2026, 11, 22, 14, 30, tzinfo=UTC))
    await practice(store, 2, True, at=datetime(2026, 11, 22, 15, 10, tzinfo=UTC))
    page = await store.leaderboard(GUILD, Board.PRACTICE, Period.WEEK)
    assert (page.period_key, [r.user_id for r in page.rows]) == ("2026-W48", ["2"])


async def test_month_board_starts_on_the_first_in_guild_zone(store, clock):
    # Nov 1 00:10 in Seoul counts for November; Oct 31 23:50 in Seoul does not.
    await practice(store, 1, True, at=datetime(2026, 10, 31, 15, 10, tzinfo=UTC))
    await practice(store, 2, True, at=datetime(2026, 10, 31, 14, 50, tzinfo=UTC))
    page = await store.leaderboard(GUILD, Board.PRACTICE, Period.MONTH)
    assert [r.user_id for r in page.rows] == ["1"]


async def test_all_time_board_counts_every_answer_of_the_season(store):
    await practice(store, 1, True, at=datetime(2025, 1, 5, tzinfo=UTC))
    await practice(store, 1, True)
    assert (await store.rank_of(GUILD, "1", Board.PRACTICE, Period.ALL)).answered == 2


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
    stats = await store.user_stats(GUILD, "1")
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
    await store.set_opt_out(GUILD, "1")
    rows = await store.export_scores(GUILD)
    assert [(r.board, r.user_id, r.points, r.streak, r.opted_out) for r in rows] == [
        (Board.PRACTICE, "2", 4, 2, False), (Board.PRACTICE, "1", 2, 1, True)]


# ---- ranks against a brute force over the score rows ----------------------------------------

ZONE = "Asia/Seoul"


def _read(path, sql: str, params=()) -> list[tuple]:
    return read_rows(path, sql, params)


def brute_force_ranks(path, board: Board, season: int, key: str) -> dict[str, int]:
    """Rank of every member with a score row: 1 + the visible members ahead in tie-break order
    (the last tie-break is the user id as text)."""
    rows = _read(path, "SELECT user_id, points, correct, answered FROM scores WHERE community = ?"
                 " AND board = ? AND season = ? AND period = ?", (GUILD, board.value, season, key))
    hidden = {u for (u,) in _read(path, "SELECT user_id FROM members WHERE community = ?"
                                        " AND opted_out = 1", (GUILD,))}
    order = {u: (-points, -correct, answered, str(u)) for u, points, correct, answered in rows}
    return {u: 1 + sum(1 for v, k in order.items() if v not in hidden and k < mine)
            for u, mine in order.items()}


def levels_from_scores(path) -> list[tuple]:
    return _read(path, "SELECT community, board, season, period, points, count(*) FROM scores"
                       " GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5")


def stored_levels(path, *, with_empty: bool = False) -> list[tuple]:
    return _read(path, "SELECT community, board, season, period, points, members FROM score_levels"
                       f" {'' if with_empty else 'WHERE members <> 0'} ORDER BY 1, 2, 3, 4, 5")


async def assert_ranks_match(store, path, now: datetime) -> int:
    """Every member's rank_of, and the public board, against the brute force; returns how many
    ranks were compared."""
    assert stored_levels(path) == levels_from_scores(path)
    assert not _read(path, "SELECT * FROM score_levels WHERE members < 0")
    if str(path).startswith("postgresql://"):  # PostgreSQL also keeps members per exact tie
        assert _read(path, "SELECT community, board, season, period, points, correct, answered, members"
                           " FROM score_ties WHERE members <> 0 ORDER BY 1, 2, 3, 4, 5, 6, 7") == _read(
            path, "SELECT community, board, season, period, points, correct, answered, count(*)"
                  " FROM scores GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7")
    season = (await store.community_settings(GUILD)).season
    compared = 0
    for board in Board:
        for period in Period:
            key = scoring.period_key(period, now, ZONE)
            expected = brute_force_ranks(path, board, season, key)
            got = {u: (await store.rank_of(GUILD, u, board, period, now=now)).rank
                   for u in expected}
            assert got == expected, (board, period, key)
            page = await store.leaderboard(GUILD, board, period, limit=1000, now=now)
            hidden = {u for (u,) in _read(path, "SELECT user_id FROM members"
                                                " WHERE opted_out = 1")}
            assert [(r.rank, r.user_id) for r in page.rows] == sorted(
                (r, u) for u, r in expected.items() if u not in hidden)
            compared += len(expected)
    return compared


async def random_history(store, clock, rng: random.Random, steps: int, *, check_every: int,
                         path, users: int = 24) -> int:
    """Answers on both boards by `users` members over some weeks, opt-outs and opt-ins, and a
    new season two thirds of the way; ranks are checked every `check_every` steps."""
    schedule = await store.create_or_replace_schedule(GUILD, "77", "09:00", ZONE,
                                                      questions_per_post=5)
    daily: dict[str, list[int]] = {}
    compared = 0
    for step in range(steps):
        if step == 2 * steps // 3:
            await store.start_new_season(GUILD)
        user = rng.randrange(1, users + 1)
        roll = rng.random()
        if roll < 0.1:
            await store.set_opt_out(GUILD, str(user), rng.random() < 0.6)
        elif roll < 0.45:
            await practice(store, user, rng.random() < 0.6, at=clock.now())
        else:
            today = clock.now().date().isoformat()
            posts = daily.setdefault(today, [])
            if len(posts) < 5 and (not posts or rng.random() < 0.2):
                made = await store.create_daily_post(schedule.schedule_id, today, len(posts) + 1,
                                                     question())
                posts.append(made.post.post_id)
            choice = 0 if rng.random() < 0.6 else 1
            await store.record_answer(rng.choice(posts), str(user), choice, f"member {user}",
                                      now=clock.now())
        clock.advance(timedelta(hours=rng.randrange(0, 14)))
        if step % check_every == check_every - 1:
            compared += await assert_ranks_match(store, path, clock.now())
    return compared


# With a point for a wrong answer, members with equal points differ in correct answers too.
@pytest.mark.parametrize(("seed", "wrong_points"), [(1, 0), (2, 0), (3, 1), (4, 1)])
async def test_rank_equals_brute_force_on_random_boards(store_url, monkeypatch, seed, wrong_points):
    monkeypatch.setattr(scoring, "WRONG_POINTS", wrong_points)
    # From late October into November in Seoul: week and month boards roll over on the way.
    clock = ManualClock(datetime(2026, 10, 20, 0, 0, tzinfo=UTC))
    rng = random.Random(seed)
    async with await open_test_store(store_url, clock=clock, default_timezone=ZONE) as store:
        compared = await random_history(store, clock, rng, 240, check_every=40, path=store_url)
        assert compared > 300
        # Every member who ever opted out opts back in, then some of them out again.
        for (user,) in _read(store_url, "SELECT user_id FROM members WHERE opted_out = 1"):
            await store.set_opt_out(GUILD, user, False)
        await assert_ranks_match(store, store_url, clock.now())
        for user in range(1, 25, 5):
            await store.set_opt_out(GUILD, str(user))
        await assert_ranks_match(store, store_url, clock.now())


async def test_rebuild_and_zone_change_keep_ranks_and_drop_empty_levels(store_url):
    clock = ManualClock(datetime(2026, 10, 20, 0, 0, tzinfo=UTC))
    async with await open_test_store(store_url, clock=clock, default_timezone=ZONE) as store:
        await random_history(store, clock, random.Random(9), 150, check_every=1000, path=store_url)
        assert stored_levels(store_url, with_empty=True) != stored_levels(store_url)
        await store.rebuild_scores(GUILD)
        assert stored_levels(store_url, with_empty=True) == levels_from_scores(store_url)
        await assert_ranks_match(store, store_url, clock.now())
        await store.set_timezone(GUILD, "America/Los_Angeles")
        assert stored_levels(store_url, with_empty=True) == levels_from_scores(store_url)
        assert _read(store_url, "SELECT count(DISTINCT period) FROM score_levels")[0][0] > 3


async def test_ties_within_a_level_rank_by_correct_then_fewer_answers_then_user_id(store,
                                                                                   store_url):
    # All on 4 points: 7 and 8 with 2 of 2 correct, 6 with 2 of 3, 5 with 2 of 4; 9 has 6.
    for user, answers in ((5, (True, False, True, False)), (6, (False, True, True)),
                          (8, (True, True)), (7, (True, True)), (9, (True, True, True))):
        for correct in answers:
            await practice(store, user, correct)
    await store.set_opt_out(GUILD, "7")
    ranks = {u: (await store.rank_of(GUILD, u, Board.PRACTICE)).rank
             for u in ("9", "7", "8", "6", "5")}
    assert ranks == {"9": 1, "7": 2, "8": 2, "6": 3, "5": 4}


OLD_GUILD_ID = 10  # GUILD as a version 2 database stored it: a Discord guild id, an integer


def _version_2_database(path, rng: random.Random) -> None:
    """A database as migration 2 left it: two seasons of daily answers with tied points (some
    wrong answers scoring, so that equal points come with different correct counts), in two weeks
    of November 2026, and two members who opted out."""
    with closing(sqlite3.connect(path)) as conn, conn:
        for migration in load_migrations()[:2]:
            for statement in migration.statements:
                conn.execute(statement)
        conn.execute("PRAGMA user_version = 2")
        conn.execute("INSERT INTO guilds (guild_id, season, season_started_at)"
                     " VALUES (?, 2, '2026-11-01')", (OLD_GUILD_ID,))
        for post_id in range(1, 13):
            conn.execute(
                "INSERT INTO posts (post_id, guild_id, board, season, question_id, kind, prompt,"
                " choices, answer_index, explanation, term, deck, source_path, source_line,"
                " posted_at) VALUES (?, ?, 'daily', 1, 'q', 'acronym', 'p', '[\"a\", \"b\"]', 0,"
                " 'e', 't', 'd', 'f', 1, '2026-11-10T00:00:00.000000+00:00')",
                (post_id, OLD_GUILD_ID))
        for post_id in range(1, 13):
            for user in rng.sample(range(1, 31), 20):
                correct = rng.random() < 0.7
                conn.execute(
                    "INSERT INTO answers (post_id, guild_id, board, season, user_id, display_name,"
                    " choice, correct, points, streak, answered_at, week_key, month_key)"
                    " VALUES (?, ?, 'daily', ?, ?, ?, ?, ?, ?, 0, '2026-11-20T00:00:00+00:00',"
                    " ?, '2026-11')",
                    (post_id, OLD_GUILD_ID, 1 if post_id <= 3 else 2, user, f"member {user}",
                     0 if correct else 1, int(correct),
                     rng.choice((10, 11, 12, 13)) if correct else rng.choice((0, 0, 10)),
                     "2026-W47" if post_id <= 7 else "2026-W48"))
        conn.execute("UPDATE members SET opted_out = 1 WHERE user_id IN (4, 17)")


@pytest.mark.sqlite_only("a SQLite file from before communities; PostgreSQL databases begin at the community schema")
async def test_migration_fills_the_levels_of_a_version_2_database(store_url, clock):
    _version_2_database(store_url, random.Random(5))
    assert _read(store_url, "PRAGMA user_version") == [(2,)]
    async with await open_test_store(store_url, clock=clock, default_timezone=ZONE) as store:
        # Guild 10 is now the community 'discord:10', its user ids text.
        assert _read(store_url, "SELECT DISTINCT community, typeof(user_id) FROM scores") == [
            ("discord:10", "text")]
        assert sorted(u for (u,) in _read(store_url, "SELECT user_id FROM members"
                                                   " WHERE opted_out = 1")) == ["17", "4"]
        assert len(stored_levels(store_url)) > 20
        assert await assert_ranks_match(store, store_url, clock.now()) >= 60
        # The triggers keep the filled levels right for the answers that follow.
        for user in (3, 4, 31, 3):
            await practice(store, user, True)
            await store.record_answer(1, str(user), 0, f"member {user}")
        await assert_ranks_match(store, store_url, clock.now())
