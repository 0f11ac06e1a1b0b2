"""Daily-quiz time arithmetic in a group's IANA time zone.

Pure functions: parse "HH:MM", find the next post times, the slot that is due after downtime,
and when a post is revealed. Wall-clock times are kept across daylight-saving changes: 09:00 in
New York stays 09:00 local on both sides of the change. A time that does not exist on a
spring-forward day (02:30) is posted at the first valid minute after the gap; a time that happens
twice on a fall-back day is posted at its first occurrence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from rapidfuzz import fuzz, process

_TIME = re.compile(r"^\s*(\d{1,2})\s*[:시.h]\s*(\d{2})?\s*(?:분)?\s*$", re.IGNORECASE)


class ScheduleInputError(ValueError):
    """A time or zone a user typed that cannot be used; `suggestion` says what would work."""

    def __init__(self, message: str, suggestion: str | None = None) -> None:
        super().__init__(message)
        self.suggestion = suggestion


@dataclass(frozen=True, slots=True)
class DailySlot:
    """One scheduled post: its local date (the day key) and the exact instant, in UTC."""

    local_date: date
    at: datetime


def parse_time(text: str) -> time:
    """'09:00', '9:05', '21.30', '9시' → a wall-clock time; anything else raises with a hint."""
    match = _TIME.match(text or "")
    if match:
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if 0 <= hour <= 23 and 0 <= minute <= 59:
            return time(hour, minute)
    raise ScheduleInputError(f"{text!r} is not a time of day", suggestion="use 24-hour HH:MM, e.g. 09:00 or 21:30")


@lru_cache(maxsize=1)
def _zone_names() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


def zone_names() -> tuple[str, ...]:
    """Every IANA zone name this machine knows, sorted."""
    return _zone_names()


def suggest_zones(text: str, limit: int = 25) -> list[str]:
    """Zone names for autocomplete: prefix and substring matches first, then fuzzy ones."""
    wanted = (text or "").strip().casefold().replace(" ", "_")
    names = zone_names()
    if not wanted:
        popular = ["Asia/Seoul", "UTC", "Asia/Tokyo", "America/New_York", "Europe/London",
                   "America/Los_Angeles", "Europe/Berlin", "Asia/Singapore", "Australia/Sydney"]
        return [n for n in popular if n in names][:limit]
    starts = [n for n in names if n.casefold().startswith(wanted)]
    parts = [n for n in names if n not in starts and wanted in n.casefold()]
    found = starts + parts
    if len(found) < limit:
        fuzzy = process.extract(wanted, names, scorer=fuzz.ratio, processor=str.casefold,
                                limit=limit, score_cutoff=60)
        found += [name for name, _, _ in fuzzy if name not in found]
    return found[:limit]


def parse_zone(text: str) -> ZoneInfo:
    """An IANA zone by name (case-insensitive); an unknown name raises with the closest ones."""
    name = (text or "").strip()
    by_fold = {n.casefold(): n for n in zone_names()}
    exact = by_fold.get(name.casefold()) or by_fold.get(name.casefold().replace(" ", "_"))
    if exact:
        try:
            return ZoneInfo(exact)
        except ZoneInfoNotFoundError:  # pragma: no cover - listed zones load
            pass
    close = suggest_zones(name, limit=3)
    hint = f"did you mean {', '.join(close)}?" if close else "use an IANA name such as Asia/Seoul or UTC"
    raise ScheduleInputError(f"{text!r} is not a time zone", suggestion=hint)


def wall_clock(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The instant (UTC) when the clocks in `zone` show `at` on `day`.

    A time inside a spring-forward gap moves to the end of the gap; an ambiguous time on a
    fall-back day takes its first occurrence.
    """
    local = datetime.combine(day, at, tzinfo=zone).replace(fold=0)
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        # Nonexistent local time: fold=0 maps it using the offset before the gap, which lands
        # inside the new offset's hour; take the gap's end instead (e.g. 02:30 → 03:00).
        later = datetime.combine(day, at, tzinfo=zone).replace(fold=1).astimezone(UTC)
        gap_end = min(instant, later)
        while gap_end.astimezone(zone).time() < at and gap_end.astimezone(zone).date() == day:
            gap_end += timedelta(minutes=1)
        instant = gap_end
    return instant


def slot_on(day: date, at: time, zone: ZoneInfo) -> DailySlot:
    return DailySlot(local_date=day, at=wall_clock(day, at, zone))


def next_slots(at: time, zone: ZoneInfo, after: datetime, count: int = 3) -> list[DailySlot]:
    """The next `count` post slots strictly after `after`."""
    day = after.astimezone(zone).date() - timedelta(days=1)
    slots: list[DailySlot] = []
    while len(slots) < count:
        slot = slot_on(day, at, zone)
        if slot.at > after:
            slots.append(slot)
        day += timedelta(days=1)
    return slots


def latest_slot(at: time, zone: ZoneInfo, now: datetime) -> DailySlot:
    """The most recent slot at or before `now`."""
    day = now.astimezone(zone).date() + timedelta(days=1)
    while True:
        slot = slot_on(day, at, zone)
        if slot.at <= now:
            return slot
        day -= timedelta(days=1)


def missed_slot(
    at: time, zone: ZoneInfo, now: datetime, grace: timedelta, since: datetime
) -> tuple[DailySlot | None, DailySlot | None]:
    """After downtime: (slot to post now, slot skipped), looking only at slots after `since`.

    The latest slot not after `now` is posted if it is within `grace` of now; a slot older than
    the grace window is reported as skipped so the caller can log it.
    """
    slot = latest_slot(at, zone, now)
    if slot.at <= since:
        return None, None
    if now - slot.at <= grace:
        return slot, None
    return None, slot


def reveal_time(
    slot: DailySlot, at: time, zone: ZoneInfo, reveal_after_hours: float | None
) -> datetime:
    """When a post is revealed: `reveal_after_hours` after it, else one hour before the next post.

    Never later than one minute before the next post, so a reveal always precedes the next quiz.
    """
    following = slot_on(slot.local_date + timedelta(days=1), at, zone).at
    latest = following - timedelta(minutes=1)
    if reveal_after_hours is not None:
        return min(slot.at + timedelta(hours=reveal_after_hours), latest)
    return max(min(following - timedelta(hours=1), latest), slot.at + timedelta(minutes=1))
