"""Turning activity files into plain values. Never touches the database or the terminal."""

from runwear.ingest.files import SourceFile, find_sources, parse_source, read_source, sha256_hex
from runwear.ingest.model import Activity, IngestError, ParsedFile

__all__ = [
    "Activity",
    "IngestError",
    "ParsedFile",
    "SourceFile",
    "find_sources",
    "parse_source",
    "read_source",
    "sha256_hex",
]
