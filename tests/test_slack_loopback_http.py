"""Self-tests of the loopback Slack in HTTP mode: what `slash`/`click`/`suggest` make is sent as
Slack's signed HTTP requests to a real slack-bolt AsyncApp served by `app.web_app()`, and the HTTP
response is the ack, as with Slack's Request URL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp import web
from slack_bolt.async_app import AsyncApp

from tests.slack_loopback import FakeSlack, NoAck
from tests.slack_loopback.client import web_client

SECRET = "loopback-signing-secret"
BUTTON = [{"type": "actions", "elements": [{"type": "button", "action_id": "daily_answer:0", "value": "4:0",
                                            "text": {"type": "plain_text", "text": "A"}}]}]


@asynccontextmanager
async def served(fake: FakeSlack, app: AsyncApp, secret: str = SECRET) -> AsyncIterator[str]:
    """Serve `app` on a free port and point the fake's delivery at it."""
    runner = web.AppRunner(app.web_app(path="/slack/events"))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/slack/events"  # type: ignore[union-attr]
    fake.deliver_over_http(url, secret)
    try:
        yield url
    finally:
        await runner.cleanup()


def http_app(fake: FakeSlack, secret: str = SECRET) -> AsyncApp:
    app = AsyncApp(client=web_client(fake), signing_secret=secret)

    @app.command("/define")
    async def define(ack: Any, command: dict[str, Any]) -> None:
        await ack(text=f"definition of {command['text']}")

    @app.action("daily_answer:0")
    async def answer(ack: Any, body: dict[str, Any], respond: Any) -> None:
        await ack()
        await respond(text=f"✅ {body['actions'][0]['value']}", replace_original=False)

    return app


async def test_a_slash_command_over_http_is_acked_by_the_response_body(fake_slack: FakeSlack) -> None:
    async with served(fake_slack, http_app(fake_slack)):
        ack = await fake_slack.slash("/define", "HPA & <!here>", user="U2")
    assert ack.acked and ack.payload == {"text": "definition of HPA & <!here>"}
    assert fake_slack.expect_violations() == ["slash command ack: text: unescaped mention '<!here>' would ping "
                                              "(escape user text)"]


async def test_a_click_over_http_is_acked_empty_and_replied_through_response_url(fake_slack: FakeSlack) -> None:
    post = fake_slack.messages[(await web_client(fake_slack).chat_postMessage(
        channel="C1", text="q", blocks=BUTTON))["ts"]]
    async with served(fake_slack, http_app(fake_slack)):
        ack = await fake_slack.click(post, "daily_answer:0", user="U3")
        answer = await fake_slack.wait_reply(ack)
    assert ack.acked and ack.payload is None
    assert (answer.text, answer.via) == ("✅ 4:0", "response_url")


async def test_an_app_with_another_signing_secret_refuses_every_request(fake_slack: FakeSlack) -> None:
    async with served(fake_slack, http_app(fake_slack, secret="not-the-secret")):
        with pytest.raises(NoAck):
            await fake_slack.slash("/define", "HPA")
    assert fake_slack.expect_violations() == ["HTTP slash_commands: the app answered 401"]
