"""The fake Discord's world (users, guilds, channels, roles, stored messages) and the JSON
objects Discord would send for them, shaped as discord.py 2.7.1 parses them.

Also builds the `options`/`resolved` part of INTERACTION_CREATE from a synced command definition,
so a test cannot invoke a command or option the bot never synced, and values are typed per the
definition.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Iterable, Mapping

DISCORD_EPOCH_MS = 1420070400000

VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
SEND_TTS_MESSAGES = 1 << 12
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
ADD_REACTIONS = 1 << 6
USE_EXTERNAL_EMOJIS = 1 << 18
USE_APPLICATION_COMMANDS = 1 << 31
CREATE_PUBLIC_THREADS = 1 << 35
SEND_MESSAGES_IN_THREADS = 1 << 38
MANAGE_GUILD = 1 << 5
ADMINISTRATOR = 1 << 3
ALL_PERMISSIONS = (1 << 51) - 1
# Names for `FakeDiscord.set_bot_permissions(channel, deny={"EMBED_LINKS"})`.
PERMISSION_NAMES = MappingProxyType({
    "ADMINISTRATOR": ADMINISTRATOR,
    "MANAGE_GUILD": MANAGE_GUILD,
    "ADD_REACTIONS": ADD_REACTIONS,
    "VIEW_CHANNEL": VIEW_CHANNEL,
    "SEND_MESSAGES": SEND_MESSAGES,
    "MANAGE_MESSAGES": MANAGE_MESSAGES,
    "EMBED_LINKS": EMBED_LINKS,
    "ATTACH_FILES": ATTACH_FILES,
    "READ_MESSAGE_HISTORY": READ_MESSAGE_HISTORY,
    "MENTION_EVERYONE": MENTION_EVERYONE,
    "USE_EXTERNAL_EMOJIS": USE_EXTERNAL_EMOJIS,
    "USE_APPLICATION_COMMANDS": USE_APPLICATION_COMMANDS,
    "CREATE_PUBLIC_THREADS": CREATE_PUBLIC_THREADS,
    "SEND_MESSAGES_IN_THREADS": SEND_MESSAGES_IN_THREADS,
})
OVERWRITE_ROLE, OVERWRITE_MEMBER = 0, 1

EVERYONE_PERMISSIONS = (
    VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | ATTACH_FILES | READ_MESSAGE_HISTORY
    | ADD_REACTIONS | USE_EXTERNAL_EMOJIS | USE_APPLICATION_COMMANDS | CREATE_PUBLIC_THREADS
    | SEND_MESSAGES_IN_THREADS
)
ADMIN_PERMISSIONS = EVERYONE_PERMISSIONS | MANAGE_GUILD | MANAGE_MESSAGES
BOT_PERMISSIONS = (
    VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | ATTACH_FILES | READ_MESSAGE_HISTORY
    | ADD_REACTIONS | USE_EXTERNAL_EMOJIS | SEND_MESSAGES_IN_THREADS
)

TEXT_CHANNEL = 0
OPTION_STRING, OPTION_INTEGER, OPTION_BOOLEAN, OPTION_USER = 3, 4, 5, 6
OPTION_CHANNEL, OPTION_ROLE, OPTION_MENTIONABLE, OPTION_NUMBER, OPTION_ATTACHMENT = 7, 8, 9, 10, 11


class InteractionBuildError(ValueError):
    """The test asked for an interaction the synced commands do not allow."""


def permission_bits(names: Iterable[str]) -> int:
    """`{"EMBED_LINKS", "SEND_MESSAGES"}` as a permission bit set."""
    value = 0
    for name in names:
        try:
            value |= PERMISSION_NAMES[name.upper()]
        except KeyError:
            raise ValueError(f"unknown permission {name!r}; known: {sorted(PERMISSION_NAMES)}") from None
    return value


@dataclass
class Overwrite:
    """A channel permission overwrite for a role (type 0) or a member (type 1)."""

    id: str
    type: int
    allow: int = 0
    deny: int = 0

    def payload(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "allow": str(self.allow), "deny": str(self.deny)}


@dataclass
class Snowflakes:
    """Time-based, strictly increasing snowflake ids for one fake Discord."""

    worker: int = 1
    _increment: int = 0
    _last: int = 0

    def next(self) -> str:
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        self._increment = (self._increment + 1) & 0xFFF
        value = (ms << 22) | (self.worker << 17) | self._increment
        # Within one millisecond the 12-bit increment could wrap; keep ids strictly increasing.
        value = max(value, self._last + 1)
        self._last = value
        return str(value)

    def on_shard(self, shard: int, count: int) -> str:
        """The next id whose shard is `shard` of `count` (Discord's `(id >> 22) % count`): its
        timestamp moves forward to the next millisecond that falls on that shard."""
        value = int(self.next())
        ms = value >> 22
        ms += (shard - ms) % count
        value = max(value, (ms << 22) | (self.worker << 17) | self._increment)
        self._last = value
        return str(value)


def snowflake_time(snowflake: str | int) -> dt.datetime:
    ms = (int(snowflake) >> 22) + DISCORD_EPOCH_MS
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.timezone.utc)


def iso(moment: dt.datetime) -> str:
    return moment.isoformat()


@dataclass
class FakeUser:
    id: str
    username: str
    bot: bool = False
    global_name: str | None = None

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name or self.username,
            "avatar": None,
            "public_flags": 0,
        }
        if self.bot:
            data["bot"] = True
        return data


@dataclass
class FakeRole:
    id: str
    name: str
    permissions: int
    position: int = 0
    managed: bool = False

    def payload(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "managed": self.managed,
            "mentionable": False,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }


@dataclass
class FakeChannel:
    id: str
    guild_id: str
    name: str
    type: int = TEXT_CHANNEL
    position: int = 0
    topic: str | None = None
    # When set, the bot's permissions in this channel (e.g. to test missing permissions): sent as
    # app_permissions, enforced, and turned into a member overwrite in the gateway's payloads.
    bot_permissions: int | None = None
    overwrites: dict[str, Overwrite] = field(default_factory=dict)

    def payload(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "guild_id": self.guild_id,
            "name": self.name,
            "type": self.type,
            "position": self.position,
            "topic": self.topic,
            "nsfw": False,
            "parent_id": None,
            "permission_overwrites": [o.payload() for o in self.overwrites.values()],
            "rate_limit_per_user": 0,
            "last_message_id": None,
            "flags": 0,
        }


@dataclass
class FakeMember:
    user: FakeUser
    guild_id: str
    roles: list[str] = field(default_factory=list)
    joined_at: str = field(default_factory=lambda: iso(dt.datetime.now(dt.timezone.utc)))
    nick: str | None = None

    @property
    def id(self) -> str:
        return self.user.id

    @property
    def username(self) -> str:
        return self.user.username

    def payload(self, permissions: int | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "user": self.user.payload(),
            "roles": list(self.roles),
            "nick": self.nick,
            "avatar": None,
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
        }
        if permissions is not None:
            data["permissions"] = str(permissions)
        return data


@dataclass
class FakeGuild:
    id: str
    name: str
    owner_id: str
    preferred_locale: str = "en-US"
    roles: dict[str, FakeRole] = field(default_factory=dict)
    channels: dict[str, FakeChannel] = field(default_factory=dict)
    members: dict[str, FakeMember] = field(default_factory=dict)
    system_channel_id: str | None = None
    admin_role_id: str | None = None
    # The two people every test needs: `admin` has Manage Guild, `member` is plain.
    admin: FakeMember | None = None
    member: FakeMember | None = None

    @property
    def everyone(self) -> FakeRole:
        return self.roles[self.id]

    @property
    def text_channel(self) -> FakeChannel:
        """The first text channel that is not the system channel ("general")."""
        for channel in self.channels.values():
            if channel.type == TEXT_CHANNEL and channel.id != self.system_channel_id:
                return channel
        raise LookupError("the guild has no plain text channel")

    @property
    def system_channel(self) -> FakeChannel:
        assert self.system_channel_id is not None
        return self.channels[self.system_channel_id]

    def channel_named(self, name: str) -> FakeChannel:
        for channel in self.channels.values():
            if channel.name == name:
                return channel
        raise LookupError(f"no channel named {name!r} in {self.name!r}")

    def base_permissions(self, user_id: str) -> int:
        member = self.members.get(user_id)
        if member is None:
            raise LookupError(f"user {user_id} is not a member of {self.name!r}")
        if user_id == self.owner_id:
            return ALL_PERMISSIONS
        value = self.everyone.permissions
        for role_id in member.roles:
            value |= self.roles[role_id].permissions
        return ALL_PERMISSIONS if value & ADMINISTRATOR else value

    def channel_permissions(self, user_id: str, channel: FakeChannel) -> int:
        """Discord's computation: base permissions, then the channel's @everyone, role and
        member overwrites in that order; then the implicit denials: without Send Messages no
        Embed Links, Attach Files, Mention Everyone or TTS, and without View Channel nothing."""
        value = self.base_permissions(user_id)
        if value & ADMINISTRATOR:
            return ALL_PERMISSIONS
        everyone = channel.overwrites.get(self.id)
        if everyone is not None:
            value = (value & ~everyone.deny) | everyone.allow
        roles = self.members[user_id].roles
        allow = deny = 0
        for overwrite in channel.overwrites.values():
            if overwrite.type == OVERWRITE_ROLE and overwrite.id in roles:
                allow |= overwrite.allow
                deny |= overwrite.deny
        value = (value & ~deny) | allow
        mine = channel.overwrites.get(user_id)
        if mine is not None and mine.type == OVERWRITE_MEMBER:
            value = (value & ~mine.deny) | mine.allow
        if not value & SEND_MESSAGES:
            value &= ~(EMBED_LINKS | ATTACH_FILES | MENTION_EVERYONE | SEND_TTS_MESSAGES)
        return value if value & VIEW_CHANNEL else 0

    def guild_create_payload(self, joined_at: str) -> dict[str, Any]:
        return {
            **self.rest_payload(),
            "unavailable": False,
            "joined_at": joined_at,
            "large": False,
            "member_count": len(self.members),
            "members": [m.payload() for m in self.members.values()],
            "channels": [c.payload() for c in self.channels.values()],
            "threads": [],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }

    def rest_payload(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": self.owner_id,
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "roles": [r.payload() for r in self.roles.values()],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": self.system_channel_id,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": self.preferred_locale,
            "public_updates_channel_id": None,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
        }


@dataclass
class StoredMessage:
    """A message as the fake Discord holds it: what the bot sent, plus every later edit."""

    id: str
    channel_id: str
    guild_id: str | None
    author: dict[str, Any]
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    flags: int = 0
    attachments: list[dict[str, Any]] = field(default_factory=list)
    webhook_id: str | None = None
    application_id: str | None = None
    interaction_id: str | None = None
    edited_at: str | None = None
    deleted: bool = False
    # Earlier states, oldest first, as payload dicts.
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & (1 << 6))

    def apply(self, body: dict[str, Any], *, edited: bool) -> None:
        """Apply a create or edit body (fields absent in an edit stay as they were)."""
        if edited:
            self.history.append(self.payload())
            self.edited_at = iso(dt.datetime.now(dt.timezone.utc))
        if "content" in body:
            self.content = body["content"] or ""
        if "embeds" in body:
            self.embeds = [{"type": "rich", **e} for e in body["embeds"] or []]
        if "components" in body:
            self.components = list(body["components"] or [])
        if "flags" in body and body["flags"] is not None:
            # The ephemeral and loading flags cannot be changed by an edit.
            keep = self.flags & ((1 << 6) | (1 << 7)) if edited else 0
            self.flags = int(body["flags"]) | keep
        if "attachments" in body and body["attachments"] is not None:
            self.attachments = list(body["attachments"])

    def components_flat(self) -> list[dict[str, Any]]:
        return flat_components(self.components)

    def component(self, custom_id: str) -> dict[str, Any] | None:
        return next((c for c in self.components_flat() if c.get("custom_id") == custom_id), None)

    def custom_ids(self) -> list[str]:
        return [c["custom_id"] for c in self.components_flat() if "custom_id" in c and c.get("type") != 1]

    def buttons(self) -> list[dict[str, Any]]:
        return [c for c in self.components_flat() if c.get("type") == 2]

    def text(self) -> str:
        """Content and all embed text joined, for assertions on what a user would read."""
        parts = [self.content]
        for embed in self.embeds:
            parts += [embed.get("title") or "", embed.get("description") or ""]
            for f in embed.get("fields") or []:
                parts += [f.get("name") or "", f.get("value") or ""]
            parts.append((embed.get("footer") or {}).get("text") or "")
            parts.append((embed.get("author") or {}).get("name") or "")
        return "\n".join(p for p in parts if p)

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "type": 0 if self.interaction_id is None else 20,
            "channel_id": self.channel_id,
            "author": self.author,
            "content": self.content,
            "timestamp": iso(snowflake_time(self.id)),
            "edited_timestamp": self.edited_at,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": self.attachments,
            "embeds": self.embeds,
            "components": self.components,
            "pinned": False,
            "flags": self.flags,
        }
        if self.guild_id:
            data["guild_id"] = self.guild_id
        if self.webhook_id:
            data["webhook_id"] = self.webhook_id
        if self.application_id:
            data["application_id"] = self.application_id
        return data


def flat_components(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every component of a message, rows and containers included, depth first."""
    found: list[dict[str, Any]] = []

    def walk(items: list[dict[str, Any]]) -> None:
        for item in items:
            found.append(item)
            walk(item.get("components") or [])
            if item.get("accessory"):
                walk([item["accessory"]])

    walk(components)
    return found


def _find_option(options: list[dict[str, Any]], name: str, where: str) -> dict[str, Any]:
    for option in options:
        if option.get("name") == name:
            return option
    names = [o.get("name") for o in options]
    raise InteractionBuildError(f"{where} has no option {name!r}; synced options: {names}")


@dataclass
class OptionBuilder:
    """Turns keyword values into typed interaction options, per a synced definition.

    `resolve` maps a (type, value) pair for user/channel/role/mentionable options to
    (snowflake, resolved-section, resolved-entries) so the Namespace gets real objects.

    `checked=False` (a hostile client) keeps the option names and value types but skips the
    constraints Discord's client enforces (min/max length, choices, min/max value, channel
    types) and resolves channels, roles and users from any guild in `world`.
    """

    guild: FakeGuild
    checked: bool = True
    world: Mapping[str, FakeGuild] = field(default_factory=dict)

    def build(
        self,
        definition: dict[str, Any],
        path: tuple[str, ...],
        values: dict[str, Any],
        *,
        focused: str | None = None,
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        where = f"/{definition['name']}"
        options = definition.get("options") or []
        chain: list[dict[str, Any]] = []
        for part in path:
            option = _find_option(options, part, where)
            if option.get("type") not in (1, 2):
                raise InteractionBuildError(f"{where} {part!r} is not a subcommand or group")
            chain.append(option)
            where += f" {part}"
            options = option.get("options") or []
        if any(o.get("type") in (1, 2) for o in options):
            subs = [o["name"] for o in options]
            raise InteractionBuildError(f"{where} needs a subcommand, one of {subs}")
        resolved: dict[str, Any] = {}
        leaf: list[dict[str, Any]] = []
        for name, value in values.items():
            option = _find_option(options, name, where)
            is_focused = name == focused
            leaf.append(self._typed(option, value, where, is_focused, resolved))
        if focused is None:
            missing = [o["name"] for o in options if o.get("required") and o["name"] not in values]
            if missing:
                raise InteractionBuildError(f"{where} is missing required options {missing}")
        elif focused not in values:
            raise InteractionBuildError(f"{where}: the focused option {focused!r} needs a value")
        for option in reversed(chain):
            leaf = [{"name": option["name"], "type": option["type"], "options": leaf}]
        return leaf, resolved

    def _typed(
        self,
        option: dict[str, Any],
        value: Any,
        where: str,
        focused: bool,
        resolved: dict[str, Any],
    ) -> dict[str, Any]:
        kind = option["type"]
        name = option["name"]
        out: dict[str, Any] = {"name": name, "type": kind}
        if focused:
            if not option.get("autocomplete"):
                raise InteractionBuildError(f"{where} option {name!r} has no autocomplete")
            out["value"] = str(value)
            out["focused"] = True
            return out
        checked = self.checked
        if kind == OPTION_STRING:
            if not isinstance(value, str):
                raise InteractionBuildError(f"{where} {name}: expected str, got {value!r}")
            lo, hi = option.get("min_length", 0), option.get("max_length", 6000)
            if checked and not lo <= len(value) <= hi:
                raise InteractionBuildError(f"{where} {name}: length must be {lo}-{hi}")
        elif kind == OPTION_INTEGER:
            if not isinstance(value, int) or isinstance(value, bool):
                raise InteractionBuildError(f"{where} {name}: expected int, got {value!r}")
        elif kind == OPTION_NUMBER:
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise InteractionBuildError(f"{where} {name}: expected a number, got {value!r}")
        elif kind == OPTION_BOOLEAN:
            if not isinstance(value, bool):
                raise InteractionBuildError(f"{where} {name}: expected bool, got {value!r}")
        elif kind in (OPTION_USER, OPTION_CHANNEL, OPTION_ROLE, OPTION_MENTIONABLE):
            value = self._resolve(kind, value, where, option, resolved)
        else:
            raise InteractionBuildError(f"{where} {name}: option type {kind} is not supported")
        if checked and kind in (OPTION_INTEGER, OPTION_NUMBER):
            if "min_value" in option and value < option["min_value"]:
                raise InteractionBuildError(f"{where} {name}: below min_value {option['min_value']}")
            if "max_value" in option and value > option["max_value"]:
                raise InteractionBuildError(f"{where} {name}: above max_value {option['max_value']}")
        choices = option.get("choices")
        if checked and choices and value not in [c["value"] for c in choices]:
            raise InteractionBuildError(
                f"{where} {name}: {value!r} is not one of the choices {[c['value'] for c in choices]}"
            )
        out["value"] = value
        return out

    def _guilds(self) -> list[FakeGuild]:
        """Where values may come from: this guild, and (unchecked) every other guild too."""
        if self.checked:
            return [self.guild]
        return [self.guild, *(g for g in self.world.values() if g.id != self.guild.id)]

    def _resolve(self, kind: int, value: Any, where: str, option: dict[str, Any],
                 resolved: dict[str, Any]) -> str:
        name = option["name"]
        wanted = str(getattr(value, "id", value))
        for guild in self._guilds():
            channel = guild.channels.get(wanted)
            if channel is not None and (isinstance(value, FakeChannel) or kind == OPTION_CHANNEL):
                if kind != OPTION_CHANNEL:
                    raise InteractionBuildError(f"{where} {name}: a channel is not valid here")
                allowed_types = option.get("channel_types")
                if self.checked and allowed_types and channel.type not in allowed_types:
                    raise InteractionBuildError(
                        f"{where} {name}: channel type {channel.type} is not one of {allowed_types}")
                entry = {k: v for k, v in channel.payload().items()
                         if k in ("id", "name", "type", "topic", "nsfw", "parent_id", "position")}
                entry["permissions"] = str(guild.base_permissions(guild.owner_id))
                resolved.setdefault("channels", {})[channel.id] = entry
                return channel.id
            role = guild.roles.get(wanted)
            if role is not None:
                if kind not in (OPTION_ROLE, OPTION_MENTIONABLE):
                    raise InteractionBuildError(f"{where} {name}: a role is not valid here")
                resolved.setdefault("roles", {})[role.id] = role.payload()
                return role.id
            member = guild.members.get(wanted)
            if member is not None:
                if kind not in (OPTION_USER, OPTION_MENTIONABLE):
                    raise InteractionBuildError(f"{where} {name}: {value!r} is not a valid {kind=} value")
                resolved.setdefault("users", {})[wanted] = member.user.payload()
                member_entry = member.payload(guild.base_permissions(wanted))
                member_entry.pop("user")
                resolved.setdefault("members", {})[wanted] = member_entry
                return wanted
        if isinstance(value, (FakeChannel, FakeRole, FakeMember)):
            raise InteractionBuildError(f"{where} {name}: {value!r} is not in guild {self.guild.name!r} "
                                        "(pass unchecked=True to send it anyway)")
        raise InteractionBuildError(f"{where} {name}: {value!r} is not a valid {kind=} value")
