"""Slack's Web API rate limits, as token buckets on the fake's clock.

Slack counts calls per method per workspace per app, in tiers (docs.slack.dev/apis/web-api/
rate-limits): Tier 1 1+/min, Tier 2 20+/min, Tier 3 50+/min, Tier 4 100+/min, each tolerating
bursts; `chat.postMessage` is "special": about one message per second per channel, short bursts
allowed. Here each tier is a bucket holding a minute's calls that refills evenly over the minute
(so a burst of a minute's budget passes, the next call waits 60/rate s), and chat.postMessage a
bucket per channel of `special_burst` messages refilling one a second. A refused call gets HTTP
429, `Retry-After: <whole seconds>` and `{"ok": false, "error": "ratelimited"}`, like Slack.
A refused call does not use up its bucket.

Not modelled: Slack's workspace-wide message limit, and Tier 1 for `apps.connections.open`
(Slack tolerates the reconnects a restart makes; listed as unlimited here).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

# Method -> tier (1-4), "special" (per channel), or None (not limited here).
METHOD_TIERS: Mapping[str, int | str | None] = MappingProxyType({
    "auth.test": None,
    "apps.connections.open": None,
    "chat.postMessage": "special",
    "chat.update": 3,
    "chat.delete": 3,
    "chat.postEphemeral": 4,
    "views.open": 4,
    "views.update": 4,
    "views.push": 4,
    "users.info": 4,
    "team.info": 3,
    "conversations.info": 3,
    "files.getUploadURLExternal": 4,
    "files.completeUploadExternal": 4,
})
TIER_PER_MINUTE: Mapping[int, float] = MappingProxyType({1: 1.0, 2: 20.0, 3: 50.0, 4: 100.0})


@dataclass
class SlackRateLimits:
    """Settings: calls per minute per tier, chat.postMessage per channel per second and burst."""

    tiers: Mapping[int, float] = field(default_factory=lambda: dict(TIER_PER_MINUTE))
    methods: Mapping[str, int | str | None] = field(default_factory=lambda: dict(METHOD_TIERS))
    special_per_second: float = 1.0
    special_burst: int = 5

    def bucket_shape(self, method: str) -> tuple[float, float] | None:
        """(capacity, refill per second) for `method`, or None when it is not limited."""
        tier = self.methods.get(method)
        if tier is None:
            return None
        if tier == "special":
            return float(self.special_burst), self.special_per_second
        per_minute = self.tiers[int(tier)]
        return per_minute, per_minute / 60.0


@dataclass
class Bucket:
    capacity: float
    per_second: float
    tokens: float
    updated: float

    def take(self, now: float) -> float:
        """Take one token; 0.0 when it was there, else the seconds until one will be."""
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.per_second)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.per_second


@dataclass
class RateLimiter:
    """Buckets per (method, channel for the special tier)."""

    limits: SlackRateLimits
    buckets: dict[tuple[str, str], Bucket] = field(default_factory=dict)

    def check(self, method: str, args: Mapping[str, object], now: float) -> int:
        """0 when the call may go ahead (and it is counted), else Retry-After in whole seconds."""
        shape = self.limits.bucket_shape(method)
        if shape is None:
            return 0
        scope = str(args.get("channel", "")) if self.limits.methods.get(method) == "special" else ""
        key = (method, scope)
        bucket = self.buckets.get(key)
        if bucket is None:
            bucket = self.buckets[key] = Bucket(shape[0], shape[1], shape[0], now)
        wait = bucket.take(now)
        return 0 if wait == 0.0 else max(1, math.ceil(wait))

    def bucket_key(self, method: str, args: Mapping[str, object]) -> tuple[str, str]:
        scope = str(args.get("channel", "")) if self.limits.methods.get(method) == "special" else ""
        return (method, scope)
