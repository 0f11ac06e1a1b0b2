"""The `studybot` command line: check notes, dump the glossary and questions, look terms up,
show leaderboards, study in the offline console, and start the Discord bot.

Every user error ends as one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from bot.app.records import StoreError
from bot.community import Community
from bot.config import ConfigError, Settings, load_settings
from bot.engine.model import Entry, Notes, Severity
from bot.errors import StudyError

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class CliError(Exception):
    """A user error: printed as one line, exit status 1 (or `status`)."""

    def __init__(self, message: str, status: int = EXIT_PROBLEMS) -> None:
        super().__init__(message)
        self.status = status


def entry_to_json(entry: Entry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "term": entry.term,
        "aliases": list(entry.aliases),
        "definition": entry.definition,
        "deck": entry.deck,
        "section": list(entry.section),
        "source": {"path": entry.source.path, "line": entry.source.line},
        "shape": entry.shape.value,
        "rule": entry.rule,
        "confident": entry.confident,
    }


def _dump_json(data: Any, out: TextIO) -> None:
    json.dump(data, out, ensure_ascii=False, indent=2)
    out.write("\n")


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(notes=args.notes, db=args.db, shards=getattr(args, "shards", None),
                         allow_overlap=getattr(args, "allow_overlap", None) or None)


def _load(settings: Settings) -> Notes:
    from bot.engine.loader import load_notes

    aliases = settings.aliases if settings.aliases.exists() else None
    return load_notes(settings.notes, aliases_file=aliases)


def _usable_notes(settings: Settings) -> Notes:
    notes = _load(settings)
    if not notes.decks:
        first = notes.problems[0] if notes.problems else None
        raise CliError(str(first) if first else f"no notes could be loaded from {settings.notes}")
    return notes


# -- commands ----------------------------------------------------------------------------------


def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    from bot.engine.questions import build_question_bank

    settings = _settings(args)
    notes = _load(settings)
    for problem in notes.problems:
        print(str(problem), file=out)
    bank = build_question_bank(notes)
    per_deck = bank.counts_by_deck()
    for deck in notes.decks:
        print(
            f"{deck.path}: deck {deck.name!r}: {len(deck.entries)} entries, "
            f"{len(deck.tables)} tables, {per_deck.get(deck.name, 0)} questions",
            file=out,
        )
    for deck in notes.decks:
        for line in deck.corrections:
            print(line, file=out)
        for label in deck.group_labels:
            print(str(label), file=out)  # `file:line: group label 'X' is not a term; its members are …`
        for entry in deck.entries:
            if not entry.confident:
                quizzed = "quizzed (quiz_unsure)" if deck.quiz_unsure else "not quizzed"
                print(f"{entry.source}: unsure: {entry.term!r} from rule {entry.rule}; {quizzed}", file=out)
    uncovered = bank.uncovered()
    for entry in uncovered:
        print(f"{entry.source}: note: no question covers {entry.term!r}", file=out)
    errors = sum(p.severity is Severity.ERROR for p in notes.problems)
    warnings = len(notes.problems) - errors
    print(
        f"{len(notes.decks)} decks, {len(notes.entries)} entries, {len(bank.questions)} questions, "
        f"{errors} errors, {warnings} warnings, {len(uncovered)} uncovered terms",
        file=out,
    )
    return EXIT_PROBLEMS if notes.has_errors or not notes.decks else EXIT_OK


def cmd_glossary(args: argparse.Namespace, out: TextIO) -> int:
    notes = _usable_notes(_settings(args))
    if args.json:
        _dump_json([entry_to_json(e) for e in notes.entries], out)
    else:
        for entry in notes.entries:
            names = ", ".join(entry.aliases)
            print(f"{entry.term}{f' ({names})' if names else ''} — {entry.deck}", file=out)
    return EXIT_OK


def cmd_define(args: argparse.Namespace, out: TextIO) -> int:
    from bot.engine.glossary import Glossary

    notes = _usable_notes(_settings(args))
    glossary = Glossary(notes.entries)
    hits = glossary.search(args.query, limit=args.limit)
    if args.json:
        _dump_json([entry_to_json(e) for e in hits], out)
        return EXIT_OK
    if not hits:
        suggestions = [e.term for e in glossary.suggestions(args.query, limit=5)]
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        raise CliError(f"nothing found for {args.query!r}.{hint}")
    for rank, entry in enumerate(hits, 1):
        aliases = f" ({', '.join(entry.aliases)})" if entry.aliases else ""
        where = " › ".join(entry.section)
        print(f"{rank}. {entry.term}{aliases}", file=out)
        print(f"   {entry.definition}", file=out)
        print(f"   [{entry.deck}{' › ' + where if where else ''}] {entry.source}", file=out)
    return EXIT_OK


def cmd_questions(args: argparse.Namespace, out: TextIO) -> int:
    from bot.engine.questions import build_question_bank, question_to_json

    notes = _usable_notes(_settings(args))
    bank = build_question_bank(notes, seed=args.seed)
    if args.json:
        _dump_json([question_to_json(q) for q in bank.questions], out)
    else:
        for q in bank.questions:
            print(f"[{q.kind.value}] {q.prompt}", file=out)
            for i, choice in enumerate(q.choices):
                mark = "*" if i == q.answer else " "
                print(f"  {mark} {'ABCD'[i] if i < 4 else i}. {choice}", file=out)
    return EXIT_OK


def cmd_leaderboard(args: argparse.Namespace, out: TextIO) -> int:
    from bot.app import open_app

    settings = _settings(args)

    async def fetch() -> Any:
        async with open_app(settings, load_notes=False) as app:  # a table read needs no notes
            return await app.study.leaderboard(args.guild, period=args.period, board=args.board, limit=args.limit)

    page = asyncio.run(fetch())
    rows = [
        {
            "rank": r.rank,
            "user_id": r.user_id,
            "points": r.points,
            "answered": r.answered,
            "correct": r.correct,
            "streak": r.streak,
        }
        for r in page.rows
    ]
    if args.json:
        _dump_json(rows, out)
    elif not rows:
        print(f"no answers on the {args.board} board for {args.period}", file=out)
    else:
        for r in page.rows:
            name = r.display_name or str(r.user_id)
            print(
                f"{r.rank:>3}. {name}  {r.points} pts  {r.correct}/{r.answered} correct  "
                f"streak {r.streak}",
                file=out,
            )
    return EXIT_OK


def cmd_cards(args: argparse.Namespace, out: TextIO) -> int:
    """`cards rebuild`: recompute every member's cards from the answer log."""
    import time

    from bot.app import open_app

    settings = _settings(args)

    async def rebuild() -> Any:
        async with open_app(settings, load_notes=False) as app:  # the log alone decides the cards
            return await app.study.rebuild_cards()

    started = time.perf_counter()
    done = asyncio.run(rebuild())
    print(f"rebuilt {done.cards} cards from {done.answers} answers "
          f"in {time.perf_counter() - started:.1f} s", file=out)
    return EXIT_OK


