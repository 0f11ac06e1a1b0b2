"""Things that look like glossary entries but are not terms: feature-pair labels, benefit and
quality labels, section headings that name an activity or a section, field labels. Expected
terms come from reading each snippet."""

from __future__ import annotations

import pytest

from bot.engine.parser import parse_note


def terms(text: str) -> list[str]:
    deck, _ = parse_note(text, "note.md", default_name="Note")
    return [e.term for e in deck.entries]


@pytest.mark.parametrize(
    "line",
    [
        "- **Service Discovery & Load Balancing**: Kubernetes gives pods stable names.",
        "- **Networking and Storage**: CNI and CSI standardise plugins.",
        "- **저장소와 볼륨**: 파드가 데이터를 보관하는 방법을 정리한다.",
        "- **Volume 과 Ephemeral Volume**: 둘의 차이를 정리한다.",
    ],
)
def test_two_things_joined_by_and_are_a_label_not_a_term(line: str) -> None:
    assert terms(line + "\n") == []


def test_an_acronym_expansion_with_and_stays_a_term() -> None:
    assert terms("- **KCNA (Kubernetes and Cloud Native Associate)**: an entry-level exam.\n") == ["KCNA"]


@pytest.mark.parametrize(
    "line",
    [
        "- **향상된 보안**: 데몬이 없으므로 공격 표면이 감소합니다.",
        "- **안정성 향상**: 단일 장애점이 제거됩니다.",
        "- **고급 네트워킹 기능 부족**: 고급 라우팅이 불편할 수 있습니다.",
        "- **중앙 집중식 관리의 부재**: 일괄 관리에 한계가 있습니다.",
        "- **입문 수준**: 처음 접해도 도전할 수 있음",
        "- **대표적인 클라우드 서비스 제공자**: AWS, Azure, GCP",
        "- **공식 CNCF 커리큘럼**: 시험 영역별 비중이 나와 있습니다.",
    ],
)
def test_korean_benefit_and_quality_labels_are_not_terms(line: str) -> None:
    assert terms(line + "\n") == []


def test_korean_terms_with_similar_words_stay_terms() -> None:
    text = "- **최소 권한 원칙**: 필요한 권한만 준다.\n- **역할 기반 접근 제어**: 역할로 권한을 묶는다.\n"
    assert terms(text) == ["최소 권한 원칙", "역할 기반 접근 제어"]


@pytest.mark.parametrize(
    "heading",
    ["## Managing Running Containers", "## Creating Container Images", "## Highlights of KCNA",
     "## Resources for Further Learning", "## 내일 학습 예고", "## 멀티 컨테이너의 필요성"],
)
def test_section_headings_are_not_terms(heading: str) -> None:
    assert terms(f"{heading}\n\nThis part of the note goes through the steps one by one.\n") == []


def test_heading_naming_a_thing_with_its_explanation_is_a_term() -> None:
    assert terms("### Deployment\n\nKeeps a set of identical pods running and rolls out new versions.\n") == ["Deployment"]


@pytest.mark.parametrize("label", ["Mission", "Stack"])
def test_field_labels_are_not_terms(label: str) -> None:
    assert terms(f"- **{label}**: Make cloud native computing ubiquitous.\n") == []


def test_two_names_sharing_one_definition_are_two_entries() -> None:
    assert terms("- **containerd / docker**: 컨테이너 런타임\n") == ["containerd", "docker"]


def test_table_of_sample_instances_listed_in_its_heading_is_not_terms() -> None:
    text = (
        "## Namespace (blue, green)\n\n| Namespace | 용도 |\n|---|---|\n| blue | 운영 환경 |\n| green | 개발 환경 |\n"
    )
    assert terms(text) == []


def test_table_of_values_under_a_heading_naming_their_kind_is_terms() -> None:
    text = "## RBAC verbs\n\n| Verb | 설명 |\n|---|---|\n| get | 단일 리소스 조회 |\n| watch | 변경 감시 |\n"
    assert terms(text) == ["get", "watch"]


@pytest.mark.parametrize("line", ["- **내부 통신의 경우**: internal API를 사용한다", "- 일반적으로는 1파드 = 1컨테이너로 구성한다"])
def test_korean_case_and_adverb_phrases_are_not_terms(line: str) -> None:
    assert terms(line + "\n") == []


def test_items_under_a_bold_resources_label_are_not_terms() -> None:
    text = "**꼭 챙겨야 할 리소스:**\n\n- **CNCF 커리큘럼 문서**: 영역별 비중을 확인하세요\n- **Killercoda**: 실습 환경을 써 보세요\n"
    assert terms(text) == []


def test_korean_labels_after_a_sentence_lead_in_are_not_terms() -> None:
    text = "기존 도구와의 호환성을 제공합니다:\n\n- **Docker 호환 API**: 기존 스크립트를 그대로 쓸 수 있습니다.\n- **Podman**: 데몬 없이 컨테이너를 실행하는 도구입니다.\n"
    assert terms(text) == ["Podman"]


def test_bold_label_with_a_colon_over_plain_members_is_not_a_group() -> None:
    text = "**Architecture Goals:**\n\n* Application Availability\n* Cost Management\n* Efficiency\n"
    assert terms(text) == []


@pytest.mark.parametrize("heading", ["## Helm 기본", "## DNS stuff"])
def test_section_heading_gives_way_to_the_term_on_the_line_under_it(heading: str) -> None:
    text = f"{heading}\n\nChart : 쿠버네티스 리소스를 묶은 패키지\n"
    assert terms(text) == ["Chart"]


@pytest.mark.parametrize("heading", ["## Install the CLI", "## Run a container", "## What I learned today", "## 정리", "## 다음주"])
def test_instruction_and_label_headings_are_not_terms(heading: str) -> None:
    assert terms(f"{heading}\n\nThis part goes through the steps that matter for the exam one by one.\n") == []
