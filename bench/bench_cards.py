"""Spaced-repetition benchmarks (issue 14).

* Next card for a member with 10,000 cards (half of them due): `ReviewSessions.next_entry`, the
  decision `/review` makes (most overdue card whose entry is still in the notes, else the first
  entry never studied). Goal: p99 at most 5 ms. Beside it the whole `next_item` (the decision,
  the due count, the next due time, and the review post written), for information.
* Recording an answer with its card update: `Store.record_answer` on review posts (each answer
  its own committed transaction, awaited before the next; the card read, computed by
  `bot.engine.cards.after_answer` and upserted in that transaction), beside plain synchronous
  `sqlite3` one-transaction inserts of the same answer statement on a post without an entry (so
  no card work at all), same run, in alternating rounds. Goal: at least 0.5 of the plain rate.
  Beside them, for information: plain `sqlite3` doing the store's own per-answer work
  (`_record_answer`) with SQLite's automatic checkpoints, and the same never checkpointing (the
  store checkpoints on a background thread, `bot/store/checkpointer.py`).
* Daily pick for a group of 5,000 members x 1,000 entries (5,000,000 cards): what the pick adds
  to the daily quiz (`Store.entry_memory`, `forgetting_scores`, `choose_question` over a pool
  of 1,000 questions, with the use and miss counts it already read), on a freshly opened store
  (the first of the five runs is cold). Goal: at most 200 ms, the worst of five.
* Rebuilding every card from 1,000,000 answers: `Store.rebuild_cards`. Reported.

The SQL here only builds the test data and the plain baseline; the store's own SQL is imported.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

from bench.table import Row
from bot.app.daily import FORGOTTEN_BELOW, SAMPLE_CARDS, choose_question, forgetting_scores
from bot.app.review import ReviewSessions, flashcard_question
from bot.clock import ManualClock
from bot.community import Community
from bot.engine import scoring
from bot.engine.cards import Rating, after_answer, recall_curve
from bot.engine.model import Entry, Question, QuestionKind, SourceRef
from bot.store import Store
from bot.store.store import _RECORD_ANSWER, _record_answer, _study_period

AREA = "cards"
GROUP = Community.discord(1)
NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
ZONE = "Asia/Seoul"


def _entries(n: int) -> list[Entry]:
    return [Entry(id=f"e{i:05d}", term=f"term {i}", definition=f"definition {i}", deck="bench",
                  source=SourceRef("bench.md", i + 1)) for i in range(n)]


def _ts(when: datetime) -> str:
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def _bulk(path: Path, sql: str, rows: object) -> None:
    """Insert test data fast: no journal and a big page cache while loading (the pages come out
    the same as row-by-row inserts would make them; only the setup is quicker)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -1000000")
    conn.execute("BEGIN")
    conn.executemany(sql, rows)  # type: ignore[arg-type]
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()


def _card_rows(users: list[str], entries: list[Entry], rng: random.Random):
    for user in users:
        for entry in entries:
            stability = rng.uniform(0.5, 60.0)
            last = NOW - timedelta(days=rng.randrange(0, 90), seconds=rng.randrange(86400))
            due = last + timedelta(days=stability)
            yield (GROUP, user, entry.id, 2, None, stability, rng.uniform(1, 10), _ts(due), _ts(last),
                   rng.randrange(1, 20), rng.randrange(0, 3), None)


