"""`studybot migrate-db --to postgresql://…`: every row copied, verified, and the copy keeps working."""

from __future__ import annotations

import asyncio
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from bot.clock import ManualClock
from bot.community import Community
from bot.engine.model import Question, QuestionKind, SourceRef
from bot.engine.scoring import Board, Period
from bot.store.backend import open_store
from bot.store.transfer import TABLES
from tests.backends import execute_sql, read_rows
from tests.conftest import REPO_ROOT
from tests.postgres_cluster import PostgresCluster

CLOCK = ManualClock(datetime(2026, 12, 1, 3, tzinfo=UTC))
SLACK = Community.of("slack", "T024BE7LD")


def question(entry: str) -> Question:
    return Question(id=f"q-{entry}", kind=QuestionKind.TERM_TO_DEFINITION, prompt="p", choices=("a", "b", "c"),
                    answer=2, explanation="e", term=entry, deck="d", source=SourceRef("n.md", 3), entry_id=entry)


@pytest.fixture
def old_database(tmp_path: Path) -> Path:
    """A release database from before communities, upgraded, with practice, opt-outs, reminders
    and a second platform's community added: every table has rows."""
    path = tmp_path / "studybot.db"
    shutil.copyfile(REPO_ROOT / "tests" / "data" / "release-2026-11-27.db", path)

    async def grow() -> None:
        async with await open_store(path, clock=CLOCK, default_timezone="Asia/Seoul") as store:
            for user in range(6):
                post = await store.create_practice_post(SLACK, f"U{user}", question(f"e{user % 3}"))
                await store.record_answer(post.post_id, f"U{user}", user % 3, f"slack {user}")
            await store.set_opt_out(SLACK, "U2")
            await store.set_reminder(SLACK, "U1", "08:00", "Asia/Seoul", "ko")
            await store.set_meta("notes_tree", "abc")

    asyncio.run(grow())
    return path


@pytest.fixture
def empty_url(postgres_cluster: PostgresCluster):
    url = postgres_cluster.create_database()
    yield url
    postgres_cluster.drop_database(url)


def test_migrate_db_copies_every_row_and_says_what_it_verified(old_database: Path, empty_url: str,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate-db", "--db", str(old_database), "--to", empty_url]) == 0
    said = capsys.readouterr().out
    assert "leaderboards" in said and "match" in said
    for table in TABLES:
        count = f"SELECT count(*) FROM {table}"
        assert read_rows(empty_url, count) == read_rows(str(old_database), count), table
    assert read_rows(empty_url, "SELECT count(*) FROM answers")[0][0] > 50

    async def compare() -> None:
        async with await open_store(old_database, clock=CLOCK) as old, \
                await open_store(empty_url, clock=CLOCK) as new:
            for (community,) in read_rows(str(old_database), "SELECT community FROM communities"):
                for board in Board:
                    mine = await old.leaderboard(Community(community), board, Period.ALL, limit=100)
                    theirs = await new.leaderboard(Community(community), board, Period.ALL, limit=100)
                    assert theirs == mine
            assert await new.get_reminder(SLACK, "U1") == await old.get_reminder(SLACK, "U1")

    asyncio.run(compare())


def test_the_copy_takes_new_answers_with_new_ids_and_live_aggregates(old_database: Path, empty_url: str) -> None:
    assert main(["migrate-db", "--db", str(old_database), "--to", empty_url]) == 0
    newest = read_rows(empty_url, "SELECT max(post_id) FROM posts")[0][0]

    async def answer() -> None:
        async with await open_store(empty_url, clock=CLOCK) as store:
            post = await store.create_practice_post(SLACK, "U0", question("e0"))
            assert post.post_id == newest + 1
            assert (await store.record_answer(post.post_id, "U0", 2, "slack 0")).accepted
            row = await store.rank_of(SLACK, "U0", Board.PRACTICE)
            assert row is not None and row.answered == 2

    asyncio.run(answer())


def test_a_target_that_already_holds_data_is_refused_and_left_alone(old_database: Path, empty_url: str,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate-db", "--db", str(old_database), "--to", empty_url]) == 0
    execute_sql(empty_url, "DELETE FROM reminders")
    capsys.readouterr()
    assert main(["migrate-db", "--db", str(old_database), "--to", empty_url]) == 1
    assert "already holds studybot data" in capsys.readouterr().err
    assert read_rows(empty_url, "SELECT count(*) FROM reminders") == [(0,)]


def test_migrate_db_wants_a_postgresql_url(old_database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate-db", "--db", str(old_database), "--to", str(old_database) + ".copy"]) == 2
    assert "postgresql://" in capsys.readouterr().err
