"""Every slash command and click of the Slack front end, through the real Bolt app over Socket
Mode on the loopback Slack: acknowledged within 3 s, one private reply, Slack's limits kept."""

from __future__ import annotations

import pytest

from tests.slack_app_support import COMMUNITY, SlackRig, slack_front  # noqa: F401 - the fixture

pytestmark = pytest.mark.asyncio


async def test_define_finds_hpa_by_acronym_with_definition_aliases_deck_and_source(slack_front: SlackRig) -> None:
    ack, reply = await slack_front.slash("/define", "HPA")
    text = reply.readable()
    assert ack.within(3.0) and reply.via == "response_url"
    assert "Horizontal Pod Autoscaler" in text and "쿠버네티스에서 Pod의 수를 자동으로 조정" in text
    assert "HPA" in text and "›" in text and "cloud-native-fundamentals.md:" in text
    assert reply.action_ids()[:2] == ["quiz_entry", "lookup_open"]


async def test_define_with_a_typo_offers_close_matches_as_buttons_that_define_them(slack_front: SlackRig) -> None:
    _, reply = await slack_front.slash("/define", "autoscalr")
    picks = [a for a in reply.action_ids() if a.startswith("define_pick:")]
    assert picks, reply.readable()
    _, element = reply.element(picks[0])  # type: ignore[misc]
    entry = slack_front.app.study.glossary.get(element["value"])
    assert entry is not None
    ack, picked = await slack_front.click(reply, picks[0])
    assert ack.within(3.0) and picked.via == "response_url"
    assert entry.term in picked.readable()


async def test_define_of_nothing_known_says_so_and_offers_the_type_ahead(slack_front: SlackRig) -> None:
    _, reply = await slack_front.slash("/define", "zzqqxxwv")
    assert "Nothing found" in reply.readable() and "lookup_open" in reply.action_ids()


async def test_define_without_a_term_explains_the_usage(slack_front: SlackRig) -> None:
    _, reply = await slack_front.slash("/define", "   ")
    assert "/define TERM" in reply.readable()


async def test_hostile_text_comes_back_escaped_and_pings_nobody(slack_front: SlackRig) -> None:
    ack, reply = await slack_front.slash("/define", "<!channel> <!here> <@U2> & <script>")
    assert ack.within(3.0)
    assert "&lt;!channel&gt;" in reply.readable() or "&lt;!here&gt;" in reply.readable()
    assert slack_front.fake.violations == []


async def test_the_type_ahead_modal_suggests_as_you_type_and_shows_the_choice(slack_front: SlackRig) -> None:
    fake = slack_front.fake
    _, reply = await slack_front.slash("/define", "HPA", user="U2")
    ack = await fake.click(reply, "lookup_open", user="U2")
    view = (await fake.wait_for(lambda: fake.open_views("U2"), what="the lookup modal"))[0]
    assert ack.within(3.0) and view.element("lookup_select") is not None
    suggested = await fake.suggest("lookup_select", "hp", user="U2")
    options = suggested.payload["options"]  # type: ignore[index]
    hpa = next(o for o in options if "HPA" in o["text"]["text"])
    assert suggested.within(3.0) and len(options) <= 100
    shown = await fake.submit_view(view.id, {"lookup_select": hpa["value"]}, user="U2")
    assert shown.within(3.0) and shown.payload["response_action"] == "update"  # type: ignore[index]
    assert "Horizontal Pod Autoscaler" in fake.views[view.id].readable()


async def test_the_lookup_shortcut_opens_the_same_modal(slack_front: SlackRig) -> None:
    fake = slack_front.fake
    ack = await fake.shortcut("lookup", user="U3")
    views = await fake.wait_for(lambda: fake.open_views("U3"), what="the lookup modal")
    assert ack.within(3.0) and views[0].view["callback_id"] == "lookup_modal"


async def test_search_paginates_with_next_and_previous(slack_front: SlackRig) -> None:
    ack, first = await slack_front.slash("/search", "컨테이너")
    assert ack.within(3.0) and first.action_ids() == ["search_page:2"]
    _, second = await slack_front.click(first, "search_page:2")
    assert "search_page:1" in second.action_ids() and "2/" in second.readable()
    assert second.readable() != first.readable()


async def test_quiz_asks_privately_and_the_first_answer_counts(slack_front: SlackRig) -> None:
    ack, question = await slack_front.slash("/quiz", user="U2")
    buttons = [a for a in question.action_ids() if a.startswith("quiz_answer:")]
    assert ack.within(3.0) and question.via == "response_url" and len(buttons) >= 2
    clicked, verdict = await slack_front.click(question, buttons[0], user="U2")
    assert clicked.within(3.0) and verdict.blocks[0]["text"]["text"][0] in "✅❌"
    assert verdict.action_ids() == ["quiz_next"]
    again, repeat = await slack_front.click(question, buttons[1], user="U2")
    assert again.within(3.0) and "already answered" in repeat.readable()
    stats = await slack_front.app.study.stats(COMMUNITY, "U2")
    assert stats.boards["practice"].answered == 1  # type: ignore[index]


async def test_next_question_asks_another_one(slack_front: SlackRig) -> None:
    _, question = await slack_front.slash("/quiz", user="U2")
    _, verdict = await slack_front.click(question, "quiz_answer:0", user="U2")
    _, following = await slack_front.click(verdict, "quiz_next", user="U2")
    assert any(a.startswith("quiz_answer:") for a in following.action_ids())
    assert following.element("quiz_answer:0")[1]["value"] != question.element("quiz_answer:0")[1]["value"]  # type: ignore[index]


