"""The `runwear` command line: thin commands over ingest, store and monitor.

Every command is declared here by name, module and one-line help, and its module is imported
only when the command runs, so `runwear --version` or `runwear shoes` load no other command's
imports. A new command module needs one line below (tests/test_startup.py checks them).
"""

from runwear.cli.app import LazyCommand, cli

cli.commands.declare(
    LazyCommand(
        "activities", ("runwear.cli.activities",), "List runs (or every activity), newest first."
    ),
    LazyCommand(
        "activity",
        ("runwear.cli.activity_cmd",),
        "Look at one stored activity in full, or remove activities imported by mistake.",
    ),
    LazyCommand(
        "check",
        ("runwear.cli.reports",),
        "Warn about worn or old shoes, surfaces, training load and untagged runs (exit 1 on "
        "warn/alert).",
    ),
    LazyCommand(
        "config",
        ("runwear.cli.config",),
        "Show or change settings: thresholds, default shoe limit, units.",
    ),
    LazyCommand("db", ("runwear.cli.info",), "Where the database is: `runwear db path`."),
    LazyCommand(
        "demo",
        ("runwear.cli.demo",),
        "Try runwear on a generated season: sample files and database, a park, shoes and check.",
    ),
    LazyCommand(
        "import",
        ("runwear.cli.imports",),
        "Import runs from files, folders, account exports, a watch or a watched folder.",
    ),
    LazyCommand(
        "info",
        ("runwear.cli.info",),
        "Show the database in use, its size and what it holds (never creates it).",
    ),
    LazyCommand(
        "load",
        ("runwear.cli.load",),
        "Show your weekly running load: distance, runs, rest days, pace, climb, ramp.",
    ),
    LazyCommand(
        "next",
        ("runwear.cli.rotation",),
        "Suggest the pair to wear today: fit for the run, under its limit, rested longest.",
    ),
    LazyCommand(
        "osm",
        ("runwear.cli.osm",),
        "Load OpenStreetMap data of your area, so runs are split by the streets and paths.",
    ),
    LazyCommand(
        "pain",
        ("runwear.cli.pain",),
        "Log pain and see what your running looked like before it.",
    ),
    LazyCommand(
        "place",
        ("runwear.cli.places",),
        "Add, change, list or remove the places whose surface you know.",
    ),
    LazyCommand(
        "report",
        ("runwear.cli.report",),
        "Write one offline HTML page: warnings, shoes, weekly load, surfaces, a map.",
    ),
    LazyCommand(
        "retag",
        ("runwear.cli.places",),
        "Apply the rules to stored runs, leaving shoes and surfaces tagged by hand alone.",
    ),
    LazyCommand(
        "rule",
        ("runwear.cli.places",),
        "Add, list or remove rules that tag shoe and surface on import.",
    ),
    LazyCommand(
        "shoe",
        ("runwear.cli.shoes", "runwear.cli.shoe_merge", "runwear.cli.shoe_show"),
        "Add, edit, rename, retire or remove a shoe.",
    ),
    LazyCommand(
        "shoes",
        ("runwear.cli.shoes",),
        "List shoes with their distance, limit, wear, status, and the date each reaches its limit.",
    ),
    LazyCommand(
        "surfaces",
        ("runwear.cli.reports",),
        "Show how your running distance splits over surfaces, and how much of it is known.",
    ),
    LazyCommand(
        "tag",
        ("runwear.cli.activities",),
        "Set the shoe and/or surface of runs; every figure follows.",
    ),
    LazyCommand(
        "untagged",
        ("runwear.cli.rotation",),
        "List runs with no shoe, newest first, with their ids for `runwear tag`.",
    ),
)

__all__ = ["cli"]
