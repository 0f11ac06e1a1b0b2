"""Separators and paragraph shapes from issue 11: arrows, `=`, `:=`, dashes and the full-width
colon; one term per line in one paragraph; Obsidian callouts; `==highlight==`; field names before
the value they explain; three-column tables with an example column; colon-led step bullets;
exam logistics and sentence fragments. Expected terms come from reading each snippet."""

from __future__ import annotations

import pytest

from bot.engine.model import EntryShape
from bot.engine.parser import parse_note


def entries(text: str):
    deck, _ = parse_note(text, "note.md", default_name="Note")
    return deck.entries


def pairs(text: str) -> list[tuple[str, str]]:
    return [(e.term, e.definition) for e in entries(text)]


@pytest.mark.parametrize(
    "line",
    [
        "- Pod -> 가장 작은 배포 단위",
        "- **Pod** => 가장 작은 배포 단위",
        "- Pod -- 가장 작은 배포 단위",
        "- Pod → 가장 작은 배포 단위",
        "Pod = 가장 작은 배포 단위",
        "Pod := 가장 작은 배포 단위",
        "- Pod – 가장 작은 배포 단위",
        "- Pod — 가장 작은 배포 단위",
        "- Pod：가장 작은 배포 단위",
    ],
)
def test_arrow_dash_equals_and_full_width_colon_separate_a_term(line: str) -> None:
    assert pairs(line + "\n") == [("Pod", "가장 작은 배포 단위")]


def test_a_chain_of_arrows_is_a_flow_not_a_definition() -> None:
    assert pairs("- Innovators -> Early Adopters -> Early Majority\n") == []


def test_numbered_steps_with_arrows_are_a_process_not_terms() -> None:
    text = "1. **kubectl** → API Server에 요청 전송\n2. **Controller** → ReplicaSet 생성\n"
    assert pairs(text) == []


def test_consecutive_bold_lines_in_one_paragraph_are_separate_entries() -> None:
    text = "**Ingress.** Traffic coming into the cluster.\n**Egress.** Traffic leaving the cluster.\n"
    assert pairs(text) == [("Ingress", "Traffic coming into the cluster."), ("Egress", "Traffic leaving the cluster.")]


def test_one_korean_definition_per_line_gives_one_entry_per_line() -> None:
    text = "인증이란 사용자가 누구인지 확인하는 것이다.\n인가란 사용자가 무엇을 할 수 있는지 정하는 것이다.\n"
    assert [e.term for e in entries(text)] == ["인증", "인가"]


def test_obsidian_callout_title_is_defined_by_its_body() -> None:
    text = "- **Pod**: smallest unit\n\n> [!note] Release\n> One installed instance of a chart in a cluster.\n"
    found = entries(text)
    assert [(e.term, e.definition) for e in found] == [
        ("Pod", "smallest unit"), ("Release", "One installed instance of a chart in a cluster.")
    ]
    assert found[1].shape is EntryShape.CALLOUT and found[1].rule == "callout"


def test_callout_without_a_title_is_read_for_its_own_entries() -> None:
    text = "- **Pod**: smallest unit\n\n> [!tip]\n> - **Chart**: a package of manifests\n"
    assert pairs(text) == [("Pod", "smallest unit"), ("Chart", "a package of manifests")]


def test_blockquote_definition_is_an_entry() -> None:
    assert pairs("> **Service**: a stable address for a set of pods\n") == [("Service", "a stable address for a set of pods")]


def test_highlight_markers_are_not_left_in_definitions() -> None:
    assert pairs("- **Pod**: ==가장 작은== 배포 단위\n") == [("Pod", "가장 작은 배포 단위")]


def test_field_name_before_a_value_defines_the_value() -> None:
    text = "volumeBindingMode: WaitForFirstConsumer = Pod가 스케줄될 때까지 바인딩을 미룬다\n"
    assert pairs(text) == [("WaitForFirstConsumer", "Pod가 스케줄될 때까지 바인딩을 미룬다")]


