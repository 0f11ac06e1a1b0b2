"""The answer ledger (`bot/app/ledger.py`) on a real SQLite file: answers still waiting for the
write lock are journaled on request, a restart's replay stores what was journaled and not done,
once, with the time it was given, and a damaged journal loses only its damaged lines."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app.ledger import AnswerLedger
from bot.clock import ManualClock
from bot.community import Community
from bot.store import Store
from tests.test_store_posts import question

START = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
GUILD = Community.discord(10)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def store(db_path: Path, clock: ManualClock) -> AsyncIterator[Store]:
    async with await Store.open(db_path, clock=clock, busy_timeout=30.0) as opened:
        yield opened


@pytest.fixture
def journal(tmp_path: Path) -> Path:
    return tmp_path / "studybot.answers.jsonl"


async def daily_post(store: Store) -> int:
    schedule = await store.create_or_replace_schedule(GUILD, "20", "09:00", "UTC")
    return (await store.create_daily_post(schedule.schedule_id, "2026-12-05", 1, question(1))).post.post_id


def answers_in(db: Path) -> list[tuple[str, int, str]]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute("SELECT user_id, choice, answered_at FROM answers ORDER BY answer_id").fetchall()


def journal_line(post_id: int, user_id: str, *, key: str = "k-1", choice: int = 0,
                 at: datetime = START) -> str:
    """A line as `make_durable` writes it (the journal's format)."""
    return json.dumps({"key": key, "post_id": post_id, "user_id": user_id, "choice": choice,
                       "display_name": f"member {user_id}", "answered_at": at.isoformat(), "rating": None}) + "\n"


async def test_an_answer_waiting_for_the_write_lock_is_journaled_and_marked_done_once_committed(
        store: Store, db_path: Path, journal: Path, clock: ManualClock) -> None:
    post_id = await daily_post(store)
    ledger = AnswerLedger(store, journal)
    with closing(sqlite3.connect(db_path, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        recording = asyncio.create_task(ledger.record(post_id, "7", 1, "Ann", now=clock.now()))
        while ledger.in_flight == 0:
            await asyncio.sleep(0.01)
        assert await ledger.make_durable() == 1
        assert await ledger.make_durable() == 0  # journaled once
        (line,) = journal.read_text().splitlines()
        assert (json.loads(line)["post_id"], json.loads(line)["user_id"]) == (post_id, "7")
        other.execute("ROLLBACK")
    assert (await recording).accepted
    assert len(journal.read_text().splitlines()) == 2  # the answer, then its "done" line
    assert (await AnswerLedger(store, journal).replay()).journaled == 0


async def test_replay_stores_a_journaled_answer_that_never_reached_the_store_with_its_time(
        store: Store, db_path: Path, journal: Path, clock: ManualClock) -> None:
    post_id = await daily_post(store)
    given = START + timedelta(minutes=3)
    journal.write_text(journal_line(post_id, "7", choice=1, at=given))
    clock.advance(timedelta(minutes=10))  # the restart comes later
    report = await AnswerLedger(store, journal).replay()
    assert (report.recorded, report.already_stored, report.refused) == (1, 0, 0)
    assert [(u, c, datetime.fromisoformat(a)) for u, c, a in answers_in(db_path)] == [("7", 1, given)]


async def test_a_second_replay_changes_nothing(store: Store, db_path: Path, journal: Path) -> None:
    post_id = await daily_post(store)
    journal.write_text(journal_line(post_id, "7"))
    await AnswerLedger(store, journal).replay()
    assert journal.read_text() == ""
    assert (await AnswerLedger(store, journal).replay()).journaled == 0
    assert len(answers_in(db_path)) == 1


async def test_an_answer_stored_before_the_crash_is_not_stored_twice(store: Store, db_path: Path,
                                                                     journal: Path, clock: ManualClock) -> None:
    post_id = await daily_post(store)
    await store.record_answer(post_id, "7", 0, "member 7", now=clock.now())
    journal.write_text(journal_line(post_id, "7", choice=1))  # committed, its "done" line lost
    report = await AnswerLedger(store, journal).replay()
    assert (report.recorded, report.already_stored) == (0, 1)
    assert [(u, c) for u, c, _ in answers_in(db_path)] == [("7", 0)]


async def test_an_answer_with_a_done_line_is_not_replayed(store: Store, db_path: Path, journal: Path) -> None:
    post_id = await daily_post(store)
    journal.write_text(journal_line(post_id, "7", key="a") + json.dumps({"done": "a"}) + "\n")
    assert (await AnswerLedger(store, journal).replay()).journaled == 0
    assert answers_in(db_path) == []


async def test_a_line_cut_off_by_the_crash_is_counted_and_the_others_are_stored(
        store: Store, db_path: Path, journal: Path) -> None:
    post_id = await daily_post(store)
    whole = journal_line(post_id, "7", key="a")
    journal.write_text(whole + "not json\n" + journal_line(post_id, "8", key="b")[:30])
    report = await AnswerLedger(store, journal).replay()
    assert (report.recorded, report.unreadable) == (1, 2)
    assert [u for u, _, _ in answers_in(db_path)] == ["7"]


async def test_an_answer_to_a_post_revealed_meanwhile_is_refused_and_reported(
        store: Store, db_path: Path, journal: Path) -> None:
    post_id = await daily_post(store)
    assert await store.mark_revealed(post_id)
    journal.write_text(journal_line(post_id, "7"))
    report = await AnswerLedger(store, journal).replay()
    assert (report.recorded, report.refused) == (0, 1)
    assert answers_in(db_path) == []


async def test_without_a_journal_nothing_is_written(store: Store, clock: ManualClock, tmp_path: Path) -> None:
    post_id = await daily_post(store)
    ledger = AnswerLedger(store)
    assert (await ledger.record(post_id, "7", 0, "Ann", now=clock.now())).accepted
    assert await ledger.make_durable() == 0
    assert list(tmp_path.glob("*.jsonl")) == []
