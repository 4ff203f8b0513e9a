"""Read a Garmin Connect account export: activity summaries, gear, and where the FIT files are.

Decisions worth knowing:

- Summaries come from `DI_CONNECT/DI-Connect-Fitness/*summarizedActivities*.json`, read one
  activity at a time (heavy users' files pass 100 MB). Units: distance and elevation in
  centimetres, durations in milliseconds, start times in epoch milliseconds (UTC).
- activityType decides the sport (`GARMIN_TYPES`): trail_running gives trail, track_running
  and indoor_running track, treadmill_running and virtual_run treadmill (through sub-sports).
- Shoes come from `*_gear.json` (gear of type Shoes): the nickname (displayName), else the
  make and model. `maximumMeters` is the shoe's limit; a retired status or an end date
  retires it (on the end date, else the begin date). `gearActivityDTOs` gives each
  activity's shoe.
- FIT files sit in nested `DI_CONNECT/DI-Connect-Uploaded-Files/*.zip`, named by upload, not
  by activity: `SummaryIndex.match` finds a file's summary by its start time.
"""

from __future__ import annotations

import codecs
import json
import math
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import IO, Any

from runwear.ingest.archive import Container, Member
from runwear.ingest.model import ExportFacts, ExportShoe, IngestError

ROOT = "DI_CONNECT/"
FITNESS = "DI_CONNECT/DI-Connect-Fitness/"
UPLOADS = "DI_CONNECT/DI-Connect-Uploaded-Files/"
MATCH_WINDOW_S = 60.0  # a file starting this close to a summary's start is its file
MAX_ITEM_CHARS = 16 * 1024 * 1024  # one activity's summary larger than this is not one
_CHUNK = 1 << 20

# activityType typeKey -> (sport, sub_sport) in FIT names; others are not runs.
GARMIN_TYPES: dict[str, tuple[str, str]] = {
    "running": ("running", "generic"),
    "street_running": ("running", "street"),
    "trail_running": ("running", "trail"),
    "track_running": ("running", "track"),
    "indoor_running": ("running", "indoor_running"),
    "treadmill_running": ("running", "treadmill"),
    "virtual_run": ("running", "virtual_activity"),
    "ultra_run": ("running", "ultra"),
    "obstacle_run": ("running", "obstacle"),
    "walking": ("walking", "generic"),
    "casual_walking": ("walking", "casual_walking"),
    "speed_walking": ("walking", "speed_walking"),
    "hiking": ("hiking", "generic"),
    "cycling": ("cycling", "generic"),
    "road_biking": ("cycling", "road"),
    "mountain_biking": ("cycling", "mountain"),
    "gravel_cycling": ("cycling", "gravel_cycling"),
    "indoor_cycling": ("cycling", "indoor_cycling"),
    "virtual_ride": ("cycling", "virtual_activity"),
    "lap_swimming": ("swimming", "lap_swimming"),
    "open_water_swimming": ("swimming", "open_water"),
    "swimming": ("swimming", "generic"),
    "strength_training": ("training", "strength_training"),
    "cardio": ("training", "cardio_training"),
    "yoga": ("training", "yoga"),
    "elliptical": ("fitness_equipment", "elliptical"),
    "multi_sport": ("multisport", "generic"),
}


@dataclass(frozen=True)
class GarminGear:
    """The shoes of gear.json, and which shoe each activity was run in."""

    shoes: tuple[ExportShoe, ...]
    activity_shoe: dict[int, str]  # activityId -> ExportShoe.external_id


def is_garmin_export(container: Container) -> bool:
    """True when the folder or archive holds Garmin's DI_CONNECT folder at its top."""
    return container.is_folder(ROOT.rstrip("/"))


def summary_files(container: Container) -> list[Member]:
    """The summarizedActivities JSON files, in name order."""
    return _under(container, FITNESS, "summarizedactivities", ".json")


def gear_files(container: Container) -> list[Member]:
    """The gear JSON files, in name order."""
    return _under(container, FITNESS, "_gear", ".json")


def upload_zips(container: Container) -> list[Member]:
    """The nested zips of uploaded activity files, in name order."""
    return _under(container, UPLOADS, "", ".zip")


def read_summaries(stream: IO[bytes], gear: GarminGear) -> Iterator[ExportFacts]:
    """Every activity of a summarizedActivities file, read one at a time."""
    for item in _json_items(stream, "summarizedActivitiesExport"):
        if isinstance(item, dict):
            facts = _facts(item, gear)
            if facts is not None:
                yield facts


