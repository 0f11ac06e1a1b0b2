"""A member's progress for a chart: answers per day over the last 30 days, and cards due per day
over the next 14, cut into days in the community's time zone.

Returns data only (`Progress`); drawing it is `bot.present.charts`' job, wording it the
catalogue's. The store hands raw minutes and due times (`Store.member_activity`); this module
puts them into local days, and leaves out cards of entries no longer in the notes (they are no
longer reviewed, so they are not "due").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.community import Community
from bot.store import Store

HISTORY_DAYS = 30
FORECAST_DAYS = 14


@dataclass(frozen=True, slots=True)
class DayCount:
    """Answers on one local day."""

    day: date
    correct: int
    wrong: int

    @property
    def answered(self) -> int:
        return self.correct + self.wrong

    @property
    def accuracy(self) -> float | None:
        """Share of right answers that day; None when nothing was answered."""
        return self.correct / self.answered if self.answered else None


@dataclass(frozen=True, slots=True)
class DueDay:
    """Cards due on one local day (the first day also counts every overdue card)."""

    day: date
    cards: int


@dataclass(frozen=True, slots=True)
class Progress:
    """What the `/stats` chart shows: `days` oldest first ending today, `due` from today on."""

    community: Community
    user_id: str
    timezone: str
    today: date
    days: tuple[DayCount, ...]
    due: tuple[DueDay, ...]

    @property
    def answered(self) -> int:
        return sum(d.answered for d in self.days)

    @property
    def correct(self) -> int:
        return sum(d.correct for d in self.days)

    @property
    def accuracy(self) -> float | None:
        answered = self.answered
        return self.correct / answered if answered else None

    @property
    def active_days(self) -> int:
        return sum(1 for d in self.days if d.answered)

    @property
    def due_total(self) -> int:
        return sum(d.cards for d in self.due)

    @property
    def busiest(self) -> DayCount | None:
        """The day with the most answers (the latest of equals); None without answers."""
        best = max(self.days, key=lambda d: (d.answered, d.day), default=None)
        return best if best is not None and best.answered else None

    @property
    def empty(self) -> bool:
        """Nothing to draw: no answers in the window and no card due."""
        return self.answered == 0 and self.due_total == 0


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


async def member_progress(store: Store, community: Community, user_id: str, *, now: datetime,
                          known: Callable[[str], bool], history_days: int = HISTORY_DAYS,
                          forecast_days: int = FORECAST_DAYS) -> Progress:
    """The member's last `history_days` local days (today included) and the cards due in the
    next `forecast_days` local days; `known(entry_id)` says whether an entry is still in the notes."""
    settings = await store.community_settings(community)
    zone = ZoneInfo(settings.timezone)
    today = now.astimezone(zone).date()
    first = today - timedelta(days=history_days - 1)
    horizon = today + timedelta(days=forecast_days)
    activity = await store.member_activity(
        community, user_id, since=_local_midnight(first, zone), until=now + timedelta(seconds=1),
        due_before=_local_midnight(horizon, zone))
    right: dict[date, int] = {}
    wrong: dict[date, int] = {}
    for minute, answered, correct in activity.answers:
        day = minute.astimezone(zone).date()
        right[day] = right.get(day, 0) + correct
        wrong[day] = wrong.get(day, 0) + answered - correct
    due: dict[date, int] = {}
    for entry_id, when in activity.due:
        if known(entry_id):
            day = max(when.astimezone(zone).date(), today)
            due[day] = due.get(day, 0) + 1
    days = tuple(DayCount(d, right.get(d, 0), wrong.get(d, 0))
                 for d in (first + timedelta(days=i) for i in range(history_days)))
    forecast = tuple(DueDay(d, due.get(d, 0)) for d in (today + timedelta(days=i) for i in range(forecast_days)))
    return Progress(community, user_id, settings.timezone, today, days, forecast)
