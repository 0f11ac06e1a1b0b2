"""The import graph keeps its floors: engine ← store ← application ← front ends, no arrow back up.

Read from the source with `ast`, so a lazy import inside a function counts as much as one at the
top. The entry point (`bot/cli.py`, `bot/__main__.py`) stands above everything: it starts the
front end a command asks for.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO_ROOT

BASE = {"bot.clock", "bot.errors", "bot.config", "bot.logs", "bot.community", "bot.shards"}
PLATFORM_LIBRARIES = {"discord", "slack_bolt", "slack_sdk", "rich", "aiohttp"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO_ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer(module: str) -> str:
    if module in BASE or module == "bot":
        return "base"
    for prefix, name in (("bot.engine", "engine"), ("bot.store", "store"), ("bot.app", "app"),
                         ("bot.present", "app"),  # pictures and exports: platform-free, beside the use cases
                         ("bot.console", "console"), ("bot.discord_app", "discord"), ("cogs", "discord"),
                         ("bot.slack_app", "slack"), ("bot.cli", "entry"), ("bot.runner", "entry"),
                         ("bot.__main__", "entry")):
        if module == prefix or module.startswith(prefix + "."):
            return name
    raise AssertionError(f"{module} belongs to no layer: add it to tests/test_layers.py")


FLOOR = {"base": 0, "engine": 1, "store": 2, "app": 3, "console": 4, "discord": 4, "slack": 4, "entry": 5}
FRONT_ENDS = ("console", "discord", "slack")


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def project_modules() -> dict[str, set[str]]:
    return {
        module_name(path): imports(path)
        for folder in ("bot", "cogs")
        for path in sorted((REPO_ROOT / folder).rglob("*.py"))
    }


def ours(name: str) -> bool:
    return name == "bot" or name.startswith(("bot.", "cogs"))


def test_no_import_goes_up_a_floor() -> None:
    upward = [
        f"{module} ({layer(module)}) imports {name} ({layer(name)})"
        for module, names in project_modules().items()
        for name in names
        if ours(name) and FLOOR[layer(name)] > FLOOR[layer(module)]
    ]
    assert upward == []


def test_no_front_end_imports_another() -> None:
    crossing = [
        f"{module} imports {name}"
        for module, names in project_modules().items()
        for name in names
        if ours(name) and layer(module) in FRONT_ENDS and layer(name) in FRONT_ENDS
        and layer(name) != layer(module)
    ]
    assert crossing == []


def test_front_ends_reach_the_application_not_the_store() -> None:
    reaching = [
        f"{module} imports {name}"
        for module, names in project_modules().items()
        for name in names
        if ours(name) and layer(module) in (*FRONT_ENDS, "entry") and layer(name) == "store"
    ]
    assert reaching == []


def test_only_front_ends_import_a_chat_platform_or_terminal_library() -> None:
    offenders = [
        f"{module} imports {name}"
        for module, names in project_modules().items()
        for name in names
        if name.split(".")[0] in PLATFORM_LIBRARIES and FLOOR[layer(module)] < FLOOR["console"]
    ]
    assert offenders == []


def test_the_layer_map_covers_every_module() -> None:
    assert {layer(module) for module in project_modules()} >= {"engine", "store", "app", "console", "discord", "slack"}
