"""Small inline-SVG chart builders for the report page: bars, lines, stacks and a track map.

Each builder takes plain values from `runwear.report.data` and returns one `<svg>` element
(markup, escaped) with a `<title>` and a `<desc>` saying what it shows; every mark carries
its figures in a `<title>` (a hover tip without JavaScript) and a `data-tip` (the page's
small script shows it on tap too). Sizes are in viewBox units; CSS scales the whole chart
to the page width. Text colours come from CSS (`currentColor`), so dark mode needs nothing
here. No xmlns: the SVG sits inside HTML, and nothing in it points anywhere.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from markupsafe import Markup, escape

from runwear.report.data import MapPlace, MapRun, PeriodView, ShoeView, WeekView
from runwear.report.palette import style_of, surface_order
from runwear.surfacing.geometry import METRES_PER_DEGREE, metres_per_degree_lon

MAX_WEEKS_WITH_COUNTS = 26  # more weeks than this: runs and rest days only in the table
MAP_MAX_HEIGHT = 520  # the tracks' drawing height at most, in viewBox units
STATUS_CLASS = {"ok": "ok", "nearing": "nearing", "retire": "retire", "retired": "retired"}


def nice_step(top: float, ticks: int = 4) -> float:
    """A round step (1, 2, 2.5 or 5 x 10^n) that splits 0..top into about `ticks` parts."""
    if top <= 0:
        return 1.0
    raw = top / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def _num(value: float) -> str:
    """A coordinate with at most one decimal, as short as it gets."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _svg(width: int, height: int, cls: str, title: str, desc: str, body: Sequence[str]) -> Markup:
    """One `<svg>` of `width` x `height` viewBox units with its title, desc and marks."""
    return Markup(
        f'<svg class="chart {cls}" viewBox="0 0 {width} {height}" role="img" '
        f'preserveAspectRatio="xMidYMid meet">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>{''.join(body)}</svg>"
    )


def _tip(text: str) -> str:
    """The hover title of a mark (its data-tip attribute carries the same text for taps)."""
    return f"<title>{escape(text)}</title>"


@dataclass(frozen=True)
class Frame:
    """A chart's plot area: x0..x1 across, values 0..top drawn from y1 (bottom) up to y0."""

    x0: float
    x1: float
    y0: float
    y1: float
    top: float

    @classmethod
    def fitting(
        cls, box: tuple[float, float, float, float], highest: float, headroom: float
    ) -> Frame:
        """A frame in `box` (x0, x1, y0, y1) whose top is `highest` plus some headroom."""
        return cls(*box, top=highest * headroom or 1.0)

    def y_of(self, value: float) -> float:
        """The y of a value."""
        return self.y1 - (self.y1 - self.y0) * value / self.top

    def slot(self, i: int, n: int) -> tuple[float, float]:
        """(x, width) of bar `i` of `n` across the frame, with a gap on either side."""
        width = (self.x1 - self.x0) / max(n, 1)
        return self.x0 + i * width + width * 0.15, width * 0.7

    def grid(self) -> list[str]:
        """Grid lines and their labels at round steps from 0 to the top, on the left."""
        step = nice_step(self.top)
        marks = []
        value = 0.0
        while value <= self.top + 1e-9:
            y = _num(self.y_of(value))
            marks.append(
                f'<line class="grid" x1="{_num(self.x0)}" y1="{y}" x2="{_num(self.x1)}" y2="{y}"/>'
                f'<text class="axis" x="{_num(self.x0 - 4)}" y="{_num(self.y_of(value) + 4)}" '
                f'text-anchor="end">{value:g}</text>'
            )
            value += step
        return marks


