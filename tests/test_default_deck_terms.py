"""Pinned entries of the default deck: aliases, groups, the comparison table, sections and source
lines. Precision and recall against its gold list are measured in test_glossary_gold.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine.model import EntryShape, Notes

def _deck(notes: Notes):
    (deck,) = notes.decks
    return deck


def _entry(notes: Notes, name: str):
    folded = name.casefold()
    matches = [e for e in notes.entries if folded in (n.casefold() for n in e.names)]
    assert matches, f"no entry named {name!r}"
    return matches[0]


def test_front_matter_title_names_the_deck(default_notes: Notes) -> None:
    deck = _deck(default_notes)
    assert deck.name == "Cloud Native Fundamentals"
    assert "kubernetes" in deck.tags


def test_deck_path_is_the_path_as_discovered(default_notes: Notes) -> None:
    assert _deck(default_notes).path.endswith("data/notes/cloud-native-fundamentals.md")


def test_default_deck_loads_without_errors(default_notes: Notes) -> None:
    assert not default_notes.has_errors


def test_hpa_has_its_acronym_and_expansion(default_notes: Notes) -> None:
    hpa = _entry(default_notes, "HPA")
    assert hpa.term == "Horizontal Pod Autoscaler"
    assert "HPA" in hpa.aliases


def test_faas_expansion_in_parentheses_is_an_alias(default_notes: Notes) -> None:
    faas = _entry(default_notes, "FaaS")
    assert "Function as a Service" in faas.aliases
    assert faas.definition.startswith("개발자는 서버를 관리할 필요 없이")


def test_ci_cd_keeps_the_parenthesised_expansion_after_the_separator(default_notes: Notes) -> None:
    cicd = _entry(default_notes, "CI/CD")
    assert "Countinuous Integration/Deployment" in cicd.aliases
    assert cicd.definition.startswith("코드 변경 사항을 자동으로")


def test_terraform_and_ansible_come_from_the_comparison_table(default_notes: Notes) -> None:
    deck = _deck(default_notes)
    (comparison,) = [t for t in deck.tables if t.comparison]
    assert comparison.items == ("Terraform", "Ansible")
    assert comparison.aspects[0] == "주요 목적"
    for name in ("Terraform", "Ansible"):
        entry = _entry(default_notes, name)
        assert entry.shape is EntryShape.TABLE_COLUMN
        assert entry.table_id == comparison.id
        assert "주요 목적:" in entry.definition


def test_cncf_project_table_rows_are_entries_with_the_br_cell_joined(default_notes: Notes) -> None:
    argo = _entry(default_notes, "Argo")
    assert argo.shape is EntryShape.TABLE_ROW
    assert "※ Argo Workflows" in argo.definition
    assert "<br>" not in argo.definition


def test_cloud_native_application_characteristics_group_has_four_members(default_notes: Notes) -> None:
    group = _entry(default_notes, "Cloud Native Application의 특징")
    assert group.members == ("Resiliency", "Agility", "Operability", "Observability")
    assert _entry(default_notes, "Agility").group == "Cloud Native Application의 특징"


def test_cncf_project_group_has_own_definition_and_the_maturity_levels(default_notes: Notes) -> None:
    group = _entry(default_notes, "CNCF 프로젝트")
    assert group.members == ("Sandbox", "Incubating", "Graduated")
    assert group.definition.startswith("CNCF는 다양한 오픈 소스 프로젝트를")


def test_security_heading_lists_plain_members_not_entries(default_notes: Notes) -> None:
    group = _entry(default_notes, "Cloud Native Security 4요소")
    assert group.members == ("Cloud", "Clusters", "Containers", "Code")
    names = {n.casefold() for e in default_notes.entries for n in e.names}
    assert "clusters" not in names


@pytest.mark.parametrize("name", ["OCI", "CNI", "CSI", "CRI", "SMI"])
def test_open_standards_headings_are_entries(default_notes: Notes, name: str) -> None:
    entry = _entry(default_notes, name)
    assert entry.shape is EntryShape.HEADING
    assert entry.section[0] == "Open Standards"


def test_auto_scaling_list_item_and_heading_merge_into_one_entry(default_notes: Notes) -> None:
    matches = [e for e in default_notes.entries if e.term.casefold() == "auto scaling"]
    assert len(matches) == 1
    assert "웹 애플리케이션의 트래픽" in matches[0].definition


def test_sentence_inside_a_definition_defines_its_own_term(default_notes: Notes) -> None:
    entry = _entry(default_notes, "Mutual authentication")
    assert entry.shape is EntryShape.SENTENCE
    assert entry.definition.startswith("서버와 클라이언트가 서로 인증하는")


def test_section_headings_are_not_entries(default_notes: Notes) -> None:
    names = {n.casefold() for e in default_notes.entries for n in e.names}
    for heading in ("Cloud Native 실천 방식", "References", "Open Standards", "클라우드 네이티브 아키텍쳐의 4요소"):
        assert heading.casefold() not in names


def test_lazy_continuation_line_belongs_to_the_keda_definition(default_notes: Notes) -> None:
    assert "KEDA CRD(ScaledObject, ScaledJob 등)" in _entry(default_notes, "KEDA").definition


def test_typos_are_kept_as_the_user_wrote_them(default_notes: Notes) -> None:
    assert _entry(default_notes, "Service Deiscovery").term == "Service Deiscovery"
    assert _entry(default_notes, "vendor lock-kin").term == "vendor lock-kin"


def test_curated_aliases_reach_terms_in_the_notes(default_notes: Notes) -> None:
    assert "테라폼" in _entry(default_notes, "Terraform").aliases
    assert "쿠버네티스" in _entry(default_notes, "Kubernetes").aliases
    assert "서비스 메시" in _entry(default_notes, "Service Mesh").aliases


@pytest.mark.parametrize(
    ("name", "needle"),
    [("HPA", "**Horizontal Pod Autoscaler (HPA)**"), ("OCI", "## OCI (Open Container Initiative)"),
     ("Kubecost", "**Kubecost**"), ("Rook", "- Rook :")],
)
def test_source_line_points_at_the_defining_line(default_notes: Notes, default_deck_path: Path, name: str, needle: str) -> None:
    lines = default_deck_path.read_text(encoding="utf-8").splitlines()
    entry = _entry(default_notes, name)
    assert needle in lines[entry.source.line - 1]


def test_every_heading_path_is_a_deck_section(default_notes: Notes) -> None:
    sections = _deck(default_notes).sections
    assert ("Open Standards", "OCI (Open Container Initiative)") in sections
    assert ("Cloud Native 아키텍쳐",) in sections


def test_entry_ids_are_unique_and_derived_from_deck_and_term(default_notes: Notes) -> None:
    from bot.engine.model import Entry

    ids = [e.id for e in default_notes.entries]
    assert len(ids) == len(set(ids))
    entry = _entry(default_notes, "KEDA")
    assert entry.id == Entry.make_id("Cloud Native Fundamentals", "KEDA")
