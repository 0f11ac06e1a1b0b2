"""Each Markdown shape a glossary can take, in Korean and English, and the things that are not
terms (sentences, exam weights, field labels, placeholders, code, HTML, images, embeds, tags)."""

from __future__ import annotations

import pytest

from bot.engine.model import EntryShape
from bot.engine.parser import parse_note


def parse(text: str):
    deck, problems = parse_note(text, "note.md", default_name="Note")
    return deck, problems


def terms(text: str) -> list[str]:
    return [e.term for e in parse(text)[0].entries]


def only(text: str):
    (entry,) = parse(text)[0].entries
    return entry


@pytest.mark.parametrize(
    "line",
    [
        "- **Pod**: 가장 작은 배포 단위.",
        "* **Pod** : 가장 작은 배포 단위.",
        "- **Pod:** 가장 작은 배포 단위.",
        "1. **Pod** - 가장 작은 배포 단위.",
        "- Pod — 가장 작은 배포 단위.",
        "- Pod: 가장 작은 배포 단위.",
        "- `Pod` : 가장 작은 배포 단위.",
        "**Pod.** 가장 작은 배포 단위.",
        "**Pod**란 가장 작은 배포 단위.",
    ],
)
def test_term_and_separator_shapes_give_one_entry(line: str) -> None:
    entry = only(line + "\n")
    assert (entry.term, entry.definition) == ("Pod", "가장 작은 배포 단위.")


def test_nested_numbered_list_items_are_entries_at_any_depth() -> None:
    text = "- Kubernetes\n  1. **Pod**: smallest unit.\n     - **Container**: runs in a pod.\n"
    assert {"Pod", "Container"} <= set(terms(text))


def test_heading_with_acronym_is_defined_by_its_paragraph() -> None:
    entry = only("## OCI (Open Container Initiative)\n컨테이너 표준을 정의하는 산업 표준.\n")
    assert (entry.term, entry.aliases, entry.shape) == ("OCI", ("Open Container Initiative",), EntryShape.HEADING)
    assert entry.definition == "컨테이너 표준을 정의하는 산업 표준."


def test_heading_with_dash_expansion_is_a_term() -> None:
    entry = only("## SLI - Service Level Indicator\nA measurable indicator of service quality.\n")
    assert (entry.term, entry.aliases) == ("SLI", ("Service Level Indicator",))


def test_question_headings_name_their_subject() -> None:
    text = "### What is a Deployment?\nManages replica sets.\n\n## 파드란?\n가장 작은 배포 단위.\n"
    assert terms(text) == ["Deployment", "파드"]


def test_heading_followed_only_by_entries_is_a_section_not_a_term() -> None:
    assert terms("### 4요소\n- Microservices: 작은 서비스.\n- DevOps: 개발과 운영.\n") == ["Microservices", "DevOps"]


def test_two_column_table_rows_are_entries_and_the_table_is_kept() -> None:
    deck, _ = parse("| 프로젝트 | 설명 |\n| --- | --- |\n| **Helm** | 패키지 관리자 |\n| **Envoy** | 서비스 프록시 |\n")
    assert [e.term for e in deck.entries] == ["Helm", "Envoy"]
    (table,) = deck.tables
    assert (table.items, table.comparison) == (("Helm", "Envoy"), False)
    assert deck.entries[0].table_id == table.id


def test_wide_table_uses_description_column_and_full_name_as_alias() -> None:
    text = "| Acronym | Full Name | Purpose |\n| --- | --- | --- |\n| **CRI** | Container Runtime Interface | Talks to runtimes |\n"
    entry = only(text)
    assert (entry.term, entry.aliases, entry.definition) == ("CRI", ("Container Runtime Interface",), "Talks to runtimes")


def test_comparison_table_items_become_entries_summarising_their_cells() -> None:
    text = "| Feature | Docker | Podman |\n| --- | --- | --- |\n| Daemon | yes | no |\n| Rootless | optional | default |\n"
    deck, _ = parse(text)
    assert [e.term for e in deck.entries] == ["Docker", "Podman"]
    assert deck.entries[1].definition == "Daemon: no; Rootless: default"
    (table,) = deck.tables
    assert table.comparison and table.aspects == ("Daemon", "Rootless")
    assert table.cell(0, 1) == "optional"


