"""The daily quiz's rules with an injected clock and a real temp SQLite: schedules in Asia/Seoul and
across New York's DST changes, the next three post times, misfires within and beyond the grace
window, one post per day even when two processes race, no repeats until the topic is exhausted,
most-missed terms first, streaks across a missed day, and what a reveal reports."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger

from bot.clock import ManualClock
from bot.community import Community
from bot.app.daily import (
    DailyQuiz,
    InvalidTime,
    InvalidZone,
    NoRoomToday,
    NoSchedule,
    WhichSchedule,
    choose_question,
    extra_reveal_time,
    questions_left,
)
from bot.engine.model import Question, QuestionKind, SourceRef
from bot.engine.schedule import DailySlot
from bot.errors import AlreadyAnswered, AnswersClosed, UnknownTopic
from bot.app.study import StudyService
from bot.store import Schedule, Store
from tests.backends import open_test_store
from tests.conftest import ALIASES_FILE, DEFAULT_NOTES

GUILD = Community.discord(1001)
CHANNEL = "2001"
OTHER_CHANNEL = "2002"
SEOUL = ZoneInfo("Asia/Seoul")
NEW_YORK = ZoneInfo("America/New_York")
SMALL_TOPIC = "CNI(Container Network Interface)"  # four questions in the default deck


@dataclass
class World:
    clock: ManualClock
    store: Store
    service: StudyService
    quiz: DailyQuiz

    def at(self, when: datetime) -> None:
        self.clock.set(when)


async def open_world(path: Path | str, clock: ManualClock) -> World:
    store = await open_test_store(str(path), clock=clock, default_timezone="Asia/Seoul")
    service = StudyService(notes_path=DEFAULT_NOTES, store=store, clock=clock, aliases_path=ALIASES_FILE)
    return World(clock, store, service, DailyQuiz(service, store, grace=timedelta(hours=3), clock=clock))


@pytest.fixture
async def world(store_url: str) -> AsyncIterator[World]:
    clock = ManualClock(datetime(2026, 3, 2, 0, 30, tzinfo=UTC))  # Mon 09:30 in Seoul
    w = await open_world(store_url, clock)
    yield w
    await w.store.close()


def local(zone: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=zone)


async def make(world: World, time: str = "09:00", zone: str = "Asia/Seoul", **kwargs: object) -> Schedule:
    result = await world.quiz.set_schedule(GUILD, CHANNEL, time, timezone=zone, **kwargs)  # type: ignore[arg-type]
    return result.schedule


async def post_day(world: World, schedule: Schedule, day: date) -> list[int]:
    """Set the clock to the slot of `day` and post it; returns the new post ids."""
    zone = ZoneInfo(schedule.timezone)
    hour, minute = map(int, schedule.time.split(":"))
    world.at(datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone))
    due = await world.quiz.due(schedule)
    assert due.post is not None and due.post.local_date == day
    batch = await world.quiz.create_slot_posts(schedule, due.post)
    return [p.post_id for p in batch.new]


# -- schedules and post times ------------------------------------------------------------------


async def test_asia_seoul_schedule_answers_with_the_next_three_post_times(world: World) -> None:
    result = await world.quiz.set_schedule(GUILD, CHANNEL, "9:00", timezone="asia/seoul")
    assert result.schedule.time == "09:00" and result.schedule.timezone == "Asia/Seoul"
    assert not result.replaced
    # 09:30 in Seoul on Monday: today's 09:00 has passed.
    assert [s.local_date for s in result.next_posts] == [date(2026, 3, 3), date(2026, 3, 4), date(2026, 3, 5)]
    assert [s.at for s in result.next_posts] == [
        datetime(2026, 3, 3, 0, 0, tzinfo=UTC), datetime(2026, 3, 4, 0, 0, tzinfo=UTC),
        datetime(2026, 3, 5, 0, 0, tzinfo=UTC)]
    again = await world.quiz.set_schedule(GUILD, CHANNEL, "21:30", timezone="UTC")
    assert again.replaced and again.next_posts[0].at == datetime(2026, 3, 2, 21, 30, tzinfo=UTC)
    assert [s.schedule_id for s in await world.store.active_schedules(GUILD)] == [again.schedule.schedule_id]


async def test_the_zone_defaults_to_the_guilds_then_the_bots(world: World) -> None:
    assert (await make(world, zone=None)).timezone == "Asia/Seoul"  # type: ignore[arg-type]
    await world.store.set_timezone(GUILD, "Europe/Berlin")
    assert (await make(world, zone=None)).timezone == "Europe/Berlin"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Spring forward on Sun 2026-03-08: 09:00 EST is 14:00 UTC, 09:00 EDT is 13:00 UTC.
        (datetime(2026, 3, 6, 15, 0, tzinfo=UTC),
         [datetime(2026, 3, 7, 14, 0, tzinfo=UTC), datetime(2026, 3, 8, 13, 0, tzinfo=UTC),
          datetime(2026, 3, 9, 13, 0, tzinfo=UTC)]),
        # Fall back on Sun 2026-11-01.
        (datetime(2026, 10, 30, 14, 0, tzinfo=UTC),
         [datetime(2026, 10, 31, 13, 0, tzinfo=UTC), datetime(2026, 11, 1, 14, 0, tzinfo=UTC),
          datetime(2026, 11, 2, 14, 0, tzinfo=UTC)]),
    ],
    ids=["march", "november"],
)
async def test_new_york_keeps_nine_oclock_local_across_the_dst_change(
    world: World, now: datetime, expected: list[datetime]
) -> None:
    world.at(now)
    result = await world.quiz.set_schedule(GUILD, CHANNEL, "09:00", timezone="America/New_York")
    assert [s.at for s in result.next_posts] == expected
    assert {s.at.astimezone(NEW_YORK).strftime("%H:%M") for s in result.next_posts} == {"09:00"}
    # The cog's CronTrigger in the zone fires at the same instants.
    trigger = CronTrigger(hour=9, minute=0, timezone=NEW_YORK)
    fired, previous = [], None
    cursor = now
    for _ in range(3):
        fire = trigger.get_next_fire_time(previous, cursor)
        assert fire is not None
        fired.append(fire.astimezone(UTC))
        previous, cursor = fire, fire + timedelta(seconds=1)
    assert fired == expected


async def test_a_time_in_the_spring_forward_gap_is_posted_at_the_end_of_the_gap(world: World) -> None:
    world.at(datetime(2026, 3, 7, 12, 0, tzinfo=UTC))
    schedule = await make(world, "02:30", "America/New_York")
    world.at(local(NEW_YORK, 2026, 3, 8, 3, 0, 30))
    due = await world.quiz.due(schedule)
    assert due.post is not None and due.post.local_date == date(2026, 3, 8)
    assert due.post.at == local(NEW_YORK, 2026, 3, 8, 3, 0)


@pytest.mark.parametrize(("time", "zone", "error"), [
    ("25:00", "UTC", InvalidTime), ("nine", "UTC", InvalidTime), ("09:00", "Asia/Seul", InvalidZone),
])
async def test_invalid_time_or_zone_is_refused_with_suggestions_and_nothing_is_scheduled(
    world: World, time: str, zone: str, error: type[Exception]
) -> None:
    with pytest.raises(error) as caught:
        await world.quiz.set_schedule(GUILD, CHANNEL, time, timezone=zone)
    if error is InvalidZone:
        assert "Asia/Seoul" in caught.value.params["suggestions"]  # type: ignore[attr-defined]
    assert await world.store.active_schedules(GUILD) == []


async def test_unknown_topic_is_refused_and_a_known_one_is_stored_in_the_banks_spelling(world: World) -> None:
    with pytest.raises(UnknownTopic):
        await world.quiz.set_schedule(GUILD, CHANNEL, "09:00", topic="no such deck")
    schedule = await make(world, topic=SMALL_TOPIC.upper())
    assert schedule.topic == SMALL_TOPIC


async def test_several_schedules_per_guild_one_per_channel(world: World) -> None:
    await world.quiz.set_schedule(GUILD, CHANNEL, "09:00")
    await world.quiz.set_schedule(GUILD, OTHER_CHANNEL, "18:00", timezone="UTC")
    assert (await world.quiz.find_schedule(GUILD, OTHER_CHANNEL)).time == "18:00"
    with pytest.raises(WhichSchedule) as which:
        await world.quiz.find_schedule(GUILD, "999")
    assert which.value.params["channel_ids"] == [CHANNEL, OTHER_CHANNEL]
    stopped = await world.quiz.stop(GUILD, CHANNEL)
    assert stopped.channel_id == CHANNEL
    assert (await world.quiz.find_schedule(GUILD, "999")).channel_id == OTHER_CHANNEL  # the only one left
    statuses = await world.quiz.status(GUILD)
    assert [s.schedule.channel_id for s in statuses] == [OTHER_CHANNEL]
    assert statuses[0].next_post is not None and statuses[0].next_post.at == datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
    await world.quiz.stop(GUILD, None)
    with pytest.raises(NoSchedule):
        await world.quiz.find_schedule(GUILD, CHANNEL)


# -- when to post ------------------------------------------------------------------------------


async def test_a_slot_is_posted_once_and_then_no_longer_due(world: World) -> None:
    schedule = await make(world, "10:00")
    world.at(local(SEOUL, 2026, 3, 2, 9, 59))
    assert (await world.quiz.due(schedule)).post is None
    world.at(local(SEOUL, 2026, 3, 2, 10, 0))
    due = await world.quiz.due(schedule)
    assert due.post == DailySlot(date(2026, 3, 2), datetime(2026, 3, 2, 1, 0, tzinfo=UTC))
    batch = await world.quiz.create_slot_posts(schedule, due.post)
    assert len(batch.new) == 1 and batch.new[0].local_date == "2026-03-02" and batch.new[0].seq == 1
    assert (await world.quiz.due(schedule)).post is None
    again = await world.quiz.create_slot_posts(schedule, due.post)
    assert again.new == () and [p.post_id for p in again.existing] == [batch.new[0].post_id]


async def test_a_schedule_made_after_todays_time_waits_for_tomorrow(world: World) -> None:
    schedule = await make(world, "09:00")  # made at 09:30
    assert await world.quiz.due_slots() == []
    world.at(local(SEOUL, 2026, 3, 3, 9, 0))
    assert (await world.quiz.due(schedule)).post is not None


async def test_misfire_within_grace_is_posted_and_beyond_grace_is_skipped(world: World) -> None:
    schedule = await make(world, "10:00")
    world.at(local(SEOUL, 2026, 3, 2, 12, 59))  # 2 h 59 min late, grace 3 h
    (due,) = await world.quiz.due_slots()
    assert due.post is not None and due.skipped is None
    world.at(local(SEOUL, 2026, 3, 3, 13, 1))  # the next day, 3 h 1 min late
    (due,) = await world.quiz.due_slots()
    assert due.post is None and due.skipped is not None and due.skipped.local_date == date(2026, 3, 3)
    assert await world.store.daily_posts(schedule.schedule_id, "2026-03-03") == []


async def test_two_processes_racing_for_the_same_slot_make_one_post(world: World, store_url: str) -> None:
    schedule = await make(world, "10:00", questions=2)
    other = await open_world(store_url, world.clock)  # a second connection: a second process
    try:
        world.at(local(SEOUL, 2026, 3, 2, 10, 0))
        slot = (await world.quiz.due(schedule)).post
        assert slot is not None
        mine, theirs = await asyncio.gather(
            world.quiz.create_slot_posts(schedule, slot), other.quiz.create_slot_posts(schedule, slot))
        posts = await world.store.daily_posts(schedule.schedule_id, "2026-03-02")
        assert [p.seq for p in posts] == [1, 2]
        assert len(mine.new) + len(theirs.new) == 2  # each post is sent by exactly one of them
        assert {p.post_id for p in mine.new} .isdisjoint({p.post_id for p in theirs.new})
        assert len({p.question.id for p in posts}) == 2
    finally:
        await other.store.close()


async def test_daily_now_adds_an_extra_post_without_taking_todays_slot(world: World) -> None:
    schedule = await make(world, "10:00")
    world.at(local(SEOUL, 2026, 3, 2, 9, 40))
    extra = await world.quiz.create_extra_post(schedule)
    (post,) = extra.new
    assert post.local_date == "2026-03-02" and post.seq == 2
    # Revealed an hour before the first post that leaves it open at least an hour: tomorrow 09:00.
    assert post.reveal_at == local(SEOUL, 2026, 3, 3, 9, 0)
    world.at(local(SEOUL, 2026, 3, 2, 10, 0))
    due = await world.quiz.due(schedule)
    assert due.post is not None  # the scheduled post still happens
    assert len((await world.quiz.create_slot_posts(schedule, due.post)).new) == 1
    for _ in range(3):
        await world.quiz.create_extra_post(schedule)
    with pytest.raises(NoRoomToday):
        await world.quiz.create_extra_post(schedule)


def test_extra_post_reveal_time() -> None:
    now = local(SEOUL, 2026, 3, 2, 8, 0)
    at = datetime(2026, 1, 1, 9, 0).time()
    assert extra_reveal_time(now, at, SEOUL, 2) == local(SEOUL, 2026, 3, 2, 10, 0)
    assert extra_reveal_time(now, at, SEOUL, None) == local(SEOUL, 2026, 3, 3, 8, 0)
    assert extra_reveal_time(local(SEOUL, 2026, 3, 2, 6, 0), at, SEOUL, None) == local(SEOUL, 2026, 3, 2, 8, 0)


async def test_reveal_time_defaults_to_an_hour_before_the_next_post_or_after_the_given_hours(world: World) -> None:
    plain = await make(world, "10:00")
    (post_id,) = await post_day(world, plain, date(2026, 3, 3))
    post = await world.store.get_post(post_id)
    assert post is not None and post.reveal_at == local(SEOUL, 2026, 3, 4, 9, 0)
    quick = await world.quiz.set_schedule(GUILD, OTHER_CHANNEL, "10:00", reveal_after_hours=2)
    (post_id,) = await post_day(world, quick.schedule, date(2026, 3, 4))
    post = await world.store.get_post(post_id)
    assert post is not None and post.reveal_at == local(SEOUL, 2026, 3, 4, 12, 0)


# -- which question ----------------------------------------------------------------------------


def q(qid: str, term: str) -> Question:
    return Question(id=qid, kind=QuestionKind.TERM_TO_DEFINITION, prompt=f"What is {term}?", choices=("a", "b"),
                    answer=0, explanation="", term=term, deck="d", source=SourceRef("d.md", 1))


def test_choice_prefers_unused_questions_then_most_missed_terms() -> None:
    pool = [q("1", "Pod"), q("2", "Node"), q("3", "Service"), q("4", "Pod")]
    misses = {"Pod": 1, "Service": 5}
    assert choose_question(pool, {}, misses, salt="x").id == "3"
    assert choose_question(pool, {"3": 1}, misses, salt="x").id in {"1", "4"}
    assert choose_question(pool, {"3": 1, "1": 1, "4": 1}, misses, salt="x").id == "2"
    # Exhausted: the cycle starts again with the least posted, misses first.
    assert choose_question(pool, {"1": 2, "2": 2, "3": 1, "4": 2}, misses, salt="x").id == "3"
    assert choose_question(pool, {}, misses, salt="x", exclude=["3"]).id in {"1", "4"}
    assert choose_question(pool, {"2": 1}, misses, salt="x", avoid=["3"]).id in {"1", "4"}
    assert choose_question(pool, {}, misses, salt="x", exclude=["1", "2", "4"], avoid=["3"]).id == "3"
    assert questions_left(pool, {}) == 4
    assert questions_left(pool, {"1": 1, "3": 1}) == 2
    assert questions_left(pool, dict.fromkeys("1234", 1)) == 4
    assert choose_question([], {}, {}, salt="x") is None


async def test_no_repeats_until_the_topics_bank_is_exhausted(world: World) -> None:
    schedule = await make(world, "10:00", topic=SMALL_TOPIC)
    pool = {question.id for question in world.service.bank.for_topic(SMALL_TOPIC)}
    assert len(pool) == 4
    seen: list[str] = []
    lefts = []
    for offset in range(4):
        lefts.append((await world.quiz.questions_left(schedule))[0])
        (post_id,) = await post_day(world, schedule, date(2026, 3, 3) + timedelta(days=offset))
        post = await world.store.get_post(post_id)
        assert post is not None
        seen.append(post.question.id)
    assert lefts == [4, 3, 2, 1]
    assert sorted(seen) == sorted(pool)  # every question once before any repeat
    assert (await world.quiz.questions_left(schedule)) == (4, 4)  # a new round starts
    (post_id,) = await post_day(world, schedule, date(2026, 3, 7))
    assert (await world.store.get_post(post_id)).question.id in pool  # type: ignore[union-attr]


async def test_after_the_bank_is_exhausted_repeats_go_round_evenly_and_never_two_days_running(world: World) -> None:
    schedule = await make(world, "10:00", topic=SMALL_TOPIC)
    days: list[str] = []
    for offset in range(16):
        (post_id,) = await post_day(world, schedule, date(2026, 3, 3) + timedelta(days=offset))
        post = await world.store.get_post(post_id)
        assert post is not None
        days.append(post.question.id)
    for end in range(4, 17, 4):  # each round of four posts every question once
        assert sorted(days[end - 4:end]) == sorted(set(days)), days
    assert all(a != b for a, b in zip(days, days[1:], strict=False)), days  # never two days running


async def test_what_nobody_has_studied_comes_before_a_term_just_missed(world: World) -> None:
    """Issue 14: the pick prefers what the group is forgetting, and entries few members have seen,
    over the most-missed term (which now only breaks ties; see tests/test_daily_forgetting.py)."""
    schedule = await make(world, "10:00")
    (first_id,) = await post_day(world, schedule, date(2026, 3, 3))
    first = await world.store.get_post(first_id)
    assert first is not None
    wrong = (first.question.answer + 1) % len(first.question.choices)
    await world.quiz.answer(GUILD, first_id, "1", wrong, "kim")
    (second_id,) = await post_day(world, schedule, date(2026, 3, 4))
    second = await world.store.get_post(second_id)
    assert second is not None and second.question.entry_id != first.question.entry_id
    assert set(await world.store.member_cards(GUILD, "1")) == {first.question.entry_id}  # not yet studied


# -- posts made but not sent (a crash, a failed send) ------------------------------------------


async def test_a_post_made_but_not_sent_is_claimed_for_sending_once_within_grace(world: World) -> None:
    schedule = await make(world, "10:00")
    (post_id,) = await post_day(world, schedule, date(2026, 3, 3))  # made; the send never happened
    world.at(local(SEOUL, 2026, 3, 3, 12, 59))
    assert [p.post_id for p in await world.quiz.claim_unsent()] == [post_id]
    assert await world.quiz.claim_unsent() == []  # claimed: nobody else sends it meanwhile


async def test_a_post_made_but_not_sent_is_not_sent_beyond_grace(world: World) -> None:
    schedule = await make(world, "10:00")
    (post_id,) = await post_day(world, schedule, date(2026, 3, 3))
    world.at(local(SEOUL, 2026, 3, 3, 13, 1))  # 3 h 1 min later, grace 3 h
    assert await world.quiz.claim_unsent() == []
    assert [p.post_id for p in await world.quiz.stale_unsent()] == [post_id]


async def test_the_creator_of_a_post_claims_it_before_sending(world: World) -> None:
    schedule = await make(world, "10:00")
    (post_id,) = await post_day(world, schedule, date(2026, 3, 3))
    post = await world.store.get_post(post_id)
    assert post is not None
    assert await world.quiz.claim_send(post) is not None
    assert await world.quiz.claim_unsent() == []  # a sweep does not send it as well


# -- answers, streaks and reveals --------------------------------------------------------------


async def test_streak_counts_consecutive_posts_and_a_missed_post_breaks_it(world: World) -> None:
    schedule = await make(world, "10:00")
    streaks = []
    for offset, answers in enumerate([True, True, None, True]):
        (post_id,) = await post_day(world, schedule, date(2026, 3, 3) + timedelta(days=offset))
        post = await world.store.get_post(post_id)
        assert post is not None
        if answers is None:
            # Missed: revealed without an answer from the member.
            world.clock.advance(timedelta(hours=23, minutes=1))
            for due in await world.quiz.due_reveals():
                await world.quiz.reveal(due)
            row = await world.store.rank_of(GUILD, "7", now=world.clock.now())
            assert row is not None and row.streak == 0
            continue
        outcome = await world.quiz.answer(GUILD, post_id, "7", post.question.answer, "lee")
        streaks.append(outcome.result.streak)
    assert streaks == [1, 2, 1]


async def test_first_click_counts_later_clicks_are_refused_and_reveal_reports_the_numbers(world: World) -> None:
    schedule = await make(world, "10:00")
    (post_id,) = await post_day(world, schedule, date(2026, 3, 3))
    post = await world.store.get_post(post_id)
    assert post is not None
    right = post.question.answer
    wrong = (right + 1) % len(post.question.choices)
    plan = [("11", "ann", wrong), ("12", "bo", right), ("13", "cy", right), ("14", "di", wrong),
            ("15", "ed", right), ("16", "fay", right)]
    for user, name, choice in plan:
        world.clock.advance(timedelta(seconds=10))
        outcome = await world.quiz.answer(GUILD, post_id, user, choice, name)
        assert outcome.result.correct is (choice == right)
    with pytest.raises(AlreadyAnswered) as again:
        await world.quiz.answer(GUILD, post_id, "11", right, "ann")
    assert again.value.params["choice"] == wrong

    world.at(local(SEOUL, 2026, 3, 4, 8, 59))
    assert await world.quiz.due_reveals() == []
    world.at(local(SEOUL, 2026, 3, 4, 9, 0))
    (due,) = await world.quiz.due_reveals()
    reveal = await world.quiz.reveal(due)
    assert reveal is not None
    assert reveal.results.total == 6
    assert reveal.results.counts[right] == 4 and reveal.results.counts[wrong] == 2
    assert reveal.shares[right] == pytest.approx(4 / 6)
    assert [a.display_name for a in reveal.results.first_correct] == ["bo", "cy", "ed"]
    assert reveal.post.revealed_at is not None
    assert await world.quiz.reveal(due) is None  # a second reveal does nothing
    assert await world.quiz.due_reveals() == []
    with pytest.raises(AnswersClosed):
        await world.quiz.answer(GUILD, post_id, "99", right, "late")
