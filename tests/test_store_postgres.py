"""What only PostgreSQL can get wrong: URLs, a database from a newer studybot or of another
program, a server that goes away mid-run, the card and the answer in one transaction, and the
migrations numbered alike in both dialects."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime

import asyncpg
import pytest

from bot.app.messages import error_message
from bot.clock import ManualClock
from bot.community import Community
from bot.engine.model import Question, QuestionKind, SourceRef
from bot.errors import StoreUnavailable
from bot.store import StoreError
from bot.store.backend import StoreBackend, open_store
from bot.store.pg_schema import load_pg_migrations
from bot.store.postgres import PostgresStore, redact
from bot.store.schema import load_migrations
from bot.store.store import Store
from tests.backends import read_rows
from tests.postgres_cluster import PostgresCluster, find_binaries, missing_reason

GUILD = Community.discord(10)
CLOCK = ManualClock(datetime(2026, 11, 23, 0, 0, tzinfo=UTC))


def question(entry: str | None = "e1") -> Question:
    return Question(id="q1", kind=QuestionKind.TERM_TO_DEFINITION, prompt="p", choices=("a", "b", "c"),
                    answer=1, explanation="e", term="Pod", deck="d", source=SourceRef("n.md", 1),
                    entry_id=entry)


@pytest.fixture
def pg_url(postgres_cluster: PostgresCluster) -> Iterator[str]:
    url = postgres_cluster.create_database()
    yield url
    postgres_cluster.drop_database(url)


@pytest.fixture
def own_cluster() -> Iterator[PostgresCluster]:
    """A cluster of this test's own, which the test may stop and start."""
    reason = missing_reason()
    if reason is not None:
        pytest.skip(reason)
    bin_dir = find_binaries()
    assert bin_dir is not None
    cluster = PostgresCluster(bin_dir).start()
    try:
        yield cluster
    finally:
        cluster.stop()


def test_every_sqlite_migration_has_a_postgresql_file_of_the_same_number() -> None:
    sqlite = [(m.number, m.name) for m in load_migrations()]
    postgres = [(m.number, m.name) for m in load_pg_migrations()]
    assert postgres == sqlite


async def test_open_store_picks_the_backend_from_the_location(pg_url: str, tmp_path) -> None:
    async with await open_store(pg_url, clock=CLOCK) as store:
        assert isinstance(store, PostgresStore) and isinstance(store, StoreBackend)
    async with await open_store(f"sqlite:///{tmp_path}/s.db", clock=CLOCK) as store:
        assert isinstance(store, Store) and isinstance(store, StoreBackend)
    assert (tmp_path / "s.db").is_file()


@pytest.mark.parametrize("url", [
    "postgresql://studybot@127.0.0.1:1/studybot",  # nothing listens on port 1
    "postgresql://studybot@no-such-host.invalid/studybot",
])
async def test_a_server_that_cannot_be_reached_is_one_sentence(url: str) -> None:
    with pytest.raises(StoreError) as caught:
        await open_store(url, clock=CLOCK, connect_timeout=5)
    message = str(caught.value)
    assert message.startswith("Cannot connect to PostgreSQL at") and "\n" not in message


async def test_a_missing_database_says_to_create_it(postgres_cluster: PostgresCluster) -> None:
    with pytest.raises(StoreError, match="does not exist; create it first"):
        await open_store(postgres_cluster.url("never_created"), clock=CLOCK)


async def test_a_malformed_url_is_refused_without_showing_the_password() -> None:
    with pytest.raises(StoreError) as caught:
        await open_store("postgresql://bot:hunter2@127.0.0.1:notaport/db", clock=CLOCK)
    assert "hunter2" not in str(caught.value) and "\n" not in str(caught.value)
    assert redact("postgresql://bot:hunter2@db.example:5432/s") == "postgresql://bot:***@db.example:5432/s"


async def test_a_database_from_a_newer_studybot_is_refused_and_left_untouched(pg_url: str) -> None:
    async with await open_store(pg_url, clock=CLOCK):
        pass
    newer = load_pg_migrations()[-1].number + 1
    await _execute(pg_url, f"UPDATE studybot_schema SET version = {newer}")
    with pytest.raises(StoreError, match="newer than this studybot knows"):
        await open_store(pg_url, clock=CLOCK)
    assert read_rows(pg_url, "SELECT version FROM studybot_schema") == [(newer,)]


async def test_a_database_of_another_program_is_refused(pg_url: str) -> None:
    await _execute(pg_url, "CREATE TABLE invoices (id int)")
    with pytest.raises(StoreError, match="not studybot's"):
        await open_store(pg_url, clock=CLOCK)
    assert read_rows(pg_url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(1,)]


async def test_two_stores_opening_a_new_database_at_once_migrate_it_once(pg_url: str) -> None:
    first, second = await asyncio.gather(open_store(pg_url, clock=CLOCK), open_store(pg_url, clock=CLOCK))
    await first.close()
    await second.close()
    assert read_rows(pg_url, "SELECT version FROM studybot_schema") == [(load_pg_migrations()[-1].number,)]


