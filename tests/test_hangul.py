"""Hangul helpers: keystroke jamo, choseong, QWERTY layout mapping and normalisation pitfalls."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from bot.engine.hangul import (
    choseong,
    compat_jamo,
    has_final_consonant,
    has_hangul,
    has_syllable,
    is_choseong_query,
    is_syllable,
    nfc,
    qwerty_to_keys,
    to_keys,
)


def test_to_keys_splits_syllables_into_compatibility_jamo():
    assert to_keys("쿠버네티스") == "ㅋㅜㅂㅓㄴㅔㅌㅣㅅㅡ"


def test_to_keys_splits_compound_vowels_and_final_clusters():
    assert to_keys("과") == "ㄱㅗㅏ"
    assert to_keys("닭") == "ㄷㅏㄹㄱ"
    assert to_keys("의") == "ㅇㅡㅣ"


def test_to_keys_leaves_latin_digits_and_spaces_alone():
    assert to_keys("Pod 2개") == "Pod 2ㄱㅐ"


def test_half_typed_syllable_is_a_keystroke_prefix_of_the_word():
    assert to_keys("쿠버네티스").startswith(to_keys("쿠버ㄴ"))


def test_ime_transient_final_is_a_keystroke_prefix_of_the_word():
    assert to_keys("쿠버네티스").startswith(to_keys("쿠버넽"))


def test_mid_typing_simple_vowel_is_a_keystroke_prefix_of_the_compound_vowel():
    assert to_keys("과부하").startswith(to_keys("고"))


def test_to_keys_maps_conjoining_jamo_like_compatibility_jamo():
    assert to_keys(unicodedata.normalize("NFKC", "ㅋㅂㄴ")) == "ㅋㅂㄴ"


def test_choseong_keeps_initials_of_hangul_only():
    assert choseong("서비스 디스커버리 (Service Discovery)") == "ㅅㅂㅅㄷㅅㅋㅂㄹ"


def test_choseong_keeps_lone_consonants():
    assert choseong("ㅋㅂ") == "ㅋㅂ"


def test_choseong_of_nfd_text_is_empty_without_nfc_and_correct_with_it():
    decomposed = unicodedata.normalize("NFD", "쿠버네티스")
    assert choseong(nfc(decomposed)) == "ㅋㅂㄴㅌㅅ"


def test_is_choseong_query_accepts_initials_with_spaces():
    assert is_choseong_query("ㅋㅂㄴ ㅌㅅ")


def test_is_choseong_query_rejects_syllables_vowels_latin_and_blank():
    assert not is_choseong_query("쿠ㅂ")
    assert not is_choseong_query("ㅋㅏ")
    assert not is_choseong_query("k8s")
    assert not is_choseong_query("  ")


def test_nfkc_breaks_choseong_detection_which_is_why_nfc_is_used():
    assert is_choseong_query(nfc("ㅋㅂㄴ"))
    assert not is_choseong_query(unicodedata.normalize("NFKC", "ㅋㅂㄴ"))


def test_compat_jamo_repairs_nfkc_initials():
    assert is_choseong_query(compat_jamo(unicodedata.normalize("NFKC", "ㅋㅂㄴ")))


def test_qwerty_text_maps_to_the_keystrokes_of_the_korean_word():
    assert qwerty_to_keys("znqjspxltm") == to_keys("쿠버네티스")


def test_qwerty_shift_gives_tense_consonants_and_other_capitals_do_not():
    assert qwerty_to_keys("Rk") == "ㄲㅏ"
    assert qwerty_to_keys("Kk") == "ㅏㅏ"


def test_qwerty_compound_vowel_is_two_keys():
    assert qwerty_to_keys("rhk") == to_keys("과")


def test_has_hangul_detects_syllables_and_jamo_only():
    assert has_hangul("Pod가")
    assert has_hangul("ㅋ")
    assert not has_hangul("Kubernetes 123")


@given(st.text())
def test_to_keys_is_stable_on_its_own_output(text):
    keys = to_keys(nfc(text))
    assert to_keys(keys) == keys


@given(st.text(alphabet=st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3), min_size=1, max_size=6))
def test_every_syllable_gives_one_choseong(text):
    assert len(choseong(text)) == len(text)


def test_a_syllable_with_a_final_consonant_takes_the_other_particles() -> None:
    assert [has_final_consonant(c) for c in "란라역여힣가"] == [True, False, True, False, True, False]
    assert not has_final_consonant("ㄹ") and not has_final_consonant("a")


def test_only_precomposed_syllables_count_as_syllables() -> None:
    assert is_syllable("가") and is_syllable("힣") and not is_syllable("ㄱ") and not is_syllable("가나")
    assert has_syllable("Pod는") and not has_syllable("ㅋㅋ Pod")
