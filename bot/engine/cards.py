"""Spaced-repetition cards: one per member per glossary entry, scheduled by FSRS.

The algorithm is the maintained `fsrs` package's; this module only decides two things.

**How an answer becomes a rating** (`rating_for`):

* a self-rated flashcard: the rating the member gave (Again, Hard, Good or Easy), as is;
* any graded answer (practice, daily, a multiple-choice review): wrong is Again, right is Good.

A right answer is never turned into Hard for having taken long. The only time the bot knows is
from when a message was posted to when the click arrived: for a daily post that includes the
hours before the member even opened the channel, and for a personal question it includes the
platform's round trips and whatever else the member was doing. That is not thinking time, and a
"usual" built from it would mostly measure when people read their messages, so Hard would be
given for the wrong reason. A member who hesitated can say so on a flashcard.

**Determinism.** Fuzzing is off: the same answers in the same order always give the same card,
so the cards can be rebuilt from the answer log and compared with the incrementally kept ones,
and two processes never disagree about a due time. `review` is a pure function of the previous
card, the rating and the time of the answer.

Cards are derived data: the store keeps them with each answer (same transaction, through
`after_answer`) and can rebuild them from the answers; nothing here touches the database.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum

from fsrs import Card as _FsrsCard
from fsrs import Rating as _FsrsRating
from fsrs import Scheduler as _FsrsScheduler
from fsrs import State as _FsrsState


class Rating(IntEnum):
    """FSRS's four grades, with the same numbers (stored as such in `answers.rating`)."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4


class CardState(IntEnum):
    """FSRS's card states, with the same numbers (stored in `cards.state`)."""

    LEARNING = 1
    REVIEW = 2
    RELEARNING = 3


# Retention the schedule aims for, and the steps of a new or forgotten card within a day.
DESIRED_RETENTION = 0.9
_SCHEDULER = _FsrsScheduler(desired_retention=DESIRED_RETENTION, enable_fuzzing=False)


class _ReviewedCard(_FsrsCard):
    """FSRS's card with a cheap shallow copy: `Scheduler.review_card` starts with `copy(card)`,
    which for a plain object goes through `__reduce_ex__` and `copyreg`; this makes the same copy
    (a new object of the class with the same attributes) directly. The review runs once per
    answer inside the answer's transaction, so its Python is on every answer's path."""

    def __copy__(self) -> _ReviewedCard:
        copied = object.__new__(type(self))
        copied.__dict__.update(self.__dict__)
        return copied


# The enums by number, looked up rather than called per review (an enum call costs more than
# the arithmetic of a review's first step).
_FSRS_STATE = {int(s): s for s in _FsrsState}
_FSRS_RATING = {int(r): r for r in _FsrsRating}
_CARD_STATE = {int(s): s for s in CardState}
_RATING = {int(r): r for r in Rating}


@dataclass(frozen=True, slots=True)
class Card:
    """A member's card for one entry after at least one review.

    `stability` and `difficulty` are FSRS's memory model; `step` the learning (or relearning)
    step, None in the Review state; `reps` counts reviews, `lapses` the Again ratings given to a
    card in the Review state (forgetting something once learned).
    """

    state: CardState
    step: int | None
    stability: float
    difficulty: float
    due: datetime
    last_review: datetime
    reps: int
    lapses: int


def rating_for(correct: bool, self_rating: int | None = None) -> Rating:
    """The FSRS rating of an answer: the flashcard's own rating when given, else Again or Good.

    See the module docstring for why a slow right answer stays Good.
    """
    if self_rating is not None:
        rating = _RATING.get(self_rating) if isinstance(self_rating, int) else None
        return rating if rating is not None else Rating(self_rating)  # ValueError for anything but 1-4
    return Rating.GOOD if correct else Rating.AGAIN


def review(card: Card | None, rating: Rating, when: datetime) -> Card:
    """The card after a review rated `rating` at `when`; `None` is an entry never reviewed."""
    if when.tzinfo is None:
        raise ValueError("review needs a timezone-aware time")
    when = when.astimezone(UTC)
    if card is None:
        before = _ReviewedCard(card_id=0, due=when)
        reps = lapses = 0
        was_review = False
    else:
        before = _ReviewedCard(card_id=0, state=_FSRS_STATE[card.state], step=card.step,
                               stability=card.stability, difficulty=card.difficulty,
                               due=card.due.astimezone(UTC), last_review=card.last_review.astimezone(UTC))
        reps, lapses = card.reps, card.lapses
        was_review = card.state is CardState.REVIEW
    fsrs_rating = _FSRS_RATING.get(rating) if isinstance(rating, int) else None
    if fsrs_rating is None:
        fsrs_rating = _FsrsRating(int(rating))  # ValueError for anything but 1-4
    after, _ = _SCHEDULER.review_card(before, fsrs_rating, review_datetime=when)
    assert after.stability is not None and after.difficulty is not None
    return Card(
        state=_CARD_STATE[after.state], step=after.step, stability=after.stability,
        difficulty=after.difficulty, due=after.due, last_review=when, reps=reps + 1,
        lapses=lapses + (1 if was_review and rating is Rating.AGAIN else 0),
    )


def after_answer(card: Card | None, correct: bool, self_rating: int | None, when: datetime) -> Card:
    """The member's card after an answer at `when`: `card` (None if the entry was never
    reviewed) reviewed with the answer's rating (`rating_for(correct, self_rating)`).

    Pure, and the one place an answer becomes a card: the store calls it in the answer's own
    transaction, and the rebuild replays the answer log through it, so both give the same card
    whichever backend keeps them. Raises ValueError for a self rating outside 1-4 or a naive time.
    """
    return review(card, rating_for(correct, self_rating), when)


def recall(card: Card | None, when: datetime) -> float:
    """FSRS's predicted probability that the member recalls the entry at `when` (0 if never seen)."""
    if card is None:
        return 0.0
    return float(_SCHEDULER.get_card_retrievability(
        _FsrsCard(card_id=0, state=_FsrsState(int(card.state)), step=card.step,
                  stability=card.stability, difficulty=card.difficulty, due=card.due,
                  last_review=card.last_review.astimezone(UTC)),
        current_datetime=when.astimezone(UTC)))


def recall_after(stability: float, elapsed_days: int) -> float:
    """FSRS's retrievability after `elapsed_days` whole days at `stability`, with the package's
    own constants: the same number as `recall` (a test holds it), without building a card, for
    the daily pick that weighs thousands of cards."""
    return float((1 + _SCHEDULER._FACTOR * max(0, elapsed_days) / stability) ** _SCHEDULER._DECAY)


def recall_curve() -> tuple[float, float]:
    """(factor, decay) of FSRS's forgetting curve, from the package: recall after `t` whole days
    at stability `s` is `(1 + factor * t / s) ** decay` (what `recall_after` computes), for the
    store to compute the same over many cards in SQL."""
    return float(_SCHEDULER._FACTOR), float(_SCHEDULER._DECAY)


def definition_hash(definition: str) -> str:
    """A short fingerprint of a definition as a member would read it (NFC, spacing folded), so a
    card can tell whether the entry changed since it was learned; 16 hex digits."""
    text = " ".join(unicodedata.normalize("NFC", definition).split())
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


__all__ = ["DESIRED_RETENTION", "Card", "CardState", "Rating", "after_answer", "definition_hash", "rating_for",
           "recall", "recall_after", "recall_curve", "review"]
