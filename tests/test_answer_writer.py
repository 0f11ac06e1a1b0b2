"""The answer writer: queued answers committed in batches, in order, each before its caller hears back."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from bot.store.answer_writer import AnswerWriter

STATEMENT = "INSERT INTO clicks (user_id, note) VALUES (:user_id, :note) RETURNING seq, user_id"


def insert(conn: sqlite3.Connection, params: dict) -> tuple | None:
    """One answer's work: one statement."""
    rows = conn.execute(STATEMENT, params).fetchall()
    return rows[0] if rows else None


def make_table(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE clicks (seq INTEGER PRIMARY KEY, user_id INTEGER NOT NULL UNIQUE, note TEXT)")


@pytest.fixture
async def writer(tmp_path: Path):
    path = tmp_path / "clicks.db"
    make_table(path)
    writer = AnswerWriter(path, insert, lock=asyncio.Lock(), busy_timeout=1.0, prepare=lambda conn: None)
    await writer.open()
    yield writer, path
    await writer.close()


async def test_concurrent_writes_are_committed_in_arrival_order(writer) -> None:
    answers, path = writer
    outcomes = await asyncio.gather(*(answers.write({"user_id": u, "note": None}) for u in range(200)))
    assert [row[1] for row in outcomes] == list(range(200))  # type: ignore[index]
    with sqlite3.connect(path) as conn:  # another connection sees them all: committed
        assert [r[0] for r in conn.execute("SELECT user_id FROM clicks ORDER BY seq")] == list(range(200))


async def test_one_failing_statement_does_not_sink_the_rest_of_its_batch(writer) -> None:
    answers, path = writer
    params = [{"user_id": u, "note": None} for u in range(10)]
    params[4] = {"user_id": 3, "note": None}  # breaks the UNIQUE constraint on its own
    outcomes = await asyncio.gather(*(answers.write(p) for p in params))
    assert isinstance(outcomes[4], sqlite3.IntegrityError)
    assert all(isinstance(o, tuple) for i, o in enumerate(outcomes) if i != 4)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM clicks").fetchone()[0] == 9


async def test_close_writes_what_is_queued_first(tmp_path: Path) -> None:
    path = tmp_path / "clicks.db"
    make_table(path)
    answers = AnswerWriter(path, insert, lock=asyncio.Lock(), busy_timeout=1.0, prepare=lambda conn: None)
    await answers.open()
    pending = [asyncio.ensure_future(answers.write({"user_id": u, "note": None})) for u in range(20)]
    await asyncio.sleep(0)
    await answers.close()
    assert all(p.done() and not p.exception() for p in pending)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM clicks").fetchone()[0] == 20


async def test_an_answer_whose_second_statement_fails_leaves_nothing_of_itself(tmp_path: Path) -> None:
    path = tmp_path / "clicks.db"
    make_table(path)
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (user_id INTEGER NOT NULL, note TEXT NOT NULL)")

    def click_and_note(conn: sqlite3.Connection, params: dict) -> tuple | None:
        row = insert(conn, params)
        conn.execute("INSERT INTO notes (user_id, note) VALUES (:user_id, :note)", params)
        return row

    answers = AnswerWriter(path, click_and_note, lock=asyncio.Lock(), busy_timeout=1.0, prepare=lambda conn: None)
    await answers.open()
    try:
        params = [{"user_id": u, "note": None if u == 2 else "ok"} for u in range(5)]
        outcomes = await asyncio.gather(*(answers.write(p) for p in params))
    finally:
        await answers.close()
    assert isinstance(outcomes[2], sqlite3.IntegrityError)
    with sqlite3.connect(path) as conn:
        assert [u for (u,) in conn.execute("SELECT user_id FROM clicks ORDER BY seq")] == [0, 1, 3, 4]
        assert [u for (u,) in conn.execute("SELECT user_id FROM notes ORDER BY rowid")] == [0, 1, 3, 4]


async def test_a_lone_answer_is_written_on_the_loop_thread_without_a_hand_over(tmp_path: Path) -> None:
    path = tmp_path / "clicks.db"
    make_table(path)
    threads: list[str] = []

    def note_thread(conn: sqlite3.Connection, params: dict) -> tuple | None:
        threads.append(threading.current_thread().name)
        return insert(conn, params)

    answers = AnswerWriter(path, note_thread, lock=asyncio.Lock(), busy_timeout=1.0, prepare=lambda conn: None)
    await answers.open()
    try:
        for user in range(3):
            await answers.write({"user_id": user, "note": None})
    finally:
        await answers.close()
    assert threads == [threading.current_thread().name] * 3


async def test_a_burst_of_answers_is_batched_on_the_writer_thread(tmp_path: Path) -> None:
    path = tmp_path / "clicks.db"
    make_table(path)
    commits: list[int] = []
    answers = AnswerWriter(path, insert, lock=asyncio.Lock(), busy_timeout=1.0, prepare=lambda conn: None,
                           committed=lambda: commits.append(1))
    await answers.open()
    try:
        await asyncio.gather(*(answers.write({"user_id": u, "note": None}) for u in range(100)))
    finally:
        await answers.close()
    assert len(commits) < 10  # one transaction per batch, not per answer
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM clicks").fetchone()[0] == 100


async def test_a_lone_answer_waits_for_another_connections_lock_off_the_loop(writer) -> None:
    answers, path = writer
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process's write lock
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    ticker = asyncio.create_task(tick())
    try:
        writing = asyncio.create_task(answers.write({"user_id": 1, "note": None}))
        await asyncio.sleep(0.3)
        assert not writing.done()  # still waiting for the lock, and the loop kept running meanwhile
        ticks_while_locked = ticks
        other.execute("COMMIT")
        assert (await writing)[1] == 1
    finally:
        ticker.cancel()
        other.close()
    assert ticks_while_locked >= 5


async def test_an_answer_written_from_another_thread_than_the_one_that_opened_the_writer_is_stored(
        writer) -> None:
    answers, path = writer
    outcome: list[object] = []
    elsewhere = threading.Thread(
        target=lambda: outcome.append(asyncio.run(answers.write({"user_id": 7, "note": None}))))
    elsewhere.start()
    await asyncio.to_thread(elsewhere.join)
    assert outcome[0][1] == 7  # type: ignore[index]
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT user_id FROM clicks").fetchall() == [(7,)]
