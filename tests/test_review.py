"""Review sessions in the application layer: due cards first, then new entries; both modes; the
due count and next due time; no leaderboard unless the community turns it on; bad input."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app.review import ReviewMode
from bot.app.study import StudyService
from bot.community import Community
from bot.engine.cards import CardState, Rating
from bot.engine.model import QuestionKind
from bot.engine.scoring import Board, Period
from bot.errors import AlreadyAnswered, InvalidChoice, NothingToReview, NotYourQuestion, QuestionGone

from tests.test_service import ALICE, BOB, GUILD, clock, service  # noqa: F401  (the same fixtures)


async def right_answer(service: StudyService, user: str = ALICE):
    item = await service.review.next_item(community=GUILD, user_id=user, display_name="Alice")
    if item.mode is ReviewMode.FLASHCARD:
        return item, await service.review.rate(community=GUILD, post_id=item.post_id, user_id=user,
                                               rating=Rating.GOOD, display_name="Alice")
    return item, await service.review.answer(community=GUILD, post_id=item.post_id, user_id=user,
                                             choice=item.question.answer, display_name="Alice")


async def test_new_entries_come_in_notes_order_and_each_answer_makes_a_card(service, clock):
    entries = service.notes.entries
    first, verdict = await right_answer(service)
    assert first.is_new and first.question.entry_id == entries[0].id
    assert first.status.due_now == 0 and first.status.new_entries == len(entries)
    assert verdict.correct and verdict.rating is Rating.GOOD
    assert verdict.card is not None and verdict.card.state is CardState.LEARNING
    assert verdict.status.new_entries == len(entries) - 1
    assert verdict.status.next_due == verdict.card.due
    second, _ = await right_answer(service)
    assert second.question.entry_id == entries[1].id


async def test_due_cards_come_before_new_entries(service, clock):
    first, verdict = await right_answer(service)
    await right_answer(service)
    clock.set(verdict.card.due + timedelta(seconds=1))
    status = await service.review.status(GUILD, ALICE)
    assert status.due_now >= 1
    again = await service.review.next_item(community=GUILD, user_id=ALICE, display_name="Alice")
    assert not again.is_new and again.question.entry_id == first.question.entry_id


async def test_a_wrong_choice_is_again(service, clock):
    item = await service.review.next_item(community=GUILD, user_id=ALICE, display_name="Alice")
    assert item.mode is ReviewMode.CHOICE
    wrong = (item.question.answer + 1) % len(item.question.choices)
    verdict = await service.review.answer(community=GUILD, post_id=item.post_id, user_id=ALICE,
                                          choice=wrong, display_name="Alice")
    assert not verdict.correct and verdict.rating is Rating.AGAIN


async def test_a_flashcard_shows_the_term_and_takes_the_members_rating(service, clock):
    item = await service.review.next_item(community=GUILD, user_id=ALICE, display_name="Alice",
                                          mode="flashcard")
    entry = service.notes.entries[0]
    assert item.mode is ReviewMode.FLASHCARD and item.question.kind is QuestionKind.FLASHCARD
    assert item.question.prompt == entry.term and item.question.explanation == entry.definition
    back = await service.review.get_item(community=GUILD, post_id=item.post_id, user_id=ALICE)
    assert back.explanation == entry.definition
    verdict = await service.review.rate(community=GUILD, post_id=item.post_id, user_id=ALICE,
                                        rating=Rating.EASY, display_name="Alice")
    assert verdict.rating is Rating.EASY and verdict.card.state is CardState.REVIEW
    with pytest.raises(AlreadyAnswered):
        await service.review.rate(community=GUILD, post_id=item.post_id, user_id=ALICE,
                                  rating=Rating.AGAIN, display_name="Alice")


async def test_everything_studied_and_nothing_due_says_when_the_next_one_is(service, clock):
    studied = []
    for _ in range(len(service.notes.entries)):
        item, verdict = await right_answer(service)
        studied.append(verdict.card.due)
    with pytest.raises(NothingToReview) as raised:
        await service.review.next_item(community=GUILD, user_id=ALICE, display_name="Alice")
    assert raised.value.params["next_due"] == min(studied)


async def test_review_answers_count_on_no_leaderboard_unless_turned_on(service, clock):
    await right_answer(service)
    page = await service.leaderboard(GUILD, period=Period.ALL, board=Board.PRACTICE)
    assert page.rows == ()
    stats = await service.stats(GUILD, ALICE)
    assert all(b.answered == 0 for b in stats.boards.values())
    await service.review.set_counts_on_leaderboard(GUILD, True)
    assert await service.review.counts_on_leaderboard(GUILD)
    await right_answer(service)
    page = await service.leaderboard(GUILD, period=Period.ALL, board=Board.PRACTICE)
    assert [r.answered for r in page.rows] == [1]
    assert await service.export_scores(GUILD)  # the hidden review rows do not break the export


async def test_bad_input_is_refused_politely_and_stores_nothing(service, clock):
    item = await service.review.next_item(community=GUILD, user_id=ALICE, display_name="Alice")
    for post_id in (0, -1, 2**70, 999_999):
        with pytest.raises(QuestionGone):
            await service.review.answer(community=GUILD, post_id=post_id, user_id=ALICE, choice=0,
                                        display_name="Alice")
    with pytest.raises(NotYourQuestion):
        await service.review.answer(community=GUILD, post_id=item.post_id, user_id=BOB, choice=0,
                                    display_name="Bob")
    with pytest.raises(QuestionGone):  # another community's review
        await service.review.answer(community=Community.discord(11), post_id=item.post_id,
                                    user_id=ALICE, choice=0, display_name="Alice")
    with pytest.raises(InvalidChoice):
        await service.review.answer(community=GUILD, post_id=item.post_id, user_id=ALICE, choice=9,
                                    display_name="Alice")
    with pytest.raises(InvalidChoice):  # a rating for a multiple-choice card
        await service.review.rate(community=GUILD, post_id=item.post_id, user_id=ALICE, rating=3,
                                  display_name="Alice")
    practice = await service.next_practice_question(community=GUILD, user_id=ALICE, display_name="Alice")
    with pytest.raises(QuestionGone):  # a practice post is not a review
        await service.review.answer(community=GUILD, post_id=practice.post_id, user_id=ALICE,
                                    choice=0, display_name="Alice")
    assert await service.member_cards(GUILD, ALICE) == {}


async def test_an_entry_that_left_the_notes_is_not_offered_but_its_card_stays(service, clock, monkeypatch):
    first, verdict = await right_answer(service)
    gone = first.question.entry_id
    clock.set(verdict.card.due + timedelta(days=1))
    real_get = service.glossary.get
    monkeypatch.setattr(service.glossary, "get", lambda key: None if key == gone else real_get(key))
    item = await service.review.next_item(community=GUILD, user_id=ALICE, display_name="Alice")
    assert item.question.entry_id != gone and item.is_new
    assert (await service.review.status(GUILD, ALICE)).due_now == 0
    assert gone in await service.member_cards(GUILD, ALICE)


def test_console_review_multiple_choice_then_flashcard(tmp_path: Path) -> None:
    from tests.test_console import console

    db = tmp_path / "c.db"
    result = console(db, "/review\nA\n/review flash\n/show\n4\n/stats\n")
    out = result.stdout
    assert result.returncode == 0
    assert "New entry" in out and "Due now: 0" in out
    assert "Correct. Next review" in out or "Not quite" in out
    assert "Type /show to see the definition." in out and "Rated Easy." in out
    assert "practice: 0 answered" in out  # reviews count on no leaderboard
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM cards").fetchone()[0] == 2
        assert conn.execute("SELECT rating FROM answers ORDER BY answer_id").fetchall() == [(None,), (4,)]


def test_console_rating_without_a_shown_flashcard_is_not_an_answer(tmp_path: Path) -> None:
    from tests.test_console import console

    db = tmp_path / "c.db"
    result = console(db, "/review flash\n3\n/show\n9\n/show\n")
    assert result.returncode == 0 and "Rated" not in result.stdout
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM answers").fetchone()[0] == 0


async def test_a_typed_review_accepts_a_near_miss_and_says_why(service, clock):
    item = await service.review.next_item(community=GUILD, user_id=ALICE, display_name="Alice", mode="typed")
    entry = service.notes.entries[0]
    assert item.mode is ReviewMode.TYPED and item.question.prompt == entry.definition
    term = entry.term
    near = term[:-1] + ("x" if term[-1] != "x" else "y") if len(term) >= 4 else term
    verdict = await service.review.answer_typed(community=GUILD, post_id=item.post_id, user_id=ALICE,
                                                text=near, display_name="Alice")
    assert verdict.correct and verdict.rating is Rating.GOOD and verdict.typed is not None
    assert verdict.typed.expected == term


async def test_a_typed_answer_that_cannot_be_judged_stores_nothing(service, clock):
    from bot.errors import TypedAnswerRefused

    item = await service.review.next_item(community=GUILD, user_id=ALICE, display_name="Alice", mode="typed")
    for text, code in (("k" * 5000, "typed_too_long"), ("\u200b\u200d", "typed_empty"), ("🙂🙂", "typed_empty")):
        with pytest.raises(TypedAnswerRefused) as refused:
            await service.review.answer_typed(community=GUILD, post_id=item.post_id, user_id=ALICE,
                                              text=text, display_name="Alice")
        assert refused.value.code == code
    assert await service.member_cards(GUILD, ALICE) == {}
    wrong = await service.review.answer_typed(community=GUILD, post_id=item.post_id, user_id=ALICE,
                                              text="definitely not it", display_name="Alice")
    assert not wrong.correct and wrong.rating is Rating.AGAIN


def test_console_typed_review(tmp_path: Path) -> None:
    from tests.test_console import console

    result = console(tmp_path / "c.db", "/review type\n\u200b\nkubernetes-nonsense-answer\n")
    out = result.stdout
    assert "Type the term this definition describes." in out
    assert "nothing to check" in out and "Not quite: the expected answer is" in out
