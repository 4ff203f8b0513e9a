"""`runwear osm`: load OpenStreetMap extracts of the runner's area, list them, forget them."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from pathlib import Path

import click

from runwear.cli.app import App, cli, pass_app
from runwear.cli.output import Record, emit, format_table, output_options
from runwear.cli.progress import LoadProgress
from runwear.cli.resplitting import split_after
from runwear.ingest.model import IngestError
from runwear.store import osm as osm_store
from runwear.surfacing.split import OSM_MATCH_M


@cli.group()
def osm() -> None:
    """Load OpenStreetMap data of your area, so runs are split by the streets and paths."""


@osm.command("load")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Forget the data loaded before (an updated extract).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@pass_app
def osm_load(app: App, path: Path, replace: bool, quiet: bool) -> None:
    """Load the ways of an OpenStreetMap extract (.osm.pbf, .osm, .osm.gz, .osm.bz2).

    Download the extract of your area yourself (Geofabrik, BBBike: .osm.pbf; Overpass or
    JOSM: .osm); nothing is fetched. Streets, paths and running tracks are kept with their
    surface; each stretch of a run takes the surface of the nearest way within 20 m, after
    your places. .osm.pbf needs the osm extra: pip install 'runwear[osm]'. Loading a way
    again replaces it. Stored runs in the area are split again.

    \b
    runwear osm load ~/Downloads/berlin-latest.osm.pbf
    runwear osm load park.osm
    runwear osm load berlin-newer.osm.pbf --replace
    """
    from runwear.ingest.osm import check_extract, iter_osm_ways  # only when loading

    started = time.monotonic()
    try:
        check_extract(path)
        sha256, size = _hash_file(path)
    except IngestError as exc:
        raise _osm_error(path, exc) from exc
    except OSError as exc:
        raise click.ClickException(f"cannot load the extract ({path}): {exc.strerror}") from exc
    known = osm_store.known_extract(app.db, sha256)
    if known is not None and not replace:
        click.echo(
            f"Already loaded: {path.name} has the same bytes as {known['path']} "
            f"({known['ways']:,} ways, {known['loaded_at'][:10]}). Nothing to do."
        )
        return
    progress = LoadProgress(LoadProgress.mode_for(quiet), size)
    try:
        with split_after(app.db, f"osm load {path}", quiet=quiet) as todo:
            try:
                result = osm_store.load_ways(
                    app.db,
                    iter_osm_ways(path, progress=progress.update_bytes),
                    path=str(path),
                    sha256=sha256,
                    size_bytes=size,
                    replace_all=replace,
                    on_batch=progress.update_items,
                )
            finally:
                progress.close()
            loaded_s = time.monotonic() - started
            areas = (result.area, result.replaced_area)
            todo.add_area(app.db, [b.expanded(OSM_MATCH_M) for b in areas if b])
    except IngestError as exc:
        raise _osm_error(path, exc) from exc
    done = todo.result
    took = f"{loaded_s:.1f} s" if loaded_s < 10 else f"{loaded_s:.0f} s"
    click.echo(
        f"Loaded {result.ways:,} ways from {path.name} in {took}, "
        f"{result.known:,} with a known surface."
        + (
            f" Runs in the area split again: {done.changed} of {done.runs} changed."
            if done.runs
            else " No stored run is in the area yet."
        )
    )


def _hash_file(path: Path) -> tuple[str, int]:
    """SHA-256 and size of a file, read in blocks."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def _osm_error(path: Path, exc: IngestError) -> click.ClickException:
    """One line for an extract that cannot be loaded."""
    from runwear.ingest.osm import PBF_MISSING

    if str(exc) == PBF_MISSING:
        return click.ClickException(PBF_MISSING)
    return click.ClickException(f"cannot load the extract ({path}): {exc}")


@osm.command("list")
@output_options
@pass_app
def osm_list(app: App, json_: bool, csv_: bool) -> None:
    """List the loaded OpenStreetMap extracts."""
    records = [
        {
            "path": r["path"],
            "ways": r["ways"],
            "size_mb": round((r["size_bytes"] or 0) / 1e6, 1),
            "loaded_at": r["loaded_at"],
            "min_lat": r["min_lat"],
            "min_lon": r["min_lon"],
            "max_lat": r["max_lat"],
            "max_lon": r["max_lon"],
        }
        for r in osm_store.sources(app.db)
    ]

    def table(recs: Sequence[Record]) -> str:
        body = [
            [
                Path(r["path"]).name,
                f"{r['ways']:,}",
                f"{r['size_mb']:,.1f}",
                r["loaded_at"][:10],
                f"{r['min_lat']:.3f},{r['min_lon']:.3f} .. {r['max_lat']:.3f},{r['max_lon']:.3f}",
            ]
            for r in recs
        ]
        return format_table(["extract", "ways", "MB", "loaded", "area"], body, right={1, 2})

    emit(records, json_, csv_, table, "No OpenStreetMap data yet. Load some: runwear osm load FILE")


@osm.command("clear")
@pass_app
def osm_clear(app: App) -> None:
    """Forget every loaded OpenStreetMap way; runs in the area are split again without them."""
    count = sum(r["ways"] for r in osm_store.sources(app.db))
    with split_after(app.db, "osm clear") as todo:
        box = osm_store.clear(app.db)
        todo.add_area(app.db, [box.expanded(OSM_MATCH_M) if box else None])
    done = todo.result
    click.echo(
        f"Forgot {count:,} OpenStreetMap ways."
        + (
            f" Runs in the area split again: {done.changed} of {done.runs} changed."
            if done.runs
            else ""
        )
    )
