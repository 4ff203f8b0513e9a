"""The FIT enum name tables in runwear/ingest/fit_profile.py equal fitparse's profile.

Run `python tests/test_fit_profile.py` to write the module again from the installed fitparse.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

MODULE = Path(__file__).parent.parent / "runwear" / "ingest" / "fit_profile.py"
# Table name in fit_profile.py -> the fitparse FIELD_TYPES entry it is made from.
TABLES = {
    "FILE_TYPES": "file",
    "SPORTS": "sport",
    "SUB_SPORTS": "sub_sport",
    "INTENSITIES": "intensity",
    "MANUFACTURERS": "manufacturer",
    "GARMIN_PRODUCTS": "garmin_product",
}


def generated_source() -> str:
    """The text of fit_profile.py as generated from the installed fitparse's profile."""
    from fitparse import profile

    head = Path(profile.__file__).read_text().splitlines()[3]
    version = re.search(r"SDK VERSION ([0-9.]+)", head)
    lines = [
        '"""FIT enum names (number -> name), generated from fitparse\'s profile.py: do not edit.',
        "",
        "Source: python-fitparse (MIT licence) `fitparse/profile.py`, "
        f"FIT SDK {version and version[1]}.",
        "Regenerate with `python tests/test_fit_profile.py`; its test checks the tables match.",
        '"""',
        "",
    ]
    for table, type_name in TABLES.items():
        values = profile.FIELD_TYPES[type_name].values
        lines.append(f"{table}: dict[int, str] = {{")
        lines.extend(f"    {number}: {name!r}," for number, name in sorted(values.items()))
        lines.append("}  # fmt: skip")
    return "\n".join(lines) + "\n"


def test_tables_match_fitparse_profile() -> None:
    pytest.importorskip("fitparse")
    assert MODULE.read_text() == generated_source(), "run python tests/test_fit_profile.py"


if __name__ == "__main__":
    MODULE.write_text(generated_source())
    sys.exit(0)
