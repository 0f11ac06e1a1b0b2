"""Every sentence a member reads, in English and Korean, keyed: one catalogue for every front end.

The console, the Discord cogs and any later front end word their replies only through `tr`.
Both languages carry the same keys (a test checks it); a template's `{name}` fields are filled by
the front end, which quotes user text and formats channel references its own way. Templates use
light Markdown (`**bold**`), which every front end either shows or strips.

Expected errors of the application (`bot.errors.StudyError`, the daily quiz's errors included)
map to keys in `ERROR_KEYS`, the one place where an error code becomes wording; `error_message`
adds the "did you mean" line worded once here. `COMMAND_TEXTS_KO` gives the Korean of the
English command and option descriptions a platform shows in its command picker.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from bot.errors import StudyError

Lang = Literal["en", "ko"]
LANGS: tuple[Lang, ...] = ("en", "ko")
LETTERS = "ABCDEFGHIJ"

# Pause reasons are stored as these codes and worded when shown ("daily.reason.<code>").
REASON_DELETED = "channel_deleted"
REASON_ACCESS = "missing_access"
REASON_NO_QUESTIONS = "no_questions"
REASON_PERMISSION = "missing_permission"  # stored as "missing_permission:<name>,<name>"


def permission_reason(missing: Sequence[str]) -> str:
    """The pause reason code for permissions the bot lacks in a channel (`daily.perm.<name>`)."""
    return f"{REASON_PERMISSION}:{','.join(missing)}" if missing else REASON_ACCESS

MESSAGES: dict[Lang, dict[str, str]] = {
    "en": {
        "define.aliases": "Also known as",
        "define.section": "Section",
        "define.deck": "Deck",
        "define.source": "Source",
        "define.related": "Related",
        "define.quiz_me": "Quiz me on this",

        "search.title": "Search: {query}",
        "search.footer": "{count} hits · page {page}/{pages}",

        "page.previous": "Previous",
        "page.next": "Next",
        "page.not_yours": "These buttons belong to whoever ran the command. Run it yourself to page.",
        "page.expired": "These buttons have expired. Run the command again.",

        "quiz.title": "Practice question",
        "quiz.footer": "{deck} · only you can see this",
        "quiz.correct": "✅ Correct! +{points} points",
        "quiz.incorrect": "❌ Not quite: the answer is **{letter}. {answer}**",
        "quiz.your_choice": "Your answer: {letter}",
        "quiz.explanation": "Explanation",
        "quiz.source": "Source",
        "quiz.next": "Next question",
        "quiz.dm_practice": "Personal practice: in a direct message your answers count on no server's leaderboard.",

        "stats.title": "Study stats: {name}",
        "stats.board.daily": "Daily questions",
        "stats.board.practice": "Practice",
        "stats.line": "Answered **{answered}** · correct **{correct}** · accuracy **{accuracy}**\nPoints **{points}** · streak **{streak}** (best {best})\nRank in this server: **{rank}**",
        "stats.no_rank": "none yet",
        "stats.nothing": "No answers yet.",
        "stats.private": "{name} keeps their study stats private.",
        "stats.missed": "Most missed terms",
        "stats.missed_line": "{term} ({misses}×)",
        "stats.none_missed": "Nothing missed so far.",
        "stats.hide": "Hide me from leaderboards",
        "stats.show": "Show me on leaderboards",
        "stats.hidden": "You are now hidden from this server's leaderboards.",
        "stats.shown": "You are listed on this server's leaderboards again.",

        "board.title": "Leaderboard · {board} · {period}",
        "board.daily": "daily questions",
        "board.practice": "practice",
        "board.week": "this week",
        "board.month": "this month",
        "board.all": "all time",
        "board.row": "`#{rank}` {name}: **{points}** pts · {accuracy}",
        "board.you": "You",
        "board.empty": "Nobody is on this board yet.",
        "board.footer": "{total} members · page {page}/{pages} · opted-out members are hidden",

        "admin.reloaded": "Reloaded the notes: {entries} entries, {questions} questions, {problems} problems.",
        "admin.problems": "Problems",
        "admin.reset_confirm": "This starts a new season: boards and stats start from zero. Every answer is kept in the history. Continue?",
        "admin.reset_yes": "Start a new season",
        "admin.reset_no": "Cancel",
        "admin.reset_done": "A new season has started ({season}).",
        "admin.reset_cancelled": "Cancelled. Nothing changed.",
        "admin.export": "Scores of {count} rows, as CSV.",
        "admin.export_empty": "There are no scores to export yet.",

        "error.nothing_found": "Nothing found for **{query}**.",
        "error.unknown_topic": "There is no deck or section called **{topic}**.",
        "error.no_questions": "There are no questions for that yet.",
        "error.question_gone": "That question no longer exists (the notes changed). Try /quiz again.",
        "error.not_your_question": "That question belongs to someone else. Try /quiz for your own.",
        "error.already_answered": "You already answered this one ({letter}). The first answer counts.",
        "error.answers_closed": "Answers for this question are closed.",
        "error.invalid_choice": "That is not one of the choices.",
        "error.did_you_mean": "Did you mean: {suggestions}?",
        "error.missing_permissions": "You need the Manage Server permission for this.",
        "error.guild_only": "This command works only in a server.",
        "error.check_failed": "You can't use this command here.",
        "error.cooldown": "Slow down: try again in {seconds} s.",
        "error.bad_argument": "**{param}** can't be used here. Pick one of the values Discord offers.",
        "error.unexpected": "Something went wrong (ref {ref}). It has been logged.",
        "error.generic": "That did not work.",
        "error.store_unavailable": "The database is out of reach for a moment, so nothing was saved. Please try again in a minute.",

        "daily.title": "Daily question · {date}",
        "daily.title_seq": "Daily question · {date} · #{seq}",
        "daily.how_title": "How to answer",
        "daily.how": "Pick a letter below. Your first answer counts. The answer is revealed {when}.",
        "daily.revealed_title": "Daily question · {date} · answer",
        "daily.choice_line": "{mark} **{letter}.** {text} · {count} ({share})",
        "daily.answered": "Answers",
        "daily.answered_value": "{count} answered",
        "daily.first_correct": "First correct",
        "daily.nobody_correct": "Nobody got it right this time.",
        "daily.explanation": "Explanation",
        "daily.ack_correct": "✅ Correct! +{points} points · streak {streak}",
        "daily.ack_wrong": "❌ Not quite: the answer is {letter}. {answer}",
        "daily.ack_choice": "Your answer: {letter}",
        "daily.closed": "This question has been revealed, so answers are closed. The answer was **{letter}**.",
        "daily.set_done": "Daily questions in {channel} every day at **{time}** ({zone}).",
        "daily.set_replaced": "This replaces the channel's earlier schedule.",
        "daily.set_topic": "Topic: **{topic}**",
        "daily.set_all_topics": "Topic: every deck",
        "daily.set_questions": "Questions per post: **{count}**",
        "daily.set_reveal_hours": "Answers are revealed {hours} h after each post.",
        "daily.set_reveal_default": "Answers are revealed one hour before the next post.",
        "daily.next_posts": "Next posts",
        "daily.missing_permissions": "I can't run a daily quiz in {channel}: I'm missing **{permissions}** there. Nothing was scheduled.",
        "daily.foreign_channel": "That channel is not in this server. Pick one of this server's text channels.",
        "daily.perm.view_channel": "View Channel",
        "daily.perm.send_messages": "Send Messages",
        "daily.perm.embed_links": "Embed Links",
        "daily.invalid_time": "**{value}** is not a time of day. Use 24-hour HH:MM, e.g. 09:00 or 21:30.",
        "daily.invalid_zone": "**{value}** is not a time zone. Use an IANA name such as Asia/Seoul or UTC.",
        "daily.no_schedule": "There is no daily quiz in this server yet. An admin can start one with /dailyadmin set.",
        "daily.which": "This server has several daily quizzes; run the command in one of their channels: {channels}",
        "daily.no_room": "This schedule already has {limit} questions today. Try again tomorrow.",
        "daily.posted_now": "Posted a question in {channel}. The schedule is unchanged: next post {next}.",
        "daily.post_failed": "I could not post in {channel}; the schedule is paused. Check my permissions there.",
        "daily.post_retry": "Discord did not take the post for {channel} just now. I will keep trying in the background.",
        "daily.stopped": "Stopped the daily quiz in {channel}. Its questions and scores stay.",
        "daily.status_title": "Daily quizzes",
        "daily.status_none": "No daily quiz yet. An admin can start one with /dailyadmin set.",
        "daily.status_line": "{channel} · every day at **{time}** ({zone})\nNext post: {next}\nQuestions left before repeats: **{left}** of {size}",
        "daily.status_topic": "Topic: {topic}",
        "daily.status_paused": "⏸️ Paused: {reason}. Run /dailyadmin set again to resume.",
        "daily.paused_notice": "The daily quiz in {channel} is paused: {reason}. An admin can fix it and run /dailyadmin set again.",
        "daily.reason.channel_deleted": "the channel was deleted",
        "daily.reason.missing_access": "I lost access to the channel or a permission there",
        "daily.reason.no_questions": "its topic has no questions any more",
        "daily.reason.missing_permission": "I am missing a permission there: {permissions}",
        "daily.no_access": "This question's channel is gone or no longer open to you, so your answer was not recorded.",
        "console.help": (
            "/define TERM        look a term up (Korean or English, typos welcome)\n"
            "/search WORDS       search inside definitions\n"
            "/quiz [TOPIC]       a practice question; answer with its letter (A-D)\n"
            "/review [flash|type] your due cards first, then new entries (flashcards, or type the term)\n"
            "/topics             decks and sections you can quiz on\n"
            "/stats [--chart]    your answers, accuracy, points and streaks (--chart saves a PNG chart)\n"
            "/leaderboard [week|month|all] [daily|practice]\n"
            "/help               this list\n"
            "/quit               leave (Ctrl-D works too)\n"
            "Anything without a leading / is looked up, or taken as an answer while a question is open."
        ),
        "console.greeting": "studybot: {terms} terms, {questions} questions from {decks}. Type /help.",
        "console.usage_define": "Usage: /define TERM",
        "console.usage_search": "Usage: /search WORDS",
        "console.unknown_command": "Unknown command /{name}. Type /help for the list.",
        "console.failed": "Something went wrong with that command; the details are in the log.",
        "console.members": "Members: {members}",
        "console.related": "Related: {terms}",
        "console.answer_with_letter": "Answer with a letter.",
        "console.next_hint": "Type /quiz for the next question.",
        "review.title_choice": "Review: multiple choice",
        "review.title_flashcard": "Review: flashcard",
        "review.title_typed": "Review: type the term",
        "review.new_entry": "New entry",
        "review.due_entry": "Due for review",
        "review.status": "Due now: **{due}** · new entries: **{new}** · next due: {next}",
        "review.recall_prompt": "Recall the definition, then show it.",
        "review.show": "Show definition",
        "review.rate_prompt": "How well did you remember it?",
        "review.rating.1": "Again",
        "review.rating.2": "Hard",
        "review.rating.3": "Good",
        "review.rating.4": "Easy",
        "review.rated": "Rated **{rating}**. Next review of this card: {next}.",
        "review.correct": "✅ Correct. Next review of this card: {next}.",
        "review.incorrect": "❌ Not quite: the answer is **{letter}. {answer}** — this card comes back {next}.",
        "review.next": "Next card",
        "review.not_counted": "Reviews count on no leaderboard.",
        "review.counted": "Reviews count on the practice leaderboard here.",
        "review.remind_on": "I will send you one direct message a day at {time} ({zone}) when you have cards due. Turn it off with /review remind:off.",
        "review.remind_off": "Reminders are off. I will not message you.",
        "review.reminder_dm": "You have **{due}** cards due for review. Run /review in the server to study them. (Turn these reminders off with /review remind:off.)",
        "admin.review_counts_on": "Review answers now count on the practice leaderboard.",
        "admin.reload_added": "Added ({count})",
        "admin.reload_removed": "Removed ({count}): no longer reviewed, history kept",
        "admin.reload_changed": "Changed ({count})",
        "admin.reload_due_again": "{cards} cards of changed entries are due again, so members see the new wording.",
        "admin.review_counts_off": "Review answers now count on no leaderboard.",
        "error.nothing_to_review": "Nothing to review right now: you have studied every entry. Next card due: {next}.",
        "time.now": "now",
        "time.minutes": "in {n} min",
        "time.hours": "in {n} h",
        "time.days": "in {n} days",
        "time.none": "none yet",
        "console.review_show_hint": "Type /show to see the definition.",
        "console.review_rate_hint": "Rate it: 1 Again, 2 Hard, 3 Good, 4 Easy.",
        "console.review_next_hint": "Type /review for the next card.",
        "daily.why_title": "Why this question",
        "daily.why_forgetting": "{forgetting} of {seen} members who studied this are likely to have forgotten it.",
        "daily.why_unseen": "{unseen} of {members} members have not studied it yet.",
        "typed.prompt": "Type the term this definition describes.",
        "typed.button": "Type the answer",
        "typed.modal_title": "Type the term",
        "typed.field": "Your answer",
        "typed.exact": "✅ Correct: **{expected}**.",
        "typed.alias": "✅ Correct: **{matched}** is a name of **{expected}**.",
        "typed.typo": "✅ Accepted as **{matched}**: {typos} typo(s), and a name this long allows {allowed}. Expected: **{expected}**.",
        "typed.wrong": "❌ Not quite: the expected answer is **{expected}**.",
        "error.typed_empty": "There is nothing to check in that answer (only spaces, emoji or invisible characters). Nothing was stored; type the term.",
        "error.typed_too_long": "That answer is longer than {limit} characters, too long to be a term. Nothing was stored.",
        "console.typed_hint": "Type the term (anything not starting with /).",
        "console.stats_line": (
            "{board}: {answered} answered, {correct} correct ({accuracy}), {points} points, "
            "streak {streak} (best {best}), rank {rank}"
        ),
        "console.most_missed": "Most missed: {terms}",
        "console.unknown_option": "Unknown option {word}: use week|month|all and daily|practice.",
        "console.board_row": "{rank}. {name}  {points} pts  {accuracy}",
        # Slack: the same features, named as Slack's slash commands spell them.
        "slack.admin_only": "Only workspace admins and owners can do this. Nothing changed.",
        "slack.admin_unknown": "I could not check your role in this workspace just now, so nothing changed. Try again in a moment.",
        "slack.daily_usage": "Usage: `/daily set #channel HH:MM [Area/Zone] [topic]`, `/daily now`, `/daily stop`, `/daily status`.",
        "slack.daily_no_channel": "Name the channel with #, for example `/daily set #study 09:00 Asia/Seoul`.",
        "slack.daily_private_hint": "In a private channel, invite me first (`/invite @studybot`).",
        "slack.no_schedule": "There is no daily quiz in this workspace yet. An admin can start one with `/daily set`.",
        "slack.status_none": "No daily quiz yet. An admin can start one with `/daily set #channel HH:MM`.",
        "slack.status_paused": "⏸️ Paused: {reason}. Run `/daily set` again to resume.",
        "slack.post_retry": "Slack did not take the post for {channel} just now. I will keep trying in the background.",
        "slack.post_failed": "I could not post in {channel}, so the schedule is paused. Invite me to that channel and run `/daily set` again.",
        "slack.working": "On it…",
        "slack.lookup_button": "Look up as you type",
        "slack.lookup_title": "Look up a term",
        "slack.lookup_label": "Term",
        "slack.lookup_placeholder": "Start typing a term, an acronym or 한글",
        "slack.lookup_submit": "Show",
        "slack.lookup_close": "Close",
        "slack.lookup_hint": "Pick a term from the list as you type; Show puts its definition here.",
        "slack.lookup_none": "No term matches that yet.",
        "slack.define_usage": "Usage: `/define TERM`",
        "slack.search_usage": "Usage: `/search WORDS`",
        "slack.define_others": "Not the one? Close matches:",
        "slack.define_pick_prompt": "Nothing matches exactly. Did you mean one of these?",
        "slack.expired": "That button no longer works. Run the command again.",
        "slack.quiz_me": "Quiz me on this",
        "slack.review_usage": "Usage: `/review`, `/review flash`, `/review type`, `/review remind on HH:MM [Area/Zone]`, `/review remind off`.",
        "slack.remind_on": "I will send you one direct message a day at {time} ({zone}) when you have cards due. Turn it off with `/review remind off`.",
        "slack.reminder_dm": "You have **{due}** cards due for review. Run `/review` to study them. (Turn these reminders off with `/review remind off`.)",
        "slack.type_answer": "Type the answer",
        "slack.rank_line": "Rank in this workspace: **{rank}**",
        "slack.stats_chart": "Your last 30 days, as a chart (only you can see it).",
        "slack.hidden": "You are now hidden from this workspace's leaderboards.",
        "slack.podium": "The top 10 as a picture (only you can see it).",
        "slack.shown": "You are listed on this workspace's leaderboards again.",

        # Pictures and exports (bot/present): chart and podium labels, their alt texts, files.
        "chart.title": "{name} · last 30 days",
        "chart.answers": "Answers per day",
        "chart.correct": "Correct",
        "chart.wrong": "Wrong",
        "chart.accuracy": "Accuracy",
        "chart.summary": "Answered {answered} · {accuracy} correct · due in 14 days: {due}",
        "chart.due": "Cards due, next 14 days",
        "chart.today": "today",
        "chart.empty_title": "No answers in the last 30 days",
        "chart.empty_hint": "Answer /quiz or the daily question,\nand your chart starts here.",
        "chart.alt_head": "Study chart of {name} for the last 30 days ({first} to {last}, {zone} time).",
        "chart.alt_answers": "Answered {answered} on {days} of the 30 days, {correct} correct ({accuracy}); busiest day {busiest} ({busiest_count} answered); last 7 days {recent} answered ({recent_accuracy} correct).",
        "chart.alt_no_answers": "No answers in these 30 days.",
        "chart.alt_due": "Cards due in the next 14 days: {due}, {due_today} of them today, the most on {peak} ({peak_count}).",
        "chart.alt_none_due": "No cards are due in the next 14 days.",
        "chart.nothing": "No answers in the last 30 days yet: answer /quiz or the daily question and your chart starts.",
        "chart.saved": "Chart saved to {path}",
        "chart.usage": "Usage: /stats or /stats --chart",
        "podium.title": "Top 10 · {board} · {period}",
        "podium.points": "{points} pts",
        "podium.alt": "Podium card of the {board} board, {period}: {rows}.",
        "podium.alt_row": "{rank}. {name}, {points} points ({accuracy} correct)",
        "podium.alt_empty": "Podium card of the {board} board, {period}: nobody is on it yet.",
        "admin.export_anki": "Anki deck of {entries} notes ({size}). Importing it again updates these notes instead of adding copies.",
        "admin.export_glossary": "Glossary of {entries} entries as CSV (UTF-8).",
        "admin.export_too_big": "The file is {size}, over this server's upload limit of {limit}. Run `studybot export` on the bot's machine instead.",
        "admin.export_no_entries": "The notes have no glossary entries to export.",
    },
    "ko": {
        "define.aliases": "다른 이름",
        "define.section": "섹션",
        "define.deck": "덱",
        "define.source": "출처",
        "define.related": "관련 용어",
        "define.quiz_me": "이 용어로 문제 풀기",

        "search.title": "검색: {query}",
        "search.footer": "결과 {count}개 · {page}/{pages}쪽",

        "page.previous": "이전",
        "page.next": "다음",
        "page.not_yours": "이 버튼은 명령을 실행한 사람만 쓸 수 있어요. 직접 명령을 실행해 보세요.",
        "page.expired": "이 버튼은 만료되었습니다. 명령을 다시 실행해 주세요.",

        "quiz.title": "연습 문제",
        "quiz.footer": "{deck} · 나에게만 보입니다",
        "quiz.correct": "✅ 정답입니다! +{points}점",
        "quiz.incorrect": "❌ 아쉬워요. 정답은 **{letter}. {answer}** 입니다",
        "quiz.your_choice": "내 답: {letter}",
        "quiz.explanation": "해설",
        "quiz.source": "출처",
        "quiz.next": "다음 문제",
        "quiz.dm_practice": "개인 연습: 다이렉트 메시지에서 푼 답은 어떤 서버의 리더보드에도 들어가지 않습니다.",

        "stats.title": "학습 통계: {name}",
        "stats.board.daily": "오늘의 문제",
        "stats.board.practice": "연습",
        "stats.line": "답변 **{answered}** · 정답 **{correct}** · 정답률 **{accuracy}**\n점수 **{points}** · 연속 정답 **{streak}** (최고 {best})\n서버 순위: **{rank}**",
        "stats.no_rank": "아직 없음",
        "stats.nothing": "아직 답변이 없습니다.",
        "stats.private": "{name} 님은 학습 통계를 공개하지 않습니다.",
        "stats.missed": "가장 많이 틀린 용어",
        "stats.missed_line": "{term} ({misses}회)",
        "stats.none_missed": "아직 틀린 용어가 없습니다.",
        "stats.hide": "리더보드에서 숨기기",
        "stats.show": "리더보드에 표시하기",
        "stats.hidden": "이제 이 서버의 리더보드에 표시되지 않습니다.",
        "stats.shown": "이 서버의 리더보드에 다시 표시됩니다.",

        "board.title": "리더보드 · {board} · {period}",
        "board.daily": "오늘의 문제",
        "board.practice": "연습",
        "board.week": "이번 주",
        "board.month": "이번 달",
        "board.all": "전체 기간",
        "board.row": "`#{rank}` {name}: **{points}**점 · {accuracy}",
        "board.you": "나",
        "board.empty": "아직 이 리더보드에 아무도 없습니다.",
        "board.footer": "{total}명 · {page}/{pages}쪽 · 숨김을 선택한 멤버는 표시되지 않습니다",

        "admin.reloaded": "노트를 다시 읽었습니다: 용어 {entries}개, 문제 {questions}개, 문제점 {problems}개.",
        "admin.problems": "문제점",
        "admin.reset_confirm": "새 시즌을 시작합니다: 리더보드와 통계가 0부터 다시 시작합니다. 모든 답변은 기록에 남습니다. 계속할까요?",
        "admin.reset_yes": "새 시즌 시작",
        "admin.reset_no": "취소",
        "admin.reset_done": "새 시즌이 시작되었습니다 ({season}).",
        "admin.reset_cancelled": "취소했습니다. 바뀐 것은 없습니다.",
        "admin.export": "점수 {count}행을 CSV로 내보냅니다.",
        "admin.export_empty": "아직 내보낼 점수가 없습니다.",

        "error.nothing_found": "**{query}**에 대한 결과가 없습니다.",
        "error.unknown_topic": "**{topic}**(이)라는 덱이나 섹션이 없습니다.",
        "error.no_questions": "아직 그 주제의 문제가 없습니다.",
        "error.question_gone": "이 문제는 더 이상 없습니다 (노트가 바뀌었어요). /quiz로 다시 시작해 보세요.",
        "error.not_your_question": "다른 사람의 문제입니다. /quiz로 내 문제를 받아 보세요.",
        "error.already_answered": "이미 답했습니다 ({letter}). 첫 번째 답만 인정됩니다.",
        "error.answers_closed": "이 문제는 답변이 마감되었습니다.",
        "error.invalid_choice": "보기에 없는 답입니다.",
        "error.did_you_mean": "혹시 이것을 찾으셨나요: {suggestions}?",
        "error.missing_permissions": "서버 관리 권한이 있어야 쓸 수 있습니다.",
        "error.guild_only": "이 명령은 서버에서만 쓸 수 있습니다.",
        "error.check_failed": "여기서는 이 명령을 쓸 수 없습니다.",
        "error.cooldown": "조금 천천히요: {seconds}초 뒤에 다시 해 보세요.",
        "error.bad_argument": "**{param}**은(는) 여기에 쓸 수 없습니다. Discord가 보여 주는 값 중에서 골라 주세요.",
        "error.unexpected": "문제가 생겼습니다 (ref {ref}). 기록해 두었습니다.",
        "error.generic": "처리하지 못했습니다.",
        "error.store_unavailable": "데이터베이스에 잠시 연결할 수 없어 아무것도 저장하지 않았습니다. 잠시 후 다시 시도해 주세요.",

        "daily.title": "오늘의 문제 · {date}",
        "daily.title_seq": "오늘의 문제 · {date} · #{seq}",
        "daily.how_title": "답하는 법",
        "daily.how": "아래에서 답을 고르세요. 첫 번째 답만 인정됩니다. 정답은 {when} 공개됩니다.",
        "daily.revealed_title": "오늘의 문제 · {date} · 정답",
        "daily.choice_line": "{mark} **{letter}.** {text} · {count}명 ({share})",
        "daily.answered": "참여",
        "daily.answered_value": "{count}명 답변",
        "daily.first_correct": "먼저 맞힌 사람",
        "daily.nobody_correct": "이번에는 맞힌 사람이 없습니다.",
        "daily.explanation": "해설",
        "daily.ack_correct": "✅ 정답입니다! +{points}점 · 연속 {streak}",
        "daily.ack_wrong": "❌ 아쉬워요. 정답은 {letter}. {answer}",
        "daily.ack_choice": "내 답: {letter}",
        "daily.closed": "정답이 이미 공개되어 답변이 마감되었습니다. 정답은 **{letter}** 였습니다.",
        "daily.set_done": "{channel} 채널에 매일 **{time}** ({zone}) 문제를 올립니다.",
        "daily.set_replaced": "이 채널의 기존 일정을 대신합니다.",
        "daily.set_topic": "주제: **{topic}**",
        "daily.set_all_topics": "주제: 모든 덱",
        "daily.set_questions": "한 번에 올릴 문제 수: **{count}**",
        "daily.set_reveal_hours": "정답은 게시 {hours}시간 뒤에 공개됩니다.",
        "daily.set_reveal_default": "정답은 다음 게시 한 시간 전에 공개됩니다.",
        "daily.next_posts": "다음 게시",
        "daily.missing_permissions": "{channel} 채널에서 오늘의 문제를 올릴 수 없습니다: **{permissions}** 권한이 없습니다. 일정을 만들지 않았습니다.",
        "daily.foreign_channel": "이 서버의 채널이 아닙니다. 이 서버의 텍스트 채널을 골라 주세요.",
        "daily.perm.view_channel": "채널 보기",
        "daily.perm.send_messages": "메시지 보내기",
        "daily.perm.embed_links": "링크 첨부",
        "daily.invalid_time": "**{value}**은(는) 올바른 시각이 아닙니다. 24시간제 HH:MM으로 적어 주세요 (예: 09:00, 21:30).",
        "daily.invalid_zone": "**{value}**은(는) 시간대가 아닙니다. Asia/Seoul, UTC 같은 IANA 이름을 쓰세요.",
        "daily.no_schedule": "이 서버에는 아직 오늘의 문제가 없습니다. 관리자가 /dailyadmin set으로 시작할 수 있습니다.",
        "daily.which": "이 서버에는 오늘의 문제 일정이 여러 개 있습니다. 해당 채널에서 명령을 실행하세요: {channels}",
        "daily.no_room": "이 일정은 오늘 이미 {limit}문제를 올렸습니다. 내일 다시 해 보세요.",
        "daily.posted_now": "{channel} 채널에 문제를 올렸습니다. 일정은 그대로입니다: 다음 게시 {next}.",
        "daily.post_failed": "{channel} 채널에 올리지 못해 일정을 멈췄습니다. 그 채널의 권한을 확인해 주세요.",
        "daily.post_retry": "Discord가 지금은 {channel} 채널의 게시를 받지 않았습니다. 잠시 뒤에 다시 시도합니다.",
        "daily.stopped": "{channel} 채널의 오늘의 문제를 멈췄습니다. 지난 문제와 점수는 남아 있습니다.",
        "daily.status_title": "오늘의 문제 일정",
        "daily.status_none": "아직 오늘의 문제 일정이 없습니다. 관리자가 /dailyadmin set으로 시작할 수 있습니다.",
        "daily.status_line": "{channel} · 매일 **{time}** ({zone})\n다음 게시: {next}\n반복 전까지 남은 문제: **{left}** / {size}",
        "daily.status_topic": "주제: {topic}",
        "daily.status_paused": "⏸️ 일시 중지: {reason}. /dailyadmin set을 다시 실행하면 재개됩니다.",
        "daily.paused_notice": "{channel} 채널의 오늘의 문제가 멈췄습니다: {reason}. 관리자가 문제를 고친 뒤 /dailyadmin set을 다시 실행해 주세요.",
        "daily.reason.channel_deleted": "채널이 삭제되었습니다",
        "daily.reason.missing_access": "채널 접근 권한이나 필요한 권한을 잃었습니다",
        "daily.reason.no_questions": "주제에 더 이상 문제가 없습니다",
        "daily.reason.missing_permission": "그 채널에서 필요한 권한이 없습니다: {permissions}",
        "daily.no_access": "이 문제의 채널이 없어졌거나 더 이상 볼 수 없어서 답을 기록하지 않았습니다.",
        "console.help": (
            "/define 용어        용어 찾기 (한글, 영어, 오타도 괜찮아요)\n"
            "/search 단어        정의 본문에서 검색\n"
            "/quiz [주제]        연습 문제; 보기의 글자(A-D)로 답하세요\n"
            "/review [flash|type] 복습할 카드 먼저, 그다음 새 항목 (플래시카드, 또는 용어 입력)\n"
            "/topics             문제를 풀 수 있는 덱과 섹션\n"
            "/stats [--chart]    내 답변, 정답률, 점수, 연속 정답 (--chart는 PNG 차트를 저장)\n"
            "/leaderboard [week|month|all] [daily|practice]\n"
            "/help               이 목록\n"
            "/quit               나가기 (Ctrl-D도 됩니다)\n"
            "/ 없이 입력하면 용어를 찾고, 문제가 열려 있으면 답으로 받습니다."
        ),
        "console.greeting": "studybot: 용어 {terms}개, 문제 {questions}개 ({decks}). /help를 입력해 보세요.",
        "console.usage_define": "사용법: /define 용어",
        "console.usage_search": "사용법: /search 단어",
        "console.unknown_command": "/{name}(이)라는 명령은 없습니다. /help로 목록을 보세요.",
        "console.failed": "명령을 처리하지 못했습니다. 자세한 내용은 로그에 있습니다.",
        "console.members": "구성 요소: {members}",
        "console.related": "관련 용어: {terms}",
        "console.answer_with_letter": "보기의 글자로 답하세요.",
        "console.next_hint": "다음 문제는 /quiz 입니다.",
        "review.title_choice": "복습: 객관식",
        "review.title_flashcard": "복습: 플래시카드",
        "review.title_typed": "복습: 용어 입력",
        "review.new_entry": "새 항목",
        "review.due_entry": "복습할 차례",
        "review.status": "지금 복습할 카드: **{due}** · 새 항목: **{new}** · 다음 복습: {next}",
        "review.recall_prompt": "정의를 떠올려 본 뒤 확인하세요.",
        "review.show": "정의 보기",
        "review.rate_prompt": "얼마나 잘 기억했나요?",
        "review.rating.1": "다시",
        "review.rating.2": "어려움",
        "review.rating.3": "알맞음",
        "review.rating.4": "쉬움",
        "review.rated": "**{rating}**(으)로 평가했습니다. 이 카드의 다음 복습: {next}.",
        "review.correct": "✅ 정답입니다. 이 카드의 다음 복습: {next}.",
        "review.incorrect": "❌ 아쉬워요. 정답은 **{letter}. {answer}** 입니다. 이 카드는 {next} 다시 나옵니다.",
        "review.next": "다음 카드",
        "review.not_counted": "복습은 어떤 순위표에도 반영되지 않습니다.",
        "review.counted": "이 서버에서는 복습이 연습 순위표에 반영됩니다.",
        "review.remind_on": "카드가 복습할 때가 되면 하루 한 번 {time}({zone})에 DM을 보내 드릴게요. 끄려면 /review remind:off.",
        "review.remind_off": "알림을 껐습니다. 더 이상 메시지를 보내지 않습니다.",
        "review.reminder_dm": "복습할 카드가 **{due}**장 있습니다. 서버에서 /review 로 공부하세요. (알림 끄기: /review remind:off)",
        "admin.review_counts_on": "이제 복습 답변이 연습 순위표에 반영됩니다.",
        "admin.reload_added": "추가됨 ({count})",
        "admin.reload_removed": "삭제됨 ({count}): 더 이상 복습하지 않으며 기록은 남습니다",
        "admin.reload_changed": "바뀜 ({count})",
        "admin.reload_due_again": "정의가 바뀐 항목의 카드 {cards}장을 다시 복습하도록 했습니다. 새 설명을 보게 됩니다.",
        "admin.review_counts_off": "이제 복습 답변은 어떤 순위표에도 반영되지 않습니다.",
        "error.nothing_to_review": "지금은 복습할 것이 없습니다. 모든 항목을 공부했어요. 다음 복습: {next}.",
        "time.now": "지금",
        "time.minutes": "{n}분 후",
        "time.hours": "{n}시간 후",
        "time.days": "{n}일 후",
        "time.none": "아직 없음",
        "console.review_show_hint": "정의를 보려면 /show 를 입력하세요.",
        "console.review_rate_hint": "평가하세요: 1 다시, 2 어려움, 3 알맞음, 4 쉬움.",
        "console.review_next_hint": "다음 카드는 /review 입니다.",
        "daily.why_title": "이 문제를 고른 이유",
        "daily.why_forgetting": "이 용어를 공부한 멤버 {seen}명 중 {forgetting}명이 잊어버렸을 가능성이 높습니다.",
        "daily.why_unseen": "멤버 {members}명 중 {unseen}명은 아직 공부하지 않았습니다.",
        "typed.prompt": "이 정의가 설명하는 용어를 입력하세요.",
        "typed.button": "답 입력",
        "typed.modal_title": "용어 입력",
        "typed.field": "내 답",
        "typed.exact": "✅ 정답입니다: **{expected}**.",
        "typed.alias": "✅ 정답입니다: **{matched}**(은)는 **{expected}**의 다른 이름입니다.",
        "typed.typo": "✅ **{matched}**(으)로 인정했습니다: 오타 {typos}개, 이 길이의 이름은 {allowed}개까지 허용합니다. 정답: **{expected}**.",
        "typed.wrong": "❌ 아쉬워요. 정답은 **{expected}** 입니다.",
        "error.typed_empty": "확인할 내용이 없습니다 (공백, 이모지 또는 보이지 않는 문자뿐). 저장하지 않았습니다. 용어를 입력하세요.",
        "error.typed_too_long": "답이 {limit}자보다 길어 용어일 수 없습니다. 저장하지 않았습니다.",
        "console.typed_hint": "용어를 입력하세요 (/로 시작하지 않는 아무 글).",
        "console.stats_line": (
            "{board}: 답변 {answered}, 정답 {correct} ({accuracy}), {points}점, "
            "연속 정답 {streak} (최고 {best}), 순위 {rank}"
        ),
        "console.most_missed": "가장 많이 틀린 용어: {terms}",
        "console.unknown_option": "{word}(은)는 쓸 수 없는 값입니다: week|month|all 과 daily|practice 중에서 고르세요.",
        "console.board_row": "{rank}. {name}  {points}점  {accuracy}",
        "slack.admin_only": "워크스페이스 관리자와 소유자만 할 수 있습니다. 바뀐 것은 없습니다.",
        "slack.admin_unknown": "지금은 이 워크스페이스에서의 역할을 확인하지 못해 아무것도 바꾸지 않았습니다. 잠시 뒤에 다시 해 보세요.",
        "slack.daily_usage": "사용법: `/daily set #채널 HH:MM [지역/도시] [주제]`, `/daily now`, `/daily stop`, `/daily status`.",
        "slack.daily_no_channel": "채널을 #으로 적어 주세요. 예: `/daily set #study 09:00 Asia/Seoul`.",
        "slack.daily_private_hint": "비공개 채널이면 먼저 저를 초대해 주세요 (`/invite @studybot`).",
        "slack.no_schedule": "이 워크스페이스에는 아직 오늘의 문제가 없습니다. 관리자가 `/daily set`으로 시작할 수 있습니다.",
        "slack.status_none": "아직 오늘의 문제 일정이 없습니다. 관리자가 `/daily set #채널 HH:MM`으로 시작할 수 있습니다.",
        "slack.status_paused": "⏸️ 일시 중지: {reason}. `/daily set`을 다시 실행하면 재개됩니다.",
        "slack.post_retry": "Slack이 지금은 {channel} 채널의 게시를 받지 않았습니다. 잠시 뒤에 다시 시도합니다.",
        "slack.post_failed": "{channel} 채널에 올리지 못해 일정을 멈췄습니다. 그 채널에 저를 초대한 뒤 `/daily set`을 다시 실행해 주세요.",
        "slack.working": "처리 중…",
        "slack.lookup_button": "입력하며 찾기",
        "slack.lookup_title": "용어 찾기",
        "slack.lookup_label": "용어",
        "slack.lookup_placeholder": "용어, 약어 또는 한글을 입력하세요",
        "slack.lookup_submit": "보기",
        "slack.lookup_close": "닫기",
        "slack.lookup_hint": "입력하면서 목록에서 용어를 고르세요. 보기를 누르면 여기에 정의가 나옵니다.",
        "slack.lookup_none": "아직 맞는 용어가 없습니다.",
        "slack.define_usage": "사용법: `/define 용어`",
        "slack.search_usage": "사용법: `/search 단어`",
        "slack.define_others": "찾던 것이 아닌가요? 비슷한 용어:",
        "slack.define_pick_prompt": "정확히 맞는 용어가 없습니다. 혹시 이것을 찾으셨나요?",
        "slack.expired": "이 버튼은 더 이상 쓸 수 없습니다. 명령을 다시 실행해 주세요.",
        "slack.quiz_me": "이 용어로 문제 풀기",
        "slack.review_usage": "사용법: `/review`, `/review flash`, `/review type`, `/review remind on HH:MM [지역/도시]`, `/review remind off`.",
        "slack.remind_on": "카드가 복습할 때가 되면 하루 한 번 {time}({zone})에 DM을 보내 드릴게요. 끄려면 `/review remind off`.",
        "slack.reminder_dm": "복습할 카드가 **{due}**장 있습니다. `/review`로 공부하세요. (알림 끄기: `/review remind off`)",
        "slack.type_answer": "답 입력",
        "slack.rank_line": "워크스페이스 순위: **{rank}**",
        "slack.stats_chart": "최근 30일 차트입니다 (나에게만 보입니다).",
        "slack.hidden": "이제 이 워크스페이스의 리더보드에 표시되지 않습니다.",
        "slack.podium": "상위 10명 그림입니다 (나에게만 보입니다).",
        "slack.shown": "이 워크스페이스의 리더보드에 다시 표시됩니다.",

        "chart.title": "{name} · 최근 30일",
        "chart.answers": "하루 답변 수",
        "chart.correct": "정답",
        "chart.wrong": "오답",
        "chart.accuracy": "정답률",
        "chart.summary": "답변 {answered}개 · 정답률 {accuracy} · 14일 안에 복습할 카드 {due}장",
        "chart.due": "복습할 카드 · 앞으로 14일",
        "chart.today": "오늘",
        "chart.empty_title": "최근 30일 동안 답변이 없습니다",
        "chart.empty_hint": "/quiz나 오늘의 문제에 답하면\n여기에서 차트가 시작됩니다.",
        "chart.alt_head": "{name} 님의 최근 30일 학습 차트 ({first}~{last}, {zone} 기준).",
        "chart.alt_answers": "30일 중 {days}일 동안 {answered}개 답변, 정답 {correct}개 ({accuracy}). 가장 많이 답한 날은 {busiest} ({busiest_count}개). 최근 7일 답변 {recent}개 (정답률 {recent_accuracy}).",
        "chart.alt_no_answers": "이 30일 동안 답변이 없습니다.",
        "chart.alt_due": "앞으로 14일 동안 복습할 카드 {due}장: 오늘 {due_today}장, 가장 많은 날은 {peak} ({peak_count}장).",
        "chart.alt_none_due": "앞으로 14일 동안 복습할 카드가 없습니다.",
        "chart.nothing": "최근 30일 동안 답변이 없습니다. /quiz나 오늘의 문제에 답하면 차트가 시작됩니다.",
        "chart.saved": "차트를 {path}에 저장했습니다.",
        "chart.usage": "사용법: /stats 또는 /stats --chart",
        "podium.title": "상위 10명 · {board} · {period}",
        "podium.points": "{points}점",
        "podium.alt": "{board} 리더보드({period}) 시상대 카드: {rows}.",
        "podium.alt_row": "{rank}위 {name}, {points}점 (정답률 {accuracy})",
        "podium.alt_empty": "{board} 리더보드({period}) 시상대 카드: 아직 아무도 없습니다.",
        "admin.export_anki": "Anki 덱: 노트 {entries}개 ({size}). 다시 가져오면 복사본이 생기지 않고 이 노트들이 업데이트됩니다.",
        "admin.export_glossary": "용어집 {entries}개 항목, CSV (UTF-8).",
        "admin.export_too_big": "파일 크기가 {size}로 이 서버의 업로드 한도 {limit}를 넘습니다. 봇이 도는 컴퓨터에서 `studybot export`를 실행하세요.",
        "admin.export_no_entries": "내보낼 용어집 항목이 없습니다.",
    },
}

# English description of a command or option -> Korean (each 1-100 characters; tests check both).
COMMAND_TEXTS_KO: dict[str, str] = {
    "Review your due cards, then new entries": "복습할 카드를 먼저, 그다음 새 항목을 봅니다",

    "Multiple choice, flashcard (rate yourself) or type the term": "객관식, 플래시카드(스스로 평가) 또는 용어 입력",

    "Type the term": "용어 입력",

    "A daily reminder when you have cards due: on or off": "복습할 카드가 있을 때 하루 한 번 알림: 켜기 또는 끄기",

    "Reminder time, 24-hour HH:MM (default 09:00)": "알림 시각, 24시간제 HH:MM (기본 09:00)",

    "Time zone of the reminder (default: the server's)": "알림 시간대 (기본: 서버 시간대)",

    "on": "켜기",

    "off": "끄기",

    "Multiple choice": "객관식",

    "Flashcard": "플래시카드",

    "Whether review answers count on the practice leaderboard": "복습 답변을 연습 순위표에 반영할지 정합니다",

    "On: reviews count; off: they count nowhere": "켜기: 반영; 끄기: 어디에도 반영하지 않음",

    "Look up a term in the study notes": "학습 노트에서 용어를 찾아봅니다",

    "A term, an acronym or its Korean spelling": "용어, 약어 또는 한글 표기",

    "Search inside the definitions": "정의 본문에서 단어를 검색합니다",

    "Words to look for": "찾을 단어",

    "Get a personal practice question": "나만 보는 연습 문제를 받습니다",

    "A deck or section to practise (optional)": "연습할 덱이나 섹션 (선택)",

    "Show study stats for you or another member": "나 또는 다른 멤버의 학습 통계를 봅니다",

    "Whose stats to show (default: you)": "통계를 볼 멤버 (기본: 나)",

    "Show this server's leaderboard": "이 서버의 리더보드를 봅니다",

    "This week, this month or all time": "이번 주, 이번 달 또는 전체 기간",

    "Daily questions or practice": "오늘의 문제 또는 연습 문제",

    "Study bot administration": "스터디 봇 관리",

    "Re-read the notes and report problems": "노트를 다시 읽고 문제를 보고합니다",

    "Start a new season (answers are kept)": "새 시즌을 시작합니다 (답변 기록은 유지)",

    "Export everyone's scores as CSV": "모든 멤버의 점수를 CSV 파일로 내보냅니다",

    "Export the scores, the glossary or an Anki deck": "점수, 용어집 또는 Anki 덱을 내보냅니다",
    "What to export (default: scores as CSV)": "내보낼 것 (기본: 점수 CSV)",
    "scores (CSV)": "점수 (CSV)",
    "glossary (CSV)": "용어집 (CSV)",
    "Anki deck (.apkg)": "Anki 덱 (.apkg)",
    "Attach a picture of the top 10": "상위 10명 그림을 붙입니다",

    "Daily channel quiz": "채널 오늘의 문제",
    "Run the daily channel quiz": "채널 오늘의 문제 운영",

    "Post a daily question in a channel": "채널에 매일 문제를 올립니다",

    "The channel for the daily question": "오늘의 문제를 올릴 채널",

    "Time of day, 24-hour HH:MM": "게시 시각 (24시간제 HH:MM)",

    "IANA time zone (default: the server's)": "IANA 시간대 (기본: 서버 설정)",

    "A deck or section (default: all)": "덱 또는 섹션 (기본: 전체)",

    "Questions per post (1-5)": "한 번에 올릴 문제 수 (1-5)",

    "Hours until the answer is shown (default: 1 h before the next post)": "정답 공개까지 시간 (기본: 다음 게시 1시간 전)",

    "Post the next daily question now": "다음 문제를 지금 올립니다",

    "Stop the daily question (history stays)": "오늘의 문제를 멈춥니다 (기록은 유지)",

    "Show this server's daily questions": "이 서버의 오늘의 문제 일정을 봅니다",

    "this week": "이번 주",

    "this month": "이번 달",

    "all time": "전체 기간",

    "daily": "오늘의 문제",

    "practice": "연습",
}

# StudyError code -> catalogue key. An error whose code is missing here reads "error.generic".
ERROR_KEYS: dict[str, str] = {
    "nothing_found": "error.nothing_found",
    "unknown_topic": "error.unknown_topic",
    "no_questions": "error.no_questions",
    "question_gone": "error.question_gone",
    "not_your_question": "error.not_your_question",
    "already_answered": "error.already_answered",
    "answers_closed": "error.answers_closed",
    "invalid_choice": "error.invalid_choice",
    "nothing_to_review": "error.nothing_to_review",
    "typed_empty": "error.typed_empty",
    "typed_too_long": "error.typed_too_long",
    "daily_invalid_time": "daily.invalid_time",
    "daily_invalid_zone": "daily.invalid_zone",
    "daily_no_schedule": "daily.no_schedule",
    "daily_which_schedule": "daily.which",
    "daily_no_room": "daily.no_room",
    "store_unavailable": "error.store_unavailable",
}


def lang_of(locale: str | None) -> Lang:
    """Korean for a `ko` locale (`ko`, `ko-KR`, `ko_KR.UTF-8`), English for anything else."""
    return "ko" if locale is not None and locale[:2].lower() == "ko" else "en"


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def tr(lang: Lang, key: str, /, **params: Any) -> str:
    """The sentence `key` in `lang` (English when Korean lacks it), formatted with `params`.

    A field the caller did not give stays empty rather than raising: a missing detail must not
    turn a reply into an error.
    """
    template = MESSAGES.get(lang, {}).get(key) or MESSAGES["en"].get(key) or key
    return string.Formatter().vformat(template, (), _Blank(params))


def letter(index: int) -> str:
    """The letter of a choice (A, B, ...); past J, its 1-based number."""
    return LETTERS[index] if 0 <= index < len(LETTERS) else str(index + 1)


WEEKDAYS: dict[Lang, tuple[str, ...]] = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "ko": ("월", "화", "수", "목", "금", "토", "일"),
}


def wall_time(when: datetime, zone: str, lang: Lang) -> str:
    """An instant as the zone's clocks show it: 'Tue 2026-03-10 09:00 EDT', '2026-03-10 (화) 09:00 KST'."""
    local = when.astimezone(ZoneInfo(zone))
    day = WEEKDAYS[lang][local.weekday()]
    abbreviation = local.strftime("%Z")
    if lang == "ko":
        return f"{local:%Y-%m-%d} ({day}) {local:%H:%M} {abbreviation}"
    return f"{day} {local:%Y-%m-%d %H:%M} {abbreviation}"


