"""The daily quiz asks what the group is forgetting: lowest mean predicted recall among members
who studied an entry, and entries few members have seen, first; deterministic per slot; the
reveal says why."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.app.daily import FORGOTTEN_BELOW, PickReason, choose_question, forgetting_scores
from bot.app.messages import why_chosen
from bot.engine import cards
from bot.engine.cards import Rating, recall, recall_after, review
from bot.engine.model import Question, QuestionKind, SourceRef
from bot.engine.schedule import DailySlot
from bot.clock import ManualClock
from tests.test_daily_logic import GUILD, World, open_world

START = datetime(2026, 3, 2, 0, 30, tzinfo=UTC)


def q(n: int, entry: str) -> Question:
    return Question(id=f"q{n}", kind=QuestionKind.TERM_TO_DEFINITION, prompt="p", choices=("a", "b"),
                    answer=0, explanation="", term=f"t{n}", deck="d", source=SourceRef("f.md", 1),
                    entry_id=entry)


def test_recall_after_is_fsrs_retrievability() -> None:
    rng = random.Random(3)
    for _ in range(200):
        card = review(None, rng.choice(list(Rating)), START)
        days = rng.randrange(0, 400)
        assert recall_after(card.stability, days) == pytest.approx(recall(card, START + timedelta(days=days)))


def test_forgetting_comes_after_no_repeats_and_before_misses() -> None:
    pool = [q(1, "a"), q(2, "b"), q(3, "c")]
    weights = {"a": 0.2, "b": 0.9, "c": 0.5}
    assert choose_question(pool, {}, {"t1": 9}, salt="s", forgetting=weights).id == "q2"
    assert choose_question(pool, {"q2": 1}, {}, salt="s", forgetting=weights).id == "q3"  # q2 was asked
    assert choose_question(pool, {}, {"t1": 9}, salt="s").id == "q1"  # no cards: misses decide, as before


def test_scores_prefer_low_recall_and_few_seen() -> None:
    when = START + timedelta(days=30)
    fresh = review(None, Rating.EASY, when - timedelta(days=1))
    stale = review(None, Rating.AGAIN, START)
    memory = {
        "remembered": (4, [(fresh.stability, fresh.last_review.isoformat())] * 4),
        "forgotten": (4, [(stale.stability, stale.last_review.isoformat())] * 4),
        "few": (1, [(fresh.stability, fresh.last_review.isoformat())]),
    }
    scores = forgetting_scores(4, memory, ["remembered", "forgotten", "few", "nobody"], when)
    score = {e: s for e, (s, _) in scores.items()}
    assert score["nobody"] == 1.0  # studied by nobody: nobody is expected to recall it
    assert score["forgotten"] > score["remembered"] and score["few"] > score["remembered"]
    assert scores["forgotten"][1] == PickReason(members=4, seen=4, forgetting=4)
    assert scores["remembered"][1].forgetting == 0
    assert scores["nobody"][1] == PickReason(4, 0, 0)
    assert forgetting_scores(0, {}, ["a"], when) == {}  # a group without cards: no opinion


def test_the_reveal_wording_in_both_languages() -> None:
    assert why_chosen(12, 12, 7, "en") == "7 of 12 members who studied this are likely to have forgotten it."
    assert "5 of 12 members have not studied it yet." in why_chosen(12, 7, 3, "en")
    assert "7명" in why_chosen(12, 12, 7, "ko")
    assert why_chosen(12, 12, 0, "en") == ""


@pytest.fixture
async def world(tmp_path: Path):
    w = await open_world(tmp_path / "daily.db", ManualClock(START))
    yield w
    await w.store.close()


async def answer_entry(w: World, user: str, entry_id: str, rating: Rating, when: datetime) -> None:
    """A member reviews an entry's flashcard at `when` with `rating`."""
    w.clock.set(when)
    entry = w.service.glossary.get(entry_id)
    from bot.app.review import flashcard_question

    post = await w.store.create_practice_post(GUILD, user, flashcard_question(entry), review=True)
    await w.store.record_answer(post.post_id, user, 0 if rating > 1 else 1, f"m{user}", rating=int(rating))


async def test_the_daily_pick_asks_what_the_group_is_forgetting_and_says_why(world: World, monkeypatch) -> None:
    w = world
    schedule = (await w.quiz.set_schedule(GUILD, "2001", "09:00", timezone="Asia/Seoul")).schedule
    bank = w.service.bank
    entries = [e.id for e in w.service.notes.entries if any(q.entry_id == e.id for q in bank.for_entry(e.id))][:3]
    pool = tuple(q for e in entries for q in bank.for_entry(e) if q.entry_id == e)
    monkeypatch.setattr(w.quiz, "pool", lambda topic: pool)
    kept, lost, good = entries
    for user in ("1", "2", "3", "4"):
        await answer_entry(w, user, kept, Rating.EASY, START)
        await answer_entry(w, user, lost, Rating.AGAIN, START)
        await answer_entry(w, user, good, Rating.GOOD, START)
    # Half a year later the entry everyone got wrong is the one they are likely to have forgotten.
    day = date(2026, 9, 18)
    w.clock.set(datetime(2026, 9, 18, 0, 0, tzinfo=UTC))
    slot = DailySlot(day, datetime(2026, 9, 18, 0, 0, tzinfo=UTC))
    batch = await w.quiz.create_slot_posts(schedule, slot)
    (post,) = batch.new
    assert post.question.entry_id == lost
    reason = PickReason.parse(post.pick_reason)
    assert reason == PickReason(members=4, seen=4, forgetting=4)
    # Deterministic for the slot: a second process's pick for the same slot agrees.
    other = await w.quiz._pick(schedule, day.isoformat(), [1])
    assert other[0][0].entry_id == lost

    from cogs.daily._views import reveal_embed
    from bot.app.ports import Reveal
    from bot.store.records import PostResults

    embed = reveal_embed(Reveal(post, PostResults(post.post_id, (0,) * len(post.question.choices), 0, ())), "en")
    assert any(f.name == "Why this question" and "4 of 4 members" in f.value for f in embed.fields)


def test_forgotten_below_is_a_probability() -> None:
    assert 0 < FORGOTTEN_BELOW < cards.DESIRED_RETENTION
