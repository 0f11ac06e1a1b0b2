"""Live benchmarks: the real `studybot run` process against the loopback Discord.

The bot runs as a subprocess (default deck data/notes, a temporary database) connected to a
`FakeDiscord` (tests/loopback) served from this process; both share the machine's 2 cores.

* Capacity: 3,000 new members click one post within one second, more than the bot can take, so
  a queue builds and what is measured is the rate the bot sustains when saturated: answers
  acknowledged per second (3,000 / first dispatch to last initial callback), answers stored, the
  bot's CPU per click (all threads), acknowledgements that came after Discord's 3 s (Discord
  would have failed those clicks; the answers are stored all the same), beside plain `sqlite3`
  inserting as many answers one transaction each, in the same run. Goal: >= 1,000 answers/s.
* Answer ingest at an offered 1,000/s: an admin runs `/daily set`, then `/daily now`; 1,000 new members click the
  post's buttons, the dispatches spread evenly over one second, none waiting for an answer
  before the next is sent (each interaction is built right before it is sent, so its snowflake
  age is right). Acknowledged answers per second (1,000 / time from the first dispatch to the
  last initial callback the fake received), ack latency p50/p99 (INTERACTION_CREATE sent ->
  initial callback received), and exactly 1,000 answers stored (counted in the database after
  the bot stopped, and `studybot leaderboard --period all --json` summed). Goal: p99 ack <= 250 ms.
  To tell where the time goes: CPU per click of the bot's event-loop thread, of its other
  threads (the database threads: aiosqlite and the answer writer), of this process (the fake),
  and of other processes on the host (from /proc), the TCP connections the bot opened, and a
  steady phase (500 clicks at 250/s, on another post) that shows the bot's cost per click
  without a queue.
* Autocomplete round trip: 500 `/define term:` requests with realistic partial inputs
  (English, Korean, half-typed Hangul, initial consonants, typos), one at a time, dispatch ->
  callback p50/p99. Goal: p99 <= 20 ms.
* Memory: VmRSS and VmHWM of the bot process after the bursts. Goal: <= 150 MB.

`python -m bench live` runs it. For diagnosis:

* `python -m bench.bench_live profile [OUT [steady|burst]]` runs the same, with this module as
  the bot's entry point (`serve-profiled`, which calls `bot.cli.main(["run"])`): the chosen
  phase is measured from SIGUSR1 to SIGUSR2 (garbage collections, event-loop iterations, time
  in `Store.record_answer` and in each aiosqlite round trip) and, unless BENCH_CPROFILE=0,
  profiled with cProfile (steady phase at 100/s then, so the profiler's overhead does not
  overload the bot). BENCH_SWITCH_INTERVAL=<s> tries another sys.setswitchinterval. The bot
  runs as deployed: uvloop, orjson, gc.freeze() after start-up, answers written in batches.
* `python -m bench.bench_live components` times the pieces of one click alone, in-process:
  JSON parse, discord.py's Interaction and View.from_message, the cog's embed, the store's
  INSERT through the service, and the callback POST through discord.py and aiohttp against a
  canned HTTP server (client CPU on a kept-alive and on a new connection).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.table import Row

AREA = "live"
CLICKS = 1000
BURST_SECONDS = 1.0
CAPACITY_CLICKS = 3000  # offered in CAPACITY_SECONDS: well beyond what the bot takes on 2 cores
CAPACITY_SECONDS = 1.0
AUTOCOMPLETES = 500
WARMUP_CLICKS = 20
STEADY_CLICKS = 500
STEADY_RATE = 250.0
PROFILE_STEADY_RATE = 100.0  # cProfile doubles the bot's cost: keep it well below saturation
RATE_GOAL = 1000.0
ACK_P99_GOAL_MS = 250.0
AUTOCOMPLETE_P99_GOAL_MS = 20.0
RSS_GOAL_MB = 150.0
READY = r"daily quiz: recovery done"
DAILY_ID = re.compile(r"^daily:(\d+):(\d)$")
ROOT = Path(__file__).resolve().parent.parent

# What people type into /define: whole and partial English, Korean, half-typed Hangul (a
# syllable still missing its final consonant, or only initial consonants), typos, case and
# spacing variants, acronyms, and a few that match nothing.
PARTIAL_INPUTS = (
    "", "k", "ku", "kub", "kube", "kuber", "kubernetes", "Kubernets", "hpa", "HPA", "hp", "vpa",
    "horiz", "horizontal pod", "Horizantal", "vertical sc", "auto", "autoscal", "auto scaling",
    "serverles", "serverless", "faas", "Function as", "cloud na", "cloud native", "CNCF", "cncf",
    "service m", "service mesh", "servicemesh", "api gate", "API Gateway", "microserv",
    "micro services", "monolith", "monolitic", "observ", "observability", "o11y", "obserbability",
    "resil", "resilience", "self heal", "self-healing", "terraform", "terrafrom", "ansible",
    "ansilbe", "ci/cd", "cicd", "ci cd", "continuous deliv", "devops", "dev ops", "contain",
    "containerization", "keda", "cloudevents", "cloud events", "vendor lock", "lock-in", "mtls",
    "mutual auth", "scale up", "scale out", "cluster auto", "chasm",
    "쿠", "쿠버", "쿠버네", "쿠버네티스", "쿠베", "서버", "서버리", "서버리스", "서벌", "마이크",
    "마이크로서", "마이크로서비스", "모놀", "모놀리식", "관측", "관측성", "옵저버", "회복", "복원력",
    "테라", "테라폼", "앤서", "앤시블", "데브", "데브옵스", "컨테이", "컨테이너화", "오토", "오토스",
    "오토스케일링", "수평", "수평 확장", "수직 확", "서비스 메", "서비스메시", "서비스 메쉬", "게이트",
    "지속적", "지속적 통합", "클라우드", "클라우드 네이티브", "클라우드 이", "케다", "벤더",
    "벤더 종속", "상호 인", "셀프", "자가 치유", "민첩", "운영성", "함수형",
    "ㅋ", "ㅋㅂ", "ㅋㅂㄴ", "ㅅㅂㄹㅅ", "ㅁㅇㅋㄹ", "ㄱㅊㅅ", "ㅌㄹㅍ", "ㄷㅂㅇㅅ",
    "쿱", "서벌리", "마잌", "테랖", "옵젭",
    "xyzzy", "zzz", "qwerty", "데이터베이스", "blockchain",
)


# -- small helpers -----------------------------------------------------------------------------


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def _proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process in KiB."""
    values: dict[str, int] = {}
    with open(f"/proc/{pid}/status", encoding="utf-8", errors="replace") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0])
    return values


