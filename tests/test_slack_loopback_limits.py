"""Self-tests of the loopback Slack's validation: each of Slack's limits rejects a message that
breaks it (sent with the real slack_sdk AsyncWebClient, raw dicts, as a careless bot would),
records a violation, and a message inside every limit goes through clean."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import ActionsBlock, ButtonElement, HeaderBlock, SectionBlock

from tests.slack_loopback import FakeSlack
from tests.slack_loopback.client import web_client


def section(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def button(action_id: str = "b", text: str = "Go", value: str = "1") -> dict[str, Any]:
    return {"type": "button", "action_id": action_id, "text": {"type": "plain_text", "text": text}, "value": value}


def actions(*elements: dict[str, Any]) -> dict[str, Any]:
    return {"type": "actions", "elements": list(elements)}


def select(options: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "static_select", "action_id": "s", "placeholder": {"type": "plain_text", "text": "pick"},
            "options": options}


def option(text: str = "one", value: str = "1") -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text}, "value": value}


BAD_BLOCKS = {
    "51 blocks": [section(f"line {i}") for i in range(51)],
    "section text of 3001": [section("x" * 3001)],
    "header text of 151": [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}],
    "header in mrkdwn": [{"type": "header", "text": {"type": "mrkdwn", "text": "*h*"}}],
    "button text of 76": [actions(button(text="b" * 76))],
    "button text in mrkdwn": [actions({**button(), "text": {"type": "mrkdwn", "text": "*Go*"}})],
    "action_id of 256": [actions(button(action_id="a" * 256))],
    "value of 2001": [actions(button(value="v" * 2001))],
    "option text of 76": [actions(select([option(text="o" * 76)]))],
    "option value of 151": [actions(select([option(value="v" * 151)]))],
    "101 options": [actions(select([option(value=str(i)) for i in range(101)]))],
    "block_id of 256": [section("x", block_id="b" * 256)],
    "an action_id twice": [actions(button("same", value="1")), actions(button("same", value="2"))],
    "a text type Slack lacks": [{"type": "section", "text": {"type": "markdown", "text": "x"}}],
    "an empty section text": [section("")],
    "11 section fields": [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}],
    "26 action elements": [actions(*[button(f"b{i}") for i in range(26)])],
    "an input block in a message": [{"type": "input", "label": {"type": "plain_text", "text": "l"},
                                     "element": {"type": "plain_text_input", "action_id": "t"}}],
    "an unknown block type": [{"type": "table"}],
}


@pytest.mark.parametrize("case", sorted(BAD_BLOCKS))
async def test_each_block_kit_limit_rejects_a_message_that_breaks_it(fake_slack: FakeSlack, case: str) -> None:
    client = web_client(fake_slack)
    with pytest.raises(SlackApiError) as raised:
        await client.chat_postMessage(channel="C1", text="fallback", blocks=BAD_BLOCKS[case])
    assert raised.value.response["error"] == "invalid_blocks"
    assert fake_slack.messages == {}
    assert len(fake_slack.expect_violations()) >= 1


async def test_the_same_limits_apply_to_updates_ephemerals_and_response_urls(fake_slack: FakeSlack) -> None:
    client = web_client(fake_slack)
    ts = (await client.chat_postMessage(channel="C1", text="ok"))["ts"]
    too_long = [section("x" * 3001)]
    for call in (client.chat_update(channel="C1", ts=ts, text="t", blocks=too_long),
                 client.chat_postEphemeral(channel="C1", user="U2", text="t", blocks=too_long)):
        with pytest.raises(SlackApiError):
            await call
    violations = fake_slack.expect_violations()
    assert [v.split(":")[0] for v in violations] == ["chat.update", "chat.postEphemeral"]
    assert fake_slack.messages[ts].history == [] and fake_slack.ephemerals == []


async def test_text_over_40000_is_msg_too_long_and_over_4000_only_a_warning(fake_slack: FakeSlack) -> None:
    client = web_client(fake_slack)
    with pytest.raises(SlackApiError) as raised:
        await client.chat_postMessage(channel="C1", text="x" * 40_001)
    assert raised.value.response["error"] == "msg_too_long"
    assert len(fake_slack.expect_violations()) == 1
    fake_slack.violations.clear()
    await client.chat_postMessage(channel="C1", text="x" * 4_001)
    assert fake_slack.violations == [] and len(fake_slack.warnings) == 1


async def test_a_message_with_neither_text_nor_blocks_is_no_text(fake_slack: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as raised, pytest.warns(UserWarning, match="text"):
        await web_client(fake_slack).chat_postMessage(channel="C1")
    assert raised.value.response["error"] == "no_text"
    fake_slack.expect_violations()


@pytest.mark.parametrize("text", ["hi <!channel>", "<!here> look", "<!everyone>", "<@U2> answered",
                                  "<@U2|kim> answered", "<!subteam^S123> ping"])
async def test_an_unescaped_mention_in_bot_text_is_a_violation_though_slack_posts_it(
        fake_slack: FakeSlack, text: str) -> None:
    client = web_client(fake_slack)
    await client.chat_postMessage(channel="C1", text=text, blocks=[section(text)])
    violations = fake_slack.expect_violations()
    assert len(violations) == 2 and all("would ping" in v for v in violations)  # text and the section
    assert len(fake_slack.messages) == 1


async def test_escaped_mentions_and_plain_at_words_are_fine(fake_slack: FakeSlack) -> None:
    text = "&lt;!channel&gt; &lt;@U2&gt; @here <#C1|general> <https://example.com|docs>"
    await web_client(fake_slack).chat_postMessage(channel="C1", text=text, blocks=[section(text)])
    assert fake_slack.violations == []


@pytest.mark.parametrize("args", [{"link_names": True}, {"link_names": "1"}, {"parse": "full"}])
async def test_link_names_or_full_parsing_is_a_violation(fake_slack: FakeSlack, args: dict[str, Any]) -> None:
    await web_client(fake_slack).chat_postMessage(channel="C1", text="hello @here", **args)
    assert len(fake_slack.expect_violations()) == 1


async def test_a_message_built_with_slack_sdk_models_inside_every_limit_is_clean(fake_slack: FakeSlack) -> None:
    blocks = [HeaderBlock(text="Daily question"), SectionBlock(text="*Which one scales pods?*"),
              ActionsBlock(elements=[ButtonElement(text=t, action_id=f"daily_answer:{i}", value=f"7:{i}")
                                     for i, t in enumerate(["HPA", "VPA", "KEDA", "Cluster Autoscaler"])])]
    blocks += [SectionBlock(text=f"{i}") for i in range(47)]  # 50 blocks in all
    posted = await web_client(fake_slack).chat_postMessage(channel="C1", text="Daily question", blocks=blocks)
    message = fake_slack.messages[posted["ts"]]
    assert message.action_ids() == ["daily_answer:0", "daily_answer:1", "daily_answer:2", "daily_answer:3"]
    assert "Which one scales pods?" in message.readable()
    assert fake_slack.violations == []


def modal(**extra: Any) -> dict[str, Any]:
    return {"type": "modal", "title": {"type": "plain_text", "text": "Look up"}, "blocks": [section("x")], **extra}


BAD_VIEWS = {
    "title of 25": modal(title={"type": "plain_text", "text": "t" * 25}),
    "101 blocks": modal(blocks=[section(str(i)) for i in range(101)]),
    "submit of 25": modal(submit={"type": "plain_text", "text": "s" * 25}),
    "private_metadata of 3001": modal(private_metadata="m" * 3001),
    "input without submit": modal(blocks=[{"type": "input", "label": {"type": "plain_text", "text": "l"},
                                           "element": {"type": "plain_text_input", "action_id": "t"}}]),
}


@pytest.mark.parametrize("case", sorted(BAD_VIEWS))
async def test_each_modal_limit_rejects_a_view_that_breaks_it(fake_slack: FakeSlack, case: str) -> None:
    trigger = fake_slack.new_trigger_id("U1")
    with pytest.raises(SlackApiError) as raised:
        await web_client(fake_slack).views_open(trigger_id=trigger, view=BAD_VIEWS[case])
    assert raised.value.response["error"] == "invalid_arguments"
    assert fake_slack.views == {} and fake_slack.expect_violations()


async def test_a_modal_may_have_100_blocks(fake_slack: FakeSlack) -> None:
    trigger = fake_slack.new_trigger_id("U1")
    opened = await web_client(fake_slack).views_open(trigger_id=trigger,
                                                     view=modal(blocks=[section(str(i)) for i in range(100)]))
    assert opened["view"]["id"] in fake_slack.views and fake_slack.violations == []
