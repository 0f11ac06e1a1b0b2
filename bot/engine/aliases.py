"""Aliases of glossary terms: the ones a note spells out and the curated ones it cannot.

`split_term` reads acronyms, expansions and translations out of a raw term
(`Horizontal Pod Autoscaler (HPA)`, `FaaS(Function as a Service)`, `클라우드(Cloud)`,
`SLI - Service Level Indicator`) and leaves descriptive parentheses (`(기본)`, dates, `(ex: …)`)
out of both. `load_curated_aliases` reads `data/aliases.yaml` (canonical term → synonyms, e.g.
Hangul spellings and abbreviations) and `apply_curated_aliases` adds them to entries whose term
or alias matches a canonical term, so they only ever extend terms the notes define.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import yaml

from bot.engine.model import Entry

_TRAILING_PARENS = re.compile(r"^(?P<outer>.*?\S)\s*[(（](?P<inner>[^()（）]*)[)）]\s*$")
_DASH_SPLIT = re.compile(r"^(?P<left>[^-–—=]+?)\s+(?:-|–|—|=)\s+(?P<right>.+)$")
_COLON_SPLIT = re.compile(r"^(?P<left>[^:\s]+):\s+(?P<right>.+)$")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_LATIN = re.compile(r"[A-Za-z]")
_DIGITS_ONLY = re.compile(r"^[\d\s.,:/~%+\-–년월일시분초]*$")
_EXAMPLE_PREFIX = re.compile(r"^(?:e\.?g\.?|ex\)?\.?|i\.e\.?|예\)?|예시|참고|see|cf\.?|like)\s*[:)\s]", re.IGNORECASE)
_SYNONYM_PREFIX = re.compile(r"^(?:=|≒|aka\b|a\.k\.a\.?|또는|or\b)\s*", re.IGNORECASE)
_LOOSE_JUNK = re.compile(r"[\s\-_·.]+")
_PART_SPLIT = re.compile(r"[,;]")
_INITIALS_SPLIT = re.compile(r"[\s\-/]+")

# Parenthesised words that describe rather than name ("Opaque (기본)").
_FUNCTION_WORDS = frozenset("in on at of for with by from to as via like and or the a an is are".split())
_DESCRIPTOR_WORDS = frozenset(
    """
    기본 기본값 선택 필수 옵션 권장 참고 비영리 중요 핵심 약어 약자 예 예시 구 신 최신 기존 공식 비공식
    default optional required recommended deprecated legacy beta alpha stable new old
    experimental example note important
    """.split()
)


def _is_acronym(text: str) -> bool:
    if " " in text or not 2 <= len(text) <= 12 or not text[0].isalnum():
        return False
    uppers = sum(1 for ch in text if ch.isupper())
    return uppers >= 2 or (uppers == 1 and text[0].isupper() and len(text) <= 4 and any(c.isdigit() for c in text))


def _initials(text: str) -> str:
    words = [w for w in _INITIALS_SPLIT.split(text) if w]
    return "".join(w[0] for w in words if w[0].isalnum()).casefold()


def _acronym_matches(acronym: str, expansion: str) -> bool:
    """Loosely: the acronym's capitals appear, in order, among the expansion's word initials."""
    letters = [ch.casefold() for ch in acronym if ch.isupper() or ch.isdigit()]
    if not letters:
        return False
    initials = _initials(expansion)
    position = 0
    for letter in letters:
        position = initials.find(letter, position)
        if position == -1:
            return False
        position += 1
    return True


def acronym_matches(acronym: str, expansion: str) -> bool:
    """Does `expansion` spell out `acronym` (its capitals among the expansion's word initials)?"""
    return _acronym_matches(acronym, expansion)


def _clean_part(part: str) -> str:
    part = _SYNONYM_PREFIX.sub("", part.strip())
    return " ".join(part.strip(" \t'\"`*_").split())


def _is_name(part: str, outer: str) -> bool:
    """Is a parenthesised part a name for `outer` (acronym, expansion, translation)?"""
    if not part or _DIGITS_ONLY.match(part) or _EXAMPLE_PREFIX.match(part):
        return False
    if part.casefold() in _DESCRIPTOR_WORDS or "%" in part or "http" in part:
        return False
    if part[-1] in ".!?。:" or len(part) > 60:
        return False
    words = part.split()
    if _acronym_matches(part, outer) and _is_acronym(part):
        return True
    if _is_acronym(outer) and (_acronym_matches(outer, part) or len(words) <= 6 and part[0].isupper()):
        return True
    if _is_acronym(part) and len(words) == 1:
        return True
    outer_hangul, part_hangul = bool(_HANGUL.search(outer)), bool(_HANGUL.search(part))
    if words[0].casefold() in _FUNCTION_WORDS:
        return False
    if outer_hangul != part_hangul:
        # A translation between Hangul and Latin script; Hangul descriptions run longer.
        return len(words) <= (3 if part_hangul else 6) and (part_hangul or part[0].isalnum())
    return len(words) <= 5 and part[0].isupper() and _LATIN.search(part) is not None


def split_term(raw: str) -> tuple[str, tuple[str, ...]]:
    """Split a raw term into the term and the aliases it spells out.

    `Horizontal Pod Autoscaler (HPA)` → (`Horizontal Pod Autoscaler`, (`HPA`,));
    `FaaS(Function as a Service)` → (`FaaS`, (`Function as a Service`,));
    `SLI - Service Level Indicator` → (`SLI`, (`Service Level Indicator`,));
    `Opaque (기본)` → (`Opaque`, ()).
    """
    text = " ".join(raw.split()).strip()
    match = _TRAILING_PARENS.match(text)
    if match:
        outer = match["outer"].strip(" :-")
        if outer:
            parts = [_clean_part(p) for p in _PART_SPLIT.split(match["inner"])]
            aliases = [p for p in parts if _is_name(p, outer) and p.casefold() != outer.casefold()]
            inner_term, inner_aliases = split_term(outer) if outer != text else (outer, ())
            return inner_term, _unique((*inner_aliases, *aliases), inner_term)
    dash = _DASH_SPLIT.match(text) or _COLON_SPLIT.match(text)
    if dash:
        left, right = dash["left"].strip(), dash["right"].strip()
        if (_is_acronym(left) and _acronym_matches(left, right)) or (
            _is_acronym(right) and _acronym_matches(right, left)
        ):
            return left, (right,)
    return text, ()


def _unique(names: Iterable[str], term: str) -> tuple[str, ...]:
    seen = {term.casefold()}
    kept: list[str] = []
    for name in names:
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            kept.append(name)
    return tuple(kept)


def merge_names(term: str, *alias_groups: Iterable[str]) -> tuple[str, ...]:
    """Aliases from several groups, in order, without duplicates or the term itself."""
    return _unique((a for group in alias_groups for a in group), term)


def loose_key(name: str) -> str:
    """Case-, space- and hyphen-insensitive key: `Auto Scaling` and `autoscaling` match."""
    return _LOOSE_JUNK.sub("", name.casefold())


def load_curated_aliases(path: Path | str) -> dict[str, list[str]]:
    """Read a YAML mapping of canonical term → synonyms.

    Raises OSError when the file cannot be read and ValueError when it is not such a mapping.
    """
    text = Path(path).read_text(encoding="utf-8-sig")
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValueError(f"not valid YAML: {str(exc).splitlines()[0]}") from exc
    if loaded is None:
        return {}
    if not isinstance(loaded, Mapping):
        raise ValueError("expected a mapping of term to a list of synonyms")
    curated: dict[str, list[str]] = {}
    for key, value in loaded.items():
        synonyms = [value] if isinstance(value, str) else value
        if not isinstance(synonyms, list):
            raise ValueError(f"synonyms of {key!r} must be a list")
        curated[str(key)] = [str(s).strip() for s in synonyms if s is not None and str(s).strip()]
    return curated


def index_curated_aliases(curated: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """Curated synonyms keyed by `loose_key` of the canonical term, for `apply_curated_index`."""
    by_key: dict[str, list[str]] = {}
    for canonical, synonyms in curated.items():
        by_key.setdefault(loose_key(canonical), []).extend(synonyms)
    return by_key


def apply_curated_index(entries: Iterable[Entry], by_key: Mapping[str, list[str]]) -> tuple[Entry, ...]:
    """`apply_curated_aliases` with the mapping already indexed, for applying it to many decks."""
    updated: list[Entry] = []
    for entry in entries:
        extra = [s for name in entry.names for s in by_key.get(loose_key(name), ())]
        if extra:
            aliases = merge_names(entry.term, entry.aliases, extra)
            if aliases != entry.aliases:
                entry = dataclasses.replace(entry, aliases=aliases)
        updated.append(entry)
    return tuple(updated)


def apply_curated_aliases(entries: Iterable[Entry], curated: Mapping[str, list[str]]) -> tuple[Entry, ...]:
    """Add curated synonyms to every entry whose term or alias matches a canonical term."""
    return apply_curated_index(entries, index_curated_aliases(curated))
