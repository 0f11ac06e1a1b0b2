"""Opening the store: migrations, PRAGMAs, and clear errors for files it must not use."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.community import Community
from bot.store import Store, StoreError
from bot.store.schema import load_migrations, split_statements
from tests.backends import open_test_store

CLOCK = ManualClock(datetime(2026, 11, 23, 0, 0, tzinfo=UTC))
REPO = Path(__file__).resolve().parent.parent


def _read(path: Path, sql: str):
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


async def test_open_creates_parent_folders_and_applies_every_migration(tmp_path):
    path = tmp_path / "a" / "b" / "studybot.db"
    async with await Store.open(path, clock=CLOCK):
        pass
    assert _read(path, "PRAGMA user_version") == [(load_migrations()[-1].number,)]


async def test_open_uses_wal_journal(db_path):
    async with await Store.open(db_path, clock=CLOCK):
        pass
    assert _read(db_path, "PRAGMA journal_mode") == [("wal",)]


async def test_foreign_keys_are_enforced(db_path):
    async with await Store.open(db_path, clock=CLOCK) as store:
        with pytest.raises(sqlite3.IntegrityError):
            await store._db.execute(
                "INSERT INTO schedules (community, channel_id, time_of_day, timezone, created_at)"
                " VALUES ('discord:404', '1', '09:00', 'UTC', 'now')")


async def test_reopening_keeps_data(store_url):
    async with await open_test_store(store_url, clock=CLOCK) as store:
        await store.set_meta("tree", "abc")
    async with await open_test_store(store_url, clock=CLOCK) as store:
        assert await store.get_meta("tree") == "abc"


async def test_meta_value_is_replaced(store_url):
    async with await open_test_store(store_url, clock=CLOCK) as store:
        await store.set_meta("tree", "abc")
        await store.set_meta("tree", "def")
        assert await store.get_meta("tree") == "def"
        assert await store.get_meta("missing") is None


async def test_newer_schema_version_is_refused_and_left_untouched(db_path):
    async with await Store.open(db_path, clock=CLOCK):
        pass
    newer = load_migrations()[-1].number + 1
    with sqlite3.connect(db_path) as conn:
        conn.execute(f"PRAGMA user_version = {newer}")
        conn.execute("PRAGMA journal_mode = DELETE")
    before = db_path.read_bytes()
    with pytest.raises(StoreError, match="newer than this studybot knows"):
        await Store.open(db_path, clock=CLOCK)
    assert db_path.read_bytes() == before
    assert not Path(f"{db_path}-wal").exists()


async def test_file_that_is_not_a_database_is_refused(db_path):
    db_path.write_text("these are my notes, not a database\n" * 200)
    with pytest.raises(StoreError, match="not a SQLite database or is damaged"):
        await Store.open(db_path, clock=CLOCK)
    assert db_path.read_text().startswith("these are my notes")


async def test_database_with_damaged_pages_is_refused(db_path):
    async with await Store.open(db_path, clock=CLOCK):
        pass
    with sqlite3.connect(db_path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(db_path.read_bytes())
    data[100:4096] = b"\xff" * 3996  # the rest of page 1: the schema table's root
    db_path.write_bytes(bytes(data))
    with pytest.raises(StoreError, match="not a SQLite database or is damaged"):
        await Store.open(db_path, clock=CLOCK)


async def test_read_only_file_by_permissions_is_refused(db_path):
    async with await Store.open(db_path, clock=CLOCK):
        pass
    db_path.chmod(0o444)
    with pytest.raises(StoreError, match="read-only"):
        await Store.open(db_path, clock=CLOCK)


@pytest.fixture
def immutable(db_path):
    """Make the file immutable (chattr +i): read-only even for root, unlike chmod."""
    if shutil.which("chattr") is None:
        pytest.skip("chattr is not available")
    made: list[Path] = []

    def make(path: Path) -> None:
        if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
            pytest.skip("cannot set the immutable attribute here (needs root on ext4 or similar)")
        made.append(path)

    yield make
    for path in made:
        subprocess.run(["chattr", "-i", str(path)], check=False)


async def test_file_sqlite_cannot_write_is_refused(db_path, immutable):
    async with await Store.open(db_path, clock=CLOCK):
        pass
    immutable(db_path)
    with pytest.raises(StoreError, match="read-only"):
        await Store.open(db_path, clock=CLOCK)


async def test_read_only_folder_is_refused(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(StoreError, match="read-only"):
            await Store.open(folder / "studybot.db", clock=CLOCK)
        assert not (folder / "studybot.db").exists()
    finally:
        folder.chmod(0o755)


def _version_1_database(path: Path) -> None:
    """A database as the first release left it: one daily post revealed, one never sent."""
    with sqlite3.connect(path) as conn:
        for statement in load_migrations()[0].statements:
            conn.execute(statement)
        conn.execute("PRAGMA user_version = 1")
        conn.execute("INSERT INTO guilds (guild_id, season_started_at) VALUES (1, '2026-11-22')")
        conn.execute("INSERT INTO schedules (schedule_id, guild_id, channel_id, time_of_day, timezone,"
                     " created_at) VALUES (5, 1, 2, '09:00', 'UTC', '2026-11-22T00:00:00+00:00')")
        for post_id, day, message_id, revealed_at in (
                (1, "2026-11-22", 900, "2026-11-22T23:00:00.000000+00:00"),
                (2, "2026-11-23", None, None)):
            conn.execute(
                "INSERT INTO posts (post_id, guild_id, board, season, channel_id, message_id,"
                " schedule_id, local_date, seq, question_id, kind, prompt, choices, answer_index,"
                " explanation, term, deck, source_path, source_line, posted_at, revealed_at)"
                " VALUES (?, 1, 'daily', 1, 2, ?, 5, ?, 1, 'q', 'acronym', 'p', '[\"a\", \"b\"]',"
                " 0, 'e', 't', 'd', 'f', 1, ?, ?)",
                (post_id, message_id, day, f"{day}T00:00:00.000000+00:00", revealed_at))


async def test_a_version_1_database_is_upgraded_to_the_latest_keeping_its_posts(db_path):
    _version_1_database(db_path)
    async with await Store.open(db_path, clock=CLOCK) as store:
        post = await store.get_post(1)
        assert post.message_id == "900"
        # Guild 1 is now the community 'discord:1'; channel and message ids are text.
        assert (post.community, post.channel_id) == (Community.discord(1), "2")
        schedule = await store.get_schedule(5)
        assert (schedule.community, schedule.channel_id) == (Community.discord(1), "2")
        assert (await store.community_settings(Community.discord(1))).season_started_at is not None
    assert _read(db_path, "PRAGMA user_version") == [(load_migrations()[-1].number,)]


async def test_reveals_made_before_the_upgrade_are_taken_as_drawn(db_path):
    _version_1_database(db_path)
    async with await Store.open(db_path, clock=CLOCK) as store:
        assert await store.pending_reveal_edits(datetime(2026, 1, 1, tzinfo=UTC)) == []


async def test_a_post_left_unsent_before_the_upgrade_can_be_claimed_after_it(db_path):
    _version_1_database(db_path)
    async with await Store.open(db_path, clock=CLOCK) as store:
        claimed = await store.claim_unsent_daily_posts(
            lease=timedelta(minutes=2), since=datetime(2026, 11, 22, 21, tzinfo=UTC))
    assert [p.post_id for p in claimed] == [2]


def test_migration_script_splits_into_whole_statements():
    statements = split_statements("-- c\nCREATE TABLE t (x);\n\nCREATE TRIGGER g AFTER INSERT ON t"
                                  " BEGIN\n  UPDATE t SET x = 1;\n  DELETE FROM t;\nEND;\n")
    assert len(statements) == 2
    assert statements[1].endswith("END;")


_WRITER = textwrap.dedent("""
    import asyncio, sys
    from datetime import UTC, datetime, timedelta
    from bot.clock import SystemClock
    from bot.community import Community
    from bot.engine.model import Question, QuestionKind, SourceRef
    from bot.store import Store

    async def main(path, user, count):
        q = Question("q", QuestionKind.ACRONYM, "p", ("a", "b"), 0, "e", "t", "d",
                     SourceRef("f", 1))
        async with await Store.open(path, clock=SystemClock()) as store:
            for _ in range(count):
                post = await store.create_practice_post(Community.discord(1), user, q)
                result = await store.record_answer(post.post_id, user, 0, f"user {user}")
                assert result.accepted, result

    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
""")


def test_two_processes_writing_one_file_both_succeed(db_path):
    count = 150
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, str(db_path), str(user), str(count)],
                              cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
             for user in (1, 2)]
    outcomes = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outcomes
    assert _read(db_path, "SELECT user_id, count(*) FROM answers GROUP BY user_id") == [
        ("1", count), ("2", count)]
    assert _read(db_path, "SELECT user_id, answered FROM scores WHERE period = 'all'"
                          " ORDER BY user_id") == [("1", count), ("2", count)]
