"""How long a handler may work before it must defer: measured from the interaction's snowflake."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import discord
import pytest

from bot.discord_app.deadline import ACK_BUDGET, finish_or_defer, seconds_left

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


class ExpiredResponse:
    """An interaction response whose deferral Discord refuses: the interaction is forgotten."""

    def __init__(self) -> None:
        self.deferrals = 0

    def is_done(self) -> bool:
        return False

    async def defer(self, *, ephemeral: bool, thinking: bool) -> None:
        self.deferrals += 1
        raise discord.NotFound(SimpleNamespace(status=404, reason="Not Found"),
                               {"code": 10062, "message": "Unknown interaction"})


async def test_work_that_outlives_a_dead_interaction_is_kept_and_the_refusal_raised() -> None:
    # Created long ago (it waited in a queue): the deferral is tried at once and refused.
    response = ExpiredResponse()
    stale = SimpleNamespace(created_at=discord.utils.utcnow() - timedelta(seconds=10), response=response, id=1)
    done: list[str] = []

    async def store_the_answer() -> str:
        await asyncio.sleep(0.01)
        done.append("stored")
        return "stored"

    with pytest.raises(discord.NotFound):
        await finish_or_defer(stale, store_the_answer())  # type: ignore[arg-type]
    assert done == ["stored"] and response.deferrals == 1


async def test_quick_work_returns_its_result_without_deferring() -> None:
    response = ExpiredResponse()
    fresh = SimpleNamespace(created_at=discord.utils.utcnow(), response=response, id=2)

    async def quick() -> int:
        return 7

    assert await finish_or_defer(fresh, quick()) == 7  # type: ignore[arg-type]
    assert response.deferrals == 0
