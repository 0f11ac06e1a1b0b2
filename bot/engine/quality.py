"""Question-quality measures: does a term → definition question give its answer away?

A question gives its answer away when the correct option is the only one that shares a word, or a
part of the term, with the term shown in the prompt: for `DevOps` the parts are "Dev" and "Ops",
so "개발(Dev)과 운영(Ops)을 통합…" among three definitions without them is answered by reading.

Parts of a term are its words with camel-case pieces and slash-separated acronyms split out
("ConfigMap" → Config, Map; "CI/CD" → CI, CD), leaving out English function words, single
letters and single Hangul syllables. An option shares a Latin part when one of its own words
(split the same way) is that part, in any case, plural or not; it shares a Hangul part when one of
its Hangul words starts with it, so particles do not hide it ("서비스의" shares "서비스").

`python -m bench giveaway` prints the share for the default deck and the shared corpus.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from bot.engine.hangul import HANGUL_CLASS, is_hangul_char
from bot.engine.model import Question, QuestionKind

# A run of Latin letters or digits, or of Hangul (every other character separates words).
_WORD = re.compile(rf"[A-Za-z0-9]+|[{HANGUL_CLASS}]+")
# Camel-case pieces: "DevOps" → Dev, Ops; "HTTPServer" → HTTP, Server; "K8s" → K, 8, s.
_CAMEL = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_FUNCTION_WORDS = frozenset(
    "a an and as at by for from in into is of on or the to with vs via".split()
)


@dataclass(frozen=True, slots=True)
class Share:
    """How many questions out of how many."""

    count: int
    total: int

    @property
    def ratio(self) -> float:
        return self.count / self.total if self.total else 0.0

    def __str__(self) -> str:
        return f"{self.count}/{self.total} = {self.ratio:.1%}"


def _latin_pieces(word: str) -> list[str]:
    return [word, *_CAMEL.findall(word)] if not word.islower() and not word.isupper() else [word]


def term_parts(term: str) -> frozenset[str]:
    """The casefolded parts of a term an option could share: words and camel-case pieces."""
    parts: set[str] = set()
    for word in _WORD.findall(unicodedata.normalize("NFC", term)):
        if is_hangul_char(word[0]):
            if len(word) >= 2:
                parts.add(word)
            continue
        for piece in _latin_pieces(word):
            piece = piece.casefold()
            if len(piece) >= 2 and not piece.isdigit() and piece not in _FUNCTION_WORDS:
                parts.add(piece)
    return frozenset(parts)


def option_words(text: str) -> frozenset[str]:
    """What `text` can share with a term: its Latin words and camel-case pieces, casefolded, with
    and without a plural -s/-es, and every prefix of two syllables or more of its Hangul words."""
    found: set[str] = set()
    for word in _WORD.findall(unicodedata.normalize("NFC", text)):
        if is_hangul_char(word[0]):
            found.update(word[:n] for n in range(2, len(word) + 1))
            continue
        for piece in _latin_pieces(word):
            piece = piece.casefold()
            found.update((piece, piece.removesuffix("s"), piece.removesuffix("es")))
    return frozenset(found)


def shares_part(text: str, parts: Iterable[str]) -> bool:
    """True when `text` has a word that is one of `parts` (Latin) or starts with one (Hangul)."""
    return not option_words(text).isdisjoint(parts)


def gives_answer_away(question: Question) -> bool:
    """A term → definition question whose correct option alone shares a part of the term."""
    if question.kind is not QuestionKind.TERM_TO_DEFINITION:
        return False
    parts = term_parts(question.term)
    if not parts:
        return False
    sharing = [i for i, choice in enumerate(question.choices) if shares_part(choice, parts)]
    return sharing == [question.answer]


def giveaway_share(questions: Iterable[Question]) -> Share:
    """Of the term → definition questions, how many give their answer away."""
    asked = [q for q in questions if q.kind is QuestionKind.TERM_TO_DEFINITION]
    return Share(sum(map(gives_answer_away, asked)), len(asked))
