"""The tables' schemas: one type per column whether or not it holds values, one dtype per
column name across tables, UTC twins of the seconds, and the README printing them."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

import simulator
from simulator import tables
from simulator.engine.recorder import Recorder
from simulator.results import Results
from simulator.runner import TABLES, concat
from simulator.units import run_unit
from tests.kit import scenario
from tests.unit.test_units import _unit as tiny_unit

CLEAN = """
name: clean
horizon: 1h
start: 2026-03-01T12:30:00+01:00
replications: 2
services:
  rekognition:
    latency: {stop: 2m, start: 5m, training: 1h, copying: 1h}
fleet:
  - {service: rekognition, count: 4, project: p, inference_units: 2}
callers:
  default:
    network: 0.2
requests: [{service: rekognition, at: 10m}]
"""
FAULTY = CLEAN.replace("name: clean", "name: faulty").replace(
    "    latency: {stop: 2m", "    faults: {StopProjectVersion: 0.8}\n    latency: {stop: 2m"
)


@pytest.fixture(scope="module")
def clean() -> Results:
    return simulator.run(scenario(CLEAN))


@pytest.fixture(scope="module")
def faulty() -> Results:
    return simulator.run(scenario(FAULTY))


def test_the_runs_are_what_the_tests_need(clean: Results, faulty: Results) -> None:
    assert clean.calls["error_code"].isna().all()
    assert clean.stops["error_code"].isna().all()
    assert faulty.calls["error_code"].notna().sum() > 0
    assert faulty.stops["error_code"].notna().sum() > 0  # rejected after their retries


def test_each_kind_prints_as_its_arrow_type() -> None:
    kinds = {c.kind for schema in tables.SCHEMAS.values() for c in schema.columns}
    for kind in kinds:
        assert str(tables.arrow_type(kind)) == kind.arrow
        assert str(pd.api.types.pandas_dtype(kind.pandas)) == kind.pandas


def test_a_run_has_its_schemas_columns_and_dtypes(clean: Results, faulty: Results) -> None:
    assert tuple(tables.SCHEMAS) == TABLES
    for run in (clean, faulty):
        for name, table in run.tables.items():
            schema = tables.SCHEMAS[name]
            assert tuple(table.columns) == schema.names, name
            dtypes = [str(table[c.name].dtype) for c in schema.columns]
            assert dtypes == [c.kind.pandas for c in schema.columns], name


def test_runs_with_and_without_errors_write_identical_arrow_schemas(
    clean: Results, faulty: Results, tmp_path: Path
) -> None:
    for run in (clean, faulty):
        run.save(tmp_path / run.scenario.name)
    for name in TABLES:
        without = pq.read_schema(tmp_path / "clean" / f"{name}.parquet")
        with_errors = pq.read_schema(tmp_path / "faulty" / f"{name}.parquet")
        assert without.remove_metadata() == with_errors.remove_metadata(), name
        assert without.remove_metadata() == tables.arrow_schema(name), name


def test_arrow_reads_two_runs_together_and_keeps_the_error_codes(
    clean: Results, faulty: Results, tmp_path: Path
) -> None:
    """The run without errors first: Arrow takes its schema for both files."""
    for run in (clean, faulty):
        run.save(tmp_path / run.scenario.name)
    for name in ("calls", "stops"):
        files = [str(tmp_path / run / f"{name}.parquet") for run in ("clean", "faulty")]
        both = ds.dataset(files).to_table()
        codes = both.column("error_code").to_pandas()
        assert len(codes) == len(clean.tables[name]) + len(faulty.tables[name])
        assert codes.notna().sum() == faulty.tables[name]["error_code"].notna().sum() > 0
        expected = faulty.tables[name]["error_code"].dropna().astype(str).tolist()
        assert codes.dropna().astype(str).tolist() == expected


def test_a_column_name_has_one_kind_in_every_schema() -> None:
    kinds: dict[str, set[tables.Kind]] = {}
    for schema in tables.SCHEMAS.values():
        for column in schema.columns:
            kinds.setdefault(column.name, set()).add(column.kind)
    assert {name: k for name, k in kinds.items() if len(k) > 1} == {}
    shared = {name for name in kinds if sum(name in s.names for s in tables.SCHEMAS.values()) > 1}
    assert {"replication", "service", "resource_id", "group", "error_code"} <= shared


def test_a_column_name_has_one_dtype_in_every_table_of_a_run(faulty: Results) -> None:
    dtypes: dict[str, set[str]] = {}
    for table in faulty.tables.values():
        for column in table.columns:
            dtypes.setdefault(column, set()).add(str(table[column].dtype))
    assert {c: d for c, d in dtypes.items() if len(d) > 1} == {}
    assert dtypes["service"] == dtypes["resource_id"] == dtypes["group"] == {"category"}
    for time in ("time", "requested_at", "terminal_at", "observed_at", "start", "end"):
        assert dtypes[time] == {"float64"}, time


def test_the_utc_columns_are_start_plus_the_seconds(faulty: Results) -> None:
    start = pd.Timestamp(faulty.scenario.start)
    assert start == pd.Timestamp("2026-03-01T11:30:00Z")
    checked = 0
    for name, table in faulty.tables.items():
        for column in tables.SCHEMAS[name].columns:
            if column.seconds is None:
                continue
            seconds, moments = table[column.seconds], table[column.name]
            assert str(moments.dtype) == "datetime64[us, UTC]"
            assert (moments.isna() == seconds.isna()).all(), column.name
            known = seconds.notna()
            if not known.any():  # a table this run leaves empty (invocations: no handler)
                continue
            after = (moments[known] - start) / pd.Timedelta(microseconds=1)
            assert np.abs(after.to_numpy() - seconds[known].to_numpy() * 1e6).max() <= 0.5
            checked += int(known.sum())
    assert checked > 100
    assert faulty.stops["terminal_at_utc"].isna().any()  # rejected stops: NaT


def test_utc_moments_round_to_the_microsecond_and_keep_nan_as_nat() -> None:
    start = datetime.fromisoformat("2026-01-05T00:00:00+00:00")
    seconds = pd.Series([0.0, 1.5, 86400.0000004, np.nan, 0.0000006])
    moments = tables.utc_moments(seconds, start)
    assert moments.tolist()[:3] == [
        pd.Timestamp(start),
        pd.Timestamp(start + timedelta(seconds=1.5)),
        pd.Timestamp(start + timedelta(days=1)),
    ]
    assert moments.isna().tolist() == [False, False, False, True, False]
    assert moments.iloc[4] == pd.Timestamp(start + timedelta(microseconds=1))


def test_conform_names_a_missing_column_and_casts_text() -> None:
    stops = pd.DataFrame({c: [] for c in tables.STOPS.names if c != "outcome"})
    with pytest.raises(tables.MissingColumns, match="no column 'outcome'"):
        tables.conform("stops", stops)
    calls = pd.DataFrame({c: ["1"] for c in tables.CALLS.names})
    calls["time_utc"] = "2026-01-05 00:00:01.500000+00:00"
    conformed = tables.conform("calls", calls)
    assert [str(d) for d in conformed.dtypes] == [c.kind.pandas for c in tables.CALLS.columns]
    assert conformed["time_utc"].iloc[0] == pd.Timestamp("2026-01-05T00:00:01.5Z")
    calls["attempt"] = "first"
    with pytest.raises(ValueError, match="column 'attempt': expected int16 values"):
        tables.conform("calls", calls)


def test_the_recorder_records_only_what_the_schema_says() -> None:
    recorder = Recorder()
    columns = dict.fromkeys(tables.TRANSITIONS.base, "float")
    with pytest.raises(ValueError, match="table 'transitions' would record"):
        recorder.table("transitions", columns)  # type: ignore[arg-type]
    recorder.table("stop_requests", {"time": "float"})  # not a result table: any columns


def test_concat_unifies_a_column_that_came_back_from_parquet_as_objects(
    faulty: Results,
) -> None:
    """A categorical column with every value missing is read back from Parquet (written
    without the schema) as plain objects: one replication without a single error code must
    not break the others'."""
    calls = faulty.calls
    with_codes = calls[calls["replication"] == 0].reset_index(drop=True)
    without = calls[calls["replication"] == 1].reset_index(drop=True)
    without = without.assign(error_code=pd.Series([None] * len(without), dtype=object))
    table = concat([{"calls": with_codes}, {"calls": without}])["calls"]
    assert isinstance(table["error_code"].dtype, pd.CategoricalDtype)
    codes = table["error_code"].isna().tolist()
    assert codes == with_codes["error_code"].isna().tolist() + [True] * len(without)
    assert not all(codes)


