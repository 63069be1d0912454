"""A run directory: the tables, the summary, and what they came from.

    transitions calls stops costs baseline_costs   .parquet (or .csv): the tables
    summary.csv summary.json       per service and outcome, with 95% intervals
    billed.csv                     what each service billed over the horizon, by item
    savings.csv                    billed with and without the stops, and the saving
    scenario.yaml                  the resolved scenario (every default written out)
    run.json                       seed, replications, package version; written last

Every file is written beside its final name and renamed into place, so an interruption
leaves either the whole file or none; `run.json` appears only once all the others have.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Literal

import pandas as pd
import yaml

from simulator.scenario.model import Scenario
from simulator.version import __version__

Format = Literal["parquet", "csv"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_READABLE = 0o666 & ~_umask()
"""The mode a plainly created file would get: what a user's umask allows."""


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """`write(temporary)` then rename onto `path`: readers never see a partial file."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    try:
        write(Path(temporary))
        os.chmod(temporary, _READABLE)  # mkstemp's file is private; results are to share
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_run(
    directory: Path,
    tables: Mapping[str, pd.DataFrame],
    answers: Mapping[str, pd.DataFrame],
    scenario: Scenario,
    *,
    seed: int,
    replications: int,
    fmt: Format = "parquet",
) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "run.json").unlink(missing_ok=True)  # the old run is no longer complete
    for name, table in tables.items():
        write_table(directory / f"{name}.{fmt}", table)
    for name, answer in answers.items():
        write_table(directory / f"{name}.csv", answer)
    records = json.loads(answers["summary"].to_json(orient="records"))
    _write_text(directory / "summary.json", json.dumps(records, indent=2))
    _write_text(directory / "scenario.yaml", resolved_yaml(scenario, seed, replications))
    meta = {
        "scenario": scenario.name,
        "seed": seed,
        "replications": replications,
        "format": fmt,
        "tables": {  # each column's dtype: what a file format does not keep is restored
            name: {column: str(dtype) for column, dtype in table.dtypes.items()}
            for name, table in tables.items()
        },
        "simulator_version": __version__,
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    _write_text(directory / "run.json", json.dumps(meta, indent=2))


def write_table(path: Path, table: pd.DataFrame) -> None:
    """`table` as Parquet or CSV, as the path's suffix says, renamed into place whole."""
    atomic_write(path, partial(_write_table, table, "csv" if path.suffix == ".csv" else "parquet"))


def _write_table(table: pd.DataFrame, fmt: Format, path: Path) -> None:
    if fmt == "parquet":
        table.to_parquet(path)
    else:
        table.to_csv(path, index=False)


def resolved_yaml(scenario: Scenario, seed: int, replications: int) -> str:
    """The scenario with every default written out, and the seed and replications run."""
    resolved = scenario.model_dump(mode="json", by_alias=True)
    resolved.update(seed=seed, replications=replications)
    return yaml.safe_dump(resolved, sort_keys=False)


def write_bytes(path: Path, data: bytes) -> None:
    atomic_write(path, partial(_put, data))


def _write_text(path: Path, text: str) -> None:
    write_bytes(path, (text + "\n").encode())


def _put(data: bytes, path: Path) -> None:
    path.write_bytes(data)
