"""Evidence and confidence on entries, and a note correcting its own glossary through front
matter `glossary: {exclude, include, aliases, quiz_unsure}`: honoured on load, reported by
`studybot check`, and a block with wrong types is a `file:line` problem while the note loads."""

from __future__ import annotations

import io
from pathlib import Path

from bot.cli import main
from bot.engine.loader import load_notes
from bot.engine.model import EntryShape, Notes
from bot.engine.parser import parse_note
from bot.engine.questions import build_question_bank

BODY = """# Kubernetes objects

- **Service**: a stable network address in front of a set of pods
- **Office Hours**: Tuesdays at six in room 204 with the mentors

## Deployment

Keeps a number of identical pods running and rolls out new versions of them.
"""


def parse(text: str):
    return parse_note(text, "note.md", default_name="Note")


def entry(deck, name: str):
    return next(e for e in deck.entries if name.casefold() in (n.casefold() for n in e.names))


def test_every_entry_records_the_rule_that_made_it() -> None:
    deck, _ = parse(BODY)
    assert entry(deck, "Service").rule == "list_item"
    assert entry(deck, "Deployment").rule == "heading:bare"


def test_bare_heading_is_unsure_and_a_bold_list_item_is_confident() -> None:
    deck, _ = parse(BODY)
    assert entry(deck, "Service").confident
    assert not entry(deck, "Deployment").confident


def test_heading_that_spells_out_its_acronym_is_confident() -> None:
    deck, _ = parse("## OCI (Open Container Initiative)\n\n컨테이너 포맷과 런타임의 표준을 정한다.\n")
    assert entry(deck, "OCI").rule == "heading:named" and entry(deck, "OCI").confident


def test_quizzes_skip_unsure_entries() -> None:
    deck, _ = parse(BODY)
    bank = build_question_bank(Notes(decks=(deck,)))
    assert {q.term for q in bank.questions} and "Deployment" not in {q.term for q in bank.questions}


def test_quiz_unsure_switch_lets_quizzes_use_unsure_entries() -> None:
    deck, problems = parse("---\nglossary:\n  quiz_unsure: true\n---\n" + BODY)
    assert not problems and deck.quiz_unsure
    bank = build_question_bank(Notes(decks=(deck,)))
    assert "Deployment" in {q.term for q in bank.questions}


def test_exclude_drops_an_entry_by_any_of_its_names() -> None:
    deck, problems = parse("---\nglossary:\n  exclude: [office hours]\n---\n" + BODY)
    assert not problems
    assert [e.term for e in deck.entries] == ["Service", "Deployment"]
    assert any("excluded 'Office Hours'" in c for c in deck.corrections)


def test_include_vouches_for_an_unsure_entry() -> None:
    deck, _ = parse("---\nglossary:\n  include: [Deployment]\n---\n" + BODY)
    assert entry(deck, "Deployment").confident


def test_include_makes_an_entry_of_a_term_the_rules_missed() -> None:
    deck, _ = parse("---\nglossary:\n  include: [ReplicaSet]\n---\n" + BODY + "\nA ReplicaSet keeps pods alive.\n")
    replica = entry(deck, "ReplicaSet")
    assert replica.shape is EntryShape.FRONT_MATTER and replica.rule == "front_matter:include"
    assert replica.definition == "A ReplicaSet keeps pods alive."
    assert replica.source.line == 14


def test_aliases_add_names_to_a_term() -> None:
    deck, _ = parse("---\nglossary:\n  aliases: {Service: [svc, 서비스]}\n---\n" + BODY)
    assert entry(deck, "svc").term == "Service" and "서비스" in entry(deck, "Service").aliases


def test_wrong_types_are_problems_with_the_line_and_the_rest_loads() -> None:
    text = "---\ntitle: T\nglossary:\n  exclude: {a: 1}\n  include: [Deployment]\n  quiz_unsure: maybe\n---\n" + BODY
    deck, problems = parse(text)
    assert [p.line for p in problems] == [3, 3]
    assert "glossary: exclude" in problems[0].message and "quiz_unsure" in problems[1].message
    assert entry(deck, "Deployment").confident  # the well-typed part still applies
    assert len(deck.entries) == 3


def test_glossary_block_that_is_not_a_mapping_is_a_problem() -> None:
    deck, problems = parse("---\nglossary: [Service]\n---\n" + BODY)
    assert len(problems) == 1 and problems[0].line == 2 and "must be a mapping" in problems[0].message
    assert len(deck.entries) == 3


def test_names_that_match_nothing_are_reported() -> None:
    _, problems = parse("---\nglossary:\n  exclude: [Ingress]\n  include: [Gateway API]\n---\n" + BODY)
    assert any("no entry named 'Ingress'" in p.message for p in problems)
    assert any("'Gateway API' does not occur" in p.message for p in problems)


def test_check_lists_unsure_entries_and_corrections_with_file_and_line(tmp_path: Path) -> None:
    note = tmp_path / "k8s.md"
    note.write_text("---\nglossary:\n  exclude: [Office Hours]\n---\n" + BODY, encoding="utf-8")
    out = io.StringIO()
    assert main(["check", "--notes", str(tmp_path)], out) == 0
    text = out.getvalue()
    assert f"{note}:10: unsure: 'Deployment' from rule heading:bare; not quizzed" in text
    assert f"{note}:8: glossary: excluded 'Office Hours'" in text


def test_corrections_survive_loading_a_folder(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\nglossary:\n  exclude: [Office Hours]\n---\n" + BODY, encoding="utf-8")
    notes = load_notes(tmp_path)
    assert "Office Hours" not in {e.term for e in notes.entries}
