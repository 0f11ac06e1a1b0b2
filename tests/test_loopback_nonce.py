"""Self-tests of the loopback Discord's message nonces (`enforce_nonce`) and held responses.

Discord: a create-message with `enforce_nonce: true` whose nonce the same author used in that
channel within the past few minutes returns the message made then, and makes no new one.
`fake.hold(...)` lets a request take effect while its response never comes (until released),
so a test can kill the client at exactly that point.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio

from tests.loopback import FakeDiscord
from tests.loopback.fixtures import fake_discord  # noqa: F401
from tests.loopback.server import NONCE_WINDOW
from tests.test_loopback_strict import RawClient

pytestmark = pytest.mark.e2e


@pytest_asyncio.fixture
async def raw(fake_discord: FakeDiscord) -> AsyncIterator[RawClient]:  # noqa: F811
    async with aiohttp.ClientSession() as http:
        yield RawClient(fake_discord, http)


async def test_a_repeated_enforced_nonce_returns_the_first_message(fake_discord: FakeDiscord, raw: RawClient) -> None:  # noqa: F811
    channel = fake_discord.guild.text_channel
    first = await raw.send(channel.id, content="one", nonce="dq123", enforce_nonce=True)
    again = await raw.send(channel.id, content="one again", nonce="dq123", enforce_nonce=True)
    assert first[0] == again[0] == 200 and again[1]["id"] == first[1]["id"]
    assert [m.content for m in fake_discord.channel_messages(channel)] == ["one"]


async def test_a_nonce_is_not_enforced_without_the_flag_or_after_the_window(
    fake_discord: FakeDiscord, raw: RawClient  # noqa: F811
) -> None:
    channel = fake_discord.guild.text_channel
    await raw.send(channel.id, content="a", nonce="n1", enforce_nonce=True)
    await raw.send(channel.id, content="b", nonce="n1")  # no enforce_nonce: a new message
    fake_discord.advance(NONCE_WINDOW + 1)
    await raw.send(channel.id, content="c", nonce="n1", enforce_nonce=True)  # the window is over
    other = fake_discord.add_channel(fake_discord.guild, "other")
    await raw.send(other.id, content="d", nonce="n1", enforce_nonce=True)  # another channel
    assert [m.content for m in fake_discord.channel_messages(channel)] == ["a", "b", "c"]
    assert [m.content for m in fake_discord.channel_messages(other)] == ["d"]


async def test_a_held_request_takes_effect_and_its_response_waits_for_release(
    fake_discord: FakeDiscord, raw: RawClient  # noqa: F811
) -> None:
    channel = fake_discord.guild.text_channel
    hold = fake_discord.hold("POST", rf"^/channels/{channel.id}/messages$")
    sending = asyncio.create_task(raw.send(channel.id, content="held"))
    await fake_discord.wait_for(lambda: len(hold.held) == 1)
    assert [m.content for m in fake_discord.channel_messages(channel)] == ["held"]
    assert not sending.done()
    hold.release()
    status, body, _ = await asyncio.wait_for(sending, 10)
    assert status == 200 and body["content"] == "held"
    second = await raw.send(channel.id, content="not held")  # times=1: only the first was held
    assert second[0] == 200 and len(hold.held) == 1
