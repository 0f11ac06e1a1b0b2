"""Self-tests of the loopback Slack's Web API and response_url sink with the real slack_sdk
clients: tokens, unknown methods, users.info with locale, chat.update keeping blocks, files
upload v2, and response_url's 30 minutes / 5 uses, as Slack has them."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook.async_client import AsyncWebhookClient

from tests.slack_loopback import Ephemeral, FakeSlack, Message
from tests.slack_loopback.client import web_client

BUTTON = [{"type": "actions", "elements": [{"type": "button", "action_id": "daily_answer:0", "value": "1:0",
                                            "text": {"type": "plain_text", "text": "A"}}]}]


async def test_auth_test_names_the_workspace_and_the_bot(fake_slack: FakeSlack) -> None:
    me = await web_client(fake_slack).auth_test()
    assert (me["team_id"], me["user_id"], me["bot_id"]) == ("T0LOOP", fake_slack.bot_user_id, fake_slack.bot_id)


@pytest.mark.parametrize(("token", "error"), [("xoxb-wrong", "invalid_auth"), ("xapp-loopback", "not_allowed_token_type")])
async def test_a_wrong_token_is_refused(fake_slack: FakeSlack, token: str, error: str) -> None:
    with pytest.raises(SlackApiError) as raised:
        await web_client(fake_slack, token=token).chat_postMessage(channel="C1", text="hi")
    assert raised.value.response["error"] == error and fake_slack.messages == {}


async def test_connections_open_needs_the_app_token(fake_slack: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as raised:
        await web_client(fake_slack).apps_connections_open(app_token=fake_slack.bot_token)
    assert raised.value.response["error"] == "not_allowed_token_type"


async def test_an_unknown_method_is_unknown_method(fake_slack: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as raised:
        await web_client(fake_slack).api_call("chat.scheduleMessageNow", json={"channel": "C1"})
    assert raised.value.response["error"] == "unknown_method"


async def test_users_info_gives_the_locale_only_when_asked(fake_slack: FakeSlack) -> None:
    fake_slack.add_user("UKO", name="민지", locale="ko-KR", is_owner=True, tz="Asia/Seoul")
    client = web_client(fake_slack)
    with_locale = (await client.users_info(user="UKO", include_locale=True))["user"]
    without = (await client.users_info(user="UKO"))["user"]
    assert (with_locale["locale"], with_locale["is_owner"], with_locale["is_admin"]) == ("ko-KR", True, False)
    assert with_locale["profile"]["display_name"] == "민지" and with_locale["tz"] == "Asia/Seoul"
    assert "locale" not in without
    with pytest.raises(SlackApiError) as raised:
        await client.users_info(user="UNOBODY")
    assert raised.value.response["error"] == "user_not_found"


async def test_posting_where_the_bot_is_not_a_member_fails_like_slack(fake_slack: FakeSlack) -> None:
    fake_slack.add_channel("C9", "private-ish", is_member=False)
    client = web_client(fake_slack)
    for channel, error in (("C9", "not_in_channel"), ("C404", "channel_not_found")):
        with pytest.raises(SlackApiError) as raised:
            await client.chat_postMessage(channel=channel, text="hi")
        assert raised.value.response["error"] == error
    assert (await client.conversations_info(channel="C1"))["channel"]["name"] == "general"
    assert (await client.team_info())["team"]["id"] == "T0LOOP"


async def test_chat_update_without_blocks_keeps_them_and_records_history(fake_slack: FakeSlack) -> None:
    client = web_client(fake_slack)
    ts = (await client.chat_postMessage(channel="C1", text="q", blocks=BUTTON))["ts"]
    await client.chat_update(channel="C1", ts=ts, text="q (3 answered)")
    message = fake_slack.messages[ts]
    assert message.text == "q (3 answered)" and message.action_ids() == ["daily_answer:0"]
    assert [v.text for v in message.history] == ["q"]
    await client.chat_delete(channel="C1", ts=ts)
    assert ts not in fake_slack.messages and fake_slack.deleted[ts].deleted
    with pytest.raises(SlackApiError) as raised:
        await client.chat_update(channel="C1", ts=ts, text="gone")
    assert raised.value.response["error"] == "message_not_found"


async def test_files_upload_v2_goes_through_the_upload_sink(fake_slack: FakeSlack) -> None:
    done = await web_client(fake_slack).files_upload_v2(channel="C1", filename="board.csv", content="a,b\n1,2\n",
                                                       title="Leaderboard", initial_comment="this week")
    (file,) = fake_slack.files.values()
    assert done["file"]["id"] == file.id and file.completed and file.data == b"a,b\n1,2\n"
    assert (file.channel, file.title, file.initial_comment) == ("C1", "Leaderboard", "this week")


async def slash_url(fake: FakeSlack, *, user: str = "U2") -> str:
    """A response_url as a slash command would carry one (made without a bot on the socket)."""
    url = fake._new_response_url(user, "C1", "env-test", "slash_commands", None)
    return fake.response_url_for(url)


async def test_a_response_url_takes_five_posts_then_answers_used_url(fake_slack: FakeSlack) -> None:
    hook = AsyncWebhookClient(await slash_url(fake_slack))
    statuses = [(await hook.send(text=f"reply {i}")).status_code for i in range(6)]
    assert statuses == [200] * 5 + [404]
    assert fake_slack.responses[-1].status == 404
    assert [e.text for e in fake_slack.ephemerals] == [f"reply {i}" for i in range(5)]
    assert fake_slack.ephemerals[0].user == "U2" and fake_slack.ephemerals[0].via == "response_url"
    violations = fake_slack.expect_violations()
    assert len(violations) == 1 and "more than 5 times" in violations[0]


async def test_a_response_url_expires_after_30_minutes(fake_slack: FakeSlack) -> None:
    hook = AsyncWebhookClient(await slash_url(fake_slack))
    assert (await hook.send(text="in time")).status_code == 200
    fake_slack.advance(30 * 60 + 1)
    late = await hook.send(text="too late")
    assert (late.status_code, late.body) == (404, "expired_url")
    assert [e.text for e in fake_slack.ephemerals] == ["in time"]
    assert "min after it was issued" in fake_slack.expect_violations()[0]


async def test_a_response_url_body_is_checked_like_a_message(fake_slack: FakeSlack) -> None:
    hook = AsyncWebhookClient(await slash_url(fake_slack))
    bad = await hook.send(text="t", blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}])
    assert (bad.status_code, bad.body) == (400, "invalid_blocks") and fake_slack.ephemerals == []
    pinged = await hook.send(text="<!here> answer now")
    assert pinged.status_code == 200
    assert len(fake_slack.expect_violations()) == 2


async def test_in_channel_responses_post_to_the_channel(fake_slack: FakeSlack) -> None:
    hook = AsyncWebhookClient(await slash_url(fake_slack))
    await hook.send(text="for everyone", response_type="in_channel")
    (message,) = fake_slack.messages.values()
    assert isinstance(message, Message) and (message.text, message.via, message.envelope_id) == (
        "for everyone", "response_url", "env-test")


async def test_replacing_a_channel_post_from_a_click_is_a_violation_but_an_ephemeral_may_be_replaced(
        fake_slack: FakeSlack) -> None:
    client = web_client(fake_slack)
    post = fake_slack.messages[(await client.chat_postMessage(channel="C1", text="q", blocks=BUTTON))["ts"]]
    await client.chat_postEphemeral(channel="C1", user="U2", text="practice", blocks=BUTTON)
    eph = fake_slack.ephemerals[0]
    on_post = fake_slack._new_response_url("U2", "C1", "env-a", "block_actions", post)
    on_eph = fake_slack._new_response_url("U2", "C1", "env-b", "block_actions", eph)
    await AsyncWebhookClient(fake_slack.response_url_for(on_eph)).send(text="next question", replace_original=True)
    assert isinstance(eph, Ephemeral) and eph.text == "next question" and eph.action_ids() == []
    assert fake_slack.violations == []
    await AsyncWebhookClient(fake_slack.response_url_for(on_post)).send(text="✅", replace_original=True)
    assert "replaced the channel post" in fake_slack.expect_violations()[0]
