"""Slack's limits on what a bot sends, checked the way Slack checks them.

Every function returns a list of problems (plain sentences naming the path of the offending
field); an empty list means Slack would take the payload. `check_message` is for
chat.postMessage / chat.update / chat.postEphemeral / response_url bodies / slash-command ack
payloads, `check_view` for views.open / update / push and view_submission `response_action`s,
`check_options` for a block_suggestion ack. The figures are those of slack_sdk 3.48's models
and Slack's Block Kit reference (see /work/shared/docs/platform-limits.md, section 2); where
Slack has a limit slack_sdk does not check (50 blocks a message, action_ids unique within a
message, 40,000 characters of text) it is checked here too.

Besides Slack's own limits, the project's rule that the bot never pings is checked here: an
unescaped `<!channel>`, `<!here>`, `<!everyone>`, `<!subteam^…>` or `<@U…>` in any text the bot
sends, `link_names` true or `parse: "full"`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
TEXT_MAX = 40_000
TEXT_WARN = 4_000
SECTION_TEXT = 3000
SECTION_FIELDS = 10
SECTION_FIELD_TEXT = 2000
HEADER_TEXT = 150
MARKDOWN_BLOCK_TEXT = 12_000
CONTEXT_ELEMENTS = 10
ACTIONS_ELEMENTS = 25
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
BUTTON_URL = 3000
ACTION_ID = 255
BLOCK_ID = 255
OPTION_TEXT = 75
OPTION_VALUE = 150
OPTION_DESCRIPTION = 75
SELECT_OPTIONS = 100
OVERFLOW_OPTIONS = (2, 5)
RADIO_OPTIONS = 10
PLACEHOLDER = 150
CONFIRM_TITLE = 100
CONFIRM_TEXT = 300
CONFIRM_BUTTON = 30
INPUT_LABEL = 2000
INPUT_HINT = 2000
VIEW_TITLE = 24
VIEW_BUTTON = 24
PRIVATE_METADATA = 3000
CALLBACK_ID = 255
EXTERNAL_ID = 255
PLAIN_TEXT_INPUT_MAX = 3000
IMAGE_URL = 3000
ALT_TEXT = 2000

# Text a bot must not send unescaped: each of these pings people in Slack (a user's text
# arrives with `<`, `>` and `&` as they typed them only once the bot unescapes it).
PING = re.compile(r"<!(?:channel|here|everyone|subteam\^)[^>]*>|<@[UW][A-Z0-9]*(?:\|[^>]*)?>")

TEXT_TYPES = frozenset({"plain_text", "mrkdwn"})
SELECT_TYPES = frozenset({
    "static_select", "external_select", "users_select", "conversations_select", "channels_select",
    "multi_static_select", "multi_external_select", "multi_users_select", "multi_conversations_select",
    "multi_channels_select",
})
INPUT_ONLY_ELEMENTS = frozenset({"plain_text_input", "number_input", "email_text_input", "url_text_input",
                                 "rich_text_input", "file_input"})
INTERACTIVE_ELEMENTS = SELECT_TYPES | INPUT_ONLY_ELEMENTS | frozenset({
    "button", "overflow", "datepicker", "timepicker", "datetimepicker", "checkboxes", "radio_buttons",
    "workflow_button",
})
SECTION_ACCESSORIES = (SELECT_TYPES | frozenset({"button", "overflow", "datepicker", "timepicker", "checkboxes",
                                                  "radio_buttons", "image", "workflow_button"}))
ACTIONS_ELEMENT_TYPES = INTERACTIVE_ELEMENTS - INPUT_ONLY_ELEMENTS
MESSAGE_BLOCK_TYPES = frozenset({"section", "divider", "header", "context", "actions", "image", "rich_text",
                                 "markdown", "video", "file", "input"})
VIEW_BLOCK_TYPES = MESSAGE_BLOCK_TYPES - {"markdown", "file"}


class Checker:
    """Collects problems while walking one payload; `ids` tracks action_ids and block_ids."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.policy: list[str] = []  # Slack takes these, the project does not (pings)
        self.action_ids: set[str] = set()
        self.block_ids: set[str] = set()

    def add(self, where: str, what: str) -> None:
        self.problems.append(f"{where}: {what}")

    def length(self, where: str, value: Any, limit: int, *, minimum: int = 0) -> None:
        if not isinstance(value, str):
            self.add(where, f"must be a string, got {type(value).__name__}")
        elif len(value) > limit:
            self.add(where, f"{len(value)} characters, more than {limit}")
        elif len(value) < minimum:
            self.add(where, f"must be at least {minimum} character(s)")

    def pings(self, where: str, text: Any) -> None:
        if isinstance(text, str):
            match = PING.search(text)
            if match:
                self.policy.append(f"{where}: unescaped mention {match.group(0)!r} would ping (escape user text)")

    def text_object(self, where: str, obj: Any, limit: int, *, plain_only: bool = False, minimum: int = 1) -> None:
        if not isinstance(obj, Mapping):
            self.add(where, "must be a text object {type, text}")
            return
        kind = obj.get("type")
        if kind not in TEXT_TYPES:
            self.add(f"{where}.type", f"{kind!r} is not plain_text or mrkdwn")
            return
        if plain_only and kind != "plain_text":
            self.add(f"{where}.type", "must be plain_text")
        if "emoji" in obj and kind != "plain_text":
            self.add(f"{where}.emoji", "only plain_text takes emoji")
        if "verbatim" in obj and kind != "mrkdwn":
            self.add(f"{where}.verbatim", "only mrkdwn takes verbatim")
        self.length(f"{where}.text", obj.get("text"), limit, minimum=minimum)
        self.pings(f"{where}.text", obj.get("text"))

    def action_id(self, where: str, element: Mapping[str, Any]) -> None:
        if "action_id" not in element:
            return  # Slack makes one up
        value = element["action_id"]
        self.length(f"{where}.action_id", value, ACTION_ID, minimum=1)
        if isinstance(value, str):
            if value in self.action_ids:
                self.add(f"{where}.action_id", f"{value!r} is used twice in one message or view")
            self.action_ids.add(value)

    def block_id(self, where: str, block: Mapping[str, Any]) -> None:
        if "block_id" not in block:
            return
        value = block["block_id"]
        self.length(f"{where}.block_id", value, BLOCK_ID, minimum=1)
        if isinstance(value, str):
            if value in self.block_ids:
                self.add(f"{where}.block_id", f"{value!r} is used twice")
            self.block_ids.add(value)

    def confirm(self, where: str, obj: Any) -> None:
        if not isinstance(obj, Mapping):
            self.add(where, "must be a confirm object")
            return
        self.text_object(f"{where}.title", obj.get("title"), CONFIRM_TITLE, plain_only=True)
        self.text_object(f"{where}.text", obj.get("text"), CONFIRM_TEXT)
        self.text_object(f"{where}.confirm", obj.get("confirm"), CONFIRM_BUTTON, plain_only=True)
        self.text_object(f"{where}.deny", obj.get("deny"), CONFIRM_BUTTON, plain_only=True)

    def option(self, where: str, obj: Any, *, plain_only: bool) -> None:
        if not isinstance(obj, Mapping):
            self.add(where, "must be an option object")
            return
        self.text_object(f"{where}.text", obj.get("text"), OPTION_TEXT, plain_only=plain_only)
        self.length(f"{where}.value", obj.get("value"), OPTION_VALUE, minimum=1)
        if "description" in obj:
            self.text_object(f"{where}.description", obj["description"], OPTION_DESCRIPTION, plain_only=plain_only)

    def options(self, where: str, options: Any, limit: int, *, plain_only: bool = True, minimum: int = 0) -> None:
        if not isinstance(options, list):
            self.add(where, "must be a list")
            return
        if len(options) > limit:
            self.add(where, f"{len(options)} options, more than {limit}")
        if len(options) < minimum:
            self.add(where, f"{len(options)} options, fewer than {minimum}")
        for i, opt in enumerate(options):
            self.option(f"{where}[{i}]", opt, plain_only=plain_only)

    def element(self, where: str, element: Any, allowed: frozenset[str]) -> None:
        if not isinstance(element, Mapping):
            self.add(where, "must be an element object")
            return
        kind = element.get("type")
        if kind not in allowed:
            self.add(f"{where}.type", f"{kind!r} is not allowed here")
            return
        if kind in INTERACTIVE_ELEMENTS:
            self.action_id(where, element)
        if "confirm" in element:
            self.confirm(f"{where}.confirm", element["confirm"])
        if "placeholder" in element:
            self.text_object(f"{where}.placeholder", element["placeholder"], PLACEHOLDER, plain_only=True)
        if kind == "button":
            self.text_object(f"{where}.text", element.get("text"), BUTTON_TEXT, plain_only=True)
            if "value" in element:
                self.length(f"{where}.value", element["value"], BUTTON_VALUE, minimum=1)
            if "url" in element:
                self.length(f"{where}.url", element["url"], BUTTON_URL, minimum=1)
            if element.get("style") not in (None, "primary", "danger"):
                self.add(f"{where}.style", f"{element.get('style')!r} is not primary or danger")
        elif kind in ("static_select", "multi_static_select"):
            has_options, has_groups = "options" in element, "option_groups" in element
            if has_options == has_groups:
                self.add(where, "needs exactly one of options and option_groups")
            if has_options:
                self.options(f"{where}.options", element["options"], SELECT_OPTIONS, minimum=1)
            if has_groups:
                self.option_groups(f"{where}.option_groups", element["option_groups"])
        elif kind in ("external_select", "multi_external_select"):
            if "min_query_length" in element and not isinstance(element["min_query_length"], int):
                self.add(f"{where}.min_query_length", "must be an integer")
        elif kind == "overflow":
            low, high = OVERFLOW_OPTIONS
            self.options(f"{where}.options", element.get("options"), high, minimum=low)
        elif kind in ("radio_buttons", "checkboxes"):
            self.options(f"{where}.options", element.get("options"), RADIO_OPTIONS, plain_only=False, minimum=1)
        elif kind == "plain_text_input":
            for key in ("min_length", "max_length"):
                if key in element and (not isinstance(element[key], int) or element[key] > PLAIN_TEXT_INPUT_MAX):
                    self.add(f"{where}.{key}", f"must be an integer up to {PLAIN_TEXT_INPUT_MAX}")
        elif kind == "image":
            self.length(f"{where}.alt_text", element.get("alt_text"), ALT_TEXT, minimum=1)
            if "image_url" in element:
                self.length(f"{where}.image_url", element["image_url"], IMAGE_URL, minimum=1)

    def option_groups(self, where: str, groups: Any) -> None:
        if not isinstance(groups, list) or not groups:
            self.add(where, "must be a non-empty list")
            return
        if len(groups) > SELECT_OPTIONS:
            self.add(where, f"{len(groups)} groups, more than {SELECT_OPTIONS}")
        for i, group in enumerate(groups):
            if not isinstance(group, Mapping):
                self.add(f"{where}[{i}]", "must be an option group")
                continue
            self.text_object(f"{where}[{i}].label", group.get("label"), OPTION_TEXT, plain_only=True)
            self.options(f"{where}[{i}].options", group.get("options"), SELECT_OPTIONS, minimum=1)

    def block(self, where: str, block: Any, *, in_view: bool) -> None:
        if not isinstance(block, Mapping):
            self.add(where, "must be a block object")
            return
        kind = block.get("type")
        allowed = VIEW_BLOCK_TYPES if in_view else MESSAGE_BLOCK_TYPES
        if kind not in allowed:
            self.add(f"{where}.type", f"{kind!r} is not a block type Slack takes here")
            return
        self.block_id(where, block)
        if kind == "section":
            if "text" not in block and "fields" not in block:
                self.add(where, "a section needs text or fields")
            if "text" in block:
                self.text_object(f"{where}.text", block["text"], SECTION_TEXT)
            if "fields" in block:
                fields = block["fields"]
                if not isinstance(fields, list) or not fields or len(fields) > SECTION_FIELDS:
                    self.add(f"{where}.fields", f"must be a list of 1 to {SECTION_FIELDS} text objects")
                else:
                    for i, f in enumerate(fields):
                        self.text_object(f"{where}.fields[{i}]", f, SECTION_FIELD_TEXT)
            if "accessory" in block:
                self.element(f"{where}.accessory", block["accessory"], SECTION_ACCESSORIES)
        elif kind == "header":
            self.text_object(f"{where}.text", block.get("text"), HEADER_TEXT, plain_only=True)
        elif kind == "markdown":
            self.length(f"{where}.text", block.get("text"), MARKDOWN_BLOCK_TEXT, minimum=1)
            self.pings(f"{where}.text", block.get("text"))
        elif kind == "context":
            elements = block.get("elements")
            if not isinstance(elements, list) or not elements or len(elements) > CONTEXT_ELEMENTS:
                self.add(f"{where}.elements", f"must be a list of 1 to {CONTEXT_ELEMENTS} elements")
                return
            for i, e in enumerate(elements):
                if isinstance(e, Mapping) and e.get("type") == "image":
                    self.element(f"{where}.elements[{i}]", e, frozenset({"image"}))
                else:
                    self.text_object(f"{where}.elements[{i}]", e, SECTION_TEXT)
        elif kind == "actions":
            elements = block.get("elements")
            if not isinstance(elements, list) or not elements or len(elements) > ACTIONS_ELEMENTS:
                self.add(f"{where}.elements", f"must be a list of 1 to {ACTIONS_ELEMENTS} elements")
                return
            for i, e in enumerate(elements):
                self.element(f"{where}.elements[{i}]", e, ACTIONS_ELEMENT_TYPES)
        elif kind == "image":
            self.element(where, block, frozenset({"image"}))
            if "title" in block:
                self.text_object(f"{where}.title", block["title"], 2000, plain_only=True)
        elif kind == "input":
            if not in_view:
                self.add(where, "input blocks belong in modals")
            self.text_object(f"{where}.label", block.get("label"), INPUT_LABEL, plain_only=True)
            if "hint" in block:
                self.text_object(f"{where}.hint", block["hint"], INPUT_HINT, plain_only=True)
            self.element(f"{where}.element", block.get("element"), INTERACTIVE_ELEMENTS)

    def blocks(self, where: str, blocks: Any, limit: int, *, in_view: bool) -> None:
        if not isinstance(blocks, list):
            self.add(where, "must be a list of blocks")
            return
        if len(blocks) > limit:
            self.add(where, f"{len(blocks)} blocks, more than {limit}")
        for i, b in enumerate(blocks):
            self.block(f"{where}[{i}]", b, in_view=in_view)


