"""Korean and English: command descriptions carry Korean, replies follow the user's locale."""

from __future__ import annotations

import re
from typing import Any

import discord
from discord import app_commands

from bot.config import Settings
from bot.discord_app.bot import StudyBot
from bot.app.messages import COMMAND_TEXTS_KO, tr
from bot.discord_app.i18n import StudyTranslator, lang_of
from bot.discord_app.sync import command_payload
from tests.loopback import limits as discord_rules

COGS = ("cogs.glossary", "cogs.quiz", "cogs.scores", "cogs.admin", "cogs.review")
HANGUL = re.compile(r"[\uac00-\ud7a3]")


async def synced_payload() -> list[dict[str, Any]]:
    """The exact command payload the bot would sync, built without any network."""
    bot = StudyBot(settings=Settings(_env_file=None), study=None, daily=None, clock=None,  # type: ignore[arg-type]
                   extensions=COGS, sync=False)
    await bot.tree.set_translator(StudyTranslator())
    for name in COGS:
        await bot.load_extension(name)
    try:
        return await command_payload(bot.tree, None)
    finally:
        await bot.close()


def test_korean_locale_gets_korean_and_every_other_locale_english() -> None:
    assert lang_of(discord.Locale.korean) == "ko"
    assert lang_of("ko") == "ko"
    for other in (discord.Locale.american_english, discord.Locale.japanese, None, "fr"):
        assert lang_of(other) == "en"
    assert tr("ko", "quiz.next") == "다음 문제"
    assert tr("en", "quiz.next") == "Next question"


async def test_translator_answers_only_for_korean() -> None:
    translator = StudyTranslator()
    text = app_commands.locale_str("Look up a term in the study notes")
    context = app_commands.TranslationContext(app_commands.TranslationContextLocation.other, None)
    assert await translator.translate(text, discord.Locale.korean, context) == "학습 노트에서 용어를 찾아봅니다"
    assert await translator.translate(text, discord.Locale.japanese, context) is None


def test_korean_descriptions_fit_discord_limits() -> None:
    for english, korean in COMMAND_TEXTS_KO.items():
        assert 1 <= len(english) <= 100 and 1 <= len(korean) <= 100, english
        assert HANGUL.search(korean), korean


async def test_every_command_and_option_description_is_localised_to_korean() -> None:
    payload = await synced_payload()
    names = sorted(c["name"] for c in payload)
    assert names == ["define", "leaderboard", "quiz", "review", "search", "stats", "studyadmin"]

    def walk(defn: dict[str, Any], where: str) -> None:
        assert defn.get("description_localizations", {}).get("ko"), f"{where} has no Korean description"
        assert "ko" not in (defn.get("name_localizations") or {}), f"{where}: names stay English"
        for choice in defn.get("choices") or []:
            assert HANGUL.search(choice["name_localizations"]["ko"]), f"{where} choice {choice['name']}"
        for option in defn.get("options") or []:
            walk(option, f"{where} {option['name']}")

    for command in payload:
        walk(command, f"/{command['name']}")
        assert discord_rules.check_command(command) == []
    assert discord_rules.check_command_set(payload) == []


async def test_command_and_option_names_are_the_fixed_english_ones() -> None:
    payload = {c["name"]: c for c in await synced_payload()}
    options = {name: [o["name"] for o in c.get("options") or []] for name, c in payload.items()}
    assert options == {
        "define": ["term"],
        "search": ["query"],
        "quiz": ["topic"],
        "review": ["mode", "remind", "at", "timezone"],
        "stats": ["member"],
        "leaderboard": ["period", "board", "podium"],
        "studyadmin": ["reload", "reset-scores", "review-scores", "export"],
    }
    admin = payload["studyadmin"]
    assert int(admin["default_member_permissions"]) == discord.Permissions(manage_guild=True).value
