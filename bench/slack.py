"""Slack bench: the real `studybot run` process against the loopback Slack (tests/slack_loopback),
beside the same burst on the loopback Discord and plain `sqlite3`, in one run.

* Slack click burst, saturated: an admin runs `/daily set` and `/daily now`; then
  BENCH_SLACK_CLICKS (1,000) new members click the post within BENCH_SLACK_SECONDS (1 s), more
  than the bot takes on 2 cores, so a queue builds: answers acknowledged per second (clicks /
  first envelope sent -> last ack received), ack latency p50/p99 (envelope sent -> ack, at the
  fake), acks later than Slack's 3 s (Slack would show those members an error), answers stored
  (database, after the bot stopped) and `studybot leaderboard --guild slack:T0LOOP --period all
  --json` summed, replies received, and the fake's 429s (Slack's tiers are on: users.info, the
  member's language, is Tier 4, 100 a minute).
* Discord, the same offer: bench_live's burst through `studybot run` against the loopback
  Discord (BENCH_SLACK_DISCORD=0 skips it).
* Plain sqlite3: the same number of answer INSERTs, one transaction each (bench_live's baseline).
* `/define` round trip: BENCH_SLACK_DEFINES (200) `/define TERM` one at a time before the burst,
  slash envelope sent -> the reply at the fake (response_url), p50/p99; and five by new members
  right after the burst, while users.info is still rate limited.

Knobs: BENCH_SLACK_CLICKS, BENCH_SLACK_SECONDS, BENCH_SLACK_DEFINES, BENCH_SLACK_DISCORD=0 (skip
Discord), BENCH_SLACK_RATE_LIMITS=0 (the fake without Slack's Web API tiers).

`python -m bench slack` runs it (also part of `make bench`).
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.bench_live import (
    _clicks,
    _cpu_split,
    _leaderboard_answered,
    _percentile,
    _raw_rate,
    _stored_answers,
    _thread_cpu,
    _wait_for_quiet_host,
)
from bench.table import Row

AREA = "slack"
CLICKS = int(os.environ.get("BENCH_SLACK_CLICKS", "1000"))
SECONDS = float(os.environ.get("BENCH_SLACK_SECONDS", "1.0"))
DEFINES = int(os.environ.get("BENCH_SLACK_DEFINES", "200"))
WITH_DISCORD = os.environ.get("BENCH_SLACK_DISCORD", "1") != "0"
# BENCH_SLACK_RATE_LIMITS=0: no Web API tiers at the fake (to see what Slack's limits cost).
RATE_LIMITS = os.environ.get("BENCH_SLACK_RATE_LIMITS", "1") != "0"
WARMUP = 20
ACK_DEADLINE_MS = 3000.0
DEFINE_P99_GOAL_MS = 250.0
TERMS = ("HPA", "Kubernetes", "쿠버네티스", "service mesh", "서비스 메시", "CNCF", "Pod", "etcd", "Helm",
         "autoscalr", "kubernets", "VPA", "Istio", "Prometheus", "GitOps", "ArgoCD", "컨테이너", "Docker",
         "Serverless", "CI/CD", "Terraform", "Ansible", "Envoy", "Sidecar", "ReplicaSet", "CRD", "Operator")


@dataclass
class SlackBurst:
    """What the Slack run measured."""

    start_s: float
    offered: int
    dispatch_span: float
    ack_span: float
    reply_span: float  # first envelope sent -> last first-reply at the fake
    latencies_ms: list[float]
    unacked: int
    replies: int
    post_id: int
    bot_cpu: float
    own_cpu: float
    rate_limited: dict[str, int]
    define_ms: list[float]
    define_empty: int
    define_after_burst_ms: list[float]
    violations: list[str]
    exit_code: int
    output: str

    @property
    def rate(self) -> float:
        return (self.offered - self.unacked) / self.ack_span if self.ack_span > 0 else float("nan")


async def _slack(folder: Path) -> SlackBurst:
    from tests.slack_e2e_support import StudybotProcess, daily_actions, daily_post, members, post_id_of, slack_env
    from tests.e2e_support import studybot_argv
    from tests.slack_loopback import FakeSlack, SlackRateLimits

    async with FakeSlack(rate_limits=None if RATE_LIMITS else SlackRateLimits(methods={})) as fake:
        proc = StudybotProcess(studybot_argv("run"), slack_env(fake, folder, STUDYBOT_LOG_LEVEL="INFO"),
                               folder / "bot.log", folder)
        started = time.perf_counter()
        await proc.start(fake, timeout=60)
        start_s = time.perf_counter() - started
        try:
            warm = await daily_post(fake)
            await fake.clicks_in_burst(warm, [(u, daily_actions(warm)[0]) for u in members(fake, WARMUP, prefix="UW")],
                                       seconds=0.5, require_ack=True)
            define_ms, empty = await _defines(fake, DEFINES, prefix="UD")
            post = await daily_post(fake)
            buttons = daily_actions(post)
            clickers = members(fake, CLICKS, prefix="UB")
            await _wait_for_quiet_host(proc.pid)
            limited_before = len(fake.rate_limited)
            bot_before, own_before = _thread_cpu(proc.pid), time.process_time()
            loop = asyncio.get_running_loop()
            first = loop.time()
            acks = await fake.clicks_in_burst(post, [(u, buttons[i % len(buttons)]) for i, u in enumerate(clickers)],
                                              seconds=SECONDS, timeout=60, require_ack=False)
            bot_cpu = sum(_cpu_split(proc.pid, bot_before, _thread_cpu(proc.pid)))
            own_cpu = time.process_time() - own_before
            acked = [a for a in acks if a.acked]
            last_sent = max(a.sent_at for a in acks)
            last_ack = max((a.sent_at + (a.elapsed_s or 0.0) for a in acked), default=first)
            try:
                await fake.wait_for(lambda: all(fake.replies_to(a) for a in acked), timeout=120,
                                    what="a reply to every acknowledged click")
            except TimeoutError:
                pass
            replies = sum(1 for a in acked if fake.replies_to(a))
            last_reply = max((fake.replies_to(a)[0].at for a in acked if fake.replies_to(a)), default=first)
            limited: dict[str, int] = {}
            for method, _ in fake.rate_limited[limited_before:]:
                limited[method] = limited.get(method, 0) + 1

            after_burst = await _defines(fake, 5, prefix="UN")  # new members, users.info still limited
            violations = list(fake.violations)
        finally:
            code = await proc.stop(timeout=30)
        return SlackBurst(start_s, CLICKS, last_sent - first, last_ack - first, last_reply - first,
                          [a.elapsed_s * 1000 for a in acked if a.elapsed_s is not None], CLICKS - len(acked),
                          replies, post_id_of(post), bot_cpu, own_cpu, limited, define_ms, empty, after_burst[0],
                          violations, code, proc.output())


async def _defines(fake: object, count: int, *, prefix: str) -> tuple[list[float], int]:
    """`count` `/define TERM` one at a time by 7 members (new ones: their first costs a
    users.info); ms from the slash envelope sent to the reply at the fake, and how many found
    nothing."""
    from tests.slack_loopback import FakeSlack

    assert isinstance(fake, FakeSlack)
    times, empty = [], 0
    for i in range(count):
        ack = await fake.slash("/define", TERMS[i % len(TERMS)], user=f"{prefix}{i % 7}")
        answer = await fake.wait_reply(ack, timeout=30)
        times.append((answer.at - ack.sent_at) * 1000)
        empty += "Nothing found" in answer.readable()
    return times, empty


async def _discord(folder: Path) -> tuple[object, int, str]:
    """bench_live's burst of CLICKS in SECONDS on the loopback Discord; (Clicks, exit, community)."""
    from tests.e2e_support import studybot_argv, studybot_env
    from tests.loopback import BotProcess, FakeDiscord

    async with FakeDiscord() as fake:
        g = fake.guild
        env = studybot_env(folder, STUDYBOT_TIMEZONE="UTC", STUDYBOT_LOG_LEVEL="INFO")
        bot = BotProcess(fake, studybot_argv("run"), folder / "bot.log", env, cwd=folder)
        await bot.start(ready_line=r"daily quiz: recovery done", ready_timeout=60)
        assert bot.pid is not None
        try:
            hour = (time.gmtime().tm_hour + 12) % 24
            done = await fake.slash(g, g.admin, "dailyadmin", "set", channel=g.text_channel, time=f"{hour:02d}:00")
            assert done.answered and not done.errors, f"/daily set failed:\n{done}"
            await _clicks(fake, bot.pid, g, WARMUP, 0.5, "warm")
            burst = await _clicks(fake, bot.pid, g, CLICKS, SECONDS, "burst")
            await asyncio.sleep(0.5)
        finally:
            code = await bot.stop(timeout=30)
        return burst, code, f"discord:{g.id}"