def wear_bar(shoe: ShoeView, unit_label: str = "km") -> Markup:
    """A shoe's distance as a bar against its limit, with the nearing mark and the limit."""
    width, height, left, right = 320, 34, 4, 316
    scale_km = max(shoe.limit_km, shoe.distance_km) * 1.05 or 1.0

    def x_of(km: float) -> float:
        return left + (right - left) * km / scale_km

    used = (
        f"{shoe.name}: {shoe.distance_km:g} {unit_label} of {shoe.limit_km:g} "
        f"({shoe.used_pct:g}%), {shoe.status}"
    )
    cls = STATUS_CLASS.get(shoe.status, "ok")
    body = [
        f'<rect class="track" x="{left}" y="6" width="{right - left}" height="16" rx="3"/>',
        f'<rect class="wear {cls}" x="{left}" y="6" width="{_num(x_of(shoe.distance_km) - left)}"'
        f' height="16" rx="3" data-tip="{escape(used)}">{_tip(used)}</rect>',
        f'<line class="nearing-mark" x1="{_num(x_of(shoe.nearing_km))}" y1="2" '
        f'x2="{_num(x_of(shoe.nearing_km))}" y2="26"/>',
        f'<line class="limit-mark" x1="{_num(x_of(shoe.limit_km))}" y1="1" '
        f'x2="{_num(x_of(shoe.limit_km))}" y2="27"/>',
        f'<text class="axis" x="{_num(x_of(shoe.limit_km))}" y="33" text-anchor="middle">'
        f"limit {shoe.limit_km:g}</text>",
    ]
    desc = (
        f"{used}. The thin mark is where nearing starts ({shoe.nearing_km:g}), "
        f"the thick one the limit."
    )
    return _svg(width, height, "wear-bar", f"{shoe.name}: distance against limit", desc, body)


def wear_line(shoe: ShoeView, today: date, unit_label: str = "km") -> Markup:
    """A shoe's cumulative distance over time (one point per run) with its limit line."""
    width, height = 600, 170
    points = shoe.cumulative_km
    frame = Frame.fitting((48, 588, 12, 146), max([shoe.limit_km, *(km for _, km in points)]), 1.08)
    x0, x1, y1, y_of = frame.x0, frame.x1, frame.y1, frame.y_of
    first = points[0][0] if points else today
    last = max(today, points[-1][0]) if points else today
    days = max((last - first).days, 1)

    def x_of(day: date) -> float:
        return x0 + (x1 - x0) * (day - first).days / days

    body = frame.grid()
    body.append(
        f'<line class="limit-line" x1="{x0}" y1="{_num(y_of(shoe.limit_km))}" x2="{x1}" '
        f'y2="{_num(y_of(shoe.limit_km))}"/>'
        f'<text class="limit-label" x="{x0 + 6}" y="{_num(y_of(shoe.limit_km) - 4)}" '
        f'text-anchor="start">limit {shoe.limit_km:g} {escape(unit_label)}</text>'
    )
    if points:
        coords = " ".join(f"{_num(x_of(d))},{_num(y_of(km))}" for d, km in points)
        body.append(f'<polyline class="wear-line" points="{coords}"/>')
        for d, km in points[-1:]:
            tip = f"{d.isoformat()}: {km:g} {unit_label}"
            body.append(
                f'<circle class="wear-dot" cx="{_num(x_of(d))}" cy="{_num(y_of(km))}" r="4" '
                f'data-tip="{escape(tip)}">{_tip(tip)}</circle>'
            )
    for day, anchor in ((first, "start"), (last, "end")):
        body.append(
            f'<text class="axis" x="{_num(x_of(day))}" y="{y1 + 18}" text-anchor="{anchor}">'
            f"{day.isoformat()}</text>"
        )
    now = points[-1][1] if points else shoe.distance_km
    desc = (
        f"{shoe.name}: cumulative distance from {first.isoformat()} to {last.isoformat()}, "
        f"{now:g} {unit_label} now against a limit of {shoe.limit_km:g}; "
        f"{len(points)} runs drawn."
    )
    return _svg(width, height, "wear-line-chart", f"{shoe.name}: distance over time", desc, body)


