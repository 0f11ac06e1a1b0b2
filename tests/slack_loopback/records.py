"""What the loopback Slack keeps: members, channels, posted messages, ephemerals, response_url
bodies, modals, envelope acks. Plain dataclasses; `FakeSlack` (server.py) fills them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .limits import action_elements, block_texts


@dataclass
class User:
    """A workspace member as users.info describes them."""

    id: str
    team_id: str
    name: str
    locale: str | None = "en-US"
    is_admin: bool = False
    is_owner: bool = False
    tz: str = "Asia/Seoul"

    def to_api(self, *, include_locale: bool) -> dict[str, Any]:
        user: dict[str, Any] = {
            "id": self.id, "team_id": self.team_id, "name": self.name, "deleted": False,
            "real_name": self.name, "tz": self.tz, "tz_label": self.tz, "tz_offset": 32400,
            "is_admin": self.is_admin, "is_owner": self.is_owner, "is_primary_owner": False,
            "is_restricted": False, "is_ultra_restricted": False, "is_bot": False, "is_app_user": False,
            "profile": {"display_name": self.name, "real_name": self.name, "team": self.team_id},
        }
        if include_locale and self.locale is not None:
            user["locale"] = self.locale
        return user

    def ref(self) -> dict[str, Any]:
        """The `user` object of an interactive payload."""
        return {"id": self.id, "username": self.name, "name": self.name, "team_id": self.team_id}


@dataclass
class Channel:
    id: str
    name: str
    is_member: bool = True

    def to_api(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "is_channel": True, "is_group": False, "is_im": False,
                "is_private": False, "is_archived": False, "is_member": self.is_member, "is_general": False}


@dataclass
class Version:
    """An earlier state of a message (before a chat.update or a replace_original)."""

    text: str | None
    blocks: list[Any]
    at: float


@dataclass
class Posted:
    """Something a member sees: a channel message or an ephemeral one."""

    channel: str
    ts: str
    text: str | None
    blocks: list[Any]
    via: str  # "chat.postMessage", "chat.postEphemeral", "response_url", "ack"
    at: float
    history: list[Version] = field(default_factory=list)
    envelope_id: str | None = None  # the slash command / click it answers, when Slack knows
    deleted: bool = False

    def action_ids(self) -> list[str]:
        return [e["action_id"] for _, e in action_elements(self.blocks) if "action_id" in e]

    def elements(self) -> Iterator[tuple[str | None, Mapping[str, Any]]]:
        return iter(action_elements(self.blocks))

    def element(self, action_id: str) -> tuple[str | None, Mapping[str, Any]] | None:
        for block_id, e in action_elements(self.blocks):
            if e.get("action_id") == action_id:
                return block_id, e
        return None

    def readable(self) -> str:
        """The text and every string in the blocks, joined with newlines (for assertions)."""
        return "\n".join([self.text or "", *block_texts(self.blocks)])

    def update(self, text: str | None, blocks: list[Any] | None, at: float) -> None:
        self.history.append(Version(self.text, self.blocks, at))
        self.text = text
        if blocks is not None:
            self.blocks = blocks


@dataclass
class Message(Posted):
    """A channel message (the bot's, in `FakeSlack.messages` by ts)."""

    user: str = ""
    bot_id: str = ""
    thread_ts: str | None = None

    def to_api(self, team_id: str) -> dict[str, Any]:
        return {"type": "message", "subtype": None, "user": self.user, "bot_id": self.bot_id, "ts": self.ts,
                "text": self.text or "", "blocks": self.blocks, "team": team_id}


@dataclass
class Ephemeral(Posted):
    """An ephemeral message only `user` sees."""

    user: str = ""


@dataclass
class Response:
    """One POST to a response_url: its body and how the fake answered it."""

    url_id: str
    body: dict[str, Any]
    status: int
    at: float
    envelope_id: str | None = None


@dataclass
class ResponseUrl:
    """A response_url Slack handed out with a slash command or a click."""

    id: str
    created_at: float
    user: str
    channel: str
    envelope_id: str
    kind: str  # "slash_commands" or "block_actions"
    source: Posted | None = None  # the message clicked
    uses: int = 0


@dataclass
class View:
    """A modal a member has open (or had)."""

    id: str
    user: str
    view: dict[str, Any]
    hash: str
    opened_at: float
    root_id: str
    history: list[dict[str, Any]] = field(default_factory=list)
    closed: bool = False

    def element(self, action_id: str) -> tuple[str | None, Mapping[str, Any]] | None:
        for block_id, e in action_elements(self.view.get("blocks") or ()):
            if e.get("action_id") == action_id:
                return block_id, e
        return None

    def readable(self) -> str:
        title = (self.view.get("title") or {}).get("text", "")
        return "\n".join([title, *block_texts(self.view.get("blocks") or ())])

    def to_api(self, team_id: str, app_id: str, bot_id: str) -> dict[str, Any]:
        return {**self.view, "id": self.id, "team_id": team_id, "app_id": app_id, "bot_id": bot_id,
                "hash": self.hash, "root_view_id": self.root_id, "previous_view_id": None,
                "state": {"values": {}}, "private_metadata": self.view.get("private_metadata", ""),
                "callback_id": self.view.get("callback_id", "")}


@dataclass
class Ack:
    """How an envelope was acknowledged. `elapsed_s`: envelope sent -> ack received (None when
    no ack came: the connection closed or the wait ran out)."""

    envelope_id: str
    type: str
    payload: dict[str, Any] | None
    elapsed_s: float | None
    sent_at: float
    envelope: dict[str, Any] = field(repr=False, default_factory=dict)
    user: str = ""
    channel: str = ""
    response_url_id: str | None = None

    @property
    def acked(self) -> bool:
        return self.elapsed_s is not None

    def within(self, seconds: float = 3.0) -> bool:
        return self.elapsed_s is not None and self.elapsed_s <= seconds


@dataclass
class UploadedFile:
    id: str
    filename: str
    length: int
    data: bytes | None = None
    title: str | None = None
    channel: str | None = None
    initial_comment: str | None = None
    completed: bool = False
