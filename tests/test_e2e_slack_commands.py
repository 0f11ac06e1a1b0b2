"""End-to-end: each Slack command of `studybot run` (a separate process, Socket Mode) against the
loopback Slack: /define (with close matches and the type-ahead modal), /search pages, /quiz and
Next, /stats and /leaderboard, /daily set|now|stop|status with the admin check, /review; and
SIGTERM ends the process with status 0 within 10 s. Every reply is checked against Slack's
limits by the fake (a violation fails the test at teardown)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.slack_e2e_support import (
    channel_ref,
    daily_actions,
    daily_post,
    post_id_of,
    reply,
    set_daily,
    slack_studybot,  # noqa: F401 - fixture
    stored_answers,
)
from tests.slack_loopback import Ephemeral, FakeSlack

pytestmark = pytest.mark.e2e


def schedules(db: Path) -> list[tuple[str, str, int]]:
    """(community, channel_id, stopped) of every schedule, read from the file."""
    with sqlite3.connect(db) as conn:
        return [(c, ch, int(s is not None)) for c, ch, s in
                conn.execute("SELECT community, channel_id, stopped_at FROM schedules ORDER BY schedule_id")]


async def test_define_answers_privately_with_definition_deck_and_source_and_sigterm_exits_0(
        fake_slack: FakeSlack, slack_studybot: Any) -> None:
    proc = await slack_studybot()
    ack = await fake_slack.slash("/define", "HPA", user="U2")
    answer = await fake_slack.wait_reply(ack)
    assert ack.acked
    assert isinstance(answer, Ephemeral) and answer.user == "U2"  # ephemeral, as Slack's default
    text = answer.readable()
    assert "Horizontal Pod Autoscaler" in text
    assert "Auto Scaling" in text and "cloud-native-fundamentals.md" in text  # section and source
    assert " › " in text  # deck › section
    assert await proc.stop(timeout=10) == 0
    output = proc.output()
    assert "Traceback" not in output
    assert fake_slack.bot_token not in output and fake_slack.app_token not in output


async def test_define_offers_close_matches_as_buttons_and_a_pick_answers(
        fake_slack: FakeSlack, slack_studybot: Any) -> None:
    proc = await slack_studybot()
    unsure = await fake_slack.wait_reply(await fake_slack.slash("/define", "autoscalr", user="U2"))
    picks = [a for a in unsure.action_ids() if a.startswith("define_pick:")]
    assert picks, unsure.readable()
    _, button = unsure.element(picks[0]) or (None, {})
    picked = await fake_slack.click(unsure, picks[0], user="U2")
    shown = await reply(fake_slack, picked)
    assert button["text"]["text"] in shown and "cloud-native-fundamentals.md" in shown
    assert await proc.stop() == 0


async def test_search_pages_through_its_hits_with_buttons(fake_slack: FakeSlack, slack_studybot: Any) -> None:
    proc = await slack_studybot()
    first = await fake_slack.wait_reply(await fake_slack.slash("/search", "pod", user="U2"))
    assert first.action_ids() == ["search_page:2"], first.readable()
    assert "Horizontal Pod Autoscaler" in first.readable()
    second = await fake_slack.wait_reply(await fake_slack.click(first, "search_page:2", user="U2"))
    assert isinstance(second, Ephemeral) and second.user == "U2"
    assert "search_page:1" in second.action_ids()  # back to page 1
    assert second.readable() != first.readable()
    assert first.history == []  # each page is one private reply; nothing was replaced
    assert await proc.stop() == 0


async def test_quiz_gives_a_verdict_keeps_the_first_answer_and_next_brings_another_question(
        fake_slack: FakeSlack, slack_studybot: Any) -> None:
    proc = await slack_studybot()
    question = await fake_slack.wait_reply(await fake_slack.slash("/quiz", user="U2"))
    assert isinstance(question, Ephemeral) and question.user == "U2"
    buttons = [a for a in question.action_ids() if a.startswith("quiz_answer:")]
    assert len(buttons) >= 2, question.readable()
    verdict = await fake_slack.wait_reply(await fake_slack.click(question, buttons[0], user="U2"))
    assert verdict.readable()[:1] in ("✅", "❌")
    assert "quiz_next" in verdict.action_ids()
    again = await fake_slack.click(question, buttons[1], user="U2")
    assert "already answered" in await reply(fake_slack, again)
    nxt = await fake_slack.wait_reply(await fake_slack.click(verdict, "quiz_next", user="U2"))
    assert [a for a in nxt.action_ids() if a.startswith("quiz_answer:")], nxt.readable()
    assert await proc.stop() == 0


async def test_stats_and_leaderboard_show_a_daily_answer(fake_slack: FakeSlack, slack_studybot: Any,
                                                         tmp_path: Path) -> None:
    proc = await slack_studybot()
    post = await daily_post(fake_slack)
    await fake_slack.wait_reply(await fake_slack.click(post, daily_actions(post)[0], user="U2"))
    stats = await reply(fake_slack, await fake_slack.slash("/stats", user="U2"))
    board = await reply(fake_slack, await fake_slack.slash("/leaderboard", "all daily", user="U3"))
    empty = await reply(fake_slack, await fake_slack.slash("/leaderboard", "all practice", user="U3"))
    daily_part = stats.split("*Practice*")[0]
    assert "No answers yet" not in daily_part and "*1*" in daily_part, stats
    assert "u2" in board and "Nobody" not in board
    assert "u2" not in empty
    assert stored_answers(tmp_path / "studybot.db") == [("slack:T0LOOP", "U2")]
    assert await proc.stop() == 0


async def test_daily_set_now_stop_are_for_admins_and_status_for_everyone(
        fake_slack: FakeSlack, slack_studybot: Any, tmp_path: Path) -> None:
    db = tmp_path / "studybot.db"
    proc = await slack_studybot()
    refused = await reply(fake_slack, await set_daily(fake_slack, admin="U2"))
    assert "admins" in refused and schedules(db) == []
    refused_now = await reply(fake_slack, await fake_slack.slash("/daily", "now", user="U3"))
    assert "admins" in refused_now
    none = await reply(fake_slack, await fake_slack.slash("/daily", "status", user="U2"))
    assert "No daily quiz" in none

    owner = fake_slack.add_user("UOWNER", is_owner=True)
    await fake_slack.slash("/daily", f"set {channel_ref(fake_slack, 'C2')} 07:30 UTC", user=owner.id, channel="C1")
    await fake_slack.wait_for(lambda: schedules(db))
    assert schedules(db) == [("slack:T0LOOP", "C2", 0)]
    status = await reply(fake_slack, await fake_slack.slash("/daily", "status", user="U3"))
    assert "07:30" in status and "C2" in status

    for _ in range(2):  # `/daily now` posts one more question each time
        await fake_slack.slash("/daily", "now", user="U1")
    await fake_slack.wait_for(lambda: len([m for m in fake_slack.channel_messages("C2") if daily_actions(m)]) == 2)
    posts = [m for m in fake_slack.channel_messages("C2") if daily_actions(m)]
    assert len({post_id_of(m) for m in posts}) == 2 and fake_slack.channel_messages("C1") == []

    await fake_slack.slash("/daily", "stop", user="U1")
    await fake_slack.wait_for(lambda: schedules(db)[0][2] == 1)
    after = await reply(fake_slack, await fake_slack.slash("/daily", "status", user="U3"))
    assert "No daily quiz" in after and "07:30" not in after
    assert await proc.stop() == 0


async def test_the_type_ahead_modal_suggests_as_you_type_and_shows_the_pick(
        fake_slack: FakeSlack, slack_studybot: Any) -> None:
    proc = await slack_studybot()
    answer = await fake_slack.wait_reply(await fake_slack.slash("/define", "HPA", user="U2"))
    assert "lookup_open" in answer.action_ids()
    await fake_slack.click(answer, "lookup_open", user="U2")
    view = (await fake_slack.wait_for(lambda: fake_slack.open_views("U2")))[0]
    typed = await fake_slack.suggest("lookup_select", "horizontal pod", user="U2")
    options = typed.payload["options"]
    labels = [o["text"]["text"] for o in options]
    assert any("Horizontal Pod Autoscaler" in label for label in labels), labels
    hpa = next(o for o in options if "Horizontal Pod Autoscaler" in o["text"]["text"])
    nothing = await fake_slack.suggest("lookup_select", "xyzzy qwerty", user="U2")
    assert "Horizontal Pod Autoscaler" not in str(nothing.payload)
    done = await fake_slack.submit_view(view.id, {"lookup_select": hpa["value"]}, user="U2")
    assert done.payload is not None and done.payload.get("response_action") == "update"
    assert not view.closed and len(view.history) == 1  # the modal now shows the definition
    assert "Pod의 수를 자동으로 조정" in view.readable().replace("*", "")
    assert await proc.stop() == 0


async def test_the_global_shortcut_opens_the_same_modal(fake_slack: FakeSlack, slack_studybot: Any) -> None:
    proc = await slack_studybot()
    await fake_slack.shortcut("lookup", user="U3")
    view = (await fake_slack.wait_for(lambda: fake_slack.open_views("U3")))[0]
    assert view.element("lookup_select") is not None
    assert await proc.stop() == 0


async def test_review_answers_with_cards_or_says_none_are_due(fake_slack: FakeSlack, slack_studybot: Any) -> None:
    proc = await slack_studybot()
    post = await daily_post(fake_slack)
    await fake_slack.wait_reply(await fake_slack.click(post, daily_actions(post)[1], user="U2"))
    review = await fake_slack.wait_reply(await fake_slack.slash("/review", user="U2"))
    assert review.readable().strip()
    assert await proc.stop() == 0
