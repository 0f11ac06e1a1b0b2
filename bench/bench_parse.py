"""Notes → glossary: load time for the default deck and for a generated 1,000-note / 10,000-term
corpus (including the Glossary index build when bot.engine.glossary exists), and peak RSS.

The corpus run happens in a fresh subprocess so its peak RSS is its own, not this process's.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.table import Row

REPO = Path(__file__).resolve().parent.parent
DEFAULT_NOTES = REPO / "data" / "notes"
ALIASES = REPO / "data" / "aliases.yaml"
GOAL_SECONDS = 3.0
GOAL_RSS_MB = 150.0

_CHILD = r"""
import importlib.util, json, resource, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from bot.engine.loader import load_notes
started = time.perf_counter()
cpu_started = time.process_time()
notes = load_notes(Path(sys.argv[2]), aliases_file=Path(sys.argv[3]))
parsed = time.perf_counter() - started
has_glossary = importlib.util.find_spec("bot.engine.glossary") is not None
if has_glossary:
    from bot.engine.glossary import Glossary
    Glossary(notes.entries)
total = time.perf_counter() - started
cpu = time.process_time() - cpu_started
rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"parsed": parsed, "total": total, "entries": len(notes.entries),
                  "decks": len(notes.decks), "errors": notes.has_errors,
                  "glossary": has_glossary, "cpu": cpu, "rss_mb": rss_kb / 1024}))
"""


def _default_deck_rows() -> list[Row]:
    from bot.engine.loader import load_notes

    timings = []
    entries = 0
    for _ in range(5):
        started = time.perf_counter()
        notes = load_notes(DEFAULT_NOTES, aliases_file=ALIASES)
        timings.append(time.perf_counter() - started)
        entries = len(notes.entries)
    return [
        Row("parse", "default deck load (median of 5)", statistics.median(timings) * 1000, "ms", note=f"{entries} entries"),
    ]


def _corpus_rows() -> list[Row]:
    from bench.corpus import generate

    with tempfile.TemporaryDirectory() as tmp:
        folder = generate(Path(tmp) / "corpus", notes=1000, terms=10000, seed=0)
        size_mb = sum(p.stat().st_size for p in folder.glob("*.md")) / 1e6
        output = subprocess.run(
            [sys.executable, "-c", _CHILD, str(REPO), str(folder), str(ALIASES)],
            capture_output=True, text=True, check=True,
        ).stdout
    result = json.loads(output.strip().splitlines()[-1])
    what = "load + Glossary index" if result["glossary"] else "load only (no bot.engine.glossary yet)"
    return [
        Row("parse", "10k-term corpus: parse", result["parsed"], "s", note=f"{size_mb:.1f} MB, {result['decks']} notes"),
        Row("parse", "10k-term corpus: ready", result["total"], "s", f"<= {GOAL_SECONDS:g} s",
            result["total"] <= GOAL_SECONDS, what),
        Row("parse", "10k-term corpus: ready (CPU time)", result["cpu"], "s", note="wall minus scheduling on a busy host"),
        Row("parse", "10k-term corpus: entries", result["entries"], "entries", ">= 9,500",
            result["entries"] >= 9500 and not result["errors"]),
        Row("parse", "10k-term corpus: peak RSS", result["rss_mb"], "MB", f"<= {GOAL_RSS_MB:g} MB",
            result["rss_mb"] <= GOAL_RSS_MB, "fresh subprocess"),
    ]


def run() -> list[Row]:
    return _default_deck_rows() + _corpus_rows()


if __name__ == "__main__":
    from bench.table import render

    print(render(run()))
