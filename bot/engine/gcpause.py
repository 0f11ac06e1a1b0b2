"""`gc_paused()`: no cyclic garbage collection while a bulk build runs.

Parsing notes and building the glossary index create hundreds of thousands of small objects
and almost no reference cycles; the collector would rescan them again and again for nothing.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