def _count(db: Path, post_id: int) -> tuple[int, int]:
    """(answers stored for the post, distinct members among them)."""
    with sqlite3.connect(db) as conn:
        total, distinct = conn.execute("SELECT count(*), count(DISTINCT user_id) FROM answers WHERE post_id = ?",
                                       (post_id,)).fetchone()
    return int(total), int(distinct)


def run() -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="studybot-bench-slack-") as tmp:
        slack_dir, discord_dir = Path(tmp) / "slack", Path(tmp) / "discord"
        slack_dir.mkdir()
        discord_dir.mkdir()
        s = asyncio.run(_slack(slack_dir))
        assert s.exit_code == 0, s.output[-3000:]
        stored, distinct = _count(slack_dir / "studybot.db", s.post_id)
        board = _leaderboard_answered(slack_dir, "slack:T0LOOP")
        d = None
        if WITH_DISCORD:
            d, d_code, d_community = asyncio.run(_discord(discord_dir))
            assert d_code == 0
            d_stored = _stored_answers(discord_dir / "studybot.db", d.post_id)
        raw = _raw_rate(slack_dir, CLICKS)
    p50, p99 = _percentile(s.latencies_ms, 50), _percentile(s.latencies_ms, 99)
    late = sum(ms > ACK_DEADLINE_MS for ms in s.latencies_ms)
    acked = s.offered - s.unacked
    rows += [
        Row(AREA, "bot start to Socket Mode + daily recovery", s.start_s, "s",
            note="process, deck, auth.test, socket; Slack's Web API tiers " + ("on" if RATE_LIMITS else "OFF")),
        Row(AREA, f"Slack: {s.offered} clicks offered in {SECONDS:g} s, answers/s acked", s.rate, "answers/s",
            note=f"sent over {s.dispatch_span:.2f} s, last ack at {s.ack_span:.2f} s; {s.unacked} never acked"),
        Row(AREA, "Slack: answers/s to the last reply", s.replies / s.reply_span if s.reply_span > 0 else float("nan"),
            "answers/s", note=f"a reply follows the stored answer; last reply at {s.reply_span:.2f} s"),
        Row(AREA, "Slack: click ack p50", p50, "ms", note="envelope sent -> ack at the fake"),
        Row(AREA, "Slack: click ack p99", p99, "ms", "< 3000 ms", p99 < ACK_DEADLINE_MS,
            f"max {max(s.latencies_ms, default=float('nan')):.0f} ms"),
        Row(AREA, "Slack: acks over Slack's 3 s (+ never acked)", late + s.unacked, "clicks", "= 0",
            late + s.unacked == 0, "Slack shows those members an error"),
        Row(AREA, "Slack: answers stored", stored, "answers", f"= {acked} acked", stored == distinct and stored >= acked,
            f"{distinct} distinct members; leaderboard --json answered sum {board} (= {stored + WARMUP} with warm-up)"),
        Row(AREA, "Slack: replies received", s.replies, "replies", f"= {acked}", s.replies == acked,
            "429s at the fake: " + (", ".join(f"{m} {n}" for m, n in sorted(s.rate_limited.items())) or "none")),
        Row(AREA, "Slack: bot CPU/click, all threads", s.bot_cpu / s.offered * 1000, "ms",
            note=f"fake+driver {s.own_cpu / s.offered * 1000:.2f} ms/click (bench process)"),
    ]
    if d is not None:
        d_late = sum(ms > ACK_DEADLINE_MS for ms in d.latencies)
        rows += [
            Row(AREA, f"Discord: {d.count} clicks offered in {d.seconds:g} s, answers/s acked", d.rate, "answers/s",
                note=f"bench_live's burst, same run; last ack at {d.ack_span:.2f} s"),
            Row(AREA, "Discord: click ack p50 / p99", _percentile(d.latencies, 50), "ms",
                note=f"p99 {_percentile(d.latencies, 99):.0f} ms; {d_late} over 3 s; {d_stored} stored ({d_community})"),
            Row(AREA, "Slack / Discord answers/s", s.rate / d.rate, "ratio", note="same offer, same machine"),
        ]
    rows += [
        Row(AREA, "plain sqlite3 same answers, 1 tx each", raw, "answers/s", note="bench_live's baseline, median of 3"),
        Row(AREA, "Slack answers/s / plain sqlite3", s.rate / raw, "ratio", note="same run"),
        Row(AREA, f"/define round trip p50 ({len(s.define_ms)}, one at a time)", _percentile(s.define_ms, 50), "ms",
            note=f"slash envelope sent -> reply at the fake; {s.define_empty} found nothing"),
        Row(AREA, "/define round trip p99", _percentile(s.define_ms, 99), "ms", f"≤ {DEFINE_P99_GOAL_MS:.0f} ms",
            _percentile(s.define_ms, 99) <= DEFINE_P99_GOAL_MS, f"max {max(s.define_ms, default=float('nan')):.0f} ms"),
        Row(AREA, "/define by a new member right after the burst", _percentile(s.define_after_burst_ms, 50), "ms",
            note=f"p50 of {len(s.define_after_burst_ms)}; " + (
                "users.info still 429: the reply waits the language budget" if RATE_LIMITS else "no tiers at the fake")),
        Row(AREA, "fake Slack violations", len(s.violations), "count", "= 0", not s.violations,
            "; ".join(s.violations[:3])),
    ]
    return rows


if __name__ == "__main__":
    from bench.table import render

    print(render(run()))
    sys.exit(0)
