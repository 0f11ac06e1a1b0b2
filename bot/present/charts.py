"""The `/stats` chart: a member's last 30 days and the cards due in the next 14, as a PNG with
alt text that says the same in words.

Top panel: answers per day, correct (green) and wrong (red) stacked, with the day's accuracy as
a blue line on a 0-100 % scale marked at the right. Bottom panel: cards due per day for the next 14
days (today's bar counts overdue cards too). Days are the community's local days
(`bot.app.progress`). A member with no answers and nothing due gets a friendly empty card.

Speed: `ProgressChart` builds its figure once per language and afterwards only moves bar
heights, the line, limits and texts, then encodes (about half of a fresh figure's cost); the
worker process (`bot.present.worker`) keeps one `ProgressChart` for its lifetime.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from datetime import date

import matplotlib
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text

from bot.app.messages import Lang, percent, tr
from bot.app.progress import Progress
from bot.present.base import (
    ACCURACY,
    CORRECT,
    DUE,
    FONT_SIZE,
    GRID,
    MUTED,
    WRONG,
    Picture,
    encode_png,
    house_rc,
    new_figure,
    text_style,
)
from bot.present.fonts import Fonts, load_fonts

HEIGHT_IN = 7.6
ACCURACY_TOP = 1.05  # 100 % sits a little below the top of the answers' axes, markers whole
NAME_CHARS = 24  # a longer display name is cut with an ellipsis on the picture


def short_day(day: date) -> str:
    """A tick label: month/day without leading zeros ("11/6"), the same in both languages."""
    return f"{day.month}/{day.day}"


def clean_name(name: str, fonts: Fonts, limit: int = NAME_CHARS) -> str:
    """A display name fit for a picture or alt text: one line, drawable glyphs only, at most
    `limit` characters. Nothing in a picture can ping, and its alt text never goes through a
    message's mention parsing; the cut keeps a long name from running off the card."""
    flat = " ".join(fonts.glyph_safe(name).split())
    flat = flat or "?"
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def alt_name(name: str) -> str:
    """A name for alt text: a zero-width space after each `@` and `<`, so that alt text pasted
    into a message can never become a mention (the picture itself cannot ping)."""
    return name.replace("@", "@\u200b").replace("<", "<\u200b")


def progress_alt(progress: Progress, name: str, lang: Lang) -> str:
    """The chart in words: the window, answers and accuracy, the busiest day, the last week,
    and the due forecast (the total, today, the peak day)."""
    first, last = progress.days[0].day, progress.days[-1].day
    parts = [tr(lang, "chart.alt_head", name=alt_name(name), first=first.isoformat(), last=last.isoformat(),
                zone=progress.timezone)]
    busiest = progress.busiest
    if busiest is None:
        parts.append(tr(lang, "chart.alt_no_answers"))
    else:
        recent = progress.days[-7:]
        recent_answered = sum(d.answered for d in recent)
        recent_correct = sum(d.correct for d in recent)
        parts.append(tr(lang, "chart.alt_answers", answered=progress.answered, days=progress.active_days,
                        correct=progress.correct, accuracy=percent(progress.correct, progress.answered),
                        busiest=busiest.day.isoformat(), busiest_count=busiest.answered,
                        recent=recent_answered, recent_accuracy=percent(recent_correct, recent_answered)))
    if progress.due_total:
        peak = max(progress.due, key=lambda d: (d.cards, -d.day.toordinal()))
        parts.append(tr(lang, "chart.alt_due", due=progress.due_total, due_today=progress.due[0].cards,
                        peak=peak.day.isoformat(), peak_count=peak.cards))
    else:
        parts.append(tr(lang, "chart.alt_none_due"))
    return " ".join(parts)


def _bar(x: int, bottom: float, height: float, width: float) -> list[tuple[float, float]]:
    """The corners of one bar centred on `x`."""
    left, right, top = x - width / 2, x + width / 2, bottom + height
    return [(left, bottom), (left, top), (right, top), (right, bottom)]


def nice_ticks(top: float, most: int = 5) -> list[int]:
    """Whole-number tick values from 0 up to `top`, at most `most` steps of 1, 2 or 5 x 10^k."""
    step = 1
    while top / step > most:
        for factor in (2, 5 / 2, 2):  # 1 -> 2 -> 5 -> 10 -> 20 ...
            step = round(step * factor)
            if top / step <= most:
                break
    return list(range(0, int(top) + 1, step))


