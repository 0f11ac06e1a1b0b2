"""Moving from SQLite to PostgreSQL: `studybot migrate-db --to postgresql://…`.

Opens the SQLite store (migrating it to the newest schema) and the PostgreSQL store (creating the
schema in an empty database), copies every row (`bot.store.transfer`), then verifies: the rows of
every table are as many on both sides, and every community's leaderboards (each board, all time,
this week and this month, everyone on them), score exports and cards read the same from both
stores. A mismatch is a `TransferMismatch` naming what differs; the copy is then in PostgreSQL
but must not be used.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.clock import Clock
from bot.community import Community
from bot.engine.scoring import Board, Period
from bot.store.postgres import PostgresStore
from bot.store.records import StoreError
from bot.store.store import Store
from bot.store.transfer import communities, copy_sqlite_to_postgres, table_counts

EVERYONE = 1_000_000_000  # a leaderboard page that holds every member


class TransferMismatch(StoreError):
    """The copy does not read back the same as the source."""


@dataclass(frozen=True, slots=True)
class TransferReport:
    rows: dict[str, int]  # rows copied per table
    communities: int
    leaderboards: int  # boards x periods x communities compared


async def migrate_database(source: Path, target_url: str, *, clock: Clock,
                           default_timezone: str = "UTC") -> TransferReport:
    """Copy the SQLite database at `source` into the empty PostgreSQL database at `target_url`
    and verify it; see the module docstring."""
    if not source.is_file():
        raise StoreError(f"There is no SQLite database at {source} to copy.")
    async with await Store.open(source, clock=clock, default_timezone=default_timezone) as old, \
            await PostgresStore.open(target_url, clock=clock, default_timezone=default_timezone) as new:
        rows = await copy_sqlite_to_postgres(old, new)
        before, after = await table_counts(old), await table_counts(new)
        if before != after:
            differ = {t: (before[t], after.get(t)) for t in before if before[t] != after.get(t)}
            raise TransferMismatch(f"Row counts differ after the copy (table: SQLite, PostgreSQL): {differ}.")
        names = [Community(c) for c in await communities(old)]
        compared = 0
        for community in names:
            for board in Board:
                for period in Period:
                    want = await old.leaderboard(community, board, period, limit=EVERYONE)
                    got = await new.leaderboard(community, board, period, limit=EVERYONE)
                    if want != got:
                        raise TransferMismatch(f"The {period.value} {board.value} leaderboard of {community} "
                                               "reads differently from PostgreSQL.")
                    compared += 1
            if await old.export_scores(community) != await new.export_scores(community):
                raise TransferMismatch(f"The score export of {community} reads differently from PostgreSQL.")
        if await old.all_cards() != await new.all_cards():
            raise TransferMismatch("The cards read differently from PostgreSQL.")
    return TransferReport(rows, len(names), compared)


__all__ = ["TransferMismatch", "TransferReport", "migrate_database"]
