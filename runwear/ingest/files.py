"""Finding activity files on disk, reading them (gzip included) and handing them to a parser."""

from __future__ import annotations

import gzip
import hashlib
import os
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from runwear.ingest.archive import expands_too_far, open_regular, read_at_most
from runwear.ingest.model import IngestError, ParsedFile
from runwear.ingest.unread import HEAD_BYTES, unread_type

FORMATS: dict[str, str] = {".gpx": "gpx", ".fit": "fit", ".tcx": "tcx"}
FOLDER = "folder"  # the format of a folder met on a walk whose files could not be read
EXPORT = "export"  # the format of a folder met on a walk that holds an account export
LISTING = "listing"  # the format of an activity list (activities.csv) met on a walk
LISTINGS = frozenset({"activities.csv"})  # file names of account exports' activity lists
OUTSIDE = "outside"  # the format of a link met on a walk that leads outside the folder
UNREAD = "unread"  # the format of an activity file of a type runwear does not read (.hrm)
DEFAULT_MAX_BYTES = 200 * 1024 * 1024
_CHUNK = 1 << 20


@dataclass(frozen=True)
class SourceFile:
    """A file found for import: where it is and the format its name says (None: unsupported)."""

    path: Path
    format: str | None
    gzipped: bool = False
    unread: str | None = None  # with format UNREAD: the file's type (".hrm", ".json")


def source_for(path: Path) -> SourceFile:
    """Recognise `path` by its name: .gpx, .fit, .tcx, and their .gz forms (any letter case)."""
    fmt, gzipped = format_of(path.name)
    return SourceFile(path, fmt, gzipped)


def format_of(name: str) -> tuple[str | None, bool]:
    """The format a file name says (None: unsupported) and whether it is gzipped."""
    suffixes = [s.lower() for s in PurePosixPath(name).suffixes[-2:]]
    gzipped = bool(suffixes) and suffixes[-1] == ".gz"
    if gzipped:
        suffixes = suffixes[:-1]
    return (FORMATS.get(suffixes[-1]) if suffixes else None), gzipped


def find_sources(
    paths: Iterable[Path], is_export: Callable[[Path], bool] | None = None
) -> Iterator[SourceFile]:
    """Files named on the command line as they are; folders walked recursively for known formats
    and zip archives (format None: the caller opens them), activity lists (LISTING), and
    activity files of types runwear does not read (UNREAD, to be counted).

    A folder below for which `is_export` says True comes out whole, as a `SourceFile` of
    format EXPORT, and is not walked: the export is read as one.

    Links to folders are not followed, so a symlink loop cannot trap the walk and a link
    cannot lead the walk outside the folder named. Such a link, and a folder that cannot be
    listed, come out as a `SourceFile` of format FOLDER, whose reading raises the
    IngestError that says why its files were not read: nothing is left out unsaid.
    """
    for path in paths:
        if path.is_dir():
            found: list[SourceFile] = []

            def refuse(error: OSError, found: list[SourceFile] = found) -> None:
                if error.filename:
                    found.append(SourceFile(Path(error.filename), FOLDER))

            for root, dirs, files in os.walk(path, onerror=refuse):
                folder = Path(root)
                kept = []
                for name in sorted(d for d in dirs if not d.startswith(".")):
                    if (folder / name).is_symlink():
                        found.append(SourceFile(folder / name, FOLDER))
                    elif is_export is not None and is_export(folder / name):
                        found.append(SourceFile(folder / name, EXPORT))
                    else:
                        kept.append(name)
                dirs[:] = kept
                for name in sorted(files):
                    if name.startswith("."):
                        continue
                    if _leads_outside(folder / name, path):
                        found.append(SourceFile(folder / name, OUTSIDE))
                        continue
                    source = source_for(folder / name)
                    if source.format is not None or name.lower().endswith(".zip"):
                        found.append(source)  # a zip: its runs, or an account export
                    elif name.lower() in LISTINGS:
                        found.append(SourceFile(folder / name, LISTING))
                    elif kind := unread_type(name, lambda p=folder / name: _head(p)):
                        found.append(SourceFile(folder / name, UNREAD, unread=kind))
            yield from found
        else:
            yield source_for(path)


