"""The daily channel quiz: schedules, which question comes next, posts, answers, reveals, and
the cycle that runs them on time through any chat platform.

Platform-free application logic over the study service, the store, the schedule arithmetic of
`bot.engine.schedule` and the injected clock. `DailyQuiz` decides and records; `DailyCycle` runs
its decisions on APScheduler (one `CronTrigger` job per schedule in its zone, and a sweep) and
hands every send and edit to the platform's `DeliveryPort` (`bot.app.ports`), whose typed
outcome decides what happens next. Front ends call `DailyCycle` only.

Rules kept here:

* A schedule posts `questions_per_post` questions at its wall-clock time in its zone. The day
  key (schedule, local date, seq 1..n) is UNIQUE in the store, so a second post for the same day
  cannot exist, even when two processes race.
* SQLite knows which posts still need sending: a post is sent only by the caller that claimed it
  in the store (a lease of `SEND_LEASE`, so a crashed sender's claim expires). A post made but
  not sent (a crash, a failed send) is sent by a later sweep, also after a restart, while it is
  at most the grace window old; older ones are left unsent and reported.
* A reveal is recorded before the message is edited; reveals whose edit was not done yet (a
  crash in between, a failed edit) are listed for the sweep to redraw for `REVEAL_EDIT_WINDOW`.
* `/dailyadmin now` adds an extra question to today's key space (seq n+1..5), so it never takes the
  place of a scheduled post and the schedule does not shift.
* A slot that passed while the bot was down is posted if it is within the grace window, else
  logged as skipped.
* With shards in several processes, each `DailyCycle` is given `owns` (`bot.app.ownership`) and
  schedules, retries, reveals and redraws only its own communities' posts; each sweep also makes
  its post jobs match the store, so a schedule set through another process (Slack commands reach
  any process) gets its job in the owner. The claims above still decide who sends.
* A channel gone for good, or one the bot lost access to, pauses its schedule (recorded before
  the claim runs out, so nobody retries it) and the community is told; any other failure gives
  the claim up and a later sweep, of any process, tries again.
* Question choice per guild and topic: questions posted least often first (so nothing repeats
  until the topic's bank is exhausted, and repeats are spread evenly after that), never one of
  the schedule's previous day or earlier today while another is left (so a new round does not
  start with yesterday's question); among those, what the group is forgetting (below); then
  terms this group got wrong most; ties are broken by a pseudo-random order seeded with the
  slot, so racing processes agree.
* What the group is forgetting (`forgetting_scores`): for each entry, the share of the
  community's studying members (those with any card) who are not expected to recall it at the
  slot's time: a member who never studied it counts as not recalling it, one who did by FSRS's
  predicted recall. So entries with the lowest mean recall across the members who studied them,
  and entries few members have seen, come first. The recall is averaged over the first
  `SAMPLE_CARDS` members (by id) who studied the entry, so a pick costs the same for a group of
  fifty or of five thousand; below that many the numbers are exact. It is computed at the slot's
  own time from stored cards only, so two processes picking the same slot agree. The reason
  (members, who studied it, how many are likely to have forgotten it) is kept with the post for
  the reveal.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import random
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.job import Job
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.app.messages import REASON_DELETED, REASON_NO_QUESTIONS, permission_reason
from bot.app.ports import Delivered, DeliveryPort, Forbidden, Gone, Reveal
from bot.app.study import AnswerOutcome, StudyService
from bot.clock import Clock
from bot.community import Community
from bot.engine.cards import recall_curve
from bot.engine.model import Question
from bot.engine.schedule import (
    DailySlot,
    ScheduleInputError,
    missed_slot,
    next_slots,
    parse_time,
    parse_zone,
    reveal_time,
    suggest_zones,
)
from bot.engine.scoring import Board
from bot.errors import NoQuestions, StudyError
from bot.store import Post, Schedule
from bot.store.backend import StoreBackend

log = logging.getLogger(__name__)

MAX_SEQ = 5  # the store keeps at most five posts per schedule and day
EXTRA_REVEAL_LEAD = timedelta(hours=1)  # an extra post stays open at least this long by default
SEND_LEASE = timedelta(minutes=2)  # how long a claim to send a post keeps other senders off
REVEAL_EDIT_WINDOW = timedelta(days=7)  # reveals this recent are redrawn when their edit is missing
SWEEP_JOB = "daily:sweep"
EARLY_FIRE = timedelta(seconds=5)  # a cron job that fires a hair early still finds its slot


# -- errors ----------------------------------------------------------------------------------


class DailyError(StudyError):
    """An expected problem with a daily-quiz request; the cog words it per language."""


class InvalidTime(DailyError):
    code = "daily_invalid_time"


class InvalidZone(DailyError):
    code = "daily_invalid_zone"


class NoSchedule(DailyError):
    code = "daily_no_schedule"


class WhichSchedule(DailyError):
    """Several schedules and none in this channel: `params["channel_ids"]` lists them."""

    code = "daily_which_schedule"


class NoRoomToday(DailyError):
    """`/dailyadmin now` when today's five question slots of the schedule are taken."""

    code = "daily_no_room"


# -- records ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScheduleSet:
    """`/dailyadmin set`: the new schedule, its next post times, and whether it replaced one."""

    schedule: Schedule
    next_posts: tuple[DailySlot, ...]
    replaced: bool


@dataclass(frozen=True, slots=True)
class ScheduleStatus:
    """One schedule for `/daily status`."""

    schedule: Schedule
    next_post: DailySlot | None  # None while paused
    questions_left: int  # before the topic's bank repeats
    pool_size: int


