"""Shard ranges: which of a bot's Discord shards (and which share of its Slack workspaces) one
`studybot run` process serves.

A range is written `FIRST-LAST/COUNT` (`0-3/8`: shards 0, 1, 2 and 3 of 8) or `ID/COUNT`
(`1/2`); it comes from `studybot run --shards` or `STUDYBOT_SHARDS`. Without one, a process runs
every shard (`ShardRange.everything()`, written `0/1`). `parse_shards` turns any bad spelling
into one `ValueError` sentence that says what a good one looks like.

Two ranges overlap when some community would be owned by both: shard `i` of `n` and shard `j`
of `m` share the guilds whose `(id >> 22)` is `i` mod `n` and `j` mod `m`, which exist exactly
when `i ≡ j (mod gcd(n, m))` (the Chinese remainder theorem). So `0-1/4` and `1/2` overlap (shard
1 of 4 is part of shard 1 of 2), `0-1/4` and `0/2` do too (shard 0 of 4), and every range
overlaps a process that runs everything.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

MAX_SHARDS = 4096  # far more than any bot needs (Discord recommends one shard per 1,000 guilds)
_SPEC = re.compile(r"^\s*(\d+)(?:\s*-\s*(\d+))?\s*/\s*(\d+)\s*$")
EXAMPLE = "write FIRST-LAST/COUNT such as 0-3/8, or ID/COUNT such as 1/2"


@dataclass(frozen=True, slots=True)
class ShardRange:
    """Shards `first`..`last` (inclusive) of `count`."""

    first: int
    last: int
    count: int

    def __post_init__(self) -> None:
        if not 1 <= self.count <= MAX_SHARDS:
            raise ValueError(f"the shard count must be between 1 and {MAX_SHARDS}, not {self.count}")
        if self.first > self.last:
            raise ValueError(f"the first shard {self.first} comes after the last one {self.last}")
        if not 0 <= self.first <= self.last < self.count:
            raise ValueError(f"shards {self.first}-{self.last} are not within 0-{self.count - 1} "
                             f"of {self.count} shards")

    @classmethod
    def everything(cls) -> ShardRange:
        """One process running the whole bot."""
        return cls(0, 0, 1)

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(range(self.first, self.last + 1))

    @property
    def is_everything(self) -> bool:
        return self.first == 0 and self.last == self.count - 1

    @property
    def share(self) -> float:
        """The part of all communities this range owns (0 < share <= 1)."""
        return (self.last - self.first + 1) / self.count

    def __contains__(self, slot: object) -> bool:
        return isinstance(slot, int) and self.first <= slot <= self.last

    def overlaps(self, other: ShardRange) -> bool:
        """Whether some community would be owned by both ranges (see the module docstring)."""
        step = math.gcd(self.count, other.count)
        mine = {i % step for i in self.ids}
        return any(j % step in mine for j in other.ids)

    def __str__(self) -> str:
        if self.first == self.last:
            return f"{self.first}/{self.count}"
        return f"{self.first}-{self.last}/{self.count}"


def parse_shards(text: str) -> ShardRange:
    """`0-3/8` or `1/2` as a `ShardRange`; anything else raises ValueError with one sentence."""
    match = _SPEC.match(text or "")
    if match is None:
        raise ValueError(f"{text!r} is not a shard range: {EXAMPLE}")
    first, last, count = match.group(1), match.group(2), match.group(3)
    try:
        return ShardRange(int(first), int(last if last is not None else first), int(count))
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a usable shard range: {exc}; {EXAMPLE}") from None


__all__ = ["EXAMPLE", "MAX_SHARDS", "ShardRange", "parse_shards"]
