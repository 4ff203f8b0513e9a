"""The `runwear` click group and the per-call state its commands share."""

from __future__ import annotations

import importlib
import io
import os
import sqlite3
import sys
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import click

from runwear import __version__

if TYPE_CHECKING:  # the store (and sqlite_utils) load when a command first opens the database
    from sqlite_utils import Database

    from runwear.store import Settings
    from runwear.store.readonly import ReadDb


def default_db_path() -> Path:
    """runwear.db in the user's application folder (RUNWEAR_DB and --db take precedence)."""
    return Path(click.get_app_dir("runwear")) / "runwear.db"


class App:
    """What a command needs: the database (opened on first use) and the settings."""

    def __init__(self, db_path: Path, units: str | None = None) -> None:
        self.db_path = db_path
        self.units = units
        self._db: Database | None = None
        self._light: ReadDb | None = None
        self._warned = False  # a bad stored setting was reported in this call

    def __repr__(self) -> str:
        return f"App(db_path={self.db_path!r}, units={self.units!r})"

    @property
    def db(self) -> Database:
        """The open database, created and migrated on first use."""
        if self._db is None:
            from runwear.store import StoreError, open_db

            try:
                self._db = open_db(self.db_path)
            except StoreError as exc:
                raise click.ClickException(str(exc)) from exc
            if self._db.execute("select exists (select 1 from pending_splits)").fetchone()[0]:
                from runwear.cli.resplitting import finish_interrupted

                finish_interrupted(self._db)  # what a killed command left half done
        return self._db

    @property
    def read_db(self) -> ReadDb:
        """The database for a command that only reads: without sqlite-utils when its schema is
        current and nothing is left to finish, else the full open of `db` (which creates,
        migrates, finishes or refuses as it always does)."""
        if self._db is not None:
            return self._db
        if self._light is None:
            from runwear.store.readonly import open_current

            self._light = open_current(self.db_path) or self.db
        return self._light

    def close(self) -> None:
        """Close what this call opened (closing a connection twice does nothing)."""
        for db in (self._light, self._db):
            if db is not None:
                db.close()

    @property
    def settings(self) -> Settings:
        """Stored settings, with --units applied for this call; a bad stored value gets one
        warning line (once per call) and its default."""
        from runwear.store.settings import read_settings

        settings, bad = read_settings(self.read_db)
        if bad and not self._warned:
            self._warned = True
            for b in bad:
                click.echo(
                    f"Warning: setting {b.key} = {b.value!r} is ignored ({b.reason}); using "
                    f"the default. Fix it: runwear config {b.key} --reset",
                    err=True,
                )
        return settings._replace(units=self.units) if self.units else settings


pass_app = click.make_pass_decorator(App)


class LazyCommand(NamedTuple):
    """A command known by name before its module is imported: `runwear --help` shows
    `short_help`; running it (or looking it up) imports `modules`, which register it."""

    name: str
    modules: tuple[str, ...]
    short_help: str


class LazyCommands(MutableMapping[str, click.Command]):
    """A group's commands by name, where a declared command's modules are imported the first
    time it is looked up, so that a call imports only the command it runs."""

    def __init__(self, loaded: dict[str, click.Command]) -> None:
        self._loaded = dict(loaded)
        self._declared: dict[str, LazyCommand] = {}
        self._imported: set[str] = set()  # declared names whose modules are all imported

    def declare(self, *commands: LazyCommand) -> None:
        """Make `commands` known by name and help, importing none of their modules."""
        self._declared.update((c.name, c) for c in commands)

    def declarations(self) -> list[LazyCommand]:
        """Every declared command, by name."""
        return [self._declared[name] for name in sorted(self._declared)]

    def listed(self, name: str) -> click.Command:
        """What `--help` lists for `name`: the command if loaded, else a stand-in with its
        declared help (so listing the commands imports none of them)."""
        if name in self._loaded:
            return self._loaded[name]
        return click.Command(name, help=self._declared[name].short_help)

    def __getitem__(self, name: str) -> click.Command:
        declared = self._declared.get(name)
        if declared is not None and name not in self._imported:
            # Even when the command is registered already (its first module was imported
            # for another reason), the modules that add subcommands to it may not be.
            for module in declared.modules:
                importlib.import_module(module)
            self._imported.add(name)
            if name not in self._loaded:
                raise RuntimeError(f"{declared.modules[0]} defines no command {name}")
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        if name not in self:
            raise KeyError(name)
        self._declared.pop(name, None)
        self._loaded.pop(name, None)

    def __contains__(self, name: object) -> bool:
        return name in self._loaded or name in self._declared

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._loaded.keys() | self._declared.keys()))

    def __len__(self) -> int:
        return len(self._loaded.keys() | self._declared.keys())


class RunwearGroup(click.Group):
    """The command group; a database failure mid-command ends as one line, not a traceback.
    Its commands are imported when used (see LazyCommands)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands: LazyCommands = LazyCommands(self.commands)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The Commands section of `--help`, from each command's declared one-line help."""
        shown = [(name, self.commands.listed(name)) for name in self.list_commands(ctx)]
        shown = [(name, command) for name, command in shown if not command.hidden]
        if shown:
            limit = formatter.width - 6 - max(len(name) for name, _ in shown)
            with formatter.section("Commands"):
                formatter.write_dl([(n, c.get_short_help_str(limit)) for n, c in shown])

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command: SQLite errors end as one line, a closed pipe quietly with 0,
        Ctrl-C with 130 (no traceback in any case)."""
        try:
            return super().invoke(ctx)
        except sqlite3.Error as exc:
            from runwear.store.database import explain_db_error

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
@click.version_option(__version__, package_name="runwear")
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
    ctx.call_on_close(ctx.obj.close)
