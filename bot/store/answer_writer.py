"""Answers written in batches: one transaction and one trip to a writer thread per batch, and a
lone answer written at once on the event loop's thread.

What one answer writes is the store's `record` function (the answer row and its card, a few
statements run on the writer's connection inside the batch's transaction); the writer only
queues, batches, commits and retries.

When hundreds of members click the same daily post, one transaction per answer makes every
click wait for its own trip to the database thread, and each trip waits for a busy event loop
to notice that it finished. The writer queues the answers that arrive while it is busy and
writes them together, in arrival order, in one `BEGIN IMMEDIATE ... COMMIT` on its own
connection and thread. Every answer is still committed before its caller hears the result, so
an acknowledged click is never lost; an answer whose `record` fails on its own (any of its
statements) is retried alone, so one bad answer cannot sink the others, and alone it is rolled
back whole: nothing of it stays.

A lone answer does not need the thread. The trip there and back (two thread wake-ups) costs
about as much as the transaction itself, so an answer that finds nobody else queued after the
first caller lets the event loop run once (answers that are ready to arrive join it then) is
written right away on the loop's own thread, on a second connection whose busy timeout is zero:
a transaction of a few hundred microseconds that never waits for a lock. If another process
holds the write lock, or the store's own connection is in use, the answer takes the thread path
and waits there instead, so the loop is never blocked by a lock. A burst still batches: the
callers that arrived during that one turn of the loop go to the thread together.

The writer shares the store's asyncio lock, so it never contends with the store's own
connection inside this process; another process holding the write lock is waited out with the
busy timeout and then retried (`BUSY_ATTEMPTS`).
"""

from __future__ import annotations

import asyncio
import logging
import queue
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

log = logging.getLogger(__name__)

Row = tuple[Any, ...]
Outcome = Row | None | Exception  # record's row, None (refused), or the answer's own error
Record = Callable[[sqlite3.Connection, dict[str, Any]], Row | None]
T = TypeVar("T")
_Job = tuple[Callable[[], Any], "asyncio.Future[Any]", asyncio.AbstractEventLoop]

MAX_BATCH = 256  # answers per transaction; bounds how long one batch holds the write lock
BUSY_ATTEMPTS = 3  # a batch waits out the busy timeout this many times before giving up
BUSY_PAUSE = 0.2  # seconds between attempts, times the attempt number


class DatabaseLocked(Exception):
    """Another process held the write lock through every attempt; nothing of the batch was written."""


