"""Self-tests of the loopback Slack's rate limits and injected 429s: Retry-After is sent, slack_sdk's
AsyncRateLimitErrorRetryHandler honours it (one post, no violation), an early retry is a
violation, and the tiers count per method (per channel for chat.postMessage)."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler

from tests.slack_loopback import FakeSlack, SlackRateLimits
from tests.slack_loopback.client import web_client


async def test_an_injected_429_is_honoured_by_the_retry_handler_and_the_post_made_once(
        fake_slack: FakeSlack) -> None:
    rule = fake_slack.fail_next("chat.postMessage", retry_after=1)
    client = web_client(fake_slack, retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=2)])
    posted = await client.chat_postMessage(channel="C1", text="daily question")
    assert rule.hits == 1 and fake_slack.rate_limited == [("chat.postMessage", 1)]
    assert list(fake_slack.messages) == [posted["ts"]]
    assert len(fake_slack.calls_to("chat.postMessage")) == 2
    assert fake_slack.violations == []


async def test_without_a_retry_handler_the_429_reaches_the_caller_with_retry_after(fake_slack: FakeSlack) -> None:
    fake_slack.fail_next("chat.update", retry_after=7)
    client = web_client(fake_slack)
    ts = (await client.chat_postMessage(channel="C1", text="q"))["ts"]
    with pytest.raises(SlackApiError) as raised:
        await client.chat_update(channel="C1", ts=ts, text="revealed")
    assert raised.value.response.status_code == 429
    assert raised.value.response["error"] == "ratelimited"
    assert raised.value.response.headers["Retry-After"] == "7"
    assert fake_slack.messages[ts].history == []


async def test_a_retry_sent_before_retry_after_ran_out_is_a_violation(fake_slack: FakeSlack) -> None:
    fake_slack.fail_next("chat.postMessage", retry_after=30)
    url = f"{fake_slack.api_url}chat.postMessage"
    headers = {"Authorization": f"Bearer {fake_slack.bot_token}"}
    async with aiohttp.ClientSession() as session:
        first = await session.post(url, json={"channel": "C1", "text": "q"}, headers=headers)
        second = await session.post(url, json={"channel": "C1", "text": "q"}, headers=headers)
        assert (first.status, second.status) == (429, 200)
        other = await session.post(url, json={"channel": "C1", "text": "another"}, headers=headers)
        assert other.status == 200
    violations = fake_slack.expect_violations()
    assert len(violations) == 1 and "before Retry-After" in violations[0]


@pytest.mark.slack_loopback(rate_limits=SlackRateLimits(special_burst=3))
async def test_chat_post_message_allows_a_short_burst_per_channel_then_429(fake_slack: FakeSlack) -> None:
    client = web_client(fake_slack)
    for i in range(3):
        await client.chat_postMessage(channel="C1", text=f"post {i}")
    with pytest.raises(SlackApiError) as raised:
        await client.chat_postMessage(channel="C1", text="one too many")
    assert raised.value.response.status_code == 429 and int(raised.value.response.headers["Retry-After"]) >= 1
    await client.chat_postMessage(channel="C2", text="another channel has its own bucket")
    assert len(fake_slack.messages) == 4


@pytest.mark.slack_loopback(rate_limits=SlackRateLimits(special_burst=1))
async def test_the_retry_handler_waits_out_the_special_tier(fake_slack: FakeSlack) -> None:
    client = web_client(fake_slack, retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=3)])
    await asyncio.gather(*(client.chat_postMessage(channel="C1", text=f"post {i}") for i in range(2)))
    assert len(fake_slack.messages) == 2 and len(fake_slack.rate_limited) >= 1
    assert fake_slack.violations == []


@pytest.mark.slack_loopback(rate_limits=SlackRateLimits(tiers={1: 1, 2: 20, 3: 50, 4: 5}))
async def test_a_tier_counts_calls_per_method(fake_slack: FakeSlack) -> None:
    client = web_client(fake_slack)
    for _ in range(5):
        await client.users_info(user="U2")
    with pytest.raises(SlackApiError) as raised:
        await client.users_info(user="U2")
    assert raised.value.response["error"] == "ratelimited"
    await client.chat_postEphemeral(channel="C1", user="U2", text="another tier-4 method, another bucket")


async def test_tier_4_takes_a_burst_of_100_users_info_calls(fake_slack: FakeSlack) -> None:
    client = web_client(fake_slack)
    for i in range(100):
        fake_slack.add_user(f"UB{i:03d}")
    await asyncio.gather(*(client.users_info(user=f"UB{i:03d}") for i in range(100)))
    with pytest.raises(SlackApiError):
        await client.users_info(user="UB000")
    assert len(fake_slack.rate_limited) == 1
