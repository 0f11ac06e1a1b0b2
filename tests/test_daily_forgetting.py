"""The daily quiz asks what the group is forgetting: lowest mean predicted recall among members
who studied an entry, and entries few members have seen, first; deterministic per slot; the
reveal says why."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

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
    r_fresh, r_stale = recall(fresh, when), recall(stale, when)
    memory = {  # as Store.entry_memory gives it: seen, sampled, summed recall, sampled under 0.5
        "remembered": (4, 4, 4 * r_fresh, 0),
        "forgotten": (4, 4, 4 * r_stale, 4 * (r_stale < FORGOTTEN_BELOW)),
        "few": (1, 1, r_fresh, 0),
    }
    scores = forgetting_scores(4, memory, ["remembered", "forgotten", "few", "nobody"])
    score = {e: s for e, (s, _) in scores.items()}
    assert score["nobody"] == 1.0  # studied by nobody: nobody is expected to recall it
    assert score["forgotten"] > score["remembered"] and score["few"] > score["remembered"]
    assert scores["forgotten"][1] == PickReason(members=4, seen=4, forgetting=4 * (r_stale < FORGOTTEN_BELOW))
    assert scores["remembered"][1].forgetting == 0
    assert scores["nobody"][1] == PickReason(4, 0, 0)
    assert forgetting_scores(0, {}, ["a"]) == {}  # a group without cards: no opinion


def test_the_reveal_wording_in_both_languages() -> None:
    assert why_chosen(12, 12, 7, "en") == "7 of 12 members who studied this are likely to have forgotten it."
    assert "5 of 12 members have not studied it yet." in why_chosen(12, 7, 3, "en")
    assert "7명" in why_chosen(12, 12, 7, "ko")
    assert why_chosen(12, 12, 0, "en") == ""


@pytest.fixture
async def world(store_url: str):
    w = await open_world(store_url, ManualClock(START))
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


async def test_the_store_computes_the_same_recall_as_fsrs_over_a_bounded_sample(world: World) -> None:
    w = world
    entry = w.service.notes.entries[0].id
    for user, rating in (("1", Rating.AGAIN), ("2", Rating.GOOD), ("3", Rating.EASY)):
        await answer_entry(w, user, entry, rating, START)
    when = START + timedelta(days=40, hours=5)
    cards_now = [(await w.store.member_cards(GUILD, u))[entry] for u in ("1", "2", "3")]
    expected = [recall(c, when) for c in cards_now]
    members, memory = await w.store.entry_memory(GUILD, [entry, "never-studied"], sample=64, when=when,
                                                 curve=cards.recall_curve(), below=FORGOTTEN_BELOW)
    seen, sampled, total, low = memory[entry]
    assert (members, seen, sampled) == (3, 3, 3) and "never-studied" not in memory
    assert total == pytest.approx(sum(expected)) and low == sum(r < FORGOTTEN_BELOW for r in expected)
    _, small = await w.store.entry_memory(GUILD, [entry], sample=2, when=when, curve=cards.recall_curve(),
                                          below=FORGOTTEN_BELOW)
    assert small[entry][:2] == (3, 2)  # everyone counted, two sampled (the first by member id)
    assert small[entry][2] == pytest.approx(sum(expected[:2]))
