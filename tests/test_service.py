"""The application service: the use cases every front end calls, on a real deck and database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.community import Community
from bot.errors import (
    AlreadyAnswered,
    NothingFound,
    NotYourQuestion,
    QuestionGone,
    UnknownTopic,
)
from bot.engine.scoring import Board
from bot.app.study import MAX_QUERY, StudyService
from bot.store import Store
from tests.backends import open_test_store
from tests.conftest import ALIASES_FILE, DEFAULT_NOTES

GUILD, ALICE, BOB = Community.discord(10), "1001", "1002"
OTHER_GUILD = Community.discord(11)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 27, 3, 0, tzinfo=UTC))


@pytest.fixture
async def service(store_url: str, clock: ManualClock):
    store = await open_test_store(store_url, clock=clock, default_timezone="Asia/Seoul")
    try:
        yield StudyService(notes_path=DEFAULT_NOTES, store=store, clock=clock, aliases_path=ALIASES_FILE)
    finally:
        await store.close()


async def test_define_finds_hpa_by_acronym(service: StudyService) -> None:
    assert "HPA" in service.define("HPA").entry.names


async def test_define_accepts_an_entry_id_from_autocomplete(service: StudyService) -> None:
    entry = service.lookup("쿠버네티스")[0]
    assert service.define(entry.id).entry == entry


async def test_define_returns_related_terms_but_never_the_entry_itself(service: StudyService) -> None:
    definition = service.define("Resiliency")
    assert definition.related and definition.entry not in definition.related


async def test_define_with_no_match_raises_with_suggestions(service: StudyService) -> None:
    with pytest.raises(NothingFound):
        service.define("qqqqzzzz")


async def test_practice_answer_counts_on_the_practice_board(service: StudyService) -> None:
    asked = await service.next_practice_question(community=GUILD, user_id=ALICE, display_name="Alice")
    outcome = await service.answer(community=GUILD, post_id=asked.post_id, user_id=ALICE,
                                   choice=asked.question.answer, display_name="Alice")
    assert outcome.correct
    page = await service.leaderboard(GUILD, period="all", board="practice")
    assert [(r.user_id, r.correct) for r in page.rows] == [(ALICE, 1)]
    assert (await service.leaderboard(GUILD, period="all", board="daily")).rows == ()


async def test_second_answer_to_the_same_question_is_refused_with_the_first_choice(service: StudyService) -> None:
    asked = await service.next_practice_question(community=GUILD, user_id=ALICE, display_name="Alice")
    wrong = (asked.question.answer + 1) % len(asked.question.choices)
    await service.answer(community=GUILD, post_id=asked.post_id, user_id=ALICE, choice=wrong, display_name="Alice")
    with pytest.raises(AlreadyAnswered) as caught:
        await service.answer(community=GUILD, post_id=asked.post_id, user_id=ALICE, choice=asked.question.answer,
                             display_name="Alice")
    assert caught.value.params["choice"] == wrong


async def test_only_the_asker_can_answer_a_practice_question(service: StudyService) -> None:
    asked = await service.next_practice_question(community=GUILD, user_id=ALICE, display_name="Alice")
    with pytest.raises(NotYourQuestion):
        await service.answer(community=GUILD, post_id=asked.post_id, user_id=BOB, choice=0, display_name="Bob")


async def test_unknown_post_is_reported_as_gone(service: StudyService) -> None:
    with pytest.raises(QuestionGone):
        await service.answer(community=GUILD, post_id=999_999, user_id=ALICE, choice=0, display_name="Alice")


async def test_a_post_of_another_guild_is_gone_and_nothing_is_stored(service: StudyService) -> None:
    asked = await service.next_practice_question(community=GUILD, user_id=ALICE, display_name="Alice")
    with pytest.raises(QuestionGone):
        await service.answer(community=OTHER_GUILD, post_id=asked.post_id, user_id=ALICE,
                             choice=asked.question.answer, display_name="Alice")
    for guild in (GUILD, OTHER_GUILD):
        stats = await service.stats(guild, ALICE)
        assert sum(board.answered for board in stats.boards.values()) == 0


async def test_a_button_of_another_board_cannot_answer_the_post(service: StudyService) -> None:
    asked = await service.next_practice_question(community=GUILD, user_id=ALICE, display_name="Alice")
    with pytest.raises(QuestionGone):
        await service.answer(community=GUILD, post_id=asked.post_id, user_id=ALICE, board=Board.DAILY,
                             choice=asked.question.answer, display_name="Alice")
    outcome = await service.answer(community=GUILD, post_id=asked.post_id, user_id=ALICE, board=Board.PRACTICE,
                                   choice=asked.question.answer, display_name="Alice")
    assert outcome.correct


@pytest.mark.parametrize("post_id", [0, -5, 2**63, 10**30])
async def test_a_post_id_no_sqlite_row_can_have_is_gone(service: StudyService, post_id: int) -> None:
    with pytest.raises(QuestionGone):
        await service.answer(community=GUILD, post_id=post_id, user_id=ALICE, choice=0, display_name="Alice")


async def test_a_5000_character_query_is_cut_to_max_query_before_lookup(service: StudyService) -> None:
    hostile = "HPA" + "@everyone <@&1> " * 312
    with pytest.raises(NothingFound) as caught:
        service.define(hostile)
    assert len(caught.value.params["query"]) == MAX_QUERY
    with pytest.raises(NothingFound):
        service.search("'; DROP TABLE answers; --" * 200)
    assert len(service.lookup("x" * 5000)) <= 25


async def test_quiz_me_on_an_entry_asks_about_that_entry(service: StudyService) -> None:
    entry = service.define("KEDA").entry
    asked = await service.next_practice_question(community=GUILD, user_id=ALICE, display_name="Alice",
                                                 entry_id=entry.id)
    assert asked.question.entry_id == entry.id


async def test_quiz_me_on_an_entry_that_vanished_says_it_is_gone(service: StudyService) -> None:
    with pytest.raises(QuestionGone):
        await service.next_practice_question(community=GUILD, user_id=ALICE, display_name="Alice",
                                             entry_id="000000000000")


async def test_quiz_topic_accepts_an_unambiguous_part_of_a_section_name(service: StudyService) -> None:
    asked = await service.next_practice_question(community=GUILD, user_id=ALICE, display_name="Alice",
                                                 topic="Open Stand")
    assert "Open Standards" in asked.question.section


async def test_unknown_topic_is_refused(service: StudyService) -> None:
    with pytest.raises(UnknownTopic):
        await service.next_practice_question(community=GUILD, user_id=ALICE, display_name="Alice",
                                             topic="astrophysics")


async def test_answer_survives_a_restart_because_the_question_is_stored_with_the_post(
    store_url: str, clock: ManualClock, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("- **Pod**: 쿠버네티스의 가장 작은 배포 단위\n- **Node**: 파드가 실행되는 머신\n"
                     "- **Service**: 파드 집합에 대한 네트워크 접근 방법\n", encoding="utf-8")
    async with await open_test_store(store_url, clock=clock) as store:
        first = StudyService(notes_path=notes, store=store, clock=clock)
        asked = await first.next_practice_question(community=GUILD, user_id=ALICE, display_name="Alice")
    notes.write_text("- **Deployment**: 레플리카셋을 관리하는 오브젝트\n", encoding="utf-8")
    async with await open_test_store(store_url, clock=clock) as store:
        second = StudyService(notes_path=notes, store=store, clock=clock)
        outcome = await second.answer(community=GUILD, post_id=asked.post_id, user_id=ALICE,
                                      choice=asked.question.answer, display_name="Alice")
    assert outcome.correct and outcome.question.id == asked.question.id


async def test_reload_picks_up_edited_notes(db_path: Path, clock: ManualClock, tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("- **Pod**: 가장 작은 배포 단위\n", encoding="utf-8")
    async with await Store.open(db_path, clock=clock) as store:
        service = StudyService(notes_path=notes, store=store, clock=clock)
        notes.write_text("- **Pod**: 가장 작은 배포 단위\n- **Node**: 파드가 실행되는 머신\n", encoding="utf-8")
        report = service.reload()
    assert report.entries == 2 and service.define("Node").entry.term == "Node"


async def test_weekly_board_starts_again_on_monday_in_the_guild_zone(service: StudyService, clock: ManualClock) -> None:
    # Sunday 23:30 in Seoul is Sunday 14:30 UTC; an hour later it is Monday in Seoul.
    clock.set(datetime(2026, 11, 29, 14, 30, tzinfo=UTC))
    asked = await service.next_practice_question(community=GUILD, user_id=ALICE, display_name="Alice")
    await service.answer(community=GUILD, post_id=asked.post_id, user_id=ALICE, choice=asked.question.answer,
                         display_name="Alice")
    assert len((await service.leaderboard(GUILD, period="week", board="practice")).rows) == 1
    clock.advance(timedelta(hours=1))
    assert (await service.leaderboard(GUILD, period="week", board="practice")).rows == ()
    assert len((await service.leaderboard(GUILD, period="all", board="practice")).rows) == 1


async def test_new_season_empties_the_boards_but_keeps_answers(service: StudyService) -> None:
    asked = await service.next_practice_question(community=GUILD, user_id=ALICE, display_name="Alice")
    await service.answer(community=GUILD, post_id=asked.post_id, user_id=ALICE, choice=asked.question.answer,
                         display_name="Alice")
    await service.start_new_season(GUILD)
    assert (await service.leaderboard(GUILD, period="all", board="practice")).rows == ()
    with pytest.raises(AlreadyAnswered):  # the answer itself is still on record
        await service.answer(community=GUILD, post_id=asked.post_id, user_id=ALICE, choice=0, display_name="Alice")