def test_definition_list_paragraph_is_an_entry() -> None:
    entry = only("Ingress\n: HTTP 트래픽을 서비스로 라우팅한다.\n")
    assert (entry.term, entry.shape) == ("Ingress", EntryShape.DEFINITION_LIST)


def test_korean_sentence_definition_is_an_entry() -> None:
    entry = only("고가용성이란 장애가 나도 서비스가 계속되는 성질이다.\n")
    assert (entry.term, entry.shape) == ("고가용성", EntryShape.SENTENCE)


def test_english_is_sentence_defines_its_subject() -> None:
    entry = only("An SLO is the target value or range for an SLI.\n")
    assert entry.term == "SLO"


def test_qa_block_with_a_definitional_question_is_an_entry() -> None:
    entry = only("Q. What is etcd?\nA. A distributed key-value store.\n")
    assert (entry.term, entry.definition, entry.shape) == ("etcd", "A distributed key-value store.", EntryShape.QA)


def test_flashcard_whose_answer_names_a_tool_makes_the_answer_an_entry() -> None:
    entry = only("Which tool monitors runtime security? :: Falco #flashcard\n")
    assert (entry.term, entry.definition, entry.rule) == ("Falco", "Which tool monitors runtime security?", "qa:answer")


def test_flashcard_with_a_sentence_answer_and_no_subject_is_not_an_entry() -> None:
    assert terms("How long is the API guaranteed to be compatible? :: At least 1 year after a release.\n") == []


def test_plain_term_lines_in_a_paragraph_are_entries_and_placeholders_are_not() -> None:
    text = "Public Cloud : 공용 클라우드\nPrivate Cloud : 전용 클라우드\n가상화(Virtualization) : \n"
    assert terms(text) == ["Public Cloud", "Private Cloud"]


def test_group_without_own_text_lists_its_children_as_members() -> None:
    text = "- **특징**\n   - **Resiliency**: 복구 능력.\n   - **Agility**: 민첩성.\n"
    deck, _ = parse(text)
    group = next(e for e in deck.entries if e.term == "특징")
    assert group.members == ("Resiliency", "Agility")
    assert group.definition == "Resiliency, Agility"
    assert next(e for e in deck.entries if e.term == "Agility").group == "특징"


def test_plain_children_of_an_entry_extend_its_definition() -> None:
    entry = only("- Scheduler : 노드를 선택한다\n    - 부하를 고르게 나눈다\n")
    assert entry.definition == "노드를 선택한다 부하를 고르게 나눈다"


@pytest.mark.parametrize(
    "text",
    [
        "- **Kubernetes 기초**: 46% - 핵심 개념, 아키텍처\n",
        "- **Format**: Multiple-choice.\n",
        "- 사용 이유 : 비용 절감\n",
        "- 이것은 문장입니다. 용어가 아닙니다: 정말로\n",
        "```\n- **Pod**: in a code block\n```\n",
        "<div>- **Pod**: html block</div>\n",
        "![[diagram.png]]\n",
        "![Pod: image alt](img/pod.png)\n",
        "#kubernetes #pod\n",
        "- **Term**:\n",
        "- [ ] **Pod**: 체크리스트 항목\n",
    ],
)
def test_things_that_are_not_terms(text: str) -> None:
    assert terms(text) == []


def test_obsidian_tags_and_embeds_are_removed_from_definitions() -> None:
    entry = only("- **Resilience**: Handles failures gracefully. #resilience ![[x.png]]\n")
    assert entry.definition == "Handles failures gracefully."


def test_link_text_separator_is_not_a_term_separator() -> None:
    assert terms("- [Podman 분석: 기능 비교](https://example.com)\n") == []


def test_sections_record_every_heading_path() -> None:
    deck, _ = parse("# A\n## B\ntext\n### C\n## D\n")
    assert deck.sections == (("A",), ("A", "B"), ("A", "B", "C"), ("A", "D"))


def test_entry_section_is_its_heading_path() -> None:
    deck, _ = parse("# Storage\n## Volumes\n- **PV**: 영구 볼륨.\n")
    assert deck.entries[0].section == ("Storage", "Volumes")


def test_line_numbers_count_front_matter() -> None:
    deck, _ = parse("---\ntitle: T\n---\n\n- **Pod**: unit.\n")
    assert deck.entries[0].source.line == 5
