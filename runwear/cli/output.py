"""Rendering: readable tables by default, --json and --csv on request."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from typing import Any

import click

Record = dict[str, Any]


def output_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add --json and --csv to a listing command (as parameters json_ and csv_)."""
    func = click.option("--csv", "csv_", is_flag=True, help="Output CSV.")(func)
    func = click.option("--json", "json_", is_flag=True, help="Output JSON.")(func)
    return func


def emit(
    records: Sequence[Record],
    json_: bool,
    csv_: bool,
    table: Callable[[Sequence[Record]], str],
    empty: str,
) -> None:
    """Print records as JSON, CSV, or the command's own table (`empty` when there are none)."""
    if json_ and csv_:
        raise click.UsageError("choose one of --json and --csv")
    if json_:
        click.echo(json.dumps(list(records), indent=2))
    elif csv_:
        click.echo(to_csv(records), nl=False)
    elif records:
        click.echo(table(records))
    else:
        click.echo(empty)


def to_csv(records: Sequence[Record]) -> str:
    """Records as CSV text with a header row."""
    if not records:
        return ""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(records[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    return out.getvalue()


def format_table(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], right: set[int] = frozenset()
) -> str:
    """Columns padded to width; the columns in `right` are right-aligned (numbers)."""
    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if i in right else v.ljust(w)
            for i, (v, w) in enumerate(zip(values, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in cells)])


def bar(share: float, width: int = 20) -> str:
    """A text bar for a share between 0 and 1."""
    filled = round(max(0.0, min(1.0, share)) * width)
    return "#" * filled + "." * (width - filled)
