"""A sweep's unit: refused by a worker of other code before anything is written, written
whole, in slices of rows as a run is, and, when a retry finds it already there, kept only
if it is the same unit."""

from __future__ import annotations

import errno
import json
import math
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import simulator.output as output
from simulator.errors import SweepError
from simulator.runner import TABLES, concat, simulate
from simulator.scenario.digest import scenario_digest
from simulator.units import DamagedUnit, OtherCode, Unit, fingerprint, finished_record, run_unit
from tests.kit import scenario

TINY = """
name: tiny
horizon: 30m
fleet: [{service: rekognition, count: 2}]
requests: [{service: rekognition, at: 1m}]
"""


def _unit(directory: Path, code: str | None = None, text: str = TINY) -> Unit:
    base = scenario(text)
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


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with text as text: a slice's dictionary holds the values it has, in order."""
    return frame.apply(
        lambda c: c.astype(object) if isinstance(c.dtype, pd.CategoricalDtype) else c
    )


def test_a_units_tables_are_written_in_slices_as_a_runs_and_read_back_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A unit writes with the run directory's writer (`output.write_table`), not a copy of
    it: a row group per `PARQUET_ROWS` rows, each categorical on the dictionary of the
    values its slice holds; what the sweep reads back is what the unit ran."""
    monkeypatch.setattr(output, "PARQUET_ROWS", 3)
    unit = _unit(tmp_path, text=TINY.replace("count: 2", "count: 8"))
    run_unit(unit)
    expected = simulate(unit.scenario, unit.seed, unit.replication)
    calls = pq.ParquetFile(unit.directory / "calls.parquet")
    assert calls.metadata.num_row_groups == math.ceil(len(expected["calls"]) / 3) > 1
    first = calls.read_row_group(0).column("resource_id").chunk(0)
    assert isinstance(first, pa.DictionaryArray)
    assert sorted(first.dictionary.to_pylist()) == sorted(set(first.to_pylist()))
    assert len(first.dictionary) < len(expected["calls"]["resource_id"].cat.categories)
    read = {name: pd.read_parquet(unit.directory / f"{name}.parquet") for name in TABLES}
    back = concat([read])  # as `Sweep.results` reads a variant's units
    for name in TABLES:
        pd.testing.assert_frame_equal(_plain(back[name]), _plain(expected[name]))


def test_a_unit_whose_writing_fails_part_way_leaves_nothing_that_looks_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk in the middle of a table: no unit directory, no temporary, no file."""
    monkeypatch.setattr(output, "PARQUET_ROWS", 3)
    arrow_slice, written = output._arrow_slice, []

    def filling(part: pd.DataFrame, schema: pa.Schema) -> pa.Table:
        written.append(len(part))
        if len(written) == 4:
            raise OSError(errno.ENOSPC, "No space left on device")
        return arrow_slice(part, schema)

    monkeypatch.setattr(output, "_arrow_slice", filling)
    unit = _unit(tmp_path, text=TINY.replace("count: 2", "count: 8"))
    with pytest.raises(OSError, match="No space left"):
        run_unit(unit)
    assert len(written) == 4
    assert not unit.directory.exists()
    assert list(unit.directory.parent.iterdir()) == []
