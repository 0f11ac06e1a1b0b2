"""Formatting: the service's answers turned into embeds, in the user's language, within limits.

Pure functions of plain data (no interaction, no I/O), so unit tests can check every embed against
Discord's limits. Each builder ends with `limits.fit_embed`.
"""

from __future__ import annotations

from collections.abc import Sequence

import discord
from discord.utils import escape_markdown

from bot.app.messages import Lang, letter, percent, tr
from bot.app.records import LeaderboardPage, LeaderRow, UserStats
from bot.discord_app import limits
from bot.engine.model import Entry, Problem, Question, TextHit, snippet

COLOUR = discord.Colour.blurple()
CORRECT = discord.Colour.green()
WRONG = discord.Colour.red()
SEARCH_PAGE_SIZE = 5
SNIPPET = 300  # characters of a definition shown per search hit
SEPARATOR = " › "


def breadcrumb(entry: Entry) -> str:
    return SEPARATOR.join(entry.section)


def definition_embed(entry: Entry, related: Sequence[Entry], lang: Lang) -> discord.Embed:
    """`/define`: term, aliases, definition, section, deck, source and up to five related terms."""
    embed = discord.Embed(title=entry.term, description=entry.definition or limits.EMPTY, colour=COLOUR)
    if entry.aliases:
        embed.add_field(name=tr(lang, "define.aliases"), value=", ".join(entry.aliases), inline=False)
    if entry.section:
        embed.add_field(name=tr(lang, "define.section"), value=breadcrumb(entry), inline=False)
    embed.add_field(name=tr(lang, "define.deck"), value=entry.deck, inline=True)
    embed.add_field(name=tr(lang, "define.source"), value=f"`{entry.source}`", inline=True)
    if related:
        embed.add_field(
            name=tr(lang, "define.related"),
            value=", ".join(limits.one_line(r.term, 100) for r in related[:5]),
            inline=False,
        )
    return limits.fit_embed(embed)


def highlight(text: str, spans: Sequence[tuple[int, int]], width: int = SNIPPET) -> str:
    """A window of `text` around its first span, Markdown escaped, with every span in bold."""
    window = snippet(text, spans, width)
    body = "".join(f"**{escape_markdown(piece)}**" if matched else escape_markdown(piece)
                   for piece, matched in window.pieces)
    return " ".join(f"{'…' if window.cut_before else ''}{body}{'…' if window.cut_after else ''}".split())


def search_pages(hits: Sequence[TextHit], query: str, lang: Lang) -> list[discord.Embed]:
    """`/search`: the hits, five to a page, the matching words in bold."""
    pages: list[discord.Embed] = []
    chunks = [hits[i : i + SEARCH_PAGE_SIZE] for i in range(0, len(hits), SEARCH_PAGE_SIZE)] or [[]]
    for number, chunk in enumerate(chunks, 1):
        embed = discord.Embed(title=tr(lang, "search.title", query=limits.title_text(query, 100)), colour=COLOUR)
        for hit in chunk:
            where = f"{hit.entry.deck}{SEPARATOR + breadcrumb(hit.entry) if hit.entry.section else ''}"
            embed.add_field(
                name=limits.one_line(hit.entry.term, limits.FIELD_NAME),
                value=limits.clip(f"{highlight(hit.entry.definition, hit.spans)}\n-# {where}", limits.FIELD_VALUE),
                inline=False,
            )
        embed.set_footer(text=tr(lang, "search.footer", count=len(hits), page=number, pages=len(chunks)))
        pages.append(limits.fit_embed(embed))
    return pages


def question_embed(question: Question, lang: Lang) -> discord.Embed:
    """A practice question: the prompt and the lettered choices."""
    lines = [f"**{letter(i)}.** {limits.one_line(choice, 900)}" for i, choice in enumerate(question.choices)]
    embed = discord.Embed(
        title=tr(lang, "quiz.title"),
        description=limits.clip(question.prompt, 2000) + "\n\n" + "\n".join(lines),
        colour=COLOUR,
    )
    embed.set_footer(text=tr(lang, "quiz.footer", deck=question.deck))
    return limits.fit_embed(embed)


def answer_embed(question: Question, choice: int, correct: bool, points: int, lang: Lang) -> discord.Embed:
    """The question again, marked: correct or not, the explanation and its source."""
    lines = []
    for i, text in enumerate(question.choices):
        mark = "✅" if i == question.answer else ("❌" if i == choice else "▫️")
        lines.append(f"{mark} **{letter(i)}.** {limits.one_line(text, 900)}")
    verdict = (
        tr(lang, "quiz.correct", points=points)
        if correct
        else tr(lang, "quiz.incorrect", letter=letter(question.answer), answer=limits.one_line(question.correct_choice, 200))
    )
    embed = discord.Embed(
        title=limits.one_line(verdict, limits.EMBED_TITLE).replace("**", ""),
        description=limits.clip(question.prompt, 2000) + "\n\n" + "\n".join(lines),
        colour=CORRECT if correct else WRONG,
    )
    if question.explanation:
        embed.add_field(name=tr(lang, "quiz.explanation"), value=question.explanation, inline=False)
    embed.add_field(name=tr(lang, "quiz.source"), value=f"`{question.source}` · {question.deck}", inline=False)
    embed.set_footer(text=tr(lang, "quiz.your_choice", letter=letter(choice)))
    return limits.fit_embed(embed)


