"""A throwaway PostgreSQL cluster for tests and benchmarks: `initdb` + `pg_ctl` in a temporary
folder, listening on a free loopback port, removed again when stopped.

`find_binaries()` looks for `initdb`/`pg_ctl` on PATH and under `/usr/lib/postgresql/*/bin`
(Debian's layout); `missing_reason()` is the one sentence a test session skips with when they are
absent. initdb refuses to run as root, so as root the server runs as the `postgres` user (Debian's
package creates it) through `runuser`, in a folder that user owns. The cluster trusts local
connections (it only listens on 127.0.0.1 and lives as long as the test session).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

SUPERUSER = "studybot"


def find_binaries() -> Path | None:
    """The folder holding initdb and pg_ctl, or None."""
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(os.path.realpath(initdb)).parent
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


def missing_reason() -> str | None:
    """Why PostgreSQL tests cannot run here (one sentence), or None when they can."""
    if find_binaries() is None:
        return ("PostgreSQL server binaries (initdb, pg_ctl) are not installed: install Debian's "
                "'postgresql' package (or put its bin folder on PATH) to run the PostgreSQL tests")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root, and there is no 'postgres' user to run the PostgreSQL server as"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresCluster:
    """One server; `start()` then `url(name)`, `create_database()`, and `stop()` (removes it all)."""

    bin_dir: Path
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="studybot-pg-")))
    port: int = field(default_factory=_free_port)
    durable: bool = False  # fsync on (benchmarks); tests run with fsync off
    _as_user: str | None = None

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def _run(self, *argv: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin_dir / argv[0]), *argv[1:]]
        if self._as_user is not None:
            command = ["runuser", "-u", self._as_user, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=False,
                              stdin=subprocess.DEVNULL, timeout=120)

    def start(self) -> PostgresCluster:
        if os.geteuid() == 0:
            self._as_user = "postgres"
            user = pwd.getpwnam("postgres")
            os.chown(self.folder, user.pw_uid, user.pw_gid)
        done = self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "--auth=trust",
                         "--encoding=UTF8", "--locale=C", "--no-sync")
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed: {done.stderr.strip() or done.stdout.strip()}")
        self._pg_ctl_start()
        return self

    def _pg_ctl_start(self) -> None:
        options = (f"-c listen_addresses=127.0.0.1 -c port={self.port} -k {self.folder}"
                   " -c max_connections=200 -c shared_buffers=256MB")
        if not self.durable:
            options += " -c fsync=off -c full_page_writes=off"
        done = self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"),
                         "-o", options, "-w", "-t", "60", "start")
        if done.returncode != 0:
            log = self.folder / "server.log"
            tail = log.read_text(errors="replace")[-800:] if log.exists() else ""
            raise RuntimeError(f"pg_ctl start failed: {done.stderr.strip()} {tail}")

    def stop(self, *, remove: bool = True) -> None:
        """Stop the server (fast shutdown: connections are cut) and, by default, remove it."""
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        if remove:
            shutil.rmtree(self.folder, ignore_errors=True)

    def restart(self) -> None:
        """Start a stopped server again on the same port and data."""
        self._pg_ctl_start()

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, prefix: str = "t") -> str:
        """A new empty database; returns its URL."""
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        self.sql(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        self.sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def sql(self, statement: str, database: str = "postgres") -> str:
        """Run one statement through psql (synchronous: usable outside an event loop)."""
        psql = self.bin_dir / "psql"
        command = [str(psql) if psql.exists() else "psql", "-X", "-q", "-t", "-A", "-v",
                   "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER,
                   "-d", database, "-c", statement]
        done = subprocess.run(command, capture_output=True, text=True, check=False,
                              stdin=subprocess.DEVNULL, timeout=60)
        if done.returncode != 0:
            raise RuntimeError(f"psql failed: {done.stderr.strip()}")
        return done.stdout


@contextlib.contextmanager
def running_cluster(*, durable: bool = False) -> Iterator[PostgresCluster]:
    """A started cluster, stopped and removed on exit; RuntimeError when the binaries are missing."""
    reason = missing_reason()
    if reason is not None:
        raise RuntimeError(reason)
    bin_dir = find_binaries()
    assert bin_dir is not None
    cluster = PostgresCluster(bin_dir, durable=durable)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


__all__ = ["PostgresCluster", "find_binaries", "missing_reason", "running_cluster"]
