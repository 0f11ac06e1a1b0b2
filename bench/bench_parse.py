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
import importlib.util, json, os, resource, sys, threading, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])


def tree_rss_kb(root):
    # Peak RSS (VmHWM) of `root` and every live descendant (pool workers hang off a forkserver
    # child): an upper bound on what the processes held at once.
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        try:
            with open(f"/proc/{pid}/status") as status:
                total += next((int(l.split()[1]) for l in status if l.startswith("VmHWM:")), 0)
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as children:
                    stack.extend(int(c) for c in children.read().split())
        except (OSError, ValueError):
            continue
    return total


peak_kb = [0]
done = threading.Event()


def sample():
    while not done.wait(0.01):
        peak_kb[0] = max(peak_kb[0], tree_rss_kb(os.getpid()))


if __name__ == "__main__":
    threading.Thread(target=sample, daemon=True).start()
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
    done.set()
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak_kb[0] = max(peak_kb[0], rss_kb)
    print(json.dumps({"parsed": parsed, "total": total, "entries": len(notes.entries),
                      "decks": len(notes.decks), "errors": notes.has_errors,
                      "glossary": has_glossary, "cpu": cpu, "rss_mb": rss_kb / 1024,
                      "tree_rss_mb": peak_kb[0] / 1024 if os.path.isdir("/proc") else None}))
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
        Row("parse", "10k-term corpus: ready (CPU time)", result["cpu"], "s", note="this process; pool workers not counted"),
        Row("parse", "10k-term corpus: entries", result["entries"], "entries", ">= 9,500",
            result["entries"] >= 9500 and not result["errors"]),
        Row("parse", "10k-term corpus: peak RSS", result["rss_mb"], "MB", f"<= {GOAL_RSS_MB:g} MB",
            result["rss_mb"] <= GOAL_RSS_MB, "fresh subprocess"),
    ] + ([] if result.get("tree_rss_mb") is None else [
        Row("parse", "10k-term corpus: peak RSS with workers", result["tree_rss_mb"], "MB", f"<= {GOAL_RSS_MB:g} MB",
            result["tree_rss_mb"] <= GOAL_RSS_MB, "sum of per-process peaks, sampled every 10 ms"),
    ])


def run() -> list[Row]:
    return _default_deck_rows() + _corpus_rows()


if __name__ == "__main__":
    from bench.table import render

    print(render(run()))
