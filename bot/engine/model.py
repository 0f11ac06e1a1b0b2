"""Domain objects of the study engine: decks, glossary entries, study tables, questions, problems.

Plain frozen dataclasses with no behaviour beyond small derived properties; nothing here knows
about Discord, SQLite or the file system.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum


def stable_id(*parts: str, length: int = 12) -> str:
    """A short hex id derived from its parts, identical across runs and machines."""
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:length]


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where something came from: a note file (path as given to the loader) and a 1-based line."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong in the notes, reported as `file:line: message` while the rest still loads."""

    path: str
    line: int
    message: str
    severity: Severity = Severity.WARNING

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity.value}: {self.message}"


class EntryShape(StrEnum):
    """The Markdown shape an entry was recognised from."""

    LIST_ITEM = "list_item"
    HEADING = "heading"
    TABLE_ROW = "table_row"
    TABLE_COLUMN = "table_column"  # an item of a comparison table
    DEFINITION_LIST = "definition_list"
    BOLD_PARAGRAPH = "bold_paragraph"
    SENTENCE = "sentence"
    QA = "qa"
    LINE = "line"  # `Term : definition` plain lines outside lists
    CALLOUT = "callout"  # an Obsidian callout `> [!note] Term` and its body
    FRONT_MATTER = "front_matter"  # named by the note's `glossary: include:` list


# Rules whose entries are often not terms: a bare heading over a paragraph, a definition read out
# of running prose. Their entries stay in the glossary but are not quizzed unless a note says so.
UNSURE_RULES = frozenset({"heading:bare", "sentence:subject", "sentence:is", "sentence:enumeration"})


@dataclass(frozen=True, slots=True)
class Entry:
    """One glossary term of one deck.

    `group` names the group this entry is a member of: a parent entry's term ("CNCF 프로젝트" →
    Sandbox), or a group label that is no entry of its own ("Cloud Native Application의 특징" →
    Resiliency, see `GroupLabel`); `members` lists the member terms of a group entry. `table_id` points at the StudyTable the entry came from, if any. `rule` names the rule
    that recognised the entry (`shape:variant`, e.g. `list_item:separator`, `heading:bare`);
    `confident` is False for entries from rules that are often wrong (see UNSURE_RULES).
    """

    id: str
    term: str
    definition: str
    deck: str
    source: SourceRef
    aliases: tuple[str, ...] = ()
    section: tuple[str, ...] = ()
    shape: EntryShape = EntryShape.LIST_ITEM
    group: str | None = None
    members: tuple[str, ...] = ()
    table_id: str | None = None
    rule: str = ""
    confident: bool = True

    @property
    def names(self) -> tuple[str, ...]:
        """The term followed by its aliases."""
        return (self.term, *self.aliases)

    @staticmethod
    def make_id(deck: str, term: str) -> str:
        return stable_id("entry", deck, term.casefold())


@dataclass(frozen=True, slots=True)
class StudyTable:
    """A table kept as quiz material.

    Rows and columns are normalized so that `items` are the things being described and `aspects`
    the properties: for a glossary table (term | description | ...) items are the rows; for a
    comparison table (aspect | Terraform | Ansible) items are the columns. `cells[i][j]` is the
    text of item i for aspect j (empty string when blank).
    """

    id: str
    deck: str
    source: SourceRef
    items: tuple[str, ...]
    aspects: tuple[str, ...]
    cells: tuple[tuple[str, ...], ...]
    section: tuple[str, ...] = ()
    comparison: bool = False
    caption: str = ""

    def cell(self, item: int, aspect: int) -> str:
        return self.cells[item][aspect]


@dataclass(frozen=True, slots=True)
class GroupLabel:
    """The label of a group of explained members that says nothing of its own and names a collection
    or qualities ("Cloud Native Application의 특징", "Types of Services"): not a term, so not an
    entry. Its members keep it as their `Entry.group`; `rule` is the rule that read the group."""

    term: str
    source: SourceRef
    members: tuple[str, ...]
    section: tuple[str, ...] = ()
    rule: str = ""

    def __str__(self) -> str:
        return f"{self.source}: group label {self.term!r} is not a term; its members are {', '.join(self.members)}"


