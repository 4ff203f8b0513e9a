"""Read a Strava account export: activities.csv (by column position) and shoes.csv.

Decisions worth knowing:

- activities.csv repeats column names (Distance, Elapsed Time, ...): columns are found by
  position. With English headers, by the first or second occurrence of a name (the first
  Distance is km with 2 decimals, the second metres); with headers runwear does not know
  (localised exports), by the positions of the current layout. An English header must name
  `REQUIRED_COLUMNS`; the error names the ones missing. Extra columns are ignored.
- The CSV files are UTF-8 (or UTF-16 with a BOM); a line that is not UTF-8 (a name typed on
  an old Windows machine) is read as Windows-1252, so one odd line spoils nothing else.
- Activity Date is UTC, written `Sep 12, 2018, 3:02:23 PM` (since 2019) or
  `2018-09-12 15:02:23` (before). Month names are read in English whatever the locale.
- Activity Type decides the sport (`STRAVA_TYPES`); Trail Run and Virtual Run carry a
  surface through their sub-sport (trail; virtual_activity, i.e. treadmill). A type runwear
  does not know leaves the decision to the file.
- shoes.csv has no id: a shoe's identity is brand, model and name. Activity Gear names a
  shoe by its name, by brand + model + name, or by brand + model: `GearIndex` tries each, and
  a key two shoes share is not used.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

from runwear.ingest.archive import Container, Member
from runwear.ingest.model import ExportFacts, ExportShoe, IngestError

ACTIVITIES_CSV = "activities.csv"
SHOES_CSV = "shoes.csv"
# Files every Strava export holds beside activities.csv (a localised header needs one of them).
SIBLINGS = ("profile.csv", "shoes.csv", "bikes.csv", "activities")
# Strava's bulk export before ~2019: lower-case names, distance in metres or km.
OLD_COLUMNS = ("id", "date", "name", "type", "elapsed_time", "distance", "gear", "filename")
# Garmin Connect's activity list (from its activities page) is also called Activities.csv.
GARMIN_LIST_COLUMNS = ("Activity Type", "Date", "Title", "Distance")
GARMIN_LIST = (
    "a Garmin Connect activity list (Activities.csv, downloaded from the activities page), "
    "not a Strava export: it holds no files and no shoes, so it is not imported. Import your "
    "Garmin Connect account export (Account > Data management > Export your data) or the FIT "
    "files instead"
)
HEADER_BYTES = 64 * 1024
MAX_SPEED_IF_KM = 0.2  # an old-layout distance over elapsed seconds below this is in km
# Without these an English activities.csv cannot be read: which run, when, what, which file.
REQUIRED_COLUMNS = ("Activity ID", "Activity Date", "Activity Type", "Filename")
_AGAIN = "Download the Strava export again"

# Activity Type -> (sport, sub_sport) in FIT names.
STRAVA_TYPES: dict[str, tuple[str, str]] = {
    "run": ("running", "generic"),
    "trail run": ("running", "trail"),
    "virtual run": ("running", "virtual_activity"),
    "walk": ("walking", "generic"),
    "hike": ("hiking", "generic"),
    "ride": ("cycling", "generic"),
    "virtual ride": ("cycling", "virtual_activity"),
    "mountain bike ride": ("cycling", "mountain"),
    "gravel ride": ("cycling", "gravel_cycling"),
    "e-bike ride": ("cycling", "generic"),
    "e-mountain bike ride": ("cycling", "mountain"),
    "velomobile": ("cycling", "generic"),
    "handcycle": ("cycling", "generic"),
    "swim": ("swimming", "generic"),
    "workout": ("training", "generic"),
    "weight training": ("training", "strength_training"),
    "crossfit": ("training", "generic"),
    "hiit": ("training", "generic"),
    "yoga": ("training", "yoga"),
    "pilates": ("training", "pilates"),
    "elliptical": ("fitness_equipment", "elliptical"),
    "stair stepper": ("fitness_equipment", "stair_climbing"),
    "rowing": ("rowing", "generic"),
    "virtual row": ("rowing", "indoor_rowing"),
    "alpine ski": ("alpine_skiing", "generic"),
    "backcountry ski": ("alpine_skiing", "backcountry"),
    "nordic ski": ("cross_country_skiing", "generic"),
    "snowboard": ("snowboarding", "generic"),
    "snowshoe": ("snowshoeing", "generic"),
    "ice skate": ("ice_skating", "generic"),
    "inline skate": ("inline_skating", "generic"),
    "kayaking": ("kayaking", "generic"),
    "canoeing": ("paddling", "generic"),
    "stand up paddling": ("stand_up_paddleboarding", "generic"),
    "surfing": ("surfing", "generic"),
    "kitesurf": ("kitesurfing", "generic"),
    "windsurf": ("windsurfing", "generic"),
    "rock climbing": ("rock_climbing", "generic"),
    "golf": ("golf", "generic"),
    "soccer": ("soccer", "generic"),
    "tennis": ("tennis", "generic"),
    "wheelchair": ("wheelchair_push_run", "generic"),
}

# Shoe Default Sport Types -> what the shoe becomes the default for (None: every run).
DEFAULT_FOR: dict[str, str | None] = {
    "run": None,
    "trail run": "trail",
    "virtual run": "virtual_activity",
}

# The current layout's positions, for headers runwear cannot read (localised exports).
_POSITIONS = {
    "id": 0,
    "date": 1,
    "name": 2,
    "type": 3,
    "elapsed_s": 15,
    "distance_km": 6,
    "gear": 11,
    "file": 12,
    "moving_s": 16,
    "distance_m": 17,
    "ascent_m": 20,
}
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_US_DATE = re.compile(
    r"^([A-Za-z]{3})[a-z]*\.? (\d{1,2}), (\d{4}),? (\d{1,2}):(\d\d):(\d\d)"
    r"(?: ?([AaPp])\.?[Mm]\.?)?$"
)
_ISO_DATE = re.compile(r"^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.\d+)?Z?$")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class StravaRow:
    """One row of activities.csv: the export's facts, its file, and why it is unreadable."""

    line: int  # line number in activities.csv (the header is line 1)
    facts: ExportFacts
    gear: str  # Activity Gear as written ("" when none)
    filename: str  # relative path of the original upload ("" for manual entries)
    error: str | None = None  # why the row cannot be used


