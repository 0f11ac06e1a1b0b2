"""The background WAL checkpointer: committed answers reach the database file itself without a
commit running a checkpoint."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from bot.clock import ManualClock
from bot.community import Community
from bot.engine.model import Question, QuestionKind, SourceRef
from bot.store import Store

GUILD = Community.discord(10)


def question(entry: str) -> Question:
    return Question(id=f"q-{entry}", kind=QuestionKind.TERM_TO_DEFINITION, prompt=f"what is {entry}",
                    choices=("a", "b"), answer=1, explanation="", term=entry, deck="cloud",
                    source=SourceRef("notes/cloud.md", 1), entry_id=entry)


async def test_committed_answers_reach_the_database_file_through_the_background_checkpointer(
        db_path: Path, tmp_path: Path) -> None:
    clock = ManualClock(datetime(2026, 12, 5, 9, 0, tzinfo=UTC))
    async with await Store.open(db_path, clock=clock) as store:
        for user in range(30):
            post = await store.create_practice_post(GUILD, str(user), question(f"e{user % 4}"))
            assert (await store.record_answer(post.post_id, str(user), 1, f"user {user}")).accepted
        assert await store.checkpointed(timeout=60)
        # The database file alone, without its -wal file, already holds every answer and card.
        alone = tmp_path / "file-alone.db"
        shutil.copyfile(db_path, alone)
        assert not Path(f"{alone}-wal").exists()
        with sqlite3.connect(alone) as conn:
            assert conn.execute("SELECT count(*) FROM answers").fetchone()[0] == 30
            assert conn.execute("SELECT count(*) FROM cards").fetchone()[0] == 30


def test_a_log_longer_than_the_restart_size_is_restarted_and_cut_back(tmp_path: Path) -> None:
    """Passive passes alone can leave the log growing under a steady stream of commits (each
    copies the log as it was when it began); a log longer than `restart_pages` gets a RESTART
    checkpoint, after which the next commit starts the log again, cut to journal_size_limit."""
    from bot.store.checkpointer import Checkpointer

    db = tmp_path / "steady.db"
    writer = sqlite3.connect(db, isolation_level=None, timeout=30)
    for pragma in ("PRAGMA journal_mode = WAL", "PRAGMA wal_autocheckpoint = 0",
                   "PRAGMA journal_size_limit = 65536"):
        writer.execute(pragma)
    writer.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body BLOB)")
    checkpointer = Checkpointer(db, interval=0.01, restart_pages=64,
                                prepare=lambda conn: conn.execute("PRAGMA wal_autocheckpoint = 0"))
    try:
        for _ in range(100):  # about 100 pages of log before the checkpointer starts
            writer.execute("INSERT INTO notes (body) VALUES (randomblob(3000))")
        assert Path(f"{db}-wal").stat().st_size > 100 * 3000
        checkpointer.start()
        checkpointer.committed()
        assert checkpointer.wait_until_checkpointed(timeout=60)
        assert checkpointer.restarts == 1
        writer.execute("INSERT INTO notes (body) VALUES (randomblob(3000))")
        assert Path(f"{db}-wal").stat().st_size <= 65536  # started again from its beginning
    finally:
        checkpointer.close()
        writer.close()
