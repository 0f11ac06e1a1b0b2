"""`Presenter`: draws the pictures and builds the exports in a worker process, off the event loop.

matplotlib and genanki are pure CPU work that holds the GIL: run on the event loop they would
stall every interaction for the length of a render, and even on a thread they take the GIL
from the loop in long slices. A worker *process* (one: the bot's host has two cores and the
loop needs one) runs them instead; the loop only pickles small dataclasses over and gets bytes
back. `python -m bench charts` measures autocomplete latency alone, while charts render in the
worker, while an Anki export runs in the worker, and (for contrast) on a thread and on the loop.

The worker process is started with `spawn` (forking a process that runs threads, as the bot
does with aiosqlite, is unsafe), on first use or by `warm_up()`; it keeps one `Renderers` for
its lifetime, so figures are built once and reused. If the worker dies, the next call starts a
new one and tries once more. `Presenter.in_thread()` runs the same code on one thread instead,
for the offline console and the command line, where nothing else waits.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeVar

from bot.app.messages import Lang
from bot.app.progress import Progress
from bot.app.records import ScoreExportRow
from bot.engine.model import Entry
from bot.present.records import Picture, PodiumRow

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class Renderers:
    """The renderers of one process, made on first use and kept (their figures are reused).
    A lock keeps two threads of one process from drawing at once (matplotlib is not
    thread-safe); in the worker process calls come one at a time anyway."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    _chart: Any = None
    _podium: Any = None

    def chart(self) -> Any:
        if self._chart is None:
            from bot.present.charts import ProgressChart

            self._chart = ProgressChart()
        return self._chart

    def podium(self) -> Any:
        if self._podium is None:
            from bot.present.podium import PodiumCard

            self._podium = PodiumCard()
        return self._podium


@cache
def process_renderers() -> Renderers:
    """This process's renderers: one per process by design (a worker's state between calls)."""
    return Renderers()


# -- what runs in the worker (module-level functions, so they pickle by name) -------------------


def warm() -> int:
    """Import matplotlib, register the fonts and build both figures once; the worker's pid."""
    from bot.present.fonts import load_fonts

    load_fonts()
    renderers = process_renderers()
    with renderers.lock:
        renderers.chart()
        renderers.podium()
    return os.getpid()


def render_progress(progress: Progress, name: str, lang: Lang) -> Picture:
    renderers = process_renderers()
    with renderers.lock:
        return renderers.chart().render(progress, name, lang)  # type: ignore[no-any-return]


def render_podium(rows: Sequence[PodiumRow], board: str, period: str, lang: Lang) -> Picture:
    renderers = process_renderers()
    with renderers.lock:
        return renderers.podium().render(rows, board=board, period=period, lang=lang)  # type: ignore[no-any-return]


def build_anki(encoded: bytes, deck_name: str, timestamp: float) -> bytes:
    from bot.present import exports

    return exports.anki_package(exports.decode_entries(encoded), deck_name, timestamp=timestamp)


def build_glossary_csv(encoded: bytes) -> bytes:
    from bot.present import exports

    return exports.glossary_csv(exports.decode_entries(encoded))


def build_scores_csv(rows: Sequence[ScoreExportRow]) -> bytes:
    from bot.present import exports

    return exports.scores_csv(rows)


# -- the event loop's side --------------------------------------------------------------------


WORKER_NICENESS = 5  # when the host is short of CPU, the event loop goes first


def background_priority() -> None:
    """The worker's initializer: a lower CPU priority, so that on a busy host a render or an
    export waits rather than the event loop (`python -m bench charts`, exports back to back:
    autocomplete p99 10.5 ms at nice 5 and a load average of 5 on two cores; 17-38 ms at
    nice 0 and loads of 4.5-6). Best effort: where `nice` is unavailable or refused nothing
    changes."""
    try:
        os.nice(WORKER_NICENESS)
    except (AttributeError, OSError):
        pass


def worker_process_pool() -> Executor:
    """One spawned worker process, at background priority."""
    return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                               initializer=background_priority)


def one_thread() -> Executor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="studybot-present")


class Presenter:
    """Pictures and exports for any front end, computed in an executor (a worker process by
    default). Every method is a coroutine that leaves the event loop free meanwhile."""

    def __init__(self, executor_factory: Callable[[], Executor] = worker_process_pool) -> None:
        self._factory = executor_factory
        self._executor: Executor | None = None
        self._encoded_entries: tuple[tuple[Entry, ...], bytes | None] = ((), None)

    @classmethod
    def in_thread(cls) -> Presenter:
        """The same work on one thread of this process (console, command line)."""
        return cls(one_thread)

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        for attempt in (1, 2):
            if self._executor is None:
                self._executor = self._factory()
            try:
                return await loop.run_in_executor(self._executor, fn, *args)
            except BrokenProcessPool:
                log.warning("the picture worker process died; starting a new one (attempt %d)", attempt)
                broken, self._executor = self._executor, None
                broken.shutdown(wait=False, cancel_futures=True)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def warm_up(self) -> int:
        """Start the worker and build the figures now, so the first `/stats` is not the one that
        pays for importing matplotlib; returns the worker's pid."""
        return await self._run(warm)

    async def progress_chart(self, progress: Progress, name: str, lang: Lang) -> Picture:
        """The `/stats` chart of `progress` for the member `name` (`bot.present.charts`)."""
        return await self._run(render_progress, progress, name, lang)

    async def podium(self, rows: Sequence[PodiumRow], *, board: str, period: str, lang: Lang) -> Picture:
        """The top-10 card of a board (`bot.present.podium`)."""
        return await self._run(render_podium, list(rows), board, period, lang)

    async def anki_package(self, entries: Sequence[Entry], deck_name: str, *, timestamp: float) -> bytes:
        return await self._run(build_anki, await self._encoded(entries), deck_name, timestamp)

    async def glossary_csv(self, entries: Sequence[Entry]) -> bytes:
        return await self._run(build_glossary_csv, await self._encoded(entries))

    async def _encoded(self, entries: Sequence[Entry]) -> bytes:
        """The entries as compact JSON, made on a thread (see `exports.encode_entries`) once per
        version of the notes: the same `Entry` objects as last time reuse the bytes, which
        then cross to the worker without more work here. Encoding still competes with the
        loop for the GIL (the bench measured autocomplete p99 ~23 ms while encoding 10,000
        entries back to back), so it is done once per reload, not once per export."""
        from bot.present.exports import encode_entries

        cached, encoded = self._encoded_entries
        if encoded is None or len(cached) != len(entries) or any(a is not b for a, b in zip(cached, entries)):
            kept = tuple(entries)
            encoded = await asyncio.to_thread(encode_entries, kept)
            self._encoded_entries = (kept, encoded)
        return encoded

    async def scores_csv(self, rows: Sequence[ScoreExportRow]) -> bytes:
        return await self._run(build_scores_csv, list(rows))

    async def close(self) -> None:
        """Stop the worker (waits for a render in progress, off the loop)."""
        executor, self._executor = self._executor, None
        if executor is not None:
            await asyncio.to_thread(executor.shutdown, wait=True, cancel_futures=True)
