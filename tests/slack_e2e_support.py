"""Helpers for end-to-end tests of the real `studybot run` process against the loopback Slack.

`slack_studybot` (fixture) starts `studybot run` with SLACK_BOT_TOKEN / SLACK_APP_TOKEN /
SLACK_API_URL pointing at `fake_slack`, the default deck and a temporary database, and waits for
its Socket Mode connection and its start-up recovery; the process is killed at teardown if a
test left it running. `daily_post` makes a daily question post the way an admin would.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sqlite3
import subprocess
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import pytest_asyncio

from tests.e2e_support import studybot_argv, studybot_env
from tests.slack_loopback import Ack, FakeSlack, Message, Posted

RECOVERED = r"daily quiz: recovery done"  # logged by `studybot run` once start-up recovery ran
DAILY_ACTION = re.compile(r"^daily_answer:(\d+)$")
COMMUNITY = "slack:T0LOOP"


def slack_env(fake: FakeSlack, tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of `studybot run` on the fake: Slack only (no Discord token), UTC."""
    return {
        **studybot_env(tmp_path, STUDYBOT_TIMEZONE="UTC"),
        **fake.bot_env(),
        "DISCORD_TOKEN": "",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


@dataclass
class StudybotProcess:
    """`studybot run` as an OS process; output goes to `log_path`."""

    argv: Sequence[str]
    env: dict[str, str]
    log_path: Path
    cwd: Path
    process: asyncio.subprocess.Process | None = None
    _log: IO[bytes] | None = field(default=None, repr=False)

    async def start(self, fake: FakeSlack | None, *, ready_line: str | None = RECOVERED,
                    timeout: float = 30.0) -> StudybotProcess:
        """Start it; wait for a new Socket Mode connection on `fake` (when given) and a line
        matching `ready_line`. Fails with the output's tail when it exits or times out first."""
        before = len(fake.connections) if fake is not None else 0
        self._log = open(self.log_path, "ab")
        self.process = await asyncio.create_subprocess_exec(
            *self.argv, stdin=asyncio.subprocess.DEVNULL, stdout=self._log, stderr=asyncio.subprocess.STDOUT,
            env={**os.environ, **self.env}, cwd=str(self.cwd))
        pattern = re.compile(ready_line) if ready_line else None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            connected = fake is None or any(not c.closed for c in fake.connections[before:])
            if connected and (pattern is None or pattern.search(self.output())):
                return self
            if self.process.returncode is not None:
                raise RuntimeError(f"studybot exited with {self.process.returncode} before it was ready:\n"
                                   f"{self.output()[-3000:]}")
            if loop.time() > deadline:
                await self.kill()
                raise TimeoutError(f"studybot was not ready within {timeout}s:\n{self.output()[-3000:]}")
            await asyncio.sleep(0.05)

    def output(self) -> str:
        if self._log is not None:
            self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    async def stop(self, *, timeout: float = 10.0) -> int:
        """SIGTERM; the exit status (TimeoutError, after a SIGKILL, if it took over `timeout`)."""
        return await self._end(signal.SIGTERM, timeout)

    async def kill(self) -> int:
        """SIGKILL: a crash as far as the bot can tell."""
        return await self._end(signal.SIGKILL, 10.0)

    async def _end(self, sig: signal.Signals, timeout: float) -> int:
        assert self.process is not None, "not started"
        if self.process.returncode is None:
            self.process.send_signal(sig)
            try:
                await asyncio.wait_for(self.process.wait(), timeout)
            except asyncio.TimeoutError:
                self.process.kill()
                await self.process.wait()
                raise TimeoutError(f"studybot did not exit within {timeout}s of {sig.name}:\n"
                                   f"{self.output()[-2000:]}") from None
        if self._log is not None:
            self._log.close()
            self._log = None
        assert self.process.returncode is not None
        return self.process.returncode



@pytest_asyncio.fixture
async def slack_studybot(fake_slack: FakeSlack, tmp_path: Path) -> AsyncIterator[Callable[..., Any]]:
    """`proc = await slack_studybot(**extra_env)` (`fake=None` for no Slack wait, `ready_line=`);
    each start appends to tmp_path/studybot-<n>.log; left-over processes are killed."""
    made: list[StudybotProcess] = []

    async def start(*, fake: FakeSlack | None = fake_slack, ready_line: str | None = RECOVERED,
                    env: dict[str, str] | None = None, **extra: str) -> StudybotProcess:
        base = slack_env(fake_slack, tmp_path, **extra) if env is None else env
        proc = StudybotProcess(studybot_argv("run"), base, tmp_path / f"studybot-{len(made)}.log", tmp_path)
        made.append(proc)
        return await proc.start(fake, ready_line=ready_line)

    yield start
    for proc in made:
        if proc.process is not None and proc.process.returncode is None:
            await proc.kill()


def channel_ref(fake: FakeSlack, channel: str) -> str:
    """A channel as a slash command's text carries it (`should_escape: true`)."""
    return f"<#{channel}|{fake.channels[channel].name}>"


def daily_actions(message: Posted) -> list[str]:
    return [a for a in message.action_ids() if DAILY_ACTION.match(a)]


def is_daily_post(message: Message) -> bool:
    return bool(daily_actions(message))


def post_id_of(message: Posted) -> int:
    """The post id a daily post's buttons carry (value "<post_id>:<choice>")."""
    found = message.element(daily_actions(message)[0])
    assert found is not None
    return int(str(found[1]["value"]).split(":")[0])


async def set_daily(fake: FakeSlack, *, channel: str = "C1", admin: str = "U1") -> Ack:
    """`/daily set #channel HH:MM UTC` for 12 hours from now (no scheduled post interferes)."""
    later = datetime.now(UTC) + timedelta(hours=12)
    return await fake.slash("/daily", f"set {channel_ref(fake, channel)} {later:%H:%M} UTC", user=admin,
                            channel=channel)


async def daily_post(fake: FakeSlack, *, channel: str = "C1", admin: str = "U1", timeout: float = 15.0) -> Message:
    """`set_daily` (its reply awaited, as a person would), then `/daily now`: the new daily
    post in `channel`."""
    await fake.wait_reply(await set_daily(fake, channel=channel, admin=admin), timeout=timeout)
    known = {m.ts for m in fake.messages.values() if is_daily_post(m)}
    await fake.slash("/daily", "now", user=admin, channel=channel)
    return await fake.wait_for_message(lambda m: is_daily_post(m) and m.ts not in known, channel=channel,
                                       timeout=timeout)


def members(fake: FakeSlack, count: int, *, prefix: str = "UM", locale: str = "en-US") -> list[str]:
    """`count` new members of the workspace."""
    ids = [f"{prefix}{i:04d}" for i in range(count)]
    for uid in ids:
        fake.add_user(uid, locale=locale)
    return ids


def stored_answers(db: Path, post_id: int | None = None) -> list[tuple[str, str]]:
    """(community, user_id) of every stored answer (to the post), read from the file."""
    where, params = ("WHERE post_id = ?", (post_id,)) if post_id is not None else ("", ())
    with sqlite3.connect(db) as conn:
        return [(str(c), str(u)) for c, u in conn.execute(f"SELECT community, user_id FROM answers {where}", params)]


def leaderboard(tmp_path: Path, community: str = COMMUNITY, *, period: str = "all") -> list[dict[str, Any]]:
    """`studybot leaderboard --guild <community> --period all --json`, parsed."""
    env = {**os.environ, **studybot_env(tmp_path, STUDYBOT_TIMEZONE="UTC")}
    out = subprocess.run(studybot_argv("leaderboard", "--guild", community, "--period", period, "--json"),
                         env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120, check=True)
    return list(json.loads(out.stdout))


async def reply(fake: FakeSlack, ack: Ack, *, timeout: float = 15.0) -> str:
    """The readable text of the first reply to `ack`."""
    return (await fake.wait_reply(ack, timeout=timeout)).readable()


__all__ = [
    "COMMUNITY",
    "DAILY_ACTION",
    "RECOVERED",
    "StudybotProcess",
    "channel_ref",
    "daily_actions",
    "daily_post",
    "is_daily_post",
    "leaderboard",
    "members",
    "post_id_of",
    "reply",
    "set_daily",
    "slack_env",
    "slack_studybot",
    "stored_answers",
]