@dataclass(frozen=True)
class StravaShoe:
    """One row of shoes.csv."""

    name: str
    brand: str
    model: str
    default_types: tuple[str, ...]  # Shoe Default Sport Types, lower case

    @property
    def key(self) -> str:
        """The shoe's identity across re-imports: brand, model and name."""
        return "|".join(_norm(p) for p in (self.brand, self.model, self.name))

    def export_shoe(self) -> ExportShoe:
        """The shoe as runwear stores it; a blank name becomes brand and model."""
        label = " ".join(p for p in (self.brand, self.model) if p)
        defaults = [DEFAULT_FOR[t] for t in self.default_types if t in DEFAULT_FOR]
        return ExportShoe(
            external_id=f"strava:{self.key}",
            name=self.name or label or "Strava shoe",
            brand=self.brand or None,
            model=self.model or None,
            is_default=None in defaults,
            default_for=next((d for d in defaults if d is not None), None),
        )


def is_strava_export(container: Container) -> bool:
    """True when the folder or archive holds Strava's activities.csv at its top: its header is
    Strava's (English, or the old lower-case layout), or another language's beside the other
    files of a Strava export. Garmin's activity list of the same name is not."""
    member = container.find(ACTIVITIES_CSV)
    if member is None:
        return False
    kind = header_kind(first_line(container, member))
    if kind == "unknown":
        return any(container.find(s) or container.is_folder(s) for s in SIBLINGS)
    return kind in ("strava", "strava_old")


