"""The processes registry: every `studybot run` says in the database which shards it serves, and
renews that every `HEARTBEAT`, so a second process started on an overlapping range by mistake is
refused with one clear sentence instead of quietly doubling the timed work.

Rules:

* A process registers its `ShardRange` before it connects to any platform. A registered process
  whose heartbeat is older than `DEAD_AFTER` is dead and its row is removed. So is, at once, the
  row of a predecessor on this machine (same host name and process namespace) whose pid no longer
  runs, or runs as a new process (a different start time: a restarted container's pid 1).
* A live process whose range overlaps the new one (`ShardRange.overlaps`) refuses the start:
  `ShardOverlap`, which the command line prints as one line with exit status 2. Started with
  `allow_overlap` (`--allow-overlap`, for a rescale where old and new ranges run side by side for
  a moment), the process starts anyway and logs which live process it overlaps.
* Send claims on daily posts (`bot.app.daily`) name the registered process that made them; a
  registration releases the claims of processes that are no longer registered, so a restarted
  process resends what its dead predecessor had claimed at once (with the same nonce, which
  Discord uses to return the message made before instead of a second one) rather than after the
  two-minute lease.
* When every process in the way serves exactly the same range and has already missed a
  heartbeat, it is most likely this process's own predecessor on another machine or in another
  container, killed a moment ago: the start waits until that row is dead (at most `DEAD_AFTER`)
  instead of failing, so a supervisor's restart goes through.

The registry never decides who posts: every daily post is claimed in the database before it is
sent (`bot.app.daily`), so even overlapping processes cannot post one slot twice.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from bot.clock import Clock
from bot.config import ConfigError
from bot.shards import ShardRange
from bot.store.backend import StoreBackend
from bot.store.records import ProcessEntry

log = logging.getLogger(__name__)

HEARTBEAT = timedelta(seconds=15)
DEAD_AFTER = timedelta(seconds=45)
MISSED_BEAT = HEARTBEAT + timedelta(seconds=5)  # a row this old has missed at least one heartbeat


class ShardOverlap(ConfigError):
    """Another live process serves some of the same shards; the message is one sentence."""


@dataclass(frozen=True, slots=True)
class ProcessIdentity:
    """Where a process runs: `host` is the host name and the pid namespace, so that two
    containers with the same host name are never taken for one machine; `start_mark` tells a
    process from a later one that got the same pid."""

    host: str
    pid: int
    start_mark: str

    @classmethod
    def current(cls) -> ProcessIdentity:
        return cls(_machine(), os.getpid(), _start_mark(os.getpid()))


def _machine() -> str:
    name = socket.gethostname()
    try:
        return f"{name}/pidns:{os.stat('/proc/self/ns/pid').st_ino}"
    except OSError:
        return name


def _start_mark(pid: int) -> str:
    """The kernel's start time of `pid` (clock ticks since boot) and the boot's id; "" elsewhere."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except (OSError, IndexError):
        return ""
    return f"{boot}:{stat[19]}"


