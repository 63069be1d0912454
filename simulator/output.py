"""A run directory: the tables, the summary, and what they came from.

    transitions calls stops costs baseline_costs   .parquet (or .csv): the tables
    summary.csv summary.json       per service and outcome, with 95% intervals
    billed.csv                     what each service billed over the horizon, by item
    savings.csv                    billed with and without the stops, and the saving
    scenario.yaml                  the resolved scenario (every default written out)
    run.json                       seed, replications, package version, and each file's
                                   rows and SHA-256; written last

The tables are written with their schemas (`simulator.tables`): Parquet with the explicit
Arrow schema, so a column's type never depends on whether it holds values.

Every file is written beside its final name and renamed into place, so an interruption
leaves either the whole file or none; `run.json` appears only once all the others have.
It records each file's SHA-256 and each table's row count, so a table cut short or edited
afterwards (`head -c 3000 stops.csv`, which still parses) is refused when read back,
rather than answering from part of the run. A run written before these were recorded
reads as it did.

A run directory belongs to `simulate`: a run into it replaces everything it holds. That
is safe to interrupt at any point, because a directory looks complete only with its
`run.json`, and the old one goes first:

    1. `.simulate-incomplete` is written: from here on the directory is an interrupted run
       of ours, whatever else it holds, until the end;
    2. the old `run.json` is removed, then everything else but the marker;
    3. the new files are written, `run.json` last; then the marker is removed.

So a directory with `run.json` holds one whole run, and one with the marker but no
`run.json` is an interrupted run (`load_results` says so; the next run replaces it). A
directory that has files but neither is not ours: it is refused, never emptied
(`check_run_directory`, which the command line calls before simulating).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal

import numpy as np
import pandas as pd
import yaml

from simulator.engine.heap import give_back
from simulator.errors import ResultsError
from simulator.paths import MARKER, atomic_write, safe_name, sha256, write_bytes, writing_into
from simulator.run_reading import read_meta as read_meta  # where it was before its module
from simulator.scenario.model import Scenario
from simulator.tables import arrow_schema
from simulator.version import __version__

if TYPE_CHECKING:
    import pyarrow as pa

Format = Literal["parquet", "csv"]
_MARKER_TEXT: Final = (
    "simulate is writing a run here, or was interrupted writing it: until run.json\n"
    "appears, the files here are not a whole run. The next run into this directory\n"
    "replaces them.\n"
)


def is_run_directory(directory: Path) -> bool:
    """Whether `directory` holds a run of ours: a whole one, or an interrupted one."""
    return (directory / "run.json").is_file() or (directory / MARKER).is_file()


def check_run_directory(directory: Path) -> None:
    """Raise ResultsError, naming the path and why, unless `directory` can become a run
    directory: an existing run directory, an empty directory, or a path that does not
    exist yet under a directory; and writable (tried by creating and removing a file, so
    that what the permissions do not say, such as a read-only file system, is found too)."""
    if directory.exists():
        if not directory.is_dir():
            raise ResultsError(f"{directory}: not a directory; give a directory for the run")
        try:
            holds_files = any(directory.iterdir())
        except OSError as error:
            raise ResultsError(f"{directory}: cannot list it ({error.strerror})") from None
        if holds_files and not is_run_directory(directory):
            raise ResultsError(
                f"{directory}: holds files but no run.json, so it is not a run directory; "
                "give a new or empty directory (a run replaces everything in its directory)"
            )
        _probe(directory, directory, "cannot write there")
        return
    ancestor = directory.absolute().parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise ResultsError(f"{directory}: {ancestor} is not a directory")
    _probe(directory, ancestor, f"cannot create it in {ancestor}")


def _probe(directory: Path, where: Path, failure: str) -> None:
    """Create and remove a file in `where`; ResultsError `directory: failure` if it fails."""
    try:
        handle, probe = tempfile.mkstemp(prefix=".simulate-probe.", dir=where)
        os.close(handle)
        os.unlink(probe)
    except OSError as error:
        raise ResultsError(f"{directory}: {failure} ({error.strerror})") from None


def write_run(
    directory: Path,
    tables: Mapping[str, pd.DataFrame],
    answers: Mapping[str, pd.DataFrame],
    scenario: Scenario,
    *,
    seed: int,
    replications: int,
    fmt: Format = "parquet",
    engine: str = "events",
) -> None:
    """Write a run into `directory`, replacing the run it holds (see the module's docstring).

    Raises ResultsError if the directory cannot be one (`check_run_directory`), or naming
    the file and the OS's reason if writing fails (a full disk)."""
    check_run_directory(directory)
    traces = _kept(scenario)  # read first: a trace may lie in the directory replaced
    with writing_into(directory):
        _write_run(directory, tables, answers, scenario, traces, seed, replications, fmt, engine)


def _write_run(
    directory: Path,
    tables: Mapping[str, pd.DataFrame],
    answers: Mapping[str, pd.DataFrame],
    scenario: Scenario,
    traces: Mapping[tuple[int, str], tuple[str, bytes]],
    seed: int,
    replications: int,
    fmt: Format,
    engine: str,
) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    marker = directory / MARKER
    _write_text(marker, _MARKER_TEXT)
    (directory / "run.json").unlink(missing_ok=True)  # the old run is no longer complete
    for entry in directory.iterdir():
        if entry == marker:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    files: dict[str, dict[str, object]] = {}
    for name, table in tables.items():
        write_table(directory / f"{name}.{fmt}", table, arrow_schema(name))
        files[f"{name}.{fmt}"] = {"rows": len(table)}
    for name, answer in answers.items():
        write_table(directory / f"{name}.csv", answer)
        files[f"{name}.csv"] = {"rows": len(answer)}
    records = json.loads(answers["summary"].to_json(orient="records"))
    _write_text(directory / "summary.json", json.dumps(records, indent=2))
    for name, data in traces.values():
        (directory / name).parent.mkdir(exist_ok=True)
        write_bytes(directory / name, data)
        files[name] = {}
    kept = {index: name for index, (name, _) in traces.items()}
    _write_text(directory / "scenario.yaml", resolved_yaml(scenario, seed, replications, kept))
    for name in ("summary.json", "scenario.yaml"):
        files[name] = {}
    for name, record in files.items():
        record["sha256"] = sha256(directory / name)
    meta = {
        "scenario": scenario.name,
        "seed": seed,
        "replications": replications,
        "format": fmt,
        "engine": engine,  # events, or vector: drawn, equal in distribution (simulator.vector)
        "tables": {  # each column's dtype, for readers of the files without the package
            name: {column: str(dtype) for column, dtype in table.dtypes.items()}
            for name, table in tables.items()
        },
        "files": files,  # rows of each table, SHA-256 of each file: checked when read
        "simulator_version": __version__,
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    _write_text(directory / "run.json", json.dumps(meta, indent=2))
    marker.unlink()


def write_table(path: Path, table: pd.DataFrame, schema: pa.Schema | None = None) -> None:
    """`table` as Parquet or CSV, as the path's suffix says, renamed into place whole;
    Parquet with `schema` where given (else the types Arrow infers)."""
    fmt: Format = "csv" if path.suffix == ".csv" else "parquet"
    atomic_write(path, partial(_write_table, table, fmt, schema))


PARQUET_ROWS: Final = 1 << 16
"""Rows converted to Arrow and written at a time (a row group each): Arrow copies what it
writes, so a whole table at once (8.5 million calls for a million stops) would be held
twice, and the Parquet writer's buffers for a row group of 262,144 stops took 100 MB, for
65,536 stops 8 MB (measured; the files 4% larger, written as fast)."""


def _write_table(table: pd.DataFrame, fmt: Format, schema: pa.Schema | None, path: Path) -> None:
    if fmt == "csv":
        table.to_csv(path, index=False)
        return
    import pyarrow as pa
    import pyarrow.parquet as pq

    if schema is None:
        schema = pa.Schema.from_pandas(table.iloc[:0], preserve_index=False)
    # Dictionary-encode only the categorical columns: a float or time column is nearly all
    # distinct values, whose dictionaries the writer builds and drops (measured: 10% smaller
    # files, 20% faster, half the writer's memory on a run's calls).
    dictionary = [field.name for field in schema if pa.types.is_dictionary(field.type)]
    with _on_malloc(), pq.ParquetWriter(path, schema, use_dictionary=dictionary) as writer:
        for start in range(0, max(len(table), 1), PARQUET_ROWS):
            writer.write_table(_arrow_slice(table.iloc[start : start + PARQUET_ROWS], schema))


@contextmanager
def _on_malloc() -> Iterator[None]:
    """Arrow's allocations from the C library's malloc while a table is written, given
    back after. Arrow's own allocator (mimalloc) cannot reuse what the tables' derivation
    freed, and keeps what it frees: writing a million stops' tables took 120 MB more than
    the run's peak with it, nothing with malloc (measured with the benchmark). The default
    pool is the process's: a thread writing meanwhile would use malloc too."""
    import pyarrow as pa

    before = pa.default_memory_pool()
    pa.set_memory_pool(pa.system_memory_pool())
    try:
        yield
    finally:
        pa.set_memory_pool(before)
        give_back()


def _arrow_slice(part: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    """`part` in `schema`, each categorical column on a dictionary of the values the slice
    holds, in the column's order of categories. A column of a million resource ids holds
    only some of them in a slice: its whole dictionary in Arrow, and a Parquet writer
    that gives up dictionary encoding for a million entries, took 226 MB more than the
    slice to write 8.5 million calls and twice the file (measured; `read_table` restores
    the categories' order)."""
    import pyarrow as pa

    arrays = []
    for field in schema:
        column = part[field.name]
        if pa.types.is_dictionary(field.type):
            codes = column.cat.codes.to_numpy()
            held = codes >= 0
            used = np.unique(codes[held])
            indices = pa.array(np.searchsorted(used, codes), type=field.type.index_type, mask=~held)
            values = column.cat.categories.take(used)
            dictionary = pa.array(values, type=field.type.value_type, from_pandas=True)
            arrays.append(pa.DictionaryArray.from_arrays(indices, dictionary))
        else:
            arrays.append(pa.array(column, type=field.type, from_pandas=True))
    return pa.Table.from_arrays(arrays, schema=schema)


def resolved_yaml(
    scenario: Scenario,
    seed: int,
    replications: int,
    kept: Mapping[tuple[int, str], str] | None = None,
) -> str:
    """The scenario with every default written out, and the seed and replications run;
    request stream i naming, for its `replay` or `handler`, the copy at `kept[i, field]` (a
    path relative to the file), and demand i its replayed counts at `kept[i, "counts"]`."""
    resolved = scenario.model_dump(mode="json", by_alias=True)
    resolved.update(seed=seed, replications=replications)
    for (index, field), path in (kept or {}).items():
        if field == "counts":
            resolved["demand"][index]["replay"]["path"] = path
            continue
        stream = resolved["requests"][index]
        if field == "replay":
            replay = stream["replay"]  # a trace's `path`, or the log a log replay names
            logged = "cloudtrail" if replay.get("cloudtrail") else "eventbridge"
            replay["path" if "path" in replay else logged] = path
        else:
            stream["handler"] = f"{path}:{stream['handler'].rpartition(':')[2]}"
    return yaml.safe_dump(resolved, sort_keys=False)


KEPT: Final = {"replay": "traces", "handler": "handlers", "counts": "counts"}
_WHAT: Final = {
    "replay": "the replayed trace",
    "handler": "the handler's module",
    "counts": "the replayed request counts",
}
"""The run directory's copies of each replayed trace and each handler's module, which its
scenario.yaml names: the run can be reported again wherever the originals have gone since."""


def _kept(scenario: Scenario) -> dict[tuple[int, str], tuple[str, bytes]]:
    """The files each request stream depends on (a replayed trace, a handler's module) and
    each demand's replayed counts, by (stream or demand, field): their names in the run
    directory and their bytes; ResultsError naming one that cannot be read now (moved or
    removed since it was loaded), which is no fault of the run directory."""
    wanted: list[tuple[int, str, Path, Callable[[], bytes]]] = []
    for index, stream in enumerate(scenario.requests):
        replay = getattr(stream, "replay", None)
        handler = getattr(stream, "handler", None)
        if replay is not None:
            wanted.append((index, "replay", replay.path, replay.contents))
        if handler is not None:
            wanted.append((index, "handler", handler.path, handler.path.read_bytes))
    for index, demand in enumerate(scenario.demand):
        if demand.replay is not None:
            wanted.append((index, "counts", demand.replay.path, demand.replay.contents))
    kept = {}
    for index, field, path, read in wanted:
        try:
            data = read()
        except OSError as error:
            raise ResultsError(
                f"{path}: cannot read {_WHAT[field]} to keep a copy of it in the run "
                f"directory ({error.strerror or error}); nothing was written"
            ) from None
        kept[index, field] = (f"{KEPT[field]}/{index}-{safe_name(path.name)}", data)
    return kept


def _write_text(path: Path, text: str) -> None:
    write_bytes(path, (text + "\n").encode())
