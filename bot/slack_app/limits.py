"""The one place that fits text to Slack's limits and makes it inert.

Every string the Slack front end puts into a message, a block, a button, an option or a modal
passes through a function here, as `bot/discord_app/limits.py` does for Discord. slack-sdk's
Block Kit models raise when an element is too long (and do not count blocks per message), so
clipping here is what keeps a long note from breaking a reply.

Inert text: Slack reads `<...>` as links and mentions (`<!channel>`, `<!here>`, `<@U123>`) and
`&` as the start of an entity, so every piece of text that did not come from the catalogue is
escaped (`&amp;`, `&lt;`, `&gt;`, as Slack's own formatting guide asks); clipping never cuts an
entity in half. Messages are sent with `link_names` off, so a bare `@here` stays text too.
Numbers: `../shared/docs/platform-limits.md` (slack_sdk 3.48 models, Block Kit reference).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TypeVar

MESSAGE_BLOCKS = 50
MODAL_BLOCKS = 100
SECTION_TEXT = 3000
SECTION_FIELDS = 10
FIELD_TEXT = 2000
HEADER_TEXT = 150
CONTEXT_ELEMENTS = 10
CONTEXT_TEXT = 2000
ACTIONS_ELEMENTS = 25
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
ACTION_ID = 255
BLOCK_ID = 255
OPTION_TEXT = 75
OPTION_VALUE = 150
OPTIONS = 100
PLACEHOLDER = 150
INPUT_LABEL = 2000
MODAL_TITLE = 24
MODAL_BUTTON = 24
PRIVATE_METADATA = 3000
MESSAGE_TEXT = 3000  # the notification text beside blocks: Slack truncates at 40,000, advises 4,000

ELLIPSIS = "…"
EMPTY = "—"  # where Slack needs at least one character
_SPACES = re.compile(r"\s+")
_ENTITY_TAIL = re.compile(r"&[a-z#0-9]{0,6}$")
# Direction overrides and invisible spaces: echoed back they can disguise or reorder text.
_DISGUISES = re.compile("[\u061c\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")

T = TypeVar("T")


def escape(text: str) -> str:
    """`&`, `<` and `>` as Slack's entities: no link, mention or broadcast can come out of it."""
    return _DISGUISES.sub("", text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, ending in "…" when something was cut, and never
    in the middle of an entity such as `&amp;`."""
    if len(text) <= max(limit, 0):
        return text
    if limit <= 1:
        return ELLIPSIS[: max(limit, 0)]
    return _ENTITY_TAIL.sub("", text[: limit - 1]).rstrip() + ELLIPSIS


def one_line(text: str, limit: int) -> str:
    """Whitespace (newlines included) collapsed to single spaces, then clipped."""
    return clip(_SPACES.sub(" ", text).strip(), limit)


def inert(text: str, limit: int = SECTION_TEXT) -> str:
    """Text from the notes or a member, escaped, then clipped (entity-safe)."""
    return clip(escape(text), limit)


def user_text(text: str, limit: int = 100) -> str:
    """Something a member typed, echoed back: one line, escaped, clipped."""
    return clip(escape(one_line(text, limit * 2)), limit)


def display_name(name: str, limit: int = 64) -> str:
    """A member's name in a list: one line, escaped, never a mention."""
    return user_text(name, limit) or EMPTY


def mrkdwn(text: str, limit: int = SECTION_TEXT) -> str:
    """A catalogue sentence (light Markdown, its fields already escaped) as Slack mrkdwn:
    `**bold**` becomes `*bold*`; clipped."""
    return clip(text.replace("**", "*"), limit) or EMPTY


def plain(text: str, limit: int) -> str:
    """Text for a plain_text object (header, button, option, modal title): one line, escaped,
    emphasis marks dropped, clipped, never empty."""
    return clip(escape(one_line(text.replace("**", ""), limit * 2)), limit) or EMPTY


def button_text(text: str) -> str:
    return plain(text, BUTTON_TEXT)


def header_text(text: str) -> str:
    return plain(text, HEADER_TEXT)


def option_text(text: str) -> str:
    return plain(text, OPTION_TEXT)


def modal_title(text: str) -> str:
    return plain(text, MODAL_TITLE)


def message_text(text: str) -> str:
    """The `text` beside blocks (notifications, screen readers): mrkdwn, clipped."""
    return mrkdwn(text, MESSAGE_TEXT)


def action_id(*parts: str) -> str:
    """`parts` joined with ":"; raises ValueError past 255 characters (ids are never cut)."""
    value = ":".join(parts)
    if not 1 <= len(value) <= ACTION_ID:
        raise ValueError(f"action_id must be 1-{ACTION_ID} characters, got {len(value)}")
    return value


def fits_value(value: str, limit: int = BUTTON_VALUE) -> bool:
    return len(value) <= limit


def first(items: Sequence[T] | Iterable[T], count: int) -> list[T]:
    """At most `count` items (blocks, elements, options, fields)."""
    return list(items)[: max(count, 0)]


def fit_blocks(blocks: Sequence[T], limit: int = MESSAGE_BLOCKS) -> list[T]:
    """At most `limit` blocks (50 in a message, 100 in a modal): the last ones are dropped, so a
    trailing actions block should be placed by the caller within the budget."""
    return list(blocks)[:limit]
