"""Folders and zip archives (zips inside zips included) read file by file, never unpacked to disk.

A container lists its files and reads one at a time, refusing any file larger than the limit
while it streams (so a zip bomb stops at the limit, whatever its headers claim). A zip inside
a zip is read through the outer one: the first pass to its end keeps the central directory in
memory, and its files are then read in the order they are stored, so the inner zip is
decompressed about twice in all, whatever its size.

Hostile archives: zips are opened at most MAX_ZIP_DEPTH deep; only regular files are read (a
pipe or a device would block or never end); a folder's files are read only where their path,
links followed, stays inside the folder. Member names are never used as paths on disk.
"""

from __future__ import annotations

import io
import os
import posixpath
import stat
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from runwear.ingest.model import IngestError

if TYPE_CHECKING:  # zipfile is imported where a zip is opened or read (see open_container)
    import zipfile

CHUNK_BYTES = 1 << 20
MIN_TAIL_BYTES = 1 << 20  # the end of an inner zip kept while its central directory is read
TAIL_SHARE = 256  # ... or 1/256 of the inner zip, when that is more
MAX_ZIP_DEPTH = 3  # a zip in a zip in a zip; one nested deeper is refused (a zip bomb's trick)


@dataclass(frozen=True)
class Member:
    """A file in a container, by its path inside ('/'-separated, below any top folder)."""

    path: str


def too_large(size_bytes: int, max_bytes: int) -> IngestError:
    """The error for a file over the size limit."""
    return IngestError(
        f"file is {size_bytes / (1024 * 1024):.0f} MB, over the {max_bytes / (1024 * 1024):.0f} "
        "MB limit. Raise it with --max-size if the file is genuine"
    )


def expands_too_far(max_bytes: int) -> IngestError:
    """The error for compressed data that decompresses past the size limit."""
    return IngestError(
        f"expands past the {max_bytes / (1024 * 1024):.0f} MB limit when decompressed "
        "(a zip or gzip bomb?). Raise it with --max-size if the file is genuine"
    )


def file_fingerprint(path: Path) -> str | None:
    """A file on disk by where it is and what `stat` says (device, inode, size, modification
    time in ns): any change in place gives another (None: it cannot be looked at)."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    where = os.path.abspath(path)
    return f"file\0{where}\0{info.st_dev}\0{info.st_ino}\0{info.st_size}\0{info.st_mtime_ns}"


def open_regular(path: Path, max_bytes: int) -> IO[bytes]:
    """`path` opened for reading once it is known to be a regular file within the limit.

    It is opened without blocking and checked on the open file, so a pipe put in its place
    meanwhile cannot hang the import.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise IngestError(
                "not a regular file (a pipe, socket or device named like an activity file). "
                "Import the activity file itself"
            )
        if info.st_size > max_bytes:
            raise too_large(info.st_size, max_bytes)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def read_at_most(stream: IO[bytes], max_bytes: int) -> bytes:
    """All of an open file, refusing it once it passes `max_bytes` (a file growing as it is read).

    The file's size sets the first read, so a small file never costs a `max_bytes` buffer.
    """
    size = os.fstat(stream.fileno()).st_size
    parts = [stream.read(min(size, max_bytes) + 1)]
    total = len(parts[0])
    while total <= max_bytes and (chunk := stream.read(min(CHUNK_BYTES, max_bytes + 1 - total))):
        parts.append(chunk)
        total += len(chunk)
    if total > max_bytes:
        raise IngestError(
            f"file grew past the {max_bytes / (1024 * 1024):.0f} MB limit while it was read. "
            "Raise it with --max-size if the file is genuine"
        )
    return parts[0] if len(parts) == 1 else b"".join(parts)


def too_deep(depth: int) -> IngestError:
    """The error for a zip nested deeper than MAX_ZIP_DEPTH."""
    return IngestError(
        f"a zip inside zips {depth} deep; runwear opens zips at most {MAX_ZIP_DEPTH} deep (zips "
        "nested over and over are a zip bomb's trick). Unpack it and import what it holds"
    )


