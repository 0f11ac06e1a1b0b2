"""Loading notes from files and folders: decks per file, paths as discovered, and bad input
(missing path, empty folder, binary and non-UTF-8 files, bad front matter, broken tables, a very
large note) reported as `file:line` problems while everything else loads."""

from __future__ import annotations

from pathlib import Path

from bot.engine.loader import load_notes
from bot.engine.model import Severity

GOOD_NOTE = """---
title: Container_Basics
tags: [containers, kcna]
---

## Runtimes

- **runc**: the reference OCI runtime.
- **containerd**: a high-level container runtime.
"""


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_single_file_becomes_one_deck_named_by_front_matter_title(tmp_path: Path) -> None:
    note = _write(tmp_path / "basics.md", GOOD_NOTE)
    notes = load_notes(note)
    (deck,) = notes.decks
    assert deck.name == "Container Basics"
    assert deck.tags == ("containers", "kcna")
    assert [e.term for e in deck.entries] == ["runc", "containerd"]
    assert deck.entries[0].source.path == str(note)
    assert deck.entries[0].source.line == 8


def test_folder_is_searched_recursively_and_sorted(tmp_path: Path) -> None:
    _write(tmp_path / "b" / "zeta.md", "- **Zeta**: the last one.\n")
    _write(tmp_path / "alpha-notes.md", "- **Alpha**: the first one.\n")
    _write(tmp_path / "b" / "ignored.txt", "- **Nope**: not markdown.\n")
    notes = load_notes(tmp_path)
    assert [d.name for d in notes.decks] == ["Alpha Notes", "Zeta"]
    assert notes.decks[1].path == str(tmp_path / "b" / "zeta.md")


def test_missing_path_is_one_error_problem(tmp_path: Path) -> None:
    notes = load_notes(tmp_path / "nowhere")
    assert notes.decks == ()
    (problem,) = notes.problems
    assert problem.severity is Severity.ERROR
    assert str(tmp_path / "nowhere") in str(problem)


def test_empty_folder_reports_no_notes_found(tmp_path: Path) -> None:
    notes = load_notes(tmp_path)
    (problem,) = notes.problems
    assert problem.severity is Severity.ERROR
    assert "no .md notes found" in problem.message


def test_binary_file_is_an_error_and_other_files_still_load(tmp_path: Path) -> None:
    (tmp_path / "blob.md").write_bytes(b"\x89PNG\r\n\x00\x00binary")
    _write(tmp_path / "good.md", GOOD_NOTE)
    notes = load_notes(tmp_path)
    assert [d.name for d in notes.decks] == ["Container Basics"]
    errors = [p for p in notes.problems if p.severity is Severity.ERROR]
    assert len(errors) == 1 and errors[0].path.endswith("blob.md") and "binary" in errors[0].message


def test_non_utf8_file_reports_the_line_of_the_bad_byte(tmp_path: Path) -> None:
    (tmp_path / "latin1.md").write_bytes("- **Cafe**: fine\n".encode() + "- **Café**: latin-1\n".encode("latin-1"))
    _write(tmp_path / "good.md", GOOD_NOTE)
    notes = load_notes(tmp_path)
    (error,) = [p for p in notes.problems if p.severity is Severity.ERROR]
    assert error.path.endswith("latin1.md")
    assert error.line == 2
    assert "UTF-8" in error.message
    assert len(notes.decks) == 1


def test_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "bom.md").write_bytes("\ufeff---\ntitle: Bom\n---\n- **Term**: defined.\n".encode())
    notes = load_notes(tmp_path)
    assert notes.decks[0].name == "Bom"
    assert notes.decks[0].entries[0].source.line == 4


def test_bad_yaml_front_matter_is_a_warning_at_line_1_and_the_note_loads(tmp_path: Path) -> None:
    _write(tmp_path / "bad-yaml.md", "---\ntitle: [unclosed\n---\n- **Term**: still loads.\n")
    notes = load_notes(tmp_path)
    (problem,) = notes.problems
    assert (problem.line, problem.severity) == (1, Severity.WARNING)
    assert notes.decks[0].name == "Bad Yaml"
    assert notes.decks[0].entries[0].term == "Term"


def test_table_without_delimiter_row_is_reported_at_its_line(tmp_path: Path) -> None:
    _write(tmp_path / "t.md", "# Tools\n\n| Tool | Use |\n| Helm | charts |\n\n- **Helm**: package manager.\n")
    notes = load_notes(tmp_path)
    (problem,) = notes.problems
    assert problem.line == 3 and "delimiter row" in problem.message
    assert [e.term for e in notes.entries] == ["Helm"]


def test_table_row_with_extra_cells_is_reported_and_the_rest_loads(tmp_path: Path) -> None:
    text = "| Tool | Use |\n| --- | --- |\n| Helm | charts | extra |\n| Argo | GitOps delivery |\n"
    _write(tmp_path / "t.md", text)
    notes = load_notes(tmp_path)
    (problem,) = notes.problems
    assert problem.line == 3 and "3 cells" in problem.message
    assert [e.term for e in notes.entries] == ["Helm", "Argo"]


def test_note_without_entries_gets_a_warning(tmp_path: Path) -> None:
    _write(tmp_path / "prose.md", "Just some thoughts about studying today.\n")
    notes = load_notes(tmp_path)
    (problem,) = notes.problems
    assert problem.severity is Severity.WARNING and "no glossary entries" in problem.message


def test_same_title_in_two_files_gives_two_distinct_decks(tmp_path: Path) -> None:
    _write(tmp_path / "a.md", "---\ntitle: Same\n---\n- **Pod**: smallest unit.\n")
    _write(tmp_path / "b.md", "---\ntitle: Same\n---\n- **Pod**: a group of containers.\n")
    notes = load_notes(tmp_path)
    assert len({d.name for d in notes.decks}) == 2
    assert len({e.id for e in notes.entries}) == 2


def test_missing_aliases_file_is_a_warning_not_an_error(tmp_path: Path) -> None:
    _write(tmp_path / "a.md", "- **Pod**: smallest unit.\n")
    notes = load_notes(tmp_path, aliases_file=tmp_path / "missing.yaml")
    (problem,) = notes.problems
    assert problem.severity is Severity.WARNING


def test_multi_megabyte_note_loads_with_all_its_entries(tmp_path: Path) -> None:
    padding = "컨테이너와 클러스터를 설명하는 긴 문장입니다, with English words as well " * 8
    sections = []
    for i in range(600):
        items = "".join(f"- **Term{i}x{j}**: {padding} {i}.{j}\n" for j in range(6))
        sections.append(f"## Topic {i}\n\n{items}\n{padding}\n\n")
    note = _write(tmp_path / "huge.md", "".join(sections))
    assert note.stat().st_size > 2_000_000
    notes = load_notes(note)
    assert not notes.has_errors
    assert len([e for e in notes.entries if e.term.startswith("Term")]) == 3_600


def test_note_over_two_megabytes_is_reported_as_large_but_still_loads(tmp_path: Path) -> None:
    body = "- **Pod**: 가장 작은 배포 단위\n\n" + ("컨테이너 오케스트레이션에 대한 긴 메모입니다. " * 60 + "\n\n") * 900
    note = _write(tmp_path / "pasted.md", body)
    assert note.stat().st_size > 2_000_000
    notes = load_notes(note)
    (problem,) = notes.problems
    assert problem.severity is Severity.WARNING and problem.line == 1 and "large note" in problem.message
    assert [e.term for e in notes.entries] == ["Pod"]
