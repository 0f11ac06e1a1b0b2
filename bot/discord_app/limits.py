"""The one place that fits text to Discord's limits.

Every string the bot puts into a message, an embed, a button label, a custom id or an autocomplete
choice passes through a function here. discord.py leaves almost all of these lengths to the API
(a 400 at send time), so clipping here is what keeps a long note from breaking a reply.
Numbers: `../shared/docs/platform-limits.md` beside the clone (Discord API docs snapshot c98d64b).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import discord
from discord import app_commands

CONTENT = 2000
EMBEDS = 10
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
AUTHOR = 256
EMBED_TOTAL = 6000
BUTTON_LABEL = 80
CUSTOM_ID = 100
CHOICES = 25
CHOICE_NAME = 100
CHOICE_VALUE = 100
COMMAND_DESCRIPTION = 100
FILENAME = 100

ELLIPSIS = "…"
EMPTY = "—"  # shown where Discord needs at least one character
_SPACES = re.compile(r"\s+")


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, ending in "…" when something was cut."""
    if limit <= 0:
        return ""
    if len(text) <= limit:
        return text
    if limit == 1:
        return ELLIPSIS
    return text[: limit - 1].rstrip() + ELLIPSIS


def one_line(text: str, limit: int) -> str:
    """Whitespace (newlines included) collapsed to single spaces, then clipped."""
    return clip(_SPACES.sub(" ", text).strip(), limit)


def required(text: str, limit: int) -> str:
    """Clipped, and never empty: Discord rejects an empty field name or value."""
    text = clip(text.strip(), limit)
    return text or EMPTY


def content(text: str) -> str:
    """Message content (2000)."""
    return clip(text, CONTENT)


def button_label(text: str) -> str:
    """A button label: one line, 1–80 characters."""
    return one_line(text, BUTTON_LABEL) or EMPTY


def command_description(text: str) -> str:
    """A command or option description (1–100)."""
    return one_line(text, COMMAND_DESCRIPTION) or EMPTY


# Direction overrides and invisible spaces: echoed back they can disguise or reorder the text
# around them. Joiners (U+200C, U+200D) stay, since emoji and some scripts need them.
_DISGUISES = re.compile("[\u061c\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")


def inert(text: str) -> str:
    """Text shown as typed, never as Markdown, a mention or a direction override."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(_DISGUISES.sub("", text)))


def user_text(text: str, limit: int = 100) -> str:
    """Something a user typed, echoed back: one line, clipped, made inert."""
    return inert(one_line(text, limit))


def title_text(text: str, limit: int = 100) -> str:
    """Something a user typed, echoed in an embed title, where Markdown is not rendered (so it
    is not escaped either): one line, clipped, never a mention or a direction override."""
    return discord.utils.escape_mentions(_DISGUISES.sub("", one_line(text, limit)))


def display_name(name: str, limit: int = 64) -> str:
    """A member's name in a list: one line, clipped, made inert (never a mention)."""
    return inert(one_line(name, limit)) or EMPTY


def custom_id(*parts: str) -> str:
    """`parts` joined with ":"; raises ValueError past 100 characters (ids must never be cut)."""
    value = ":".join(parts)
    if not 1 <= len(value) <= CUSTOM_ID:
        raise ValueError(f"custom_id must be 1-{CUSTOM_ID} characters, got {len(value)}")
    return value


def fits_custom_id(*parts: str) -> bool:
    return 1 <= len(":".join(parts)) <= CUSTOM_ID


def choice(name: str, value: str) -> app_commands.Choice[str]:
    """An autocomplete choice: name one line of 1–100 characters, value at most 100."""
    return app_commands.Choice(name=one_line(name, CHOICE_NAME) or EMPTY, value=value[:CHOICE_VALUE])


def choices(pairs: Iterable[tuple[str, str]]) -> list[app_commands.Choice[str]]:
    """At most 25 choices with distinct values (Discord shows duplicates as one)."""
    out: list[app_commands.Choice[str]] = []
    seen: set[str] = set()
    for name, value in pairs:
        item = choice(name, value)
        if item.value in seen:
            continue
        seen.add(item.value)
        out.append(item)
        if len(out) == CHOICES:
            break
    return out


def embed_length(embed: discord.Embed) -> int:
    """The characters of an embed that count towards the 6000 per message."""
    return len(embed)


def fit_embed(embed: discord.Embed, budget: int = EMBED_TOTAL) -> discord.Embed:
    """Clip every part of `embed` in place to its own limit and the whole to `budget`; returns it.

    When the total is still too long, the description is shortened first, then fields are
    dropped from the end, then the footer and the title are shortened.
    """
    if embed.title:
        embed.title = one_line(embed.title, EMBED_TITLE)
    if embed.description:
        embed.description = clip(embed.description, EMBED_DESCRIPTION)
    fields = [(f.name or "", f.value or "", f.inline) for f in embed.fields][:EMBED_FIELDS]
    embed.clear_fields()
    for name, value, inline in fields:
        embed.add_field(name=required(name, FIELD_NAME), value=required(value, FIELD_VALUE), inline=inline)
    if embed.footer.text:
        embed.set_footer(text=clip(embed.footer.text, FOOTER), icon_url=embed.footer.icon_url)
    if embed.author.name:
        embed.set_author(
            name=one_line(embed.author.name, AUTHOR), url=embed.author.url, icon_url=embed.author.icon_url
        )

    excess = len(embed) - budget
    if excess > 0 and embed.description:
        keep = max(len(embed.description) - excess, 0)
        embed.description = clip(embed.description, keep) or None
        excess = len(embed) - budget
    while excess > 0 and embed.fields:
        embed.remove_field(len(embed.fields) - 1)
        excess = len(embed) - budget
    if excess > 0 and embed.footer.text:
        keep = max(len(embed.footer.text) - excess, 0)
        embed.set_footer(text=clip(embed.footer.text, keep) or None)
        excess = len(embed) - budget
    if excess > 0 and embed.author.name:
        embed.remove_author()
        excess = len(embed) - budget
    if excess > 0 and embed.title:
        embed.title = clip(embed.title, max(len(embed.title) - excess, 1))
    return embed


def fit_embeds(embeds: Iterable[discord.Embed]) -> list[discord.Embed]:
    """At most 10 embeds whose combined length stays within 6000."""
    out: list[discord.Embed] = []
    remaining = EMBED_TOTAL
    for embed in list(embeds)[:EMBEDS]:
        if remaining <= 0:
            break
        fit_embed(embed, budget=remaining)
        remaining -= len(embed)
        out.append(embed)
    return out
