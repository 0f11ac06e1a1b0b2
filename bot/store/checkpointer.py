"""A background WAL checkpointer, so a commit never pays for copying the log into the file.

In WAL mode SQLite appends each commit to the `-wal` file, and by default the connection whose
commit pushes the log past 1,000 pages copies the log back into the database file and syncs it
(a checkpoint) before that commit returns: every few hundred answers, one member's click waits
for it. The store turns that automatic checkpoint off on its own connections
(`PRAGMA wal_autocheckpoint = 0`) and runs this instead: a thread with its own connection that
runs `PRAGMA wal_checkpoint(PASSIVE)` when something was committed since its last pass, at most
every `interval` seconds. A passive checkpoint takes no lock that writers wait for: it copies
what no reader still needs and leaves the rest for the next pass, and once the whole log is in
the file the next commit starts the log again from its beginning.

Under a steady stream of commits that moment may never come: each pass copies the log as it was
when the pass began, and commits made meanwhile are again not copied when the next writer
starts, so the log is never restarted and the `-wal` file grows without end (50 MB after 4,000
small commits). So when a pass finds the log longer than `restart_pages`, it runs a RESTART
checkpoint instead: it waits for the writer of the moment, keeps new writers waiting while it
copies the rest (tens of milliseconds, once per that many pages) and makes the next commit start
the log from its beginning. `WAL_SIZE_LIMIT` (`PRAGMA journal_size_limit` on every connection)
then cuts the file back to that size, so a burst does not leave a large file behind.

Other processes on the same file run their own checkpointer; two passes at once are harmless
(SQLite lets one checkpoint run at a time, the other reports busy and tries again next pass).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

DEFAULT_INTERVAL = 0.2  # seconds between passes while commits keep coming
RESTART_PAGES = 4096  # a log this long (16 MiB of 4 KiB pages) is restarted, not just copied
WAL_SIZE_LIMIT = RESTART_PAGES * 4096  # bytes the -wal file is cut back to when it restarts


class Checkpointer:
    """Runs passive WAL checkpoints of one database file on its own thread; see the module docstring.

    `committed()` is cheap and thread-safe: writers call it after each commit. `wait_for_pass()`
    blocks until a pass that started after the call has finished (tests, and `close`).
    """

    def __init__(self, path: Path, *, interval: float = DEFAULT_INTERVAL, busy_timeout: float = 10.0,
                 prepare: Callable[[sqlite3.Connection], None] = lambda conn: None,
                 restart_pages: int = RESTART_PAGES) -> None:
        self._path = path
        self._interval = interval
        self._restart_pages = restart_pages
        self.restarts = 0  # RESTART checkpoints run so far
        self._busy_timeout = busy_timeout
        self._prepare = prepare
        self._wake = threading.Event()  # set by committed() and close()
        self._done = threading.Condition()  # guards the three fields below
        self._commits = 0  # commits reported so far
        self._covered = 0  # commits whose pages are all in the database file
        self._stopping = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        conn = sqlite3.connect(self._path, isolation_level=None, timeout=self._busy_timeout,
                               check_same_thread=False)
        self._prepare(conn)
        self._thread = threading.Thread(target=self._run, args=(conn,), name="studybot-checkpoint", daemon=True)
        self._thread.start()

    def committed(self) -> None:
        """Something was committed to the file: the next pass has work."""
        with self._done:
            self._commits += 1
        self._wake.set()

    def wait_until_checkpointed(self, timeout: float | None = None) -> bool:
        """Block until everything committed before this call is in the database file itself
        (a pass copied the whole log); False on timeout or when the checkpointer is stopped."""
        with self._done:
            target = self._commits
            return self._done.wait_for(lambda: self._covered >= target or self._thread is None,
                                       timeout) and self._covered >= target

    def close(self) -> None:
        """Run a last pass and stop the thread."""
        thread = self._thread
        if thread is None:
            return
        with self._done:
            self._stopping = True
            self._done.notify_all()
        self._wake.set()
        thread.join()
        with self._done:
            self._thread = None
            self._done.notify_all()

    # -- in the checkpoint thread ----------------------------------------------------------------

    def _run(self, conn: sqlite3.Connection) -> None:
        try:
            while True:
                self._wake.wait()
                with self._done:  # a wake-up after this clear asks for the pass after this one
                    self._wake.clear()
                    stopping = self._stopping
                    covering = self._commits
                whole = self._checkpoint(conn)
                with self._done:
                    if whole:
                        self._covered = max(self._covered, covering)
                        self._done.notify_all()
                    else:  # a reader still needs part of the log: try again next pass
                        self._wake.set()
                if stopping:
                    return
                # Let commits gather: one pass copies the pages of many.
                with self._done:
                    self._done.wait_for(lambda: self._stopping, self._interval)
        finally:
            conn.close()

    def _checkpoint(self, conn: sqlite3.Connection) -> bool:
        """One passive checkpoint (a RESTART one when the log has grown past `restart_pages`);
        True when the whole log is now in the database file."""
        try:
            busy, log_pages, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            if log_pages >= self._restart_pages:
                busy, log_pages, copied = conn.execute("PRAGMA wal_checkpoint(RESTART)").fetchone()
                self.restarts += 1
        except sqlite3.Error as exc:
            log.warning("WAL checkpoint failed: %s", exc)
            return False
        return not busy and copied == log_pages


__all__ = ["DEFAULT_INTERVAL", "RESTART_PAGES", "WAL_SIZE_LIMIT", "Checkpointer"]
