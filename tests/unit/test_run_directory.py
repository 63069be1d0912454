"""Run directories: where a run may go, a run replacing another wholly, interruptions that
never look complete, and a damaged run read back as an error naming its file."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import simulator.output
import simulator.paths
from simulator.errors import ResultsError
from simulator.output import MARKER, check_run_directory
from simulator.results import Results, load_results
from simulator.run_reading import in_category_order
from simulator.runner import TABLES
from simulator.tables import SCHEMAS, conform
from tests.kit import scenario

ANSWERS = {"summary.csv", "summary.json", "billed.csv", "savings.csv", "scenario.yaml"}


def names(directory: Path) -> set[str]:
    return {p.name for p in directory.iterdir()}


def run_files(fmt: str) -> set[str]:
    return {f"{t}.{fmt}" for t in TABLES} | ANSWERS | {"run.json"}


# -- where a run may go -------------------------------------------------------------------


def test_a_new_path_an_empty_directory_and_a_run_directory_may_hold_a_run(
    results: Results, tmp_path: Path
) -> None:
    check_run_directory(tmp_path / "new" / "deeper")  # created when written
    check_run_directory(tmp_path)  # empty
    results.save(tmp_path / "run")
    check_run_directory(tmp_path / "run")
    interrupted = tmp_path / "interrupted"
    interrupted.mkdir()
    (interrupted / MARKER).write_text("")
    (interrupted / "calls.parquet").write_bytes(b"half")
    check_run_directory(interrupted)
    assert not list((tmp_path / "run").glob(".simulate-probe*"))  # the probe is removed


@pytest.mark.parametrize(
    ("make", "why"),
    [
        (lambda d: d.write_text("a file"), "not a directory"),
        (lambda d: d.parent.joinpath("file").write_text("x"), "is not a directory"),
        (lambda d: (d.mkdir(), d.joinpath("notes.txt").write_text("mine")), "not a run directory"),
    ],
    ids=["a file", "under a file", "files but no run.json"],
)
def test_what_cannot_hold_a_run_is_refused_with_its_path_and_why(
    tmp_path: Path, make: Callable[[Path], object], why: str
) -> None:
    directory = tmp_path / "out"
    make(directory)
    if why == "is not a directory":  # the path asked for lies under the file
        directory = tmp_path / "file" / "out"
    with pytest.raises(ResultsError, match=why) as raised:
        check_run_directory(directory)
    assert str(raised.value).startswith(f"{directory}: ")


def test_dev_null_is_refused() -> None:
    with pytest.raises(ResultsError, match=r"^/dev/null: not a directory"):
        check_run_directory(Path("/dev/null"))
    with pytest.raises(ResultsError, match=r"^/dev/null/run: /dev/null is not a directory"):
        check_run_directory(Path("/dev/null/run"))


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes whatever the permissions say")
def test_a_directory_that_cannot_be_written_is_refused(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(ResultsError, match=r": cannot write there \(Permission denied\)$"):
            check_run_directory(locked)
        with pytest.raises(ResultsError, match=r"/run: cannot create it in .*/locked \(Perm"):
            check_run_directory(locked / "run")
    finally:
        locked.chmod(0o700)


@pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="Linux's sysfs: no files made")
def test_a_directory_where_no_file_can_be_made_is_refused_even_for_root() -> None:
    """sysfs refuses new files whatever the permissions: the probe finds what they hide."""
    with pytest.raises(ResultsError, match=r"^/sys/kernel/run: cannot create it in /sys/kernel"):
        check_run_directory(Path("/sys/kernel/run"))


def test_save_refuses_a_directory_of_other_files_and_leaves_them(
    results: Results, tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ResultsError, match="not a run directory"):
        results.save(tmp_path)
    assert names(tmp_path) == {"notes.txt"}


# -- a run replaces a run wholly ----------------------------------------------------------


def test_a_csv_run_replaces_a_parquet_run_and_its_report_wholly(
    results: Results, tmp_path: Path
) -> None:
    out = tmp_path / "run"
    results.save(out)
    (out / "latency.png").write_bytes(b"an old figure")
    (out / "report.html").write_text("an old report")
    assert names(out) == run_files("parquet") | {"latency.png", "report.html"}
    results.save(out, fmt="csv")
    assert names(out) == run_files("csv")
    assert json.loads((out / "run.json").read_text())["format"] == "csv"
    load_results(out)


def test_a_run_replaces_the_subdirectories_of_the_run_before(
    results: Results, tmp_path: Path
) -> None:
    out = results.save(tmp_path / "run")
    figures = out / "figures" / "deeper"
    figures.mkdir(parents=True)
    (figures / "latency.png").write_bytes(b"an old figure")
    (out / "figures" / "cost.png").write_bytes(b"another")
    (out / "report").mkdir()
    (out / "report" / "report.html").write_text("an old report")
    old = {p.relative_to(out) for p in out.rglob("*")}
    results.save(out, fmt="csv")
    new = {p.relative_to(out) for p in out.rglob("*")}
    assert new == {Path(name) for name in run_files("csv")}
    assert not old & new - {Path(name) for name in ANSWERS | {"run.json"}}


def test_run_json_records_each_files_rows_and_sha256(results: Results, saved: Path) -> None:
    files = json.loads((saved / "run.json").read_text())["files"]
    assert set(files) == run_files("parquet") - {"run.json"}
    for name, record in files.items():
        assert record["sha256"] == hashlib.sha256((saved / name).read_bytes()).hexdigest()
    for name in TABLES:
        assert files[f"{name}.parquet"]["rows"] == len(results.tables[name])
    assert files["summary.csv"]["rows"] == len(results.summary())
    assert files["billed.csv"]["rows"] == len(results.billed())


def test_a_csv_table_cut_short_is_refused_naming_its_rows(results: Results, tmp_path: Path) -> None:
    """`head -c 3000 stops.csv`: what is left still parses, as fewer stops."""
    out = results.save(tmp_path / "run", fmt="csv")
    path = out / "stops.csv"
    whole = len(results.stops)

    def cut(directory: Path) -> None:
        data = path.read_bytes()
        cut_at = data.index(b"\n", len(data) // 2) + 1  # whole lines: parses as a table
        path.write_bytes(data[:cut_at])

    message = _broken(out, cut, "rows, run.json recorded")
    kept = len(pd.read_csv(path))
    assert 0 < kept < whole
    assert message.startswith(f"{path}: {kept:,} rows, run.json recorded {whole:,}; ")
    assert "its SHA-256 is" in message
    assert "cut short or changed after the run" in message


def test_a_csv_table_cut_mid_line_is_refused(results: Results, tmp_path: Path) -> None:
    out = results.save(tmp_path / "run", fmt="csv")
    path = out / "stops.csv"
    data = path.read_bytes()
    cut_at = data.index(b",", len(data) // 2)  # within a row

    message = _broken(out, lambda d: path.write_bytes(data[:cut_at]), "cut short or changed")
    assert message.startswith(f"{path}: ")


def test_a_table_changed_row_for_row_is_refused_naming_its_hash(saved: Path) -> None:
    path = saved / "costs.parquet"

    def edit(directory: Path) -> None:
        costs = pd.read_parquet(path)
        costs["usd"] = costs["usd"] * 0.5
        costs.to_parquet(path)

    recorded = json.loads((saved / "run.json").read_text())["files"]["costs.parquet"]
    message = _broken(saved, edit, "SHA-256")
    actual = hashlib.sha256(path.read_bytes()).hexdigest()
    assert message == (
        f"{path}: its SHA-256 is {actual[:12]}…, run.json recorded {recorded['sha256'][:12]}…: "
        "the file was cut short or changed after the run"
    )


@pytest.mark.parametrize(
    ("files", "why"),
    [
        ("[1]", "files: expected an object, got an array"),
        ('{"stops.parquet": {"rows": 3}}', "files: stops.parquet: sha256: expected 64 hex"),
        ('{"stops.parquet": {"rows": -1, "sha256": "' + "0" * 64 + '"}}', "rows: expected a whole"),
    ],
    ids=["a list", "no sha256", "negative rows"],
)
def test_a_damaged_files_record_is_named(saved: Path, files: str, why: str) -> None:
    def damage(directory: Path) -> None:
        path = directory / "run.json"
        text = path.read_text()
        meta = json.loads(text)
        meta["files"] = json.loads(files)
        path.write_text(json.dumps(meta))

    message = _broken(saved, damage, why)
    assert message.startswith(f"{saved / 'run.json'}: ")


@pytest.mark.parametrize("fail_at", range(12))
def test_an_interrupted_replacement_never_looks_complete(
    results: Results, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail_at: int
) -> None:
    """Interrupted at each of the 12 files it writes (the marker, 5 tables, 3 answers,
    summary.json, scenario.yaml, run.json), the directory holds the old run untouched
    (before the marker) or is an interrupted run: the marker, no run.json, and none of the
    old run's files. The next run replaces it."""
    out = tmp_path / "run"
    results.save(out, fmt="csv")
    written: list[str] = []
    real = simulator.output.atomic_write

    def interrupted(path: Path, write: Callable[[Path], None]) -> None:
        if len(written) == fail_at:
            raise KeyboardInterrupt
        written.append(path.name)
        real(path, write)

    monkeypatch.setattr(simulator.output, "atomic_write", interrupted)  # the tables
    monkeypatch.setattr(simulator.paths, "atomic_write", interrupted)  # the other files
    with pytest.raises(KeyboardInterrupt):
        results.save(out)
    monkeypatch.undo()
    if fail_at == 0:
        assert names(out) == run_files("csv")
        load_results(out)
    else:
        assert written[0] == MARKER
        assert names(out) == {MARKER, *written[1:]}
        assert "run.json" not in names(out)
        with pytest.raises(ResultsError, match=r"no run\.json; an interrupted run$"):
            load_results(out)
    results.save(out)
    assert names(out) == run_files("parquet")
    load_results(out)