def read_gear(datas: Iterable[bytes]) -> GarminGear:
    """The shoes and the activity -> shoe links of gear.json files."""
    shoes: list[ExportShoe] = []
    links: dict[int, str] = {}
    for data in datas:
        try:
            document = json.loads(_json_text(data))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise IngestError(
                f"gear.json is not valid JSON ({_json_problem(exc)}). Download the Garmin "
                "export again"
            ) from exc
        for part in document if isinstance(document, list) else [document]:
            if not isinstance(part, dict):
                continue
            is_shoe: dict[str, bool] = {}
            for dto in part.get("gearDTOS") or []:
                shoe = _shoe(dto) if isinstance(dto, dict) else None
                pk = str(dto.get("gearPk")) if isinstance(dto, dict) else ""
                is_shoe[pk] = shoe is not None
                if shoe is not None:
                    shoes.append(shoe)
            for pk, uses in (part.get("gearActivityDTOs") or {}).items():
                if not is_shoe.get(str(pk)):
                    continue
                for use in uses or []:
                    activity_id = use.get("activityId") if isinstance(use, dict) else None
                    if isinstance(activity_id, int):
                        links[activity_id] = f"garmin:{pk}"
    return GarminGear(tuple(shoes), links)


class SummaryIndex:
    """Summaries by start time, to find the one a FIT file belongs to."""

    def __init__(self, summaries: Iterable[ExportFacts]) -> None:
        dated = sorted(
            ((s.started_at.timestamp(), s) for s in summaries if s.started_at is not None),
            key=lambda pair: pair[0],
        )
        self._starts = [start for start, _ in dated]
        self._facts = [facts for _, facts in dated]

    def __len__(self) -> int:
        return len(self._facts)

    def __iter__(self) -> Iterator[ExportFacts]:
        return iter(self._facts)

    def match(self, started_at: datetime) -> ExportFacts | None:
        """The summary starting nearest to `started_at`, within MATCH_WINDOW_S, or None."""
        start = started_at.timestamp()
        i = bisect_left(self._starts, start - MATCH_WINDOW_S)
        best: ExportFacts | None = None
        best_gap = MATCH_WINDOW_S
        while i < len(self._starts) and self._starts[i] <= start + MATCH_WINDOW_S:
            gap = abs(self._starts[i] - start)
            if gap <= best_gap:
                best, best_gap = self._facts[i], gap
            i += 1
        return best


def _facts(item: dict[str, Any], gear: GarminGear) -> ExportFacts | None:
    """One summary as ExportFacts; None without an activity id."""
    activity_id = item.get("activityId")
    if not isinstance(activity_id, int):
        return None
    kind = item.get("activityType")
    if isinstance(kind, dict):
        kind = kind.get("typeKey")
    label = str(kind or "uncategorized")
    sport = GARMIN_TYPES.get(label.lower())
    duration_ms = _num(item.get("elapsedDuration")) or _num(item.get("duration"))
    moving_ms = _num(item.get("movingDuration"))
    distance_cm = _num(item.get("distance"))
    ascent_cm = _num(item.get("elevationGain"))
    return ExportFacts(
        external_id=f"garmin:{activity_id}",
        label=label,
        started_at=_moment(item.get("startTimeGmt"), item.get("beginTimestamp")),
        sport=sport[0] if sport else label.lower(),
        sub_sport=sport[1] if sport else None,
        name=(item.get("name") or "").strip() or None,
        shoe=gear.activity_shoe.get(activity_id),
        distance_m=distance_cm / 100 if distance_cm is not None else None,
        duration_s=duration_ms / 1000 if duration_ms is not None else None,
        moving_s=moving_ms / 1000 if moving_ms is not None else None,
        ascent_m=ascent_cm / 100 if ascent_cm is not None else None,
        manual=bool(item.get("manualActivity")),
    )


def _shoe(dto: dict[str, Any]) -> ExportShoe | None:
    """A gear entry as a shoe; None for bikes and other gear."""
    if str(dto.get("gearTypeName") or "").lower() != "shoes":
        return None
    pk = dto.get("gearPk")
    make = (dto.get("gearMakeName") or "").strip()
    make_model = (dto.get("customMakeModel") or dto.get("gearModelName") or "").strip()
    if make.lower() == "other":
        make = ""
    model = make_model
    if make and model.lower().startswith(f"{make.lower()} "):
        model = model[len(make) + 1 :]  # customMakeModel repeats the make
    name = (dto.get("displayName") or "").strip() or make_model or make or f"Garmin shoe {pk}"
    status = str(dto.get("gearStatusName") or "").lower()
    ended = _day(dto.get("dateEnd"))
    retired_on = None
    if status == "retired" or ended:
        retired_on = ended or _day(dto.get("dateBegin")) or "1970-01-01"
    limit = _num(dto.get("maximumMeters"))
    return ExportShoe(
        external_id=f"garmin:{pk}",
        name=name,
        brand=make or None,
        model=model or None,
        limit_m=limit if limit else None,
        retired_on=retired_on,
    )


