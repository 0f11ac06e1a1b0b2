"""Opt-in reminders: one a day at the member's local time when cards are due, to nobody who did
not ask, stopped for good when the direct message fails; bad times refused with nothing stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.app.daily import InvalidTime, InvalidZone
from bot.app.ports import Delivered, Forbidden, TryLater
from bot.app.review import ReviewStatus
from bot.app.messages import error_message
from bot.engine.cards import Rating
from bot.store.records import Reminder
from tests.test_service import ALICE, BOB, GUILD, clock, service  # noqa: F401  (the same fixtures)


class FakePort:
    def __init__(self, outcome=None) -> None:
        self.sent: list[tuple[str, int]] = []
        self.outcome = outcome or Delivered()

    async def send_reminder(self, reminder: Reminder, status: ReviewStatus):
        self.sent.append((reminder.user_id, status.due_now))
        return self.outcome


async def make_due(service, user: str) -> datetime:
    """The member studies one card; returns when it falls due."""
    item = await service.review.next_item(community=GUILD, user_id=user, display_name=user, mode="flashcard")
    verdict = await service.review.rate(community=GUILD, post_id=item.post_id, user_id=user,
                                        rating=Rating.AGAIN, display_name=user)
    return verdict.card.due


@pytest.mark.parametrize("bad", ["25:99", "24:00", "9:60", "noon", "", "x" * 500])
async def test_a_bad_time_is_refused_and_nothing_is_stored(service, bad: str) -> None:
    with pytest.raises(InvalidTime) as refused:
        await service.reminders.turn_on(GUILD, ALICE, bad)
    assert "is not a time of day" in error_message(refused.value, "en")
    assert await service.reminders.get(GUILD, ALICE) is None


async def test_a_bad_zone_is_refused(service) -> None:
    with pytest.raises(InvalidZone):
        await service.reminders.turn_on(GUILD, ALICE, "09:00", timezone="Mars/Olympus")
    assert await service.reminders.get(GUILD, ALICE) is None


async def test_one_reminder_a_day_after_the_local_time_only_when_cards_are_due(service, clock) -> None:
    # 2026-11-27 03:00 UTC is 12:00 in Seoul (the test store's default zone).
    await service.reminders.turn_on(GUILD, ALICE, "13:00", lang="ko")
    port = FakePort()
    due = await make_due(service, ALICE)
    await make_due(service, BOB)  # Bob never asked: never messaged
    clock.set(max(due, datetime(2026, 11, 27, 3, 30, tzinfo=UTC)))
    assert (await service.reminders.sweep(port, platform="discord")).sent == 0  # before 13:00
    clock.set(datetime(2026, 11, 27, 4, 1, tzinfo=UTC))
    report = await service.reminders.sweep(port, platform="discord")
    assert report.sent == 1 and port.sent == [(ALICE, 1)]
    clock.advance(timedelta(hours=3))
    await service.reminders.sweep(port, platform="discord")
    assert len(port.sent) == 1  # one a day
    clock.advance(timedelta(days=1))
    await service.reminders.sweep(port, platform="discord")
    assert len(port.sent) == 2
    assert await service.reminders.sweep(port, platform="slack") == type(report)()  # other platforms' own


async def test_nothing_due_means_no_message_yet(service, clock) -> None:
    await service.reminders.turn_on(GUILD, ALICE, "00:00")
    port = FakePort()
    report = await service.reminders.sweep(port, platform="discord")
    assert port.sent == [] and report.waiting == 1


async def test_a_failed_direct_message_stops_the_reminder_and_off_forgets_it(service, clock) -> None:
    await service.reminders.turn_on(GUILD, ALICE, "00:00")
    clock.set(await make_due(service, ALICE) + timedelta(minutes=1))
    later = FakePort(TryLater("503"))
    await service.reminders.sweep(later, platform="discord")
    assert (await service.reminders.get(GUILD, ALICE)).last_sent_date is None  # the day given back
    closed = FakePort(Forbidden())
    assert (await service.reminders.sweep(closed, platform="discord")).stopped == 1
    reminder = await service.reminders.get(GUILD, ALICE)
    assert reminder.stopped_at is not None and reminder.stop_reason == "forbidden"
    clock.advance(timedelta(days=2))
    assert (await service.reminders.sweep(closed, platform="discord")).stopped == 0
    assert len(closed.sent) == 1  # never again until asked anew
    await service.reminders.turn_on(GUILD, ALICE, "00:00")
    assert (await service.reminders.get(GUILD, ALICE)).stopped_at is None
    assert await service.reminders.turn_off(GUILD, ALICE)
    assert await service.reminders.get(GUILD, ALICE) is None
