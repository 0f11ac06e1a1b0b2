"""Pictures and exports: chart and podium render time beside bare matplotlib, the Anki package
for 10,000 entries, and whether any of it blocks the event loop.

* **Chart render** (`ProgressChart.render`, the figure reused as in the worker): p50/p99 over
  varied 30-day histories, beside (a) the same chart built from scratch each time and (b) a
  bare matplotlib figure of the same data (two default subplots, `savefig`), in this process.
  The worker's round trip (`Presenter.progress_chart`: pickling, the pipe, the render) too.
* **Podium card** p50/p99, the same way.
* **Anki**: `.apkg` for the 10,000-entry corpus of `bench.corpus` (the one `bench parse` loads),
  best and worst of three, in process and through the worker.
* **The loop is not blocked**: an open-loop stream of `/define` autocomplete lookups
  (`Glossary.search` on the 10k corpus, one every 4 ms, each timed from when it was due to when
  it was answered, so a stalled loop shows as lateness) measured alone, then while charts
  render back to back in the worker process, while Anki exports run back to back in the
  worker process, and for contrast the same work on a thread and on the event loop itself.

Example pictures are written to `bench/out/` (stats-ko.png, stats-en.png, podium-ko.png).

`python -m bench charts`
"""

from __future__ import annotations

import asyncio
import io
import os
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bench.corpus import generate
from bench.table import Row
from bot.app.progress import DayCount, DueDay, Progress
from bot.community import Community
from bot.engine.glossary import Glossary
from bot.engine.loader import load_notes
from bot.engine.model import Entry
from bot.present.charts import ProgressChart
from bot.present.exports import anki_package
from bot.present.podium import PodiumCard
from bot.present.records import PodiumRow
from bot.present.worker import Presenter

OUT = Path(__file__).resolve().parent / "out"
ALIASES = Path(__file__).resolve().parent.parent / "data" / "aliases.yaml"
SEED = 15
RENDERS = 200
BASELINE_RENDERS = 60
WORKER_RENDERS = 100
ANKI_RUNS = 3
AUTOCOMPLETE_INTERVAL = 0.004  # seconds between lookups: 250 keystrokes a second
AUTOCOMPLETE_SECONDS = 4.0
CHART_GOAL_MS = 150.0
ANKI_GOAL_S = 3.0
DISCORD_LIMIT = 10 * 1024 * 1024
TODAY = date(2026, 12, 5)


def _progress(rng: random.Random) -> Progress:
    days = []
    for i in range(30):
        n = rng.choice((0, 0, 1, 3, 6, 10, 18, 40))
        right = sum(rng.random() < 0.4 + i / 60 for _ in range(n))
        days.append(DayCount(TODAY - timedelta(days=29 - i), right, n - right))
    due = tuple(DueDay(TODAY + timedelta(days=i), rng.choice((0, 1, 2, 5, 9, 30))) for i in range(14))
    return Progress(Community.discord(1), "1", "Asia/Seoul", TODAY, tuple(days), due)


def _podium_rows(rng: random.Random) -> list[PodiumRow]:
    names = ["김민지", "Alexander Hamilton-Burr", "박서준", "이하은", "Jin", "최유나", "Dana", "한결", "Sam", "오지훈"]
    rng.shuffle(names)
    points = sorted((rng.randint(40, 300) for _ in names), reverse=True)
    return [PodiumRow(i + 1, name, points[i], 40, rng.randint(10, 40)) for i, name in enumerate(names)]


def _bare_matplotlib(progress: Progress) -> bytes:
    """The baseline: the same data in a default matplotlib figure, built and saved each time."""
    figure = Figure(figsize=(7.2, 7.6), dpi=100)
    FigureCanvasAgg(figure)
    top, bottom = figure.subplots(2, 1)
    xs = range(len(progress.days))
    right = [d.correct for d in progress.days]
    top.bar(xs, right)
    top.bar(xs, [d.wrong for d in progress.days], bottom=right)
    points = [(i, d.accuracy) for i, d in enumerate(progress.days) if d.accuracy is not None]
    top.twinx().plot([x for x, _ in points], [y for _, y in points])
    bottom.bar(range(len(progress.due)), [d.cards for d in progress.due])
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def _timed(fn: Callable[[], object], times: int, cpu: list[float] | None = None) -> list[float]:
    """Wall-clock milliseconds per call; this thread's CPU milliseconds go to `cpu` if given
    (wall time is what a member waits for, CPU time what the code costs on a busy host)."""
    samples = []
    for _ in range(times):
        started, started_cpu = time.perf_counter(), time.thread_time()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
        if cpu is not None:
            cpu.append((time.thread_time() - started_cpu) * 1000)
    return samples


