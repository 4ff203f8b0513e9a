"""Start-up: a command imports only what it runs; every command is declared with its help."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import click
import sqlite_utils
from click.testing import CliRunner
from sqlite_utils.plugins import pm

from runwear.cli import cli
from runwear.cli.app import RunwearGroup
from runwear.store import memory_db, open_db
from tests.helpers import run_import, write_good

EXPORT_READERS = ("apple_health", "fitbit", "garmin", "google_fit", "polar", "runkeeper", "strava")
CLI_FOLDER = Path(__file__).resolve().parent.parent / "runwear" / "cli"

# Run `runwear ARGS` in a fresh interpreter, then print the modules it had imported.
PROBE = """
import sys
from runwear.cli import cli
try:
    cli(sys.argv[1:])
except SystemExit:
    pass
loaded = sorted(sys.modules)
import json
print(json.dumps(loaded), file=sys.stderr)
"""


def modules_after(*args: str) -> set[str]:
    """The modules a fresh `runwear ARGS` has imported when it ends."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=True
    )
    return set(json.loads(done.stderr.splitlines()[-1]))


def command_modules(modules: set[str]) -> set[str]:
    """The runwear.cli modules that define commands, among `modules`."""
    return {m for m in modules if m.startswith("runwear.cli.") and m != "runwear.cli.app"}


def test_version_imports_no_command_and_no_database_library():
    modules = modules_after("--version")
    assert command_modules(modules) == set()
    assert "sqlite_utils" not in modules
    assert not {m for m in modules if m.startswith("runwear.store")}


def test_help_lists_every_command_importing_none(tmp_path):
    modules = modules_after("--help")
    assert command_modules(modules) == set()
    assert "sqlite_utils" not in modules


def test_shoes_imports_neither_other_commands_nor_import_report_or_surfacing_code(runwear_db):
    CliRunner().invoke(cli, ["shoe", "add", "Pegasus"])  # a database with a shoe in it
    modules = modules_after("shoes")
    assert command_modules(modules) == {
        "runwear.cli.output",
        "runwear.cli.params",
        "runwear.cli.shoes",
    }
    heavy = ("jinja2", "runwear.importing", "runwear.report", "runwear.surfacing", "runwear.ingest")
    assert not {m for m in modules if m.startswith(heavy)}


def test_a_table_loads_no_json_csv_zone_completion_or_shoe_merging_modules(runwear_db):
    CliRunner().invoke(cli, ["shoe", "add", "Pegasus"])  # timezone setting: local
    modules = modules_after("shoes")
    unused = {"json", "csv", "zoneinfo", "click.shell_completion", "runwear.store.shoe_identity"}
    assert not unused & modules


def test_opening_the_database_runs_no_sqlite_utils_plugin(tmp_path):
    called = []

    class Plugin:
        @sqlite_utils.hookimpl
        def prepare_connection(self, conn):
            called.append(conn)

    plugin = Plugin()
    pm.register(plugin)
    try:
        open_db(tmp_path / "runwear.db").close()
        memory_db().close()
    finally:
        pm.unregister(plugin)
    assert called == []


def test_version_is_the_installed_distributions():
    result = CliRunner().invoke(cli, ["--version"], prog_name="runwear")
    assert result.output == f"runwear, version {version('runwear')}\n"


def test_every_command_module_is_declared_with_its_help():
    for path in CLI_FOLDER.glob("*.py"):
        importlib.import_module(f"runwear.cli.{path.stem}")
    declared = {d.name: d for d in cli.commands.declarations()}
    assert sorted(cli.commands) == sorted(declared)
    for name, command in cli.commands.items():
        assert declared[name].short_help == command.get_short_help_str(10**6), name


def commands_section(group: click.Group, format_commands) -> str:
    """`group`'s Commands section as `format_commands` writes it, 80 columns wide."""
    formatter = click.HelpFormatter(width=78)
    format_commands(group, click.Context(group), formatter)
    return formatter.getvalue()


def test_help_lists_every_command_as_click_would_with_all_imported():
    lazy = RunwearGroup("runwear")
    lazy.commands.declare(*cli.commands.declarations())
    listed = commands_section(lazy, RunwearGroup.format_commands)
    assert listed == commands_section(cli, click.Group.format_commands)
    assert "  shoes       List shoes with their distance, limit, wear, status, and...\n" in listed
    assert lazy.commands._loaded == {}


def test_a_group_loads_the_modules_that_add_to_it():
    result = CliRunner().invoke(cli, ["shoe", "--help"])
    assert result.exit_code == 0
    assert "  merge " in result.output
    assert "  show " in result.output


def test_a_group_registered_by_another_import_still_gets_its_subcommands():
    code = "import runwear.cli.shoes; from runwear.cli import cli; cli(['shoe', '--help'])"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "  merge " in done.stdout
    assert "  show " in done.stdout


def test_unknown_command_suggests_the_close_ones():
    result = CliRunner().invoke(cli, ["shoez"])
    assert result.exit_code == 2
    assert result.output.endswith(
        "Error: No such command 'shoez'. (Did you mean one of: 'shoe', 'shoes'?)\n"
    )


def test_completion_offers_commands_by_their_declared_names():
    env = {"_RUNWEAR_COMPLETE": "bash_complete", "COMP_WORDS": "runwear sh", "COMP_CWORD": "1"}
    result = CliRunner().invoke(cli, [], env=env, prog_name="runwear")
    assert result.output == "plain,shoe\nplain,shoes\n"


def test_reimporting_stored_files_loads_no_writer_pool_export_reader_or_sqlite_utils(tmp_path):
    folder = tmp_path / "runs"
    write_good(folder, "gpx")
    write_good(folder, "fit")
    assert run_import(folder).exit_code == 0
    modules = modules_after("import", "--quiet", str(folder))
    heavy = (
        "sqlite_utils",
        "runwear.importing.writer",
        "runwear.store.surfaces",
        "concurrent.futures.process",
        "zipfile",
        "shutil",
        *(f"runwear.ingest.{kind}" for kind in EXPORT_READERS),
    )
    assert not {m for m in modules if m.startswith(heavy)}


def test_a_new_file_among_stored_ones_is_imported_through_the_full_database(tmp_path):
    folder = tmp_path / "runs"
    write_good(folder, "gpx")
    assert run_import(folder).exit_code == 0
    write_good(folder, "fit")
    modules = modules_after("import", "--quiet", "--jobs", "2", str(folder))
    assert {"sqlite_utils", "runwear.importing.writer", "concurrent.futures.process"} <= modules