BOARD_ORDER = ("daily", "practice")
PROBLEMS_SHOWN = 15


def stats_embed(stats: UserStats, name: str, lang: Lang) -> discord.Embed:
    """`/stats`: per board answered, correct, accuracy, points, streaks and rank; most missed terms."""
    embed = discord.Embed(title=tr(lang, "stats.title", name=limits.one_line(name, 100)), colour=COLOUR)
    for board in BOARD_ORDER:
        numbers = stats.boards.get(board)  # type: ignore[call-overload]
        if numbers is None or not numbers.answered:
            value = tr(lang, "stats.nothing")
        else:
            value = tr(
                lang,
                "stats.line",
                answered=numbers.answered,
                correct=numbers.correct,
                accuracy=percent(numbers.correct, numbers.answered),
                points=numbers.points,
                streak=numbers.current_streak,
                best=numbers.best_streak,
                rank=f"#{numbers.rank}" if numbers.rank else tr(lang, "stats.no_rank"),
            )
        embed.add_field(name=tr(lang, f"stats.board.{board}"), value=value, inline=False)
    missed = [
        tr(lang, "stats.missed_line", term=escape_markdown(limits.one_line(m.term, 100)), misses=m.misses)
        for m in stats.most_missed[:3]
    ]
    embed.add_field(
        name=tr(lang, "stats.missed"),
        value="\n".join(missed) if missed else tr(lang, "stats.none_missed"),
        inline=False,
    )
    return limits.fit_embed(embed)


def leader_line(row: LeaderRow, lang: Lang, *, me: bool = False) -> str:
    name = limits.display_name(row.display_name or f"#{row.user_id}")
    line = tr(
        lang,
        "board.row",
        rank=row.rank,
        name=name,
        points=row.points,
        accuracy=percent(row.correct, row.answered),
    )
    return f"{line} ← {tr(lang, 'board.you')}" if me else line


def leaderboard_embed(
    page: LeaderboardPage,
    *,
    board: str,
    period: str,
    caller_id: str,
    caller_row: LeaderRow | None,
    page_number: int,
    pages: int,
    lang: Lang,
) -> discord.Embed:
    """`/leaderboard`: one page of ranks, plus the caller's own line when not on the page."""
    lines = [leader_line(r, lang, me=r.user_id == caller_id) for r in page.rows]
    if caller_row is not None and all(r.user_id != caller_id for r in page.rows):
        lines += ["…", leader_line(caller_row, lang, me=True)]
    embed = discord.Embed(
        title=tr(lang, "board.title", board=tr(lang, f"board.{board}"), period=tr(lang, f"board.{period}")),
        description="\n".join(lines) if lines else tr(lang, "board.empty"),
        colour=COLOUR,
    )
    embed.set_footer(text=tr(lang, "board.footer", total=page.total, page=page_number, pages=max(pages, 1)))
    return limits.fit_embed(embed)


def reload_embed(entries: int, questions: int, problems: Sequence[Problem], lang: Lang, *,
                 changes: tuple[Sequence[str], Sequence[str], Sequence[str]] = ((), (), ()),
                 due_again: int = 0) -> discord.Embed:
    """`/studyadmin reload`: counts, the terms added, removed and changed, and the first problems
    found as `file:line: message`."""
    embed = discord.Embed(
        description=tr(lang, "admin.reloaded", entries=entries, questions=questions, problems=len(problems)),
        colour=WRONG if problems else CORRECT,
    )
    for key, terms in zip(("admin.reload_added", "admin.reload_removed", "admin.reload_changed"), changes,
                          strict=True):
        if terms:
            shown = ", ".join(limits.one_line(t, 80) for t in terms[:20]) + (f" … (+{len(terms) - 20})" if len(terms) > 20 else "")
            embed.add_field(name=tr(lang, key, count=len(terms)), value=limits.clip(shown, limits.FIELD_VALUE), inline=False)
    if due_again:
        embed.add_field(name=limits.EMPTY, value=tr(lang, "admin.reload_due_again", cards=due_again), inline=False)
    if problems:
        budget = limits.FIELD_VALUE - 30  # the code fence and the "(+N)" line
        shown: list[str] = []
        for problem in problems[:PROBLEMS_SHOWN]:
            line = limits.one_line(str(problem), 200)
            if sum(len(x) + 1 for x in shown) + len(line) > budget:
                break
            shown.append(line)
        more = len(problems) - len(shown)
        text = "\n".join(shown) + (f"\n… (+{more})" if more > 0 else "")
        embed.add_field(name=tr(lang, "admin.problems"), value=f"```\n{text}\n```", inline=False)
    return limits.fit_embed(embed)
