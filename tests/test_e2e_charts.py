"""End-to-end: pictures and exports on the real bot against the loopback Discord: `/stats`
attaches its chart with the alt text as the attachment's description, `/leaderboard podium:true`
attaches the top-10 card, `/studyadmin export` attaches an Anki deck or says it is too big, and
the loopback refuses a file over the upload limit with 413 as Discord does."""

from __future__ import annotations

import io
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from PIL import Image

from bot.community import Community
from tests.e2e_support import embed_text, reply_message, running_studybot
from tests.loopback import FakeDiscord
from tests.loopback.fixtures import fake_discord  # noqa: F401
from tests.loopback.server import ATTACHMENT_SIZE_LIMIT

pytestmark = pytest.mark.e2e

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def uploads(fake: FakeDiscord, interaction_id: str) -> list[dict[str, Any]]:
    """The files the bot uploaded while answering one interaction, with their bytes."""
    return [f for r in fake.requests if r.interaction_id == interaction_id for f in r.files]


async def answer_practice(run: Any, member_id: int, guild_id: str, name: str, right: int, wrong: int) -> None:
    community = Community.discord(guild_id)
    question = run.app.study.bank.questions[0]
    for i in range(right + wrong):
        post = await run.store.create_practice_post(community, str(member_id), question)
        choice = question.answer if i < right else (question.answer + 1) % len(question.choices)
        await run.store.record_answer(post.post_id, str(member_id), choice, name)


async def test_stats_attaches_the_chart_with_its_alt_text_as_description(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    g = fake_discord.guild
    async with running_studybot(fake_discord, tmp_path) as run:
        await answer_practice(run, g.member.id, g.id, "member", right=3, wrong=1)
        result = await fake_discord.slash(g, g.member, "stats", locale="ko")
        message = reply_message(result)
        assert "연습" in embed_text(message) and "답변 **4**" in embed_text(message)
        (attachment,) = message.attachments
        assert attachment["filename"] == "stats.png"
        assert message.embeds[0]["image"]["url"] == "attachment://stats.png"
        description = attachment["description"]
        assert "최근 30일 학습 차트" in description and "4개 답변, 정답 3개 (75%)" in description
        (upload,) = uploads(fake_discord, result.record.id)
        assert upload["data"].startswith(PNG_SIGNATURE) and upload["size"] <= ATTACHMENT_SIZE_LIMIT
        assert Image.open(io.BytesIO(upload["data"])).width >= 600


async def test_stats_of_a_member_with_no_answers_attaches_the_friendly_empty_chart(
        fake_discord: FakeDiscord, tmp_path: Path) -> None:
    g = fake_discord.guild
    async with running_studybot(fake_discord, tmp_path):
        message = reply_message(await fake_discord.slash(g, g.admin, "stats"))
        (attachment,) = message.attachments
        assert "No answers in these 30 days." in attachment["description"]
        assert "No answers yet." in embed_text(message)


async def test_leaderboard_podium_attaches_the_top_ten_card_and_pings_nobody(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    g = fake_discord.guild
    students = fake_discord.make_members(g, 12)
    async with running_studybot(fake_discord, tmp_path) as run:
        for i, student in enumerate(students):
            name = "@everyone" if i == 0 else student.user.username
            await answer_practice(run, student.id, g.id, name, right=12 - i, wrong=0)
        result = await fake_discord.slash(g, g.member, "leaderboard", period="all", board="practice", podium=True)
        message = reply_message(result)
        (attachment,) = message.attachments
        assert attachment["filename"] == "leaderboard.png"
        description = attachment["description"]
        assert description.startswith("Podium card of the practice board, all time: 1. @\u200beveryone, 24 points")
        assert "10. student009" in description and "student010" not in description
        (upload,) = uploads(fake_discord, result.record.id)
        assert upload["data"].startswith(PNG_SIGNATURE)


async def test_studyadmin_exports_the_glossary_as_an_anki_deck(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    g = fake_discord.guild
    async with running_studybot(fake_discord, tmp_path) as run:
        result = await fake_discord.slash(g, g.admin, "studyadmin", "export", what="anki")
        message = reply_message(result)
        assert message.ephemeral and "Anki deck of" in message.text()
        (upload,) = uploads(fake_discord, result.record.id)
        assert upload["filename"] == "studybot-glossary.apkg"
        with zipfile.ZipFile(io.BytesIO(upload["data"])) as archive:
            db = sqlite3.connect(":memory:")
            db.deserialize(archive.read("collection.anki2"))
        assert db.execute("SELECT count(*) FROM notes").fetchone()[0] == len(run.app.study.notes.entries)


@pytest.mark.loopback(attachment_size_limit=4096)  # a server whose limit the deck does not fit
async def test_an_export_over_the_upload_limit_is_refused_in_words_and_not_sent(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    g = fake_discord.guild
    async with running_studybot(fake_discord, tmp_path):
        result = await fake_discord.slash(g, g.admin, "studyadmin", "export", what="glossary")
        assert "over this server's upload limit of 4 KB" in reply_message(result).text()
        assert uploads(fake_discord, result.record.id) == []


@pytest.mark.loopback(attachment_size_limit=1024)
async def test_the_loopback_refuses_a_file_over_the_limit_with_413(fake_discord: FakeDiscord) -> None:
    channel = fake_discord.guild.text_channel
    form = aiohttp.FormData()
    form.add_field("payload_json", '{"content": "big", "allowed_mentions": {"parse": []}}',
                   content_type="application/json")
    form.add_field("files[0]", b"x" * 2048, filename="big.bin", content_type="application/octet-stream")
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{fake_discord.api_base}/channels/{channel.id}/messages", data=form,
                             headers={"Authorization": f"Bot {fake_discord.token}"}) as response:
            assert response.status == 413
            assert (await response.json())["code"] == 40005
    assert [v.kind for v in fake_discord.violations] == ["limit"]
    fake_discord.violations.clear()  # the mistake was the point of this test
