"""Rendering: readable tables by default, --json and --csv on request."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cache
from typing import Any

import click

from runwear.cli.app import App

Record = dict[str, Any]


CSV_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # OWASP: cells a spreadsheet would run


def units_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add --units km|mi after a command, as on the group (`runwear shoes --units mi`)."""

    def set_units(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
        app = ctx.find_object(App)
        if value and app is not None:
            app.units = value

    return click.option(
        "--units",
        type=click.Choice(["km", "mi"]),
        expose_value=False,
        callback=set_units,
        help="Units for this call's tables and messages.",
    )(func)


def output_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add --json, --csv and --units to a listing command (as parameters json_ and csv_)."""
    func = units_option(func)
    func = click.option("--csv", "csv_", is_flag=True, help="Output CSV.")(func)
    func = click.option("--json", "json_", is_flag=True, help="Output JSON.")(func)
    return func


def colour_on(stream: Any = None) -> bool:
    """Whether to colour: a terminal, and no NO_COLOR in the environment."""
    if os.environ.get("NO_COLOR"):
        return False
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


def styled(text: str, **style: Any) -> str:
    """`text` in colour or bold (click.style) when `colour_on`, else as it is."""
    return click.style(text, **style) if colour_on() else text


def printable(text: str) -> str:
    """Text whose control and bidi characters show as escapes (\\x1b, \\u202e), never raw."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


def emit(
    records: Iterable[Record],
    json_: bool,
    csv_: bool,
    table: Callable[[Sequence[Record]], str],
    empty: str,
    fields: Sequence[str] = (),
) -> None:
    """Print records as JSON, CSV, or the command's own table (`empty` when there are none).

    JSON and CSV are written as the records come, STREAM_BATCH at a time (a generator of
    records keeps memory flat); the table, which needs every width, reads them all.
    `fields` names the CSV columns, so that an empty result still prints its header.
    """
    if json_ and csv_:
        raise click.UsageError("choose one of --json and --csv")
    if json_ or csv_:
        for chunk in _json_chunks(records) if json_ else _csv_chunks(records, fields):
            click.echo(chunk, nl=False)
        if json_:
            click.echo("")
        return
    rows = list(records)
    click.echo(table(rows) if rows else empty)


STREAM_BATCH = 500  # records written per write


def _json_chunks(records: Iterable[Record]) -> Iterator[str]:
    """`json.dumps(list(records), indent=2)` in pieces of STREAM_BATCH records."""
    opened = False
    for batch in _batches(records):
        yield ("[\n" if not opened else ",\n") + ",\n".join(map(_json_record, batch))
        opened = True
    yield "\n]" if opened else "[]"


def _json_record(record: Record) -> str:
    """One record as `json.dumps` writes it inside a list with indent=2. json's indenting
    encoder is pure Python; for a flat record (no lists or dicts in it) the C encoder writes
    the same text when the separator between items carries the newline and indent."""
    import json  # a table needs none: loaded for --json only

    if not record:
        return "  {}"
    if any(isinstance(v, (dict, list, tuple)) for v in record.values()):
        return "  " + json.dumps(record, indent=2).replace("\n", "\n  ")
    return "  {\n    " + _flat_json()(record)[1:-1] + "\n  }"


@cache
def _flat_json() -> Callable[[Any], str]:
    """The C encoder's `encode`, with the separators of a flat record (see `_json_record`)."""
    import json

    return json.JSONEncoder(separators=(",\n    ", ": ")).encode


def _csv_chunks(records: Iterable[Record], fields: Sequence[str]) -> Iterator[str]:
    """`to_csv(list(records), fields)` in pieces of STREAM_BATCH records."""
    names: list[str] | None = None
    for batch in _batches(records):
        if names is None:
            names = list(batch[0])
            yield to_csv(batch, names)
        else:
            yield to_csv(batch, names).split("\n", 1)[1]
    if names is None:
        yield to_csv([], fields)


def _batches(records: Iterable[Record]) -> Iterator[list[Record]]:
    """Lists of up to STREAM_BATCH records."""
    batch: list[Record] = []
    for record in records:
        batch.append(record)
        if len(batch) == STREAM_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def to_csv(records: Sequence[Record], fields: Sequence[str] = ()) -> str:
    """Records as CSV text with a header row (`fields`, else the first record's keys).

    Text cells are made safe for a spreadsheet (`csv_cell`); numbers stay numbers.
    """
    names = list(records[0]) if records else list(fields)
    if not names:
        return ""
    import csv  # loaded for --csv only

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=names, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: csv_cell(v) for k, v in r.items()} for r in records)
    return out.getvalue()


def csv_cell(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula gets a leading `'` (OWASP);
    control characters are escaped. Numbers and None are left as they are."""
    if not isinstance(value, str):
        return value
    if value.startswith(CSV_FORMULA_STARTS):
        value = "'" + value
    return printable(value)


def format_table(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], right: set[int] = frozenset()
) -> str:
    """Columns padded to width; the columns in `right` are right-aligned (numbers)."""
    cells = [[("" if v is None else printable(str(v))) for v in row] for row in rows]
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
