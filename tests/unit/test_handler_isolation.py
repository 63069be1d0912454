"""What one run of user code leaves behind: nothing. An invocation ended at its timeout
sends nothing more; code that exits, edits `sys.path` or `os.environ`, or is still running
at the horizon does not reach the run after it (review of issue 14)."""

from __future__ import annotations

import os
import random  # noqa: TID251 - the state user code's randomness lives in
import sys
import textwrap
from pathlib import Path

import pytest

import simulator
from simulator.aws import actors
from simulator.engine.recorder import Recorder
from simulator.runner import simulate
from simulator.scenario import load_scenario

SCENARIO = """
name: isolation
horizon: {horizon}
fleet: [{{service: rekognition, count: 2}}]
services:
  rekognition:
    throttle: {{StopProjectVersion: {{rate: 0.1, burst: 1}}}}
callers:
  default:
    retry: {{mode: standard, max_attempts: 10}}
    network: {{kind: fixed, value: 0.1}}
requests:
  - name: nightly
    handler: code.py:handler
    at: 0
    timeout: {timeout}
"""
STOP_BOTH = """
    import boto3
    rek = boto3.client("rekognition")
    def handler(event, context):
        for v in (0, 1):
            arn = f"arn:aws:rekognition:us-east-1:123456789012:project/models/version/v{v}/1"
            rek.stop_project_version(ProjectVersionArn=arn)
    """


def run(tmp_path: Path, code: str, horizon: str = "1h", timeout: int = 900) -> dict:
    (tmp_path / "code.py").write_text(textwrap.dedent(code))
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO.format(horizon=horizon, timeout=timeout))
    return simulate(load_scenario(path), 1, 0)


def test_an_invocation_ended_at_its_timeout_sends_nothing_more(tmp_path: Path) -> None:
    """The second stop is throttled (0.1 a second) and retried with backoff past the 3 s
    timeout: no attempt leaves after the end, and its stop is answered as ended."""
    tables = run(tmp_path, STOP_BOTH, timeout=3)
    [invocation] = tables["invocations"].to_dict("records")
    assert (invocation["outcome"], invocation["ended"]) == ("timed out", 3.0)
    assert (tables["calls"]["time"] < 3.0).all()
    stops = tables["stops"].set_index("resource_id")
    second = stops.loc["arn:aws:rekognition:us-east-1:123456789012:project/models/version/v1/1"]
    assert second["outcome"] == "rejected"
    assert second["error_code"] == "Sandbox.Timedout"
    assert not actors._ACTORS


def test_module_code_that_exits_is_the_invocations_error(tmp_path: Path) -> None:
    code = "import sys\nsys.exit('no configuration')\ndef handler(event, context):\n    pass\n"
    tables = run(tmp_path, code)
    row = tables["invocations"].iloc[0]
    assert (row["outcome"], row["error_type"]) == ("error", "Runtime.ExitError")
    assert "no configuration" in row["error_message"]


def test_the_module_is_named_as_lambda_imports_it_in_every_run(tmp_path: Path) -> None:
    code = "def handler(event, context):\n    print(__name__)\n"
    before = sys.modules.get("code")  # the standard library has a `code` module
    logs = [run(tmp_path, code)["invocations"]["log"].tolist() for _ in range(2)]
    assert logs == [["code\n"], ["code\n"]]
    assert sys.modules.get("code") is before


def test_an_invocation_running_at_the_horizon_is_not_kept(tmp_path: Path) -> None:
    run(tmp_path, "import time\ndef handler(event, context):\n    time.sleep(900)\n", "10m")
    assert not actors._ACTORS


def test_what_handler_code_does_to_the_path_and_environment_ends_with_its_run(
    tmp_path: Path,
) -> None:
    path, variables = sys.path[:], dict(os.environ)
    code = f"""
        import os, sys
        sys.path.insert(0, "/vendor")
        sys.path.remove({str(tmp_path)!r})
        os.environ["SIMULATED_HANDLER_SETTING"] = "1"
        def handler(event, context):
            print(os.environ["SIMULATED_HANDLER_SETTING"])
        """
    tables = run(tmp_path, code)
    assert tables["invocations"]["log"].tolist() == ["1\n"]
    assert sys.path == path
    assert dict(os.environ) == variables


def test_a_refused_nested_block_leaves_the_outer_ones_randomness(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text("name: empty\nhorizon: 1h\n")
    with simulator.simulated_aws(tmp_path / "s.yaml", seed=1):
        state = random.getstate()
        with (
            pytest.raises(simulator.SimulatorError, match="already inside a simulation"),
            simulator.simulated_aws(tmp_path / "s.yaml", seed=2),
        ):
            pass
        assert random.getstate() == state


def test_an_id_named_before_its_resource_and_after_it_is_one_key() -> None:
    recorder = Recorder()
    early = recorder.unknown("arn:x")
    assert recorder.register("arn:x", group="g") == early
    assert recorder.unknown("arn:x") == early
    assert recorder.resource_ids == ["arn:x"]