def _thread_cpu(pid: int) -> dict[int, float]:
    """CPU seconds (user + system) per thread id of a process."""
    ticks = os.sysconf("SC_CLK_TCK")
    result: dict[int, float] = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat", encoding="utf-8", errors="replace") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        result[int(tid)] = (int(fields[11]) + int(fields[12])) / ticks
    return result


def _cpu_split(pid: int, before: dict[int, float], after: dict[int, float]) -> tuple[float, float]:
    """CPU seconds spent between two samples: (main thread, all other threads)."""
    main = after.get(pid, 0.0) - before.get(pid, 0.0)
    others = sum(v - before.get(tid, 0.0) for tid, v in after.items() if tid != pid)
    return main, others


def _bot_argv(profile_out: Path | None) -> list[str]:
    from tests.e2e_support import studybot_argv

    if profile_out is None:
        return studybot_argv("run")
    return [sys.executable, "-m", "bench.bench_live", "serve-profiled", str(profile_out)]


# -- the live run ------------------------------------------------------------------------------


async def _wait_all_answered(records: Sequence[Any], timeout: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while any(r.callback is None for r in records):
        if loop.time() > deadline:
            missing = sum(r.callback is None for r in records)
            raise TimeoutError(f"{missing} of {len(records)} interactions got no callback in {timeout}s")
        await asyncio.sleep(0.01)


async def _send_spread(make: Callable[[int], Any], count: int, seconds: float) -> tuple[list[Any], float, float]:
    """Build and send `count` interactions (`make(i)` builds the i-th handle), evenly spread over
    `seconds`, not waiting for answers; returns the records and the loop times of the first and
    last dispatch.

    Each interaction is built just before it is sent, as Discord creates it when the member
    clicks: its snowflake (which the bot reads as the interaction's age) is the dispatch time.
    """
    loop = asyncio.get_running_loop()
    interval = seconds / max(1, count - 1)
    records = []
    start = loop.time()
    for i in range(count):
        delay = start + i * interval - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        handle = make(i)
        records.append(handle.record)
        await handle.send()
    return records, start, loop.time()


def _machine_cpu() -> tuple[float, float]:
    """(busy, steal) CPU seconds of the whole machine since boot, from /proc/stat."""
    with open("/proc/stat", encoding="ascii") as stat:
        fields = [int(x) for x in stat.readline().split()[1:]]
    ticks = os.sysconf("SC_CLK_TCK")
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq) / ticks, steal / ticks


def _connections_to(port: int) -> int:
    """Established TCP connections whose server side is 127.0.0.1:`port` (from /proc/net/tcp)."""
    count = 0
    with open("/proc/net/tcp", encoding="ascii") as table:
        next(table)
        for line in table:
            fields = line.split()
            if fields[3] == "01" and int(fields[1].split(":")[1], 16) == port:
                count += 1
    return count


@dataclass
class Clicks:
    """One phase of clicks on one post: timings from the fake, CPU from /proc."""

    post_id: int
    count: int
    seconds: float  # the dispatches were spread over this long
    dispatch_span: float
    ack_span: float  # first dispatch -> last initial callback
    latencies: list[float]  # ms
    deferred: int
    failed: int
    bot_main_cpu: float
    bot_other_cpu: float
    own_cpu: float
    machine_busy: float  # CPU seconds of the whole machine (every process) in the phase
    steal: float
    wall: float
    threads: int
    connections: int  # TCP connections to the fake the bot opened in the phase (net)

    @property
    def rate(self) -> float:
        return self.count / self.ack_span

    def per_click_ms(self, seconds: float) -> float:
        return seconds / self.count * 1000

    @property
    def others_cpu(self) -> float:
        """CPU seconds of processes other than the bot and this one (other work on the host)."""
        return max(0.0, self.machine_busy - self.bot_main_cpu - self.bot_other_cpu - self.own_cpu)


