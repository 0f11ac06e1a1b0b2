"""The offline console: a terminal front end over the application, for studying without a token.

In a terminal it shows a prompt and colours (rich); from a pipe it reads one command per line
and prints no prompts, so it can be scripted and tested. It speaks the terminal's language
(Korean when `LC_ALL`, `LC_MESSAGES` or `LANG` is a `ko` locale, else English), with the
sentences of `bot.app.messages`.
"""

from __future__ import annotations

import asyncio
import getpass
import logging
import os
import shlex
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TextIO

from rich.console import Console as RichConsole
from rich.markup import escape

from bot.app import open_app
from bot.app.messages import (
    LETTERS,
    Lang,
    error_message,
    lang_of,
    letter,
    percent,
    tr,
    typed_verdict_text,
    wait_text,
)
from bot.app.review import ReviewItem, ReviewMode
from bot.app.study import BOARDS, PERIODS, AskedQuestion, StudyService
from bot.community import Community
from bot.config import Settings
from bot.errors import StudyError
from bot.present import member_chart
from bot.present.worker import Presenter

log = logging.getLogger(__name__)

LOCAL_COMMUNITY = Community.of("console", "local")  # the console's own board, apart from every chat's
LOCAL_USER_ID = "1"
def terminal_lang() -> Lang:
    """The language of the terminal's locale, as a shell would pick it."""
    return lang_of(os.environ.get("LC_ALL") or os.environ.get("LC_MESSAGES") or os.environ.get("LANG"))


def plain(text: str) -> str:
    """A catalogue sentence for the terminal: its Markdown emphasis dropped."""
    return text.replace("**", "")


@dataclass
class ConsoleUser:
    community: Community
    user_id: str
    name: str


