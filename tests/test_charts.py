"""The `/stats` chart and the leaderboard card: the progress data behind them (real SQLite file,
days cut in the community's zone), the PNGs (size, Korean glyphs, empty member, reuse leaves no
trace), their alt text, and the worker process that draws them."""

from __future__ import annotations

import io
import os
import warnings
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from bot.app.progress import DayCount, DueDay, Progress, member_progress
from bot.app.study import StudyService
from bot.clock import ManualClock
from bot.community import Community
from bot.present import leaderboard_card, member_chart
from bot.present.charts import ProgressChart, progress_alt
from bot.present.fonts import load_fonts
from bot.present.podium import PodiumCard
from bot.present.records import PodiumRow
from bot.present.worker import Presenter
from bot.store import Store
from tests.conftest import ALIASES_FILE, DEFAULT_NOTES

GUILD, ALICE = Community.discord(10), "1001"
DISCORD_UPLOAD_LIMIT = 10 * 1024 * 1024
TODAY = date(2026, 12, 5)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 27, 3, 0, tzinfo=UTC))  # 12:00 in Seoul


@pytest.fixture
async def store(db_path: Path, clock: ManualClock):
    opened = await Store.open(db_path, clock=clock, default_timezone="Asia/Seoul")
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
def service(store: Store, clock: ManualClock) -> StudyService:
    return StudyService(notes_path=DEFAULT_NOTES, store=store, clock=clock, aliases_path=ALIASES_FILE)


async def answer_at(service: StudyService, clock: ManualClock, when: datetime, *, right: bool) -> None:
    clock.set(when)
    asked = await service.next_practice_question(community=GUILD, user_id=ALICE, display_name="앨리스")
    choice = asked.question.answer if right else (asked.question.answer + 1) % len(asked.question.choices)
    await service.answer(community=GUILD, post_id=asked.post_id, user_id=ALICE, choice=choice, display_name="앨리스")


def progress_of(counts: dict[int, tuple[int, int]], due: dict[int, int], zone: str = "Asia/Seoul") -> Progress:
    """`counts`: days before today -> (correct, wrong); `due`: days from today -> cards."""
    days = tuple(DayCount(TODAY - timedelta(days=29 - i), *counts.get(29 - i, (0, 0))) for i in range(30))
    forecast = tuple(DueDay(TODAY + timedelta(days=i), due.get(i, 0)) for i in range(14))
    return Progress(GUILD, ALICE, zone, TODAY, days, forecast)


def glyph_warnings(render) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        render()
    return [str(w.message) for w in caught if "Glyph" in str(w.message)]


# -- the data ---------------------------------------------------------------------------------


async def test_answers_fall_on_the_local_day_of_the_community_zone(service: StudyService, clock: ManualClock) -> None:
    # 14:30 UTC is 23:30 in Seoul (Nov 26); 15:30 UTC is 00:30 on Nov 27 there, both on Nov 26 in UTC.
    await answer_at(service, clock, datetime(2026, 11, 26, 14, 30, tzinfo=UTC), right=True)
    await answer_at(service, clock, datetime(2026, 11, 26, 15, 30, tzinfo=UTC), right=False)
    await answer_at(service, clock, datetime(2026, 11, 26, 15, 40, tzinfo=UTC), right=True)
    clock.set(datetime(2026, 11, 27, 3, 0, tzinfo=UTC))
    progress = await service.progress(GUILD, ALICE)
    assert progress.today == date(2026, 11, 27) and progress.timezone == "Asia/Seoul"
    assert len(progress.days) == 30 and progress.days[0].day == date(2026, 10, 29)
    assert (progress.days[-1].correct, progress.days[-1].wrong) == (1, 1)
    assert (progress.days[-2].correct, progress.days[-2].wrong) == (1, 0)
    assert progress.answered == 3 and progress.active_days == 2


