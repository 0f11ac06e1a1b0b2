"""End-to-end: `/review` on the real bot against the loopback Discord: ephemeral cards, multiple
choice and flashcard, buttons that carry only ids and survive a restart, and polite refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.community import Community
from tests.e2e_support import custom_ids, embed_text, reply_message, running_studybot
from tests.loopback import FakeDiscord
from tests.loopback.fixtures import fake_discord  # noqa: F401

pytestmark = pytest.mark.e2e


async def test_review_multiple_choice_answers_and_offers_the_next_card(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    g = fake_discord.guild
    async with running_studybot(fake_discord, tmp_path) as run:
        card = reply_message(await fake_discord.slash(g, g.member, "review"))
        assert card.ephemeral
        text = embed_text(card)
        assert "Review: multiple choice" in text and "New entry" in text and "Due now: **0**" in text
        buttons = custom_ids(card, "rv:")
        assert 2 <= len(buttons) <= 4
        intruder = await fake_discord.click(card, buttons[0], g.admin)
        assert intruder.ephemeral and "belongs to someone else" in intruder.text()
        clicked = await fake_discord.click(card, buttons[0], g.member)
        assert clicked.errors == []
        answered = fake_discord.messages[card.id]
        assert "Next review of this card" in embed_text(answered) or "this card comes back" in embed_text(answered)
        assert "Reviews count on no leaderboard." in embed_text(answered)
        (next_id,) = custom_ids(answered, "rvnext:")
        following = reply_message(await fake_discord.click(answered, next_id, g.member))
        assert custom_ids(following, "rv:")
        cards = await run.store.member_cards(Community.discord(g.id), str(g.member.id))
        assert len(cards) == 1
        board = await fake_discord.slash(g, g.member, "leaderboard", period="all", board="practice")
        assert "Nobody is on this board yet." in embed_text(reply_message(board))


async def test_review_flashcard_reveals_then_rates_even_after_a_restart(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    g = fake_discord.guild
    async with running_studybot(fake_discord, tmp_path) as run:
        card = reply_message(await fake_discord.slash(g, g.member, "review", mode="flashcard", locale="ko"))
        assert card.ephemeral and "플래시카드" in embed_text(card)
        (show,) = custom_ids(card, "rvshow:")
        entry = run.app.study.notes.entries[0]
    async with running_studybot(fake_discord, tmp_path) as run:
        shown = await fake_discord.click(card, show, g.member)
        assert shown.errors == []
        back = fake_discord.messages[card.id]
        assert entry.definition[:40] in embed_text(back)
        rates = custom_ids(back, "rvrate:")
        assert [r.rsplit(":", 1)[1] for r in rates] == ["1", "2", "3", "4"]
        rated = await fake_discord.click(back, rates[2], g.member)
        assert rated.errors == []
        assert "Good" in embed_text(fake_discord.messages[card.id]) or "알맞음" in embed_text(fake_discord.messages[card.id])
        cards = await run.store.member_cards(Community.discord(g.id), str(g.member.id))
        assert set(cards) == {entry.id}


async def test_forged_review_buttons_get_a_polite_answer_and_store_nothing(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    g = fake_discord.guild
    async with running_studybot(fake_discord, tmp_path) as run:
        card = reply_message(await fake_discord.slash(g, g.member, "review", mode="flashcard"))
        (show,) = custom_ids(card, "rvshow:")
        post_id = show.split(":")[1]
        forged = {
            f"rvrate:{post_id}:9": "not one of the choices",
            "rvrate:99999:3": "no longer exists",
            "rvshow:abc": "no longer exists",
            "rv:99999:0": "no longer exists",
            f"rv:{post_id}:0": "not one of the choices",  # a choice for a flashcard
        }
        for custom_id, expected in forged.items():
            result = await fake_discord.click(card, custom_id, g.member, forged=True)
            assert result.ephemeral and expected in result.text(), (custom_id, result.text())
        other = await fake_discord.click(card, f"rvrate:{post_id}:3", g.admin, forged=True)
        assert other.ephemeral and "belongs to someone else" in other.text()
        assert await run.store.member_cards(Community.discord(g.id), str(g.member.id)) == {}


async def test_admin_turns_review_scores_on(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    g = fake_discord.guild
    async with running_studybot(fake_discord, tmp_path) as run:
        done = await fake_discord.slash(g, g.admin, "studyadmin", "review-scores", on=True)
        assert done.ephemeral and "now count on the practice leaderboard" in done.text()
        assert await run.app.study.review.counts_on_leaderboard(Community.discord(g.id))


async def test_typed_review_opens_a_text_box_and_judges_fairly(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    g = fake_discord.guild
    async with running_studybot(fake_discord, tmp_path) as run:
        entry = run.app.study.notes.entries[0]
        card = reply_message(await fake_discord.slash(g, g.member, "review", mode="typed"))
        assert card.ephemeral and "Review: type the term" in embed_text(card)
        (type_id,) = custom_ids(card, "rvtype:")

        async def submit(text: str):
            opened = await fake_discord.click(card, type_id, g.member)
            modal = opened.modal
            assert modal is not None and modal["custom_id"].startswith("rvtyped:")
            field = modal["components"][0]["components"][0]
            assert field["max_length"] == 200
            return await fake_discord.submit_modal(card, modal["custom_id"], g.member, {field["custom_id"]: text})

        for text, polite in (("x" * 5000, "longer than 200 characters"), ("😀\u200b😀", "nothing to check")):
            refused = await submit(text)
            assert refused.ephemeral and polite in refused.text(), refused.text()
        assert await run.store.member_cards(Community.discord(g.id), str(g.member.id)) == {}

        judged = await submit(f"  {entry.term.upper()} ")
        assert judged.ephemeral and "Correct" in embed_text(reply_message(judged))
        assert custom_ids(reply_message(judged), "rvnext:")
        cards = await run.store.member_cards(Community.discord(g.id), str(g.member.id))
        assert set(cards) == {entry.id}
        again = await submit(entry.term)
        assert again.ephemeral and "already answered" in again.text()


async def test_review_remind_on_off_and_a_bad_time(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    g = fake_discord.guild
    async with running_studybot(fake_discord, tmp_path) as run:
        bad = await fake_discord.slash(g, g.member, "review", remind="on", at="25:99")
        assert bad.ephemeral and "is not a time of day" in bad.text()
        assert await run.app.study.reminders.get(Community.discord(g.id), str(g.member.id)) is None
        on = await fake_discord.slash(g, g.member, "review", remind="on", at="07:30", timezone="Asia/Seoul")
        assert on.ephemeral and "07:30 (Asia/Seoul)" in on.text()
        stored = await run.app.study.reminders.get(Community.discord(g.id), str(g.member.id))
        assert stored is not None and stored.time == "07:30"
        off = await fake_discord.slash(g, g.member, "review", remind="off")
        assert off.ephemeral and "Reminders are off" in off.text()
        assert await run.app.study.reminders.get(Community.discord(g.id), str(g.member.id)) is None
