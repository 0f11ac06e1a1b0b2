"""`FakeDiscord`: a loopback stand-in for Discord's REST API and gateway (aiohttp, 127.0.0.1).

It records every REST request, validates message and command payloads against Discord's limits
(`limits.py`), keeps the messages the bot sent so tests can click their buttons, and builds
INTERACTION_CREATE events from the commands the bot synced. Optional Discord-like rate limits
(`ratelimits.py`), injected failures (fixed or a seeded share), and gateway sessions that replay
missed events on RESUME make it usable for fault and load tests. Facts about what discord.py
2.7.1 needs from such a stand-in are in `../shared/docs/discord-loopback.md` beside the clone.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import secrets
import socket
from collections import Counter, deque
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Callable, Iterable, Protocol

from aiohttp import WSMsgType, web

from . import limits
from .driver import (
    INTERACTION_AUTOCOMPLETE,
    INTERACTION_COMMAND,
    INTERACTION_COMPONENT,
    INTERACTION_MODAL,
    DEFAULT_TIMEOUT,
    InteractionHandle,
    InteractionRecord,
    InteractionResult,
    RecordedRequest,
    Violation,
)
from .payloads import (
    ADMIN_PERMISSIONS,
    BOT_PERMISSIONS,
    EMBED_LINKS,
    EVERYONE_PERMISSIONS,
    OVERWRITE_MEMBER,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
    VIEW_CHANNEL,
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeRole,
    FakeUser,
    InteractionBuildError,
    OptionBuilder,
    Overwrite,
    Snowflakes,
    StoredMessage,
    flat_components,
    iso,
    permission_bits,
    snowflake_time,
)
from .ratelimits import GLOBAL_EXEMPT, RATE_LIMITED_MESSAGE, RateLimiter, RateLimits, rate_limited_headers
from .schema import discord_schema

API_PREFIX = "/api/v10"
HEARTBEAT_INTERVAL_MS = 41250
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024
EPHEMERAL = 1 << 6
LOADING = 1 << 7
# "Interaction tokens are valid for 15 minutes" (receiving-and-responding.mdx); after that every
# request on the token gets 401 Invalid Webhook Token (50027).
TOKEN_LIFETIME = 15 * 60.0
# Dispatch frames a session keeps for RESUME (frames the client acknowledged by heartbeat are
# dropped earlier); a RESUME from before the oldest kept frame gets op 9, as on Discord.
RESUME_BUFFER = 10_000
# How long Discord remembers a message nonce for `enforce_nonce` ("the past few minutes").
NONCE_WINDOW = 5 * 60.0
# Closing the gateway with these codes ends the session: Discord does not let it resume.
SESSION_ENDING_CLOSE_CODES = frozenset({1000, 1001})
INVALID_SHARD = 4010  # Discord's close code for a shard id outside the shard count
IDENTIFY_INTERVAL = 5.0  # Discord: max_concurrency IDENTIFYs per rate-limit bucket per 5 s


def shard_of(guild_id: str | int, count: int) -> int:
    """Discord's formula: the shard that gets a guild's events and interactions."""
    return (int(guild_id) >> 22) % count if count > 1 else 0
REC = web.RequestKey("rec", RecordedRequest)
AUTH_OK = web.RequestKey("auth_ok", bool)
# The initial-response (callback) types valid for each interaction type.
CALLBACK_TYPES = MappingProxyType({
    INTERACTION_COMMAND: frozenset({4, 5, 9}),
    INTERACTION_COMPONENT: frozenset({4, 5, 6, 7, 9}),
    INTERACTION_AUTOCOMPLETE: frozenset({8}),
    INTERACTION_MODAL: frozenset({4, 5, 6, 7}),
})
# The data a JSON response was made from, so the middleware records it without parsing the body.
RESPONSE_DATA = web.ResponseKey("response_data", object)
ERROR_MESSAGES = MappingProxyType({
    401: "401: Unauthorized",
    403: "Missing Permissions",
    404: "404: Not Found",
    429: RATE_LIMITED_MESSAGE,
    500: "500: Internal Server Error",
    502: "502: Bad Gateway",
    503: "503: Service Unavailable",
    504: "504: Gateway Timeout",
})


# Payloads are never circular; skipping the check halves the cost of encoding an interaction.
_ENCODER = json.JSONEncoder(ensure_ascii=False, check_circular=False)


def dumps(data: Any) -> str:
    return _ENCODER.encode(data)


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # discord.py parses JSON only when Content-Type is exactly application/json;
    # web.json_response would add "; charset=utf-8".
    response = web.Response(
        body=dumps(data).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    response[RESPONSE_DATA] = data
    return response


def error_response(status: int, code: int = 0, message: str | None = None, **extra: Any) -> web.Response:
    return json_response({"message": message or ERROR_MESSAGES.get(status, "error"), "code": code, **extra},
                         status)


def rate_limited_response(retry_after: float, *, scope: str = "user") -> web.Response:
    """A 429 as Discord sends it (see ratelimits.py), for `retry_after` seconds."""
    body = {"message": RATE_LIMITED_MESSAGE, "retry_after": retry_after, "global": scope == "global"}
    return json_response(body, 429, rate_limited_headers(retry_after, scope))


class FaultRule(Protocol):
    """An injected failure: `pick` says which status to answer a request with (None: no fault)."""

    hits: int

    def pick(self, method: str, path: str) -> int | None: ...

    def response(self, status: int) -> web.Response: ...


@dataclass
class FailureRule:
    """Answer matching requests with an error instead of handling them."""

    method: str
    pattern: re.Pattern[str]
    status: int
    body: dict[str, Any]
    times: int | None = 1  # None: every time
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.method not in ("*", method) or not self.pattern.search(path):
            return False
        return self.times is None or self.hits < self.times

    def pick(self, method: str, path: str) -> int | None:
        if not self.matches(method, path):
            return None
        self.hits += 1
        return self.status

    def response(self, status: int) -> web.Response:
        # A 429 made here has no `Via` header, like a Cloudflare ban: discord.py raises at once.
        # `fail_share(..., share=1.0, statuses=(429,))` makes Discord-style 429s.
        return json_response(self.body, status)


@dataclass
class HoldRule:
    """Handle matching requests, then keep their HTTP response back until `release()`: Discord
    did what the request asked, and the client never hears so (a crash, a cut connection)."""

    method: str
    pattern: re.Pattern[str]
    times: int | None = 1  # None: every time
    held: list[RecordedRequest] = field(default_factory=list)
    released: asyncio.Event = field(default_factory=asyncio.Event)

    def takes(self, method: str, path: str) -> bool:
        if self.method not in ("*", method) or not self.pattern.search(path):
            return False
        return self.times is None or len(self.held) < self.times

    def release(self) -> None:
        self.released.set()


@dataclass
class ShareFailureRule:
    """Answer a seeded random share of matching requests with one of `statuses`.

    `seen` counts matching requests, `hits` those answered with a failure (`by_status` per
    status). 429s look like Discord's (body, `Retry-After`, `Via`, scope `user`) and ask for
    `retry_after` seconds.
    """

    method: str
    pattern: re.Pattern[str]
    share: float
    statuses: tuple[int, ...]
    retry_after: float
    rng: random.Random
    seen: int = 0
    hits: int = 0
    by_status: Counter[int] = field(default_factory=Counter)

    def pick(self, method: str, path: str) -> int | None:
        if self.method not in ("*", method) or not self.pattern.search(path):
            return None
        self.seen += 1
        if self.rng.random() >= self.share:
            return None
        status = self.rng.choice(self.statuses)
        self.hits += 1
        self.by_status[status] += 1
        return status

    def response(self, status: int) -> web.Response:
        if status == 429:
            return rate_limited_response(self.retry_after)
        return error_response(status)


@dataclass
class GatewaySession:
    """One identified gateway session; survives a RESUME onto a new websocket.

    Every dispatch frame gets the next seq and is kept in `buffer` (up to `buffer_limit`, minus
    what the client acknowledged in heartbeats). While the socket is down (and the session not
    invalidated) frames are only buffered; a RESUME replays every frame after the client's seq.
    """

    index: int
    session_id: str
    ws: web.WebSocketResponse
    intents: int
    shard: list[int]
    seq: int = 0
    ready: bool = False
    live: bool = True
    # The session ended (the client closed with 1000/1001, or it was refused): no resume, no events.
    invalidated: bool = False
    resumes: int = 0
    replayed: int = 0  # frames sent again on RESUME
    buffer_limit: int = RESUME_BUFFER
    buffer: deque[tuple[int, str]] = field(default_factory=deque)
    dropped_through: int = 0  # the highest seq no longer in the buffer
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def send(self, payload: dict[str, Any]) -> bool:
        return await self._send_text(dumps(payload))

    async def _send_text(self, text: str) -> bool:
        if self.ws.closed:
            return False
        try:
            await self.ws.send_str(text)
        except (ConnectionError, RuntimeError):
            return False
        return True

    async def dispatch(self, event: str, data: dict[str, Any]) -> bool:
        """Send (or, while the socket is down, only buffer) a dispatch; True when it was sent."""
        async with self.lock:
            return await self._dispatch_locked(event, data)

    async def _dispatch_locked(self, event: str, data: dict[str, Any]) -> bool:
        self.seq += 1
        text = dumps({"op": 0, "t": event, "s": self.seq, "d": data})
        self.buffer.append((self.seq, text))
        while len(self.buffer) > self.buffer_limit:
            self.dropped_through = self.buffer.popleft()[0]
        if not self.live:
            return False
        return await self._send_text(text)

    def acknowledge(self, seq: int) -> None:
        """The client heartbeat says it has every frame up to `seq`: they need no replay."""
        while self.buffer and self.buffer[0][0] <= seq:
            self.dropped_through = self.buffer.popleft()[0]

    async def resume(self, ws: web.WebSocketResponse, since: int) -> bool:
        """Move onto `ws`, replay the frames after seq `since`, then send RESUMED.
        False (nothing done) when frames after `since` are no longer buffered."""
        async with self.lock:
            if since < self.dropped_through:
                return False
            self.ws = ws
            self.live = True
            self.resumes += 1
            for seq, text in list(self.buffer):
                if seq > since:
                    self.replayed += 1
                    await self._send_text(text)
            await self._dispatch_locked("RESUMED", {})
            return True


@dataclass(eq=False)
class _Waiter:
    """A coroutine waiting in `FakeDiscord.wait_for` until `predicate()` holds."""

    predicate: Callable[[], bool]
    future: asyncio.Future[bool]


class FakeDiscord:
    """A loopback Discord. Use `async with FakeDiscord() as fake:` or `await fake.start()`.

    `rate_limits=RateLimits()` turns on Discord-like 429s (off by default here, on in the
    `fake_discord` fixture); `record_responses=False` keeps no response bodies in `requests` (for
    long load runs); `resume_buffer` is how many dispatch frames a gateway session keeps for RESUME.

    Strict checks, each on by default (pass False to turn one off):
    `token_lifetime` (seconds; None: tokens never expire) answers requests on an older
    interaction token with 401 Invalid Webhook Token; `deferred_followup_edits` makes the first
    followup after a "thinking…" deferral edit that message, keeping its visibility;
    `enforce_permissions` applies the bot's channel permissions; `require_deferral_completion`
    makes a deferral never completed a violation in `assert_clean()`; `validate_schema` checks
    request bodies against Discord's OpenAPI description (`schema.py`).
    """

    def __init__(
        self,
        *,
        token: str | None = None,
        bot_name: str = "studybot",
        guild_name: str = "Study Group",
        guild_locale: str = "en-US",
        interaction_deadline: float = 3.0,
        reject_invalid: bool = True,
        rate_limits: RateLimits | None = None,
        record_responses: bool = True,
        resume_buffer: int = RESUME_BUFFER,
        token_lifetime: float | None = TOKEN_LIFETIME,
        deferred_followup_edits: bool = True,
        enforce_permissions: bool = True,
        require_deferral_completion: bool = True,
        validate_schema: bool = True,
        nonce_window: float | None = NONCE_WINDOW,
        shard_count: int = 1,
        max_concurrency: int = 1,
        attachment_size_limit: int = ATTACHMENT_SIZE_LIMIT,
    ) -> None:
        self.ids = Snowflakes()
        # What `GET /gateway/bot` recommends; sessions IDENTIFY with their own [shard_id, count].
        # A guild's events and interactions go to a session of its shard only, DMs to shard 0.
        self.shard_count = shard_count
        self.max_concurrency = max_concurrency
        self._identified: dict[int, float] = {}  # rate-limit bucket -> fake time of its last IDENTIFY
        # Discord refuses a request with a file over the limit with 413 (code 40005); interactions
        # tell the bot this limit as `attachment_size_limit`.
        self.attachment_size_limit = attachment_size_limit
        self.token = token or f"loopback.{secrets.token_urlsafe(24)}"
        self.bot_user = FakeUser(self.ids.next(), bot_name, bot=True)
        self.application_id = self.bot_user.id
        self.owner_user = FakeUser(self.ids.next(), "app-owner")
        # Discord answers a late initial response with 404 Unknown interaction.
        self.interaction_deadline = interaction_deadline
        # Answer limit violations with 400 Invalid Form Body like Discord (they are recorded either way).
        self.reject_invalid = reject_invalid
        self.rate_limits = rate_limits
        self.record_responses = record_responses
        self.resume_buffer = resume_buffer
        self.token_lifetime = token_lifetime
        self.deferred_followup_edits = deferred_followup_edits
        self.enforce_permissions = enforce_permissions
        self.require_deferral_completion = require_deferral_completion
        self.validate_schema = validate_schema
        self._schema = discord_schema() if validate_schema else None
        # A create-message with `enforce_nonce` and a nonce seen in that channel within this many
        # seconds (the fake's clock) returns the message made then; None: nonces are ignored.
        self.nonce_window = nonce_window
        self._nonces: dict[tuple[str, str], tuple[str, float]] = {}
        self.holds: list[HoldRule] = []
        # Seconds added to the event loop's clock: `advance()` moves the fake's time forward.
        self._clock_offset = 0.0
        self.guilds: dict[str, FakeGuild] = {}
        self.requests: list[RecordedRequest] = []
        self.violations: list[Violation] = []
        # Every request the fake answered with 429 (rate limits and injected ones).
        self.rate_limited: list[RecordedRequest] = []
        self.messages: dict[str, StoredMessage] = {}
        self.sessions: list[GatewaySession] = []
        self.gateway_log: list[tuple[str, int | None, str | None]] = []
        self.failures: list[FaultRule] = []
        self.commands: dict[str | None, list[dict[str, Any]]] = {}
        self.interactions: dict[str, InteractionRecord] = {}
        self._limiter = RateLimiter(rate_limits) if rate_limits is not None else None
        self._by_token: dict[str, InteractionRecord] = {}
        self._channels: dict[str, FakeChannel] = {}
        self._channel_messages: dict[str, list[StoredMessage]] = {}
        self._sockets: set[web.WebSocketResponse] = set()
        self._closing_sockets: set[web.WebSocketResponse] = set()
        # Waiters re-checked on every change, and those of one interaction (checked on its requests).
        self._waiters: set[_Waiter] = set()
        self._interaction_waiters: dict[str, set[_Waiter]] = {}
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self.add_guild(guild_name, locale=guild_locale)

    # ---- lifecycle -------------------------------------------------------------------------

    async def start(self) -> FakeDiscord:
        app = web.Application(middlewares=[self._middleware], client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway)
        self._add_routes(app.router)
        app.router.add_route("*", "/{tail:.*}", self._unhandled, name="unhandled")
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        return self

    async def close(self) -> None:
        for hold in self.holds:
            hold.release()
        for ws in list(self._sockets):
            self._closing_sockets.add(ws)
            try:
                await asyncio.wait_for(ws.close(code=1001, message=b"fake discord closing"), 2.0)
            except (asyncio.TimeoutError, ConnectionError, RuntimeError):
                pass
        if self._runner is not None:
            await asyncio.wait_for(self._runner.cleanup(), 10.0)
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ---- time ------------------------------------------------------------------------------

    def now(self) -> float:
        """The fake's clock: event-loop time plus every `advance()`. Request times, the 3 s
        deadline, token lifetimes and rate-limit windows are all measured on it."""
        return asyncio.get_running_loop().time() + self._clock_offset

    def advance(self, seconds: float) -> None:
        """Move the fake's clock forward (the bot's clock does not move): e.g.
        `fake.advance(15 * 60)` expires every interaction token issued so far."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self._clock_offset += seconds

    # ---- addresses -------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        if self._port is None:
            raise RuntimeError("FakeDiscord is not started")
        return f"http://127.0.0.1:{self._port}"

    @property
    def api_base(self) -> str:
        """The value for `discord.http.Route.BASE` / DISCORD_API_BASE."""
        return self.base_url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        """The value for `DiscordWebSocket.DEFAULT_GATEWAY` / DISCORD_GATEWAY_URL."""
        return f"ws://127.0.0.1:{self._port}/gateway"

    def bot_env(self) -> dict[str, str]:
        """Environment variables that point a `studybot run` process at this fake."""
        return {
            "DISCORD_TOKEN": self.token,
            "DISCORD_API_BASE": self.api_base,
            "DISCORD_GATEWAY_URL": self.gateway_url,
        }

    # ---- the world -------------------------------------------------------------------------

    @property
    def guild(self) -> FakeGuild:
        """The first (usually the only) guild."""
        return next(iter(self.guilds.values()))

    def add_guild(self, name: str, *, locale: str = "en-US", shard: int | None = None) -> FakeGuild:
        """A guild with @everyone, an Admin role (Manage Guild), the bot's role, a text channel
        "general", a system channel "welcome", and members: the bot, `admin` and `member`.
        `shard`: give it an id on that shard of `shard_count` (ids made in one millisecond
        would otherwise all fall on one shard)."""
        gid = self.ids.next() if shard is None else self.ids.on_shard(shard, self.shard_count)
        owner = FakeUser(self.ids.next(), "owner")
        guild = FakeGuild(id=gid, name=name, owner_id=owner.id, preferred_locale=locale)
        guild.roles[gid] = FakeRole(gid, "@everyone", EVERYONE_PERMISSIONS, position=0)
        admin_role = FakeRole(self.ids.next(), "Admin", ADMIN_PERMISSIONS, position=2)
        bot_role = FakeRole(self.ids.next(), self.bot_user.username, BOT_PERMISSIONS, position=1, managed=True)
        guild.roles[admin_role.id] = admin_role
        guild.roles[bot_role.id] = bot_role
        guild.admin_role_id = admin_role.id
        general = FakeChannel(self.ids.next(), gid, "general", position=0)
        welcome = FakeChannel(self.ids.next(), gid, "welcome", position=1)
        guild.channels[general.id] = general
        guild.channels[welcome.id] = welcome
        self._channels[general.id] = general
        self._channels[welcome.id] = welcome
        guild.system_channel_id = welcome.id
        guild.members[owner.id] = FakeMember(owner, gid, [admin_role.id])
        guild.members[self.bot_user.id] = FakeMember(self.bot_user, gid, [bot_role.id])
        self.guilds[gid] = guild
        guild.admin = self.add_member(guild, "admin", admin=True)
        guild.member = self.add_member(guild, "member")
        return guild

    def add_member(self, guild: FakeGuild | str, username: str, *, admin: bool = False) -> FakeMember:
        """A new guild member. Members added before the bot connects are in its GUILD_CREATE."""
        g = self._guild(guild)
        user = FakeUser(self.ids.next(), username)
        member = FakeMember(user, g.id, [g.admin_role_id] if admin and g.admin_role_id else [])
        g.members[user.id] = member
        return member

    def make_members(self, guild: FakeGuild | str, count: int, prefix: str = "student") -> list[FakeMember]:
        return [self.add_member(guild, f"{prefix}{i:03d}") for i in range(count)]

    def add_channel(self, guild: FakeGuild | str, name: str) -> FakeChannel:
        g = self._guild(guild)
        channel = FakeChannel(self.ids.next(), g.id, name, position=len(g.channels))
        g.channels[channel.id] = channel
        self._channels[channel.id] = channel
        return channel

    def bot_permissions_in(self, channel: FakeChannel | str) -> int:
        """The bot's permissions in a channel, as Discord computes them from its roles and the
        channel's overwrites (or `channel.bot_permissions` when a test set that)."""
        ch = channel if isinstance(channel, FakeChannel) else self._channel(str(channel))
        if ch is None:
            raise LookupError(f"unknown channel {channel}")
        if ch.bot_permissions is not None:
            return ch.bot_permissions
        return self._guild(ch.guild_id).channel_permissions(self.bot_user.id, ch)

    async def set_bot_permissions(
        self,
        channel: FakeChannel | str,
        *,
        allow: Iterable[str] = (),
        deny: Iterable[str] = (),
    ) -> int:
        """Give the bot a member overwrite in `channel` (replacing its earlier one), e.g.
        `deny={"EMBED_LINKS"}`; the fake enforces it, interactions there carry it in
        `app_permissions`, and connected bots get a CHANNEL_UPDATE so their cache agrees.
        Returns the bot's permissions in the channel now."""
        ch = channel if isinstance(channel, FakeChannel) else self._channel(str(channel))
        if ch is None:
            raise LookupError(f"unknown channel {channel}")
        ch.bot_permissions = None
        ch.overwrites[self.bot_user.id] = Overwrite(self.bot_user.id, OVERWRITE_MEMBER,
                                                    permission_bits(allow), permission_bits(deny))
        if self._newest_session() is not None:
            await self.dispatch("CHANNEL_UPDATE", ch.payload())
        return self.bot_permissions_in(ch)

    def _reflect_bot_permissions(self, guild: FakeGuild) -> None:
        """Turn each `channel.bot_permissions` a test set into the member overwrite that gives
        the bot exactly those permissions, so discord.py's cached permissions agree."""
        base = guild.base_permissions(self.bot_user.id)
        for channel in guild.channels.values():
            if channel.bot_permissions is not None:
                wanted = channel.bot_permissions
                channel.overwrites[self.bot_user.id] = Overwrite(self.bot_user.id, OVERWRITE_MEMBER,
                                                                 wanted & ~base, base & ~wanted)

    def _guild(self, guild: FakeGuild | str | int) -> FakeGuild:
        if isinstance(guild, FakeGuild):
            return guild
        try:
            return self.guilds[str(guild)]
        except KeyError:
            raise LookupError(f"unknown guild {guild}") from None

    def _channel(self, channel_id: str) -> FakeChannel | None:
        channel = self._channels.get(channel_id)
        if channel is not None:
            return channel
        for guild in self.guilds.values():  # a channel a test put into guild.channels itself
            if channel_id in guild.channels:
                channel = self._channels[channel_id] = guild.channels[channel_id]
                return channel
        return None

    def _member(self, guild: FakeGuild, user: FakeMember | FakeUser | str | int) -> FakeMember:
        user_id = str(user.id if isinstance(user, (FakeMember, FakeUser)) else user)
        member = guild.members.get(user_id)
        if member is None:
            raise InteractionBuildError(f"user {user_id} is not a member of {guild.name!r}")
        return member

    # ---- failure injection -----------------------------------------------------------------

    def fail(
        self,
        method: str,
        path: str,
        status: int = 500,
        *,
        code: int = 0,
        message: str | None = None,
        times: int | None = 1,
    ) -> FailureRule:
        """Answer requests whose path (after /api/v10) matches the regex `path` with an error,
        `times` times (None: until `clear_failures()`). Note: discord.py retries 5xx up to 5 times."""
        body = {"message": message or ERROR_MESSAGES.get(status, "error"), "code": code}
        rule = FailureRule(method.upper(), re.compile(path), status, body, times)
        self.failures.append(rule)
        return rule

    def fail_share(
        self,
        method: str,
        path: str,
        share: float = 0.3,
        statuses: Iterable[int] = (429, 500, 502),
        *,
        seed: int = 1,
        retry_after: float = 0.05,
    ) -> ShareFailureRule:
        """Answer a seeded random `share` of the requests matching `method` ("*": any) and the
        regex `path` with one of `statuses`, without doing what they ask. Until `clear_failures()`.

        discord.py retries 500/502/504 itself, sleeping 1, 3, 5, 7 and 9 s (five tries, then it
        raises), on REST and interaction callbacks alike: a failed callback costs at least 1 s of
        the 3 s deadline and two in a row miss it, so keep shares modest (mostly 429s, which are
        retried after `retry_after`).
        """
        codes = tuple(statuses)
        if not 0.0 <= share <= 1.0 or not codes:
            raise ValueError("share must be within 0..1 and statuses must not be empty")
        rule = ShareFailureRule(method.upper(), re.compile(path), share, codes, retry_after, random.Random(seed))
        self.failures.append(rule)
        return rule

    def forbid_channel(self, channel: FakeChannel | str) -> FailureRule:
        """Every message send to this channel fails with 403 Missing Permissions (50013)."""
        cid = channel.id if isinstance(channel, FakeChannel) else str(channel)
        return self.fail("POST", rf"^/channels/{cid}/messages$", 403, code=50013, times=None)

    def hold(self, method: str, path: str, *, times: int | None = 1) -> HoldRule:
        """Handle requests matching `method` and the regex `path` (after /api/v10) as usual, then
        hold their response back until `rule.release()` (or `close()`): the request took effect
        and the client is still waiting, e.g. to be killed right there. `rule.held` lists them."""
        rule = HoldRule(method.upper(), re.compile(path), times)
        self.holds.append(rule)
        return rule

    def clear_failures(self) -> None:
        """Remove every rule made by `fail`, `fail_share` and `forbid_channel`."""
        self.failures.clear()

    # ---- records and waiting ---------------------------------------------------------------

    def find_requests(self, method: str | None = None, path: str | None = None) -> list[RecordedRequest]:
        """Recorded requests by method and a regex searched in the path (after /api/v10)."""
        pattern = re.compile(path) if path else None
        return [
            r for r in self.requests
            if (method is None or r.method == method.upper()) and (pattern is None or pattern.search(r.path))
        ]

    def check_deferrals(self) -> list[Violation]:
        """Record (once each) a violation for every "thinking…" deferral (callback type 5) that
        was never completed by an edit, a followup or a deletion: on Discord the user watches
        the loading message until the token expires. Returns the new violations."""
        found = []
        for record in self.interactions.values():
            if record.awaiting_completion and record.callback is not None:
                record.awaiting_completion = False
                cb = record.callback
                found.append(Violation(cb.seq, cb.method, cb.path, "protocol",
                                       f"interaction {record.id} deferred (thinking…) and never completed"))
        self.violations.extend(found)
        return found

    def assert_clean(self, *, allow_unhandled: bool = False) -> None:
        """Fail when any request broke a limit, the mention policy, the schema or the protocol
        (or hit an unknown route), or (with `require_deferral_completion`) a deferral was left
        unfinished."""
        if self.require_deferral_completion:
            self.check_deferrals()
        problems = [v for v in self.violations if not allow_unhandled or v.kind != "unhandled"]
        if problems:
            listing = "\n".join(f"  {v}" for v in problems)
            raise AssertionError(f"{len(problems)} Discord payload violation(s):\n{listing}")

    def ack_latencies(self) -> list[float]:
        """Seconds from each answered interaction's dispatch to the arrival of its initial
        response, in dispatch order (interactions not answered are left out)."""
        return [
            r.callback.at - r.dispatched_at
            for r in self.interactions.values()
            if r.callback is not None and r.dispatched_at is not None
        ]

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = DEFAULT_TIMEOUT,
                       *, raise_on_timeout: bool = True) -> bool:
        """Wait until `predicate()` holds, re-checked after every request and gateway change."""
        return await self._wait(predicate, timeout, self._waiters, raise_on_timeout)

    async def wait_for_interaction(self, record: InteractionRecord, predicate: Callable[[], bool],
                                   timeout: float = DEFAULT_TIMEOUT) -> bool:
        """Like `wait_for(..., raise_on_timeout=False)`, re-checked only on requests of this
        interaction (what `InteractionHandle` awaits; cheap with thousands waiting)."""
        waiters = self._interaction_waiters.setdefault(record.id, set())
        try:
            return await self._wait(predicate, timeout, waiters, False)
        finally:
            if not waiters:
                self._interaction_waiters.pop(record.id, None)

    async def _wait(self, predicate: Callable[[], bool], timeout: float, waiters: set[_Waiter],
                    raise_on_timeout: bool) -> bool:
        if predicate():
            return True
        waiter = _Waiter(predicate, asyncio.get_running_loop().create_future())
        waiters.add(waiter)
        try:
            async with asyncio.timeout(timeout):
                return await waiter.future
        except TimeoutError:
            if raise_on_timeout:
                raise
            return False
        finally:
            waiters.discard(waiter)

    def _notify(self, interaction_id: str | None = None) -> None:
        """Something changed: wake the waiters whose predicate now holds (and only those)."""
        for waiters in (self._waiters, self._interaction_waiters.get(interaction_id or "", ())):
            for waiter in list(waiters):
                if waiter.future.done():
                    continue
                try:
                    held = waiter.predicate()
                except Exception as exc:  # the waiting test gets the error
                    waiter.future.set_exception(exc)
                    continue
                if held:
                    waiter.future.set_result(True)

    def channel_messages(self, channel: FakeChannel | str, *, include_deleted: bool = False) -> list[StoredMessage]:
        cid = channel.id if isinstance(channel, FakeChannel) else str(channel)
        return [m for m in self._channel_messages.get(cid, ()) if include_deleted or not m.deleted]

    async def wait_for_message(
        self,
        predicate: Callable[[StoredMessage], bool] | None = None,
        *,
        channel: FakeChannel | str | None = None,
        after: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> StoredMessage:
        """The first live message (optionally in `channel`, newer than id `after`) matching."""
        cid = channel.id if isinstance(channel, FakeChannel) else channel
        newer_than = int(after) if after else 0

        def find() -> StoredMessage | None:
            pool = self._channel_messages.get(str(cid), []) if cid else self.messages.values()
            for m in pool:
                if m.deleted or (newer_than and int(m.id) <= newer_than):
                    continue
                if predicate is None or predicate(m):
                    return m
            return None

        await self.wait_for(lambda: find() is not None, timeout)
        found = find()
        assert found is not None
        return found

    async def wait_for_edit(self, message: StoredMessage, *, edits: int = 1,
                            timeout: float = DEFAULT_TIMEOUT) -> StoredMessage:
        """Wait until `message` has been edited `edits` more times than now."""
        target = len(message.history) + edits
        await self.wait_for(lambda: len(message.history) >= target, timeout)
        return message

    def latest_id(self) -> str:
        """A snowflake to pass as `after=` so only later messages match."""
        return self.ids.next()

    # ---- gateway control -------------------------------------------------------------------

    def live_sessions(self) -> list[GatewaySession]:
        """Ready sessions whose websocket is open."""
        return [s for s in self.sessions if s.live and s.ready]

    def _newest_session(self, guild_id: str | None = None) -> GatewaySession | None:
        """The newest ready session that was not invalidated (its socket may be down); with
        `guild_id`, the newest of the shard that guild belongs to (None: the DM shard, 0)."""
        return next((s for s in reversed(self.sessions) if s.ready and not s.invalidated
                     and self._session_serves(s, guild_id)), None)

    @staticmethod
    def _session_serves(session: GatewaySession, guild_id: str | None) -> bool:
        shard_id, count = session.shard
        return shard_id == (shard_of(guild_id, count) if guild_id is not None else 0)

    def sessions_of_shard(self, shard_id: int) -> list[GatewaySession]:
        """Every session that identified as `shard_id` (of any count), oldest first."""
        return [s for s in self.sessions if s.shard[0] == shard_id]

    async def wait_ready(self, *, after: int = 0, timeout: float = DEFAULT_TIMEOUT) -> GatewaySession:
        """The first session with index >= `after` that identified and got its GUILD_CREATEs.
        Pass `after=len(fake.sessions)` before starting a bot to wait for that bot."""
        def find() -> GatewaySession | None:
            return next((s for s in self.sessions[after:] if s.ready and s.live), None)

        await self.wait_for(lambda: find() is not None, timeout)
        session = find()
        assert session is not None
        return session

    async def dispatch(self, event: str, data: dict[str, Any], *, session: GatewaySession | None = None) -> int:
        """Send a dispatch event to one session, or to every live one plus the newest session
        if its socket is down (it gets the event on RESUME); returns how many sessions got it
        or will get it."""
        if session is not None:
            targets = [session]
        else:
            guild_id = data.get("guild_id") if isinstance(data, dict) else None
            guild_id = str(guild_id) if guild_id is not None else None
            targets = [s for s in self.live_sessions() if guild_id is None or self._session_serves(s, guild_id)]
            newest = self._newest_session(guild_id)
            if newest is not None and newest not in targets:
                targets.append(newest)
        count = 0
        for target in targets:
            if target.invalidated:
                continue
            self.gateway_log.append(("out", 0, event))
            await target.dispatch(event, data)
            count += 1
        return count

    async def reconnect(self) -> None:
        """Send op 7 RECONNECT: the client reconnects to resume_gateway_url and RESUMEs."""
        for session in self.live_sessions():
            self.gateway_log.append(("out", 7, None))
            await session.send({"op": 7, "d": None, "s": None, "t": None})

    async def drop_connections(self, code: int = 4000) -> None:
        """Close every gateway websocket as a network failure would; clients reconnect and
        RESUME, and get the events dispatched meanwhile then."""
        sockets = list(self._sockets)
        for session in self.sessions:
            if session.ws in sockets:
                session.live = False  # from now on, dispatches are only buffered
        self._closing_sockets.update(sockets)
        await asyncio.gather(*(ws.close(code=code) for ws in sockets), return_exceptions=True)

    # ---- interactions ----------------------------------------------------------------------

    def find_command(self, name: str, guild: FakeGuild | str | None = None, *, type: int = 1) -> dict[str, Any]:
        """A synced definition: the guild's own commands first, then global ones."""
        scopes: list[str | None] = []
        if guild is not None:
            scopes.append(self._guild(guild).id)
        scopes.append(None)
        for scope in scopes:
            for defn in self.commands.get(scope, []):
                if defn["name"] == name and defn.get("type", 1) == type:
                    return defn
        synced = {str(k): [d["name"] for d in v] for k, v in self.commands.items()}
        raise InteractionBuildError(f"the bot did not sync a command {name!r}; synced: {synced}")

    def slash(
        self,
        guild: FakeGuild | str,
        user: FakeMember | FakeUser | str,
        name: str,
        *path: str,
        in_channel: FakeChannel | str | None = None,
        locale: str = "en-US",
        app_permissions: int | None = None,
        options: dict[str, Any] | None = None,
        unchecked: bool = False,
        **values: Any,
    ) -> InteractionHandle:
        """A slash command invocation; `path` names a subcommand (group); keyword arguments are
        option values (use `options={...}` for option names that clash with these parameters).

        `unchecked=True` builds what a modified client could send: option constraints (lengths,
        choices, ranges, channel types) are not enforced, and channels, roles and users of
        another guild of this fake are accepted (they appear in `resolved`)."""
        g = self._guild(guild)
        defn = self.find_command(name, g)
        builder = OptionBuilder(g, checked=not unchecked, world=self.guilds)
        opts, resolved = builder.build(defn, path, {**(options or {}), **values})
        return self._command_interaction(INTERACTION_COMMAND, g, user, defn, opts, resolved,
                                         in_channel, locale, app_permissions)

    def dm_slash(self, user: FakeMember | FakeUser, name: str, *path: str, locale: str = "en-US",
                 **values: Any) -> InteractionHandle:
        """A slash command in the user's direct messages with the bot (context 1, BOT_DM): no
        guild, a `user` instead of a `member`, and a DM channel of its own. Options are built
        against the default guild's data (use them for strings and numbers only)."""
        fake_user = user.user if isinstance(user, FakeMember) else user
        defn = self.find_command(name, self.guild)
        if 1 not in (defn.get("contexts") or [0, 1, 2]):
            raise InteractionBuildError(f"/{name} is not offered in DMs (contexts {defn.get('contexts')})")
        opts, resolved = OptionBuilder(self.guild, checked=True, world=self.guilds).build(defn, path, values)
        data: dict[str, Any] = {"id": defn["id"], "name": defn["name"], "type": defn.get("type", 1),
                                "options": opts}
        if resolved:
            data["resolved"] = resolved
        channel_id = self.ids.next()
        iid = self.ids.next()
        token = f"aW50ZXJhY3Rpb24{secrets.token_urlsafe(48)}"
        payload: dict[str, Any] = {
            "id": iid, "application_id": self.application_id, "type": INTERACTION_COMMAND, "data": data,
            "channel_id": channel_id,
            "channel": {"id": channel_id, "type": 1, "recipients": [fake_user.payload()], "flags": 0},
            "user": fake_user.payload(), "token": token, "version": 1,
            "app_permissions": str(BOT_PERMISSIONS), "locale": locale, "entitlements": [],
            "authorizing_integration_owners": {"0": self.guild.id}, "context": 1,
            "attachment_size_limit": self.attachment_size_limit,
        }
        record = InteractionRecord(iid, token, INTERACTION_COMMAND, payload, channel_id, None, created_at=self.now())
        self.interactions[iid] = record
        self._by_token[token] = record
        return InteractionHandle(self, record)

    def autocomplete(
        self,
        guild: FakeGuild | str,
        user: FakeMember | FakeUser | str,
        name: str,
        *path: str,
        focused: str,
        value: str,
        in_channel: FakeChannel | str | None = None,
        locale: str = "en-US",
        app_permissions: int | None = None,
        options: dict[str, Any] | None = None,
        unchecked: bool = False,
        **values: Any,
    ) -> InteractionHandle:
        """An autocomplete request: `focused` is the option being typed, `value` the partial text.
        `unchecked=True` as for `slash` (the other options' constraints are not enforced)."""
        g = self._guild(guild)
        defn = self.find_command(name, g)
        merged = {**(options or {}), **values, focused: value}
        builder = OptionBuilder(g, checked=not unchecked, world=self.guilds)
        opts, resolved = builder.build(defn, path, merged, focused=focused)
        return self._command_interaction(INTERACTION_AUTOCOMPLETE, g, user, defn, opts, resolved,
                                         in_channel, locale, app_permissions)

    def click(
        self,
        message: StoredMessage | str | dict[str, Any],
        custom_id: str,
        user: FakeMember | FakeUser | str,
        *,
        locale: str = "en-US",
        app_permissions: int | None = None,
        forged: bool = False,
        in_message: bool = True,
    ) -> InteractionHandle:
        """A button click on a message the bot sent (the button must be on it and enabled).

        `message` is a stored message, its id, or a message payload. `forged=True` sends
        `custom_id` whether or not the message has such a (live) button, as a modified client
        could. discord.py drops a DynamicItem click whose custom_id is not among the message's
        components before any handler runs (persistent Views are routed by custom_id alone), so
        by default the forged id is also put into the message payload the bot receives: the
        handler sees it, the strongest case. `in_message=False` sends the payload as stored."""
        return self._component(message, custom_id, user, None, locale, app_permissions, forged, in_message)

    def select(
        self,
        message: StoredMessage | str | dict[str, Any],
        custom_id: str,
        user: FakeMember | FakeUser | str,
        values: list[str],
        *,
        locale: str = "en-US",
        app_permissions: int | None = None,
        forged: bool = False,
        in_message: bool = True,
    ) -> InteractionHandle:
        """A select-menu choice on a message the bot sent (`forged`, `in_message`: see `click`)."""
        return self._component(message, custom_id, user, values, locale, app_permissions, forged, in_message)

    def submit_modal(
        self,
        message: StoredMessage | str,
        custom_id: str,
        user: FakeMember | FakeUser | str,
        values: dict[str, str],
        *,
        locale: str = "en-US",
    ) -> InteractionHandle:
        """Submit a modal the bot opened from a component on `message`: `custom_id` is the modal's,
        `values` maps each text input's custom_id to what the user typed (any length: a modified
        client is not held to the input's max_length)."""
        stored = message if isinstance(message, StoredMessage) else self.messages.get(str(message))
        if stored is None or stored.deleted:
            raise InteractionBuildError(f"no live message {getattr(message, 'id', message)}")
        payload = stored.payload()
        rows = [{"type": 1, "components": [{"type": 4, "custom_id": key, "value": value}]}
                for key, value in values.items()]
        data: dict[str, Any] = {"custom_id": custom_id, "components": rows}
        guild_id = payload.get("guild_id")
        guild = self._guild(guild_id) if guild_id else self.guild
        channel = self._channel(str(payload.get("channel_id")))
        if channel is None:
            raise InteractionBuildError(f"message {payload.get('id')} is in no channel of this fake")
        return self._new_interaction(INTERACTION_MODAL, guild, user, channel, data, locale, None,
                                     message=payload)

    def _component(
        self,
        message: StoredMessage | str | dict[str, Any],
        custom_id: str,
        user: FakeMember | FakeUser | str,
        values: list[str] | None,
        locale: str,
        app_permissions: int | None,
        forged: bool = False,
        in_message: bool = True,
    ) -> InteractionHandle:
        if isinstance(message, dict):
            payload = message
        else:
            stored = message if isinstance(message, StoredMessage) else self.messages.get(str(message))
            if stored is None or stored.deleted:
                raise InteractionBuildError(f"no live message {getattr(message, 'id', message)}")
            payload = stored.payload()
        components = flat_components(payload.get("components") or [])
        component = next((c for c in components if c.get("custom_id") == custom_id), None)
        if forged:
            kind = 2 if values is None else 3
            if in_message and component is None:
                payload = _with_forged_component(payload, custom_id, kind)
        else:
            if component is None:
                have = [c["custom_id"] for c in components if "custom_id" in c and c.get("type") != 1]
                raise InteractionBuildError(f"message {payload.get('id')} has no component {custom_id!r}; "
                                            f"it has {have}")
            if component.get("disabled"):
                raise InteractionBuildError(f"component {custom_id!r} is disabled")
            kind = component.get("type")
            if kind == 2 and values is not None:
                raise InteractionBuildError(f"{custom_id!r} is a button, use click()")
            if kind != 2 and values is None:
                raise InteractionBuildError(f"{custom_id!r} is a select (type {kind}), use select()")
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": kind}
        if values is not None:
            data["values"] = list(values)
        guild_id = payload.get("guild_id")
        guild = self._guild(guild_id) if guild_id else self.guild
        channel = self._channel(str(payload.get("channel_id")))
        if channel is None:
            raise InteractionBuildError(f"message {payload.get('id')} is in no channel of this fake")
        return self._new_interaction(INTERACTION_COMPONENT, guild, user, channel, data, locale,
                                     app_permissions, message=payload)

    def _command_interaction(
        self,
        kind: int,
        guild: FakeGuild,
        user: FakeMember | FakeUser | str,
        defn: dict[str, Any],
        options: list[dict[str, Any]],
        resolved: dict[str, Any],
        in_channel: FakeChannel | str | None,
        locale: str,
        app_permissions: int | None,
    ) -> InteractionHandle:
        data: dict[str, Any] = {"id": defn["id"], "name": defn["name"], "type": defn.get("type", 1),
                                "options": options}
        if resolved:
            data["resolved"] = resolved
        if defn.get("guild_id"):
            data["guild_id"] = defn["guild_id"]
        if in_channel is None:
            channel = guild.text_channel
        else:
            channel = guild.channels[in_channel.id if isinstance(in_channel, FakeChannel) else str(in_channel)]
        return self._new_interaction(kind, guild, user, channel, data, locale, app_permissions)

    def _new_interaction(
        self,
        kind: int,
        guild: FakeGuild,
        user: FakeMember | FakeUser | str,
        channel: FakeChannel,
        data: dict[str, Any],
        locale: str,
        app_permissions: int | None,
        *,
        message: dict[str, Any] | None = None,
    ) -> InteractionHandle:
        member = self._member(guild, user)
        if app_permissions is None:
            app_permissions = self.bot_permissions_in(channel)
        # Discord: the member's permissions in the interaction's channel, overwrites included.
        member_permissions = guild.channel_permissions(member.id, channel)
        iid = self.ids.next()
        token = f"aW50ZXJhY3Rpb24{secrets.token_urlsafe(48)}"
        payload: dict[str, Any] = {
            "id": iid,
            "application_id": self.application_id,
            "type": kind,
            "data": data,
            "guild_id": guild.id,
            "guild": {"id": guild.id, "locale": guild.preferred_locale, "features": []},
            "channel_id": channel.id,
            "channel": {**channel.payload(), "permissions": str(member_permissions)},
            "member": member.payload(member_permissions),
            "token": token,
            "version": 1,
            "app_permissions": str(app_permissions),
            "locale": locale,
            "guild_locale": guild.preferred_locale,
            "entitlements": [],
            "authorizing_integration_owners": {"0": guild.id},
            "context": 0,
            "attachment_size_limit": self.attachment_size_limit,
        }
        if message is not None:
            payload["message"] = message
        record = InteractionRecord(iid, token, kind, payload, channel.id, guild.id, created_at=self.now())
        self.interactions[iid] = record
        self._by_token[token] = record
        return InteractionHandle(self, record)

    async def _dispatch_interaction(self, record: InteractionRecord) -> None:
        # Discord delivers an interaction to one session only: the newest one of the guild's
        # shard here (shard 0 for a DM). While its socket is down the event waits in the
        # session's buffer for the RESUME, and the 3 s deadline keeps counting from now, as on Discord.
        session = self._newest_session(record.guild_id)
        if session is None:
            raise RuntimeError("no bot is connected to the fake gateway for this guild's shard")
        record.dispatched_at = self.now()
        self.gateway_log.append(("out", 0, "INTERACTION_CREATE"))
        await session.dispatch("INTERACTION_CREATE", record.payload)

    def _result(self, record: InteractionRecord) -> InteractionResult:
        original = self.messages.get(record.original_message_id or "")
        followups = [self.messages[i] for i in record.followup_ids if i in self.messages]
        return InteractionResult(record, original, followups)

    # ---- REST: plumbing --------------------------------------------------------------------

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Callable[..., Any]) -> web.StreamResponse:
        if request.path == "/gateway":
            return await handler(request)
        path = request.path[len(API_PREFIX):] if request.path.startswith(API_PREFIX) else request.path
        headers = {k: v for k, v in request.headers.items() if k.lower() != "authorization"}
        auth = request.headers.get("Authorization")
        rec = RecordedRequest(
            seq=len(self.requests) + 1,
            method=request.method,
            path=path,
            query=dict(request.query),
            headers=headers,
            authorized=auth is not None,
            at=self.now(),
        )
        self.requests.append(rec)
        response: web.StreamResponse | None = None
        try:
            await self._read_body(request, rec)
            request[REC] = rec
            request[AUTH_OK] = auth == f"Bot {self.token}"
            response = await self._limited(request, handler, rec, path)
            return response
        finally:
            if response is not None:
                rec.status = response.status
                if response.status == 429:
                    self.rate_limited.append(rec)
                if self.record_responses and isinstance(response, web.Response):
                    rec.response = response.get(RESPONSE_DATA)
            self._notify(rec.interaction_id)

    async def _limited(self, request: web.Request, handler: Callable[..., Any], rec: RecordedRequest,
                       path: str) -> web.StreamResponse:
        """Rate limits first (a refused request does nothing), then faults, auth and the route."""
        if self._limiter is None:
            return await self._respond(request, handler, rec, path)
        decision = self._limiter.check(rec.method, path, rec.at)
        if decision.early_after_429 is not None:
            self._violate(rec, "protocol", f"sent {decision.early_after_429:.3f}s after a 429 in this rate-limit "
                                           "bucket, before its retry_after ran out")
        if not decision.allowed:
            self._link_interaction(request, rec)
            rec.rate_limit_scope = decision.scope
            return json_response(decision.body(), 429, decision.headers)
        response = await self._respond(request, handler, rec, path)
        if response.status == 429:  # an injected one: refused requests do not count, as on Discord
            self._limiter.refund(decision)
        if decision.headers and not response.prepared:
            response.headers.update(decision.headers)
        return response

    async def _respond(self, request: web.Request, handler: Callable[..., Any], rec: RecordedRequest,
                       path: str) -> web.StreamResponse:
        for rule in self.failures:
            status = rule.pick(rec.method, path)
            if status is not None:
                self._link_interaction(request, rec)
                response = rule.response(status)
                if status == 429 and "X-RateLimit-Scope" in response.headers:
                    rec.rate_limit_scope = response.headers["X-RateLimit-Scope"]
                return response
        if not GLOBAL_EXEMPT.match(path) and request.match_info.route.name != "unhandled" and not request[AUTH_OK]:
            self._violate(rec, "protocol", "missing or wrong bot Authorization header")
            return error_response(401)
        if self._schema is not None and rec.json is not None and request.match_info.route.name != "unhandled":
            problems = self._schema.check(rec.method, path, rec.json)
            if problems and _breaks_limits(rec.method, path, rec.json):
                problems = []  # the route's limit check reports it, more precisely
            for problem in problems:
                self._violate(rec, "schema", problem)
            if problems and self.reject_invalid:
                self._link_interaction(request, rec)
                return error_response(400, 50035, "Invalid Form Body", errors={"_schema": problems})
        response = await handler(request)
        for hold in self.holds:
            if hold.takes(rec.method, path):
                hold.held.append(rec)
                rec.status = response.status
                self._notify(rec.interaction_id)
                await hold.released.wait()
                break
        return response

    async def _read_body(self, request: web.Request, rec: RecordedRequest) -> None:
        if not request.body_exists:
            return
        ctype = request.content_type
        if ctype.startswith("multipart/"):
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                raw = await part.read()  # type: ignore[union-attr]
                if part.name == "payload_json":  # type: ignore[union-attr]
                    rec.json = json.loads(raw)
                else:
                    rec.files.append({
                        "field": part.name,  # type: ignore[union-attr]
                        "filename": part.filename,  # type: ignore[union-attr]
                        "content_type": part.headers.get("Content-Type"),  # type: ignore[union-attr]
                        "size": len(raw),
                        "data": bytes(raw),  # what was uploaded, for tests to open
                    })
        else:
            raw = await request.read()
            if raw:
                try:
                    rec.json = json.loads(raw)
                except ValueError:
                    rec.json = raw.decode(request.charset or "utf-8", errors="replace")
                    self._violate(rec, "protocol", f"body is not JSON (Content-Type {ctype})")

    def _violate(self, rec: RecordedRequest, kind: str, problem: str) -> None:
        self.violations.append(Violation(rec.seq, rec.method, rec.path, kind, problem))

    def _check_message(self, rec: RecordedRequest, body: dict[str, Any], *, creating: bool) -> web.Response | None:
        """Record problems; the 400 Discord would answer for limit breaks (None when fine), or
        the 413 for a file over the upload limit."""
        oversized = [f for f in rec.files if f["size"] > self.attachment_size_limit]
        for f in oversized:
            self._violate(rec, "limit", f"attachment {f['filename']!r} is {f['size']} bytes, over the "
                                        f"{self.attachment_size_limit}-byte upload limit")
        if oversized:
            return error_response(413, 40005, "Request entity too large")
        if rec.files:
            body = {**body, "files": rec.files}
        problems, mention_problems = limits.check_message(body, creating=creating)
        for problem in problems:
            self._violate(rec, "limit", problem)
        for problem in mention_problems:
            self._violate(rec, "mentions", problem)
        if problems and self.reject_invalid:
            if "Cannot send an empty message" in problems:
                return error_response(400, 50006, "Cannot send an empty message")
            return error_response(400, 50035, "Invalid Form Body", errors={"_problems": problems})
        return None

    def _link_interaction(self, request: web.Request, rec: RecordedRequest) -> InteractionRecord | None:
        token = request.match_info.get("token")
        record = self._by_token.get(token or "")
        if record is not None and rec.interaction_id is None:
            rec.interaction_id = record.id
            record.responses.append(rec)
        return record

    def _attachments(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        """The attachment objects Discord makes of a request's uploaded files, with the
        description (alt text) the request gave each in `attachments` (matched by `files[n]`)."""
        described = {str(a.get("id")): a.get("description") for a in body.get("attachments") or []
                     if isinstance(a, dict)}
        made = []
        for f in body.get("_files") or []:
            index = str(f.get("field") or "").removeprefix("files[").removesuffix("]")
            attachment = {"id": self.ids.next(), "filename": f["filename"], "size": f["size"],
                          "content_type": f.get("content_type"),
                          "url": f"{self.base_url}/attachments/{f['filename']}",
                          "proxy_url": f"{self.base_url}/attachments/{f['filename']}"}
            if described.get(index):
                attachment["description"] = described[index]
            made.append(attachment)
        return made

    def _new_message(self, channel_id: str, body: dict[str, Any], *, webhook: bool,
                     interaction_id: str | None = None) -> StoredMessage:
        channel = self._channel(channel_id)
        message = StoredMessage(
            id=self.ids.next(),
            channel_id=channel_id,
            guild_id=channel.guild_id if channel else None,
            author=self.bot_user.payload(),
            webhook_id=self.application_id if webhook else None,
            application_id=self.application_id if webhook else None,
            interaction_id=interaction_id,
            attachments=self._attachments(body),
        )
        message.apply({k: v for k, v in body.items() if k != "attachments"}, edited=False)
        self.messages[message.id] = message
        self._channel_messages.setdefault(channel_id, []).append(message)
        return message

    # ---- REST: routes ----------------------------------------------------------------------

    def _add_routes(self, router: web.UrlDispatcher) -> None:
        p = API_PREFIX
        router.add_get(p + "/users/@me", self._users_me)
        router.add_get(p + "/oauth2/applications/@me", self._application)
        router.add_get(p + "/applications/@me", self._application)
        router.add_get(p + "/gateway", self._gateway_info)
        router.add_get(p + "/gateway/bot", self._gateway_info)
        for scope in ("/applications/{app}/commands", "/applications/{app}/guilds/{guild}/commands"):
            router.add_put(p + scope, self._put_commands)
            router.add_get(p + scope, self._get_commands)
            router.add_post(p + scope, self._post_command)
            router.add_get(p + scope + "/{cmd}", self._get_command)
            router.add_delete(p + scope + "/{cmd}", self._delete_command)
        router.add_post(p + "/interactions/{iid}/{token}/callback", self._callback)
        router.add_post(p + "/webhooks/{app}/{token}", self._followup)
        for verb, handler in (("GET", self._webhook_get), ("PATCH", self._webhook_edit),
                              ("DELETE", self._webhook_delete)):
            router.add_route(verb, p + "/webhooks/{app}/{token}/messages/{mid}", handler)
        router.add_get(p + "/channels/{cid}", self._get_channel)
        router.add_get(p + "/channels/{cid}/messages", self._channel_history)
        router.add_post(p + "/channels/{cid}/messages", self._channel_send)
        router.add_get(p + "/channels/{cid}/messages/{mid}", self._channel_get_message)
        router.add_patch(p + "/channels/{cid}/messages/{mid}", self._channel_edit)
        router.add_delete(p + "/channels/{cid}/messages/{mid}", self._channel_delete)
        router.add_get(p + "/guilds/{gid}", self._get_guild)
        router.add_get(p + "/guilds/{gid}/channels", self._get_guild_channels)
        router.add_get(p + "/guilds/{gid}/roles", self._get_guild_roles)
        router.add_get(p + "/guilds/{gid}/members/{uid}", self._get_member)

    async def _unhandled(self, request: web.Request) -> web.Response:
        rec: RecordedRequest = request[REC]
        self._violate(rec, "unhandled", "the fake has no such route (add it to tests/loopback/server.py)")
        return error_response(404)

    async def _users_me(self, request: web.Request) -> web.Response:
        return json_response({**self.bot_user.payload(), "bot": True, "verified": True,
                              "mfa_enabled": False, "flags": 0, "locale": "en-US"})

    async def _application(self, request: web.Request) -> web.Response:
        return json_response({
            "id": self.application_id, "name": self.bot_user.username, "description": "",
            "icon": None, "bot_public": True, "bot_require_code_grant": False,
            "owner": self.owner_user.payload(), "verify_key": "0" * 64, "team": None,
            "flags": 0, "summary": "", "rpc_origins": [], "tags": [],
        })

    async def _gateway_info(self, request: web.Request) -> web.Response:
        data: dict[str, Any] = {"url": self.gateway_url}
        if request.path.endswith("/bot"):
            data["shards"] = self.shard_count
            data["session_start_limit"] = {"total": 1000, "remaining": 999, "reset_after": 0,
                                           "max_concurrency": self.max_concurrency}
        return json_response(data)

    def _scope(self, request: web.Request) -> str | None | web.Response:
        if request.match_info["app"] != self.application_id:
            return error_response(403, 50001, "Missing Access")
        guild = request.match_info.get("guild")
        if guild is not None and guild not in self.guilds:
            return error_response(403, 50001, "Missing Access")
        return guild

    def _stored_command(self, defn: dict[str, Any], scope: str | None) -> dict[str, Any]:
        existing = next((d for d in self.commands.get(scope, [])
                         if d["name"] == defn.get("name") and d.get("type", 1) == defn.get("type", 1)), None)
        stored = {
            "type": 1,
            "default_member_permissions": None,
            "dm_permission": True,
            "nsfw": False,
            **defn,
            "id": existing["id"] if existing else self.ids.next(),
            "application_id": self.application_id,
            "version": self.ids.next(),
        }
        if scope is not None:
            stored["guild_id"] = scope
        if stored["type"] != 1:
            stored["description"] = ""
        return stored

    async def _put_commands(self, request: web.Request) -> web.Response:
        rec: RecordedRequest = request[REC]
        scope = self._scope(request)
        if isinstance(scope, web.Response):
            return scope
        body = rec.json
        if not isinstance(body, list):
            self._violate(rec, "protocol", "bulk overwrite body must be a list")
            return error_response(400, 50035, "Invalid Form Body")
        problems = limits.check_command_set(body)
        for problem in problems:
            self._violate(rec, "limit", problem)
        if problems and self.reject_invalid:
            return error_response(400, 50035, "Invalid Form Body", errors={"_problems": problems})
        self.commands[scope] = [self._stored_command(d, scope) for d in body]
        return json_response(self.commands[scope])

    async def _get_commands(self, request: web.Request) -> web.Response:
        scope = self._scope(request)
        if isinstance(scope, web.Response):
            return scope
        return json_response(self.commands.get(scope, []))

    async def _post_command(self, request: web.Request) -> web.Response:
        rec: RecordedRequest = request[REC]
        scope = self._scope(request)
        if isinstance(scope, web.Response):
            return scope
        problems = limits.check_command(rec.json or {})
        for problem in problems:
            self._violate(rec, "limit", problem)
        if problems and self.reject_invalid:
            return error_response(400, 50035, "Invalid Form Body", errors={"_problems": problems})
        stored = self._stored_command(rec.json, scope)
        current = [d for d in self.commands.get(scope, []) if d["id"] != stored["id"]]
        self.commands[scope] = current + [stored]
        return json_response(stored, 201)

    async def _get_command(self, request: web.Request) -> web.Response:
        scope = self._scope(request)
        if isinstance(scope, web.Response):
            return scope
        found = next((d for d in self.commands.get(scope, []) if d["id"] == request.match_info["cmd"]), None)
        return json_response(found) if found else error_response(404, 10063, "Unknown application command")

    async def _delete_command(self, request: web.Request) -> web.Response:
        scope = self._scope(request)
        if isinstance(scope, web.Response):
            return scope
        self.commands[scope] = [d for d in self.commands.get(scope, []) if d["id"] != request.match_info["cmd"]]
        return web.Response(status=204)

    async def _callback(self, request: web.Request) -> web.Response:
        rec: RecordedRequest = request[REC]
        record = self.interactions.get(request.match_info["iid"])
        if record is None or record.token != request.match_info["token"]:
            self._violate(rec, "protocol", "callback for an unknown interaction id/token")
            return error_response(404, 10062, "Unknown interaction")
        rec.interaction_id = record.id
        record.responses.append(rec)
        if record.callback is None:
            record.callback = rec
        else:
            self._violate(rec, "protocol", "second initial response to one interaction")
            return error_response(400, 40060, "Interaction has already been acknowledged.")
        elapsed = rec.at - (record.dispatched_at or rec.at)
        if elapsed > self.interaction_deadline:
            self._violate(rec, "protocol", f"initial response after {elapsed:.2f}s "
                                           f"(deadline {self.interaction_deadline}s)")
            return error_response(404, 10062, "Unknown interaction")
        body = rec.json if isinstance(rec.json, dict) else {}
        cb_type = body.get("type")
        data = body.get("data") or {}
        allowed = CALLBACK_TYPES[record.type]
        if cb_type not in allowed:
            self._violate(rec, "protocol", f"callback type {cb_type} is not valid for interaction "
                                           f"type {record.type} (valid: {sorted(allowed)})")
            return error_response(400, 50035, "Invalid Form Body")
        if cb_type in (4, 7):
            if rec.files:
                data = {**data, "_files": rec.files}
            rejected = self._check_message(rec, data, creating=cb_type == 4)
            if rejected is not None:
                return rejected
        elif cb_type == 8:
            problems = limits.check_autocomplete(data)
            for problem in problems:
                self._violate(rec, "limit", problem)
            if problems and self.reject_invalid:
                return error_response(400, 50035, "Invalid Form Body", errors={"_problems": problems})
        elif cb_type == 9:
            problems = limits.check_modal(data)
            for problem in problems:
                self._violate(rec, "limit", problem)
            if problems and self.reject_invalid:
                return error_response(400, 50035, "Invalid Form Body", errors={"_problems": problems})
        record.acknowledged = True
        message: StoredMessage | None = None
        clicked = record.payload.get("message", {}).get("id")
        if cb_type == 4:
            message = self._new_message(record.channel_id, data, webhook=True, interaction_id=record.id)
        elif cb_type == 5:
            flags = LOADING | (int(data.get("flags") or 0) & EPHEMERAL)
            message = self._new_message(record.channel_id, {"content": "", "flags": flags}, webhook=True,
                                        interaction_id=record.id)
            record.awaiting_completion = True
        elif cb_type in (6, 7) and clicked in self.messages:
            message = self.messages[clicked]
            if cb_type == 7:
                message.apply(data, edited=True)
        if message is not None:
            record.original_message_id = message.id
        interaction: dict[str, Any] = {
            "id": record.id,
            "type": record.type,
            "response_message_loading": cb_type == 5,
            "response_message_ephemeral": bool(message and message.ephemeral),
        }
        resource: dict[str, Any] = {"type": cb_type}
        if message is not None:
            interaction["response_message_id"] = message.id
            if cb_type in (4, 5, 7):
                resource["message"] = message.payload()
        return json_response({"interaction": interaction, "resource": resource})

    def _webhook_record(self, request: web.Request, rec: RecordedRequest) -> InteractionRecord | web.Response:
        record = self._link_interaction(request, rec)
        if record is None or request.match_info["app"] != self.application_id:
            self._violate(rec, "protocol", "webhook request with an unknown application id or token")
            return error_response(404, 10015, "Unknown Webhook")
        if self.token_lifetime is not None:
            age = rec.at - (record.dispatched_at if record.dispatched_at is not None else record.created_at)
            if age > self.token_lifetime:
                self._violate(rec, "protocol", f"interaction token used {age:.0f}s after the interaction "
                                               f"(tokens are valid for {self.token_lifetime:.0f}s)")
                return error_response(401, 50027, "Invalid Webhook Token")
        return record

    async def _followup(self, request: web.Request) -> web.Response:
        rec: RecordedRequest = request[REC]
        record = self._webhook_record(request, rec)
        if isinstance(record, web.Response):
            return record
        if not record.acknowledged:
            self._violate(rec, "protocol", "followup before the interaction was acknowledged")
            return error_response(404, 10015, "Unknown Webhook")
        body = dict(rec.json) if isinstance(rec.json, dict) else {}
        if rec.files:
            body["_files"] = rec.files
        rejected = self._check_message(rec, body, creating=True)
        if rejected is not None:
            return rejected
        thinking = self.messages.get(record.original_message_id or "")
        if (self.deferred_followup_edits and record.awaiting_completion and thinking is not None
                and not thinking.deleted and thinking.flags & LOADING):
            # Discord: the first followup after a "thinking…" deferral replaces that message and
            # keeps the deferral's visibility, whatever the followup's own ephemeral flag says.
            wants_ephemeral = bool(int(body.get("flags") or 0) & EPHEMERAL)
            if wants_ephemeral and not thinking.ephemeral:
                self._violate(rec, "visibility", "ephemeral followup after a public deferral: Discord ignores "
                                                 "the flag and shows it to everyone in the deferred message")
            thinking.apply({k: v for k, v in body.items() if k not in ("flags", "attachments")}, edited=True)
            thinking.attachments = self._attachments(body)
            thinking.flags &= ~LOADING
            message = thinking
        else:
            message = self._new_message(record.channel_id, body, webhook=True, interaction_id=record.id)
            record.followup_ids.append(message.id)
        record.awaiting_completion = False  # any followup ends a deferral's loading state
        if request.query.get("wait") in ("1", "true", "True"):
            return json_response(message.payload())
        return web.Response(status=204)

    def _webhook_message(self, request: web.Request, record: InteractionRecord) -> StoredMessage | None:
        mid = request.match_info["mid"]
        if mid == "@original":
            mid = record.original_message_id or ""
        elif mid not in record.followup_ids and mid != record.original_message_id:
            return None
        message = self.messages.get(mid)
        return None if message is None or message.deleted else message

    async def _webhook_get(self, request: web.Request) -> web.Response:
        rec: RecordedRequest = request[REC]
        record = self._webhook_record(request, rec)
        if isinstance(record, web.Response):
            return record
        message = self._webhook_message(request, record)
        return json_response(message.payload()) if message else error_response(404, 10008, "Unknown Message")

    async def _webhook_edit(self, request: web.Request) -> web.Response:
        rec: RecordedRequest = request[REC]
        record = self._webhook_record(request, rec)
        if isinstance(record, web.Response):
            return record
        message = self._webhook_message(request, record)
        if message is None:
            self._violate(rec, "protocol", "edit of a message this interaction does not own")
            return error_response(404, 10008, "Unknown Message")
        body = dict(rec.json) if isinstance(rec.json, dict) else {}
        rejected = self._check_message(rec, body, creating=False)
        if rejected is not None:
            return rejected
        message.apply(body, edited=True)
        # The first edit of a deferred ("thinking…") response replaces the loading state.
        message.flags &= ~LOADING
        if message.id == record.original_message_id:
            record.awaiting_completion = False
        return json_response(message.payload())

    async def _webhook_delete(self, request: web.Request) -> web.Response:
        rec: RecordedRequest = request[REC]
        record = self._webhook_record(request, rec)
        if isinstance(record, web.Response):
            return record
        message = self._webhook_message(request, record)
        if message is None:
            return error_response(404, 10008, "Unknown Message")
        message.deleted = True
        if message.id == record.original_message_id:
            record.awaiting_completion = False
        return web.Response(status=204)

    def _channel_or_404(self, request: web.Request, *, needs: int = 0) -> FakeChannel | web.Response:
        """The channel of the path, or Discord's answer: 404 Unknown Channel, 403 Missing Access
        (50001) without View Channel, 403 Missing Permissions (50013) without any of `needs`."""
        channel = self._channel(request.match_info["cid"])
        if channel is None:
            return error_response(404, 10003, "Unknown Channel")
        if self.enforce_permissions:
            have = self.bot_permissions_in(channel)
            if not have & VIEW_CHANNEL:
                return error_response(403, 50001, "Missing Access")
            if have & needs != needs:
                return error_response(403, 50013, "Missing Permissions")
        return channel

    def _embeds_allowed(self, rec: RecordedRequest, channel: FakeChannel, body: dict[str, Any]) -> dict[str, Any]:
        """Discord accepts a message with embeds from a bot without Embed Links, without them."""
        if not body.get("embeds") or not self.enforce_permissions or self.bot_permissions_in(channel) & EMBED_LINKS:
            return body
        self._violate(rec, "permissions", f"{len(body['embeds'])} embed(s) sent without Embed Links in channel "
                                          f"{channel.id}: Discord posts the message without them")
        return {**body, "embeds": []}

    async def _get_channel(self, request: web.Request) -> web.Response:
        channel = self._channel_or_404(request)
        return channel if isinstance(channel, web.Response) else json_response(channel.payload())

    async def _channel_history(self, request: web.Request) -> web.Response:
        channel = self._channel_or_404(request)
        if isinstance(channel, web.Response):
            return channel
        if self.enforce_permissions and not self.bot_permissions_in(channel) & READ_MESSAGE_HISTORY:
            return json_response([])  # as documented: no messages without Read Message History
        limit = int(request.query.get("limit", "50"))
        found = sorted(self.channel_messages(channel), key=lambda m: int(m.id), reverse=True)
        return json_response([m.payload() for m in found[:limit]])

    async def _channel_send(self, request: web.Request) -> web.Response:
        rec: RecordedRequest = request[REC]
        body = dict(rec.json) if isinstance(rec.json, dict) else {}
        # A reply (message_reference) also needs Read Message History.
        needs = SEND_MESSAGES | (READ_MESSAGE_HISTORY if body.get("message_reference") else 0)
        channel = self._channel_or_404(request, needs=needs)
        if isinstance(channel, web.Response):
            return channel
        if rec.files:
            body["_files"] = rec.files
        rejected = self._check_message(rec, body, creating=True)
        if rejected is not None:
            return rejected
        body = self._embeds_allowed(rec, channel, body)
        nonce = str(body.get("nonce") or "")
        if nonce and body.get("enforce_nonce") and self.nonce_window is not None:
            # Discord: with enforce_nonce, a nonce used by the same author in the past few
            # minutes returns that message, and no new one is made.
            seen = self._nonces.get((channel.id, nonce))
            if seen is not None and self.now() - seen[1] <= self.nonce_window:
                earlier = self.messages.get(seen[0])
                if earlier is not None and not earlier.deleted:
                    return json_response(earlier.payload())
        message = self._new_message(channel.id, body, webhook=False)
        if nonce:
            self._nonces[(channel.id, nonce)] = (message.id, self.now())
        return json_response(message.payload())

    def _channel_message(self, request: web.Request, *, needs: int = 0) -> StoredMessage | web.Response:
        channel = self._channel_or_404(request, needs=needs)
        if isinstance(channel, web.Response):
            return channel
        message = self.messages.get(request.match_info["mid"])
        # Ephemeral messages exist only for their interaction's webhook, not for channel routes.
        if (message is None or message.deleted or message.ephemeral
                or message.channel_id != request.match_info["cid"]):
            return error_response(404, 10008, "Unknown Message")
        return message

    async def _channel_get_message(self, request: web.Request) -> web.Response:
        message = self._channel_message(request, needs=READ_MESSAGE_HISTORY)
        return message if isinstance(message, web.Response) else json_response(message.payload())

    async def _channel_edit(self, request: web.Request) -> web.Response:
        rec: RecordedRequest = request[REC]
        message = self._channel_message(request)
        if isinstance(message, web.Response):
            return message
        body = dict(rec.json) if isinstance(rec.json, dict) else {}
        rejected = self._check_message(rec, body, creating=False)
        if rejected is not None:
            return rejected
        message.apply(body, edited=True)
        return json_response(message.payload())

    async def _channel_delete(self, request: web.Request) -> web.Response:
        message = self._channel_message(request)
        if isinstance(message, web.Response):
            return message
        message.deleted = True
        return web.Response(status=204)

    def _guild_or_404(self, request: web.Request) -> FakeGuild | web.Response:
        guild = self.guilds.get(request.match_info["gid"])
        return guild if guild is not None else error_response(404, 10004, "Unknown Guild")

    async def _get_guild(self, request: web.Request) -> web.Response:
        guild = self._guild_or_404(request)
        if isinstance(guild, web.Response):
            return guild
        data = guild.rest_payload()
        if request.query.get("with_counts") in ("1", "true"):
            data["approximate_member_count"] = len(guild.members)
            data["approximate_presence_count"] = 0
        return json_response(data)

    async def _get_guild_channels(self, request: web.Request) -> web.Response:
        guild = self._guild_or_404(request)
        if isinstance(guild, web.Response):
            return guild
        return json_response([c.payload() for c in guild.channels.values()])

    async def _get_guild_roles(self, request: web.Request) -> web.Response:
        guild = self._guild_or_404(request)
        if isinstance(guild, web.Response):
            return guild
        return json_response([r.payload() for r in guild.roles.values()])

    async def _get_member(self, request: web.Request) -> web.Response:
        guild = self._guild_or_404(request)
        if isinstance(guild, web.Response):
            return guild
        member = guild.members.get(request.match_info["uid"])
        return json_response(member.payload()) if member else error_response(404, 10007, "Unknown Member")

    # ---- gateway ---------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        # `timeout`: how long closing waits for the client's close frame (a stuck client is cut off).
        ws = web.WebSocketResponse(max_msg_size=16 * 1024 * 1024, timeout=2.0)
        await ws.prepare(request)
        self._sockets.add(ws)
        session: GatewaySession | None = None
        try:
            # Plain TEXT frames: discord.py only inflates BINARY ones, whatever `compress` says.
            self.gateway_log.append(("out", 10, None))
            await ws.send_str(dumps({"op": 10, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS},
                                     "s": None, "t": None}))
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                op = frame.get("op")
                self.gateway_log.append(("in", op, None))
                if op == 1:
                    if session is not None and isinstance(frame.get("d"), int):
                        session.acknowledge(frame["d"])
                    await ws.send_str(dumps({"op": 11, "d": None, "s": None, "t": None}))
                elif op == 2:
                    session = await self._identify(ws, frame.get("d") or {})
                    if session is None:
                        break
                elif op == 6:
                    session = await self._resume(ws, frame.get("d") or {})
                elif op == 8 and session is not None:
                    await self._members_chunk(session, frame.get("d") or {})
        finally:
            self._sockets.discard(ws)
            closed_by_us = ws in self._closing_sockets
            self._closing_sockets.discard(ws)
            if session is not None and session.ws is ws:
                session.live = False
                # Like Discord: a client closing with 1000/1001 ends its session (no RESUME).
                if not closed_by_us and ws.close_code in SESSION_ENDING_CLOSE_CODES:
                    session.invalidated = True
            self._notify()
        return ws

    async def _identify(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> GatewaySession | None:
        if data.get("token") != self.token:
            self._closing_sockets.add(ws)
            await ws.close(code=4004, message=b"Authentication failed.")
            return None
        shard = list(data.get("shard") or [0, 1])
        if len(shard) != 2 or not all(isinstance(n, int) for n in shard) or not 0 <= shard[0] < shard[1]:
            self._closing_sockets.add(ws)
            await ws.close(code=INVALID_SHARD, message=b"Invalid shard.")
            return None
        if shard[1] > 1:  # a sharded bot: one IDENTIFY per bucket per 5 s, as Discord allows
            bucket = shard[0] % max(1, self.max_concurrency)
            last = self._identified.get(bucket)
            now = self.now()
            if last is not None and now - last < IDENTIFY_INTERVAL:
                self.violations.append(Violation(
                    -1, "GATEWAY", "/gateway", "protocol",
                    f"IDENTIFY of shard {shard[0]} {now - last:.2f} s after the last one of its rate-limit "
                    f"bucket {bucket} (max_concurrency {self.max_concurrency}; Discord allows one per 5 s)"))
            self._identified[bucket] = now
        session = GatewaySession(len(self.sessions), secrets.token_hex(16), ws,
                                 int(data.get("intents") or 0), shard, buffer_limit=self.resume_buffer)
        self.sessions.append(session)
        ready = {
            "v": 10,
            "user": {**self.bot_user.payload(), "bot": True, "verified": True, "mfa_enabled": False,
                     "flags": 0},
            "guilds": [{"id": gid, "unavailable": True} for gid in self.guilds if shard_of(gid, shard[1]) == shard[0]],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": self.application_id, "flags": 0},
            "shard": shard,
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
            "auth": {},
        }
        self.gateway_log.append(("out", 0, "READY"))
        await session.dispatch("READY", ready)
        joined = iso(snowflake_time(self.ids.next()))
        for guild in self.guilds.values():
            if shard_of(guild.id, shard[1]) != shard[0]:
                continue  # another shard's guild
            self._reflect_bot_permissions(guild)
            self.gateway_log.append(("out", 0, "GUILD_CREATE"))
            await session.dispatch("GUILD_CREATE", guild.guild_create_payload(joined))
        session.ready = True
        self._notify()
        return session

    async def _resume(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> GatewaySession | None:
        """RESUME: replay what the client missed (seq > d.seq), then RESUMED; op 9 when the
        session is unknown, ended, or the missed frames are no longer kept."""
        session = next((s for s in self.sessions if s.session_id == data.get("session_id")), None)
        since = data.get("seq")
        resumed = (
            session is not None and not session.invalidated and data.get("token") == self.token
            and await session.resume(ws, since if isinstance(since, int) else 0)
        )
        if not resumed:
            if session is not None and session.ws is not ws:
                session.invalidated = True
            self.gateway_log.append(("out", 9, None))
            await ws.send_str(dumps({"op": 9, "d": False, "s": None, "t": None}))
            return None
        assert session is not None
        self.gateway_log.append(("out", 0, "RESUMED"))
        self._notify()
        return session

    async def _members_chunk(self, session: GatewaySession, data: dict[str, Any]) -> None:
        guild = self.guilds.get(str(data.get("guild_id")))
        if guild is None:
            return
        chunk = {
            "guild_id": guild.id,
            "members": [m.payload() for m in guild.members.values()],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if data.get("nonce"):
            chunk["nonce"] = data["nonce"]
        self.gateway_log.append(("out", 0, "GUILD_MEMBERS_CHUNK"))
        await session.dispatch("GUILD_MEMBERS_CHUNK", chunk)


def _breaks_limits(method: str, path: str, body: Any) -> bool:
    """Whether the limit checks of `limits.py` reject this body (so the schema need not)."""
    if not isinstance(body, (dict, list)):
        return False
    if isinstance(body, list):
        return bool(limits.check_command_set(body)) if path.endswith("/commands") else False
    if path.startswith("/interactions/"):
        kind, data = body.get("type"), body.get("data") or {}
        if not isinstance(data, dict):
            return False
        if kind in (4, 7):
            return bool(limits.check_message(data, creating=kind == 4)[0])
        if kind == 8:
            return bool(limits.check_autocomplete(data))
        if kind == 9:
            return bool(limits.check_modal(data))
        return False
    if path.endswith("/commands"):
        return bool(limits.check_command(body))
    if "/messages" in path or path.startswith("/webhooks/"):
        return bool(limits.check_message(body, creating=method == "POST")[0])
    return False


def _with_forged_component(payload: dict[str, Any], custom_id: str, kind: int) -> dict[str, Any]:
    """A copy of a message payload with one more action row holding a button or string select
    with `custom_id` (the last row is replaced when there are five already)."""
    if kind == 2:
        item: dict[str, Any] = {"type": 2, "style": 2, "label": "forged", "custom_id": custom_id}
    else:
        item = {"type": 3, "custom_id": custom_id, "options": [{"label": "forged", "value": "forged"}],
                "min_values": 1, "max_values": 1}
    rows = list(payload.get("components") or [])[:4]
    return {**payload, "components": [*rows, {"type": 1, "components": [item]}]}