@dataclass(frozen=True, slots=True)
class Deck:
    """One note file turned into study material."""

    name: str
    path: str
    entries: tuple[Entry, ...] = ()
    tables: tuple[StudyTable, ...] = ()
    tags: tuple[str, ...] = ()
    sections: tuple[tuple[str, ...], ...] = ()
    quiz_unsure: bool = False  # front matter `glossary: {quiz_unsure: true}`
    corrections: tuple[str, ...] = ()  # what the note's `glossary:` block changed, `file:line: …`
    group_labels: tuple[GroupLabel, ...] = ()  # group labels left out of the entries (see GroupLabel)

    def quiz_entries(self) -> tuple[Entry, ...]:
        """The entries questions are drawn from: the confident ones, or all when the note says so."""
        if self.quiz_unsure:
            return self.entries
        return tuple(e for e in self.entries if e.confident)


@dataclass(frozen=True, slots=True)
class Notes:
    """Everything loaded from a notes file or folder: the decks and every problem found."""

    decks: tuple[Deck, ...] = ()
    problems: tuple[Problem, ...] = ()

    @property
    def entries(self) -> tuple[Entry, ...]:
        return tuple(e for d in self.decks for e in d.entries)

    @property
    def tables(self) -> tuple[StudyTable, ...]:
        return tuple(t for d in self.decks for t in d.tables)

    @property
    def has_errors(self) -> bool:
        return any(p.severity is Severity.ERROR for p in self.problems)


class QuestionKind(StrEnum):
    TERM_TO_DEFINITION = "term_to_definition"
    DEFINITION_TO_TERM = "definition_to_term"
    ACRONYM = "acronym"
    TABLE = "table"
    GROUP = "group"
    FLASHCARD = "flashcard"  # a review card: the term, then the definition (never in the bank)
    TYPED = "typed"  # a review card: the definition; type the term (never in the bank)


@dataclass(frozen=True, slots=True)
class Question:
    """A multiple-choice question with exactly one correct choice.

    `id` is a hash of deck, kind and content so it survives restarts and unrelated edits.
    `entry_id` is the glossary entry the question is about (None for pure table questions).
    """

    id: str
    kind: QuestionKind
    prompt: str
    choices: tuple[str, ...]
    answer: int
    explanation: str
    term: str
    deck: str
    source: SourceRef
    entry_id: str | None = None
    section: tuple[str, ...] = ()

    @property
    def correct_choice(self) -> str:
        return self.choices[self.answer]


@dataclass(frozen=True, slots=True)
class TextHit:
    """A full-text hit inside a definition: the entry and the (start, end) spans that matched."""

    entry: Entry
    spans: tuple[tuple[int, int], ...] = field(default=())
    score: float = 0.0


@dataclass(frozen=True, slots=True)
class Snippet:
    """A window of a text around its first matched span: `pieces` of (text, matched) in order,
    and whether text was cut before and after the window. Front ends mark it up their own way."""

    pieces: tuple[tuple[str, bool], ...]
    cut_before: bool
    cut_after: bool


def snippet(text: str, spans: Sequence[tuple[int, int]], width: int = 300) -> Snippet:
    """The window of `text` a search result shows: `width` characters starting a third of the
    width before the first span, split into plain and matched pieces."""
    ordered = sorted((max(0, s), min(len(text), e)) for s, e in spans if e > s)
    start = ordered[0][0] - width // 3 if ordered and ordered[0][0] > width // 3 else 0
    end = min(len(text), start + width)
    pieces: list[tuple[str, bool]] = []
    cursor = start
    for s, e in ordered:
        if e <= cursor or s >= end:
            continue
        s, e = max(s, cursor), min(e, end)
        pieces += [(text[cursor:s], False), (text[s:e], True)]
        cursor = e
    pieces.append((text[cursor:end], False))
    return Snippet(tuple(p for p in pieces if p[0]), start > 0, end < len(text))
