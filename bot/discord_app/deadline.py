"""Answering an interaction within Discord's three-second deadline, however slow the work is.

Discord forgets an interaction that gets no initial response within 3 s of its creation. Work
that is usually quick (recording a click) can be slow now and then: another process holds the
database's write lock, or the host is busy. `finish_or_defer` gives the work until the
interaction is `ACK_BUDGET` seconds old and defers the response if it is still running, so the
reply can follow as a followup message (which may come up to 15 minutes later). When even the
deferral comes too late (the interaction waited in a queue past the deadline), Discord's refusal
is raised after the work is done, so nobody answers the dead interaction a second time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

import discord

from bot.discord_app.errors import defer

log = logging.getLogger(__name__)

T = TypeVar("T")

ACK_BUDGET = 2.0  # seconds of the 3 s deadline the work may use before the response is deferred


def seconds_left(interaction: discord.Interaction, now: datetime | None = None) -> float:
    """How long the work may still run before deferring; the age is measured from the
    interaction's snowflake, and a clock that runs behind Discord's counts as age 0."""
    age = ((now or discord.utils.utcnow()) - interaction.created_at).total_seconds()
    return min(ACK_BUDGET, max(0.0, ACK_BUDGET - max(0.0, age)))


async def finish_or_defer(interaction: discord.Interaction, work: Awaitable[T], *, ephemeral: bool = True,
                          thinking: bool = True, journal: Callable[[], Awaitable[object]] | None = None) -> T:
    """The result of `work`; the response is deferred first when `work` runs past the budget.

    A deferral acknowledges the click: when `work` records an answer, pass `journal`
    (`AnswerLedger.keep_in_flight`), which makes the answers still in flight durable before the
    deferral goes out, so a crash after it cannot lose the acknowledged answer.

    `thinking=True` defers a new reply ("is thinking..."); `thinking=False` on a button defers
    an update of the clicked message instead. A timer rather than a waiting task keeps the
    common case (work done in time) cheap: this runs for every click of a burst.
    """
    loop = asyncio.get_running_loop()
    deferral: asyncio.Task[discord.HTTPException | None] | None = None
    finished = False

    def defer_if_still_working() -> None:
        nonlocal deferral
        if not finished and not interaction.response.is_done():
            deferral = loop.create_task(_defer(interaction, ephemeral=ephemeral, thinking=thinking, journal=journal))

    timer = loop.call_later(seconds_left(interaction), defer_if_still_working)
    try:
        result = await work
    finally:
        finished = True
        timer.cancel()
        refused = await deferral if deferral is not None else None  # the reply must follow it
    if refused is not None:
        # Discord forgot the interaction before the deferral reached it: no reply can follow,
        # and the caller's reply would be a second response to a dead interaction. The work's
        # result (an answer stored, say) stands.
        raise refused
    return result


async def _defer(interaction: discord.Interaction, *, ephemeral: bool, thinking: bool,
                 journal: Callable[[], Awaitable[object]] | None = None) -> discord.HTTPException | None:
    if journal is not None:
        await journal()
    try:
        await defer(interaction, ephemeral=ephemeral, thinking=thinking)
    except discord.HTTPException as exc:  # expired already: the work's result still stands
        log.warning("could not defer interaction %s in time: %s", interaction.id, exc)
        return exc
    return None


__all__ = ["ACK_BUDGET", "finish_or_defer", "seconds_left"]
