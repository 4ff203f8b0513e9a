"""Apple Health export: workouts streamed from export.xml, the DOCTYPE rule, route files."""

from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest

from runwear.ingest import apple_health
from runwear.ingest.archive import Member, open_container
from runwear.ingest.model import IngestError
from runwear.ingest.xmlsafe import check_prolog, check_prolog_declarations
from runwear.samples.health import (
    DOCTYPE,
    HealthWorkout,
    health_xml_lines,
    sample_workouts,
    write_health_export,
)
from runwear.samples.route import SampleRun


def xml_bytes(workouts: list[HealthWorkout]) -> bytes:
    return ("\n".join(health_xml_lines(workouts)) + "\n").encode()


def read(data: bytes) -> list[apple_health.Workout]:
    return list(apple_health.read_workouts(io.BytesIO(data)))


def test_sample_export_workouts_figures_and_routes():
    workouts = read(xml_bytes(sample_workouts()))
    got = [
        (
            w.facts.label,
            w.facts.sport,
            w.facts.sub_sport,
            round(w.facts.distance_m or 0, 1),
            round(w.facts.duration_s or 0, 1),
            w.route,
            w.source,
        )
        for w in workouts
    ]
    assert got == [
        (
            "Running",
            "running",
            "generic",
            8000.0,
            2880.0,
            "apple_health_export/workout-routes/route_2026-11-02_7.30am.gpx",
            "Apple Watch",
        ),
        ("Running", "running", "treadmill", 6437.4, 2100.0, None, "Apple Watch"),
        (
            "Walking",
            "walking",
            "generic",
            3000.0,
            2400.0,
            "apple_health_export/workout-routes/route_2026-11-04_9.30am.gpx",
            "Apple Watch",
        ),
        (
            "TraditionalStrengthTraining",
            "training",
            "strength_training",
            0.0,
            1800.0,
            None,
            "Apple Watch",
        ),
        (
            "Running",
            "running",
            "generic",
            10000.0,
            3300.0,
            "apple_health_export/workout-routes/route_2026-11-06_7.30am.gpx",
            "Strava",
        ),
    ]
    first = workouts[0].facts
    assert first.started_at == datetime(2026, 11, 2, 14, 30, tzinfo=timezone.utc)
    assert first.utc_offset_s == -7 * 3600
    assert first.ascent_m == pytest.approx(42.0)
    assert first.external_id == "apple:2026-11-02 07:30:00 -0700|Running"
    assert first.is_run and not workouts[3].facts.is_run


def test_statistics_distance_wins_over_total_distance():
    text = xml_bytes(
        [HealthWorkout(SampleRun(datetime(2026, 1, 1, tzinfo=timezone.utc), 5000, 1500))]
    )
    # an older export's totalDistance beside iOS 16's statistics: the statistics count
    text = text.replace(
        b'durationUnit="min" ', b'durationUnit="min" totalDistance="9" totalDistanceUnit="km" ', 1
    )
    assert read(text)[0].facts.distance_m == pytest.approx(5000.0)


def test_export_zip_is_recognised_and_read_through_the_container(tmp_path):
    path = write_health_export(
        tmp_path / "export.zip",
        sample_workouts(),
        orphan_routes=[SampleRun(datetime(2026, 10, 1, tzinfo=timezone.utc), 1000, 300)],
    )
    with open_container(path) as container:
        assert apple_health.is_apple_health(container)
        xml = apple_health.export_xml(container)
        assert xml is not None
        with container.open(xml) as stream:
            workouts = list(apple_health.read_workouts(stream, xml))
        routes = {m.path for m in apple_health.route_files(container, xml)}
        named = {w.route for w in workouts if w.route}
        assert named <= routes
        assert routes - named == {"apple_health_export/workout-routes/route_orphan_0.gpx"}


def test_unpacked_apple_health_export_folder_is_recognised(tmp_path):
    root = write_health_export(tmp_path / "unpacked", sample_workouts()[:1], zipped=False)
    with open_container(root / "apple_health_export") as container:
        assert apple_health.export_xml(container) == Member("export.xml")
    with open_container(root) as container:
        assert apple_health.is_apple_health(container)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "export.xml").write_text("<gpx/>")
    with open_container(tmp_path / "other") as container:
        assert not apple_health.is_apple_health(container)


