"""Communities: a study group's home on one chat platform, named by the platform and its own id.

A `Community` is a string of the form `platform:id` (`discord:1178…`, `slack:T024BE7LD`,
`console:local`), so it can be stored and compared as the text it is, and it never shares an id
with another platform's group: `discord:42` and `slack:42` are two communities. Users and
channels are the platform's ids as text, always read within their community.
"""

from __future__ import annotations

import re

PLATFORMS = ("discord", "slack", "console")
_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")


class Community(str):
    """`platform:id`, validated. Build with `Community.of(...)`, `Community.parse(...)` or
    `Community.discord(guild_id)`."""

    __slots__ = ()

    def __new__(cls, key: str) -> Community:
        platform, sep, ident = key.partition(":")
        if not sep or platform not in PLATFORMS or not _ID.fullmatch(ident):
            raise ValueError(f"{key!r} is not a community such as discord:123 or slack:T024BE7LD")
        return super().__new__(cls, key)

    @classmethod
    def of(cls, platform: str, ident: str | int) -> Community:
        return cls(f"{platform}:{ident}")

    @classmethod
    def discord(cls, guild_id: int | str | None) -> Community:
        """A Discord server; no server (a DM) is `discord:0`."""
        return cls(f"discord:{guild_id or 0}")

    @classmethod
    def discord_dm(cls, user_id: int | str) -> Community:
        """A user's direct messages with the bot: a personal community, `discord:dm.<user>`,
        that is on no server's board (practice there counts only for that user)."""
        return cls(f"discord:dm.{user_id}")

    @classmethod
    def parse(cls, text: str) -> Community:
        """`discord:ID`, `slack:TEAMID`, `console:NAME`, or a bare number meaning a Discord server
        (how scripts named a server before communities existed)."""
        text = text.strip()
        if text.isdigit():
            return cls.discord(int(text))
        return cls(text)

    @property
    def platform(self) -> str:
        return self.partition(":")[0]

    @property
    def id(self) -> str:
        return self.partition(":")[2]