def percent(correct: int, answered: int) -> str:
    return f"{correct / answered:.0%}" if answered else "—"


def file_size(size: int) -> str:
    """A file size for people: "840 B", "52 KB", "3.4 MB" (powers of 1024, as upload limits are)."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def wait_text(seconds: float | None, lang: Lang) -> str:
    """How long until something is due, in words: "now", "in 12 min", "in 3 h", "in 4 days";
    None (nothing scheduled) is "none yet"."""
    if seconds is None:
        return tr(lang, "time.none")
    if seconds <= 30:
        return tr(lang, "time.now")
    minutes = round(seconds / 60)
    if minutes < 60:
        return tr(lang, "time.minutes", n=max(1, minutes))
    hours = round(seconds / 3600)
    if hours < 48:
        return tr(lang, "time.hours", n=hours)
    return tr(lang, "time.days", n=round(seconds / 86400))


def typed_verdict_text(verdict: Any, lang: Lang, *, quote: Callable[[str], str] = str) -> str:
    """A typed answer's verdict (`bot.engine.typed.TypedVerdict`): right or wrong, what was
    expected, and for a near miss which name it was taken for and why."""
    return tr(lang, f"typed.{verdict.match}", expected=quote(verdict.expected),
              matched=quote(verdict.matched or ""), typos=verdict.typos, allowed=verdict.allowed)


def why_chosen(members: int, seen: int, forgetting: int, lang: Lang) -> str:
    """Why the daily quiz asked this: how many of those who studied it are likely to have
    forgotten it, and how many have not studied it yet; empty when there is nothing to say."""
    lines = []
    if seen and forgetting:
        lines.append(tr(lang, "daily.why_forgetting", forgetting=forgetting, seen=seen))
    if members > seen:
        lines.append(tr(lang, "daily.why_unseen", unseen=members - seen, members=members))
    return "\n".join(lines)


def pause_reason(reason: str | None, lang: Lang, *, quote: Callable[[str], str] = str) -> str:
    """A stored pause reason in words; an unknown one is shown as stored, quoted."""
    code, _, names = (reason or "").partition(":")
    if code == REASON_PERMISSION and names:
        perms = [f"daily.perm.{n}" for n in names.split(",")]
        if all(p in MESSAGES["en"] for p in perms):
            return tr(lang, "daily.reason.missing_permission", permissions=", ".join(tr(lang, p) for p in perms))
    key = f"daily.reason.{reason}"
    return tr(lang, key) if key in MESSAGES["en"] else quote(reason or "?")


def error_message(
    error: StudyError,
    lang: Lang,
    *,
    quote: Callable[[str], str] = str,
    channel: Callable[[str], str] = str,
) -> str:
    """An expected error as one reply, with "did you mean" suggestions when it carries any.

    `quote` makes user text safe for the front end (escaping, shortening); `channel` turns a
    channel id into the front end's reference to it.
    """
    params: dict[str, Any] = {}
    for key, value in error.params.items():
        params[key] = quote(value) if isinstance(value, str) else value
    if isinstance(error.params.get("choice"), int):
        params["letter"] = letter(error.params["choice"])
    if "wait" in error.params:
        params["next"] = wait_text(error.params["wait"], lang)
    if "channel_ids" in error.params:
        params["channels"] = ", ".join(channel(str(c)) for c in error.params["channel_ids"] or ())
    text = tr(lang, ERROR_KEYS.get(error.code, "error.generic"), **params)
    return text + did_you_mean(error.params.get("suggestions") or (), lang, quote=quote)


def did_you_mean(suggestions: Iterable[object], lang: Lang, *, quote: Callable[[str], str] = str) -> str:
    """"\nDid you mean: a, b?" for up to five suggestions, or nothing."""
    names = [quote(s) for s in suggestions if isinstance(s, str)][:5]
    return "\n" + tr(lang, "error.did_you_mean", suggestions=", ".join(names)) if names else ""
