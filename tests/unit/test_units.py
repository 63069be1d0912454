"""A sweep's unit: refused by a worker of other code before anything is written, written
whole, and, when a retry finds it already there, kept only if it is the same unit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulator.errors import SweepError
from simulator.runner import TABLES
from simulator.scenario.digest import scenario_digest
from simulator.units import DamagedUnit, OtherCode, Unit, fingerprint, finished_record, run_unit
from tests.kit import scenario

TINY = """
name: tiny
horizon: 30m
fleet: [{service: rekognition, count: 2}]
requests: [{service: rekognition, at: 1m}]
"""


def _unit(directory: Path, code: str | None = None) -> Unit:
    base = scenario(TINY)
    return Unit(
        "v", scenario_digest(base), base, 3, 1, directory / "v" / "replication-1",
        ("rekognition",), code or fingerprint(),
    )  # fmt: skip


def test_a_worker_of_other_code_refuses_the_unit_before_writing_anything(tmp_path: Path) -> None:
    with pytest.raises(OtherCode) as raised:
        run_unit(_unit(tmp_path, code="0" * 16))
    assert raised.value.code == fingerprint()
    assert not list(tmp_path.iterdir())


def test_a_unit_is_written_whole_and_its_record_read_back(tmp_path: Path) -> None:
    unit = _unit(tmp_path)
    record = run_unit(unit)
    assert (record["seed"], record["replication"], record["code"]) == (3, 1, fingerprint())
    assert sorted(p.name for p in unit.directory.iterdir()) == sorted(
        [*(f"{name}.parquet" for name in TABLES), "metrics.json"]
    )
    assert finished_record(unit) == record
    assert [p.name for p in unit.directory.parent.iterdir()] == ["replication-1"]


def test_a_unit_found_done_by_its_retry_is_kept_if_it_is_the_same_unit(tmp_path: Path) -> None:
    unit = _unit(tmp_path)
    first = run_unit(unit)
    stamp = (unit.directory / "metrics.json").stat().st_mtime_ns
    assert run_unit(unit) == first
    assert (unit.directory / "metrics.json").stat().st_mtime_ns == stamp
    assert [p.name for p in unit.directory.parent.iterdir()] == ["replication-1"]


@pytest.mark.parametrize("field", ["digest", "seed", "replication", "code"])
def test_a_unit_found_done_of_another_study_is_refused(tmp_path: Path, field: str) -> None:
    unit = _unit(tmp_path)
    run_unit(unit)
    metrics = unit.directory / "metrics.json"
    record = json.loads(metrics.read_text())
    record[field] = 99 if isinstance(record[field], int) else "other"
    metrics.write_text(json.dumps(record))
    with pytest.raises(SweepError, match="was run with another scenario, seed, replication"):
        run_unit(unit)
    assert [p.name for p in unit.directory.parent.iterdir()] == ["replication-1"]


def test_a_unit_found_done_without_a_table_is_incomplete(tmp_path: Path) -> None:
    unit = _unit(tmp_path)
    run_unit(unit)
    (unit.directory / "calls.parquet").unlink()
    with pytest.raises(DamagedUnit, match=r"is incomplete \(no calls\.parquet\)"):
        finished_record(unit)