def check_message(args: Mapping[str, Any]) -> tuple[list[str], list[str], list[str]]:
    """(problems, policy, warnings) for a message body: `text`, `blocks`, `link_names`, `parse`,
    and for response_url bodies `response_type`. Slack refuses a message with a problem; it
    takes one breaking the project's policy (a ping), which is still a violation."""
    c = Checker()
    warnings: list[str] = []
    text, blocks = args.get("text"), args.get("blocks")
    if text is None and not blocks and not args.get("attachments"):
        c.add("text", "no text and no blocks (Slack: no_text)")
    if text is not None:
        if not isinstance(text, str):
            c.add("text", "must be a string")
        else:
            if len(text) > TEXT_MAX:
                c.add("text", f"{len(text)} characters, more than {TEXT_MAX} (Slack truncates: msg_too_long)")
            elif len(text) > TEXT_WARN:
                warnings.append(f"text: {len(text)} characters, more than the {TEXT_WARN} Slack recommends")
            c.pings("text", text)
    if blocks is not None:
        c.blocks("blocks", blocks, MESSAGE_BLOCKS, in_view=False)
    if _truthy(args.get("link_names")):
        c.policy.append("link_names: true turns @names into pings; the bot never pings")
    if args.get("parse") == "full":
        c.policy.append("parse: 'full' turns @names and #channels into links and pings")
    if args.get("response_type") not in (None, "ephemeral", "in_channel"):
        c.add("response_type", f"{args.get('response_type')!r} is not ephemeral or in_channel")
    return c.problems, c.policy, warnings


