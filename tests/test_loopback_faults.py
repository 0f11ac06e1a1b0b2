"""Self-tests of the loopback Discord's fault and load features (tests/loopback).

Rate limits (headers, 429s, early retries, and what discord.py 2.7.1 does with them), seeded
failure shares, gateway RESUME replay across dropped connections, interactions a modified client
could send (unchecked options, forged custom_ids), and per-interaction ack latencies. Like
tests/test_loopback_harness.py they use a throwaway bot or raw aiohttp, not studybot.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any, Literal

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.loopback import FakeDiscord, InteractionBuildError, RateLimits, RouteLimit, run_in_process
from tests.loopback.fixtures import fake_discord, start_bot  # noqa: F401

pytestmark = pytest.mark.e2e

CHANNEL_POSTS = r"^/channels/\d+/messages$"


class AgainView(discord.ui.View):
    """A persistent view: discord.py routes its clicks by custom_id alone."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Again", custom_id="faults:again")
    async def again(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.send_message("again", ephemeral=True)


class PickButton(discord.ui.DynamicItem[discord.ui.Button], template=r"faults:pick:(?P<n>\d+)"):
    def __init__(self, n: int) -> None:
        super().__init__(discord.ui.Button(label=str(n), custom_id=f"faults:pick:{n}"))
        self.n = n

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> PickButton:
        return cls(int(match["n"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"picked {self.n}", ephemeral=True)


def make_bot() -> commands.Bot:
    """The throwaway bot: /ping (records ids), /echo (constrained options), /where (a channel)."""
    bot = commands.Bot(command_prefix=commands.when_mentioned, intents=discord.Intents.default(),
                       allowed_mentions=discord.AllowedMentions.none(), guild_ready_timeout=0.05,
                       help_command=None)
    bot.seen_interactions = []  # type: ignore[attr-defined]

    @bot.tree.command(description="Answer pong")
    async def ping(interaction: discord.Interaction) -> None:
        bot.seen_interactions.append(interaction.id)  # type: ignore[attr-defined]
        view = discord.ui.View(timeout=None)
        view.add_item(PickButton(1))
        await interaction.response.send_message("pong", view=view)

    @bot.tree.command(description="Echo constrained options")
    async def echo(interaction: discord.Interaction, word: app_commands.Range[str, 2, 5],
                   times: app_commands.Range[int, 1, 3] = 1, colour: Literal["red", "blue"] = "red") -> None:
        await interaction.response.send_message(f"{word}|{times}|{colour}")

    @bot.tree.command(description="Name a text channel")
    async def where(interaction: discord.Interaction, channel: discord.TextChannel) -> None:
        await interaction.response.send_message(f"#{channel.name}")

    @bot.tree.error
    async def refuse(interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        await interaction.response.send_message(f"refused: {type(error).__name__}", ephemeral=True)

    async def setup_hook() -> None:
        bot.add_view(AgainView())
        bot.add_dynamic_items(PickButton)
        await bot.tree.sync()

    bot.setup_hook = setup_hook  # type: ignore[method-assign]
    return bot


async def post(http: aiohttp.ClientSession, fake: FakeDiscord, channel_id: str, content: str,
               **headers: str) -> aiohttp.ClientResponse:
    """A raw `POST /channels/{id}/messages` as a bot would send it (body read, then returned)."""
    async with http.post(f"{fake.api_base}/channels/{channel_id}/messages",
                         json={"content": content, "allowed_mentions": {"parse": []}},
                         headers={"Authorization": f"Bot {fake.token}", **headers}) as response:
        await response.read()
        return response


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


# ---- rate limits -----------------------------------------------------------------------------


async def test_route_bucket_headers_and_a_429_that_does_nothing(http: aiohttp.ClientSession) -> None:
    limits = RateLimits(routes=(RouteLimit("POST", "/channels/{channel_id}/messages", limit=2, per=0.4),),
                        in_flight_grace=0.05)
    async with FakeDiscord(rate_limits=limits) as fake:
        g = fake.guild
        first = await post(http, fake, g.text_channel.id, "one")
        second = await post(http, fake, g.text_channel.id, "two")
        other_channel = await post(http, fake, g.system_channel.id, "elsewhere")
        refused = await post(http, fake, g.text_channel.id, "three")

        assert [r.status for r in (first, second, other_channel, refused)] == [200, 200, 200, 429]
        assert (first.headers["X-RateLimit-Limit"], first.headers["X-RateLimit-Remaining"]) == ("2", "1")
        assert second.headers["X-RateLimit-Remaining"] == "0"
        assert other_channel.headers["X-RateLimit-Remaining"] == "1"  # its own bucket...
        bucket = first.headers["X-RateLimit-Bucket"]
        assert second.headers["X-RateLimit-Bucket"] == other_channel.headers["X-RateLimit-Bucket"] == bucket
        assert 0 < float(first.headers["X-RateLimit-Reset-After"]) <= 0.4
        assert re.fullmatch(r"\d+\.\d{3}", first.headers["X-RateLimit-Reset"])

        body = fake.rate_limited[0].response
        assert body["message"] == "You are being rate limited." and body["global"] is False
        assert 0 < body["retry_after"] <= 0.4
        assert refused.headers["X-RateLimit-Scope"] == "user" and refused.headers["Via"]
        assert refused.headers["Retry-After"] == "1" and "X-RateLimit-Global" not in refused.headers
        assert [m.content for m in fake.channel_messages(g.text_channel)] == ["one", "two"]
        assert fake.rate_limited == [fake.requests[-1]] and fake.violations == []

        await asyncio.sleep(0.1)  # past the in-flight grace, before retry_after ran out
        early = await post(http, fake, g.text_channel.id, "three")
        assert early.status == 429
        assert [v.kind for v in fake.violations] == ["protocol"]
        assert "after a 429" in fake.violations[0].problem

        await asyncio.sleep(float(early.headers["X-RateLimit-Reset-After"]))
        assert (await post(http, fake, g.text_channel.id, "three")).status == 200
        assert len(fake.violations) == 1


async def test_global_limit_spares_interaction_routes(http: aiohttp.ClientSession) -> None:
    async with FakeDiscord(rate_limits=RateLimits(global_limit=3, global_per=0.5)) as fake:
        fake.commands[None] = [{"id": "7", "name": "ping", "type": 1, "description": "d", "options": []}]
        g = fake.guild
        statuses = [(await post(http, fake, g.text_channel.id, f"m{i}")).status for i in range(4)]
        assert statuses == [200, 200, 200, 429]
        refused = fake.rate_limited[-1]
        assert refused.response["global"] is True
        async with http.get(f"{fake.api_base}/users/@me", headers={"Authorization": f"Bot {fake.token}"}) as me:
            assert me.status == 429
            assert (me.headers["X-RateLimit-Global"], me.headers["X-RateLimit-Scope"]) == ("true", "global")

        handle = fake.slash(g, g.member, "ping")
        url = f"{fake.api_base}/interactions/{handle.id}/{handle.record.token}/callback?with_response=1"
        callback = {"type": 4, "data": {"content": "pong", "allowed_mentions": {"parse": []}}}
        async with http.post(url, json=callback) as answered:
            assert answered.status == 200  # interaction routes are not bound to the global limit
        followup = {"content": "more", "allowed_mentions": {"parse": []}}
        async with http.post(f"{fake.api_base}/webhooks/{fake.application_id}/{handle.record.token}?wait=1",
                             json=followup) as followed:
            assert followed.status == 200
        assert len(fake.rate_limited) == 2 and fake.violations == []


def test_floor_seconds() -> None:
    defaults = RateLimits()
    assert defaults.floor_seconds(1000, 1000) == 19.0  # 20 global windows of 50
    assert defaults.floor_seconds(50, 50) == 0.0
    assert defaults.floor_seconds(11, 1) == 10.0  # three windows of 5 in one channel
    assert defaults.floor_seconds(0, 10) == 0.0
    assert RateLimits(global_limit=10, global_per=0.5).floor_seconds(31, 31) == 1.5


async def test_discord_py_backs_off_from_the_headers_without_early_retries() -> None:
    """discord.py reads X-RateLimit-* (Reset-After, Remaining) and never overruns a route
    bucket; it has no global limiter of its own, so it meets global 429s and waits them out."""
    limits = RateLimits(global_limit=8, global_per=0.4,
                        routes=(RouteLimit("POST", "/channels/{channel_id}/messages", limit=3, per=0.4),))
    async with FakeDiscord(rate_limits=limits) as fake:
        g = fake.guild
        busy = g.text_channel
        others = [fake.add_channel(g, f"room-{i}") for i in range(9)]
        async with run_in_process(fake, make_bot) as bot:
            sends = [bot.get_partial_messageable(int(busy.id)).send(f"busy {i}") for i in range(7)]
            sends += [bot.get_partial_messageable(int(c.id)).send(f"to {c.name}") for c in others]
            sent = await asyncio.wait_for(asyncio.gather(*sends), 20)
        assert len(sent) == 16
        assert sorted(m.content for m in fake.channel_messages(busy)) == [f"busy {i}" for i in range(7)]
        assert all(len(fake.channel_messages(c)) == 1 for c in others)
        scopes = Counter("global" if r.response["global"] else "user" for r in fake.rate_limited)
        assert scopes["user"] == 0, "discord.py overran a route bucket: the headers were not honoured"
        assert scopes["global"] > 0  # 16 posts at 8 per window: discord.py only learns from 429s
        assert fake.violations == []


# ---- failure shares ---------------------------------------------------------------------------


async def test_fail_share_is_seeded_and_failed_requests_do_nothing(http: aiohttp.ClientSession) -> None:
    async with FakeDiscord() as fake:
        g = fake.guild
        rule = fake.fail_share("POST", CHANNEL_POSTS, share=0.4, statuses=(429, 500, 502), seed=5, retry_after=0.02)
        responses = [await post(http, fake, g.text_channel.id, f"m{i}") for i in range(40)]
        statuses = [r.status for r in responses]

        rng = random.Random(5)
        expected = [rng.choice((429, 500, 502)) if rng.random() < 0.4 else 200 for _ in range(40)]
        assert statuses == expected
        assert rule.seen == 40 and rule.hits == sum(s != 200 for s in statuses) > 0
        assert rule.by_status == Counter(s for s in statuses if s != 200)
        assert [m.content for m in fake.channel_messages(g.text_channel)] == [
            f"m{i}" for i, s in enumerate(statuses) if s == 200]

        limited = responses[statuses.index(429)]
        assert limited.headers["Via"] and limited.headers["X-RateLimit-Scope"] == "user"
        assert fake.rate_limited[0].response == {"message": "You are being rate limited.", "retry_after": 0.02,
                                                 "global": False}
        fake.clear_failures()
        assert (await post(http, fake, g.text_channel.id, "after")).status == 200


async def test_discord_py_retries_injected_429s_on_callbacks(fake_discord: FakeDiscord, start_bot) -> None:
    await start_bot(make_bot)
    g = fake_discord.guild
    rule = fake_discord.fail_share("POST", r"^/interactions/", share=0.5, statuses=(429,), seed=2, retry_after=0.02)
    results = await asyncio.gather(*(fake_discord.slash(g, g.member, "ping") for _ in range(12)))
    assert rule.hits > 0
    assert all(r.callback_type == 4 and r.content == "pong" for r in results)
    assert sum(len(r.errors) for r in results) == rule.hits  # each refused callback was sent again
    assert len(fake_discord.ack_latencies()) == 12 and min(fake_discord.ack_latencies()) > 0


# ---- gateway RESUME --------------------------------------------------------------------------


@pytest.mark.parametrize("outage", ["drop_connections", "reconnect"])
async def test_every_interaction_arrives_once_across_an_outage_mid_burst(
    fake_discord: FakeDiscord, start_bot, outage: str
) -> None:
    bot = await start_bot(make_bot)
    g = fake_discord.guild
    session = fake_discord.sessions[0]
    handles = [fake_discord.slash(g, g.member, "ping") for _ in range(60)]

    await asyncio.gather(*(h.send() for h in handles[:30]))
    cut = asyncio.create_task(getattr(fake_discord, outage)())
    await asyncio.gather(*(h.send() for h in handles[30:]))  # while the socket goes down
    await cut
    results = await asyncio.gather(*(h.wait() for h in handles))

    assert len(fake_discord.sessions) == 1 and session.resumes == 1  # resumed, not re-identified
    assert session.replayed > 0, "nothing was buffered: the outage did not happen mid-burst"
    seen = bot.seen_interactions  # type: ignore[attr-defined]
    assert sorted(seen) == sorted(int(h.id) for h in handles)  # all, and none twice
    assert all(r.callback_type == 4 for r in results)
    assert len(fake_discord.ack_latencies()) == 60


class RawGateway:
    """A hand-driven gateway client, for what discord.py would not do on its own."""

    def __init__(self, http: aiohttp.ClientSession, fake: FakeDiscord) -> None:
        self.http, self.fake = http, fake
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.seq = 0
        self.session_id = ""

    async def connect(self) -> None:
        self.ws = await self.http.ws_connect(self.fake.gateway_url)
        assert (await self.frame())["op"] == 10

    async def frame(self) -> dict[str, Any]:
        assert self.ws is not None
        msg = await asyncio.wait_for(self.ws.receive(), 5)
        assert msg.type == aiohttp.WSMsgType.TEXT, msg
        frame = json.loads(msg.data)
        if frame.get("s"):
            self.seq = frame["s"]
        return frame

    async def until(self, event: str) -> list[dict[str, Any]]:
        frames = [await self.frame()]
        while frames[-1].get("t") != event:
            frames.append(await self.frame())
        return frames

    async def identify(self) -> None:
        await self.connect()
        assert self.ws is not None
        await self.ws.send_json({"op": 2, "d": {"token": self.fake.token, "intents": 1}})
        ready = (await self.until("READY"))[-1]
        self.session_id = ready["d"]["session_id"]
        await self.until("GUILD_CREATE")

    async def dropped(self) -> None:
        """Let `fake.drop_connections()` close this socket (read until the close; aiohttp answers it)."""
        assert self.ws is not None
        while not self.ws.closed:
            await asyncio.wait_for(self.ws.receive(), 5)

    async def resume(self, seq: int | None = None) -> dict[str, Any]:
        await self.connect()
        assert self.ws is not None
        await self.ws.send_json({"op": 6, "d": {"token": self.fake.token, "session_id": self.session_id,
                                                "seq": self.seq if seq is None else seq}})
        return await self.frame()


async def test_resume_replays_from_the_clients_seq_and_ended_sessions_get_nothing(
    http: aiohttp.ClientSession,
) -> None:
    async with FakeDiscord(resume_buffer=4) as fake:
        fake.commands[None] = [{"id": "7", "name": "ping", "type": 1, "description": "d", "options": []}]
        g = fake.guild
        client = RawGateway(http, fake)
        await client.identify()
        session = fake.sessions[0]
        first = fake.slash(g, g.member, "ping")
        await first.send()
        assert (await client.frame())["d"]["id"] == first.id
        seen = client.seq

        await asyncio.gather(fake.drop_connections(), client.dropped())
        missed = [fake.slash(g, g.member, "ping") for _ in range(2)]
        for handle in missed:
            await handle.send()  # buffered: the socket is down, the session is not over
        replay = [await client.resume(), await client.frame(), await client.frame()]
        assert [f["d"].get("id") for f in replay[:2]] == [h.id for h in missed]
        assert [f["s"] for f in replay] == [seen + 1, seen + 2, seen + 3] and replay[2]["t"] == "RESUMED"
        assert session.resumes == 1 and session.replayed == 2

        await asyncio.gather(fake.drop_connections(), client.dropped())
        for _ in range(5):  # more than the buffer keeps
            await fake.slash(g, g.member, "ping").send()
        assert (await client.resume())["op"] == 9  # the frames after its seq are gone
        assert session.invalidated

        other = RawGateway(http, fake)
        await other.identify()
        assert other.ws is not None
        await other.ws.close(code=1000)  # a clean close ends the session
        await fake.wait_for(lambda: fake.sessions[1].invalidated, 5)
        with pytest.raises(RuntimeError, match="no bot is connected"):
            await fake.slash(g, g.member, "ping").send()
        other.session_id = fake.sessions[1].session_id
        assert (await other.resume())["op"] == 9


# ---- what a modified client could send --------------------------------------------------------


async def test_unchecked_options_reach_the_bot(fake_discord: FakeDiscord, start_bot) -> None:
    await start_bot(make_bot)
    g = fake_discord.guild
    with pytest.raises(InteractionBuildError, match="length"):
        fake_discord.slash(g, g.member, "echo", word="x" * 50)
    with pytest.raises(InteractionBuildError, match="max_value"):
        fake_discord.slash(g, g.member, "echo", word="hi", times=99)
    with pytest.raises(InteractionBuildError, match="choices"):
        fake_discord.slash(g, g.member, "echo", word="hi", colour="green")
    # discord.py does not check lengths, ranges or choices on arrival: the handler gets them.
    hostile = await fake_discord.slash(g, g.member, "echo", word="x" * 50, times=99, colour="green", unchecked=True)
    assert hostile.content == f"{'x' * 50}|99|green"

    elsewhere = fake_discord.add_guild("Other Server")
    with pytest.raises(InteractionBuildError, match="not in guild"):
        fake_discord.slash(g, g.member, "where", channel=elsewhere.text_channel)
    handle = fake_discord.slash(g, g.member, "where", channel=elsewhere.text_channel, unchecked=True)
    resolved = handle.payload["data"]["resolved"]["channels"]
    assert list(resolved) == [elsewhere.text_channel.id]
    refused = await handle
    assert refused.content == "refused: TransformerError"  # not a channel the bot can see here
    voice_like = fake_discord.add_channel(g, "lounge")
    voice_like.type = 2
    with pytest.raises(InteractionBuildError, match="channel type"):
        fake_discord.slash(g, g.member, "where", channel=voice_like)
    assert fake_discord.slash(g, g.member, "where", channel=voice_like, unchecked=True).payload["data"]["options"]


async def test_forged_custom_ids(fake_discord: FakeDiscord, start_bot) -> None:
    await start_bot(make_bot)
    g = fake_discord.guild
    posted = await fake_discord.slash(g, g.member, "ping")
    message = posted.message
    assert message is not None and message.custom_ids() == ["faults:pick:1"]
    with pytest.raises(InteractionBuildError, match="no component"):
        fake_discord.click(message, "faults:pick:99", g.member)

    # A persistent View is routed by custom_id alone: a forged click reaches its handler.
    again = await fake_discord.click(message, "faults:again", g.member, forged=True)
    assert again.content == "again"
    # A DynamicItem handler sees a forged id when the message the bot receives carries it...
    picked = await fake_discord.click(message, "faults:pick:99", g.member, forged=True)
    assert picked.content == "picked 99"
    assert picked.record.payload["message"]["components"][-1]["components"][0]["custom_id"] == "faults:pick:99"
    # ...and discord.py drops the click before any handler runs when it does not.
    dropped = await fake_discord.click(message.payload(), "faults:pick:98", g.member, forged=True,
                                       in_message=False).wait(timeout=1)
    assert not dropped.answered
    assert message.custom_ids() == ["faults:pick:1"]  # the stored message is unchanged