def _process_cpu(pid: int) -> float:
    return sum(_thread_cpu(pid).values())


async def _wait_for_quiet_host(pid: int, *, limit: float = 30.0, window: float = 0.5, cores: float = 0.25) -> float:
    """Wait (at most `limit` s) until processes other than the bot and this one used less than
    `cores` of CPU over `window` s; other work on a 2-core host skews every figure here.
    Returns the seconds waited."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        machine, bot, own = _machine_cpu()[0], _process_cpu(pid), time.process_time()
        await asyncio.sleep(window)
        others = (_machine_cpu()[0] - machine) - (_process_cpu(pid) - bot) - (time.process_time() - own)
        if others < cores * window:
            break
    waited = time.perf_counter() - started
    if waited > window * 2:
        print(f"  waited {waited:.1f} s for other processes to leave the CPU", file=sys.stderr, flush=True)
    return waited


async def _post(fake: Any, guild: Any) -> tuple[Any, list[str], int]:
    """`/daily now` as the admin; the new post's message, its answer buttons and post id."""
    from tests.e2e_support import reply_message

    after = fake.latest_id()
    posted = await fake.slash(guild, guild.admin, "dailyadmin", "now")
    assert "unchanged" in reply_message(posted).content, f"/daily now failed:\n{posted}"
    message = await fake.wait_for_message(lambda m: any(DAILY_ID.match(c) for c in m.custom_ids()),
                                          channel=guild.text_channel, after=after)
    buttons = [c for c in message.custom_ids() if DAILY_ID.match(c)]
    match = DAILY_ID.match(buttons[0])
    assert match
    return message, buttons, int(match.group(1))


async def _clicks(fake: Any, pid: int, guild: Any, count: int, seconds: float, prefix: str,
                  profile: bool = False) -> Clicks:
    """A new post, then `count` new members each clicking one of its buttons, the dispatches
    spread evenly over `seconds`; waits until every click got its initial callback."""
    message, buttons, post_id = await _post(fake, guild)
    members = fake.make_members(guild, count, prefix=prefix)
    port = int(fake.base_url.rsplit(":", 1)[1])
    await _wait_for_quiet_host(pid)
    connections_before = _connections_to(port)
    own_before, bot_before, machine_before = time.process_time(), _thread_cpu(pid), _machine_cpu()
    wall_before = time.perf_counter()
    if profile:
        os.kill(pid, signal.SIGUSR1)
    records, first, last_sent = await _send_spread(
        lambda i: fake.click(message, buttons[i % len(buttons)], members[i]), count, seconds)
    await _wait_all_answered(records, 60)
    wall = time.perf_counter() - wall_before
    bot_after, machine_after = _thread_cpu(pid), _machine_cpu()
    own = time.process_time() - own_before
    connections = _connections_to(port) - connections_before
    if profile:
        await asyncio.sleep(0.3)  # deferred clicks send their followups
        os.kill(pid, signal.SIGUSR2)
    main, others = _cpu_split(pid, bot_before, bot_after)
    types = [r.callback.json.get("type") if isinstance(r.callback.json, dict) else None for r in records]
    return Clicks(
        post_id=post_id, count=count, seconds=seconds, dispatch_span=last_sent - first,
        ack_span=max(r.callback.at for r in records) - first,
        latencies=[(r.callback.at - r.dispatched_at) * 1000 for r in records],
        deferred=sum(t == 5 for t in types),
        failed=sum(any(q.status >= 400 for q in r.responses) for r in records),
        bot_main_cpu=main, bot_other_cpu=others, own_cpu=own,
        machine_busy=machine_after[0] - machine_before[0], steal=machine_after[1] - machine_before[1],
        wall=wall, threads=len(bot_after), connections=connections,
    )


@dataclass
class Live:
    """Everything one live run measured."""

    community: str  # the fake guild as the bot's community, `discord:ID`
    start_s: float
    burst: Clicks
    saturated: Clicks
    late_acks: int  # initial responses past Discord's 3 s during the saturation phase
    steady: Clicks
    autocomplete_ms: list[float]
    autocomplete_empty: int
    autocomplete_bot_cpu: float
    rss_ready: dict[str, int]
    rss_after: dict[str, int]
    violations: list[str]
    exit_code: int
    output: str


