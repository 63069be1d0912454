"""One unit of a sweep: a replication of a variant, run where the executor puts it.

A worker (a pool process, a Dask worker) imports this module to run a unit: it keeps to
what running one needs, not the figures and reports of the study around it, so a fresh
worker process starts in a second rather than three.
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
from simulator.runner import simulate
from simulator.scenario.model import Scenario


@dataclass(frozen=True)
class Unit:
    """One replication of one variant, and where its results go."""

    variant: str
    digest: str
    scenario: Scenario
    seed: int
    replication: int
    directory: Path
    services: tuple[str, ...]


def run_unit(unit: Unit) -> dict[str, Any]:
    """Run the unit, write its tables and metrics into its directory whole, and return its
    record (what `metrics.json` holds: a few numbers, cheap to send back)."""
    tables = simulate(unit.scenario, unit.seed, unit.replication)
    metrics = unit_metrics(tables, unit.services)
    record = {
        "variant": unit.variant,
        "digest": unit.digest,
        "seed": unit.seed,
        "replication": unit.replication,
        "code": fingerprint(),
        "metrics": {name: None if math.isnan(v) else v for name, v in metrics.items()},
    }
    temporary = unit.directory.with_name(f".{unit.directory.name}.{uuid.uuid4().hex[:8]}.tmp")
    temporary.mkdir(parents=True)
    try:
        for name, table in tables.items():
            table.to_parquet(temporary / f"{name}.parquet")
        (temporary / "metrics.json").write_text(json.dumps(record, indent=1) + "\n")
        try:
            os.replace(temporary, unit.directory)
        except OSError:
            if not unit.directory.is_dir():
                raise  # else a retry of this unit (a worker thought lost) finished it first
    finally:
        shutil.rmtree(temporary, ignore_errors=True)  # gone already once renamed
    return record


@functools.cache
def fingerprint() -> str:
    """A digest of the simulator's source files: results of other code are not mixed in."""
    root = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]
