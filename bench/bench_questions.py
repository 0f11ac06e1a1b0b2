"""Question-bank build time: the default deck, the synthetic 10,000-term corpus (1,000 notes,
`bench.corpus`), and the same 10,000 terms merged into a single deck, where every distractor is
drawn from one 10,000-entry pool."""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.table import Row
from bot.engine.model import Deck, Notes
from bot.engine.questions import build_question_bank

REPO = Path(__file__).resolve().parent.parent
DEFAULT_NOTES = REPO / "data" / "notes"
ALIASES = REPO / "data" / "aliases.yaml"
DEFAULT_GOAL_S = 0.5
CORPUS_GOAL_S = 10.0


def _timed(build: Callable[[], object], repeats: int) -> tuple[float, object]:
    samples, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = build()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), result


def _one_deck(notes: Notes) -> Notes:
    entries = tuple(e for d in notes.decks for e in d.entries)
    tables = tuple(t for d in notes.decks for t in d.tables)
    return Notes(decks=(Deck(name="all", path="all", entries=entries, tables=tables),))


def run() -> list[Row]:
    from bench.corpus import generate
    from bot.engine.loader import load_notes

    rows: list[Row] = []
    default = load_notes(DEFAULT_NOTES, aliases_file=ALIASES)
    seconds, bank = _timed(lambda: build_question_bank(default), repeats=5)
    rows.append(Row("questions", "default deck: build bank", seconds * 1000, "ms", f"<= {DEFAULT_GOAL_S * 1000:g} ms",
                    seconds <= DEFAULT_GOAL_S,
                    note=f"{len(bank.questions)} questions, {len(default.entries)} entries, "
                         f"{len(bank.uncovered())} uncovered"))

    with tempfile.TemporaryDirectory() as tmp:
        folder = generate(Path(tmp) / "corpus", notes=1000, terms=10000, seed=0)
        corpus = load_notes(folder)
    seconds, bank = _timed(lambda: build_question_bank(corpus), repeats=1)
    rows.append(Row("questions", "10k-term corpus: build bank", seconds, "s", f"<= {CORPUS_GOAL_S:g} s",
                    seconds <= CORPUS_GOAL_S,
                    note=f"{len(bank.questions):,} questions, {len(corpus.entries):,} entries, "
                         f"{len(corpus.decks)} decks, {len(bank.uncovered())} uncovered"))

    merged = _one_deck(corpus)
    seconds, bank = _timed(lambda: build_question_bank(merged), repeats=1)
    rows.append(Row("questions", "10k terms in one deck: build bank", seconds, "s", f"<= {CORPUS_GOAL_S:g} s",
                    seconds <= CORPUS_GOAL_S, note=f"{len(bank.questions):,} questions"))
    return rows


if __name__ == "__main__":
    from bench.table import render

    print(render(run()))
