"""Spaced-repetition cards: the answer → rating mapping, FSRS reviews on a manual clock, the card
kept in the answer's own transaction, and a rebuild from the answer log that equals it."""

from __future__ import annotations

import asyncio
import io
import random
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main as cli_main
from bot.clock import ManualClock
from bot.community import Community
from bot.engine import cards
from bot.engine.cards import Card, CardState, Rating, rating_for, recall, review
from bot.engine.model import Question, QuestionKind, SourceRef
from bot.store import Store, StoreError
from tests.conftest import REPO_ROOT

GUILD = Community.discord(10)
OTHER = Community("console:local")
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def question(entry: str = "e1", answer: int = 1) -> Question:
    return Question(id=f"q-{entry}", kind=QuestionKind.TERM_TO_DEFINITION, prompt=f"what is {entry}",
                    choices=("a", "b", "c", "d"), answer=answer, explanation="because",
                    term=entry.title(), deck="cloud", source=SourceRef("notes/cloud.md", 12),
                    entry_id=entry)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def store(db_path, clock):
    async with await Store.open(db_path, clock=clock, default_timezone="Asia/Seoul") as s:
        yield s


async def answer(store: Store, clock: ManualClock, entry: str, right: bool, *, user: str = "1",
                 community: Community = GUILD, digest: str | None = "h1"):
    post = await store.create_practice_post(community, user, question(entry), definition_hash=digest)
    return await store.record_answer(post.post_id, user, 1 if right else 0, f"user {user}",
                                     now=clock.now())


# -- the mapping and FSRS, pure -------------------------------------------------------------------


def test_a_wrong_answer_is_again_and_a_right_one_good() -> None:
    assert rating_for(False) is Rating.AGAIN
    assert rating_for(True) is Rating.GOOD


def test_a_flashcard_keeps_the_rating_the_member_gave_whatever_correct_says() -> None:
    for given in Rating:
        assert rating_for(True, int(given)) is given
        assert rating_for(False, int(given)) is given


@pytest.mark.parametrize("bad", [0, 5, -1])
def test_a_rating_outside_again_to_easy_is_refused(bad: int) -> None:
    with pytest.raises(ValueError):
        rating_for(True, bad)


def test_a_new_card_learns_in_steps_then_graduates_and_the_intervals_grow() -> None:
    first = review(None, Rating.GOOD, START)
    assert first.state is CardState.LEARNING and first.reps == 1 and first.lapses == 0
    assert first.due - START < timedelta(hours=1)  # a learning step, not days
    card = first
    when = START
    for _ in range(6):
        when = card.due
        card = review(card, Rating.GOOD, when)
    assert card.state is CardState.REVIEW
    gaps = []
    for _ in range(3):
        when = card.due
        card = review(card, Rating.GOOD, when)
        gaps.append(card.due - when)
    assert gaps == sorted(gaps) and gaps[-1] > timedelta(days=7)
    assert card.last_review == when and card.reps == 10


def test_again_on_a_learned_card_is_a_lapse_and_relearns() -> None:
    card = review(None, Rating.EASY, START)
    assert card.state is CardState.REVIEW
    lapsed = review(card, Rating.AGAIN, card.due)
    assert lapsed.state is CardState.RELEARNING and lapsed.lapses == 1
    assert lapsed.stability < card.stability
    again_learning = review(None, Rating.AGAIN, START)
    assert again_learning.lapses == 0  # forgetting something never learned is no lapse


def test_reviews_are_deterministic_no_fuzz() -> None:
    def run() -> Card:
        card = None
        when = START
        for rating in (Rating.GOOD, Rating.GOOD, Rating.HARD, Rating.GOOD, Rating.AGAIN, Rating.GOOD):
            card = review(card, rating, when)
            when = card.due + timedelta(hours=3)
        assert card is not None
        return card

    assert run() == run()


def test_predicted_recall_falls_with_time_and_is_zero_for_an_unseen_entry() -> None:
    card = review(None, Rating.EASY, START)
    soon, later = recall(card, START + timedelta(days=1)), recall(card, START + timedelta(days=60))
    assert 1 >= soon > later > 0
    assert recall(None, START) == 0.0


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError):
        review(None, Rating.GOOD, datetime(2026, 11, 23))


