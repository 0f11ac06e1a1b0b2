"""End-to-end: `studybot run` under a click burst, a SIGKILL mid-burst and a locked database.

Every test runs the real bot as its own process against the loopback Discord, which answers a
late initial response with 404 and records it as a violation (the `fake_discord` fixture fails
the test on any violation at teardown), so "acknowledged within 3 s" is checked for every click.
Counts are kept modest here; `make bench` runs the 1,000-member burst.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import SystemClock
from bot.store import Store
from tests.e2e_support import (
    answer_buttons,
    embed_text,
    post_daily_question,
    reply_message,
    start_studybot,
    stored_answers,
    studybot_argv,
)
from tests.loopback import FakeDiscord, FakeMember, InteractionHandle, StoredMessage
from tests.loopback.fixtures import bot_process, fake_discord  # noqa: F401

pytestmark = pytest.mark.e2e

ACK_DEADLINE = 3.0


def db_of(tmp_path: Path) -> Path:
    return tmp_path / "studybot.db"


async def click_burst(fake: FakeDiscord, post: StoredMessage, members: Sequence[FakeMember],
                      *, over: float, sent: list[InteractionHandle] | None = None,
                      stop: asyncio.Event | None = None) -> list[InteractionHandle]:
    """Each member clicks one answer, the dispatches spread evenly over `over` seconds.

    Returns the clicks that reached the bot's socket, also appended to `sent` as they go out:
    all of them, unless `stop` is set or the socket closes on the way.
    """
    gap = over / max(1, len(members))
    buttons = answer_buttons(post)  # two to four, as the question has choices
    sent = [] if sent is None else sent
    for n, member in enumerate(members):
        if stop is not None and stop.is_set():
            break
        click = fake.click(post, buttons[n % len(buttons)], member)
        try:
            await click.send()
        except RuntimeError:  # the bot's socket closed under us (it was killed)
            break
        sent.append(click)
        await asyncio.sleep(gap)
    return sent


def ack_seconds(click: InteractionHandle) -> float:
    record = click.record
    assert record.callback is not None and record.dispatched_at is not None
    return record.callback.at - record.dispatched_at


async def answered_on_leaderboard(db: Path | str, guild_id: str) -> int:
    """The sum of `answered` in `studybot leaderboard --period all --json`: the score rows."""
    proc = await asyncio.create_subprocess_exec(
        *studybot_argv("leaderboard", "--guild", guild_id, "--period", "all", "--json", "--db", str(db)),
        env={**os.environ, "DISCORD_TOKEN": ""}, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode()
    return sum(row["answered"] for row in json.loads(out))


async def test_300_members_clicking_within_a_second_are_acknowledged_in_time_and_stored_once(
    fake_discord: FakeDiscord, bot_process, tmp_path: Path  # noqa: F811
) -> None:
    g = fake_discord.guild
    proc = await start_studybot(bot_process, tmp_path)
    post, post_id = await post_daily_question(fake_discord)
    members = fake_discord.make_members(g, 300)

    clicks = await click_burst(fake_discord, post, members, over=1.0)
    results = await asyncio.gather(*(c.wait(until="callback") for c in clicks))
    assert len(results) == 300 and all(r.acknowledged and r.ephemeral for r in results)
    assert max(ack_seconds(c) for c in clicks) < ACK_DEADLINE
    assert sorted(stored_answers(db_of(tmp_path), post_id)) == sorted(int(m.id) for m in members)

    again = await asyncio.gather(*(fake_discord.click(post, f"daily:{post_id}:0", m) for m in members[:20]))
    assert all("already answered" in r.text() and r.ephemeral for r in again)
    assert len(stored_answers(db_of(tmp_path), post_id)) == 300
    assert await proc.stop() == 0
    assert await answered_on_leaderboard(db_of(tmp_path), g.id) == 300


async def test_a_sigkill_mid_burst_keeps_every_acknowledged_click_once_and_the_post_resumes(
    fake_discord: FakeDiscord, bot_process, tmp_path: Path  # noqa: F811
) -> None:
    g = fake_discord.guild
    one = await start_studybot(bot_process, tmp_path)
    post, post_id = await post_daily_question(fake_discord)
    early, late = fake_discord.make_members(g, 60), fake_discord.make_members(g, 200, prefix="late")
    await asyncio.gather(*(c.wait(until="callback") for c in await click_burst(fake_discord, post, early, over=0.3)))

    sent: list[InteractionHandle] = []
    stop = asyncio.Event()
    sending = asyncio.create_task(click_burst(fake_discord, post, late, over=1.5, sent=sent, stop=stop))
    await fake_discord.wait_for(lambda: sum(c.record.acknowledged for c in sent) >= len(late) // 3, 20)
    assert await one.kill() == -9
    stop.set()
    await sending
    acknowledged = {int(c.record.payload["member"]["user"]["id"]) for c in sent if c.record.acknowledged}
    assert len(late) // 3 <= len(acknowledged) < len(late), "the kill did not land mid-burst"

    two = await start_studybot(bot_process, tmp_path)
    stored = stored_answers(db_of(tmp_path), post_id)
    assert len(stored) == len(set(stored))  # nobody twice
    assert acknowledged | {int(m.id) for m in early} <= set(stored)
    assert await answered_on_leaderboard(db_of(tmp_path), g.id) == len(stored)  # no half-stored answer

    newcomer = fake_discord.add_member(g, "newcomer")
    after = await fake_discord.click(post, f"daily:{post_id}:1", newcomer)
    assert after.acknowledged and after.ephemeral and reply_message(after).embeds
    status = await fake_discord.slash(g, g.admin, "daily", "status")
    assert "Next post" in reply_message(status).embeds[0]["fields"][0]["value"]
    assert await two.kill() == -9

    # The reveal falls due while nothing runs; the next start draws it with every stored answer.
    async with await Store.open(db_of(tmp_path), clock=SystemClock()) as store:
        assert await store.set_reveal_at(post_id, datetime.now(UTC) - timedelta(minutes=1))
    three = await start_studybot(bot_process, tmp_path)
    assert len(post.history) == 1, three.output()[-3000:]
    assert f"{len(stored) + 1} answered" in embed_text(post)
    assert await three.stop() == 0


LOCK_HOLDER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
"""


