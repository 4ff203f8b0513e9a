"""`runwear config`: read and change the settings stored in the database."""

from __future__ import annotations

from dataclasses import asdict

import click

from runwear.cli.app import App, cli, pass_app
from runwear.cli.output import format_table
from runwear.store.settings import (
    HELP,
    KEYS,
    Settings,
    load_settings,
    parse_setting,
    reset_setting,
    save_setting,
)


@cli.command("config")
@click.argument("key", required=False)
@click.argument("value", required=False)
@click.option("--reset", is_flag=True, help="Forget KEY's stored value (back to the default).")
@pass_app
def config(app: App, key: str | None, value: str | None, reset: bool) -> None:
    """Show or change settings: thresholds, default shoe limit, units.

    \b
    runwear config                       # every setting
    runwear config shoe_limit_km         # one
    runwear config shoe_limit_km 800     # change it
    runwear config units mi
    runwear config units --reset
    """
    current = asdict(load_settings(app.db))
    defaults = asdict(Settings())
    if key is None:
        rows = [
            [
                k,
                current[k],
                "" if current[k] == defaults[k] else f"(default {defaults[k]})",
                HELP[k],
            ]
            for k in KEYS
        ]
        click.echo(format_table(["key", "value", "", "meaning"], rows))
        return
    if key not in KEYS:
        raise click.BadParameter(
            f"unknown setting {key!r}. Settings: {', '.join(KEYS)}", param_hint="KEY"
        )
    if reset:
        reset_setting(app.db, key)
        click.echo(f"{key} = {defaults[key]} (default)")
        return
    if value is None:
        click.echo(current[key])
        return
    try:
        parsed = parse_setting(key, value)
    except ValueError as exc:
        raise click.BadParameter(f"{key} {exc}", param_hint="VALUE") from exc
    save_setting(app.db, key, parsed)
    click.echo(f"{key} = {parsed}")
