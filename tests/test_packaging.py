"""The container and CI files stay in step with what the tests exercise."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

from tests.conftest import REPO_ROOT


def read(name: str) -> str:
    return (REPO_ROOT / name).read_text(encoding="utf-8")


def test_dockerfile_installs_with_the_same_make_install_the_tests_use() -> None:
    dockerfile = read("Dockerfile")
    assert re.search(r"^RUN make install\b", dockerfile, re.MULTILINE)
    assert re.search(r"^test: install$", read("Makefile"), re.MULTILINE)


def test_dockerfile_uses_a_slim_base_and_a_non_root_user() -> None:
    dockerfile = read("Dockerfile")
    assert re.search(r"^FROM python:3\.1[1-9]-slim", dockerfile, re.MULTILINE)
    users = re.findall(r"^USER (\S+)", dockerfile, re.MULTILINE)
    assert users and users[-1] not in {"root", "0"}


def test_dockerfile_keeps_data_in_a_volume_and_runs_the_bot_in_exec_form() -> None:
    dockerfile = read("Dockerfile")
    assert 'VOLUME ["/app/data"]' in dockerfile
    (cmd,) = re.findall(r"^CMD (.+)$", dockerfile, re.MULTILINE)
    assert json.loads(cmd) == ["studybot", "run"]  # exec form: SIGTERM reaches Python


def test_ci_runs_make_test() -> None:
    assert "make test" in read(".ci/run")


def test_console_script_points_at_the_cli() -> None:
    project = tomllib.loads(read("pyproject.toml"))["project"]
    assert project["scripts"]["studybot"] == "bot.cli:main"
    assert project["requires-python"] == ">=3.11"


def test_default_deck_is_the_users_note_unchanged() -> None:
    shared = REPO_ROOT.parent / "shared" / "notes" / "cloud-native-fundamentals.md"
    deck = REPO_ROOT / "data" / "notes" / "cloud-native-fundamentals.md"
    if shared.is_file():
        assert deck.read_bytes() == shared.read_bytes()
    assert "![CNCF-graduation-criteria](img/CNCF-graduation-criteria.png)" in deck.read_text("utf-8")


def test_sql_lives_only_in_the_store() -> None:
    sql = re.compile(r"\b(SELECT\s+.+\s+FROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|CREATE\s+TABLE)\b", re.I)
    offenders = [
        str(p.relative_to(REPO_ROOT))
        for folder in ("bot", "cogs")
        for p in (REPO_ROOT / folder).rglob("*.py")
        if "store" not in p.relative_to(REPO_ROOT).parts and sql.search(p.read_text("utf-8"))
    ]
    assert offenders == []


def test_every_python_module_has_a_docstring() -> None:
    import ast

    missing = [
        str(p.relative_to(REPO_ROOT))
        for folder in ("bot", "cogs")
        for p in (REPO_ROOT / folder).rglob("*.py")
        if p.stat().st_size and ast.get_docstring(ast.parse(p.read_text("utf-8"))) is None
    ]
    assert missing == []