def check_view(view: Any) -> tuple[list[str], list[str]]:
    """(problems, policy) for a view (modal) object."""
    c = Checker()
    if not isinstance(view, Mapping):
        return ["view: must be an object"], []
    if view.get("type") != "modal":
        c.add("view.type", f"{view.get('type')!r}: only modals are opened with views.open")
    c.text_object("view.title", view.get("title"), VIEW_TITLE, plain_only=True)
    for key in ("submit", "close"):
        if key in view:
            c.text_object(f"view.{key}", view[key], VIEW_BUTTON, plain_only=True)
    for key, limit in (("private_metadata", PRIVATE_METADATA), ("callback_id", CALLBACK_ID),
                       ("external_id", EXTERNAL_ID)):
        if key in view:
            c.length(f"view.{key}", view[key], limit)
    blocks = view.get("blocks")
    c.blocks("view.blocks", blocks, VIEW_BLOCKS, in_view=True)
    if isinstance(blocks, list) and "submit" not in view and any(
            isinstance(b, Mapping) and b.get("type") == "input" for b in blocks):
        c.add("view.submit", "a modal with input blocks needs a submit button")
    return c.problems, c.policy


def check_options(payload: Any) -> tuple[list[str], list[str]]:
    """(problems, policy) for a block_suggestion ack payload ({"options"} or {"option_groups"})."""
    c = Checker()
    if not isinstance(payload, Mapping):
        return ["payload: a block_suggestion ack needs {options} or {option_groups}"], []
    if "options" in payload:
        c.options("options", payload["options"], SELECT_OPTIONS)
    elif "option_groups" in payload:
        c.option_groups("option_groups", payload["option_groups"])
    else:
        c.add("payload", "a block_suggestion ack needs options or option_groups")
    return c.problems, c.policy


