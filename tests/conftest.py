"""Shared fixtures: paths to the default deck and the shared corpus, a parsed default deck,
its glossary, and a temporary database file per test."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["tests.loopback.fixtures", "tests.slack_loopback.fixtures"]

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_NOTES = REPO_ROOT / "data" / "notes"
DEFAULT_DECK = DEFAULT_NOTES / "cloud-native-fundamentals.md"
ALIASES_FILE = REPO_ROOT / "data" / "aliases.yaml"


def _main_clone(repo: Path) -> Path:
    """The main clone of a `git worktree` (its `.git` is a file naming `<main>/.git/worktrees/<name>`), else `repo`."""
    marker = repo / ".git"
    if marker.is_file():
        text = marker.read_text(encoding="utf-8").strip()
        if text.startswith("gitdir:"):
            gitdir = Path(text.removeprefix("gitdir:").strip())
            if gitdir.parent.name == "worktrees" and gitdir.parent.parent.name == ".git":
                return gitdir.parent.parent.parent
    return repo


# The corpus lives beside the clone; a worktree looks beside its main clone too.
SHARED_CORPUS = next(
    (c for c in (REPO_ROOT.parent / "shared" / "corpus", _main_clone(REPO_ROOT).parent / "shared" / "corpus") if c.is_dir()),
    REPO_ROOT.parent / "shared" / "corpus",
)


@pytest.fixture(scope="session")
def default_deck_path() -> Path:
    return DEFAULT_DECK


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    if not SHARED_CORPUS.is_dir():
        pytest.skip(f"the shared study-note corpus is not beside this clone ({SHARED_CORPUS})")
    return SHARED_CORPUS


@pytest.fixture(scope="session")
def default_notes():
    from bot.engine.loader import load_notes

    return load_notes(DEFAULT_NOTES, aliases_file=ALIASES_FILE)


@pytest.fixture(scope="session")
def default_glossary(default_notes):
    from bot.engine.glossary import Glossary

    return Glossary(default_notes.entries)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "studybot.db"
