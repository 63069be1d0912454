"""One unit of a sweep: a replication of a variant, run where the executor puts it.

A worker (a pool process, a Dask worker) imports this module to run a unit: it keeps to
what running one needs, not the figures and reports of the study around it, so a fresh
worker process starts in a second rather than three.

A unit is written whole or not at all: its files are written into a hidden directory
beside its own, flushed to the disk with that directory, and the directory renamed into
place. After a crash or a power cut, a unit directory that exists holds every table. Its
tables are written as a run directory's (`output.write_table`: Parquet in slices of rows,
each categorical on the dictionary of its slice's values), whose memory is a slice's
rather than a whole table's again in Arrow.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator.analysis.compare import unit_metrics
from simulator.errors import SweepError
from simulator.output import write_table
from simulator.paths import sha256
from simulator.runner import TABLES, simulate
from simulator.scenario.model import Scenario
from simulator.tables import arrow_schema


@dataclass(frozen=True)
class Unit:
    """One replication of one variant, where its results go, and the code that must run
    it (the sweep's fingerprint: a worker with other code refuses the unit)."""

    variant: str
    digest: str
    scenario: Scenario
    seed: int
    replication: int
    directory: Path
    services: tuple[str, ...]
    code: str


class DamagedUnit(SweepError):
    """A unit directory of this study that is not whole: a table missing, cut short or
    changed since it was written (its SHA-256 differs from metrics.json's), or a
    metrics.json that cannot be read. Its sweep runs it again."""


class OtherCode(Exception):
    """A worker's simulator code is not the code the sweep runs: its results would not be
    those of the study. Holds the worker's fingerprint."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def run_unit(unit: Unit) -> dict[str, Any]:
    """Run the unit, write its tables and metrics into its directory whole, and return its
    record (what `metrics.json` holds: a few numbers, cheap to send back).

    Raises OtherCode, before running or writing anything, if this process's code is not the
    sweep's. If the unit's directory appeared meanwhile (a retry of a unit thought lost
    finished it first), it is kept if it is this unit's, and a SweepError otherwise.
    """
    if unit.code != fingerprint():
        raise OtherCode(fingerprint())
    tables = simulate(unit.scenario, unit.seed, unit.replication)
    metrics = unit_metrics(tables, unit.services)
    record = {
        "variant": unit.variant,
        "digest": unit.digest,
        "seed": unit.seed,
        "replication": unit.replication,
        "code": unit.code,
        "metrics": {name: None if math.isnan(v) else v for name, v in metrics.items()},
    }
    temporary = unit.directory.with_name(f".{unit.directory.name}.{uuid.uuid4().hex[:8]}.tmp")
    temporary.mkdir(parents=True)
    try:
        files = {}
        for name, table in tables.items():
            path = temporary / f"{name}.parquet"
            write_table(path, table, arrow_schema(name))  # as a run's: in slices of rows
            _flush(path)
            files[path.name] = sha256(path)
        written = {**record, "files": files}
        (temporary / "metrics.json").write_text(json.dumps(written, indent=1) + "\n")
        _flush(temporary / "metrics.json")
        _flush(temporary)
        try:
            os.replace(temporary, unit.directory)
        except OSError:
            if not unit.directory.is_dir():
                raise
            return finished_record(unit)
        _flush(unit.directory.parent)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)  # gone already once renamed
    return record


def finished_record(unit: Unit) -> dict[str, Any]:
    """The record of the unit found done in its directory, checked to be this unit's (the
    same variant scenario, seed, replication and code; SweepError if not) and whole (every
    table there with the SHA-256 metrics.json records; DamagedUnit if not)."""
    path = unit.directory / "metrics.json"
    if not unit.directory.is_dir():
        raise DamagedUnit(f"{unit.directory} is a file, not a unit directory")
    try:
        record: dict[str, Any] = json.loads(path.read_text())
        theirs = (record["digest"], record["seed"], record["replication"], record["code"])
        metrics = record["metrics"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise DamagedUnit(f"{path}: unreadable ({type(error).__name__}: {error})") from None
    if theirs != (unit.digest, unit.seed, unit.replication, unit.code):
        raise SweepError(
            f"{unit.directory} was run with another scenario, seed, replication or code; give "
            "another output directory, or --fresh to discard it"
        )
    missing = [name for name in TABLES if not (unit.directory / f"{name}.parquet").is_file()]
    if missing:
        raise DamagedUnit(f"{unit.directory} is incomplete (no {missing[0]}.parquet)")
    files = record.get("files")  # a unit of code without checksums has another fingerprint
    if not isinstance(files, dict):
        raise DamagedUnit(f"{path}: files: missing or not an object")
    unlisted = [name for name in TABLES if f"{name}.parquet" not in files]
    if unlisted:
        raise DamagedUnit(f"{path}: files: no SHA-256 of {unlisted[0]}.parquet")
    for name, digest in files.items():
        if (unit.directory / name).is_file() and sha256(unit.directory / name) != digest:
            raise DamagedUnit(
                f"{unit.directory / name}: its SHA-256 differs from what metrics.json "
                "recorded: the file was cut short or changed after the unit ran"
            )
    if not isinstance(metrics, dict):
        raise DamagedUnit(f"{path}: metrics: expected an object")
    return {key: record[key] for key in ("variant", "digest", "seed", "replication", "code")} | {
        "metrics": metrics
    }


def _flush(path: Path) -> None:
    """Make what `path` (a file, or a directory's entries) holds durable: a rename is safe
    after a power cut only once what it renames is on the disk, and itself once its
    directory is."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@functools.cache
def fingerprint() -> str:
    """A digest of the simulator's source files: results of other code are not mixed in."""
    root = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]