def cmd_migrate_db(args: argparse.Namespace, out: TextIO) -> int:
    """`migrate-db --to postgresql://…`: copy the SQLite database into PostgreSQL and verify it."""
    import time

    from bot.app.transfer import migrate_database
    from bot.clock import SystemClock

    settings = _settings(args)
    if not isinstance(settings.db, Path):
        raise CliError("--db (or STUDYBOT_DB) must name the SQLite file to copy from", EXIT_USAGE)
    target = load_settings(db=args.to).db
    if isinstance(target, Path):
        raise CliError("--to takes a postgresql://user:password@host:port/database URL", EXIT_USAGE)
    started = time.perf_counter()
    report = asyncio.run(migrate_database(settings.db, target, clock=SystemClock(),
                                          default_timezone=settings.timezone))
    print(f"copied {sum(report.rows.values())} rows ("
          + ", ".join(f"{table} {n}" for table, n in report.rows.items())
          + f") in {time.perf_counter() - started:.1f} s; verified: row counts, {report.leaderboards}"
          f" leaderboards of {report.communities} communities, score exports and cards match", file=out)
    return EXIT_OK


def cmd_processes(args: argparse.Namespace, out: TextIO) -> int:
    """`processes`: the live `studybot run` processes in the registry and the shards each serves."""
    from bot.app import open_app
    from bot.app.processes import describe, shards_of

    settings = _settings(args)

    async def fetch() -> Any:
        async with open_app(settings, load_notes=False) as app:
            return app.clock.now(), await app.processes.live()

    now, live = asyncio.run(fetch())
    if args.json:
        _dump_json([{"shards": str(shards_of(p)), "pid": p.pid, "host": p.host.split("/pidns:", 1)[0],
                     "started_at": p.started_at.isoformat(), "heartbeat_at": p.heartbeat_at.isoformat(),
                     "overlap_allowed": p.overlap_allowed} for p in live], out)
    elif not live:
        print("no studybot run process is registered (none alive in the last 45 s)", file=out)
    else:
        for p in live:
            print(describe(p, now) + (" [--allow-overlap]" if p.overlap_allowed else ""), file=out)
    return EXIT_OK


def cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    """`export --anki PATH.apkg [--deck NAME] | --csv PATH | --scores PATH --guild COMMUNITY`."""
    from bot.app.messages import file_size
    from bot.present import exports

    if not (args.anki or args.csv or args.scores):
        raise CliError("nothing to export: give --anki PATH.apkg, --csv PATH or --scores PATH", EXIT_USAGE)
    if args.scores and args.guild is None:
        raise CliError("--scores needs --guild COMMUNITY (discord:SERVER_ID, slack:TEAM_ID)", EXIT_USAGE)
    settings = _settings(args)
    written: list[tuple[Path, str, bytes]] = []
    if args.anki or args.csv:
        notes = _usable_notes(settings)
        if args.anki:
            names = [d.name for d in notes.decks]
            deck = args.deck or (names[0] if len(names) == 1 else exports.DEFAULT_DECK)
            data = exports.anki_package(notes.entries, deck, timestamp=time.time())
            written.append((args.anki, f"Anki deck {deck!r}: {len(notes.entries)} notes", data))
        if args.csv:
            written.append((args.csv, f"glossary CSV: {len(notes.entries)} entries",
                            exports.glossary_csv(notes.entries)))
    if args.scores:
        from bot.app import open_app

        async def fetch() -> Any:
            async with open_app(settings, load_notes=False) as app:
                return await app.study.export_scores(args.guild)

        rows = asyncio.run(fetch())
        written.append((args.scores, f"scores CSV: {len(rows)} rows", exports.scores_csv(rows)))
    for path, what, data in written:
        try:
            exports.write_export(path, data)
        except exports.ExportError as exc:
            raise CliError(str(exc)) from None
        print(f"wrote {path}: {what} ({file_size(len(data))})", file=out)
    return EXIT_OK


def cmd_console(args: argparse.Namespace, out: TextIO) -> int:
    from bot.console import run_console

    return run_console(_settings(args), stdin=sys.stdin, stdout=out)


def cmd_run(args: argparse.Namespace, out: TextIO) -> int:
    from bot.runner import run

    return run(_settings(args))


def cmd_sync(args: argparse.Namespace, out: TextIO) -> int:
    from bot.discord_app.launcher import run_bot

    return run_bot(_settings(args), force_sync=True, exit_after_sync=True)


def cmd_start(args: argparse.Namespace, out: TextIO) -> int:
    settings = _settings(args)
    if settings.discord_token is not None or settings.slack_bot_token is not None:
        return cmd_run(args, out)
    print("No DISCORD_TOKEN or SLACK_BOT_TOKEN set: starting the offline console on your notes.", file=sys.stderr)
    return cmd_console(args, out)


def cmd_slack_manifest(args: argparse.Namespace, out: TextIO) -> int:
    """Print the Slack app manifest (YAML) to paste at app creation."""
    from bot.slack_app.manifest import manifest_yaml

    if args.url is not None and not args.url.startswith("https://"):
        raise CliError(f"{args.url!r} is not an https:// URL; Slack sends its requests only to HTTPS", EXIT_USAGE)
    out.write(manifest_yaml(name=args.name, url=args.url))
    return EXIT_OK


