"""Every real study note in ../shared/corpus parses: no crash, no empty term or definition, no
sentence taken for a term. Per-file entry counts are printed (run pytest with -s to see them)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.engine.loader import read_note
from bot.engine.parser import parse_note
from tests.conftest import SHARED_CORPUS

CORPUS = SHARED_CORPUS
FILES = sorted(CORPUS.glob("*.md")) if CORPUS.is_dir() else []

_KOREAN_SENTENCE_END = re.compile(r"(?:다|요|니다|습니다|함|됨)[.!?]?$")
_ENGLISH_VERB = re.compile(r"\b(?:is|are|was|were|will|can|should|must|does|do)\b", re.IGNORECASE)


def looks_like_sentence(term: str) -> bool:
    """Independent of the parser's own test: long, ends like a sentence, or reads like a clause."""
    words = term.split()
    if len(words) > 8 or len(term) > 80:
        return True
    if term.rstrip().endswith((".", "!", "?", "。")):
        return True
    if _KOREAN_SENTENCE_END.search(term):
        return True
    return len(words) >= 4 and _ENGLISH_VERB.search(term) is not None


# Without the corpus there is one placeholder case, which the `shared_corpus` fixture skips
# with its reason instead of pytest's "got empty parameter set".
@pytest.mark.parametrize("note", FILES or [CORPUS / "absent.md"], ids=[f.name for f in FILES] or ["absent"])
def test_corpus_note_parses_into_clean_entries(note: Path, shared_corpus: Path) -> None:
    text, problem = read_note(note, str(note))
    assert problem is None and text is not None
    deck, _problems = parse_note(text, str(note), default_name=note.stem)
    print(f"\n{note.name}: {len(deck.entries)} entries, {len(deck.tables)} tables")
    assert deck.entries, "every corpus note defines at least one term"
    for entry in deck.entries:
        assert entry.term.strip(), entry
        assert entry.definition.strip(), entry
        assert not looks_like_sentence(entry.term), entry.term
        assert entry.source.line >= 1


def test_corpus_folder_is_present_or_skipped(shared_corpus: Path) -> None:
    assert len(FILES) == 16


def test_looks_like_sentence_helper_tells_terms_from_sentences() -> None:
    assert looks_like_sentence("쿠버네티스는 컨테이너를 관리합니다.")
    assert looks_like_sentence("This is what the exam is about")
    assert not looks_like_sentence("Horizontal Pod Autoscaler")
    assert not looks_like_sentence("Cloud Native Application의 특징")
