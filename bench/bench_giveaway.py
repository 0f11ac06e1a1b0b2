"""Question quality: the share of term → definition questions that give their answer away
(`bot.engine.quality.gives_answer_away`), for the default deck and the shared corpus of real notes
(../shared/corpus beside the repo, or the folder in $STUDYBOT_CORPUS; skipped when absent).
Lower is better.

`python -m bench giveaway`
"""

from __future__ import annotations

import os
from pathlib import Path

from bench.table import Row
from bot.engine.loader import load_notes
from bot.engine.quality import giveaway_share
from bot.engine.questions import build_question_bank

REPO = Path(__file__).resolve().parent.parent
DEFAULT_NOTES = REPO / "data" / "notes"
SHARED_CORPUS = Path(os.environ.get("STUDYBOT_CORPUS") or REPO.parent / "shared" / "corpus")
ALIASES = REPO / "data" / "aliases.yaml"


def run() -> list[Row]:
    rows = []
    for label, folder in (("default deck", DEFAULT_NOTES), ("shared corpus", SHARED_CORPUS)):
        if not folder.is_dir():
            rows.append(Row("questions", f"{label}: giveaway share", 0.0, "%", note=f"{folder} absent, skipped"))
            continue
        bank = build_question_bank(load_notes(folder, aliases_file=ALIASES))
        share = giveaway_share(bank.questions)
        rows.append(Row("questions", f"{label}: giveaway share", share.ratio * 100, "%",
                        note=f"{share.count} of {share.total} term → definition questions"))
    return rows


if __name__ == "__main__":
    from bench.table import render

    print(render(run()))
