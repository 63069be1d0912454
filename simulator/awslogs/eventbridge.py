"""EventBridge events as one table, as a user exports them.

An event is EventBridge's envelope (`version`, `id`, `detail-type`, `source`, `account`,
`time`, `region`, `resources`, `detail`). A file holds them as JSON lines (one event a line,
as a rule's target writes them to S3 or a log group's export gives them), as a JSON array,
or as `aws logs filter-log-events` output (`{"events": [{"message": "<event as JSON>"}]}`),
gzipped or not; a folder is read recursively. One row per event, sorted by `time`; every
problem is a ValueError naming the file, the line (or index) and the field.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from simulator.awslogs.files import (
    JsonLines,
    an_object,
    embedded,
    field_text,
    files,
    kind,
    load,
    moment,
    table,
)

if TYPE_CHECKING:  # pandas is imported when a log is read
    import pandas as pd

COLUMNS = (
    "time",
    "source",
    "detail_type",
    "region",
    "account",
    "resources",
    "detail",
    "id",
    "source_location",
)
SHAPES = (
    "EventBridge events as JSON lines, a JSON array of events, or `aws logs "
    'filter-log-events` output ({"events": [{"message": ...}]})'
)

Event = dict[str, object]


def read_events(path: Path) -> pd.DataFrame:
    """Every event under `path` (a file or a folder), one row each (see the module)."""
    rows = [
        _row(event, where)
        for file in files(path, "EventBridge event files")
        for where, event in events(file)
    ]
    return table(rows, COLUMNS, "time", ("resources", "detail"))


def events(file: Path) -> Iterator[tuple[str, Event]]:
    """The file's events, each with where it is (`<file> line 3`, `<file> [2]`)."""
    document = load(file)
    if isinstance(document, JsonLines):
        for where, event in document:
            yield where, an_object(event, where, "an event")
    elif isinstance(document, list):
        for index, event in enumerate(document):
            yield f"{file} [{index}]", an_object(event, f"{file} [{index}]", "an event")
    elif isinstance(document, dict) and isinstance(document.get("events"), list):
        for index, entry in enumerate(document["events"]):
            where = f"{file} events[{index}]"
            event = embedded(entry, "message", where)
            yield where, an_object(event, f"{where}.message", "an event")
    elif isinstance(document, dict) and "detail-type" in document:
        yield f"{file} line 1", document  # JSON lines of one event
    else:
        raise ValueError(f"{file}: expected {SHAPES}; got {kind(document)}")


def _row(event: Event, where: str) -> dict[str, object]:
    resources = event.get("resources", [])
    if not isinstance(resources, list) or not all(isinstance(r, str) for r in resources):
        raise ValueError(f"{where}: resources must be an array of ARNs")
    detail = event.get("detail")
    if not isinstance(detail, dict):
        raise ValueError(f"{where}: detail must be an object, got {kind(detail)}")
    return {
        "time": moment(event.get("time"), "time", where),
        "source": field_text(event, "source", where, required=True),
        "detail_type": field_text(event, "detail-type", where, required=True),
        "region": field_text(event, "region", where),
        "account": field_text(event, "account", where),
        "resources": resources,
        "detail": detail,
        "id": field_text(event, "id", where),
        "source_location": where,
    }