@dataclass(frozen=True, slots=True)
class DueSlot:
    """What a schedule needs now: a slot to post, or a slot that was skipped (beyond grace)."""

    schedule: Schedule
    post: DailySlot | None
    skipped: DailySlot | None


@dataclass(frozen=True, slots=True)
class PostBatch:
    """The posts made for one slot. `new` are the ones this call created and must send."""

    schedule: Schedule
    slot: DailySlot
    new: tuple[Post, ...]
    existing: tuple[Post, ...]


# -- pure rules ------------------------------------------------------------------------------


def schedule_time(schedule: Schedule) -> time:
    return parse_time(schedule.time)


def schedule_zone(schedule: Schedule) -> ZoneInfo:
    return ZoneInfo(schedule.timezone)


def choose_question(
    pool: Sequence[Question],
    uses: Mapping[str, int],
    misses: Mapping[str, int],
    *,
    salt: str,
    exclude: Iterable[str] = (),
    avoid: Iterable[str] = (),
    forgetting: Mapping[str, float] | None = None,
) -> Question | None:
    """The next question: least posted first, then what the group is forgetting most (`forgetting`,
    by entry id, see `forgetting_scores`), then most-missed term, then a seeded shuffle.

    Questions in `exclude` (already picked) and then those in `avoid` (posted recently) are left
    out while anything else is left.
    """
    skip = set(exclude)
    allowed = [q for q in pool if q.id not in skip] or list(pool)
    shun = set(avoid)
    candidates = [q for q in allowed if q.id not in shun] or allowed
    if not candidates:
        return None
    fewest = min(uses.get(q.id, 0) for q in candidates)
    fresh = [q for q in candidates if uses.get(q.id, 0) == fewest]
    rng = random.Random(salt)
    order = {q.id: rng.random() for q in fresh}
    weights = forgetting or {}
    return max(fresh, key=lambda q: (weights.get(q.entry_id or "", 0.0), misses.get(q.term, 0), order[q.id]))


SAMPLE_CARDS = 32  # cards per entry the daily pick reads to estimate its mean recall (exact below)
FORGOTTEN_BELOW = 0.5  # predicted recall under which a member is "likely to have forgotten" it


@dataclass(frozen=True, slots=True)
class PickReason:
    """Why a daily question was chosen: of `members` studying members, `seen` studied the entry
    and about `forgetting` of those are likely to have forgotten it."""

    members: int
    seen: int
    forgetting: int

    def to_json(self) -> str:
        return json.dumps({"members": self.members, "seen": self.seen, "forgetting": self.forgetting})

    @classmethod
    def parse(cls, text: str | None) -> PickReason | None:
        """The stored reason, or None when there is none or it cannot be read."""
        if not text:
            return None
        try:
            data = json.loads(text)
            return cls(int(data["members"]), int(data["seen"]), int(data["forgetting"]))
        except (ValueError, KeyError, TypeError):
            return None


def forgetting_scores(
    members: int, memory: Mapping[str, tuple[int, int, float, int]], entry_ids: Iterable[str],
) -> dict[str, tuple[float, PickReason]]:
    """Per entry: the share of the `members` studying members not expected to recall it (see the
    module docstring), rounded so every process ranks alike, and the reason to show.

    `memory` maps an entry to (members who studied it, cards sampled, their summed predicted
    recall, how many of those are under FORGOTTEN_BELOW), as `Store.entry_memory` gives it;
    entries missing from it were studied by nobody."""
    scores: dict[str, tuple[float, PickReason]] = {}
    if members <= 0:
        return scores
    for entry_id in entry_ids:
        seen, sampled, recall_sum, low = memory.get(entry_id, (0, 0, 0.0, 0))
        mean = recall_sum / sampled if sampled else 0.0
        forgetting = round(seen * low / sampled) if sampled else 0
        studying = max(members, seen)
        score = round(1 - mean * seen / studying, 6)
        scores[entry_id] = (score, PickReason(studying, seen, forgetting))
    return scores


def questions_left(pool: Sequence[Question], uses: Mapping[str, int]) -> int:
    """How many questions come before the first repeat: those posted least often so far."""
    if not pool:
        return 0
    fewest = min(uses.get(q.id, 0) for q in pool)
    return sum(1 for q in pool if uses.get(q.id, 0) == fewest)


def extra_reveal_time(now: datetime, at: time, zone: ZoneInfo, reveal_after_hours: float | None) -> datetime:
    """When a `/dailyadmin now` post is revealed.

    `reveal_after_hours` after it when set; otherwise one hour before the first scheduled post
    that leaves it open at least an hour.
    """
    if reveal_after_hours is not None:
        return now + timedelta(hours=reveal_after_hours)
    for slot in next_slots(at, zone, now, count=3):
        candidate = slot.at - timedelta(hours=1)
        if candidate >= now + EXTRA_REVEAL_LEAD:
            return candidate
    return now + timedelta(hours=24)  # pragma: no cover - three slots always give a candidate


def slot_reveal_time(schedule: Schedule, slot: DailySlot) -> datetime:
    """When a scheduled post is revealed (see `bot.engine.schedule.reveal_time`)."""
    return reveal_time(slot, schedule_time(schedule), schedule_zone(schedule), schedule.reveal_after_hours)


# -- the use cases ---------------------------------------------------------------------------