def action_elements(blocks: Iterable[Any]) -> Iterable[tuple[str | None, Mapping[str, Any]]]:
    """(block_id, element) for every interactive element in `blocks` (actions, section
    accessories, input elements)."""
    for block in blocks or ():
        if not isinstance(block, Mapping):
            continue
        block_id = block.get("block_id")
        candidates: list[Any] = []
        if block.get("type") == "actions":
            candidates = list(block.get("elements") or ())
        elif block.get("type") == "section" and "accessory" in block:
            candidates = [block["accessory"]]
        elif block.get("type") == "input":
            candidates = [block.get("element")]
        for e in candidates:
            if isinstance(e, Mapping) and e.get("type") in INTERACTIVE_ELEMENTS:
                yield block_id, e


def block_texts(blocks: Iterable[Any]) -> list[str]:
    """Every string a member can read in `blocks`, in order (for assertions)."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, Mapping):
            if node.get("type") in TEXT_TYPES and isinstance(node.get("text"), str):
                out.append(node["text"])
                return
            if node.get("type") == "markdown" and isinstance(node.get("text"), str):
                out.append(node["text"])
                return
            for key, value in node.items():
                if key not in ("action_id", "block_id", "value", "url", "type"):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(list(blocks or ()))
    return out


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() in ("true", "1")) or value == 1
