"""The `studybot` command line (filled in as the engine lands)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    print("studybot: the command line is being built.", file=sys.stderr)
    return 1
