"""Opt-in review reminders: one direct message a day, at the member's chosen local time, when they
have cards due; never to anyone who did not ask, and never again after a message fails.

`Reminders.turn_on` validates the time ('25:99' is refused politely, nothing stored) and the
zone (the community's by default); `turn_off` forgets the request. `sweep` runs every minute on
the platform's side: for each member who asked, once their local time has passed and nothing
was sent that local day, it counts their due cards (`bot.app.review`); with none due it waits
(and checks again later that day); otherwise it claims the day in the store (one UPDATE, so two
processes send one message) and hands the message to the platform's `ReminderPort`. `Forbidden`
or `Gone` (direct messages closed, user gone) stops the reminder for good; `TryLater` gives the
day back for the next sweep.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from bot.app.ports import Delivered, DeliveryOutcome, TryLater
from bot.app.review import ReviewStatus
from bot.community import Community
from bot.engine.schedule import ScheduleInputError, parse_time, parse_zone, suggest_zones
from bot.store.backend import StoreBackend
from bot.store.records import Reminder

if TYPE_CHECKING:
    from bot.app.study import StudyService

log = logging.getLogger(__name__)


class ReminderPort(Protocol):
    """A chat platform's side of the reminders: one direct message."""

    async def send_reminder(self, reminder: Reminder, status: ReviewStatus) -> DeliveryOutcome:
        """Send the member their reminder; never raises (see `bot.app.ports`)."""


@dataclass(frozen=True, slots=True)
class SweepReport:
    sent: int = 0
    stopped: int = 0
    waiting: int = 0  # past their time, nothing due yet


class Reminders:
    def __init__(self, study: StudyService, store: StoreBackend) -> None:
        self._study = study
        self._store = store

    async def turn_on(self, community: Community, user_id: str, time_text: str, *,
                      timezone: str | None = None, lang: str = "en") -> Reminder:
        """Remember that the member wants a daily reminder at `time_text` (HH:MM) in `timezone`
        (the community's when None). Bad input raises InvalidTime / InvalidZone; nothing is stored."""
        from bot.app.daily import InvalidTime, InvalidZone  # daily imports study, which builds this

        try:
            at = parse_time((time_text or "").strip())
        except ScheduleInputError:
            raise InvalidTime(value=(time_text or "")[:40]) from None
        if timezone is None or not timezone.strip():
            zone = (await self._store.community_settings(community)).timezone
        else:
            try:
                zone = parse_zone(timezone).key
            except ScheduleInputError:
                raise InvalidZone(value=timezone[:60], suggestions=suggest_zones(timezone, limit=3)) from None
        return await self._store.set_reminder(community, user_id, f"{at:%H:%M}", zone, lang)

    async def turn_off(self, community: Community, user_id: str) -> bool:
        return await self._store.clear_reminder(community, user_id)

    async def get(self, community: Community, user_id: str) -> Reminder | None:
        return await self._store.get_reminder(community, user_id)

    async def sweep(self, port: ReminderPort, *, platform: str, now: datetime | None = None,
                    owns: Callable[[Community], bool] | None = None) -> SweepReport:
        """Send the reminders that are due on `platform` (see the module docstring); with
        `owns`, only those of the communities this process owns (`bot.app.ownership`)."""
        now = now or self._study.clock.now()
        sent = stopped = waiting = 0
        for reminder in await self._store.active_reminders(platform):
            if owns is not None and not owns(reminder.community):
                continue
            local = now.astimezone(ZoneInfo(reminder.timezone))
            day = local.date().isoformat()
            if f"{local:%H:%M}" < reminder.time or reminder.last_sent_date == day:
                continue
            status = await self._study.review.status(reminder.community, reminder.user_id)
            if status.due_now == 0:
                waiting += 1
                continue
            if not await self._store.claim_reminder(reminder.community, reminder.user_id, day):
                continue  # another process has it
            outcome = await port.send_reminder(reminder, status)
            if isinstance(outcome, Delivered):
                sent += 1
            elif isinstance(outcome, TryLater):
                await self._store.release_reminder(reminder.community, reminder.user_id, day,
                                                   reminder.last_sent_date)
            else:
                log.info("reminder to %s in %s stopped: the direct message failed (%s)",
                         reminder.user_id, reminder.community, type(outcome).__name__)
                await self._store.stop_reminder(reminder.community, reminder.user_id,
                                                type(outcome).__name__.lower(), now)
                stopped += 1
        return SweepReport(sent, stopped, waiting)


__all__ = ["ReminderPort", "Reminders", "SweepReport"]
