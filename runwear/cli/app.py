"""The `runwear` click group and the per-call state its commands share."""

from __future__ import annotations

import io
import os
import sqlite3
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import click
from sqlite_utils import Database

from runwear.store import Settings, StoreError, open_db
from runwear.store.database import explain_db_error
from runwear.store.settings import read_settings


def default_db_path() -> Path:
    """runwear.db in the user's application folder (RUNWEAR_DB and --db take precedence)."""
    return Path(click.get_app_dir("runwear")) / "runwear.db"


@dataclass
class App:
    """What a command needs: the database (opened on first use) and the settings."""

    db_path: Path
    units: str | None = None
    _db: Database | None = field(default=None, repr=False)
    _warned: bool = field(default=False, repr=False)

    @property
    def db(self) -> Database:
        """The open database, created and migrated on first use."""
        if self._db is None:
            try:
                self._db = open_db(self.db_path)
            except StoreError as exc:
                raise click.ClickException(str(exc)) from exc
            from runwear.cli.resplitting import finish_interrupted

            finish_interrupted(self._db)  # what a killed command left half done
        return self._db

    @property
    def settings(self) -> Settings:
        """Stored settings, with --units applied for this call; a bad stored value gets one
        warning line (once per call) and its default."""
        settings, bad = read_settings(self.db)
        if bad and not self._warned:
            self._warned = True
            for b in bad:
                click.echo(
                    f"Warning: setting {b.key} = {b.value!r} is ignored ({b.reason}); using "
                    f"the default. Fix it: runwear config {b.key} --reset",
                    err=True,
                )
        return replace(settings, units=self.units) if self.units else settings


pass_app = click.make_pass_decorator(App)


class RunwearGroup(click.Group):
    """The command group; a database failure mid-command ends as one line, not a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command: SQLite errors end as one line, a closed pipe quietly with 0,
        Ctrl-C with 130 (no traceback in any case)."""
        try:
            return super().invoke(ctx)
        except sqlite3.Error as exc:
            app = ctx.find_object(App)
            path = app.db_path if app else Path("runwear.db")
            raise click.ClickException(explain_db_error(exc, path)) from exc
        except BrokenPipeError:
            _silence_stdout()
            raise click.exceptions.Exit(0) from None
        except KeyboardInterrupt:
            click.echo("", err=True)
            raise click.exceptions.Exit(EXIT_INTERRUPTED) from None


EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that flushing at exit into a closed pipe says nothing."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass  # not a real file (a test's buffer): nothing will be flushed into a pipe


@click.group(cls=RunwearGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="runwear")
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=True, path_type=Path),
    envvar="RUNWEAR_DB",
    default=default_db_path,
    show_default="RUNWEAR_DB, else runwear.db in the app folder",
    help="Database file.",
)
@click.option(
    "--units", type=click.Choice(["km", "mi"]), help="Units for this call's tables and messages."
)
@click.pass_context
def cli(ctx: click.Context, db_path: Path, units: str | None) -> None:
    """Track running shoe wear and surfaces from GPX and FIT files, and warn early.

    \b
    Start with the sample season:  runwear demo
    Your own files:                runwear import ~/Downloads/*.fit --shoe Pegasus
    Then:                          runwear shoes; runwear surfaces; runwear check
    """
    if os.environ.get("NO_COLOR"):
        ctx.color = False  # every click.echo / secho below strips colour and bold
    ctx.obj = App(db_path=db_path, units=units)
    ctx.call_on_close(lambda: ctx.obj._db.close() if ctx.obj._db is not None else None)