def test_the_definition_hash_ignores_spacing_and_normalisation_but_not_words() -> None:
    h = cards.definition_hash
    assert h("A  container\nimage") == h(" A container image ")
    assert h("\u1100\u1161") == h("\uac00")  # NFD and NFC Hangul
    assert h("A container image") != h("A VM image")


# -- the store: same transaction, rebuild ------------------------------------------------------------


async def test_an_answer_reviews_the_members_card_of_its_entry(store, clock):
    await answer(store, clock, "e1", True)
    got = await store.member_cards(GUILD, "1")
    assert set(got) == {"e1"}
    assert got["e1"] == review(None, Rating.GOOD, START)
    clock.advance(timedelta(days=2))
    await answer(store, clock, "e1", False)
    expected = review(review(None, Rating.GOOD, START), Rating.AGAIN, clock.now())
    assert (await store.member_cards(GUILD, "1"))["e1"] == expected
    assert await store.member_cards(GUILD, "2") == {}


async def test_a_refused_answer_reviews_nothing(store, clock):
    post = await store.create_practice_post(GUILD, "1", question("e1"))
    await store.record_answer(post.post_id, "1", 1, "Ann")
    before = await store.all_cards()
    clock.advance(timedelta(days=3))
    await store.record_answer(post.post_id, "1", 0, "Ann")  # duplicate
    assert await store.all_cards() == before


async def test_a_question_without_an_entry_makes_no_card(store, clock):
    q = Question(id="q", kind=QuestionKind.TERM_TO_DEFINITION, prompt="p", choices=("a", "b"),
                 answer=0, explanation="", term="T", deck="d", source=SourceRef("n.md", 1))
    post = await store.create_practice_post(GUILD, "1", q)
    await store.record_answer(post.post_id, "1", 0, "Ann")
    assert await store.all_cards() == []


def refuse_cards(db_path: Path, when: str = "1") -> None:
    """Make every write of a card fail (for an entry matching `when`), as a full disk or a bug would."""
    with sqlite3.connect(db_path) as conn:
        for event in ("INSERT", "UPDATE"):
            conn.execute(f"CREATE TRIGGER refuse_card_{event.lower()} BEFORE {event} ON cards"
                         f" WHEN {when} BEGIN SELECT RAISE(ABORT, 'cards refused'); END")


async def test_an_answer_whose_card_cannot_be_written_is_not_recorded(store, clock, db_path):
    await answer(store, clock, "e1", True)  # so the second answer's card is an update
    cards_before = await store.all_cards()
    post = await store.create_practice_post(GUILD, "1", question("e1"))
    refuse_cards(db_path)
    with pytest.raises(StoreError, match="cards refused"):
        await store.record_answer(post.post_id, "1", 1, "Ann", now=clock.now())
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM answers WHERE post_id = ?", (post.post_id,)).fetchone()[0] == 0
        assert conn.execute("SELECT answer_count FROM posts WHERE post_id = ?", (post.post_id,)).fetchone()[0] == 0
        assert conn.execute("SELECT answered FROM scores WHERE period = 'all'").fetchall() == [(1,)]
        conn.execute("DROP TRIGGER refuse_card_insert")
        conn.execute("DROP TRIGGER refuse_card_update")
    assert await store.all_cards() == cards_before
    retried = await store.record_answer(post.post_id, "1", 1, "Ann", now=clock.now())
    assert retried.accepted  # not a duplicate: nothing of the failed attempt stayed


async def test_a_card_that_cannot_be_written_sinks_only_its_own_answer_of_a_batch(store, clock, db_path):
    posts = [await store.create_practice_post(GUILD, str(u), question("bad" if u == 3 else "e1"))
             for u in range(6)]
    refuse_cards(db_path, "NEW.entry_id = 'bad'")
    results = await asyncio.gather(*(store.record_answer(p.post_id, str(u), 1, f"user {u}", now=clock.now())
                                     for u, p in enumerate(posts)), return_exceptions=True)
    assert [isinstance(r, StoreError) for r in results] == [False, False, False, True, False, False]
    with sqlite3.connect(db_path) as conn:
        assert sorted(u for (u,) in conn.execute("SELECT user_id FROM answers")) == ["0", "1", "2", "4", "5"]
        assert sorted(u for (u,) in conn.execute("SELECT user_id FROM cards")) == ["0", "1", "2", "4", "5"]


