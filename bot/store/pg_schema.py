"""The PostgreSQL dialect of the numbered migrations (`bot/store/migrations/postgres/NNNN_name.sql`).

Each SQLite migration has a PostgreSQL file with the same number (a comment-only file where there
is nothing to do), so a PostgreSQL database's version means what a SQLite file's `user_version`
means. The version lives in the one-row table `studybot_schema`. Each migration runs in its own
transaction with the version bump, under a transaction-level advisory lock, so two processes
starting at once apply each migration exactly once and a failure leaves the previous version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

import asyncpg

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
MIGRATION_LOCK = 0x5354_5544_5942_4F54  # 'STUDYBOT' as the advisory lock key


@dataclass(frozen=True, slots=True)
class PgMigration:
    number: int
    name: str
    script: str


def load_pg_migrations() -> tuple[PgMigration, ...]:
    """The PostgreSQL migrations in the package, numbered 1..n without gaps."""
    folder = resources.files("bot.store").joinpath("migrations").joinpath("postgres")
    found = [PgMigration(int(m.group(1)), item.name, item.read_text(encoding="utf-8"))
             for item in folder.iterdir() if (m := _NAME.match(item.name))]
    found.sort(key=lambda m: m.number)
    numbers = [m.number for m in found]
    if numbers != list(range(1, len(found) + 1)):
        raise RuntimeError(f"PostgreSQL migrations are not numbered 1..n: {numbers}")
    return tuple(found)


async def pg_schema_version(conn: asyncpg.Connection) -> int:
    """The version of the database; 0 for an empty one."""
    exists = await conn.fetchval("SELECT to_regclass('studybot_schema') IS NOT NULL")
    if not exists:
        return 0
    return int(await conn.fetchval("SELECT coalesce(max(version), 0) FROM studybot_schema"))


async def apply_pg_migrations(conn: asyncpg.Connection, migrations: tuple[PgMigration, ...]) -> int:
    """Apply every migration newer than the database's version; returns how many were applied."""
    applied = 0
    for migration in migrations:
        if await pg_schema_version(conn) >= migration.number:
            continue
        async with conn.transaction():
            await conn.execute(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK:d})")
            await conn.execute("CREATE TABLE IF NOT EXISTS studybot_schema (version INTEGER NOT NULL)")
            # Another process may have applied it while this one waited for the lock.
            if await pg_schema_version(conn) < migration.number:
                await conn.execute(migration.script)
                await conn.execute("DELETE FROM studybot_schema")
                await conn.execute("INSERT INTO studybot_schema (version) VALUES ($1)", migration.number)
                applied += 1
    return applied


__all__ = ["PgMigration", "apply_pg_migrations", "load_pg_migrations", "pg_schema_version"]
