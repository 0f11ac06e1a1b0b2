"""Answers written in batches: one transaction and one trip to a writer thread per batch.

When hundreds of members click the same daily post, one transaction per answer makes every
click wait for its own trip to the database thread, and each trip waits for a busy event loop
to notice that it finished. The writer queues the answers that arrive while it is busy and
writes them together, in arrival order, in one `BEGIN IMMEDIATE ... COMMIT` on its own
connection and thread. Every answer is still committed before its caller hears the result, so
an acknowledged click is never lost; an answer whose statement fails on its own is retried
alone, so one bad answer cannot sink the others.

The writer shares the store's asyncio lock, so it never contends with the store's own
connection inside this process; another process holding the write lock is waited out with the
busy timeout and then retried (`BUSY_ATTEMPTS`).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

Row = tuple[Any, ...]
Outcome = Row | None | sqlite3.Error  # the RETURNING row, no row (refused), or the answer's own error

MAX_BATCH = 256  # answers per transaction; bounds how long one batch holds the write lock
BUSY_ATTEMPTS = 3  # a batch waits out the busy timeout this many times before giving up
BUSY_PAUSE = 0.2  # seconds between attempts, times the attempt number


class DatabaseLocked(Exception):
    """Another process held the write lock through every attempt; nothing of the batch was written."""


class AnswerWriter:
    """Runs one INSERT statement per queued answer, batched; see the module docstring."""

    def __init__(self, path: Path, statement: str, *, lock: asyncio.Lock, busy_timeout: float,
                 prepare: Callable[[sqlite3.Connection], None]) -> None:
        self._path = path
        self._statement = statement
        self._lock = lock
        self._busy_timeout = busy_timeout
        self._prepare = prepare
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="studybot-answers")
        self._conn: sqlite3.Connection | None = None
        self._queue: list[tuple[dict[str, Any], asyncio.Future[Outcome]]] = []
        self._idle = asyncio.Event()  # cleared while somebody drains the queue
        self._idle.set()
        self._takeover: asyncio.Task[None] | None = None  # drains after a draining caller was cancelled

    async def open(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self._executor, self._connect)

    async def close(self) -> None:
        """Write what is queued, then close the connection and stop the thread."""
        while self._queue or not self._idle.is_set():
            if self._idle.is_set():
                self._idle.clear()
                await self._drain()
            else:
                await self._idle.wait()
        await asyncio.get_running_loop().run_in_executor(self._executor, self._disconnect)
        self._executor.shutdown(wait=True)

    async def write(self, params: dict[str, Any]) -> Outcome:
        """Run the statement with `params` in the next batch; returns once that batch committed.

        The first caller to find the writer idle drains the queue itself, its own answer
        included, while later callers only wait for their result: a lone answer costs no extra
        task. Raises DatabaseLocked when the batch could not get the write lock.
        """
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._queue.append((params, future))
        if self._idle.is_set():
            self._idle.clear()
            await self._drain()
        return await future

    async def _drain(self) -> None:
        """Write batches until the queue is empty; whoever calls this has cleared `_idle`."""
        try:
            await self._flush()
        finally:
            if self._queue:  # the draining caller was cancelled: a task finishes the queue
                self._takeover = asyncio.create_task(self._drain(), name="studybot-answers")
            else:
                self._idle.set()

    async def _flush(self) -> None:
        loop = asyncio.get_running_loop()
        while self._queue:
            batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
            try:
                outcomes = await self._write_batch(loop, [params for params, _ in batch])
            except asyncio.CancelledError:
                # Written or not, nobody will be told: the callers fail (nothing was acknowledged).
                for _, future in batch:
                    future.cancel()
                raise
            except Exception as exc:  # noqa: BLE001 - handed to every waiting caller
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), outcome in zip(batch, outcomes, strict=True):
                if not future.done():  # a caller that gave up still had its answer written
                    future.set_result(outcome)

    async def _write_batch(self, loop: asyncio.AbstractEventLoop, batch: list[dict[str, Any]]) -> list[Outcome]:
        for attempt in range(1, BUSY_ATTEMPTS + 1):
            try:
                async with self._lock:
                    return await loop.run_in_executor(self._executor, self._run, batch)
            except sqlite3.OperationalError as exc:
                if not is_busy(exc):
                    raise
                if attempt == BUSY_ATTEMPTS:
                    raise DatabaseLocked(str(exc)) from exc
                log.warning("%d answers waited out the busy timeout (attempt %d of %d); retrying",
                            len(batch), attempt, BUSY_ATTEMPTS)
                await asyncio.sleep(BUSY_PAUSE * attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    # -- in the writer thread ----------------------------------------------------------------

    def _connect(self) -> None:
        conn = sqlite3.connect(self._path, isolation_level=None, timeout=self._busy_timeout)
        self._prepare(conn)
        self._conn = conn

    def _disconnect(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _run(self, batch: Sequence[dict[str, Any]]) -> list[Outcome]:
        try:
            return self._transaction(batch)
        except sqlite3.OperationalError as exc:
            if is_busy(exc) or len(batch) == 1:
                raise
        except sqlite3.Error:
            if len(batch) == 1:
                raise
        # One statement failed for a reason of its own: write each answer alone to find it.
        return [self._alone(params) for params in batch]

    def _alone(self, params: dict[str, Any]) -> Outcome:
        try:
            return self._transaction([params])[0]
        except sqlite3.OperationalError as exc:
            if is_busy(exc):
                raise
            return exc
        except sqlite3.Error as exc:
            return exc

    def _transaction(self, batch: Sequence[dict[str, Any]]) -> list[Outcome]:
        conn = self._conn
        assert conn is not None, "the answer writer is not open"
        conn.execute("BEGIN IMMEDIATE")
        try:
            outcomes: list[Outcome] = []
            for params in batch:
                rows = conn.execute(self._statement, params).fetchall()
                outcomes.append(rows[0] if rows else None)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return outcomes


def is_busy(exc: sqlite3.OperationalError) -> bool:
    """SQLITE_BUSY / SQLITE_LOCKED: another connection holds the lock past the busy timeout."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(exc) or "busy" in str(exc)


__all__ = ["AnswerWriter", "DatabaseLocked", "is_busy"]
