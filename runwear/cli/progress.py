"""Progress of long imports on stderr: a bar on a terminal, a line every few seconds elsewhere."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

import click

from runwear.importing import Progress
from runwear.units import format_distance

BAR_WIDTH = 24
REDRAW_S = 0.1  # a terminal bar is redrawn at most this often
LINE_EVERY_S = 5.0  # without a terminal: one progress line this often


class ImportProgress:
    """Shows import progress, and prints result lines without tearing the bar.

    `mode` is "bar" (a terminal), "lines" (a log or a pipe) or "off" (--quiet). Pick it with
    `for_stream`.
    """

    def __init__(
        self,
        mode: str,
        unit: str,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
        line_every_s: float = LINE_EVERY_S,
    ) -> None:
        self.mode = mode
        self.unit = unit
        self.stream = stream
        self.clock = clock
        self.line_every_s = line_every_s
        self._started = clock()
        self._last_shown = self._started
        self._drawn = False
        self._latest: Progress | None = None

    @classmethod
    def for_stream(cls, quiet: bool, unit: str, stream: TextIO | None = None) -> ImportProgress:
        """A bar when `stream` (default stderr) is a terminal, lines when not, none when quiet."""
        if quiet:
            return cls("off", unit, stream)
        return cls("bar" if (stream or sys.stderr).isatty() else "lines", unit, stream)

    def update(self, progress: Progress) -> None:
        """Record progress, and show it when it is time to."""
        self._latest = progress
        now = self.clock()
        if self.mode == "bar":
            if now - self._last_shown >= REDRAW_S or progress.done == progress.total:
                self._draw(progress, now)
        elif self.mode == "lines" and now - self._last_shown >= self.line_every_s:
            self._last_shown = now
            click.echo(f"Importing: {self.describe(progress, now)}", file=self.stream, err=True)

    def echo(self, line: str, err: bool = False) -> None:
        """Print a line of output above the bar."""
        self._clear()
        click.echo(line, err=err)
        if self._latest is not None and self.mode == "bar":
            self._draw(self._latest, self.clock())

    def close(self) -> None:
        """Take the bar away before the summary."""
        self._clear()

    def describe(self, progress: Progress, now: float) -> str:
        """120/400 files (30%), 118 runs, 1,180.0 km, ETA 0:42."""
        total = max(progress.total, 1)
        text = (
            f"{progress.done}/{progress.total} files ({progress.done / total:.0%}), "
            f"{progress.runs} run{'s' if progress.runs != 1 else ''}, "
            f"{format_distance(progress.distance_m, self.unit)}"
        )
        elapsed = now - self._started
        if 0 < progress.done < progress.total and elapsed >= 1.0:
            left_s = elapsed / progress.done * (progress.total - progress.done)
            text += f", ETA {_clock(left_s)}"
        return text

    def _draw(self, progress: Progress, now: float) -> None:
        self._last_shown = now
        share = progress.done / progress.total if progress.total else 1.0
        filled = round(share * BAR_WIDTH)
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        self._write(f"\r[{bar}] {self.describe(progress, now)}\x1b[K")
        self._drawn = True

    def _clear(self) -> None:
        if self._drawn:
            self._write("\r\x1b[K")
            self._drawn = False

    def _write(self, text: str) -> None:
        """Terminal control text straight to the stream (click.echo would strip it)."""
        stream = self.stream or sys.stderr
        stream.write(text)
        stream.flush()


def _clock(seconds: float) -> str:
    """1:02:03 or 4:05."""
    s = round(seconds)
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"