# -- a damaged run is named, never a traceback --------------------------------------------


@pytest.fixture
def saved(results: Results, tmp_path: Path) -> Path:
    return results.save(tmp_path / "run")


def _broken(saved: Path, damage: Callable[[Path], object], match: str) -> str:
    damage(saved)
    with pytest.raises(ResultsError, match=match) as raised:
        load_results(saved)
    return str(raised.value)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("{not json", r"not JSON \(Expecting property name"),
        ("[1, 2]", "expected a JSON object, got an array"),
        ('{"replications": 2, "format": "parquet"}', "no 'seed': the file is damaged"),
        ('{"seed": 0, "format": "parquet"}', "no 'replications': the file is damaged"),
        ('{"seed": "0", "replications": 2, "format": "parquet"}', "seed: expected a whole"),
        ('{"seed": 0, "replications": 2}', "format: expected 'parquet' or 'csv', got None"),
    ],
    ids=["not json", "a list", "no seed", "no replications", "text seed", "no format"],
)
def test_a_damaged_run_json_is_named_with_what_is_wrong(saved: Path, text: str, why: str) -> None:
    message = _broken(saved, lambda d: (d / "run.json").write_text(text), why)
    assert message.startswith(f"{saved / 'run.json'}: ")


def test_a_missing_directory_is_named(tmp_path: Path) -> None:
    with pytest.raises(ResultsError, match=r"/nowhere: no such directory$"):
        load_results(tmp_path / "nowhere")


