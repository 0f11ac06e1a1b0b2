"""What the fake Discord records, and the handles tests await to drive interactions.

`InteractionHandle` is what `FakeDiscord.slash/autocomplete/click/select` return: awaiting it
dispatches the INTERACTION_CREATE (once) and resolves to an `InteractionResult` holding every
request the bot made with that interaction's token, after the bot answered or the timeout passed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generator

from .payloads import StoredMessage

if TYPE_CHECKING:
    from .server import FakeDiscord

DEFAULT_TIMEOUT = 10.0
# After the answer arrives, keep collecting while the bot keeps sending (edits, followups).
DEFAULT_SETTLE = 0.15

INTERACTION_PING, INTERACTION_COMMAND, INTERACTION_COMPONENT = 1, 2, 3
INTERACTION_AUTOCOMPLETE, INTERACTION_MODAL = 4, 5
DEFERRED_TYPES = frozenset({5, 6})


@dataclass
class RecordedRequest:
    """One REST request as the fake saw it. The Authorization value is never kept."""

    seq: int
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    authorized: bool
    json: Any = None
    files: list[dict[str, Any]] = field(default_factory=list)
    status: int = 0
    response: Any = None
    at: float = 0.0  # event-loop time of arrival
    interaction_id: str | None = None  # the interaction whose token or id the path carries
    rate_limit_scope: str | None = None  # on a Discord-style 429: "user" or "global"

    def __str__(self) -> str:
        return f"#{self.seq} {self.method} {self.path} -> {self.status}"


@dataclass
class Violation:
    """A request that broke a documented limit, the mention policy or the protocol."""

    seq: int
    method: str
    path: str
    kind: str  # "limit", "mentions", "protocol", "unhandled"
    problem: str

    def __str__(self) -> str:
        return f"[{self.kind}] #{self.seq} {self.method} {self.path}: {self.problem}"


@dataclass
class InteractionRecord:
    id: str
    token: str
    type: int
    payload: dict[str, Any]
    channel_id: str
    guild_id: str | None
    dispatched_at: float | None = None
    created_at: float = 0.0  # on the fake's clock
    callback: RecordedRequest | None = None
    acknowledged: bool = False
    responses: list[RecordedRequest] = field(default_factory=list)
    original_message_id: str | None = None
    followup_ids: list[str] = field(default_factory=list)
    # A type 5 deferral whose "thinking…" message was not yet edited, followed up or deleted.
    awaiting_completion: bool = False


@dataclass
class InteractionResult:
    """Everything the bot sent for one interaction, and the messages as they are now."""

    record: InteractionRecord
    message: StoredMessage | None
    followup_messages: list[StoredMessage]

    @property
    def answered(self) -> bool:
        return self.record.callback is not None

    @property
    def acknowledged(self) -> bool:
        return self.record.acknowledged

    @property
    def callback_type(self) -> int | None:
        cb = self.record.callback
        return None if cb is None or not isinstance(cb.json, dict) else cb.json.get("type")

    @property
    def callback_data(self) -> dict[str, Any]:
        cb = self.record.callback
        if cb is None or not isinstance(cb.json, dict):
            return {}
        return cb.json.get("data") or {}

    @property
    def deferred(self) -> bool:
        return self.callback_type in DEFERRED_TYPES

    @property
    def requests(self) -> list[RecordedRequest]:
        return list(self.record.responses)

    @property
    def followups(self) -> list[dict[str, Any]]:
        return [r.json for r in self.record.responses if r.method == "POST" and "/webhooks/" in r.path]

    @property
    def edits(self) -> list[dict[str, Any]]:
        return [r.json for r in self.record.responses if r.method == "PATCH"]

    @property
    def errors(self) -> list[RecordedRequest]:
        """Requests of this interaction that the fake answered with a 4xx/5xx."""
        return [r for r in self.record.responses if r.status >= 400]

    @property
    def choices(self) -> list[dict[str, Any]]:
        """Autocomplete choices (callback type 8)."""
        return list(self.callback_data.get("choices") or []) if self.callback_type == 8 else []

    @property
    def ephemeral(self) -> bool:
        if self.message is not None:
            return self.message.ephemeral
        return bool(int(self.callback_data.get("flags") or 0) & (1 << 6))

    @property
    def content(self) -> str:
        return self.message.content if self.message else ""

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return self.message.embeds if self.message else []

    @property
    def components(self) -> list[dict[str, Any]]:
        return self.message.components if self.message else []

    @property
    def modal(self) -> dict[str, Any] | None:
        return self.callback_data if self.callback_type == 9 else None

    def text(self) -> str:
        """The original response's text plus every followup's, as a user would read them."""
        parts = [m.text() for m in [self.message, *self.followup_messages] if m is not None]
        return "\n".join(p for p in parts if p)

    def __str__(self) -> str:
        lines = [f"interaction {self.record.id} (type {self.record.type}) callback={self.callback_type}"]
        lines += [f"  {r}" for r in self.record.responses]
        return "\n".join(lines)


class InteractionHandle:
    """An interaction built from the synced commands; await it to send it and get the result."""

    def __init__(self, fake: FakeDiscord, record: InteractionRecord) -> None:
        self._fake = fake
        self.record = record
        self._sent = False

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def payload(self) -> dict[str, Any]:
        return self.record.payload

    async def send(self) -> None:
        """Dispatch INTERACTION_CREATE to the bot (only the first call does anything); while the
        bot's socket is down it waits in the session's buffer and arrives with the RESUME."""
        if not self._sent:
            self._sent = True
            await self._fake._dispatch_interaction(self.record)

    async def wait(
        self,
        timeout: float = DEFAULT_TIMEOUT,
        *,
        until: str = "answer",
        settle: float = DEFAULT_SETTLE,
    ) -> InteractionResult:
        """Send if needed, then wait for the bot, bounded by `timeout` seconds.

        until="callback": return as soon as the initial response arrived.
        until="answer" (default): after a deferral also wait for the first edit or followup.
        Then keep collecting while requests keep coming `settle` seconds apart.
        """
        await self.send()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        record = self.record

        def answered() -> bool:
            if record.callback is None:
                return False
            if until == "callback" or not record.acknowledged:
                return True
            if isinstance(record.callback.json, dict) and record.callback.json.get("type") in DEFERRED_TYPES:
                return any(r is not record.callback for r in record.responses)
            return True

        await self._fake.wait_for_interaction(record, answered, max(0.0, deadline - loop.time()))
        while record.callback is not None:
            seen = len(record.responses)
            remaining = min(settle, deadline - loop.time())
            if remaining <= 0:
                break
            changed = await self._fake.wait_for_interaction(
                record, lambda: len(record.responses) > seen, remaining
            )
            if not changed:
                break
        return self._fake._result(record)

    def __await__(self) -> Generator[Any, None, InteractionResult]:
        return self.wait().__await__()
