"""The offline console: a terminal front end over the study service, for studying without a token.

In a terminal it shows a prompt and colours (rich); from a pipe it reads one command per line
and prints no prompts, so it can be scripted and tested.
"""

from __future__ import annotations

import asyncio
import getpass
import logging
import shlex
from dataclasses import dataclass
from typing import TextIO

from rich.console import Console as RichConsole
from rich.markup import escape

from bot.clock import SystemClock
from bot.config import Settings
from bot.errors import StudyError
from bot.service import BOARDS, PERIODS, AskedQuestion, StudyService
from bot.store import Store

log = logging.getLogger(__name__)

LOCAL_GUILD_ID = 0
LOCAL_USER_ID = 1
LETTERS = "ABCDEFGH"

HELP = """\
/define TERM        look a term up (Korean or English, typos welcome)
/search WORDS       search inside definitions
/quiz [TOPIC]       a practice question; answer with its letter (A-D)
/topics             decks and sections you can quiz on
/stats              your answers, accuracy, points and streaks
/leaderboard [week|month|all] [daily|practice]
/help               this list
/quit               leave (Ctrl-D works too)
Anything without a leading / is looked up, or taken as an answer while a question is open."""

ERROR_TEXT = {
    "nothing_found": "Nothing found for {query!r}.",
    "unknown_topic": "No deck or section called {topic!r}.",
    "no_questions": "There are no questions for that yet.",
    "question_gone": "That question no longer exists (the notes changed). Try /quiz again.",
    "not_your_question": "That question belongs to someone else.",
    "already_answered": "You already answered ({letter}).",
    "answers_closed": "Answers for that question are closed.",
    "invalid_choice": "Answer with one of the letters shown.",
}


def error_text(error: StudyError) -> str:
    params = dict(error.params)
    if "choice" in params and isinstance(params["choice"], int):
        params["letter"] = LETTERS[params["choice"]]
    text = ERROR_TEXT.get(error.code, "That did not work.").format_map(_Blank(params))
    suggestions = params.get("suggestions") or []
    if suggestions:
        text += " Did you mean: " + ", ".join(suggestions) + "?"
    return text


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


@dataclass
class ConsoleUser:
    guild_id: int
    user_id: int
    name: str


