"""The application layer: every use case of studybot, for any front end, and its composition root.

`open_app(settings)` builds the clock, the store, the study service (`study.py`: look up, search,
practise, answer, stats, leaderboards, seasons, exports), the daily cycle (`daily.py`), which runs
the timed work of the communities this process owns (`ownership.py`, from `settings.shards`),
the processes registry (`processes.py`) and the presenter of pictures and exports
(`bot.present`), and closes them again. Front ends (the console, the Discord bot, the command line) get an `App` and
call `app.study` and `app.daily`; they never see the store. `messages.py` holds every sentence a
member reads; `ports.py` the small port a chat platform implements for the daily quiz.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.app.daily import DailyCycle, DailyQuiz
from bot.app.ownership import Ownership
from bot.app.ledger import AnswerLedger
from bot.app.processes import ProcessRegistry
from bot.app.study import StudyService
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.present.worker import Presenter
from bot.store.backend import open_store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class App:
    """What a front end is built from; owned and closed by `open_app`."""

    settings: Settings
    clock: Clock
    study: StudyService
    daily: DailyCycle
    ownership: Ownership  # the communities whose daily posts and reminders this process sends
    processes: ProcessRegistry  # `studybot run` registers its shards here (`processes.hold`)
    answers: AnswerLedger  # journals answers acknowledged before their commit; `studybot run` replays it
    # Pictures and exports, drawn in a worker process started on first use (bot/present).
    present: Presenter = field(default_factory=Presenter)


@asynccontextmanager
async def open_app(settings: Settings, *, clock: Clock | None = None, load_notes: bool = True) -> AsyncIterator[App]:
    """Open the store, load the notes (unless `load_notes` is false) and start the scheduler the
    daily cycle runs on; undo all of it on exit."""
    clock = clock or SystemClock()
    store = await open_store(settings.db, clock=clock, default_timezone=settings.timezone)
    scheduler = AsyncIOScheduler(timezone=ZoneInfo(settings.timezone))
    present = Presenter()
    try:
        aliases = settings.aliases if settings.aliases.is_file() else None
        answers = AnswerLedger(store, settings.answer_journal)
        study = StudyService(notes_path=settings.notes, store=store, clock=clock, aliases_path=aliases,
                             load=load_notes, answers=answers)
        quiz = DailyQuiz(study, store, grace=timedelta(hours=settings.daily_grace_hours), clock=clock)
        ownership = Ownership(settings.shard_range)
        daily = DailyCycle(quiz, scheduler, sweep_seconds=settings.daily_sweep_seconds,
                           owns=None if ownership.shards.is_everything else ownership.owns)
        if load_notes:  # notes edited while the bot was down: their cards are due again
            moved = await study.reconcile_cards()
            if moved:
                log.info("%d cards are due again: their entries changed in the notes", moved)
        scheduler.start()
        yield App(settings=settings, clock=clock, study=study, daily=daily, present=present,
                  ownership=ownership, processes=ProcessRegistry(store, clock), answers=answers)
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=False)
        await present.close()
        await store.close()
        log.info("shut down: scheduler stopped, store closed")


__all__ = ["App", "open_app"]
