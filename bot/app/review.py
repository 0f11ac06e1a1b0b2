"""Review sessions: a member's due cards first, then entries they have never studied, one at a time.

Every review is a post owned by the member (board practice, marked `review` in the store), so a
review answer is recorded like any other answer and reviews the entry's card in the same
transaction (`bot.store` migrations 0005 and 0006). Two modes:

* **choice**: a multiple-choice question about the entry from the question bank, graded (a wrong
  answer is Again, a right one Good; `bot.engine.cards.rating_for`); an entry the bank has no
  question for is shown as a flashcard instead;
* **flashcard**: the term, then the definition on request, then the member's own rating
  (Again/Hard/Good/Easy), which is the card's rating as given;
* **typed**: the definition; the member types the term, judged by `bot.engine.typed.check`
  (any alias, spacing/case/NFC ignored, typos in proportion to length, never another entry's
  name); accepted is Good, not accepted Again, and input that cannot be judged (empty after
  clean-up, over 200 characters) is refused with nothing stored.

Review answers count on no leaderboard: they are stored on a board of their own ('review') that
no leaderboard or stats line reads, unless the community turned counting on
(`set_counts_on_leaderboard`), in which case they count on the practice board like `/quiz`.

Entries that left the notes are never offered (their cards and history stay). Next and status
read only the member's own rows of an index (`cards_due`), so they stay fast with many cards.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from bot.community import Community
from bot.engine import typed
from bot.engine.cards import Card, Rating, rating_for
from bot.engine.model import Entry, Question, QuestionKind
from bot.engine.typed import TypedVerdict
from bot.errors import (
    AlreadyAnswered,
    AnswersClosed,
    InvalidChoice,
    NothingToReview,
    NotYourQuestion,
    QuestionGone,
    TypedAnswerEmpty,
    TypedAnswerTooLong,
)
from bot.store.backend import StoreBackend
from bot.store.records import AnswerResult, AnswerStatus, Post

if TYPE_CHECKING:
    from bot.app.study import StudyService

_MAX_ROWID = 2**63 - 1
_NEW_CHUNK = 256  # entries looked up per query when searching the first one without a card
_DUE_SCAN = 64  # due cards read per query while skipping entries that left the notes
FLASHCARD_CHOICES = ("recalled", "forgot")  # a flashcard post's two stored outcomes (see `rate`)
_SELF_JUDGED = frozenset({QuestionKind.FLASHCARD, QuestionKind.TYPED})  # not answered with a choice


class ReviewMode(StrEnum):
    CHOICE = "choice"
    FLASHCARD = "flashcard"
    TYPED = "typed"


@dataclass(frozen=True, slots=True)
class ReviewStatus:
    """Where the member stands: cards due now, entries never studied, the next due time after now."""

    due_now: int
    new_entries: int
    next_due: datetime | None


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """One card put in front of the member."""

    post_id: int
    mode: ReviewMode
    question: Question  # a flashcard's prompt is the term and its explanation the definition
    is_new: bool
    status: ReviewStatus  # counted before this card is answered


@dataclass(frozen=True, slots=True)
class ReviewVerdict:
    """A recorded review: the question, the member's choice (-1 for a flashcard), whether it was
    right (a flashcard rated Hard or better counts as recalled), the rating the card got, the
    card after it, and the member's status afterwards."""

    question: Question
    choice: int
    correct: bool
    rating: Rating
    card: Card | None
    status: ReviewStatus
    counted: bool = False  # whether it counted on the practice leaderboard (the community's setting)
    typed: TypedVerdict | None = None  # a typed answer's verdict: what was expected, what matched, why


def flashcard_question(entry: Entry) -> Question:
    """The term on the front, the definition on the back; stored with its post like any question."""
    return Question(
        id=f"flashcard:{entry.id}", kind=QuestionKind.FLASHCARD, prompt=entry.term,
        choices=FLASHCARD_CHOICES, answer=0, explanation=entry.definition, term=entry.term,
        deck=entry.deck, source=entry.source, entry_id=entry.id, section=entry.section,
    )


def typed_question(entry: Entry) -> Question:
    """The definition on the front; the answer is any of the entry's names (kept as the choices,
    so the post can still be judged after the notes change)."""
    return Question(
        id=f"typed:{entry.id}", kind=QuestionKind.TYPED, prompt=entry.definition,
        choices=entry.names, answer=0, explanation=entry.definition, term=entry.term,
        deck=entry.deck, source=entry.source, entry_id=entry.id, section=entry.section,
    )


