"""Glossary.search finds English terms from the Hangul Koreans write for them, without a curated
alias: by sound (네트워크 폴리시 → NetworkPolicy) or letter by letter (에이치피에이 → HPA), ranked
below exact and curated matches, and never for native Korean words."""

from __future__ import annotations

import pytest

from bot.engine.glossary import Glossary
from bot.engine.model import Entry, SourceRef
from bot.engine.soundalike import hangul_sound_key, latin_sound_keys, letter_spellings


def make_entry(term: str, *, aliases: tuple[str, ...] = (), deck: str = "k8s", definition: str = "") -> Entry:
    return Entry(id=Entry.make_id(deck, term), term=term, definition=definition or f"{term} 설명.", deck=deck,
                 source=SourceRef(f"{deck}.md", 1), aliases=aliases)


ENTRIES = (
    make_entry("NetworkPolicy", definition="파드 사이의 트래픽을 허용하거나 막는 규칙."),
    make_entry("RBAC", definition="역할에 따라 API 권한을 주는 방식."),
    make_entry("Kyverno", definition="정책을 YAML로 쓰는 정책 엔진."),
    make_entry("Prometheus", definition="시계열 메트릭을 수집하는 모니터링 시스템."),
    make_entry("Ingress", definition="클러스터 밖의 HTTP 요청을 서비스로 보낸다."),
    make_entry("Helm", definition="쿠버네티스 패키지 매니저."),
    make_entry("ConfigMap", definition="설정 값을 이미지와 따로 둔다."),
    make_entry("Deployment", definition="레플리카셋을 관리하며 롤링 업데이트를 한다."),
    make_entry("Horizontal Pod Autoscaler (HPA)", definition="부하에 따라 파드 수를 조절한다."),
    make_entry("Kubernetes", aliases=("쿠버네티스",), definition="컨테이너 오케스트레이션 플랫폼."),
    make_entry("Kubernetis", definition="철자가 다른 가상의 용어."),
    make_entry("Kernel", definition="운영체제의 핵심."),
    make_entry("Open Policy Agent", definition="범용 정책 엔진."),
    make_entry("Docker Hub", definition="공개 컨테이너 이미지 저장소."),
    make_entry("DevOps", definition="개발과 운영을 잇는 문화."),
    make_entry("Engine", definition="무언가를 돌리는 부분."),
    make_entry("프로메테우스", deck="ko", definition="모니터링 도구의 한국어 항목."),
)


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return Glossary(ENTRIES)


def first(glossary: Glossary, query: str) -> str | None:
    found = glossary.search(query)
    return found[0].term if found else None


def terms(glossary: Glossary, query: str) -> list[str]:
    return [e.term for e in glossary.search(query)]


@pytest.mark.parametrize(("query", "term"), [
    ("네트워크 폴리시", "NetworkPolicy"),
    ("네트워크폴리시", "NetworkPolicy"),
    ("알백", "RBAC"),
    ("키베르노", "Kyverno"),
    ("인그레스", "Ingress"),
    ("헬름", "Helm"),
    ("컨피그맵", "ConfigMap"),
    ("디플로이먼트", "Deployment"),
    ("오픈 폴리시 에이전트", "Open Policy Agent"),
    ("도커 허브", "Docker Hub"),  # the h starting a word is sounded
])
def test_define_finds_an_english_term_by_its_korean_sound(glossary, query, term):
    assert first(glossary, query) == term


@pytest.mark.parametrize("query", ["에이치피에이", "에이치 피 에이", "에치피에이"])
def test_define_finds_hpa_spelled_letter_by_letter(glossary, query):
    assert first(glossary, query) == "Horizontal Pod Autoscaler (HPA)"


def test_an_exact_korean_name_ranks_above_the_english_term_it_sounds_like(glossary):
    assert terms(glossary, "프로메테우스")[:2] == ["프로메테우스", "Prometheus"]


def test_a_curated_alias_ranks_above_a_term_that_only_sounds_like_the_query(glossary):
    assert terms(glossary, "쿠버네티스")[:2] == ["Kubernetes", "Kubernetis"]


def test_a_native_korean_word_matches_no_english_term_by_sound(glossary):
    assert terms(glossary, "인증") == []


def test_a_korean_word_with_an_english_terms_consonants_but_other_vowels_does_not_match(glossary):
    # 관리 and Kernel share the consonants k-n-l; 과 is not how Koreans write "ke".
    assert "Kernel" not in terms(glossary, "관리")


def test_a_korean_word_far_longer_than_an_english_term_with_its_sounds_does_not_match(glossary):
    # 데이터베이스 and DevOps share t-p-s and a first e, but six syllables do not spell six letters.
    assert "DevOps" not in terms(glossary, "데이터베이스")


def test_a_half_typed_syllable_is_not_matched_by_sound(glossary):
    assert "Helm" not in terms(glossary, "헬ㄹ")


def test_a_one_syllable_query_is_not_matched_by_sound(glossary):
    assert "Helm" not in terms(glossary, "헴")


# ------------------------------------------------------------------------------------ keys


def test_a_silent_r_gives_the_network_policy_key_korean_writes():
    assert hangul_sound_key("네트워크 폴리시") in latin_sound_keys("NetworkPolicy")


def test_a_written_r_gives_the_kyverno_key_korean_writes():
    assert hangul_sound_key("키베르노") in latin_sound_keys("Kyverno")


def test_prometheus_th_is_written_with_t():
    assert hangul_sound_key("프로메테우스") in latin_sound_keys("Prometheus")


def test_hangul_letter_names_spell_an_acronym():
    assert letter_spellings("HPA") == {"에이치피에이", "에치피에이"}
