"""`runwear place`: circles and corridors from the command line, and runs split again at once."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from runwear.cli import cli
from runwear.geo import destination
from runwear.samples.fit_writer import fit_activity_bytes
from runwear.samples.route import SampleRun

START = (51.5007, -0.1246)
BEARING = 45.0
T0 = datetime(2026, 6, 1, 7, 0, tzinfo=timezone.utc)


def along(metres: float) -> tuple[float, float]:
    return destination(*START, BEARING, metres)


def at(point: tuple[float, float]) -> str:
    return f"{point[0]:.7f},{point[1]:.7f}"


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args: str, code: int = 0):
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result

    return invoke


@pytest.fixture
def two_runs(tmp_path, run):
    """Two 4 km out-and-backs: one along BEARING, one the other way; Pegasus's concrete."""
    run("shoe", "add", "Pegasus", "--default", "--surface", "concrete")
    for day, bearing in ((0, BEARING), (1, BEARING + 180.0)):
        sample = SampleRun(
            T0 + timedelta(days=day), 4000.0, 1200.0, bearing_deg=bearing, step_s=5.0
        )
        (tmp_path / f"{day}.fit").write_bytes(fit_activity_bytes([sample]))
    run("import", str(tmp_path))


def mix(run, *args: str) -> dict[str, float]:
    return {
        r["surface"]: r["distance_km"] for r in json.loads(run("surfaces", "--json", *args).output)
    }


def gpx_route(path, points, kind: str = "rte") -> str:
    inner = (
        "".join(f'<rtept lat="{a:.7f}" lon="{b:.7f}"/>' for a, b in points)
        if kind == "rte"
        else "<trkseg>"
        + "".join(f'<trkpt lat="{a:.7f}" lon="{b:.7f}"/>' for a, b in points)
        + "</trkseg>"
    )
    path.write_text(
        f'<?xml version="1.0" encoding="UTF-8"?><gpx version="1.1" creator="test">'
        f"<{kind}>{inner}</{kind}></gpx>"
    )
    return str(path)


def test_a_circle_splits_the_runs_that_cross_it(two_runs, run):
    out = run(
        "place",
        "add",
        "Stadium",
        "--surface",
        "tartan",
        "--center",
        at(along(1000.0)),
        "--radius",
        "250m",
    ).output
    assert out == (
        f"Added place Stadium: track, circle of 250 m at {along(1000.0)[0]:.5f},"
        f"{along(1000.0)[1]:.5f}. Runs near it split again: 1 of 1 changed.\n"
    )
    assert mix(run) == {
        "concrete": pytest.approx(7.0, abs=0.07),
        "track": pytest.approx(1.0, abs=0.01),
    }


def test_editing_a_place_splits_again(two_runs, run):
    run(
        "place",
        "add",
        "Stadium",
        "--surface",
        "track",
        "--center",
        at(along(1000.0)),
        "--radius",
        "0.25km",
    )
    out = run("place", "edit", "stadium", "--radius", "100", "--surface", "grass").output
    assert out.endswith("Runs near it split again: 1 of 1 changed.\n")
    assert mix(run) == {
        "concrete": pytest.approx(7.6, abs=0.05),
        "grass": pytest.approx(0.4, abs=0.01),
    }
    run("place", "edit", "Stadium", "--center", at(destination(*START, BEARING + 180, 1000.0)))
    assert mix(run, "--since", "2026-06-02") == {
        "concrete": pytest.approx(3.6, abs=0.05),
        "grass": pytest.approx(0.4, abs=0.01),
    }
    assert mix(run, "--until", "2026-06-02") == {"concrete": 4.0}  # the first run: free again
    run("place", "edit", "Stadium", "--name", "Track")
    assert [p["name"] for p in json.loads(run("place", "list", "--json").output)] == ["Track"]
    removed = run("place", "remove", "track").output
    assert removed == "Removed place Track. Runs near it split again: 1 of 1 changed.\n"
    assert mix(run) == {"concrete": 8.0}