def test_three_column_table_definition_is_the_description_not_the_example() -> None:
    text = (
        "| 용어 | 설명 | 예시 |\n|---|---|---|\n"
        "| Pod | 배포 단위 | nginx 컨테이너 하나를 담은 파드, sidecar 로그 수집기를 붙인 파드 등 여러 가지 |\n"
        "| Node | 워커 머신 | 클라우드 VM 또는 베어메탈 서버, 라즈베리 파이 클러스터의 각 보드 |\n"
    )
    definitions = dict(pairs(text))
    assert definitions["Pod"].startswith("배포 단위") and definitions["Node"].startswith("워커 머신")


def test_table_row_named_like_a_label_is_kept_among_term_rows() -> None:
    text = (
        "| Type | Description |\n|---|---|\n| Counter | only goes up |\n| Gauge | goes up and down |\n"
        "| Histogram | samples in buckets |\n| Summary | quantiles over a window |\n"
    )
    assert [t for t, _ in pairs(text)] == ["Counter", "Gauge", "Histogram", "Summary"]


def test_colon_led_step_bullet_is_not_a_term_but_its_items_are() -> None:
    text = "- API 요청 흐름:\n  - **Authentication**: 누구인지 확인\n  - **Authorization**: 권한 확인\n"
    assert [t for t, _ in pairs(text)] == ["Authentication", "Authorization"]


@pytest.mark.parametrize(
    "line",
    ["- **Exam Booking**: book it on the Linux Foundation site",
     "- **Discount Code**: wait for the Cyber Monday sale",
     "- Aligning with cloud-native practices ensures applications: are resilient"],
)
def test_exam_logistics_and_sentence_fragments_are_not_terms(line: str) -> None:
    assert pairs(line + "\n") == []


def test_checklist_items_are_not_terms() -> None:
    assert pairs("- [ ] **Pod**: review the pod lifecycle\n- [x] **Node**: done\n") == []


def test_marked_subject_of_an_english_sentence_is_an_unsure_entry() -> None:
    (entry,) = entries("A **union file system** merges image layers into one view with a writable top layer.\n")
    assert (entry.term, entry.rule, entry.confident) == ("union file system", "sentence:is", False)


def test_marked_subject_in_a_list_item_is_an_entry() -> None:
    text = "- A **service mesh** is a **dedicated infrastructure layer** for service-to-service traffic.\n"
    assert [e.term for e in entries(text)] == ["service mesh"]


def test_bold_label_with_a_dash_subtitle_names_the_term_before_the_dash() -> None:
    text = "**Docker (2013) — The Usability Revolution:** Docker standardized containers and made them easy to share.\n"
    assert [e.term for e in entries(text)] == ["Docker"]


def test_heading_written_as_a_definition_defines_its_subject() -> None:
    text = "### Logs are messages that are outputs from your application, processes and programs.\n"
    (entry,) = entries(text)
    assert entry.term == "Logs" and entry.definition.startswith("Logs are messages")


def test_question_heading_answered_under_a_definition_subheading() -> None:
    text = "## What is Cloud Native?\n\n### **Definition**\n\n- Combines cloud environments and native design for scalability.\n"
    (entry,) = entries(text)
    assert entry.term == "Cloud Native" and entry.definition.startswith("Combines cloud")


def test_code_marked_acronym_with_its_expansion_in_a_list_is_an_entry() -> None:
    text = "- Roles:\n  - `SRE` (Site Reliability Engineer)\n    - https://example.com/sre\n    - keeps SLOs (How did we do?)\n"
    assert [e.names for e in entries(text)] == [("SRE", "Site Reliability Engineer")]


def test_bold_names_glossed_in_parentheses_are_unsure_entries() -> None:
    text = "* **OCI:** Governs **Image Format** (packaging) and **Runtime Specification** (execution).\n"
    found = {e.term: e for e in entries(text)}
    assert {"Image Format", "Runtime Specification"} <= set(found)
    assert found["Image Format"].definition == "packaging" and not found["Image Format"].confident
