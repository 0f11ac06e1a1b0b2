"""The studybot command line: JSON shapes, readable output, and one-line errors with exit codes."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import DEFAULT_NOTES, REPO_ROOT


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    status = main(list(argv), out=out)
    return status, out.getvalue()


def test_glossary_json_has_the_documented_keys() -> None:
    status, text = run("glossary", "--json", "--notes", str(DEFAULT_NOTES))
    entries = json.loads(text)
    assert status == 0 and len(entries) > 50
    assert {"term", "aliases", "definition", "deck", "section", "source"} <= set(entries[0])
    assert set(entries[0]["source"]) == {"path", "line"}


def test_define_json_puts_the_best_match_first() -> None:
    status, text = run("define", "hpa", "--json", "--notes", str(DEFAULT_NOTES))
    assert status == 0 and "HPA" in json.loads(text)[0]["aliases"]


def test_define_readable_output_shows_source_line() -> None:
    status, text = run("define", "쿠버ㄴ", "--notes", str(DEFAULT_NOTES))
    assert status == 0 and "Kubernetes" in text and "cloud-native-fundamentals.md:" in text


def test_define_with_no_match_is_one_line_on_stderr_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    status, _ = run("define", "qqqqzzzz", "--notes", str(DEFAULT_NOTES))
    err = capsys.readouterr().err
    assert status == 1 and err.count("\n") == 1 and "nothing found" in err


def test_questions_json_has_the_documented_shape() -> None:
    status, text = run("questions", "--json", "--notes", str(DEFAULT_NOTES))
    questions = json.loads(text)
    assert status == 0 and questions
    q = questions[0]
    assert set(q) >= {"id", "kind", "prompt", "choices", "answer", "explanation", "term", "source"}
    assert 0 <= q["answer"] < len(q["choices"])


def test_check_counts_questions_per_deck_and_exits_0_on_the_default_deck() -> None:
    status, text = run("check", "--notes", str(DEFAULT_NOTES))
    assert status == 0 and "questions" in text and "Cloud Native Fundamentals" in text


def test_check_reports_a_broken_file_with_its_path_and_exits_1(tmp_path: Path) -> None:
    (tmp_path / "good.md").write_text("- **Pod**: 가장 작은 배포 단위\n- **Node**: 머신\n", encoding="utf-8")
    (tmp_path / "bad.md").write_bytes(b"- **Pod**: \xff\xfe broken\n")
    status, text = run("check", "--notes", str(tmp_path))
    assert status == 1
    assert f"{tmp_path / 'bad.md'}:1:" in text and "good.md" in text


def test_missing_notes_folder_is_one_line_not_a_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _ = run("glossary", "--notes", str(tmp_path / "nowhere"))
    err = capsys.readouterr().err
    assert status == 1 and "Traceback" not in err and err.count("\n") == 1


def test_bad_setting_in_the_environment_is_one_sentence(monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("STUDYBOT_TIMEZONE", "Mars/Olympus")
    status, _ = run("check", "--notes", str(DEFAULT_NOTES))
    err = capsys.readouterr().err
    assert status == 2 and "STUDYBOT_TIMEZONE" in err and err.count("\n") == 1


def test_unknown_option_is_one_line_with_a_hint(capsys: pytest.CaptureFixture[str]) -> None:
    status, _ = run("define")
    err = capsys.readouterr().err
    assert status == 2 and "--help" in err and err.count("\n") == 1


def test_leaderboard_json_lists_everyone_who_answered_without_limit(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    script = """
import asyncio, sys
from datetime import UTC, datetime
from bot.clock import ManualClock
from bot.app.study import StudyService
from bot.community import Community
from bot.store import Store
async def main():
    clock = ManualClock(datetime(2026, 11, 27, 3, tzinfo=UTC))
    async with await Store.open(sys.argv[1], clock=clock) as store:
        service = StudyService(notes_path=sys.argv[2], store=store, clock=clock)
        guild = Community.discord(7)
        for user in range(1, 13):
            asked = await service.next_practice_question(community=guild, user_id=str(user), display_name=f"u{user}")
            choice = asked.question.answer if user % 2 else (asked.question.answer + 1) % len(asked.question.choices)
            await service.answer(community=guild, post_id=asked.post_id, user_id=str(user), choice=choice,
                                 display_name=f"u{user}")
asyncio.run(main())
"""
    subprocess.run([sys.executable, "-c", script, str(db), str(DEFAULT_NOTES)], check=True, cwd=REPO_ROOT)
    status, text = run("leaderboard", "--guild", "7", "--board", "practice", "--period", "all",
                       "--json", "--db", str(db))
    rows = json.loads(text)
    assert status == 0 and len(rows) == 12
    assert set(rows[0]) == {"rank", "user_id", "points", "answered", "correct", "streak"}
    assert [r["rank"] for r in rows] == list(range(1, 13))
    assert rows[0]["correct"] == 1 and rows[-1]["correct"] == 0
    status, text = run("leaderboard", "--guild", "7", "--board", "practice", "--period", "all",
                       "--limit", "3", "--json", "--db", str(db))
    assert len(json.loads(text)) == 3


def test_corrupt_database_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    db = tmp_path / "broken.db"
    db.write_bytes(b"this is not a database" * 100)
    result = subprocess.run(
        [sys.executable, "-m", "bot", "leaderboard", "--guild", "1", "--db", str(db)],
        capture_output=True, text=True, cwd=REPO_ROOT, env={**os.environ, "DISCORD_TOKEN": ""},
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1
    assert db.read_bytes() == b"this is not a database" * 100


def test_a_mistyped_command_points_at_the_one_help_there_is(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["definee", "HPA"]) == 2
    err = capsys.readouterr().err
    assert "(see `studybot --help`)" in err and "studybot studybot" not in err
