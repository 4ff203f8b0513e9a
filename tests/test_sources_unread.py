"""Files of types runwear does not read: counted by type, said in one line."""

from __future__ import annotations

from runwear.ingest.unread import count_unread, unread_line, unread_suffix


def test_unread_types_counted_commonest_first():
    names = [f"polar/{i}.hrm" for i in range(8)] + [f"s/{i}.SML" for i in range(4)]
    names += ["run.gpx", "notes.json", "move.sml.gz", "photo.jpg"]
    counts = count_unread(names)
    assert dict(counts) == {".hrm": 8, ".sml": 5}
    assert unread_line(counts) == (
        "13 files of types runwear does not read: .hrm 8, .sml 5; convert them to FIT, GPX or TCX"
    )


def test_nothing_unread_gives_no_line():
    assert unread_line(count_unread(["a.fit", "b.tcx.gz"])) is None
    assert unread_suffix("x.ttbin") == ".ttbin"
    assert unread_line(count_unread(["one.kml"])) == (
        "1 file of types runwear does not read: .kml 1; convert them to FIT, GPX or TCX"
    )