async def _live(folder: Path, profile_out: Path | None = None, profile_phase: str = "burst",
                steady_rate: float = STEADY_RATE) -> Live:
    """Start `studybot run` against a fake Discord and run the three parts of the bench.

    The clicks come in two phases, each on its own post: the burst (CLICKS over BURST_SECONDS)
    and, after the autocompletes, a steady phase (STEADY_CLICKS at STEADY_RATE per second),
    whose CPU per click is the bot's own cost without a queue.
    """
    from tests.e2e_support import studybot_env
    from tests.loopback import BotProcess, FakeDiscord

    async with FakeDiscord() as fake:
        g = fake.guild
        env = studybot_env(folder, STUDYBOT_TIMEZONE="UTC", STUDYBOT_LOG_LEVEL="INFO")
        if profile_out is not None:
            env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))
        bot = BotProcess(fake, _bot_argv(profile_out), folder / "bot.log", env, cwd=folder)
        started = time.perf_counter()
        await bot.start(ready_line=READY, ready_timeout=60)
        start_s = time.perf_counter() - started
        pid = bot.pid
        assert pid is not None
        rss_ready = _proc_status(pid)
        try:
            # A schedule far from now, so no scheduled post fires during the bench.
            hour = (time.gmtime().tm_hour + 12) % 24
            done = await fake.slash(g, g.admin, "dailyadmin", "set", channel=g.text_channel, time=f"{hour:02d}:00")
            assert done.answered and not done.errors, f"/daily set failed:\n{done}\n{bot.output()[-2000:]}"

            # Warm-up: a few clicks on a post of their own (they count in the leaderboard only).
            await _clicks(fake, pid, g, WARMUP_CLICKS, 0.5, "warm")
            burst = await _clicks(fake, pid, g, CLICKS, BURST_SECONDS, "burst",
                                  profile=profile_out is not None and profile_phase == "burst")
            await asyncio.sleep(0.5)  # deferred clicks finish their followups

            # Saturation: late initial responses are expected here and counted, not violations.
            seen = len(fake.violations)
            saturated = await _clicks(fake, pid, g, CAPACITY_CLICKS, CAPACITY_SECONDS, "flood")
            await asyncio.sleep(0.5)
            late = [v for v in fake.violations[seen:] if "initial response after" in str(v)]
            fake.violations[:] = [v for v in fake.violations if v not in late]

            inputs = [PARTIAL_INPUTS[i % len(PARTIAL_INPUTS)] for i in range(AUTOCOMPLETES)]
            ac_ms, empty = [], 0
            ac_before = _thread_cpu(pid)
            for text in inputs:
                result = await fake.autocomplete(g, g.member, "define", focused="term", value=text) \
                    .wait(until="callback", settle=0)
                record = result.record
                assert record.callback is not None and record.dispatched_at is not None, result
                assert result.callback_type == 8 and not result.errors, result
                ac_ms.append((record.callback.at - record.dispatched_at) * 1000)
                empty += not result.choices
            ac_cpu = sum(_cpu_split(pid, ac_before, _thread_cpu(pid)))

            steady = await _clicks(fake, pid, g, STEADY_CLICKS, STEADY_CLICKS / steady_rate, "steady",
                                   profile=profile_out is not None and profile_phase == "steady")
            await asyncio.sleep(0.3)
            rss_after = _proc_status(pid)
            violations = [str(v) for v in fake.violations]
        finally:
            code = await bot.stop(timeout=30)
    return Live(f"discord:{g.id}", start_s, burst, saturated, len(late), steady, ac_ms, empty, ac_cpu,
                rss_ready, rss_after, violations, code, bot.output())


def _stored_answers(db: Path, post_id: int) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT count(*) FROM answers WHERE post_id = ?", (post_id,)).fetchone()[0])
    finally:
        conn.close()


def _leaderboard_answered(folder: Path, community: str) -> int:
    """The sum of `answered` over `studybot leaderboard --period all --json` (everyone)."""
    from tests.e2e_support import studybot_argv, studybot_env

    env = {**os.environ, **studybot_env(folder, STUDYBOT_TIMEZONE="UTC")}
    out = subprocess.run(
        studybot_argv("leaderboard", "--guild", community, "--period", "all", "--json"),
        env=env, cwd=folder, capture_output=True, text=True, timeout=120, check=True)
    return sum(int(r["answered"]) for r in json.loads(out.stdout))


def _raw_rate(folder: Path, clicks: int) -> float:
    """Plain sqlite3, one transaction per answer, the store's INSERT: bench_store's baseline."""
    from datetime import UTC, datetime

    from bench.bench_store import _make_posts
    from bench.bench_store import _raw_rate as raw_rate
    from bot.clock import ManualClock

    clock = ManualClock(datetime(2026, 1, 1, tzinfo=UTC))
    now = clock.now().isoformat(timespec="microseconds")
    rates = []
    for n in range(3):
        path = folder / f"raw-{n}.db"
        (post_id,) = asyncio.run(_make_posts(path, clock, 1))
        work = [(post_id, str(user), user % 4) for user in range(1, clicks + 1)]
        rates.append(raw_rate(path, work, now))
    return statistics.median(rates)