def _json_items(stream: IO[bytes], key: str) -> Iterator[Any]:
    """The items of every `"key": [...]` array in a JSON stream, decoded one at a time."""
    decoder = json.JSONDecoder()
    first = stream.read(_CHUNK)
    utf16 = first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    text = codecs.getincrementaldecoder("utf-16" if utf16 else "utf-8-sig")(errors="replace")
    needle = f'"{key}"'
    buf, pos, eof = "", 0, False
    pending = [first]

    def more() -> None:
        nonlocal buf, pos, eof
        chunk = pending.pop() if pending else stream.read(_CHUNK)
        eof = not chunk
        buf = buf[pos:] + text.decode(chunk, final=eof)
        pos = 0

    def skip(chars: str) -> str:
        """Move past whitespace and `chars`; the next character ('' at the end)."""
        nonlocal pos
        while True:
            while pos < len(buf) and (buf[pos].isspace() or buf[pos] in chars):
                pos += 1
            if pos < len(buf) or eof:
                return buf[pos : pos + 1]
            more()

    while True:
        found = buf.find(needle, pos)
        while found < 0 and not eof:
            pos = max(pos, len(buf) - len(needle))
            more()
            found = buf.find(needle, pos)
        if found < 0:
            return
        pos = found + len(needle)
        if skip("") != ":":
            continue
        pos += 1
        if skip("") != "[":
            continue
        pos += 1
        while True:
            following = skip(",")
            if following in ("]", ""):
                break
            try:
                item, pos = decoder.raw_decode(buf, pos)
            except json.JSONDecodeError as exc:
                if eof or len(buf) - pos > MAX_ITEM_CHARS:
                    raise IngestError(
                        f"{key} is not valid JSON ({exc.msg}; cut short?). Download the Garmin "
                        "export again"
                    ) from exc
                more()
                continue
            except (ValueError, RecursionError) as exc:  # 5,000-digit numbers, deep nesting
                raise IngestError(
                    f"{key} is not JSON runwear can read ({_json_problem(exc)}). Download the "
                    "Garmin export again"
                ) from exc
            yield item


def _json_text(data: bytes) -> str:
    """JSON bytes as text: UTF-16 with its BOM, else UTF-8 (with or without a BOM)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    return data.decode("utf-8-sig")


def _json_problem(exc: BaseException) -> str:
    """A short phrase for what the JSON reader refused."""
    if isinstance(exc, RecursionError):
        return "nested too deep"
    text = str(exc)
    if "digits" in text:
        return "a number too long to read"
    return text[:120]


def _under(container: Container, folder: str, contains: str, suffix: str) -> list[Member]:
    """Files directly under `folder` whose lower-case name holds `contains` and ends `suffix`."""
    found = []
    for member in container.members():
        if not member.path.startswith(folder):
            continue
        name = member.path[len(folder) :].lower()
        if "/" not in name and contains in name and name.endswith(suffix):
            found.append(member)
    return sorted(found, key=lambda m: m.path)


def _moment(*values: Any) -> datetime | None:
    """The first usable time: epoch milliseconds, or an ISO 8601 text (UTC when no offset)."""
    for value in values:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            try:
                return datetime.fromtimestamp(value / 1000, timezone.utc)
            except (OverflowError, OSError, ValueError):
                continue
        if isinstance(value, str) and value.strip():
            text = value.strip().replace(" ", "T").removesuffix("Z")
            try:
                moment = datetime.fromisoformat(text[:19])
            except ValueError:
                continue
            return moment.replace(tzinfo=timezone.utc)
    return None


def _day(value: Any) -> str | None:
    """A gear date as YYYY-MM-DD: from epoch milliseconds or ISO text; None when absent."""
    moment = _moment(value)
    return moment.date().isoformat() if moment else None


def _num(value: Any) -> float | None:
    """A JSON number as float; None when absent, not a number, or not finite (NaN, Infinity)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError:  # an integer too large for a float
            return None
        return number if math.isfinite(number) else None
    return None
