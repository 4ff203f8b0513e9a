"""ISO 8601 times: the fast path for `...Z` times gives what the full parse gives, to the bit."""

from __future__ import annotations

import pytest

from runwear.ingest import timestamps

TIMES = [
    "2022-01-03T06:30:00Z",
    "2022-01-03T06:30:59.5Z",
    "2022-01-03 06:30:00z",
    "2022-01-03T24:00:00Z",
    "2022-01-03T06:30:99Z",
    "2022-01-03T06:30:00.123456789Z",
    "2022-02-30T06:30:00Z",
    "2022-13-03T06:30:00Z",
    "2022-01-03T06:60:00Z",
    "2022-01-00T06:30:00Z",
    "0001-01-01T00:00:00Z",
    "0001-01-02T00:00:00Z",
    "9999-12-30T00:00:00Z",
    "9999-12-30T00:00:01Z",
    " 2022-01-03T06:30:00Z",
    "2022-01-03T06:30:00Z ",
    "2022-01-03T06:30:00Z\n",
    "2022-01-03T06:30:0xZ",
    "2022-01-03T06:30:00.Z",
    "2022-01-03T06:30:00ZZ",
    "2022-01-03T06:30:00+02:00",
    "2022-01-03T06:30:\u0660\u0665Z",  # Arabic-Indic digits: \d matches them
    "\u0662\u0660\u0662\u0662-01-03T06:30:00Z",
]


@pytest.mark.parametrize("text", TIMES)
def test_fast_path_matches_the_full_parse(text):
    fast = timestamps.parse_time(text)
    full = timestamps._parse_any(text)
    assert fast == full
    assert fast is None or type(fast[0]) is type(full[0])


def test_a_z_time_reads_as_utc_epoch_seconds():
    assert timestamps.parse_time("2022-01-03T06:30:01Z") == (1641191401, None)
    assert timestamps.parse_time("2022-01-03T06:30:01.25Z") == (1641191401.25, None)


def test_parse_times_gives_parse_time_of_each_to_the_bit():
    texts = [*TIMES, None, "", "2022-01-03T06:31:07Z", "2022-01-03T06:31:07z"]
    timestamps._minutes.clear()  # the first reading of each minute, then the remembered one
    for _ in range(2):
        batch = timestamps.parse_times(texts)
        single = [timestamps.parse_time(text) for text in texts]
        assert batch == single
        assert [type(t[0]) if t else None for t in batch] == [
            type(t[0]) if t else None for t in single
        ]
