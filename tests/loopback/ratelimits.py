"""Discord-like REST rate limits for the fake: a global limit per bot token and per-route buckets.

Modelled on developers/topics/rate-limits.mdx (Discord API docs) and checked against what
discord.py 2.7.1 reads (`discord/http.py` `Ratelimit.update` and `HTTPClient.request`):

* Every response of a bucketed route carries `X-RateLimit-Limit`, `-Remaining`, `-Reset` (epoch
  seconds, 3 decimals), `-Reset-After` (seconds, 3 decimals, rounded up) and `-Bucket` (one hash
  per route, shared by all its major parameters). discord.py uses `Reset-After` (it reads
  `Reset` only with `assume_unsync_clock=False`).
* Over a limit: 429 with `{"message", "retry_after" (float s, rounded up to the ms), "global"}`,
  headers `Retry-After` (whole seconds, rounded up, as Discord sends it), `X-RateLimit-Scope`
  (`user` or `global`), `X-RateLimit-Global: true` for the global limit, and `Via`: discord.py
  treats a 429 without `Via` as a Cloudflare ban and raises at once instead of retrying. It
  sleeps the body's `retry_after` (not the header) and retries; a global 429 also holds back its
  other requests that have not started yet.
* Windows are fixed: a bucket's window opens with the first request it lets through and lasts
  `per` seconds. Requests answered with 429 do not count.
* Interaction callbacks (`/interactions/...`) and interaction webhooks (`/webhooks/{app}/{token}...`)
  are exempt from the global limit, as on Discord. Callbacks have no bucket either; followups
  and edits on an interaction token have webhook buckets (per token, like any webhook).
* Every other route gets a bucket too (`other_routes`, per method, route and major parameter),
  so every response carries the headers, as Discord's do.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

RATE_LIMITED_MESSAGE = "You are being rate limited."
# discord.py retries a 429 only when this header is present (Discord's edge always sends it).
VIA_HEADER = "1.1 google"
GLOBAL_EXEMPT = re.compile(r"^/(?:interactions/|webhooks/\d+/[^/]+)")


def round_up_ms(seconds: float) -> float:
    """Seconds rounded up to the millisecond, so a client sleeping this long is never early."""
    return max(0.001, math.ceil(seconds * 1000 - 1e-6) / 1000)


@dataclass(frozen=True)
class RouteLimit:
    """A per-route limit: `limit` requests per `per` seconds per major parameter.

    `route` is a path template after /api/v10; `{channel_id}` (or `{guild_id}`, `{webhook_id}`)
    is the major parameter that splits the route into separate buckets.
    """

    method: str
    route: str
    limit: int = 5
    per: float = 5.0

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """The route as a regex; the major parameter is a named group, other parameters match anything."""
        parts = re.split(r"(\{[a-z_]+\})", self.route)
        regex = "".join(
            (f"(?P<{p[1:-1]}>[^/]+)" if p[1:-1] in MAJOR_PARAMETERS else "[^/]+") if p.startswith("{")
            else re.escape(p)
            for p in parts
        )
        return re.compile(f"^{regex}$")

    @cached_property
    def bucket_hash(self) -> str:
        """The `X-RateLimit-Bucket` value: the route without its major parameter, hashed."""
        return hashlib.sha1(f"{self.method} {self.route}".encode()).hexdigest()[:32]


MAJOR_PARAMETERS = ("channel_id", "guild_id", "webhook_id", "webhook_token")
CHANNEL_MESSAGES = RouteLimit("POST", "/channels/{channel_id}/messages")
# Webhook execution is commonly observed at 5 per 2 s per webhook; an interaction token is a
# webhook of its own (receiving-and-responding.mdx: followups "share the same rate limit
# properties as normal webhooks").
WEBHOOK_ROUTE_LIMITS = (
    RouteLimit("POST", "/webhooks/{webhook_id}/{webhook_token}", limit=5, per=2.0),
    RouteLimit("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", limit=5, per=2.0),
    RouteLimit("DELETE", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", limit=5, per=2.0),
    RouteLimit("GET", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", limit=5, per=2.0),
)
DEFAULT_ROUTE_LIMITS = (
    CHANNEL_MESSAGES,
    RouteLimit("PATCH", "/channels/{channel_id}/messages/{message_id}"),
    *WEBHOOK_ROUTE_LIMITS,
)
# Interaction callbacks are bound by no rate limit at all.
UNLIMITED = re.compile(r"^/interactions/")
_ID_SEGMENT = re.compile(r"^(?:\d+|@original|@me)$")
_MAJOR_AFTER = {"channels": "channel_id", "guilds": "guild_id", "webhooks": "webhook_id"}


def route_template(path: str) -> str:
    """`/channels/123/messages/456` as `/channels/{channel_id}/messages/{id}`: ids (and a
    webhook's token) become parameters; the first id after channels/guilds/webhooks is major."""
    parts = path.split("/")
    out: list[str] = []
    major_done = False
    for i, part in enumerate(parts):
        before = parts[i - 1] if i else ""
        if not major_done and before in _MAJOR_AFTER and _ID_SEGMENT.match(part):
            out.append("{" + _MAJOR_AFTER[before] + "}")
            major_done = True
        elif out and out[-1] == "{webhook_id}" and part:
            out.append("{webhook_token}")
        elif part != "@me" and _ID_SEGMENT.match(part):
            out.append("{id}")
        else:
            out.append(part)
    return "/".join(out)


@dataclass(frozen=True)
class RateLimits:
    """Limits for `FakeDiscord(rate_limits=RateLimits(...))`; the defaults are Discord's
    documented global limit (50/s per bot token) and the commonly observed 5 per 5 s per channel
    for sending and editing channel messages.

    `in_flight_grace`: after a 429, requests in the same bucket (route bucket and major
    parameter; the exact method and path for routes without a bucket) arriving within this many
    seconds are taken to have been sent before the client could read the 429; later ones before
    its retry_after ran out are recorded as protocol violations (retrying early is what gets
    bots banned). A global 429 blocks the bucket of the request it refused.
    """

    global_limit: int = 50
    global_per: float = 1.0
    routes: tuple[RouteLimit, ...] = DEFAULT_ROUTE_LIMITS
    in_flight_grace: float = 0.1
    # (limit, per) for every route not in `routes` (None: those routes are not bucketed).
    # Discord publishes no numbers; this is generous so only a runaway loop meets it.
    other_routes: tuple[int, float] | None = (50, 1.0)

    def route_for(self, method: str, path: str) -> tuple[RouteLimit, str] | None:
        """The route limit for a request and its major parameter value, if the route is bucketed."""
        if UNLIMITED.match(path):
            return None
        for route in self.routes:
            if route.method == method:
                match = route.pattern.match(path)
                if match is not None:
                    return route, _major(match.groupdict())
        if self.other_routes is None:
            return None
        route = _other_route(method, route_template(path), *self.other_routes)
        match = route.pattern.match(path)
        return (route, _major(match.groupdict())) if match is not None else None

    def floor_seconds(self, n_requests: int, n_channels: int = 1, *, route: RouteLimit = CHANNEL_MESSAGES) -> float:
        """The least possible time from the first to the last of `n_requests` requests to `route`,
        spread evenly over `n_channels` major parameters, that these limits allow.

        A lower bound (each limit taken alone): with 1,000 posts to 1,000 channels and the
        defaults, 19 s (20 global windows of 50; the per-channel limit never binds).
        """
        if n_requests <= 0:
            return 0.0
        per_channel = math.ceil(n_requests / max(1, n_channels))
        limit = next((r for r in self.routes if r == route), None)
        route_floor = (math.ceil(per_channel / limit.limit) - 1) * limit.per if limit else 0.0
        global_floor = (math.ceil(n_requests / self.global_limit) - 1) * self.global_per
        return max(route_floor, global_floor)


def _major(groups: dict[str, str]) -> str:
    return "+".join(str(groups[k]) for k in MAJOR_PARAMETERS if k in groups)


@lru_cache(maxsize=1024)
def _other_route(method: str, template: str, limit: int, per: float) -> RouteLimit:
    return RouteLimit(method, template, limit=limit, per=per)


@dataclass
class Window:
    """One fixed window of a bucket (or of the global limit)."""

    limit: int
    per: float
    opened: float = 0.0
    used: int = 0

    def roll(self, now: float) -> None:
        """Empty the window once it has run out (the next request opens a new one)."""
        if self.used and now >= self.opened + self.per:
            self.used = 0

    def take(self, now: float) -> None:
        if not self.used:
            self.opened = now
        self.used += 1

    @property
    def full(self) -> bool:
        return self.used >= self.limit

    def reset_after(self, now: float) -> float:
        return max(0.0, self.opened + self.per - now) if self.used else self.per


@dataclass
class Decision:
    """What the limiter says about one request."""

    allowed: bool
    headers: dict[str, str] = field(default_factory=dict)
    scope: str | None = None  # "user" or "global" when refused
    retry_after: float = 0.0
    # Seconds since the 429 this request ignored (it came in before the window reopened).
    early_after_429: float | None = None
    # The windows an allowed request used up (given back by `RateLimiter.refund`).
    taken: tuple[Window, ...] = ()

    def body(self) -> dict[str, Any]:
        return {"message": RATE_LIMITED_MESSAGE, "retry_after": self.retry_after, "global": self.scope == "global"}


def rate_limited_headers(retry_after: float, scope: str) -> dict[str, str]:
    """The headers of a 429 besides the bucket ones."""
    headers = {
        "Retry-After": str(math.ceil(retry_after)),
        "X-RateLimit-Scope": scope,
        "Via": VIA_HEADER,
    }
    if scope == "global":
        headers["X-RateLimit-Global"] = "true"
    return headers


class RateLimiter:
    """Counts requests per bot token and per bucket and decides which are refused."""

    def __init__(self, limits: RateLimits) -> None:
        self.limits = limits
        self.global_window = Window(limits.global_limit, limits.global_per)
        self.buckets: dict[tuple[str, str], Window] = {}
        # Bucket key -> (when its first 429 was answered, when the client may come back).
        self.blocked: dict[tuple[str, str], tuple[float, float]] = {}

    def check(self, method: str, path: str, now: float) -> Decision:
        """Decide about a request arriving at loop time `now` (uses up the windows when allowed)."""
        bucketed = self.limits.route_for(method, path)
        route: RouteLimit | None = None
        bucket: Window | None = None
        if bucketed is not None:
            route, major = bucketed
            key = (route.bucket_hash, major)
            bucket = self.buckets.get(key)
            if bucket is None:
                bucket = self.buckets[key] = Window(route.limit, route.per)
            bucket.roll(now)
        else:
            key = (method, path)
        glob = None if GLOBAL_EXEMPT.match(path) else self.global_window
        if glob is not None:
            glob.roll(now)
        early = self._early(key, now)
        refused: tuple[Window, str] | None = None
        if glob is not None and glob.full:
            refused = (glob, "global")
        elif bucket is not None and bucket.full:
            refused = (bucket, "user")
        headers = {}
        taken = tuple(w for w in (glob, bucket) if w is not None) if refused is None else ()
        for window in taken:
            window.take(now)
        if route is not None and bucket is not None:
            headers = self._bucket_headers(route, bucket, now)
        if refused is None:
            return Decision(True, headers, early_after_429=early, taken=taken)
        window, scope = refused
        retry_after = round_up_ms(window.reset_after(now))
        first, until = self.blocked.get(key, (now, now))
        if until <= now:
            first = now
        self.blocked[key] = (first, max(until, now + retry_after))
        headers.update(rate_limited_headers(retry_after, scope))
        return Decision(False, headers, scope, retry_after, early)

    @staticmethod
    def refund(decision: Decision) -> None:
        """Give back what an allowed request used up: it was answered 429 after all (an
        injected fault), and Discord does not count requests it refused."""
        for window in decision.taken:
            window.used = max(0, window.used - 1)

    def _early(self, key: tuple[str, str], now: float) -> float | None:
        """Seconds since this bucket's 429 when the request came back too soon (None: fine)."""
        blocked = self.blocked.get(key)
        if blocked is None:
            return None
        first, until = blocked
        if now >= until:
            del self.blocked[key]
            return None
        since = now - first
        return since if since >= self.limits.in_flight_grace else None

    @staticmethod
    def _bucket_headers(route: RouteLimit, bucket: Window, now: float) -> dict[str, str]:
        reset_after = round_up_ms(bucket.reset_after(now))
        return {
            "X-RateLimit-Limit": str(bucket.limit),
            "X-RateLimit-Remaining": str(max(0, bucket.limit - bucket.used)),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": route.bucket_hash,
        }


__all__ = [
    "CHANNEL_MESSAGES",
    "DEFAULT_ROUTE_LIMITS",
    "WEBHOOK_ROUTE_LIMITS",
    "Decision",
    "RATE_LIMITED_MESSAGE",
    "RateLimiter",
    "RateLimits",
    "RouteLimit",
    "rate_limited_headers",
    "round_up_ms",
    "route_template",
]
