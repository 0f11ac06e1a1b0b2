"""Posts and schedules: snapshots, one post per daily slot, reveals, question history, CRUD."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.community import Community
from bot.engine.model import Question, QuestionKind, SourceRef
from bot.engine.scoring import Board
from bot.store import StoreError
from tests.backends import open_test_store

GUILD = Community.discord(10)
CHANNEL = "20"


def question(n: int = 1, term: str = "Container") -> Question:
    return Question(id=f"q{n}", kind=QuestionKind.GROUP, prompt="클라우드 네이티브의 특징?",
                    choices=("회복성", "b", "c"), answer=0, explanation="설명", term=term,
                    deck="cloud", source=SourceRef("notes/cloud.md", 7), entry_id="e1",
                    section=("Cloud", "특징"))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 23, 0, 0, tzinfo=UTC))


@pytest.fixture
async def store(store_url, clock):
    async with await open_test_store(store_url, clock=clock) as s:
        yield s


@pytest.fixture
async def schedule(store):
    return await store.create_or_replace_schedule(GUILD, CHANNEL, "09:00", "Asia/Seoul",
                                                  topic="k8s", questions_per_post=2)


async def test_post_keeps_a_full_snapshot_of_its_question(store, schedule):
    created = await store.create_daily_post(schedule.schedule_id, "2026-11-23", 1, question())
    post = await store.get_post(created.post.post_id)
    assert post.question == question()
    assert (post.board, post.channel_id, post.topic, post.local_date, post.seq) == (
        Board.DAILY, CHANNEL, "k8s", "2026-11-23", 1)


async def test_second_daily_post_for_the_same_slot_returns_the_first(store, schedule):
    first = await store.create_daily_post(schedule.schedule_id, "2026-11-23", 1, question(1))
    second = await store.create_daily_post(schedule.schedule_id, "2026-11-23", 1, question(2))
    assert (first.duplicate, second.duplicate) == (False, True)
    assert second.post.post_id == first.post.post_id
    assert second.post.question.id == "q1"


async def test_two_connections_racing_for_one_daily_slot_make_one_post(
        store, store_url, clock, schedule):
    async with await open_test_store(store_url, clock=clock) as other:
        results = await asyncio.gather(*(
            s.create_daily_post(schedule.schedule_id, "2026-11-23", 1, question(n))
            for n, s in enumerate((store, other, store, other), start=1)))
    assert len({r.post.post_id for r in results}) == 1
    assert sorted(r.duplicate for r in results) == [False, True, True, True]


async def test_daily_post_for_unknown_schedule_is_a_clear_error(store):
    with pytest.raises(StoreError, match="no schedule"):
        await store.create_daily_post(404, "2026-11-23", 1, question())


async def test_message_id_is_stored(store):
    post = await store.create_practice_post(GUILD, "1", question())
    await store.set_message_id(post.post_id, "777")
    assert (await store.get_post(post.post_id)).message_id == "777"


async def test_due_reveals_lists_only_posts_whose_time_has_come(store, schedule, clock):
    now = clock.now()
    due = await store.create_daily_post(schedule.schedule_id, "2026-11-23", 1, question(1),
                                        reveal_at=now + timedelta(hours=1))
    await store.create_daily_post(schedule.schedule_id, "2026-11-23", 2, question(2),
                                  reveal_at=now + timedelta(hours=3))
    listed = await store.due_reveals(now + timedelta(hours=2))
    assert [p.post_id for p in listed] == [due.post.post_id]


async def test_mark_revealed_reports_only_the_call_that_revealed(store, schedule, clock):
    created = await store.create_daily_post(schedule.schedule_id, "2026-11-23", 1, question(),
                                            reveal_at=clock.now())
    assert [await store.mark_revealed(created.post.post_id) for _ in range(2)] == [True, False]
    assert await store.due_reveals(clock.now()) == []


async def test_question_use_counts_count_daily_posts_per_question_and_topic(store, schedule):
    await store.create_daily_post(schedule.schedule_id, "2026-11-23", 1, question(1))
    await store.create_daily_post(schedule.schedule_id, "2026-11-24", 1, question(1))
    await store.create_daily_post(schedule.schedule_id, "2026-11-24", 2, question(2))
    other = await store.create_or_replace_schedule(GUILD, "21", "10:00", "UTC")
    await store.create_daily_post(other.schedule_id, "2026-11-23", 1, question(3))
    await store.create_practice_post(GUILD, "1", question(1))
    assert await store.question_use_counts(GUILD, "k8s") == {"q1": 2, "q2": 1}
    assert await store.question_use_counts(GUILD, None) == {"q3": 1}


async def test_practice_post_keeps_the_topic_it_was_asked_from(store):
    post = await store.create_practice_post(GUILD, "1", question(), topic="Kubernetes")
    assert (await store.get_post(post.post_id)).topic == "Kubernetes"


async def test_set_reveal_at_moves_the_reveal_time(store, schedule, clock):
    created = await store.create_daily_post(schedule.schedule_id, "2026-11-23", 1, question(),
                                            reveal_at=clock.now() + timedelta(hours=5))
    assert await store.set_reveal_at(created.post.post_id, clock.now() - timedelta(minutes=1))
    assert [p.post_id for p in await store.due_reveals(clock.now())] == [created.post.post_id]


async def test_term_miss_counts_count_wrong_answers_per_term(store, schedule):
    for n, term in enumerate(("Pod", "Pod", "Node"), start=1):
        post = (await store.create_daily_post(schedule.schedule_id, "2026-11-23" if n < 3
                                              else "2026-11-24", 1 + n % 2,
                                              question(n, term))).post
        await store.record_answer(post.post_id, "1", 2, "Ann")
        await store.record_answer(post.post_id, "2", 0, "Bob")
    assert await store.term_miss_counts(GUILD) == {"Pod": 2, "Node": 1}


async def test_new_schedule_in_a_channel_replaces_the_active_one(store, schedule):
    replacement = await store.create_or_replace_schedule(GUILD, CHANNEL, "21:30", "UTC")
    assert [s.schedule_id for s in await store.active_schedules(GUILD)] == [
        replacement.schedule_id]
    old = await store.get_schedule(schedule.schedule_id)
    assert old.stopped_at is not None


async def test_guild_can_have_several_active_schedules(store, schedule):
    await store.create_or_replace_schedule(GUILD, "21", "21:30", "UTC")
    await store.create_or_replace_schedule(Community.discord(11), "22", "21:30", "UTC")
    assert len(await store.active_schedules(GUILD)) == 2
    assert len(await store.active_schedules()) == 3


async def test_stopped_schedule_keeps_its_posts(store, schedule):
    created = await store.create_daily_post(schedule.schedule_id, "2026-11-23", 1, question())
    assert await store.stop_schedule(schedule.schedule_id) is True
    assert await store.stop_schedule(schedule.schedule_id) is False
    assert await store.active_schedules(GUILD) == []
    assert await store.get_post(created.post.post_id) is not None


async def test_pause_and_resume_keep_the_reason_while_paused(store, schedule):
    assert await store.pause_schedule(schedule.schedule_id, "no questions left for topic")
    paused = await store.get_schedule(schedule.schedule_id)
    assert (paused.paused, paused.pause_reason) == (True, "no questions left for topic")
    assert await store.resume_schedule(schedule.schedule_id)
    resumed = await store.get_schedule(schedule.schedule_id)
    assert (resumed.paused, resumed.pause_reason) == (False, None)


@pytest.mark.parametrize("kwargs", [
    {"time": "9:00"}, {"time": "24:00"}, {"timezone": "Mars/Base"},
    {"questions_per_post": 6}, {"questions_per_post": 0}, {"reveal_after_hours": 0},
])
async def test_invalid_schedule_is_refused(store, kwargs):
    args = {"time": "09:00", "timezone": "UTC", **kwargs}
    with pytest.raises(ValueError):
        await store.create_or_replace_schedule(GUILD, CHANNEL, args.pop("time"),
                                               args.pop("timezone"), **args)


async def test_guild_without_zone_uses_the_store_default(store_url, clock):
    async with await open_test_store(store_url, clock=clock, default_timezone="Asia/Seoul") as store:
        settings = await store.community_settings(GUILD)
        assert (settings.timezone, settings.timezone_is_default) == ("Asia/Seoul", True)
        settings = await store.set_timezone(GUILD, "Europe/Berlin")
        assert (settings.timezone, settings.timezone_is_default) == ("Europe/Berlin", False)


async def test_unknown_guild_zone_is_refused(store):
    with pytest.raises(ValueError):
        await store.set_timezone(GUILD, "Not/AZone")


# ---- sending and reveal edits after a crash ------------------------------------------------

LEASE = timedelta(minutes=2)


async def test_a_send_claim_is_exclusive_across_two_connections(store, store_url, clock, schedule):
    made = await store.create_daily_post(schedule.schedule_id, "2026-11-23", 1, question())
    async with await open_test_store(store_url, clock=clock) as other:
        claims = await asyncio.gather(*(
            s.claim_daily_post_send(made.post.post_id, lease=LEASE)
            for s in (store, other, store, other)))
    assert [c.post_id for c in claims if c is not None] == [made.post.post_id]


async def test_claiming_unsent_posts_is_exclusive_across_two_connections(
        store, store_url, clock, schedule):
    for seq in (1, 2):
        await store.create_daily_post(schedule.schedule_id, "2026-11-23", seq, question(seq))
    since = clock.now() - timedelta(hours=3)
    async with await open_test_store(store_url, clock=clock) as other:
        mine, theirs = await asyncio.gather(
            store.claim_unsent_daily_posts(lease=LEASE, since=since),
            other.claim_unsent_daily_posts(lease=LEASE, since=since))
    claimed = [p.seq for p in mine] + [p.seq for p in theirs]
    assert sorted(claimed) == [1, 2]


async def test_an_expired_send_claim_can_be_claimed_again(store, schedule, clock):
    made = await store.create_daily_post(schedule.schedule_id, "2026-11-23", 1, question())
    post_id = made.post.post_id
    assert await store.claim_daily_post_send(post_id, lease=LEASE) is not None
    clock.advance(timedelta(minutes=1))
    assert await store.claim_daily_post_send(post_id, lease=LEASE) is None
    clock.advance(timedelta(minutes=2))
    assert (await store.claim_daily_post_send(post_id, lease=LEASE)).post_id == post_id


async def test_a_released_send_claim_can_be_claimed_at_once(store, schedule):
    made = await store.create_daily_post(schedule.schedule_id, "2026-11-23", 1, question())
    await store.claim_daily_post_send(made.post.post_id, lease=LEASE)
    await store.release_send_claim(made.post.post_id)
    assert await store.claim_daily_post_send(made.post.post_id, lease=LEASE) is not None


async def test_a_sent_post_is_never_claimed(store, schedule, clock):
    made = await store.create_daily_post(schedule.schedule_id, "2026-11-23", 1, question())
    await store.set_message_id(made.post.post_id, "777")
    assert await store.claim_daily_post_send(made.post.post_id, lease=LEASE) is None
    assert await store.claim_unsent_daily_posts(
        lease=LEASE, since=clock.now() - timedelta(hours=3)) == []


async def test_a_revealed_post_is_never_claimed(store, schedule):
    made = await store.create_daily_post(schedule.schedule_id, "2026-11-23", 1, question())
    await store.mark_revealed(made.post.post_id)
    assert await store.claim_daily_post_send(made.post.post_id, lease=LEASE) is None


async def test_posts_of_a_paused_schedule_are_not_claimed(store, schedule, clock):
    await store.create_daily_post(schedule.schedule_id, "2026-11-23", 1, question())
    await store.pause_schedule(schedule.schedule_id, "missing_access")
    assert await store.claim_unsent_daily_posts(
        lease=LEASE, since=clock.now() - timedelta(hours=3)) == []


async def test_unsent_posts_made_before_since_are_not_claimed_but_listed_as_stale(
        store, schedule, clock):
    made = await store.create_daily_post(schedule.schedule_id, "2026-11-23", 1, question())
    clock.advance(timedelta(hours=4))
    since = clock.now() - timedelta(hours=3)
    assert await store.claim_unsent_daily_posts(lease=LEASE, since=since) == []
    assert [p.post_id for p in await store.stale_unsent_daily_posts(since)] == [made.post.post_id]


async def test_a_revealed_post_waits_for_its_reveal_edit_until_marked(store, schedule, clock):
    made = await store.create_daily_post(schedule.schedule_id, "2026-11-23", 1, question())
    await store.set_message_id(made.post.post_id, "777")
    since = clock.now() - timedelta(days=7)
    assert await store.pending_reveal_edits(since) == []
    await store.mark_revealed(made.post.post_id)
    assert [p.post_id for p in await store.pending_reveal_edits(since)] == [made.post.post_id]
    await store.mark_reveal_edited(made.post.post_id)
    assert await store.pending_reveal_edits(since) == []
    assert (await store.get_post(made.post.post_id)).reveal_edited_at == clock.now()


async def test_a_revealed_post_without_a_message_needs_no_reveal_edit(store, schedule, clock):
    made = await store.create_daily_post(schedule.schedule_id, "2026-11-23", 1, question())
    await store.mark_revealed(made.post.post_id)
    assert await store.pending_reveal_edits(clock.now() - timedelta(days=7)) == []