def first_line(container: Container, member: Member) -> bytes:
    """The header line of a CSV member (at most HEADER_BYTES of it)."""
    try:
        with container.open(member) as stream:
            return stream.read(HEADER_BYTES).split(b"\n", 1)[0]
    except (IngestError, OSError):
        return b""


def header_kind(line: bytes) -> str:
    """What a CSV header line says the file is: strava, strava_old, garmin_list or unknown."""
    names = [n.strip().lstrip("\ufeff") for n in next(csv.reader([_text(line)]), [])]
    if "Activity ID" in names or "Activity Date" in names:
        return "strava"
    if set(OLD_COLUMNS) <= {n.lower() for n in names}:
        return "strava_old"
    if all(n in names for n in GARMIN_LIST_COLUMNS):
        return "garmin_list"
    return "unknown"


def sport_for_type(label: str) -> tuple[str, str] | None:
    """(sport, sub_sport) for an Activity Type, or None when runwear does not know the type."""
    return STRAVA_TYPES.get(_norm(label))


def read_activities(data: bytes) -> list[StravaRow]:
    """Every row of activities.csv, in file order; unreadable rows carry their error."""
    reader = csv.reader(io.StringIO(_text(data), newline=""))
    rows: list[StravaRow] = []
    try:
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise IngestError(f"{ACTIVITIES_CSV} is empty. {_AGAIN}")
        columns = _columns(header)
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if columns == _POSITIONS and not rows:
                _check_layout(cells)
            rows.append(_row(reader.line_num, cells, columns))
    except csv.Error as exc:
        raise _not_csv(ACTIVITIES_CSV, reader.line_num, exc) from exc
    return rows


def read_shoes(data: bytes) -> list[StravaShoe]:
    """Every shoe of shoes.csv (name, brand, model, default sport types)."""
    reader = csv.reader(io.StringIO(_text(data), newline=""))
    shoes = []
    try:
        header = [h.strip().lstrip("\ufeff").lower() for h in next(reader, [])]
        at = {name: header.index(name) for name in header}
        positions = [
            at.get("shoe name", 0),
            at.get("shoe brand", 1),
            at.get("shoe model", 2),
            at.get("shoe default sport types", 3),
        ]
        for cells in reader:
            name, brand, model, types = (_cell(cells, i).strip() for i in positions)
            if not (name or brand or model):
                continue
            default_types = tuple(_norm(t) for t in re.split(r"[,;]", types) if t.strip())
            shoes.append(StravaShoe(_SPACES.sub(" ", name), brand, model, default_types))
    except csv.Error as exc:
        raise _not_csv(SHOES_CSV, reader.line_num, exc) from exc
    return shoes


def _not_csv(name: str, line: int, exc: csv.Error) -> IngestError:
    """The error for a CSV file Python's csv module cannot read."""
    return IngestError(f"{name} is not valid CSV (line {line}: {exc}). {_AGAIN}")


class GearIndex:
    """Finds the shoe an Activity Gear value names: by name, brand + model + name, brand + model."""

    def __init__(self, shoes: Iterable[StravaShoe]) -> None:
        self._levels: list[dict[str, StravaShoe | None]] = [{}, {}, {}]
        for shoe in shoes:
            keys = (
                shoe.name,
                f"{shoe.brand} {shoe.model} {shoe.name}",
                f"{shoe.brand} {shoe.model}",
            )
            for level, key in zip(self._levels, keys, strict=True):
                key = _norm(key)
                if not key:
                    continue
                if key in level and level[key] is not shoe:
                    level[key] = None  # two shoes answer to it: not a key
                else:
                    level[key] = shoe

    def find(self, gear: str) -> StravaShoe | None:
        """The shoe `gear` names, or None."""
        key = _norm(gear)
        for level in self._levels:
            if key in level:
                shoe = level[key]
                if shoe is not None:
                    return shoe
        return None


