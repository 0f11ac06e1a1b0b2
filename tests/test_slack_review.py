"""`/review` on Slack: due cards first, then new entries, in three modes (multiple choice,
flashcard with Again/Hard/Good/Easy, and a typed answer in a modal), opt-in reminders, and the
reminder message itself; through the real Bolt app on the loopback Slack."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.engine.cards import Rating
from tests.slack_app_support import COMMUNITY, SlackRig, slack_front, slack_rig  # noqa: F401 - the fixture
from tests.slack_loopback import FakeSlack

pytestmark = pytest.mark.asyncio


async def cards(rig: SlackRig, user: str) -> int:
    return len(await rig.app.study.member_cards(COMMUNITY, user))


async def test_a_multiple_choice_review_is_graded_and_offers_the_next_card(slack_front: SlackRig) -> None:
    ack, card = await slack_front.slash("/review", user="U2")
    answers = [a for a in card.action_ids() if a.startswith("review_answer:")]
    assert ack.within(3.0) and card.via == "response_url" and answers
    assert "New entry" in card.readable() and "Due now" in card.readable()
    clicked, verdict = await slack_front.click(card, answers[0], user="U2")
    assert clicked.within(3.0) and verdict.blocks[0]["text"]["text"][0] in "✅❌"
    assert verdict.action_ids() == ["review_next"] and "count on no leaderboard" in verdict.readable()
    assert await cards(slack_front, "U2") == 1
    _, repeat = await slack_front.click(card, answers[-1], user="U2")
    assert "already answered" in repeat.readable() and await cards(slack_front, "U2") == 1
    _, following = await slack_front.click(verdict, "review_next", user="U2")
    assert any(a.startswith("review_answer:") for a in following.action_ids())


async def test_a_flashcard_shows_its_back_then_takes_the_members_rating(slack_front: SlackRig) -> None:
    _, card = await slack_front.slash("/review", "flash", user="U2")
    assert card.action_ids() == ["review_show"]
    _, back = await slack_front.click(card, "review_show", user="U2")
    assert back.action_ids() == ["review_rate:again", "review_rate:hard", "review_rate:good", "review_rate:easy"]
    _, rated = await slack_front.click(back, "review_rate:good", user="U2")
    assert rated.blocks[0]["text"]["text"].startswith("✅") and "Rated *Good*" in rated.readable()
    [card_state] = (await slack_front.app.study.member_cards(COMMUNITY, "U2")).values()
    assert card_state.reps == 1
    _, again = await slack_front.click(back, "review_rate:again", user="U2")
    assert "already answered" in again.readable()


async def test_rating_again_is_a_cross(slack_front: SlackRig) -> None:
    _, card = await slack_front.slash("/review", "flash", user="U3")
    _, back = await slack_front.click(card, "review_show", user="U3")
    _, rated = await slack_front.click(back, "review_rate:again", user="U3")
    assert rated.blocks[0]["text"]["text"].startswith("❌") and f"*{Rating.AGAIN.name.title()}*" in rated.readable()


async def test_a_typed_answer_is_judged_in_a_modal_and_answered_privately(slack_front: SlackRig) -> None:
    fake = slack_front.fake
    _, card = await slack_front.slash("/review", "type", user="U2")
    assert card.action_ids() == ["review_type"]
    post_id = int(card.element("review_type")[1]["value"])  # type: ignore[index]
    question = await slack_front.app.study.review.get_item(community=COMMUNITY, post_id=post_id, user_id="U2")
    ack = await fake.click(card, "review_type", user="U2")
    view = (await fake.wait_for(lambda: fake.open_views("U2"), what="the typed-answer modal"))[0]
    assert ack.within(3.0) and view.view["callback_id"] == "review_typed"
    submitted = await fake.submit_view(view.id, {"typed_input": question.term.upper()}, user="U2")
    assert submitted.within(3.0) and fake.views[view.id].closed
    verdict = await fake.wait_for(lambda: [e for e in fake.ephemerals_for("U2") if "✅" in e.readable()],
                                  what="the typed verdict")
    assert verdict[0].action_ids() == ["review_next"]
    assert await cards(slack_front, "U2") == 1


@pytest.mark.parametrize("typed", ["   ", "🙂🙂", "\u200b\u200b"])
async def test_a_typed_answer_that_cannot_be_judged_keeps_the_modal_open_and_stores_nothing(
        slack_front: SlackRig, typed: str) -> None:
    fake = slack_front.fake
    _, card = await slack_front.slash("/review", "type", user="U3")
    await fake.click(card, "review_type", user="U3")
    view = (await fake.wait_for(lambda: fake.open_views("U3"), what="the typed-answer modal"))[0]
    submitted = await fake.submit_view(view.id, {"typed_input": typed}, user="U3")
    assert submitted.payload["response_action"] == "errors"  # type: ignore[index]
    assert "Nothing was stored" in submitted.payload["errors"]["typed"]  # type: ignore[index]
    assert not fake.views[view.id].closed and await cards(slack_front, "U3") == 0


async def test_another_members_typed_card_does_not_open(slack_front: SlackRig) -> None:
    fake = slack_front.fake
    _, card = await slack_front.slash("/review", "type", user="U2")
    ack = await fake.click(card, "review_type", user="U3", forged=True)
    assert "belongs to someone else" in (await fake.wait_reply(ack)).readable()
    assert fake.open_views("U3") == []


async def test_reminders_turn_on_and_off_and_refuse_a_bad_time(slack_front: SlackRig) -> None:
    _, on = await slack_front.slash("/review", "remind on 07:30 Asia/Seoul", user="U2")
    assert "07:30 (Asia/Seoul)" in on.readable() and "/review remind off" in on.readable()
    reminder = await slack_front.app.study.reminders.get(COMMUNITY, "U2")
    assert reminder is not None and reminder.time == "07:30"
    _, bad = await slack_front.slash("/review", "remind on 25:99", user="U3")
    assert "is not a time of day" in bad.readable()
    assert await slack_front.app.study.reminders.get(COMMUNITY, "U3") is None
    _, off = await slack_front.slash("/review", "remind off", user="U2")
    assert "Reminders are off" in off.readable()
    _, usage = await slack_front.slash("/review", "sometimes", user="U2")
    assert "/review remind on HH:MM" in usage.readable()


async def test_a_due_reminder_is_one_message_from_the_app(fake_slack: FakeSlack, tmp_path: Path) -> None:
    clock = ManualClock(datetime(2026, 3, 9, 3, 0, tzinfo=UTC))
    # Slack takes a member's id as the channel of chat.postMessage (the app's Messages tab with
    # them); the loopback knows channels only, so the member's one is added by hand.
    fake_slack.add_channel("U2", "u2-app-home")
    async with slack_rig(fake_slack, tmp_path / "studybot.db", clock=clock) as rig:
        _, card = await rig.slash("/review", "flash", user="U2")
        _, back = await rig.click(card, "review_show", user="U2")
        await rig.click(back, "review_rate:again", user="U2")
        await rig.slash("/review", "remind on 00:00 UTC", user="U2")
        clock.advance(timedelta(hours=2))  # the card is due again
        sent = await rig.app.study.reminders.sweep(rig.front.delivery, platform="slack")
        again = await rig.app.study.reminders.sweep(rig.front.delivery, platform="slack")
    posts = [m for m in fake_slack.channel_messages() if "cards due for review" in m.readable()]
    assert (sent.sent, again.sent) == (1, 0) and len(posts) == 1 and posts[0].channel == "U2"
