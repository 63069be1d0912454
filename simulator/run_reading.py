"""A run directory read back: its run.json checked (`read_meta`), and each table checked
against the rows and SHA-256 that run.json recorded (`read_table`). What is wrong is a
ResultsError naming the file and how; `simulator.output` writes what this reads."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final

import pandas as pd

from simulator.engine.resource_ids import in_order, unindexed
from simulator.errors import ResultsError
from simulator.paths import MARKER, json_name, read_json_object, sha256
from simulator.tables import SCHEMAS, conform, csv_dtypes

if TYPE_CHECKING:
    from simulator.output import Format


@dataclass(frozen=True)
class FileRecord:
    """What run.json recorded of a file when the run wrote it: its rows if a table."""

    sha256: str
    rows: int | None = None


@dataclass(frozen=True)
class RunMeta:
    """What run.json says that reading a run needs; `files` is empty for a run written
    before run.json recorded them."""

    seed: int
    replications: int
    format: Format
    files: Mapping[str, FileRecord] = field(default_factory=dict)
    engine: str = "events"
    """What made the tables; `events` for a run written before run.json said."""


def read_meta(directory: Path) -> RunMeta:
    """A run directory's run.json, checked; ResultsError naming the file and what is wrong
    (no run.json: not a run directory, or an interrupted run)."""
    if not directory.is_dir():
        why = "not a directory" if directory.exists() else "no such directory"
        raise ResultsError(f"{directory}: {why}")
    path = directory / "run.json"
    if not path.is_file():
        interrupted = (directory / MARKER).is_file()
        raise ResultsError(
            f"{directory}: no run.json; "
            + (
                "an interrupted run"
                if interrupted
                else "not a run directory, or an interrupted run"
            )
        )
    meta = read_json_object(path, ResultsError)
    for key in ("seed", "replications"):
        if key not in meta:
            raise ResultsError(f"{path}: no {key!r}: the file is damaged")
        if not isinstance(meta[key], int) or isinstance(meta[key], bool) or meta[key] < 0:
            raise ResultsError(f"{path}: {key}: expected a whole number, got {meta[key]!r}")
    fmt = meta.get("format")
    if fmt not in ("parquet", "csv"):
        raise ResultsError(f"{path}: format: expected 'parquet' or 'csv', got {fmt!r}")
    engine = meta.get("engine", "events")
    if engine not in ("events", "vector"):
        raise ResultsError(f"{path}: engine: expected 'events' or 'vector', got {engine!r}")
    return RunMeta(meta["seed"], meta["replications"], fmt, _file_records(path, meta), engine)


_HEX: Final = re.compile(r"[0-9a-f]{64}")
ADDED_LATER: Final = frozenset({"invocations", "demand", "waits"})
"""Tables that runs written before them lack: read as empty where run.json does not name
them, so `simulate report` still reads an older run directory (any other missing table, or
one run.json names, is damage)."""


def _file_records(path: Path, meta: dict[str, object]) -> dict[str, FileRecord]:
    """run.json's `files`, checked: {} when absent (a run from before they were kept)."""
    files = meta.get("files", {})
    if not isinstance(files, dict):
        raise ResultsError(f"{path}: files: expected an object, got {json_name(files)}")
    records = {}
    for name, record in files.items():
        where = f"{path}: files: {name}"
        if not isinstance(record, dict):
            raise ResultsError(f"{where}: expected an object, got {json_name(record)}")
        digest, rows = record.get("sha256"), record.get("rows")
        if not isinstance(digest, str) or not _HEX.fullmatch(digest):
            raise ResultsError(f"{where}: sha256: expected 64 hex digits, got {digest!r}")
        if rows is not None and (not isinstance(rows, int) or isinstance(rows, bool) or rows < 0):
            raise ResultsError(f"{where}: rows: expected a whole number, got {rows!r}")
        records[name] = FileRecord(digest, rows)
    return records


def in_category_order(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with each categorical column's categories in order, as a run's tables hold
    them (`runner.concat`), and without the hash table pandas made of them (`unindexed`:
    152 MB of Python strings for a million resource ids). A Parquet file holds a dictionary
    per slice of rows, of the values in it (`output._arrow_slice`); Arrow joins them in the
    order they come."""
    for name, column in frame.items():
        if not isinstance(column.dtype, pd.CategoricalDtype):
            continue
        if not in_order(column.cat.categories):
            frame[name] = column.cat.reorder_categories(column.cat.categories.sort_values())
        unindexed(frame[name].cat.categories)
    return frame


def read_table(
    directory: Path, name: str, fmt: Format, start: datetime, written: FileRecord | None = None
) -> pd.DataFrame:
    """Table `name` of a run directory, cast to its schema (the UTC columns added from
    `start` if the run predates them); ResultsError naming the file and why it cannot be
    read, or how it differs from what run.json says was `written` (its rows, its SHA-256)."""
    import pyarrow as pa

    path = directory / f"{name}.{fmt}"
    if not path.is_file():
        if name in ADDED_LATER and written is None:
            schema = SCHEMAS[name]
            return pd.DataFrame(
                {c.name: pd.Series([], dtype=c.kind.pandas) for c in schema.columns}
            )
        raise ResultsError(f"{path}: missing, though run.json says the run is whole")
    changed = ""
    if written is not None and (actual := sha256(path)) != written.sha256:
        changed = (
            f"its SHA-256 is {actual[:12]}…, run.json recorded {written.sha256[:12]}…: "
            "the file was cut short or changed after the run"
        )
    try:
        if fmt == "parquet":
            frame = in_category_order(pd.read_parquet(path))
        else:
            frame = pd.read_csv(path, dtype=csv_dtypes(name))
    except (OSError, ValueError, pa.ArrowException) as error:
        why = f"cannot read it as {fmt.upper()} ({error})"
        raise ResultsError(f"{path}: {why}" + (f"; {changed}" if changed else "")) from None
    if written is not None and written.rows is not None and len(frame) != written.rows:
        rows = f"{len(frame):,} rows, run.json recorded {written.rows:,}"
        raise ResultsError(f"{path}: {rows}" + (f"; {changed}" if changed else ""))
    if changed:
        raise ResultsError(f"{path}: {changed}")
    try:
        return conform(name, frame, start)
    except (ValueError, TypeError) as error:
        raise ResultsError(f"{path}: {error}") from None