class Container:
    """A folder or a zip archive whose files runwear reads one at a time."""

    display: str  # how the user names it: a path, or outer.zip/inner.zip
    prefix: str = ""  # the one top folder seen through ("export_123/"), or ""
    depth: int = 0  # zips this one is inside, itself included: 0 for a folder, 1 for a .zip
    _children: list[Container]  # zips opened within it by `walk`, closed with it

    def members(self) -> list[Member]:
        """Every file, in the order reading them is cheapest."""
        raise NotImplementedError

    def find(self, path: str) -> Member | None:
        """The file at `path` (relative, '/'-separated), or None."""
        raise NotImplementedError

    def is_folder(self, path: str) -> bool:
        """True when the container holds a folder at `path` (relative, no trailing slash)."""
        raise NotImplementedError

    def read(self, member: Member, max_bytes: int) -> bytes:
        """The file's bytes as stored (a .gz stays compressed), refusing more than `max_bytes`."""
        raise NotImplementedError

    def open(self, member: Member) -> IO[bytes]:
        """A stream of the file's bytes, for files read piece by piece (large JSON)."""
        raise NotImplementedError

    def fingerprint(self, member: Member) -> str | None:
        """What tells this file's bytes from others' without reading them (None: unknown)."""
        return None

    def open_zip(self, member: Member) -> Container:
        """The zip archive stored as `member`, as a container of its own."""
        raise NotImplementedError

    def size(self, member: Member) -> int | None:
        """The file's size in bytes as stored (for progress), None when unknown."""
        return None

    def close(self) -> None:
        """Release the files held open, the zips opened within it first."""
        for child in reversed(self._children):
            child.close()
        self._children.clear()

    def adopt(self, child: Container) -> None:
        """Close `child` (a zip opened within this one) when this one is closed."""
        self._children.append(child)

    def name_of(self, member: Member) -> str:
        """How the user names a member: the container, a slash, its path inside."""
        return f"{self.display}/{member.path}"

    def __enter__(self) -> Container:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_container(path: Path) -> Container:
    """A folder, or a zip file, as a container; IngestError when it cannot be read."""
    if path.is_dir():
        return FolderContainer(path, str(path))
    import zipfile  # with its bz2, lzma and shutil: loaded with the first zip, never for a folder

    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise IngestError(
            f"not a readable zip archive ({_reason(exc)}). Download the export again"
        ) from exc
    return ZipContainer(archive, str(path), depth=1)


def is_zip_file(path: Path) -> bool:
    """True for a file that is a zip archive (by its name or its first bytes)."""
    if path.suffix.lower() == ".zip":
        return True
    try:
        with path.open("rb") as f:
            return f.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def single_top_folder(container: Container) -> str | None:
    """The one folder everything is in ("export_123/"), when it is so; else None."""
    if isinstance(container, FolderContainer):
        try:
            entries = [e for e in os.scandir(container.root) if not e.name.startswith(".")]
        except OSError:
            return None
        if len(entries) == 1 and entries[0].is_dir(follow_symlinks=False):
            return f"{entries[0].name}/"
        return None
    members = container.members()
    tops = {m.path.split("/", 1)[0] for m in members}
    if len(tops) == 1 and all("/" in m.path for m in members):
        return f"{tops.pop()}/"
    return None


class FolderContainer(Container):
    """A folder on disk; links to folders are not followed, hidden files are left out."""

    def __init__(self, root: Path, display: str) -> None:
        self.root = root
        self.display = display
        self._children = []
        self._members: list[Member] | None = None

    def members(self) -> list[Member]:
        if self._members is None:
            found: list[Member] = []
            for folder, dirs, files in os.walk(self.root):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith("."):
                        path = (Path(folder) / name).relative_to(self.root).as_posix()
                        found.append(Member(path))
            self._members = found
        n = len(self.prefix)
        return [Member(m.path[n:]) for m in self._members if m.path.startswith(self.prefix)]

    def find(self, path: str) -> Member | None:
        full = self._path(path)
        try:
            return Member(path) if full is not None and full.is_file() else None
        except OSError:  # below a folder this user may not enter: not found here
            return None

    def is_folder(self, path: str) -> bool:
        full = self._path(path)
        try:
            return full is not None and full.is_dir()
        except OSError:
            return False

    def read(self, member: Member, max_bytes: int) -> bytes:
        try:
            with open_regular(self._inside(member), max_bytes) as stream:
                return read_at_most(stream, max_bytes)
        except OSError as exc:
            raise _unreadable(exc) from exc

    def open(self, member: Member) -> IO[bytes]:
        try:
            return open_regular(self._inside(member), 1 << 62)
        except OSError as exc:
            raise _unreadable(exc) from exc

    def fingerprint(self, member: Member) -> str | None:
        try:
            return file_fingerprint(self._inside(member))
        except IngestError:
            return None

    def size(self, member: Member) -> int | None:
        try:
            return self._inside(member).stat().st_size
        except (OSError, IngestError):
            return None

    def open_zip(self, member: Member) -> Container:
        import zipfile

        try:
            stream = open_regular(self._inside(member), 1 << 62)
        except OSError as exc:
            raise _unreadable(exc) from exc
        try:
            return ZipContainer(zipfile.ZipFile(stream), self.name_of(member), stream, depth=1)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            stream.close()
            raise IngestError(
                f"not a readable zip archive ({_reason(exc)}). Download the export again"
            ) from exc

    def name_of(self, member: Member) -> str:
        return str(self.root / (self.prefix + member.path))

    def _path(self, path: str) -> Path | None:
        """The file for a relative path, or None when the path would leave the folder."""
        clean = posixpath.normpath(self.prefix + path)
        if clean.startswith(("/", "../")) or clean == ".." or "\\" in clean:
            return None
        return self.root / clean

    def _inside(self, member: Member) -> Path:
        """The member's file, refused when its path or a link on the way leads outside."""
        full = self._path(member.path)
        if full is None:
            raise IngestError("the path leaves the export folder. Check the export")
        try:
            outside = not full.resolve().is_relative_to(self.root.resolve())
        except (OSError, RuntimeError):  # a link loop: opening it says so
            outside = False
        if outside:
            raise IngestError(
                "the file is a link to a place outside the export folder; not read. "
                "Check the export"
            )
        return full


