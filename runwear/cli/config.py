"""`runwear config`: read and change the settings stored in the database."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import click
from click.shell_completion import CompletionItem

from runwear.cli.app import App, cli, pass_app
from runwear.cli.output import Record, emit, format_table, output_options
from runwear.store.settings import (
    HELP,
    KEYS,
    Settings,
    parse_setting,
    range_text,
    reset_setting,
    save_setting,
)

CONFIG_FIELDS = ("key", "value", "default", "range", "meaning")


class KeyType(click.ParamType):
    """A setting's name; the shell completes it."""

    name = "key"

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        return [CompletionItem(k) for k in KEYS if k.startswith(incomplete.lower())]


def _shown(value: Any) -> str:
    """A setting's value for people: none for an unset optional one."""
    return "none" if value is None else str(value)


@cli.command("config", context_settings={"ignore_unknown_options": True})
@click.argument("key", type=KeyType(), required=False)
@click.argument("value", required=False)
@click.option("--reset", is_flag=True, help="Forget KEY's stored value (back to the default).")
@output_options
@pass_app
def config(
    app: App, key: str | None, value: str | None, reset: bool, json_: bool, csv_: bool
) -> None:
    """Show or change settings: thresholds, default shoe limit, units.

    Every number has a sane range (shown by `runwear config`); a stored value that is not
    valid gets a warning line and its default until it is changed or reset.

    \b
    runwear config                       # every setting, with its range
    runwear config --json
    runwear config shoe_limit_km         # one
    runwear config shoe_limit_km 800     # change it
    runwear config shoe_max_age_months 12
    runwear config units mi
    runwear config units --reset
    """
    defaults = Settings()._asdict()
    if key is not None and key not in KEYS:
        raise click.BadParameter(
            f"unknown setting {key!r}. Settings: {', '.join(KEYS)}", param_hint="KEY"
        )
    if reset:
        if key is None:
            raise click.UsageError("say which setting to reset: runwear config KEY --reset")
        reset_setting(app.db, key)
        click.echo(f"{key} = {_shown(defaults[key])} (default)")
        return
    current = app.settings._asdict()
    if key is None:
        _listing(current, defaults, json_, csv_)
        return
    if value is None:
        if json_:
            click.echo(json.dumps({key: current[key]}))
        else:
            click.echo(_shown(current[key]))
        return
    try:
        parsed = parse_setting(key, value)
    except ValueError as exc:
        raise click.BadParameter(f"{key} {exc}", param_hint="VALUE") from exc
    save_setting(app.db, key, parsed)
    click.echo(f"{key} = {_shown(parsed)}")


def _listing(current: dict[str, Any], defaults: dict[str, Any], json_: bool, csv_: bool) -> None:
    """Every setting with its value, default, range and meaning."""
    records = [
        {
            "key": k,
            "value": current[k],
            "default": defaults[k],
            "range": range_text(k),
            "meaning": HELP[k],
        }
        for k in KEYS
    ]

    def table(rows: Sequence[Record]) -> str:
        body = [
            [
                r["key"],
                _shown(r["value"]),
                "" if r["value"] == r["default"] else f"(default {_shown(r['default'])})",
                r["range"],
                r["meaning"],
            ]
            for r in rows
        ]
        return format_table(["key", "value", "", "range", "meaning"], body)

    emit(records, json_, csv_, table, "", CONFIG_FIELDS)