def run() -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="studybot-bench-live-") as tmp:
        folder = Path(tmp)
        live = asyncio.run(_live(folder))
        assert live.exit_code == 0, live.output[-3000:]
        stored = _stored_answers(folder / "studybot.db", live.burst.post_id)
        flooded = _stored_answers(folder / "studybot.db", live.saturated.post_id)
        board = _leaderboard_answered(folder, live.community)
        raw = _raw_rate(folder, CAPACITY_CLICKS)
    b, s, c = live.burst, live.steady, live.saturated
    expected_board = WARMUP_CLICKS + CLICKS + CAPACITY_CLICKS + STEADY_CLICKS
    tracebacks = live.output.count("Traceback")
    p50, p99 = _percentile(b.latencies, 50), _percentile(b.latencies, 99)
    ac = live.autocomplete_ms
    ac_p99 = _percentile(ac, 99)
    rss, hwm = live.rss_after["VmRSS"] / 1024, live.rss_after["VmHWM"] / 1024
    return [
        Row(AREA, "bot start to daily recovery done", live.start_s, "s", note="process, deck, gateway, sync"),
        Row(AREA, f"capacity: {c.count} clicks offered in {c.seconds:g} s, answers/s sustained", c.rate, "answers/s",
            f"≥ {RATE_GOAL:,.0f}", c.rate >= RATE_GOAL,
            f"sent over {c.dispatch_span:.2f} s, last ack at {c.ack_span:.2f} s; {c.deferred} deferred"),
        Row(AREA, "capacity: answers stored", flooded, "answers", f"= {c.count}", flooded == c.count,
            f"{live.late_acks} acks after Discord's 3 s (those clicks would fail on Discord); "
            f"{tracebacks} tracebacks logged"),
        Row(AREA, "capacity: bot CPU/click, all threads", c.per_click_ms(c.bot_main_cpu + c.bot_other_cpu), "ms",
            note=f"main thread {c.per_click_ms(c.bot_main_cpu):.2f} ms; fake+driver {c.per_click_ms(c.own_cpu):.2f} ms"),
        Row(AREA, "plain sqlite3 same answers, 1 tx each", raw, "answers/s", note="bench_store's baseline, median of 3"),
        Row(AREA, "capacity / plain sqlite3 rate", c.rate / raw, "ratio", note="same run"),
        Row(AREA, f"{b.count} clicks in {b.seconds:g} s: acked answers/s", b.rate, "answers/s",
            note=f"offered rate; sent over {b.dispatch_span:.2f} s, last ack at {b.ack_span:.2f} s"),
        Row(AREA, "click ack latency p50", p50, "ms", note="INTERACTION_CREATE sent -> callback at the fake"),
        Row(AREA, "click ack latency p99", p99, "ms", f"≤ {ACK_P99_GOAL_MS:.0f} ms", p99 <= ACK_P99_GOAL_MS,
            f"max {max(b.latencies):.0f} ms; {b.deferred} deferred, {b.failed} failed"),
        Row(AREA, "burst answers stored", stored, "answers", f"= {CLICKS}", stored == CLICKS and board == expected_board,
            f"DB count; leaderboard --json answered sum {board} (= {expected_board} with the other phases)"),
        Row(AREA, "burst: bot CPU/click, main thread", b.per_click_ms(b.bot_main_cpu), "ms",
            note="event loop: gateway, discord.py, cog, HTTP callback"),
        Row(AREA, "burst: bot CPU/click, other threads", b.per_click_ms(b.bot_other_cpu), "ms",
            note=f"the database threads (aiosqlite, answer writer); {b.threads} threads"),
        Row(AREA, "burst: fake+driver CPU/click (bench process)", b.per_click_ms(b.own_cpu), "ms",
            note="builds and sends the interactions, serves the callbacks"),
        Row(AREA, "burst: new TCP connections bot -> fake", b.connections, "count",
            note=f"aiohttp pool (limit=0) opens one per concurrent callback; steady phase: {s.connections}"),
        Row(AREA, "burst: other processes' CPU on the host", b.others_cpu, "s",
            note=f"in {b.wall:.2f} s wall on {os.cpu_count()} cores; steal {b.steal:.2f} s"),
        Row(AREA, f"{s.count} clicks at {STEADY_RATE:g}/s: ack p50", _percentile(s.latencies, 50), "ms",
            note=f"p99 {_percentile(s.latencies, 99):.1f} ms; {s.deferred} deferred"),
        Row(AREA, "steady: bot CPU/click, main thread", s.per_click_ms(s.bot_main_cpu), "ms",
            note=f"other threads {s.per_click_ms(s.bot_other_cpu):.2f} ms, fake {s.per_click_ms(s.own_cpu):.2f} ms"),
        Row(AREA, f"{len(ac)} /define autocompletes p50", _percentile(ac, 50), "ms",
            note=f"one at a time; {live.autocomplete_empty} with no choices"),
        Row(AREA, f"{len(ac)} /define autocompletes p99", ac_p99, "ms", f"≤ {AUTOCOMPLETE_P99_GOAL_MS:.0f} ms",
            ac_p99 <= AUTOCOMPLETE_P99_GOAL_MS,
            f"max {max(ac):.1f} ms; bot CPU {live.autocomplete_bot_cpu / len(ac) * 1000:.2f} ms/request"),
        Row(AREA, "bot RSS after the bursts (VmRSS)", rss, "MB", f"≤ {RSS_GOAL_MB:.0f} MB", rss <= RSS_GOAL_MB,
            f"{live.rss_ready['VmRSS'] / 1024:.0f} MB when ready"),
        Row(AREA, "bot peak RSS (VmHWM)", hwm, "MB", f"≤ {RSS_GOAL_MB:.0f} MB", hwm <= RSS_GOAL_MB),
        Row(AREA, "fake Discord violations", len(live.violations), "count", "= 0", not live.violations,
            "; ".join(live.violations[:3])),
    ]


# -- profiling ---------------------------------------------------------------------------------


