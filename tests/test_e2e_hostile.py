"""End-to-end: hostile input and guild isolation, on `studybot run` against the loopback Discord.

Discord's client stops most bad input (option lengths, channels of other servers, button ids
that were never sent); the fake's `unchecked=True` / `forged=True` send them anyway, as a
modified client or a replayed request could. Every reply must be polite and private, nothing
may be stored for a forged id, and no request may break Discord's limits or ping anyone: the
`fake_discord` fixture fails the test on any limit or `allowed_mentions` violation.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e_support import embed_text, post_daily_question, reply_message, start_studybot, stored_answers
from tests.loopback import FakeDiscord, InteractionResult
from tests.loopback.fixtures import bot_process, fake_discord  # noqa: F401

pytestmark = pytest.mark.e2e

UNEXPECTED = "Something went wrong"

HOSTILE_TEXT = [
    "A" * 5000,
    "@everyone",
    "@here HPA",
    "<@&123456789012345678>",
    "<@123456789012345678> 쿠버네티스",
    "H\u200bP\u200bA",
    "\u200b\u200b\u200b",
    "\u202eAPH\u202c",
    "\u2067쿠버네티스\u2069",
    "'; DROP TABLE answers; --",
    "\" OR 1=1 --",
    "**bold** `code` ```fence``` > quote [link](https://example.com) ||spoiler|| # heading",
    "```" * 40,
    "\n\n\nPod\n\n",
    "%s %d {0} {query} $(reboot)",
]
PING_MARKERS = ("@everyone", "@here", "<@&", "<@1", "<@!")


def assert_polite(result: InteractionResult) -> str:
    """Acknowledged, no error from Discord, and a reply that is not the unexpected-error one."""
    assert result.acknowledged and not result.errors, result
    text = embed_text(reply_message(result)) if result.callback_type != 8 else json.dumps(result.choices)
    assert UNEXPECTED not in text, text
    return text


def assert_nothing_pings(fake: FakeDiscord) -> None:
    """No text the bot sent could read as a mention, whatever `allowed_mentions` says."""
    for request in fake.requests:
        if request.method in ("POST", "PATCH") and isinstance(request.json, dict):
            body = json.dumps(request.json, ensure_ascii=False)
            found = [body[max(0, body.find(m) - 80):body.find(m) + 40] for m in PING_MARKERS if m in body]
            assert not found, (request.path, found)


async def test_hostile_text_gets_a_polite_answer_from_define_search_and_autocomplete(
    fake_discord: FakeDiscord, bot_process, tmp_path: Path  # noqa: F811
) -> None:
    g = fake_discord.guild
    proc = await start_studybot(bot_process, tmp_path)
    for text in HOSTILE_TEXT:
        define = await fake_discord.slash(g, g.member, "define", term=text, unchecked=True)
        reply = assert_polite(define)
        assert define.ephemeral if "Nothing found" in reply else reply_message(define).embeds, text
        search = await fake_discord.slash(g, g.member, "search", query=text, unchecked=True)
        assert_polite(search)
        completion = await fake_discord.autocomplete(g, g.member, "define", focused="term", value=text,
                                                     unchecked=True)
        assert_polite(completion)
        assert len(completion.choices) <= 25
    assert_nothing_pings(fake_discord)
    assert await proc.stop() == 0
    assert "Traceback" not in proc.output()


async def test_bad_daily_settings_are_refused_with_a_reason_and_schedule_nothing(
    fake_discord: FakeDiscord, bot_process, tmp_path: Path  # noqa: F811
) -> None:
    g = fake_discord.guild
    other = fake_discord.add_guild("Other Server")
    proc = await start_studybot(bot_process, tmp_path)
    bad_time = await fake_discord.slash(g, g.admin, "dailyadmin", "set", channel=g.text_channel, time="25:99")
    assert bad_time.ephemeral and "not a time of day" in assert_polite(bad_time)
    bad_zone = await fake_discord.slash(g, g.admin, "dailyadmin", "set", channel=g.text_channel, time="09:00",
                                        timezone="Mars/Olympus")
    assert bad_zone.ephemeral and "not a time zone" in assert_polite(bad_zone)
    foreign = await fake_discord.slash(g, g.admin, "dailyadmin", "set", channel=other.text_channel, time="09:00",
                                       unchecked=True)
    assert foreign.ephemeral and "can't be used here" in assert_polite(foreign)
    status = await fake_discord.slash(g, g.admin, "daily", "status")
    assert "No daily quiz yet" in embed_text(reply_message(status))
    assert fake_discord.channel_messages(other.text_channel) == []
    assert_nothing_pings(fake_discord)
    assert await proc.stop() == 0


async def test_forged_button_ids_are_answered_politely_and_store_nothing(
    fake_discord: FakeDiscord, bot_process, tmp_path: Path  # noqa: F811
) -> None:
    g = fake_discord.guild
    other = fake_discord.add_guild("Other Server")
    proc = await start_studybot(bot_process, tmp_path)
    post, post_id = await post_daily_question(fake_discord, g)
    _, other_post_id = await post_daily_question(fake_discord, other)
    forged = {
        f"daily:{other_post_id}:0": "no longer exists",  # another guild's post
        "daily:999999999:0": "no longer exists",  # no such post
        "daily:99999999999999999999:0": "no longer exists",  # past SQLite's integers
        f"daily:{post_id}:7": "not one of the choices",
        f"daily:{post_id}:x": "not one of the choices",
        "daily:abc:1": "no longer exists",
        "daily::": "no longer exists",
        f"quiz:{post_id}:0": "no longer exists",  # a daily post through the practice button
        f"quiz:{other_post_id}:1": "no longer exists",
    }
    for custom_id, expected in forged.items():
        result = await fake_discord.click(post, custom_id, g.member, forged=True)
        assert result.ephemeral and expected in assert_polite(result), (custom_id, result)
    assert len(stored_answers(tmp_path / "studybot.db")) == 0
    assert_nothing_pings(fake_discord)
    assert await proc.stop() == 0


async def test_one_guild_can_neither_see_nor_change_another_guilds_answers_scores_or_schedules(
    fake_discord: FakeDiscord, bot_process, tmp_path: Path  # noqa: F811
) -> None:
    a = fake_discord.guild
    b = fake_discord.add_guild("Other Server")
    proc = await start_studybot(bot_process, tmp_path)
    post, post_id = await post_daily_question(fake_discord, a)
    a_members = fake_discord.make_members(a, 3, prefix="alpha")
    for member in a_members:
        assert_polite(await fake_discord.click(post, f"daily:{post_id}:0", member))
    board_a = embed_text(reply_message(await fake_discord.slash(a, a.admin, "leaderboard", period="all")))
    assert all(m.user.username in board_a for m in a_members)

    board_b = embed_text(reply_message(await fake_discord.slash(b, b.admin, "leaderboard", period="all")))
    assert "Nobody is on this board yet." in board_b and not any(m.user.username in board_b for m in a_members)
    status_b = embed_text(reply_message(await fake_discord.slash(b, b.admin, "daily", "status")))
    assert "No daily quiz yet" in status_b
    for command in ("stop", "now"):
        refused = await fake_discord.slash(b, b.admin, "dailyadmin", command)
        assert refused.ephemeral and "no daily quiz in this server" in assert_polite(refused)
    exported = await fake_discord.slash(b, b.admin, "studyadmin", "export")
    assert_polite(exported)
    confirm = reply_message(await fake_discord.slash(b, b.admin, "studyadmin", "reset-scores"))
    await fake_discord.click(confirm, confirm.custom_ids()[0], b.admin)

    status_a = embed_text(reply_message(await fake_discord.slash(a, a.admin, "daily", "status")))
    assert "Next post" in status_a and "Paused" not in status_a
    assert board_a == embed_text(reply_message(await fake_discord.slash(a, a.admin, "leaderboard", period="all")))
    assert len(stored_answers(tmp_path / "studybot.db")) == 3
    assert await proc.stop() == 0