def _corpus() -> list[Entry]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = generate(Path(tmp) / "corpus", notes=1000, terms=10_000, seed=0)
        return list(load_notes(folder, aliases_file=ALIASES).entries)


# -- render rows ------------------------------------------------------------------------------


def _render_rows(samples: list[Progress], podiums: list[list[PodiumRow]]) -> list[Row]:
    chart = ProgressChart()
    chart.render(samples[0], "김민지", "ko")  # the first render builds the figure
    sizes: list[int] = []
    turn = iter(range(10**9))

    def render_next() -> None:
        i = next(turn)
        sizes.append(len(chart.render(samples[i % len(samples)], "김민지 (Minji)", ("ko", "en")[i % 2]).png))

    reused_cpu: list[float] = []
    reused = _timed(render_next, RENDERS, reused_cpu)
    fresh = _timed(lambda: ProgressChart().render(samples[1], "김민지", "ko"), BASELINE_RENDERS)
    bare = _timed(lambda: _bare_matplotlib(samples[2]), BASELINE_RENDERS)
    p50, p99 = _percentiles(reused)
    f50, f99 = _percentiles(fresh)
    b50, b99 = _percentiles(bare)
    card = PodiumCard()
    card.render(podiums[0], board="daily", period="week", lang="ko")
    podium_cpu: list[float] = []
    podium = _timed(lambda: card.render(podiums[next(turn) % len(podiums)], board="daily", period="week", lang="ko"),
                    RENDERS, podium_cpu)
    q50, q99 = _percentiles(podium)
    c50, c99 = _percentiles(reused_cpu)
    d50, d99 = _percentiles(podium_cpu)

    OUT.mkdir(exist_ok=True)
    pictures = {"stats-ko.png": chart.render(samples[3], "김민지 (Minji)", "ko"),
                "stats-en.png": chart.render(samples[3], "Minji Kim", "en"),
                "podium-ko.png": card.render(podiums[1], board="daily", period="week", lang="ko")}
    for name, picture in pictures.items():
        (OUT / name).write_bytes(picture.png)
    return [
        Row("charts", "/stats chart render p50 (figure reused)", p50, "ms",
            note=f"{RENDERS} renders, ko and en; CPU p50 {c50:.1f} ms"),
        Row("charts", "/stats chart render p99 (figure reused)", p99, "ms", f"≤ {CHART_GOAL_MS:.0f} ms",
            p99 <= CHART_GOAL_MS, f"CPU p99 {c99:.1f} ms; PNG {min(sizes) // 1024}-{max(sizes) // 1024} KB, "
            f"720×760 px; host load {os.getloadavg()[0]:.1f}"),
        Row("charts", "same chart built from scratch p50/p99", f50, "ms", note=f"p99 {f99:.1f} ms; what reuse saves"),
        Row("charts", "bare matplotlib, same data p50/p99", b50, "ms",
            note=f"p99 {b99:.1f} ms; default figure, savefig (baseline)"),
        Row("charts", "podium card render p50", q50, "ms", note=f"{RENDERS} renders; CPU p50 {d50:.1f} ms"),
        Row("charts", "podium card render p99", q99, "ms", f"≤ {CHART_GOAL_MS:.0f} ms", q99 <= CHART_GOAL_MS,
            f"CPU p99 {d99:.1f} ms; PNG {len(pictures['podium-ko.png'].png) // 1024} KB"),
        Row("charts", "largest picture / Discord attachment limit", max(*sizes, len(pictures["podium-ko.png"].png))
            / DISCORD_LIMIT * 100, "%", "< 100 %", True, "bench/out/stats-ko.png, stats-en.png, podium-ko.png"),
    ]


# -- the loop ---------------------------------------------------------------------------------


async def _autocomplete(glossary: Glossary, queries: list[str], seconds: float) -> list[float]:
    """Open-loop lookups: each is due at a fixed time; lateness plus service time is its latency."""
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.05
    latencies = []
    for i in range(int(seconds / AUTOCOMPLETE_INTERVAL)):
        due = start + i * AUTOCOMPLETE_INTERVAL
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        glossary.search(queries[i % len(queries)], limit=25)
        latencies.append((loop.time() - due) * 1000)
    return latencies


async def _while(background: Callable[[], Awaitable[object]], glossary: Glossary,
                 queries: list[str]) -> tuple[list[float], int]:
    stop = asyncio.Event()
    done = 0

    async def keep_busy() -> None:
        nonlocal done
        while not stop.is_set():
            await background()
            done += 1

    worker = asyncio.create_task(keep_busy())
    await asyncio.sleep(0.2)  # the background work is under way
    latencies = await _autocomplete(glossary, queries, AUTOCOMPLETE_SECONDS)
    stop.set()
    await worker
    return latencies, done


