"""Checks of outgoing Discord payloads against Discord's documented limits.

Every function returns a list of human-readable problems (empty when the payload is fine) so the
fake server can both collect them and answer like Discord would (400 Invalid Form Body).
The numbers come from `../shared/docs/platform-limits.md` beside the clone (Discord API docs snapshot c98d64b).
"""

from __future__ import annotations

import unicodedata
from typing import Any

CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
EMBED_FIELDS_MAX = 25
EMBED_FIELD_NAME_MAX = 256
EMBED_FIELD_VALUE_MAX = 1024
EMBED_FOOTER_MAX = 2048
EMBED_AUTHOR_MAX = 256
EMBED_TOTAL_MAX = 6000
ACTION_ROWS_MAX = 5
ROW_WIDTH_MAX = 5
BUTTON_LABEL_MAX = 80
CUSTOM_ID_MAX = 100
LINK_URL_MAX = 512
SELECT_OPTIONS_MAX = 25
SELECT_OPTION_TEXT_MAX = 100
SELECT_PLACEHOLDER_MAX = 150
COMPONENTS_V2_MAX = 40
MODAL_TITLE_MAX = 45
MODAL_COMPONENTS_MAX = 5
AUTOCOMPLETE_CHOICES_MAX = 25
CHOICE_NAME_MAX = 100
CHOICE_VALUE_MAX = 100
COMMAND_NAME_MAX = 32
COMMAND_DESCRIPTION_MAX = 100
COMMAND_OPTIONS_MAX = 25
COMMAND_CHOICES_MAX = 25
COMMAND_TOTAL_MAX = 8000
CHAT_INPUT_COMMANDS_MAX = 100

EPHEMERAL_FLAG = 1 << 6
COMPONENTS_V2_FLAG = 1 << 15

# From reference.mdx "Locales"; `ko` is Korean.
DISCORD_LOCALES = frozenset(
    {
        "id", "da", "de", "en-GB", "en-US", "es-ES", "es-419", "fr", "hr", "it", "lt", "hu",
        "nl", "no", "pl", "pt-BR", "ro", "fi", "sv-SE", "vi", "tr", "cs", "el", "bg", "ru",
        "uk", "hi", "th", "zh-CN", "ja", "zh-TW", "ko",
    }
)

BUTTON, SELECT_TYPES, TEXT_INPUT, ACTION_ROW = 2, frozenset({3, 5, 6, 7, 8}), 4, 1
LINK_STYLE, PREMIUM_STYLE = 5, 6
SUBCOMMAND, SUBCOMMAND_GROUP = 1, 2
OPTION_TYPES = frozenset(range(1, 12))


def _is_name_char(ch: str) -> bool:
    # The docs' regex is ^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$; Devanagari and Thai
    # blocks are tested by range because their combining marks are neither L nor N.
    if ch in "-_'":
        return True
    if unicodedata.category(ch)[0] in "LN":
        return True
    code = ord(ch)
    return 0x0900 <= code <= 0x097F or 0x0E00 <= code <= 0x0E7F


def check_command_name(name: Any, where: str) -> list[str]:
    """A CHAT_INPUT command, subcommand or option name: the docs' regex and lower case."""
    if not isinstance(name, str) or not name:
        return [f"{where}: name must be a non-empty string, got {name!r}"]
    problems = []
    if len(name) > COMMAND_NAME_MAX:
        problems.append(f"{where}: name {name!r} is longer than {COMMAND_NAME_MAX}")
    bad = sorted({ch for ch in name if not _is_name_char(ch)})
    if bad:
        problems.append(f"{where}: name {name!r} has characters outside the naming regex: {bad}")
    if name.lower() != name:
        problems.append(f"{where}: name {name!r} must be lower case")
    return problems


def _check_description(text: Any, where: str) -> list[str]:
    if not isinstance(text, str) or not 1 <= len(text) <= COMMAND_DESCRIPTION_MAX:
        return [f"{where}: description must be 1-{COMMAND_DESCRIPTION_MAX} characters, got {text!r}"]
    return []