def test_a_corridor_from_a_gpx_route(two_runs, run, tmp_path):
    """A towpath on the run's line from 500 m to 1500 m, 20 m wide: 1020 m each way."""
    route = gpx_route(tmp_path / "towpath.gpx", [along(float(d)) for d in range(500, 1501, 10)])
    out = run("place", "add", "Towpath", "--surface", "gravel", "--gpx", route).output
    assert out == (
        "Added place Towpath: gravel, corridor 1.0 km long, 20 m wide. "
        "Runs near it split again: 1 of 1 changed.\n"
    )
    assert mix(run)["gravel"] == pytest.approx(2.04, rel=0.01)
    [towpath] = json.loads(run("place", "list", "--json").output)
    assert towpath["points"] == 2  # a straight route keeps its two ends
    assert towpath["length_m"] == pytest.approx(1000.0, abs=0.5)
    run("place", "edit", "Towpath", "--width", "40m")
    assert mix(run)["gravel"] == pytest.approx(2.08, rel=0.01)
    track = gpx_route(tmp_path / "recorded.gpx", [along(2500.0), along(3000.0)], kind="trk")
    run("place", "add", "Far", "--surface", "sand", "--gpx", track, "--width", "10m")
    assert "sand" not in mix(run)


def test_place_list(run, tmp_path):
    assert run("place", "list").output.startswith("No places yet. Add one: runwear place add")
    run(
        "place",
        "add",
        "Park",
        "--surface",
        "grass",
        "--center",
        "51.5313,-0.1570",
        "--radius",
        "600m",
    )
    route = gpx_route(tmp_path / "r.gpx", [along(0.0), along(700.0), along(1200.0)])
    run("place", "add", "River", "--surface", "trail", "--gpx", route, "--width", "15m")
    assert run("place", "list").output.splitlines() == [
        "place  surface  shape     size       where",
        "-----  -------  --------  ---------  -----------------",
        "Park   grass    circle    r 600 m    51.53130,-0.15700",
        "River  trail    corridor  15 m wide  1.2 km, 2 points",
    ]
    [park, river] = json.loads(run("place", "list", "--json").output)
    assert (park["kind"], park["radius_m"], park["center_lat"]) == ("circle", 600.0, 51.5313)
    assert (river["kind"], river["width_m"], river["radius_m"]) == ("corridor", 15.0, None)
    assert run("place", "list", "--csv").output.splitlines()[0].startswith("name,surface,kind")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Park", "--center", "51.5,-0.1", "--radius", "100m"], "say the place's surface"),
        (["Park", "--surface", "grass"], "say where the place is: --center LAT,LON"),
        (["Park", "--surface", "grass", "--center", "51.5,-0.1"], "a circle needs --radius"),
        (
            [
                "Park",
                "--surface",
                "grass",
                "--center",
                "51.5,-0.1",
                "--radius",
                "9",
                "--width",
                "3",
            ],
            "--width goes with --gpx",
        ),
        (["Park", "--surface", "lava", "--center", "51.5,-0.1"], "unknown surface 'lava'"),
        (
            ["Park", "--surface", "grass", "--center", "north", "--radius", "1"],
            "'north' is not a position",
        ),
        (["Park", "--surface", "grass", "--center", "91,0", "--radius", "1"], "latitude -90..90"),
        (
            ["Park", "--surface", "grass", "--center", "1,1", "--radius", "0m"],
            "must be between 1 m",
        ),
    ],
)
def test_place_add_refuses(run, args, message):
    result = run("place", "add", *args, code=2)
    assert message in result.output