class ConsoleSession:
    """One person studying at a terminal; `handle` takes a line and prints the answer."""

    def __init__(self, service: StudyService, out: RichConsole, user: ConsoleUser) -> None:
        self._service = service
        self._out = out
        self._user = user
        self._pending: AskedQuestion | None = None

    def say(self, text: str, style: str | None = None) -> None:
        self._out.print(escape(text), style=style, highlight=False, soft_wrap=True)

    async def handle(self, line: str) -> bool:
        """Handle one input line; False means the user asked to leave."""
        line = line.strip()
        if not line:
            return True
        if not line.startswith("/"):
            if self._pending is not None and len(line) == 1 and line.upper() in LETTERS:
                await self._answer(line.upper())
            else:
                self._define(line)
            return True
        name, _, rest = line[1:].partition(" ")
        rest = rest.strip()
        try:
            match name.lower():
                case "define" | "d":
                    self._define(rest) if rest else self.say("Usage: /define TERM", "yellow")
                case "search" | "s":
                    self._search(rest) if rest else self.say("Usage: /search WORDS", "yellow")
                case "quiz" | "q":
                    await self._quiz(rest or None)
                case "topics":
                    for topic in self._service.topics(rest, limit=50):
                        self.say(f"- {topic}")
                case "stats":
                    await self._stats()
                case "leaderboard" | "lb":
                    await self._leaderboard(rest)
                case "help" | "h" | "?":
                    self.say(HELP)
                case "quit" | "exit":
                    return False
                case _:
                    self.say(f"Unknown command /{name}. Type /help for the list.", "yellow")
        except StudyError as error:
            self.say(error_text(error), "yellow")
        except Exception:  # one failing command must not end the session
            log.exception("console command failed: %s", line)
            self.say("Something went wrong with that command; the details are in the log.", "red")
        return True

    def _define(self, query: str) -> None:
        definition = self._service.define(query)
        entry = definition.entry
        aliases = f"  ({', '.join(entry.aliases)})" if entry.aliases else ""
        self._out.print(f"[bold cyan]{escape(entry.term)}[/]{escape(aliases)}")
        self.say(entry.definition)
        if entry.members:
            self.say("Members: " + ", ".join(entry.members))
        where = " › ".join((entry.deck, *entry.section))
        self.say(f"{where} — {entry.source}", "dim")
        if definition.related:
            self.say("Related: " + ", ".join(e.term for e in definition.related), "dim")

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
            guild_id=self._user.guild_id,
            user_id=self._user.user_id,
            display_name=self._user.name,
            topic=topic,
        )
        self._pending = asked
        q = asked.question
        self._out.print(f"[bold]{escape(q.prompt)}[/]")
        for i, choice in enumerate(q.choices):
            self.say(f"  {LETTERS[i]}) {choice}")
        self.say("Answer with a letter.", "dim")

    async def _answer(self, letter: str) -> None:
        asked = self._pending
        assert asked is not None
        choice = LETTERS.index(letter)
        if choice >= len(asked.question.choices):
            self.say(ERROR_TEXT["invalid_choice"], "yellow")
            return
        self._pending = None
        outcome = await self._service.answer(
            guild_id=self._user.guild_id,
            post_id=asked.post_id,
            user_id=self._user.user_id,
            choice=choice,
            display_name=self._user.name,
        )
        q = outcome.question
        if outcome.correct:
            self.say(f"Correct! +{outcome.result.points} points", "bold green")
        else:
            self.say(f"Not quite: the answer is {LETTERS[q.answer]}) {q.correct_choice}", "bold red")
        self.say(q.explanation, "dim")
        self.say("Type /quiz for the next question.", "dim")

    async def _stats(self) -> None:
        stats = await self._service.stats(self._user.guild_id, self._user.user_id)
        for board in stats.boards.values():
            accuracy = f"{board.accuracy:.0%}" if board.answered else "-"
            rank = f"#{board.rank}" if board.rank else "-"
            self.say(
                f"{board.board.value}: {board.answered} answered, {board.correct} correct "
                f"({accuracy}), {board.points} points, streak {board.current_streak} "
                f"(best {board.best_streak}), rank {rank}"
            )
        if stats.most_missed:
            self.say("Most missed: " + ", ".join(f"{m.term} ({m.misses})" for m in stats.most_missed))

    async def _leaderboard(self, rest: str) -> None:
        period, board = "week", "practice"  # offline, practice is the only board that fills
        for word in shlex.split(rest):
            if word in PERIODS:
                period = word
            elif word in BOARDS:
                board = word
            else:
                self.say(f"Unknown option {word!r}: use week|month|all and daily|practice.", "yellow")
                return
        page = await self._service.leaderboard(
            self._user.guild_id, period=period, board=board, limit=10
        )
        if not page.rows:
            self.say(f"No answers on the {board} board this {period} yet.")
            return
        for row in page.rows:
            accuracy = f"{row.correct / row.answered:.0%}" if row.answered else "-"
            self.say(f"{row.rank:>3}. {row.display_name or row.user_id}  {row.points} pts  {accuracy}")


async def _session(settings: Settings, stdin: TextIO, stdout: TextIO) -> int:
    interactive = stdin.isatty() and stdout.isatty()
    out = RichConsole(file=stdout, force_terminal=interactive, no_color=not interactive,
                      highlight=False, width=None if interactive else 10_000)
    clock = SystemClock()
    async with await Store.open(settings.db, clock=clock, default_timezone=settings.timezone) as store:
        aliases = settings.aliases if settings.aliases.exists() else None
        service = StudyService(notes_path=settings.notes, store=store, clock=clock, aliases_path=aliases)
        notes = service.notes
        if not notes.decks:
            for problem in notes.problems:
                out.print(escape(str(problem)))
            return 1
        user = ConsoleUser(LOCAL_GUILD_ID, LOCAL_USER_ID, getpass.getuser())
        session = ConsoleSession(service, out, user)
        if interactive:
            decks = ", ".join(d.name for d in notes.decks)
            out.print(
                f"[bold]studybot[/] — {len(notes.entries)} terms, {len(service.bank.questions)} "
                f"questions from {escape(decks)}. Type /help."
            )
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