def _check_localizations(obj: dict[str, Any], key: str, where: str, kind: str) -> list[str]:
    mapping = obj.get(key)
    if mapping is None:
        return []
    if not isinstance(mapping, dict):
        return [f"{where}: {key} must be an object"]
    problems = []
    for locale, text in mapping.items():
        here = f"{where} [{key}.{locale}]"
        if locale not in DISCORD_LOCALES:
            problems.append(f"{here}: {locale!r} is not a Discord locale")
        if kind == "name":
            problems.extend(check_command_name(text, here))
        elif kind == "description":
            problems.extend(_check_description(text, here))
        elif not isinstance(text, str) or not 1 <= len(text) <= CHOICE_NAME_MAX:
            problems.append(f"{here}: choice name must be 1-{CHOICE_NAME_MAX} characters")
    return problems


def _longest(obj: dict[str, Any], key: str) -> int:
    base = obj.get(key) or ""
    localized = obj.get(f"{key}_localizations") or {}
    return max([len(str(base))] + [len(str(v)) for v in localized.values()])


def command_size(defn: dict[str, Any]) -> int:
    """Characters counted toward the 8000 limit; only the longest localisation of each field."""
    total = _longest(defn, "name") + _longest(defn, "description")
    for option in defn.get("options") or []:
        total += command_size(option)
    for choice in defn.get("choices") or []:
        total += _longest(choice, "name") + len(str(choice.get("value", "")))
    return total


def _check_option(option: dict[str, Any], where: str, depth: int) -> list[str]:
    name = option.get("name")
    here = f"{where}.{name}"
    problems = check_command_name(name, here)
    problems += _check_description(option.get("description"), here)
    problems += _check_localizations(option, "name_localizations", here, "name")
    problems += _check_localizations(option, "description_localizations", here, "description")
    kind = option.get("type")
    if kind not in OPTION_TYPES:
        problems.append(f"{here}: unknown option type {kind!r}")
    choices = option.get("choices") or []
    if len(choices) > COMMAND_CHOICES_MAX:
        problems.append(f"{here}: {len(choices)} choices (max {COMMAND_CHOICES_MAX})")
    if choices and option.get("autocomplete"):
        problems.append(f"{here}: autocomplete and choices are mutually exclusive")
    for choice in choices:
        cname, value = choice.get("name"), choice.get("value")
        if not isinstance(cname, str) or not 1 <= len(cname) <= CHOICE_NAME_MAX:
            problems.append(f"{here}: choice name must be 1-{CHOICE_NAME_MAX} characters: {cname!r}")
        if isinstance(value, str) and len(value) > CHOICE_VALUE_MAX:
            problems.append(f"{here}: choice value longer than {CHOICE_VALUE_MAX}: {value[:40]!r}...")
        problems += _check_localizations(choice, "name_localizations", f"{here} choice", "choice")
    if kind in (SUBCOMMAND, SUBCOMMAND_GROUP):
        problems += _check_options(option.get("options") or [], here, depth + 1, kind)
    return problems


def _check_options(options: list[dict[str, Any]], where: str, depth: int, parent: int) -> list[str]:
    problems = []
    if len(options) > COMMAND_OPTIONS_MAX:
        problems.append(f"{where}: {len(options)} options (max {COMMAND_OPTIONS_MAX})")
    names = [o.get("name") for o in options]
    if len(set(names)) != len(names):
        problems.append(f"{where}: duplicate option names {names}")
    seen_optional = False
    for option in options:
        kind = option.get("type")
        if parent == SUBCOMMAND_GROUP and kind != SUBCOMMAND:
            problems.append(f"{where}: a subcommand group may only hold subcommands")
        if parent == SUBCOMMAND and kind in (SUBCOMMAND, SUBCOMMAND_GROUP):
            problems.append(f"{where}: a subcommand cannot nest {option.get('name')!r}")
        if kind not in (SUBCOMMAND, SUBCOMMAND_GROUP):
            if option.get("required"):
                if seen_optional:
                    problems.append(f"{where}: required option {option.get('name')!r} after an optional one")
            else:
                seen_optional = True
        problems += _check_option(option, where, depth)
    return problems


