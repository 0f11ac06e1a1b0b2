"""End-to-end: `studybot run` as a separate process against the loopback Discord.

The settings come from the environment exactly as in a deployment (DISCORD_API_BASE and
DISCORD_GATEWAY_URL point at the fake); SIGTERM must end it cleanly with exit status 0.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from tests.e2e_support import reply_message, studybot_argv, studybot_env
from tests.loopback import FakeDiscord
from tests.loopback.fixtures import bot_process, fake_discord  # noqa: F401

pytestmark = pytest.mark.e2e

READY = r"connected as"
CLEAN = "shut down: scheduler stopped, store closed"


async def test_studybot_run_answers_define_and_stops_cleanly_on_sigterm(
    fake_discord: FakeDiscord, bot_process, tmp_path: Path
) -> None:
    g = fake_discord.guild
    proc = bot_process(studybot_argv("run"), env=studybot_env(tmp_path), cwd=tmp_path)
    await proc.start(ready_line=READY)
    result = await fake_discord.slash(g, g.member, "define", term="HPA")
    assert "Horizontal Pod Autoscaler" in reply_message(result).embeds[0]["title"]
    assert await proc.stop() == 0
    output = proc.output()
    assert "received SIGTERM" in output and CLEAN in output
    assert "Traceback" not in output
    assert "loaded extension cogs.daily" in output and "could not load" not in output
    assert fake_discord.token not in output


async def test_a_rejected_token_is_one_sentence_and_exit_1(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    env = {**os.environ, **fake_discord.bot_env(), **studybot_env(tmp_path), "DISCORD_TOKEN": "not.the.token"}
    proc = await asyncio.create_subprocess_exec(
        *studybot_argv("run"), env=env, cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    output = (await asyncio.wait_for(proc.communicate(), 30))[0].decode()
    assert proc.returncode == 1
    assert "Discord rejected the bot token" in output and "Traceback" not in output
    assert "not.the.token" not in output and CLEAN in output
    assert {v.kind for v in fake_discord.violations} == {"protocol"}  # the 401 we provoked
    fake_discord.violations.clear()


async def test_a_missing_token_is_one_sentence_and_exit_2(tmp_path: Path) -> None:
    env = {**os.environ, **studybot_env(tmp_path), "DISCORD_TOKEN": ""}
    proc = await asyncio.create_subprocess_exec(
        *studybot_argv("run"), env=env, cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 2
    assert err.decode().strip().count("\n") == 0 and "DISCORD_TOKEN" in err.decode()


async def test_studybot_sync_pushes_the_commands_every_time_and_exits(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    env = {**os.environ, **fake_discord.bot_env(), **studybot_env(tmp_path)}
    for expected_puts in (1, 2):
        proc = await asyncio.create_subprocess_exec(
            *studybot_argv("sync"), env=env, cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )
        output = (await asyncio.wait_for(proc.communicate(), 30))[0].decode()
        assert proc.returncode == 0, output
        puts = [r for r in fake_discord.find_requests("PUT") if r.path.endswith("/commands")]
        assert len(puts) == expected_puts
    assert not fake_discord.live_sessions()  # sync never opened the gateway
