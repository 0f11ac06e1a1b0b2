"""Which process owns a community's timed work (daily posts, reveals, reminders) when the bot runs
as several processes, each serving a range of shards (`bot.shards.ShardRange`).

`owner_slot(community, count)` is the shard that owns the community:

* a Discord server: `(guild_id >> 22) % count`, Discord's own formula, so the process whose
  gateway connections receive a server's events and interactions (and so holds it in its cache,
  which the daily post reads for permissions) is the one that posts there;
* a Slack workspace: `int(sha256("slack:" + team_id)[:8], 16) % count`. Slack has no shards: a
  Socket Mode event may reach any connected process, so only the timed work needs an owner. A
  team id (`T024BE7LD`) is not a number with spread-out low bits, so it is hashed; SHA-256 is
  the same in every process and Python version (the built-in `hash` is salted per process), and
  its first 32 bits are spread evenly enough for any count up to `bot.shards.MAX_SHARDS`;
* anything else (Discord direct-message communities, which Discord delivers to shard 0; the
  offline console; pre-community rows `discord:0`): shard 0.

Ownership only decides who *tries*; every daily post is still claimed in the database before it
is sent (`bot.app.daily`), so two processes whose ranges overlap during a rescale never post one
slot twice.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from bot.community import Community
from bot.shards import ShardRange

DISCORD_SHARD_SHIFT = 22  # a snowflake's timestamp starts at bit 22; Discord shards on it


def owner_slot(community: Community, count: int) -> int:
    """The shard (0..count-1) that owns `community` (see the module docstring)."""
    if count <= 1:
        return 0
    platform, ident = community.platform, community.id
    if platform == "discord" and ident.isdigit():
        return (int(ident) >> DISCORD_SHARD_SHIFT) % count
    if platform == "slack":
        digest = hashlib.sha256(f"slack:{ident}".encode()).hexdigest()
        return int(digest[:8], 16) % count
    return 0


@dataclass(frozen=True, slots=True)
class Ownership:
    """The communities one process schedules: those whose owner slot is in its shard range."""

    shards: ShardRange

    @classmethod
    def everything(cls) -> Ownership:
        return cls(ShardRange.everything())

    def owns(self, community: Community) -> bool:
        return owner_slot(community, self.shards.count) in self.shards


__all__ = ["DISCORD_SHARD_SHIFT", "Ownership", "owner_slot"]