def check_command(defn: dict[str, Any]) -> list[str]:
    """One application command definition as sent to a bulk overwrite."""
    kind = defn.get("type", 1)
    where = f"command {defn.get('name')!r}"
    if kind in (2, 3):
        name = defn.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= COMMAND_NAME_MAX:
            return [f"{where}: context menu name must be 1-{COMMAND_NAME_MAX} characters"]
        if defn.get("description") not in (None, ""):
            return [f"{where}: context menus take an empty description"]
        return []
    problems = check_command_name(defn.get("name"), where)
    problems += _check_description(defn.get("description"), where)
    problems += _check_localizations(defn, "name_localizations", where, "name")
    problems += _check_localizations(defn, "description_localizations", where, "description")
    problems += _check_options(defn.get("options") or [], where, 0, 0)
    size = command_size(defn)
    if size > COMMAND_TOTAL_MAX:
        problems.append(f"{where}: total size {size} exceeds {COMMAND_TOTAL_MAX}")
    return problems


def check_command_set(defns: list[dict[str, Any]]) -> list[str]:
    """A whole bulk overwrite: each command plus per-scope counts and unique names."""
    problems: list[str] = []
    for defn in defns:
        problems += check_command(defn)
    slash = [d for d in defns if d.get("type", 1) == 1]
    if len(slash) > CHAT_INPUT_COMMANDS_MAX:
        problems.append(f"{len(slash)} slash commands in one scope (max {CHAT_INPUT_COMMANDS_MAX})")
    keys = [(d.get("type", 1), d.get("name")) for d in defns]
    if len(set(keys)) != len(keys):
        problems.append(f"duplicate command names in one scope: {sorted(k[1] for k in keys)}")
    return problems


def _embed_text_length(embed: dict[str, Any]) -> int:
    total = len(embed.get("title") or "") + len(embed.get("description") or "")
    for field in embed.get("fields") or []:
        total += len(field.get("name") or "") + len(field.get("value") or "")
    total += len((embed.get("footer") or {}).get("text") or "")
    total += len((embed.get("author") or {}).get("name") or "")
    return total


def check_embeds(embeds: list[dict[str, Any]]) -> list[str]:
    """Per-embed limits and the 6000-character total across all embeds of one message."""
    problems = []
    if len(embeds) > EMBEDS_MAX:
        problems.append(f"{len(embeds)} embeds (max {EMBEDS_MAX})")
    for i, embed in enumerate(embeds):
        where = f"embeds[{i}]"
        for key, limit in (("title", EMBED_TITLE_MAX), ("description", EMBED_DESCRIPTION_MAX)):
            if len(embed.get(key) or "") > limit:
                problems.append(f"{where}.{key} is {len(embed[key])} characters (max {limit})")
        fields = embed.get("fields") or []
        if len(fields) > EMBED_FIELDS_MAX:
            problems.append(f"{where} has {len(fields)} fields (max {EMBED_FIELDS_MAX})")
        for j, field in enumerate(fields):
            name, value = field.get("name") or "", field.get("value") or ""
            if not 1 <= len(name) <= EMBED_FIELD_NAME_MAX:
                problems.append(f"{where}.fields[{j}].name must be 1-{EMBED_FIELD_NAME_MAX} characters")
            if not 1 <= len(value) <= EMBED_FIELD_VALUE_MAX:
                problems.append(f"{where}.fields[{j}].value must be 1-{EMBED_FIELD_VALUE_MAX} characters")
        footer = (embed.get("footer") or {}).get("text") or ""
        if len(footer) > EMBED_FOOTER_MAX:
            problems.append(f"{where}.footer.text is {len(footer)} characters (max {EMBED_FOOTER_MAX})")
        author = (embed.get("author") or {}).get("name") or ""
        if len(author) > EMBED_AUTHOR_MAX:
            problems.append(f"{where}.author.name is {len(author)} characters (max {EMBED_AUTHOR_MAX})")
    total = sum(_embed_text_length(e) for e in embeds)
    if total > EMBED_TOTAL_MAX:
        problems.append(f"embeds total {total} characters (max {EMBED_TOTAL_MAX})")
    return problems


