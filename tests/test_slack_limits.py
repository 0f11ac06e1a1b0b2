"""Slack's limits and the bot's manners, for every Block Kit message the Slack front end draws:
huge notes and hostile text still fit (50 blocks, 3000 a section, 75 a button, unique action ids)
and never mention or broadcast; buttons carry only ids."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.app.daily import ScheduleSet, ScheduleStatus
from bot.app.ports import Reveal
from bot.app.review import ReviewItem, ReviewMode, ReviewStatus, ReviewVerdict, flashcard_question, typed_question
from bot.app.study import AnswerOutcome
from bot.community import Community
from bot.engine.cards import Rating
from bot.engine.model import Entry, Question, QuestionKind, SourceRef, TextHit
from bot.engine.schedule import DailySlot
from bot.engine.scoring import Board, Period
from bot.engine.typed import Match, TypedVerdict
from bot.slack_app import blocks as bk
from bot.slack_app import limits
from bot.store import Answerer, AnswerResult, AnswerStatus, Post, PostResults, Schedule
from bot.store.records import BoardStats, LeaderboardPage, LeaderRow, TermMisses, UserStats

LANGS = ("en", "ko")
HOSTILE = "<!channel> <!here> <!everyone> <@U024BE7LH> <#C1|x> &amp; *bold* `code` \u202eevil"
PING = re.compile(r"<!(channel|here|everyone)|<@[UW]")
NOW = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
SLACK = Community.of("slack", "T0LOOP")


def texts(node: Any) -> Iterator[str]:
    """Every string a member can read in a block tree (text objects, button labels)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "text" and isinstance(value, str):
                yield value
            else:
                yield from texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from texts(item)


