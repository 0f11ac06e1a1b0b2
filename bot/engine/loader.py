"""Load study notes from a Markdown file or a folder of them into `Notes`.

Each `.md` file becomes one deck. Loading never raises for bad content: a missing path, an empty
folder, a binary or non-UTF-8 file, unreadable front matter or a broken table each become a
`Problem` (`file:line: message`) while every other file still loads. Curated aliases
(`data/aliases.yaml`) are added to the terms the loaded notes define.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from bot.engine.aliases import apply_curated_index, index_curated_aliases, load_curated_aliases
from bot.engine.model import Deck, Entry, Notes, Problem, Severity
from bot.engine.parser import humanise_name, make_markdown, parse_note


def _error(path: str, message: str, line: int = 1) -> Problem:
    return Problem(path, line, message, Severity.ERROR)


def discover_notes(root: Path) -> list[Path]:
    """`root` itself when it is a file, else every `*.md` below it (hidden folders skipped), sorted."""
    if root.is_file():
        return [root]
    found = [
        p
        for p in root.rglob("*.md")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
    ]
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def read_note(path: Path, shown: str) -> tuple[str | None, Problem | None]:
    """The note's text, or a problem saying why it cannot be read as UTF-8 text."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, _error(shown, f"cannot read file: {exc.strerror or exc}")
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        return None, _error(shown, "binary file (NUL byte), not a Markdown note; skipped", line)
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start : exc.start + 1].hex()
        return None, _error(shown, f"not valid UTF-8 (byte 0x{byte}); save the note as UTF-8; skipped", line)


def _unique_name(name: str, relative: str, taken: set[str]) -> str:
    if name.casefold() not in taken:
        return name
    candidate = f"{name} ({relative})"
    counter = 2
    while candidate.casefold() in taken:
        candidate = f"{name} ({relative} {counter})"
        counter += 1
    return candidate


def load_notes(path: Path | str, *, aliases_file: Path | None = None) -> Notes:
    """Load a note file or a folder of notes (recursive `*.md`, sorted) into decks and problems."""
    root = Path(path)
    if not root.exists():
        return Notes(problems=(_error(str(root), "notes path does not exist"),))
    files = discover_notes(root)
    if not files:
        return Notes(problems=(_error(str(root), "no .md notes found"),))
    decks: list[Deck] = []
    problems: list[Problem] = []
    taken: set[str] = set()
    markdown = make_markdown()
    for file in files:
        shown = str(file) if file == root else str(root / file.relative_to(root))
        text, problem = read_note(file, shown)
        if text is None:
            problems.extend([problem] if problem is not None else [])
            continue
        deck, note_problems = parse_note(text, shown, default_name=humanise_name(file.stem), markdown=markdown)
        problems.extend(note_problems)
        name = _unique_name(deck.name, file.relative_to(root).as_posix() if file != root else file.name, taken)
        if name != deck.name:
            deck = _renamed(deck, name)
        taken.add(deck.name.casefold())
        if not deck.entries:
            problems.append(Problem(shown, 1, "no glossary entries found in this note", Severity.WARNING))
        decks.append(deck)
    if aliases_file is not None:
        decks, alias_problems = _with_curated_aliases(decks, Path(aliases_file))
        problems.extend(alias_problems)
    return Notes(decks=tuple(decks), problems=tuple(problems))


def _renamed(deck: Deck, name: str) -> Deck:
    """The deck under a new name, with entry ids and deck fields following it."""
    entries = tuple(
        dataclasses.replace(e, deck=name, id=Entry.make_id(name, e.term)) for e in deck.entries
    )
    tables = tuple(dataclasses.replace(t, deck=name) for t in deck.tables)
    return dataclasses.replace(deck, name=name, entries=entries, tables=tables)


def _with_curated_aliases(decks: list[Deck], aliases_file: Path) -> tuple[list[Deck], list[Problem]]:
    try:
        curated = load_curated_aliases(aliases_file)
    except OSError as exc:
        return decks, [Problem(str(aliases_file), 1, f"cannot read aliases file: {exc.strerror or exc}")]
    except ValueError as exc:
        return decks, [Problem(str(aliases_file), 1, f"aliases file ignored: {exc}")]
    by_key = index_curated_aliases(curated)
    return [dataclasses.replace(d, entries=apply_curated_index(d.entries, by_key)) for d in decks], []
