"""Writes tests/data/release-2026-11-27.db and .json with the code of the release before communities.

    git worktree add /tmp/oldrel 8cef45c
    cd /tmp/oldrel && python /path/to/this/script OUT.db OUT.json /tmp/oldrel

The .json holds the leaderboards as that release read them, which the migration test expects.
"""
import asyncio, json, sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
sys.path.insert(0, sys.argv[3])  # a checkout of commit 8cef45c
from bot.clock import ManualClock
from bot.service import StudyService
from bot.daily import DailyQuiz
from bot.store import Store

NOTES = Path(sys.argv[3]) / 'data' / 'notes'
out_db, out_json = Path(sys.argv[1]), Path(sys.argv[2])

async def main():
    clock = ManualClock(datetime(2026, 11, 23, 1, 0, tzinfo=UTC))  # Mon 10:00 Seoul
    store = await Store.open(out_db, clock=clock, default_timezone="Asia/Seoul")
    service = StudyService(notes_path=NOTES, store=store, clock=clock)
    quiz = DailyQuiz(service, grace=timedelta(hours=3), clock=clock)
    guilds = (1178000000000000001, 1178000000000000002)
    for g in guilds:
        made = await quiz.set_schedule(g, g + 100, "09:00", timezone="Asia/Seoul")
        sched = made.schedule
        for day in range(3):
            batch = await quiz.create_extra_post(sched)
            post = batch.new[0]
            await quiz.set_message_id(post, 900000000000000000 + post.post_id)
            for u in range(1, 8):
                user = 1178000000000001000 + u
                choice = post.question.answer if (u + day) % 3 else (post.question.answer + 1) % len(post.question.choices)
                await quiz.answer(g, post.post_id, user, choice, f"member {u} of {g % 10}")
                clock.advance(timedelta(seconds=7))
            clock.advance(timedelta(days=1))
        for u in range(1, 5):
            user = 1178000000000001000 + u
            asked = await service.next_practice_question(guild_id=g, user_id=user, display_name=f"member {u}")
            await service.answer(guild_id=g, post_id=asked.post_id, user_id=user, choice=asked.question.answer, display_name=f"member {u}")
        await store.set_opt_out(g, 1178000000000001003, True)
    # DM practice under guild 0
    asked = await service.next_practice_question(guild_id=0, user_id=42, display_name="dm")
    await service.answer(guild_id=0, post_id=asked.post_id, user_id=42, choice=asked.question.answer, display_name="dm")
    boards = {}
    for g in (*guilds, 0):
        for board in ("daily", "practice"):
            page = await service.leaderboard(g, period="all", board=board, limit=None)
            boards[f"{g}:{board}"] = [[r.rank, str(r.user_id), r.display_name, r.points, r.answered, r.correct, r.streak] for r in page.rows]
    await store.close()
    out_json.write_text(json.dumps({"made_by": "studybot release of 2026-11-27 (commit 8cef45c), schema version 3", "now": clock.now().isoformat(), "boards": boards}, indent=1))
asyncio.run(main())