def _serve_profiled(out: str) -> int:
    """The bot's entry point for `profile`: `studybot run`, measured from SIGUSR1 to SIGUSR2
    (which writes `out`.json, and `out` as pstats when cProfile is on): garbage collections
    per generation, event-loop iterations and the handles they ran, and the time spent in
    `Store.record_answer` (queueing for the store's lock included) and in the aiosqlite round
    trips it makes (worker thread + the loop noticing the result)."""
    import asyncio.base_events
    import cProfile
    import gc

    import aiosqlite

    from bot.cli import main
    from bot.store import Store

    use_cprofile = os.environ.get("BENCH_CPROFILE", "1") == "1"
    profiler = cProfile.Profile()
    stats: dict[str, Any] = {}
    active = [False]
    began = [0.0]

    def reset() -> None:
        stats.clear()
        stats.update(gc={0: [0, 0.0], 1: [0, 0.0], 2: [0, 0.0]}, iterations=0, handles=0,
                     record=[0, 0.0], fetch=[0, 0.0])

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if not active[0]:
            return
        if phase == "start":
            began[0] = time.perf_counter()
        else:
            entry = stats["gc"][info["generation"]]
            entry[0] += 1
            entry[1] += time.perf_counter() - began[0]

    run_once = asyncio.base_events.BaseEventLoop._run_once

    def counted_run_once(self: Any) -> None:
        if active[0]:
            stats["iterations"] += 1
            stats["handles"] += len(self._ready)
        run_once(self)

    def timed(name: str, fn: Any) -> Any:
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await fn(*args, **kwargs)
            finally:
                if active[0]:
                    stats[name][0] += 1
                    stats[name][1] += time.perf_counter() - started
        return wrapper

    asyncio.base_events.BaseEventLoop._run_once = counted_run_once  # type: ignore[method-assign]
    Store.record_answer = timed("record", Store.record_answer)  # type: ignore[method-assign]
    aiosqlite.Connection.execute_fetchall = timed("fetch", aiosqlite.Connection.execute_fetchall)  # type: ignore[method-assign]

    def start(*_: object) -> None:
        reset()
        active[0] = True
        if use_cprofile:
            profiler.enable()

    def stop(*_: object) -> None:
        profiler.disable()
        active[0] = False
        Path(out + ".json").write_text(json.dumps(stats))
        if use_cprofile:
            profiler.dump_stats(out)

    # An experiment that changes no bot code: a shorter GIL switch interval.
    if os.environ.get("BENCH_SWITCH_INTERVAL"):
        sys.setswitchinterval(float(os.environ["BENCH_SWITCH_INTERVAL"]))
    reset()
    gc.callbacks.append(on_gc)
    signal.signal(signal.SIGUSR1, start)
    signal.signal(signal.SIGUSR2, stop)
    return main(["run"])


# Inclusive (cumulative) time of the functions one click goes through, to read a cProfile of the
# bot's main thread: (label, file suffix, function name); indentation shows nesting.
KEY_FUNCTIONS: tuple[tuple[str, str, str], ...] = (
    ("gateway frame -> event parsed and dispatched", "discord/gateway.py", "received_message"),
    ("  JSON parse (gateway frames and HTTP responses)", "json/__init__.py", "loads"),
    ("  Interaction from the payload (Message of the post, Member)", "discord/state.py", "parse_interaction_create"),
    ("dynamic item task (discord.py + the cog)", "discord/ui/view.py", "schedule_dynamic_item_call"),
    ("  View.from_message (discord.py rebuilds the post's buttons)", "discord/ui/view.py", "from_message"),
    ("  cog: Daily.answer_click", "cogs/daily/_cog.py", "answer_click"),
    ("    finish_or_defer (asyncio.wait, timer)", "bot/discord_app/deadline.py", "finish_or_defer"),
    ("    StudyService.answer (main-thread side, aiosqlite hand-off)", "bot/app/study.py", "answer"),
    ("    ack_embed", "cogs/daily/_views.py", "ack_embed"),
    ("    InteractionResponse.send_message (callback POST, ack -> Message)", "discord/interactions.py", "send_message"),
    ("      discord.py webhook adapter request (aiohttp)", "discord/webhook/async_.py", "request"),
    ("        new TCP connections", "aiohttp/connector.py", "_create_connection"),
    ("    InteractionResponse.defer (deferred clicks)", "discord/interactions.py", "defer"),
    ("event loop: own time of _run_once + selector (not the epoll wait)", "asyncio/base_events.py", "_run_once"),
)


def key_functions(stats_path: Path, clicks: int) -> list[tuple[str, float, float]]:
    """(label, profiled ms per click, share of the busy time) per KEY_FUNCTIONS entry; the busy
    time is the profile's total less the time blocked in epoll."""
    import pstats

    raw = pstats.Stats(str(stats_path)).stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in raw.values())
    idle = sum(v[2] for k, v in raw.items() if k[0] == "~" and "'poll' of 'select.epoll'" in k[2])
    busy = total - idle
    rows = []
    for label, suffix, name in KEY_FUNCTIONS:
        matches = [v for k, v in raw.items() if k[0].endswith(suffix) and k[2] == name]
        if name == "_run_once":
            selector = sum(v[2] for k, v in raw.items() if k[0].endswith("selectors.py"))
            seconds = sum(v[2] for v in matches) + selector
        else:
            seconds = sum(v[3] for v in matches)
        rows.append((label, seconds / clicks * 1000, seconds / busy if busy else 0.0))
    rows.append(("busy total (profiled)", busy / clicks * 1000, 1.0))
    return rows


