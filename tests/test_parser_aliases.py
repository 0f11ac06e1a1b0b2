"""Aliases: acronyms and expansions in a term count both ways, descriptive parentheses do not,
and curated synonyms from data/aliases.yaml only extend terms the notes define."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine.aliases import apply_curated_aliases, load_curated_aliases, split_term
from bot.engine.parser import parse_note


@pytest.mark.parametrize(
    ("raw", "term", "aliases"),
    [
        ("Horizontal Pod Autoscaler (HPA)", "Horizontal Pod Autoscaler", ("HPA",)),
        ("FaaS(Function as a Service)", "FaaS", ("Function as a Service",)),
        ("클라우드(Cloud)", "클라우드", ("Cloud",)),
        ("OCI (Open Container Initiative)", "OCI", ("Open Container Initiative",)),
        ("SLI - Service Level Indicator", "SLI", ("Service Level Indicator",)),
        ("CRI – Container Runtime Interface", "CRI", ("Container Runtime Interface",)),
        ("가용영역(AZ, Availability Zone)", "가용영역", ("AZ", "Availability Zone")),
        ("Control Plane (=Master Node)", "Control Plane", ("Master Node",)),
        ("선언형 설정(Declarative Configuration)", "선언형 설정", ("Declarative Configuration",)),
    ],
)
def test_names_in_parentheses_or_after_a_dash_are_aliases(raw: str, term: str, aliases: tuple[str, ...]) -> None:
    assert split_term(raw) == (term, aliases)


@pytest.mark.parametrize(
    "raw",
    ["Opaque (기본)", "Kubernetes Fundamentals (46%)", "Release (2024-05-01)", "Tooling (e.g. Helm)", "재시작 (in k8s)"],
)
def test_descriptive_parentheses_are_not_aliases(raw: str) -> None:
    assert split_term(raw)[1] == ()


def test_dash_between_two_unrelated_names_is_not_an_alias() -> None:
    assert split_term("Docker - Podman") == ("Docker - Podman", ())


def test_bold_term_with_expansion_gets_alias_in_a_parsed_note() -> None:
    deck, _ = parse_note("- **Technical Oversight Committee(TOC)** : 기술 방향을 정하는 위원회.\n", "n.md", default_name="N")
    (entry,) = deck.entries
    assert (entry.term, entry.aliases) == ("Technical Oversight Committee", ("TOC",))


def test_curated_file_is_a_mapping_of_term_to_synonyms(tmp_path: Path) -> None:
    path = tmp_path / "aliases.yaml"
    path.write_text("Kubernetes: [쿠버네티스, k8s]\nHelm: 헬름\n", encoding="utf-8")
    assert load_curated_aliases(path) == {"Kubernetes": ["쿠버네티스", "k8s"], "Helm": ["헬름"]}


def test_curated_file_that_is_not_a_mapping_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "aliases.yaml"
    path.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(ValueError):
        load_curated_aliases(path)


def test_curated_aliases_apply_only_to_terms_in_the_notes() -> None:
    deck, _ = parse_note("- **Auto Scaling**: 부하에 따라 확장.\n", "n.md", default_name="N")
    updated = apply_curated_aliases(deck.entries, {"autoscaling": ["오토스케일링"], "Terraform": ["테라폼"]})
    assert [e.aliases for e in updated] == [("오토스케일링",)]


def test_curated_aliases_match_an_entry_alias_too() -> None:
    deck, _ = parse_note("- **Horizontal Pod Autoscaler (HPA)**: Pod 수 조정.\n", "n.md", default_name="N")
    (entry,) = apply_curated_aliases(deck.entries, {"hpa": ["수평 파드 오토스케일러"]})
    assert entry.aliases == ("HPA", "수평 파드 오토스케일러")


def test_repository_aliases_file_loads_and_has_hangul_and_abbreviations() -> None:
    curated = load_curated_aliases(Path(__file__).resolve().parent.parent / "data" / "aliases.yaml")
    assert "쿠버네티스" in curated["Kubernetes"] and "k8s" in curated["Kubernetes"]
    assert "otel" in curated["OpenTelemetry"]
    assert "서비스 메시" in curated["Service Mesh"]


def test_same_term_defined_twice_in_one_file_merges_with_aliases() -> None:
    text = "- **HPA**: Pod 수를 조정.\n\n## Horizontal Pod Autoscaler (HPA)\n쿠버네티스에서 Pod 수를 자동으로 늘리고 줄이는 기능.\n"
    deck, _ = parse_note(text, "n.md", default_name="N")
    (entry,) = deck.entries
    assert entry.term == "HPA"
    assert "Horizontal Pod Autoscaler" in entry.aliases
    assert "자동으로 늘리고" in entry.definition
