"""Progress of long work on stderr: a bar on a terminal, a line every few seconds elsewhere."""

from __future__ import annotations

import sys
import time
from collections import deque
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import TextIO

import click

from runwear.importing import Progress
from runwear.units import format_clock, format_distance

BAR_WIDTH = 24
REDRAW_S = 0.1  # a terminal bar is redrawn at most this often
LINE_EVERY_S = 5.0  # without a terminal: one progress line this often
ETA_WINDOW_S = 30.0  # the ETA goes by the rate over about this long


class _Bar:
    """A bar on a terminal, a line every LINE_EVERY_S elsewhere, nothing when off.

    `mode` is "bar" (a terminal), "lines" (a log or a pipe) or "off" (--quiet). Subclasses
    say what the work is (`label`) and how far it is (`describe`, `share`).
    """

    label = "Working"

    def __init__(
        self,
        mode: str,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
        line_every_s: float = LINE_EVERY_S,
    ) -> None:
        self.mode = mode
        self.stream = stream
        self.clock = clock
        self.line_every_s = line_every_s
        self._started = clock()
        self._last_shown = self._started
        self._drawn = False
        self._samples: deque[tuple[float, float]] = deque([(self._started, 0.0)])

    @staticmethod
    def mode_for(quiet: bool, stream: TextIO | None = None) -> str:
        """A bar when `stream` (default stderr) is a terminal, lines when not, off when quiet."""
        if quiet:
            return "off"
        return "bar" if (stream or sys.stderr).isatty() else "lines"

    def echo(self, line: str, err: bool = False) -> None:
        """Print a line of output above the bar."""
        self._clear()
        click.echo(line, err=err)
        if self._has_news() and self.mode == "bar":
            self._draw(self.clock())

    def close(self) -> None:
        """Take the bar away before the summary."""
        self._clear()

    def describe(self, now: float) -> str:
        raise NotImplementedError

    def share(self) -> float:
        raise NotImplementedError

    def _has_news(self) -> bool:
        raise NotImplementedError

    def _show(self, finished: bool) -> None:
        """Show the latest progress when it is time to (always when `finished`, on a bar)."""
        now = self.clock()
        self._sample(now, self.share())
        if self.mode == "bar":
            if now - self._last_shown >= REDRAW_S or finished:
                self._draw(now)
        elif self.mode == "lines" and now - self._last_shown >= self.line_every_s:
            self._last_shown = now
            click.echo(f"{self.label}: {self.describe(now)}", file=self.stream, err=True)

    def _eta(self, share: float, now: float) -> str:
        """ ", ETA 0:42" once a second has passed, while unfinished.

        The rate is that of the last ETA_WINDOW_S, so the quick skipping of files imported
        before (a resumed import) does not make the files left look quick too.
        """
        self._sample(now, share)
        first_s, first_share = self._samples[0]
        elapsed = now - first_s
        if 0 < share < 1 and now - self._started >= 1.0 and elapsed > 0:
            rate = (share - first_share) / elapsed
            if rate > 0:
                return f", ETA {format_clock((1 - share) / rate)}"
        return ""

    def _sample(self, now: float, share: float) -> None:
        """Keep (time, share) samples of about the last ETA_WINDOW_S."""
        samples = self._samples
        if samples[-1][0] != now:
            samples.append((now, share))
        while len(samples) > 2 and now - samples[1][0] >= ETA_WINDOW_S:
            samples.popleft()

    def _draw(self, now: float) -> None:
        import shutil  # with its bz2 and lzma: only where a bar is drawn

        self._last_shown = now
        filled = round(max(0.0, min(1.0, self.share())) * BAR_WIDTH)
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        # One terminal line, or "\r" cannot go back over it and every redraw is a new line.
        width = max(20, shutil.get_terminal_size().columns - 1)
        self._write(f"\r{f'[{bar}] {self.describe(now)}'[:width]}\x1b[K")
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