README = Path(__file__).parent.parent.parent / "README.md"


def test_the_readme_prints_the_schemas() -> None:
    text = README.read_text()
    begin, end = "<!-- tables: begin -->\n", "<!-- tables: end -->"
    assert text.count(begin) == text.count(end) == 1
    printed = text[text.index(begin) + len(begin) : text.index(end)]
    assert printed == tables.render_markdown()


def test_a_sweep_unit_writes_its_tables_with_their_schemas(tmp_path: Path) -> None:
    """TINY has no error: its error codes are still a dictionary of strings."""
    unit = tiny_unit(tmp_path)
    run_unit(unit)
    for name in TABLES:
        written = pq.read_schema(unit.directory / f"{name}.parquet").remove_metadata()
        assert written == tables.arrow_schema(name), name


def test_utc_moments_in_slices_are_the_whole_column_s(monkeypatch: pytest.MonkeyPatch) -> None:
    """A column longer than a slice of UTC_ROWS gives what one slice gives, NaN included."""
    start = datetime.fromisoformat("2026-01-05T00:00:00+00:00")
    seconds = pd.Series([0.0, 1.5, np.nan, 3600.25, 86400.0000004, np.nan, 7.0, 0.0000006])
    whole = tables.utc_moments(seconds, start)
    monkeypatch.setattr(tables, "UTC_ROWS", 3)
    sliced = tables.utc_moments(seconds, start)
    pd.testing.assert_series_equal(sliced, whole)
    assert sliced.isna().tolist() == seconds.isna().tolist()
