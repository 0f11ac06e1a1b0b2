"""Glossary.search_text (full text with highlight spans), Korean particle stems, and related()."""

from __future__ import annotations

import pytest

from bot.engine.glossary import Glossary, korean_stems
from bot.engine.model import Entry, SourceRef


def make_entry(term, definition="", *, deck="cloud", section=("Cloud Native",), group=None, members=()):
    return Entry(
        id=Entry.make_id(deck, term),
        term=term,
        definition=definition,
        deck=deck,
        source=SourceRef(f"{deck}.md", 1),
        section=section,
        group=group,
        members=tuple(members),
    )


ENTRIES = (
    make_entry("Self Healing", "쿠버네티스에서 ReplicaSet는 Pod가 죽었을 때 새로운 Pod를 생성한다.", group="Cloud Native Pattern"),
    make_entry("HPA", "쿠버네티스는 파드를 자동으로 늘린다."),
    make_entry("Kubernetes", "컨테이너 오케스트레이션 플랫폼.", section=("Projects",)),
    make_entry("Cloud Native Pattern", "클라우드 패턴 모음.", members=("Self Healing", "Application Automation")),
    make_entry("Application Automation", "Terraform과 Ansible 같은 도구.", group="Cloud Native Pattern"),
    make_entry("Service Mesh", "마이크로서비스 간의 통신을 관리한다.", section=("Projects",)),
    make_entry("Resiliency", "장애에 강하다.", section=("Other",)),
)


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return Glossary(ENTRIES)


def highlighted(hit):
    return [hit.entry.definition[start:end] for start, end in hit.spans]


def test_korean_stems_strip_particles():
    assert "쿠버네티스" in korean_stems("쿠버네티스는")
    assert "파드" in korean_stems("파드를")
    assert "쿠버네티스" in korean_stems("쿠버네티스에서")


def test_korean_stems_leave_short_words_alone():
    assert korean_stems("파드") == set()


def test_query_with_particle_matches_stem_in_definitions(glossary):
    found = {hit.entry.term for hit in glossary.search_text("쿠버네티스는")}
    assert found == {"Self Healing", "HPA"}


def test_spans_point_at_the_stem_without_its_particle(glossary):
    hit = next(h for h in glossary.search_text("쿠버네티스") if h.entry.term == "HPA")
    assert highlighted(hit) == ["쿠버네티스"]


def test_spans_highlight_every_matching_word(glossary):
    hit = next(h for h in glossary.search_text("pod") if h.entry.term == "Self Healing")
    assert highlighted(hit) == ["Pod", "Pod"]


def test_spans_are_offsets_into_the_original_definition(glossary):
    hit = glossary.search_text("replicaset")[0]
    start, end = hit.spans[0]
    assert hit.entry.definition.index("ReplicaSet") == start and end - start == len("ReplicaSet")


def test_entries_matching_more_query_words_rank_first(glossary):
    hits = glossary.search_text("쿠버네티스 파드를")
    assert hits[0].entry.term == "HPA"
    assert highlighted(hits[0]) == ["쿠버네티스", "파드"]


def test_word_prefix_matches_inside_definitions(glossary):
    assert glossary.search_text("오케스트")[0].entry.term == "Kubernetes"


def test_full_text_is_case_insensitive(glossary):
    assert glossary.search_text("TERRAFORM")[0].entry.term == "Application Automation"


def test_search_text_respects_limit(glossary):
    assert len(glossary.search_text("쿠버네티스", limit=1)) == 1


def test_search_text_without_match_is_empty(glossary):
    assert glossary.search_text("없는단어") == []


def test_hit_score_is_higher_for_the_word_itself_than_a_prefix(glossary):
    exact = glossary.search_text("terraform")[0].score
    prefix = glossary.search_text("terra")[0].score
    assert exact > prefix


def test_related_lists_group_parent_then_siblings(glossary):
    assert [e.term for e in glossary.related(ENTRIES[0])][:2] == ["Cloud Native Pattern", "Application Automation"]


def test_related_of_a_group_parent_lists_its_members(glossary):
    assert [e.term for e in glossary.related(ENTRIES[3])][:2] == ["Self Healing", "Application Automation"]


def test_related_falls_back_to_same_section(glossary):
    assert [e.term for e in glossary.related(ENTRIES[2])] == ["Service Mesh"]


def test_related_never_includes_the_entry_itself(glossary):
    for entry in ENTRIES:
        assert entry not in glossary.related(entry, limit=25)


def test_related_respects_limit(glossary):
    assert len(glossary.related(ENTRIES[0], limit=1)) == 1


def test_related_with_nothing_nearby_is_empty(glossary):
    assert glossary.related(ENTRIES[6]) == []


def test_default_deck_particle_query_hits_definitions(request):
    pytest.importorskip("bot.engine.loader")
    deck = request.getfixturevalue("default_glossary")
    hits = deck.search_text("쿠버네티스는")
    assert hits and all(highlighted(h) for h in hits if h.spans)
    assert any("쿠버네티스" in highlighted(h) for h in hits)
