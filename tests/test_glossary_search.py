"""Glossary.search: ranking tiers, Korean as people type it, typos, limits and robustness."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engine.glossary import Glossary
from bot.engine.model import Entry, SourceRef


def make_entry(term, *, aliases=(), deck="cloud", definition="", section=("Cloud Native",), group=None, members=()):
    return Entry(
        id=Entry.make_id(deck, term),
        term=term,
        definition=definition,
        deck=deck,
        source=SourceRef(f"{deck}.md", 1),
        aliases=tuple(aliases),
        section=section,
        group=group,
        members=tuple(members),
    )


ENTRIES = (
    make_entry("Kubernetes", aliases=("쿠버네티스", "K8s"), definition="컨테이너 오케스트레이션 플랫폼."),
    make_entry("Queue Kubernetes", definition="큐를 쓰는 쿠버네티스."),
    make_entry("Horizontal Pod Autoscaler (HPA)", definition="쿠버네티스에서 Pod의 수를 자동으로 조정하는 기능."),
    make_entry("수평 파드 오토스케일러 (HPA)", deck="ko", definition="파드를 수평으로 늘린다."),
    make_entry("Vertical Pod Autoscaler (VPA)", definition="Pod의 리소스 요청과 제한을 조정."),
    make_entry("Service Deiscovery", definition="서비스의 위치를 자동으로 찾는 방법. Enviroment Variables and DNS."),
    make_entry("서비스 디스커버리 (Service Discovery)", deck="ko", definition="서비스 위치를 찾는다."),
    make_entry("Service Mesh", aliases=("서비스 메시",), definition="마이크로서비스 간의 통신을 관리하는 인프라 계층."),
    make_entry("FaaS(Function as a Service)", definition="함수 단위로 코드를 작성하고 실행."),
    make_entry("과부하", deck="ko", definition="시스템에 부하가 너무 많이 걸린 상태."),
    make_entry("고가용성", deck="ko", definition="장애가 나도 서비스가 계속되는 성질."),
    make_entry("파드", deck="ko", definition="쿠버네티스의 가장 작은 배포 단위."),
    make_entry("파드 네트워크", deck="ko", definition="파드끼리 통신하는 네트워크."),
    make_entry("Cloud Native Computing Foundation (CNCF)", definition="클라우드 네이티브 재단."),
    make_entry("Self Healing", definition="Pod가 죽으면 ReplicaSet이 새 Pod를 만든다.", group="Cloud Native Pattern"),
    make_entry("Kubernetes", deck="ko", definition="같은 용어, 다른 덱."),
)


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return Glossary(ENTRIES)


def terms(entries):
    return [e.term for e in entries]


def test_len_counts_every_entry_including_same_term_in_two_decks(glossary):
    assert len(glossary) == len(ENTRIES)


def test_get_returns_entry_by_id_and_none_for_unknown(glossary):
    assert glossary.get(ENTRIES[0].id) is ENTRIES[0]
    assert glossary.get("nope") is None


def test_same_term_in_two_decks_are_both_found(glossary):
    decks = {e.deck for e in glossary.search("kubernetes") if e.term == "Kubernetes"}
    assert decks == {"cloud", "ko"}


def test_exact_term_ranks_before_longer_terms_containing_it(glossary):
    assert terms(glossary.search("kubernetes"))[:2] == ["Kubernetes", "Kubernetes"]


def test_search_finds_kubernetes_by_hangul_alias(glossary):
    assert glossary.search("쿠버네티스")[0] is ENTRIES[0]


def test_search_finds_kubernetes_by_initial_consonants(glossary):
    assert glossary.search("ㅋㅂㄴㅌㅅ")[0] is ENTRIES[0]


def test_choseong_finds_korean_term_from_its_second_word(glossary):
    assert "서비스 디스커버리 (Service Discovery)" in terms(glossary.search("ㄷㅅㅋㅂㄹ"))


def test_partial_syllable_finds_kubernetes(glossary):
    assert glossary.search("쿠버ㄴ")[0] is ENTRIES[0]


def test_ime_transient_final_finds_kubernetes(glossary):
    assert glossary.search("쿠버넽")[0] is ENTRIES[0]


def test_simple_vowel_typed_mid_compound_finds_the_compound_syllable(glossary):
    assert "과부하" in terms(glossary.search("고"))


def test_nfd_query_finds_the_same_as_nfc(glossary):
    assert glossary.search(unicodedata.normalize("NFD", "쿠버네티스")) == glossary.search("쿠버네티스")


def test_compatibility_jamo_query_is_not_broken_by_normalisation(glossary):
    assert glossary.search("ㅋㅂㄴ")[0] is ENTRIES[0]


def test_nfkc_mangled_initials_still_find_kubernetes(glossary):
    assert glossary.search(unicodedata.normalize("NFKC", "ㅋㅂㄴ"))[0] is ENTRIES[0]


def test_english_typos_find_both_discovery_spellings(glossary):
    found = terms(glossary.search("servce discovry")[:2])
    assert sorted(found) == ["Service Deiscovery", "서비스 디스커버리 (Service Discovery)"]


def test_english_typo_query_does_not_list_terms_matching_only_one_word(glossary):
    assert "Service Mesh" not in terms(glossary.search("servce discovry"))


@pytest.mark.parametrize("query", ["hpa", "HPA", "Hpa"])
def test_acronym_in_any_case_finds_both_languages(glossary, query):
    assert terms(glossary.search(query)[:2]) == ["Horizontal Pod Autoscaler (HPA)", "수평 파드 오토스케일러 (HPA)"]


def test_initials_of_an_english_name_find_it(glossary):
    assert glossary.search("faas")[0].term == "FaaS(Function as a Service)"
    assert "Horizontal Pod Autoscaler (HPA)" in terms(glossary.search("hpa"))


def test_parenthesised_expansion_is_searchable(glossary):
    assert glossary.search("function as a service")[0].term == "FaaS(Function as a Service)"


def test_text_typed_in_english_keyboard_mode_finds_korean_word(glossary):
    assert glossary.search("znqjspxltm")[0] is ENTRIES[0]


def test_two_syllable_query_finds_the_word_first_then_longer_terms(glossary):
    assert terms(glossary.search("파드")[:3]) == ["파드", "파드 네트워크", "수평 파드 오토스케일러 (HPA)"]


def test_spacing_is_ignored_for_exact_matches(glossary):
    assert glossary.search("서비스메시")[0].term == "Service Mesh"
    assert glossary.search("servicemesh")[0].term == "Service Mesh"


def test_one_wrong_vowel_still_finds_kubernetes(glossary):
    assert glossary.search("쿠버내티스")[0] is ENTRIES[0]


def test_english_typo_prefers_the_one_word_name_over_a_compound(glossary):
    assert terms(glossary.search("kubernates")[:2]) == ["Kubernetes", "Kubernetes"]


def test_prefix_finds_term(glossary):
    assert glossary.search("horiz")[0].term == "Horizontal Pod Autoscaler (HPA)"


def test_word_prefix_finds_terms_by_a_later_word(glossary):
    assert set(terms(glossary.search("autosc")[:2])) == {
        "Vertical Pod Autoscaler (VPA)",
        "Horizontal Pod Autoscaler (HPA)",
    }


def test_name_prefix_ranks_before_word_prefix():
    glossary = Glossary([make_entry("Cloud Pod"), make_entry("Pod Network")])
    assert terms(glossary.search("pod")) == ["Pod Network", "Cloud Pod"]


def test_substring_inside_a_word_finds_term(glossary):
    assert "Kubernetes" in terms(glossary.search("netes"))


def test_word_only_in_a_definition_is_still_found(glossary):
    assert terms(glossary.search("오케스트레이션")) == ["Kubernetes"]


def test_punctuation_and_case_do_not_matter_for_exact_names(glossary):
    assert glossary.search("  SERVICE-mesh!! ")[0].term == "Service Mesh"


def test_limit_caps_results(glossary):
    assert len(glossary.search("s", limit=3)) == 3


def test_results_never_exceed_25_even_when_asked_for_more():
    many = Glossary(make_entry(f"Service {i:03d}") for i in range(60))
    assert len(many.search("service", limit=100)) == 25


def test_zero_or_negative_limit_gives_nothing(glossary):
    assert glossary.search("kubernetes", limit=0) == []


def test_search_is_deterministic_across_builds():
    queries = ["s", "파드", "ㅅ", "kube", "servce", ""]
    first = Glossary(ENTRIES)
    second = Glossary(ENTRIES)
    assert [first.search(q) for q in queries] == [second.search(q) for q in queries]


def test_ties_break_by_shorter_matching_name(glossary):
    assert terms(glossary.search("service"))[:3] == [
        "Service Mesh",
        "서비스 디스커버리 (Service Discovery)",
        "Service Deiscovery",
    ]


def test_ties_between_equal_names_break_by_deck_order():
    glossary = Glossary([make_entry("Beta Pod"), make_entry("Alfa Pod")])
    assert terms(glossary.search("pod")) == ["Beta Pod", "Alfa Pod"]


def test_empty_query_lists_acronyms_and_group_parents_first_in_deck_order(glossary):
    listed = glossary.search("")
    assert terms(listed[:4]) == [
        "Horizontal Pod Autoscaler (HPA)",
        "수평 파드 오토스케일러 (HPA)",
        "Vertical Pod Autoscaler (VPA)",
        "FaaS(Function as a Service)",
    ]


def test_whitespace_query_is_the_default_list(glossary):
    assert glossary.search("   \n") == glossary.search("")


def test_default_list_puts_group_members_last(glossary):
    assert glossary.search("")[-1].term == "Self Healing"


def test_query_without_words_finds_nothing(glossary):
    assert glossary.search("?!…") == []


def test_unrelated_query_finds_nothing(glossary):
    assert glossary.search("zzzzqqq") == []


def test_suggestions_are_looser_than_search(glossary):
    assert glossary.search("kbrnt") == []
    assert glossary.suggestions("kbrnt")[0].term == "Kubernetes"


def test_suggestions_respect_limit(glossary):
    assert len(glossary.suggestions("service", limit=2)) == 2


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_search_accepts_any_text(text):
    result = GLOSSARY.search(text)
    assert isinstance(result, list) and len(result) <= 25


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=80))
def test_suggestions_and_search_text_accept_any_text(text):
    assert len(GLOSSARY.suggestions(text)) <= 5
    assert len(GLOSSARY.search_text(text)) <= 10


@pytest.mark.parametrize(
    "query",
    ["\x00\x1f\x7f", "🚀🔥", "x" * 10_000, "쿠버네티스 " * 2000, "ㅋ" * 500, "\u0301\u200b", "Pod가 😀 k8s ㅋㅂ"],
)
def test_search_survives_hostile_input(glossary, query):
    assert len(glossary.search(query)) <= 25


GLOSSARY = Glossary(ENTRIES)


@pytest.fixture
def deck_glossary(request) -> Glossary:
    """The glossary of the real default deck; skipped while the loader is not there yet."""
    pytest.importorskip("bot.engine.loader")
    return request.getfixturevalue("default_glossary")


def test_default_deck_finds_hpa_by_acronym(deck_glossary):
    assert any("HPA" in " ".join(e.names) for e in deck_glossary.search("hpa")[:2])


def test_default_deck_finds_service_mesh_by_spacing_free_hangul(deck_glossary):
    found = deck_glossary.search("servicemesh")
    assert found and found[0].term == "Service Mesh"


def test_default_deck_finds_both_discovery_spellings_from_typo(deck_glossary):
    found = " ".join(e.term for e in deck_glossary.search("servce discovry")[:5])
    assert "Deiscovery" in found


def test_default_deck_empty_query_gives_a_full_default_list(deck_glossary):
    assert len(deck_glossary.search("")) == min(25, len(deck_glossary))
