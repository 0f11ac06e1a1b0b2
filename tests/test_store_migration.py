"""A database made by the release before communities (schema 3) opens, converts, and keeps every
answer, score and leaderboard; the fixture file was written by that release's own code."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from bot.app.study import StudyService
from bot.clock import ManualClock
from bot.community import Community
from bot.store import Store
from bot.store.schema import load_migrations
from tests.conftest import DEFAULT_NOTES, REPO_ROOT

FIXTURE = REPO_ROOT / "tests" / "data" / "release-2026-11-27.db"
EXPECTED = json.loads((REPO_ROOT / "tests" / "data" / "release-2026-11-27.json").read_text("utf-8"))
TABLES = ("members", "schedules", "posts", "answers", "scores", "board_sizes", "streaks", "score_levels")


def counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


@pytest.fixture
def old_db(tmp_path: Path) -> Path:
    path = tmp_path / "old.db"
    shutil.copyfile(FIXTURE, path)
    return path


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime.fromisoformat(EXPECTED["now"]))


def test_the_fixture_is_a_schema_3_database_with_guild_ids() -> None:
    with sqlite3.connect(FIXTURE) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 3
        assert conn.execute("SELECT count(DISTINCT guild_id) FROM answers").fetchone()[0] == 3


async def test_every_row_survives_the_conversion(old_db: Path, clock: ManualClock) -> None:
    before = counts(old_db)
    async with await Store.open(old_db, clock=clock, default_timezone="Asia/Seoul"):
        pass
    assert counts(old_db) == before
    with sqlite3.connect(old_db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == load_migrations()[-1].number
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        communities = {c for (c,) in conn.execute("SELECT community FROM answers")}
        users = {type(u) for (u,) in conn.execute("SELECT user_id FROM answers")}
        messages = {type(m) for (m,) in conn.execute("SELECT message_id FROM posts WHERE message_id IS NOT NULL")}
    assert communities == {"discord:1178000000000000001", "discord:1178000000000000002", "discord:0"}
    assert users == {str} and messages == {str}


@pytest.mark.parametrize("board", ["daily", "practice"])
@pytest.mark.parametrize("guild", ["1178000000000000001", "1178000000000000002", "0"])
async def test_leaderboards_read_the_same_after_the_conversion(
    old_db: Path, clock: ManualClock, guild: str, board: str
) -> None:
    async with await Store.open(old_db, clock=clock, default_timezone="Asia/Seoul") as store:
        service = StudyService(notes_path=DEFAULT_NOTES, store=store, clock=clock, load=False)
        page = await service.leaderboard(Community.discord(guild), period="all", board=board, limit=None)
    rows = [[r.rank, r.user_id, r.display_name, r.points, r.answered, r.correct, r.streak] for r in page.rows]
    assert rows == EXPECTED["boards"][f"{guild}:{board}"]


async def test_a_converted_database_keeps_answering_and_opens_again_unchanged(old_db: Path, clock: ManualClock) -> None:
    guild = Community.discord(1178000000000000001)
    async with await Store.open(old_db, clock=clock, default_timezone="Asia/Seoul") as store:
        service = StudyService(notes_path=DEFAULT_NOTES, store=store, clock=clock)
        asked = await service.next_practice_question(community=guild, user_id="1178000000000001009", display_name="new")
        await service.answer(community=guild, post_id=asked.post_id, user_id="1178000000000001009",
                             choice=asked.question.answer, display_name="new")
    after = counts(old_db)
    async with await Store.open(old_db, clock=clock, default_timezone="Asia/Seoul"):
        pass
    assert counts(old_db) == after


async def test_the_same_id_on_another_platform_is_another_community(old_db: Path, clock: ManualClock) -> None:
    async with await Store.open(old_db, clock=clock, default_timezone="Asia/Seoul") as store:
        service = StudyService(notes_path=DEFAULT_NOTES, store=store, clock=clock, load=False)
        slack = Community.of("slack", "1178000000000000001")
        assert (await service.leaderboard(slack, period="all", board="daily", limit=None)).rows == ()
        stats = await service.stats(slack, "1178000000000001001")
        assert [b.answered for b in stats.boards.values()] == [0, 0]
        discord = Community.discord(1178000000000000001)
        assert (await service.leaderboard(discord, period="all", board="daily", limit=None)).rows != ()