def test_doctype_with_element_declarations_is_accepted_for_health_only():
    text = f'<?xml version="1.0"?>\n{DOCTYPE}\n<HealthData locale="en_US">'
    assert check_prolog_declarations(text, "export.xml") == "HealthData"
    with pytest.raises(IngestError, match="declares XML entities"):
        check_prolog(text, "GPX")  # GPX and TCX still refuse any subset


@pytest.mark.parametrize(
    "subset",
    [
        '<!ENTITY lol "lol">',
        '<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;',
        "%p;",
        "<!ELEMENT a (%p;)>",
        '<!NOTATION n SYSTEM "x">',
        "<?pi x?>",
        '<!ATTLIST a b CDATA "x"',  # never closed
    ],
)
def test_health_doctype_declaring_entities_is_refused(subset):
    text = (
        '<?xml version="1.0"?>\n<!DOCTYPE HealthData [\n<!ELEMENT HealthData ANY>\n'
        f"{subset}\n]>\n<HealthData>"
    )
    with pytest.raises(IngestError, match="declares XML entities") as caught:
        read(text.encode() + b"</HealthData>")
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE HealthData SYSTEM "http://example.com/h.dtd">',
        '<!DOCTYPE HealthData PUBLIC "-//x//EN" "h.dtd" [ <!ELEMENT HealthData ANY> ]>',
    ],
)
def test_health_external_dtd_is_refused(doctype):
    with pytest.raises(IngestError, match="external DTD"):
        check_prolog_declarations(f"{doctype}<HealthData>", "export.xml")


def test_quoted_brackets_in_an_attribute_default_do_not_end_the_subset():
    text = '<!DOCTYPE HealthData [ <!ATTLIST HealthData a CDATA "]>%"> ]><HealthData>'
    assert check_prolog_declarations(text, "export.xml") == "HealthData"


def test_not_health_data_and_broken_xml_are_one_line_errors():
    with pytest.raises(IngestError, match=r"not an Apple Health export\.xml"):
        read(b"<?xml version='1.0'?><gpx></gpx>")
    broken = xml_bytes(sample_workouts()[:1]).replace(b"</HealthData>", b"<Workout")
    with pytest.raises(IngestError, match=r"export.xml is not valid XML \(line \d+"):
        read(broken)


def test_workouts_are_yielded_before_the_whole_file_is_read():
    workouts = [
        HealthWorkout(SampleRun(datetime(2026, 1, d, tzinfo=timezone.utc), 5000, 1500))
        for d in range(1, 4)
    ]
    data = xml_bytes(workouts) + b" " * (3 << 20)

    class Counting(io.BytesIO):
        consumed = 0

        def read(self, n: int = -1) -> bytes:
            chunk = super().read(n)
            Counting.consumed += len(chunk)
            return chunk

    stream = Counting(data)
    first = next(apple_health.read_workouts(stream))
    assert first.facts.distance_m == pytest.approx(5000.0)
    assert Counting.consumed < len(data) // 2


def test_old_export_without_prolog_and_distance_in_miles():
    # The shape of healthkit-to-sqlite's test export: no <?xml?>, no DOCTYPE, iOS 10 fields.
    data = b"""<HealthData locale="en_US">
 <Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="5.19412346680959"
  durationUnit="min" totalDistance="0.4971749504535062" totalDistanceUnit="mi"
  sourceName="Apple Watch" startDate="2016-11-14 07:25:41 -0700"
  endDate="2016-11-14 07:30:52 -0700">
  <MetadataEntry key="HKTimeZone" value="America/Los_Angeles"/>
  <WorkoutRoute sourceName="iPhone" startDate="2016-11-14 06:25:44 -0800">
   <FileReference path="/workout-routes/route_2019-06-11_3.00pm.gpx"/>
  </WorkoutRoute>
 </Workout>
</HealthData>
"""
    (workout,) = read(data)
    assert workout.facts.distance_m == pytest.approx(800.12, abs=0.01)
    assert workout.facts.duration_s == pytest.approx(311.65, abs=0.01)
    assert workout.route == "apple_health_export/workout-routes/route_2019-06-11_3.00pm.gpx"
    assert workout.facts.started_at == datetime(2016, 11, 14, 14, 25, 41, tzinfo=timezone.utc)
