"""Answers on their way to the store, and a journal that keeps them when a front end must
acknowledge a click before its answer is committed.

A click is acknowledged to the platform when its answer is committed, or, if that takes too long
(another process holds the database's write lock, the host is busy), at the platform's deadline
anyway: Slack takes no deferral, and a click not acknowledged within 3 s is an error to the
member. Such an acknowledgement promises an answer that is not stored yet, so before giving it
the front end calls `AnswerLedger.make_durable`: every answer still on its way is appended to a
journal file and flushed to disk (fsync). When such an answer is committed, a "done" line
follows (not flushed: losing it only means a replay that changes nothing).

On start, before any front end connects, `replay` records every journaled answer without its
"done" line, with the time it was given, and empties the journal. Recording is idempotent: the
first answer per member and post is final, so an answer that was committed after all comes back
as a duplicate and changes nothing.

The journal is a local file (JSON lines) per process (`Settings.answer_journal`): the restart
of a killed process, on the same machine, replays it.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import os
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.store.backend import StoreBackend
from bot.store.records import AnswerResult, AnswerStatus

log = logging.getLogger(__name__)

JOURNAL_BUDGET = 0.5  # seconds the journal write before an early ack may take: the ack has a deadline


@dataclass(frozen=True, slots=True)
class PendingAnswer:
    """One answer given and not yet known to be committed."""

    key: str
    post_id: int
    user_id: str
    choice: int
    display_name: str
    answered_at: str  # ISO time the member gave it: a replay keeps it
    rating: int | None = None


@dataclass(frozen=True, slots=True)
class ReplayReport:
    """What `AnswerLedger.replay` found: answers recorded now, already stored, refused (the post
    was closed or is gone: logged), and journal lines that could not be read."""

    recorded: int = 0
    already_stored: int = 0
    refused: int = 0
    unreadable: int = 0

    @property
    def journaled(self) -> int:
        return self.recorded + self.already_stored + self.refused


class AnswerLedger:
    """Records answers through the store and journals those still in flight on request."""

    def __init__(self, store: StoreBackend, journal: Path | None = None) -> None:
        self._store = store
        self._journal = journal
        self._in_flight: dict[str, PendingAnswer] = {}
        self._journaled: set[str] = set()
        self._keys = itertools.count(1)
        self._prefix = f"{os.getpid()}-{int(datetime.now().timestamp() * 1000):x}"
        self._write_lock = asyncio.Lock()

    @property
    def journal(self) -> Path | None:
        return self._journal

    @property
    def in_flight(self) -> int:
        """Answers given to the store and not returned yet."""
        return len(self._in_flight)

    async def record(self, post_id: int, user_id: str, choice: int, display_name: str, *,
                     now: datetime, rating: int | None = None) -> AnswerResult:
        """`StoreBackend.record_answer`, with the answer known as in flight until it returns."""
        key = f"{self._prefix}-{next(self._keys)}"
        self._in_flight[key] = PendingAnswer(key, post_id, user_id, choice, display_name, now.isoformat(), rating)
        try:
            return await self._store.record_answer(post_id, user_id, choice, display_name, now=now, rating=rating)
        finally:
            del self._in_flight[key]
            if key in self._journaled:
                self._journaled.discard(key)
                await self._append([{"done": key}], flush=False)

    async def make_durable(self) -> int:
        """Journal every answer in flight that is not journaled yet, flushed to disk; returns
        how many. Without a journal (tools, tests of the console) nothing is written: 0."""
        if self._journal is None:
            return 0
        fresh = [p for k, p in list(self._in_flight.items()) if k not in self._journaled]
        if not fresh:
            return 0
        self._journaled.update(p.key for p in fresh)
        await self._append([asdict(p) for p in fresh], flush=True)
        return len(fresh)

    async def keep_in_flight(self, budget: float = JOURNAL_BUDGET) -> int:
        """`make_durable` for a front end about to acknowledge a click early: at most `budget`
        seconds, and a failure (a full disk) is logged, never raised: the ack goes out anyway."""
        try:
            return await asyncio.wait_for(self.make_durable(), budget)
        except Exception:  # noqa: BLE001 - logged; the caller acknowledges regardless
            log.exception("could not journal the answers in flight before an early acknowledgement")
            return 0

    async def _append(self, lines: list[dict[str, Any]], *, flush: bool) -> None:
        if self._journal is None:
            return
        text = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
        async with self._write_lock:
            await asyncio.to_thread(_append_text, self._journal, text, flush)

    async def replay(self) -> ReplayReport:
        """Record the journaled answers that have no "done" line, then empty the journal."""
        if self._journal is None or not self._journal.exists():
            return ReplayReport()
        pending, unreadable = _read_journal(self._journal)
        recorded = already = refused = 0
        for answer in pending:
            result = await self._store.record_answer(
                answer.post_id, answer.user_id, answer.choice, answer.display_name,
                now=datetime.fromisoformat(answer.answered_at), rating=answer.rating)
            if result.accepted:
                recorded += 1
            elif result.status is AnswerStatus.DUPLICATE:
                already += 1
            else:
                refused += 1
                log.warning("a journaled answer of %s to post %d was refused on replay (%s)",
                            answer.user_id, answer.post_id, result.status.value)
        await asyncio.to_thread(_empty, self._journal)
        report = ReplayReport(recorded, already, refused, unreadable)
        if report.journaled or unreadable:
            log.info("answer journal %s: %d answers recorded now, %d were stored already, %d refused, "
                     "%d unreadable lines", self._journal, recorded, already, refused, unreadable)
        return report


def _append_text(path: Path, text: str, flush: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as journal:
        journal.write(text)
        if flush:
            journal.flush()
            os.fsync(journal.fileno())


def _empty(path: Path) -> None:
    with open(path, "w", encoding="utf-8") as journal:
        journal.flush()
        os.fsync(journal.fileno())


def _read_journal(path: Path) -> tuple[list[PendingAnswer], int]:
    """The journaled answers without a "done" line, in journal order, and the count of lines
    that could not be read (a line cut off by the crash, say)."""
    answers: dict[str, PendingAnswer] = {}
    done: set[str] = set()
    unreadable = 0
    with open(path, encoding="utf-8", errors="replace") as journal:
        for line in journal:
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                if "done" in data:
                    done.add(str(data["done"]))
                    continue
                answer = PendingAnswer(
                    key=str(data["key"]), post_id=int(data["post_id"]), user_id=str(data["user_id"]),
                    choice=int(data["choice"]), display_name=str(data["display_name"]),
                    answered_at=datetime.fromisoformat(str(data["answered_at"])).isoformat(),
                    rating=None if data.get("rating") is None else int(data["rating"]))
            except (ValueError, KeyError, TypeError):
                unreadable += 1
                continue
            answers[answer.key] = answer
    return [a for k, a in answers.items() if k not in done], unreadable


__all__ = ["JOURNAL_BUDGET", "AnswerLedger", "PendingAnswer", "ReplayReport"]
