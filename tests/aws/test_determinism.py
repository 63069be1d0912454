"""User code reruns: the same handler scenario and seed give identical tables, twice in one
process and in another process; the handler's own `random`, `uuid.uuid4()` and
`time.time()` give the same values on every run (each invocation's `random` is seeded from
a named stream, `uuid4` draws from it, `time` is the simulated clock), different values in
each invocation and for another seed, and the same values whatever else runs beside it.

The handler prints what it drew: the invocations table's `log` keeps it, so the tables'
identity covers the values too.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.aws import _kit

ROOT = Path(__file__).resolve().parents[2]
CODE = """
import random
import time
import uuid

import boto3

rekognition = boto3.client("rekognition")
PROJECT = "arn:aws:rekognition:us-east-1:123456789012:project/models/1"


def handler(event, context):
    print("drew", random.random(), uuid.uuid4(), time.time(), context.aws_request_id)
    found = rekognition.describe_project_versions(ProjectArn=PROJECT)
    running = [
        v["ProjectVersionArn"]
        for v in found["ProjectVersionDescriptions"]
        if v["Status"] == "RUNNING"
    ]
    for arn in random.sample(running, k=min(1, len(running))):
        rekognition.stop_project_version(ProjectVersionArn=arn)
    time.sleep(random.uniform(0, 600))
    print("woke", time.time(), random.random())


def other(event, context):
    rekognition.describe_projects()
    print(random.random(), uuid.uuid4())
"""
NIGHTLY = {"name": "nightly", "handler": "code.py:handler", "every": "6h", "first": 0}
ON_CALL = {"name": "on-call", "handler": "code.py:handler", "poisson": {"rate": 1 / 3600}}
OTHER = {"name": "other", "handler": "code.py:other", "poisson": {"rate": 1 / 600}}
SCENARIO: dict[str, Any] = {
    **_kit.BASE,
    "callers": {"default": {}},  # the default network: lognormal
    "services": {},  # the default latencies: drawn
    "fleet": [{"service": "rekognition", "count": 12, "project": "models"}],
    "consumers": {},
}
TABLES = ("transitions", "calls", "stops", "costs", "invocations")


def _run(tmp_path: Path, seed: int = 3, streams: tuple[dict[str, Any], ...] = ()) -> Any:
    tables = _kit.run_handler(
        tmp_path, CODE, scenario=SCENARIO, streams=streams or (NIGHTLY, ON_CALL), seed=seed
    )
    return {name: tables[name] for name in TABLES}


def _assert_identical(first: dict[str, pd.DataFrame], second: dict[str, pd.DataFrame]) -> None:
    for name in TABLES:
        pd.testing.assert_frame_equal(first[name], second[name], check_exact=True, obj=name)


def _drawn(tables: dict[str, pd.DataFrame], stream: str) -> list[str]:
    """What each invocation of `stream` printed first: its draws, clock and request id."""
    invocations = tables["invocations"]
    logs = invocations.loc[invocations["stream"].astype(str) == stream, "log"].astype(str)
    return [log.splitlines()[0] for log in logs]


def test_a_rerun_in_the_same_process_is_identical(tmp_path: Path) -> None:
    first = _run(tmp_path / "a")
    second = _run(tmp_path / "b")
    _assert_identical(first, second)
    outcomes = first["invocations"]["outcome"].astype(str)
    assert (outcomes == "ok").sum() >= 40  # eight nightly and dozens on call: it has teeth
    assert set(outcomes) <= {"ok", "running"}  # one may be asleep at the horizon
    assert list(first["stops"]["outcome"].astype(str)) == ["STOPPED"] * 12


@pytest.mark.slow  # a fresh interpreter imports boto3 and the simulator: about 1.5 s
def test_a_rerun_in_another_process_is_identical(tmp_path: Path) -> None:
    here = _run(tmp_path / "here")
    script = (
        "import pickle, sys\n"
        "from pathlib import Path\n"
        "from tests.aws import test_determinism as t\n"
        "sys.stdout.buffer.write(pickle.dumps(t._run(Path(sys.argv[1]))))\n"
    )
    (tmp_path / "there").mkdir()
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "there")],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    _assert_identical(here, pickle.loads(done.stdout))


def test_the_handlers_randomness_and_clock_rerun(tmp_path: Path) -> None:
    drawn = _drawn(_run(tmp_path / "a"), "nightly")
    assert drawn == _drawn(_run(tmp_path / "b"), "nightly")
    assert len(set(drawn)) == len(drawn)  # each invocation draws its own
    fields = [line.split() for line in drawn]
    assert [float(f[3]) for f in fields] == [
        _kit.START.timestamp() + hours * 3600 for hours in range(0, 48, 6)
    ]  # time.time(): the simulated moment each invocation started
    assert _drawn(_run(tmp_path / "c", seed=4), "nightly") != drawn


def test_the_handlers_draws_do_not_depend_on_what_runs_beside_it(tmp_path: Path) -> None:
    alone = _drawn(_run(tmp_path / "a", streams=(NIGHTLY,)), "nightly")
    beside = _drawn(_run(tmp_path / "b", streams=(NIGHTLY, ON_CALL, OTHER)), "nightly")
    assert beside == alone
