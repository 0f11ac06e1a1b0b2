"""The daily quiz's messages: posts, reveals, acknowledgements, `/dailyadmin set` and `/daily status`
replies, in English and Korean, within Discord's limits, with names that never ping; and the
`/daily` command definitions."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import discord
import pytest

from bot.app.daily import InvalidTime, InvalidZone, NoRoomToday, NoSchedule, ScheduleSet, ScheduleStatus, WhichSchedule
from bot.app.messages import REASON_DELETED, pause_reason, tr
from bot.app.ports import Reveal
from bot.app.study import AnswerOutcome
from bot.clock import ManualClock
from bot.community import Community
from bot.config import Settings
from bot.discord_app.bot import StudyBot
from bot.discord_app.errors import study_error_text
from bot.discord_app.sync import command_payload
from bot.engine.model import Question, QuestionKind, SourceRef
from bot.engine.schedule import DailySlot
from bot.engine.scoring import Board
from bot.store import Answerer, AnswerResult, AnswerStatus, Post, PostResults, Schedule
from cogs.daily import _views as cog
from cogs.daily._cog import Daily
from tests.loopback import limits as discord_rules

LANGS = ("en", "ko")
MENTION = re.compile(r"<@[!&]?\d+>|@everyone|@here")


def ok(embed: discord.Embed) -> dict[str, Any]:
    data = embed.to_dict()
    assert discord_rules.check_embeds([data]) == []
    return data


def view_ok(view: discord.ui.View) -> list[dict[str, Any]]:
    components = view.to_components()
    assert discord_rules.check_components(components) == []
    return components


def text_of(data: dict[str, Any]) -> str:
    parts = [data.get("title") or "", data.get("description") or "", (data.get("footer") or {}).get("text") or ""]
    for f in data.get("fields") or []:
        parts += [f["name"], f["value"]]
    return "\n".join(parts)


def question(*, huge: bool = False) -> Question:
    if huge:
        return Question(id="q-huge", kind=QuestionKind.TERM_TO_DEFINITION, prompt="What is this? " * 400,
                        choices=tuple("choice text " * 200 for _ in range(4)), answer=2,
                        explanation="because " * 500, term="Term", deck="Deck " * 100,
                        source=SourceRef("notes/x.md", 3))
    return Question(id="q1", kind=QuestionKind.TERM_TO_DEFINITION, prompt="What is a Pod?",
                    choices=("A node", "The smallest deployable unit", "A volume", "A service"), answer=1,
                    explanation="A Pod is the smallest deployable unit of Kubernetes.", term="Pod",
                    deck="Cloud Native Fundamentals", source=SourceRef("cloud.md", 10))


def post(*, huge: bool = False, seq: int = 1, revealed: bool = False) -> Post:
    return Post(post_id=12345678901234567890, community=Community.discord(1), board=Board.DAILY, season=1, question=question(huge=huge),
                channel_id="55", message_id="66", owner_user_id=None, schedule_id=3, local_date="2026-03-09", seq=seq,
                topic="Auto Scaling " * (40 if huge else 1), posted_at=datetime(2026, 3, 9, 0, 0, tzinfo=UTC),
                reveal_at=datetime(2026, 3, 9, 23, 0, tzinfo=UTC),
                revealed_at=datetime(2026, 3, 9, 23, 0, tzinfo=UTC) if revealed else None,
                answer_count=0, correct_count=0)


def schedule(**changes: Any) -> Schedule:
    values: dict[str, Any] = dict(schedule_id=3, community=Community.discord(1), channel_id="55", time="09:00", timezone="America/New_York",
                                  topic="Auto Scaling", questions_per_post=1, reveal_after_hours=None, paused=False,
                                  pause_reason=None, created_at=datetime(2026, 3, 1, tzinfo=UTC), stopped_at=None)
    values.update(changes)
    return Schedule(**values)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("huge", [False, True], ids=["normal", "huge"])
def test_a_post_has_the_question_and_one_persistent_button_per_choice(lang: str, huge: bool) -> None:
    p = post(huge=huge)
    data = ok(cog.post_embed(p, lang))  # type: ignore[arg-type]
    assert "2026-03-09" in data["title"]
    assert f"<t:{int(p.reveal_at.timestamp())}:R>" in data["fields"][0]["value"]  # type: ignore[union-attr]
    assert data["description"].count("**D.**") == 1  # every choice survives a long prompt
    components = view_ok(cog.post_view(p))
    buttons = [c for row in components for c in row["components"]]
    assert [b["label"] for b in buttons] == ["A", "B", "C", "D"]
    assert [b["custom_id"] for b in buttons] == [f"daily:{p.post_id}:{i}" for i in range(4)]
    assert all(re.fullmatch(cog.DAILY_TEMPLATE, b["custom_id"]) for b in buttons)
    assert not any(b.get("disabled") for b in buttons)


def test_a_second_question_of_the_day_is_numbered() -> None:
    assert "#2" in ok(cog.post_embed(post(seq=2), "en"))["title"]


def results(counts: tuple[int, ...], names: tuple[str, ...]) -> PostResults:
    return PostResults(post_id=1, counts=counts, total=sum(counts),
                       first_correct=tuple(Answerer(str(100 + i), n) for i, n in enumerate(names)))


@pytest.mark.parametrize("lang", LANGS)
def test_the_reveal_marks_the_answer_counts_shares_and_the_first_three_without_pings(lang: str) -> None:
    reveal = Reveal(post=post(revealed=True), results=results((5, 12, 3, 0), ("<@123> ann", "**bo**", "@everyone cy")))
    data = ok(cog.reveal_embed(reveal, lang))  # type: ignore[arg-type]
    text = text_of(data)
    lines = data["description"].splitlines()
    assert any(line.startswith("✅ **B.**") and "12" in line and "60%" in line for line in lines)
    assert any(line.startswith("▫️ **A.**") and "25%" in line for line in lines)
    assert any(line.startswith("▫️ **D.**") and "0%" in line for line in lines)
    assert "20" in text  # how many answered
    assert "1. " in text and "3. " in text
    assert "\\*\\*bo\\*\\*" in text  # Markdown made inert
    assert "A Pod is the smallest deployable unit" in text
    components = view_ok(cog.reveal_view(reveal.post))
    buttons = [c for row in components for c in row["components"]]
    assert all(b["disabled"] for b in buttons)
    assert [b["style"] for b in buttons] == [2, 3, 2, 2]  # the correct choice green
    assert not any(re.fullmatch(cog.DAILY_TEMPLATE, b["custom_id"]) for b in buttons)


@pytest.mark.parametrize("lang", LANGS)
def test_a_reveal_with_no_answers_and_a_huge_question_fits(lang: str) -> None:
    reveal = Reveal(post=post(huge=True, revealed=True), results=results((0, 0, 0, 0), ()))
    data = ok(cog.reveal_embed(reveal, lang))  # type: ignore[arg-type]
    assert tr(lang, "daily.nobody_correct") in text_of(data)  # type: ignore[arg-type]


@pytest.mark.parametrize("lang", LANGS)
def test_the_acknowledgement_says_right_or_wrong_with_the_explanation(lang: str) -> None:
    q = question()
    right = AnswerOutcome(question=q, choice=1, result=AnswerResult(AnswerStatus.ACCEPTED, 1, 1, True, 1, 13, 4, 1))
    data = ok(cog.ack_embed(right, lang))  # type: ignore[arg-type]
    assert "+13" in data["title"] and "4" in data["title"] and "Kubernetes" in data["description"]
    wrong = AnswerOutcome(question=q, choice=0, result=AnswerResult(AnswerStatus.ACCEPTED, 1, 0, False, 1, 0, 0))
    data = ok(cog.ack_embed(wrong, lang))  # type: ignore[arg-type]
    assert "B" in data["title"] and "The smallest deployable unit" in data["title"]
    assert data["footer"]["text"].endswith("A")
    huge = AnswerOutcome(question=question(huge=True), choice=0,
                         result=AnswerResult(AnswerStatus.ACCEPTED, 1, 0, False, 2, 0, 0))
    ok(cog.ack_embed(huge, lang))  # type: ignore[arg-type]


def test_wall_times_are_shown_in_the_schedules_zone() -> None:
    instant = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)
    assert cog.wall_time(instant, "America/New_York", "en") == "Mon 2026-03-09 09:00 EDT"
    assert cog.wall_time(instant, "Asia/Seoul", "ko") == "2026-03-09 (월) 22:00 KST"
    assert cog.wall_time(instant, "UTC", "en") == "Mon 2026-03-09 13:00 UTC"


@pytest.mark.parametrize("lang", LANGS)
def test_set_reply_lists_the_next_three_post_times_in_the_zone(lang: str) -> None:
    slots = (DailySlot(date(2026, 3, 7), datetime(2026, 3, 7, 14, 0, tzinfo=UTC)),
             DailySlot(date(2026, 3, 8), datetime(2026, 3, 8, 13, 0, tzinfo=UTC)),
             DailySlot(date(2026, 3, 9), datetime(2026, 3, 9, 13, 0, tzinfo=UTC)))
    data = ok(cog.set_embed(ScheduleSet(schedule(reveal_after_hours=2.0), slots, replaced=True), lang))  # type: ignore[arg-type]
    text = text_of(data)
    assert "<#55>" in data["description"] and "09:00" in data["description"] and "America/New_York" in text
    assert text.count("09:00 E") == 3 and "EST" in text and "EDT" in text


@pytest.mark.parametrize("lang", LANGS)
def test_status_shows_channel_time_zone_next_post_questions_left_and_pauses(lang: str) -> None:
    statuses = [
        ScheduleStatus(schedule(), DailySlot(date(2026, 3, 9), datetime(2026, 3, 9, 13, 0, tzinfo=UTC)), 7, 24),
        ScheduleStatus(schedule(schedule_id=4, channel_id="56", timezone="Asia/Seoul", topic=None, paused=True,
                                pause_reason=REASON_DELETED), None, 214, 214),
    ]
    data = ok(cog.status_embed(statuses, lang))  # type: ignore[arg-type]
    first, second = data["fields"][0]["value"], data["fields"][1]["value"]
    assert "<#55>" in first and "09:00" in first and "America/New_York" in first and "**7**" in first
    assert "<#56>" in second and "⏸️" in second and tr(lang, "daily.reason.channel_deleted") in second  # type: ignore[arg-type]
    empty = ok(cog.status_embed([], lang))  # type: ignore[arg-type]
    assert empty["description"] == tr(lang, "daily.status_none")  # type: ignore[arg-type]
    many = [statuses[0]] * 40
    assert len(ok(cog.status_embed(many, lang))["fields"]) <= 25  # type: ignore[arg-type]


@pytest.mark.parametrize("lang", LANGS)
def test_errors_are_worded_with_suggestions(lang: str) -> None:
    assert "09:00" in study_error_text(InvalidTime(value="25:00"), lang)  # type: ignore[arg-type]
    zone = study_error_text(InvalidZone(value="Asia/Seul", suggestions=["Asia/Seoul"]), lang)  # type: ignore[arg-type]
    assert "Asia/Seul" in zone and "Asia/Seoul" in zone.splitlines()[-1]
    assert "<#1>" in study_error_text(WhichSchedule(channel_ids=[1, 2]), lang)  # type: ignore[arg-type]
    assert "5" in study_error_text(NoRoomToday(limit=5), lang)  # type: ignore[arg-type]
    assert "/dailyadmin set" in study_error_text(NoSchedule(), lang)  # type: ignore[arg-type]
    assert pause_reason("something odd", lang) == "something odd"  # type: ignore[arg-type]


def test_missing_permissions_names_the_ones_a_daily_channel_needs() -> None:
    assert cog.missing_permissions(discord.Permissions(view_channel=True, send_messages=True, embed_links=True)) == []
    assert cog.missing_permissions(discord.Permissions(view_channel=True, send_messages=True)) == ["embed_links"]
    assert cog.missing_permissions(discord.Permissions.none()) == ["view_channel", "send_messages", "embed_links"]


async def test_the_daily_command_has_the_fixed_names_and_valid_definitions() -> None:
    bot = StudyBot(settings=Settings(_env_file=None), study=None, daily=None,  # type: ignore[arg-type]
                   clock=ManualClock(datetime(2026, 1, 1, tzinfo=UTC)), extensions=(), sync=False)
    try:
        daily = Daily(bot)
        for command in daily.__cog_app_commands__:
            bot.tree.add_command(command)
        status, payload = await command_payload(bot.tree, None)
    finally:
        await bot.close()
    assert discord_rules.check_command(payload) == [] and discord_rules.check_command(status) == []
    # Everyone may see /daily status; the admin parts are a group hidden without Manage Server.
    assert status["name"] == "daily" and status.get("contexts") == [0]
    assert status["default_member_permissions"] is None
    assert [o["name"] for o in status["options"]] == ["status"]
    assert payload["name"] == "dailyadmin" and payload.get("contexts") == [0]
    assert payload["default_member_permissions"] == discord.Permissions(manage_guild=True).value
    subcommands = {o["name"]: o for o in payload["options"]}
    assert list(subcommands) == ["set", "now", "stop"]
    options = {o["name"]: o for o in subcommands["set"]["options"]}
    assert list(options) == ["channel", "time", "timezone", "topic", "questions", "reveal_after_hours"]
    assert options["channel"]["required"] and options["time"]["required"]
    assert set(options["channel"]["channel_types"]) <= {0, 5}  # text and announcement channels
    assert options["timezone"]["autocomplete"] and options["topic"]["autocomplete"]
    assert (options["questions"]["min_value"], options["questions"]["max_value"]) == (1, 5)
    assert (options["reveal_after_hours"]["min_value"], options["reveal_after_hours"]["max_value"]) == (1, 23)
    for name in ("now", "stop"):
        assert not subcommands[name].get("options")
    assert not MENTION.search(str(payload)) and not MENTION.search(str(status))


async def test_a_rate_limit_wait_too_long_to_sleep_out_is_try_later_for_the_sweep() -> None:
    """discord.py raises RateLimited for a wait over the client's max_ratelimit_timeout; the
    port hands it to the sweep instead of failing the cycle."""
    from bot.app.ports import TryLater
    from cogs.daily._delivery import _outcome

    async def limited() -> None:
        raise discord.RateLimited(45.0)

    outcome = await _outcome(limited(), missing_channel=lambda _: True)
    assert isinstance(outcome, TryLater) and "45" in outcome.reason
    bot = StudyBot(settings=Settings(_env_file=None), study=None, daily=None,  # type: ignore[arg-type]
                   clock=ManualClock(datetime(2026, 1, 1, tzinfo=UTC)), extensions=(), sync=False)
    try:
        assert bot.http.max_ratelimit_timeout == 30.0  # longer waits raise instead of sleeping
    finally:
        await bot.close()
