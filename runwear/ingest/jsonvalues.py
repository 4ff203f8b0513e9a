"""Shared by the JSON export readers (Polar Flow, Fitbit): parsing a file, numbers, file names."""

from __future__ import annotations

import json
from typing import Any

from runwear.ingest.garmin import _num as json_number  # one reader of JSON numbers for all
from runwear.ingest.model import IngestError

__all__ = ["json_number", "load_json", "named_like"]


def load_json(data: bytes, again: str, kind: type, what: str) -> Any:
    """The JSON document in `data` when it is a `kind` (list, dict); else one-line IngestError.

    `what` names the expected document ("a Fitbit exercise list"), `again` what to do.
    """
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IngestError(f"not valid JSON ({exc}). {again}") from exc
    if not isinstance(document, kind):
        top = "object" if kind is dict else kind.__name__
        raise IngestError(f"not {what} (no JSON {top} at the top). {again}")
    return document


def named_like(path: str, prefix: str, suffix: str) -> bool:
    """True when the file name of `path` starts with `prefix` and ends with `suffix` (any case)."""
    name = path.rpartition("/")[2].lower()
    return name.startswith(prefix) and name.endswith(suffix)