def test_a_missing_table_is_named(saved: Path) -> None:
    message = _broken(saved, lambda d: (d / "calls.parquet").unlink(), "missing")
    assert message.startswith(f"{saved / 'calls.parquet'}: missing")


@pytest.mark.parametrize("table", ["invocations", "demand", "waits"])
def test_a_run_written_before_a_later_table_reads_it_as_empty(saved: Path, table: str) -> None:
    meta = json.loads((saved / "run.json").read_text())
    del meta["files"][f"{table}.parquet"]
    (saved / "run.json").write_text(json.dumps(meta))
    (saved / f"{table}.parquet").unlink()
    read = load_results(saved)
    frame = getattr(read, table)
    assert frame.empty
    assert list(frame.columns) == list(SCHEMAS[table].names)


def test_a_later_table_run_json_names_is_still_missing(saved: Path) -> None:
    message = _broken(saved, lambda d: (d / "demand.parquet").unlink(), "missing")
    assert message.startswith(f"{saved / 'demand.parquet'}: missing")


def test_a_truncated_parquet_table_is_named(saved: Path) -> None:
    def truncate(directory: Path) -> None:
        path = directory / "stops.parquet"
        path.write_bytes(path.read_bytes()[:200])

    message = _broken(saved, truncate, "cannot read it as PARQUET")
    assert message.startswith(f"{saved / 'stops.parquet'}: ")