class ZipContainer(Container):
    """A zip archive: a file on disk, or a member of another zip read through it."""

    def __init__(
        self,
        archive: zipfile.ZipFile,
        display: str,
        stream: _TailCached | IO[bytes] | None = None,
        depth: int = 1,
    ) -> None:
        self.archive = archive
        self.display = display
        self.depth = depth
        self._children = []
        self._stream = stream  # what it is read through (an outer zip's member): closed with it
        infos = [i for i in archive.infolist() if not i.is_dir()]
        infos.sort(key=lambda i: i.header_offset)
        self._infos: dict[str, zipfile.ZipInfo] = {}
        for info in infos:  # two members of one name are both read: the second as "a (2).gpx"
            self._infos[_unique(info.filename, self._infos)] = info

    def members(self) -> list[Member]:
        n = len(self.prefix)
        return [Member(name[n:]) for name in self._infos if name.startswith(self.prefix)]

    def find(self, path: str) -> Member | None:
        return Member(path) if self.prefix + path in self._infos else None

    def fingerprint(self, member: Member) -> str | None:
        info = self._info(member)
        return f"zip\0{info.filename}\0{info.CRC:08x}\0{info.file_size}"

    def is_folder(self, path: str) -> bool:
        start = f"{self.prefix}{path.rstrip('/')}/"
        return any(name.startswith(start) for name in self._infos)

    def read(self, member: Member, max_bytes: int) -> bytes:
        import zipfile

        info = self._info(member)
        if info.file_size > max_bytes:
            raise too_large(info.file_size, max_bytes)
        parts: list[bytes] = []
        total = 0
        try:
            with self.archive.open(info) as stream:
                while chunk := stream.read(CHUNK_BYTES):
                    total += len(chunk)
                    if total > max_bytes:
                        raise expands_too_far(max_bytes)
                    parts.append(chunk)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
            raise IngestError(
                f"damaged in the zip archive ({_reason(exc)}). Download the export again"
            ) from exc
        except RuntimeError as exc:  # zipfile's word for an encrypted member
            raise IngestError(
                f"cannot be read from the zip archive ({_reason(exc)}). "
                "Export again without a password"
            ) from exc
        return b"".join(parts)

    def open(self, member: Member) -> IO[bytes]:
        return _Guarded(self.archive.open(self._info(member)))

    def size(self, member: Member) -> int | None:
        return self._info(member).file_size

    def open_zip(self, member: Member) -> Container:
        import zipfile

        info = self._info(member)
        display = self.name_of(member)
        if self.depth >= MAX_ZIP_DEPTH:
            raise too_deep(self.depth + 1)
        tail_bytes = max(MIN_TAIL_BYTES, info.file_size // TAIL_SHARE)
        stream = _TailCached(self.archive.open(info), info.file_size, tail_bytes)
        try:
            inner = zipfile.ZipFile(stream)  # type: ignore[arg-type]
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
            stream.close()
            raise IngestError(
                f"not a readable zip archive ({_reason(exc)}). Download the export again"
            ) from exc
        stream.drop_tail()
        return ZipContainer(inner, display, stream, self.depth + 1)

    def close(self) -> None:
        super().close()
        self.archive.close()
        if self._stream is not None:
            self._stream.close()

    def _info(self, member: Member) -> zipfile.ZipInfo:
        return self._infos[self.prefix + member.path]


class _TailCached:
    """A zip member seen as a seekable file whose end is read once, not once per seek.

    zipfile's member stream restarts decompression from the start on every backward seek,
    and opening a zip seeks to its end, back to the end record and back to the central
    directory. The first read near the end keeps the last `tail_bytes` in memory and serves
    every later read there from it, until `drop_tail`. Reads elsewhere go forward through
    the member (backward only when asked, from its start).
    """

    def __init__(self, raw: IO[bytes], size: int, tail_bytes: int) -> None:
        self._raw = raw
        self._size = size
        self._pos = 0
        self._tail_start = max(0, size - tail_bytes)
        self._tail: bytes | None = None
        self._keep_tail = True  # until drop_tail: load the end on the first read there

    def seekable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._pos, 2: self._size}[whence]
        self._pos = min(max(0, base + offset), self._size)
        return self._pos

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            n = self._size - self._pos
        n = min(n, self._size - self._pos)
        if n <= 0:
            return b""
        if self._keep_tail and self._tail is None and self._pos >= self._tail_start:
            self._raw.seek(self._tail_start)
            self._tail = self._raw.read()
        if self._tail is not None and self._pos >= self._tail_start:
            start = self._pos - self._tail_start
            data = self._tail[start : start + n]
        else:
            if self._raw.tell() != self._pos:
                self._raw.seek(self._pos)
            data = self._raw.read(n)
        self._pos += len(data)
        return data

    def drop_tail(self) -> None:
        """Free the kept end once the central directory has been read."""
        self._tail = None
        self._keep_tail = False

    def close(self) -> None:
        self._tail = None
        self._raw.close()