async def test_quiz_me_under_a_definition_asks_about_that_term(slack_front: SlackRig) -> None:
    _, definition = await slack_front.slash("/define", "HPA")
    _, question = await slack_front.click(definition, "quiz_entry")
    assert any(a.startswith("quiz_answer:") for a in question.action_ids())


async def test_an_unknown_quiz_topic_is_answered_politely(slack_front: SlackRig) -> None:
    _, reply = await slack_front.slash("/quiz", "no such deck at all")
    assert "There is no deck or section" in reply.readable()


async def test_a_forged_answer_value_is_acknowledged_answered_and_records_nothing(slack_front: SlackRig) -> None:
    fake = slack_front.fake
    _, question = await slack_front.slash("/quiz", user="U2")
    for value in ("1:0:0", "abc", "99999999:0", "", "1" * 30 + ":1"):
        ack = await fake.click(question, "quiz_answer:0", value, user="U2", forged=True)
        reply = await fake.wait_reply(ack)
        assert ack.within(3.0) and "no longer" in reply.readable()
    other = await fake.click(question, "quiz_answer:0", user="U3", forged=True)  # someone else's question
    assert "belongs to someone else" in (await fake.wait_reply(other)).readable()
    assert (await slack_front.app.study.stats(COMMUNITY, "U2")).boards["practice"].answered == 0  # type: ignore[index]
    assert (await slack_front.app.study.stats(COMMUNITY, "U3")).boards["practice"].answered == 0  # type: ignore[index]


async def test_an_unknown_action_is_acknowledged_and_answered(slack_front: SlackRig) -> None:
    _, question = await slack_front.slash("/quiz")
    ack = await slack_front.fake.click(question, "daily_answer:x", "1:1", forged=True)
    assert ack.within(3.0) and "no longer" in (await slack_front.fake.wait_reply(ack)).readable()


async def test_stats_and_leaderboard_show_the_members_answers(slack_front: SlackRig) -> None:
    fake = slack_front.fake
    fake.add_user("U7", name="<@U1> mallory")
    _, question = await slack_front.slash("/quiz", user="U7")
    await slack_front.click(question, "quiz_answer:0", user="U7")
    ack, stats = await slack_front.slash("/stats", user="U7")
    assert ack.within(3.0) and "Answered *1*" in stats.readable()
    _, board = await slack_front.slash("/leaderboard", "all practice", user="U7")
    assert "#1" in board.readable() and "&lt;@U1&gt; mallory" in board.readable()
    _, bad = await slack_front.slash("/leaderboard", "forever", user="U7")
    assert "Unknown option forever" in bad.readable()


async def test_stats_of_another_member_named_with_a_mention(slack_front: SlackRig) -> None:
    _, question = await slack_front.slash("/quiz", user="U2")
    await slack_front.click(question, "quiz_answer:0", user="U2")
    _, stats = await slack_front.slash("/stats", "<@U2|u2>", user="U3")
    assert "Answered *1*" in stats.readable()


async def test_a_korean_member_reads_korean(slack_front: SlackRig) -> None:
    slack_front.fake.add_user("UKO", name="민지", locale="ko-KR")
    _, reply = await slack_front.slash("/quiz", user="UKO")
    _, verdict = await slack_front.click(reply, "quiz_answer:0", user="UKO")
    assert "연습 문제" in reply.readable() and "다음 문제" in verdict.readable()
    _, again = await slack_front.click(reply, "quiz_answer:1", user="UKO")
    assert "이미 답했" in again.readable()


async def test_a_member_without_a_locale_reads_the_workspace_default(slack_front: SlackRig) -> None:
    slack_front.fake.add_user("UNL", locale=None)
    await slack_front.front.members.set_default_lang("T0LOOP", "ko")
    _, reply = await slack_front.slash("/quiz", user="UNL")
    assert "연습 문제" in reply.readable()


async def test_an_expired_response_url_falls_back_to_an_ephemeral_message(slack_front: SlackRig) -> None:
    fake = slack_front.fake
    _, question = await slack_front.slash("/quiz", user="U2")
    fake.fail_next("response_url", status=404)
    ack = await fake.click(question, "quiz_answer:0", user="U2")
    reply = await fake.wait_reply(ack)
    assert reply.via == "chat.postEphemeral" and reply.blocks[0]["text"]["text"][0] in "✅❌"
    assert len(fake.replies_to(ack)) == 1


async def test_a_member_can_hide_from_the_leaderboard_and_come_back(slack_front: SlackRig) -> None:
    _, question = await slack_front.slash("/quiz", user="U2")
    await slack_front.click(question, "quiz_answer:0", user="U2")
    _, stats = await slack_front.slash("/stats", user="U2")
    assert stats.action_ids() == ["stats_listing"]
    _, hidden = await slack_front.click(stats, "stats_listing", user="U2")
    assert "hidden from this workspace's leaderboards" in hidden.readable()
    board = await slack_front.app.study.leaderboard(COMMUNITY, period="all", board="practice")
    assert board.rows == ()
    _, private = await slack_front.slash("/stats", "<@U2|u2>", user="U3")
    assert "keeps their study stats private" in private.readable() and private.action_ids() == []
    _, again = await slack_front.slash("/stats", user="U2")
    _, shown = await slack_front.click(again, "stats_listing", user="U2")
    assert "listed on this workspace's leaderboards again" in shown.readable()
