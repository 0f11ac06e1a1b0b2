"""Records the store returns: plain frozen dataclasses, no SQL and no behaviour."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.community import Community
from bot.engine.model import Question
from bot.engine.scoring import Board, Period


class StoreError(Exception):
    """The database cannot be used; the message is one sentence meant for the user as is."""


@dataclass(frozen=True, slots=True)
class CommunitySettings:
    community: Community
    timezone: str  # the effective zone: the community's own, else the store's default
    timezone_is_default: bool
    season: int
    season_started_at: datetime | None
    review_counts: bool = False  # review answers count on the practice board


@dataclass(frozen=True, slots=True)
class Schedule:
    schedule_id: int
    community: Community
    channel_id: str
    time: str  # 'HH:MM' in `timezone`
    timezone: str
    topic: str | None
    questions_per_post: int
    reveal_after_hours: float | None
    paused: bool
    pause_reason: str | None
    created_at: datetime
    stopped_at: datetime | None

    @property
    def active(self) -> bool:
        return self.stopped_at is None


@dataclass(frozen=True, slots=True)
class Post:
    """A question shown to a channel (daily) or to one member (practice), with its snapshot."""

    post_id: int
    community: Community
    board: Board
    season: int
    question: Question
    channel_id: str | None
    message_id: str | None
    owner_user_id: str | None
    schedule_id: int | None
    local_date: str | None
    seq: int | None
    topic: str | None
    posted_at: datetime
    reveal_at: datetime | None
    revealed_at: datetime | None
    answer_count: int
    correct_count: int
    reveal_edited_at: datetime | None = None  # when the message was redrawn with the answer
    review: bool = False  # a review session's post (`bot.app.review`)
    pick_reason: str | None = None  # daily: why it was chosen, JSON (`bot.app.daily.PickReason`)


@dataclass(frozen=True, slots=True)
class DailyPostResult:
    """`create_daily_post`: the post for that slot, and whether an earlier call had made it."""

    post: Post
    duplicate: bool


class AnswerStatus(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"  # answered before: nothing changed, `choice` is the earlier choice
    CLOSED = "closed"  # the answer was revealed; answers are refused
    NOT_YOURS = "not_yours"  # a practice question asked by another member
    UNKNOWN_POST = "unknown_post"


@dataclass(frozen=True, slots=True)
class AnswerResult:
    status: AnswerStatus
    post_id: int
    choice: int | None = None  # the recorded choice (the earlier one for DUPLICATE)
    correct: bool | None = None
    correct_index: int | None = None
    points: int = 0
    streak: int = 0
    correct_rank: int | None = None  # 1-based place among the post's correct answers

    @property
    def accepted(self) -> bool:
        return self.status is AnswerStatus.ACCEPTED


@dataclass(frozen=True, slots=True)
class Answerer:
    user_id: str
    display_name: str


@dataclass(frozen=True, slots=True)
class PostResults:
    post_id: int
    counts: tuple[int, ...]  # answers per choice, in choice order
    total: int
    first_correct: tuple[Answerer, ...]  # up to three, by answer time


@dataclass(frozen=True, slots=True)
class LeaderRow:
    rank: int
    user_id: str
    display_name: str
    points: int
    answered: int
    correct: int
    streak: int


@dataclass(frozen=True, slots=True)
class LeaderboardPage:
    community: Community
    board: Board
    period: Period
    period_key: str
    season: int
    total: int  # visible members on this board and period
    offset: int
    rows: tuple[LeaderRow, ...]


@dataclass(frozen=True, slots=True)
class BoardStats:
    board: Board
    answered: int
    correct: int
    accuracy: float
    points: int
    current_streak: int
    best_streak: int
    rank: int | None  # all-time rank this season; None when nothing answered


@dataclass(frozen=True, slots=True)
class TermMisses:
    term: str
    misses: int


@dataclass(frozen=True, slots=True)
class UserStats:
    community: Community
    user_id: str
    display_name: str
    season: int
    boards: dict[Board, BoardStats]
    most_missed: tuple[TermMisses, ...]  # up to three, most missed first
    opted_out: bool = False  # hidden from public listings: others see no stats either


@dataclass(frozen=True, slots=True)
class ScoreExportRow:
    board: Board
    user_id: str
    display_name: str
    points: int
    answered: int
    correct: int
    streak: int
    best_streak: int
    opted_out: bool


@dataclass(frozen=True, slots=True)
class Reminder:
    """A member's request for a daily review reminder at `time` ('HH:MM') in `timezone`."""

    community: Community
    user_id: str
    time: str
    timezone: str
    lang: str
    last_sent_date: str | None
    stopped_at: datetime | None = None
    stop_reason: str | None = None


@dataclass(frozen=True, slots=True)
class CardRebuild:
    """`rebuild_cards`: how many answers were replayed into how many cards."""

    answers: int
    cards: int


@dataclass(frozen=True, slots=True)
class ProcessEntry:
    """One `studybot run` process in the registry: where it runs, the shards it serves
    (`shard_first`..`shard_last` of `shard_count`) and its last heartbeat."""

    process_id: str
    host: str
    pid: int
    start_mark: str
    shard_first: int
    shard_last: int
    shard_count: int
    overlap_allowed: bool
    started_at: datetime
    heartbeat_at: datetime


@dataclass(frozen=True, slots=True)
class MemberActivity:
    """`member_activity`: a member's raw progress for a chart, before it is put into days.

    `answers` are (UTC minute as `datetime`, answered, correct) buckets in the window; `due` is
    (entry id, due time) for each card due before the horizon (overdue ones included);
    `timezone` is the community's effective zone, in which the application cuts days.
    """

    community: Community
    user_id: str
    timezone: str
    answers: tuple[tuple[datetime, int, int], ...]
    due: tuple[tuple[str, datetime], ...]
