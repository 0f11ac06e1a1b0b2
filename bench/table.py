"""The row type every benchmark returns and the plain-text table `make bench` prints."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    """One measured figure: what was measured, the value, its unit, the goal (if any) and a note."""

    area: str
    measure: str
    value: float
    unit: str
    goal: str = ""
    ok: bool | None = None
    note: str = ""


def render(rows: list[Row]) -> str:
    header = ("area", "measure", "value", "unit", "goal", "ok", "note")
    body = [
        (
            r.area,
            r.measure,
            f"{r.value:,.3f}" if abs(r.value) < 100 else f"{r.value:,.0f}",
            r.unit,
            r.goal,
            "" if r.ok is None else ("yes" if r.ok else "NO"),
            r.note,
        )
        for r in rows
    ]
    widths = [max(len(str(x)) for x in col) for col in zip(header, *body, strict=False)]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=False)).rstrip()
             for row in (header, tuple("-" * w for w in widths), *body)]
    return "\n".join(lines)
