"""Command sync that runs only when the command tree changed (or when asked).

Discord limits command creation (200 a day per guild), so the bot never syncs blindly on start.
It hashes exactly the payload a sync would send (translations included) together with the
application's id and keeps the hash in the store's meta table, one key per scope:
`command_tree_hash:global` or `command_tree_hash:guild:<id>` for the development guild
(`DISCORD_DEV_GUILD`), where the global commands are copied and appear instantly.

The stored hash alone cannot see what happened on Discord's side (commands deleted elsewhere, a
token of another application): the bot also reads the commands Discord has for this application
in that scope (one GET) and syncs when their shape (type, name, options, contexts, default
permissions) differs from the tree's.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any, Protocol

import discord
from discord import app_commands

log = logging.getLogger(__name__)


class MetaStore(Protocol):
    async def get_meta(self, key: str) -> str | None: ...

    async def set_meta(self, key: str, value: str) -> None: ...


@dataclass(frozen=True)
class SyncOutcome:
    scope: str
    digest: str
    synced: bool
    commands: int


def scope_key(guild_id: int | None) -> str:
    return "command_tree_hash:global" if guild_id is None else f"command_tree_hash:guild:{guild_id}"


async def command_payload(tree: app_commands.CommandTree, guild: discord.abc.Snowflake | None) -> list[dict[str, Any]]:
    """What `tree.sync(guild=guild)` would send, in the same order."""
    commands = tree.get_commands(guild=guild)
    translator = tree.translator
    if translator is None:
        return [command.to_dict(tree) for command in commands]
    return [await command.get_translated_payload(tree, translator) for command in commands]


def payload_digest(payload: list[dict[str, Any]], scope: str, application_id: int | None = None) -> str:
    """A stable hash of a command payload for one application: independent of key order and of
    the process."""
    ordered = sorted(payload, key=lambda c: (c.get("type", 1), c.get("name", "")))
    text = json.dumps({"scope": scope, "application": str(application_id or ""), "commands": ordered},
                      sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _option_shape(option: dict[str, Any]) -> tuple[Any, ...]:
    children = tuple(sorted(_option_shape(o) for o in option.get("options") or ()))
    return (option.get("type", 1), option.get("name", ""), bool(option.get("required", False)), children)


def command_shape(commands: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """What must match between the tree and Discord, in fields Discord returns as they were
    sent: each command's type, name, options (names, types, required), contexts and default
    member permissions."""
    shape = []
    for command in commands:
        permissions = command.get("default_member_permissions")
        shape.append((
            command.get("type", 1), command.get("name", ""),
            tuple(sorted(_option_shape(o) for o in command.get("options") or ())),
            tuple(sorted(command.get("contexts") or ())),
            None if permissions is None else str(permissions),
        ))
    return sorted(shape)


async def discord_shape(tree: app_commands.CommandTree, guild: discord.abc.Snowflake | None) -> list[tuple[Any, ...]]:
    """The shape of the commands Discord has for this application in the scope (one GET)."""
    # The raw payloads: discord.py 2.7's AppCommand reads `contexts` back wrong (a command sent
    # with [0, 1] comes back as [0], one with [0] as []), so its models would always differ.
    client = tree.client
    application_id = client.application_id
    if application_id is None:  # pragma: no cover - set at login, before setup_hook
        return []
    if guild is None:
        found = await client.http.get_global_commands(application_id)
    else:
        found = await client.http.get_guild_commands(application_id, guild.id)
    return command_shape([dict(c) for c in found])


async def sync_commands(
    tree: app_commands.CommandTree,
    meta: MetaStore,
    *,
    dev_guild_id: int | None = None,
    force: bool = False,
) -> SyncOutcome:
    """Sync the tree when its payload differs from the last synced one, or when `force`d."""
    guild = discord.Object(id=dev_guild_id) if dev_guild_id is not None else None
    if guild is not None:
        tree.copy_global_to(guild=guild)
    scope = scope_key(dev_guild_id)
    payload = await command_payload(tree, guild)
    digest = payload_digest(payload, scope, tree.client.application_id)
    previous = await meta.get_meta(scope)
    if previous == digest and not force:
        if await discord_shape(tree, guild) == command_shape(payload):
            log.info("commands unchanged since the last sync (%s); not syncing", scope)
            return SyncOutcome(scope=scope, digest=digest, synced=False, commands=len(payload))
        log.info("Discord's commands for this application differ from the tree (%s); syncing", scope)
    synced = await tree.sync(guild=guild)
    await meta.set_meta(scope, digest)
    where = "globally" if guild is None else f"to guild {dev_guild_id}"
    log.info("synced %d commands %s", len(synced), where)
    return SyncOutcome(scope=scope, digest=digest, synced=True, commands=len(synced))