async def test_a_card_that_cannot_be_written_takes_its_answer_with_it(pg_url: str) -> None:
    """PostgreSQL reviews the card in the store: if writing it fails, the answer and its scores
    are not stored either (one transaction)."""
    async with await open_store(pg_url, clock=CLOCK) as store:
        post = await store.create_practice_post(GUILD, "1", question())
        await _execute(pg_url, "ALTER TABLE cards ADD CONSTRAINT refuse_all CHECK (reps < 0)")
        with pytest.raises(StoreError, match="could not be recorded"):
            await store.record_answer(post.post_id, "1", 1, "Ann")
        assert read_rows(pg_url, "SELECT count(*) FROM answers") == [(0,)]
        assert read_rows(pg_url, "SELECT count(*) FROM scores") == [(0,)]
        assert (await store.get_post(post.post_id)).answer_count == 0
        await _execute(pg_url, "ALTER TABLE cards DROP CONSTRAINT refuse_all")
        assert (await store.record_answer(post.post_id, "1", 1, "Ann")).accepted
        assert len(await store.all_cards()) == 1


async def test_answers_from_two_stores_on_one_post_rank_the_correct_ones_once_each(pg_url: str) -> None:
    async with await open_store(pg_url, clock=CLOCK) as one, await open_store(pg_url, clock=CLOCK) as two:
        schedule = await one.create_or_replace_schedule(GUILD, "20", "09:00", "UTC")
        post = (await one.create_daily_post(schedule.schedule_id, "2026-11-23", 1, question())).post
        results = await asyncio.gather(*(
            (one if i % 2 else two).record_answer(post.post_id, str(i), 1, f"m{i}") for i in range(40)))
        assert sorted(r.correct_rank for r in results) == list(range(1, 41))
        assert (await one.get_post(post.post_id)).correct_count == 40
        board = await two.leaderboard(GUILD, limit=50)
        assert board.total == 40 and len(board.rows) == 40


async def test_a_server_that_went_away_refuses_answers_politely_and_takes_them_when_back(
        own_cluster: PostgresCluster) -> None:
    url = own_cluster.create_database()
    async with await open_store(url, clock=CLOCK) as store:
        schedule = await store.create_or_replace_schedule(GUILD, "20", "09:00", "UTC")
        post = (await store.create_daily_post(schedule.schedule_id, "2026-11-23", 1, question())).post
        assert (await store.record_answer(post.post_id, "1", 1, "Ann")).accepted
        own_cluster.stop(remove=False)
        with pytest.raises(StoreUnavailable) as caught:
            await store.record_answer(post.post_id, "2", 1, "Bob")
        with pytest.raises(StoreUnavailable):
            await store.leaderboard(GUILD)
        assert "try again" in error_message(caught.value, "en")
        assert "다시 시도" in error_message(caught.value, "ko")
        own_cluster.restart()
        again = await store.record_answer(post.post_id, "2", 1, "Bob")
        assert again.accepted and again.correct_rank == 2
        board = await store.leaderboard(GUILD)
        assert [(r.user_id, r.answered) for r in board.rows] == [("1", 1), ("2", 1)]
    assert read_rows(url, "SELECT count(*), sum(answered) FROM scores WHERE period = 'all'") == [(2, 2)]


async def test_a_transaction_cut_off_mid_answer_is_rolled_back_and_the_answer_retried_once(
        pg_url: str) -> None:
    async with await open_store(pg_url, clock=CLOCK) as store:
        schedule = await store.create_or_replace_schedule(GUILD, "20", "09:00", "UTC")
        post = (await store.create_daily_post(schedule.schedule_id, "2026-11-23", 1, question())).post
        blocker, monitor = await asyncpg.connect(pg_url), await asyncpg.connect(pg_url)
        try:
            holding = blocker.transaction()
            await holding.start()
            await blocker.execute("SELECT 1 FROM posts WHERE post_id = $1 FOR UPDATE", post.post_id)
            answering = asyncio.create_task(store.record_answer(post.post_id, "1", 1, "Ann"))
            waiting = await _backend_waiting_for_a_lock(monitor)
            # The answer's transaction has taken its member lock and waits for the post row:
            # cut its connection off, as a server restart or a network failure would.
            await blocker.execute("SELECT pg_terminate_backend($1)", waiting)
            # pg_terminate_backend only signals: the cut-off backend may be listed a moment
            # longer, so wait for a different one, the retry, waiting for the post row again.
            await _backend_waiting_for_a_lock(monitor, other_than=waiting)
            await holding.rollback()
            result = await answering
        finally:
            await blocker.close()
            await monitor.close()
        assert result.accepted and result.correct_rank == 1
    assert read_rows(pg_url, "SELECT user_id, points FROM answers") == [("1", 13)]
    assert read_rows(pg_url, "SELECT answered FROM scores WHERE period = 'all'") == [(1,)]


async def _backend_waiting_for_a_lock(conn: asyncpg.Connection, *, other_than: int = 0) -> int:
    """The pid of the (one) backend of this database waiting for a row lock, other than
    `other_than`. `conn` must not be in a transaction: pg_stat_activity is read once per
    transaction."""
    for _ in range(2000):
        pid = await conn.fetchval(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND pid <> $1 AND wait_event_type = 'Lock'", other_than)
        if pid is not None:
            return int(pid)
        await asyncio.sleep(0.01)
    raise AssertionError("no backend waited for the lock")


async def _execute(url: str, sql: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()
