"""Load study notes from a Markdown file or a folder of them into `Notes`.

Each `.md` file becomes one deck. Loading never raises for bad content: a missing path, an empty
folder, a binary or non-UTF-8 file, unreadable front matter or a broken table each become a
`Problem` (`file:line: message`) while every other file still loads. Curated aliases
(`data/aliases.yaml`) are added to the terms the loaded notes define.

A big folder is read and parsed by a small process pool; the result is the same as a serial load
(deck renaming, problems and curated aliases stay in the calling process, in file order).
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from markdown_it import MarkdownIt

from bot.engine.aliases import apply_curated_index, index_curated_aliases, load_curated_aliases
from bot.engine.gcpause import gc_paused
from bot.engine.model import Deck, Entry, Notes, Problem, Severity
from bot.engine.parser import humanise_name, make_markdown, parse_note

# Below this many files a pool costs more to start than it saves.
PARALLEL_MIN_FILES = 64
MAX_WORKERS = 4
# Batches per worker: enough to even out uneven notes, few enough to keep per-task overhead small.
_BATCHES_PER_WORKER = 16

_Parsed = tuple[Deck | None, list[Problem]]


# Past this a note still loads (parsing is linear) but is worth a warning: one deck this big
# makes an unwieldy quiz topic, and it is often pasted material rather than notes.
LARGE_NOTE_BYTES = 2_000_000


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


def load_notes(path: Path | str, *, aliases_file: Path | None = None, workers: int | None = None) -> Notes:
    """Load a note file or a folder of notes (recursive `*.md`, sorted) into decks and problems.

    `workers` caps the parsing processes, this one included (default: one per CPU up to
    MAX_WORKERS for folders of at least PARALLEL_MIN_FILES notes, else 1); 1 parses here only.
    """
    root = Path(path)
    if not root.exists():
        return Notes(problems=(_error(str(root), "notes path does not exist"),))
    files = discover_notes(root)
    if not files:
        return Notes(problems=(_error(str(root), "no .md notes found"),))
    jobs = [(file, str(file) if file == root else str(root / file.relative_to(root))) for file in files]
    decks: list[Deck] = []
    problems: list[Problem] = []
    taken: set[str] = set()
    with gc_paused():
        parsed = _parse_files(jobs, workers)
    for (file, shown), (deck, note_problems) in zip(jobs, parsed, strict=True):
        problems.extend(note_problems)
        if deck is None:
            continue
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


def _load_one(file: Path, shown: str, markdown: MarkdownIt) -> _Parsed:
    text, problem = read_note(file, shown)
    if text is None:
        return None, [problem] if problem is not None else []
    deck, problems = parse_note(text, shown, default_name=humanise_name(file.stem), markdown=markdown)
    size = file.stat().st_size
    if size > LARGE_NOTE_BYTES:
        problems = [Problem(shown, 1, f"large note ({size / 1e6:.1f} MB): it loads, but splitting it by "
                            "topic keeps decks and quiz topics easy to choose", Severity.WARNING),
                    *problems]
    return deck, problems


def _load_batch(jobs: Sequence[tuple[Path, str]]) -> list[_Parsed]:
    """Read and parse some notes with one tokenizer; runs in a pool worker."""
    markdown = make_markdown()
    with gc_paused():
        return [_load_one(file, shown, markdown) for file, shown in jobs]


def _parse_files(jobs: list[tuple[Path, str]], workers: int | None) -> list[_Parsed]:
    """`_load_batch` over every job, in a process pool when that pays off, results in job order."""
    if workers is None:
        workers = min(os.cpu_count() or 1, MAX_WORKERS) if len(jobs) >= PARALLEL_MIN_FILES else 1
    workers = max(1, min(workers, len(jobs)))
    if workers > 1:
        parsed = _parse_in_pool(jobs, workers)
        if parsed is not None:
            return parsed
    return _load_batch(jobs)


def _parse_in_pool(jobs: list[tuple[Path, str]], workers: int) -> list[_Parsed] | None:
    """The results of `workers - 1` pool processes and this one, or None when no pool can run here
    (no process support, a sandbox, a script without a `__main__` guard for the workers to import)."""
    # Not "fork": notes are reloaded inside the running bot, whose threads a fork would copy mid-state.
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    count = min(len(jobs), workers * _BATCHES_PER_WORKER)
    size, extra = divmod(len(jobs), count)
    batches = []
    start = 0
    for index in range(count):
        end = start + size + (index < extra)
        batches.append(jobs[start:end])
        start = end
    try:
        with ProcessPoolExecutor(workers - 1, mp_context=multiprocessing.get_context(method)) as pool:
            futures = [pool.submit(_load_batch, batch) for batch in batches]
            # This process parses too, from the last batch back, while no worker has started it.
            own: dict[int, list[_Parsed]] = {}
            for index in reversed(range(count)):
                if not futures[index].cancel():
                    break
                own[index] = _load_batch(batches[index])
            return [parsed for i, future in enumerate(futures) for parsed in (own[i] if i in own else future.result())]
    except (OSError, ImportError, NotImplementedError, BrokenProcessPool):
        return None


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
