"""The study use cases: look up, search, practise, answer, stats, leaderboards, seasons, exports.

Front ends (the offline console, the Discord cogs, later Slack) call this class and
`bot.app.daily.DailyCycle`, never the store. It owns the loaded notes, the glossary index and
the question bank, talks to the store for anything durable, and takes the clock by constructor.
It formats nothing and imports no front end.
"""

from __future__ import annotations

import asyncio
import random
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from bot.app.progress import Progress, member_progress
from bot.app.reminders import Reminders
from bot.app.ledger import AnswerLedger
from bot.app.review import ReviewSessions
from bot.clock import Clock
from bot.community import Community
from bot.engine.cards import Card, definition_hash
from bot.engine.glossary import MAX_QUERY_CHARS, Glossary
from bot.engine.loader import load_notes
from bot.engine.model import Entry, Notes, Question, TextHit
from bot.engine.questions import QuestionBank, build_question_bank
from bot.engine.scoring import Board, Period
from bot.errors import (
    AlreadyAnswered,
    AnswersClosed,
    InvalidChoice,
    NoQuestions,
    NothingFound,
    NotYourQuestion,
    QuestionGone,
    UnknownTopic,
)
from bot.store.backend import StoreBackend
from bot.store.records import (
    AnswerResult,
    AnswerStatus,
    CardRebuild,
    LeaderboardPage,
    LeaderRow,
    Post,
    ScoreExportRow,
    UserStats,
)

BOARDS: tuple[str, ...] = tuple(b.value for b in Board)
PERIODS: tuple[str, ...] = tuple(p.value for p in Period)
_EVERYONE = 2**62  # SQLite LIMIT for "no limit"
_POST_CACHE = 1024
MAX_QUERY = MAX_QUERY_CHARS
_MAX_ROWID = 2**63 - 1  # SQLite integers are signed 64-bit; a larger forged id cannot exist


@dataclass(frozen=True)
class Definition:
    """A looked-up entry with the terms worth showing beside it."""

    entry: Entry
    related: tuple[Entry, ...]


@dataclass(frozen=True)
class AskedQuestion:
    """A question shown to someone, recorded as a post so the answer can be checked later."""

    post_id: int
    question: Question


@dataclass(frozen=True)
class AnswerOutcome:
    """What happened to an answer: the question as it was asked and the store's verdict."""

    question: Question
    choice: int
    result: AnswerResult

    @property
    def correct(self) -> bool:
        return bool(self.result.correct)


@dataclass(frozen=True)
class ReloadReport:
    """What a reload found: counts, and the terms added, removed and changed (definition edited)
    since the notes in use before; `due_again` counts the cards made due by the changes."""

    notes: Notes
    entries: int
    questions: int
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    due_again: int = 0


