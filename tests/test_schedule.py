"""Daily-quiz time arithmetic: wall-clock times in a zone, across DST, after downtime."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.engine.schedule import (
    ScheduleInputError,
    latest_slot,
    missed_slot,
    next_slots,
    parse_time,
    parse_zone,
    reveal_time,
    suggest_zones,
    wall_clock,
)

SEOUL = ZoneInfo("Asia/Seoul")
NEW_YORK = ZoneInfo("America/New_York")
NINE = time(9, 0)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize("text, expected", [("09:00", time(9)), ("9:05", time(9, 5)), ("21.30", time(21, 30)), ("7시", time(7))])
def test_parse_time_accepts_common_spellings(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["25:00", "9:60", "nine", "", "09:0"])
def test_parse_time_rejects_impossible_times_with_a_suggestion(text: str) -> None:
    with pytest.raises(ScheduleInputError) as caught:
        parse_time(text)
    assert "HH:MM" in (caught.value.suggestion or "")


def test_parse_zone_is_case_insensitive() -> None:
    assert parse_zone("asia/seoul").key == "Asia/Seoul"


def test_parse_zone_suggests_close_names_for_a_typo() -> None:
    with pytest.raises(ScheduleInputError) as caught:
        parse_zone("Asia/Seol")
    assert "Asia/Seoul" in (caught.value.suggestion or "")


def test_suggest_zones_puts_prefix_matches_first() -> None:
    assert suggest_zones("asia/se")[0] == "Asia/Seoul"


def test_suggest_zones_never_exceeds_discord_choice_limit() -> None:
    assert len(suggest_zones("a")) == 25


def test_seoul_nine_am_is_midnight_utc() -> None:
    assert wall_clock(date(2026, 11, 27), NINE, SEOUL) == utc(2026, 11, 27, 0, 0)


def test_next_three_slots_in_seoul_start_tomorrow_after_post_time() -> None:
    slots = next_slots(NINE, SEOUL, after=utc(2026, 11, 27, 3, 0))
    assert [s.local_date for s in slots] == [date(2026, 11, 28), date(2026, 11, 29), date(2026, 11, 30)]
    assert slots[0].at == utc(2026, 11, 28, 0, 0)


def test_next_slot_is_today_when_post_time_is_still_ahead() -> None:
    (slot,) = next_slots(NINE, SEOUL, after=utc(2026, 11, 26, 23, 59), count=1)
    assert slot.local_date == date(2026, 11, 27)


def test_new_york_keeps_nine_am_across_march_dst_change() -> None:
    slots = next_slots(NINE, NEW_YORK, after=utc(2026, 3, 7, 0, 0), count=3)
    assert [s.at for s in slots] == [utc(2026, 3, 7, 14), utc(2026, 3, 8, 13), utc(2026, 3, 9, 13)]
    assert all(s.at.astimezone(NEW_YORK).time() == NINE for s in slots)


def test_new_york_keeps_nine_am_across_november_dst_change() -> None:
    slots = next_slots(NINE, NEW_YORK, after=utc(2026, 10, 31, 0, 0), count=3)
    assert [s.at for s in slots] == [utc(2026, 10, 31, 13), utc(2026, 11, 1, 14), utc(2026, 11, 2, 14)]


def test_time_in_spring_forward_gap_posts_at_end_of_gap() -> None:
    instant = wall_clock(date(2026, 3, 8), time(2, 30), NEW_YORK)
    assert instant.astimezone(NEW_YORK).replace(tzinfo=None) == datetime(2026, 3, 8, 3, 0)


def test_time_repeated_on_fall_back_day_posts_once_at_first_occurrence() -> None:
    instant = wall_clock(date(2026, 11, 1), time(1, 30), NEW_YORK)
    assert instant == utc(2026, 11, 1, 5, 30)  # 01:30 EDT, not 01:30 EST an hour later


def test_latest_slot_is_yesterday_before_post_time() -> None:
    assert latest_slot(NINE, SEOUL, utc(2026, 11, 26, 23, 0)).local_date == date(2026, 11, 26)


def test_missed_slot_within_grace_is_posted_on_recovery() -> None:
    post, skipped = missed_slot(NINE, SEOUL, now=utc(2026, 11, 27, 2, 0), grace=timedelta(hours=3),
                                since=utc(2026, 11, 26, 12, 0))
    assert post is not None and post.local_date == date(2026, 11, 27) and skipped is None


def test_missed_slot_beyond_grace_is_skipped() -> None:
    post, skipped = missed_slot(NINE, SEOUL, now=utc(2026, 11, 27, 4, 0), grace=timedelta(hours=3),
                                since=utc(2026, 11, 26, 12, 0))
    assert post is None and skipped is not None and skipped.local_date == date(2026, 11, 27)


def test_missed_slot_ignores_slots_already_handled_before_downtime() -> None:
    assert missed_slot(NINE, SEOUL, now=utc(2026, 11, 27, 1, 0), grace=timedelta(hours=3),
                       since=utc(2026, 11, 27, 0, 30)) == (None, None)


def test_default_reveal_is_one_hour_before_next_post() -> None:
    slot = latest_slot(NINE, SEOUL, utc(2026, 11, 27, 1, 0))
    assert reveal_time(slot, NINE, SEOUL, None) == utc(2026, 11, 27, 23, 0)


def test_reveal_after_hours_counts_from_the_post() -> None:
    slot = latest_slot(NINE, SEOUL, utc(2026, 11, 27, 1, 0))
    assert reveal_time(slot, NINE, SEOUL, 2) == utc(2026, 11, 27, 2, 0)


def test_default_reveal_follows_dst_change() -> None:
    slot = latest_slot(NINE, NEW_YORK, utc(2026, 3, 7, 15))
    assert reveal_time(slot, NINE, NEW_YORK, None) == utc(2026, 3, 8, 12)  # 08:00 EDT


def test_zone_suggestions_for_a_misspelt_city_are_zones_of_that_region() -> None:
    with pytest.raises(ScheduleInputError) as caught:
        parse_zone("America/New_Yrok")
    suggestion = caught.value.suggestion or ""
    assert suggestion.startswith("did you mean America/New_York") and "ROK" not in suggestion.split(", ")
