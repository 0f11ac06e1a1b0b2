"""`FakeDiscord`: a loopback stand-in for Discord's REST API and gateway (aiohttp, 127.0.0.1).

It records every REST request, validates message and command payloads against Discord's limits
(`limits.py`), keeps the messages the bot sent so tests can click their buttons, and builds
INTERACTION_CREATE events from the commands the bot synced. Facts about what discord.py 2.7.1
needs from such a stand-in are in /work/shared/docs/discord-loopback.md.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import socket
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Callable

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
    EVERYONE_PERMISSIONS,
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeRole,
    FakeUser,
    InteractionBuildError,
    OptionBuilder,
    Snowflakes,
    StoredMessage,
    iso,
    snowflake_time,
)

API_PREFIX = "/api/v10"
HEARTBEAT_INTERVAL_MS = 41250
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024
EPHEMERAL = 1 << 6
LOADING = 1 << 7
REC = web.RequestKey("rec", RecordedRequest)
AUTH_OK = web.RequestKey("auth_ok", bool)
ERROR_MESSAGES = MappingProxyType({
    401: "401: Unauthorized",
    403: "Missing Permissions",
    404: "404: Not Found",
    500: "500: Internal Server Error",
})


def json_response(data: Any, status: int = 200) -> web.Response:
    # discord.py parses JSON only when Content-Type is exactly application/json;
    # web.json_response would add "; charset=utf-8".
    return web.Response(
        body=json.dumps(data, ensure_ascii=False).encode(),
        status=status,
        headers={"Content-Type": "application/json"},
    )


def error_response(status: int, code: int = 0, message: str | None = None, **extra: Any) -> web.Response:
    return json_response({"message": message or ERROR_MESSAGES.get(status, "error"), "code": code, **extra},
                         status)


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


@dataclass
class GatewaySession:
    """One identified gateway session; survives a RESUME onto a new websocket."""

    index: int
    session_id: str
    ws: web.WebSocketResponse
    intents: int
    shard: list[int]
    seq: int = 0
    ready: bool = False
    live: bool = True
    resumes: int = 0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def send(self, payload: dict[str, Any]) -> bool:
        try:
            await self.ws.send_str(json.dumps(payload, ensure_ascii=False))
        except (ConnectionError, RuntimeError):
            return False
        return True

    async def dispatch(self, event: str, data: dict[str, Any]) -> bool:
        async with self.lock:
            self.seq += 1
            return await self.send({"op": 0, "t": event, "s": self.seq, "d": data})


class FakeDiscord:
    """A loopback Discord. Use `async with FakeDiscord() as fake:` or `await fake.start()`."""

    def __init__(
        self,
        *,
        token: str | None = None,
        bot_name: str = "studybot",
        guild_name: str = "Study Group",
        guild_locale: str = "en-US",
        interaction_deadline: float = 3.0,
        reject_invalid: bool = True,
    ) -> None:
        self.ids = Snowflakes()
        self.token = token or f"loopback.{secrets.token_urlsafe(24)}"
        self.bot_user = FakeUser(self.ids.next(), bot_name, bot=True)
        self.application_id = self.bot_user.id
        self.owner_user = FakeUser(self.ids.next(), "app-owner")
        # Discord answers a late initial response with 404 Unknown interaction.
        self.interaction_deadline = interaction_deadline
        # Answer limit violations with 400 Invalid Form Body like Discord (they are recorded either way).
        self.reject_invalid = reject_invalid
        self.guilds: dict[str, FakeGuild] = {}
        self.requests: list[RecordedRequest] = []
        self.violations: list[Violation] = []
        self.messages: dict[str, StoredMessage] = {}
        self.sessions: list[GatewaySession] = []
        self.gateway_log: list[tuple[str, int | None, str | None]] = []
        self.failures: list[FailureRule] = []
        self.commands: dict[str | None, list[dict[str, Any]]] = {}
        self.interactions: dict[str, InteractionRecord] = {}
        self._by_token: dict[str, InteractionRecord] = {}
        self._sockets: set[web.WebSocketResponse] = set()
        self._changed: asyncio.Condition | None = None
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self.add_guild(guild_name, locale=guild_locale)

    # ---- lifecycle -------------------------------------------------------------------------

    async def start(self) -> FakeDiscord:
        self._changed = asyncio.Condition()
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
        for ws in list(self._sockets):
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

    def add_guild(self, name: str, *, locale: str = "en-US") -> FakeGuild:
        """A guild with @everyone, an Admin role (Manage Guild), the bot's role, a text channel
        "general", a system channel "welcome", and members: the bot, `admin` and `member`."""
        gid = self.ids.next()
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
        return channel

    def _guild(self, guild: FakeGuild | str | int) -> FakeGuild:
        if isinstance(guild, FakeGuild):
            return guild
        try:
            return self.guilds[str(guild)]
        except KeyError:
            raise LookupError(f"unknown guild {guild}") from None

    def _channel(self, channel_id: str) -> FakeChannel | None:
        for guild in self.guilds.values():
            if channel_id in guild.channels:
                return guild.channels[channel_id]
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

    def forbid_channel(self, channel: FakeChannel | str) -> FailureRule:
        """Every message send to this channel fails with 403 Missing Permissions (50013)."""
        cid = channel.id if isinstance(channel, FakeChannel) else str(channel)
        return self.fail("POST", rf"^/channels/{cid}/messages$", 403, code=50013, times=None)

    def clear_failures(self) -> None:
        self.failures.clear()

    # ---- records and waiting ---------------------------------------------------------------

    def find_requests(self, method: str | None = None, path: str | None = None) -> list[RecordedRequest]:
        """Recorded requests by method and a regex searched in the path (after /api/v10)."""
        pattern = re.compile(path) if path else None
        return [
            r for r in self.requests
            if (method is None or r.method == method.upper()) and (pattern is None or pattern.search(r.path))
        ]

    def assert_clean(self, *, allow_unhandled: bool = False) -> None:
        """Fail when any request broke a limit or the mention policy (or hit an unknown route)."""
        problems = [v for v in self.violations if not allow_unhandled or v.kind != "unhandled"]
        if problems:
            listing = "\n".join(f"  {v}" for v in problems)
            raise AssertionError(f"{len(problems)} Discord payload violation(s):\n{listing}")

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = DEFAULT_TIMEOUT,
                       *, raise_on_timeout: bool = True) -> bool:
        """Wait until `predicate()` holds, re-checked after every request and gateway change."""
        assert self._changed is not None, "FakeDiscord is not started"
        try:
            async with self._changed:
                await asyncio.wait_for(self._changed.wait_for(predicate), timeout)
        except asyncio.TimeoutError:
            if raise_on_timeout:
                raise
            return False
        return True

    async def _notify(self) -> None:
        assert self._changed is not None
        async with self._changed:
            self._changed.notify_all()

    def channel_messages(self, channel: FakeChannel | str, *, include_deleted: bool = False) -> list[StoredMessage]:
        cid = channel.id if isinstance(channel, FakeChannel) else str(channel)
        return [m for m in self.messages.values() if m.channel_id == cid and (include_deleted or not m.deleted)]

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

        def find() -> StoredMessage | None:
            for m in self.messages.values():
                if m.deleted or (cid and m.channel_id != str(cid)) or (after and int(m.id) <= int(after)):
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
        return [s for s in self.sessions if s.live and s.ready]

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
        """Send a dispatch event to one session or every live one; returns how many got it."""
        targets = [session] if session else self.live_sessions()
        sent = 0
        for target in targets:
            self.gateway_log.append(("out", 0, event))
            sent += await target.dispatch(event, data)
        return sent

    async def reconnect(self) -> None:
        """Send op 7 RECONNECT: the client reconnects to resume_gateway_url and RESUMEs."""
        for session in self.live_sessions():
            self.gateway_log.append(("out", 7, None))
            await session.send({"op": 7, "d": None, "s": None, "t": None})

    async def drop_connections(self, code: int = 4000) -> None:
        """Close every gateway websocket as a network failure would; clients reconnect."""
        for ws in list(self._sockets):
            await ws.close(code=code)

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
        **values: Any,
    ) -> InteractionHandle:
        """A slash command invocation; `path` names a subcommand (group); keyword arguments are
        option values (use `options={...}` for option names that clash with these parameters)."""
        g = self._guild(guild)
        defn = self.find_command(name, g)
        opts, resolved = OptionBuilder(g).build(defn, path, {**(options or {}), **values})
        return self._command_interaction(INTERACTION_COMMAND, g, user, defn, opts, resolved,
                                         in_channel, locale, app_permissions)

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
        **values: Any,
    ) -> InteractionHandle:
        """An autocomplete request: `focused` is the option being typed, `value` the partial text."""
        g = self._guild(guild)
        defn = self.find_command(name, g)
        merged = {**(options or {}), **values, focused: value}
        opts, resolved = OptionBuilder(g).build(defn, path, merged, focused=focused)
        return self._command_interaction(INTERACTION_AUTOCOMPLETE, g, user, defn, opts, resolved,
                                         in_channel, locale, app_permissions)

    def click(
        self,
        message: StoredMessage | str,
        custom_id: str,
        user: FakeMember | FakeUser | str,
        *,
        locale: str = "en-US",
        app_permissions: int | None = None,
    ) -> InteractionHandle:
        """A button click on a message the bot sent (the button must be on it and enabled)."""
        return self._component(message, custom_id, user, None, locale, app_permissions)

    def select(
        self,
        message: StoredMessage | str,
        custom_id: str,
        user: FakeMember | FakeUser | str,
        values: list[str],
        *,
        locale: str = "en-US",
        app_permissions: int | None = None,
    ) -> InteractionHandle:
        """A select-menu choice on a message the bot sent."""
        return self._component(message, custom_id, user, values, locale, app_permissions)

    def _component(
        self,
        message: StoredMessage | str,
        custom_id: str,
        user: FakeMember | FakeUser | str,
        values: list[str] | None,
        locale: str,
        app_permissions: int | None,
    ) -> InteractionHandle:
        stored = message if isinstance(message, StoredMessage) else self.messages.get(str(message))
        if stored is None or stored.deleted:
            raise InteractionBuildError(f"no live message {getattr(message, 'id', message)}")
        component = stored.component(custom_id)
        if component is None:
            raise InteractionBuildError(f"message {stored.id} has no component {custom_id!r}; "
                                        f"it has {stored.custom_ids()}")
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
        guild = self._guild(stored.guild_id) if stored.guild_id else self.guild
        channel = guild.channels[stored.channel_id]
        return self._new_interaction(INTERACTION_COMPONENT, guild, user, channel, data, locale,
                                     app_permissions, message=stored.payload())

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
            app_permissions = channel.bot_permissions
        if app_permissions is None:
            app_permissions = guild.base_permissions(self.bot_user.id)
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
            "channel": {**channel.payload(), "permissions": str(guild.base_permissions(member.id))},
            "member": member.payload(guild.base_permissions(member.id)),
            "token": token,
            "version": 1,
            "app_permissions": str(app_permissions),
            "locale": locale,
            "guild_locale": guild.preferred_locale,
            "entitlements": [],
            "authorizing_integration_owners": {"0": guild.id},
            "context": 0,
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        }
        if message is not None:
            payload["message"] = message
        record = InteractionRecord(iid, token, kind, payload, channel.id, guild.id)
        self.interactions[iid] = record
        self._by_token[token] = record
        return InteractionHandle(self, record)

    async def _dispatch_interaction(self, record: InteractionRecord) -> None:
        # Discord delivers an interaction to one session only; the newest live one here.
        sessions = self.live_sessions()
        if not sessions:
            raise RuntimeError("no bot is connected to the fake gateway")
        record.dispatched_at = asyncio.get_running_loop().time()
        self.gateway_log.append(("out", 0, "INTERACTION_CREATE"))
        if not await sessions[-1].dispatch("INTERACTION_CREATE", record.payload):
            raise RuntimeError("the bot's gateway connection closed while dispatching")

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
            at=asyncio.get_running_loop().time(),
        )
        self.requests.append(rec)
        await self._read_body(request, rec)
        request[REC] = rec
        request[AUTH_OK] = auth == f"Bot {self.token}"
        response = await self._respond(request, handler, rec, path)
        rec.status = response.status
        if isinstance(response, web.Response) and response.body is not None and response.status != 204:
            try:
                rec.response = json.loads(response.body)
            except (TypeError, ValueError):
                rec.response = None
        await self._notify()
        return response

    async def _respond(self, request: web.Request, handler: Callable[..., Any], rec: RecordedRequest,
                       path: str) -> web.StreamResponse:
        for rule in self.failures:
            if rule.matches(rec.method, path):
                rule.hits += 1
                self._link_interaction(request, rec)
                return json_response(rule.body, rule.status)
        webhook_route = path.startswith("/interactions/") or re.match(r"^/webhooks/\d+/[^/]+", path)
        if not webhook_route and request.match_info.route.name != "unhandled" and not request[AUTH_OK]:
            self._violate(rec, "protocol", "missing or wrong bot Authorization header")
            return error_response(401)
        return await handler(request)

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
                    })
        else:
            text = await request.text()
            if text:
                try:
                    rec.json = json.loads(text)
                except ValueError:
                    rec.json = text
                    self._violate(rec, "protocol", f"body is not JSON (Content-Type {ctype})")

    def _violate(self, rec: RecordedRequest, kind: str, problem: str) -> None:
        self.violations.append(Violation(rec.seq, rec.method, rec.path, kind, problem))

    def _check_message(self, rec: RecordedRequest, body: dict[str, Any], *, creating: bool) -> web.Response | None:
        """Record problems; the 400 Discord would answer for limit breaks (None when fine)."""
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
        if record is not None and rec not in record.responses:
            record.responses.append(rec)
        return record

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
            attachments=[{"id": self.ids.next(), "filename": f["filename"], "size": f["size"],
                          "url": f"{self.base_url}/attachments/{f['filename']}",
                          "proxy_url": f"{self.base_url}/attachments/{f['filename']}"}
                         for f in (body.get("_files") or [])],
        )
        message.apply({k: v for k, v in body.items() if k != "attachments"}, edited=False)
        self.messages[message.id] = message
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
            data["shards"] = 1
            data["session_start_limit"] = {"total": 1000, "remaining": 999, "reset_after": 0,
                                           "max_concurrency": 1}
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
        allowed = {
            INTERACTION_COMMAND: {4, 5, 9},
            INTERACTION_COMPONENT: {4, 5, 6, 7, 9},
            INTERACTION_AUTOCOMPLETE: {8},
            INTERACTION_MODAL: {4, 5, 6, 7},
        }[record.type]
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
        message = self._new_message(record.channel_id, body, webhook=True, interaction_id=record.id)
        record.followup_ids.append(message.id)
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
        return web.Response(status=204)

    def _channel_or_404(self, request: web.Request) -> FakeChannel | web.Response:
        channel = self._channel(request.match_info["cid"])
        return channel if channel is not None else error_response(404, 10003, "Unknown Channel")

    async def _get_channel(self, request: web.Request) -> web.Response:
        channel = self._channel_or_404(request)
        return channel if isinstance(channel, web.Response) else json_response(channel.payload())

    async def _channel_history(self, request: web.Request) -> web.Response:
        channel = self._channel_or_404(request)
        if isinstance(channel, web.Response):
            return channel
        limit = int(request.query.get("limit", "50"))
        found = sorted(self.channel_messages(channel), key=lambda m: int(m.id), reverse=True)
        return json_response([m.payload() for m in found[:limit]])

    async def _channel_send(self, request: web.Request) -> web.Response:
        rec: RecordedRequest = request[REC]
        channel = self._channel_or_404(request)
        if isinstance(channel, web.Response):
            return channel
        body = dict(rec.json) if isinstance(rec.json, dict) else {}
        if rec.files:
            body["_files"] = rec.files
        rejected = self._check_message(rec, body, creating=True)
        if rejected is not None:
            return rejected
        message = self._new_message(channel.id, body, webhook=False)
        return json_response(message.payload())

    def _channel_message(self, request: web.Request) -> StoredMessage | web.Response:
        message = self.messages.get(request.match_info["mid"])
        # Ephemeral messages exist only for their interaction's webhook, not for channel routes.
        if (message is None or message.deleted or message.ephemeral
                or message.channel_id != request.match_info["cid"]):
            return error_response(404, 10008, "Unknown Message")
        return message

    async def _channel_get_message(self, request: web.Request) -> web.Response:
        message = self._channel_message(request)
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
        ws = web.WebSocketResponse(max_msg_size=16 * 1024 * 1024)
        await ws.prepare(request)
        self._sockets.add(ws)
        session: GatewaySession | None = None
        try:
            # Plain TEXT frames: discord.py only inflates BINARY ones, whatever `compress` says.
            self.gateway_log.append(("out", 10, None))
            await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS},
                                          "s": None, "t": None}))
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                op = frame.get("op")
                self.gateway_log.append(("in", op, None))
                if op == 1:
                    await ws.send_str(json.dumps({"op": 11, "d": None, "s": None, "t": None}))
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
            if session is not None and session.ws is ws:
                session.live = False
            await self._notify()
        return ws

    async def _identify(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> GatewaySession | None:
        if data.get("token") != self.token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return None
        shard = list(data.get("shard") or [0, 1])
        session = GatewaySession(len(self.sessions), secrets.token_hex(16), ws,
                                 int(data.get("intents") or 0), shard)
        self.sessions.append(session)
        ready = {
            "v": 10,
            "user": {**self.bot_user.payload(), "bot": True, "verified": True, "mfa_enabled": False,
                     "flags": 0},
            "guilds": [{"id": gid, "unavailable": True} for gid in self.guilds],
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
            self.gateway_log.append(("out", 0, "GUILD_CREATE"))
            await session.dispatch("GUILD_CREATE", guild.guild_create_payload(joined))
        session.ready = True
        await self._notify()
        return session

    async def _resume(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> GatewaySession | None:
        session = next((s for s in self.sessions if s.session_id == data.get("session_id")), None)
        if session is None or data.get("token") != self.token:
            self.gateway_log.append(("out", 9, None))
            await ws.send_str(json.dumps({"op": 9, "d": False, "s": None, "t": None}))
            return None
        session.ws = ws
        session.live = True
        session.resumes += 1
        self.gateway_log.append(("out", 0, "RESUMED"))
        await session.dispatch("RESUMED", {})
        await self._notify()
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