class ConsoleSession:
    """One person studying at a terminal; `handle` takes a line and prints the answer."""

    def __init__(self, service: StudyService, out: RichConsole, user: ConsoleUser, lang: Lang = "en", *,
                 presenter: Presenter | None = None, chart_dir: Path | None = None) -> None:
        self._service = service
        self._presenter = presenter
        self._chart_dir = chart_dir or Path("charts")
        self._out = out
        self._user = user
        self._lang = lang
        self._pending: AskedQuestion | None = None
        self._review: ReviewItem | None = None  # the open review card
        self._revealed = False  # the open flashcard's definition was shown

    def say(self, text: str, style: str | None = None) -> None:
        self._out.print(escape(plain(text)), style=style, highlight=False, soft_wrap=True)

    def tr(self, key: str, /, **params: object) -> str:
        return tr(self._lang, key, **params)

    async def handle(self, line: str) -> bool:
        """Handle one input line; False means the user asked to leave."""
        line = line.strip()
        if not line:
            return True
        try:
            if not line.startswith("/"):
                await self._answer_or_define(line)
                return True
            name, _, rest = line[1:].partition(" ")
            rest = rest.strip()
            match name.lower():
                case "define" | "d":
                    self._define(rest) if rest else self.say(self.tr("console.usage_define"), "yellow")
                case "search" | "s":
                    self._search(rest) if rest else self.say(self.tr("console.usage_search"), "yellow")
                case "quiz" | "q":
                    await self._quiz(rest or None)
                case "review" | "r":
                    await self._next_review(rest)
                case "show":
                    self._show()
                case "topics":
                    for topic in self._service.topics(rest, limit=50):
                        self.say(f"- {topic}")
                case "stats":
                    await self._stats(rest)
                case "leaderboard" | "lb":
                    await self._leaderboard(rest)
                case "help" | "h" | "?":
                    self.say(self.tr("console.help"))
                case "quit" | "exit":
                    return False
                case _:
                    self.say(self.tr("console.unknown_command", name=name), "yellow")
        except StudyError as error:
            self.say(error_message(error, self._lang), "yellow")
        except Exception:  # one failing command must not end the session
            log.exception("console command failed: %s", line)
            self.say(self.tr("console.failed"), "red")
        return True

    async def _answer_or_define(self, line: str) -> None:
        """A line without a leading /: an answer to the open card or question, else a lookup."""
        review = self._review
        flashcard = review is not None and review.mode is ReviewMode.FLASHCARD
        if flashcard and self._revealed and line in ("1", "2", "3", "4"):
            await self._rate(int(line))
        elif review is not None and review.mode is ReviewMode.TYPED:
            await self._answer_typed(line)
        elif review is not None and not flashcard and len(line) == 1 and line.upper() in LETTERS:
            await self._answer_review(line.upper())
        elif self._pending is not None and len(line) == 1 and line.upper() in LETTERS:
            await self._answer(line.upper())
        else:
            self._define(line)

    def _define(self, query: str) -> None:
        definition = self._service.define(query)
        entry = definition.entry
        aliases = f"  ({', '.join(entry.aliases)})" if entry.aliases else ""
        self._out.print(f"[bold cyan]{escape(entry.term)}[/]{escape(aliases)}")
        self.say(entry.definition)
        if entry.members:
            self.say(self.tr("console.members", members=", ".join(entry.members)))
        where = " › ".join((entry.deck, *entry.section))
        self.say(f"{where} — {entry.source}", "dim")
        if definition.related:
            self.say(self.tr("console.related", terms=", ".join(e.term for e in definition.related)), "dim")

    def _search(self, query: str) -> None:
        for hit in self._service.search(query, limit=10):
            text = hit.entry.definition
            marked, last = [], 0
            for start, end in hit.spans:
                marked.append(escape(text[last:start]))
                marked.append(f"[bold yellow]{escape(text[start:end])}[/]")
                last = end
            marked.append(escape(text[last:]))
            self._out.print(f"[bold cyan]{escape(hit.entry.term)}[/]: " + "".join(marked))

    async def _quiz(self, topic: str | None) -> None:
        asked = await self._service.next_practice_question(
            community=self._user.community,
            user_id=self._user.user_id,
            display_name=self._user.name,
            topic=topic,
        )
        self._pending = asked
        q = asked.question
        self._out.print(f"[bold]{escape(q.prompt)}[/]")
        for i, choice in enumerate(q.choices):
            self.say(f"  {letter(i)}) {choice}")
        self.say(self.tr("console.answer_with_letter"), "dim")

    async def _answer(self, typed: str) -> None:
        asked = self._pending
        assert asked is not None
        choice = LETTERS.index(typed)
        if choice >= len(asked.question.choices):
            self.say(self.tr("error.invalid_choice"), "yellow")
            return
        self._pending = None
        outcome = await self._service.answer(
            community=self._user.community,
            post_id=asked.post_id,
            user_id=self._user.user_id,
            choice=choice,
            display_name=self._user.name,
        )
        q = outcome.question
        if outcome.correct:
            self.say(self.tr("quiz.correct", points=outcome.result.points), "bold green")
        else:
            self.say(self.tr("quiz.incorrect", letter=letter(q.answer), answer=q.correct_choice), "bold red")
        self.say(q.explanation, "dim")
        self.say(self.tr("console.next_hint"), "dim")

    async def _next_review(self, rest: str) -> None:
        word = rest.strip().lower()
        mode = (ReviewMode.FLASHCARD if word in {"flash", "flashcard", "f"} else
                ReviewMode.TYPED if word in {"type", "typed", "t"} else ReviewMode.CHOICE)
        item = await self._service.review.next_item(
            community=self._user.community, user_id=self._user.user_id, display_name=self._user.name,
            mode=mode)
        self._review, self._revealed, self._pending = item, False, None
        status = item.status
        self.say(self.tr("review.new_entry" if item.is_new else "review.due_entry"), "dim")
        self.say(self.tr("review.status", due=status.due_now, new=status.new_entries,
                         next=self._when(status.next_due)), "dim")
        q = item.question
        self._out.print(f"[bold]{escape(q.prompt)}[/]")
        if item.mode is ReviewMode.FLASHCARD:
            self.say(self.tr("console.review_show_hint"), "dim")
            return
        if item.mode is ReviewMode.TYPED:
            self.say(self.tr("typed.prompt"), "dim")
            self.say(self.tr("console.typed_hint"), "dim")
            return
        for i, choice in enumerate(q.choices):
            self.say(f"  {letter(i)}) {choice}")
        self.say(self.tr("console.answer_with_letter"), "dim")

    def _when(self, when: datetime | None) -> str:
        return wait_text(None if when is None else (when - self._service.now()).total_seconds(), self._lang)

    def _show(self) -> None:
        item = self._review
        if item is None or item.mode is not ReviewMode.FLASHCARD:
            self.say(self.tr("console.review_next_hint"), "yellow")
            return
        self._revealed = True
        self.say(item.question.explanation)
        self.say(self.tr("console.review_rate_hint"), "dim")

    async def _rate(self, rating: int) -> None:
        item = self._review
        assert item is not None
        self._review = None
        verdict = await self._service.review.rate(
            community=self._user.community, post_id=item.post_id, user_id=self._user.user_id,
            rating=rating, display_name=self._user.name)
        self.say(self.tr("review.rated", rating=self.tr(f"review.rating.{int(verdict.rating)}"),
                         next=self._when(verdict.card.due if verdict.card else None)), "bold")
        self.say(self.tr("console.review_next_hint"), "dim")

    async def _answer_typed(self, text: str) -> None:
        item = self._review
        assert item is not None
        verdict = await self._service.review.answer_typed(  # a refused answer keeps the card open
            community=self._user.community, post_id=item.post_id, user_id=self._user.user_id,
            text=text, display_name=self._user.name)
        self._review = None
        assert verdict.typed is not None
        self.say(typed_verdict_text(verdict.typed, self._lang), "bold green" if verdict.correct else "bold red")
        self.say(self.tr("review.rated", rating=self.tr(f"review.rating.{int(verdict.rating)}"),
                         next=self._when(verdict.card.due if verdict.card else None)), "dim")
        self.say(self.tr("console.review_next_hint"), "dim")

    async def _answer_review(self, typed: str) -> None:
        item = self._review
        assert item is not None
        choice = LETTERS.index(typed)
        if choice >= len(item.question.choices):
            self.say(self.tr("error.invalid_choice"), "yellow")
            return
        self._review = None
        verdict = await self._service.review.answer(
            community=self._user.community, post_id=item.post_id, user_id=self._user.user_id,
            choice=choice, display_name=self._user.name)
        q = verdict.question
        due = self._when(verdict.card.due if verdict.card else None)
        if verdict.correct:
            self.say(self.tr("review.correct", next=due), "bold green")
        else:
            self.say(self.tr("review.incorrect", letter=letter(q.answer), answer=q.correct_choice, next=due),
                     "bold red")
        self.say(q.explanation, "dim")
        self.say(self.tr("console.review_next_hint"), "dim")

    async def _stats(self, rest: str = "") -> None:
        if rest not in ("", "--chart"):
            self.say(self.tr("chart.usage"), "yellow")
            return
        stats = await self._service.stats(self._user.community, self._user.user_id)
        for board in stats.boards.values():
            self.say(self.tr(
                "console.stats_line", board=self.tr(f"board.{board.board.value}"), answered=board.answered,
                correct=board.correct, accuracy=percent(board.correct, board.answered), points=board.points,
                streak=board.current_streak, best=board.best_streak,
                rank=f"#{board.rank}" if board.rank else "-",
            ))
        if stats.most_missed:
            self.say(self.tr("console.most_missed", terms=", ".join(f"{m.term} ({m.misses})" for m in stats.most_missed)))
        if rest == "--chart":
            await self._save_chart()

    async def _save_chart(self) -> None:
        """Draw the `/stats` chart and say where it was saved (a terminal shows no pictures)."""
        presenter = self._presenter or Presenter.in_thread()
        try:
            picture = await member_chart(self._service, presenter, self._user.community, self._user.user_id,
                                         self._user.name, self._lang)
        finally:
            if self._presenter is None:
                await presenter.close()
        path = self._chart_dir / f"stats-{self._user.community.platform}-{self._user.user_id}.png"
        await asyncio.to_thread(self._chart_dir.mkdir, parents=True, exist_ok=True)
        await asyncio.to_thread(path.write_bytes, picture.png)
        self.say(self.tr("chart.saved", path=str(path)))
        self.say(picture.alt)

    async def _leaderboard(self, rest: str) -> None:
        period, board = "week", "practice"  # offline, practice is the only board that fills
        for word in shlex.split(rest):
            if word in PERIODS:
                period = word
            elif word in BOARDS:
                board = word
            else:
                self.say(self.tr("console.unknown_option", word=repr(word)), "yellow")
                return
        page = await self._service.leaderboard(
            self._user.community, period=period, board=board, limit=10
        )
        if not page.rows:
            self.say(self.tr("board.empty"))
            return
        for row in page.rows:
            self.say(self.tr("console.board_row", rank=f"{row.rank:>3}", name=row.display_name or row.user_id,
                             points=row.points, accuracy=percent(row.correct, row.answered)))


