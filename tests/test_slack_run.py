"""`studybot run` with Slack: a real process on the loopback Slack in Socket Mode, in HTTP mode
(signed requests on STUDYBOT_HTTP_PORT), beside Discord in one process, and the one-sentence
refusals; SIGTERM and SIGINT end it with status 0."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from tests.e2e_support import studybot_argv, studybot_env
from tests.loopback import FakeDiscord
from tests.loopback.fixtures import fake_discord  # noqa: F401 - the fixture
from tests.slack_e2e_support import StudybotProcess, reply, slack_env, slack_studybot  # noqa: F401
from tests.slack_loopback import FakeSlack

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio]

CLEAN = "shut down: scheduler stopped, store closed"
SECRET = "loopback-signing-secret"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
async def test_socket_mode_answers_a_command_and_a_signal_ends_it_cleanly(
        fake_slack: FakeSlack, slack_studybot: Any, sig: signal.Signals) -> None:
    proc: StudybotProcess = await slack_studybot()
    ack = await fake_slack.slash("/define", "HPA", user="U2")
    assert ack.within(3.0) and "Horizontal Pod Autoscaler" in await reply(fake_slack, ack)
    assert await proc._end(sig, 10.0) == 0
    output = proc.output()
    assert f"received {sig.name}" in output and CLEAN in output and "Traceback" not in output
    assert fake_slack.bot_token not in output and fake_slack.app_token not in output
    assert fake_slack.calls_to("auth.test")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def signed(body: str, *, secret: str = SECRET, age: int = 0) -> dict[str, str]:
    ts = str(int(time.time()) - age)
    return {"content-type": "application/x-www-form-urlencoded", "x-slack-request-timestamp": ts,
            "x-slack-signature": SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)}


async def test_http_mode_serves_signed_requests_on_the_chosen_port(fake_slack: FakeSlack, tmp_path: Path) -> None:
    port = free_port()
    replies: list[dict[str, Any]] = []

    async def response_url(request: web.Request) -> web.Response:  # where Slack would show the reply
        replies.append(await request.json())
        return web.Response(text="ok")

    sink = web.Application()
    sink.router.add_post("/reply", response_url)
    runner = web.AppRunner(sink)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    sink_url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/reply"  # type: ignore[union-attr]
    env = slack_env(fake_slack, tmp_path, SLACK_APP_TOKEN="", SLACK_SIGNING_SECRET=SECRET,
                    STUDYBOT_HTTP_PORT=str(port))
    proc = StudybotProcess(studybot_argv("run"), env, tmp_path / "http.log", tmp_path)
    await proc.start(None, ready_line="HTTP mode listening")
    body = urlencode({"team_id": "T0LOOP", "channel_id": "C1", "user_id": "U2", "user_name": "u2",
                      "command": "/define", "text": "HPA", "response_url": sink_url, "trigger_id": "1.2.3"})
    url = f"http://127.0.0.1:{port}/slack/events"
    try:
        async with aiohttp.ClientSession() as session:
            async with session.post(url, data=body, headers=signed(body)) as good:
                assert good.status == 200
            async with session.post(url, data=body, headers=signed(body, secret="wrong")) as forged:
                assert forged.status == 401
            async with session.post(url, data=body, headers=signed(body, age=600)) as stale:
                assert stale.status == 401
        for _ in range(200):
            if replies:
                break
            await asyncio.sleep(0.05)
    finally:
        status = await proc.stop()
        await runner.cleanup()
    assert status == 0 and CLEAN in proc.output() and SECRET not in proc.output()
    assert len(replies) == 1 and replies[0]["response_type"] == "ephemeral"
    assert "Horizontal Pod Autoscaler" in json.dumps(replies[0], ensure_ascii=False)


async def test_discord_and_slack_run_in_one_process_on_one_database(
        fake_slack: FakeSlack, fake_discord: FakeDiscord, tmp_path: Path) -> None:
    env = {**slack_env(fake_slack, tmp_path), **fake_discord.bot_env()}
    proc = StudybotProcess(studybot_argv("run"), env, tmp_path / "both.log", tmp_path)
    await proc.start(fake_slack, ready_line=r"connected as")
    g = fake_discord.guild
    answered = await fake_discord.slash(g, g.member, "define", term="HPA")
    ack = await fake_slack.slash("/define", "HPA")
    assert answered is not None and "Horizontal Pod Autoscaler" in await reply(fake_slack, ack)
    assert await proc.stop() == 0
    output = proc.output()
    assert output.count(CLEAN) == 1 and "Socket Mode connected" in output and "Traceback" not in output


async def run_once(env: dict[str, str], tmp_path: Path) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        *studybot_argv("run"), env={**os.environ, **studybot_env(tmp_path), **env}, cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_a_bot_token_without_app_token_or_secret_is_one_sentence_and_exit_2(tmp_path: Path) -> None:
    status, _, err = await run_once({"DISCORD_TOKEN": "", "SLACK_BOT_TOKEN": "xoxb-1-2-3", "SLACK_APP_TOKEN": "",
                                     "SLACK_SIGNING_SECRET": ""}, tmp_path)
    assert status == 2 and err.strip().count("\n") == 0
    assert "SLACK_APP_TOKEN" in err and "SLACK_SIGNING_SECRET" in err and "xoxb-1-2-3" not in err


async def test_a_rejected_slack_token_is_one_sentence_and_exit_1(fake_slack: FakeSlack, tmp_path: Path) -> None:
    env = {**fake_slack.bot_env(), "DISCORD_TOKEN": "", "SLACK_BOT_TOKEN": "xoxb-not-the-token"}
    status, out, err = await run_once(env, tmp_path)
    assert status == 1
    assert "Slack rejected SLACK_BOT_TOKEN" in out + err and "Traceback" not in out + err
    assert "xoxb-not-the-token" not in out + err and CLEAN in out + err
