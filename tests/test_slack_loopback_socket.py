"""Self-tests of the loopback Slack's Socket Mode side, driven by the real slack-bolt AsyncApp and
AsyncSocketModeHandler (slack_sdk's aiohttp client): hello, envelopes, acks and what they carry,
clicks on current blocks only, modals, type-ahead, reconnects."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

from tests.slack_loopback import ClickRefused, Ephemeral, FakeSlack, Message, NoAck
from tests.slack_loopback.client import bolt_app, bolt_in_process, web_client

BUTTONS = [
    {"type": "section", "block_id": "q", "text": {"type": "mrkdwn", "text": "*Which one scales pods?*"}},
    {"type": "actions", "block_id": "answers", "elements": [
        {"type": "button", "action_id": "daily_answer:0", "value": "7:0", "text": {"type": "plain_text", "text": "HPA"}},
        {"type": "button", "action_id": "daily_answer:1", "value": "7:1", "text": {"type": "plain_text", "text": "VPA"}},
    ]},
]


def answering_app(fake: FakeSlack) -> AsyncApp:
    """A small bolt app in the style the front end must have: ack first, reply afterwards."""
    app = bolt_app(fake)

    @app.command("/define")
    async def define(ack: Any, command: dict[str, Any]) -> None:
        await ack(text=f"definition of {command['text']}")

    @app.command("/later")
    async def later(ack: Any, respond: Any) -> None:
        await ack()
        await respond(text="here it is", response_type="ephemeral")

    @app.action("daily_answer:0")
    async def answer0(ack: Any, body: dict[str, Any], respond: Any) -> None:
        await ack()
        await respond(text=f"✅ {body['actions'][0]['value']}", replace_original=False, response_type="ephemeral")

    @app.action("daily_answer:1")
    async def answer1(ack: Any, body: dict[str, Any], client: Any) -> None:
        await ack()
        await client.chat_postEphemeral(channel=body["channel"]["id"], user=body["user"]["id"],
                                        text=f"❌ {body['actions'][0]['value']}")

    return app


async def test_bolt_receives_hello_and_acks_are_recorded_with_elapsed_time(fake_slack: FakeSlack) -> None:
    app = answering_app(fake_slack)
    seen: list[str] = []

    async def listen(client: Any, message: dict[str, Any], raw: str | None) -> None:
        seen.append(message.get("type"))

    handler = AsyncSocketModeHandler(app, fake_slack.app_token)
    handler.client.message_listeners.append(listen)
    await handler.connect_async()
    try:
        ack = await fake_slack.slash("/define", "HPA", user="U2")
    finally:
        await handler.close_async()
    assert seen == ["hello", "slash_commands"]
    assert fake_slack.calls_to("apps.connections.open") == [{}]
    assert fake_slack.acks[ack.envelope_id] is ack
    assert ack.elapsed_s is not None and ack.elapsed_s >= 0
    assert ack.payload == {"text": "definition of HPA"}
    reply = fake_slack.replies_to(ack)
    assert [(r.via, r.text) for r in reply] == [("ack", "definition of HPA")]
    assert isinstance(reply[0], Ephemeral) and reply[0].user == "U2"


async def test_the_hello_frame_comes_first_on_a_raw_socket(fake_slack: FakeSlack) -> None:
    client = web_client(fake_slack, token=fake_slack.app_token)
    url = (await client.apps_connections_open(app_token=fake_slack.app_token))["url"]
    assert url.startswith("ws://127.0.0.1:")
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
        hello = json.loads((await ws.receive()).data)
    assert hello["type"] == "hello" and hello["connection_info"]["app_id"] == fake_slack.app_id


async def test_a_slash_reply_through_response_url_is_an_ephemeral_for_that_member(fake_slack: FakeSlack) -> None:
    async with bolt_in_process(fake_slack, answering_app(fake_slack)):
        ack = await fake_slack.slash("/later", user="U3", channel="C2")
        reply = await fake_slack.wait_reply(ack)
    assert ack.payload is None
    assert (reply.via, reply.text, reply.channel) == ("response_url", "here it is", "C2")
    assert isinstance(reply, Ephemeral) and reply.user == "U3"
    assert fake_slack.response_urls[ack.response_url_id].uses == 1


async def test_clicks_reach_bolt_with_the_button_value_and_replies_are_counted_per_click(
        fake_slack: FakeSlack) -> None:
    client = web_client(fake_slack)
    posted = await client.chat_postMessage(channel="C1", text="daily question", blocks=BUTTONS)
    post = fake_slack.messages[posted["ts"]]
    async with bolt_in_process(fake_slack, answering_app(fake_slack)):
        right = await fake_slack.click(post, "daily_answer:0", user="U2")
        wrong = await fake_slack.click(post.ts, "daily_answer:1", user="U3")
        right_reply = await fake_slack.wait_reply(right)
        wrong_reply = await fake_slack.wait_reply(wrong)
    assert right.payload is None and wrong.payload is None
    assert right.envelope["payload"]["actions"][0]["value"] == "7:0"
    assert right.envelope["payload"]["message"]["ts"] == post.ts
    assert (right_reply.via, right_reply.text) == ("response_url", "✅ 7:0")
    assert (wrong_reply.via, wrong_reply.text, wrong_reply.user) == ("chat.postEphemeral", "❌ 7:1", "U3")
    assert post.history == []  # nobody replaced the channel post


async def test_a_click_on_a_button_the_message_no_longer_has_is_refused_unless_forged(
        fake_slack: FakeSlack) -> None:
    client = web_client(fake_slack)
    posted = await client.chat_postMessage(channel="C1", text="q", blocks=BUTTONS)
    await client.chat_update(channel="C1", ts=posted["ts"], text="revealed",
                             blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "Answer: HPA"}}])
    post = fake_slack.messages[posted["ts"]]
    assert len(post.history) == 1 and post.action_ids() == []
    with pytest.raises(ClickRefused):
        await fake_slack.click(post, "daily_answer:0")
    with pytest.raises(ClickRefused):
        await fake_slack.click(fake_slack.messages[(await client.chat_postMessage(
            channel="C1", text="q", blocks=BUTTONS))["ts"]], "daily_answer:0", value="999:3")
    async with bolt_in_process(fake_slack, answering_app(fake_slack)):
        forged = await fake_slack.click(post, "daily_answer:0", value="999:3", forged=True)
        await fake_slack.wait_reply(forged)
    assert forged.envelope["payload"]["actions"][0]["value"] == "999:3"


async def test_an_envelope_nobody_acks_raises_no_ack_and_is_not_in_acks(fake_slack: FakeSlack) -> None:
    app = bolt_app(fake_slack)

    @app.command("/silent")
    async def silent(ack: Any) -> None:
        await asyncio.sleep(5)  # never acks in time

    async with bolt_in_process(fake_slack, app):
        with pytest.raises(NoAck):
            await fake_slack.slash("/silent", timeout=0.3)
        unacked = await fake_slack.slash("/silent", timeout=0.3, require_ack=False)
    assert not unacked.acked and unacked.envelope_id not in fake_slack.acks


async def test_an_envelope_in_flight_when_the_socket_closes_is_unacked(fake_slack: FakeSlack) -> None:
    app = bolt_app(fake_slack)
    started = asyncio.Event()

    @app.command("/slow")
    async def slow(ack: Any) -> None:
        started.set()
        await asyncio.sleep(2)
        await ack()

    async with bolt_in_process(fake_slack, app):
        pending = asyncio.ensure_future(fake_slack.slash("/slow", require_ack=False))
        await started.wait()
        await fake_slack.drop_sockets()
        ack = await pending
    assert not ack.acked
    fake_slack.expect_violations()  # the late ack may land on the reconnected socket as "unknown"


async def test_a_second_ack_and_an_ack_for_no_envelope_are_violations(fake_slack: FakeSlack) -> None:
    client = web_client(fake_slack, token=fake_slack.app_token)
    url = (await client.apps_connections_open(app_token=fake_slack.app_token))["url"]
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
        await ws.receive()  # hello
        sending = asyncio.ensure_future(fake_slack.slash("/define", "x"))
        envelope = json.loads((await ws.receive()).data)
        await ws.send_str(json.dumps({"envelope_id": envelope["envelope_id"]}))
        ack = await sending
        await ws.send_str(json.dumps({"envelope_id": envelope["envelope_id"]}))
        await ws.send_str(json.dumps({"envelope_id": "env-nope"}))
        violations = fake_slack.expect_violations()
        await fake_slack.wait_for(lambda: len(violations) >= 2)
    assert ack.acked and envelope["accepts_response_payload"] is True
    assert envelope["payload"]["command"] == "/define" and envelope["payload"]["team_id"] == "T0LOOP"
    assert any("second ack" in v for v in violations) and any("unknown envelope" in v for v in violations)


async def test_a_click_ack_with_a_payload_is_a_violation_because_slack_ignores_it(fake_slack: FakeSlack) -> None:
    app = bolt_app(fake_slack)

    @app.action("daily_answer:0")
    async def answer(ack: Any) -> None:
        await ack(text="you said HPA")  # Slack drops this: the member sees nothing

    post = fake_slack.messages[(await web_client(fake_slack).chat_postMessage(
        channel="C1", text="q", blocks=BUTTONS))["ts"]]
    async with bolt_in_process(fake_slack, app):
        await fake_slack.click(post, "daily_answer:0")
    assert [v for v in fake_slack.expect_violations() if "block_actions ack" in v]


async def test_disconnect_makes_bolt_reconnect_and_envelopes_still_arrive(fake_slack: FakeSlack) -> None:
    async with bolt_in_process(fake_slack, answering_app(fake_slack)):
        first = fake_slack.open_connections()[0]
        await fake_slack.disconnect_socket()
        await fake_slack.wait_for(lambda: first.closed and fake_slack.open_connections())
        ack = await fake_slack.slash("/define", "HPA")
    assert ack.payload == {"text": "definition of HPA"}
    assert len(fake_slack.calls_to("apps.connections.open")) == 2


def lookup_modal(**extra: Any) -> dict[str, Any]:
    return {"type": "modal", "callback_id": "lookup", "title": {"type": "plain_text", "text": "Look up a term"},
            "submit": {"type": "plain_text", "text": "Show"},
            "blocks": [{"type": "input", "block_id": "term", "label": {"type": "plain_text", "text": "Term"},
                        "element": {"type": "external_select", "action_id": "lookup_select", "min_query_length": 1,
                                    "placeholder": {"type": "plain_text", "text": "Start typing"}}}], **extra}


async def test_a_shortcut_opens_a_modal_whose_type_ahead_and_submission_reach_bolt(fake_slack: FakeSlack) -> None:
    app = bolt_app(fake_slack)
    submitted: list[dict[str, Any]] = []

    @app.shortcut("lookup_open")
    async def open_lookup(ack: Any, body: dict[str, Any], client: Any) -> None:
        await ack()
        await client.views_open(trigger_id=body["trigger_id"], view=lookup_modal())

    @app.options("lookup_select")
    async def options(ack: Any, payload: dict[str, Any]) -> None:
        typed = payload["value"]
        await ack(options=[{"text": {"type": "plain_text", "text": f"{typed} {i}"}, "value": f"t{i}"} for i in range(3)])

    @app.view("lookup")
    async def submit(ack: Any, view: dict[str, Any]) -> None:
        submitted.append(view["state"]["values"])
        await ack()

    async with bolt_in_process(fake_slack, app):
        await fake_slack.shortcut("lookup_open", user="U2")
        view = (await fake_slack.wait_for(lambda: fake_slack.open_views("U2")))[0]
        suggestion = await fake_slack.suggest("lookup_select", "hp", user="U2")
        done = await fake_slack.submit_view(view.id, {"lookup_select": "t1"}, user="U2")
    assert [o["value"] for o in suggestion.payload["options"]] == ["t0", "t1", "t2"]
    assert submitted[0]["term"]["lookup_select"]["selected_option"]["value"] == "t1"
    assert done.acked and view.closed


async def test_a_trigger_id_opens_one_modal_only(fake_slack: FakeSlack) -> None:
    app = bolt_app(fake_slack)
    errors: list[str] = []

    @app.shortcut("lookup_open")
    async def open_twice(ack: Any, body: dict[str, Any], client: Any) -> None:
        await ack()
        await client.views_open(trigger_id=body["trigger_id"], view=lookup_modal())
        try:
            await client.views_open(trigger_id=body["trigger_id"], view=lookup_modal())
        except Exception as exc:  # noqa: BLE001 - the SlackApiError is what we look at
            errors.append(str(exc))

    async with bolt_in_process(fake_slack, app):
        await fake_slack.shortcut("lookup_open")
        await fake_slack.wait_for(lambda: errors)
    assert "trigger_exchanged" in errors[0] and len(fake_slack.open_views()) == 1


async def test_an_ephemeral_can_be_clicked_only_by_its_member(fake_slack: FakeSlack) -> None:
    client = web_client(fake_slack)
    await client.chat_postEphemeral(channel="C1", user="U2", text="practice", blocks=BUTTONS)
    eph = fake_slack.ephemerals[0]
    with pytest.raises(ClickRefused):
        await fake_slack.click(eph, "daily_answer:0", user="U3")
    async with bolt_in_process(fake_slack, answering_app(fake_slack)):
        ack = await fake_slack.click(eph.ts, "daily_answer:0", user="U2")
        await fake_slack.wait_reply(ack)
    payload = ack.envelope["payload"]
    assert payload["container"]["is_ephemeral"] is True and "message" not in payload
    assert isinstance(fake_slack.find_posted(eph.ts), Ephemeral) and not isinstance(eph, Message)