class StudyService:
    """The use cases: look up, search, next question, record answer, stats, leaderboard."""

    def __init__(
        self,
        *,
        notes_path: Path,
        store: StoreBackend,
        clock: Clock,
        aliases_path: Path | None = None,
        seed: int = 0,
        load: bool = True,
        answers: AnswerLedger | None = None,
    ) -> None:
        """`load=False` leaves the notes unread (an empty glossary) for callers that only need
        the scores, such as the leaderboard command line."""
        self._notes_path = Path(notes_path)
        self._aliases_path = aliases_path
        self._store = store
        self._clock = clock
        self._seed = seed
        # Every answer is recorded through the ledger, which can journal those still in flight
        # when a front end must acknowledge a click before its commit (bot/app/ledger.py).
        self.answers = answers or AnswerLedger(store)
        self._posts: OrderedDict[int, Post] = OrderedDict()
        self.review = ReviewSessions(self, store)
        self.reminders = Reminders(self, store)
        self._notes: Notes
        self._glossary: Glossary
        self._bank: QuestionBank
        if load:
            self.reload()
        else:
            self._install(Notes())

    # -- notes -----------------------------------------------------------------------------

    @property
    def notes(self) -> Notes:
        return self._notes

    @property
    def glossary(self) -> Glossary:
        return self._glossary

    @property
    def bank(self) -> QuestionBank:
        return self._bank

    @property
    def clock(self) -> Clock:
        return self._clock

    def reload(self) -> ReloadReport:
        """Re-read the notes; the new glossary and bank replace the old ones in one step.

        Cards are not touched: `reload_notes` also makes the cards of changed entries due."""
        return self._install(load_notes(self._notes_path, aliases_file=self._aliases_path))

    async def reload_notes(self) -> ReloadReport:
        """Re-read the notes (in a thread) and make the cards of entries whose definition changed
        due now (`reconcile_cards`); the report lists added, removed and changed terms."""
        report = await asyncio.to_thread(self.reload)
        changed = {e.id for e in self._notes.entries if e.term in set(report.changed)}
        due = await self.reconcile_cards(changed)
        return replace(report, due_again=due)

    async def reconcile_cards(self, entry_ids: Iterable[str] | None = None) -> int:
        """Cards follow the notes: a card learned on an older definition of its entry (its
        definition hash differs from the notes' now) becomes due now, keeping its memory state
        (stability, difficulty, history): the member sees the new wording at the next review,
        and FSRS schedules on from how that review goes. Entries that left the notes are not
        touched (their cards and history stay; reviews skip them). All entries when `entry_ids`
        is None (at start-up, for edits made while the bot was down). Returns cards made due."""
        wanted = None if entry_ids is None else set(entry_ids)
        current = [(e.id, definition_hash(e.definition)) for e in self._notes.entries
                   if wanted is None or e.id in wanted]
        return await self._store.make_changed_cards_due(current, self._clock.now()) if current else 0

    def _install(self, notes: Notes) -> ReloadReport:
        before = {e.id: (e.term, definition_hash(e.definition)) for e in self._notes.entries} \
            if hasattr(self, "_notes") else {}
        glossary = Glossary(notes.entries)
        bank = build_question_bank(notes, seed=self._seed)
        self._notes, self._glossary, self._bank = notes, glossary, bank
        after = {e.id: (e.term, definition_hash(e.definition)) for e in notes.entries}
        return ReloadReport(
            notes=notes, entries=len(glossary), questions=len(bank.questions),
            added=tuple(term for key, (term, _) in after.items() if key not in before and before),
            removed=tuple(term for key, (term, _) in before.items() if key not in after),
            changed=tuple(term for key, (term, digest) in after.items()
                          if key in before and before[key][1] != digest),
        )

    # -- glossary --------------------------------------------------------------------------

    def lookup(self, query: str, limit: int = 25) -> list[Entry]:
        """Ranked entries for a query as typed (autocomplete and `/define`)."""
        return self._glossary.search(query[:MAX_QUERY], limit=limit)

    def define(self, query: str) -> Definition:
        """The best entry for an entry id (from autocomplete) or a typed query.

        Raises NothingFound with "did you mean" suggestions when nothing matches well.
        """
        query = query[:MAX_QUERY]
        entry = self._glossary.get(query.strip())
        if entry is None:
            hits = self._glossary.search(query, limit=1)
            entry = hits[0] if hits else None
        if entry is None:
            suggestions = [e.term for e in self._glossary.suggestions(query, limit=5)]
            raise NothingFound(query=query, suggestions=suggestions)
        return Definition(entry=entry, related=tuple(self._glossary.related(entry, limit=5)))

    def search(self, query: str, limit: int = 10) -> list[TextHit]:
        """Full-text hits inside definitions, with spans to highlight."""
        query = query[:MAX_QUERY]
        hits = self._glossary.search_text(query, limit=limit)
        if not hits:
            suggestions = [e.term for e in self._glossary.suggestions(query, limit=5)]
            raise NothingFound(query=query, suggestions=suggestions)
        return hits

    def topics(self, query: str = "", limit: int = 25) -> list[str]:
        """Decks and sections to quiz on, filtered by a typed prefix or substring."""
        wanted = query[:MAX_QUERY].strip().casefold()
        topics = self._bank.topics()
        if not wanted:
            return list(topics[:limit])
        starts = [t for t in topics if t.casefold().startswith(wanted)]
        inside = [t for t in topics if wanted in t.casefold() and t not in starts]
        return (starts + inside)[:limit]

    def resolve_topic(self, topic: str | None) -> str | None:
        """The bank's own spelling of a deck or section, also from an unambiguous part of its name.

        None or blank means every topic; an unknown or ambiguous one raises UnknownTopic with the
        closest names as suggestions.
        """
        if topic is None or not topic.strip():
            return None
        wanted = topic.strip().casefold()
        for name in self._bank.topics():
            if name.casefold() == wanted:
                return name
        close = self.topics(topic, limit=5)
        if len(close) == 1:
            return close[0]
        raise UnknownTopic(topic=topic, suggestions=close)

    # -- practice --------------------------------------------------------------------------

    def _pick_practice(self, topic: str | None, entry_id: str | None, salt: str) -> Question:
        if entry_id is not None:
            if self._glossary.get(entry_id) is None:
                raise QuestionGone(entry_id=entry_id)
            pool = self._bank.for_entry(entry_id)
            if not pool:
                raise NoQuestions(entry_id=entry_id)
        else:
            name = self.resolve_topic(topic)
            pool = self._bank.for_topic(name) if name is not None else self._bank.questions
            if not pool:
                raise NoQuestions(topic=topic)
        rng = random.Random(f"{self._seed}:{salt}")
        return pool[rng.randrange(len(pool))]

    async def next_practice_question(
        self,
        *,
        community: Community,
        user_id: str,
        display_name: str,
        channel_id: str | None = None,
        topic: str | None = None,
        entry_id: str | None = None,
    ) -> AskedQuestion:
        """A personal practice question, recorded as a practice post owned by the asker."""
        now = self._clock.now()
        question = self._pick_practice(topic, entry_id, salt=f"{community.id}:{user_id}:{now.isoformat()}")
        await self._store.remember_member(community, user_id, display_name)
        post = await self._store.create_practice_post(
            community, user_id, question, channel_id=channel_id, topic=topic,
            definition_hash=self.definition_hash_of(question),
        )
        return AskedQuestion(post_id=post.post_id, question=question)

    async def answer(
        self, *, community: Community, post_id: int, user_id: str, choice: int, display_name: str,
        board: Board | None = None,
    ) -> AnswerOutcome:
        """Record an answer (committed before this returns) and say whether it was right.

        A post of another guild, or of another board than the button's `board`, is treated as
        one that does not exist: a forged button must not learn, let alone change, anything
        about another server, nor answer a daily post through a practice button.
        """
        if not 0 < post_id <= _MAX_ROWID:
            raise QuestionGone(post_id=post_id)
        post = await self._question_post(post_id)
        if post.community != community or (board is not None and post.board is not board):
            raise QuestionGone(post_id=post_id)
        if post.board is Board.PRACTICE and post.owner_user_id != user_id:
            raise NotYourQuestion(post_id=post_id)
        if not 0 <= choice < len(post.question.choices):
            raise InvalidChoice(choice=choice)
        result = await self.answers.record(post_id, user_id, choice, display_name, now=self._clock.now())
        match result.status:
            case AnswerStatus.DUPLICATE:
                raise AlreadyAnswered(choice=result.choice, correct=result.correct_index)
            case AnswerStatus.CLOSED:
                raise AnswersClosed(post_id=post_id)
            case AnswerStatus.NOT_YOURS:
                raise NotYourQuestion(post_id=post_id)
            case AnswerStatus.UNKNOWN_POST:
                raise QuestionGone(post_id=post_id)
        return AnswerOutcome(question=post.question, choice=choice, result=result)

    async def _question_post(self, post_id: int) -> Post:
        """A post for its immutable parts (question, board, owner), cached: a daily post is
        clicked by many members in a row, and each click should cost one database trip."""
        post = self._posts.get(post_id)
        if post is None:
            post = await self._store.get_post(post_id)
            if post is None:
                raise QuestionGone(post_id=post_id)
            self._posts[post_id] = post
            if len(self._posts) > _POST_CACHE:
                self._posts.popitem(last=False)
        else:
            self._posts.move_to_end(post_id)
        return post

    async def get_post(self, post_id: int) -> Post:
        post = await self._store.get_post(post_id) if 0 < post_id <= _MAX_ROWID else None
        if post is None:
            raise QuestionGone(post_id=post_id)
        return post

    # -- cards -----------------------------------------------------------------------------

    def definition_hash_of(self, question: Question) -> str | None:
        """The fingerprint of the question's entry's definition as the notes have it now; it is
        stored with the post and goes on the member's card when they answer."""
        entry = self._glossary.get(question.entry_id) if question.entry_id else None
        return None if entry is None else definition_hash(entry.definition)

    async def member_cards(self, community: Community, user_id: str) -> dict[str, Card]:
        return await self._store.member_cards(community, user_id)

    async def rebuild_cards(self) -> CardRebuild:
        """Recompute every card from the answer log (a repair tool; the cards are kept with
        every answer). Gives the same cards as the incremental updates."""
        return await self._store.rebuild_cards()

    # -- scores ----------------------------------------------------------------------------

    async def stats(self, community: Community, user_id: str) -> UserStats:
        return await self._store.user_stats(community, user_id)

    async def progress(self, community: Community, user_id: str) -> Progress:
        """The member's last 30 days and next 14 days of due cards, in the community's zone
        (`bot.app.progress`): the data behind the `/stats` chart."""
        return await member_progress(self._store, community, user_id, now=self._clock.now(),
                                     known=lambda entry_id: self._glossary.get(entry_id) is not None)

    async def leaderboard(
        self,
        community: Community,
        *,
        period: Period | str = Period.WEEK,
        board: Board | str = Board.DAILY,
        limit: int | None = 10,
        offset: int = 0,
    ) -> LeaderboardPage:
        """One page of a board; `limit=None` means everyone who answered."""
        return await self._store.leaderboard(
            community,
            Board(board),
            Period(period),
            offset=offset,
            limit=limit if limit is not None else _EVERYONE,
            now=self._clock.now(),
        )

    async def own_rank(
        self, community: Community, user_id: str, *, board: Board | str, period: Period | str
    ) -> LeaderRow | None:
        """The member's own leaderboard line, also when hidden from the public board."""
        return await self._store.rank_of(
            community, user_id, Board(board), Period(period), now=self._clock.now()
        )

    async def set_public_listing(self, community: Community, user_id: str, public: bool) -> None:
        await self._store.set_opt_out(community, user_id, not public)

    async def start_new_season(self, community: Community) -> int:
        """Reset the boards by starting a new season; every answer stays in the database."""
        return await self._store.start_new_season(community)

    async def export_scores(self, community: Community) -> list[ScoreExportRow]:
        return await self._store.export_scores(community)

    def now(self) -> datetime:
        return self._clock.now()

    # -- what a front end keeps between runs (e.g. the hash of the last command sync) --------

    async def get_meta(self, key: str) -> str | None:
        return await self._store.get_meta(key)

    async def set_meta(self, key: str, value: str) -> None:
        await self._store.set_meta(key, value)
