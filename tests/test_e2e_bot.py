"""End-to-end: the real studybot (real service, default deck, temp DB) against the loopback Discord,
in this process. Each test starts its own bot; the fake fails a test whose requests broke a limit
or sent mentions that could ping."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from bot.discord_app.bot import INITIAL_EXTENSIONS
from bot.community import Community
from bot.discord_app.sync import payload_digest, scope_key
from bot.engine.scoring import Board
from tests.e2e_support import custom_ids, embed_text, reply_message, running_studybot
from tests.loopback import FakeDiscord, limits
from tests.loopback.fixtures import fake_discord  # noqa: F401

pytestmark = pytest.mark.e2e


def command_puts(fake: FakeDiscord) -> list:
    return [r for r in fake.find_requests("PUT") if r.path.endswith("/commands")]


async def test_start_up_syncs_valid_commands_once_and_survives_a_missing_cog(
    fake_discord: FakeDiscord, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    extensions = (*INITIAL_EXTENSIONS, "cogs.not_written_yet")
    with caplog.at_level(logging.INFO):
        async with running_studybot(fake_discord, tmp_path, extensions=extensions) as run:
            synced = fake_discord.commands[None]
            assert sorted(c["name"] for c in synced) == [
                "daily", "dailyadmin", "define", "leaderboard", "quiz", "review", "search", "stats", "studyadmin"]
            assert limits.check_command_set(synced) == []
            # Guild-only through `contexts` (0: guild, 1: the bot's DMs), not the deprecated dm_permission alone.
            contexts = {c["name"]: c.get("contexts") for c in synced}
            assert contexts == {"daily": [0], "dailyadmin": [0], "studyadmin": [0], "stats": [0], "leaderboard": [0],
                                "review": [0], "define": [0, 1], "search": [0, 1], "quiz": [0, 1]}, contexts
            assert all(limits.check_command(c) == [] for c in synced)
            assert "cogs.not_written_yet" in run.bot.failed_extensions  # logged, not fatal
            assert set(run.bot.extensions) == set(INITIAL_EXTENSIONS)
            assert await run.store.get_meta(scope_key(None)) == run.bot.sync_outcome.digest  # type: ignore[union-attr]
    assert any("could not load extension cogs.not_written_yet" in r.getMessage() for r in caplog.records)
    assert len(command_puts(fake_discord)) == 1

    # Same tree, same database: no second sync.
    async with running_studybot(fake_discord, tmp_path, extensions=extensions) as run:
        assert run.bot.sync_outcome is not None and not run.bot.sync_outcome.synced
    assert len(command_puts(fake_discord)) == 1

    # Commands deleted on Discord's side (another tool, the developer portal): the stored hash
    # still matches, but what Discord has for this application does not; one GET finds it.
    fake_discord.commands[None] = []
    async with running_studybot(fake_discord, tmp_path, extensions=extensions) as run:
        assert run.bot.sync_outcome is not None and run.bot.sync_outcome.synced
    assert len(command_puts(fake_discord)) == 2 and len(fake_discord.commands[None]) == 9


def test_the_stored_command_hash_names_the_application() -> None:
    """A token of another application with the same tree and database must not skip its sync."""
    payload = [{"name": "define", "type": 1, "description": "d"}]
    assert payload_digest(payload, "global", 1) != payload_digest(payload, "global", 2)


async def test_dev_guild_sync_goes_to_that_guild(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    guild = fake_discord.guild
    async with running_studybot(fake_discord, tmp_path, discord_dev_guild=int(guild.id)):
        assert "define" in {c["name"] for c in fake_discord.commands[guild.id]}
        (put,) = command_puts(fake_discord)
        assert f"/guilds/{guild.id}/commands" in put.path


@pytest.mark.parametrize(
    ("query", "term"),
    [("HPA", "Horizontal Pod Autoscaler"), ("Kuberntes", "Kubernetes"), ("쿠버네티스", "Kubernetes")],
    ids=["acronym", "typo", "korean"],
)
async def test_define_by_acronym_typo_and_korean_spelling(
    fake_discord: FakeDiscord, tmp_path: Path, query: str, term: str
) -> None:
    g = fake_discord.guild
    async with running_studybot(fake_discord, tmp_path):
        result = await fake_discord.slash(g, g.member, "define", term=query)
        message = reply_message(result)
        assert not message.ephemeral
        assert term.casefold() in message.embeds[0]["title"].casefold()
        text = embed_text(message)
        assert "cloud-native-fundamentals.md:" in text and "Deck" in text
        assert custom_ids(message, "quizme:")


async def test_autocomplete_offers_at_most_25_choices_with_entry_ids_and_define_accepts_them(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    g = fake_discord.guild
    async with running_studybot(fake_discord, tmp_path) as run:
        result = await fake_discord.autocomplete(g, g.member, "define", focused="term", value="쿠버")
        choices = result.choices
        assert 1 <= len(choices) <= 25 and all(len(c["name"]) <= 100 for c in choices)
        assert choices[0]["name"].startswith("Kubernetes")
        assert run.app.study.glossary.get(choices[0]["value"]) is not None
        broad = await fake_discord.autocomplete(g, g.member, "define", focused="term", value="a")
        assert len(broad.choices) <= 25
        chosen = await fake_discord.slash(g, g.member, "define", term=choices[0]["value"])
        assert reply_message(chosen).embeds[0]["title"] == "Kubernetes"
        topics = await fake_discord.autocomplete(g, g.member, "quiz", focused="topic", value="")
        assert 1 <= len(topics.choices) <= 25


async def test_nothing_found_is_an_ephemeral_did_you_mean_in_the_users_language(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    g = fake_discord.guild
    async with running_studybot(fake_discord, tmp_path):
        result = await fake_discord.slash(g, g.member, "define", term="@everyone zzzqqq")
        assert result.ephemeral and "Nothing found" in result.text()
        korean = await fake_discord.slash(g, g.member, "search", query="zzzqqqxx", locale="ko")
        assert korean.ephemeral and "결과가 없습니다" in korean.text()
    sent = [r.json for r in fake_discord.requests if isinstance(r.json, dict) and "allowed_mentions" in (r.json.get("data") or r.json)]
    assert sent, "replies carry allowed_mentions"


async def test_search_pages_with_buttons_owner_only(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    g = fake_discord.guild
    async with running_studybot(fake_discord, tmp_path):
        result = await fake_discord.slash(g, g.member, "search", query="Pod")
        message = reply_message(result)
        assert "**" in embed_text(message)
        footer = message.embeds[0]["footer"]["text"]
        hits, pages = int(footer.split()[0]), int(footer.rsplit("/", 1)[1])
        assert hits <= 10
        if pages > 1:
            next_id = next(c for c in message.custom_ids() if c != custom_ids(message)[0])
            other = await fake_discord.click(message, next_id, g.admin)
            assert other.ephemeral and "belong" in other.text()
            turned = await fake_discord.click(message, next_id, g.member)
            assert turned.errors == []
            assert fake_discord.messages[message.id].embeds[0]["footer"]["text"].endswith(f"{pages}/{pages}")


async def test_quiz_click_shows_the_verdict_and_next_question_and_counts_in_stats(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    g = fake_discord.guild
    async with running_studybot(fake_discord, tmp_path):
        asked = await fake_discord.slash(g, g.member, "quiz")
        question = reply_message(asked)
        assert question.ephemeral
        buttons = custom_ids(question, "quiz:")
        assert 2 <= len(buttons) <= 4
        intruder = await fake_discord.click(question, buttons[1], g.admin)
        assert intruder.ephemeral and "belongs to someone else" in intruder.text()
        clicked = await fake_discord.click(question, buttons[0], g.member)
        assert clicked.errors == []
        answered = fake_discord.messages[question.id]
        verdict = answered.embeds[0]["title"]
        assert verdict.startswith(("✅", "❌"))
        assert any(f["name"] == "Source" for f in answered.embeds[0]["fields"])
        (next_id,) = custom_ids(answered, "next:")
        again = await fake_discord.click(answered, buttons[0], g.member) if buttons[0] in answered.custom_ids() else None
        assert again is None  # the answer buttons are disabled after the first answer
        following = await fake_discord.click(answered, next_id, g.member)
        assert custom_ids(reply_message(following), "quiz:")

        stats = await fake_discord.slash(g, g.member, "stats")
        text = embed_text(reply_message(stats))
        assert "Practice" in text and "Answered **1**" in text


async def test_quiz_me_on_this_asks_about_that_term(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    g = fake_discord.guild
    async with running_studybot(fake_discord, tmp_path) as run:
        defined = reply_message(await fake_discord.slash(g, g.member, "define", term="HPA"))
        (quizme,) = custom_ids(defined, "quizme:")
        entry_id = quizme.split(":", 1)[1]
        asked = await fake_discord.click(defined, quizme, g.admin, locale="ko")
        question = reply_message(asked)
        assert question.ephemeral and question.embeds[0]["title"] == "연습 문제"
        post_id = int(custom_ids(question, "quiz:")[0].split(":")[1])
        post = await run.store.get_post(post_id)
        assert post is not None and post.question.entry_id == entry_id


async def test_leaderboard_pages_and_shows_the_callers_own_line(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    g = fake_discord.guild
    students = fake_discord.make_members(g, 12)
    async with running_studybot(fake_discord, tmp_path) as run:
        store, question = run.store, run.app.study.bank.questions[0]
        for i, student in enumerate(students):
            for _ in range(12 - i):  # student000 answers most, so ranks follow the order
                post = await store.create_practice_post(Community.discord(g.id), str(student.id), question)
                await store.record_answer(post.post_id, str(student.id), question.answer, student.user.username)
        await store.set_opt_out(Community.discord(g.id), str(students[1].id), True)
        post = await store.create_practice_post(Community.discord(g.id), str(g.member.id), question)
        await store.record_answer(post.post_id, str(g.member.id), (question.answer + 1) % len(question.choices), "member")

        result = await fake_discord.slash(g, g.member, "leaderboard", period="all", board="practice")
        message = reply_message(result)
        lines = message.embeds[0]["description"].splitlines()
        assert lines[0].startswith("`#1` student000")
        assert "student001" not in message.embeds[0]["description"]  # opted out
        assert lines[-1].endswith("← You") and "member" in lines[-1]
        assert "<@" not in message.embeds[0]["description"]
        next_id = [c for c in message.custom_ids()][1]
        await fake_discord.click(message, next_id, g.member)
        page_two = fake_discord.messages[message.id].embeds[0]
        assert page_two["description"].splitlines()[0].startswith("`#11`")
        assert "page 2/2" in page_two["footer"]["text"]

        empty = await fake_discord.slash(g, g.admin, "leaderboard")
        assert "Nobody is on this board yet." in embed_text(reply_message(empty))
        assert Board.DAILY.value in embed_text(reply_message(empty)).lower()


async def test_studyadmin_refuses_members_and_serves_admins(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    g = fake_discord.guild
    async with running_studybot(fake_discord, tmp_path) as run:
        refused = await fake_discord.slash(g, g.member, "studyadmin", "reload")
        assert refused.ephemeral and "Manage Server" in refused.text()

        reloaded = await fake_discord.slash(g, g.admin, "studyadmin", "reload")
        assert reloaded.ephemeral and "Reloaded the notes" in reloaded.text()

        confirm = reply_message(await fake_discord.slash(g, g.admin, "studyadmin", "reset-scores"))
        assert confirm.ephemeral and len(confirm.custom_ids()) == 2
        season = (await run.store.community_settings(Community.discord(g.id))).season
        await fake_discord.click(confirm, confirm.custom_ids()[0], g.admin)
        assert "new season" in fake_discord.messages[confirm.id].content
        assert (await run.store.community_settings(Community.discord(g.id))).season == season + 1

        question = run.app.study.bank.questions[0]
        post = await run.store.create_practice_post(Community.discord(g.id), str(g.member.id), question)
        await run.store.record_answer(post.post_id, str(g.member.id), question.answer, "=cmd|member")
        exported = await fake_discord.slash(g, g.admin, "studyadmin", "export")
        assert exported.ephemeral
        (req,) = [r for r in exported.requests if r.files]
        assert req.files[0].get("filename", "").endswith(".csv")


async def test_a_command_made_to_fail_gets_an_ephemeral_ref_logged_with_the_traceback(
    fake_discord: FakeDiscord, tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    g = fake_discord.guild
    async with running_studybot(fake_discord, tmp_path) as run:

        def broken(query: str) -> None:
            raise RuntimeError("glossary exploded")

        monkeypatch.setattr(run.app.study, "define", broken)
        monkeypatch.setattr(run.app.study, "lookup", lambda *a, **k: 1 / 0)
        with caplog.at_level(logging.ERROR, logger="bot.discord_app.errors"):
            result = await fake_discord.slash(g, g.member, "define", term="HPA", locale="ko")
            completion = await fake_discord.autocomplete(g, g.member, "define", focused="term", value="HP")
        assert result.ephemeral
        ref = re.search(r"ref ([0-9A-F]{6})", result.text())
        assert ref and "문제가 생겼습니다" in result.text()
        assert "glossary exploded" not in result.text()
        assert any(ref.group(1) in r.getMessage() and r.exc_info for r in caplog.records)
        assert len(completion.choices) == 1 and "ref" in completion.choices[0]["name"]


async def test_quiz_buttons_still_work_after_a_restart(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    g = fake_discord.guild
    async with running_studybot(fake_discord, tmp_path):
        question = reply_message(await fake_discord.slash(g, g.member, "quiz"))
    async with running_studybot(fake_discord, tmp_path):
        clicked = await fake_discord.click(question, custom_ids(question, "quiz:")[0], g.member)
        assert clicked.errors == []
        assert fake_discord.messages[question.id].embeds[0]["title"].startswith(("✅", "❌"))


async def test_own_stats_offer_the_leaderboard_opt_out(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    g = fake_discord.guild
    async with running_studybot(fake_discord, tmp_path) as run:
        others = reply_message(await fake_discord.slash(g, g.member, "stats", member=g.admin.id))
        assert others.custom_ids() == [] and "admin" in others.embeds[0]["title"]
        mine = reply_message(await fake_discord.slash(g, g.member, "stats"))
        hide = mine.custom_ids()[0]
        hidden = await fake_discord.click(mine, hide, g.member)
        assert hidden.ephemeral and "hidden" in hidden.text()
        question = run.app.study.bank.questions[0]
        post = await run.store.create_practice_post(Community.discord(g.id), str(g.member.id), question)
        await run.store.record_answer(post.post_id, str(g.member.id), question.answer, "member")
        board = await fake_discord.slash(g, g.admin, "leaderboard", period="all", board="practice")
        assert "member" not in reply_message(board).embeds[0]["description"]


async def test_stats_of_a_member_who_opted_out_stay_private_to_others(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    g = fake_discord.guild
    async with running_studybot(fake_discord, tmp_path) as run:
        await run.store.set_opt_out(Community.discord(g.id), str(g.member.id), True)
        others = reply_message(await fake_discord.slash(g, g.admin, "stats", member=g.member.id))
        assert others.ephemeral and "private" in others.text() and not others.embeds
        mine = reply_message(await fake_discord.slash(g, g.member, "stats"))
        assert mine.embeds and "member" in mine.embeds[0]["title"]