def elements(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for block in blocks:
        found += block.get("elements", []) if block["type"] == "actions" else []
        if "accessory" in block:
            found.append(block["accessory"])
    return found


def fits(blocks: list[Any], *, limit: int = limits.MESSAGE_BLOCKS) -> list[dict[str, Any]]:
    """The blocks as JSON (slack-sdk raises on any element over its limit), checked for the
    rest of Slack's rules and for pings."""
    data = bk.to_dicts(blocks, limit)
    assert len(blocks) <= limit, "blocks would be dropped"
    ids = [e["action_id"] for e in elements(data) if "action_id" in e]
    assert len(ids) == len(set(ids)), f"duplicate action ids {ids}"
    for element in elements(data):
        assert len(element["text"]["text"]) <= limits.BUTTON_TEXT
        assert len(element.get("value", "")) <= limits.BUTTON_VALUE
    for block in data:
        if block["type"] == "section" and "text" in block:
            assert len(block["text"]["text"]) <= limits.SECTION_TEXT
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= limits.HEADER_TEXT
    for text in texts(data):
        assert not PING.search(text), text
    return data


def entry(*, huge: bool = False, hostile: bool = False) -> Entry:
    if huge:
        return Entry(id="e" * 12, term="Very Long Term " * 30, definition="definition & <tag> " * 1000,
                     deck="Deck " * 100, source=SourceRef("notes/" + "deep/" * 80 + "file.md", 12),
                     aliases=tuple(f"alias{i} " * 10 for i in range(40)),
                     section=tuple(f"Section {i} " * 10 for i in range(10)))
    if hostile:
        return Entry(id="hostile", term=HOSTILE, definition=HOSTILE * 3, deck=HOSTILE, source=SourceRef("x.md", 1),
                     aliases=(HOSTILE,), section=(HOSTILE,))
    return Entry(id="hpa", term="Horizontal Pod Autoscaler", definition="Scales pods.", deck="Cloud",
                 source=SourceRef("cloud.md", 3), aliases=("HPA",), section=("Scaling",))


def question(*, huge: bool = False, hostile: bool = False, choices: int = 4) -> Question:
    if huge or hostile:
        text = HOSTILE * 200 if hostile else "choice text " * 200
        return Question(id="q-huge", kind=QuestionKind.TERM_TO_DEFINITION, prompt=(HOSTILE if hostile else "What? ") * 400,
                        choices=tuple(text for _ in range(choices)), answer=choices - 1,
                        explanation=(HOSTILE if hostile else "because ") * 500, term="Term",
                        deck=(HOSTILE if hostile else "Deck ") * 100, source=SourceRef("notes/x.md", 3), entry_id="e")
    return Question(id="q1", kind=QuestionKind.TERM_TO_DEFINITION, prompt="What is a Pod?",
                    choices=("A node", "The smallest deployable unit", "A volume", "A service"), answer=1,
                    explanation="A Pod is the smallest deployable unit.", term="Pod", deck="Cloud",
                    source=SourceRef("cloud.md", 10), entry_id="pod")


def post(q: Question, *, post_id: int = 9_007_199_254_740_993) -> Post:
    return Post(post_id=post_id, community=SLACK, board=Board.DAILY, season=1, question=q, channel_id="C1",
                message_id="1700000000.000100", owner_user_id=None, schedule_id=3, local_date="2026-03-09", seq=1,
                topic=None, posted_at=NOW, reveal_at=NOW + timedelta(hours=20), revealed_at=None, answer_count=0,
                correct_count=0, pick_reason='{"members": 12, "seen": 9, "forgetting": 7}')


def variants() -> list[tuple[str, Question]]:
    return [("normal", question()), ("huge", question(huge=True)), ("hostile", question(hostile=True)),
            ("ten choices", question(huge=True, choices=10))]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", ["normal", "huge", "hostile"])
def test_a_definition_fits_and_offers_quiz_lookup_and_close_matches(lang: str, kind: str) -> None:
    e = entry(huge=kind == "huge", hostile=kind == "hostile")
    others = [entry(huge=True), entry(hostile=True), entry()]
    data = fits(bk.definition_blocks(e, others, lang, others=others))
    ids = [el["action_id"] for el in elements(data)]
    assert ids[:2] == ["quiz_entry", "lookup_open"]
    assert [i for i in ids if i.startswith("define_pick:")] == ["define_pick:0", "define_pick:1", "define_pick:2"]


def test_hostile_text_is_escaped_not_dropped() -> None:
    data = fits(bk.definition_blocks(entry(hostile=True), [], "en"))
    body = "\n".join(texts(data))
    assert "&lt;!channel&gt;" in body and "&lt;@U024BE7LH&gt;" in body and "&amp;amp;" in body
    assert "\u202e" not in body


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("name", "q"), variants())
def test_questions_and_verdicts_fit_with_one_button_per_choice(lang: str, name: str, q: Question) -> None:
    data = fits(bk.question_blocks(77, q, lang))
    buttons = [e for e in elements(data) if e["action_id"].startswith("quiz_answer:")]
    assert [(b["action_id"], b["value"]) for b in buttons] == [(f"quiz_answer:{i}", f"77:{i}")
                                                              for i in range(len(q.choices))]
    outcome = AnswerOutcome(q, 0, AnswerResult(AnswerStatus.ACCEPTED, 77, 0, False, q.answer, 0, 0, None))
    verdict = fits(bk.practice_verdict_blocks(outcome, lang, "Topic " * 100))
    assert verdict[0]["text"]["text"].startswith("❌")
    assert [e["action_id"] for e in elements(verdict)] == ["quiz_next"]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("name", "q"), variants())
def test_a_daily_post_and_its_reveal_fit_and_the_reveal_has_no_buttons(lang: str, name: str, q: Question) -> None:
    p = post(q)
    data = fits(bk.daily_post_blocks(p, lang, "Asia/Seoul"))
    buttons = elements(data)
    last = "ABCDEFGHIJ"[len(q.choices) - 1]
    assert f"*{last}.*" in data[1]["text"]["text"]  # the last choice survives a long prompt
    assert [b["action_id"] for b in buttons] == [f"daily_answer:{i}" for i in range(len(q.choices))]
    assert all(bk.parse_answer_value(b["value"]) == (p.post_id, i) for i, b in enumerate(buttons))
    names = tuple(Answerer(f"U{i}", HOSTILE) for i in range(3))
    counts = tuple(range(len(q.choices)))
    reveal = fits(bk.daily_reveal_blocks(Reveal(p, PostResults(p.post_id, counts, sum(counts), names)), lang))
    assert elements(reveal) == []
    assert "✅" in "\n".join(texts(reveal))
    assert len(limits.message_text(bk.daily_post_text(p, lang))) <= limits.MESSAGE_TEXT