def gear_shoe(gear: str) -> ExportShoe:
    """A shoe for an Activity Gear value that shoes.csv does not list."""
    return ExportShoe(external_id=f"strava:gear:{_norm(gear)}", name=_SPACES.sub(" ", gear.strip()))


def _columns(header: list[str]) -> dict[str, int]:
    """Column positions by meaning; English names found by occurrence, else the known layout.

    A header naming Activity ID or Activity Date is English: it must name every column of
    REQUIRED_COLUMNS too. A header naming neither (a localised export) is read by the known
    layout, and must be as wide as that layout.
    """
    names = [h.strip().lstrip("\ufeff") for h in header]
    lower = [n.lower() for n in names]
    if "Activity ID" not in names and set(OLD_COLUMNS) <= set(lower):
        old = {name: lower.index(name) for name in OLD_COLUMNS}
        return {
            "id": old["id"],
            "date": old["date"],
            "name": old["name"],
            "type": old["type"],
            "elapsed_s": old["elapsed_time"],
            "distance_any": old["distance"],
            "gear": old["gear"],
            "file": old["filename"],
        }
    if all(n in names for n in GARMIN_LIST_COLUMNS) and "Activity ID" not in names:
        raise IngestError(GARMIN_LIST)
    first: dict[str, int] = {}
    second: dict[str, int] = {}
    for i, name in enumerate(names):
        if name in first:
            second.setdefault(name, i)
        else:
            first[name] = i
    if "Activity ID" not in first and "Activity Date" not in first:
        if len(names) <= max(_POSITIONS.values()):
            count = f"{len(names)} column{'s' if len(names) != 1 else ''}"
            raise IngestError(
                f"{ACTIVITIES_CSV} has a header runwear cannot read ({count} starting "
                f"{_printable(names[0][:24])!r}: neither Strava's English names nor its usual "
                f"layout). {_AGAIN}"
            )
        return dict(_POSITIONS)
    missing = [name for name in REQUIRED_COLUMNS if name not in first]
    if missing:
        raise IngestError(
            f"{ACTIVITIES_CSV} lacks the column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}. {_AGAIN}"
        )
    found = {
        "id": first.get("Activity ID"),
        "date": first.get("Activity Date"),
        "name": first.get("Activity Name"),
        "type": first.get("Activity Type"),
        "gear": first.get("Activity Gear"),
        "file": first.get("Filename"),
        "distance_km": first.get("Distance"),
        "distance_m": second.get("Distance"),
        "elapsed_s": first.get(
            "Elapsed Time (seconds)", second.get("Elapsed Time", first.get("Elapsed Time"))
        ),
        "moving_s": first.get("Moving Time (seconds)", first.get("Moving Time")),
        "ascent_m": first.get("Elevation Gain"),
    }
    return {k: v for k, v in found.items() if v is not None}


def _row(line: int, cells: list[str], columns: dict[str, int]) -> StravaRow:
    """One CSV row as a StravaRow."""

    def cell(key: str) -> str:
        return _cell(cells, columns[key]).strip() if key in columns else ""

    activity_id = cell("id")
    label = cell("type")
    gear = cell("gear")
    filename = cell("file")
    sport = sport_for_type(label)
    started_at = _date(cell("date"))
    distance_m = _number(cell("distance_m"))
    if distance_m is None:
        km = _number(cell("distance_km"))
        distance_m = km * 1000 if km is not None else None
    if distance_m is None:
        distance_m = _metres_or_km(_number(cell("distance_any")), _number(cell("elapsed_s")))
    facts = ExportFacts(
        external_id=f"strava:{activity_id}",
        label=label or "no type",
        started_at=started_at,
        sport=sport[0] if sport else None,
        sub_sport=sport[1] if sport else None,
        name=cell("name") or None,
        distance_m=distance_m,
        duration_s=_number(cell("elapsed_s")),
        moving_s=_number(cell("moving_s")),
        ascent_m=_number(cell("ascent_m")),
        manual=not filename,
    )
    error = None
    if not activity_id:
        error = "activities.csv row without an Activity ID"
    elif started_at is None:
        error = f"unreadable Activity Date {cell('date')!r}"
    return StravaRow(line, facts, gear, filename, error)