def pid_running(pid: int) -> bool:
    """Whether a process with this pid exists on this machine (signal 0 checks, sends nothing)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    return True


def shards_of(entry: ProcessEntry) -> ShardRange:
    return ShardRange(entry.shard_first, entry.shard_last, entry.shard_count)


def describe(entry: ProcessEntry, now: datetime) -> str:
    age = max(0.0, (now - entry.heartbeat_at).total_seconds())
    host = entry.host.split("/pidns:", 1)[0]
    return f"shards {shards_of(entry)} (pid {entry.pid} on {host}, heartbeat {age:.0f} s ago)"


class ProcessRegistry:
    """Registers this process's shard range and keeps its heartbeat (see the module docstring)."""

    def __init__(
        self,
        store: StoreBackend,
        clock: Clock,
        *,
        identity: ProcessIdentity | None = None,
        heartbeat: timedelta = HEARTBEAT,
        dead_after: timedelta = DEAD_AFTER,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        running: Callable[[int], bool] = pid_running,
    ) -> None:
        self._store = store
        self._clock = clock
        self._identity = identity or ProcessIdentity.current()
        self._heartbeat = heartbeat
        self._dead_after = dead_after
        self._sleep = sleep
        self._running = running
        self.entry: ProcessEntry | None = None

    def _stale(self, row: ProcessEntry) -> bool:
        """A predecessor on this machine that is gone (never this very process)."""
        me = self._identity
        if row.host != me.host or not me.start_mark:
            return False
        if row.pid == me.pid:
            return row.start_mark != me.start_mark
        return not self._running(row.pid)

    async def register(self, shards: ShardRange, *, allow_overlap: bool = False) -> ProcessEntry:
        """Register `shards` for this process; raises ShardOverlap (see the module docstring)."""
        now = self._clock.now()
        me = self._identity
        entry = ProcessEntry(f"{me.pid}-{secrets.token_hex(6)}", me.host, me.pid, me.start_mark,
                             shards.first, shards.last, shards.count, allow_overlap, now, now)
        waited_until: datetime | None = None
        while True:
            now = self._clock.now()
            entry = _with_heartbeat(entry, now)
            blockers = await self._store.register_process(
                entry, dead_before=now - self._dead_after, stale=self._stale,
                conflicts=lambda row: not allow_overlap and shards_of(row).overlaps(shards))
            if not blockers:
                self._store.claim_as(entry.process_id)
                break
            predecessor = all(shards_of(b) == shards and now - b.heartbeat_at >= MISSED_BEAT for b in blockers)
            if not predecessor:
                raise ShardOverlap(
                    f"shards {shards} overlap a running studybot process serving "
                    f"{'; '.join(describe(b, now) for b in blockers)}: stop it first, choose another "
                    f"range, or pass --allow-overlap while you rescale")
            until = max(b.heartbeat_at for b in blockers) + self._dead_after
            if waited_until is None:
                log.warning("shards %s: the process that served them before (%s) stopped sending heartbeats; "
                            "waiting until %s for it to count as dead", shards,
                            "; ".join(describe(b, now) for b in blockers), until.isoformat(timespec="seconds"))
            waited_until = until
            await self._sleep(max(0.5, min((until - now).total_seconds() + 0.5, self._heartbeat.total_seconds())))
        self.entry = entry
        if allow_overlap:
            others = [p for p in await self._store.live_processes(now - self._dead_after)
                      if p.process_id != entry.process_id and shards_of(p).overlaps(shards)]
            for other in others:
                log.warning("shards %s overlap %s (--allow-overlap): posts are still claimed once in the "
                            "database, but stop one of the two when the rescale is done", shards,
                            describe(other, now))
        log.info("registered as shards %s (process %s)", shards, entry.process_id)
        return entry

    async def beat(self) -> None:
        """Renew the heartbeat once."""
        if self.entry is None:
            return
        now = self._clock.now()
        self.entry = _with_heartbeat(self.entry, now)
        if not await self._store.heartbeat_process(self.entry, now):
            log.warning("shards %s: the registry had taken this process for dead (no heartbeat for %s s); "
                        "registered again", shards_of(self.entry), int(self._dead_after.total_seconds()))

    async def unregister(self) -> None:
        if self.entry is not None:
            await self._store.unregister_process(self.entry.process_id)
            self._store.claim_as(None)
            self.entry = None

    async def live(self) -> list[ProcessEntry]:
        """The processes alive now, this one included."""
        return await self._store.live_processes(self._clock.now() - self._dead_after)

    async def _beat_forever(self) -> None:
        while True:
            await self._sleep(self._heartbeat.total_seconds())
            try:
                await self.beat()
            except Exception:  # a database hiccup: the next beat tries again
                log.exception("the process heartbeat failed")

    @asynccontextmanager
    async def hold(self, shards: ShardRange, *, allow_overlap: bool = False) -> AsyncIterator[ProcessEntry]:
        """Register, keep the heartbeat while the block runs, unregister on the way out."""
        entry = await self.register(shards, allow_overlap=allow_overlap)
        task = asyncio.create_task(self._beat_forever(), name="studybot-process-heartbeat")
        try:
            yield entry
        finally:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
            try:
                await self.unregister()
            except Exception:  # the row ages out after DEAD_AFTER anyway
                log.exception("could not remove this process from the registry")


def _with_heartbeat(entry: ProcessEntry, now: datetime) -> ProcessEntry:
    return replace(entry, heartbeat_at=now)


__all__ = ["DEAD_AFTER", "HEARTBEAT", "ProcessIdentity", "ProcessRegistry", "ShardOverlap", "pid_running"]
