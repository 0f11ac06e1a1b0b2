"""Every store test on both backends: the `store_url` fixture and the session's PostgreSQL cluster.

A test that asks for `store_url` runs twice, `[sqlite]` on a fresh file in its temporary folder
and `[postgresql]` on a fresh database of a throwaway cluster that the session starts on first use
(`tests.postgres_cluster`) and removes at its end. `open_test_store(store_url, clock, ...)` opens
either. Without the PostgreSQL server binaries the `[postgresql]` runs skip with one reason. A test
about SQLite itself (files, WAL, locks, its migrations from old files) is marked
`@pytest.mark.sqlite_only("why")` and runs on SQLite alone.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from bot.clock import Clock
from bot.store.backend import StoreBackend, open_store
from tests.postgres_cluster import PostgresCluster, find_binaries, missing_reason

BACKENDS = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "store_url" not in metafunc.fixturenames:
        return
    wanted = ("sqlite",) if metafunc.definition.get_closest_marker("sqlite_only") else BACKENDS
    metafunc.parametrize("store_url", wanted, indirect=True, ids=list(wanted))


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """The session's throwaway PostgreSQL server (skips when the binaries are absent)."""
    reason = missing_reason()
    if reason is not None:
        pytest.skip(reason)
    bin_dir = find_binaries()
    assert bin_dir is not None
    cluster = PostgresCluster(bin_dir)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Where this test's store lives: a SQLite file path or a fresh PostgreSQL database URL."""
    if request.param == "sqlite":
        yield str(tmp_path / "studybot.db")
        return
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    url = cluster.create_database()
    try:
        yield url
    finally:
        cluster.drop_database(url)


@pytest.fixture
def backend(store_url: str) -> str:
    """'sqlite' or 'postgresql': which backend this run of the test uses."""
    return "postgresql" if store_url.startswith("postgresql://") else "sqlite"


async def open_test_store(store_url: str, clock: Clock, **options: Any) -> StoreBackend:
    """Open the store at `store_url` (either backend); `busy_timeout` is SQLite's alone."""
    if store_url.startswith("postgresql://"):
        options.pop("busy_timeout", None)
    return await open_store(store_url, clock=clock, **options)




def read_rows(store_url: str, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Rows of one query, read beside the store on its own connection (either backend); `?`
    placeholders. Synchronous: on PostgreSQL the query runs in a thread of its own."""
    if not store_url.startswith("postgresql://"):
        with closing(sqlite3.connect(store_url)) as conn:
            return conn.execute(sql, tuple(params)).fetchall()
    numbered = iter(range(1, sql.count("?") + 1))
    text = re.sub(r"\?", lambda _: f"${next(numbered)}", sql)

    async def fetch() -> list[tuple[Any, ...]]:
        conn = await asyncpg.connect(store_url)
        try:
            return [tuple(r) for r in await conn.fetch(text, *params)]
        finally:
            await conn.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, fetch()).result()



def execute_sql(store_url: str, *statements: str) -> None:
    """Run statements beside the store on a connection of their own (either backend), committed."""
    if not store_url.startswith("postgresql://"):
        with closing(sqlite3.connect(store_url)) as conn, conn:
            for statement in statements:
                conn.execute(statement)
        return

    async def run() -> None:
        conn = await asyncpg.connect(store_url)
        try:
            for statement in statements:
                await conn.execute(statement)
        finally:
            await conn.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, run()).result()


__all__ = ["BACKENDS", "execute_sql", "open_test_store", "read_rows"]
