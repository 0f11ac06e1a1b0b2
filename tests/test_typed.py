"""Typed answers: fair matching (aliases, spacing, case, NFC, typos by length) with no accidents."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engine.typed import MAX_TYPED, Match, Refused, allowed_typos, check, fold

NAME = st.text(alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyz쿠버네티스파드"), min_size=1, max_size=20)


@pytest.mark.parametrize("typed", ["Kubernetes", "kubernetes", " KUBER netes ", "Kuber-netes", "kubernetes\u200b"])
def test_spacing_case_punctuation_and_zero_width_do_not_matter(typed: str) -> None:
    verdict = check(typed, "Kubernetes", ["쿠버네티스", "K8s"])
    assert verdict.match is Match.EXACT and verdict.matched == "Kubernetes"


def test_every_alias_counts_hangul_and_latin_alike() -> None:
    for typed, name in [("쿠버네티스", "쿠버네티스"), ("k8s", "K8s")]:
        verdict = check(typed, "Kubernetes", ["쿠버네티스", "K8s"])
        assert verdict.match is Match.ALIAS and verdict.matched == name and verdict.expected == "Kubernetes"


def test_nfd_hangul_equals_nfc_hangul() -> None:
    nfd = unicodedata.normalize("NFD", "쿠버네티스")
    assert check(nfd, "Kubernetes", ["쿠버네티스"]).accepted


@pytest.mark.parametrize(("typed", "term"), [("chair", "air"), ("air", "chair"), ("Pod", "Podman"),
                                             ("Podman", "Pod"), ("Pods", "Pod"), ("ai", "air")])
def test_no_substring_accidents(typed: str, term: str) -> None:
    assert not check(typed, term).accepted


def test_typos_are_tolerated_in_proportion_to_length() -> None:
    assert [allowed_typos(n) for n in (1, 3, 4, 7, 8, 12, 13, 40)] == [0, 0, 1, 1, 2, 2, 3, 3]
    near = check("Kubernets", "Kubernetes")
    assert near.match is Match.TYPO and (near.typos, near.allowed) == (1, 2) and near.matched == "Kubernetes"
    assert check("Kubrenetes", "Kubernetes").accepted  # a swapped pair is one typo
    assert not check("Kbrnts", "Kubernetes").accepted
    assert not check("Pad", "Pod").accepted  # 3 letters: exact only


def test_another_entrys_exact_name_is_never_a_typo_of_this_one() -> None:
    assert check("Service", "Servic", rivals=["Service"]).match is Match.WRONG
    assert check("Servic", "Service", rivals=["Servce"]).accepted


@pytest.mark.parametrize("typed", ["", "   ", "😀😀😀", "\u200b\u200c\u200d\ufeff", "—…!?"])
def test_nothing_to_judge_is_refused(typed: str) -> None:
    with pytest.raises(Refused) as refused:
        check(typed, "Kubernetes")
    assert refused.value.reason == "empty"


def test_a_5000_character_answer_is_refused_before_any_work() -> None:
    with pytest.raises(Refused) as refused:
        check("k" * 5000, "Kubernetes")
    assert refused.value.reason == "too_long"
    assert check("k" * MAX_TYPED, "Kubernetes").match is Match.WRONG


@settings(max_examples=200, deadline=None)
@given(NAME, st.sampled_from(["", " ", "-", "\u200b"]), st.booleans())
def test_the_name_itself_in_any_dress_is_accepted(name: str, noise: str, upper: bool) -> None:
    typed = noise.join(name.upper() if upper else name)
    assert check(typed, name).match is Match.EXACT


@settings(max_examples=300, deadline=None)
@given(NAME, NAME)
def test_an_answer_that_differs_in_length_by_more_than_the_allowance_is_wrong(name: str, extra: str) -> None:
    for typed in (name + extra, extra + name):
        if abs(len(fold(typed)) - len(fold(name))) > allowed_typos(len(fold(name))):
            assert not check(typed, name).accepted


@settings(max_examples=300, deadline=None)
@given(NAME.filter(lambda n: len(n) >= 4), st.data())
def test_one_wrong_letter_in_a_name_of_four_or_more_is_accepted_and_explained(name: str, data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(name) - 1))
    typed = name[:i] + ("x" if name[i] != "x" else "y") + name[i + 1:]
    verdict = check(typed, name)
    assert verdict.accepted and verdict.expected == name
    assert verdict.match is Match.TYPO and verdict.typos == 1 <= verdict.allowed


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), NAME)
def test_any_input_either_gets_a_verdict_or_is_refused(typed: str, name: str) -> None:
    try:
        verdict = check(typed, name, ["별칭"])
    except Refused as refused:
        assert refused.reason in {"empty", "too_long"}
    else:
        assert verdict.expected == name