def test_place_errors_name_the_file_or_place(run, tmp_path):
    run("place", "add", "Park", "--surface", "grass", "--center", "51.5,-0.1", "--radius", "1km")
    assert (
        "a place named 'park' exists already"
        in run(
            "place", "add", "park", "--surface", "sand", "--center", "1,1", "--radius", "1", code=2
        ).output
    )
    assert "no place named 'Nope'. Places: Park" in run("place", "remove", "Nope", code=2).output
    broken = tmp_path / "broken.gpx"
    broken.write_text('<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY x "y">]><gpx></gpx>')
    refused = run("place", "add", "Path", "--surface", "trail", "--gpx", str(broken), code=1)
    assert refused.output.startswith(f"Error: cannot use the route ({broken}): the file declares")
    single = gpx_route(tmp_path / "one.gpx", [along(10.0)])
    assert (
        "it has a single position"
        in run("place", "add", "Path", "--surface", "trail", "--gpx", single, code=1).output
    )
    missing = run(
        "place", "add", "Path", "--surface", "trail", "--gpx", str(tmp_path / "no.gpx"), code=1
    )
    assert missing.output == (
        f"Error: cannot read the route ({tmp_path / 'no.gpx'}): No such file or directory. "
        "Check the path\n"
    )
    assert "nothing to change" in run("place", "edit", "Park", code=2).output
    assert (
        "Park is a circle: change it with --radius"
        in run("place", "edit", "Park", "--width", "5m", code=2).output
    )


def test_tag_surface_auto_splits_again(two_runs, run):
    run(
        "place",
        "add",
        "Stadium",
        "--surface",
        "track",
        "--center",
        at(along(1000.0)),
        "--radius",
        "250m",
    )
    assert run("tag", "1", "--surface", "sand").output == "Tagged 1 run(s) with surface sand.\n"
    assert mix(run, "--until", "2026-06-02") == {"sand": 4.0}
    run("place", "edit", "Stadium", "--radius", "100m")  # a manual tag is left alone
    assert mix(run, "--until", "2026-06-02") == {"sand": 4.0}
    assert run("tag", "1", "--surface", "auto").output == (
        "Tagged 1 run(s) with surface auto.\n"
        "Its surface is now concrete (90% concrete, 10% track).\n"
    )
    assert mix(run, "--until", "2026-06-02") == {
        "concrete": pytest.approx(3.6, abs=0.05),
        "track": pytest.approx(0.4, abs=0.01),
    }


def test_a_shoes_usual_surface_follows_it(two_runs, run):
    run("shoe", "add", "Novablast", "--surface", "asphalt")
    run(
        "place",
        "add",
        "Stadium",
        "--surface",
        "track",
        "--center",
        at(along(1000.0)),
        "--radius",
        "250m",
    )
    run("tag", "1", "--shoe", "Novablast")
    assert mix(run, "--until", "2026-06-02") == {
        "asphalt": pytest.approx(3.0, abs=0.05),
        "track": pytest.approx(1.0, abs=0.01),
    }
    out = run("shoe", "edit", "Pegasus", "--surface", "grass").output
    assert out == "Updated shoe Pegasus. Its runs split again: 1 of 1 changed.\n"
    assert mix(run, "--since", "2026-06-02") == {"grass": 4.0}


def test_progress_lines_for_loads_and_resplits(capsys):
    from runwear.cli.progress import CountProgress, LoadProgress

    now = [100.0]
    load = LoadProgress("lines", 50_000_000, clock=lambda: now[0])
    for step in range(1, 5):
        now[0] += 3
        load.update_bytes(step * 10_000_000)
        load.update_items(step * 20_000)
    load.close()
    count = CountProgress("lines", "Splitting runs again", clock=lambda: now[0])
    for done in range(1, 11):
        now[0] += 1
        count.update(done, 10)
    assert capsys.readouterr().err.splitlines() == [
        "Loading: 20.0/50.0 MB (40%), 20,000 ways, ETA 0:09",
        "Loading: 40.0/50.0 MB (80%), 60,000 ways, ETA 0:03",
        "Splitting runs again: 5/10 runs (50%), ETA 0:05",
        "Splitting runs again: 10/10 runs (100%)",
    ]