def _profile(out: Path, phase: str) -> None:
    import pstats

    cprofile = os.environ.get("BENCH_CPROFILE", "1") == "1"
    with tempfile.TemporaryDirectory(prefix="studybot-bench-live-") as tmp:
        live = asyncio.run(_live(Path(tmp), profile_out=out, profile_phase=phase,
                                 steady_rate=PROFILE_STEADY_RATE if cprofile else STEADY_RATE))
    c = live.burst if phase == "burst" else live.steady
    print(f"{phase}: {c.count} clicks over {c.seconds:g} s, last ack {c.ack_span:.2f} s, "
          f"p50 {_percentile(c.latencies, 50):.0f} ms, p99 {_percentile(c.latencies, 99):.0f} ms, "
          f"{c.deferred} deferred; CPU per click: bot main {c.per_click_ms(c.bot_main_cpu):.2f} ms, "
          f"bot other threads {c.per_click_ms(c.bot_other_cpu):.2f} ms, fake {c.per_click_ms(c.own_cpu):.2f} ms, "
          f"other processes {c.per_click_ms(c.others_cpu):.2f} ms")
    measured = json.loads(Path(str(out) + ".json").read_text())
    for generation, (count, seconds) in sorted(measured["gc"].items()):
        print(f"gc generation {generation}: {count} collections, {seconds * 1000:.1f} ms "
              f"({seconds / c.count * 1000:.3f} ms/click)")
    iterations, handles = measured["iterations"], measured["handles"]
    print(f"event loop: {iterations} iterations ({iterations / c.count:.2f} per click), "
          f"{handles / max(1, iterations):.1f} handles each")
    for name, what in (("record", "Store.record_answer (lock queue + round trips)"),
                       ("fetch", "aiosqlite execute_fetchall (worker + loop pickup)")):
        calls, seconds = measured[name]
        print(f"{what}: {calls} calls, {seconds / max(1, calls) * 1000:.2f} ms each")
    if not cprofile:
        return
    print("\nmain thread under cProfile (it inflates Python-heavy code ~2x; apply the shares to the "
          "unprofiled CPU per click of `python -m bench live`):")
    for label, ms, share in key_functions(out, c.count):
        print(f"  {ms:7.3f} ms/click  {share:6.1%}  {label}")
    stats = pstats.Stats(str(out))
    stats.sort_stats("cumulative").print_stats(50)
    stats.sort_stats("tottime").print_stats(30)


async def _components(folder: Path, repeat: int = 500) -> list[tuple[str, float, str]]:
    """The pieces of one click, each timed alone in this process (µs, median of `repeat`), on
    the real bot (in-process, same deck and store) connected to a fake Discord."""
    import discord

    from bot.community import Community
    from bot.discord_app.i18n import interaction_lang
    from cogs.daily._views import DailyAnswerButton, ack_embed
    from tests.e2e_support import running_studybot
    from tests.loopback import FakeDiscord

    def timed(fn: Callable[[], Any]) -> float:
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - started)
        return statistics.median(samples) * 1e6

    results: list[tuple[str, float, str]] = []
    async with FakeDiscord() as fake, running_studybot(fake, folder) as run:
        g = fake.guild
        hour = (time.gmtime().tm_hour + 12) % 24
        await fake.slash(g, g.admin, "dailyadmin", "set", channel=g.text_channel, time=f"{hour:02d}:00")
        message, buttons, post_id = await _post(fake, g)
        state = run.bot._connection
        members = fake.make_members(g, repeat * 2 + 10, prefix="part")
        payload = fake.click(message, buttons[1], members[0]).payload
        frame = json.dumps({"op": 0, "t": "INTERACTION_CREATE", "s": 7, "d": payload}, ensure_ascii=False)
        results.append(("gateway frame JSON parse (json.loads)", timed(lambda: json.loads(frame)),
                        f"{len(frame):,} bytes, the post's message inside"))
        results.append(("discord.Interaction(...) from the payload", timed(
            lambda: discord.Interaction(data=payload, state=state)), "incl. Message of the post, Member"))
        interaction = discord.Interaction(data=payload, state=state)
        assert interaction.message is not None
        results.append(("View.from_message(post) in dynamic dispatch", timed(
            lambda: discord.ui.View.from_message(interaction.message, timeout=None)), "discord.py rebuilds 4 buttons"))
        match = re.fullmatch(r"daily:(?P<post>[0-9]{1,20}):(?P<choice>[0-9])", buttons[1])
        results.append(("DailyAnswerButton from the custom id", timed(
            lambda: DailyAnswerButton(int(match["post"]), int(match["choice"]))), "cog"))
        service = run.app.study
        community = Community.discord(g.id)
        outcome = await service.answer(community=community, post_id=post_id, user_id=str(members[0].id),
                                       choice=1, display_name="x")
        lang = interaction_lang(interaction)
        results.append(("ack_embed(outcome) + to_dict()", timed(lambda: ack_embed(outcome, lang).to_dict()), "cog"))
        callback = {"type": 4, "data": {"embeds": [ack_embed(outcome, lang).to_dict()], "flags": 64,
                                        "allowed_mentions": {"parse": []}}}
        results.append(("callback body JSON encode", timed(lambda: json.dumps(callback)), "discord.utils._to_json"))
        response = {"interaction": {"id": interaction.id, "type": 3, "response_message_id": "1",
                                    "response_message_loading": False, "response_message_ephemeral": True},
                    "resource": {"type": 4, "message": {**message.payload(), "id": "1", "flags": 64,
                                                        "embeds": callback["data"]["embeds"], "components": []}}}
        raw = json.dumps(response)
        results.append(("callback response JSON parse + Message", timed(
            lambda: discord.InteractionCallbackResponse(data=json.loads(raw), parent=interaction, state=state,
                                                         type=discord.InteractionResponseType.channel_message)),
            "discord.py parses the ack it just sent"))
        # The store's INSERT through the service, one answer at a time: wall time (the SQLite work
        # runs in the aiosqlite thread) and this thread's CPU for it.
        walls, cpus = [], []
        for member in members[1:repeat + 1]:
            started, cpu = time.perf_counter(), time.thread_time()
            await service.answer(community=community, post_id=post_id, user_id=str(member.id), choice=2,
                                 display_name=member.user.username)
            walls.append(time.perf_counter() - started)
            cpus.append(time.thread_time() - cpu)
        results.append(("StudyService.answer (store INSERT), wall", statistics.median(walls) * 1e6,
                        "the SQLite work runs in the aiosqlite thread"))
        results.append(("StudyService.answer, event-loop thread CPU", statistics.median(cpus) * 1e6,
                        "hand-off to and from the aiosqlite thread"))
        results += await _callback_post_cost(interaction, callback, raw, repeat)
    return results