async def _session(settings: Settings, stdin: TextIO, stdout: TextIO) -> int:
    interactive = stdin.isatty() and stdout.isatty()
    out = RichConsole(file=stdout, force_terminal=interactive, no_color=not interactive,
                      highlight=False, width=None if interactive else 10_000)
    lang = terminal_lang()
    async with open_app(settings) as app:
        service = app.study
        notes = service.notes
        if not notes.decks:
            for problem in notes.problems:
                out.print(escape(str(problem)))
            return 1
        user = ConsoleUser(LOCAL_COMMUNITY, LOCAL_USER_ID, getpass.getuser())
        session = ConsoleSession(service, out, user, lang, presenter=app.present,
                                 chart_dir=Path(settings.db).parent / "charts")
        if interactive:
            decks = ", ".join(d.name for d in notes.decks)
            session.say(tr(lang, "console.greeting", terms=len(notes.entries),
                           questions=len(service.bank.questions), decks=decks), "bold")
        loop = asyncio.get_running_loop()
        while True:
            if interactive:
                try:
                    line = await loop.run_in_executor(None, input, "studybot> ")
                except EOFError:
                    break
            else:
                line = stdin.readline()
                if not line:
                    break
            if not await session.handle(line):
                break
    return 0


def run_console(settings: Settings, *, stdin: TextIO, stdout: TextIO) -> int:
    return asyncio.run(_session(settings, stdin, stdout))