def load_bars(weeks: Sequence[WeekView], unit_label: str = "km") -> Markup:
    """Distance per week as bars, the weeks that broke a load rule marked, runs and rest."""
    width, height = 720, 250
    frame = Frame.fitting((44, 712, 16, 186), max((w.distance_km for w in weeks), default=0), 1.12)
    x0, y1, y_of = frame.x0, frame.y1, frame.y_of
    n = len(weeks)
    body = frame.grid()
    every = max(1, math.ceil(n / 18))  # week labels that fit
    per_week = n <= MAX_WEEKS_WITH_COUNTS
    if per_week:
        body.append(f'<text class="axis" x="{x0 - 4}" y="{y1 + 30}" text-anchor="end">runs</text>')
        body.append(f'<text class="axis" x="{x0 - 4}" y="{y1 + 44}" text-anchor="end">rest</text>')
    for i, w in enumerate(weeks):
        x, bar_w = frame.slot(i, n)
        y = y_of(w.distance_km)
        broke = bool(w.breaks)
        so_far = f" (so far, {w.days} of 7 days)" if w.days < 7 else ""
        tip = (
            f"{w.week} from {w.week_start.isoformat()}{so_far}: {w.distance_km:g} {unit_label}, "
            f"{w.runs} runs, {w.rest_days} rest days"
        )
        if broke:
            tip += ". " + " ".join(w.breaks)
        cls = "load-bar break" if broke else "load-bar"
        if w.days < 7:
            cls += " partial"
        body.append(
            f'<rect class="{cls}" x="{_num(x)}" y="{_num(y)}" width="{_num(bar_w)}" '
            f'height="{_num(y1 - y)}" data-week="{w.week}" data-tip="{escape(tip)}">'
            f"{_tip(tip)}</rect>"
        )
        centre = _num(x + bar_w / 2)
        if broke:
            body.append(
                f'<text class="break-mark" x="{centre}" y="{_num(y - 4)}" '
                f'text-anchor="middle">!</text>'
            )
        if i % every == 0:
            body.append(
                f'<text class="axis" x="{centre}" y="{y1 + 14}" text-anchor="middle">'
                f"{w.week[-3:]}</text>"
            )
        if per_week:
            body.append(
                f'<text class="axis small" x="{centre}" y="{y1 + 30}" text-anchor="middle">'
                f"{w.runs}</text>"
                f'<text class="axis small" x="{centre}" y="{y1 + 44}" text-anchor="middle">'
                f"{w.rest_days}</text>"
            )
    broken = sum(1 for w in weeks if w.breaks)
    desc = (
        f"Distance in {unit_label} per ISO week, {len(weeks)} weeks; {broken} "
        f"{'week' if broken == 1 else 'weeks'} broke a load rule (marked !)."
        + (" Runs and rest days per week below the bars." if per_week else "")
    )
    return _svg(width, height, "load-chart", "Weekly load", desc, body)


def surface_stack(periods: Sequence[PeriodView], by: str, unit_label: str = "km") -> Markup:
    """Distance per period stacked by surface, with the concrete and hard share as lines."""
    width, height = 720, 240
    frame = Frame.fitting((44, 676, 16, 200), max((p.total_km for p in periods), default=0), 1.08)
    x1, y1, y_of = frame.x1, frame.y1, frame.y_of
    shares = replace(frame, top=1.0)
    n = len(periods)
    surfaces = surface_order({s for p in periods for s in p.km})
    body = frame.grid()
    for pct in (0, 50, 100):
        body.append(
            f'<text class="axis" x="{x1 + 4}" y="{_num(shares.y_of(pct / 100) + 4)}">{pct}%</text>'
        )
    every = max(1, math.ceil(n / 12))
    concrete, hard = [], []
    for i, p in enumerate(periods):
        x, bar_w = frame.slot(i, n)
        base = 0.0
        for surface in surfaces:
            km = p.km.get(surface, 0.0)
            if km <= 0:
                continue
            top, bottom = y_of(base + km), y_of(base)
            tip = f"{p.period}: {surface} {km:g} {unit_label} of {p.total_km:g}"
            body.append(
                f'<rect class="stack" x="{_num(x)}" y="{_num(top)}" width="{_num(bar_w)}" '
                f'height="{_num(bottom - top)}" fill="{style_of(surface).hex}" '
                f'data-surface="{escape(surface)}" data-tip="{escape(tip)}">{_tip(tip)}</rect>'
            )
            base += km
        centre = x + bar_w / 2
        concrete.append(f"{_num(centre)},{_num(shares.y_of(p.concrete_share))}")
        hard.append(f"{_num(centre)},{_num(shares.y_of(p.hard_share))}")
        if i % every == 0:
            label = p.period[5:] if by == "week" else p.period
            body.append(
                f'<text class="axis" x="{_num(centre)}" y="{y1 + 14}" text-anchor="middle">'
                f"{escape(label)}</text>"
            )
    if periods:
        body.append(f'<polyline class="share-line hard" points="{" ".join(hard)}"/>')
        body.append(f'<polyline class="share-line concrete" points="{" ".join(concrete)}"/>')
    desc = (
        f"Distance in {unit_label} per {by}, stacked by surface ({', '.join(surfaces)}); the "
        "solid line is the concrete share, the dashed line the hard share (concrete + "
        "asphalt), on the right-hand scale."
    )
    return _svg(width, height, "surface-chart", f"Surfaces by {by}", desc, body)


