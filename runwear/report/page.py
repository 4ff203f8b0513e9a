"""The report page: the figures of `runwear.report.data` rendered into one offline HTML file.

Jinja2 (autoescaping) fills `templates/report.html.j2`; the CSS and the small hover script
are inlined from `templates/`. The Content-Security-Policy allows no source at all except
the page's own inline style and that one script (by its SHA-256), so a page that tried to
load anything from the network would be refused by the browser.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from runwear.report import svg
from runwear.report.data import MAP_RUNS, Report, ShoeSurfaces, ShoeView
from runwear.report.palette import style_of, surface_order
from runwear.store.settings import Settings
from runwear.vocab import HARD_SURFACES

SEVERITY_MARK = {"alert": "ALERT", "warn": "WARN", "info": "info"}


@cache
def _environment() -> Environment:
    """The Jinja2 environment over the package's templates (autoescaping HTML)."""
    env = Environment(
        loader=PackageLoader("runwear.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["g"] = lambda value: f"{value:g}"
    return env


def _source(name: str) -> str:
    """A template file's text, as it is inlined."""
    env = _environment()
    assert env.loader is not None
    return env.loader.get_source(env, name)[0]


def content_security_policy(script: str) -> str:
    """No remote (or any other) source: inline styles, and only this inline script."""
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return (
        "default-src 'none'; style-src 'unsafe-inline'; "
        f"script-src 'sha256-{digest}'; img-src 'none'; font-src 'none'; connect-src 'none'; "
        "base-uri 'none'; form-action 'none'"
    )


def km(value: float, decimals: int = 1) -> str:
    """A distance in km as the page shows it: 1,234.5."""
    return f"{value:,.{decimals}f}"


def pct(value: float | None) -> str:
    """A change in percent with its sign ("-" when there is none)."""
    return "-" if value is None else f"{value:+.1f}%"


def shade(surface: str, share: float) -> str:
    """The surface's colour, as opaque as its share (0..1) of the row, over the page."""
    hex_ = style_of(surface).hex.lstrip("#")
    red, green, blue = (int(hex_[i : i + 2], 16) for i in (0, 2, 4))
    alpha = 0.1 + 0.55 * max(0.0, min(1.0, share))  # dark text stays readable
    return f"rgba({red}, {green}, {blue}, {alpha:.2f})"


def hard_pct(row: ShoeSurfaces) -> str:
    """A shoe row's concrete + asphalt share, as `surfaces --by shoe` prints it."""
    if not row.total_km:
        return "-"
    hard = sum(v for s, v in row.km.items() if s in HARD_SURFACES)
    return f"{hard / row.total_km:.0%}"


def monthly(shoe: ShoeView) -> Iterator[tuple[str, float]]:
    """(YYYY-MM, cumulative km at the month's last run) for a shoe's data table."""
    last: dict[str, float] = {}
    for day, total in shoe.cumulative_km:
        last[day.isoformat()[:7]] = total
    yield from last.items()


def render_page(report: Report, settings: Settings) -> str:
    """The whole HTML page for `report` (thresholds named from `settings`)."""
    script = _source("report.js")
    today = report.as_of.date()
    charts = {
        "wear_bar": {s.name: svg.wear_bar(s) for s in report.shoes},
        "wear_line": {s.name: svg.wear_line(s, today) for s in report.shoes},
        "load": svg.load_bars(report.load),
        "surfaces": svg.surface_stack(report.surfaces, report.by),
        "map": svg.run_map(report.map_runs, report.map_places),
    }
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            r=report,
            cfg=settings,
            csp=content_security_policy(script),
            css=Markup(_source("report.css")),
            script=Markup(script),
            charts=charts,
            as_of_day=today.isoformat(),
            severity_mark=SEVERITY_MARK,
            period_surfaces=surface_order({s for p in report.surfaces for s in p.km}),
            matrix_surfaces=surface_order({s for row in report.shoe_surfaces for s in row.km}),
            map_surfaces=surface_order(
                {run.surface for run in report.map_runs} | {p.surface for p in report.map_places}
            ),
            map_max=MAP_RUNS,
            colour=lambda surface: style_of(surface).hex,
            shade=shade,
            km=km,
            pct=pct,
            hard_pct=hard_pct,
            monthly=monthly,
        )
    )