@dataclass
class _Scale:
    """Hand-made axis labels and grid lines for one axes: matplotlib's own axis machinery
    (tick objects, label bounding boxes) cost about half of each render; these are a few
    texts moved and re-worded, and one line collection."""

    axes: Axes
    y_labels: list[Text]
    x_labels: list[Text]
    grid: LineCollection

    @classmethod
    def on(cls, axes: Axes, fonts: Fonts, *, y_slots: int, x_slots: int) -> _Scale:
        axes.xaxis.set_visible(False)
        axes.yaxis.set_visible(False)
        style = text_style(fonts, FONT_SIZE - 3)
        y_labels = [axes.text(-0.015, 0, "", transform=axes.get_yaxis_transform(), ha="right", va="center", **style)
                    for _ in range(y_slots)]
        x_labels = [axes.text(0, -0.035, "", transform=axes.get_xaxis_transform(), ha="center", va="top", **style)
                    for _ in range(x_slots)]
        grid = axes.add_collection(LineCollection([], colors=GRID, linewidths=1, zorder=0.5,
                                                  transform=axes.get_yaxis_transform()))
        return cls(axes, y_labels, x_labels, grid)

    def set_y(self, top: float, ticks: list[int]) -> None:
        self.axes.set_ylim(0, top)
        self.grid.set_segments([[(0, y), (1, y)] for y in ticks if y])
        for label, value in itertools.zip_longest(self.y_labels, ticks[: len(self.y_labels)]):
            label.set_visible(value is not None)
            if value is not None:
                label.set_y(value)
                label.set_text(str(value))

    def set_x(self, positions: list[int], texts: list[str]) -> None:
        for label, x, text in itertools.zip_longest(self.x_labels, positions, texts):
            label.set_visible(x is not None)
            if x is not None:
                label.set_x(x)
                label.set_text(text)


@dataclass
class _Drawing:
    """One language's reusable figure and the artists a render moves."""

    figure: Figure
    history: Axes
    forecast: Axes
    correct: PolyCollection
    wrong: PolyCollection
    accuracy: Line2D
    due: PolyCollection
    accuracy_ticks: list[Text]
    history_scale: _Scale
    forecast_scale: _Scale
    title: Text
    summary: Text
    empty_title: Text
    empty_hint: Text
    due_labels: list[Text] = field(default_factory=list)


