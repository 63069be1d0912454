"""Faults of issue 18: concurrent sweeps, kill -9 mid-run and mid-summary, full disks,
read-only directories, damaged sweep directories, lost and orphaned workers, a Dask
cluster with no workers, a replayed trace moved away, and names with markup. None mixes
or loses a result, and each is a message naming the path, with status 2."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

import simulator
from simulator.cli import app
from simulator.errors import ResultsError, SweepError
from simulator.executors import _watch, end_with_parent
from simulator.paths import MARKER, TEMPORARY, sha256
from simulator.results import load_results
from simulator.sweep_directory import DONE, LOCK, locked

SCENARIO = """\
name: faults
horizon: 30m
replications: 1
fleet: [{service: rekognition, count: 2, group: "[/bold]<b>x</b>&amp;"}]
requests: [{service: rekognition, at: 1m}]
sweep:
  grid: {callers.default.retry.mode: [legacy, standard]}
"""
ONE = "units/mode=legacy/replication-0"


@pytest.fixture
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scenario") / "faults.yaml"
    path.write_text(SCENARIO)
    return path


def invoke(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def refused(result: Result, *expected: str) -> str:
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    for text in expected:
        assert text in result.output, result.output
    return result.output


def sweep(scenario: Path, out: Path, *more: str) -> Result:
    return invoke("sweep", str(scenario), "--out", str(out), "--workers", "1", *more)


def in_a_process(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Python `code` run in a process of its own (to be killed, say)."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# -- sweeps: one at a time, answers whole ------------------------------------------------


@pytest.mark.slow
def test_a_second_sweep_into_a_directory_in_use_is_refused_naming_the_holder(
    scenario: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    with locked(out):
        message = refused(sweep(scenario, out), f"{out} is in use by another sweep (pid")
        assert f"pid {os.getpid()} on " in message
        assert not (out / "sweep.json").exists()  # nothing of the holder's touched
    assert sweep(scenario, out).exit_code == 0  # the lock ends with its holder


@pytest.mark.slow
def test_a_sweep_holds_its_lock_in_another_process_until_it_ends(
    scenario: Path, tmp_path: Path
) -> None:
    """A real second process: while it holds the directory, this one is refused."""
    out = tmp_path / "out"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom pathlib import Path\n"
         "from simulator.sweep_directory import locked\n"
         "with locked(Path(sys.argv[1])):\n    print('held', flush=True)\n    time.sleep(60)\n",
         str(out)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        refused(sweep(scenario, out), f"pid {holder.pid} on ")
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
    assert sweep(scenario, out).exit_code == 0  # killed, it holds nothing


@pytest.mark.slow
def test_killed_writing_its_summary_a_sweep_leaves_no_answers_that_look_whole(
    scenario: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    killed = in_a_process(
        """
        import os, signal, sys
        import simulator, simulator.sweep_directory as d
        real = d.write_table
        def write_table(path, table, *args):
            real(path, table, *args)
            if path.name == "summary.csv":
                os.kill(os.getpid(), signal.SIGKILL)
        d.write_table = write_table
        simulator.sweep(sys.argv[1], out=sys.argv[2], workers=1)
        """,
        str(scenario),
        str(out),
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert (out / "summary.csv").is_file()
    assert not (out / DONE).exists()  # the marker: these answers are not whole
    again = sweep(scenario, out)
    assert again.exit_code == 0, again.output
    assert "ran 0 unit(s); 2 found done" in again.output
    done = json.loads((out / DONE).read_text())
    assert set(done["files"]) == {
        "summary.csv", "summary.parquet", "comparison.csv", "replications.csv"
    }  # fmt: skip
    for name, record in done["files"].items():
        assert sha256(out / name) == record["sha256"]
    assert not list(out.glob(f".*{TEMPORARY}"))


class _Breaks(Executor):
    """Every unit fails as a pool's does once a worker is killed."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        future.set_exception(BrokenProcessPool("A child process terminated abruptly"))
        return future


