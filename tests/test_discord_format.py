"""The cogs' formatting: every embed within Discord's limits, in English and Korean."""

from __future__ import annotations

import discord
import pytest

from bot.community import Community
from bot.discord_app import embeds, limits
from bot.discord_app.views import parse_choice, parse_post_id
from bot.engine.model import Entry, Problem, Question, QuestionKind, SourceRef, TextHit
from bot.engine.scoring import Board, Period
from bot.store.records import BoardStats, LeaderboardPage, LeaderRow, TermMisses, UserStats
from cogs.quiz._views import NextQuestionButton, QuizAnswerButton, answered_view, question_view
from tests.loopback import limits as discord_rules

LANGS = ("en", "ko")


def ok(embed: discord.Embed) -> discord.Embed:
    assert discord_rules.check_embeds([embed.to_dict()]) == []
    return embed


def view_ok(view: discord.ui.View) -> list[dict]:
    components = view.to_components()
    assert discord_rules.check_components(components) == []
    return components


def huge_entry() -> Entry:
    return Entry(
        id="e" * 12,
        term="Very Long Term " * 30,
        definition="definition " * 1000,
        deck="Deck " * 100,
        source=SourceRef("notes/" + "deep/" * 80 + "file.md", 12),
        aliases=tuple(f"alias{i} " * 10 for i in range(40)),
        section=tuple(f"Section {i} " * 10 for i in range(10)),
    )


def huge_question() -> Question:
    return Question(
        id="q1",
        kind=QuestionKind.TERM_TO_DEFINITION,
        prompt="What is this? " * 400,
        choices=tuple("choice text " * 200 for _ in range(4)),
        answer=2,
        explanation="because " * 500,
        term="Term",
        deck="Deck",
        source=SourceRef("notes/x.md", 3),
        entry_id="e" * 12,
    )


@pytest.mark.parametrize("lang", LANGS)
def test_every_default_deck_definition_fits(default_glossary, default_notes, lang) -> None:
    for entry in default_notes.entries:
        embed = ok(embeds.definition_embed(entry, default_glossary.related(entry, limit=5), lang))
        assert embed.title == limits.one_line(entry.term, limits.EMBED_TITLE)


def test_definition_shows_aliases_breadcrumb_deck_source_and_related_terms(default_glossary) -> None:
    entry = default_glossary.search("HPA", limit=1)[0]
    related = default_glossary.related(entry, limit=5)
    embed = ok(embeds.definition_embed(entry, related, "en"))
    fields = {f.name: f.value for f in embed.fields}
    assert "HPA" in fields["Also known as"]
    assert fields["Section"] == " › ".join(entry.section)
    assert fields["Deck"] == entry.deck
    assert fields["Source"] == f"`{entry.source.path}:{entry.source.line}`"
    assert len(fields["Related"].split(", ")) == len(related) <= 5
    korean = embeds.definition_embed(entry, related, "ko")
    assert [f.name for f in korean.fields][:2] == ["다른 이름", "섹션"]


@pytest.mark.parametrize("lang", LANGS)
def test_a_huge_entry_and_question_still_fit(lang) -> None:
    entry = huge_entry()
    ok(embeds.definition_embed(entry, [entry] * 5, lang))
    ok(embeds.question_embed(huge_question(), lang))
    ok(embeds.answer_embed(huge_question(), 1, False, 0, lang))
    pages = embeds.search_pages([TextHit(entry, ((5, 15),))] * 10, "q" * 500, lang)
    assert len(pages) == 2
    for page in pages:
        ok(page)


def test_search_hits_show_the_matching_words_in_bold_five_per_page(default_glossary) -> None:
    hits = default_glossary.search_text("Pod", limit=10)
    assert hits
    pages = embeds.search_pages(hits, "Pod", "en")
    assert len(pages) == (len(hits) + 4) // 5
    first = pages[0].fields[0].value
    assert "**Pod**" in first or "**pod**" in first.lower()
    assert pages[0].footer.text.startswith(f"{len(hits)} hits")


def test_highlight_escapes_markdown_and_windows_long_text() -> None:
    text = "a*b " * 200 + "needle" + " tail" * 200
    start = text.index("needle")
    out = embeds.highlight(text, [(start, start + 6)])
    assert "**needle**" in out and out.startswith("…") and out.endswith("…")
    assert "a\\*b" in out and len(out) < 700


def test_question_and_answer_views_fit_and_carry_only_ids() -> None:
    question = huge_question()
    components = view_ok(question_view(123456789012345678, question))
    ids = [c["custom_id"] for row in components for c in row["components"]]
    assert ids == [f"quiz:123456789012345678:{i}" for i in range(4)]
    answered = view_ok(answered_view(question, 1, "Cloud Native 실천 방식", "ko"))
    buttons = [c for row in answered for c in row["components"]]
    assert [b["style"] for b in buttons[:4]] == [2, 4, 3, 2]  # chosen red, right green
    assert all(b["disabled"] for b in buttons[:4])
    assert buttons[4]["custom_id"] == "next:Cloud Native 실천 방식" and buttons[4]["label"] == "다음 문제"


def test_a_topic_too_long_for_a_custom_id_is_dropped_from_next() -> None:
    assert NextQuestionButton("x" * 200).custom_id == "next:"
    assert QuizAnswerButton(5, 3).item.label == "D"


