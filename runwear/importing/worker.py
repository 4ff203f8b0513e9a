"""The work done in the parsing processes: bytes in, plain values (or an error message) out."""

from __future__ import annotations

import os
import signal
import threading
import time

from runwear.ingest.files import parse_source
from runwear.ingest.model import IngestError, ParsedFile

PARENT_CHECK_S = 1.0


def init_worker() -> None:
    """Leave Ctrl-C to the importing process; exit on our own if that process is killed."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()
    threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()


def _exit_when_orphaned(parent: int) -> None:
    """A worker whose importing process died (kill -9) would wait forever: end it instead."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_S)
    os._exit(1)


def parse_job(data: bytes, fmt: str) -> ParsedFile | str:
    """The file's sessions with their figures and compact tracks, or why it cannot be read.

    Ingest turns every problem it knows into an IngestError. Anything else is a bug in a
    reader meeting a file nobody foresaw: that file still gets its one line (asking for a
    report), and the import goes on with the others instead of stopping with a traceback.
    """
    try:
        return parse_source(data, fmt)
    except IngestError as exc:
        return str(exc)
    except Exception as exc:  # the last line of defence (MemoryError, RecursionError too)
        detail = " ".join(str(exc).split())[:200] or "no message"
        return (
            f"runwear failed to read this file ({type(exc).__name__}: {detail}): a bug in "
            "runwear. Please report it with the file if you can share it"
        )
