"""Self-tests of the loopback Discord harness (tests/loopback) with a tiny throwaway bot.

The bot here is not studybot: it exists to prove the harness records, validates and drives the
real discord.py 2.7.1 client correctly, in-process and as a separate process.
"""

from __future__ import annotations

import asyncio
import io
import os
import textwrap
from pathlib import Path

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.loopback import FakeDiscord, InteractionBuildError, limits, python_argv
from tests.loopback.fixtures import bot_process, fake_discord, start_bot  # noqa: F401

REPO_ROOT = Path(__file__).resolve().parent.parent
TERMS = ("Kubernetes", "쿠버네티스", "Horizontal Pod Autoscaler", "Helm", "HPA")

pytestmark = pytest.mark.e2e


class PingView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Again", custom_id="ping:again", style=discord.ButtonStyle.primary)
    async def again(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.edit_message(content=f"pong again for {interaction.user.name}", view=None)

    @discord.ui.button(label="More", custom_id="ping:more")
    async def more(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.defer()
        await interaction.followup.send("more pong", ephemeral=True)


def make_bot() -> commands.Bot:
    """The throwaway bot: /ping, /define (autocomplete), /admin echo, /bad-title, /loud, /slow."""
    bot = commands.Bot(
        command_prefix=commands.when_mentioned,
        intents=discord.Intents.default(),
        allowed_mentions=discord.AllowedMentions.none(),
        guild_ready_timeout=0.05,
        help_command=None,
    )

    @bot.tree.command(description="Reply with pong, an embed and buttons")
    @app_commands.describe(word="What to put in the embed")
    async def ping(interaction: discord.Interaction, word: str = "pong") -> None:
        embed = discord.Embed(title="Pong", description=word)
        await interaction.response.send_message(embed=embed, view=PingView())

    @bot.tree.command(description="Look a term up")
    @app_commands.describe(term="The term")
    async def define(interaction: discord.Interaction, term: str) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.edit_original_response(content=f"{term}: a term")

    @define.autocomplete("term")
    async def define_term(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        found = [t for t in TERMS if current.lower() in t.lower()]
        return [app_commands.Choice(name=t, value=t) for t in found][:25]

    admin = app_commands.Group(name="admin", description="Admin tools",
                               default_permissions=discord.Permissions(manage_guild=True))

    @admin.command(description="Post text in a channel")
    async def echo(interaction: discord.Interaction, channel: discord.TextChannel, text: str) -> None:
        try:
            await channel.send(text)
        except discord.Forbidden:
            await interaction.response.send_message("I may not post there.", ephemeral=True)
            return
        await interaction.response.send_message(f"Posted in {channel.mention}.", ephemeral=True)

    bot.tree.add_command(admin)

    @bot.tree.command(name="bad-title", description="Send an embed whose title is too long")
    async def bad_title(interaction: discord.Interaction) -> None:
        await interaction.response.send_message(embed=discord.Embed(title="x" * 300))

    @bot.tree.command(description="Send a message that may ping everyone")
    async def loud(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("hello @everyone",
                                                allowed_mentions=discord.AllowedMentions(everyone=True))

    @bot.tree.command(description="Answer too late")
    async def slow(interaction: discord.Interaction) -> None:
        await asyncio.sleep(0.4)
        try:
            await interaction.response.send_message("late")
        except discord.NotFound:
            pass

    @bot.tree.command(description="Send the notes as a file")
    async def export(interaction: discord.Interaction) -> None:
        data = io.BytesIO("# 노트\nHPA".encode())
        await interaction.response.send_message("Here.", file=discord.File(data, "notes.md"))

    async def setup_hook() -> None:
        bot.add_view(PingView())
        await bot.tree.sync()

    bot.setup_hook = setup_hook  # type: ignore[method-assign]
    return bot


async def test_login_and_sync_are_recorded_and_valid(fake_discord: FakeDiscord, start_bot) -> None:
    bot = await start_bot(make_bot)
    fake = fake_discord
    paths = [(r.method, r.path) for r in fake.requests]
    assert paths[:3] == [
        ("GET", "/users/@me"),
        ("GET", "/oauth2/applications/@me"),
        ("PUT", f"/applications/{fake.application_id}/commands"),
    ]
    assert all(r.authorized for r in fake.requests[:3])
    assert all(fake.token not in str(r.headers) for r in fake.requests)
    synced = {d["name"]: d for d in fake.commands[None]}
    assert set(synced) == {"ping", "define", "admin", "bad-title", "loud", "slow", "export"}
    assert synced["admin"]["options"][0]["type"] == 1
    assert bot.user is not None and str(bot.user.id) == fake.bot_user.id
    guild = bot.get_guild(int(fake.guild.id))
    assert guild is not None and guild.system_channel is not None
    assert guild.system_channel.id == int(fake.guild.system_channel_id)
    session = fake.sessions[0]
    assert session.ready and session.seq == 1 + len(fake.guilds)


async def test_slash_command_round_trip(fake_discord: FakeDiscord, start_bot) -> None:
    await start_bot(make_bot)
    g = fake_discord.guild
    result = await fake_discord.slash(g, g.member, "ping", word="hello")
    assert result.callback_type == 4
    assert result.embeds[0]["title"] == "Pong" and result.embeds[0]["description"] == "hello"
    assert result.message is not None and result.message.custom_ids() == ["ping:again", "ping:more"]
    assert result.callback_data["allowed_mentions"] == {"parse": []}
    assert "hello" in result.text()


async def test_multipart_files_are_recorded_and_attached(fake_discord: FakeDiscord, start_bot) -> None:
    await start_bot(make_bot)
    g = fake_discord.guild
    result = await fake_discord.slash(g, g.member, "export")
    callback = result.record.callback
    assert callback is not None and callback.json["type"] == 4
    assert [(f["filename"], f["size"]) for f in callback.files] == [("notes.md", len("# 노트\nHPA".encode()))]
    assert result.content == "Here." and result.message.attachments[0]["filename"] == "notes.md"


async def test_builders_refuse_what_the_bot_did_not_sync(fake_discord: FakeDiscord, start_bot) -> None:
    await start_bot(make_bot)
    g = fake_discord.guild
    with pytest.raises(InteractionBuildError, match="did not sync"):
        fake_discord.slash(g, g.member, "quiz")
    with pytest.raises(InteractionBuildError, match="no option"):
        fake_discord.slash(g, g.member, "ping", colour="red")
    with pytest.raises(InteractionBuildError, match="expected str"):
        fake_discord.slash(g, g.member, "ping", word=3)
    with pytest.raises(InteractionBuildError, match="missing required"):
        fake_discord.slash(g, g.member, "define")
    with pytest.raises(InteractionBuildError, match="needs a subcommand"):
        fake_discord.slash(g, g.admin, "admin")
    with pytest.raises(InteractionBuildError, match="no autocomplete"):
        fake_discord.autocomplete(g, g.member, "ping", focused="word", value="x")


async def test_deferred_command_resolves_after_the_edit(fake_discord: FakeDiscord, start_bot) -> None:
    await start_bot(make_bot)
    g = fake_discord.guild
    result = await fake_discord.slash(g, g.member, "define", term="HPA", locale="ko")
    assert result.deferred and result.callback_type == 5
    assert result.edits and result.content == "HPA: a term"
    assert result.message is not None and not result.message.flags & (1 << 7)


async def test_autocomplete_round_trip(fake_discord: FakeDiscord, start_bot) -> None:
    await start_bot(make_bot)
    g = fake_discord.guild
    result = await fake_discord.autocomplete(g, g.member, "define", focused="term", value="쿠버")
    assert result.callback_type == 8
    assert [c["value"] for c in result.choices] == ["쿠버네티스"]
    latin = await fake_discord.autocomplete(g, g.member, "define", focused="term", value="h")
    assert {c["name"] for c in latin.choices} == {"Horizontal Pod Autoscaler", "Helm", "HPA"}


async def test_button_click_edits_the_message_and_follows_up(fake_discord: FakeDiscord, start_bot) -> None:
    await start_bot(make_bot)
    g = fake_discord.guild
    first = await fake_discord.slash(g, g.member, "ping")
    message = first.message
    assert message is not None

    clicked = await fake_discord.click(message, "ping:again", g.admin)
    assert clicked.callback_type == 7
    assert message.content == "pong again for admin" and message.components == []
    assert len(message.history) == 1 and message.history[0]["components"]

    second = await fake_discord.slash(g, g.member, "ping")
    assert second.message is not None
    more = await fake_discord.click(second.message, "ping:more", g.member)
    assert more.callback_type == 6
    assert [m.content for m in more.followup_messages] == ["more pong"]
    assert more.followup_messages[0].ephemeral

    with pytest.raises(InteractionBuildError, match="no component"):
        fake_discord.click(message, "ping:again", g.member)


async def test_concurrent_clicks_each_get_their_own_answer(fake_discord: FakeDiscord, start_bot) -> None:
    students = fake_discord.make_members(fake_discord.guild, 20)
    await start_bot(make_bot)
    g = fake_discord.guild
    posted = await fake_discord.slash(g, g.admin, "ping")
    assert posted.message is not None
    results = await asyncio.gather(*(fake_discord.click(posted.message, "ping:more", s) for s in students))
    assert all(r.callback_type == 6 and len(r.followup_messages) == 1 for r in results)
    assert len({r.record.token for r in results}) == len(students)


async def test_subcommand_with_channel_option_sends_to_the_channel(fake_discord: FakeDiscord, start_bot) -> None:
    await start_bot(make_bot)
    g = fake_discord.guild
    result = await fake_discord.slash(g, g.admin, "admin", "echo", channel=g.system_channel, text="hi all")
    assert result.ephemeral and "Posted in" in result.content
    posted = await fake_discord.wait_for_message(lambda m: m.content == "hi all", channel=g.system_channel)
    assert posted.webhook_id is None
    send = fake_discord.find_requests("POST", rf"^/channels/{g.system_channel.id}/messages$")[0]
    assert send.authorized and send.json["allowed_mentions"] == {"parse": []}


async def test_injected_forbidden_channel_reaches_the_bot(fake_discord: FakeDiscord, start_bot) -> None:
    await start_bot(make_bot)
    g = fake_discord.guild
    rule = fake_discord.forbid_channel(g.system_channel)
    result = await fake_discord.slash(g, g.admin, "admin", "echo", channel=g.system_channel, text="hi")
    assert result.content == "I may not post there."
    assert rule.hits == 1 and fake_discord.channel_messages(g.system_channel) == []


async def test_validator_catches_an_over_long_embed_title(fake_discord: FakeDiscord, start_bot) -> None:
    await start_bot(make_bot)
    g = fake_discord.guild
    result = await fake_discord.slash(g, g.member, "bad-title")
    assert [r.status for r in result.errors] == [400]
    assert [v.kind for v in fake_discord.violations] == ["limit"]
    assert "embeds[0].title is 300 characters" in fake_discord.violations[0].problem
    with pytest.raises(AssertionError, match="title"):
        fake_discord.assert_clean()
    fake_discord.violations.clear()


async def test_validator_catches_mentions_that_are_not_none(fake_discord: FakeDiscord, start_bot) -> None:
    await start_bot(make_bot)
    g = fake_discord.guild
    result = await fake_discord.slash(g, g.member, "loud")
    assert result.callback_type == 4  # accepted, as Discord would, but recorded
    assert [v.kind for v in fake_discord.violations] == ["mentions"]
    assert "parse must be []" in fake_discord.violations[0].problem
    fake_discord.violations.clear()


async def test_a_late_initial_response_is_refused(fake_discord: FakeDiscord, start_bot) -> None:
    await start_bot(make_bot)
    fake_discord.interaction_deadline = 0.2
    g = fake_discord.guild
    result = await fake_discord.slash(g, g.member, "slow")
    assert not result.acknowledged and result.errors[0].status == 404
    assert "deadline" in fake_discord.violations[0].problem
    fake_discord.violations.clear()


async def test_reconnect_resumes_the_session(fake_discord: FakeDiscord, start_bot) -> None:
    await start_bot(make_bot)
    session = fake_discord.sessions[0]
    await fake_discord.reconnect()
    await fake_discord.wait_for(lambda: session.resumes == 1 and session.live, 10)
    g = fake_discord.guild
    result = await fake_discord.slash(g, g.member, "ping")
    assert result.callback_type == 4 and len(fake_discord.sessions) == 1


async def test_unknown_routes_are_recorded(fake_discord: FakeDiscord, start_bot) -> None:
    bot = await start_bot(make_bot)
    with pytest.raises(discord.NotFound):
        await bot.fetch_invite("abc")
    assert fake_discord.violations[-1].kind == "unhandled"
    fake_discord.assert_clean(allow_unhandled=True)
    fake_discord.violations.clear()


def test_limits_on_command_definitions() -> None:
    ok = {"name": "용어", "description": "찾기", "options": [],
          "name_localizations": {"ko": "용어"}, "description_localizations": {"ko": "용어를 찾습니다"}}
    assert limits.check_command(ok) == []
    assert limits.check_command({**ok, "name": "Glossary"})
    assert limits.check_command({**ok, "name": "two words"})
    assert limits.check_command({**ok, "description": "x" * 101})
    assert limits.check_command({**ok, "name_localizations": {"kr": "용어"}})
    assert limits.check_command({**ok, "description_localizations": {"ko": "x" * 101}})
    choices = [{"name": f"c{i}", "value": f"c{i}"} for i in range(26)]
    too_many = {**ok, "options": [{"name": "pick", "description": "d", "type": 3, "choices": choices}]}
    assert any("26 choices" in p for p in limits.check_command(too_many))
    huge = {**ok, "options": [{"name": f"o{i}", "description": "d" * 100, "type": 3} for i in range(25)]}
    for option in huge["options"][:2]:
        option["choices"] = [{"name": "n" * 100, "value": "v" * 100} for _ in range(25)]
    assert any("total size" in p for p in limits.check_command(huge))


def test_limits_on_messages_and_autocomplete() -> None:
    none = {"parse": []}
    assert limits.check_message({"content": "hi", "allowed_mentions": none}, creating=True) == ([], [])
    assert limits.check_message({"content": "x" * 2001, "allowed_mentions": none}, creating=True)[0]
    assert limits.check_message({"content": "hi"}, creating=True)[1]
    assert limits.check_message({"content": "hi", "allowed_mentions": {"parse": [], "users": []}},
                                creating=True)[1]
    assert limits.check_message({}, creating=True)[0] == ["Cannot send an empty message"]
    button = {"type": 2, "style": 1, "label": "ok", "custom_id": "a"}
    row = {"type": 1, "components": [button]}
    assert limits.check_components([row, {"type": 1, "components": [dict(button)]}])  # duplicate id
    assert limits.check_components([{"type": 1, "components": [{**button, "label": "x" * 81}]}])
    six = [{"type": 1, "components": [{**button, "custom_id": f"b{i}"}]} for i in range(6)]
    assert limits.check_components(six)
    wide = [{"type": 1, "components": [{**button, "custom_id": f"b{i}"} for i in range(6)]}]
    assert limits.check_components(wide)
    fields = [{"name": "n", "value": "v" * 1000} for _ in range(7)]
    assert any("total" in p for p in limits.check_embeds([{"fields": fields}]))
    assert limits.check_autocomplete({"choices": [{"name": "a", "value": "a"}] * 26})
    assert limits.check_autocomplete({"choices": [{"name": "", "value": "a"}]})


BOT_SCRIPT = """
import asyncio, os, signal, sys

import discord
import discord.gateway
import discord.http
import yarl

sys.path.insert(0, os.environ["HARNESS_REPO_ROOT"])
from tests.test_loopback_harness import make_bot


async def main() -> None:
    discord.http.Route.BASE = os.environ["DISCORD_API_BASE"]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["DISCORD_GATEWAY_URL"])
    bot = make_bot()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, lambda: loop.create_task(bot.close()))
    async with bot:
        await bot.start(os.environ["DISCORD_TOKEN"])
    print("closed cleanly", flush=True)


asyncio.run(main())
"""


async def test_bot_as_a_subprocess(fake_discord: FakeDiscord, bot_process, tmp_path: Path) -> None:
    script = tmp_path / "tiny_bot.py"
    script.write_text(textwrap.dedent(BOT_SCRIPT), encoding="utf-8")
    proc = bot_process(python_argv(script), env={"HARNESS_REPO_ROOT": str(REPO_ROOT)}, cwd=tmp_path)
    await proc.start(ready_timeout=15)
    assert proc.pid is not None and proc.pid != os.getpid()

    g = fake_discord.guild
    result = await fake_discord.slash(g, g.member, "ping", word="from a process")
    assert result.callback_type == 4 and result.embeds[0]["description"] == "from a process"

    assert await proc.stop(timeout=10) == 0
    assert "closed cleanly" in proc.output()
    await fake_discord.wait_for(lambda: not fake_discord.sessions[0].live, 5)
