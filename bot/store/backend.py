"""One interface for both store backends, and `open_store`, which picks one from a URL or path.

`STUDYBOT_DB` (and `--db`) is a path or `sqlite:///path` for the embedded SQLite store
(`bot.store.store.Store`, the default), or `postgresql://user:password@host:port/name` for
PostgreSQL (`bot.store.postgres.PostgresStore`), which several bot processes can share. Both
implement `StoreBackend`: every public method the application uses, with the same meaning, the
same records and the same errors (`StoreError`; `bot.errors.StoreUnavailable` when a server
cannot be reached). The application is written against `StoreBackend`, never a backend class.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, Self, runtime_checkable

from bot.clock import Clock
from bot.community import Community
from bot.engine import cards
from bot.engine.model import Question
from bot.engine.scoring import Board, Period
from bot.store.records import (
    AnswerResult,
    CardRebuild,
    CommunitySettings,
    DailyPostResult,
    LeaderboardPage,
    LeaderRow,
    MemberActivity,
    Post,
    PostResults,
    ProcessEntry,
    Reminder,
    Schedule,
    ScoreExportRow,
    StoreError,
    UserStats,
)

_POSTGRES = re.compile(r"^postgres(?:ql)?://", re.IGNORECASE)
_SQLITE = re.compile(r"^sqlite://", re.IGNORECASE)
_OTHER_URL = re.compile(r"^([a-z][a-z0-9+.-]*)://", re.IGNORECASE)


@runtime_checkable
class StoreBackend(Protocol):
    """What the application needs of a store; `Store` (SQLite) and `PostgresStore` implement it."""

    async def __aenter__(self) -> Self:
        ...

    async def __aexit__(self, *exc: object) -> None:
        ...

    async def close(self) -> None:
        ...

    @property
    def default_timezone(self) -> str:
        ...

    async def get_meta(self, key: str) -> str | None:
        ...

    async def set_meta(self, key: str, value: str) -> None:
        ...

    async def community_settings(self, community: Community) -> CommunitySettings:
        ...

    async def set_timezone(self, community: Community, timezone: str | None) -> CommunitySettings:
        """Set (or with None clear) the community's zone and re-key its weekly and monthly scores."""

    async def rebuild_scores(self, community: Community, *, rekey: bool = True) -> None:
        """Recompute the community's score rows from its answers (a repair tool: the triggers keep them
        in step with every answer; tests use it to check that)."""

    async def start_new_season(self, community: Community) -> int:
        """Start a new scoring season for the community; answers are kept. Returns its number."""

    async def set_review_counts(self, community: Community, on: bool) -> None:
        """Whether review answers from now on count on the community's practice board."""

    async def remember_member(self, community: Community, user_id: str, display_name: str) -> None:
        ...

    async def set_opt_out(self, community: Community, user_id: str, opted_out: bool = True) -> None:
        """Hide (or show again) the member on public leaderboards."""

    async def create_or_replace_schedule(
        self, community: Community, channel_id: str, time: str, timezone: str, *,
        topic: str | None = None, questions_per_post: int = 1,
        reveal_after_hours: float | None = None,
    ) -> Schedule:
        """Make the channel's active schedule; an earlier active one there is stopped."""

    async def get_schedule(self, schedule_id: int) -> Schedule | None:
        ...

    async def active_schedules(self, community: Community | None = None) -> list[Schedule]:
        """Schedules not stopped (paused ones included), of one community or of all."""

    async def stop_schedule(self, schedule_id: int) -> bool:
        """Stop an active schedule; its posts stay. False if it was not active."""

    async def pause_schedule(self, schedule_id: int, reason: str | None = None) -> bool:
        ...

    async def resume_schedule(self, schedule_id: int) -> bool:
        """Resume a paused schedule. No front end offers this yet (`/dailyadmin set` makes a new
        schedule); tests and maintenance scripts use it."""

    async def create_practice_post(
        self, community: Community, user_id: str, question: Question, *,
        channel_id: str | None = None, reveal_at: datetime | None = None,
        topic: str | None = None, definition_hash: str | None = None, review: bool = False,
    ) -> Post:
        """A personal /quiz question for `user_id`; only they can answer it."""

    async def create_daily_post(
        self, schedule_id: int, local_date: str, seq: int, question: Question, *,
        reveal_at: datetime | None = None, definition_hash: str | None = None,
        pick_reason: str | None = None,
    ) -> DailyPostResult:
        """The `seq`-th question (1-5) of a schedule's day `local_date` ('YYYY-MM-DD')."""

    async def get_post(self, post_id: int) -> Post | None:
        ...

    async def daily_posts(self, schedule_id: int, local_date: str) -> list[Post]:
        """The posts of one schedule's day, by seq."""

    async def set_message_id(self, post_id: int, message_id: str) -> None:
        """Remember the post's message; a send claim on it has done its job and ends."""

    async def claim_daily_post_send(self, post_id: int, *, lease: timedelta,
                                    now: datetime | None = None) -> Post | None:
        """Claim one unsent daily post for `lease` before sending it."""

    async def claim_unsent_daily_posts(self, *, lease: timedelta, since: datetime,
                                       now: datetime | None = None) -> list[Post]:
        """Claim, for `lease`, every unsent daily post made at or after `since`, oldest first."""

    async def release_send_claim(self, post_id: int) -> None:
        """Give up a send claim (the send failed and may be retried at once by anyone)."""

    async def claimable_unsent_daily_posts(self, *, since: datetime,
                                           now: datetime | None = None) -> list[Post]:
        """Unsent daily posts made at or after `since` that no sender holds a running claim on
        (nothing is claimed: a process picks its own communities' posts and claims each)."""

    async def stale_unsent_daily_posts(self, before: datetime) -> list[Post]:
        """Unsent, unrevealed daily posts made before `before` (too late to send), oldest first."""

    async def set_reveal_at(self, post_id: int, when: datetime | None) -> bool:
        """Move (or with None clear) the time the post is revealed; False if there is no post."""

    async def due_reveals(self, now: datetime | None = None) -> list[Post]:
        """Posts whose reveal time has come and that are not revealed yet, oldest first."""

    async def mark_revealed(self, post_id: int) -> bool:
        """Close the post to answers. True only for the call that closed it."""

    async def pending_reveal_edits(self, since: datetime) -> list[Post]:
        """Posts revealed at or after `since` whose message has not shown the answer yet."""

    async def mark_reveal_edited(self, post_id: int) -> None:
        """The post's message shows its answer (or never can): no more reveal edits for it."""

    async def question_use_counts(self, community: Community, topic: str | None) -> dict[str, int]:
        """Daily posts per question id on the community's board for `topic` (None: no topic)."""

    async def term_miss_counts(self, community: Community) -> dict[str, int]:
        """Wrong answers per question term in the community, all seasons."""

    async def record_answer(self, post_id: int, user_id: str, choice: int, display_name: str,
                            now: datetime | None = None, *, rating: int | None = None) -> AnswerResult:
        """Record a member's answer; committed before this returns."""

    async def post_results(self, post_id: int) -> PostResults | None:
        """Answers per choice, total, and the first three correct answerers; None if no post."""

    async def set_reminder(self, community: Community, user_id: str, time: str, timezone: str,
                           lang: str) -> Reminder:
        """Ask for (or move) the member's daily reminder; a stopped one starts again."""

    async def clear_reminder(self, community: Community, user_id: str) -> bool:
        ...

    async def get_reminder(self, community: Community, user_id: str) -> Reminder | None:
        ...

    async def active_reminders(self, platform: str) -> list[Reminder]:
        """Reminders not stopped, of one platform's communities ('discord' for 'discord:...')."""

    async def claim_reminder(self, community: Community, user_id: str, local_date: str) -> bool:
        """Take the member's reminder for `local_date`; True for the one caller that did."""

    async def release_reminder(self, community: Community, user_id: str, local_date: str,
                               previous: str | None) -> None:
        """Give a claimed day back (the message could not be sent yet)."""

    async def stop_reminder(self, community: Community, user_id: str, reason: str, now: datetime) -> None:
        ...

    async def member_cards(self, community: Community, user_id: str,
                           entry_ids: Sequence[str] | None = None) -> dict[str, cards.Card]:
        """The member's cards by entry id (entries they answered at least once), all or those of
        `entry_ids`."""

    async def due_entry_ids(self, community: Community, user_id: str, now: datetime, *,
                            limit: int | None = None, offset: int = 0) -> list[str]:
        """Entry ids of the member's cards due at `now`, most overdue first (a range of `cards_due`)."""

    async def next_due_cards(self, community: Community, user_id: str, *, after: datetime,
                             limit: int) -> list[tuple[str, datetime]]:
        """(entry id, due) of the member's cards due after `after`, soonest first."""

    async def carded_entry_ids(self, community: Community, user_id: str,
                               entry_ids: Sequence[str]) -> set[str]:
        """Which of `entry_ids` the member has a card for."""

    async def entry_memory(self, community: Community, entry_ids: Sequence[str], *, sample: int,
                           when: datetime, curve: tuple[float, float], below: float,
                           ) -> tuple[int, dict[str, tuple[int, int, float, int]]]:
        """What the daily pick weighs: (members of the community with any card, {entry id: (members who
        studied it, cards sampled, their summed predicted recall at `when`, how many of those are
        under `below`)}), for the entries of `entry_ids` someone studied."""

    async def make_changed_cards_due(self, current: Sequence[tuple[str, str]], now: datetime) -> int:
        """For each (entry id, definition hash as the notes have it now): every card of that entry, in
        any community, last reviewed on another definition and not yet due becomes due at `now` (its
        memory state is kept). Cards without a hash (from before hashes) are left. Returns how many
        cards changed; one transaction."""

    async def all_cards(self) -> list[tuple[Any, ...]]:
        """Every card row as stored, in key order (tests compare a rebuild with this)."""

    async def rebuild_cards(self) -> CardRebuild:
        """Recompute every card from the answer log, in one transaction."""

    async def leaderboard(self, community: Community, board: Board = Board.DAILY,
                          period: Period = Period.ALL, *, offset: int = 0, limit: int = 10,
                          now: datetime | None = None) -> LeaderboardPage:
        """One page of the board for the current season, in tie-break order, opted-out hidden."""

    async def rank_of(self, community: Community, user_id: str, board: Board = Board.DAILY,
                      period: Period = Period.ALL, *, now: datetime | None = None,
                      ) -> LeaderRow | None:
        """The member's own leaderboard line (also when opted out); None if nothing answered."""

    async def user_stats(self, community: Community, user_id: str) -> UserStats:
        """The member's current-season numbers per board and the three terms missed most."""

    async def export_scores(self, community: Community) -> list[ScoreExportRow]:
        """All-time current-season rows per board and member, in leaderboard order."""


    async def member_activity(self, community: Community, user_id: str, *, since: datetime,
                              until: datetime, due_before: datetime) -> MemberActivity:
        """The member's answers in [since, until) per UTC minute and their cards due before `due_before`."""

    # the processes registry (`bot.app.processes`)

    def claim_as(self, process_id: str | None) -> None:
        """Mark this store's send claims from now on as made by `process_id` (a registered process)."""

    async def register_process(self, entry: ProcessEntry, *, dead_before: datetime,
                               stale: Callable[[ProcessEntry], bool],
                               conflicts: Callable[[ProcessEntry], bool]) -> list[ProcessEntry]:
        """In one transaction that excludes other registrations: drop rows whose heartbeat is
        before `dead_before` and rows `stale` picks, release the send claims of processes no
        longer registered, and add `entry` unless some live row `conflicts`; returns those rows."""

    async def heartbeat_process(self, entry: ProcessEntry, now: datetime) -> bool:
        """Renew the heartbeat; False when the row was gone and has been put back."""

    async def unregister_process(self, process_id: str) -> None:
        """Remove the process's row."""

    async def live_processes(self, alive_since: datetime) -> list[ProcessEntry]:
        """Registered processes whose heartbeat is at or after `alive_since`, by shard range."""