_INSERT_CARD = ("INSERT INTO cards (community, user_id, entry_id, state, step, stability, difficulty, due,"
                " last_review, reps, lapses, definition_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


# -- next card ---------------------------------------------------------------------------------


async def _next_card(folder: Path) -> list[Row]:
    path = folder / "next.db"
    entries = _entries(10_000)
    clock = ManualClock(NOW)
    async with await Store.open(path, clock=clock):
        pass
    _bulk(path, _INSERT_CARD, _card_rows(["u1"], entries, random.Random(1)))
    by_id = {e.id: e for e in entries}
    study = SimpleNamespace(glossary=SimpleNamespace(get=by_id.get), notes=SimpleNamespace(entries=tuple(entries)),
                            clock=clock, bank=SimpleNamespace(for_entry=lambda _e: []),
                            definition_hash_of=lambda _q: None)
    async with await Store.open(path, clock=clock) as store:
        sessions = ReviewSessions(study, store)  # type: ignore[arg-type]
        decide: list[float] = []
        for _ in range(1000):
            started = time.perf_counter()
            found = await sessions.next_entry(GROUP, "u1")
            decide.append((time.perf_counter() - started) * 1000)
            assert found is not None and not found[1]
        whole: list[float] = []
        for _ in range(200):
            started = time.perf_counter()
            await sessions.next_item(community=GROUP, user_id="u1", display_name="u1", mode="flashcard")
            whole.append((time.perf_counter() - started) * 1000)
    p99 = statistics.quantiles(decide, n=100)[98]
    return [
        Row(AREA, "next card, member with 10,000 cards, p99", p99, "ms", "≤ 5 ms", p99 <= 5.0,
            note=f"median {statistics.median(decide):.2f} ms"),
        Row(AREA, "next_item (card + due count + next due + post), p99", statistics.quantiles(whole, n=100)[98],
            "ms", note="for information"),
    ]


# -- recording answers ---------------------------------------------------------------------------


ANSWERS = 8000


async def _review_posts(path: Path, clock: ManualClock, n: int, *, with_entry: bool) -> list[int]:
    entry = _entries(1)[0]
    plain = Question(id="bench-q", kind=QuestionKind.TERM_TO_DEFINITION, prompt="p", choices=("a", "b"),
                     answer=0, explanation="", term="t", deck="bench", source=SourceRef("bench.md", 1))
    ids = []
    async with await Store.open(path, clock=clock, default_timezone=ZONE) as store:
        for i in range(n):
            user = f"u{i}"
            if with_entry:
                post = await store.create_practice_post(GROUP, user, flashcard_question(entry), review=True)
            else:
                post = await store.create_practice_post(GROUP, user, plain)
            ids.append(post.post_id)
    return ids


async def _store_rate(path: Path, posts: list[int], clock: ManualClock) -> float:
    async with await Store.open(path, clock=clock, default_timezone=ZONE) as store:
        started = time.perf_counter()
        for i, post_id in enumerate(posts):
            result = await store.record_answer(post_id, f"u{i}", 0, f"u{i}", rating=int(Rating.GOOD))
            assert result.accepted
        elapsed = time.perf_counter() - started
        assert len(await store.all_cards()) == len(posts)
    return len(posts) / elapsed


def _raw_rate(path: Path, posts: list[int], now: str, *, with_card: bool = False,
              autocheckpoint: bool = True) -> float:
    """Plain synchronous `sqlite3`, `BEGIN IMMEDIATE; <answer>; COMMIT` per answer: the answer
    statement alone, or with `with_card` the store's own per-answer work (`_record_answer`:
    the statement, then the card read, computed and upserted). SQLite's automatic checkpoint as
    it comes, unless `autocheckpoint` is False (then the log is never copied back: a bound)."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=10.0)
    try:
        conn.create_function("study_period", 3, _study_period, deterministic=True)
        for pragma in ("PRAGMA journal_mode = WAL", "PRAGMA foreign_keys = ON", "PRAGMA synchronous = NORMAL"):
            conn.execute(pragma)
        if not autocheckpoint:
            conn.execute("PRAGMA wal_autocheckpoint = 0")
        base = {"now": now, "default_tz": ZONE, "daily_points": scoring.DAILY_CORRECT_POINTS,
                "practice_points": scoring.PRACTICE_CORRECT_POINTS, "wrong_points": scoring.WRONG_POINTS,
                "rating": int(Rating.GOOD) if with_card else None,
                **{f"bonus_{i}": b for i, b in enumerate(scoring.DAILY_FIRST_CORRECT_BONUS)}}
        started = time.perf_counter()
        for i, post_id in enumerate(posts):
            params = {**base, "post_id": post_id, "user_id": f"u{i}", "choice": 0, "display_name": f"u{i}"}
            conn.execute("BEGIN IMMEDIATE")
            if with_card:
                row = _record_answer(conn, params)
            else:
                row = conn.execute(_RECORD_ANSWER, params).fetchall()
            conn.execute("COMMIT")
            assert row
        return len(posts) / (time.perf_counter() - started)
    finally:
        conn.close()


RECORD_ROUNDS = 4  # the four ways take turns, so none always gets the warm or the cold disk cache


def _record_rows(folder: Path) -> list[Row]:
    clock = ManualClock(NOW)
    now = _ts(NOW)
    per_round = ANSWERS // RECORD_ROUNDS
    ways = ("store", "plain", "same", "bound")
    seconds: dict[str, list[float]] = {way: [] for way in ways}  # per round
    for part in range(RECORD_ROUNDS):
        posts = {way: asyncio.run(_review_posts(folder / f"{way}{part}.db", clock, per_round,
                                                with_entry=way != "plain"))
                 for way in ways}
        order = ways[part % len(ways):] + ways[:part % len(ways)]
        for way in order:
            db = folder / f"{way}{part}.db"
            if way == "store":
                rate = asyncio.run(_store_rate(db, posts[way], clock))
            else:
                rate = _raw_rate(db, posts[way], now, with_card=way != "plain", autocheckpoint=way != "bound")
            seconds[way].append(per_round / rate)
    rate = {way: per_round * RECORD_ROUNDS / sum(s) for way, s in seconds.items()}
    ratio = rate["store"] / rate["plain"]
    rounds = sorted(p / s for s, p in zip(seconds["store"], seconds["plain"], strict=True))
    return [
        Row(AREA, "answers/s with card update, Store.record_answer", rate["store"], "answers/s",
            note=f"{per_round * RECORD_ROUNDS} answers, 1 tx each, awaited one by one; card computed in Python"),
        Row(AREA, "answers/s, plain sqlite3 one-transaction inserts, no card", rate["plain"], "answers/s",
            note="the same answer statement on posts without an entry; SQLite's own checkpoints"),
        Row(AREA, "answers/s, plain sqlite3 same work with its card", rate["same"], "answers/s",
            note=f"store / this = {rate['store'] / rate['same']:.2f}, for information"),
        Row(AREA, "answers/s, plain sqlite3 with its card, never checkpointing", rate["bound"], "answers/s",
            note=f"store / this = {rate['store'] / rate['bound']:.2f}; the log never copied back, a bound"),
        Row(AREA, "with card / plain rate", ratio, "ratio", "≥ 0.5", ratio >= 0.5,
            note=f"{RECORD_ROUNDS} rounds of {per_round}, each: " + ", ".join(f"{r:.2f}" for r in rounds)),
    ]


# -- daily pick ------------------------------------------------------------------------------------


async def _daily_pick(folder: Path) -> list[Row]:
    path = folder / "pick.db"
    entries = _entries(1000)
    users = [str(u) for u in range(1, 5001)]
    async with await Store.open(path, clock=ManualClock(NOW)) as store:
        await store.remember_member(GROUP, "0", "seed")
    _bulk(path, "INSERT INTO members (community, user_id, display_name) VALUES (?, ?, ?)",
          ((GROUP, u, f"m{u}") for u in users))
    _bulk(path, _INSERT_CARD, _card_rows(users, entries, random.Random(2)))
    pool = [Question(id=f"q{e.id}", kind=QuestionKind.TERM_TO_DEFINITION, prompt="p", choices=("a", "b"),
                     answer=0, explanation="", term=e.term, deck="bench", source=e.source, entry_id=e.id)
            for e in entries]
    timings = []
    async with await Store.open(path, clock=ManualClock(NOW)) as store:
        for attempt in range(5):
            started = time.perf_counter()
            uses = await store.question_use_counts(GROUP, None)
            misses = await store.term_miss_counts(GROUP)
            members, memory = await store.entry_memory(GROUP, [e.id for e in entries], sample=SAMPLE_CARDS,
                                                       when=NOW, curve=recall_curve(), below=FORGOTTEN_BELOW)
            scores = forgetting_scores(members, memory, [e.id for e in entries])
            picked = choose_question(pool, uses, misses, salt=f"slot{attempt}",
                                     forgetting={k: v for k, (v, _) in scores.items()})
            timings.append((time.perf_counter() - started) * 1000)
            assert picked is not None and members == 5000
    worst = max(timings)
    return [Row(AREA, "daily pick, 5,000 members x 1,000 entries (worst of 5)", worst, "ms", "≤ 200 ms",
                worst <= 200, note=f"best {min(timings):.0f} ms; recall sampled from {SAMPLE_CARDS} cards/entry")]


# -- rebuild -----------------------------------------------------------------------------------------


async def _rebuild(folder: Path) -> list[Row]:
    path = folder / "rebuild.db"
    answers = 1_000_000
    entries, posts = 500, 2000  # four review posts per entry; answer i is by a member new to its post
    async with await Store.open(path, clock=ManualClock(NOW)) as store:
        await store.remember_member(GROUP, "0", "seed")
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("DROP TRIGGER answers_keep_aggregates")
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO posts (post_id, community, board, season, owner_user_id, question_id, kind, prompt, choices,"
        " answer_index, explanation, term, entry_id, deck, source_path, source_line, posted_at, review)"
        " VALUES (?, ?, 'practice', 1, 'u', 'q', 'flashcard', 'p', '[\"a\",\"b\"]', 0, '', 't', ?, 'd', 'f', 1, ?, 1)",
        ((p + 1, GROUP, f"e{p % entries:05d}", _ts(NOW)) for p in range(posts)))
    rng = random.Random(4)
    start = NOW - timedelta(days=365)
    step = timedelta(days=365) / answers
    conn.executemany(
        "INSERT INTO answers (post_id, community, board, season, user_id, display_name, choice, correct, points,"
        " streak, answered_at, week_key, month_key) VALUES (?, ?, 'review', 1, ?, '', ?, ?, 0, 0, ?, 'w', 'm')",
        ((i % posts + 1, GROUP, str((i // posts) * 40 + i % 40), c, 1 - c, _ts(start + step * i))
         for i in range(answers) for c in [int(rng.random() < 0.3)]))
    conn.execute("COMMIT")
    conn.close()
    async with await Store.open(path, clock=ManualClock(NOW)) as store:
        started = time.perf_counter()
        done = await store.rebuild_cards()
        seconds = time.perf_counter() - started
    return [Row(AREA, "rebuild all cards from 1,000,000 answers", seconds, "s",
                note=f"{done.cards:,} cards, {done.answers / seconds:,.0f} answers/s")]


def run() -> list[Row]:
    assert after_answer(None, True, None, NOW)  # fsrs imported before any timing
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows = asyncio.run(_next_card(folder))
        rows += _record_rows(folder)
        rows += asyncio.run(_daily_pick(folder))
        rows += asyncio.run(_rebuild(folder))
    return rows
