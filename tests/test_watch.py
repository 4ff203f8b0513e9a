"""Mounted Garmin watches: found under fake mount roots, named from GarminDevice.xml."""

from __future__ import annotations

from pathlib import Path

from runwear.ingest import watch

DEVICE_XML = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<Device xmlns="http://www.garmin.com/xmlschemas/GarminDevice/v2">
  <Model>
    <PartNumber>006-B3076-00</PartNumber>
    <SoftwareVersion>1370</SoftwareVersion>
    <Description>Forerunner 245</Description>
  </Model>
  <Id>3324546267</Id>
</Device>
"""


def volume(root: Path, name: str, garmin: str = "GARMIN", activity: str = "ACTIVITY") -> Path:
    folder = root / name / garmin / activity
    folder.mkdir(parents=True)
    return root / name


def test_watches_under_a_mount_root_in_any_letter_case(tmp_path):
    media = tmp_path / "media" / "sam"
    fr = volume(media, "GARMIN")
    (fr / "GARMIN" / "ACTIVITY" / "2026-11-20-07-00-00.FIT").write_bytes(b"x")
    (fr / "GARMIN" / "ACTIVITY" / "2026-11-21-07-00-00.fit").write_bytes(b"x")
    (fr / "GARMIN" / "ACTIVITY" / "notes.txt").write_text("x")
    (fr / "GARMIN" / "GarminDevice.xml").write_text(DEVICE_XML)
    old = volume(media, "EDGE", garmin="Garmin", activity="Activity")
    (media / "USB STICK" / "photos").mkdir(parents=True)

    found = watch.find_watches([media, tmp_path / "run" / "media" / "sam"])
    assert [(w.volume.name, w.name, [p.name for p in w.fit_files]) for w in found] == [
        ("EDGE", None, []),
        ("GARMIN", "Forerunner 245", ["2026-11-20-07-00-00.FIT", "2026-11-21-07-00-00.fit"]),
    ]
    assert found[1].label == f"Forerunner 245 ({fr})"
    assert found[0].label == str(old)


def test_a_mount_given_is_the_volume_itself(tmp_path):
    fr = volume(tmp_path, "FR965")
    assert [w.volume for w in watch.find_watches([fr])] == [fr]
    assert watch.find_watches([tmp_path / "nowhere"]) == []


def test_hostile_or_odd_device_xml_gives_no_name(tmp_path):
    fr = volume(tmp_path, "W")
    device = fr / "GARMIN" / "GarminDevice.xml"
    device.write_text(
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        "<Device><Model><Description>&e;</Description></Model></Device>"
    )
    assert watch.watch_name(fr) is None
    device.write_text("<Device><DisplayName>Sam's watch</DisplayName></Device>")
    assert watch.watch_name(fr) is None  # not the Garmin namespace: not trusted as a name
    device.write_text("not xml")
    assert watch.watch_name(fr) is None


def test_mount_roots_per_system():
    assert watch.mount_roots("linux", "sam") == [Path("/media/sam"), Path("/run/media/sam")]
    assert watch.mount_roots("darwin", "sam") == [Path("/Volumes")]
    assert watch.mount_roots("win32", "sam", drives="ACDE") == [
        Path("C:\\"),
        Path("D:\\"),
        Path("E:\\"),
    ]


def test_no_watch_message_says_where_and_mtp(tmp_path):
    line = watch.no_watch_message([Path("/media/sam"), Path("/run/media/sam")])
    assert line.startswith("No Garmin watch found (looked for GARMIN/Activity in /media/sam, ")
    assert "MTP" in line and "\n" not in line


def test_import_from_a_plugged_in_watch(tmp_path, runwear_db):
    from datetime import datetime, timezone

    from click.testing import CliRunner

    from runwear.cli import cli
    from runwear.samples.fit_writer import fit_activity_bytes
    from runwear.samples.route import SampleRun

    volume = tmp_path / "media" / "GARMIN_VOL"
    activity = volume / "GARMIN" / "ACTIVITY"
    activity.mkdir(parents=True)
    run = SampleRun(datetime(2026, 11, 2, 7, tzinfo=timezone.utc), 6_000.0, 1_800.0, step_s=5.0)
    (activity / "B2B10000.FIT").write_bytes(fit_activity_bytes([run]))
    result = CliRunner().invoke(cli, ["import", "--jobs", "1", "--from-watch", str(volume)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"Watch {volume}: 1 FIT files."
    assert lines[-1].startswith("Imported 1 run (6.0 km) from 1 file;")
    again = CliRunner().invoke(cli, ["import", "--jobs", "1", "--from-watch", str(volume)])
    assert again.output.splitlines()[-1].startswith("Imported 0 runs (0.0 km) from 1 file; 1 dup")


def test_no_watch_says_where_it_looked_and_about_mtp(tmp_path, runwear_db):
    from click.testing import CliRunner

    from runwear.cli import cli

    result = CliRunner().invoke(cli, ["import", "--from-watch", str(tmp_path)])
    assert result.exit_code == 1
    assert f"looked for GARMIN/Activity in {tmp_path}" in result.output
    assert "MTP" in result.output
    assert CliRunner().invoke(cli, ["import"]).exit_code == 2