def test_answer_embed_says_right_or_wrong_with_explanation_and_source() -> None:
    question = Question(
        id="q", kind=QuestionKind.ACRONYM, prompt="HPA stands for?", choices=("a", "b", "c", "d"),
        answer=0, explanation="Horizontal Pod Autoscaler", term="HPA", deck="Deck",
        source=SourceRef("notes.md", 63),
    )
    right = ok(embeds.answer_embed(question, 0, True, 2, "en"))
    assert "Correct" in right.title and "+2" in right.title
    wrong = ok(embeds.answer_embed(question, 3, False, 0, "ko"))
    assert "정답은 A. a" in wrong.title
    fields = {f.name: f.value for f in wrong.fields}
    assert fields["해설"] == "Horizontal Pod Autoscaler" and "notes.md:63" in fields["출처"]


def stats(answered: int = 10) -> UserStats:
    return UserStats(
        community=Community.discord(1), user_id="2", display_name="someone", season=1,
        boards={
            Board.DAILY: BoardStats(Board.DAILY, answered, 7, 0.7, 82, 3, 5, 4),
            Board.PRACTICE: BoardStats(Board.PRACTICE, 0, 0, 0.0, 0, 0, 0, None),
        },
        most_missed=(TermMisses("Kubernetes", 3), TermMisses("**HPA**", 2), TermMisses("Helm", 1)),
    )


@pytest.mark.parametrize("lang", LANGS)
def test_stats_show_accuracy_streaks_rank_and_most_missed(lang) -> None:
    embed = ok(embeds.stats_embed(stats(), "@everyone", lang))
    daily, practice, missed = (f.value for f in embed.fields)
    assert "70%" in daily and "#4" in daily and "82" in daily and "5" in daily
    assert practice == ("No answers yet." if lang == "en" else "아직 답변이 없습니다.")
    assert missed.splitlines()[0].startswith("Kubernetes") and "\\*\\*HPA" in missed


def rows(start: int, count: int) -> tuple[LeaderRow, ...]:
    return tuple(LeaderRow(start + i, str(1000 + start + i), f"member {start + i} <@1>", 100 - i, 10, 8, 1)
                 for i in range(count))


def test_leaderboard_page_shows_rank_name_points_accuracy_and_the_callers_line() -> None:
    page = LeaderboardPage(Community.discord(1), Board.DAILY, Period.WEEK, "2026-W10", 1, 25, 0, rows(1, 10))
    me = LeaderRow(17, "99", "me", 3, 4, 1, 0)
    embed = ok(embeds.leaderboard_embed(page, board="daily", period="week", caller_id="99", caller_row=me,
                                        page_number=1, pages=3, lang="en"))
    lines = embed.description.splitlines()
    assert lines[0].startswith("`#1` member 1") and "**100** pts · 80%" in lines[0]
    assert lines[-2:] == ["…", "`#17` me: **3** pts · 25% ← You"]
    assert "page 1/3" in embed.footer.text
    on_page = embeds.leaderboard_embed(page, board="practice", period="all", caller_id="1001",
                                       caller_row=page.rows[0], page_number=1, pages=3, lang="ko")
    assert on_page.description.count("← 나") == 1 and "연습" in on_page.title


def test_an_empty_leaderboard_says_so() -> None:
    page = LeaderboardPage(Community.discord(1), Board.DAILY, Period.ALL, "all", 1, 0, 0, ())
    embed = ok(embeds.leaderboard_embed(page, board="daily", period="all", caller_id="5", caller_row=None,
                                        page_number=1, pages=1, lang="en"))
    assert embed.description == "Nobody is on this board yet."


def test_reload_report_lists_problems_within_limits() -> None:
    problems = [Problem("notes/x.md", i, "bad table " * 30) for i in range(100)]
    embed = ok(embeds.reload_embed(120, 300, problems, "en"))
    value = embed.fields[0].value
    shown = value.count("notes/x.md:")
    assert "100 problems" in embed.description and 0 < shown <= 15 and f"(+{100 - shown})" in value
    assert embeds.reload_embed(1, 1, [], "ko").fields == []


def test_formatting_never_writes_a_mention() -> None:
    page = LeaderboardPage(Community.discord(1), Board.DAILY, Period.ALL, "all", 1, 1, 0, rows(1, 1))
    text = embeds.leaderboard_embed(page, board="daily", period="all", caller_id="0", caller_row=None,
                                    page_number=1, pages=1, lang="en").description
    assert "<@1001>" not in text


@pytest.mark.parametrize(("text", "expected"), [
    ("42", 42), ("9223372036854775807", 2**63 - 1), ("", 0), ("abc", 0), ("-1", 0), ("4.2", 0),
    ("١٢", 0), ("99999999999999999999", 0), (" 42", 0),
])
def test_parse_post_id_accepts_plain_numbers_only(text: str, expected: int) -> None:
    assert parse_post_id(text) == expected


@pytest.mark.parametrize(("text", "expected"), [("0", 0), ("3", 3), ("9", 9), ("10", -1), ("", -1), ("x", -1), ("٣", -1)])
def test_parse_choice_accepts_one_ascii_digit(text: str, expected: int) -> None:
    assert parse_choice(text) == expected
