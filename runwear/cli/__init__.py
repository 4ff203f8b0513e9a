"""The `runwear` command line: thin commands over ingest, store and monitor."""

from runwear.cli import (  # noqa: F401  (registers commands)
    activities,
    activity_cmd,
    config,
    demo,
    imports,
    info,
    load,
    osm,
    pain,
    places,
    report,
    reports,
    rotation,
    shoe_merge,
    shoe_show,
    shoes,
)
from runwear.cli.app import cli

__all__ = ["cli"]