def _check_layout(cells: list[str]) -> None:
    """Refuse a header runwear read by Strava's known layout when the first row does not fit
    it (an activity id of digits, then a date): never read another CSV by column position."""
    activity_id = _cell(cells, _POSITIONS["id"]).strip()
    if not activity_id.isdigit() or _date(_cell(cells, _POSITIONS["date"]).strip()) is None:
        raise IngestError(
            f"{ACTIVITIES_CSV} is not laid out like a Strava export (no activity id and date "
            "where Strava writes them), so it is not read. Import a Strava export as "
            "downloaded, or the activity files themselves"
        )


def _metres_or_km(distance: float | None, elapsed_s: float | None) -> float | None:
    """An old-layout distance in metres: it was written in metres or in km (by the account's
    units); a figure that would be under MAX_SPEED_IF_KM m/s over its time is km."""
    if distance is None:
        return None
    if elapsed_s:
        return distance * 1000 if distance / elapsed_s < MAX_SPEED_IF_KM else distance
    return distance * 1000 if distance < 1000 else distance


def _date(text: str) -> datetime | None:
    """An Activity Date (UTC) in either of Strava's formats, or None."""
    match = _US_DATE.match(text)
    try:
        if match:
            month = _MONTHS.get(match.group(1).lower())
            if month is None:
                return None
            hour = int(match.group(4))
            half = (match.group(7) or "").lower()
            if half:
                hour = hour % 12 + (12 if half == "p" else 0)
            return datetime(
                int(match.group(3)),
                month,
                int(match.group(2)),
                hour,
                int(match.group(5)),
                int(match.group(6)),
                tzinfo=timezone.utc,
            )
        match = _ISO_DATE.match(text)
        if match:
            return datetime(*(int(g) for g in match.groups()), tzinfo=timezone.utc)  # type: ignore[misc]
    except ValueError:
        return None
    return None


def _number(text: str) -> float | None:
    """A number cell ("10.01", "1,234.5", or a localised "33,22"); None when blank or not finite."""
    text = text.strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        if text.count(",") == 1 and "." not in text and len(text.split(",")[1]) != 3:
            text = text.replace(",", ".")
        else:
            text = text.replace(",", "")
        try:
            number = float(text)
        except ValueError:
            return None
    return number if math.isfinite(number) else None


def _cell(cells: list[str], index: int) -> str:
    """The cell at `index`, or "" past the end of a short row."""
    return cells[index] if index < len(cells) else ""


def _text(data: bytes) -> str:
    """CSV bytes as text: UTF-16 with its BOM, else UTF-8 (BOM or not), line by line.

    A line that is not UTF-8 (a name typed on an old Windows machine) is read as Windows-1252,
    else Latin-1, which every byte is: one odd line never spoils the others.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass  # not UTF-16 after all: the byte-wise reading below takes it
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    lines = data.removeprefix(codecs.BOM_UTF8).split(b"\n")
    return "\n".join(_line_text(line) for line in lines)


def _line_text(line: bytes) -> str:
    """One line as text: UTF-8, else Windows-1252, else Latin-1."""
    for encoding in ("utf-8", "cp1252"):
        try:
            return line.decode(encoding)
        except UnicodeDecodeError:
            continue
    return line.decode("latin-1")


def _printable(text: str) -> str:
    """Text with anything a terminal would act on (control characters) replaced by '?'."""
    return "".join(c if c.isprintable() else "?" for c in text)


def _norm(text: str) -> str:
    """Lower case, single spaces, trimmed: how names are compared."""
    return _SPACES.sub(" ", text).strip().casefold()
