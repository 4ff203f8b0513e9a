"""Turning activity files and account exports into plain values. No database, no terminal."""

from runwear.ingest.files import (
    SourceFile,
    find_sources,
    format_of,
    parse_source,
    read_source,
    sha256_hex,
)
from runwear.ingest.model import Activity, ExportFacts, ExportShoe, IngestError, ParsedFile

__all__ = [
    "Activity",
    "ExportFacts",
    "ExportShoe",
    "IngestError",
    "ParsedFile",
    "SourceFile",
    "find_sources",
    "format_of",
    "parse_source",
    "read_source",
    "sha256_hex",
]
