"""Opening the files AWS writes: JSON, gzipped or not, one file or a folder of them.

Every problem is a ValueError naming the file and what was expected, so a command can
print it as it is.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported when a log is read
    import pandas as pd

GZIP_MAGIC = b"\x1f\x8b"
SUFFIXES = (".json", ".json.gz", ".jsonl", ".jsonl.gz", ".gz")
"""What a log file is called: CloudTrail delivers `..._CloudTrail_<region>_..._<id>.json.gz`."""


def text(path: Path) -> str:
    """The file's text, gunzipped when it is gzip (told by its first bytes, not its name:
    a downloaded log often loses the `.gz`)."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ValueError(f"{path}: cannot read it ({error.strerror or error})") from None
    if raw[:2] == GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as error:
            raise ValueError(f"{path}: not a readable gzip file ({error})") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from None


def parse(path: Path, content: str) -> object:
    """The file's one JSON document; ValueError naming the file, line and column."""
    try:
        return json.loads(content)
    except json.JSONDecodeError as error:
        raise ValueError(
            f"{path} line {error.lineno} column {error.colno}: not valid JSON ({error.msg})"
        ) from None


def files(path: Path, what: str, skip: str | None = None) -> list[Path]:
    """`path` itself, or every log file under the folder `path` (recursively, sorted, so a
    replay reads them in one order on any machine); ValueError when there is none.

    `skip`: a part of a name that marks files of another kind in the same folders
    (CloudTrail's digest files sit beside its logs).
    """
    if not path.exists():
        raise ValueError(f"no such file or folder: {path}")
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise ValueError(f"not a regular file or a folder: {path}")
    found = sorted(
        p
        for p in path.rglob("*")
        if p.is_file()
        and p.name.lower().endswith(SUFFIXES)
        and (skip is None or skip not in p.name)
    )
    if not found:
        raise ValueError(
            f"{path}: no {what} under this folder (expected files named *.json or *.json.gz)"
        )
    return found


class JsonLines(list[tuple[str, object]]):
    """A file of JSON lines: each document with where it is (`<file> line 3`)."""


def load(path: Path) -> object:
    """The file's JSON document, or its `JsonLines` when it holds one document a line."""
    content = text(path)
    try:
        return json.loads(content)
    except json.JSONDecodeError as error:
        if error.msg != "Extra data":  # a first document cut short, not several of them
            parse(path, content)
    lines = JsonLines()
    for number, line in enumerate(content.splitlines(), start=1):
        if line.strip():
            where = f"{path} line {number}"
            try:
                lines.append((where, json.loads(line)))
            except json.JSONDecodeError as error:
                raise ValueError(f"{where}: not valid JSON ({error.msg})") from None
    return lines


def embedded(value: object, field: str, where: str) -> object:
    """The JSON document held as text in `value[field]` (as `lookup-events` holds a record
    and a log group an event)."""
    raw = value.get(field) if isinstance(value, dict) else None
    if not isinstance(raw, str):
        raise ValueError(f"{where}: expected {field}, JSON text")
    try:
        return json.loads(raw)
    except json.JSONDecodeError as error:
        raise ValueError(f"{where}.{field}: not valid JSON ({error.msg})") from None


def an_object(value: object, where: str, what: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise ValueError(f"{where}: expected {what} (a JSON object), got {kind(value)}")
    return value


def moment(value: object, field: str, where: str) -> datetime:
    """An ISO 8601 time in UTC (one without a zone is UTC, as CloudTrail Lake prints it)."""
    example = "an ISO 8601 time such as 2026-01-05T20:00:03Z"
    if value is None:
        raise ValueError(f"{where}: no {field} (expected {example})")
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{where}: {field} {value!r} is not {example}") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def field_text(
    mapping: dict[str, object], field: str, where: str, required: bool = False
) -> str | None:
    value = mapping.get(field)
    if value is None and required:
        raise ValueError(f"{where}: no {field} (expected text)")
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{where}: {field} must be text, got {kind(value)}")
    return value


def kind(value: object) -> str:
    """What a JSON value is, in words, for messages."""
    names = {dict: "an object", list: "an array", str: "text", bool: "true or false"}
    return names.get(type(value), "a number" if isinstance(value, int | float) else "null")


def table(
    rows: Sequence[Mapping[str, object]], columns: Sequence[str], time: str, objects: Sequence[str]
) -> pd.DataFrame:
    """The rows as a table sorted by `time` (read as UTC), the `objects` columns left as
    Python objects (a JSON member's dict or list, or None), so pandas infers nothing of them."""
    import pandas as pd

    frame = pd.DataFrame(rows, columns=list(columns))
    frame[time] = pd.to_datetime(frame[time], utc=True)
    for column in objects:
        frame[column] = frame[column].astype(object)
    return frame.sort_values(time, kind="stable").reset_index(drop=True)