def _check_custom_id(component: dict[str, Any], where: str, seen: set[str]) -> list[str]:
    custom_id = component.get("custom_id")
    if not isinstance(custom_id, str) or not 1 <= len(custom_id) <= CUSTOM_ID_MAX:
        return [f"{where}.custom_id must be 1-{CUSTOM_ID_MAX} characters, got {str(custom_id)[:40]!r}"]
    if custom_id in seen:
        return [f"{where}.custom_id {custom_id!r} is not unique in the message"]
    seen.add(custom_id)
    return []


def _check_leaf(component: dict[str, Any], where: str, seen: set[str]) -> list[str]:
    problems = []
    kind = component.get("type")
    if kind == BUTTON:
        label = component.get("label") or ""
        if len(label) > BUTTON_LABEL_MAX:
            problems.append(f"{where}.label is {len(label)} characters (max {BUTTON_LABEL_MAX})")
        style = component.get("style")
        if style == LINK_STYLE:
            url = component.get("url") or ""
            if not 1 <= len(url) <= LINK_URL_MAX:
                problems.append(f"{where}.url must be 1-{LINK_URL_MAX} characters")
            if "custom_id" in component:
                problems.append(f"{where}: a link button has no custom_id")
        elif style != PREMIUM_STYLE:
            problems += _check_custom_id(component, where, seen)
    elif kind in SELECT_TYPES:
        problems += _check_custom_id(component, where, seen)
        options = component.get("options") or []
        if len(options) > SELECT_OPTIONS_MAX:
            problems.append(f"{where} has {len(options)} options (max {SELECT_OPTIONS_MAX})")
        for k, option in enumerate(options):
            for key in ("label", "value", "description"):
                if len(option.get(key) or "") > SELECT_OPTION_TEXT_MAX:
                    problems.append(f"{where}.options[{k}].{key} exceeds {SELECT_OPTION_TEXT_MAX}")
        if len(component.get("placeholder") or "") > SELECT_PLACEHOLDER_MAX:
            problems.append(f"{where}.placeholder exceeds {SELECT_PLACEHOLDER_MAX}")
        for key in ("min_values", "max_values"):
            if component.get(key, 1) > SELECT_OPTIONS_MAX:
                problems.append(f"{where}.{key} exceeds {SELECT_OPTIONS_MAX}")
    elif kind == TEXT_INPUT:
        problems += _check_custom_id(component, where, seen)
    return problems


def _count_components(components: list[dict[str, Any]]) -> int:
    total = 0
    for component in components:
        total += 1 + _count_components(component.get("components") or [])
        accessory = component.get("accessory")
        if accessory:
            total += 1
    return total


def check_components(components: list[dict[str, Any]], flags: int = 0) -> list[str]:
    """Legacy action rows (≤5 rows, row width 5, labels, unique custom_ids) or Components V2."""
    problems: list[str] = []
    seen: set[str] = set()
    if flags & COMPONENTS_V2_FLAG:
        count = _count_components(components)
        if count > COMPONENTS_V2_MAX:
            problems.append(f"{count} components (max {COMPONENTS_V2_MAX} with Components V2)")
        return problems
    if len(components) > ACTION_ROWS_MAX:
        problems.append(f"{len(components)} action rows (max {ACTION_ROWS_MAX})")
    for i, row in enumerate(components):
        where = f"components[{i}]"
        if row.get("type") != ACTION_ROW:
            problems.append(f"{where}: top-level components must be action rows (type 1)")
            continue
        children = row.get("components") or []
        if not children:
            problems.append(f"{where}: an action row needs at least one component")
        width = sum(ROW_WIDTH_MAX if c.get("type") in SELECT_TYPES else 1 for c in children)
        if width > ROW_WIDTH_MAX:
            problems.append(f"{where}: row width {width} (max {ROW_WIDTH_MAX} buttons or one select)")
        for j, child in enumerate(children):
            problems += _check_leaf(child, f"{where}.components[{j}]", seen)
    return problems


