"""Loading a big folder in a process pool gives exactly what a serial load gives: the same decks
(renamed duplicates included), the same curated aliases and the same `file:line` problems, in file
order; when no pool can start, the load quietly runs serially."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine import loader
from bot.engine.loader import load_notes
from bot.engine.model import Severity

ALIASES_FILE = Path(__file__).resolve().parent.parent / "data" / "aliases.yaml"
NOTES = 80


def _write_folder(root: Path) -> Path:
    for n in range(NOTES):
        note = root / ("deep" if n % 7 == 0 else "") / f"{n:03d}-note.md"
        note.parent.mkdir(parents=True, exist_ok=True)
        title = "Shared_Title" if n % 10 == 0 else f"Note_{n}"
        note.write_text(
            f"---\ntitle: {title}\ntags: [bench, n{n}]\n---\n\n# Note {n}\n\n"
            f"- **Term {n}**: the definition of term {n}.\n"
            f"- **Kubernetes (K8s)**: container orchestration, as note {n} says.\n\n"
            "| 용어 | 설명 |\n| --- | --- |\n"
            f"| **서비스 {n} (Service {n})** | 파드 {n}에 접근하는 안정적인 방법.<br>※ 예시 |\n",
            encoding="utf-8",
        )
    # Bad files early in the order, so a pool worker (which starts at the front) reads them.
    (root / "000-note.md").write_bytes("- **Cafe**: fine\n\n- **Café**: latin-1\n".encode("latin-1"))
    (root / "001-note.md").write_text("---\ntitle: [unclosed\n---\n\n- **Broken Front**: still loads.\n", encoding="utf-8")
    (root / "002-note.md").write_text(
        "# Table\n\n| 용어 | 설명 |\n| --- | --- |\n| **Pod** | 가장 작은 배포 단위 | extra |\n", encoding="utf-8"
    )
    return root


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write_folder(tmp_path_factory.mktemp("parallel"))


@pytest.fixture(scope="module")
def serial(folder: Path) -> loader.Notes:
    return load_notes(folder, aliases_file=ALIASES_FILE, workers=1)


@pytest.fixture(scope="module")
def parallel(folder: Path) -> loader.Notes:
    return load_notes(folder, aliases_file=ALIASES_FILE, workers=2)


def test_pool_workers_parse_what_this_process_would(folder: Path) -> None:
    jobs = [(file, str(file)) for file in loader.discover_notes(folder)]
    pooled = loader._parse_in_pool(jobs, 2)
    if pooled is None:
        pytest.skip("no process pool can start here")
    assert pooled == loader._load_batch(jobs)


def test_pool_load_equals_serial_load(parallel: loader.Notes, serial: loader.Notes) -> None:
    assert parallel == serial
    assert len(serial.decks) == NOTES  # every note but the non-UTF-8 one, plus `deep/000-note.md`
    assert len({d.name.casefold() for d in serial.decks}) == len(serial.decks)  # duplicates renamed


def test_pool_load_reports_problems_with_path_and_line(
    folder: Path, parallel: loader.Notes, serial: loader.Notes
) -> None:
    assert parallel.problems == serial.problems
    found = {(p.path, p.line, p.severity) for p in parallel.problems}
    assert (str(folder / "000-note.md"), 3, Severity.ERROR) in found
    assert (str(folder / "001-note.md"), 1, Severity.WARNING) in found
    assert (str(folder / "002-note.md"), 5, Severity.WARNING) in found


def test_no_pool_falls_back_to_serial_without_a_problem(
    folder: Path, serial: loader.Notes, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise OSError("process pools are not allowed here")

    monkeypatch.setattr(loader, "ProcessPoolExecutor", refuse)
    assert load_notes(folder, aliases_file=ALIASES_FILE, workers=4) == serial