def _head(path: Path) -> bytes:
    """The first bytes of a regular file (b"" for anything else, or when unreadable)."""
    try:
        with open_regular(path, 1 << 62) as stream:
            return stream.read(HEAD_BYTES)
    except (OSError, IngestError):
        return b""


def _leads_outside(file: Path, top: Path) -> bool:
    """Whether `file` is a link whose target lies outside the folder `top` being walked."""
    if not file.is_symlink():
        return False
    try:
        return not file.resolve().is_relative_to(top.resolve())
    except (OSError, RuntimeError):
        return False  # a loop or a dangling link: reading it says so


def read_source(source: SourceFile, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The file's bytes, decompressed when gzipped, refusing anything larger than `max_bytes`.

    Only regular files are read (a pipe or a device named like an activity file would block
    or never end), and never more than `max_bytes` of them, whatever their size said.
    """
    if source.format == FOLDER or source.path.is_dir():
        raise folder_error(source.path)
    if source.format == OUTSIDE:
        raise outside_error()
    try:
        with open_regular(source.path, max_bytes) as raw:
            if not source.gzipped:
                return read_at_most(raw, max_bytes)
            return gunzip(raw, max_bytes)
    except OSError as exc:
        raise IngestError(
            f"cannot read the file ({exc.strerror or exc}). Check it exists and is readable"
        ) from exc


def outside_error() -> IngestError:
    """Why a link met on a walk that leads outside the folder imported is not read."""
    return IngestError(
        "a link to a file outside the folder imported; not followed. Import the file it "
        "points to directly if you mean to"
    )


def folder_error(path: Path) -> IngestError:
    """Why the files in a folder met on a walk were not read: a link, or no permission."""
    if path.is_symlink():
        return IngestError(
            "a link to a folder, not followed (it could loop, or lead outside the folder "
            "imported). Import the folder it points to directly"
        )
    try:
        with os.scandir(path):
            pass
    except OSError as exc:
        return IngestError(
            f"cannot read the folder ({exc.strerror or exc}); its files were not imported. "
            "Check its permissions"
        )
    return IngestError("a folder, not a file. Import it as a folder")


def gunzip(stream: IO[bytes], max_bytes: int) -> bytes:
    """Decompress a gzip stream, stopping as soon as it passes `max_bytes`."""
    parts: list[bytes] = []
    total = 0
    try:
        with gzip.GzipFile(fileobj=stream, mode="rb") as unzipped:
            while chunk := unzipped.read(_CHUNK):
                total += len(chunk)
                if total > max_bytes:
                    raise expands_too_far(max_bytes)
                parts.append(chunk)
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise IngestError(f"broken gzip file ({exc}). Download or export it again") from exc
    return b"".join(parts)


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of `data`, as hex: the identity of a file's content."""
    return hashlib.sha256(data).hexdigest()


def parse_source(data: bytes, fmt: str) -> ParsedFile:
    """Parse bytes of a known format into its sessions, raising IngestError when unreadable."""
    if not data or data.isspace():
        raise IngestError("empty file. Export the activity again")
    if fmt == "fit":
        from runwear.ingest.fit import parse_fit

        return parse_fit(data)
    if fmt == "gpx":
        from runwear.ingest.gpx import parse_gpx

        return parse_gpx(data)
    if fmt == "tcx":
        from runwear.ingest.tcx import parse_tcx

        return parse_tcx(data)
    if fmt == "polar":  # a Polar Flow training session with its route (an export's item)
        from runwear.ingest.polar import parse_session_file

        return parse_session_file(data)
    raise IngestError(f"unsupported format {fmt!r}. runwear reads .gpx, .fit and .tcx files")
