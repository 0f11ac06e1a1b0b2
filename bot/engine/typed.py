"""Typed answers: is what a member typed the expected term? Fair, explainable, and never by accident.

Rules, in order (`check`):

1. **Clean up first.** NFC, case folded, and only letters, digits, `+` and `#` kept: spaces,
   hyphens, dots, emoji and zero-width characters never decide anything ("Kube-Proxy" is
   "kubeproxy"; NFD Hangul equals NFC Hangul). Input longer than `MAX_TYPED` characters, or that
   is empty after clean-up (only emoji, only zero-width characters), is *refused*: no verdict, so
   the caller stores nothing and asks again.
2. **Any registered name counts**: the term and every alias, so a term registered with its Hangul
   and its Latin spelling accepts both. An exact match (after clean-up) is accepted.
3. **Typos in proportion to length**, counted against the name they are closest to, as optimal
   string alignment distance (a swapped pair of letters is one typo): none for names of 1-3
   characters, 1 for 4-7, 2 for 8-12, 3 beyond (`allowed_typos`).
4. **No accidents**: a whole name must be typed: containing the name, or being contained in it,
   earns nothing by itself ("chair" is not "air", "Pod" is not "Podman": the distance between them
   is the missing or extra letters, far beyond what a short name allows). And an answer that is
   exactly *another* entry's name (a `rival`) is never accepted as a typo of this one.

The verdict says what was expected and, for a near miss, which name it was taken for and why.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz.distance import OSA

MAX_TYPED = 200  # characters; a longer answer is refused before any comparison
_KEEP_SYMBOLS = frozenset("+#")


class Match(StrEnum):
    EXACT = "exact"  # the term itself, after clean-up
    ALIAS = "alias"  # another registered name of the entry
    TYPO = "typo"  # within the allowed typos of a name
    WRONG = "wrong"


@dataclass(frozen=True, slots=True)
class TypedVerdict:
    """`expected` is the entry's term; `matched` the name the answer was taken for (None when
    wrong); `typos` how many edits it took and `allowed` how many that name allows."""

    match: Match
    expected: str
    matched: str | None
    typos: int
    allowed: int

    @property
    def accepted(self) -> bool:
        return self.match is not Match.WRONG


class Refused(ValueError):
    """The input cannot be judged: empty after clean-up, or longer than MAX_TYPED."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "empty" or "too_long"


def fold(text: str) -> str:
    """The comparable form: NFC, case folded, letters, digits, '+' and '#' only."""
    text = unicodedata.normalize("NFC", text).casefold()
    return "".join(ch for ch in text if ch in _KEEP_SYMBOLS or unicodedata.category(ch)[0] in "LN")


def allowed_typos(length: int) -> int:
    """Edits tolerated in a name of `length` (folded) characters."""
    if length <= 3:
        return 0
    if length <= 7:
        return 1
    if length <= 12:
        return 2
    return 3


def check(typed: str, term: str, aliases: Iterable[str] = (), *, rivals: Collection[str] = ()) -> TypedVerdict:
    """Judge `typed` against an entry's `term` and `aliases`; `rivals` are other entries' names
    (folded or not). Raises Refused for input that cannot be judged (see the module docstring)."""
    if len(typed) > MAX_TYPED:
        raise Refused("too_long")
    answer = fold(typed)
    if not answer:
        raise Refused("empty")
    names = [(name, fold(name)) for name in (term, *aliases)]
    names = [(name, key) for name, key in names if key]
    for i, (name, key) in enumerate(names):
        if answer == key:
            return TypedVerdict(Match.EXACT if i == 0 else Match.ALIAS, term, name, 0, 0)
    if answer in {fold(r) for r in rivals}:
        return TypedVerdict(Match.WRONG, term, None, 0, 0)
    best: TypedVerdict | None = None
    for name, key in names:
        allowed = allowed_typos(len(key))
        if allowed == 0 or abs(len(key) - len(answer)) > allowed:
            continue
        distance = OSA.distance(answer, key, score_cutoff=allowed)
        if distance <= allowed and (best is None or distance < best.typos):
            best = TypedVerdict(Match.TYPO, term, name, distance, allowed)
    return best or TypedVerdict(Match.WRONG, term, None, 0, 0)


__all__ = ["MAX_TYPED", "Match", "Refused", "TypedVerdict", "allowed_typos", "check", "fold"]