async def test_the_card_remembers_the_definition_it_was_last_reviewed_on(store, clock):
    await answer(store, clock, "e1", True, digest="old")
    assert (await store.all_cards())[0][-1] == "old"
    await answer(store, clock, "e1", True, digest="new")
    assert (await store.all_cards())[0][-1] == "new"
    await answer(store, clock, "e1", True, digest=None)  # a post without one keeps the last
    assert (await store.all_cards())[0][-1] == "new"


async def test_a_rebuild_from_the_answer_log_gives_the_same_cards(store, clock):
    rng = random.Random(14)
    entries = [f"e{i}" for i in range(6)]
    users = [str(u) for u in range(5)]
    schedule = await store.create_or_replace_schedule(GUILD, "20", "09:00", "Asia/Seoul")
    for day in range(25):
        day_start = START + timedelta(days=day)
        clock.set(day_start)
        daily = (await store.create_daily_post(schedule.schedule_id, day_start.date().isoformat(), 1,
                                               question(rng.choice(entries)),
                                               definition_hash=f"d{day % 3}")).post
        for user in users:
            clock.advance(timedelta(minutes=rng.randrange(1, 90), microseconds=rng.randrange(10**6)))
            if rng.random() < 0.7:
                await store.record_answer(daily.post_id, user, rng.randrange(4), f"user {user}",
                                          now=clock.now())
            for _ in range(rng.randrange(4)):
                clock.advance(timedelta(seconds=rng.randrange(5, 4000)))
                await answer(store, clock, rng.choice(entries), rng.random() < 0.6, user=user,
                             community=rng.choice([GUILD, OTHER]), digest=rng.choice(["h1", "h2", None]))
    incremental = await store.all_cards()
    assert len(incremental) > 30
    done = await store.rebuild_cards()
    assert done.cards == len(incremental)
    assert await store.all_cards() == incremental


async def test_the_members_with_cards_are_counted_as_cards_are_made_and_after_a_rebuild(store, clock):
    async def studying(community: Community) -> int:
        members, _ = await store.entry_memory(community, [], sample=1, when=clock.now(),
                                              curve=cards.recall_curve(), below=0.5)
        return members

    assert await studying(GUILD) == 0
    await answer(store, clock, "e1", True, user="1")
    await answer(store, clock, "e1", False, user="1")  # the same card again
    await answer(store, clock, "e2", True, user="1")  # a second card of the same member
    await answer(store, clock, "e1", True, user="2")
    await answer(store, clock, "e1", True, user="3", community=OTHER)
    assert (await studying(GUILD), await studying(OTHER)) == (2, 1)
    await store.rebuild_cards()
    assert (await studying(GUILD), await studying(OTHER)) == (2, 1)


async def test_an_old_database_gets_cards_for_its_answers_when_it_is_opened(tmp_path):
    path = tmp_path / "old.db"
    shutil.copyfile(REPO_ROOT / "tests" / "data" / "release-2026-11-27.db", path)
    clock = ManualClock(START)
    async with await Store.open(path, clock=clock) as store:
        assert await store.get_meta("cards_stale") is None
        migrated = await store.all_cards()
        await store.rebuild_cards()
        assert await store.all_cards() == migrated
    with sqlite3.connect(path) as conn:
        keys = conn.execute(
            "SELECT count(*) FROM (SELECT DISTINCT a.community, a.user_id, p.entry_id FROM answers a"
            " JOIN posts p ON p.post_id = a.post_id WHERE p.entry_id IS NOT NULL)").fetchone()[0]
    assert len(migrated) == keys


def test_the_cards_rebuild_command(db_path, clock, tmp_path: Path):
    async def prepare() -> None:
        async with await Store.open(db_path, clock=clock) as store:
            await answer(store, clock, "e1", True)
            await answer(store, clock, "e2", False)

    asyncio.run(prepare())
    out = io.StringIO()
    assert cli_main(["cards", "rebuild", "--db", str(db_path)], out=out) == 0
    assert out.getvalue().startswith("rebuilt 2 cards from 2 answers in ")