async def test_answers_older_than_thirty_days_are_left_out(service: StudyService, clock: ManualClock) -> None:
    await answer_at(service, clock, datetime(2026, 10, 20, 3, 0, tzinfo=UTC), right=True)
    await answer_at(service, clock, datetime(2026, 11, 20, 3, 0, tzinfo=UTC), right=True)
    clock.set(datetime(2026, 11, 27, 3, 0, tzinfo=UTC))
    progress = await service.progress(GUILD, ALICE)
    assert progress.answered == 1
    assert [d.day for d in progress.days if d.answered] == [date(2026, 11, 20)]


async def test_overdue_cards_count_today_and_cards_of_removed_entries_do_not(
        service: StudyService, store: Store, clock: ManualClock) -> None:
    await answer_at(service, clock, datetime(2026, 11, 1, 3, 0, tzinfo=UTC), right=False)
    await answer_at(service, clock, datetime(2026, 11, 1, 3, 5, tzinfo=UTC), right=True)
    clock.set(datetime(2026, 11, 27, 3, 0, tzinfo=UTC))
    progress = await service.progress(GUILD, ALICE)
    assert progress.due[0].day == date(2026, 11, 27)
    assert progress.due[0].cards == 2 and progress.due_total == 2  # both were due weeks ago
    gone = await member_progress(store, GUILD, ALICE, now=clock.now(), known=lambda entry_id: False)
    assert gone.due_total == 0


async def test_a_member_with_no_answers_has_empty_progress(service: StudyService) -> None:
    progress = await service.progress(GUILD, "nobody")
    assert progress.empty and progress.answered == 0 and progress.accuracy is None


# -- the chart --------------------------------------------------------------------------------


def test_the_chart_is_a_phone_sized_png_far_under_discords_attachment_limit() -> None:
    picture = ProgressChart().render(progress_of({0: (3, 1), 4: (0, 2)}, {0: 2, 3: 5}), "김민지", "ko")
    assert picture.png.startswith(PNG_SIGNATURE)
    assert len(picture.png) < 300 * 1024 < DISCORD_UPLOAD_LIMIT
    image = Image.open(io.BytesIO(picture.png))
    assert image.size == (picture.width, picture.height)
    assert 600 <= image.width <= 1200 and image.height <= 1.3 * image.width  # fits a phone's column


def test_korean_labels_draw_with_nanum_gothic_and_no_missing_glyph() -> None:
    chart = ProgressChart()
    found = glyph_warnings(lambda: chart.render(progress_of({0: (3, 1)}, {0: 1}), "김민지 (Minji)", "ko"))
    assert found == []
    families = list(load_fonts().families)
    assert Path(font_manager.findfont(font_manager.FontProperties(family=families))).name == "NanumGothic.ttf"


def test_matplotlibs_own_font_would_have_warned_about_hangul() -> None:
    """The check above can fail: DejaVu Sans alone has no Hangul and matplotlib says so."""
    figure = Figure(figsize=(2, 1))
    FigureCanvasAgg(figure)
    figure.text(0.1, 0.5, "정답률", fontfamily="DejaVu Sans")
    assert glyph_warnings(lambda: figure.canvas.draw()) != []


def test_a_member_with_no_answers_gets_a_friendly_empty_chart_and_alt_text() -> None:
    chart = ProgressChart()
    empty = chart.render(progress_of({}, {}), "Bob", "en")
    full = chart.render(progress_of({0: (1, 0)}, {}), "Bob", "en")
    assert empty.png.startswith(PNG_SIGNATURE) and empty.png != full.png
    assert "No answers in these 30 days." in empty.alt and "No cards are due in the next 14 days." in empty.alt


def test_the_alt_text_says_what_the_chart_shows() -> None:
    progress = progress_of({0: (3, 1), 4: (0, 2)}, {0: 2, 3: 5})
    alt = progress_alt(progress, "Alice", "en")
    assert "Study chart of Alice for the last 30 days (2026-11-06 to 2026-12-05, Asia/Seoul time)." in alt
    assert "Answered 6 on 2 of the 30 days, 3 correct (50%)" in alt
    assert "busiest day 2026-12-05 (4 answered)" in alt
    assert "Cards due in the next 14 days: 7, 2 of them today, the most on 2026-12-08 (5)." in alt
    korean = progress_alt(progress, "앨리스", "ko")
    assert "30일 중 2일 동안 6개 답변" in korean and "복습할 카드 7장" in korean