class _Guarded(io.BufferedIOBase):
    """A zip member's stream whose read errors are IngestErrors, like every other read's."""

    def __init__(self, raw: IO[bytes]) -> None:
        super().__init__()
        self._raw = raw

    def readable(self) -> bool:
        return True

    def read(self, n: int | None = -1) -> bytes:
        import zipfile

        try:
            return self._raw.read(-1 if n is None else n)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            raise IngestError(
                f"damaged in the zip archive ({_reason(exc)}). Download the export again"
            ) from exc

    def close(self) -> None:
        self._raw.close()
        super().close()


@dataclass(frozen=True)
class Found:
    """A file met by `walk`: where it is, or (`error` set) a nested zip that cannot be read."""

    holder: Container
    member: Member
    error: IngestError | None = None

    @property
    def name(self) -> str:
        """How the user names the file: outer.zip/inner.zip/run.fit."""
        return self.holder.name_of(self.member)


def walk(container: Container) -> Iterator[Found]:
    """Every file in the container and, in their place, in the zips within it (to MAX_ZIP_DEPTH).

    A nested zip that cannot be opened, or lies deeper, is one `Found` with its error. Zips
    opened here are closed with `container`.
    """
    for member in container.members():
        if not member.path.lower().endswith(".zip"):
            yield Found(container, member)
            continue
        try:
            inner = container.open_zip(member)
        except IngestError as exc:
            yield Found(container, member, exc)
            continue
        container.adopt(inner)
        yield from walk(inner)


def _unique(name: str, taken: dict[str, zipfile.ZipInfo]) -> str:
    """`name`, or "stem (2).gpx" when a member of that name is listed already."""
    if name not in taken:
        return name
    folder, _, base = name.rpartition("/")
    stem, dot, suffixes = base.partition(".")
    number = 2
    while True:
        candidate = f"{folder + '/' if folder else ''}{stem} ({number}){dot}{suffixes}"
        if candidate not in taken:
            return candidate
        number += 1


def _unreadable(exc: OSError) -> IngestError:
    """The error for a file the system refuses to open or read."""
    return IngestError(
        f"cannot read the file ({exc.strerror or exc}). Check it exists and is readable"
    )


def _reason(exc: BaseException) -> str:
    """An exception as a short phrase."""
    text = str(exc) or type(exc).__name__
    return text[0].lower() + text[1:] if text else text
