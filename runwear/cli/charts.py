"""Terminal pictures: `load --chart` and `surfaces --by week --chart` as bars fitted to the
terminal's width, in Unicode blocks, or plain ASCII when the output cannot show Unicode.

The charts draw the very records the tables and `--json` print, so their figures agree.
Surfaces are stacked in the report page's palette (`runwear.report.palette`): one glyph and
one colour per surface (colour only on a terminal; click leaves it out elsewhere).
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Sequence

import click

from runwear.cli.output import Record
from runwear.report.palette import style_of, surface_order
from runwear.units import M_PER_KM, to_unit

EIGHTHS = " ▏▎▍▌▋▊▉█"  # a Unicode bar ends in one of these
FALLBACK_COLUMNS = 80
MIN_BAR = 10  # the bar keeps this many columns however narrow the terminal


def can_draw_unicode() -> bool:
    """Whether stdout's encoding can show the block characters (else draw ASCII)."""
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    try:
        "█▏▓░·".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def terminal_columns() -> int:
    """The terminal's width in columns (COLUMNS, else the terminal's, else 80)."""
    return shutil.get_terminal_size((FALLBACK_COLUMNS, 24)).columns


def bar(value: float, top: float, width: int, unicode: bool) -> str:
    """A bar of `value` out of `top` in `width` columns (eighths of a column in Unicode)."""
    share = max(0.0, min(1.0, value / top)) if top > 0 else 0.0
    if not unicode:
        return "#" * round(share * width)
    eighths = round(share * width * 8)
    full, rest = divmod(eighths, 8)
    return "█" * full + (EIGHTHS[rest] if rest else "")


def load_chart(
    records: Sequence[Record], unit: str, columns: int | None = None, unicode: bool | None = None
) -> str:
    """The `load --json` records as one bar per week: week, bar, distance, runs."""
    columns = columns or terminal_columns()
    unicode = can_draw_unicode() if unicode is None else unicode
    values = [to_unit(r["distance_km"] * M_PER_KM, unit) for r in records]
    texts = [
        f"{v:,.1f} {unit}  {r['runs']} run{'' if r['runs'] == 1 else 's'}"
        for v, r in zip(values, records, strict=True)
    ]
    label = max((len(r["week"]) for r in records), default=0)
    tail = max((len(t) for t in texts), default=0)
    width = max(MIN_BAR, columns - label - tail - 4)
    top = max(values, default=0.0)
    return "\n".join(
        f"{r['week']:<{label}}  {bar(v, top, width, unicode):<{width}}  {t:>{tail}}".rstrip()
        for r, v, t in zip(records, values, texts, strict=True)
    )


def surface_chart(
    records: Sequence[Record],
    unit: str,
    columns: int | None = None,
    unicode: bool | None = None,
) -> str:
    """The `surfaces --by week|month --json` records as one bar per period, stacked by
    surface, with a legend line."""
    columns = columns or terminal_columns()
    unicode = can_draw_unicode() if unicode is None else unicode
    periods: dict[str, dict[str, float]] = {}
    for r in records:
        periods.setdefault(r["period"], {})[r["surface"]] = to_unit(
            r["distance_km"] * M_PER_KM, unit
        )
    surfaces = surface_order({r["surface"] for r in records})
    totals = {p: sum(km.values()) for p, km in periods.items()}
    label = max((len(p) for p in periods), default=0)
    tail = max((len(f"{t:,.1f} {unit}") for t in totals.values()), default=0)
    width = max(MIN_BAR, columns - label - tail - 4)
    top = max(totals.values(), default=0.0)
    lines = []
    for period, km in periods.items():
        drawn = _stack([(s, km.get(s, 0.0)) for s in surfaces], top, width, unicode)
        pad = " " * (width - _visible(drawn, width))
        lines.append(
            f"{period:<{label}}  {drawn}{pad}  {totals[period]:>{tail - len(unit) - 1},.1f} {unit}"
        )
    legend = "  ".join(f"{_paint(_glyph(s, unicode), s)} {s}" for s in surfaces)
    return "\n".join([*lines, "", legend])


def _glyph(surface: str, unicode: bool) -> str:
    """The fill character of a surface."""
    style = style_of(surface)
    return style.glyph if unicode else style.ascii


def _paint(text: str, surface: str) -> str:
    """Text in the surface's terminal colour."""
    return click.style(text, fg=style_of(surface).terminal)


def _stack(parts: Sequence[tuple[str, float]], top: float, width: int, unicode: bool) -> str:
    """Segments of a stacked bar: each part from its rounded start to its rounded end."""
    out = []
    done = 0.0
    start = 0
    for surface, value in parts:
        done += value
        end = round(done / top * width) if top > 0 else 0
        if end > start:
            out.append(_paint(_glyph(surface, unicode) * (end - start), surface))
        start = max(start, end)
    return "".join(out)


def _visible(drawn: str, width: int) -> int:
    """Columns a drawn stack takes (its colour codes left out)."""
    return min(width, len(click.unstyle(drawn)))
