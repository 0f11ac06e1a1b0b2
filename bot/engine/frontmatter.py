"""YAML front matter: split a note into its metadata block and its Markdown body.

Front matter is a `---` line at the very start of the note, YAML, and a closing `---` (or `...`)
line. The body keeps its own line numbering; `line_offset` is the number of source lines consumed
before it, so a body line `n` (0-based) is source line `n + line_offset + 1`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

_OPEN = "---"
_CLOSERS = ("---", "...")

# The common front matter (`title: Some_Name`, `tags: [a, b]`) read without YAML: a letter-led
# word with no `:`, `#` or quote-like indicator is a plain string in YAML unless it is one of the
# YAML 1.1 booleans or nulls below. Anything else goes through the YAML loader.
_WORD = r"[^\W\d_][\w-]*"
_SIMPLE_LINE = re.compile(
    rf"(?P<key>{_WORD}):(?: +(?:\[ *(?P<flow>{_WORD}(?: *, *{_WORD})*)? *\]|(?P<scalar>[^\W\d_][\w .,/()+&'-]*?)))? *"
)
_FLOW_SPLIT = re.compile(r" *, *")
_TOP_KEY = re.compile(r"(?P<key>[^\s#:'\"-][^:\n]*?):(?:\s|$)")
_RESOLVED_WORDS = frozenset(
    "yes Yes YES no No NO true True TRUE false False FALSE on On ON off Off OFF null Null NULL".split()
)


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """The parsed metadata (empty when absent or unreadable), the body and where the body starts."""

    meta: dict[str, Any] = field(default_factory=dict)
    body: str = ""
    line_offset: int = 0
    error: str | None = None
    key_lines: dict[str, int] = field(default_factory=dict)  # top-level key → 1-based source line

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, 1)

    @property
    def title(self) -> str | None:
        value = self.meta.get("title")
        if value is None:
            return None
        text = str(value).replace("_", " ").strip()
        return " ".join(text.split()) or None

    @property
    def tags(self) -> tuple[str, ...]:
        """`tags` and `categories`, as a list or a comma/space separated string, de-duplicated."""
        found: list[str] = []
        for key in ("tags", "categories", "category"):
            found.extend(_as_strings(self.meta.get(key)))
        seen: dict[str, None] = {}
        for tag in found:
            seen.setdefault(tag.lstrip("#"), None)
        return tuple(t for t in seen if t)


def _as_strings(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        parts = value.split(",") if "," in value else value.split()
        return [p.strip() for p in parts if p.strip()]
    if isinstance(value, (list, tuple, set)):
        return [str(v).strip() for v in value if v is not None and str(v).strip()]
    return [str(value)]


def split_front_matter(text: str) -> FrontMatter:
    """Separate a leading YAML block from the Markdown body; never raises.

    Without a closing line the leading `---` is a thematic break and the whole text is body.
    Unreadable YAML gives an empty `meta` and an `error` message; the body still loads.
    """
    if not text.startswith(_OPEN):
        return FrontMatter(body=text)
    first_newline = text.find("\n")
    if first_newline == -1 or text[:first_newline].rstrip() != _OPEN:
        return FrontMatter(body=text)
    position = first_newline + 1
    line_number = 1
    while position <= len(text):
        end = text.find("\n", position)
        line = text[position:] if end == -1 else text[position:end]
        line_number += 1
        if line.rstrip() in _CLOSERS:
            yaml_text = text[first_newline + 1 : position]
            body = "" if end == -1 else text[end + 1 :]
            meta, error = _load_yaml(yaml_text)
            lines = {m["key"]: number for number, m in enumerate(map(_TOP_KEY.match, yaml_text.split("\n")), 2) if m}
            return FrontMatter(meta=meta, body=body, line_offset=line_number, error=error, key_lines=lines)
        if end == -1:
            break
        position = end + 1
    return FrontMatter(body=text)


def _simple_mapping(yaml_text: str) -> dict[str, Any] | None:
    """What the YAML loader gives for `key: word words` / `key: [word, word]` lines, or None for anything else."""
    meta: dict[str, Any] = {}
    for line in yaml_text.split("\n"):
        if not line:
            continue
        match = _SIMPLE_LINE.fullmatch(line)
        if match is None:
            return None
        key, flow, scalar = match.group("key", "flow", "scalar")
        value: Any = None
        if flow is not None:
            value = _FLOW_SPLIT.split(flow)
        elif scalar is not None:
            value = [scalar]
        elif match.group()[len(key) + 1 :].strip():
            value = []  # `key: []`
        if key in _RESOLVED_WORDS or (value and not _RESOLVED_WORDS.isdisjoint(value)):
            return None
        if scalar is not None:
            value = scalar
        meta[key] = value
    return meta


def _load_yaml(yaml_text: str) -> tuple[dict[str, Any], str | None]:
    simple = _simple_mapping(yaml_text)
    if simple is not None:
        return simple, None
    # The C loader (when PyYAML was built with libyaml) is an order of magnitude faster.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        loaded = yaml.load(yaml_text, Loader=loader)  # noqa: S506 - a safe loader either way
    except yaml.YAMLError as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return {}, f"front matter is not valid YAML ({reason}); ignored"
    if loaded is None:
        return {}, None
    if not isinstance(loaded, dict):
        return {}, "front matter is not a YAML mapping; ignored"
    return {str(k): v for k, v in loaded.items()}, None


@dataclass(frozen=True, slots=True)
class GlossaryBlock:
    """A note's corrections to its own glossary, from front matter `glossary:`.

    `exclude` drops entries by any of their names, `include` names terms that must be entries (and
    are quizzed even when their rule is unsure), `aliases` adds names to terms, and `quiz_unsure`
    lets questions draw on unsure entries too.
    """

    exclude: tuple[str, ...] = ()
    include: tuple[str, ...] = ()
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    quiz_unsure: bool = False
    line: int = 1


_GLOSSARY_KEYS = ("exclude", "include", "aliases", "quiz_unsure")


def _string_list(value: Any) -> tuple[str, ...] | None:
    """A string or a list of strings (numbers allowed) as a tuple, None for anything else."""
    if isinstance(value, str):
        return (value,) if value.strip() else ()
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value):
        return tuple(str(v).strip() for v in value if str(v).strip())
    return None


def read_glossary_block(front: FrontMatter) -> tuple[GlossaryBlock, list[tuple[int, str]]]:
    """The `glossary:` block and its type errors as (line, message); a wrong part is ignored alone."""
    value = front.meta.get("glossary")
    line = front.line_of("glossary")
    if value is None:
        return GlossaryBlock(line=line), []
    if not isinstance(value, dict):
        return GlossaryBlock(line=line), [(line, "front matter `glossary:` must be a mapping "
                                                 "(exclude, include, aliases, quiz_unsure); ignored")]
    errors: list[tuple[int, str]] = []
    for key in value:
        if key not in _GLOSSARY_KEYS:
            errors.append((line, f"front matter `glossary: {key}` is not known (use {', '.join(_GLOSSARY_KEYS)}); ignored"))
    lists: dict[str, tuple[str, ...]] = {}
    for key in ("exclude", "include"):
        names = _string_list(value.get(key, []))
        if names is None:
            errors.append((line, f"front matter `glossary: {key}` must be a list of terms; ignored"))
        lists[key] = names or ()
    aliases: dict[str, tuple[str, ...]] = {}
    raw_aliases = value.get("aliases", {}) or {}
    if not isinstance(raw_aliases, dict):
        errors.append((line, "front matter `glossary: aliases` must map a term to its aliases; ignored"))
    else:
        for term, names in raw_aliases.items():
            parsed = _string_list(names)
            if parsed is None or not isinstance(term, str):
                errors.append((line, f"front matter `glossary: aliases: {term}` must be a term with a list of aliases; ignored"))
            else:
                aliases[term] = parsed
    quiz_unsure = value.get("quiz_unsure", False)
    if not isinstance(quiz_unsure, bool):
        errors.append((line, "front matter `glossary: quiz_unsure` must be true or false; ignored"))
        quiz_unsure = False
    return GlossaryBlock(lists["exclude"], lists["include"], aliases, quiz_unsure, line), errors
