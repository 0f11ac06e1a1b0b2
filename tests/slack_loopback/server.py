"""`FakeSlack`: a loopback Slack (Web API, Socket Mode websocket, response_url and upload sinks)
on 127.0.0.1, as strict as Slack about what a bot sends.

One aiohttp server serves `/api/<method>` (the Web API, token checked), `/link/?ticket=…` (the
Socket Mode websocket `apps.connections.open` hands out: `hello` on connect, then envelopes the
test sends, acks recorded with the time they took), `/response/<id>` (response_url: 30 minutes,
5 uses, like Slack) and `/upload/<file_id>` (files_upload_v2's upload step). Every message, view
and ack payload is checked against Slack's limits (limits.py); a breach is recorded in
`violations` and answered with Slack's error. Web API calls are rate limited by tier
(ratelimits.py) with 429 + Retry-After, and a retry sent before Retry-After ran out is a
violation. See tests/slack_loopback/README.md.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from . import limits
from .ratelimits import RateLimiter, SlackRateLimits
from .records import (
    Ack,
    Channel,
    Ephemeral,
    Message,
    Posted,
    Response,
    ResponseUrl,
    UploadedFile,
    User,
    View,
)

ACK_DEADLINE = 3.0  # Slack shows the member an error when an envelope is not acked in 3 s
ACK_TIMEOUT = 10.0  # how long `slash`/`click`/... wait for the ack
RESPONSE_URL_LIFETIME = 30 * 60.0
RESPONSE_URL_USES = 5
TRIGGER_LIFETIME = 3.0  # a trigger_id opens a modal only within 3 s of the interaction
VIEW_STACK = 3  # views.push: at most 3 views in a modal's stack
RETRY_GRACE = 0.1  # a retry this much early is in-flight jitter, not a violation
JSON_METHODS_ARGS = ("blocks", "attachments", "view", "files", "metadata")


class NoAck(TimeoutError):
    """An envelope was not acknowledged (the wait ran out or the bot's connection closed)."""


class ClickRefused(ValueError):
    """The test tried to click something Slack would not let a member click."""


@dataclass
class FaultRule:
    """`fail_next`: answer the next `times` calls of `method` with `status`."""

    method: str
    status: int
    retry_after: int
    times: int
    hits: int = 0


@dataclass
class SocketConnection:
    """One Socket Mode websocket the bot opened."""

    id: int
    ws: web.WebSocketResponse
    opened_at: float
    closed: bool = False
    pending: set[str] = field(default_factory=set)


@dataclass
class Pending:
    envelope: dict[str, Any]
    sent_at: float
    future: asyncio.Future[Ack]
    connection: SocketConnection
    user: str
    channel: str
    response_url_id: str | None


class FakeSlack:
    """A loopback Slack workspace `T0LOOP` with members U1..U3 (U1 an admin) and channels C1
    (#general) and C2 (#random), the bot a member of both. Start with `async with FakeSlack()`."""

    bot_token = "xoxb-loopback"
    app_token = "xapp-loopback"
    team_id = "T0LOOP"
    team_name = "Loopback"
    bot_user_id = "U0LOOPBOT"
    bot_id = "B0LOOPBOT"
    app_id = "A0LOOP"

    def __init__(
        self,
        *,
        rate_limits: SlackRateLimits | None = None,
        host: str = "127.0.0.1",
        ack_timeout: float = ACK_TIMEOUT,
        response_url_lifetime: float = RESPONSE_URL_LIFETIME,
        response_url_uses: int = RESPONSE_URL_USES,
        trigger_lifetime: float = TRIGGER_LIFETIME,
        retry_grace: float = RETRY_GRACE,
        forbid_replacing_channel_posts: bool = True,
        record_calls: bool = True,
    ) -> None:
        self.host = host
        self.limits = rate_limits if rate_limits is not None else SlackRateLimits()
        self.ack_timeout = ack_timeout
        self.response_url_lifetime = response_url_lifetime
        self.response_url_uses = response_url_uses
        self.trigger_lifetime = trigger_lifetime
        self.retry_grace = retry_grace
        self.forbid_replacing_channel_posts = forbid_replacing_channel_posts
        self.record_calls = record_calls
        self.users: dict[str, User] = {}
        self.channels: dict[str, Channel] = {}
        self.messages: dict[str, Message] = {}
        self.deleted: dict[str, Message] = {}
        self.ephemerals: list[Ephemeral] = []
        self.responses: list[Response] = []
        self.views: dict[str, View] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.acks: dict[str, Ack] = {}
        self.violations: list[str] = []
        self.warnings: list[str] = []
        self.rate_limited: list[tuple[str, int]] = []  # (method, Retry-After) of every 429
        self.files: dict[str, UploadedFile] = {}
        self.connections: list[SocketConnection] = []
        self.response_urls: dict[str, ResponseUrl] = {}
        self._violations_expected = False
        self._offset = 0.0
        self._ids = itertools.count(1)
        self._ts_base = int(time.time())
        self._limiter = RateLimiter(self.limits)
        self._faults: list[FaultRule] = []
        self._not_before: dict[str, tuple[float, str]] = {}
        self._triggers: dict[str, tuple[float, str, bool]] = {}  # id -> (issued, user, used)
        self._pending: dict[str, Pending] = {}
        self._tasks: set[asyncio.Future[None]] = set()
        self._changed: asyncio.Event | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0
        for uid, admin in (("U1", True), ("U2", False), ("U3", False)):
            self.add_user(uid, is_admin=admin)
        self.add_channel("C1", "general")
        self.add_channel("C2", "random")
        self._methods: dict[str, Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]] = {
            "auth.test": self._auth_test,
            "apps.connections.open": self._connections_open,
            "chat.postMessage": self._post_message,
            "chat.update": self._update,
            "chat.postEphemeral": self._post_ephemeral,
            "chat.delete": self._delete,
            "views.open": self._views_open,
            "views.update": self._views_update,
            "views.push": self._views_push,
            "users.info": self._users_info,
            "team.info": self._team_info,
            "conversations.info": self._conversations_info,
            "files.getUploadURLExternal": self._upload_url,
            "files.completeUploadExternal": self._complete_upload,
        }

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> FakeSlack:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_get("/link/", self._socket)
        app.router.add_post("/response/{id}", self._response_url)
        app.router.add_post("/upload/{id}", self._upload)
        self._changed = asyncio.Event()
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for pending in list(self._pending.values()):
            self._settle(pending, None, None)
        for conn in self.connections:
            if not conn.closed:
                await conn.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeSlack:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        """The Web API base URL, with the trailing slash slack_sdk needs (SLACK_API_URL)."""
        return f"{self.base_url}/api/"

    def bot_env(self) -> dict[str, str]:
        """Environment for `studybot run` against this fake (Socket Mode)."""
        return {"SLACK_BOT_TOKEN": self.bot_token, "SLACK_APP_TOKEN": self.app_token, "SLACK_API_URL": self.api_url}

    # ------------------------------------------------------------------ clock, members, checks

    def now(self) -> float:
        """The fake's clock: the event loop's time plus every `advance`."""
        return asyncio.get_running_loop().time() + self._offset

    def advance(self, seconds: float) -> None:
        """Move the fake's clock (response_url and trigger lifetimes, rate buckets) forward."""
        self._offset += seconds

    def add_user(self, user_id: str, *, name: str | None = None, locale: str | None = "en-US",
                 is_admin: bool = False, is_owner: bool = False, tz: str = "Asia/Seoul") -> User:
        """A member (replaces one with the same id). `locale=None`: users.info has no locale."""
        user = User(user_id, self.team_id, name or user_id.lower(), locale, is_admin, is_owner, tz)
        self.users[user_id] = user
        return user

    def add_channel(self, channel_id: str, name: str, *, is_member: bool = True) -> Channel:
        channel = Channel(channel_id, name, is_member)
        self.channels[channel_id] = channel
        return channel

    def violation(self, text: str) -> None:
        self.violations.append(text)
        self._notify()

    def expect_violations(self) -> list[str]:
        """The test provokes violations on purpose: teardown will not fail on them. Returns the
        live list to assert on."""
        self._violations_expected = True
        return self.violations

    def assert_clean(self) -> None:
        if self.violations and not self._violations_expected:
            raise AssertionError("the bot broke Slack's rules:\n  " + "\n  ".join(self.violations))

    def fail_next(self, method: str, *, status: int = 429, retry_after: int = 1, times: int = 1) -> FaultRule:
        """Answer the next `times` calls of Web API `method` (or "response_url") with `status`
        (429: with Retry-After, and early retries are violations), doing nothing."""
        rule = FaultRule(method, status, retry_after, times)
        self._faults.append(rule)
        return rule

    def _notify(self) -> None:
        if self._changed is not None:
            self._changed.set()
            self._changed = asyncio.Event()

    async def wait_for(self, predicate: Callable[[], Any], *, timeout: float = 10.0, what: str = "condition") -> Any:
        """Wait until `predicate()` is truthy (checked whenever the fake records something)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = predicate()
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"{what} not reached within {timeout}s")
            changed = self._changed
            assert changed is not None
            try:
                await asyncio.wait_for(changed.wait(), min(remaining, 0.25))
            except asyncio.TimeoutError:
                pass

    async def wait_for_message(self, predicate: Callable[[Message], bool] | None = None, *,
                               channel: str | None = None, timeout: float = 10.0) -> Message:
        """The first channel message (matching) that exists or arrives."""
        def find() -> Message | None:
            for m in self.messages.values():
                if (channel is None or m.channel == channel) and (predicate is None or predicate(m)):
                    return m
            return None
        return await self.wait_for(find, timeout=timeout, what="a matching channel message")

    def replies_to(self, ack: Ack) -> list[Posted]:
        """What the member saw in answer to an envelope: its ack payload's message, its
        response_url posts, and ephemerals chat.postEphemeral sent that member in that channel
        after the envelope (Slack cannot tell which envelope those answer)."""
        out: list[Posted] = [e for e in self.ephemerals if e.envelope_id == ack.envelope_id]
        out += [m for m in self.messages.values() if m.envelope_id == ack.envelope_id]
        out += [e for e in self.ephemerals if e.via == "chat.postEphemeral" and e.user == ack.user
                and e.channel == ack.channel and e.at >= ack.sent_at]
        return sorted(out, key=lambda p: p.at)

    async def wait_reply(self, ack: Ack, *, count: int = 1, timeout: float = 10.0) -> Posted:
        """The first reply to `ack` once `count` replies exist."""
        replies = await self.wait_for(lambda: len(self.replies_to(ack)) >= count and self.replies_to(ack),
                                      timeout=timeout, what=f"{count} reply(ies) to {ack.type}")
        return replies[0]

    def ephemerals_for(self, user: str) -> list[Ephemeral]:
        return [e for e in self.ephemerals if e.user == user]

    def late_acks(self, deadline: float = ACK_DEADLINE) -> list[Ack]:
        """Acks that took longer than Slack's 3 s (or never came)."""
        return [a for a in self.acks.values() if not a.within(deadline)]

    # ------------------------------------------------------------------ ids

    def _id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08d}"

    def _ts(self) -> str:
        n = next(self._ids)
        return f"{self._ts_base + n // 1_000_000}.{n % 1_000_000:06d}"

    def new_trigger_id(self, user: str = "U1") -> str:
        """A trigger_id as an interaction of `user` carries one (valid 3 s, opens one modal)."""
        trigger = f"{next(self._ids)}.{self.team_id}.{self._id('')}"
        self._triggers[trigger] = (self.now(), user, False)
        return trigger

    # ------------------------------------------------------------------ Web API

    async def _read_args(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            ctype = request.content_type
            if ctype == "application/json":
                body = await request.json()
                if isinstance(body, dict):
                    args.update(body)
            else:
                form = await request.post()
                args.update({k: v for k, v in form.items() if isinstance(v, str)})
        for key in JSON_METHODS_ARGS:
            if isinstance(args.get(key), str) and args[key][:1] in ("[", "{"):
                try:
                    args[key] = json.loads(args[key])
                except ValueError:
                    pass
        return args

    @staticmethod
    def _ok(**data: Any) -> dict[str, Any]:
        return {"ok": True, **data}

    @staticmethod
    def _error(error: str, *messages: str) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error": error}
        if messages:
            body["response_metadata"] = {"messages": [f"[ERROR] {m}" for m in messages]}
        return body

    def _digest(self, method: str, args: Mapping[str, Any]) -> str:
        raw = json.dumps([method, args], sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.blake2b(raw.encode(), digest_size=12).hexdigest()

    def _check_retry(self, what: str, digest: str) -> None:
        """A request identical to one answered 429 must wait its Retry-After."""
        entry = self._not_before.get(digest)
        if entry is None:
            return
        not_before, _ = entry
        now = self.now()
        if now < not_before - self.retry_grace:
            self.violation(f"{what}: retried {not_before - now:.2f}s before Retry-After ran out")
        else:
            del self._not_before[digest]

    def _too_many(self, what: str, digest: str, retry_after: int) -> web.Response:
        self.rate_limited.append((what, retry_after))
        self._not_before[digest] = (self.now() + retry_after, what)
        self._notify()
        return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                 headers={"Retry-After": str(retry_after)})

    def _fault(self, method: str) -> FaultRule | None:
        for rule in self._faults:
            if rule.method == method and rule.hits < rule.times:
                rule.hits += 1
                return rule
        return None

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._read_args(request)
        token = args.pop("token", None)
        auth = request.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            token = auth[len("Bearer "):]
        if self.record_calls:
            self.calls.append((method, args))
        handler = self._methods.get(method)
        if handler is None:
            return web.json_response(self._error("unknown_method"))
        if not token:
            return web.json_response(self._error("not_authed"))
        wanted = self.app_token if method == "apps.connections.open" else self.bot_token
        if token != wanted:
            other = self.bot_token if wanted == self.app_token else self.app_token
            return web.json_response(self._error("not_allowed_token_type" if token == other else "invalid_auth"))
        digest = self._digest(method, args)
        self._check_retry(method, digest)
        rule = self._fault(method)
        if rule is not None:
            if rule.status == 429:
                return self._too_many(method, digest, rule.retry_after)
            return web.json_response(self._error("fatal_error"), status=rule.status)
        retry_after = self._limiter.check(method, args, self.now())
        if retry_after:
            return self._too_many(method, digest, retry_after)
        body = await handler(args)
        self._notify()
        return web.json_response(body)

    async def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return self._ok(url="https://loopback.slack.com/", team=self.team_name, user="studybot",
                        team_id=self.team_id, user_id=self.bot_user_id, bot_id=self.bot_id,
                        is_enterprise_install=False)

    async def _connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        ticket = self._id("ticket-")
        return self._ok(url=f"ws://{self.host}:{self.port}/link/?ticket={ticket}&app_id={self.app_id}")

    def _channel(self, args: Mapping[str, Any], key: str = "channel") -> Channel | str:
        """The channel named by `args[key]` (id or #name), or the Slack error."""
        ref = str(args.get(key) or "")
        channel = self.channels.get(ref)
        if channel is None:
            name = ref.lstrip("#")
            channel = next((c for c in self.channels.values() if c.name == name), None)
        if channel is None:
            return "channel_not_found"
        if not channel.is_member:
            return "not_in_channel"
        return channel

    def _check_message(self, what: str, args: Mapping[str, Any]) -> str | None:
        """Record the message's problems; the Slack error it gets, or None when Slack takes it."""
        problems, policy, warnings = limits.check_message(args)
        for p in problems + policy:
            self.violation(f"{what}: {p}")
        self.warnings.extend(f"{what}: {w}" for w in warnings)
        if not problems:
            return None
        if any(p.startswith("blocks") for p in problems):
            return "invalid_blocks"
        if any("msg_too_long" in p for p in problems):
            return "msg_too_long"
        if any("no_text" in p for p in problems):
            return "no_text"
        return "invalid_arguments"

    async def _post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        if isinstance(channel, str):
            return self._error(channel)
        error = self._check_message("chat.postMessage", args)
        if error:
            return self._error(error)
        message = Message(channel.id, self._ts(), args.get("text"), list(args.get("blocks") or []),
                          "chat.postMessage", self.now(), user=self.bot_user_id, bot_id=self.bot_id,
                          thread_ts=args.get("thread_ts"))
        self.messages[message.ts] = message
        return self._ok(channel=channel.id, ts=message.ts, message=message.to_api(self.team_id))

    def _own_message(self, args: Mapping[str, Any], not_ours: str) -> Message | str:
        """The bot's message at args' channel + ts, or the Slack error."""
        channel = self._channel(args)
        if isinstance(channel, str):
            return channel
        message = self.messages.get(str(args.get("ts")))
        if message is None or message.channel != channel.id:
            return "message_not_found"
        if message.user != self.bot_user_id:
            return not_ours
        return message

    async def _update(self, args: dict[str, Any]) -> dict[str, Any]:
        message = self._own_message(args, "cant_update_message")
        if isinstance(message, str):
            return self._error(message)
        merged = dict(args)
        if "blocks" not in merged and message.blocks:
            merged["blocks"] = message.blocks  # Slack keeps the blocks an update leaves out
        error = self._check_message("chat.update", merged)
        if error:
            return self._error(error)
        message.update(args.get("text"), list(args["blocks"]) if "blocks" in args else None, self.now())
        return self._ok(channel=message.channel, ts=message.ts, text=message.text or "",
                        message=message.to_api(self.team_id))

    async def _post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        if isinstance(channel, str):
            return self._error(channel)
        user = str(args.get("user") or "")
        if user not in self.users:
            return self._error("user_not_in_channel")
        error = self._check_message("chat.postEphemeral", args)
        if error:
            return self._error(error)
        eph = Ephemeral(channel.id, self._ts(), args.get("text"), list(args.get("blocks") or []),
                        "chat.postEphemeral", self.now(), user=user)
        self.ephemerals.append(eph)
        return self._ok(message_ts=eph.ts)

    async def _delete(self, args: dict[str, Any]) -> dict[str, Any]:
        message = self._own_message(args, "cant_delete_message")
        if isinstance(message, str):
            return self._error(message)
        message.deleted = True
        self.deleted[message.ts] = self.messages.pop(message.ts)
        return self._ok(channel=message.channel, ts=message.ts)

    def _take_trigger(self, args: Mapping[str, Any]) -> tuple[str, str] | str:
        """(trigger, user) for a valid unused trigger_id, else the Slack error."""
        trigger = str(args.get("trigger_id") or "")
        entry = self._triggers.get(trigger)
        if entry is None:
            return "invalid_trigger_id"
        issued, user, used = entry
        if used:
            return "trigger_exchanged"
        if self.now() - issued > self.trigger_lifetime:
            self.violation(f"views: trigger_id used {self.now() - issued:.1f}s after the interaction "
                           f"(Slack: expired_trigger_id after {self.trigger_lifetime:.0f}s)")
            return "expired_trigger_id"
        self._triggers[trigger] = (issued, user, True)
        return trigger, user

    def _check_view(self, what: str, view: Any) -> list[str]:
        problems, policy = limits.check_view(view)
        for p in problems + policy:
            self.violation(f"{what}: {p}")
        return problems

    def _new_view(self, view: dict[str, Any], user: str, root_id: str | None) -> View:
        view_id = self._id("V")
        made = View(view_id, user, dict(view), self._id("h"), self.now(), root_id or view_id)
        self.views[view_id] = made
        return made

    def _view_body(self, view: View) -> dict[str, Any]:
        return self._ok(view=view.to_api(self.team_id, self.app_id, self.bot_id))

    async def _views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        taken = self._take_trigger(args)
        if isinstance(taken, str):
            return self._error(taken)
        problems = self._check_view("views.open", args.get("view"))
        if problems:
            return self._error("invalid_arguments", *problems)
        return self._view_body(self._new_view(args["view"], taken[1], None))

    async def _views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        view_id, external_id = args.get("view_id"), args.get("external_id")
        view = self.views.get(str(view_id)) if view_id else next(
            (v for v in self.views.values() if external_id and v.view.get("external_id") == external_id), None)
        if view is None or view.closed:
            return self._error("not_found")
        if args.get("hash") and args["hash"] != view.hash:
            return self._error("hash_conflict")
        problems = self._check_view("views.update", args.get("view"))
        if problems:
            return self._error("invalid_arguments", *problems)
        view.history.append(view.view)
        view.view = dict(args["view"])
        view.hash = self._id("h")
        return self._view_body(view)

    async def _views_push(self, args: dict[str, Any]) -> dict[str, Any]:
        taken = self._take_trigger(args)
        if isinstance(taken, str):
            return self._error(taken)
        user = taken[1]
        open_views = [v for v in self.views.values() if v.user == user and not v.closed]
        if not open_views:
            return self._error("not_found")
        root = open_views[-1].root_id
        if sum(1 for v in open_views if v.root_id == root) >= VIEW_STACK:
            return self._error("push_limit_reached")
        problems = self._check_view("views.push", args.get("view"))
        if problems:
            return self._error("invalid_arguments", *problems)
        return self._view_body(self._new_view(args["view"], user, root))

    async def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(str(args.get("user") or ""))
        if user is None:
            return self._error("user_not_found")
        include = str(args.get("include_locale", "")).lower() in ("true", "1")
        return self._ok(user=user.to_api(include_locale=include))

    async def _team_info(self, args: dict[str, Any]) -> dict[str, Any]:
        return self._ok(team={"id": self.team_id, "name": self.team_name, "domain": "loopback",
                              "email_domain": "", "icon": {"image_default": True}})

    async def _conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self.channels.get(str(args.get("channel") or ""))
        if channel is None:
            return self._error("channel_not_found")
        return self._ok(channel=channel.to_api())

    async def _upload_url(self, args: dict[str, Any]) -> dict[str, Any]:
        try:
            length = int(args.get("length") or 0)
        except ValueError:
            return self._error("invalid_arguments")
        if not args.get("filename") or length <= 0:
            return self._error("invalid_arguments")
        file = UploadedFile(self._id("F"), str(args["filename"]), length)
        self.files[file.id] = file
        return self._ok(upload_url=f"{self.base_url}/upload/{file.id}", file_id=file.id)

    async def _upload(self, request: web.Request) -> web.Response:
        file = self.files.get(request.match_info["id"])
        if file is None:
            return web.Response(status=404, text="not found")
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            part = next(iter(form.values()), b"")
            file.data = part.file.read() if hasattr(part, "file") else str(part).encode()
        else:
            file.data = await request.read()
        if len(file.data) != file.length:
            self.violation(f"upload {file.filename}: {len(file.data)} bytes, announced {file.length}")
        self._notify()
        return web.Response(text=f"OK - {len(file.data)}")

    async def _complete_upload(self, args: dict[str, Any]) -> dict[str, Any]:
        listed = args.get("files")
        if not isinstance(listed, list) or not listed:
            return self._error("invalid_arguments")
        done = []
        for entry in listed:
            file = self.files.get(str(entry.get("id")))
            if file is None or file.data is None:
                return self._error("file_not_found")
            file.title = entry.get("title") or file.filename
            file.channel = args.get("channel_id")
            file.initial_comment = args.get("initial_comment")
            file.completed = True
            done.append({"id": file.id, "name": file.filename, "title": file.title, "size": file.length})
        if args.get("initial_comment"):
            problems, policy, _ = limits.check_message({"text": args["initial_comment"]})
            for p in problems + policy:
                self.violation(f"files.completeUploadExternal initial_comment: {p}")
        return self._ok(files=done)

    # ------------------------------------------------------------------ response_url

    def _new_response_url(self, user: str, channel: str, envelope_id: str, kind: str,
                          source: Posted | None) -> ResponseUrl:
        url = ResponseUrl(self._id("R"), self.now(), user, channel, envelope_id, kind, source)
        self.response_urls[url.id] = url
        return url

    def response_url_for(self, url: ResponseUrl) -> str:
        return f"{self.base_url}/response/{url.id}"

    async def _response_url(self, request: web.Request) -> web.Response:
        url_id = request.match_info["id"]
        try:
            body = await request.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}

        def answer(status: int, text: str) -> web.Response:
            self.responses.append(Response(url_id, body, status, self.now(), url.envelope_id if url else None))
            self._notify()
            return web.Response(status=status, text=text)

        url = self.response_urls.get(url_id)
        if url is None:
            self.violation(f"response_url {url_id}: no such response_url")
            return answer(404, "invalid_url")
        digest = self._digest("response_url:" + url_id, body)
        self._check_retry("response_url", digest)
        rule = self._fault("response_url")
        if rule is not None:
            if rule.status == 429:
                resp = self._too_many("response_url", digest, rule.retry_after)
                self.responses.append(Response(url_id, body, 429, self.now(), url.envelope_id))
                return resp
            return answer(rule.status, "fatal_error")
        age = self.now() - url.created_at
        if age > self.response_url_lifetime:
            self.violation(f"response_url {url_id}: used {age / 60:.0f} min after it was issued "
                           f"(Slack: expired after {self.response_url_lifetime / 60:.0f} min)")
            return answer(404, "expired_url")
        if url.uses >= self.response_url_uses:
            self.violation(f"response_url {url_id}: used more than {self.response_url_uses} times")
            return answer(404, "used_url")
        url.uses += 1
        error = self._check_message("response_url", body)
        if error:
            return answer(400, error)
        self._apply_response(url, body)
        return answer(200, "ok")

    def _apply_response(self, url: ResponseUrl, body: dict[str, Any]) -> None:
        source = url.source
        if body.get("delete_original") in (True, "true"):
            if source is None:
                self.violation(f"response_url {url.id}: delete_original with no original message")
            elif isinstance(source, Message):
                source.deleted = True
                self.deleted[source.ts] = self.messages.pop(source.ts, source)
            else:
                source.deleted = True
            return
        text, blocks = body.get("text"), body.get("blocks")
        if body.get("replace_original") in (True, "true"):
            if source is None:
                self.violation(f"response_url {url.id}: replace_original with no original message")
                return
            if isinstance(source, Message) and self.forbid_replacing_channel_posts:
                self.violation(f"response_url {url.id}: a click's reply replaced the channel post {source.ts} "
                               "(replies to clicks are ephemeral, replace_original false)")
            source.update(text, list(blocks) if blocks is not None else [], self.now())
            return
        if body.get("response_type") == "in_channel":
            message = Message(url.channel, self._ts(), text, list(blocks or []), "response_url", self.now(),
                              envelope_id=url.envelope_id, user=self.bot_user_id, bot_id=self.bot_id)
            self.messages[message.ts] = message
            return
        self.ephemerals.append(Ephemeral(url.channel, self._ts(), text, list(blocks or []), "response_url",
                                         self.now(), envelope_id=url.envelope_id, user=url.user))

    # ------------------------------------------------------------------ Socket Mode

    async def _socket(self, request: web.Request) -> web.StreamResponse:
        if not str(request.query.get("ticket", "")).startswith("ticket-"):
            raise web.HTTPUnauthorized(text="invalid ticket")
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        conn = SocketConnection(len(self.connections) + 1, ws, self.now())
        self.connections.append(conn)
        await ws.send_str(json.dumps({
            "type": "hello", "num_connections": sum(1 for c in self.connections if not c.closed),
            "debug_info": {"host": "loopback", "build_number": 1, "approximate_connection_time": 18060},
            "connection_info": {"app_id": self.app_id},
        }))
        self._notify()
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    self._on_client_message(msg.data)
                elif msg.type == WSMsgType.ERROR:
                    break
        finally:
            conn.closed = True
            for envelope_id in list(conn.pending):
                pending = self._pending.get(envelope_id)
                if pending is not None:
                    self._settle(pending, None, None)
            self._notify()
        return ws

    def _on_client_message(self, data: str) -> None:
        try:
            message = json.loads(data)
        except ValueError:
            self.violation(f"socket: the client sent text that is not JSON: {data[:80]!r}")
            return
        envelope_id = message.get("envelope_id") if isinstance(message, dict) else None
        if not envelope_id:
            self.violation(f"socket: a message without envelope_id: {data[:80]!r}")
            return
        pending = self._pending.get(envelope_id)
        if pending is None:
            what = "a second ack" if envelope_id in self.acks else "an ack for an unknown envelope"
            self.violation(f"socket: {what} ({envelope_id})")
            return
        payload = message.get("payload")
        self._settle(pending, payload if isinstance(payload, dict) else None, self.now() - pending.sent_at)
        self._check_ack(pending, payload)

    def _settle(self, pending: Pending, payload: dict[str, Any] | None, elapsed: float | None) -> None:
        envelope = pending.envelope
        ack = Ack(envelope["envelope_id"], envelope["type"], payload, elapsed, pending.sent_at, envelope,
                  pending.user, pending.channel, pending.response_url_id)
        self._pending.pop(ack.envelope_id, None)
        pending.connection.pending.discard(ack.envelope_id)
        if elapsed is not None:
            self.acks[ack.envelope_id] = ack
        if not pending.future.done():
            pending.future.set_result(ack)
        self._notify()

    def _check_ack(self, pending: Pending, payload: Any) -> None:
        envelope = pending.envelope
        kind = envelope["type"]
        inner = envelope["payload"]
        if kind == "interactive" and inner.get("type") == "view_submission":
            self._apply_view_ack(inner, payload or {})
            return
        if not payload:
            return
        if kind == "slash_commands":
            error = self._check_message("slash command ack", payload)
            if error is None and (payload.get("text") or payload.get("blocks")):
                self._post_ack_reply(pending, payload)
        elif kind == "interactive" and inner.get("type") == "block_actions":
            self.violation("block_actions ack: Slack ignores an ack's payload for a click; "
                           "reply through response_url or chat.postEphemeral")
        elif kind == "interactive" and inner.get("type") == "block_suggestion":
            problems, policy = limits.check_options(payload)
            for p in problems + policy:
                self.violation(f"block_suggestion ack: {p}")
        elif kind == "interactive":
            self.violation(f"{inner.get('type')} ack: Slack ignores an ack's payload here")

    def _post_ack_reply(self, pending: Pending, payload: dict[str, Any]) -> None:
        text, blocks = payload.get("text"), list(payload.get("blocks") or [])
        envelope_id = pending.envelope["envelope_id"]
        if payload.get("response_type") == "in_channel":
            message = Message(pending.channel, self._ts(), text, blocks, "ack", self.now(), envelope_id=envelope_id,
                              user=self.bot_user_id, bot_id=self.bot_id)
            self.messages[message.ts] = message
        else:
            self.ephemerals.append(Ephemeral(pending.channel, self._ts(), text, blocks, "ack", self.now(),
                                             envelope_id=envelope_id, user=pending.user))

    def _apply_view_ack(self, inner: dict[str, Any], payload: dict[str, Any]) -> None:
        view = self.views.get(inner["view"]["id"])
        if view is None:
            return
        action = payload.get("response_action")
        if action == "errors":
            errors = payload.get("errors")
            ids = {b.get("block_id") for b in view.view.get("blocks") or [] if isinstance(b, dict)}
            if not isinstance(errors, dict) or not errors or not set(errors) <= ids:
                self.violation(f"view_submission ack: errors must name input block_ids of the view ({errors!r})")
            return
        if action in ("update", "push"):
            problems = self._check_view(f"view_submission ack ({action})", payload.get("view"))
            if problems:
                return
            if action == "update":
                view.history.append(view.view)
                view.view = dict(payload["view"])
            else:
                self._new_view(payload["view"], view.user, view.root_id)
            return
        if action == "clear":
            for v in self.views.values():
                if v.root_id == view.root_id:
                    v.closed = True
            return
        if action is not None:
            self.violation(f"view_submission ack: unknown response_action {action!r}")
        view.closed = True

    def open_connections(self) -> list[SocketConnection]:
        return [c for c in self.connections if not c.closed]

    async def wait_connected(self, timeout: float = 10.0, *, count: int = 1) -> SocketConnection:
        """Wait until the bot has `count` open Socket Mode connections; the newest one."""
        await self.wait_for(lambda: len(self.open_connections()) >= count, timeout=timeout,
                            what="a Socket Mode connection")
        return self.open_connections()[-1]

    async def disconnect_socket(self, *, reason: str = "refresh_requested", close_after: float | None = 1.0) -> None:
        """Tell every open connection to reconnect (`{"type": "disconnect"}`, as Slack does
        before it recycles a socket); the fake closes each one `close_after` seconds later if
        the client has not (None: never). Returns once the messages are sent."""
        conns = self.open_connections()
        for conn in conns:
            await conn.ws.send_str(json.dumps({"type": "disconnect", "reason": reason,
                                               "debug_info": {"host": "loopback"}}))
        if close_after is not None:
            async def close_later() -> None:
                await asyncio.sleep(close_after)
                for conn in conns:
                    if not conn.closed:
                        await conn.ws.close()

            task = asyncio.ensure_future(close_later())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def drop_sockets(self) -> None:
        """Close every open connection at once, without a disconnect message (a network cut)."""
        for conn in self.open_connections():
            await conn.ws.close()

    async def send_envelope(self, kind: str, payload: dict[str, Any], *, accepts_response_payload: bool,
                            user: str = "", channel: str = "", response_url_id: str | None = None,
                            envelope_id: str | None = None, timeout: float | None = None,
                            require_ack: bool = True) -> Ack:
        """Send one envelope on the newest connection and wait for its ack (NoAck when none came
        and `require_ack`; else an Ack with `elapsed_s` None). With `require_ack=False` and no
        bot connected, nothing is sent: the member's click fails at once, as on Slack."""
        envelope_id = envelope_id or self._id("env-")
        envelope = {"envelope_id": envelope_id, "type": kind, "accepts_response_payload": accepts_response_payload,
                    "payload": payload}
        if kind == "events_api":
            envelope.update({"retry_attempt": 0, "retry_reason": ""})
        if not require_ack and not self.open_connections():
            return Ack(envelope_id, kind, None, None, self.now(), envelope, user, channel, response_url_id)
        conn = await self.wait_connected(self.ack_timeout)
        future: asyncio.Future[Ack] = asyncio.get_running_loop().create_future()
        pending = Pending(envelope, self.now(), future, conn, user, channel, response_url_id)
        self._pending[envelope_id] = pending
        conn.pending.add(envelope_id)
        try:
            await conn.ws.send_str(json.dumps(envelope, ensure_ascii=False))
        except ConnectionError:
            self._settle(pending, None, None)
        wait = self.ack_timeout if timeout is None else timeout
        try:
            ack = await asyncio.wait_for(asyncio.shield(future), wait)
        except asyncio.TimeoutError:
            self._settle(pending, None, None)
            ack = future.result()
        if require_ack and not ack.acked:
            raise NoAck(f"{kind} envelope {envelope_id} was not acknowledged within {wait}s")
        return ack

    def _user(self, user_id: str) -> User:
        return self.users.get(user_id) or self.add_user(user_id)

    def _team(self) -> dict[str, Any]:
        return {"id": self.team_id, "domain": "loopback"}

    async def slash(self, command: str, text: str = "", *, user: str = "U1", channel: str = "C1",
                    timeout: float | None = None, require_ack: bool = True) -> Ack:
        """A member runs `command text` in `channel` (a slash_commands envelope)."""
        member = self._user(user)
        ch = self.channels.get(channel) or self.add_channel(channel, channel.lower())
        envelope_id = self._id("env-")
        url = self._new_response_url(user, ch.id, envelope_id, "slash_commands", None)
        payload = {
            "token": "loopback-verification", "team_id": self.team_id, "team_domain": "loopback",
            "channel_id": ch.id, "channel_name": ch.name, "user_id": member.id, "user_name": member.name,
            "command": command, "text": text, "api_app_id": self.app_id, "is_enterprise_install": "false",
            "response_url": self.response_url_for(url), "trigger_id": self.new_trigger_id(user),
        }
        return await self.send_envelope("slash_commands", payload, accepts_response_payload=True, user=user,
                                        channel=ch.id, response_url_id=url.id, envelope_id=envelope_id,
                                        timeout=timeout, require_ack=require_ack)

    def find_posted(self, ts: str) -> Posted | None:
        if ts in self.messages:
            return self.messages[ts]
        return next((e for e in self.ephemerals if e.ts == ts), None)

    async def click(self, ts_or_message: str | Posted, action_id: str, value: str | None = None, *,
                    user: str = "U1", channel: str | None = None, response_url: bool = True,
                    forged: bool = False, timeout: float | None = None, require_ack: bool = True) -> Ack:
        """A member clicks the element `action_id` of a message's CURRENT blocks (a button, or a
        static_select / overflow option `value`). `forged=True` sends it even when the message
        has no such element (or another value), as a hostile client could."""
        target = self.find_posted(ts_or_message) if isinstance(ts_or_message, str) else ts_or_message
        if target is None:
            raise ClickRefused(f"no message with ts {ts_or_message!r}")
        member = self._user(user)
        if not forged:
            if target.deleted:
                raise ClickRefused(f"message {target.ts} was deleted")
            if isinstance(target, Ephemeral) and target.user != user:
                raise ClickRefused(f"only {target.user} sees ephemeral {target.ts}")
        action = self._action(target, action_id, value, forged)
        ch_id = channel or target.channel
        envelope_id = self._id("env-")
        is_ephemeral = isinstance(target, Ephemeral)
        payload: dict[str, Any] = {
            "type": "block_actions", "user": member.ref(), "api_app_id": self.app_id,
            "token": "loopback-verification",
            "container": {"type": "message", "message_ts": target.ts, "channel_id": ch_id,
                          "is_ephemeral": is_ephemeral},
            "trigger_id": self.new_trigger_id(user), "team": self._team(), "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": ch_id, "name": self.channels[ch_id].name if ch_id in self.channels else ch_id},
            "state": {"values": {}}, "actions": [action],
        }
        if isinstance(target, Message):
            payload["message"] = target.to_api(self.team_id)
        url_id = None
        if response_url:
            url = self._new_response_url(user, ch_id, envelope_id, "block_actions", target)
            payload["response_url"] = self.response_url_for(url)
            url_id = url.id
        return await self.send_envelope("interactive", payload, accepts_response_payload=False, user=user,
                                        channel=ch_id, response_url_id=url_id, envelope_id=envelope_id,
                                        timeout=timeout, require_ack=require_ack)

    def _action(self, target: Posted, action_id: str, value: str | None, forged: bool) -> dict[str, Any]:
        action_ts = f"{time.time():.6f}"
        found = target.element(action_id)
        if found is None:
            if not forged:
                raise ClickRefused(f"message {target.ts} has no element {action_id!r} (has {target.action_ids()})")
            return {"type": "button", "action_id": action_id, "block_id": "forged", "value": value or "",
                    "text": {"type": "plain_text", "text": "?"}, "action_ts": action_ts}
        block_id, element = found
        kind = element.get("type")
        base = {"type": kind, "action_id": action_id, "block_id": block_id or "", "action_ts": action_ts}
        if kind == "button":
            if value is not None and value != element.get("value") and not forged:
                raise ClickRefused(f"button {action_id!r} carries {element.get('value')!r}, not {value!r}")
            return {**base, "text": element.get("text"), "value": element.get("value") if value is None else value,
                    **({"style": element["style"]} if "style" in element else {})}
        if kind in ("static_select", "overflow", "radio_buttons"):
            options = list(element.get("options") or [])
            for group in element.get("option_groups") or []:
                options += group.get("options") or []
            chosen = next((o for o in options if o.get("value") == value), None)
            if chosen is None:
                if not forged:
                    raise ClickRefused(f"{kind} {action_id!r} has no option {value!r}")
                chosen = {"text": {"type": "plain_text", "text": "?"}, "value": value or ""}
            return {**base, "selected_option": chosen}
        if not forged:
            raise ClickRefused(f"clicking a {kind} is not built in the fake")
        return {**base, "value": value}

    async def clicks_in_burst(self, target: str | Posted, clicks: Sequence[tuple[str, str]], *,
                              seconds: float = 1.0, timeout: float | None = None,
                              require_ack: bool = False, forged: bool = False) -> list[Ack]:
        """`clicks` = (user, action_id) pairs, their envelopes spread evenly over `seconds`,
        none waiting for another's ack. Returns the acks in the same order."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        step = seconds / max(1, len(clicks))

        async def one(i: int, user: str, action_id: str) -> Ack:
            delay = start + i * step - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            return await self.click(target, action_id, user=user, timeout=timeout, require_ack=require_ack,
                                    forged=forged)

        return list(await asyncio.gather(*(one(i, u, a) for i, (u, a) in enumerate(clicks))))

    def _open_view_with(self, action_id: str, user: str, view_id: str | None) -> View | None:
        for view in reversed(list(self.views.values())):
            if view.closed or view.user != user or (view_id is not None and view.id != view_id):
                continue
            if view.element(action_id) is not None:
                return view
        return None

    async def suggest(self, action_id: str, value: str, *, user: str = "U1", view_id: str | None = None,
                      timeout: float | None = None) -> Ack:
        """A member types `value` into the external_select `action_id` of a modal they have open
        (a block_suggestion envelope); the ack's payload carries the options."""
        member = self._user(user)
        view = self._open_view_with(action_id, user, view_id)
        if view is None:
            raise ClickRefused(f"{user} has no open modal with an element {action_id!r}")
        found = view.element(action_id)
        assert found is not None
        block_id, element = found
        if element.get("type") not in ("external_select", "multi_external_select"):
            raise ClickRefused(f"{action_id!r} is a {element.get('type')}, not an external_select")
        payload = {
            "type": "block_suggestion", "user": member.ref(), "container": {"type": "view", "view_id": view.id},
            "api_app_id": self.app_id, "token": "loopback-verification", "action_id": action_id,
            "block_id": block_id or "", "value": value, "team": self._team(), "enterprise": None,
            "is_enterprise_install": False, "view": view.to_api(self.team_id, self.app_id, self.bot_id),
        }
        return await self.send_envelope("interactive", payload, accepts_response_payload=True, user=user,
                                        timeout=timeout)

    def _state_values(self, view: View, values: Mapping[str, Any]) -> dict[str, Any]:
        """Slack's `view.state.values` from either that shape or {action_id: value}."""
        if all(isinstance(v, Mapping) for v in values.values()) and values:
            return dict(values)
        state: dict[str, dict[str, Any]] = {}
        for action_id, value in values.items():
            found = view.element(action_id)
            if found is None:
                raise ClickRefused(f"view {view.id} has no input {action_id!r}")
            block_id, element = found
            kind = element.get("type")
            if kind in ("static_select", "external_select"):
                entry = {"type": kind, "selected_option": {"text": {"type": "plain_text", "text": str(value)},
                                                           "value": str(value)}}
            else:
                entry = {"type": kind, "value": value}
            state.setdefault(block_id or "", {})[action_id] = entry
        return state

    async def submit_view(self, view_id: str, values: Mapping[str, Any], *, user: str = "U1",
                          timeout: float | None = None) -> Ack:
        """A member submits their open modal with `values` (a view_submission envelope)."""
        member = self._user(user)
        view = self.views.get(view_id)
        if view is None or view.closed or view.user != user:
            raise ClickRefused(f"{user} has no open modal {view_id}")
        api_view = view.to_api(self.team_id, self.app_id, self.bot_id)
        api_view["state"] = {"values": self._state_values(view, values)}
        payload = {"type": "view_submission", "team": self._team(), "user": member.ref(), "api_app_id": self.app_id,
                   "token": "loopback-verification", "trigger_id": self.new_trigger_id(user), "view": api_view,
                   "response_urls": [], "is_enterprise_install": False, "enterprise": None}
        return await self.send_envelope("interactive", payload, accepts_response_payload=True, user=user,
                                        timeout=timeout)

    async def shortcut(self, callback_id: str, *, user: str = "U1", timeout: float | None = None) -> Ack:
        """A member runs the global shortcut `callback_id` (its trigger_id can open a modal)."""
        member = self._user(user)
        payload = {"type": "shortcut", "token": "loopback-verification", "action_ts": f"{time.time():.6f}",
                   "team": self._team(), "user": member.ref(), "is_enterprise_install": False,
                   "enterprise": None, "callback_id": callback_id, "trigger_id": self.new_trigger_id(user)}
        return await self.send_envelope("interactive", payload, accepts_response_payload=False, user=user,
                                        timeout=timeout)

    def open_views(self, user: str | None = None) -> list[View]:
        return [v for v in self.views.values() if not v.closed and (user is None or v.user == user)]

    def channel_messages(self, channel: str | None = None) -> list[Message]:
        return [m for m in self.messages.values() if channel is None or m.channel == channel]

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        return [args for m, args in self.calls if m == method]


def readable(posts: Iterable[Posted]) -> str:
    """Every post's readable text, joined (for assertions over several replies)."""
    return "\n".join(p.readable() for p in posts)