def test_a_reused_figure_draws_the_same_picture_as_a_fresh_one() -> None:
    first, second = progress_of({0: (3, 1), 9: (5, 5)}, {1: 4}), progress_of({2: (12, 0)}, {0: 9, 13: 1})
    reused = ProgressChart()
    reused.render(second, "Other member", "ko")
    reused.render(progress_of({}, {}), "Empty", "ko")
    assert reused.render(first, "김민지", "ko").png == ProgressChart().render(first, "김민지", "ko").png


def test_a_dollar_sign_in_a_name_is_not_math_and_emoji_are_dropped() -> None:
    chart = ProgressChart()
    picture = chart.render(progress_of({0: (1, 0)}, {}), "$x^2$ \U0001F3AF\u202e", "en")
    assert "Study chart of $x^2$ for" in picture.alt


# -- the leaderboard card ---------------------------------------------------------------------


def rows(n: int) -> list[PodiumRow]:
    return [PodiumRow(i + 1, f"멤버 {i + 1}", 100 - i, 10, 10 - i % 10) for i in range(n)]


def test_the_podium_card_shows_the_top_ten_and_its_alt_text_lists_them() -> None:
    picture = PodiumCard().render(rows(12), board="daily", period="week", lang="ko")
    assert picture.png.startswith(PNG_SIGNATURE) and len(picture.png) < 300 * 1024
    assert "1위 멤버 1, 100점" in picture.alt and "10위 멤버 10" in picture.alt
    assert "11위" not in picture.alt


def test_podium_names_never_mention_anyone_and_draw_without_missing_glyphs() -> None:
    hostile = [PodiumRow(1, "@everyone", 30, 3, 3), PodiumRow(2, "<@123456>", 20, 3, 2),
               PodiumRow(3, "🎉 파티 $1$", 10, 3, 1)]
    card = PodiumCard()
    assert glyph_warnings(lambda: card.render(hostile, board="practice", period="all", lang="en")) == []
    picture = card.render(hostile, board="practice", period="all", lang="en")
    assert "@everyone" not in picture.alt and "<@123456>" not in picture.alt
    assert "@\u200beveryone" in picture.alt and "파티 $1$" in picture.alt


def test_an_empty_board_gets_a_card_that_says_so() -> None:
    picture = PodiumCard().render([], board="daily", period="month", lang="en")
    assert picture.png.startswith(PNG_SIGNATURE)
    assert picture.alt == "Podium card of the daily questions board, this month: nobody is on it yet."


# -- the worker -------------------------------------------------------------------------------


async def test_the_presenter_draws_in_another_process_from_the_stored_answers(
        service: StudyService, clock: ManualClock) -> None:
    await answer_at(service, clock, datetime(2026, 11, 26, 3, 0, tzinfo=UTC), right=True)
    presenter = Presenter()
    try:
        assert await presenter.warm_up() != os.getpid()
        chart = await member_chart(service, presenter, GUILD, ALICE, "앨리스", "ko")
        card = await leaderboard_card(service, presenter, GUILD, period="all", board="practice", lang="ko")
    finally:
        await presenter.close()
    assert chart.png.startswith(PNG_SIGNATURE) and "1개 답변" in chart.alt
    assert card.png.startswith(PNG_SIGNATURE) and "1위 앨리스" in card.alt


async def test_a_worker_that_dies_is_replaced_on_the_next_call() -> None:
    import signal

    presenter = Presenter()
    try:
        first = await presenter.warm_up()
        os.kill(first, signal.SIGKILL)
        picture = await presenter.progress_chart(progress_of({0: (1, 0)}, {}), "Bob", "en")
        assert picture.png.startswith(PNG_SIGNATURE)
        assert await presenter.warm_up() != first
    finally:
        await presenter.close()
