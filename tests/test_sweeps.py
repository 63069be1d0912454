"""Sweeps as a user meets them: the same tables on any executor, an interrupted study
resumed without redoing a unit, differences paired on common random numbers, a directory
of another study refused, and the what-if scenarios showing what they say they show."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

import simulator
from simulator.cli import app
from simulator.cli.progress import DelayedProgress
from simulator.errors import ScenarioError, SweepError
from simulator.runner import TABLES
from simulator.scenario.digest import scenario_digest
from simulator.sweeps import SweepResults

ROOT = Path(__file__).parent.parent
TINY = """\
name: tiny
seed: 3
replications: 3
horizon: 2h
fleet: [{service: rekognition, count: 20}]
callers: {ops: {retry: {mode: standard}}}
requests:
  - {service: rekognition, caller: ops, poisson: {rate: 0.05, start: 1m, end: 30m}}
"""
LATER = "services.rekognition.latency.stop"
STOPS = {LATER: [{"kind": "uniform", "low": 60, "high": 300}, "6m"]}


@pytest.fixture
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The scenario, outside `tmp_path`: a sweep's output directory must start empty."""
    path = tmp_path_factory.mktemp("scenario") / "tiny.yaml"
    path.write_text(TINY)
    return path


def _unit_tables(results: SweepResults) -> dict[str, pd.DataFrame]:
    units = sorted((results.directory / "units").glob("*/replication-*"))
    assert len(units) == len(results.variants) * results.replications
    return {
        f"{unit.parent.name}/{unit.name}/{name}": pd.read_parquet(unit / f"{name}.parquet")
        for unit in units
        for name in TABLES
    }


def _assert_same(one: SweepResults, other: SweepResults) -> None:
    pd.testing.assert_frame_equal(one.summary(), other.summary())
    pd.testing.assert_frame_equal(one.metrics, other.metrics)
    theirs = _unit_tables(other)
    for key, table in _unit_tables(one).items():
        pd.testing.assert_frame_equal(table, theirs[key], obj=key)


@pytest.mark.slow
def test_the_tables_are_identical_in_one_process_a_pool_and_a_dask_cluster(
    tiny: Path, tmp_path: Path
) -> None:
    one = simulator.sweep(tiny, STOPS, out=tmp_path / "one", workers=1)
    pool = simulator.sweep(tiny, STOPS, out=tmp_path / "pool", workers=2)
    cluster = simulator.sweep(tiny, STOPS, out=tmp_path / "dask", workers=2, dask="local")
    assert one.ran == pool.ran == cluster.ran == 6
    _assert_same(one, pool)
    _assert_same(one, cluster)


@pytest.mark.slow
def test_an_interrupted_sweep_runs_only_its_missing_units_again(tiny: Path, tmp_path: Path) -> None:
    """Killed (SIGKILL, no cleanup) after some units, the same command runs the rest: the
    finished units are not touched, and the result is an uninterrupted run's."""
    out = tmp_path / "killed"
    vary = ["--vary", "fleet.0.count=60,80,100", "--vary", "callers.ops.retry.mode=standard,legacy"]
    command = [sys.executable, "-m", "simulator", "sweep", str(tiny), *vary, "--out", str(out),
               "--workers", "1", "--replications", "2"]  # fmt: skip
    process = subprocess.Popen(command, start_new_session=True, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while len(list(out.glob("units/*/replication-*"))) < 3:
        assert process.poll() is None, "the sweep ended before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    finished = {
        unit: (unit.stat().st_ino, (unit / "metrics.json").stat().st_mtime_ns)
        for unit in out.glob("units/*/replication-*")
    }
    assert 3 <= len(finished) < 12

    grid = {"fleet.0.count": [60, 80, 100], "callers.ops.retry.mode": ["standard", "legacy"]}
    resumed = simulator.sweep(tiny, grid, out=out, workers=1, replications=2)
    assert resumed.ran == 12 - len(finished)
    for unit, stamp in finished.items():
        assert (unit.stat().st_ino, (unit / "metrics.json").stat().st_mtime_ns) == stamp
    assert not list(out.glob("units/*/.*"))  # no leftover of the unit the kill cut short
    whole = simulator.sweep(tiny, grid, out=tmp_path / "whole", workers=2, replications=2)
    _assert_same(resumed, whole)