@pytest.mark.parametrize("lang", LANGS)
def test_a_daily_verdict_starts_with_a_check_or_a_cross(lang: str) -> None:
    q = question()
    right = AnswerOutcome(q, 1, AnswerResult(AnswerStatus.ACCEPTED, 1, 1, True, 1, 13, 4, 1))
    wrong = AnswerOutcome(q, 0, AnswerResult(AnswerStatus.ACCEPTED, 1, 0, False, 1, 0, 0, None))
    assert fits(bk.daily_verdict_blocks(right, lang))[0]["text"]["text"].startswith("✅")
    assert fits(bk.daily_verdict_blocks(wrong, lang))[0]["text"]["text"].startswith("❌")
    assert bk.daily_verdict_text(right, lang).startswith("✅")


@pytest.mark.parametrize("lang", LANGS)
def test_search_pages_link_to_their_neighbours_only(lang: str) -> None:
    hits = [TextHit(entry(huge=i % 2 == 0), ((5, 20), (40, 45))) for i in range(23)]
    first = fits(bk.search_blocks(hits, HOSTILE, 1, lang))
    middle = fits(bk.search_blocks(hits, "q", 3, lang))
    last = fits(bk.search_blocks(hits, "q", 99, lang))
    assert [e["action_id"] for e in elements(first)] == ["search_page:2"]
    assert [e["action_id"] for e in elements(middle)] == ["search_page:2", "search_page:4"]
    assert [e["action_id"] for e in elements(last)] == ["search_page:4"]


def test_the_lookup_modal_and_its_options_fit() -> None:
    view = bk.lookup_view("ko", found=(entry(huge=True), [entry(hostile=True)])).to_dict()
    assert len(view["blocks"]) <= limits.MODAL_BLOCKS and len(view["title"]["text"]) <= limits.MODAL_TITLE
    assert view["blocks"][0]["element"]["action_id"] == "lookup_select"
    long_id = Entry(id="x" * 200, term="t", definition="d", deck="d", source=SourceRef("a", 1))
    options = [o.to_dict() for o in bk.lookup_options([entry(huge=True), entry(hostile=True), long_id])]
    assert [o["value"] for o in options] == ["e" * 12, "hostile"]  # an id over 150 characters is left out
    assert all(len(o["text"]["text"]) <= limits.OPTION_TEXT for o in options)
    for text in texts(options):
        assert not PING.search(text)


def review_status() -> ReviewStatus:
    return ReviewStatus(due_now=3, new_entries=70, next_due=NOW + timedelta(hours=5))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("mode", list(ReviewMode))
def test_review_cards_fit_with_the_buttons_of_their_mode(lang: str, mode: ReviewMode) -> None:
    e = entry(huge=True)
    q = {ReviewMode.CHOICE: question(huge=True), ReviewMode.FLASHCARD: flashcard_question(e),
         ReviewMode.TYPED: typed_question(e)}[mode]
    data = fits(bk.review_item_blocks(ReviewItem(55, mode, q, True, review_status()), lang, NOW))
    ids = [el["action_id"] for el in elements(data)]
    expected = {ReviewMode.CHOICE: [f"review_answer:{i}" for i in range(len(q.choices))],
                ReviewMode.FLASHCARD: ["review_show"], ReviewMode.TYPED: ["review_type"]}[mode]
    assert ids == expected
    back = fits(bk.review_back_blocks(55, flashcard_question(e), lang))
    assert [el["action_id"] for el in elements(back)] == [f"review_rate:{r}" for r in ("again", "hard", "good", "easy")]
    assert {el["value"] for el in elements(back)} == {"55"}


@pytest.mark.parametrize("lang", LANGS)
def test_review_verdicts_start_with_a_check_or_a_cross_in_every_mode(lang: str) -> None:
    e = entry()
    cases = [
        ReviewVerdict(question(), 1, True, Rating.GOOD, None, review_status()),
        ReviewVerdict(question(), 0, False, Rating.AGAIN, None, review_status()),
        ReviewVerdict(flashcard_question(e), -1, True, Rating.EASY, None, review_status()),
        ReviewVerdict(flashcard_question(e), -1, False, Rating.AGAIN, None, review_status()),
        ReviewVerdict(typed_question(e), 0, True, Rating.GOOD, None, review_status(),
                      typed=TypedVerdict(Match.TYPO, "Horizontal Pod Autoscaler", "HPA", 1, 1)),
        ReviewVerdict(typed_question(e), 1, False, Rating.AGAIN, None, review_status(),
                      typed=TypedVerdict(Match.WRONG, "Horizontal Pod Autoscaler", None, 0, 0)),
    ]
    marks = [fits(bk.review_verdict_blocks(v, ReviewMode.CHOICE, lang, NOW))[0]["text"]["text"][0] for v in cases]
    assert marks == ["✅", "❌", "✅", "❌", "✅", "❌"]


