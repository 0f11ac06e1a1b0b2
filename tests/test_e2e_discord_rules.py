"""End-to-end: the bot keeps Discord's documented rules that the strict loopback enforces (issue 12).

Each test was a bot bug the strict loopback caught: a private error after a public deferral,
posts sent without their embed, buttons left on screen after their view ended, and so on.
"""

from __future__ import annotations

from pathlib import Path

import discord
import pytest

from bot.community import Community
from bot.discord_app.views import ListingView
from tests.e2e_support import (
    answer_buttons,
    embed_text,
    post_daily_question,
    reply_message,
    running_studybot,
    set_daily_schedule,
    stored_answers,
)
from tests.loopback import FakeDiscord
from tests.loopback.fixtures import fake_discord  # noqa: F401
from tests.loopback.payloads import OVERWRITE_MEMBER, VIEW_CHANNEL, Overwrite

pytestmark = pytest.mark.e2e


async def test_an_error_after_the_leaderboards_public_deferral_is_not_shown_to_everyone(
    fake_discord: FakeDiscord, tmp_path: Path, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    """/leaderboard defers publicly; its error (with its ref) must not replace the public
    "thinking…" message: that message goes away and the error follows privately."""
    g = fake_discord.guild
    async with running_studybot(fake_discord, tmp_path) as run:

        async def broken(*args: object, **kwargs: object) -> None:
            raise RuntimeError("leaderboard exploded")

        monkeypatch.setattr(run.app.study, "leaderboard", broken)
        result = await fake_discord.slash(g, g.member, "leaderboard")
    assert [v for v in fake_discord.violations if v.kind == "visibility"] == []
    assert result.message is not None and result.message.deleted, "the public 'thinking…' message stayed"
    (error,) = result.followup_messages
    assert error.ephemeral and "ref" in error.content


async def test_a_daily_post_is_not_sent_without_its_embed_once_embed_links_is_taken_away(
    fake_discord: FakeDiscord, tmp_path: Path  # noqa: F811
) -> None:
    """Embed Links taken away after /dailyadmin set: Discord would accept the post and drop its
    embed. The bot checks its cached permissions first, sends nothing, pauses and says why."""
    g = fake_discord.guild
    async with running_studybot(fake_discord, tmp_path) as run:
        await set_daily_schedule(fake_discord)
        await fake_discord.set_bot_permissions(g.text_channel, deny={"EMBED_LINKS"})
        # The CHANNEL_UPDATE is read before the next interaction: they come over one socket in order.
        sends_before = len(fake_discord.find_requests("POST", rf"^/channels/{g.text_channel.id}/messages$"))
        posted = await fake_discord.slash(g, g.admin, "dailyadmin", "now")
        guild = run.bot.get_guild(int(g.id))
        channel = guild.get_channel(int(g.text_channel.id)) if guild else None
        assert isinstance(channel, discord.TextChannel) and not channel.permissions_for(guild.me).embed_links
        reply = reply_message(posted).content
        statuses = await run.app.daily.status(Community.discord(g.id))
    assert [v for v in fake_discord.violations if v.kind == "permissions"] == []
    assert len(fake_discord.find_requests("POST", rf"^/channels/{g.text_channel.id}/messages$")) == sends_before
    assert "paused" in reply, reply
    assert all(s.schedule.paused for s in statuses), statuses
    assert any("embed_links" in (s.schedule.pause_reason or "") for s in statuses), statuses


async def test_a_timed_view_takes_its_buttons_away_when_it_times_out(
    fake_discord: FakeDiscord, tmp_path: Path, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    """The opt-out buttons under one's own /stats go when their view ends, not "This
    interaction failed" later."""
    monkeypatch.setitem(ListingView.__init__.__kwdefaults__, "timeout", 0.5)
    g = fake_discord.guild
    async with running_studybot(fake_discord, tmp_path):
        mine = reply_message(await fake_discord.slash(g, g.member, "stats"))
        assert mine.custom_ids(), "no buttons: the test proves nothing"
        await fake_discord.wait_for(lambda: not mine.custom_ids())


async def test_a_click_on_buttons_whose_view_is_gone_says_so_and_removes_them(
    fake_discord: FakeDiscord, tmp_path: Path  # noqa: F811
) -> None:
    """After a restart no view owns the buttons: the click is answered politely, privately, and
    the buttons come off; nothing is stored."""
    g = fake_discord.guild
    async with running_studybot(fake_discord, tmp_path) as run:
        mine = reply_message(await fake_discord.slash(g, g.member, "stats"))
        stale = "ui:0123456789ab:0"  # as a view of an earlier process left it
        clicked = await fake_discord.click(mine, stale, g.member, forged=True)
        live = await fake_discord.click(mine, mine.custom_ids()[0], g.member) if mine.custom_ids() else None
        opted_out = (await run.app.study.stats(Community.discord(g.id), str(g.member.id))).opted_out
    (note,) = clicked.followup_messages
    assert "expired" in note.content and note.ephemeral
    assert not mine.custom_ids() and live is None and not opted_out


async def test_a_click_from_a_member_who_lost_the_channel_or_a_deleted_channel_stores_nothing(
    fake_discord: FakeDiscord, tmp_path: Path  # noqa: F811
) -> None:
    g = fake_discord.guild
    async with running_studybot(fake_discord, tmp_path) as run:
        post, post_id = await post_daily_question(fake_discord)
        button = answer_buttons(post)[0]
        g.text_channel.overwrites[g.member.id] = Overwrite(g.member.id, OVERWRITE_MEMBER, 0, VIEW_CHANNEL)
        lost = await fake_discord.click(post, button, g.member)
        del g.text_channel.overwrites[g.member.id]
        await fake_discord.dispatch("CHANNEL_DELETE", g.text_channel.payload())
        # The CHANNEL_DELETE is read before the click: they come over one socket in order.
        gone = await fake_discord.click(post, button, g.member)
        assert run.bot.get_channel(int(g.text_channel.id)) is None
    for result in (lost, gone):
        assert result.ephemeral and "not recorded" in result.text(), result
    assert stored_answers(tmp_path / "studybot.db", post_id) == []


async def test_in_a_dm_define_works_and_quiz_is_personal_practice_on_no_servers_board(
    fake_discord: FakeDiscord, tmp_path: Path  # noqa: F811
) -> None:
    g = fake_discord.guild
    async with running_studybot(fake_discord, tmp_path) as run:
        defined = await fake_discord.dm_slash(g.member, "define", term="HPA")
        assert "Horizontal Pod Autoscaler" in embed_text(reply_message(defined))
        asked = reply_message(await fake_discord.dm_slash(g.member, "quiz"))
        assert asked.ephemeral and "no server's leaderboard" in asked.content
        post_id = int(asked.custom_ids()[0].split(":")[1])
        post = await run.store.get_post(post_id)
    # The practice post (and so its answers) belongs to the member's personal community: on no
    # server's board, and not the undecided "guild 0" of before.
    assert post is not None and post.community == Community.discord_dm(g.member.id) == f"discord:dm.{g.member.id}"