class DailyQuiz:
    """Daily-quiz decisions over the study service and the store; holds no mutable state."""

    def __init__(self, service: StudyService, store: StoreBackend, *, grace: timedelta, clock: Clock) -> None:
        self._service = service
        self.store = store
        self._grace = grace
        self._clock = clock

    @property
    def grace(self) -> timedelta:
        return self._grace

    def now(self) -> datetime:
        return self._clock.now()

    # -- topics and questions ----------------------------------------------------------------

    def pool(self, topic: str | None) -> tuple[Question, ...]:
        return tuple(self._service.bank.for_topic(topic))

    async def _uses(self, community: Community, topic: str | None) -> dict[str, int]:
        # Per-question post counts: after the bank is exhausted the least-posted come first, so
        # repeats are spread evenly and yesterday's question does not come straight back.
        return await self.store.question_use_counts(community, topic)

    async def questions_left(self, schedule: Schedule) -> tuple[int, int]:
        """(questions before the bank repeats, questions in the topic) for a schedule."""
        pool = self.pool(schedule.topic)
        uses = await self._uses(schedule.community, schedule.topic)
        return questions_left(pool, uses), len(pool)

    async def _recent_question_ids(self, schedule: Schedule, local_date: str) -> set[str]:
        """The questions the schedule posted on the day before `local_date` and on that day."""
        day = date.fromisoformat(local_date)
        posts = [*await self.store.daily_posts(schedule.schedule_id, (day - timedelta(days=1)).isoformat()),
                 *await self.store.daily_posts(schedule.schedule_id, local_date)]
        return {p.question.id for p in posts}

    async def _forgetting(self, schedule: Schedule, local_date: str,
                          pool: Sequence[Question]) -> dict[str, tuple[float, PickReason]]:
        """What the group is forgetting among the pool's entries, at the slot's own time."""
        entry_ids = sorted({q.entry_id for q in pool if q.entry_id})
        when = datetime.combine(date.fromisoformat(local_date), schedule_time(schedule),
                                tzinfo=schedule_zone(schedule))
        members, memory = await self.store.entry_memory(
            schedule.community, entry_ids, sample=SAMPLE_CARDS, when=when, curve=recall_curve(),
            below=FORGOTTEN_BELOW)
        return forgetting_scores(members, memory, entry_ids)

    async def _pick(self, schedule: Schedule, local_date: str,
                    seqs: Sequence[int]) -> list[tuple[Question, str | None]]:
        """The questions for `seqs`, each with the reason to keep with its post (JSON or None)."""
        pool = self.pool(schedule.topic)
        if not pool:
            raise NoQuestions(topic=schedule.topic)
        uses = await self._uses(schedule.community, schedule.topic)
        misses = await self.store.term_miss_counts(schedule.community)
        recent = await self._recent_question_ids(schedule, local_date)
        scores = await self._forgetting(schedule, local_date, pool)
        weights = {entry_id: score for entry_id, (score, _) in scores.items()}
        picked: list[tuple[Question, str | None]] = []
        for seq in seqs:
            question = choose_question(
                pool, uses, misses, exclude=(q.id for q, _ in picked), avoid=recent, forgetting=weights,
                salt=f"{schedule.community.id}:{schedule.schedule_id}:{local_date}:{seq}",
            )
            assert question is not None
            reason = scores.get(question.entry_id or "")
            picked.append((question, None if reason is None else reason[1].to_json()))
            uses[question.id] = uses.get(question.id, 0) + 1
        return picked

    # -- schedules ---------------------------------------------------------------------------

    async def set_schedule(
        self,
        community: Community,
        channel_id: str,
        time_text: str,
        *,
        timezone: str | None = None,
        topic: str | None = None,
        questions: int = 1,
        reveal_after_hours: float | None = None,
    ) -> ScheduleSet:
        """Create (or replace) the channel's schedule. Bad input raises before anything changes."""
        try:
            at = parse_time(time_text)
        except ScheduleInputError:
            raise InvalidTime(value=time_text) from None
        if timezone is None or not timezone.strip():
            zone_name = (await self.store.community_settings(community)).timezone
        else:
            try:
                zone_name = parse_zone(timezone).key
            except ScheduleInputError:
                raise InvalidZone(value=timezone, suggestions=suggest_zones(timezone, limit=3)) from None
        name = self._service.resolve_topic(topic)
        if not self.pool(name):
            raise NoQuestions(topic=name)
        if not 1 <= questions <= MAX_SEQ:
            raise ValueError("questions must be between 1 and 5")
        if reveal_after_hours is not None and not 1 <= reveal_after_hours <= 23:
            raise ValueError("reveal_after_hours must be between 1 and 23")
        replaced = any(s.channel_id == channel_id for s in await self.store.active_schedules(community))
        schedule = await self.store.create_or_replace_schedule(
            community, channel_id, at.strftime("%H:%M"), zone_name, topic=name,
            questions_per_post=questions, reveal_after_hours=reveal_after_hours,
        )
        slots = next_slots(at, ZoneInfo(zone_name), self.now(), count=3)
        return ScheduleSet(schedule=schedule, next_posts=tuple(slots), replaced=replaced)

    async def find_schedule(self, community: Community, channel_id: str | None) -> Schedule:
        """The schedule of `channel_id`, else the guild's only one; raises when none or unclear."""
        schedules = await self.store.active_schedules(community)
        for schedule in schedules:
            if schedule.channel_id == channel_id:
                return schedule
        if len(schedules) == 1:
            return schedules[0]
        if not schedules:
            raise NoSchedule()
        raise WhichSchedule(channel_ids=[s.channel_id for s in schedules])

    async def stop(self, community: Community, channel_id: str | None) -> Schedule:
        """Stop the schedule (`find_schedule` rules); its posts and answers stay."""
        schedule = await self.find_schedule(community, channel_id)
        await self.store.stop_schedule(schedule.schedule_id)
        return schedule

    def next_post(self, schedule: Schedule, now: datetime | None = None) -> DailySlot:
        """The schedule's next slot after now (extra `/dailyadmin now` posts do not move it)."""
        return next_slots(schedule_time(schedule), schedule_zone(schedule), now or self.now(), count=1)[0]

    async def status(self, community: Community) -> list[ScheduleStatus]:
        now = self.now()
        out: list[ScheduleStatus] = []
        for schedule in await self.store.active_schedules(community):
            upcoming = None if schedule.paused else self.next_post(schedule, now)
            left, size = await self.questions_left(schedule)
            out.append(ScheduleStatus(schedule, upcoming, left, size))
        return out

    async def active_schedules(self) -> list[Schedule]:
        return await self.store.active_schedules()

    async def get_schedule(self, schedule_id: int) -> Schedule | None:
        return await self.store.get_schedule(schedule_id)

    async def pause(self, schedule: Schedule, reason: str) -> bool:
        return await self.store.pause_schedule(schedule.schedule_id, reason)

    # -- when to post ------------------------------------------------------------------------

    async def _posted(self, schedule: Schedule, local_date: date) -> bool:
        posts = await self.store.daily_posts(schedule.schedule_id, local_date.isoformat())
        have = {p.seq for p in posts}
        return all(seq in have for seq in range(1, schedule.questions_per_post + 1))

    async def due(self, schedule: Schedule, now: datetime | None = None) -> DueSlot:
        """The slot to post now (within grace, not posted yet) or the one skipped beyond grace."""
        now = now or self.now()
        if not schedule.active or schedule.paused:
            return DueSlot(schedule, None, None)
        to_post, skipped = _missed_slot(schedule, now, self._grace)
        if to_post is not None and await self._posted(schedule, to_post.local_date):
            to_post = None
        if skipped is not None and await self._posted(schedule, skipped.local_date):
            skipped = None
        return DueSlot(schedule, to_post, skipped)

    async def due_slots(self, now: datetime | None = None, *,
                        owns: Callable[[Community], bool] | None = None) -> list[DueSlot]:
        """Every active schedule (of a community `owns` accepts) with something to post or a
        skipped slot to report."""
        now = now or self.now()
        found = []
        for schedule in await self.store.active_schedules():
            if owns is not None and not owns(schedule.community):
                continue
            decision = await self.due(schedule, now)
            if decision.post is not None or decision.skipped is not None:
                found.append(decision)
        return found

    # -- posting -----------------------------------------------------------------------------

    async def create_slot_posts(self, schedule: Schedule, slot: DailySlot) -> PostBatch:
        """The posts of a scheduled slot (seq 1..n). Posts another call made are not new."""
        local = slot.local_date.isoformat()
        seqs = range(1, schedule.questions_per_post + 1)
        existing = {p.seq: p for p in await self.store.daily_posts(schedule.schedule_id, local)}
        missing = [s for s in seqs if s not in existing]
        reveal_at = slot_reveal_time(schedule, slot)
        new: list[Post] = []
        old: list[Post] = [existing[s] for s in seqs if s in existing]
        for seq, (question, why) in zip(missing, await self._pick(schedule, local, missing), strict=True):
            made = await self.store.create_daily_post(
                schedule.schedule_id, local, seq, question, reveal_at=reveal_at,
                definition_hash=self._service.definition_hash_of(question), pick_reason=why)
            (old if made.duplicate else new).append(made.post)
        return PostBatch(schedule, slot, tuple(new), tuple(old))

    async def create_extra_post(self, schedule: Schedule) -> PostBatch:
        """`/dailyadmin now`: one more question today, outside the scheduled ones."""
        now = self.now()
        zone = schedule_zone(schedule)
        today = now.astimezone(zone).date()
        local = today.isoformat()
        for _attempt in range(MAX_SEQ):
            taken = {p.seq for p in await self.store.daily_posts(schedule.schedule_id, local)}
            free = [s for s in range(schedule.questions_per_post + 1, MAX_SEQ + 1) if s not in taken]
            if not free:
                raise NoRoomToday(limit=MAX_SEQ)
            ((question, why),) = await self._pick(schedule, local, free[:1])
            reveal_at = extra_reveal_time(now, schedule_time(schedule), zone, schedule.reveal_after_hours)
            made = await self.store.create_daily_post(
                schedule.schedule_id, local, free[0], question, reveal_at=reveal_at,
                definition_hash=self._service.definition_hash_of(question), pick_reason=why)
            if not made.duplicate:
                return PostBatch(schedule, DailySlot(today, now), (made.post,), ())
        raise NoRoomToday(limit=MAX_SEQ)

    async def set_message_id(self, post: Post, message_id: str) -> None:
        await self.store.set_message_id(post.post_id, message_id)

    # -- sending (claims in the store) -------------------------------------------------------

    async def claim_send(self, post: Post) -> Post | None:
        """Claim a post before sending it; None when it must not be sent by this caller."""
        return await self.store.claim_daily_post_send(post.post_id, lease=SEND_LEASE, now=self.now())

    async def claim_unsent(self, now: datetime | None = None, *,
                           owns: Callable[[Community], bool] | None = None) -> list[Post]:
        """Claim the posts made but not sent within the grace window (a crash, a failed send);
        with `owns`, only those of the communities it accepts (the others are left alone for
        their own process), each claimed by one UPDATE so a racing process gets none of them."""
        now = now or self.now()
        since = now - self._grace
        if owns is None:
            return await self.store.claim_unsent_daily_posts(lease=SEND_LEASE, since=since, now=now)
        claimed = []
        for post in await self.store.claimable_unsent_daily_posts(since=since, now=now):
            if owns(post.community):
                got = await self.store.claim_daily_post_send(post.post_id, lease=SEND_LEASE, now=now)
                if got is not None:
                    claimed.append(got)
        return claimed

    async def stale_unsent(self, now: datetime | None = None) -> list[Post]:
        """Posts made but never sent that are now older than the grace window: not sent any more."""
        return await self.store.stale_unsent_daily_posts((now or self.now()) - self._grace)

    async def release_send(self, post: Post) -> None:
        """The send failed for now: let the next sweep (of any process) try again."""
        await self.store.release_send_claim(post.post_id)

    # -- answers and reveals -----------------------------------------------------------------

    async def answer(self, community: Community, post_id: int, user_id: str, choice: int,
                     display_name: str) -> AnswerOutcome:
        """Record a click (committed before this returns); raises AlreadyAnswered, AnswersClosed..."""
        return await self._service.answer(
            community=community, post_id=post_id, user_id=user_id, choice=choice, display_name=display_name,
            board=Board.DAILY)

    async def get_post(self, post_id: int) -> Post | None:
        return await self.store.get_post(post_id)

    async def due_reveals(self, now: datetime | None = None) -> list[Post]:
        return await self.store.due_reveals(now or self.now())

    async def reveal(self, post: Post) -> Reveal | None:
        """Close the post to answers and count them; None when another call revealed it."""
        if not await self.store.mark_revealed(post.post_id):
            return None
        results = await self.store.post_results(post.post_id)
        if results is None:  # pragma: no cover - the post was just marked
            return None
        closed = await self.store.get_post(post.post_id)
        return Reveal(post=closed or post, results=results)

    async def results(self, post: Post) -> Reveal | None:
        """The numbers of a post already revealed (to redraw its message)."""
        results = await self.store.post_results(post.post_id)
        return None if results is None else Reveal(post=post, results=results)

    async def pending_reveal_edits(self, now: datetime | None = None) -> list[Post]:
        """Revealed posts whose message does not show the answer yet (recent ones only)."""
        return await self.store.pending_reveal_edits((now or self.now()) - REVEAL_EDIT_WINDOW)

    async def mark_reveal_edited(self, post: Post) -> None:
        """The message shows the answer, or never can (message or channel gone)."""
        await self.store.mark_reveal_edited(post.post_id)


