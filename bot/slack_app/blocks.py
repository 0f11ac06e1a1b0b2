"""Block Kit for Slack: the application's answers drawn as `slack_sdk.models` blocks and views.

Pure functions of plain data (no client, no I/O), in the member's language, with every sentence
from `bot.app.messages` and every piece of text fitted by `bot.slack_app.limits` (escaped, so
nothing a note or a member wrote can mention or broadcast). slack-sdk checks each element's
lengths when a block is turned into JSON (`to_dicts`); `limits.fit_blocks` keeps the count.

Buttons carry only ids in their `value` (a post id and a choice, an entry id, a mode), so a click
on a message from before a restart still works. The action ids are fixed (see
`../notes/SLACK-CONTRACT.md`): `daily_answer:<n>`, `quiz_answer:<n>`, `quiz_next`,
`define_pick:<n>`, `search_page:<n>`, `review_answer:<n>`, `review_show`,
`review_rate:<again|hard|good|easy>`, `lookup_open`, `lookup_select`; this module adds
`quiz_entry` (quiz me on this term), `review_type` (open the text box) and `review_next`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    ExternalDataSelectElement,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.app.daily import PickReason, ScheduleSet, ScheduleStatus
from bot.app.messages import (
    Lang,
    letter,
    pause_reason,
    percent,
    tr,
    typed_verdict_text,
    wait_text,
    wall_time,
    why_chosen,
)
from bot.app.ports import Reveal
from bot.app.records import LeaderboardPage, LeaderRow, Post, UserStats
from bot.app.review import ReviewItem, ReviewMode, ReviewVerdict
from bot.app.study import AnswerOutcome
from bot.engine.model import Entry, Question, TextHit, snippet
from bot.engine.typed import MAX_TYPED
from bot.slack_app import limits
from bot.slack_app.limits import escape, inert, mrkdwn

SEPARATOR = " › "
SEARCH_PAGE_SIZE = 5
SNIPPET = 300
PROMPT_CHARS = 1200
CHOICE_CHARS = 400
RATINGS: dict[str, int] = {"again": 1, "hard": 2, "good": 3, "easy": 4}
LOOKUP_CALLBACK = "lookup_modal"
LOOKUP_BLOCK = "lookup"
TYPED_CALLBACK = "review_typed"
TYPED_BLOCK = "typed"
TYPED_INPUT = "typed_input"


# -- small parts -------------------------------------------------------------------------------


def to_dicts(blocks: Sequence[Block], limit: int = limits.MESSAGE_BLOCKS) -> list[dict[str, Any]]:
    """Blocks as Slack's JSON, at most `limit` of them; raises when an element breaks a limit."""
    return [block.to_dict() for block in limits.fit_blocks(blocks, limit)]


def _md(text: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=mrkdwn(text))


def section(text: str, *, block_id: str | None = None) -> SectionBlock:
    """A section of mrkdwn (already escaped where it holds outside text)."""
    return SectionBlock(text=_md(text), block_id=block_id)


def fields_block(fields: Sequence[str]) -> SectionBlock:
    """A section of up to ten mrkdwn fields, shown two to a row."""
    return SectionBlock(fields=[MarkdownTextObject(text=mrkdwn(f, limits.FIELD_TEXT))
                                for f in fields[: limits.SECTION_FIELDS]])


def context(*texts: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=mrkdwn(t, limits.CONTEXT_TEXT))
                                  for t in texts[: limits.CONTEXT_ELEMENTS] if t])


def header(text: str) -> HeaderBlock:
    return HeaderBlock(text=PlainTextObject(text=limits.header_text(text)))


def button(text: str, action_id: str, value: str | None = None, *, style: str | None = None) -> ButtonElement:
    return ButtonElement(text=PlainTextObject(text=limits.button_text(text)), action_id=limits.action_id(action_id),
                         value=value if value is None else value[: limits.BUTTON_VALUE], style=style)


def actions(elements: Sequence[ButtonElement], block_id: str | None = None) -> ActionsBlock:
    return ActionsBlock(elements=list(elements[: limits.ACTIONS_ELEMENTS]), block_id=block_id)


def channel_ref(channel_id: str) -> str:
    """A channel link, `<#C123>`, which Slack shows as its name and which pings nobody."""
    return f"<#{channel_id}>" if channel_id.isalnum() else escape(channel_id)


