"""The `runwear` command line: thin commands over ingest, store and monitor."""

from runwear.cli import (  # noqa: F401  (registers commands)
    activities,
    config,
    demo,
    imports,
    load,
    osm,
    pain,
    places,
    reports,
    shoes,
)
from runwear.cli.app import cli

__all__ = ["cli"]
