"""End-to-end: `studybot run` in Slack's HTTP mode (a signing secret instead of an app token): the
loopback Slack sends signed requests to its Events/Interactivity endpoint on STUDYBOT_HTTP_PORT
and takes each HTTP response as the ack. The same rules hold as in Socket Mode: commands answer,
a burst of clicks is acknowledged and stored once, SIGTERM exits 0."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from tests.slack_e2e_support import (
    daily_actions,
    daily_post,
    leaderboard,
    members,
    post_id_of,
    reply,
    slack_env,
    slack_studybot,  # noqa: F401 - fixture
    stored_answers,
)
from tests.slack_loopback import ACK_DEADLINE, FakeSlack

pytestmark = pytest.mark.e2e

SECRET = "e2e-signing-secret"
LISTENING = r"slack: HTTP mode listening on port"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def start_http_mode(fake: FakeSlack, slack_studybot: Any, tmp_path: Path) -> Any:
    port = free_port()
    env = slack_env(fake, tmp_path, SLACK_APP_TOKEN="", SLACK_SIGNING_SECRET=SECRET, STUDYBOT_HTTP_PORT=str(port))
    proc = await slack_studybot(fake=None, env=env, ready_line=LISTENING)
    fake.deliver_over_http(f"http://127.0.0.1:{port}/slack/events", SECRET)
    return proc


async def test_http_mode_answers_commands_and_a_burst_of_clicks_and_stops_on_sigterm(
        fake_slack: FakeSlack, slack_studybot: Any, tmp_path: Path) -> None:
    proc = await start_http_mode(fake_slack, slack_studybot, tmp_path)
    assert "Horizontal Pod Autoscaler" in await reply(fake_slack, await fake_slack.slash("/define", "HPA", user="U2"))
    post = await daily_post(fake_slack)
    clickers = members(fake_slack, 50)
    buttons = daily_actions(post)
    acks = await fake_slack.clicks_in_burst(post, [(u, buttons[i % len(buttons)]) for i, u in enumerate(clickers)],
                                            seconds=1.0, require_ack=True)
    assert all(a.within(ACK_DEADLINE) for a in acks), [a.elapsed_s for a in acks if not a.within(ACK_DEADLINE)]
    await fake_slack.wait_for(lambda: all(fake_slack.replies_to(a) for a in acks), timeout=60)
    assert sorted(u for _, u in stored_answers(tmp_path / "studybot.db", post_id_of(post))) == sorted(clickers)
    assert sum(r["answered"] for r in leaderboard(tmp_path)) == 50
    assert fake_slack.connections == []  # no Socket Mode at all
    assert await proc.stop() == 0
    assert SECRET not in proc.output()


async def test_http_mode_acks_a_forged_click_and_records_nothing(
        fake_slack: FakeSlack, slack_studybot: Any, tmp_path: Path) -> None:
    proc = await start_http_mode(fake_slack, slack_studybot, tmp_path)
    post = await daily_post(fake_slack)
    forged = await fake_slack.click(post, "daily_answer:0", "424242:0", user="UF", forged=True)
    assert forged.acked and (await reply(fake_slack, forged)).strip()
    assert stored_answers(tmp_path / "studybot.db") == []
    assert await proc.stop() == 0
