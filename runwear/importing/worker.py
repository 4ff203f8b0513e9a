"""The work done in the parsing processes: bytes in, plain values (or an error message) out."""

from __future__ import annotations

import signal

from runwear.ingest.files import parse_source
from runwear.ingest.model import IngestError, ParsedFile


def init_worker() -> None:
    """Leave Ctrl-C to the importing process, which stops the workers itself."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def parse_job(data: bytes, fmt: str) -> ParsedFile | str:
    """The file's sessions with their figures and compact tracks, or why it cannot be read."""
    try:
        return parse_source(data, fmt)
    except IngestError as exc:
        return str(exc)
