"""The daily quiz on Slack: `/daily set|now|stop|status`, the Block Kit post and its buttons, the
reveal by `chat.update`, a 429 on the post, a channel the bot cannot post in, and buttons that
still work after a restart; through the real Bolt app on the loopback Slack."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio

from bot.clock import ManualClock
from tests.slack_app_support import COMMUNITY, SlackRig, slack_rig
from tests.slack_loopback import FakeSlack, Message

pytestmark = pytest.mark.asyncio
START = datetime(2026, 3, 9, 3, 0, tzinfo=UTC)


@pytest_asyncio.fixture
async def clock() -> ManualClock:
    return ManualClock(START)


@pytest_asyncio.fixture
async def rig(fake_slack: FakeSlack, tmp_path: Path, clock: ManualClock) -> AsyncIterator[SlackRig]:
    async with slack_rig(fake_slack, tmp_path / "studybot.db", clock=clock) as made:
        yield made


async def schedule_in_random(rig: SlackRig, extra: str = "") -> None:
    _, reply = await rig.slash("/daily", f"set <#C2|random> 09:00 Asia/Seoul {extra}".strip(), user="U1")
    assert "<#C2>" in reply.readable(), reply.readable()


async def post_now(rig: SlackRig) -> Message:
    before = set(rig.fake.messages)
    ack, reply = await rig.slash("/daily", "now", user="U1", channel="C2")
    assert ack.within(3.0) and "Posted" in reply.readable(), reply.readable()
    return await rig.fake.wait_for_message(lambda m: m.ts not in before and m.channel == "C2")


def answer_value(message: Message, n: int) -> tuple[int, int]:
    _, element = message.element(f"daily_answer:{n}")  # type: ignore[misc]
    post, _, choice = element["value"].partition(":")
    return int(post), int(choice)


async def test_daily_set_by_a_member_who_is_not_an_admin_is_refused_and_changes_nothing(rig: SlackRig) -> None:
    ack, reply = await rig.slash("/daily", "set <#C2|random> 09:00", user="U2")
    assert ack.within(3.0) and "Only workspace admins and owners" in reply.readable()
    for sub in ("now", "stop"):
        _, refused = await rig.slash("/daily", sub, user="U3")
        assert "Only workspace admins and owners" in refused.readable()
    assert await rig.app.daily.status(COMMUNITY) == []
    assert rig.fake.channel_messages() == []


async def test_an_admin_sets_a_daily_quiz_and_everyone_sees_its_status(rig: SlackRig) -> None:
    ack, reply = await rig.slash("/daily", "set <#C2|random> 09:00 Asia/Seoul Auto Scaling", user="U1")
    assert ack.within(3.0)
    assert "09:00" in reply.readable() and "Asia/Seoul" in reply.readable() and "Auto Scaling" in reply.readable()
    _, status = await rig.slash("/daily", "status", user="U3")
    assert "<#C2>" in status.readable() and "09:00" in status.readable()
    [schedule] = await rig.app.daily.status(COMMUNITY)
    assert (schedule.schedule.channel_id, schedule.schedule.timezone) == ("C2", "Asia/Seoul")


@pytest.mark.parametrize(("text", "says"), [
    ("set random 09:00", "Name the channel with #"),
    ("set <#C2|random>", "Usage"),
    ("set <#C2|random> 25:99", "is not a time of day"),
    ("set <#C2|random> 09:00 Mars/Olympus", "is not a time zone"),
    ("set <#C2|random> 09:00 no such topic here", "There is no deck or section"),
    ("sometimes", "Usage"),
])
async def test_a_wrong_daily_set_is_explained_and_schedules_nothing(rig: SlackRig, text: str, says: str) -> None:
    _, reply = await rig.slash("/daily", text, user="U1")
    assert says in reply.readable()
    assert await rig.app.daily.status(COMMUNITY) == []


async def test_daily_now_posts_a_block_kit_question_with_answer_buttons(rig: SlackRig) -> None:
    await schedule_in_random(rig)
    message = await post_now(rig)
    buttons = message.action_ids()
    assert len(buttons) >= 2 and all(b.startswith("daily_answer:") for b in buttons)
    assert message.blocks[0]["type"] == "header" and "Daily question" in message.readable()
    assert len(rig.fake.channel_messages("C2")) == 1
    assert [args.get("link_names") for args in rig.fake.calls_to("chat.postMessage")] in ([False], ["false"], ["0"])


async def test_each_daily_now_posts_one_more_question(rig: SlackRig) -> None:
    await schedule_in_random(rig)
    await post_now(rig)
    await post_now(rig)
    assert len(rig.fake.channel_messages("C2")) == 2


async def test_clicks_get_a_private_verdict_and_the_first_answer_is_final(rig: SlackRig) -> None:
    await schedule_in_random(rig)
    message = await post_now(rig)
    post_id, _ = answer_value(message, 0)
    right = await rig.app.daily.correct_choice(post_id)
    wrong = (right + 1) % len(message.action_ids())
    ack, verdict = await rig.click(message, f"daily_answer:{right}", user="U2")
    assert ack.within(3.0) and ack.payload in (None, {}) and verdict.via == "response_url"
    assert verdict.blocks[0]["text"]["text"].startswith("✅")
    _, miss = await rig.click(message, f"daily_answer:{wrong}", user="U3")
    assert miss.blocks[0]["text"]["text"].startswith("❌")
    again, repeat = await rig.click(message, f"daily_answer:{wrong}", user="U2")
    assert again.within(3.0) and "already answered" in repeat.readable()
    assert rig.fake.messages[message.ts].history == []  # the channel post was never replaced
    results = await rig.app.daily.quiz.store.post_results(post_id)
    assert results is not None and results.total == 2
    board = await rig.app.study.leaderboard(COMMUNITY, period="all", board="daily")
    assert {r.user_id: r.correct for r in board.rows} == {"U2": 1, "U3": 0}


@pytest.mark.parametrize("forge", ["other post", "bad choice", "not digits", "index mismatch", "empty"])
async def test_a_forged_daily_value_is_answered_politely_and_stores_nothing(rig: SlackRig, forge: str) -> None:
    await schedule_in_random(rig)
    message = await post_now(rig)
    post_id, _ = answer_value(message, 0)
    action, value = {
        "other post": ("daily_answer:0", "424242:0"), "bad choice": ("daily_answer:9", f"{post_id}:9"),
        "not digits": ("daily_answer:0", "DROP TABLE"), "index mismatch": ("daily_answer:0", f"{post_id}:1"),
        "empty": ("daily_answer:0", ""),
    }[forge]
    ack = await rig.fake.click(message, action, value, user="U2", forged=True)
    reply = await rig.fake.wait_reply(ack)
    assert ack.within(3.0) and len(rig.fake.replies_to(ack)) == 1
    assert any(word in reply.readable() for word in ("no longer", "not one of the choices")), reply.readable()
    results = await rig.app.daily.quiz.store.post_results(post_id)
    assert results is not None and results.total == 0


async def test_the_reveal_updates_the_post_and_a_late_click_is_told_the_answer(rig: SlackRig, clock: ManualClock) -> None:
    await schedule_in_random(rig)
    message = await post_now(rig)
    post_id, _ = answer_value(message, 0)
    right = await rig.app.daily.correct_choice(post_id)
    await rig.click(message, f"daily_answer:{right}", user="U2")
    post = await rig.app.daily.quiz.get_post(post_id)
    assert post is not None and post.reveal_at is not None
    clock.set(post.reveal_at + timedelta(seconds=1))
    await rig.app.daily.sweep()
    revealed = rig.fake.messages[message.ts]
    assert len(revealed.history) == 1 and revealed.action_ids() == []
    assert "answer" in revealed.readable() and "✅" in revealed.readable() and "1 answered" in revealed.readable()
    late = await rig.fake.click(message.ts, "daily_answer:0", f"{post_id}:0", user="U3", forged=True)
    assert "answers are closed" in (await rig.fake.wait_reply(late)).readable()
    results = await rig.app.daily.quiz.store.post_results(post_id)
    assert results is not None and results.total == 1


async def test_a_429_on_the_daily_post_is_waited_out_and_the_post_is_made_once(rig: SlackRig) -> None:
    await schedule_in_random(rig)
    rig.fake.fail_next("chat.postMessage", status=429, retry_after=1)
    message = await post_now(rig)
    assert len(rig.fake.channel_messages("C2")) == 1 and message.action_ids()
    assert [m for m, _ in rig.fake.rate_limited] == ["chat.postMessage"]
    assert rig.fake.violations == []  # not retried before Retry-After


async def test_a_channel_the_bot_cannot_post_in_pauses_the_schedule(rig: SlackRig) -> None:
    rig.fake.add_channel("C9", "private-quiz", is_member=False)
    _, reply = await rig.slash("/daily", "set <#C9|private-quiz> 09:00", user="U1")
    assert "invite me first" in reply.readable()
    ack, failed = await rig.slash("/daily", "now", user="U1", channel="C9")
    assert ack.within(3.0) and "could not post" in failed.readable()
    _, status = await rig.slash("/daily", "status", user="U2")
    assert "Paused" in status.readable()
    assert rig.fake.channel_messages("C9") == []


async def test_daily_stop_ends_the_schedule_and_keeps_its_answers(rig: SlackRig) -> None:
    await schedule_in_random(rig)
    message = await post_now(rig)
    await rig.click(message, "daily_answer:0", user="U2")
    _, stopped = await rig.slash("/daily", "stop", user="U1", channel="C2")
    assert "Stopped the daily quiz in <#C2>" in stopped.readable()
    _, status = await rig.slash("/daily", "status", user="U2")
    assert "No daily quiz yet" in status.readable()
    board = await rig.app.study.leaderboard(COMMUNITY, period="all", board="daily")
    assert [r.user_id for r in board.rows] == ["U2"]


async def test_a_post_from_before_a_restart_still_takes_answers(fake_slack: FakeSlack, tmp_path: Path) -> None:
    db = tmp_path / "studybot.db"
    async with slack_rig(fake_slack, db) as first:
        await schedule_in_random(first)
        message = await post_now(first)
    async with slack_rig(fake_slack, db) as second:
        ack, verdict = await second.click(message, "daily_answer:1", user="U3")
        assert ack.within(3.0) and verdict.blocks[0]["text"]["text"][0] in "✅❌"
        post_id, _ = answer_value(message, 1)
        results = await second.app.daily.quiz.store.post_results(post_id)
        assert results is not None and results.total == 1


async def test_the_daily_post_speaks_the_language_of_the_admin_who_set_it(rig: SlackRig) -> None:
    rig.fake.add_user("UKA", name="관리자", locale="ko-KR", is_admin=True)
    _, reply = await rig.slash("/daily", "set <#C2|random> 09:00", user="UKA")
    assert "매일" in reply.readable()
    before = set(rig.fake.messages)
    await rig.slash("/daily", "now", user="UKA", channel="C2")
    message = await rig.fake.wait_for_message(lambda m: m.ts not in before)
    assert "오늘의 문제" in message.readable()


async def test_an_owner_who_is_not_an_admin_may_run_the_daily_quiz(rig: SlackRig) -> None:
    rig.fake.add_user("UOW", is_owner=True)
    _, reply = await rig.slash("/daily", "set <#C2|random> 09:00", user="UOW")
    assert "<#C2>" in reply.readable()
