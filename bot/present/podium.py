"""The leaderboard card (`/leaderboard podium:true`): the top three on a podium, places 4-10
listed below, as a PNG with alt text that reads the same ranking out.

Names are drawn as plain text (no mathtext, one line, drawable glyphs only, cut to fit), so a
name can neither ping anyone (it is a picture) nor break the layout. Like the progress chart,
`PodiumCard` builds one figure per language and afterwards only changes texts and heights.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from bot.app.messages import Lang, percent, tr
from bot.present.base import BRONZE, FONT_SIZE, GOLD, GRID, MUTED, SILVER, Picture, encode_png, house_rc, new_figure, text_style
from bot.present.charts import alt_name, clean_name
from bot.present.fonts import Fonts, load_fonts
from bot.present.records import PodiumRow

HEIGHT_IN = 7.6
PODIUM_PLACES = 3
LIST_PLACES = 7  # places 4..10
PODIUM_NAME_CHARS = 14
LIST_NAME_CHARS = 22
# x centre, block height, colour of the blocks for places 1, 2, 3 (2nd left, 1st middle, 3rd right).
_BLOCKS = ((0.5, 0.20, GOLD), (0.2, 0.14, SILVER), (0.8, 0.10, BRONZE))
_PODIUM_FLOOR = 0.52  # figure fraction where the blocks stand


def podium_alt(rows: Sequence[PodiumRow], board: str, period: str, lang: Lang) -> str:
    """The card in words: every place with name, points and accuracy, best first."""
    if not rows:
        return tr(lang, "podium.alt_empty", board=board, period=period)
    listed = "; ".join(tr(lang, "podium.alt_row", rank=r.rank, name=alt_name(r.name), points=r.points,
                          accuracy=percent(r.correct, r.answered)) for r in rows)
    return tr(lang, "podium.alt", board=board, period=period, rows=listed)


@dataclass
class _Card:
    figure: Figure
    axes: Axes
    title: Text
    empty: Text
    blocks: list[Rectangle]
    block_ranks: list[Text]
    podium_names: list[Text]
    podium_points: list[Text]
    list_ranks: list[Text]
    list_names: list[Text]
    list_points: list[Text]


class PodiumCard:
    """Renders the top 10 of a board as a PNG; keeps one figure per language."""

    def __init__(self, fonts: Fonts | None = None) -> None:
        self._fonts = fonts or load_fonts()
        self._cards: dict[Lang, _Card] = {}

    def render(self, rows: Sequence[PodiumRow], *, board: str, period: str, lang: Lang) -> Picture:
        """`board` and `period` are the catalogue's keys' values (`daily`, `week`, ...)."""
        fonts = self._fonts
        board_words, period_words = tr(lang, f"board.{board}"), tr(lang, f"board.{period}")
        top = sorted(rows, key=lambda r: r.rank)[:PODIUM_PLACES + LIST_PLACES]
        cleaned = [PodiumRow(r.rank, clean_name(r.name, fonts, LIST_NAME_CHARS), r.points, r.answered, r.correct)
                   for r in top]
        with matplotlib.rc_context(house_rc(fonts)):
            card = self._cards.get(lang) or self._cards.setdefault(lang, self._build(lang))
            self._update(card, cleaned, board_words, period_words, lang)
            png = encode_png(card.figure)
        width, height = card.figure.canvas.get_width_height()  # type: ignore[attr-defined]
        return Picture(png=png, alt=podium_alt(cleaned, board_words, period_words, lang),
                       filename="leaderboard.png", width=width, height=height)

    def _build(self, lang: Lang) -> _Card:
        fonts = self._fonts
        figure = new_figure(fonts, HEIGHT_IN)
        axes = figure.add_axes((0, 0, 1, 1))
        axes.set_axis_off()
        axes.set_xlim(0, 1)
        axes.set_ylim(0, 1)
        title = axes.text(0.04, 0.955, "", va="top", **text_style(fonts, FONT_SIZE + 4, bold=True))
        empty = axes.text(0.5, 0.5, tr(lang, "board.empty"), ha="center", va="center",
                          **text_style(fonts, FONT_SIZE + 2, color=MUTED))
        blocks, block_ranks, names, points = [], [], [], []
        for x, height, colour in _BLOCKS:
            block = Rectangle((x - 0.13, _PODIUM_FLOOR), 0.26, height, facecolor=colour, edgecolor="none")
            axes.add_patch(block)
            blocks.append(block)
            block_ranks.append(axes.text(x, _PODIUM_FLOOR + height / 2, "", ha="center", va="center",
                                         **text_style(fonts, FONT_SIZE + 12, bold=True, color="white")))
            names.append(axes.text(x, _PODIUM_FLOOR + height + 0.055, "", ha="center", va="bottom",
                                   **text_style(fonts, FONT_SIZE + 1, bold=True, names=True)))
            points.append(axes.text(x, _PODIUM_FLOOR + height + 0.015, "", ha="center", va="bottom",
                                    **text_style(fonts, FONT_SIZE - 1, color=MUTED)))
        axes.plot((0.04, 0.96), (_PODIUM_FLOOR, _PODIUM_FLOOR), color=GRID, linewidth=2)
        list_ranks, list_names, list_points = [], [], []
        for i in range(LIST_PLACES):
            y = _PODIUM_FLOOR - 0.065 - i * 0.066
            list_ranks.append(axes.text(0.08, y, "", ha="right", va="center",
                                        **text_style(fonts, FONT_SIZE + 1, bold=True, color=MUTED)))
            list_names.append(axes.text(0.12, y, "", ha="left", va="center",
                                        **text_style(fonts, FONT_SIZE + 1, names=True)))
            list_points.append(axes.text(0.96, y, "", ha="right", va="center", **text_style(fonts, FONT_SIZE)))
        return _Card(figure, axes, title, empty, blocks, block_ranks, names, points,
                     list_ranks, list_names, list_points)

    def _update(self, card: _Card, rows: Sequence[PodiumRow], board: str, period: str, lang: Lang) -> None:
        card.title.set_text(tr(lang, "podium.title", board=board, period=period))
        card.empty.set_visible(not rows)
        for i in range(PODIUM_PLACES):
            row = rows[i] if i < len(rows) else None
            for artist in (card.blocks[i], card.block_ranks[i], card.podium_names[i], card.podium_points[i]):
                artist.set_visible(row is not None)
            if row is not None:
                card.block_ranks[i].set_text(str(row.rank))
                card.podium_names[i].set_text(clean_name(row.name, self._fonts, PODIUM_NAME_CHARS))
                card.podium_points[i].set_text(self._points(row, lang))
        for i in range(LIST_PLACES):
            row = rows[PODIUM_PLACES + i] if PODIUM_PLACES + i < len(rows) else None
            card.list_ranks[i].set_text(str(row.rank) if row else "")
            card.list_names[i].set_text(row.name if row else "")
            card.list_points[i].set_text(self._points(row, lang) if row else "")

    @staticmethod
    def _points(row: PodiumRow, lang: Lang) -> str:
        return f"{tr(lang, 'podium.points', points=row.points)} · {percent(row.correct, row.answered)}"
