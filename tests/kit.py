"""What the unit tests of the services share: a tiny scenario from YAML text, run to its
tables or built and sent requests straight to its control plane, and the tables read back
as plain lists. One place, so that how a test reaches the model changes in one place, and a
service's test file holds only what is that service's.

`Service` holds what differs from service to service: its name on the control plane, its
stop operation (the calls a test looks at by default) and the prefix its resource ids are
read without (a SageMaker execution is `execution/0`, not its whole ARN).
"""

from __future__ import annotations

import inspect
import os
import pickle
import subprocess
import sys
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import pytest

from simulator.api.errors import AwsError
from simulator.build import Model, build
from simulator.runner import simulate
from simulator.scenario import parse_scenario
from simulator.scenario.model import Scenario

Tables = Mapping[str, pd.DataFrame]
T = TypeVar("T")
Move = tuple[float, str, str]
"""(time, resource id, status entered), in the order recorded."""


def scenario(text: str) -> Scenario:
    """The scenario of YAML `text`, indented as it stands in a test."""
    return parse_scenario(textwrap.dedent(text))


def run(text: str, seed: int = 0, *, baseline: bool = True) -> dict[str, pd.DataFrame]:
    """The tables of replication 0 of the scenario `text` (with `baseline` False, without
    the counterfactual run, so that the control plane sees this run only)."""
    return simulate(scenario(text), seed, 0, baseline=baseline)


def build_model(text: str, until: float = 0.0) -> Model:
    """Replication 0 of the scenario `text`, built and run to `until`."""
    built = build(scenario(text), 0, 0)
    if until > 0:
        built.sim.env.run(until=until)
    return built


def statuses_and_times(tables: Tables) -> tuple[list[str], list[float]]:
    """The statuses entered and when, for a scenario of one resource."""
    moves = tables["transitions"]
    return list(moves["to_status"].astype(str)), moves["time"].tolist()


def calls(tables: Tables, operation: str) -> pd.DataFrame:
    """The attempts of `operation`, numbered from 0."""
    frame = tables["calls"]
    return frame[frame["operation"].astype(str) == operation].reset_index(drop=True)


def codes(frame: pd.DataFrame) -> list[str]:
    """The error code of each row, `-` where there was none."""
    return frame["error_code"].astype(object).fillna("-").tolist()


def usd(tables: Tables, item: str, table: str = "costs") -> float:
    """What price item `item` billed in `table` (`costs` or `baseline_costs`)."""
    frame = tables[table]
    return float(frame.loc[frame["item"].astype(str) == item, "usd"].sum())


@dataclass(frozen=True)
class Service:
    """One service as its tests reach it."""

    name: str
    stop: str
    prefix: str = ""

    def handle(self, built: Model, operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """The answer to a request from the `default` caller, straight to the control plane."""
        caller = built.clients["default"].identity
        return dict(built.plane.handle(caller, self.name, operation, params))

    def error(self, built: Model, operation: str, params: Mapping[str, Any]) -> tuple[str, int]:
        """The error code and HTTP status of a request that must fail."""
        with pytest.raises(AwsError) as raised:
            self.handle(built, operation, params)
        return raised.value.code, raised.value.http_status

    def calls(self, tables: Tables, operation: str | None = None) -> pd.DataFrame:
        """The attempts of `operation`, by default of the stop."""
        return calls(tables, operation or self.stop)

    def moves(self, tables: Tables) -> list[Move]:
        """Every status change, its resource id read without the prefix."""
        frame = tables["transitions"]
        ids = frame["resource_id"].astype(str).str.removeprefix(self.prefix)
        return list(zip(frame["time"].tolist(), ids, frame["to_status"].astype(str), strict=True))

    def assert_moves(self, tables: Tables, expected: list[Move]) -> None:
        """The moves are `expected`: the same resources and statuses in the same order, the
        times to a nanosecond."""
        moves = self.moves(tables)
        assert [(r, s) for _, r, s in moves] == [(r, s) for _, r, s in expected]
        assert [t for t, _, _ in moves] == pytest.approx([t for t, _, _ in expected], abs=1e-9)

    def log(self, built: Model) -> list[Move]:
        """The moves a built model has recorded so far."""
        return self.moves(built.sim.recorder.frames())

    def status(self, built: Model, resource: str) -> str:
        """The last status `resource` (read without the prefix) entered."""
        return [s for _, r, s in self.log(built) if r == resource][-1]


_PURE = """
import importlib.util, pickle, sys
from simulator.version import build
assert build() == "pure", build()
path, name, args = pickle.loads(sys.stdin.buffer.read())
spec = importlib.util.spec_from_file_location("_pure_python_test_module", path)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
sys.stdout.buffer.write(pickle.dumps(getattr(module, name)(*args)))
"""


def in_pure_python(function: Callable[..., T], *args: Any) -> T:
    """`function(*args)` called in a fresh interpreter whose `simulator` is the source
    tree's .py modules, whichever build this process runs; its result comes back pickled.

    How a test patches code the compiled build compiles: mypyc binds a compiled class's
    methods and a compiled module's functions when it builds them, so a patch made at run
    time would not take. `function` is a module-level function of a test file; it makes
    the patch itself (`pytest.MonkeyPatch.context()`)."""
    root = Path(__file__).parent.parent
    done = subprocess.run(
        [sys.executable, "-c", _PURE],
        input=pickle.dumps((inspect.getfile(function), function.__name__, args)),
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    result: T = pickle.loads(done.stdout)
    return result
