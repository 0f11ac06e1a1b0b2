"""Invariants of the question bank over generated decks: one correct choice, distinct choices,
answers masked out of prompts, determinism, and ids that depend on neither the seed nor
unrelated entries."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.engine.model import Deck, Entry, Notes, Question, QuestionKind, SourceRef, StudyTable
from bot.engine.questions import (
    PROMPT_EXPANSION,
    build_question_bank,
    name_forms,
    choice_key,
)

LATIN = ["pod", "node", "mesh", "proxy", "volume", "cluster", "ingress", "secret", "daemon", "kernel",
         "image", "registry", "quota", "probe", "sidecar", "gateway", "operator", "policy", "router", "tracer"]
HANGUL = ["파드", "노드", "서비스", "볼륨", "컨테이너", "클러스터", "배포", "이미지", "정책", "네트워크"]
PARTICLES = ["", "는", "를", "의", "에서", "s"]
FILLER = ["자동으로", "관리하는", "기능", "방식", "the", "a", "runs", "on", "every", "and", "설정", "."]

PROPERTY_SETTINGS = settings(max_examples=60, deadline=None,
                             suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def appears(name: str, text: str) -> bool:
    """Whether `name` occurs in `text` as the bank promises to mask it: case-insensitive, any
    whitespace between words, whole words at Latin edges, anywhere at Hangul edges."""
    body = r"\s+".join(re.escape(t) for t in name.split())
    left = r"(?<![a-z0-9])" if name[0].isascii() and name[0].isalnum() else ""
    right = r"(?![a-z0-9])" if name[-1].isascii() and name[-1].isalnum() else ""
    return re.search(left + body + right, text, re.IGNORECASE) is not None


@st.composite
def term_words(draw) -> list[str]:
    words = draw(st.lists(st.sampled_from(LATIN + HANGUL), min_size=1, max_size=3, unique=True))
    return [w.capitalize() if draw(st.booleans()) else w for w in words]


@st.composite
def decks(draw, name: str = "deck", max_entries: int = 12) -> Deck:
    path = f"notes/{name}.md"
    raw_terms = draw(st.lists(term_words(), min_size=1, max_size=max_entries,
                              unique_by=lambda ws: " ".join(ws).casefold()))
    terms = [" ".join(ws) for ws in raw_terms]
    sections = [("Intro",), ("Intro", "Scaling"), ("Security",)]
    entries: list[dict] = []
    for i, (words, term) in enumerate(zip(raw_terms, terms, strict=True)):
        aliases: tuple[str, ...] = ()
        if len(words) >= 2 and all(w.isascii() for w in words) and draw(st.booleans()):
            acronym = "".join(w[0] for w in words).upper()
            aliases = (acronym,) if draw(st.booleans()) else ()
            term = f"{term} ({acronym})" if not aliases else term
        definition = ""
        if draw(st.integers(0, 9)) > 0:
            parts = [f"항목{i}"]
            for _ in range(draw(st.integers(1, 8))):
                pick = draw(st.integers(0, 3))
                if pick == 0:
                    # The entry's own name, or another's, glued to a particle as notes do.
                    other = draw(st.sampled_from(terms))
                    parts.append(draw(st.sampled_from([terms[i], other])) + draw(st.sampled_from(PARTICLES)))
                else:
                    parts.append(draw(st.sampled_from(FILLER + LATIN[:5] + HANGUL[:3])))
            definition = " ".join(parts)
        entries.append({"term": term, "definition": definition, "aliases": aliases,
                        "section": draw(st.sampled_from(sections)), "line": 3 + i})
    if len(entries) >= 3 and draw(st.booleans()):
        # Synonyms: one entry aliased to another's term, one repeating another's definition.
        i, j, k = draw(st.permutations(range(len(entries))))[:3]
        entries[j]["aliases"] += (entries[i]["term"],)
        entries[k]["definition"] = entries[i]["definition"]
    if len(entries) >= 4 and draw(st.booleans()):
        group_at = draw(st.integers(0, len(entries) - 1))
        others = [k for k in range(len(entries)) if k != group_at]
        chosen = draw(st.lists(st.sampled_from(others), min_size=2, max_size=min(5, len(others)), unique=True))
        extra = ("Lonely Member",) if draw(st.booleans()) else ()
        entries[group_at]["members"] = tuple(entries[k]["term"] for k in chosen) + extra
        for k in chosen:
            entries[k]["group"] = entries[group_at]["term"]
    tables: tuple[StudyTable, ...] = ()
    if draw(st.booleans()):
        items = draw(st.lists(st.sampled_from(["Terraform", "Ansible", "Pulumi", "Chef"]), min_size=2, max_size=3,
                              unique=True))
        aspects = draw(st.lists(st.sampled_from(["목적", "언어", "방식"]), min_size=1, max_size=3, unique=True))
        cell = st.lists(st.sampled_from(FILLER[:6] + ["HCL", "YAML", "Terraform", "Ansible"]), max_size=3).map(" ".join)
        cells = tuple(tuple(draw(cell) for _ in aspects) for _ in items)
        tables = (StudyTable(id="t1", deck=name, source=SourceRef(path, 99), items=tuple(items),
                             aspects=tuple(aspects), cells=cells, section=("Tools",), comparison=True),)
    built = tuple(
        Entry(id=Entry.make_id(name, e["term"]), term=e["term"], definition=e["definition"], deck=name,
              source=SourceRef(path, e["line"]), aliases=e["aliases"], section=e["section"],
              group=e.get("group"), members=e.get("members", ()))
        for e in entries
    )
    return Deck(name=name, path=path, entries=built, tables=tables)


notes_strategy = st.builds(lambda d: Notes(decks=(d,)), decks())
seeds = st.integers(0, 2**32)


def entry_of(notes: Notes, q: Question) -> Entry | None:
    return next((e for e in notes.entries if e.id == q.entry_id), None)


def names_of(entry: Entry) -> set[str]:
    return {choice_key(f) for f in name_forms(entry.names)}


def synonyms(a: Entry, b: Entry) -> bool:
    same_definition = bool(a.definition) and choice_key(a.definition) == choice_key(b.definition)
    return a is b or bool(names_of(a) & names_of(b)) or same_definition


@PROPERTY_SETTINGS
@given(notes_strategy, seeds)
def test_every_question_has_two_to_four_distinct_choices_and_a_valid_answer(notes, seed):
    for q in build_question_bank(notes, seed=seed).questions:
        assert 2 <= len(q.choices) <= 4 and 0 <= q.answer < len(q.choices)
        assert len({choice_key(c) for c in q.choices}) == len(q.choices)


@PROPERTY_SETTINGS
@given(notes_strategy, seeds)
def test_the_correct_choice_never_appears_in_the_prompt(notes, seed):
    for q in build_question_bank(notes, seed=seed).questions:
        assert not appears(q.correct_choice, q.prompt), q


@PROPERTY_SETTINGS
@given(notes_strategy, seeds)
def test_definition_prompts_never_name_the_answer_or_its_aliases(notes, seed):
    for q in build_question_bank(notes, seed=seed).questions:
        if q.kind is QuestionKind.DEFINITION_TO_TERM:
            for name in name_forms(entry_of(notes, q).names):
                assert not appears(name, q.prompt), (name, q.prompt)


@PROPERTY_SETTINGS
@given(notes_strategy, seeds)
def test_definition_choices_never_name_the_term_asked(notes, seed):
    for q in build_question_bank(notes, seed=seed).questions:
        if q.kind is QuestionKind.TERM_TO_DEFINITION:
            for name in name_forms(entry_of(notes, q).names):
                assert not any(appears(name, c) for c in q.choices), (name, q.choices)


@PROPERTY_SETTINGS
@given(notes_strategy, seeds)
def test_definition_to_term_has_exactly_one_term_that_fits(notes, seed):
    entries = notes.entries
    for q in build_question_bank(notes, seed=seed).questions:
        if q.kind is not QuestionKind.DEFINITION_TO_TERM:
            continue
        asked = entry_of(notes, q)
        fitting = [c for c in q.choices
                   if any(choice_key(c) in names_of(e) and synonyms(asked, e) for e in entries)]
        assert fitting == [q.correct_choice]


@PROPERTY_SETTINGS
@given(notes_strategy, seeds)
def test_acronym_questions_have_exactly_one_expansion_of_the_acronym(notes, seed):
    entries = notes.entries
    for q in build_question_bank(notes, seed=seed).questions:
        if q.kind is not QuestionKind.ACRONYM or "stand for" not in q.prompt:
            continue
        acronym = next(f for f in name_forms(entry_of(notes, q).names)
                       if q.prompt == PROMPT_EXPANSION.format(acronym=f))
        owners = [e for e in entries if choice_key(acronym) in names_of(e)]
        fitting = [c for c in q.choices if any(choice_key(c) in names_of(e) for e in owners)]
        assert fitting == [q.correct_choice]


@PROPERTY_SETTINGS
@given(notes_strategy, seeds)
def test_group_questions_have_exactly_one_choice_on_the_asked_side(notes, seed):
    by_term = {e.term: e for e in notes.entries}
    for q in build_question_bank(notes, seed=seed).questions:
        if q.kind is not QuestionKind.GROUP:
            continue
        group = next(e for e in notes.entries if e.members and e.source == q.source)
        member_names: set[str] = set()
        for m in group.members:
            member_names |= names_of(by_term[m]) if m in by_term else {choice_key(m)}
        is_member = [choice_key(c) in member_names for c in q.choices]
        if "NOT one of" in q.prompt:
            assert [c for c, m in zip(q.choices, is_member, strict=True) if not m] == [q.correct_choice]
        else:
            assert "is one of" in q.prompt
            assert [c for c, m in zip(q.choices, is_member, strict=True) if m] == [q.correct_choice]


@PROPERTY_SETTINGS
@given(notes_strategy, seeds)
def test_a_seed_always_builds_the_same_bank(notes, seed):
    assert build_question_bank(notes, seed=seed) == build_question_bank(notes, seed=seed)


@PROPERTY_SETTINGS
@given(notes_strategy, seeds, seeds)
def test_ids_do_not_depend_on_the_seed(notes, seed, other_seed):
    assert [q.id for q in build_question_bank(notes, seed=seed).questions] == \
        [q.id for q in build_question_bank(notes, seed=other_seed).questions]


@PROPERTY_SETTINGS
@given(notes_strategy, seeds)
def test_ids_survive_adding_an_unrelated_entry(notes, seed):
    deck = notes.decks[0]
    newcomer = Entry(id=Entry.make_id(deck.name, "Zebra Quokka"), term="Zebra Quokka",
                     definition="전혀 관계없는 새 항목의 설명 문장.", deck=deck.name, source=SourceRef(deck.path, 500),
                     section=("Appendix",))
    grown = Notes(decks=(Deck(name=deck.name, path=deck.path, entries=(*deck.entries, newcomer),
                              tables=deck.tables),))
    before = {q.id for q in build_question_bank(notes, seed=seed).questions}
    after = {q.id for q in build_question_bank(grown, seed=seed).questions}
    assert before <= after


@PROPERTY_SETTINGS
@given(notes_strategy)
def test_every_entry_with_a_definition_is_covered_when_another_unrelated_one_exists(notes):
    bank = build_question_bank(notes)
    defined = [e for e in notes.entries if e.definition]
    for e in defined:
        if any(not synonyms(e, other) for other in defined):
            assert bank.for_entry(e.id), e.term
            assert e not in bank.uncovered()


@PROPERTY_SETTINGS
@given(st.tuples(decks("alpha", 6), decks("beta", 6)), seeds)
def test_choices_never_mix_decks(pair, seed):
    notes = Notes(decks=pair)
    names = {d.name: {choice_key(f) for e in d.entries for f in name_forms(e.names)} for d in pair}
    for q in build_question_bank(notes, seed=seed).questions:
        if q.kind is QuestionKind.DEFINITION_TO_TERM:
            assert all(choice_key(c) in names[q.deck] for c in q.choices)
