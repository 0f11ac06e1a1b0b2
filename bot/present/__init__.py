"""Pictures and exports, for every front end and free of any chat platform.

* `charts.ProgressChart`: the `/stats` chart (last 30 days, cards due in the next 14);
* `podium.PodiumCard`: the top-10 card of a leaderboard;
* `exports`: the Anki package, the glossary CSV and the scores CSV;
* `worker.Presenter`: runs all of them in a worker process so the event loop never waits.

A front end calls the helpers below (or the `Presenter` directly) and attaches `Picture.png`
with `Picture.alt` as its description the way its platform does (Discord: `discord.File(...,
description=alt)`; Slack: `files_upload_v2(..., alt_txt=alt)`).
"""

from __future__ import annotations

from bot.app.messages import Lang
from bot.app.study import StudyService
from bot.community import Community
from bot.engine.scoring import Board, Period
from bot.present.records import DEFAULT_DECK, ExportError, Picture, PodiumRow
from bot.present.worker import Presenter

PODIUM_SIZE = 10


async def member_chart(study: StudyService, presenter: Presenter, community: Community, user_id: str,
                       name: str, lang: Lang) -> Picture:
    """The `/stats` chart of one member as PNG bytes with alt text (`Picture.png`, `.alt`)."""
    progress = await study.progress(community, user_id)
    return await presenter.progress_chart(progress, name, lang)


async def leaderboard_card(study: StudyService, presenter: Presenter, community: Community, *,
                           period: Period | str, board: Board | str, lang: Lang) -> Picture:
    """The top-10 card of a board and period as PNG bytes with alt text; members who opted out
    are not on it (the page is the public leaderboard's)."""
    page = await study.leaderboard(community, period=period, board=board, limit=PODIUM_SIZE)
    rows = [PodiumRow(r.rank, r.display_name or r.user_id, r.points, r.answered, r.correct) for r in page.rows]
    return await presenter.podium(rows, board=Board(board).value, period=Period(period).value, lang=lang)


def anki_deck_name(study: StudyService, wanted: str | None = None) -> str:
    """The Anki deck to export into: the one asked for, else the only deck's name, else "studybot"."""
    if wanted and wanted.strip():
        return wanted.strip()
    decks = study.notes.decks
    return decks[0].name if len(decks) == 1 else DEFAULT_DECK


async def anki_export(study: StudyService, presenter: Presenter, deck_name: str | None = None) -> bytes:
    """The glossary as an Anki package (`.apkg` bytes), stamped with the service's clock."""
    return await presenter.anki_package(study.notes.entries, anki_deck_name(study, deck_name),
                                        timestamp=study.now().timestamp())


__all__ = ["ExportError", "Picture", "PodiumRow", "Presenter", "anki_deck_name", "anki_export",
           "leaderboard_card", "member_chart"]