@pytest.mark.slow
def test_a_study_grown_then_stopped_keeps_no_summary_of_the_old_study(
    scenario: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    simulator.sweep(scenario, out=out, workers=1)
    assert (out / DONE).is_file()
    with pytest.raises(SweepError, match=r"The finished units are kept \(2 of 4\)"):
        simulator.sweep(scenario, out=out, executor=_Breaks(), replications=2)
    assert not (out / DONE).exists()
    assert not (out / "summary.csv").exists()
    assert json.loads((out / "sweep.json").read_text())["replications"] == 2


@pytest.mark.slow
def test_hidden_leftovers_of_a_killed_sweep_are_removed_by_the_next(
    scenario: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    simulator.sweep(scenario, out=out, workers=1)
    leftovers = [
        out / f".summary.csv.k3j2{TEMPORARY}",
        out / "units" / "mode=legacy" / ".replication-1.1a2b3c4d.tmp",
    ]
    leftovers[0].write_text("half")
    leftovers[1].mkdir()
    (leftovers[1] / "calls.parquet").write_text("half")
    simulator.sweep(scenario, out=out, workers=1)
    assert not any(path.exists() for path in leftovers)
    assert (out / LOCK).is_file()


@pytest.mark.slow
def test_a_unit_cut_short_is_run_again_and_one_of_another_study_refused(
    scenario: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    first = simulator.sweep(scenario, out=out, workers=1)
    table = out / ONE / "stops.parquet"
    table.write_bytes(table.read_bytes()[:100])
    again = simulator.sweep(scenario, out=out, workers=1)
    assert again.ran == 1
    assert again.summary().equals(first.summary())
    record = json.loads((out / ONE / "metrics.json").read_text())
    assert record["files"]["stops.parquet"] == sha256(table)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda r: r.pop("files"), "files: missing or not an object"),
        (lambda r: r["files"].pop("stops.parquet"), "files: no SHA-256 of stops.parquet"),
    ],
)
def test_a_unit_without_its_checksums_is_damaged_and_run_again(
    scenario: Path,
    tmp_path: Path,
    change: Callable[[dict[str, Any]], Any],
    said: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    out = tmp_path / "out"
    first = simulator.sweep(scenario, out=out, workers=1)
    path = out / ONE / "metrics.json"
    record = json.loads(path.read_text())
    change(record)
    path.write_text(json.dumps(record))
    again = simulator.sweep(scenario, out=out, workers=1)
    assert again.ran == 1
    assert again.summary().equals(first.summary())
    assert f"{path}: {said}; running it again" in caplog.text
    assert set(json.loads(path.read_text())["files"]) >= {"stops.parquet", "calls.parquet"}


def _damage_manifest(change: Callable[[dict[str, Any]], Any]) -> Callable[[Path], None]:
    def damage(path: Path) -> None:
        manifest = json.loads(path.read_text())
        path.write_text(json.dumps(change(manifest)))

    return damage


@pytest.mark.slow
@pytest.mark.parametrize(
    ("file", "damage", "expected"),
    [
        ("sweep.json", lambda p: p.write_text("{"), "sweep.json: not JSON"),
        ("sweep.json", lambda p: p.write_text("[1]"), "sweep.json: expected a JSON object"),
        (
            "sweep.json",
            _damage_manifest(lambda m: {k: v for k, v in m.items() if k != "seed"}),
            "sweep.json: seed: missing or not a whole number",
        ),
        (
            "sweep.json",
            _damage_manifest(lambda m: {**m, "variants": [1]}),
            "sweep.json: variants: each needs a name and a digest",
        ),
        (
            "units/mode=legacy",
            lambda p: (shutil.rmtree(p), p.write_text("x")),
            "units/mode=legacy is a file, where the sweep keeps that variant's units",
        ),
    ],
)
def test_a_damaged_sweep_directory_names_the_file_and_how(
    scenario: Path, tmp_path: Path, file: str, damage: Callable[[Path], None], expected: str
) -> None:
    out = tmp_path / "out"
    simulator.sweep(scenario, out=out, workers=1)
    damage(out / file)
    refused(sweep(scenario, out), f"{out}/{expected}")


def test_variants_whose_folders_differ_only_in_case_are_refused(
    scenario: Path, tmp_path: Path
) -> None:
    """On macOS and Windows units/A and units/a are one directory."""
    scenario.write_text(
        SCENARIO.replace(
            "grid: {callers.default.retry.mode: [legacy, standard]}",
            "variants:\n    - {name: A, set: {horizon: 20m}}\n    - {name: a, set: {horizon: 25m}}",
        )
    )
    refused(
        sweep(scenario, tmp_path / "out"),
        "variants 'A' and 'a' would share the directory units/a",
    )
    assert not (tmp_path / "out").exists()


# -- full disks and read-only directories ------------------------------------------------


def _enospc(*args: Any, **kwargs: Any) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(args[0]))


