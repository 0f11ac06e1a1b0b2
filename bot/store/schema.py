"""Numbered SQL migrations shipped as package data (`bot/store/migrations/NNNN_name.sql`).

`PRAGMA user_version` holds the number of the last migration applied. Each migration runs in its
own `BEGIN IMMEDIATE` transaction together with the version bump, so a failure leaves the file at
the previous version and two processes starting at once apply each migration exactly once.
Foreign-key enforcement is off while a migration runs, so a migration may rebuild a table that
others refer to (SQLite's way to change a column's type); every reference is checked
(`PRAGMA foreign_key_check`) before the migration commits.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from importlib import resources

import aiosqlite

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    number: int
    name: str
    statements: tuple[str, ...]


def split_statements(script: str) -> tuple[str, ...]:
    """Split a SQL script into statements; trigger bodies stay whole."""
    statements: list[str] = []
    pending = ""
    for line in script.splitlines(keepends=True):
        if not pending and (not line.strip() or line.lstrip().startswith("--")):
            continue
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    if pending.strip():
        raise ValueError(f"unterminated SQL statement: {pending.strip()[:60]!r}")
    return tuple(statements)


def load_migrations() -> tuple[Migration, ...]:
    """The migrations in the package, in order; numbering must run 1, 2, 3, ... without gaps."""
    folder = resources.files("bot.store").joinpath("migrations")
    found: list[Migration] = []
    for item in folder.iterdir():
        match = _NAME.match(item.name)
        if match:
            found.append(Migration(int(match.group(1)), item.name,
                                   split_statements(item.read_text(encoding="utf-8"))))
    found.sort(key=lambda m: m.number)
    numbers = [m.number for m in found]
    if numbers != list(range(1, len(found) + 1)):
        raise RuntimeError(f"store migrations are not numbered 1..n: {numbers}")
    return tuple(found)


async def schema_version(db: aiosqlite.Connection) -> int:
    rows = await db.execute_fetchall("PRAGMA user_version")
    return int(list(rows)[0][0])


async def apply_migrations(db: aiosqlite.Connection, migrations: tuple[Migration, ...]) -> int:
    """Apply every migration newer than the file's version; returns how many were applied."""
    applied = 0
    enforced = bool(list(await db.execute_fetchall("PRAGMA foreign_keys"))[0][0])
    for migration in migrations:
        if await schema_version(db) >= migration.number:
            continue
        await db.execute("PRAGMA foreign_keys = OFF")  # a no-op inside a transaction: set before
        await db.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have applied it while this one waited for the lock.
            if await schema_version(db) < migration.number:
                for statement in migration.statements:
                    await db.execute(statement)
                broken = list(await db.execute_fetchall("PRAGMA foreign_key_check"))
                if broken:
                    raise sqlite3.IntegrityError(f"migration {migration.name} leaves broken references: {broken[:3]}")
                await db.execute(f"PRAGMA user_version = {migration.number:d}")
                applied += 1
            await db.execute("COMMIT")
        except BaseException:
            await db.execute("ROLLBACK")
            raise
        finally:
            if enforced:
                await db.execute("PRAGMA foreign_keys = ON")
    return applied