def check_allowed_mentions(payload: dict[str, Any]) -> list[str]:
    """Project policy: anything with text must say `allowed_mentions: {"parse": []}`."""
    has_text = bool(payload.get("content")) or bool(payload.get("embeds"))
    if not has_text:
        return []
    mentions = payload.get("allowed_mentions")
    if mentions is None:
        return ["allowed_mentions is missing (Discord would then parse mentions in the text)"]
    problems = []
    if mentions.get("parse") != []:
        problems.append(f"allowed_mentions.parse must be [], got {mentions.get('parse')!r}")
    for key in ("users", "roles"):
        if key in mentions:
            problems.append(f"allowed_mentions.{key} must be absent, got {mentions[key]!r}")
    if mentions.get("replied_user"):
        problems.append("allowed_mentions.replied_user must be false or absent")
    return problems


def check_message(payload: dict[str, Any], *, creating: bool) -> tuple[list[str], list[str]]:
    """(limit problems Discord would reject with 400, allowed_mentions policy problems)."""
    problems = []
    content = payload.get("content")
    if isinstance(content, str) and len(content) > CONTENT_MAX:
        problems.append(f"content is {len(content)} characters (max {CONTENT_MAX})")
    flags = int(payload.get("flags") or 0)
    embeds = payload.get("embeds") or []
    problems += check_embeds(embeds)
    components = payload.get("components") or []
    problems += check_components(components, flags)
    if flags & COMPONENTS_V2_FLAG and (content or embeds):
        problems.append("content and embeds cannot be used with the Components V2 flag")
    attachments = payload.get("attachments") or payload.get("files")
    if creating and not (content or embeds or components or attachments or payload.get("poll")
                         or payload.get("sticker_ids")):
        problems.append("Cannot send an empty message")
    return problems, check_allowed_mentions(payload)


def check_autocomplete(data: dict[str, Any]) -> list[str]:
    """Autocomplete result (callback type 8): ≤25 choices, name 1-100, string value ≤100."""
    choices = data.get("choices")
    if not isinstance(choices, list):
        return ["autocomplete result must carry a choices list"]
    problems = []
    if len(choices) > AUTOCOMPLETE_CHOICES_MAX:
        problems.append(f"{len(choices)} autocomplete choices (max {AUTOCOMPLETE_CHOICES_MAX})")
    for i, choice in enumerate(choices):
        name, value = choice.get("name"), choice.get("value")
        if not isinstance(name, str) or not 1 <= len(name) <= CHOICE_NAME_MAX:
            problems.append(f"choices[{i}].name must be 1-{CHOICE_NAME_MAX} characters: {str(name)[:40]!r}")
        if isinstance(value, str) and len(value) > CHOICE_VALUE_MAX:
            problems.append(f"choices[{i}].value exceeds {CHOICE_VALUE_MAX} characters")
        elif value is None:
            problems.append(f"choices[{i}] has no value")
    return problems


def check_modal(data: dict[str, Any]) -> list[str]:
    """Modal (callback type 9): title 1-45, custom_id 1-100, 1-5 top-level components."""
    problems = []
    title = data.get("title") or ""
    if not 1 <= len(title) <= MODAL_TITLE_MAX:
        problems.append(f"modal title must be 1-{MODAL_TITLE_MAX} characters")
    problems += _check_custom_id(data, "modal", set())
    components = data.get("components") or []
    if not 1 <= len(components) <= MODAL_COMPONENTS_MAX:
        problems.append(f"modal must have 1-{MODAL_COMPONENTS_MAX} components, got {len(components)}")
    return problems
