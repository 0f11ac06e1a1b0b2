"""End-to-end: Slack's faults and hostile members against the real `studybot run` process.

A 429 on the daily post is waited out (Retry-After honoured, the post made exactly once) while
`/daily now` is still acknowledged; text members type with `<!channel>`, `<!here>`, `<@U…>` comes
back escaped (the fake records any ping as a violation, failing the test); a forged or stale
button value is acknowledged, answered politely, and records nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.slack_e2e_support import (
    daily_actions,
    daily_post,
    is_daily_post,
    leaderboard,
    post_id_of,
    reply,
    set_daily,
    slack_studybot,  # noqa: F401 - fixture
    stored_answers,
)
from tests.slack_loopback import FakeSlack

pytestmark = pytest.mark.e2e

PINGS = ("<!channel>", "<!here>", "<!everyone>", "<@U2|kim>", "<@U3>")


@pytest.mark.parametrize("retry_after", [1, 4])
async def test_a_429_on_the_daily_post_is_waited_out_and_the_post_made_once(
        fake_slack: FakeSlack, slack_studybot: Any, retry_after: int) -> None:
    proc = await slack_studybot()
    await fake_slack.wait_reply(await set_daily(fake_slack))
    rule = fake_slack.fail_next("chat.postMessage", retry_after=retry_after)
    now = await fake_slack.slash("/daily", "now", user="U1")
    assert now.acked  # acknowledged while the post still waits for Retry-After
    post = await fake_slack.wait_for_message(is_daily_post, channel="C1", timeout=retry_after + 15)
    await fake_slack.wait_reply(now)
    assert rule.hits == 1 and fake_slack.rate_limited == [("chat.postMessage", retry_after)]
    assert [m.ts for m in fake_slack.channel_messages("C1") if is_daily_post(m)] == [post.ts]
    assert len(fake_slack.calls_to("chat.postMessage")) == 2  # the refused one and its retry
    # (an early retry would be a violation, failing the test at teardown)
    assert await proc.stop() == 0
    assert [m.ts for m in fake_slack.messages.values() if is_daily_post(m)] == [post.ts]


@pytest.mark.parametrize("command", ["/define", "/search"])
async def test_mentions_typed_by_a_member_come_back_escaped(fake_slack: FakeSlack, slack_studybot: Any,
                                                            command: str) -> None:
    proc = await slack_studybot()
    typed = " ".join(PINGS) + " & <https://evil.example|click>"
    answer = await reply(fake_slack, await fake_slack.slash(command, typed, user="U2"))
    assert "&lt;!channel&gt;" in answer  # the member's text is echoed, escaped
    for ping in PINGS:
        assert ping not in answer
    assert all(not args.get("link_names") for _, args in fake_slack.calls)
    assert fake_slack.violations == []
    assert await proc.stop() == 0


async def test_a_hostile_display_name_on_the_leaderboard_pings_nobody(
        fake_slack: FakeSlack, slack_studybot: Any, tmp_path: Path) -> None:
    fake_slack.add_user("UEVE", name="<!here> eve <@U1>")
    proc = await slack_studybot()
    post = await daily_post(fake_slack)
    await fake_slack.wait_reply(await fake_slack.click(post, daily_actions(post)[0], user="UEVE"))
    board = await reply(fake_slack, await fake_slack.slash("/leaderboard", "all", user="U2"))
    assert "eve" in board and "<!here>" not in board and "<@U1>" not in board
    assert [r["user_id"] for r in leaderboard(tmp_path)] == ["UEVE"]
    assert await proc.stop() == 0


async def test_forged_and_stale_button_values_are_acked_answered_politely_and_record_nothing(
        fake_slack: FakeSlack, slack_studybot: Any, tmp_path: Path) -> None:
    db = tmp_path / "studybot.db"
    proc = await slack_studybot()
    post = await daily_post(fake_slack)
    post_id = post_id_of(post)
    forgeries = [
        ("daily_answer:0", "999999:0"),        # a post that does not exist
        ("daily_answer:0", "not-an-id"),        # garbage
        ("daily_answer:0", f"{post_id}:7"),     # a choice the question does not have
        ("daily_answer:9", f"{post_id}:9"),     # a button the post does not have
        ("daily_answer:0", f"{post_id}:0:1"),   # extra fields
        ("quiz_answer:0", f"{post_id}:0"),      # a daily post's id on a practice button
        ("define_pick:0", "../../etc/passwd"),
        ("search_page:3", "x" * 2000),
        ("review_rate:good", "123"),
        ("nobody_knows_me", "1"),
    ]
    for i, (action_id, value) in enumerate(forgeries):
        ack = await fake_slack.click(post, action_id, value, user=f"UF{i}", forged=True)
        assert ack.acked and ack.payload is None
        answer = await reply(fake_slack, ack)
        assert answer.strip() and "Traceback" not in answer and "Error" not in answer, (action_id, value, answer)
        assert len(fake_slack.replies_to(ack)) == 1
    assert stored_answers(db) == []
    assert post.history == []
    assert await proc.stop() == 0
    assert "Traceback" not in proc.output()