@pytest.mark.slow
def test_a_full_disk_writing_a_sweeps_answers_names_the_file(
    scenario: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("simulator.sweep_directory.write_table", _enospc)
    out = tmp_path / "out"
    refused(sweep(scenario, out), f"{out}/summary.csv: cannot write it (No space left on device)")
    assert not (out / DONE).exists()
    assert len(list(out.glob("units/*/replication-0"))) == 2  # the units are kept


def test_a_full_disk_writing_a_unit_names_the_file(
    scenario: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("pyarrow.parquet.ParquetWriter", _enospc)  # a unit's, as a run's
    out = tmp_path / "out"
    refused(sweep(scenario, out), "cannot write it (No space left on device)", ".parquet")
    assert not list(out.glob("units/*/replication-0"))


@pytest.mark.parametrize("code", [errno.ENOLCK, errno.EOPNOTSUPP])
def test_a_filesystem_without_locks_is_named(
    code: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refusing(*args: Any) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr("simulator.sweep_directory.fcntl.flock", refusing)
    with pytest.raises(SweepError) as caught, locked(tmp_path / "out"):
        pass
    assert str(caught.value).startswith(
        f"{tmp_path / 'out' / LOCK}: cannot lock it ({os.strerror(code)})"
    )


def test_a_read_only_sweep_directory_is_named(
    scenario: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def read_only(path: Any, *args: Any) -> int:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))

    monkeypatch.setattr("simulator.sweep_directory.os.open", read_only)
    out = tmp_path / "out"
    refused(sweep(scenario, out), f"{out}/{LOCK}: cannot write it (Read-only file system)")


# -- runs --------------------------------------------------------------------------------


@pytest.mark.slow
def test_killed_writing_its_tables_a_run_is_an_interrupted_one_and_the_next_replaces_it(
    scenario: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    killed = in_a_process(
        """
        import os, signal, sys
        import simulator, simulator.output as o, simulator.paths as p
        written = []
        real = p.atomic_write
        def atomic_write(path, write):
            if len(written) == 2:  # killed with the third file half-written
                half = path.parent / f".{path.name}.x{p.TEMPORARY}"
                half.write_bytes(b"half")
                os.kill(os.getpid(), signal.SIGKILL)
            written.append(path)
            real(path, write)
        o.atomic_write = p.atomic_write = atomic_write  # the tables, the other files
        simulator.run(sys.argv[1]).save(sys.argv[2])
        """,
        str(scenario),
        str(out),
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert (out / MARKER).is_file()
    assert list(out.glob(f".*{TEMPORARY}"))
    with pytest.raises(ResultsError, match=r"no run\.json; an interrupted run"):
        load_results(out)
    assert invoke("run", str(scenario), "--out", str(out), "-q").exit_code == 0
    assert not list(out.glob(f".*{TEMPORARY}"))
    assert not (out / MARKER).exists()
    assert load_results(out).replications == 1


_LOST = "a worker was lost (BrokenProcessPool: A child process terminated abruptly)"


@contextmanager
def _losing(workers: int, dask: str | None = None) -> Iterator[Executor]:
    yield _Breaks()


def test_a_lost_worker_of_a_run_is_a_message(
    scenario: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("simulator.executors.open_executor", _losing)
    out = tmp_path / "out"
    result = invoke("run", str(scenario), "--out", str(out), "--workers", "2")
    refused(result, f"{_LOST}; nothing was written: run the same command again")
    assert not (out / "run.json").exists()


def test_a_lost_worker_of_a_sweep_is_the_same_message(
    scenario: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("simulator.sweeps.open_executor", _losing)
    result = invoke("sweep", str(scenario), "--out", str(tmp_path / "out"), "--workers", "2")
    refused(result, f"{_LOST}. The finished units are kept (0 of 2)")


def test_a_replayed_trace_gone_before_its_run_is_written_is_named_as_unread(
    tmp_path: Path,
) -> None:
    trace = tmp_path / "trace.csv"
    trace.write_text("time,service,resource,operation\n")
    path = tmp_path / "replay.yaml"
    path.write_text(
        "name: replay\nhorizon: 30m\nfleet: [{service: rekognition, count: 1}]\n"
        "requests: [{service: rekognition, replay: {path: trace.csv}}]\n"
    )
    results = simulator.run(path)
    trace.unlink()
    out = tmp_path / "out"
    with pytest.raises(ResultsError) as caught:
        results.save(out)
    assert str(caught.value).startswith(
        f"{trace}: cannot read the replayed trace to keep a copy of it in the run directory "
        "(No such file or directory)"
    )
    assert not out.exists()


@pytest.mark.slow
def test_a_run_of_a_replayed_trace_is_reported_after_the_trace_moves(tmp_path: Path) -> None:
    arn = "arn:aws:rekognition:us-east-1:123456789012:project/p/version/v/1"
    trace = tmp_path / "trace.csv"
    trace.write_text(f"time,service,resource,operation\n60,rekognition,{arn},StopProjectVersion\n")
    path = tmp_path / "replay.yaml"
    path.write_text(
        "name: replay\nhorizon: 30m\nfleet: [{service: rekognition, count: 1}]\n"
        "requests: [{service: rekognition, replay: {path: trace.csv}}]\n"
    )
    out = tmp_path / "out"
    assert invoke("run", str(path), "--out", str(out), "-q").exit_code == 0
    kept = out / "traces" / "0-trace.csv"
    assert kept.read_bytes() == trace.read_bytes()
    trace.unlink()
    assert load_results(out).stops["resource_id"].astype(str).tolist() == [arn]
    report = invoke("report", str(out), "-q")
    assert report.exit_code == 0, report.output


@pytest.mark.slow
def test_names_with_markup_and_html_reach_the_terminal_and_the_report_as_text(
    scenario: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = invoke("run", str(scenario), "--out", str(out), "--report")
    assert result.exit_code == 0, result.output
    assert "[/bold]<b>x</b>&amp;" in result.output  # printed as written, not as markup
    page = (out / "report.html").read_text()
    assert "[/bold]&lt;b&gt;x&lt;/b&gt;&amp;amp;" in page
    assert "<b>x</b>" not in page
    assert sorted(p.name for p in out.iterdir() if p.name.startswith((".", "["))) == []


_NAMED = """\
name: names
horizon: 30m
replications: 1
fleet: [{service: rekognition, count: 2, group: "[/bold]<b>g</b>"}]
callers: {"[red]<i>c</i>": {}}
requests:
  - {service: rekognition, at: 1m, caller: "[red]<i>c</i>", name: "[link=http://x]<s>r</s>"}
sweep:
  grid:
    fleet.0.group: ["[/bold]<b>v</b>", "../x"]
    services.rekognition.latency.stop: [1m, 5m]
"""


@pytest.mark.slow
def test_every_name_field_reaches_the_terminal_the_report_and_file_names_safely(
    tmp_path: Path,
) -> None:
    """A group, a caller, a request stream and a variant named with markup, HTML and path
    characters: printed as written, escaped in the report, made safe in a folder's name;
    a scenario's name cannot hold them at all."""
    path = tmp_path / "names.yaml"
    path.write_text(_NAMED)
    run = invoke("run", str(path), "--out", str(tmp_path / "run"), "--report")
    assert run.exit_code == 0, run.output
    assert "rekognition   [/bold]<b>g</b>   STOPPED" in run.output
    page = (tmp_path / "run" / "report.html").read_text()
    for name in ("[/bold]<b>g</b>", "[red]<i>c</i>", "[link=http://x]<s>r</s>"):
        assert name.replace("<", "&lt;").replace(">", "&gt;") in page, name
        assert name not in page, name
    out = tmp_path / "sweep"
    swept = sweep(path, out)
    assert swept.exit_code == 0, swept.output
    assert "group=[/bold]<b>v</b>,stop=5m" in swept.stdout
    assert "group=../x,stop=5m" in swept.stdout
    assert sorted(p.name for p in (out / "units").iterdir()) == [
        "group=.._x,stop=1m", "group=.._x,stop=5m",
        "group=__bold__b_v__b_,stop=1m", "group=__bold__b_v__b_,stop=5m",
    ]  # fmt: skip
    named = tmp_path / "named.yaml"
    named.write_text(_NAMED.replace("name: names", "name: '[/bold]<b>n</b>'"))
    refused(invoke("validate", str(named)), f"{named}:1: name: String should match pattern")


# -- workers that outlive their parent, clusters without workers -------------------------


def _children(pid: int) -> list[int]:
    tasks = Path(f"/proc/{pid}/task")
    found: list[int] = []
    for task in tasks.iterdir() if tasks.exists() else ():
        text = (task / "children").read_text() if (task / "children").exists() else ""
        found += [int(child) for child in text.split()]
    return found


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


_LIBRARY = """
import sys, simulator
simulator.run(sys.argv[1], workers=2, replications=40)
"""
_PARENTS = {
    "run": ["-m", "simulator", "run", "{path}", "--workers", "2", "--replications", "40",
            "--out", "{out}", "-q", "--force"],
    "simulator.run": ["-c", _LIBRARY, "{path}"],
    "sweep": ["-m", "simulator", "sweep", "{path}", "--workers", "2", "--replications", "20",
              "--out", "{out}", "-q", "--force"],
    "sweep --dask local": ["-m", "simulator", "sweep", "{path}", "--workers", "2", "--dask",
                           "local", "--replications", "20", "--out", "{out}", "-q", "--force"],
}  # fmt: skip


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc")
@pytest.mark.parametrize("parent", sorted(_PARENTS))
def test_pool_workers_end_when_their_parent_is_killed(tmp_path: Path, parent: str) -> None:
    if "dask" in parent:
        pytest.importorskip("distributed")
    path = tmp_path / "long.yaml"
    path.write_text(
        SCENARIO.replace("horizon: 30m", "horizon: 7d").replace("count: 2", "count: 400")
    )
    argv = [a.format(path=path, out=tmp_path / "out") for a in _PARENTS[parent]]
    process = subprocess.Popen(
        [sys.executable, *argv], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while len(_children(process.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1.0)  # a Dask cluster starts its workers one after another
        workers = _children(process.pid)
        assert len(workers) >= 2, "the pool never started"
        process.kill()
        process.wait()
        deadline = time.monotonic() + 10
        while any(map(_alive, workers)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(map(_alive, workers))
    finally:
        process.kill()


_FORKSERVER = """
import multiprocessing, os
from simulator.executors import open_executor
multiprocessing.set_start_method("forkserver")
with open_executor(2) as pool:
    assert pool.submit(os.getppid).result(timeout=60) == os.getpid()
print("ran")
"""


@pytest.mark.slow
def test_pool_workers_run_whatever_the_default_start_method() -> None:
    ran = in_a_process(_FORKSERVER)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == "ran\n"


def test_a_pool_worker_whose_death_signal_is_refused_watches_its_parent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Refusing:
        def prctl(self, *args: int) -> int:
            return -1  # as under a seccomp filter that forbids it

    started: list[object] = []

    class Thread:
        def __init__(self, target: object, args: tuple[int], daemon: bool) -> None:
            started.append(target)

        def start(self) -> None:
            pass

    monkeypatch.setattr("simulator.executors.ctypes.CDLL", lambda *a, **k: Refusing())
    monkeypatch.setattr("simulator.executors.threading.Thread", Thread)
    end_with_parent(os.getppid())
    assert started == [_watch]


@pytest.mark.slow
def test_a_dask_cluster_with_no_workers_stops_the_sweep_with_a_message(
    scenario: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    distributed = pytest.importorskip("distributed")
    monkeypatch.setattr("simulator.executors.NO_WORKERS_S", 1.0)
    monkeypatch.setattr("simulator.executors.LOOK_EVERY_S", 0.2)
    with distributed.LocalCluster(
        n_workers=0, dashboard_address=None, processes=True, scheduler_port=0
    ) as cluster:
        out = tmp_path / "out"
        message = refused(sweep(scenario, out, "--dask", cluster.scheduler_address))
    assert "the Dask cluster has had no worker for 1 s" in message
    assert "The finished units are kept (0 of 2)" in message
    assert (out / "sweep.json").is_file()


class _Client:
    """A Dask client as it is once its scheduler is gone: its last count of workers kept."""

    def __init__(self, status: str) -> None:
        self.status = status

    def scheduler_info(self, n_workers: int = -1) -> dict[str, Any]:
        return {"workers": {"tcp://10.0.0.1:1": {}}, "n_workers": 1}


@pytest.mark.parametrize(("status", "workers"), [("running", 1), ("connecting", 0), ("closed", 0)])
def test_a_dask_client_that_lost_its_scheduler_counts_no_worker(
    status: str, workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from simulator import executors

    executor = ThreadPoolExecutor(1)
    monkeypatch.setitem(executors._CLIENTS, executor, _Client(status))
    with executor:
        assert executors._workers(executor) == workers


@pytest.mark.slow
def test_a_dask_cluster_that_loses_its_workers_mid_sweep_keeps_the_finished_units(
    scenario: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    distributed = pytest.importorskip("distributed")
    from simulator.sweeps import sweep as run_sweep

    monkeypatch.setattr("simulator.executors.NO_WORKERS_S", 1.0)
    monkeypatch.setattr("simulator.executors.LOOK_EVERY_S", 0.2)
    out = tmp_path / "out"
    with (
        distributed.LocalCluster(
            n_workers=1,
            threads_per_worker=1,
            dashboard_address=None,
            processes=False,
            protocol="tcp",
        ) as cluster,
    ):

        def retire(done: int, total: int) -> None:
            if done == 1:  # the one worker ends, with units still to run
                cluster.sync(next(iter(cluster.workers.values())).close)

        with pytest.raises(SweepError) as caught:
            run_sweep(
                scenario, out=out, replications=3, dask=cluster.scheduler_address,
                progress=retire,
            )  # fmt: skip
    message = str(caught.value)
    assert message.startswith("the Dask cluster has had no worker for 1 s"), message
    kept = int(message.split("The finished units are kept (")[1].split(" of 6)")[0])
    assert 1 <= kept < 6
    # the worker may finish the unit it had as it closes: on disk, though never reported
    assert kept <= len(list(out.glob("units/*/replication-*/metrics.json"))) < 6


_FIGURED = SCENARIO.replace(
    "callers.default.retry.mode: [legacy, standard]", "services.rekognition.latency.stop: [1m, 5m]"
)


@pytest.mark.slow
def test_a_full_disk_writing_a_sweeps_figures_names_the_file_and_prints_no_answer(
    scenario: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario.write_text(_FIGURED)
    monkeypatch.setattr("simulator.sweeps.write_bytes", _enospc)
    out = tmp_path / "out"
    result = sweep(scenario, out, "--json")
    refused(result, f"{out}/figures/", "cannot write it (No space left on device)")
    assert result.stdout == ""  # no answer printed: it was not whole
    assert not (out / DONE).exists()


@pytest.mark.slow
def test_a_sweeps_figures_are_drawn_under_its_lock_and_named_in_its_answers(
    scenario: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario.write_text(_FIGURED)
    out = tmp_path / "out"
    from simulator import sweeps

    write = sweeps.write_bytes
    held: list[bool] = []

    def probing(path: Path, data: bytes) -> None:
        with pytest.raises(SweepError, match="in use by another sweep"), locked(out):
            pass
        held.append(True)
        write(path, data)

    monkeypatch.setattr("simulator.sweeps.write_bytes", probing)
    assert sweep(scenario, out).exit_code == 0
    pictures = sorted(p.name for p in (out / "figures").iterdir())
    assert pictures
    assert held == [True] * len(pictures)
    files = json.loads((out / DONE).read_text())["files"]
    for name in pictures:
        assert files[f"figures/{name}"] == {"sha256": sha256(out / "figures" / name)}