def is_postgres_url(location: str | Path) -> bool:
    """Whether `location` names a PostgreSQL database (postgresql://, postgres://)."""
    return isinstance(location, str) and bool(_POSTGRES.match(location))


def sqlite_path(location: str | Path) -> Path:
    """The file of a SQLite location: a path, or `sqlite:///relative.db` / `sqlite:////abs.db`."""
    if isinstance(location, Path):
        return location
    if _SQLITE.match(location):
        rest = location[len("sqlite://"):]
        if not rest.startswith("/"):
            raise StoreError(f"{location!r} is not a sqlite:/// URL; write sqlite:///path/to/file.db.")
        return Path(rest[1:])
    other = _OTHER_URL.match(location)
    if other:
        raise StoreError(f"{other.group(1)}:// databases are not supported; STUDYBOT_DB is a file path, "
                         "sqlite:///path or postgresql://user@host/name.")
    return Path(location)


async def open_store(location: str | Path, *, clock: Clock, default_timezone: str = "UTC",
                     **options: Any) -> StoreBackend:
    """Open the store at `location` (see the module docstring); raises StoreError with one
    sentence when it cannot be used. `options` go to the backend's `open` (`busy_timeout` for
    SQLite; `min_connections`, `max_connections`, `connect_timeout` for PostgreSQL)."""
    if is_postgres_url(location):
        from bot.store.postgres import (
            PostgresStore,  # asyncpg only when PostgreSQL is used
        )

        return await PostgresStore.open(str(location), clock=clock, default_timezone=default_timezone,
                                        **options)
    from bot.store.store import Store

    return await Store.open(sqlite_path(location), clock=clock, default_timezone=default_timezone,
                            **options)


__all__ = ["StoreBackend", "is_postgres_url", "open_store", "sqlite_path"]