class AnswerWriter:
    """Runs `record` once per queued answer, batched; see the module docstring.

    `record(conn, params)` runs inside the batch's transaction on the writer's connection and
    returns the answer's row, or None when the answer was refused. `committed` is called (on the
    writer thread) after each commit, for the store's checkpointer.
    """

    def __init__(self, path: Path, record: Record, *, lock: asyncio.Lock, busy_timeout: float,
                 prepare: Callable[[sqlite3.Connection], None],
                 committed: Callable[[], None] = lambda: None) -> None:
        self._path = path
        self._record = record
        self._committed = committed
        self._lock = lock
        self._busy_timeout = busy_timeout
        self._prepare = prepare
        # The writer's own thread and its job queue (None stops it); started by the first job.
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._conn: sqlite3.Connection | None = None
        # The loop thread's connection for a lone answer (busy timeout zero: it never waits).
        self._inline: sqlite3.Connection | None = None
        self._queue: list[tuple[dict[str, Any], asyncio.Future[Outcome]]] = []
        self._idle = asyncio.Event()  # cleared while somebody drains the queue
        self._idle.set()
        self._takeover: asyncio.Task[None] | None = None  # drains after a draining caller was cancelled

    async def open(self) -> None:
        await self._call(self._connect)
        # Not tied to the opening thread: the loop that writes may run on another one. Only one
        # answer at a time uses it (the loop is single-threaded and `_idle` guards it).
        inline = sqlite3.connect(self._path, isolation_level=None, timeout=0.0, check_same_thread=False)
        self._prepare(inline)
        self._inline = inline

    async def close(self) -> None:
        """Write what is queued, then close the connection and stop the thread."""
        while self._queue or not self._idle.is_set():
            if self._idle.is_set():
                self._idle.clear()
                await self._drain()
            else:
                await self._idle.wait()
        if self._inline is not None:
            self._inline.close()
            self._inline = None
        if self._thread is not None:
            await self._call(self._disconnect)
            self._jobs.put(None)
            self._thread.join()
            self._thread = None

    async def write(self, params: dict[str, Any]) -> Outcome:
        """Run `record` with `params` in the next batch; returns once that batch committed.

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
        await asyncio.sleep(0)  # one turn of the loop: answers ready to arrive join this batch
        while self._queue:
            batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
            outcomes = self._write_alone_inline(batch[0][0]) if len(batch) == 1 else None
            if outcomes is not None:
                _, future = batch[0]
                if not future.done():
                    future.set_result(outcomes[0])
                continue
            try:
                outcomes = await self._write_batch([params for params, _ in batch])
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

    async def _write_batch(self, batch: list[dict[str, Any]]) -> list[Outcome]:
        for attempt in range(1, BUSY_ATTEMPTS + 1):
            try:
                async with self._lock:
                    return await self._call(lambda: self._run(self._conn, batch))
            except sqlite3.OperationalError as exc:
                if not is_busy(exc):
                    raise
                if attempt == BUSY_ATTEMPTS:
                    raise DatabaseLocked(str(exc)) from exc
                log.warning("%d answers waited out the busy timeout (attempt %d of %d); retrying",
                            len(batch), attempt, BUSY_ATTEMPTS)
                await asyncio.sleep(BUSY_PAUSE * attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def _write_alone_inline(self, params: dict[str, Any]) -> list[Outcome] | None:
        """Write one answer now, on this thread; None when it must take the thread path instead
        (the store's connection is in use, or another connection holds the write lock)."""
        conn = self._inline
        if conn is None or self._lock.locked():
            return None
        try:
            outcomes = self._run(conn, [params])
        except sqlite3.OperationalError as exc:
            if not is_busy(exc):
                raise
            return None  # rolled back, nothing written: the thread path waits for the lock
        return outcomes

    def _call(self, job: Callable[[], T]) -> asyncio.Future[T]:
        """Run `job` on the writer thread; the future resolves on this loop when it is done.

        A plain queue and `call_soon_threadsafe` rather than an executor: one answer alone costs
        one hand-over each way and nothing else."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._serve, name="studybot-answers", daemon=True)
            self._thread.start()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._jobs.put((job, future, loop))
        return future

    # -- on the writer thread (a lone answer's transaction also on the loop's) ------------------

    def _serve(self) -> None:
        while (item := self._jobs.get()) is not None:
            job, future, loop = item
            try:
                outcome: tuple[Any, BaseException | None] = (job(), None)
            except BaseException as exc:  # noqa: BLE001 - handed to the awaiting coroutine
                outcome = (None, exc)
            try:
                loop.call_soon_threadsafe(_settle, future, *outcome)
            except RuntimeError:  # that loop is closed: nobody is waiting any more
                log.warning("an answer-writer job finished after its event loop closed")

    def _connect(self) -> None:
        conn = sqlite3.connect(self._path, isolation_level=None, timeout=self._busy_timeout)
        self._prepare(conn)
        self._conn = conn

    def _disconnect(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _run(self, conn: sqlite3.Connection | None, batch: Sequence[dict[str, Any]]) -> list[Outcome]:
        try:
            return self._transaction(conn, batch)
        except Exception as exc:  # noqa: BLE001 - the answer's own error, handed to its caller
            if _is_busy_error(exc):
                raise
            if len(batch) == 1:
                return [exc]
        # One answer failed for a reason of its own: write each alone to find it.
        return [self._alone(conn, params) for params in batch]

    def _alone(self, conn: sqlite3.Connection | None, params: dict[str, Any]) -> Outcome:
        try:
            return self._transaction(conn, [params])[0]
        except Exception as exc:  # noqa: BLE001 - as in _run
            if _is_busy_error(exc):
                raise
            return exc

    def _transaction(self, conn: sqlite3.Connection | None, batch: Sequence[dict[str, Any]]) -> list[Outcome]:
        assert conn is not None, "the answer writer is not open"
        conn.execute("BEGIN IMMEDIATE")
        try:
            outcomes: list[Outcome] = []
            for params in batch:
                outcomes.append(self._record(conn, params))
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        self._committed()
        return outcomes


def _settle(future: asyncio.Future[Any], result: Any, exc: BaseException | None) -> None:
    if future.done():  # its awaiting caller was cancelled; the job ran all the same
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(result)


def _is_busy_error(exc: Exception) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and is_busy(exc)


def is_busy(exc: sqlite3.OperationalError) -> bool:
    """SQLITE_BUSY / SQLITE_LOCKED: another connection holds the lock past the busy timeout."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(exc) or "busy" in str(exc)


__all__ = ["AnswerWriter", "DatabaseLocked", "is_busy"]