async def _loop_rows(entries: list[Entry], samples: list[Progress]) -> list[Row]:
    glossary = Glossary(entries)
    rng = random.Random(SEED)
    queries = [rng.choice(e.names)[: rng.randint(1, 4)] for e in rng.sample(entries, 400)]
    process, thread = Presenter(), Presenter.in_thread()
    on_loop = ProgressChart()
    rows: list[Row] = []
    try:
        await process.warm_up()
        await thread.warm_up()
        trips = []
        for i in range(WORKER_RENDERS):
            started = time.perf_counter()
            await process.progress_chart(samples[i % len(samples)], "김민지", "ko")
            trips.append((time.perf_counter() - started) * 1000)
        t50, t99 = _percentiles(trips)
        rows.append(Row("charts", "/stats chart through the worker process p99", t99, "ms", f"≤ {CHART_GOAL_MS:.0f} ms",
                        t99 <= CHART_GOAL_MS, f"p50 {t50:.1f} ms; round trip: pickle, pipe, render, PNG back"))
        anki_worker = []
        for _ in range(2):
            started = time.perf_counter()
            await process.anki_package(entries, "bench", timestamp=1.7e9)
            anki_worker.append(time.perf_counter() - started)
        rows.append(Row("anki", ".apkg, 10,000 entries, through the worker", max(anki_worker), "s",
                        f"≤ {ANKI_GOAL_S:.0f} s", max(anki_worker) <= ANKI_GOAL_S,
                        "worst of 2; entries sent as JSON bytes, encoded once per version of the notes"))

        counter = iter(range(10**9))

        def sample() -> Progress:
            return samples[next(counter) % len(samples)]

        async def chart_on_loop() -> None:
            on_loop.render(sample(), "김민지", "ko")
            await asyncio.sleep(0)

        async def anki_on_loop() -> None:
            anki_package(entries, "bench", timestamp=1.7e9)
            await asyncio.sleep(0)

        scenarios: list[tuple[str, Callable[[], Awaitable[object]] | None, str]] = [
            ("alone", None, "nothing else running"),
            ("while charts render in the worker process", lambda: process.progress_chart(sample(), "김민지", "ko"),
             "charts"),
            ("while .apkg exports run in the worker process",
             lambda: process.anki_package(entries, "bench", timestamp=1.7e9), "exports"),
            ("(contrast) while charts render on a thread", lambda: thread.progress_chart(sample(), "김민지", "ko"),
             "charts"),
            ("(contrast) while .apkg exports run on a thread",
             lambda: thread.anki_package(entries, "bench", timestamp=1.7e9), "exports"),
            ("(contrast) while charts render on the event loop", chart_on_loop, "charts"),
            ("(contrast) while .apkg exports run on the event loop", anki_on_loop, "exports"),
        ]
        alone_p99 = 0.0
        for name, background, what in scenarios:
            if background is None:
                latencies = await _autocomplete(glossary, queries, AUTOCOMPLETE_SECONDS)
                done = 0
            else:
                latencies, done = await _while(background, glossary, queries)
            p50, p99 = _percentiles(latencies)
            alone_p99 = alone_p99 or p99
            worker = "worker" in name
            goal, ok = ("≤ 20 ms", p99 <= 20.0) if worker else ("", None)
            note = (f"p50 {p50:.2f} ms, max {max(latencies):.0f} ms, {len(latencies)} lookups, "
                    f"host load {os.getloadavg()[0]:.1f}")
            if background is not None:
                note += f"; {done} {what} meanwhile"
            rows.append(Row("loop", f"autocomplete p99 {name}", p99, "ms", goal, ok, note))
    finally:
        await process.close()
        await thread.close()
    return rows


def run() -> list[Row]:
    rng = random.Random(SEED)
    samples = [_progress(rng) for _ in range(40)]
    podiums = [_podium_rows(rng) for _ in range(10)]
    rows = _render_rows(samples, podiums)
    entries = _corpus()
    times = []
    size = 0
    for _ in range(ANKI_RUNS):
        started = time.perf_counter()
        size = len(anki_package(entries, "bench", timestamp=1.7e9))
        times.append(time.perf_counter() - started)
    rows.append(Row("anki", f".apkg, {len(entries):,} entries, in process", max(times), "s", f"≤ {ANKI_GOAL_S:.0f} s",
                    max(times) <= ANKI_GOAL_S, f"worst of {ANKI_RUNS}, best {min(times):.2f} s; {size / 1e6:.1f} MB"))
    rows.extend(asyncio.run(_loop_rows(entries, samples)))
    return rows
