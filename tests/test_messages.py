"""The message catalogue: both languages complete and consistent, every error worded once."""

from __future__ import annotations

import inspect
import string

import pytest

import bot.app.daily as daily
import bot.errors as errors
from bot.app.messages import ERROR_KEYS, LANGS, MESSAGES, error_message, lang_of, pause_reason, tr
from bot.errors import NothingFound, StudyError


def placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


def test_english_and_korean_have_the_same_keys() -> None:
    assert set(MESSAGES["en"]) == set(MESSAGES["ko"])


def test_every_korean_sentence_has_the_placeholders_of_its_english_one() -> None:
    for key, english in MESSAGES["en"].items():
        assert placeholders(MESSAGES["ko"][key]) == placeholders(english), key


def test_every_application_error_code_has_a_sentence_in_the_catalogue() -> None:
    codes = {
        cls.code
        for module in (errors, daily)
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, StudyError) and cls.__module__ == module.__name__ and "code" in cls.__dict__
    }
    codes -= {StudyError.code}
    assert codes <= set(ERROR_KEYS), codes - set(ERROR_KEYS)
    assert all(key in MESSAGES["en"] for key in ERROR_KEYS.values())


@pytest.mark.parametrize("lang", LANGS)
def test_did_you_mean_is_added_once_with_quoted_suggestions(lang: str) -> None:
    error = NothingFound(query="kubernets", suggestions=["Kubernetes", "kubelet"])
    text = error_message(error, lang, quote=lambda s: f"<{s}>")  # type: ignore[arg-type]
    first, second = text.split("\n")
    assert "<kubernets>" in first
    assert second == tr(lang, "error.did_you_mean", suggestions="<Kubernetes>, <kubelet>")  # type: ignore[arg-type]


def test_an_unknown_error_code_reads_as_the_generic_sentence() -> None:
    class Odd(StudyError):
        code = "odd"

    assert error_message(Odd(), "en") == tr("en", "error.generic")


def test_a_missing_parameter_leaves_a_blank_rather_than_raising() -> None:
    assert tr("en", "error.nothing_found") == "Nothing found for ****."


def test_ko_locales_in_any_spelling_read_korean_and_others_english() -> None:
    assert [lang_of(x) for x in ("ko", "ko-KR", "ko_KR.UTF-8")] == ["ko", "ko", "ko"]
    assert [lang_of(x) for x in ("en-US", "ja", "C.UTF-8", None, "")] == ["en"] * 5


def test_a_stored_pause_reason_is_worded_and_an_unknown_one_shown_quoted() -> None:
    assert pause_reason("channel_deleted", "ko") == MESSAGES["ko"]["daily.reason.channel_deleted"]
    assert pause_reason("weird", "en", quote=str.upper) == "WEIRD"
