"""Copy a SQLite store into an empty PostgreSQL store, row for row (`studybot migrate-db`).

Both stores are opened (so migrated to the same, newest schema) before the copy. Every table is
copied as it is, aggregates included (scores, levels, board sizes, streaks, entry reach), with the
target's user triggers disabled for the copy so no aggregate is counted twice; ids are kept and
the identity sequences moved past them. One PostgreSQL transaction: a copy that fails leaves the
target empty. `table_counts` gives the rows per table of either store, for the verification
(`bot.app.transfer`).
"""

from __future__ import annotations

from typing import Any

from bot.store.postgres import PostgresStore
from bot.store.records import StoreError
from bot.store.store import Store

# Parents before children (foreign keys); every table of the schema but `processes`, the registry
# of running bots, which describes the source's processes (stopped for the copy), not data.
TABLES = ("meta", "communities", "members", "schedules", "posts", "answers", "scores",
          "board_sizes", "streaks", "score_levels", "cards", "entry_reach", "card_holders", "reminders")
_WITH_TRIGGERS = ("answers", "scores", "cards")
_IDENTITIES = (("schedules", "schedule_id"), ("posts", "post_id"), ("answers", "answer_id"))
CHUNK = 10_000


async def table_counts(store: Store | PostgresStore) -> dict[str, int]:
    """Rows per table of `TABLES`."""
    counts: dict[str, int] = {}
    if isinstance(store, PostgresStore):
        async with store._read() as conn:
            for table in TABLES:
                counts[table] = int(await conn.fetchval(f"SELECT count(*) FROM {table}"))
    else:
        async with store._read() as db:
            for table in TABLES:
                rows = list(await db.execute_fetchall(f"SELECT count(*) FROM {table}"))
                counts[table] = int(rows[0][0])
    return counts


async def communities(store: Store) -> list[str]:
    """Every community of the store, in key order."""
    async with store._read() as db:
        return [c for (c,) in await db.execute_fetchall("SELECT community FROM communities ORDER BY community")]


async def copy_sqlite_to_postgres(source: Store, target: PostgresStore) -> dict[str, int]:
    """Copy every row of `source` into `target`, which must hold no rows yet; rows per table."""
    if any((await table_counts(target)).values()):
        raise StoreError(f"The PostgreSQL database {target.url} already holds studybot data; "
                         "migrate-db copies into an empty database only.")
    copied: dict[str, int] = {}
    async with target._write() as conn:
        for table in _WITH_TRIGGERS:
            await conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        for table in TABLES:
            columns = [r["column_name"] for r in await conn.fetch(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
                table)]
            copied[table] = 0
            async with source._read() as db:
                cursor = await db.execute(f"SELECT {', '.join(columns)} FROM {table}")
                try:
                    while batch := await cursor.fetchmany(CHUNK):
                        records: list[tuple[Any, ...]] = [tuple(row) for row in batch]
                        await conn.copy_records_to_table(table, records=records, columns=columns)
                        copied[table] += len(records)
                finally:
                    await cursor.close()
        # PostgreSQL's own aggregate (no SQLite table holds it): from the copied scores.
        await conn.execute(
            "INSERT INTO score_ties (community, board, season, period, points, correct, answered, members)"
            " SELECT community, board, season, period, points, correct, answered, count(*) FROM scores"
            " GROUP BY community, board, season, period, points, correct, answered")
        for table in _WITH_TRIGGERS:
            await conn.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        for table, column in _IDENTITIES:
            await conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'),"
                f" coalesce((SELECT max({column}) FROM {table}), 0) + 1, false)")
    return copied


__all__ = ["TABLES", "communities", "copy_sqlite_to_postgres", "table_counts"]