# A minimal HTTP/1.1 server (keep-alive, one canned JSON answer) run as a subprocess, so that the
# cost of the bot's callback POST can be measured on the client side alone.
_CANNED_SERVER = r"""
import asyncio, sys
body = sys.stdin.buffer.read()
head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
async def serve(reader, writer):
    try:
        while True:
            headers = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in headers.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            if length:
                await reader.readexactly(length)
            writer.write(head + body)
    except (asyncio.IncompleteReadError, ConnectionError):
        writer.close()
async def main():
    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()
asyncio.run(main())
"""


async def _callback_post_cost(interaction: Any, callback: dict[str, Any], response: str,
                              repeat: int) -> list[tuple[str, float, str]]:
    """CPU of this thread per callback POST through discord.py's webhook adapter and aiohttp,
    against `_CANNED_SERVER`: on a kept-alive connection, and on a new connection each time (as
    in a burst, where every in-flight callback needs a connection of its own)."""
    import aiohttp
    import discord
    from discord.http import Route
    from discord.webhook.async_ import async_context, interaction_message_response_params

    server = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _CANNED_SERVER, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    assert server.stdin is not None and server.stdout is not None
    server.stdin.write(response.encode())
    server.stdin.close()
    port = int((await server.stdout.readline()).decode())
    saved = Route.BASE
    Route.BASE = f"http://127.0.0.1:{port}/api/v10"
    adapter = async_context.get()
    embed = discord.Embed.from_dict(callback["data"]["embeds"][0])
    results = []
    try:
        for name, force_close in (("kept-alive connection", False), ("new TCP connection each", True)):
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0, force_close=force_close)) as session:
                cpus, walls = [], []
                for _ in range(repeat):
                    started, cpu = time.perf_counter(), time.thread_time()
                    flags = discord.MessageFlags._from_value(0)
                    flags.ephemeral = True
                    params = interaction_message_response_params(
                        type=discord.InteractionResponseType.channel_message.value, embed=embed, flags=flags,
                        previous_allowed_mentions=discord.AllowedMentions.none())
                    await adapter.create_interaction_response(interaction.id, interaction.token, session=session,
                                                              params=params)
                    cpus.append(time.thread_time() - cpu)
                    walls.append(time.perf_counter() - started)
            results.append((f"callback POST, client CPU, {name}", statistics.median(cpus) * 1e6,
                            f"discord.py adapter + aiohttp, wall {statistics.median(walls) * 1e6:.0f} µs; "
                            "response JSON parsed, not the Message"))
    finally:
        Route.BASE = saved
        server.kill()
        await server.wait()
    return results


if __name__ == "__main__":
    if sys.argv[1:2] == ["components"]:
        with tempfile.TemporaryDirectory(prefix="studybot-bench-live-") as tmp:
            for name, micros, note in asyncio.run(_components(Path(tmp))):
                print(f"{micros:9.1f} µs  {name}  ({note})")
        raise SystemExit(0)
    if sys.argv[1:2] == ["serve-profiled"]:
        raise SystemExit(_serve_profiled(sys.argv[2]))
    if sys.argv[1:2] == ["profile"]:
        target = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(tempfile.gettempdir()) / "studybot-live.prof"
        _profile(target, sys.argv[3] if len(sys.argv) > 3 else "steady")
        raise SystemExit(0)
    print("usage: python -m bench.bench_live profile [OUT [steady|burst]] | serve-profiled OUT",
          file=sys.stderr)
    raise SystemExit(2)