@pytest.mark.slow
def test_two_identical_variants_differ_by_exactly_zero(tmp_path: Path) -> None:
    base = simulator.parse_scenario(
        TINY + "sweep:\n  variants:\n    - {name: a, set: {fleet.0.count: 30}}\n"
        "    - {name: b, set: {fleet.0.count: 30}}\n"
    )
    results = simulator.sweep(base, out=tmp_path, workers=1)
    b = results.comparison().query("variant == 'b'")
    assert len(b) == len(results.metrics.columns) - 2 > 0  # a row per metric
    assert (b[["diff", "diff_ci_low", "diff_ci_high"]] == 0.0).all().all()
    assert results.varying() == []
    for name in TABLES:
        pd.testing.assert_frame_equal(results.results("a").tables[name],
                                      results.results("b").tables[name])  # fmt: skip


@pytest.mark.slow
def test_the_paired_interval_of_a_real_change_is_narrower_than_the_unpaired(
    tmp_path: Path,
) -> None:
    """Stops a minute longer: the same requests at the same moments and the same draws of
    the stop latency, shifted, so the pairs share everything but the change."""
    base = simulator.parse_scenario(
        TINY + "sweep:\n  variants:\n"
        "    - {name: now, set: {services.rekognition.latency.stop.low: 60}}\n"
        "    - {name: slower, set: {services.rekognition.latency.stop: "
        "{kind: uniform, low: 120, high: 360}}}\n"
    )
    results = simulator.sweep(base, out=tmp_path, workers=1, replications=6)
    slower = results.comparison().set_index(["variant", "metric"]).loc["slower"]
    for metric in ("rekognition.latency_mean_s", "rekognition.cost_after_request_usd"):
        row = slower.loc[metric]
        assert row["diff"] > 0
        paired = row["diff_ci_high"] - row["diff_ci_low"]
        unpaired = row["unpaired_ci_high"] - row["unpaired_ci_low"]
        assert paired < unpaired / 2, metric
    assert slower.loc["rekognition.latency_mean_s", "diff"] == pytest.approx(60, abs=0.1)


@pytest.mark.slow
def test_a_sweep_run_again_runs_nothing_and_a_changed_one_is_refused(
    tiny: Path, tmp_path: Path
) -> None:
    first = simulator.sweep(tiny, STOPS, out=tmp_path, workers=1)
    again = simulator.sweep(tiny, STOPS, out=tmp_path, workers=1)
    assert again.ran == 0
    pd.testing.assert_frame_equal(first.summary(), again.summary())
    grown = simulator.sweep(tiny, STOPS, out=tmp_path, workers=1, replications=4)
    assert grown.ran == 2  # the same study, a replication more per variant

    answers = {
        p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file() and p.name[0] != "."
    }
    assert {"answers.json", "summary.csv", "comparison.csv"} <= set(answers)
    with pytest.raises(SweepError, match=r"seed 3 \(now 4\).*--fresh"):
        simulator.sweep(tiny, STOPS, out=tmp_path, workers=1, seed=4)
    kept = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file() and p.name[0] != "."}
    assert kept == answers  # a refused study leaves the answers there whole
    tiny.write_text(TINY.replace("count: 20", "count: 21"))
    with pytest.raises(SweepError, match=r"another scenario for variant\(s\) stop=6m"):
        simulator.sweep(tiny, {LATER: ["6m"]}, out=tmp_path, workers=1)
    manifest = tmp_path / "sweep.json"
    manifest.write_text(manifest.read_text().replace(first_code(tmp_path), "0" * 16))
    with pytest.raises(SweepError, match="other simulator code"):
        simulator.sweep(tiny, STOPS, out=tmp_path, workers=1)
    fresh = simulator.sweep(tiny, {LATER: ["6m"]}, out=tmp_path, workers=1, fresh=True)
    assert fresh.ran == 3
    assert len(list(tmp_path.glob("units/*/replication-*"))) == 3


def first_code(directory: Path) -> str:
    return str(pd.read_json(directory / "sweep.json", typ="series")["code"])