def test_the_typed_answer_modal_keeps_the_post_and_where_to_answer() -> None:
    view = bk.typed_view(55, "https://hooks.slack.com/actions/T/1/x", "C1", "ko").to_dict()
    assert view["callback_id"] == bk.TYPED_CALLBACK
    assert '"post": 55' in view["private_metadata"] and "C1" in view["private_metadata"]
    assert view["blocks"][0]["element"]["max_length"] == 200


@pytest.mark.parametrize("lang", LANGS)
def test_scores_fit_and_names_never_ping(lang: str) -> None:
    stats = UserStats(SLACK, "U1", HOSTILE, 1, {Board.DAILY: BoardStats(Board.DAILY, 10, 7, 0.7, 80, 3, 5, 2)},
                      (TermMisses(HOSTILE, 4),))
    fits(bk.stats_blocks(stats, HOSTILE, lang))
    rows = tuple(LeaderRow(i + 1, f"U{i}", HOSTILE * 3, 100 - i, 10, 9, 1) for i in range(10))
    page = LeaderboardPage(SLACK, Board.DAILY, Period.WEEK, "2026-W11", 1, 40, 0, rows)
    data = fits(bk.leaderboard_blocks(page, board="daily", period="week", caller_id="U99",
                                      caller_row=LeaderRow(33, "U99", "me", 1, 1, 0, 0), lang=lang))
    assert "#33" in data[1]["text"]["text"]


def schedule(**changes: Any) -> Schedule:
    values: dict[str, Any] = dict(schedule_id=3, community=SLACK, channel_id="C024BE91L", time="09:00",
                                  timezone="Asia/Seoul", topic=HOSTILE, questions_per_post=1, reveal_after_hours=None,
                                  paused=False, pause_reason=None, created_at=NOW, stopped_at=None)
    values.update(changes)
    return Schedule(**values)


@pytest.mark.parametrize("lang", LANGS)
def test_schedule_replies_link_the_channel_without_pinging(lang: str) -> None:
    slots = tuple(DailySlot(NOW.date(), NOW + timedelta(days=i)) for i in range(3))
    text = bk.schedule_set_text(ScheduleSet(schedule(), slots, replaced=True), lang)
    fits(bk.text_blocks(text))
    assert "<#C024BE91L>" in text
    statuses = [ScheduleStatus(schedule(paused=True, pause_reason="channel_deleted"), None, 3, 10),
                ScheduleStatus(schedule(), slots[0], 10, 10)]
    data = fits(bk.status_blocks(statuses * 40, lang))
    assert len(data) == limits.MESSAGE_BLOCKS


@pytest.mark.parametrize(("value", "parsed"), [
    ("12:3", (12, 3)), ("12:03", (12, 3)), ("12", None), (":3", None), ("12:-1", None), ("x:1", None),
    ("１２:3", None), ("1" * 50 + ":1", None), (None, None), (12, None), ("12:3:4", None),
])
def test_only_a_post_and_choice_of_digits_parse_as_an_answer(value: object, parsed: tuple[int, int] | None) -> None:
    assert bk.parse_answer_value(value) == parsed


@pytest.mark.parametrize(("text", "limit"), [("a&amp;b", 4), ("&lt;!here&gt;" * 5, 17), ("x" * 10, 5)])
def test_clipping_never_leaves_half_an_entity(text: str, limit: int) -> None:
    out = limits.clip(text, limit)
    assert len(out) <= limit and out.endswith("…")
    assert not re.search(r"&[a-z]*…$", out)


def test_user_text_is_one_escaped_line() -> None:
    assert limits.user_text("a\n<b>\t&c", 100) == "a &lt;b&gt; &amp;c"
    assert limits.action_id("daily_answer", "3") == "daily_answer:3"
    with pytest.raises(ValueError):
        limits.action_id("x" * 300)
