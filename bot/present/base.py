"""What every picture shares: the `Picture` a renderer returns, the house style, PNG encoding.

Pictures are drawn with matplotlib's object API on an Agg canvas (`Figure` + `FigureCanvasAgg`,
never `pyplot`), so no display and no global figure registry are involved, and a renderer can
keep its figure between renders.
"""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from PIL import Image

from bot.present.fonts import Fonts
from bot.present.records import Picture

__all__ = ["Picture", "encode_png", "house_rc", "new_figure", "style_axes", "text_style"]

# Readable on a phone: Discord and Slack show an image at the chat's width (about 360-400 CSS
# pixels on a phone), so a 720-pixel-wide picture is scaled to about half; text of 15-19
# pixels there is 8-10 points on the screen. A low dpi with big fonts draws fewer pixels.
DPI = 100
WIDTH_IN = 7.2
FONT_SIZE = 15
INK = "#1f2933"
MUTED = "#6b7785"
GRID = "#e3e8ee"
CORRECT = "#2e9e5b"
WRONG = "#e0594f"
ACCURACY = "#2f6fd6"
DUE = "#8a5cd1"
PALETTE_COLOURS = 64
GOLD, SILVER, BRONZE = "#e8b923", "#a9b3bd", "#c98a4b"


def house_rc(fonts: Fonts) -> dict[str, object]:
    """matplotlib settings to draw under (`matplotlib.rc_context`): the Hangul font alone for
    labels and ticks (our own words and digits: no fallback lookup per text), house colours,
    sizes for a phone. Tick labels are made at draw time, so drawing must happen
    inside the same context as building."""
    return {
        "font.family": [fonts.families[0]], "font.size": FONT_SIZE, "text.color": INK,
        "axes.edgecolor": MUTED, "axes.labelcolor": INK, "axes.titlesize": FONT_SIZE + 1,
        "axes.spines.top": False, "axes.spines.right": False, "axes.axisbelow": True,
        "xtick.color": MUTED, "ytick.color": MUTED, "xtick.labelsize": FONT_SIZE - 3,
        "ytick.labelsize": FONT_SIZE - 3, "xtick.labelcolor": INK, "ytick.labelcolor": INK,
        "legend.frameon": False, "legend.fontsize": FONT_SIZE - 2, "axes.unicode_minus": False,
    }


def new_figure(fonts: Fonts, height_in: float) -> Figure:
    """A white figure on an Agg canvas, in the house fonts."""
    figure = Figure(figsize=(WIDTH_IN, height_in), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    figure.set_layout_engine(None)
    return figure


def text_style(fonts: Fonts, size: float = FONT_SIZE, *, bold: bool = False, color: str = INK,
               names: bool = False) -> dict[str, object]:
    """Keyword arguments for `Figure.text` / `Axes.text`: the house font, with the fallback font
    too for texts that carry members' names (`names`), and no mathtext (a `$` in a name stays a
    dollar sign). Bold is weight 600, NanumGothicBold's own weight."""
    return {"fontfamily": list(fonts.families if names else fonts.families[:1]), "fontsize": size, "fontweight": 600 if bold else "normal",
            "color": color, "parse_math": False}


def style_axes(axes: Axes) -> None:
    """A light horizontal grid behind the bars, and a muted frame."""
    axes.grid(axis="y", color=GRID, linewidth=1)
    axes.tick_params(length=3)


def encode_png(figure: Figure) -> bytes:
    """Draw the figure and encode it as a 64-colour palette PNG: a chart is a few flat colours
    plus the anti-aliased edges between them, which 64 colours (fast octree) keep smooth; the
    file is about 40 % of a full-colour one and quantizing plus encoding takes about half the
    time of encoding full colour (5.6 vs 9.7-13.9 ms)."""
    canvas = figure.canvas
    canvas.draw()
    width, height = canvas.get_width_height()  # type: ignore[attr-defined]
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)  # type: ignore[attr-defined]
    buffer = io.BytesIO()
    image.convert("RGB").quantize(colors=PALETTE_COLOURS, method=Image.Quantize.FASTOCTREE).save(
        buffer, format="PNG", compress_level=3)
    return buffer.getvalue()