def scale_bar_m(span_m: float) -> float:
    """A round distance (1, 2 or 5 x 10^n m) about a quarter of `span_m`."""
    target = max(span_m / 4, 1.0)
    power = 10 ** math.floor(math.log10(target))
    return max(f * power for f in (1, 2, 5) if f * power <= target)


def run_map(runs: Sequence[MapRun], places: Sequence[MapPlace] = ()) -> Markup:
    """The runs' tracks in an equirectangular projection, each in its main surface's colour,
    over the user's places they reach (faint, in their surface's colour), with a scale bar.
    No tiles: only the lines."""
    width = 800
    pad = 16
    points = [p for r in runs for p in r.points]
    if not points:
        return _svg(width, 60, "map", "Map of recent runs", "No run with a track.", [])
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    mid_lat = (min(lats) + max(lats)) / 2
    kx, ky = metres_per_degree_lon(mid_lat), METRES_PER_DEGREE
    span_x = max((max(lons) - min(lons)) * kx, 1.0)
    span_y = max((max(lats) - min(lats)) * ky, 1.0)
    px_per_m = min((width - 2 * pad) / span_x, MAP_MAX_HEIGHT / span_y)
    height = max(200, round(span_y * px_per_m + 2 * pad + 30))
    off_x = (width - span_x * px_per_m) / 2
    off_y = (height - 30 - span_y * px_per_m) / 2

    west, north = min(lons), max(lats)

    def xy(lat: float, lon: float) -> str:
        x = off_x + (lon - west) * kx * px_per_m
        y = off_y + (north - lat) * ky * px_per_m
        return f"{_num(x)},{_num(y)}"

    body = []
    for place in places:
        colour = style_of(place.surface).hex
        tip = f"{place.name}: place, {place.surface}"
        if place.radius_m is not None:
            lat, lon = place.points[0]
            x, y = xy(lat, lon).split(",")
            body.append(
                f'<circle class="place" cx="{x}" cy="{y}" r="{_num(place.radius_m * px_per_m)}" '
                f'fill="{colour}" stroke="{colour}" data-tip="{escape(tip)}">{_tip(tip)}</circle>'
            )
        else:
            coords = " ".join(xy(lat, lon) for lat, lon in place.points)
            body.append(
                f'<polyline class="place" points="{coords}" stroke="{colour}" '
                f'stroke-width="{_num(max(2.0, (place.width_m or 0) * px_per_m))}" '
                f'data-tip="{escape(tip)}">{_tip(tip)}</polyline>'
            )
    for run in reversed(runs):  # the latest on top
        parts = ", ".join(f"{s} {km:g} km" for s, km in run.parts_km.items())
        tip = f"{run.started_at[:10]} {run.name}: {run.distance_km:g} km ({parts})"
        coords = " ".join(xy(lat, lon) for lat, lon in run.points)
        body.append(
            f'<polyline class="run" points="{coords}" stroke="{style_of(run.surface).hex}" '
            f'data-surface="{escape(run.surface)}" data-tip="{escape(tip)}">{_tip(tip)}'
            "</polyline>"
        )
    bar_m = scale_bar_m(span_x)
    bar_px = bar_m * px_per_m
    label = f"{bar_m / 1000:g} km" if bar_m >= 1000 else f"{bar_m:g} m"
    y = height - 14
    body.append(
        f'<g class="scale-bar"><line x1="{pad}" y1="{y}" x2="{_num(pad + bar_px)}" y2="{y}"/>'
        f'<line x1="{pad}" y1="{y - 5}" x2="{pad}" y2="{y + 5}"/>'
        f'<line x1="{_num(pad + bar_px)}" y1="{y - 5}" x2="{_num(pad + bar_px)}" y2="{y + 5}"/>'
        f'<text class="axis" x="{_num(pad + bar_px + 6)}" y="{y + 4}">{label}</text></g>'
    )
    desc = (
        f"{len(runs)} recent runs drawn from their stored tracks (equirectangular projection "
        f"around latitude {mid_lat:.3f}, north up), each in the colour of its main surface, "
        f"over {len(places)} of your places; scale bar {label}."
    )
    return _svg(width, height, "map", "Map of recent runs", desc, body)