class ProgressChart:
    """Renders `Progress` as a PNG; keeps one figure per language between renders."""

    def __init__(self, fonts: Fonts | None = None) -> None:
        self._fonts = fonts or load_fonts()
        self._drawings: dict[tuple[Lang, int, int], _Drawing] = {}

    def render(self, progress: Progress, name: str, lang: Lang) -> Picture:
        """The chart of `progress` for the member called `name`, labelled in `lang`."""
        shown = clean_name(name, self._fonts)
        with matplotlib.rc_context(house_rc(self._fonts)):
            drawing = self._drawing(lang, len(progress.days), len(progress.due))
            self._update(drawing, progress, shown, lang)
            png = encode_png(drawing.figure)
        width, height = drawing.figure.canvas.get_width_height()  # type: ignore[attr-defined]
        return Picture(png=png, alt=progress_alt(progress, shown, lang), filename="stats.png",
                       width=width, height=height)

    # -- building (once per language and window) -------------------------------------------

    def _drawing(self, lang: Lang, days: int, due_days: int) -> _Drawing:
        key = (lang, days, due_days)
        drawing = self._drawings.get(key)
        if drawing is None:
            drawing = self._drawings[key] = self._build(lang, days, due_days)
        return drawing

    def _build(self, lang: Lang, days: int, due_days: int) -> _Drawing:
        """Bars are three `PolyCollection`s (correct, wrong, due) rather than a patch per bar,
        and accuracy is drawn on the answers' axes scaled to its height, with its 0/50/100 %
        labels as plain texts: a twin axes would cost a second set of ticks at every draw."""
        fonts = self._fonts
        figure = new_figure(fonts, HEIGHT_IN)
        history = figure.add_axes((0.09, 0.42, 0.80, 0.36))
        forecast = figure.add_axes((0.09, 0.07, 0.80, 0.21))
        for axes in (history, forecast):
            axes.spines["left"].set_color(MUTED)
            axes.spines["bottom"].set_color(MUTED)
        history_scale = _Scale.on(history, fonts, y_slots=7, x_slots=6)
        forecast_scale = _Scale.on(forecast, fonts, y_slots=6, x_slots=6)
        correct = history.add_collection(PolyCollection([], facecolors=CORRECT, edgecolors="none",
                                                        label=tr(lang, "chart.correct")))
        wrong = history.add_collection(PolyCollection([], facecolors=WRONG, edgecolors="none",
                                                      label=tr(lang, "chart.wrong")))
        (accuracy,) = history.plot([], [], color=ACCURACY, linewidth=2.0, marker="o", markersize=5,
                                   label=tr(lang, "chart.accuracy"))
        accuracy_ticks = [history.text(1.015, share / ACCURACY_TOP, f"{share:.0%}", transform=history.transAxes,
                                       va="center",
                                       **text_style(fonts, FONT_SIZE - 3, color=ACCURACY))
                          for share in (0.0, 0.5, 1.0)]
        history.set_xlim(-0.7, days - 0.3)
        figure.text(0.09, 0.795, tr(lang, "chart.answers"), va="bottom", **text_style(fonts))
        history.legend(handles=[correct, wrong, accuracy], loc="lower right", bbox_to_anchor=(1.08, 1.0),
                       ncol=3, borderaxespad=0.2, handlelength=1.2, handletextpad=0.4, columnspacing=0.9)
        due = forecast.add_collection(PolyCollection([], facecolors=DUE, edgecolors="none"))
        forecast.set_xlim(-0.6, due_days - 0.4)
        figure.text(0.09, 0.295, tr(lang, "chart.due"), va="bottom", **text_style(fonts))
        title = figure.text(0.04, 0.965, "", va="top", **text_style(fonts, FONT_SIZE + 5, bold=True, names=True))
        summary = figure.text(0.04, 0.905, "", va="top", **text_style(fonts, FONT_SIZE, color=MUTED))
        empty_title = figure.text(0.5, 0.56, tr(lang, "chart.empty_title"), ha="center", va="center",
                                  **text_style(fonts, FONT_SIZE + 3, bold=True))
        empty_hint = figure.text(0.5, 0.45, tr(lang, "chart.empty_hint"), ha="center", va="top",
                                 linespacing=1.5, **text_style(fonts, FONT_SIZE, color=MUTED))
        due_labels = [forecast.text(i, 0, "", ha="center", va="bottom", **text_style(fonts, FONT_SIZE - 4))
                      for i in range(due_days)]
        return _Drawing(figure, history, forecast, correct, wrong, accuracy, due, accuracy_ticks, history_scale,
                        forecast_scale, title,
                        summary, empty_title, empty_hint, due_labels)

    # -- each render: move what changed ----------------------------------------------------

    def _update(self, d: _Drawing, progress: Progress, name: str, lang: Lang) -> None:
        empty = progress.empty
        for axes in (d.history, d.forecast):
            axes.set_visible(not empty)
        d.empty_title.set_visible(empty)
        d.empty_hint.set_visible(empty)
        d.title.set_text(tr(lang, "chart.title", name=name))
        d.summary.set_text(self._summary(progress, lang))
        if empty:
            return
        d.correct.set_verts([_bar(i, 0, day.correct, 0.78) for i, day in enumerate(progress.days)])
        d.wrong.set_verts([_bar(i, day.correct, day.wrong, 0.78) for i, day in enumerate(progress.days)])
        top = max(4, math.ceil(max(day.answered for day in progress.days) * 1.12))
        d.history_scale.set_y(top, nice_ticks(top))
        points = [(i, day.accuracy * top / ACCURACY_TOP) for i, day in enumerate(progress.days) if day.accuracy is not None]
        d.accuracy.set_data([x for x, _ in points], [y for _, y in points])
        ticks = list(range(len(progress.days) - 1, -1, -7))[::-1]
        d.history_scale.set_x(ticks, [self._day_label(progress.days[i].day, progress.today, lang) for i in ticks])
        d.due.set_verts([_bar(i, 0, day.cards, 0.7) for i, day in enumerate(progress.due)])
        for label, day in zip(d.due_labels, progress.due, strict=True):
            label.set_position((label.get_position()[0], day.cards))
            label.set_text(str(day.cards) if day.cards else "")
        most = max(day.cards for day in progress.due)
        due_top = max(3, math.ceil(most * 1.25))
        d.forecast_scale.set_y(due_top, nice_ticks(due_top, 4))
        due_ticks = list(range(0, len(progress.due), 3))
        d.forecast_scale.set_x(due_ticks, [self._day_label(progress.due[i].day, progress.today, lang)
                                           for i in due_ticks])

    @staticmethod
    def _day_label(day: date, today: date, lang: Lang) -> str:
        return tr(lang, "chart.today") if day == today else short_day(day)

    @staticmethod
    def _summary(progress: Progress, lang: Lang) -> str:
        if progress.empty:
            return ""
        return tr(lang, "chart.summary", answered=progress.answered,
                  accuracy=percent(progress.correct, progress.answered), due=progress.due_total)