def where(entry: Entry) -> str:
    """`deck › section › subsection`, escaped."""
    return escape(SEPARATOR.join((entry.deck, *entry.section)))


def choice_budget(prompt: str, choices: int, overhead: int = 16) -> int:
    """Characters each choice may take so the prompt and every choice share one section (3000)."""
    room = limits.SECTION_TEXT - len(prompt) - 2 - choices * overhead
    return max(20, min(CHOICE_CHARS, room // max(choices, 1)))


def _question_text(question: Question, marks: Sequence[str] | None = None, prompt_chars: int = PROMPT_CHARS) -> str:
    """The prompt and the lettered choices, each choice cut to its share of the section, so the
    last choice (perhaps the right one) is never the one that falls off."""
    prompt = inert(question.prompt, prompt_chars)
    budget = choice_budget(prompt, len(question.choices))
    lines = []
    for i, choice in enumerate(question.choices):
        mark = f"{marks[i]} " if marks is not None else ""
        lines.append(f"{mark}*{letter(i)}.* {limits.user_text(choice, budget)}")
    return prompt + "\n\n" + "\n".join(lines)


def _answer_buttons(prefix: str, post_id: int, question: Question) -> ActionsBlock:
    return actions([button(letter(i), f"{prefix}:{i}", f"{post_id}:{i}") for i in range(len(question.choices))],
                   block_id=f"{prefix}:{post_id}")


def parse_answer_value(value: object) -> tuple[int, int] | None:
    """`"<post_id>:<choice>"` from a button's value; None for anything else (a forged value)."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    post, sep, choice = value.partition(":")
    if not sep or not post.isdigit() or not choice.isdigit() or not post.isascii() or not choice.isascii():
        return None
    return int(post), int(choice)


def parse_post_value(value: object) -> int | None:
    """A post id from a button's value; None for anything else."""
    if not isinstance(value, str) or not value.isdigit() or not value.isascii() or len(value) > 19:
        return None
    return int(value)


# -- looking things up -------------------------------------------------------------------------


def definition_blocks(entry: Entry, related: Sequence[Entry], lang: Lang, *,
                      others: Sequence[Entry] = (), buttons: bool = True) -> list[Block]:
    """`/define`: the term, its definition, aliases, deck › section and source, related terms,
    "Quiz me" and the type-ahead lookup; `others` (close matches when unsure) as buttons."""
    blocks: list[Block] = [header(entry.term), section(inert(entry.definition) or limits.EMPTY)]
    fields = []
    if entry.aliases:
        fields.append(f"*{tr(lang, 'define.aliases')}*\n{limits.user_text(', '.join(entry.aliases), 1500)}")
    fields.append(f"*{tr(lang, 'define.deck')}*\n{limits.clip(where(entry), 1500)}")
    fields.append(f"*{tr(lang, 'define.source')}*\n`{limits.user_text(str(entry.source), 1500)}`")
    blocks.append(fields_block(fields))
    if related:
        names = ", ".join(limits.user_text(r.term, 80) for r in related[:5])
        blocks.append(context(f"{tr(lang, 'define.related')}: {names}"))
    if buttons:
        blocks.append(actions([button(tr(lang, "slack.quiz_me"), "quiz_entry", entry.id, style="primary"),
                               button(tr(lang, "slack.lookup_button"), "lookup_open", "open")]))
    if others:
        blocks.append(section(tr(lang, "slack.define_others")))
        blocks.append(pick_buttons(others))
    return blocks


def pick_buttons(entries: Sequence[Entry]) -> ActionsBlock:
    """Close matches as buttons `define_pick:<n>`, each carrying its entry's id."""
    shown = [e for e in entries if limits.fits_value(e.id)][:5]
    return actions([button(e.term, f"define_pick:{n}", e.id) for n, e in enumerate(shown)])


def suggestion_blocks(query: str, suggestions: Sequence[Entry], lang: Lang) -> list[Block]:
    """`/define` found nothing sure: what was asked and the close matches as buttons."""
    blocks: list[Block] = [section(tr(lang, "error.nothing_found", query=limits.user_text(query)))]
    if suggestions:
        blocks.append(section(tr(lang, "slack.define_pick_prompt")))
        blocks.append(pick_buttons(suggestions))
    blocks.append(actions([button(tr(lang, "slack.lookup_button"), "lookup_open", "open")]))
    return blocks


def highlight(text: str, spans: Sequence[tuple[int, int]], width: int = SNIPPET) -> str:
    """A window of `text` around its first span, escaped, with every span in bold."""
    window = snippet(text, spans, width)
    body = "".join(f"*{escape(piece).strip()}*" if matched else escape(piece) for piece, matched in window.pieces)
    return " ".join(f"{'…' if window.cut_before else ''}{body}{'…' if window.cut_after else ''}".split())


def search_pages(hits: Sequence[TextHit]) -> int:
    return max(1, math.ceil(len(hits) / SEARCH_PAGE_SIZE))


def search_blocks(hits: Sequence[TextHit], query: str, page: int, lang: Lang) -> list[Block]:
    """`/search`: one page of five hits, the matching words in bold, Previous/Next buttons
    (`search_page:<page>`, carrying the query, which they run again)."""
    pages = search_pages(hits)
    page = min(max(page, 1), pages)
    chunk = hits[(page - 1) * SEARCH_PAGE_SIZE: page * SEARCH_PAGE_SIZE]
    blocks: list[Block] = [header(tr(lang, "search.title", query=query))]
    for hit in chunk:
        blocks.append(section(f"*{limits.user_text(hit.entry.term, 150)}*\n{highlight(hit.entry.definition, hit.spans)}"))
        blocks.append(context(where(hit.entry)))
    blocks.append(context(tr(lang, "search.footer", count=len(hits), page=page, pages=pages)))
    value = query[:200]
    paging = []
    if page > 1:
        paging.append(button(tr(lang, "page.previous"), f"search_page:{page - 1}", value))
    if page < pages:
        paging.append(button(tr(lang, "page.next"), f"search_page:{page + 1}", value))
    if paging:
        blocks.append(actions(paging))
    return blocks


def lookup_options(entries: Iterable[Entry]) -> list[Option]:
    """The type-ahead's options: a term (with its aliases) shown, its entry id as the value."""
    options = []
    for entry in entries:
        if len(entry.id) > limits.OPTION_VALUE:
            continue
        label = f"{entry.term} ({', '.join(entry.aliases)})" if entry.aliases else entry.term
        options.append(Option(text=PlainTextObject(text=limits.option_text(label)), value=entry.id))
        if len(options) == limits.OPTIONS:
            break
    return options


def lookup_view(lang: Lang, *, found: tuple[Entry, Sequence[Entry]] | None = None,
                metadata: str = "") -> View:
    """The type-ahead modal: an `external_select` fed by the glossary search as the member types;
    after "Show", the same modal with the definition under it."""
    blocks: list[Block] = [
        InputBlock(block_id=LOOKUP_BLOCK, label=PlainTextObject(text=limits.plain(tr(lang, "slack.lookup_label"), 100)),
                   element=ExternalDataSelectElement(
                       action_id="lookup_select", min_query_length=1,
                       placeholder=PlainTextObject(text=limits.plain(tr(lang, "slack.lookup_placeholder"),
                                                                     limits.PLACEHOLDER)))),
    ]
    if found is None:
        blocks.append(context(tr(lang, "slack.lookup_hint")))
    else:
        entry, related = found
        blocks.append(DividerBlock())
        blocks.extend(definition_blocks(entry, related, lang, buttons=False))
    return View(type="modal", callback_id=LOOKUP_CALLBACK,
                title=PlainTextObject(text=limits.modal_title(tr(lang, "slack.lookup_title"))),
                submit=PlainTextObject(text=limits.modal_title(tr(lang, "slack.lookup_submit"))),
                close=PlainTextObject(text=limits.modal_title(tr(lang, "slack.lookup_close"))),
                private_metadata=metadata[: limits.PRIVATE_METADATA] or None,
                blocks=limits.fit_blocks(blocks, limits.MODAL_BLOCKS))


# -- practice ----------------------------------------------------------------------------------


def question_blocks(post_id: int, question: Question, lang: Lang) -> list[Block]:
    """`/quiz`: a personal practice question with its answer buttons `quiz_answer:<n>`."""
    return [header(tr(lang, "quiz.title")), section(_question_text(question)),
            _answer_buttons("quiz_answer", post_id, question),
            context(tr(lang, "quiz.footer", deck=escape(question.deck)))]


def _marks(question: Question, choice: int) -> list[str]:
    return ["✅" if i == question.answer else ("❌" if i == choice else "▫️") for i in range(len(question.choices))]


def practice_verdict_text(outcome: AnswerOutcome, lang: Lang) -> str:
    question = outcome.question
    if outcome.correct:
        return tr(lang, "quiz.correct", points=outcome.result.points)
    return tr(lang, "quiz.incorrect", letter=letter(question.answer),
              answer=limits.user_text(question.correct_choice, 200))


def practice_verdict_blocks(outcome: AnswerOutcome, lang: Lang, topic: str | None) -> list[Block]:
    """A practice answer: ✅/❌ first, the question marked, the explanation, "Next question"."""
    question = outcome.question
    blocks: list[Block] = [section(practice_verdict_text(outcome, lang)),
                           section(_question_text(question, _marks(question, outcome.choice)))]
    if question.explanation:
        blocks.append(section(f"*{tr(lang, 'quiz.explanation')}*\n{inert(question.explanation, 2500)}"))
    blocks.append(context(f"{tr(lang, 'quiz.source')}: `{escape(str(question.source))}` · {escape(question.deck)}",
                          tr(lang, "quiz.your_choice", letter=letter(outcome.choice))))
    blocks.append(actions([button(tr(lang, "quiz.next"), "quiz_next", (topic or "")[:200], style="primary")]))
    return blocks


# -- the daily quiz ----------------------------------------------------------------------------


def _local_date(post: Post) -> str:
    return post.local_date or f"{post.posted_at:%Y-%m-%d}"


def daily_title(post: Post, lang: Lang) -> str:
    if (post.seq or 1) > 1:
        return tr(lang, "daily.title_seq", date=_local_date(post), seq=post.seq)
    return tr(lang, "daily.title", date=_local_date(post))


def daily_post_blocks(post: Post, lang: Lang, zone: str) -> list[Block]:
    """The channel message of a daily question: prompt, lettered choices, buttons
    `daily_answer:<n>` (value `<post_id>:<n>`), and when the answer is revealed."""
    question = post.question
    blocks: list[Block] = [header(daily_title(post, lang)), section(_question_text(question)),
                           _answer_buttons("daily_answer", post.post_id, question)]
    if post.reveal_at is not None:
        blocks.append(context(tr(lang, "daily.how", when=wall_time(post.reveal_at, zone, lang))))
    blocks.append(context(escape(post.topic or question.deck)))
    return blocks


def daily_post_text(post: Post, lang: Lang) -> str:
    """The notification text of a daily post (what a phone shows)."""
    return f"{daily_title(post, lang)}: {limits.user_text(post.question.prompt, 300)}"


def daily_reveal_blocks(reveal: Reveal, lang: Lang) -> list[Block]:
    """The revealed post: the correct choice marked, count and share per choice, how many
    answered, the first three right, the explanation and why this question was chosen. No
    buttons: the message is closed."""
    post, results = reveal.post, reveal.results
    question = post.question
    prompt = inert(question.prompt, PROMPT_CHARS)
    budget = choice_budget(prompt, len(question.choices), overhead=40)
    lines = [tr(lang, "daily.choice_line", mark="✅" if c.correct else "▫️", letter=letter(c.index),
                text=limits.user_text(c.text, budget), count=c.count, share=f"{c.share:.0%}")
             for c in reveal.choices()]
    names = [limits.display_name(a.display_name or "?") for a in results.first_correct[:3]]
    first = ", ".join(f"{n}. {name}" for n, name in enumerate(names, 1)) if names else tr(lang, "daily.nobody_correct")
    blocks: list[Block] = [
        header(tr(lang, "daily.revealed_title", date=_local_date(post))),
        section(prompt + "\n\n" + "\n".join(lines)),
        fields_block([f"*{tr(lang, 'daily.answered')}*\n{tr(lang, 'daily.answered_value', count=results.total)}",
                      f"*{tr(lang, 'daily.first_correct')}*\n{first}"]),
    ]
    if question.explanation:
        blocks.append(section(f"*{tr(lang, 'daily.explanation')}*\n{inert(question.explanation, 2500)}"))
    reason = PickReason.parse(post.pick_reason)
    why = why_chosen(reason.members, reason.seen, reason.forgetting, lang) if reason else ""
    if why:
        blocks.append(section(f"*{tr(lang, 'daily.why_title')}*\n{why}"))
    blocks.append(context(escape(post.topic or question.deck)))
    return blocks


def daily_reveal_text(reveal: Reveal, lang: Lang) -> str:
    question = reveal.post.question
    return (f"{tr(lang, 'daily.revealed_title', date=_local_date(reveal.post))}: "
            f"{letter(question.answer)}. {limits.user_text(question.correct_choice, 200)}")


def daily_verdict_text(outcome: AnswerOutcome, lang: Lang) -> str:
    """The clicker's private verdict, ✅ or ❌ first."""
    question, result = outcome.question, outcome.result
    if result.correct:
        return tr(lang, "daily.ack_correct", points=result.points, streak=result.streak)
    return tr(lang, "daily.ack_wrong", letter=letter(question.answer),
              answer=limits.user_text(question.correct_choice, 150))


def daily_verdict_blocks(outcome: AnswerOutcome, lang: Lang) -> list[Block]:
    blocks: list[Block] = [section(daily_verdict_text(outcome, lang))]
    if outcome.question.explanation:
        blocks.append(section(inert(outcome.question.explanation, 2500)))
    blocks.append(context(tr(lang, "daily.ack_choice", letter=letter(outcome.choice))))
    return blocks


def schedule_set_text(result: ScheduleSet, lang: Lang) -> str:
    """`/daily set`: what was scheduled and the next three post times in its zone."""
    schedule = result.schedule
    lines = [tr(lang, "daily.set_done", channel=channel_ref(schedule.channel_id), time=schedule.time,
                zone=escape(schedule.timezone))]
    if result.replaced:
        lines.append(tr(lang, "daily.set_replaced"))
    lines.append(tr(lang, "daily.set_topic", topic=limits.user_text(schedule.topic, 100)) if schedule.topic
                 else tr(lang, "daily.set_all_topics"))
    hours = schedule.reveal_after_hours
    lines.append(tr(lang, "daily.set_reveal_hours", hours=f"{hours:g}") if hours else tr(lang, "daily.set_reveal_default"))
    lines.append(f"*{tr(lang, 'daily.next_posts')}*")
    lines.extend(f"• {wall_time(s.at, schedule.timezone, lang)}" for s in result.next_posts)
    lines.append(tr(lang, "slack.daily_private_hint"))
    return "\n".join(lines)


def status_blocks(statuses: Sequence[ScheduleStatus], lang: Lang) -> list[Block]:
    """`/daily status`: per schedule its channel, time, zone, next post and questions left."""
    blocks: list[Block] = [header(tr(lang, "daily.status_title"))]
    if not statuses:
        blocks.append(section(tr(lang, "slack.status_none")))
        return blocks
    for status in statuses[: limits.MESSAGE_BLOCKS - 1]:
        schedule = status.schedule
        upcoming = wall_time(status.next_post.at, schedule.timezone, lang) if status.next_post else "—"
        text = tr(lang, "daily.status_line", channel=channel_ref(schedule.channel_id), time=schedule.time,
                  zone=escape(schedule.timezone), next=upcoming, left=status.questions_left, size=status.pool_size)
        if schedule.topic:
            text += "\n" + tr(lang, "daily.status_topic", topic=limits.user_text(schedule.topic, 100))
        if schedule.paused:
            text += "\n" + tr(lang, "slack.status_paused",
                              reason=pause_reason(schedule.pause_reason, lang, quote=limits.user_text))
        blocks.append(section(text))
    return blocks


# -- scores ------------------------------------------------------------------------------------


BOARD_ORDER = ("daily", "practice")


def stats_blocks(stats: UserStats, name: str, lang: Lang, *, own: bool = False) -> list[Block]:
    """`/stats`: per board answered, correct, accuracy, points, streaks and rank; most missed;
    one's own stats carry the leaderboard listing toggle (`stats_listing`, value hide/show)."""
    blocks: list[Block] = [header(tr(lang, "stats.title", name=name))]
    for board in BOARD_ORDER:
        numbers = stats.boards.get(board)  # type: ignore[call-overload]
        if numbers is None or not numbers.answered:
            value = tr(lang, "stats.nothing")
        else:
            value = tr(lang, "stats.line", answered=numbers.answered, correct=numbers.correct,
                       accuracy=percent(numbers.correct, numbers.answered), points=numbers.points,
                       streak=numbers.current_streak, best=numbers.best_streak,
                       rank=f"#{numbers.rank}" if numbers.rank else tr(lang, "stats.no_rank"))
            # The catalogue's last line names a Discord server; Slack has workspaces.
            value = value.rsplit("\n", 1)[0] + "\n" + tr(
                lang, "slack.rank_line", rank=f"#{numbers.rank}" if numbers.rank else tr(lang, "stats.no_rank"))
        blocks.append(section(f"*{tr(lang, f'stats.board.{board}')}*\n{value}"))
    missed = [tr(lang, "stats.missed_line", term=limits.user_text(m.term, 100), misses=m.misses)
              for m in stats.most_missed[:3]]
    blocks.append(section(f"*{tr(lang, 'stats.missed')}*\n"
                          + ("\n".join(missed) if missed else tr(lang, "stats.none_missed"))))
    if own:
        hide = not stats.opted_out
        blocks.append(actions([button(tr(lang, "stats.hide" if hide else "stats.show"), "stats_listing",
                                      "hide" if hide else "show")]))
    return blocks


def leader_line(row: LeaderRow, lang: Lang, *, me: bool = False) -> str:
    name = limits.display_name(row.display_name or f"#{row.user_id}")
    line = tr(lang, "board.row", rank=row.rank, name=name, points=row.points,
              accuracy=percent(row.correct, row.answered))
    return f"{line} ← {tr(lang, 'board.you')}" if me else line


def leaderboard_blocks(page: LeaderboardPage, *, board: str, period: str, caller_id: str,
                       caller_row: LeaderRow | None, lang: Lang) -> list[Block]:
    """`/leaderboard`: the top ten, plus the caller's own line when not among them."""
    lines = [leader_line(r, lang, me=r.user_id == caller_id) for r in page.rows]
    if caller_row is not None and all(r.user_id != caller_id for r in page.rows):
        lines += ["…", leader_line(caller_row, lang, me=True)]
    return [
        header(tr(lang, "board.title", board=tr(lang, f"board.{board}"), period=tr(lang, f"board.{period}"))),
        section("\n".join(lines) if lines else tr(lang, "board.empty")),
        context(tr(lang, "board.footer", total=page.total, page=1, pages=max(1, math.ceil(page.total / 10)))),
    ]


# -- review ------------------------------------------------------------------------------------


def _when(when: datetime | None, now: datetime, lang: Lang) -> str:
    return wait_text(None if when is None else (when - now).total_seconds(), lang)


def review_status_text(due: int, new: int, next_due: datetime | None, now: datetime, lang: Lang) -> str:
    return tr(lang, "review.status", due=due, new=new, next=_when(next_due, now, lang))


def review_item_blocks(item: ReviewItem, lang: Lang, now: datetime) -> list[Block]:
    """The front of a card: multiple choice (`review_answer:<n>`), a flashcard's term
    (`review_show`) or a definition to type the term for (`review_type`, a modal)."""
    q = item.question
    kind = tr(lang, "review.new_entry" if item.is_new else "review.due_entry")
    status = review_status_text(item.status.due_now, item.status.new_entries, item.status.next_due, now, lang)
    if item.mode is ReviewMode.FLASHCARD:
        title = tr(lang, "review.title_flashcard")
        body = section(f"*{limits.user_text(q.prompt, 250)}*\n\n{tr(lang, 'review.recall_prompt')}")
        buttons = actions([button(tr(lang, "review.show"), "review_show", str(item.post_id), style="primary")])
    elif item.mode is ReviewMode.TYPED:
        title = tr(lang, "review.title_typed")
        body = section(f"{inert(q.prompt, 2500)}\n\n{tr(lang, 'typed.prompt')}")
        buttons = actions([button(tr(lang, "slack.type_answer"), "review_type", str(item.post_id), style="primary")])
    else:
        title = tr(lang, "review.title_choice")
        body = section(_question_text(q))
        buttons = _answer_buttons("review_answer", item.post_id, q)
    return [header(f"{title} · {kind}"), body, buttons,
            context(status, tr(lang, "quiz.footer", deck=escape(q.deck)))]


def review_back_blocks(post_id: int, question: Question, lang: Lang) -> list[Block]:
    """A flashcard turned over: the term, its definition, and Again/Hard/Good/Easy
    (`review_rate:<again|hard|good|easy>`, value the post id)."""
    return [
        header(question.prompt),
        section(inert(question.explanation or limits.EMPTY, 2800)),
        context(f"{tr(lang, 'quiz.source')}: `{escape(str(question.source))}` · {escape(question.deck)}"),
        section(tr(lang, "review.rate_prompt")),
        actions([button(tr(lang, f"review.rating.{n}"), f"review_rate:{name}", str(post_id),
                        style="danger" if name == "again" else ("primary" if name == "good" else None))
                 for name, n in RATINGS.items()]),
    ]


def review_verdict_text(verdict: ReviewVerdict, lang: Lang, now: datetime) -> str:
    """The first line of a recorded review, ✅ or ❌ first (a flashcard rated Again is ❌)."""
    q = verdict.question
    due = _when(verdict.card.due if verdict.card else None, now, lang)
    rated = tr(lang, "review.rated", rating=tr(lang, f"review.rating.{int(verdict.rating)}"), next=due)
    if verdict.typed is not None:
        return typed_verdict_text(verdict.typed, lang, quote=limits.user_text) + "\n" + rated
    if verdict.choice < 0:
        return f"{'✅' if verdict.correct else '❌'} {rated}"
    if verdict.correct:
        return tr(lang, "review.correct", next=due)
    return tr(lang, "review.incorrect", letter=letter(q.answer), answer=limits.user_text(q.correct_choice, 200), next=due)


def review_verdict_blocks(verdict: ReviewVerdict, mode: ReviewMode, lang: Lang, now: datetime) -> list[Block]:
    """A recorded review: the verdict, the card, when it comes back, and "Next card"."""
    q = verdict.question
    blocks: list[Block] = [section(review_verdict_text(verdict, lang, now))]
    if verdict.typed is None and verdict.choice >= 0:
        blocks.append(section(_question_text(q, _marks(q, verdict.choice), 1500)))
    else:
        blocks.append(section(f"*{limits.user_text(q.term, 250)}*\n{inert(q.explanation, 2500)}"))
    status = verdict.status
    blocks.append(context(review_status_text(status.due_now, status.new_entries, status.next_due, now, lang),
                          tr(lang, "review.counted" if verdict.counted else "review.not_counted")))
    blocks.append(actions([button(tr(lang, "review.next"), "review_next", mode.value, style="primary")]))
    return blocks


def typed_view(post_id: int, response_url: str | None, channel_id: str | None, lang: Lang) -> View:
    """The text box of a "type the term" card; `private_metadata` keeps the post id, the click's
    `response_url` (where the verdict goes) and its channel (for `chat.postEphemeral` after it)."""
    metadata = json.dumps({"post": post_id, "url": response_url or "", "channel": channel_id or ""})
    return View(
        type="modal", callback_id=TYPED_CALLBACK,
        title=PlainTextObject(text=limits.modal_title(tr(lang, "typed.modal_title"))),
        submit=PlainTextObject(text=limits.modal_title(tr(lang, "typed.button"))),
        close=PlainTextObject(text=limits.modal_title(tr(lang, "slack.lookup_close"))),
        private_metadata=metadata if len(metadata) <= limits.PRIVATE_METADATA else json.dumps({"post": post_id}),
        blocks=[InputBlock(block_id=TYPED_BLOCK, label=PlainTextObject(text=limits.plain(tr(lang, "typed.field"), 100)),
                           element=PlainTextInputElement(action_id=TYPED_INPUT, max_length=MAX_TYPED))],
    )


def text_blocks(text: str) -> list[Block]:
    """A plain reply (an error, a confirmation) as one section."""
    return [section(text)]


__all__ = [
    "LOOKUP_BLOCK", "LOOKUP_CALLBACK", "RATINGS", "TYPED_BLOCK", "TYPED_CALLBACK", "TYPED_INPUT",
    "channel_ref", "daily_post_blocks", "daily_post_text", "daily_reveal_blocks", "daily_reveal_text",
    "daily_verdict_blocks", "daily_verdict_text", "definition_blocks", "leaderboard_blocks", "lookup_options",
    "lookup_view", "parse_answer_value", "parse_post_value", "practice_verdict_blocks", "question_blocks",
    "review_back_blocks", "review_item_blocks", "review_verdict_blocks", "schedule_set_text", "search_blocks",
    "stats_blocks", "status_blocks", "suggestion_blocks", "text_blocks", "to_dicts", "typed_view",
]
