"""End-to-end: one `studybot run` process serving Discord (loopback Discord) and Slack (loopback
Slack) at once, on one application and one database, without either seeing the other's data:
each platform's daily post goes to its own channel, answers land in their own community, the
leaderboards and /daily status of one never show the other, and a Slack click carrying a
Discord post's id records nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e_support import RECOVERED, post_daily_question, reply_message, studybot_argv, studybot_env
from tests.loopback import FakeDiscord
from tests.loopback.fixtures import bot_process, fake_discord  # noqa: F401
from tests.slack_e2e_support import (
    COMMUNITY,
    daily_actions,
    daily_post,
    leaderboard,
    post_id_of,
    reply,
    stored_answers,
)
from tests.slack_loopback import FakeSlack

pytestmark = pytest.mark.e2e


async def test_discord_and_slack_in_one_process_do_not_see_each_others_data(
        fake_discord: FakeDiscord, fake_slack: FakeSlack, bot_process, tmp_path: Path) -> None:  # noqa: F811
    db = tmp_path / "studybot.db"
    env = {**studybot_env(tmp_path, STUDYBOT_TIMEZONE="UTC"), **fake_slack.bot_env()}
    proc = bot_process(studybot_argv("run"), env=env, cwd=tmp_path)
    await proc.start(ready_line=RECOVERED)
    await fake_slack.wait_connected()
    g = fake_discord.guild
    discord_community = f"discord:{g.id}"

    discord_post, discord_post_id = await post_daily_question(fake_discord)
    clicked = await fake_discord.click(discord_post, f"daily:{discord_post_id}:0", g.member)
    assert clicked.ephemeral and reply_message(clicked).embeds

    slack_post = await daily_post(fake_slack, channel="C2")
    slack_acks = [await fake_slack.click(slack_post, daily_actions(slack_post)[i % 2], user=u)
                  for i, u in enumerate(("U1", "U2", "U3"))]
    await fake_slack.wait_for(lambda: all(fake_slack.replies_to(a) for a in slack_acks))

    # Each post went to its own platform, once.
    assert [m.ts for m in fake_slack.messages.values() if daily_actions(m)] == [slack_post.ts]
    assert slack_post.channel == "C2"
    discord_daily = [m for m in fake_discord.messages.values() if any(c.startswith("daily:") for c in m.custom_ids())]
    assert [m.channel_id for m in discord_daily] == [str(g.text_channel.id)]
    assert post_id_of(slack_post) != discord_post_id

    # Answers in their own communities; the boards count only their own.
    by_community = {c for c, _ in stored_answers(db)}
    assert by_community == {discord_community, COMMUNITY}
    assert sorted(u for c, u in stored_answers(db) if c == COMMUNITY) == ["U1", "U2", "U3"]
    assert [u for c, u in stored_answers(db) if c == discord_community] == [str(g.member.id)]
    assert sum(r["answered"] for r in leaderboard(tmp_path, COMMUNITY)) == 3
    assert sum(r["answered"] for r in leaderboard(tmp_path, discord_community)) == 1

    board = await reply(fake_slack, await fake_slack.slash("/leaderboard", "all", user="U2"))
    assert "3 members" in board and str(g.member.id) not in board  # only the Slack three
    status = await reply(fake_slack, await fake_slack.slash("/daily", "status", user="U2"))
    assert "C2" in status and str(g.text_channel.id) not in status

    # A Slack click carrying the Discord post's id: acknowledged, nothing recorded anywhere.
    forged = await fake_slack.click(slack_post, "daily_answer:0", f"{discord_post_id}:0", user="UX", forged=True)
    assert forged.acked and (await reply(fake_slack, forged)).strip()
    assert len(stored_answers(db)) == 4

    assert await proc.stop() == 0
    output = proc.output()
    assert "Traceback" not in output
    assert fake_slack.bot_token not in output and fake_discord.token not in output