PLATFORM_DISCORD = "discord"
PLATFORM_SLACK = "slack"
NONCE_CHARS = 24  # Discord takes a nonce of at most 25 characters


def delivery_nonce(post: Post) -> str:
    """The same key for every send of one daily post, (schedule, local date, seq): a platform
    that remembers it (Discord's `nonce` with `enforce_nonce`) returns the message it made for
    an earlier send instead of a second one, e.g. after a crash between send and store."""
    key = f"{post.schedule_id}:{post.local_date}:{post.seq}".encode()
    return "dq" + hashlib.sha256(key).hexdigest()[: NONCE_CHARS - 2]


def platform_of(schedule: Schedule) -> str:
    """The chat platform a schedule's channel lives on."""
    return schedule.community.platform


@dataclass(frozen=True, slots=True)
class PostedNow:
    """`/dailyadmin now`: whether the extra post went out, and the schedule's next regular post."""

    schedule: Schedule
    sent: bool
    paused: bool  # the channel is lost for good and the schedule paused
    next_post: DailySlot


class DailyCycle:
    """The daily quiz as it runs: commands, clicks, timed posts and reveals, for any platform.

    Each front end attaches its `DeliveryPort` under its platform's name; the first attachment
    starts the APScheduler jobs (one cron job per active schedule in its zone, and the sweep) and
    every attachment runs a recovery sweep once its port is ready. Posts and reveals of a
    platform with no attached port wait until one is attached (in this or another process).

    No command or post job waits for a delivery it did not make: a port call may wait on the
    platform (a rate limit, a slow server, up to the client's longest rate-limit wait), and
    `/dailyadmin now` must not queue behind it. Only sweeps take turns among themselves. Sends
    are exclusive through their claims in the store (`_claiming` covers making and claiming,
    never a send), reveals through `mark_revealed`; a reveal edit in flight in this process is
    not started again by an overlapping sweep (`_editing`).
    """

    def __init__(self, quiz: DailyQuiz, scheduler: BaseScheduler, *, sweep_seconds: int,
                 owns: Callable[[Community], bool] | None = None) -> None:
        self._quiz = quiz
        self._scheduler = scheduler
        self._sweep_seconds = sweep_seconds
        # The communities whose timed work (posts, reveals, retries) this process runs; None: all.
        # Others belong to another process (`bot.app.ownership`); commands and clicks are
        # served whoever owns the community.
        self._owns = owns
        self._job_specs: dict[str, tuple[str, str]] = {}  # post job id -> (time, zone) it runs at
        self._ports: dict[str, DeliveryPort] = {}
        self._editing: set[int] = set()  # post ids whose reveal edit is in flight here
        # Held only while posts are made and claimed (store calls, no delivery): a sweep of this
        # process must not claim a post that `/dailyadmin now` or a post job made and is about to claim.
        self._claiming = asyncio.Lock()
        self._sweep_turn = asyncio.Lock()  # sweeps only: one at a time
        self._jobs: set[str] = set()
        self._recoveries: set[asyncio.Task[None]] = set()
        self.recovered = asyncio.Event()

    @property
    def quiz(self) -> DailyQuiz:
        """The decisions the cycle runs on (for tests and tools; front ends use the cycle)."""
        return self._quiz

    # -- life cycle --------------------------------------------------------------------------

    async def attach(self, platform: str, port: DeliveryPort) -> None:
        """Deliver `platform`'s posts through `port`; starts the jobs and a recovery sweep."""
        self._ports[platform] = port
        if not self._jobs:
            await self._start_jobs()
        task = asyncio.create_task(self._recover(port), name=f"daily-recovery-{platform}")
        self._recoveries.add(task)
        task.add_done_callback(self._recoveries.discard)

    async def detach(self, platform: str) -> None:
        """Stop delivering to `platform`; the jobs stop with the last port."""
        self._ports.pop(platform, None)
        if self._ports:
            return
        for task in list(self._recoveries):
            task.cancel()
        await asyncio.gather(*self._recoveries, return_exceptions=True)
        for job_id in list(self._jobs):
            self._remove_job(job_id)

    def owns(self, community: Community) -> bool:
        """Whether this process runs the community's timed work."""
        return self._owns is None or self._owns(community)

    async def _owned_schedules(self) -> list[Schedule]:
        return [s for s in await self._quiz.active_schedules() if self.owns(s.community)]

    async def _start_jobs(self) -> None:
        for schedule in await self._owned_schedules():
            self._add_post_job(schedule)
        every = self._sweep_seconds
        self._scheduler.add_job(
            self._sweep_job, IntervalTrigger(seconds=every), id=SWEEP_JOB, name="daily quiz sweep",
            replace_existing=True, coalesce=True, max_instances=1, misfire_grace_time=every,
        )
        self._jobs.add(SWEEP_JOB)
        log.info("daily quiz: %d post jobs scheduled", len(self._jobs) - 1)

    @staticmethod
    def _job_id(schedule_id: int) -> str:
        return f"daily:post:{schedule_id}"

    def _add_post_job(self, schedule: Schedule) -> None:
        at = schedule_time(schedule)
        job_id = self._job_id(schedule.schedule_id)
        spec = (schedule.time, schedule.timezone)
        if self._job_specs.get(job_id) == spec and job_id in self._jobs:
            return  # scheduled already, at this time
        self._job_specs[job_id] = spec
        self._scheduler.add_job(
            self._post_job, CronTrigger(hour=at.hour, minute=at.minute, timezone=schedule_zone(schedule)),
            args=[schedule.schedule_id], id=job_id, name=f"daily post {schedule.schedule_id}",
            replace_existing=True, coalesce=True, max_instances=1,
            misfire_grace_time=max(1, int(self._quiz.grace.total_seconds())),
        )
        self._jobs.add(job_id)

    def post_job(self, schedule_id: int) -> Job | None:
        """The APScheduler job that posts a schedule's questions, if this process runs one."""
        return self._scheduler.get_job(self._job_id(schedule_id))

    def _remove_job(self, job_id: str) -> None:
        self._jobs.discard(job_id)
        self._job_specs.pop(job_id, None)
        try:
            self._scheduler.remove_job(job_id)
        except JobLookupError:
            pass

    async def _resync_jobs(self) -> None:
        """Make the post jobs match the active schedules this process owns in the store
        (also those set through another process: the sweep calls this too)."""
        if not self._jobs:
            return  # not running in this process: the process that runs the cycle picks it up
        active = await self._owned_schedules()
        wanted = {self._job_id(s.schedule_id) for s in active}
        for job_id in list(self._jobs):
            if job_id != SWEEP_JOB and job_id not in wanted:
                self._remove_job(job_id)
        for schedule in active:
            self._add_post_job(schedule)

    async def _recover(self, port: DeliveryPort) -> None:
        """After downtime: reveal what fell due, post missed slots within grace, log the rest."""
        try:
            await port.wait_ready()
            await self.sweep(recovering=True)
            log.info("daily quiz: recovery done")
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("daily quiz: recovery failed")
        finally:
            self.recovered.set()

    async def _post_job(self, schedule_id: int) -> None:
        """The CronTrigger job of one schedule."""
        try:
            schedule = await self._quiz.get_schedule(schedule_id)
            if schedule is None or not schedule.active:
                self._remove_job(self._job_id(schedule_id))
                return
            due = await self._quiz.due(schedule, self._quiz.now() + EARLY_FIRE)
            if due.post is not None:
                await self._post_slot(schedule, due.post)
        except Exception:
            log.exception("daily quiz: the post job of schedule %s failed", schedule_id)

    async def _sweep_job(self) -> None:
        try:
            await self.sweep()
        except Exception:
            log.exception("daily quiz: the sweep failed")

    def _port(self, schedule: Schedule) -> DeliveryPort | None:
        return self._ports.get(platform_of(schedule))

    async def sweep(self, *, recovering: bool = False) -> None:
        """Redraw missed reveal edits, reveal due posts, post due slots, send unsent posts.

        Sweeps take turns (the recovery sweep after a timed one that is running, so "recovery
        done" means its work is done); commands and post jobs never wait for a sweep.
        """
        async with self._sweep_turn:
            await self._sweep(recovering=recovering)

    async def _sweep(self, *, recovering: bool) -> None:
        quiz = self._quiz
        owns = self.owns
        await self._guarded(self._resync_jobs(), "resync of the post jobs")
        for post in await quiz.pending_reveal_edits():
            if owns(post.community):
                await self._guarded(self._redraw_reveal(post), f"reveal edit of post {post.post_id}")
        for post in await quiz.due_reveals():
            if owns(post.community):
                await self._guarded(self._reveal(post), f"reveal of post {post.post_id}")
        for due in await quiz.due_slots(owns=self._owns):
            if self._port(due.schedule) is None:
                continue
            if due.post is not None:
                if recovering:
                    log.info("daily quiz: posting the %s slot of schedule %s missed while down",
                             due.post.local_date, due.schedule.schedule_id)
                await self._guarded(self._post_slot(due.schedule, due.post),
                                    f"post of schedule {due.schedule.schedule_id}")
            elif due.skipped is not None and recovering:
                log.warning(
                    "daily quiz: skipped the %s slot of schedule %s (due %s, more than %s ago)",
                    due.skipped.local_date, due.schedule.schedule_id, due.skipped.at.isoformat(),
                    quiz.grace)
        async with self._claiming:
            unsent = await quiz.claim_unsent(owns=self._owns)
        for post in unsent:
            await self._guarded(self._send_unsent(post), f"retry of post {post.post_id}")
        if recovering:
            for post in await quiz.stale_unsent():
                if not owns(post.community):
                    continue
                log.warning("daily quiz: post %s (schedule %s, %s #%s) was never sent and is more than %s "
                            "old; not sending it", post.post_id, post.schedule_id, post.local_date,
                            post.seq, quiz.grace)

    @staticmethod
    async def _guarded(work: Awaitable[Any], what: str) -> None:
        try:
            await work
        except Exception:
            log.exception("daily quiz: %s failed", what)

    # -- posting and revealing ---------------------------------------------------------------

    async def _post_slot(self, schedule: Schedule, slot: DailySlot) -> PostBatch | None:
        try:
            async with self._claiming:
                batch = await self._quiz.create_slot_posts(schedule, slot)
                claimed = await self._claim_batch(batch)
        except NoQuestions:
            await self._pause(schedule, REASON_NO_QUESTIONS)
            return None
        await self._send_claimed_batch(batch.schedule, claimed)
        return batch

    async def _claim_batch(self, batch: PostBatch) -> list[Post]:
        """Claim the new posts of a batch just made (under `_claiming`, so no sweep of this
        process claims them in between)."""
        claimed = []
        for post in batch.new:
            got = await self._quiz.claim_send(post)
            if got is None:
                log.info("daily quiz: post %s is sent, revealed or being sent elsewhere; not sending it",
                         post.post_id)
            else:
                claimed.append(got)
        return claimed

    async def _send_claimed_batch(self, schedule: Schedule, claimed: Sequence[Post]) -> list[bool]:
        return [await self._send_claimed(schedule, post) for post in claimed]

    async def _send_unsent(self, post: Post) -> None:
        """Send a post claimed by the sweep: made earlier (maybe by a crashed process) but unsent."""
        schedule = await self._quiz.get_schedule(post.schedule_id) if post.schedule_id is not None else None
        if schedule is None:  # pragma: no cover - the claim only returns posts of live schedules
            return
        if self._port(schedule) is None:
            await self._quiz.release_send(post)  # another process's platform
            return
        log.info("daily quiz: sending post %s (schedule %s, %s #%s), made earlier but not sent",
                 post.post_id, schedule.schedule_id, post.local_date, post.seq)
        await self._send_claimed(schedule, post)

    async def _send_claimed(self, schedule: Schedule, post: Post) -> bool:
        """Send a claimed post and remember its message; a lost channel pauses the schedule.

        The schedule is paused before the claim runs out, so nobody retries a lost channel; any
        other failure gives up the claim, and the next sweep (of any process) tries again.
        """
        port = self._port(schedule)
        if port is None:
            await self._quiz.release_send(post)
            return False
        outcome = await port.post_question(schedule, post)
        match outcome:
            case Delivered(message_id=message_id) if message_id is not None:
                await self._quiz.set_message_id(post, message_id)
                log.info("daily quiz: posted post %s (schedule %s, %s #%s) as message %s", post.post_id,
                         schedule.schedule_id, post.local_date, post.seq, message_id)
                return True
            case Gone():
                await self._pause(schedule, REASON_DELETED)
            case Forbidden(missing=missing):
                await self._pause(schedule, permission_reason(missing))
            case _:
                await self._quiz.release_send(post)
                log.error("daily quiz: could not send post %s to channel %s (%s); retrying at the next sweep",
                          post.post_id, schedule.channel_id, getattr(outcome, "reason", outcome))
        return False

    async def _reveal(self, post: Post) -> None:
        """Close a due post (recorded first), then draw the answer on its message."""
        reveal = await self._quiz.reveal(post)
        if reveal is None:
            return
        if reveal.post.message_id is None or reveal.post.channel_id is None:
            log.info("daily quiz: revealed post %s, which has no message to edit", post.post_id)
            return
        if await self._edit_reveal(reveal):
            log.info("daily quiz: revealed post %s (%d answers)", post.post_id, reveal.results.total)

    async def _redraw_reveal(self, post: Post) -> None:
        """Draw the answer on a post revealed earlier whose edit never happened (or failed)."""
        reveal = await self._quiz.results(post)
        if reveal is None:  # pragma: no cover - the post was listed a moment ago
            return
        if await self._edit_reveal(reveal):
            log.info("daily quiz: drew the reveal of post %s on its message (%d answers)",
                     post.post_id, reveal.results.total)

    async def _edit_reveal(self, reveal: Reveal) -> bool:
        """Draw the answer on the post's message; True when the edit was made.

        Done, or impossible for good (message or channel gone, access lost: the schedule pauses),
        is recorded so it is not tried again; any other failure is retried at the next sweep.
        """
        post = reveal.post
        schedule = await self._quiz.get_schedule(post.schedule_id) if post.schedule_id is not None else None
        port = self._ports.get(post.community.platform)
        if port is None or post.post_id in self._editing:
            return False
        self._editing.add(post.post_id)
        try:
            outcome = await port.show_reveal(reveal)
        finally:
            self._editing.discard(post.post_id)
        match outcome:
            case Delivered():
                await self._quiz.mark_reveal_edited(post)
                return True
            case Gone(channel=True):
                await self._pause_schedule_of(schedule, REASON_DELETED)
            case Gone():
                log.info("daily quiz: the message of post %s is gone; revealed without an edit", post.post_id)
            case Forbidden(missing=missing):
                await self._pause_schedule_of(schedule, permission_reason(missing))
            case _:
                log.error("daily quiz: revealed post %s but could not edit its message (%s); retrying at the "
                          "next sweep", post.post_id, getattr(outcome, "reason", outcome))
                return False
        await self._quiz.mark_reveal_edited(post)
        return False

    async def _pause_schedule_of(self, schedule: Schedule | None, reason: str) -> None:
        if schedule is not None and schedule.active and not schedule.paused:
            await self._pause(schedule, reason)

    async def _pause(self, schedule: Schedule, reason: str) -> None:
        """Pause the schedule, log it, and tell its community where the platform allows."""
        if not await self._quiz.pause(schedule, reason):
            return
        log.warning("daily quiz: paused schedule %s of %s in channel %s: %s",
                    schedule.schedule_id, schedule.community, schedule.channel_id, reason)
        port = self._port(schedule)
        if port is not None:
            await port.announce_pause(schedule, reason)

    # -- what members and admins ask for ------------------------------------------------------

    async def set_schedule(
        self,
        community: Community,
        channel_id: str,
        time_text: str,
        *,
        timezone: str | None = None,
        topic: str | None = None,
        questions: int = 1,
        reveal_after_hours: float | None = None,
    ) -> ScheduleSet:
        """`/dailyadmin set`: create or replace the channel's schedule and (re)schedule its job."""
        result = await self._quiz.set_schedule(
            community, channel_id, time_text, timezone=timezone, topic=topic, questions=questions,
            reveal_after_hours=reveal_after_hours,
        )
        await self._resync_jobs()
        log.info("daily quiz: schedule %s set in channel %s at %s %s", result.schedule.schedule_id,
                 channel_id, result.schedule.time, result.schedule.timezone)
        return result

    async def post_now(self, community: Community, channel_id: str | None) -> PostedNow:
        """`/dailyadmin now`: one more question today in the schedule's channel, sent at once."""
        schedule = await self._quiz.find_schedule(community, channel_id)
        async with self._claiming:
            batch = await self._quiz.create_extra_post(schedule)
            claimed = await self._claim_batch(batch)
        sent = len(claimed) == len(batch.new) and all(await self._send_claimed_batch(schedule, claimed))
        paused = False
        if not sent:
            now = await self._quiz.get_schedule(schedule.schedule_id)
            paused = now is None or now.paused
        return PostedNow(schedule, sent, paused, self._quiz.next_post(schedule))

    async def stop(self, community: Community, channel_id: str | None) -> Schedule:
        """`/dailyadmin stop`: the schedule ends (its posts and answers stay) and its job goes."""
        schedule = await self._quiz.stop(community, channel_id)
        self._remove_job(self._job_id(schedule.schedule_id))
        log.info("daily quiz: schedule %s stopped", schedule.schedule_id)
        return schedule

    async def status(self, community: Community) -> list[ScheduleStatus]:
        return await self._quiz.status(community)

    async def answer(self, community: Community, post_id: int, user_id: str, choice: int,
                     display_name: str) -> AnswerOutcome:
        """A click on a daily post, committed before this returns."""
        return await self._quiz.answer(community, post_id, user_id, choice, display_name)

    async def correct_choice(self, post_id: int) -> int | None:
        """The right choice of a post (to tell a late clicker), None when there is no such post."""
        post = await self._quiz.get_post(post_id)
        return post.question.answer if post is not None else None

    @staticmethod
    def suggest_zones(text: str, limit: int) -> list[str]:
        return suggest_zones(text, limit=limit)


def _missed_slot(schedule: Schedule, now: datetime, grace: timedelta) -> tuple[DailySlot | None, DailySlot | None]:
    return missed_slot(schedule_time(schedule), schedule_zone(schedule), now, grace, since=schedule.created_at)


__all__ = [
    "DailyCycle",
    "DailyError",
    "DailyQuiz",
    "DueSlot",
    "InvalidTime",
    "InvalidZone",
    "NoRoomToday",
    "NoSchedule",
    "PostedNow",
    "PostBatch",
    "REVEAL_EDIT_WINDOW",
    "Reveal",
    "SEND_LEASE",
    "ScheduleSet",
    "ScheduleStatus",
    "WhichSchedule",
    "choose_question",
    "delivery_nonce",
    "extra_reveal_time",
    "questions_left",
]