@pytest.mark.slow
def test_simulate_sweep_prints_paired_differences_and_writes_the_summary(
    tiny: Path, tmp_path: Path
) -> None:
    args = ["sweep", str(tiny), "--vary", f"{LATER}=3m,6m", "--out", str(tmp_path)]
    result = CliRunner().invoke(app, [*args, "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "paired on common random numbers" in result.output
    assert "ran 6 unit(s); 0 found done" in result.output
    summary = pd.read_csv(tmp_path / "summary.csv")
    assert summary["variant"].tolist() == ["stop=3m", "stop=6m"]
    assert summary[LATER].tolist() == ["3m", "6m"]
    assert (tmp_path / "figures" / "rekognition.latency_mean_s.png").is_file()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--vary", "fleet.0.cont=1,2"], "fleet.0 has no setting 'cont'; did you mean 'count'"),
        (["--vary", "fleet.0.count=1,many"], "variant count=many: fleet[0].count: Input should"),
        (["--vary", "fleet.0.count"], "--vary 'fleet.0.count': expected PATH=VALUE"),
        (["--dask", "local"], "--dask needs Dask's distributed scheduler: pip install"),
        (["--vary", "fleet.0.count=1,2", "--vary", "fleet.0.count=3"],
         "--vary fleet.0.count is given twice; give all its values in one --vary"),
        (["--vary", "fleet.0.count=1,{a: b"],
         "--vary 'fleet.0.count=1,{a: b': cannot read '1,{a: b' as YAML"),
        (["--vary", f"{LATER}=3m,6m", "--baseline", "nope"],
         "--baseline: no variant is named 'nope'; variants are stop=3m, stop=6m"),
    ],
)  # fmt: skip
def test_a_bad_sweep_is_one_clear_message_and_status_2(
    tiny: Path, tmp_path: Path, args: list[str], expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if the extra were not installed
    result = CliRunner().invoke(app, ["sweep", str(tiny), "--out", str(tmp_path), *args])
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert isinstance(result.exception, SystemExit)  # said and left, not an error raised
    assert not list(tmp_path.iterdir())  # refused before anything was written


@pytest.mark.parametrize(
    ("address", "problem"),
    [("nohost", "missing port number"), ("foo://bar:1", "unknown address scheme 'foo'")],
)
def test_a_bad_dask_address_names_dask_and_what_it_expects(
    tiny: Path, tmp_path: Path, address: str, problem: str
) -> None:
    pytest.importorskip("distributed")
    args = ["sweep", str(tiny), "--out", str(tmp_path), "--dask", address]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert f"--dask {address!r}: " in result.output
    assert problem in result.output
    assert "expected a scheduler's address, tcp://host:port, or local" in result.output
    assert isinstance(result.exception, SystemExit)


class _LosesWorkers(Executor):
    """Runs the first `survivors` units it is given, then fails the rest as a process pool
    does once one of its workers is killed."""

    def __init__(self, survivors: int) -> None:
        self.survivors = survivors

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        if self.survivors > 0:
            self.survivors -= 1
            future.set_result(fn(*args, **kwargs))
        else:
            future.set_exception(BrokenProcessPool("A child process terminated abruptly"))
        return future


@pytest.mark.slow
def test_a_lost_worker_stops_the_sweep_with_its_finished_units_kept(
    tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    @contextmanager
    def losing(workers: int, dask: str | None = None) -> Iterator[Executor]:
        yield _LosesWorkers(survivors=2)

    monkeypatch.setattr("simulator.sweeps.open_executor", losing)
    args = ["sweep", str(tiny), "--vary", f"{LATER}=3m,6m", "--out", str(tmp_path)]
    lost = CliRunner().invoke(app, [*args, "--workers", "2"])
    assert lost.exit_code == 2, lost.output
    assert isinstance(lost.exception, SystemExit)
    assert "a worker was lost (BrokenProcessPool: A child process terminated abruptly)" in (
        lost.output
    )
    assert "The finished units are kept (2 of 6); run the same command to go on" in lost.output
    assert len(list(tmp_path.glob("units/*/replication-*"))) == 2

    monkeypatch.undo()
    resumed = CliRunner().invoke(app, [*args, "--workers", "1"])
    assert resumed.exit_code == 0, resumed.output
    assert "ran 4 unit(s); 2 found done" in resumed.output


def test_a_worker_of_other_code_refuses_its_unit_before_writing_it(
    tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sweep asks for code `0000...`; the worker (this process) runs other code."""
    monkeypatch.setattr("simulator.sweeps.fingerprint", lambda: "0" * 16)
    with pytest.raises(SweepError, match="a worker runs other simulator code than this process"):
        simulator.sweep(tiny, STOPS, out=tmp_path, workers=1)
    assert (tmp_path / "sweep.json").is_file()
    assert not list(tmp_path.glob("units/*/*"))  # nothing run, nothing written


def test_a_directory_that_is_not_a_sweeps_is_refused_even_fresh(tiny: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    assert CliRunner().invoke(app, ["run", str(tiny), "--out", str(run)]).exit_code == 0
    before = sorted(run.iterdir())
    for fresh in (False, True):
        with pytest.raises(SweepError, match=r"is not empty and holds no sweep\.json"):
            simulator.sweep(tiny, STOPS, out=run, workers=1, fresh=fresh)
    assert sorted(run.iterdir()) == before


def test_an_empty_grid_runs_the_scenario_as_written_and_an_empty_path_is_refused(
    tiny: Path, tmp_path: Path
) -> None:
    results = simulator.sweep(tiny, {}, out=tmp_path / "empty", workers=1, replications=1)
    assert [v.name for v in results.variants] == ["scenario"]
    assert (tmp_path / "empty" / "units" / "scenario" / "replication-0").is_dir()
    with pytest.raises(ScenarioError, match=r"tiny.yaml: fleet.0.count: no values given"):
        simulator.sweep(tiny, {"fleet.0.count": []}, out=tmp_path / "none", workers=1)
    assert not (tmp_path / "none").exists()


def test_the_time_left_is_this_sessions_pace_over_the_units_left(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Units of 100 s on a resumed sweep: 5 of 10 found done, then one a 100 s: 4 left,
    400 s, however long ago the units found done were run."""
    clock = iter([1000.0, 1000.0, 1100.0])
    fake = SimpleNamespace(monotonic=lambda: next(clock))
    monkeypatch.setattr("simulator.cli.progress.time", fake)
    progress = DelayedProgress("sweep", after_s=1e9, counting="units")
    progress(5, 10)
    assert progress.finish_at is None  # nothing run here yet: no pace
    progress(6, 10)
    assert progress.finish_at == pytest.approx(1100.0 + 4 * 100.0)


@pytest.mark.slow
def test_the_retry_modes_trade_stops_for_a_latency_tail(tmp_path: Path) -> None:
    results = simulator.sweep(
        ROOT / "scenarios" / "whatif-retry-modes.yaml", out=tmp_path, replications=2, workers=2
    )
    mean = results.comparison().set_index(["metric", "variant"])["mean"]
    rejected = mean["rekognition.share_rejected"]
    assert rejected["mode=adaptive"] < rejected["mode=legacy"] < rejected["mode=standard"]
    throttled = mean["rekognition.throttled"]
    assert throttled["mode=adaptive"] < throttled["mode=standard"] < throttled["mode=legacy"]
    tail = mean["rekognition.latency_p99_s"]
    assert tail["mode=adaptive"] > tail["mode=standard"]


@pytest.mark.slow
def test_each_hour_the_stop_moves_is_the_fleets_hourly_price_a_day(tmp_path: Path) -> None:
    results = simulator.sweep(
        ROOT / "scenarios" / "whatif-stop-schedule.yaml", out=tmp_path, replications=2,
        workers=2,
    )  # fmt: skip
    billed = results.comparison().query("metric == 'all.billed_usd'").set_index("variant")
    hourly = 160.0 * 3  # 40 inference units at $4, over 3 days
    for hour in (17, 18, 19, 21):
        row = billed.loc[f"{hour}:00"]
        assert row["diff"] == pytest.approx((hour - 20) * hourly, abs=1e-6)
        assert row["diff_ci_high"] - row["diff_ci_low"] < 1e-6  # the same draws, hours apart
        assert row["unpaired_ci_high"] - row["unpaired_ci_low"] > 1.0


def test_a_replayed_trace_counts_by_its_contents_not_its_place(tmp_path: Path) -> None:
    source = ROOT / "scenarios" / "lookoutvision-idempotent-retries.yaml"
    trace = ROOT / "scenarios" / "traces" / "lookoutvision-duplicate-stops.csv"
    digests = []
    for place in ("here", "there"):
        (tmp_path / place / "traces").mkdir(parents=True)
        shutil.copy(source, tmp_path / place / source.name)
        shutil.copy(trace, tmp_path / place / "traces" / trace.name)
        digests.append(scenario_digest(simulator.load_scenario(tmp_path / place / source.name)))
    assert digests[0] == digests[1]
    edited = tmp_path / "there" / "traces" / trace.name
    edited.write_text(edited.read_text().replace("T19:00:05Z", "T19:00:06Z", 1))
    assert scenario_digest(simulator.load_scenario(tmp_path / "there" / source.name)) != digests[0]
