"""The question bank: multiple-choice questions generated from the loaded notes.

Five kinds (see `QuestionKind`): term → definition, definition → term, acronym ↔ expansion, table
(item ↔ cell) and group (is / is not one of a group). Every question has two to four distinct
choices with exactly one correct, and the prompt never contains the answer or its aliases: they
are masked as `____`, also inside Korean words ("KEDA는" → "____는"). Short Latin names are
matched as whole words (plural "s"/"es" included), so "Go" leaves "Google" alone; names of four
or more characters take the whole Latin word they sit in ("Docker" masks "dockerd"). A definition
repeating parts of its term (DevOps: "개발(Dev)과 운영(Ops)…") has them masked in every option, so
it is not the only option sharing them (`bot.engine.quality` measures that share).

Ids hash the deck, the kind and what the question asks (never the distractors or the seed), so
they survive restarts and edits elsewhere in the deck. Choice order and distractors come from
`random.Random(f"{seed}:{question_id}")`: the same seed always gives the same bank. Distractors
are drawn from the same table, group or section first, then from the rest of the same deck, and
are of the same kind as the answer (terms with terms, definitions with definitions).
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar

from bot.engine.hangul import has_hangul
from bot.engine.model import Deck, Entry, EntryShape, Notes, Question, QuestionKind, SourceRef, StudyTable, stable_id
from bot.engine.quality import option_words, shares_part, term_parts

MASK = "____"
MAX_CHOICES = 4
MIN_CHOICES = 2
CHOICE_DEFINITION_LIMIT = 200
PROMPT_DEFINITION_LIMIT = 300
EXPLANATION_LIMIT = 400

PROMPT_TERM_TO_DEFINITION = "'{term}'에 대한 설명으로 알맞은 것은? / Which description matches '{term}'?"
PROMPT_DEFINITION_TO_TERM = "다음 설명에 해당하는 용어는? / Which term matches this description?\n> {definition}"
PROMPT_EXPANSION = "'{acronym}'은(는) 무엇의 약자인가요? / What does '{acronym}' stand for?"
PROMPT_ACRONYM = "'{expansion}'의 약어는? / Which acronym stands for '{expansion}'?"
PROMPT_TABLE_ITEM = "다음에 해당하는 것은? / Which one is this?\n> {aspect}: {cell}"
PROMPT_TABLE_CELL = "'{item}'의 {aspect}은(는)? / What is the {aspect} of '{item}'?"
PROMPT_GROUP_MEMBER = "다음 중 '{group}'에 속하는 것은? / Which of these is one of '{group}'?"
PROMPT_GROUP_NON_MEMBER = "다음 중 '{group}'에 속하지 않는 것은? / Which of these is NOT one of '{group}'?"
SOURCE_LINE = "출처 / Source: `{source}`"

_KIND_ORDER = {kind: i for i, kind in enumerate(QuestionKind)}
# Tiers larger than this are sampled by random probing instead of being shuffled whole, so a
# 10,000-term deck costs a few probes per question rather than a 10,000-element shuffle.
_SHUFFLE_LIMIT = 48
_PROBES = 32

_MARKUP = re.compile(r"\*\*|`|<br\s*/?>", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_PAREN = re.compile(r"^(?P<outer>[^()]+?)\s*\((?P<inner>[^()]+)\)\s*$")
_SENTENCE_END = re.compile(r"(?<=[.!?。])\s+")
_MASKED_GLOSS = re.compile(r"\s*\(\s*" + re.escape(MASK) + r"\s*\)")
_MASK_PAIR = re.compile(re.escape(MASK) + r"\s*\(\s*" + re.escape(MASK) + r"\s*\)")
_ACRONYM = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:[/&-][A-Za-z0-9]+)*$")
_WORD_SPLIT = re.compile(r"[\s/\-]+")
_WORD_CHARS = re.compile(r"\w")
_TRAILING = " \t.,;:!?。"
# Names this long are masked even inside a longer Latin word; shorter ones only as whole words,
# so "Go" leaves "Google" alone but "Docker" takes "dockerd" with it.
_SWALLOW_FROM = 4
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_MINOR_WORDS = frozenset({"a", "an", "and", "as", "by", "for", "in", "of", "on", "the", "to", "with"})

T = TypeVar("T")


# --------------------------------------------------------------------------------------------
# Text helpers


def clean(text: str) -> str:
    """NFC, Markdown emphasis/code/line-break markup removed, whitespace collapsed."""
    text = unicodedata.normalize("NFC", text)
    text = _MARKUP.sub(" ", text) if "<" in text else text.replace("**", "").replace("`", "")
    return _SPACES.sub(" ", text).strip()


def choice_key(text: str) -> str:
    """The comparison key of a choice or name: cleaned, case-folded, trailing punctuation dropped."""
    return clean(text).casefold().strip(_TRAILING)


def _fold(text: str) -> str:
    """`choice_key` for text that is already `clean`: the hot path of choice de-duplication."""
    return text.casefold().strip(_TRAILING)


def name_forms(names: Iterable[str]) -> tuple[str, ...]:
    """Every name with its parenthesised parts split out: "Horizontal Pod Autoscaler (HPA)"
    gives itself, "Horizontal Pod Autoscaler" and "HPA"."""
    forms: list[str] = []
    for name in names:
        text = clean(name)
        found = _PAREN.match(text)
        parts = (text, found["outer"].strip(), found["inner"].strip()) if found else (text,)
        forms.extend(p for p in parts if p and p not in forms)
    return tuple(forms)


def _form_pattern(form: str) -> str:
    body = r"\s+".join(re.escape(token) for token in form.split())
    if len(form) == 1:
        return rf"(?<!\w){body}(?!\w)"
    if len(form) >= _SWALLOW_FROM:
        return body  # `mask` widens the match to the whole Latin word around it
    first, last = form[0], form[-1]
    left = r"(?<![A-Za-z0-9])" if first.isascii() and first.isalnum() else ""
    if last.isascii() and last.isalpha():
        right = r"(?:e?s)?(?![A-Za-z0-9])"
    elif last.isascii() and last.isdigit():
        right = r"(?![A-Za-z0-9])"
    else:
        right = ""
    return left + body + right


def compile_mask(forms: Iterable[str]) -> re.Pattern[str] | None:
    """One case-insensitive pattern matching any of the forms, longest first."""
    unique = sorted({f for f in forms if f.strip()}, key=lambda f: (-len(f), f))
    if not unique:
        return None
    return re.compile("|".join(_form_pattern(f) for f in unique), re.IGNORECASE)


def _latin(char: str) -> bool:
    return char.isascii() and char.isalnum()


def mask(text: str, pattern: re.Pattern[str] | None) -> str:
    """`text` with every match of `pattern` replaced by `____`; a match inside a longer Latin
    word ("dockerd", "requiredduringscheduling…") takes the whole word with it."""
    if pattern is None or not text:
        return text
    spans: list[list[int]] = []
    for found in pattern.finditer(text):
        start, end = found.span()
        if start == end:
            continue
        if _latin(text[start]):
            while start > 0 and _latin(text[start - 1]):
                start -= 1
        if _latin(text[end - 1]):
            while end < len(text) and _latin(text[end]):
                end += 1
        if spans and start <= spans[-1][1]:
            spans[-1][1] = max(end, spans[-1][1])
        else:
            spans.append([start, end])
    if not spans:
        return text
    parts, last = [], 0
    for start, end in spans:
        parts.append(text[last:start])
        parts.append(MASK)
        last = end
    parts.append(text[last:])
    return _MASK_PAIR.sub(MASK, "".join(parts))


def shorten(text: str, limit: int, *, at_least: int = 40) -> str:
    """Whole sentences up to `limit` characters, at least the first one (and more while under
    `at_least` characters, so "scale according to workload." is not all there is); a first
    sentence over the limit is cut at a space and ends in "…"."""
    sentences = _SENTENCE_END.split(text)
    out = sentences[0]
    for sentence in sentences[1:]:
        if len(out) >= at_least or len(out) + 1 + len(sentence) > limit:
            break
        out = f"{out} {sentence}"
    if len(out) > limit:
        cut = out[: limit - 1]
        space = cut.rfind(" ")
        if space > limit // 2:
            cut = cut[:space]
        out = cut.rstrip(" ,;:") + "…"
    return out


def is_acronym(text: str) -> bool:
    """"HPA", "FaaS", "CI/CD", "gRPC": one short token, mostly capitals, at least two of them."""
    if not 2 <= len(text) <= 10 or not _ACRONYM.match(text):
        return False
    letters = [c for c in text if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    return upper >= 2 and upper * 2 >= len(letters)


def _expands(acronym: str, expansion: str) -> bool:
    if " " not in expansion or "(" in expansion or is_acronym(expansion):
        return False
    if has_hangul(expansion):
        return True
    words = [w for w in _WORD_SPLIT.split(expansion) if w]
    initials = "".join(w[0] for w in words).upper()
    capitals = [c for c in acronym if c.isupper()]
    wanted = iter(initials)
    # The acronym's capitals appear, in order, among the expansion's word initials ...
    if all(c in wanted for c in capitals):
        return True
    # ... or, as in "CI/CD" ↔ "Continuous Integration/Deployment", letters repeat across a slash.
    major = {w[0].upper() for w in words if w.casefold() not in _MINOR_WORDS}
    return bool(capitals) and capitals[0] == initials[0] and major <= set(acronym.upper())


def _display_expansion(text: str) -> str:
    """An all-lowercase Latin expansion in title case, so it does not stand out among the others."""
    if has_hangul(text) or text != text.lower():
        return text
    return _LATIN_WORD.sub(lambda m: m[0] if m[0] in _MINOR_WORDS else m[0].capitalize(), text)


def _usable(text: str) -> bool:
    return len(_WORD_CHARS.findall(text.replace(MASK, ""))) >= 2


def _script_of(text: str) -> str:
    return "hangul" if has_hangul(text) else "latin"


def _unchanged(text: str) -> str:
    return text


def _part_hider(parts: frozenset[str], text: str) -> Callable[[str], str]:
    """What masks the parts of a term (bot.engine.quality.term_parts) in any text, when `text`
    repeats one ("개발(Dev)과 운영(Ops)…" for DevOps); otherwise nothing is masked.

    A parenthesised gloss that is nothing but a part is dropped: "개발(Dev)과" → "개발과".
    """
    if not shares_part(text, parts):
        return _unchanged
    hider = _Hider(parts)

    def hide(other: str) -> str:
        masked = hider(other)
        return other if masked == other else _MASKED_GLOSS.sub("", masked)

    return hide


def _contains_either(a: str, b: str) -> bool:
    return a in b or b in a


# --------------------------------------------------------------------------------------------
# The bank


@dataclass(frozen=True)
class QuestionBank:
    """Every question generated from some notes, with look-ups by id, entry and topic.

    `entries` and `decks` are what the questions were built from, for `uncovered()` and
    `counts_by_deck()`. `links` are extra (question id, entry id) pairs for questions about more
    than their `entry_id`: "which is one of <group>?" is about the member and the group.
    """

    questions: tuple[Question, ...] = ()
    entries: tuple[Entry, ...] = ()
    decks: tuple[str, ...] = ()
    links: tuple[tuple[str, str], ...] = ()
    _by_id: dict[str, Question] = field(init=False, repr=False, compare=False)
    _by_entry: dict[str, tuple[Question, ...]] = field(init=False, repr=False, compare=False)
    _by_topic: dict[str, tuple[Question, ...]] = field(init=False, repr=False, compare=False)
    _topics: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_entry: dict[str, list[Question]] = defaultdict(list)
        by_topic: dict[str, list[Question]] = defaultdict(list)
        topics: dict[str, str] = {}
        for q in self.questions:
            if q.entry_id is not None:
                by_entry[q.entry_id].append(q)
            keys: dict[str, None] = {}
            for name in (q.deck, *q.section):
                key = name.casefold()
                keys[key] = None
                topics.setdefault(key, name)
            for key in keys:
                by_topic[key].append(q)
        by_id = {q.id: q for q in self.questions}
        for qid, entry_id in self.links:
            q = by_id.get(qid)
            if q is not None and q.entry_id != entry_id and q not in by_entry[entry_id]:
                by_entry[entry_id].append(q)
        object.__setattr__(self, "_by_id", by_id)
        object.__setattr__(self, "_by_entry", {k: tuple(v) for k, v in by_entry.items()})
        object.__setattr__(self, "_by_topic", {k: tuple(v) for k, v in by_topic.items()})
        object.__setattr__(self, "_topics", tuple(topics.values()))

    def get(self, question_id: str) -> Question | None:
        return self._by_id.get(question_id)

    def for_entry(self, entry_id: str) -> tuple[Question, ...]:
        """Questions about the entry: its own, then those linked to it (its group's)."""
        return self._by_entry.get(entry_id, ())

    def for_topic(self, topic: str | None) -> tuple[Question, ...]:
        """Questions of a deck or of a section heading (any level), case-insensitive; None = all."""
        if topic is None:
            return self.questions
        return self._by_topic.get(topic.strip().casefold(), ())

    def topics(self) -> tuple[str, ...]:
        """Deck names and section headings that have questions, in bank order."""
        return self._topics

    def uncovered(self) -> tuple[Entry, ...]:
        """Entries no question is about."""
        return tuple(e for e in self.entries if e.id not in self._by_entry)

    def counts_by_deck(self) -> dict[str, int]:
        counts = dict.fromkeys(self.decks, 0)
        for q in self.questions:
            counts[q.deck] = counts.get(q.deck, 0) + 1
        return counts


def question_to_json(q: Question) -> dict:
    """The `studybot questions --json` shape of one question."""
    return {
        "id": q.id,
        "kind": q.kind.value,
        "prompt": q.prompt,
        "choices": list(q.choices),
        "answer": q.answer,
        "explanation": q.explanation,
        "term": q.term,
        "source": {"path": q.source.path, "line": q.source.line},
    }


def build_question_bank(notes: Notes, *, seed: int = 0) -> QuestionBank:
    """All questions the notes allow, deterministic for `seed`."""
    ids = _Ids()
    questions: list[tuple[tuple, Question]] = []
    links: list[tuple[str, str]] = []
    for deck_index, deck in enumerate(notes.decks):
        # Unsure entries (a bare heading, a definition read out of prose) are not quizzed unless the note says so.
        builder = _DeckBuilder(replace(deck, entries=deck.quiz_entries()), seed, ids, links)
        for q in builder.build():
            order = (deck_index, q.source.line, _KIND_ORDER[q.kind])
            questions.append((order, q))
    questions.sort(key=lambda pair: pair[0])  # stable: build order breaks ties
    return QuestionBank(
        questions=tuple(q for _, q in questions),
        entries=tuple(e for d in notes.decks for e in d.quiz_entries()),
        decks=tuple(d.name for d in notes.decks),
        links=tuple(links),
    )


# --------------------------------------------------------------------------------------------
# Building


class _Ids:
    """Question ids; a second question with the same content gets a numbered variant."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def make(self, *parts: str) -> str:
        qid = stable_id("question", *parts)
        n = 1
        while qid in self._used:
            n += 1
            qid = stable_id("question", *parts, f"#{n}")
        self._used.add(qid)
        return qid


class _Hider:
    """Masks a fixed set of names; compiles its pattern only once a name actually occurs, since
    most texts never mention them and compiling is most of the cost of a large deck."""

    __slots__ = ("_folded", "_forms", "_pattern")

    def __init__(self, forms: Iterable[str]) -> None:
        self._forms = tuple(f for f in forms if f.strip())
        self._folded = tuple({" ".join(f.split()).casefold() for f in self._forms})
        self._pattern: re.Pattern[str] | None = None

    def __call__(self, text: str) -> str:
        folded = " ".join(text.split()).casefold()
        if not any(f in folded for f in self._folded):
            return text
        if self._pattern is None:
            self._pattern = compile_mask(self._forms)
        return mask(text, self._pattern)


@dataclass(slots=True)
class _Item:
    """An entry with everything question building needs precomputed."""

    entry: Entry
    term: str
    forms: tuple[str, ...]
    keys: frozenset[str]
    hide: _Hider
    definition: str
    def_key: str
    choice_text: str  # shortened definition, masked of its own names; "" when unusable
    prompt_text: str
    acronym: str | None = None
    expansions: tuple[str, ...] = ()  # what `acronym` stands for, Latin first

    @property
    def expansion(self) -> str | None:
        return self.expansions[0] if self.expansions else None


def _make_item(entry: Entry) -> _Item:
    forms = name_forms(entry.names)
    hide = _Hider(forms)
    definition = clean(entry.definition)
    choice = hide(shorten(definition, CHOICE_DEFINITION_LIMIT)) if definition else ""
    prompt = hide(shorten(definition, PROMPT_DEFINITION_LIMIT, at_least=PROMPT_DEFINITION_LIMIT)) if definition else ""
    acronyms = [f for f in forms if is_acronym(f)]
    acronym = acronyms[0] if acronyms else None
    expansions: tuple[str, ...] = ()
    for acr in acronyms:
        found = sorted((f for f in forms if _expands(acr, f)), key=lambda f: _script_of(f) != "latin")
        if found:
            acronym, expansions = acr, tuple(dict.fromkeys(_display_expansion(f) for f in found))
            break
    return _Item(
        entry=entry,
        term=clean(entry.term),
        forms=forms,
        keys=frozenset(choice_key(f) for f in forms),
        hide=hide,
        definition=definition,
        def_key=choice_key(definition),
        choice_text=choice if _usable(choice) else "",
        prompt_text=prompt if _usable(prompt) else "",
        acronym=acronym,
        expansions=expansions,
    )


_POOLS: dict[str, Callable[[_Item], bool]] = {
    "all": lambda i: True,
    "definition": lambda i: bool(i.choice_text),
    "prompt": lambda i: bool(i.prompt_text),
    "expansion": lambda i: bool(i.expansions),
    "acronym": lambda i: bool(i.acronym),
    "grouped": lambda i: bool(i.entry.group),
}


class _Choices:
    """The choices of one question under construction: the answer first, distinct by key."""

    def __init__(self, answer: str) -> None:
        self.texts = [answer]
        self._keys = {_fold(answer)}

    def add(self, text: str) -> bool:
        key = _fold(text)
        if not key or key in self._keys:
            return False
        self._keys.add(key)
        self.texts.append(text)
        return True

    @property
    def full(self) -> bool:
        return len(self.texts) >= MAX_CHOICES

    def shuffled(self, rng: random.Random) -> tuple[tuple[str, ...], int] | None:
        if len(self.texts) < MIN_CHOICES:
            return None
        order = list(range(len(self.texts)))
        rng.shuffle(order)
        return tuple(self.texts[i] for i in order), order.index(0)


def _candidates(rng: random.Random, tiers: Sequence[Sequence[T]]) -> Iterator[T]:
    """Tier by tier, a random order of each tier's elements (possibly with repeats)."""
    for tier in tiers:
        if not tier:
            continue
        if len(tier) <= _SHUFFLE_LIMIT:
            order = list(tier)
            rng.shuffle(order)
            yield from order
            continue
        for _ in range(_PROBES):
            yield tier[rng.randrange(len(tier))]
        start = rng.randrange(len(tier))
        yield from tier[start:]
        yield from tier[:start]


def _fill(choices: _Choices, rng: random.Random, tiers: Sequence[Sequence[T]],
          text_of: Callable[[T], str | None], want: int = MAX_CHOICES) -> None:
    if len(choices.texts) >= want:
        return
    for candidate in _candidates(rng, tiers):
        text = text_of(candidate)
        if text and choices.add(text) and len(choices.texts) >= want:
            return


def _synonyms(a: _Item, b: _Item) -> bool:
    return a is b or bool(a.keys & b.keys) or (bool(a.def_key) and a.def_key == b.def_key)


def _explain(head: str, body: str, source: SourceRef) -> str:
    text = f"{head}: {shorten(body, EXPLANATION_LIMIT)}" if body else head
    return f"{text}\n{SOURCE_LINE.format(source=source)}"


class _DeckBuilder:
    """Builds the questions of one deck."""

    def __init__(self, deck: Deck, seed: int, ids: _Ids, links: list[tuple[str, str]]) -> None:
        self.deck = deck
        self.links = links
        self.seed = seed
        self.ids = ids
        self.items = [_make_item(e) for e in deck.entries]
        self.by_key: dict[str, list[_Item]] = defaultdict(list)
        self.by_section: dict[tuple[str, ...], list[_Item]] = defaultdict(list)
        self.by_sibling: dict[str, list[_Item]] = defaultdict(list)
        for item in self.items:
            for key in item.keys:
                self.by_key[key].append(item)
            self.by_section[item.entry.section].append(item)
            for sibling in self._sibling_keys(item.entry):
                self.by_sibling[sibling].append(item)
        self._drop_table_column_definitions()
        self._pool_cache: dict[tuple[str, str, object], list[_Item]] = {}
        self._by_option_word: dict[str, list[_Item]] | None = None

    def _drop_table_column_definitions(self) -> None:
        # An item of a comparison table has a definition stitched from its cells ("목적: …; 언어:
        # …"): the table questions ask it cell by cell, a definition question would ask it all at once.
        compared = {choice_key(i) for t in self.deck.tables if t.comparison for i in t.items}
        for item in self.items:
            if item.entry.shape is EntryShape.TABLE_COLUMN and item.keys & compared:
                item.choice_text = item.prompt_text = ""

    @staticmethod
    def _sibling_keys(entry: Entry) -> list[str]:
        keys = []
        if entry.table_id:
            keys.append(f"table:{entry.table_id}")
        if entry.group:
            keys.append(f"group:{choice_key(entry.group)}")
        if entry.members:
            keys.append(f"group:{choice_key(entry.term)}")
        return keys

    def _rng(self, qid: str) -> random.Random:
        return random.Random(f"{self.seed}:{qid}")

    def _tiers(self, item: _Item, pool: str = "all") -> list[Sequence[_Item]]:
        """Same table or group, then same section, then the deck; only items of the named pool."""
        tiers = [self._pooled(pool, "sibling", key) for key in self._sibling_keys(item.entry)]
        tiers.append(self._pooled(pool, "section", item.entry.section))
        tiers.append(self._pooled(pool, "deck", None))
        return tiers

    def _pooled(self, pool: str, scope: str, key: object) -> Sequence[_Item]:
        # Filtered once per (pool, scope, key): re-filtering a 10,000-entry section for every
        # question would make building quadratic.
        cache_key = (pool, scope, key)
        found = self._pool_cache.get(cache_key)
        if found is None:
            source = {"sibling": self.by_sibling, "section": self.by_section}[scope][key] if key is not None \
                else self.items
            keep = _POOLS[pool]
            found = self._pool_cache[cache_key] = [i for i in source if keep(i)]
        return found

    def _sharing(self, item: _Item, parts: frozenset[str]) -> list[list[_Item]]:
        """Per part of `item`'s term, the items whose choice text has it, in deck order; empty
        unless one of them is not a synonym of `item`."""
        if self._by_option_word is None:
            # Built on the first entry that needs it: most entries never do.
            index: dict[str, list[_Item]] = defaultdict(list)
            for i in self.items:
                if i.choice_text:
                    for word in option_words(i.choice_text):
                        index[word].append(i)
            self._by_option_word = index
        postings = [self._by_option_word[p] for p in sorted(parts) if p in self._by_option_word]
        if any(not _synonyms(item, c) for posting in postings for c in posting):
            return postings
        return []

    def _question(self, kind: QuestionKind, qid: str, prompt: str, choices: _Choices, rng: random.Random,
                  explanation: str, term: str, source: SourceRef, entry: Entry | None,
                  section: tuple[str, ...]) -> Question | None:
        shuffled = choices.shuffled(rng)
        if shuffled is None:
            return None
        answer_key = _fold(choices.texts[0])
        if len(answer_key) >= _SWALLOW_FROM and answer_key in prompt.casefold():
            return None  # the prompt gives the answer away in a form masking did not catch
        texts, answer = shuffled
        return Question(
            id=qid, kind=kind, prompt=prompt, choices=texts, answer=answer, explanation=explanation,
            term=term, deck=self.deck.name, source=source,
            entry_id=entry.id if entry is not None else None, section=section,
        )

    def build(self) -> Iterator[Question]:
        for item in self.items:
            yield from self._definition_questions(item)
            yield from self._acronym_questions(item)
            yield from self._group_questions(item)
        for table in self.deck.tables:
            yield from self._table_questions(table)

    # -- term ↔ definition ---------------------------------------------------------------

    def _definition_questions(self, item: _Item) -> Iterator[Question]:
        entry = item.entry
        explanation = _explain(item.term, item.definition, entry.source)
        term_key = choice_key(item.term)
        if item.choice_text:
            kind = QuestionKind.TERM_TO_DEFINITION
            qid = self.ids.make(self.deck.name, kind.value, term_key)
            rng = self._rng(qid)
            prompt = PROMPT_TERM_TO_DEFINITION.format(term=item.term)
            parts = term_parts(item.term)
            hide_parts = _part_hider(parts, item.choice_text)
            answer = hide_parts(item.choice_text)
            # Masking must not become the tell. An answer left with a mask of a part is asked only
            # among distractors of which at least one shows a mask too (they repeat a part as
            # well); without such a definition in the deck, or with a part masking missed (a
            # camel-case piece inside a longer word), the entry is asked definition → term only.
            # Decided on the deck alone, so the questions a deck gets never depend on the seed.
            tiers = self._tiers(item, "definition")
            if answer.count(MASK) > item.choice_text.count(MASK):
                sharers = self._sharing(item, parts)
                tiers = [*sharers, *tiers] if sharers else []
            if (choice_key(item.choice_text) not in prompt.casefold() and tiers and _usable(answer)
                    and not shares_part(answer, parts)):
                choices = _Choices(answer)
                _fill(choices, rng, tiers,
                      lambda c: None if _synonyms(item, c) else hide_parts(item.hide(c.choice_text)))
                q = self._question(kind, qid, prompt, choices, rng, explanation, item.term,
                                   entry.source, entry, entry.section)
                if q is not None:
                    yield q
        if item.prompt_text:
            kind = QuestionKind.DEFINITION_TO_TERM
            qid = self.ids.make(self.deck.name, kind.value, term_key)
            rng = self._rng(qid)
            definition = _part_hider(term_parts(item.term), item.prompt_text)(item.hide(item.prompt_text))
            prompt = PROMPT_DEFINITION_TO_TERM.format(definition=definition)
            choices = _Choices(item.term)
            # Terms that have a definition of their own first: a bare heading is a weak distractor.
            _fill(choices, rng, [*self._tiers(item, "prompt"), self.items],
                  lambda c: None if _synonyms(item, c) else c.term)
            q = self._question(kind, qid, prompt, choices, rng, explanation, item.term,
                               entry.source, entry, entry.section)
            if q is not None:
                yield q

    # -- acronym ↔ expansion -------------------------------------------------------------

    def _acronym_questions(self, item: _Item) -> Iterator[Question]:
        if not item.expansion or not item.acronym:
            return
        entry = item.entry
        acronym, expansion = item.acronym, item.expansion
        acronym_key = choice_key(acronym)
        explanation = _explain(f"{acronym} = {expansion}", item.definition, entry.source)
        kind = QuestionKind.ACRONYM
        script = _script_of(expansion)

        def expansion_of(c: _Item) -> str | None:
            if _synonyms(item, c) or (c.acronym and choice_key(c.acronym) == acronym_key):
                return None
            if c.expansions:
                return next((e for e in c.expansions if _script_of(e) == script), None)
            found = _PAREN.match(c.term)
            text = found["outer"].strip() if found else c.term
            if " " in text and not is_acronym(text) and _script_of(text) == script:
                return text
            return None

        qid = self.ids.make(self.deck.name, kind.value, "expansion", acronym_key, choice_key(expansion))
        rng = self._rng(qid)
        hidden = _Hider(f for f in item.forms if not is_acronym(f))
        prompt = PROMPT_EXPANSION.format(acronym=hidden(acronym))
        choices = _Choices(expansion)
        _fill(choices, rng, [*self._tiers(item, "expansion"), self.items], expansion_of)
        q = self._question(kind, qid, prompt, choices, rng, explanation, item.term, entry.source,
                           entry, entry.section)
        if q is not None:
            yield q

        qid = self.ids.make(self.deck.name, kind.value, "acronym", acronym_key, choice_key(expansion))
        rng = self._rng(qid)
        hidden = _Hider(f for f in item.forms if is_acronym(f))
        prompt = PROMPT_ACRONYM.format(expansion=hidden(expansion))
        choices = _Choices(acronym)
        _fill(choices, rng, self._tiers(item, "acronym"),
              lambda c: None if _synonyms(item, c) else c.acronym)
        q = self._question(kind, qid, prompt, choices, rng, explanation, item.term, entry.source,
                           entry, entry.section)
        if q is not None:
            yield q

    # -- groups --------------------------------------------------------------------------

    def _member_item(self, member: str, group_key: str) -> _Item | None:
        found = self.by_key.get(choice_key(member), [])
        for item in found:
            if item.entry.group and choice_key(item.entry.group) == group_key:
                return item
        return found[0] if found else None

    def _group_questions(self, group: _Item) -> Iterator[Question]:
        members = list(dict.fromkeys(clean(m) for m in group.entry.members if clean(m)))
        if len(members) < 2:
            return
        entry = group.entry
        group_key = choice_key(group.term)
        member_items = [self._member_item(m, group_key) for m in members]
        member_keys: set[str] = set()
        for m, mi in zip(members, member_items, strict=True):
            member_keys.update(mi.keys if mi else (choice_key(f) for f in name_forms([m])))
        kind = QuestionKind.GROUP
        explanation = _explain(group.term, ", ".join(members), entry.source)

        def non_member(c: _Item) -> str | None:
            if _synonyms(group, c) or c.keys & member_keys:
                return None
            if any(_contains_either(k, m) for k in c.keys for m in member_keys):
                return None
            return c.term

        # Members of other groups first: clearly of the same kind, and clearly not of this group.
        tiers = [self._pooled("grouped", "section", entry.section), self._pooled("grouped", "deck", None),
                 self._pooled("all", "section", entry.section), self.items]
        for member, mi in zip(members, member_items, strict=True):
            answer = mi.term if mi else member
            qid = self.ids.make(self.deck.name, kind.value, group_key, "member", choice_key(answer))
            rng = self._rng(qid)
            hidden = mi.hide if mi else _Hider(name_forms([member]))
            if not _usable(hidden(group.term)):
                continue
            prompt = PROMPT_GROUP_MEMBER.format(group=hidden(group.term))
            choices = _Choices(answer)
            _fill(choices, rng, tiers, non_member)
            about = mi.entry if mi else entry
            q = self._question(kind, qid, prompt, choices, rng, explanation, answer, entry.source,
                               about, entry.section)
            if q is not None:
                if about is not entry:
                    self.links.append((q.id, entry.id))
                yield q

        if len(members) < 3:
            return
        qid = self.ids.make(self.deck.name, kind.value, group_key, "non-member")
        rng = self._rng(qid)
        for outsider in _candidates(rng, tiers):
            answer = non_member(outsider)
            if answer:
                break
        else:
            return
        # Which members are shown is seeded too, not always the first three.
        shown = [mi.term if mi else m for m, mi in zip(members, member_items, strict=True)]
        rng.shuffle(shown)
        choices = _Choices(answer)
        for text in shown:
            if choices.full:
                break
            choices.add(text)
        if not _usable(outsider.hide(group.term)):
            return
        prompt = PROMPT_GROUP_NON_MEMBER.format(group=outsider.hide(group.term))
        q = self._question(kind, qid, prompt, choices, rng, explanation, group.term, entry.source,
                           entry, entry.section)
        if q is not None:
            yield q

    # -- tables --------------------------------------------------------------------------

    def _table_questions(self, table: StudyTable) -> Iterator[Question]:
        items = [clean(i) for i in table.items]
        if len(items) < 2:
            return
        aspects = [clean(a) for a in table.aspects]
        cells = [[clean(c) for c in row] for row in table.cells]
        entries = [self._member_item(i, "") for i in items]
        hiders = [e.hide if e else _Hider(name_forms([i])) for i, e in zip(items, entries, strict=True)]
        kind = QuestionKind.TABLE
        for j, aspect in enumerate(aspects):
            column = [row[j] if j < len(row) else "" for row in cells]
            keys = [choice_key(c) for c in column]
            for i, item in enumerate(items):
                cell, key = column[i], keys[i]
                if not key:
                    continue
                entry_item = entries[i]
                # A glossary table's description column is already asked by the entry questions.
                if not table.comparison and entry_item and entry_item.def_key == key:
                    continue
                source = table.source
                explanation = _explain(f"{item} — {aspect}", cell, source)
                about = entry_item.entry if entry_item else None

                def rival(k: int, i: int = i, key: str = key) -> bool:
                    # Another item with the same (or an overlapping) cell would also be correct.
                    return k != i and bool(keys[k]) and _contains_either(keys[k], key)

                if any(rival(k) for k in range(len(items))):
                    continue
                others = [k for k in range(len(items)) if k != i and choice_key(items[k]) != choice_key(item)]

                qid = self.ids.make(self.deck.name, kind.value, "item", choice_key(item), choice_key(aspect))
                rng = self._rng(qid)
                shown = hiders[i](cell)
                if _usable(shown):
                    prompt = PROMPT_TABLE_ITEM.format(aspect=hiders[i](aspect), cell=shown)
                    choices = _Choices(item)
                    _fill(choices, rng, [others], lambda k: items[k])
                    q = self._question(kind, qid, prompt, choices, rng, explanation, item, source,
                                       about, table.section)
                    if q is not None:
                        yield q

                qid = self.ids.make(self.deck.name, kind.value, "cell", choice_key(item), choice_key(aspect))
                rng = self._rng(qid)
                prompt = PROMPT_TABLE_CELL.format(item=item, aspect=aspect)
                if key in prompt.casefold():
                    continue
                choices = _Choices(hiders[i](cell))
                _fill(choices, rng, [[k for k in others if keys[k]]],
                      lambda k, i=i: hiders[i](hiders[k](column[k])))
                q = self._question(kind, qid, prompt, choices, rng, explanation, item, source,
                                   about, table.section)
                if q is not None:
                    yield q
