"""Pacing of the bot's own REST sends (daily posts, reveal edits, pause notices) under Discord's
global rate limit, which counts every request of the bot token, across all of its processes.

Discord allows a bot 50 requests per second in all (interaction responses are exempt); above
that it answers 429, and many 429s in a row get a bot's address banned for a while. discord.py
only reacts to a 429 after the fact: 1,000 schedules due at 09:00 would all be sent at once and
most answered 429 (the fan-out bench counted thousands). So every send of the daily cycle first
takes a turn from a `SendPacer`: one send per `1 / rate` seconds, no bursts. A process serving a
share `s` of the shards (`bot.shards.ShardRange.share`) paces itself at `50 × s − 1` per second:
spaced sends put at most `rate + 1` requests into any one-second window, so the processes of one
bot together stay within 50 while each keeps its share.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

DISCORD_GLOBAL_PER_SECOND = 50.0
MIN_RATE = 1.0


class SendPacer:
    """Hands out send turns at most `rate` per second, in the order they are asked for."""

    def __init__(self, rate: float, *, monotonic: Callable[[], float] | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        if rate <= 0:
            raise ValueError("a send rate must be positive")
        self.rate = rate
        self._interval = 1.0 / rate
        self._monotonic = monotonic
        self._sleep = sleep
        self._next = float("-inf")  # the earliest time the next turn may start

    @classmethod
    def for_share(cls, share: float) -> SendPacer:
        """The pacer of a process serving `share` (0 < share <= 1) of the bot's shards."""
        return cls(max(MIN_RATE, DISCORD_GLOBAL_PER_SECOND * min(1.0, share) - 1.0))

    def _now(self) -> float:
        return self._monotonic() if self._monotonic is not None else asyncio.get_running_loop().time()

    async def turn(self) -> None:
        """Wait for this caller's turn; turns are reserved when asked for, so concurrent
        callers get consecutive, evenly spaced turns."""
        now = self._now()
        start = max(now, self._next)
        self._next = start + self._interval
        if start > now:
            await self._sleep(start - now)


__all__ = ["DISCORD_GLOBAL_PER_SECOND", "SendPacer"]
