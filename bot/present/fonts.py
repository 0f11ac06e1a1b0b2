"""The fonts every picture is drawn with: NanumGothic for Hangul, DejaVu Sans for the rest.

matplotlib's own font (DejaVu Sans) has no Hangul: a Korean label would come out as empty boxes
with a "Glyph … missing" warning. NanumGothic (SIL Open Font License) is shipped as a plain
file inside the pip package `koreanize-matplotlib`, so it installs from PyPI on every machine
without a system font package. We only locate that file and register it with matplotlib's
`font_manager`; importing the package itself would change global rcParams as a side effect.

`glyph_safe` drops characters neither font can draw (emoji, rare scripts) so a member's name
never produces a missing-glyph box or warning on a card.
"""

from __future__ import annotations

import importlib.util
import logging
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from matplotlib import font_manager

KOREAN_FONT_PACKAGE = "koreanize_matplotlib"
KOREAN_FONT_FILE = "NanumGothic.ttf"
KOREAN_BOLD_FILE = "NanumGothicBold.ttf"
FALLBACK_FAMILY = "DejaVu Sans"


class FontMissing(RuntimeError):
    """The Korean font file is not where the package keeps it (the dependency is missing)."""


def korean_font_path(bold: bool = False) -> Path:
    """The NanumGothic file inside the installed `koreanize-matplotlib`, found without importing it."""
    spec = importlib.util.find_spec(KOREAN_FONT_PACKAGE)
    folders = list(spec.submodule_search_locations or ()) if spec is not None else []
    for folder in folders:
        path = Path(folder) / "fonts" / (KOREAN_BOLD_FILE if bold else KOREAN_FONT_FILE)
        if path.is_file():
            return path
    raise FontMissing(f"{KOREAN_FONT_FILE} not found: install the `koreanize-matplotlib` package")


@dataclass(frozen=True)
class Fonts:
    """The registered families, in fallback order, and the characters they can draw."""

    families: tuple[str, ...]
    drawable: frozenset[int]

    def glyph_safe(self, text: str) -> str:
        """`text` with what no font can draw removed (emoji, controls, direction overrides)."""
        kept = []
        for char in text:
            if unicodedata.category(char) in ("Cc", "Cf", "Co", "Cs"):
                continue
            if ord(char) in self.drawable or char == " ":
                kept.append(char)
        return "".join(kept)


@cache
def load_fonts() -> Fonts:
    """Register NanumGothic (regular and bold) with matplotlib once per process; the families
    to pass as `font.family`. Cached because registering is a process-wide, idempotent act."""
    from fontTools.ttLib import TTFont

    # NanumGothicBold is weight 600 and DejaVu Sans Bold 700: asking for either makes
    # font_manager log a "Failed to find font weight" line for the other on every new text.
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)

    drawable: set[int] = set()
    family = None
    for bold in (False, True):
        path = korean_font_path(bold)
        font_manager.fontManager.addfont(str(path))
        if family is None:
            family = font_manager.FontProperties(fname=str(path)).get_name()
        with TTFont(str(path), lazy=True) as font:
            drawable.update(font.getBestCmap())
    fallback = font_manager.findfont(FALLBACK_FAMILY, fallback_to_default=True)
    with TTFont(fallback, lazy=True) as font:
        drawable.update(font.getBestCmap())
    return Fonts(families=(family or "NanumGothic", FALLBACK_FAMILY), drawable=frozenset(drawable))