class ReviewSessions:
    """The review use cases; reached by front ends as `StudyService.review`."""

    def __init__(self, study: StudyService, store: StoreBackend) -> None:
        self._study = study
        self._store = store
        self._names: tuple[object, frozenset[str]] | None = None  # (glossary, every folded name)

    def _now(self) -> datetime:
        return self._study.clock.now()

    def _known(self, entry_id: str) -> bool:
        return self._study.glossary.get(entry_id) is not None

    async def status(self, community: Community, user_id: str) -> ReviewStatus:
        now = self._now()
        due = [e for e in await self._store.due_entry_ids(community, user_id, now) if self._known(e)]
        carded = await self._store.carded_entry_ids(
            community, user_id, [e.id for e in self._study.notes.entries])
        new = sum(1 for e in self._study.notes.entries if e.id not in carded)
        return ReviewStatus(due_now=len(due), new_entries=new,
                            next_due=await self._next_due_after(community, user_id, now))

    async def _next_due_after(self, community: Community, user_id: str, now: datetime) -> datetime | None:
        after = now
        while True:
            upcoming = await self._store.next_due_cards(community, user_id, after=after, limit=_DUE_SCAN)
            for entry_id, due in upcoming:
                if self._known(entry_id):
                    return due
            if len(upcoming) < _DUE_SCAN:
                return None
            after = upcoming[-1][1]

    async def _first_due(self, community: Community, user_id: str, now: datetime) -> str | None:
        offset = 0
        while True:
            due = await self._store.due_entry_ids(community, user_id, now, limit=_DUE_SCAN, offset=offset)
            for entry_id in due:
                if self._known(entry_id):
                    return entry_id
            if len(due) < _DUE_SCAN:
                return None
            offset += _DUE_SCAN

    async def _first_new(self, community: Community, user_id: str) -> str | None:
        entries = self._study.notes.entries
        for start in range(0, len(entries), _NEW_CHUNK):
            chunk = [e.id for e in entries[start:start + _NEW_CHUNK]]
            carded = await self._store.carded_entry_ids(community, user_id, chunk)
            for entry_id in chunk:
                if entry_id not in carded:
                    return entry_id
        return None

    async def next_entry(self, community: Community, user_id: str) -> tuple[str, bool] | None:
        """(entry id, is new) of the member's next card: the most overdue one whose entry is still
        in the notes, else the first entry (in notes order) they never studied; None if neither."""
        entry_id = await self._first_due(community, user_id, self._now())
        if entry_id is not None:
            return entry_id, False
        entry_id = await self._first_new(community, user_id)
        return None if entry_id is None else (entry_id, True)

    async def next_item(self, *, community: Community, user_id: str, display_name: str,
                        mode: ReviewMode | str = ReviewMode.CHOICE,
                        channel_id: str | None = None) -> ReviewItem:
        """The member's next card (due first, then new), recorded as a review post they own.

        Raises NothingToReview (with `next_due`, and `wait` in seconds) when nothing is due and every entry is studied.
        """
        mode = ReviewMode(mode)
        now = self._now()
        found = await self.next_entry(community, user_id)
        if found is None:
            next_due = await self._next_due_after(community, user_id, now)
            raise NothingToReview(next_due=next_due,
                                  wait=None if next_due is None else (next_due - now).total_seconds())
        entry_id, is_new = found
        status = await self.status(community, user_id)
        entry = self._study.glossary.get(entry_id)
        assert entry is not None
        question = None
        if mode is ReviewMode.CHOICE:
            # Only questions whose answer reviews this very entry's card (a group's question
            # may be listed under its members too).
            pool = [q for q in self._study.bank.for_entry(entry_id) if q.entry_id == entry_id]
            if pool:
                rng = random.Random(f"{community}:{user_id}:{entry_id}:{now.isoformat()}")
                question = pool[rng.randrange(len(pool))]
        if mode is ReviewMode.TYPED:
            question = typed_question(entry)
        if question is None:
            mode, question = ReviewMode.FLASHCARD, flashcard_question(entry)
        await self._store.remember_member(community, user_id, display_name)
        post = await self._store.create_practice_post(
            community, user_id, question, channel_id=channel_id, topic=None, review=True,
            definition_hash=self._study.definition_hash_of(question))
        return ReviewItem(post.post_id, mode, question, is_new, status)

    async def _review_post(self, community: Community, post_id: int, user_id: str) -> Post:
        post = await self._store.get_post(post_id) if 0 < post_id <= _MAX_ROWID else None
        if post is None or post.community != community or not post.review:
            raise QuestionGone(post_id=post_id)
        if post.owner_user_id != user_id:
            raise NotYourQuestion(post_id=post_id)
        return post

    async def get_item(self, *, community: Community, post_id: int, user_id: str) -> Question:
        """The question of one of the member's review posts (a flashcard's back is its explanation)."""
        return (await self._review_post(community, post_id, user_id)).question

    async def answer(self, *, community: Community, post_id: int, user_id: str, choice: int,
                     display_name: str) -> ReviewVerdict:
        """A multiple-choice review answer: graded, Again or Good."""
        post = await self._review_post(community, post_id, user_id)
        if post.question.kind in _SELF_JUDGED or not 0 <= choice < len(post.question.choices):
            raise InvalidChoice(choice=choice)
        result = await self._study.answers.record(post_id, user_id, choice, display_name, now=self._now())
        return await self._verdict(community, user_id, post, result, choice, rating_for(bool(result.correct)))

    def _rivals(self, own: Question) -> frozenset[str]:
        """Every folded name of the current glossary except the question's own entry's."""
        glossary = self._study.glossary
        if self._names is None or self._names[0] is not glossary:
            self._names = (glossary, frozenset(typed.fold(n) for e in self._study.notes.entries for n in e.names))
        return self._names[1] - {typed.fold(n) for n in own.choices}

    async def answer_typed(self, *, community: Community, post_id: int, user_id: str, text: str,
                           display_name: str) -> ReviewVerdict:
        """A typed review answer: judged against the entry's names as asked; Good or Again.

        Raises TypedAnswerRefused (nothing stored) for input that cannot be judged."""
        post = await self._review_post(community, post_id, user_id)
        question = post.question
        if question.kind is not QuestionKind.TYPED:
            raise InvalidChoice(choice=-1)
        try:
            judged = typed.check(text, question.term, question.choices[1:], rivals=self._rivals(question))
        except typed.Refused as refused:
            kind = TypedAnswerTooLong if refused.reason == "too_long" else TypedAnswerEmpty
            raise kind(limit=typed.MAX_TYPED) from None
        choice = 0 if judged.accepted else 1
        result = await self._study.answers.record(post_id, user_id, choice, display_name, now=self._now())
        verdict = await self._verdict(community, user_id, post, result, choice, rating_for(judged.accepted))
        return replace(verdict, typed=judged)

    async def rate(self, *, community: Community, post_id: int, user_id: str, rating: int,
                   display_name: str) -> ReviewVerdict:
        """A flashcard rated by the member: the card gets that rating; Hard or better is stored
        as recalled (choice 0), Again as forgotten (choice 1)."""
        post = await self._review_post(community, post_id, user_id)
        if post.question.kind is not QuestionKind.FLASHCARD or rating not in {int(r) for r in Rating}:
            raise InvalidChoice(choice=rating)
        given = Rating(rating)
        choice = 1 if given is Rating.AGAIN else 0
        result = await self._study.answers.record(post_id, user_id, choice, display_name,
                                                 now=self._now(), rating=int(given))
        return await self._verdict(community, user_id, post, result, -1, given)

    async def _verdict(self, community: Community, user_id: str, post: Post, result: AnswerResult,
                       choice: int, rating: Rating) -> ReviewVerdict:
        match result.status:
            case AnswerStatus.DUPLICATE:
                raise AlreadyAnswered(choice=result.choice, correct=result.correct_index)
            case AnswerStatus.CLOSED:
                raise AnswersClosed(post_id=post.post_id)
            case AnswerStatus.NOT_YOURS:
                raise NotYourQuestion(post_id=post.post_id)
            case AnswerStatus.UNKNOWN_POST:
                raise QuestionGone(post_id=post.post_id)
        entry_id = post.question.entry_id
        card = (await self._store.member_cards(community, user_id, [entry_id])).get(entry_id) if entry_id else None
        return ReviewVerdict(post.question, choice, bool(result.correct), rating, card,
                             await self.status(community, user_id), await self.counts_on_leaderboard(community))

    async def set_counts_on_leaderboard(self, community: Community, on: bool) -> None:
        """Whether this community's review answers count on the practice leaderboard (off by default)."""
        await self._store.set_review_counts(community, on)

    async def counts_on_leaderboard(self, community: Community) -> bool:
        return (await self._store.community_settings(community)).review_counts


__all__ = ["FLASHCARD_CHOICES", "ReviewItem", "ReviewMode", "ReviewSessions", "ReviewStatus",
           "ReviewVerdict", "flashcard_question", "typed_question"]
