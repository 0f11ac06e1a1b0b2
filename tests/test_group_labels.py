"""Group labels: a group that says nothing of its own ("- **X의 특징**" over explained members) and
whose name names a collection or qualities is not a glossary term. Its members stay entries that
keep it as their `group`, the quiz still asks "which is one of X?", and `studybot check` says why
it is not an entry. A group with an explanation (or another name) of its own stays an entry."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.cli import main
from bot.engine.model import Deck, Entry, Notes, QuestionKind, SourceRef
from bot.engine.parser import parse_note
from bot.engine.questions import PROMPT_GROUP_MEMBER, PROMPT_GROUP_NON_MEMBER, build_question_bank

MEMBERS_KO = "   - **Resiliency**: 장애에서 빠르게 복구하는 능력.\n   - **Agility**: 요구사항 변화에 빠르게 대응하는 능력.\n" \
             "   - **Observability**: 내부 상태를 외부에서 파악하는 능력.\n"
MEMBERS_EN = "  - **Resiliency**: recovers from failures quickly.\n  - **Agility**: adapts to change quickly.\n" \
             "  - **Observability**: internal state visible from outside.\n"


def parse(text: str) -> Deck:
    deck, _ = parse_note(text, "note.md", default_name="Note")
    return deck


@pytest.mark.parametrize(
    ("label", "members"),
    [
        ("Cloud Native Application의 특징", MEMBERS_KO),
        ("특징", MEMBERS_KO),
        ("Docker의 장점", MEMBERS_KO),
        ("쿠버네티스의 구성 요소", MEMBERS_KO),
        ("Cloud Native 특징", MEMBERS_KO),
        ("Characteristics of Cloud Native Applications", MEMBERS_EN),
        ("Key Features", MEMBERS_EN),
        ("Kubernetes Features", MEMBERS_EN),
        ("Types of Qualities", MEMBERS_EN),
        ("Cloud Native Pattern", MEMBERS_EN),
        ("Cloud Native Principles", MEMBERS_EN),
    ],
)
def test_a_characteristics_label_over_explained_members_is_not_a_term(label: str, members: str) -> None:
    deck = parse(f"## Architecture\n\n- **{label}**\n{members}")
    assert [e.term for e in deck.entries] == ["Resiliency", "Agility", "Observability"]
    assert all(e.group == label for e in deck.entries)
    (group,) = deck.group_labels
    assert (group.term, group.members, group.source.line) == (label, ("Resiliency", "Agility", "Observability"), 3)
    assert group.rule == "list_item"
    assert str(group) == f"note.md:3: group label {label!r} is not a term; its members are Resiliency, Agility, Observability"


def test_a_bold_label_line_over_explained_members_is_not_a_term() -> None:
    deck = parse(f"**Kubernetes Features**\n\n{MEMBERS_EN.replace('  - ', '- ')}")
    assert [e.term for e in deck.entries] == ["Resiliency", "Agility", "Observability"]
    assert {e.group for e in deck.entries} == {"Kubernetes Features"}
    assert [g.rule for g in deck.group_labels] == ["heading:group"]


@pytest.mark.parametrize(
    ("text", "group"),
    [
        # Explained by a sentence of its own, with plain members.
        ("## Cloud Native Security 4요소\n클라우드 네이티브 보안을 위한 4가지 핵심 요소입니다.\n- Cloud\n- Clusters\n- Containers\n- Code\n",
         "Cloud Native Security 4요소"),
        # A label-like name, but the group says something of its own.
        ("- **Kubernetes Features**: what the orchestrator gives you.\n" + MEMBERS_EN, "Kubernetes Features"),
        ("- **CNCF 프로젝트 단계**: CNCF 프로젝트가 거치는 성숙도.\n" + MEMBERS_KO, "CNCF 프로젝트 단계"),
        # A name that names one thing, over its explained parts.
        ("- **Control Plane**\n  - **API Server**: the front end of the cluster.\n  - **etcd**: the key-value store.\n",
         "Control Plane"),
        # A name with a gloss of its own (another name).
        ("- **클라우드 배포 유형 (Deployment Models)**\n" + MEMBERS_KO, "클라우드 배포 유형"),
    ],
)
def test_a_group_with_its_own_explanation_stays_an_entry(text: str, group: str) -> None:
    deck = parse(text)
    assert deck.group_labels == ()
    entry = next(e for e in deck.entries if e.term == group)
    assert len(entry.members) >= 2
    assert all(e.group == group for e in deck.entries if e.term in entry.members)


def test_a_heading_with_a_paragraph_over_its_members_stays_an_entry() -> None:
    deck = parse("## Control Plane\nThe control plane manages the worker nodes and the Pods.\n\n"
                 "- **API Server**: the front end of the cluster.\n- **etcd**: the key-value store.\n")
    assert deck.group_labels == ()
    assert "Control Plane" in [e.term for e in deck.entries]


LABELLED = (
    "## Architecture\n\n"
    "- **Cloud Native Application의 특징**\n" + MEMBERS_KO + "\n"
    "- **CNCF 프로젝트**: CNCF가 호스팅하는 프로젝트의 성숙도 단계.\n"
    "  - **Sandbox**: 초기 단계 프로젝트.\n  - **Incubating**: 성장 중인 프로젝트.\n  - **Graduated**: 성숙한 프로젝트.\n"
    "- **Service Mesh**: 서비스 간 통신을 관리하는 인프라 계층.\n"
)


def test_group_questions_come_from_members_sharing_a_label() -> None:
    deck = parse(LABELLED)
    label = "Cloud Native Application의 특징"
    assert label not in [e.term for e in deck.entries]
    bank = build_question_bank(Notes(decks=(deck,)))
    asked = [q for q in bank.questions if q.kind is QuestionKind.GROUP and label in q.prompt]
    members = {"Resiliency", "Agility", "Observability"}
    one_of = [q for q in asked if q.prompt == PROMPT_GROUP_MEMBER.format(group=label)]
    assert sorted(q.correct_choice for q in one_of) == sorted(members)
    (not_one,) = [q for q in asked if q.prompt == PROMPT_GROUP_NON_MEMBER.format(group=label)]
    assert not_one.correct_choice not in members and set(not_one.choices) - {not_one.correct_choice} <= members
    by_id = {e.id: e for e in deck.entries}
    # Each "one of" question is about its member; the "NOT one of" question is about no single entry
    # but is found under every member; every question points at the label's line.
    assert all(by_id[q.entry_id].term == q.correct_choice for q in one_of)
    assert not_one.entry_id is None
    for member in deck.entries:
        if member.group == label:
            assert not_one in bank.for_entry(member.id)
    assert {q.source.line for q in asked} == {3}
    assert not bank.uncovered()


def test_group_questions_come_from_members_sharing_a_group_with_no_entry_nor_recorded_label() -> None:
    path = "notes/deck.md"
    entries = tuple(
        Entry(id=Entry.make_id("deck", t), term=t, definition=d, deck="deck", source=SourceRef(path, line),
              group="Kinds of Things")
        for t, d, line in [("Pod", "smallest unit", 4), ("Node", "a machine", 5), ("Volume", "storage", 6)]
    ) + (Entry(id=Entry.make_id("deck", "Ingress"), term="Ingress", definition="routes traffic", deck="deck",
               source=SourceRef(path, 9)),)
    bank = build_question_bank(Notes(decks=(Deck(name="deck", path=path, entries=entries),)))
    group = [q for q in bank.questions if q.kind is QuestionKind.GROUP]
    assert sorted(q.correct_choice for q in group if "NOT" not in q.prompt) == ["Node", "Pod", "Volume"]
    assert {q.source.line for q in group} == {4}  # the first member's line


def test_default_deck_keeps_its_group_questions_after_the_labels_left_the_glossary(default_notes: Notes) -> None:
    bank = build_question_bank(default_notes)
    group = [q for q in bank.questions if q.kind is QuestionKind.GROUP]
    assert len(group) == 16  # as many as when the two labels were entries
    labels = {g.term for g in default_notes.decks[0].group_labels}
    assert labels == {"Cloud Native Application의 특징", "Cloud Native Pattern"}
    assert not labels & {e.term for e in default_notes.entries}
    assert sum(1 for q in group if "Cloud Native Application의 특징" in q.prompt) == 5
    assert sum(1 for q in group if "Cloud Native Pattern" in q.prompt) == 2


def test_check_says_why_a_group_label_is_not_an_entry(tmp_path: Path) -> None:
    (tmp_path / "note.md").write_text("- **Docker의 장점**\n" + MEMBERS_KO, encoding="utf-8")
    out = io.StringIO()
    assert main(["check", "--notes", str(tmp_path)], out=out) == 0
    expected = f"{tmp_path / 'note.md'}:1: group label 'Docker의 장점' is not a term; its members are Resiliency, Agility, Observability"
    assert expected in out.getvalue().splitlines()
