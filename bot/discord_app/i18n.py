"""English and Korean: command descriptions for Discord's client, and every reply the bot writes.

Command and option names stay English. Their descriptions are `locale_str`s whose English text is
the key into `KO_COMMANDS`; `StudyTranslator` hands Discord the Korean when it syncs. Replies
follow `interaction.locale`: Korean for `ko`, English for everything else.
"""

from __future__ import annotations

import string
from typing import Any, Literal

import discord
from discord import app_commands

Lang = Literal["en", "ko"]
LETTERS = "ABCDEFGHIJ"

# English description -> Korean description (each 1-100 characters; tests check both).
_NAME_LOCATIONS = frozenset({
    app_commands.TranslationContextLocation.command_name,
    app_commands.TranslationContextLocation.group_name,
    app_commands.TranslationContextLocation.parameter_name,
})

KO_COMMANDS: dict[str, str] = {
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
    "Daily channel quiz": "채널 오늘의 문제",
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
    # option choices
    "this week": "이번 주",
    "this month": "이번 달",
    "all time": "전체 기간",
    "daily": "오늘의 문제",
    "practice": "연습",
}

MESSAGES: dict[Lang, dict[str, str]] = {
    "en": {
        # /define
        "define.aliases": "Also known as",
        "define.section": "Section",
        "define.deck": "Deck",
        "define.source": "Source",
        "define.related": "Related",
        "define.quiz_me": "Quiz me on this",
        # /search
        "search.title": "Search: {query}",
        "search.footer": "{count} hits · page {page}/{pages}",
        # pagination
        "page.previous": "Previous",
        "page.next": "Next",
        "page.not_yours": "These buttons belong to whoever ran the command. Run it yourself to page.",
        # /quiz
        "quiz.title": "Practice question",
        "quiz.footer": "{deck} · only you can see this",
        "quiz.correct": "✅ Correct! +{points} points",
        "quiz.incorrect": "❌ Not quite: the answer is **{letter}. {answer}**",
        "quiz.your_choice": "Your answer: {letter}",
        "quiz.explanation": "Explanation",
        "quiz.source": "Source",
        "quiz.next": "Next question",
        # /stats
        "stats.title": "Study stats: {name}",
        "stats.board.daily": "Daily questions",
        "stats.board.practice": "Practice",
        "stats.line": (
            "Answered **{answered}** · correct **{correct}** · accuracy **{accuracy}**\n"
            "Points **{points}** · streak **{streak}** (best {best})\n"
            "Rank in this server: **{rank}**"
        ),
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
        # /leaderboard
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
        # /studyadmin
        "admin.reloaded": "Reloaded the notes: {entries} entries, {questions} questions, {problems} problems.",
        "admin.problems": "Problems",
        "admin.reset_confirm": (
            "This starts a new season: boards and stats start from zero. "
            "Every answer is kept in the history. Continue?"
        ),
        "admin.reset_yes": "Start a new season",
        "admin.reset_no": "Cancel",
        "admin.reset_done": "A new season has started ({season}).",
        "admin.reset_cancelled": "Cancelled. Nothing changed.",
        "admin.export": "Scores of {count} rows, as CSV.",
        "admin.export_empty": "There are no scores to export yet.",
        # expected errors (StudyError codes)
        "error.nothing_found": "Nothing found for **{query}**.",
        "error.unknown_topic": "There is no deck or section called **{topic}**.",
        "error.no_questions": "There are no questions for that yet.",
        "error.question_gone": "That question no longer exists (the notes changed). Try /quiz again.",
        "error.not_your_question": "That question belongs to someone else. Try /quiz for your own.",
        "error.already_answered": "You already answered this one ({letter}). The first answer counts.",
        "error.answers_closed": "Answers for this question are closed.",
        "error.invalid_choice": "That is not one of the choices.",
        "error.did_you_mean": "Did you mean: {suggestions}?",
        # front-end errors
        "error.missing_permissions": "You need the Manage Server permission for this.",
        "error.guild_only": "This command works only in a server.",
        "error.check_failed": "You can't use this command here.",
        "error.cooldown": "Slow down: try again in {seconds} s.",
        "error.bad_argument": "**{param}** can't be used here. Pick one of the values Discord offers.",
        "error.unexpected": "Something went wrong (ref {ref}). It has been logged.",
        "error.generic": "That did not work.",
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
        "quiz.title": "연습 문제",
        "quiz.footer": "{deck} · 나에게만 보입니다",
        "quiz.correct": "✅ 정답입니다! +{points}점",
        "quiz.incorrect": "❌ 아쉬워요. 정답은 **{letter}. {answer}** 입니다",
        "quiz.your_choice": "내 답: {letter}",
        "quiz.explanation": "해설",
        "quiz.source": "출처",
        "quiz.next": "다음 문제",
        "stats.title": "학습 통계: {name}",
        "stats.board.daily": "오늘의 문제",
        "stats.board.practice": "연습",
        "stats.line": (
            "답변 **{answered}** · 정답 **{correct}** · 정답률 **{accuracy}**\n"
            "점수 **{points}** · 연속 정답 **{streak}** (최고 {best})\n"
            "서버 순위: **{rank}**"
        ),
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
        "admin.reset_confirm": (
            "새 시즌을 시작합니다: 리더보드와 통계가 0부터 다시 시작합니다. "
            "모든 답변은 기록에 남습니다. 계속할까요?"
        ),
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
    },
}


def lang_of(locale: discord.Locale | str | None) -> Lang:
    """Korean for the `ko` locale, English for everything else (and for no locale)."""
    value = locale.value if isinstance(locale, discord.Locale) else locale
    return "ko" if value == discord.Locale.korean.value else "en"


def interaction_lang(interaction: discord.Interaction) -> Lang:
    """The reply language for an interaction: the user's client locale."""
    return lang_of(getattr(interaction, "locale", None))


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def tr(lang: Lang, key: str, /, **params: Any) -> str:
    """The reply `key` in `lang` (English when Korean lacks it), formatted with `params`."""
    template = MESSAGES.get(lang, {}).get(key) or MESSAGES["en"].get(key) or key
    return string.Formatter().vformat(template, (), _Blank(params))


def letter(index: int) -> str:
    return LETTERS[index] if 0 <= index < len(LETTERS) else str(index + 1)


def percent(correct: int, answered: int) -> str:
    return f"{correct / answered:.0%}" if answered else "—"


class StudyTranslator(app_commands.Translator):
    """Gives Discord the Korean for every `locale_str` description and choice name."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        if locale is not discord.Locale.korean or context.location in _NAME_LOCATIONS:
            return None  # names stay English; "daily" the group is not "daily" the board choice
        return KO_COMMANDS.get(string.message)
