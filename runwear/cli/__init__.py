"""The `runwear` command line: thin commands over ingest, store and monitor."""

from runwear.cli import activities, config, demo, imports, load, reports, shoes  # noqa: F401  (registers commands)
from runwear.cli.app import cli

__all__ = ["cli"]
