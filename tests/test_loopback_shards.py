"""The loopback Discord speaks shards, checked with the real discord.py AutoShardedBot
(`ShardedStudyBot`): `GET /gateway/bot` reports the shard count and `max_concurrency`; each shard
IDENTIFYs with `[shard_id, shard_count]` within its rate-limit bucket and gets only its own guilds;
interactions reach the process that runs the guild's shard, and direct messages shard 0."""

from __future__ import annotations

from collections import Counter
from contextlib import AsyncExitStack
from pathlib import Path

import aiohttp
import discord
import pytest

from bot.discord_app.bot import ShardedStudyBot
from tests.e2e_support import reply_message, running_studybot
from tests.loopback import FakeDiscord, FakeGuild, shard_of

pytestmark = pytest.mark.e2e


async def sharded_fake(count: int, max_concurrency: int) -> tuple[FakeDiscord, list[FakeGuild]]:
    fake = await FakeDiscord(shard_count=count, max_concurrency=max_concurrency).start()
    guilds = [fake.guild] + [fake.add_guild(f"Study Group {n}", shard=n % count) for n in range(2 * count)]
    return fake, guilds


def served(guilds: list[FakeGuild], ids: range, count: int) -> set[int]:
    return {int(g.id) for g in guilds if shard_of(g.id, count) in ids}


async def test_gateway_bot_reports_the_shard_count_and_max_concurrency() -> None:
    async with FakeDiscord(shard_count=8, max_concurrency=4) as fake, aiohttp.ClientSession() as http:
        async with http.get(f"{fake.api_base}/gateway/bot", headers={"Authorization": f"Bot {fake.token}"}) as got:
            body = await got.json(content_type=None)
    assert body["shards"] == 8 and body["session_start_limit"]["max_concurrency"] == 4
    assert body["url"] == fake.gateway_url


async def test_a_process_on_two_of_four_shards_identifies_each_and_gets_only_their_guilds(tmp_path: Path) -> None:
    fake, guilds = await sharded_fake(4, max_concurrency=2)
    try:
        async with running_studybot(fake, tmp_path, shards="0-1/4") as run:
            assert isinstance(run.bot, ShardedStudyBot) and isinstance(run.bot, discord.AutoShardedClient)
            assert sorted(s.shard for s in fake.sessions) == [[0, 4], [1, 4]]
            assert {g.id for g in run.bot.guilds} == served(guilds, range(0, 2), 4)
            assert set(run.bot.shards) == {0, 1}
        fake.assert_clean()  # no IDENTIFY broke its bucket's 5 s
    finally:
        await fake.close()


async def test_shards_of_one_bucket_identify_5_seconds_apart(tmp_path: Path) -> None:
    """With max_concurrency 2, shards 0 and 2 share bucket 0: the second waits its turn, as
    Discord requires, while shard 1 (bucket 1) does not wait for either."""
    fake, guilds = await sharded_fake(4, max_concurrency=2)
    try:
        async with running_studybot(fake, tmp_path, shards="0-2/4") as run:
            assert {g.id for g in run.bot.guilds} == served(guilds, range(0, 3), 4)
        fake.assert_clean()
        identified = {s.shard[0]: s for s in fake.sessions}
        assert sorted(identified) == [0, 1, 2]
    finally:
        await fake.close()


async def test_an_identify_too_soon_in_its_bucket_is_a_violation() -> None:
    async with FakeDiscord(shard_count=2, max_concurrency=1) as fake, aiohttp.ClientSession() as http:
        for shard in (0, 1):
            async with http.ws_connect(fake.gateway_url) as ws:
                await ws.receive_json()  # HELLO
                await ws.send_json({"op": 2, "d": {"token": fake.token, "intents": 1, "shard": [shard, 2],
                                                   "properties": {}}})
                ready = await ws.receive_json()
                assert ready["t"] == "READY" and ready["d"]["shard"] == [shard, 2]
        assert [v.problem for v in fake.violations if "IDENTIFY of shard 1" in v.problem]


async def test_an_identify_with_a_shard_outside_the_count_is_closed_with_4010() -> None:
    async with FakeDiscord(shard_count=2) as fake, aiohttp.ClientSession() as http:
        async with http.ws_connect(fake.gateway_url) as ws:
            await ws.receive_json()
            await ws.send_json({"op": 2, "d": {"token": fake.token, "intents": 1, "shard": [2, 2], "properties": {}}})
            closing = await ws.receive()
            assert closing.type == aiohttp.WSMsgType.CLOSE and closing.data == 4010
        assert fake.sessions == []


async def test_interactions_reach_the_process_of_their_guilds_shard_and_direct_messages_shard_zero(
    tmp_path: Path,
) -> None:
    fake, guilds = await sharded_fake(2, max_concurrency=2)
    try:
        async with AsyncExitStack() as stack:
            runs = [await stack.enter_async_context(running_studybot(fake, tmp_path / name, shards=spec))
                    for name, spec in (("a", "0/2"), ("b", "1/2"))]
            got: list[Counter[str]] = [Counter(), Counter()]
            for n, run in enumerate(runs):
                async def seen(interaction: discord.Interaction, n: int = n) -> None:
                    got[n][str(interaction.guild_id) if interaction.guild_id else "dm"] += 1
                run.bot.add_listener(seen, "on_interaction")
            for guild in guilds:
                result = await fake.slash(guild, guild.member, "define", term="HPA")
                assert reply_message(result).embeds[0]["title"] == "Horizontal Pod Autoscaler"
            result = await fake.dm_slash(guilds[1].member, "define", term="HPA")
            assert reply_message(result).embeds
            for n in (0, 1):
                mine = {g.id for g in guilds if shard_of(g.id, 2) == n}
                assert set(got[n]) - {"dm"} == mine and all(v == 1 for v in got[n].values())
            assert got[0]["dm"] == 1 and got[1]["dm"] == 0
        fake.assert_clean()
    finally:
        await fake.close()