async def test_clicks_while_another_process_holds_the_write_lock_wait_and_all_succeed(
    fake_discord: FakeDiscord, bot_process, tmp_path: Path  # noqa: F811
) -> None:
    g = fake_discord.guild
    proc = await start_studybot(bot_process, tmp_path)
    post, post_id = await post_daily_question(fake_discord)
    members = fake_discord.make_members(g, 20)
    await fake_discord.click(post, f"daily:{post_id}:0", g.member)  # the post is cached: clicks only write

    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", LOCK_HOLDER, str(db_of(tmp_path)), "4", stdout=asyncio.subprocess.PIPE)
    assert holder.stdout is not None and (await holder.stdout.readline()).strip() == b"locked"
    buttons = answer_buttons(post)
    results = await asyncio.gather(*(fake_discord.click(post, buttons[n % len(buttons)], m)
                                     for n, m in enumerate(members)))
    assert await holder.wait() == 0
    assert all(r.acknowledged and r.ephemeral for r in results)
    assert any(r.deferred for r in results)  # the lock outlasted the budget: deferred, then answered
    assert all(reply_message(r).embeds for r in results)
    assert len(stored_answers(db_of(tmp_path), post_id)) == 21
    assert await proc.stop() == 0


async def test_a_click_deferred_while_another_process_holds_the_write_lock_survives_a_sigkill(
    fake_discord: FakeDiscord, bot_process, tmp_path: Path  # noqa: F811
) -> None:
    """A deferral acknowledges the click before its answer is committed: the answer is
    journaled first (bot/app/ledger.py), and the restart stores it."""
    g = fake_discord.guild
    one = await start_studybot(bot_process, tmp_path)
    post, post_id = await post_daily_question(fake_discord)
    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", LOCK_HOLDER, str(db_of(tmp_path)), "30", stdout=asyncio.subprocess.PIPE)
    try:
        assert holder.stdout is not None and (await holder.stdout.readline()).strip() == b"locked"
        click = fake_discord.click(post, answer_buttons(post)[0], g.member)
        record = await click.wait(until="callback")
        assert record.acknowledged and record.deferred  # promised, not stored yet
        assert await one.kill() == -9
    finally:
        holder.kill()
        await holder.wait()
    assert stored_answers(db_of(tmp_path), post_id) == []
    two = await start_studybot(bot_process, tmp_path)
    assert stored_answers(db_of(tmp_path), post_id) == [int(g.member.id)]
    assert await two.stop() == 0
    # The member's "thinking…" is never completed: the restart stores the answer but does not
    # know the interaction to reply to (README, Reliability). Exactly that, and nothing else:
    left = fake_discord.check_deferrals()
    assert [v.problem for v in left] == [f"interaction {click.id} deferred (thinking…) and never completed"]
    for violation in left:
        fake_discord.violations.remove(violation)