def as_written_before_files_were_recorded(directory: Path) -> None:
    """run.json as a run from before it kept each file's rows and SHA-256: its tables are
    then read on trust, and only what they hold can be checked."""
    path = directory / "run.json"
    meta = json.loads(path.read_text())
    del meta["files"]
    path.write_text(json.dumps(meta))


def test_a_csv_table_without_a_column_is_named(results: Results, tmp_path: Path) -> None:
    out = results.save(tmp_path / "run", fmt="csv")
    as_written_before_files_were_recorded(out)

    def drop(directory: Path) -> None:
        path = directory / "stops.csv"
        pd.read_csv(path).drop(columns="outcome").to_csv(path, index=False)

    message = _broken(out, drop, "no column 'outcome'")
    assert message.startswith(f"{out / 'stops.csv'}: ")


def test_a_csv_table_with_bad_values_is_named(results: Results, tmp_path: Path) -> None:
    out = results.save(tmp_path / "run", fmt="csv")
    as_written_before_files_were_recorded(out)

    def spoil(directory: Path) -> None:
        path = directory / "calls.csv"
        calls = pd.read_csv(path)
        calls["attempt"] = "many"
        calls.to_csv(path, index=False)

    message = _broken(out, spoil, "column 'attempt': expected int16 values")
    assert message.startswith(f"{out / 'calls.csv'}: ")


def test_an_empty_csv_table_is_named(results: Results, tmp_path: Path) -> None:
    out = results.save(tmp_path / "run", fmt="csv")
    message = _broken(out, lambda d: (d / "costs.csv").write_text(""), "cannot read it as CSV")
    assert message.startswith(f"{out / 'costs.csv'}: ")


def test_a_missing_scenario_is_named(saved: Path) -> None:
    message = _broken(saved, lambda d: (d / "scenario.yaml").unlink(), "missing")
    assert message.startswith(f"{saved / 'scenario.yaml'}: ")


def test_a_run_written_before_the_utc_columns_reads_back_with_them(
    results: Results, saved: Path
) -> None:
    as_written_before_files_were_recorded(saved)
    path = saved / "stops.parquet"
    old = pd.read_parquet(path).drop(columns=["requested_at_utc", "terminal_at_utc"])
    old.to_parquet(path)
    again = load_results(saved)
    pd.testing.assert_frame_equal(again.stops, results.stops)


def test_a_csv_run_keeps_text_that_looks_like_a_number(tmp_path: Path) -> None:
    text = """
    name: digits
    horizon: 1h
    fleet: [{service: comprehend, count: 2, name: "007"}]
    requests: [{service: comprehend, at: 10m}]
    """
    run = simulator.run(scenario(text))
    again = load_results(run.save(tmp_path / "run", fmt="csv"))
    for name in ("stops", "costs"):
        assert again.tables[name]["group"].astype(str).unique().tolist() == ["007"]
        assert str(again.tables[name]["group"].dtype) == "category"


