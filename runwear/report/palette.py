"""The one surface palette: the colour of each surface on the page, in the terminal, in ASCII.

Every chart, table shade and map line of `runwear report`, and the stacked bars of
`runwear surfaces --chart`, take their colours from here, so concrete is the same red
everywhere. The hex colours read on a light and on a dark background alike.
"""

from __future__ import annotations

from typing import NamedTuple

from runwear.vocab import SURFACES


class SurfaceStyle(NamedTuple):
    """How one surface is drawn: page colour, terminal colour, Unicode and ASCII glyph."""

    hex: str
    terminal: str  # a click.style colour name
    glyph: str  # Unicode bar fill
    ascii: str  # plain ASCII bar fill


PALETTE: dict[str, SurfaceStyle] = {
    "concrete": SurfaceStyle("#d1495b", "red", "█", "#"),
    "asphalt": SurfaceStyle("#7b6fa8", "magenta", "▓", "="),
    "track": SurfaceStyle("#f28e2b", "bright_yellow", "▒", "+"),
    "trail": SurfaceStyle("#9c6b30", "yellow", "░", ":"),
    "grass": SurfaceStyle("#59a14f", "green", "▚", '"'),
    "gravel": SurfaceStyle("#8f8f8f", "white", "▞", "o"),
    "sand": SurfaceStyle("#e4c03a", "bright_white", "▤", "~"),
    "treadmill": SurfaceStyle("#4e79a7", "blue", "▥", "-"),
    "unknown": SurfaceStyle("#c8c2bb", "bright_black", "·", "?"),
}
OTHER = SurfaceStyle("#b0b0b0", "white", "▪", "*")  # a surface outside the vocabulary

assert set(PALETTE) == set(SURFACES), "every surface needs a colour"


def style_of(surface: str) -> SurfaceStyle:
    """The style of a surface (a neutral one for a name outside the vocabulary)."""
    return PALETTE.get(surface, OTHER)


def surface_order(surfaces: set[str] | frozenset[str]) -> list[str]:
    """The surfaces present, in the vocabulary's order (others after, by name)."""
    known = [s for s in SURFACES if s in surfaces]
    return known + sorted(set(surfaces) - set(known))
