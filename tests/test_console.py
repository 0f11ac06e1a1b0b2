"""The offline console, driven through a pipe as a script or a newcomer's terminal would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import DEFAULT_NOTES, REPO_ROOT


def console(db: Path, commands: str, notes: Path = DEFAULT_NOTES) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    return subprocess.run(
        [sys.executable, "-m", "bot", "console", "--notes", str(notes), "--db", str(db)],
        input=commands, capture_output=True, text=True, cwd=REPO_ROOT, env=env, timeout=60,
    )


def test_console_defines_by_acronym_and_hangul_spelling(tmp_path: Path) -> None:
    result = console(tmp_path / "c.db", "/define HPA\n/define 쿠버네티스\n")
    assert result.returncode == 0
    assert "Horizontal Pod Autoscaler" in result.stdout and "Kubernetes" in result.stdout


def test_console_from_a_pipe_prints_no_prompt(tmp_path: Path) -> None:
    result = console(tmp_path / "c.db", "/help\n")
    assert "studybot>" not in result.stdout and "/define" in result.stdout


def test_console_quiz_answer_is_recorded_in_the_database(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    first = console(db, "/quiz\nA\n")
    assert "Correct!" in first.stdout or "Not quite" in first.stdout
    second = console(db, "/stats\n")
    assert "practice: 1 answered" in second.stdout


def test_console_letter_without_an_open_question_is_a_lookup_not_an_answer(tmp_path: Path) -> None:
    result = console(tmp_path / "c.db", "A\n")
    assert result.returncode == 0 and "Correct!" not in result.stdout


def test_console_unknown_command_and_unknown_term_keep_the_session_going(tmp_path: Path) -> None:
    result = console(tmp_path / "c.db", "/bogus\n/define qqqqzzzz\n/define KEDA\n")
    assert "Unknown command /bogus" in result.stdout
    assert "Nothing found" in result.stdout
    assert result.stdout.index("Nothing found") < result.stdout.rindex("Event Driven Autoscaling")


def test_console_with_a_corrupt_database_says_so_in_one_line(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    db.write_bytes(b"garbage" * 200)
    result = console(db, "/help\n")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0 and str(db) in result.stderr


def test_make_run_without_a_token_falls_back_to_the_console(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "start", "--db", str(tmp_path / "c.db")],
        input="/define HPA\n", capture_output=True, text=True, cwd=REPO_ROOT, env=env, timeout=60,
    )
    assert result.returncode == 0 and "Horizontal Pod Autoscaler" in result.stdout
    assert "offline console" in result.stderr


def test_console_stats_chart_says_where_it_saved_the_png(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    result = console(db, "/quiz\nA\n/stats --chart\n/stats --pie\n")
    saved = next(line for line in result.stdout.splitlines() if line.startswith("Chart saved to "))
    path = Path(saved.removeprefix("Chart saved to "))
    assert path.parent == tmp_path / "charts"
    assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert "Answered 1 on 1 of the 30 days" in result.stdout  # the alt text, printed after the path
    assert "Usage: /stats or /stats --chart" in result.stdout
