"""How long a handler may work before it must defer: measured from the interaction's snowflake."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from bot.discord_app.deadline import ACK_BUDGET, seconds_left

CREATED = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def interaction_created(at: datetime) -> SimpleNamespace:
    return SimpleNamespace(created_at=at)


@pytest.mark.parametrize(("age", "left"), [(0.0, ACK_BUDGET), (0.5, ACK_BUDGET - 0.5), (ACK_BUDGET, 0.0), (9.0, 0.0)])
def test_seconds_left_shrinks_with_the_interactions_age(age: float, left: float) -> None:
    now = CREATED + timedelta(seconds=age)
    assert seconds_left(interaction_created(CREATED), now) == pytest.approx(left)  # type: ignore[arg-type]


def test_a_host_clock_behind_discords_gives_the_whole_budget() -> None:
    now = CREATED - timedelta(seconds=30)
    assert seconds_left(interaction_created(CREATED), now) == ACK_BUDGET  # type: ignore[arg-type]