def test_parquet_is_written_in_slices_and_reads_back_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A table longer than a slice is written as several row groups (never converted to
    Arrow whole), each categorical column on a dictionary of its slice's values alone, and
    reads back with the same values; a run's reader puts the categories in order."""
    import pyarrow.parquet as pq

    monkeypatch.setattr(simulator.output, "PARQUET_ROWS", 4)
    table = pd.DataFrame(
        {
            "time": [float(i) for i in range(10)],
            "status": pd.Categorical(list("aaaabbbbab"), categories=["a", "b", "c"]),
        }
    )
    path = tmp_path / "t.parquet"
    simulator.output.write_table(path, table)
    written = pq.ParquetFile(path)
    assert written.metadata.num_row_groups == 3
    dictionaries = [
        written.read_row_group(i).column("status").chunk(0).dictionary.to_pylist() for i in range(3)
    ]
    assert dictionaries == [["a"], ["b"], ["a", "b"]]  # never the unused "c"
    back = in_category_order(pd.read_parquet(path))
    pd.testing.assert_frame_equal(
        back, table.assign(status=table["status"].cat.remove_unused_categories())
    )


def test_a_run_s_tables_read_back_the_same_written_in_slices(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every kind of column a run has (UTC times, missing error codes, booleans, resource
    ids) survives slices, each with its own dictionaries."""
    from simulator.runner import run_tables
    from simulator.tables import arrow_schema

    tables = run_tables(
        scenario(
            """
            name: slices
            horizon: 2h
            services: {rekognition: {throttle: {StopProjectVersion: {rate: 1, burst: 2}}}}
            fleet: [{service: rekognition, count: 12}]
            requests: [{service: rekognition, at: 10m}]
            """
        ),
        replications=2,
    )
    for name, table in tables.items():
        if name in ("invocations", "demand", "waits"):  # no handler, no demand: empty
            continue
        whole, sliced = tmp_path / f"{name}-whole.parquet", tmp_path / f"{name}-sliced.parquet"
        simulator.output.write_table(whole, table, arrow_schema(name))
        monkeypatch.setattr(simulator.output, "PARQUET_ROWS", 5)
        simulator.output.write_table(sliced, table, arrow_schema(name))
        monkeypatch.undo()
        assert len(table) > 5, name
        back = conform(name, in_category_order(pd.read_parquet(sliced)))
        pd.testing.assert_frame_equal(
            back, conform(name, in_category_order(pd.read_parquet(whole)))
        )
        # as the run held it, but for categories no row holds (resources never stopped)
        held = {
            column: values.cat.remove_unused_categories()
            for column, values in table.items()
            if isinstance(values.dtype, pd.CategoricalDtype)
        }
        pd.testing.assert_frame_equal(back, table.assign(**held))


def test_a_table_is_written_with_arrow_on_malloc_and_its_pool_put_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Arrow's own allocator keeps what it frees and cannot reuse what the tables' making
    freed: writing uses the C library's malloc, and leaves the pool as it found it."""
    import pyarrow as pa

    seen: list[str] = []
    arrow_slice = simulator.output._arrow_slice

    def spy(part: pd.DataFrame, schema: pa.Schema) -> pa.Table:
        seen.append(pa.default_memory_pool().backend_name)
        return arrow_slice(part, schema)

    monkeypatch.setattr(simulator.output, "_arrow_slice", spy)
    before = pa.default_memory_pool().backend_name
    simulator.output.write_table(tmp_path / "t.parquet", pd.DataFrame({"a": [1.0, 2.0]}))
    assert seen == ["system"]
    assert pa.default_memory_pool().backend_name == before != "system"


def test_tables_read_back_keep_no_hash_table_of_their_categories(saved: Path) -> None:
    """pandas makes a hash table of a categorical's categories when it reads one (a million
    resource ids: 152 MB of Python strings) and keeps it on them; a run read back drops it
    (`engine.resource_ids.unindexed`, which reads the same cache)."""
    tables = load_results(saved).tables
    categoricals = [
        frame[column].cat.categories
        for frame in tables.values()
        for column in frame.columns
        if isinstance(frame[column].dtype, pd.CategoricalDtype)
    ]
    assert any(len(categories) > 1 for categories in categoricals)
    assert not [c for c in categoricals if "_engine" in getattr(c, "_cache", {})]
    assert all(c.is_monotonic_increasing for c in categoricals)  # in order, as written