# -- parser ------------------------------------------------------------------------------------


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def _community(text: str) -> Community:
    try:
        return Community.parse(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a community: use discord:SERVER_ID, slack:TEAM_ID or a Discord server id"
        ) from None


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, no usage dump
        raise CliError(f"{message} (see `{self.prog} --help`)", EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--notes", type=Path, help="notes file or folder (default: data/notes)")
    common.add_argument("--db", help="SQLite file, sqlite:///path or postgresql://user@host/name (default: data/studybot.db)")

    parser = _Parser(prog="studybot", description="A study-group bot for your own notes.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def add(name: str, handler: Callable[[argparse.Namespace, TextIO], int], help: str):
        p = sub.add_parser(name, parents=[common], help=help, description=help)
        p.set_defaults(handler=handler)
        return p

    add("check", cmd_check, "report every problem in the notes and count entries and questions")
    p = add("glossary", cmd_glossary, "list every glossary entry")
    p.add_argument("--json", action="store_true", help="print JSON")
    p = add("define", cmd_define, "look a term up (Korean and English, typos welcome)")
    p.add_argument("query")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--limit", type=_positive_int, default=5, help="how many matches (default 5)")
    p = add("questions", cmd_questions, "list the generated quiz questions")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--seed", type=int, default=0, help="seed for choice order (default 0)")
    p = add("leaderboard", cmd_leaderboard, "show a server's leaderboard from the database")
    p.add_argument("--guild", type=_community, required=True, metavar="COMMUNITY",
                   help="discord:SERVER_ID, slack:TEAM_ID, or a bare Discord server id")
    p.add_argument("--period", choices=("week", "month", "all"), default="week")
    p.add_argument("--board", choices=("daily", "practice"), default="daily")
    p.add_argument("--limit", type=_positive_int, default=None, help="top N (default: everyone)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p = add("cards", cmd_cards, "spaced-repetition cards: `cards rebuild` recomputes them from the answers")
    p.add_argument("action", choices=("rebuild",))
    p = add("migrate-db", cmd_migrate_db, "copy the SQLite database into an empty PostgreSQL database and verify it")
    p.add_argument("--to", required=True, metavar="URL", help="postgresql://user:password@host:port/database")
    p = add("export", cmd_export, "export the glossary as an Anki deck or CSV, or a community's scores as CSV")
    p.add_argument("--anki", type=Path, metavar="PATH.apkg", help="write an Anki package (re-imports update notes)")
    p.add_argument("--deck", help="the Anki deck's name (default: the notes' deck, or 'studybot')")
    p.add_argument("--csv", type=Path, metavar="PATH", help="write the glossary as CSV (UTF-8 with BOM)")
    p.add_argument("--scores", type=Path, metavar="PATH", help="write a community's scores as CSV (needs --guild)")
    p.add_argument("--guild", type=_community, metavar="COMMUNITY", help="whose scores: discord:SERVER_ID, slack:TEAM_ID")
    add("console", cmd_console, "study offline in the terminal: /define, /search, /quiz, ...")
    p = add("run", cmd_run, "start every configured front end: Discord (DISCORD_TOKEN), Slack (SLACK_BOT_TOKEN with "
                            "SLACK_APP_TOKEN or SLACK_SIGNING_SECRET)")
    p.add_argument("--shards", metavar="FIRST-LAST/COUNT",
                   help="serve only these shards, e.g. 0-3/8 (default: STUDYBOT_SHARDS, else all)")
    p.add_argument("--allow-overlap", action="store_true",
                   help="start even if a live process serves some of these shards (while rescaling)")
    add("sync", cmd_sync, "push the slash commands to Discord now, then exit")
    p = add("processes", cmd_processes, "list the running `studybot run` processes and the shards each serves")
    p.add_argument("--json", action="store_true", help="print JSON")
    add("start", cmd_start, "`run` if a Discord or Slack token is set, else the offline console")
    p = add("slack-manifest", cmd_slack_manifest, "print the Slack app manifest (YAML) to paste at app creation")
    p.add_argument("--url", help="HTTP mode: the public https:// URL of /slack/events (default: Socket Mode)")
    p.add_argument("--name", default="studybot", help="the app's name in Slack (default: studybot)")
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if getattr(args, "handler", None) is None:
            parser.print_help(out)
            return EXIT_USAGE
        return args.handler(args, out)
    except CliError as exc:
        print(f"studybot: {exc}", file=sys.stderr)
        return exc.status
    except ConfigError as exc:
        print(f"studybot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except (StudyError, StoreError) as exc:
        print(f"studybot: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    except Exception as exc:  # the last line of defence: a user never sees a traceback
        print(f"studybot: unexpected error: {exc.__class__.__name__}: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