class ImportProgress(_Bar):
    """Shows import progress, and prints result lines without tearing the bar.

    `mode` is "bar" (a terminal), "lines" (a log or a pipe) or "off" (--quiet). Pick it with
    `for_stream`.
    """

    label = "Importing"

    def __init__(
        self,
        mode: str,
        unit: str,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
        line_every_s: float = LINE_EVERY_S,
    ) -> None:
        super().__init__(mode, stream, clock, line_every_s)
        self.unit = unit
        self._latest: Progress | None = None

    @classmethod
    def for_stream(cls, quiet: bool, unit: str, stream: TextIO | None = None) -> ImportProgress:
        """A bar when `stream` (default stderr) is a terminal, lines when not, none when quiet."""
        return cls(cls.mode_for(quiet, stream), unit, stream)

    def update(self, progress: Progress) -> None:
        """Record progress, and show it when it is time to."""
        self._latest = progress
        self._show(progress.done == progress.total)

    def share(self) -> float:
        progress = self._latest
        if progress is None:
            return 0.0
        return progress.done / progress.total if progress.total else 1.0

    def _has_news(self) -> bool:
        return self._latest is not None

    def describe(self, now: float, progress: Progress | None = None) -> str:
        """120/400 files (30%), 118 runs, 1,180.0 km, ETA 0:42."""
        progress = progress or self._latest
        assert progress is not None
        total = max(progress.total, 1)
        text = (
            f"{progress.done}/{progress.total} files ({progress.done / total:.0%}), "
            f"{progress.runs} run{'s' if progress.runs != 1 else ''}, "
            f"{format_distance(progress.distance_m, self.unit)}"
        )
        if progress.done < progress.total:
            text += self._eta(progress.done / total, now)
        return text


class LoadProgress(_Bar):
    """Progress of reading a large file: megabytes read of the file's size, and items kept.

    `update_bytes` and `update_items` may come from two places (the reader and the store).
    """

    label = "Loading"

    def __init__(
        self,
        mode: str,
        total_bytes: int,
        items: str = "ways",
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
        line_every_s: float = LINE_EVERY_S,
    ) -> None:
        super().__init__(mode, stream, clock, line_every_s)
        self.total_bytes = max(1, total_bytes)
        self.items = items
        self.bytes_read = 0
        self.count = 0
        self._news = False

    def update_bytes(self, bytes_read: int) -> None:
        """The reader is this far into the file."""
        self.bytes_read = bytes_read
        self._news = True
        self._show(bytes_read >= self.total_bytes)

    def update_items(self, count: int) -> None:
        """This many items are kept so far."""
        self.count = count
        self._news = True
        self._show(False)

    def share(self) -> float:
        return min(1.0, self.bytes_read / self.total_bytes)

    def _has_news(self) -> bool:
        return self._news

    def describe(self, now: float) -> str:
        """23.1/50.0 MB (46%), 120,000 ways, ETA 0:42."""
        share = self.share()
        return (
            f"{self.bytes_read / 1e6:,.1f}/{self.total_bytes / 1e6:,.1f} MB ({share:.0%}), "
            f"{self.count:,} {self.items}{self._eta(share, now)}"
        )


class _FileReading(LoadProgress):
    """LoadProgress whose bar says which file it is reading."""

    def describe(self, now: float) -> str:
        return f"{self.label}: {super().describe(now)}"


class ReadingProgress:
    """A bar for each large file read before an import starts (a 2 GB export.xml), on a
    terminal only: "Reading export.xml: 230.1/2,000.0 MB (11%), 1,204 workouts, ETA 1:02"."""

    def __init__(
        self, mode: str, stream: TextIO | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.mode = mode
        self.stream = stream
        self.clock = clock
        self._bar: _FileReading | None = None
        self._name = ""

    @classmethod
    def for_stream(cls, quiet: bool, stream: TextIO | None = None) -> ReadingProgress:
        """A bar when `stream` (default stderr) is a terminal and not quiet; else nothing."""
        mode = "bar" if _Bar.mode_for(quiet, stream) == "bar" else "off"
        return cls(mode, stream)

    def update(self, name: str, read_bytes: int, total_bytes: int, items: int) -> None:
        """The reader of `name` is `read_bytes` into it and has found `items` so far."""
        if self.mode == "off":
            return
        if self._bar is None or name != self._name:
            self.close()
            self._name = name
            self._bar = _FileReading(self.mode, total_bytes, "workouts", self.stream, self.clock)
            self._bar.label = f"Reading {PurePosixPath(name).name}"
        self._bar.count = items
        self._bar.update_bytes(read_bytes)

    def close(self) -> None:
        """Take the bar away (before the import's own bar)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None


class CountProgress(_Bar):
    """Progress through a known number of items: "120/1,000 runs (12%), ETA 0:42"."""

    def __init__(
        self,
        mode: str,
        label: str,
        items: str = "runs",
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
        line_every_s: float = LINE_EVERY_S,
    ) -> None:
        super().__init__(mode, stream, clock, line_every_s)
        self.label = label
        self.items = items
        self.done = 0
        self.total = 0

    def update(self, done: int, total: int) -> None:
        """`done` of `total` items are through."""
        self.done, self.total = done, total
        self._show(done >= total)

    def share(self) -> float:
        return self.done / self.total if self.total else 1.0

    def _has_news(self) -> bool:
        return self.total > 0

    def describe(self, now: float) -> str:
        share = self.share()
        return f"{self.done:,}/{self.total:,} {self.items} ({share:.0%}){self._eta(share, now)}"
