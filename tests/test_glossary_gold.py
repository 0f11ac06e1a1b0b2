"""Precision and recall of notes → glossary against hand-labelled gold lists.

`tests/gold/<note stem>.txt` lists the terms a note defines, labelled by reading the note per
`shared/docs/glossary-labelling.md` (never from the parser's output): `#` comment lines, then one
line per term, `Term | Alias | Alias`. An entry matches a gold line when any of its names equals
any string of the line after NFC, casefolding and removal of whitespace and inline markup; each
entry and each gold line is matched at most once (a maximum one-to-one matching).

`pytest -s tests/test_glossary_gold.py` prints the per-note table; `python -m tests.test_glossary_gold`
prints it with every missed term and every unexpected entry.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.engine.loader import load_notes, read_note
from bot.engine.model import Entry
from bot.engine.parser import parse_note
from tests.conftest import SHARED_CORPUS

REPO_ROOT = Path(__file__).resolve().parent.parent
GOLD = REPO_ROOT / "tests" / "gold"
CORPUS = SHARED_CORPUS
DEFAULT_NOTES = REPO_ROOT / "data" / "notes"
DEFAULT_STEM = "cloud-native-fundamentals"

# Floors: the figures reached, a little below so that an unrelated tweak does not flap them.
CORPUS_PRECISION_FLOOR = 0.90
CORPUS_RECALL_FLOOR = 0.90
DEFAULT_PRECISION_FLOOR = 0.96
DEFAULT_RECALL_FLOOR = 0.97
NOTE_PRECISION_FLOOR = 0.75

_MARKUP = re.compile(r"[\s*`_~=\\]+")


def normalise(name: str) -> str:
    """The form names are compared in: NFC, casefolded, no whitespace, no inline markup."""
    return _MARKUP.sub("", unicodedata.normalize("NFC", name).casefold())


def read_gold(path: Path) -> list[tuple[str, ...]]:
    """The gold lines of a list: each a tuple of the term and its aliases, as written."""
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        names = tuple(part.strip() for part in raw.split("|") if part.strip())
        if names:
            lines.append(names)
    return lines


@dataclass(frozen=True)
class Score:
    note: str
    entries: tuple[Entry, ...]
    gold: tuple[tuple[str, ...], ...]
    matched: tuple[tuple[int, int], ...]  # (entry index, gold index)

    @property
    def precision(self) -> float:
        return len(self.matched) / len(self.entries) if self.entries else 1.0

    @property
    def recall(self) -> float:
        return len(self.matched) / len(self.gold) if self.gold else 1.0

    @property
    def missed(self) -> list[str]:
        found = {g for _, g in self.matched}
        return [" | ".join(line) for i, line in enumerate(self.gold) if i not in found]

    @property
    def unexpected(self) -> list[Entry]:
        found = {e for e, _ in self.matched}
        return [entry for i, entry in enumerate(self.entries) if i not in found]


def match(entries: tuple[Entry, ...], gold: list[tuple[str, ...]]) -> tuple[tuple[int, int], ...]:
    """A maximum one-to-one matching of entries to gold lines sharing a normalised name."""
    gold_keys = [{normalise(n) for n in line} for line in gold]
    edges = [
        [g for g, keys in enumerate(gold_keys) if keys & {normalise(n) for n in entry.names}]
        for entry in entries
    ]
    owner: dict[int, int] = {}

    def augment(entry: int, seen: set[int]) -> bool:
        for g in edges[entry]:
            if g in seen:
                continue
            seen.add(g)
            if g not in owner or augment(owner[g], seen):
                owner[g] = entry
                return True
        return False

    for entry in range(len(entries)):
        augment(entry, set())
    return tuple(sorted((e, g) for g, e in owner.items()))


def note_path(stem: str) -> Path:
    return DEFAULT_NOTES / f"{stem}.md" if stem == DEFAULT_STEM else CORPUS / f"{stem}.md"


def entries_of(path: Path) -> tuple[Entry, ...]:
    if path.parent == DEFAULT_NOTES:
        return load_notes(path).entries
    text, problem = read_note(path, str(path))
    assert problem is None and text is not None, problem
    deck, _ = parse_note(text, str(path), default_name=path.stem)
    return deck.entries


def score(stem: str) -> Score:
    gold = read_gold(GOLD / f"{stem}.txt")
    entries = entries_of(note_path(stem))
    return Score(stem, entries, tuple(gold), match(entries, gold))


CORPUS_STEMS = sorted(p.stem for p in GOLD.glob("*.txt") if p.stem != DEFAULT_STEM)


def micro(scores: list[Score]) -> tuple[float, float]:
    matched = sum(len(s.matched) for s in scores)
    entries = sum(len(s.entries) for s in scores)
    gold = sum(len(s.gold) for s in scores)
    return (matched / entries if entries else 1.0), (matched / gold if gold else 1.0)


def table(scores: list[Score]) -> str:
    rows = [f"{'note':42} {'gold':>5} {'entries':>7} {'match':>5} {'P':>6} {'R':>6}"]
    for s in scores:
        rows.append(
            f"{s.note:42} {len(s.gold):5} {len(s.entries):7} {len(s.matched):5} {s.precision:6.3f} {s.recall:6.3f}"
        )
    corpus = [s for s in scores if s.note != DEFAULT_STEM]
    if corpus:
        precision, recall = micro(corpus)
        rows.append(f"{'corpus (micro-average)':42} {'':5} {'':7} {'':5} {precision:6.3f} {recall:6.3f}")
    return "\n".join(rows)


@pytest.fixture(scope="module")
def corpus_scores(shared_corpus: Path) -> list[Score]:
    scores = [score(stem) for stem in CORPUS_STEMS]
    print("\n" + table([score(DEFAULT_STEM), *scores]))
    return scores


def test_every_corpus_note_has_a_gold_list(shared_corpus: Path) -> None:
    assert sorted(p.stem for p in shared_corpus.glob("*.md")) == CORPUS_STEMS


@pytest.mark.parametrize("stem", [DEFAULT_STEM, *CORPUS_STEMS])
def test_every_gold_string_occurs_in_its_note(stem: str) -> None:
    path = note_path(stem)
    if not path.exists():
        pytest.skip(f"the shared study-note corpus is not beside this clone ({CORPUS})")
    text = normalise(path.read_text(encoding="utf-8"))
    absent = [name for line in read_gold(GOLD / f"{stem}.txt") for name in line if normalise(name) not in text]
    assert not absent


def test_default_deck_precision_and_recall_reach_the_floor() -> None:
    result = score(DEFAULT_STEM)
    print(f"\ndefault deck: P {result.precision:.3f} R {result.recall:.3f}")
    print("missed:", result.missed)
    print("unexpected:", [e.term for e in result.unexpected])
    assert result.precision >= DEFAULT_PRECISION_FLOOR
    assert result.recall >= DEFAULT_RECALL_FLOOR


def test_corpus_precision_and_recall_reach_the_floor(corpus_scores: list[Score]) -> None:
    precision, recall = micro(corpus_scores)
    assert precision >= CORPUS_PRECISION_FLOOR
    assert recall >= CORPUS_RECALL_FLOOR


def test_no_corpus_note_falls_below_the_precision_floor(corpus_scores: list[Score]) -> None:
    low = {s.note: round(s.precision, 3) for s in corpus_scores if s.precision < NOTE_PRECISION_FLOOR}
    assert not low


def test_matching_counts_each_entry_and_gold_line_once() -> None:
    entry = Entry("1", "HPA", "d", "deck", source=None, aliases=("Horizontal Pod Autoscaler",))  # type: ignore[arg-type]
    twin = Entry("2", "**hpa**", "d", "deck", source=None)  # type: ignore[arg-type]
    gold = [("Horizontal Pod Autoscaler", "HPA"), ("VPA",)]
    assert len(match((entry, twin), gold)) == 1
    assert match((entry,), [("KEDA",)]) == ()


def main() -> int:
    stems = sys.argv[1:] or [DEFAULT_STEM, *CORPUS_STEMS]
    scores = [score(stem) for stem in stems]
    for s in scores:
        print(f"== {s.note}  P {s.precision:.3f}  R {s.recall:.3f}")
        for name in s.missed:
            print(f"   missed      {name}")
        for entry in s.unexpected:
            print(f"   unexpected  {entry.source.line:4} {entry.shape.value:14} {entry.term!r} {list(entry.aliases)}")
    print(table(scores))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
