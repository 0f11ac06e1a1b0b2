"""Self-tests of the loopback Discord's strict checks (issue 12), one section per check.

Each drives the fake with a deliberately wrong client (raw aiohttp requests, or a tiny discord.py
bot) and shows that the fake answers as Discord would and records the mistake.
"""

from __future__ import annotations

import asyncio
from typing import Any, AsyncIterator

import aiohttp
import discord
import pytest
import pytest_asyncio
from discord.ext import commands

from tests.loopback import FakeDiscord, InteractionHandle, RateLimits
from tests.loopback.fixtures import fake_discord, start_bot  # noqa: F401
from tests.loopback.payloads import EMBED_LINKS, SEND_MESSAGES

pytestmark = pytest.mark.e2e

QUIET = {"parse": []}
DEFERRED = 5  # DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE: the user sees "thinking…"
EPHEMERAL = 1 << 6
LOADING = 1 << 7


class RawClient:
    """A bot reduced to bare HTTP: it sends exactly what a test tells it, right or wrong."""

    def __init__(self, fake: FakeDiscord, http: aiohttp.ClientSession) -> None:
        self.fake = fake
        self.http = http
        self.auth = {"Authorization": f"Bot {fake.token}"}

    async def request(self, method: str, path: str, body: Any = None, *,
                      auth: bool = True) -> tuple[int, Any, dict[str, str]]:
        async with self.http.request(method, self.fake.api_base + path, json=body,
                                     headers=self.auth if auth else {}) as response:
            data = await response.json(content_type=None) if response.status != 204 else None
            return response.status, data, dict(response.headers)

    async def send(self, channel_id: str, **fields: Any) -> tuple[int, Any, dict[str, str]]:
        """POST /channels/{id}/messages with `fields` (and the mention policy the fake wants)."""
        return await self.request("POST", f"/channels/{channel_id}/messages", {**fields, "allowed_mentions": QUIET})

    async def sync(self) -> None:
        status, _, _ = await self.request("PUT", f"/applications/{self.fake.application_id}/commands",
                                          [{"name": "ping", "description": "Reply", "type": 1}])
        assert status == 200

    def interaction(self) -> InteractionHandle:
        """An interaction the test answers by hand (it is never dispatched to a gateway)."""
        g = self.fake.guild
        return self.fake.slash(g, g.member, "ping")

    async def callback(self, handle: InteractionHandle, body: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        return await self.request("POST", f"/interactions/{handle.id}/{handle.record.token}/callback", body,
                                  auth=False)

    async def followup(self, handle: InteractionHandle, body: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        return await self.request("POST", f"/webhooks/{self.fake.application_id}/{handle.record.token}?wait=true",
                                  body, auth=False)

    async def edit_original(self, handle: InteractionHandle, body: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        return await self.request(
            "PATCH", f"/webhooks/{self.fake.application_id}/{handle.record.token}/messages/@original", body,
            auth=False)

    async def answered(self) -> InteractionHandle:
        handle = self.interaction()
        status, _, _ = await self.callback(handle, {"type": 4, "data": {"content": "hi", "allowed_mentions": QUIET}})
        assert status == 200
        return handle

    async def deferred(self, *, ephemeral: bool = False) -> InteractionHandle:
        handle = self.interaction()
        status, _, _ = await self.callback(handle, {"type": DEFERRED, "data": {"flags": EPHEMERAL if ephemeral else 0}})
        assert status == 200
        return handle


@pytest_asyncio.fixture
async def raw(fake_discord: FakeDiscord) -> AsyncIterator[RawClient]:  # noqa: F811
    async with aiohttp.ClientSession() as http:
        client = RawClient(fake_discord, http)
        await client.sync()
        yield client


def take_violations(fake: FakeDiscord, kind: str) -> list[str]:
    """The problems of `kind`, after which the fake is cleared of violations (they were wanted)."""
    found = [v.problem for v in fake.violations if v.kind == kind]
    fake.violations.clear()
    return found


async def eventually(predicate: Any, tries: int = 500) -> None:
    """Poll `predicate` (something the bot does on its own, with no request to wake on)."""
    for _ in range(tries):
        if predicate():
            return
        await asyncio.sleep(0.01)
    assert predicate()


def make_bot(on_ready_commands: Any = None) -> commands.Bot:
    bot = commands.Bot(command_prefix=commands.when_mentioned, intents=discord.Intents.default(),
                       allowed_mentions=discord.AllowedMentions.none(), guild_ready_timeout=0.05,
                       help_command=None)
    if on_ready_commands is not None:
        on_ready_commands(bot)

    async def setup_hook() -> None:
        await bot.tree.sync()

    bot.setup_hook = setup_hook  # type: ignore[method-assign]
    return bot


# ---- 1. interaction tokens expire after 15 minutes ---------------------------------------------


async def test_a_followup_on_a_token_older_than_15_minutes_gets_401_invalid_webhook_token(
    fake_discord: FakeDiscord, raw: RawClient  # noqa: F811
) -> None:
    handle = await raw.answered()
    fake_discord.advance(15 * 60 + 1)
    status, body, _ = await raw.followup(handle, {"content": "late", "allowed_mentions": QUIET})
    assert (status, body["code"], body["message"]) == (401, 50027, "Invalid Webhook Token")
    assert handle.record.followup_ids == []
    (problem,) = take_violations(fake_discord, "protocol")
    assert "token used 901s after" in problem


async def test_an_edit_on_a_token_just_under_15_minutes_old_still_works(
    fake_discord: FakeDiscord, raw: RawClient  # noqa: F811
) -> None:
    handle = await raw.deferred()
    fake_discord.advance(15 * 60 - 1)
    status, body, _ = await raw.edit_original(handle, {"content": "in time", "allowed_mentions": QUIET})
    assert status == 200 and body["content"] == "in time"
    assert fake_discord.violations == []


# ---- 2. the first followup after a deferral edits the "thinking…" message ------------------------


async def test_the_first_followup_after_a_deferral_edits_the_thinking_message_and_later_ones_are_new(
    fake_discord: FakeDiscord, raw: RawClient  # noqa: F811
) -> None:
    handle = await raw.deferred()
    thinking = handle.record.original_message_id
    _, first, _ = await raw.followup(handle, {"content": "first", "allowed_mentions": QUIET})
    _, second, _ = await raw.followup(handle, {"content": "second", "allowed_mentions": QUIET})
    assert first["id"] == thinking and not first["flags"] & LOADING and first["content"] == "first"
    assert second["id"] != thinking
    assert [m.content for m in fake_discord.channel_messages(fake_discord.guild.text_channel)] == ["first", "second"]


async def test_an_ephemeral_first_followup_after_a_public_deferral_is_shown_to_everyone_and_recorded(
    fake_discord: FakeDiscord, start_bot  # noqa: F811
) -> None:
    def commands_(bot: commands.Bot) -> None:
        @bot.tree.command(description="Defer in public, then answer 'privately'")
        async def leak(interaction: discord.Interaction) -> None:
            await interaction.response.defer(thinking=True)
            await interaction.followup.send("only for you", ephemeral=True)

    await start_bot(lambda: make_bot(commands_))
    g = fake_discord.guild
    result = await fake_discord.slash(g, g.member, "leak")
    assert result.message is not None and result.message.content == "only for you"
    assert not result.message.ephemeral and result.followup_messages == []
    (problem,) = take_violations(fake_discord, "visibility")
    assert "ephemeral followup after a public deferral" in problem


async def test_the_first_followup_after_an_ephemeral_deferral_stays_ephemeral_without_the_flag(
    fake_discord: FakeDiscord, raw: RawClient  # noqa: F811
) -> None:
    handle = await raw.deferred(ephemeral=True)
    _, first, _ = await raw.followup(handle, {"content": "hidden", "allowed_mentions": QUIET})
    assert first["flags"] & EPHEMERAL
    assert fake_discord.violations == []


# ---- 3. channel permissions --------------------------------------------------------------------


@pytest.mark.parametrize(("denied", "code", "message"), [
    ("VIEW_CHANNEL", 50001, "Missing Access"),
    ("SEND_MESSAGES", 50013, "Missing Permissions"),
])
async def test_a_send_without_a_needed_permission_is_refused_with_discords_403_and_code(
    fake_discord: FakeDiscord, raw: RawClient, denied: str, code: int, message: str  # noqa: F811
) -> None:
    channel = fake_discord.add_channel(fake_discord.guild, "closed")
    await fake_discord.set_bot_permissions(channel, deny={denied})
    status, body, _ = await raw.send(channel.id, content="hi")
    assert (status, body["code"], body["message"]) == (403, code, message)
    assert fake_discord.channel_messages(channel) == []


async def test_embeds_without_embed_links_are_accepted_without_the_embeds_and_recorded(
    fake_discord: FakeDiscord, raw: RawClient  # noqa: F811
) -> None:
    plain = fake_discord.add_channel(fake_discord.guild, "plain")
    await fake_discord.set_bot_permissions(plain, deny={"EMBED_LINKS"})
    status, body, _ = await raw.send(plain.id, content="see below", embeds=[{"title": "Quiz"}])
    assert status == 200 and body["embeds"] == []
    (message,) = fake_discord.channel_messages(plain)
    assert message.content == "see below" and message.embeds == []
    (problem,) = take_violations(fake_discord, "permissions")
    assert "without Embed Links" in problem


async def test_without_read_message_history_history_is_empty_and_a_message_fetch_is_403(
    fake_discord: FakeDiscord, raw: RawClient  # noqa: F811
) -> None:
    channel = fake_discord.guild.text_channel
    _, sent, _ = await raw.send(channel.id, content="hi")
    await fake_discord.set_bot_permissions(channel, deny={"READ_MESSAGE_HISTORY"})
    history = await raw.request("GET", f"/channels/{channel.id}/messages?limit=10")
    fetched = await raw.request("GET", f"/channels/{channel.id}/messages/{sent['id']}")
    assert (history[0], history[1]) == (200, [])
    assert (fetched[0], fetched[1]["code"]) == (403, 50013)


async def test_the_bots_cached_permissions_agree_with_the_fake_before_and_after_a_change(
    fake_discord: FakeDiscord, start_bot  # noqa: F811
) -> None:
    g = fake_discord.guild
    plain = fake_discord.add_channel(g, "plain")
    await fake_discord.set_bot_permissions(plain, deny={"EMBED_LINKS"})
    bot = await start_bot(make_bot)
    guild = bot.get_guild(int(g.id))
    assert guild is not None
    cached = guild.get_channel(int(plain.id))
    assert isinstance(cached, discord.TextChannel)
    assert cached.permissions_for(guild.me).value == fake_discord.bot_permissions_in(plain)
    assert not cached.permissions_for(guild.me).embed_links

    now = await fake_discord.set_bot_permissions(plain, deny={"SEND_MESSAGES"})
    await eventually(lambda: cached.permissions_for(guild.me).value == now)
    assert not now & SEND_MESSAGES and not now & EMBED_LINKS  # implicitly denied with Send Messages


async def test_interactions_carry_the_bots_channel_permissions_as_app_permissions(
    fake_discord: FakeDiscord, raw: RawClient  # noqa: F811
) -> None:
    g = fake_discord.guild
    await fake_discord.set_bot_permissions(g.text_channel, deny={"EMBED_LINKS"})
    handle = raw.interaction()
    assert int(handle.payload["app_permissions"]) == fake_discord.bot_permissions_in(g.text_channel)
    assert not int(handle.payload["app_permissions"]) & EMBED_LINKS


# ---- 4. rate limits on every route, on by default ---------------------------------------------


async def test_the_fixture_answers_every_route_but_callbacks_with_rate_limit_headers(
    fake_discord: FakeDiscord, raw: RawClient  # noqa: F811
) -> None:
    handle = raw.interaction()
    _, _, callback = await raw.callback(handle, {"type": DEFERRED})
    answers = [
        await raw.request("GET", "/users/@me"),
        await raw.request("GET", f"/channels/{fake_discord.guild.text_channel.id}"),
        await raw.followup(handle, {"content": "a", "allowed_mentions": QUIET}),
        await raw.edit_original(handle, {"content": "b", "allowed_mentions": QUIET}),
    ]
    for status, _, headers in answers:
        assert status == 200 and {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset-After",
                                  "X-RateLimit-Bucket"} <= set(headers), headers
    assert "X-RateLimit-Bucket" not in callback


async def test_followups_past_their_webhook_bucket_get_429_and_an_early_retry_is_recorded(
    fake_discord: FakeDiscord, raw: RawClient  # noqa: F811
) -> None:
    handle = await raw.deferred()
    statuses = [(await raw.followup(handle, {"content": f"{n}", "allowed_mentions": QUIET}))[0] for n in range(5)]
    status, body, headers = await raw.followup(handle, {"content": "one too many", "allowed_mentions": QUIET})
    assert statuses == [200] * 5
    assert status == 429 and body["retry_after"] > 0 and headers["Via"] and headers["X-RateLimit-Scope"] == "user"
    fake_discord.advance(body["retry_after"] / 2)  # the client came back before retry_after ran out
    await raw.followup(handle, {"content": "too soon", "allowed_mentions": QUIET})
    (problem,) = take_violations(fake_discord, "protocol")
    assert "before its retry_after ran out" in problem


async def test_requests_answered_with_an_injected_429_do_not_use_up_their_bucket(
    fake_discord: FakeDiscord, raw: RawClient  # noqa: F811
) -> None:
    channel = fake_discord.guild.text_channel
    fake_discord.fail_share("POST", r"^/channels/\d+/messages$", share=1.0, statuses=(429,))
    refused = [(await raw.send(channel.id, content="no"))[0] for _ in range(5)]
    fake_discord.clear_failures()
    sent = [(await raw.send(channel.id, content=f"{n}"))[0] for n in range(5)]  # the bucket's 5
    assert refused == [429] * 5 and sent == [200] * 5


@pytest.mark.loopback(rate_limits=RateLimits(global_limit=2))
async def test_interaction_callbacks_are_bound_by_no_rate_limit(
    fake_discord: FakeDiscord, raw: RawClient  # noqa: F811
) -> None:
    message = {"type": 4, "data": {"content": "hi", "allowed_mentions": QUIET}}
    callbacks = [(await raw.callback(raw.interaction(), message))[0] for _ in range(5)]
    others: list[int] = []
    while len(others) < 5 and 429 not in others:  # stop at the 429: coming back early is a violation
        others.append((await raw.request("GET", "/users/@me"))[0])
    assert callbacks == [200] * 5
    assert 429 in others, "the global limit never bit: the test proves nothing"


# ---- 5. a deferral never completed ------------------------------------------------------------


async def test_a_deferral_never_completed_is_a_violation_at_assert_clean(
    fake_discord: FakeDiscord, raw: RawClient  # noqa: F811
) -> None:
    handle = await raw.deferred()
    with pytest.raises(AssertionError, match="deferred .thinking.. and never completed"):
        fake_discord.assert_clean()
    assert [v.kind for v in fake_discord.violations] == ["protocol"]
    assert handle.id in fake_discord.violations[0].problem
    fake_discord.violations.clear()


async def test_a_deferral_completed_by_an_edit_of_the_original_is_clean(
    fake_discord: FakeDiscord, raw: RawClient  # noqa: F811
) -> None:
    handle = await raw.deferred()
    await raw.edit_original(handle, {"content": "done", "allowed_mentions": QUIET})
    fake_discord.assert_clean()


async def test_a_discord_py_bot_that_defers_and_never_answers_is_caught(
    fake_discord: FakeDiscord, start_bot  # noqa: F811
) -> None:
    def commands_(bot: commands.Bot) -> None:
        @bot.tree.command(description="Think forever")
        async def ponder(interaction: discord.Interaction) -> None:
            await interaction.response.defer(thinking=True)

    await start_bot(lambda: make_bot(commands_))
    g = fake_discord.guild
    result = await fake_discord.slash(g, g.member, "ponder").wait(until="callback")
    assert result.deferred
    assert len(fake_discord.check_deferrals()) == 1
    fake_discord.violations.clear()


# ---- 6. request bodies against Discord's OpenAPI description ----------------------------------


async def test_a_body_against_discords_openapi_schema_is_answered_400_50035_and_recorded(
    fake_discord: FakeDiscord, raw: RawClient  # noqa: F811
) -> None:
    channel = fake_discord.guild.text_channel
    status, body, _ = await raw.send(channel.id, content="hi", tts="yes")
    assert (status, body["code"]) == (400, 50035)
    assert fake_discord.channel_messages(channel) == []
    (problem,) = take_violations(fake_discord, "schema")
    assert "tts" in problem and "boolean" in problem


@pytest.mark.loopback(reject_invalid=False)
async def test_without_reject_invalid_a_schema_break_is_recorded_but_accepted(
    fake_discord: FakeDiscord, raw: RawClient  # noqa: F811
) -> None:
    handle = raw.interaction()
    status, _, _ = await raw.callback(handle, {"type": 4, "data": {"content": "hi", "tts": "yes",
                                                                   "allowed_mentions": QUIET}})
    assert status == 200 and handle.record.original_message_id is not None
    (problem,) = take_violations(fake_discord, "schema")
    assert "tts" in problem


async def test_a_limit_break_is_reported_by_the_limit_check_and_not_again_by_the_schema(
    fake_discord: FakeDiscord, raw: RawClient  # noqa: F811
) -> None:
    channel = fake_discord.guild.text_channel
    status, _, _ = await raw.send(channel.id, content="x" * 2001)
    assert status == 400
    assert [v.kind for v in fake_discord.violations] == ["limit"]
    fake_discord.violations.clear()


async def test_what_discord_py_sends_for_files_embeds_and_views_passes_the_schema(
    fake_discord: FakeDiscord, start_bot  # noqa: F811
) -> None:
    def commands_(bot: commands.Bot) -> None:
        @bot.tree.command(description="Everything at once")
        async def full(interaction: discord.Interaction) -> None:
            view = discord.ui.View(timeout=None)
            view.add_item(discord.ui.Button(label="A", custom_id="full:a"))
            await interaction.response.defer(thinking=True)
            await interaction.followup.send("x", embed=discord.Embed(title="t", description="d").add_field(
                name="n", value="v"), view=view, file=discord.File(__file__, "notes.md"))
            assert interaction.channel is not None
            await interaction.channel.send("y", embed=discord.Embed(title="t"))  # type: ignore[union-attr]

    await start_bot(lambda: make_bot(commands_))
    g = fake_discord.guild
    result = await fake_discord.slash(g, g.member, "full")
    await fake_discord.wait_for_message(lambda m: m.content == "y", channel=g.text_channel)
    assert result.errors == [] and fake_discord.violations == []
