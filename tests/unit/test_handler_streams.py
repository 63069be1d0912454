"""Handler streams: the user's function invoked as Lambda invokes it (simulator.aws).

Each test writes a handler and a scenario to a temporary directory and runs one
replication; the values asserted are the invocations table's, the calls' and the stops'.
"""

from __future__ import annotations

import math
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from simulator.errors import ScenarioError
from simulator.runner import simulate
from simulator.scenario import load_scenario

PROJECT = "arn:aws:rekognition:us-east-1:123456789012:project/models/1"
SCENARIO = """
name: handler-test
horizon: {horizon}
fleet:
  - service: rekognition
    count: 3
services:
  rekognition:
    latency:
      stop: {{kind: fixed, value: 90}}
callers:
  default:
    network: {{kind: fixed, value: 0.1}}
requests:
  - name: nightly
    handler: code.py:handler
    every: 1d
    time_of_day: "20:00"
    timeout: {timeout}
"""


def run(
    tmp_path: Path, code: str, horizon: str = "1d", timeout: int = 900
) -> dict[str, pd.DataFrame]:
    (tmp_path / "code.py").write_text(textwrap.dedent(code))
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO.format(horizon=horizon, timeout=timeout))
    return simulate(load_scenario(path), 1, 0)


def test_a_stop_loop_stops_every_model_and_sees_each_stop_end(tmp_path: Path) -> None:
    tables = run(
        tmp_path,
        f"""
        import time, boto3
        rek = boto3.client("rekognition")
        def handler(event, context):
            versions = rek.describe_project_versions(ProjectArn="{PROJECT}")
            arns = [v["ProjectVersionArn"] for v in versions["ProjectVersionDescriptions"]]
            for arn in arns:
                rek.stop_project_version(ProjectVersionArn=arn)
            for arn in arns:
                name = arn.split("/version/")[1].split("/")[0]
                while rek.describe_project_versions(ProjectArn="{PROJECT}", VersionNames=[name])[
                    "ProjectVersionDescriptions"][0]["Status"] != "STOPPED":
                    time.sleep(30)
            print("stopped", len(arns), "remaining", context.get_remaining_time_in_millis())
        """,
    )
    invocations, stops, calls = tables["invocations"], tables["stops"], tables["calls"]
    assert invocations["outcome"].tolist() == ["ok"]
    assert invocations["started"].tolist() == [72000.0]
    assert bool(invocations["cold_start"].iloc[0])
    # every trip is 0.1 s: the describe, three stops, then polls 30 s apart until 90 s passed
    assert stops["requested_at"].tolist() == pytest.approx([72000.1, 72000.2, 72000.3])
    assert stops["terminal_at"].tolist() == pytest.approx([72090.1, 72090.2, 72090.3])
    assert stops["accepted"].tolist() == [True, True, True]
    assert stops["observed_at"].notna().all()
    assert (stops["observed_at"] >= stops["terminal_at"]).all()
    assert set(calls["operation"].astype(str)) == {"DescribeProjectVersions", "StopProjectVersion"}
    assert calls["latency_s"].tolist() == pytest.approx([0.1] * len(calls))
    ended = invocations["ended"].iloc[0]
    remaining = int(invocations["log"].iloc[0].split()[-1])
    assert remaining == round((72000 + 900 - ended) * 1000)


def test_an_invocation_past_its_timeout_is_ended_and_its_environment_not_reused(
    tmp_path: Path,
) -> None:
    tables = run(
        tmp_path,
        """
        import time
        def handler(event, context):
            print("started", event["time"])
            time.sleep(120)
        """,
        horizon="3d",
        timeout=60,
    )
    invocations = tables["invocations"]
    assert invocations["outcome"].tolist() == ["timed out"] * 3
    assert (invocations["ended"] - invocations["started"]).tolist() == [60.0] * 3
    assert invocations["error_type"].tolist() == ["Sandbox.Timedout"] * 3
    assert invocations["error_message"].iloc[0] == "Task timed out after 60.00 seconds"
    assert invocations["cold_start"].tolist() == [True, True, True]
    assert invocations["log"].iloc[1] == "started 2026-01-06T20:00:00Z\n"


def test_an_exception_is_the_invocations_error_and_the_environment_is_reused(
    tmp_path: Path,
) -> None:
    tables = run(
        tmp_path,
        """
        calls = []
        def handler(event, context):
            calls.append(event["time"])
            if len(calls) == 2:
                raise ValueError(f"second call, {len(calls)} made in this environment")
        """,
        horizon="3d",
    )
    invocations = tables["invocations"]
    assert invocations["outcome"].tolist() == ["ok", "error", "ok"]
    assert invocations["error_type"].tolist()[1] == "ValueError"
    assert invocations["error_message"].tolist()[1] == "second call, 2 made in this environment"
    assert invocations["cold_start"].tolist() == [True, False, False]


def test_a_module_that_fails_to_load_and_a_name_that_is_not_callable_are_lambdas_errors(
    tmp_path: Path,
) -> None:
    failing = run(tmp_path, "import no_such_module\ndef handler(event, context): pass\n")
    row = failing["invocations"].iloc[0]
    assert (row["outcome"], row["error_type"]) == ("error", "Runtime.ImportModuleError")
    assert "No module named 'no_such_module'" in row["error_message"]
    uncallable = run(tmp_path, "import os\nhandler = os.sep\n")
    row = uncallable["invocations"].iloc[0]
    assert (row["outcome"], row["error_type"]) == ("error", "Runtime.HandlerNotFound")
    assert row["error_message"] == "Handler 'handler' in code.py: a str, not callable"


def test_an_invocation_running_at_the_horizon_is_recorded_as_running(tmp_path: Path) -> None:
    tables = run(
        tmp_path, "import time\ndef handler(e, c):\n    time.sleep(600)\n", horizon="20h5m"
    )
    row = tables["invocations"].iloc[0]
    assert row["outcome"] == "running"
    assert math.isnan(row["ended"])


def test_threads_are_refused_and_a_call_not_simulated_is_named(tmp_path: Path) -> None:
    tables = run(
        tmp_path,
        """
        import threading, boto3
        def handler(event, context):
            try:
                boto3.client("rekognition").detect_labels(Image={"Bytes": b"x"})
            except Exception as error:
                print(type(error).__name__, error.response["Error"]["Code"])
            threading.Thread(target=print).start()
        """,
    )
    row = tables["invocations"].iloc[0]
    assert row["error_type"] == "ThreadsNotSimulated"
    assert row["log"] == "ClientError UnknownOperationException\n"
    unknown = tables["calls"][tables["calls"]["error_code"] == "UnknownOperationException"]
    assert unknown["operation"].astype(str).tolist() == ["DetectLabels"], unknown.to_string()
    assert unknown["http_status"].tolist() == [400]


def test_the_same_seed_gives_the_same_tables_with_randomness_in_user_code(
    tmp_path: Path,
) -> None:
    code = """
        import random, time, uuid, datetime
        def handler(event, context):
            time.sleep(random.random() * 100)
            print(uuid.uuid4(), time.time(), datetime.datetime.now(datetime.UTC).isoformat())
        """
    first = run(tmp_path, code, horizon="3d")
    second = run(tmp_path, code, horizon="3d")
    for name in ("invocations", "calls", "transitions"):
        pd.testing.assert_frame_equal(first[name], second[name])
    logs = first["invocations"]["log"].tolist()
    assert len(set(logs)) == 3  # each invocation has its own draws


@pytest.mark.parametrize(
    ("handler", "expected"),
    [
        ("missing.py:handler", "no such file"),
        ("code.py:other", "defines no 'other' at its top level; functions defined there: handler"),
        ("code.py", "expected 'path/to/file.py:function'"),
        ("code.txt:handler", "expected a Python file (.py)"),
    ],
)
def test_a_handler_that_cannot_run_is_refused_before_the_run(
    tmp_path: Path, handler: str, expected: str
) -> None:
    (tmp_path / "code.py").write_text("def handler(event, context):\n    pass\n")
    (tmp_path / "code.txt").write_text("")
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO.format(horizon="1d", timeout=900).replace("code.py:handler", handler))
    with pytest.raises(ScenarioError, match=r"requests\[0\]\.handler") as raised:
        load_scenario(path)
    assert expected in str(raised.value)


def test_a_module_that_does_not_compile_and_an_async_handler_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO.format(horizon="1d", timeout=900))
    (tmp_path / "code.py").write_text("def handler(event, context:\n")
    with pytest.raises(ScenarioError, match="line 1: the module does not compile"):
        load_scenario(path)
    (tmp_path / "code.py").write_text("async def handler(event, context):\n    pass\n")
    with pytest.raises(ScenarioError, match="is an async function"):
        load_scenario(path)
    (tmp_path / "code.py").write_text("handler = None\n")
    with pytest.raises(ScenarioError, match="bound to a literal"):
        load_scenario(path)


def test_a_timeout_beyond_lambdas_limit_is_refused(tmp_path: Path) -> None:
    (tmp_path / "code.py").write_text("def handler(event, context):\n    pass\n")
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO.format(horizon="1d", timeout=901))
    with pytest.raises(ScenarioError, match=r"requests\[0\]\.timeout"):
        load_scenario(path)


def test_a_replayed_trace_invokes_at_its_times_with_its_events(tmp_path: Path) -> None:
    (tmp_path / "code.py").write_text(
        "def handler(event, context):\n    print(event['detail-type'], event.get('n'))\n"
    )
    (tmp_path / "times.csv").write_text(
        'time,event\n72000,"{""detail-type"": ""x"", ""n"": 1}"\n60,\n'
    )
    path = tmp_path / "s.yaml"
    text = SCENARIO.format(horizon="1d", timeout=900)
    path.write_text(
        text.replace('every: 1d\n    time_of_day: "20:00"', "replay: {path: times.csv}")
    )
    invocations = simulate(load_scenario(path), 1, 0)["invocations"]
    assert invocations["started"].tolist() == [60.0, 72000.0]
    assert invocations["log"].tolist() == ["Scheduled Event None\n", "x 1\n"]
    (tmp_path / "times.csv").write_text('time,event\n60,"[1, 2]"\n')
    with pytest.raises(ScenarioError, match=r"times\.csv row 2: event is not a JSON object"):
        load_scenario(path)


def test_a_run_directory_keeps_the_handlers_module_and_reads_back(tmp_path: Path) -> None:
    import simulator

    (tmp_path / "code.py").write_text("def handler(event, context):\n    print('hello')\n")
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO.format(horizon="1d", timeout=900))
    results = simulator.run(path)
    results.save(tmp_path / "run")
    (tmp_path / "code.py").unlink()  # the run no longer needs the original
    kept = (tmp_path / "run" / "handlers" / "0-code.py").read_text()
    assert kept == "def handler(event, context):\n    print('hello')\n"
    again = simulator.load_results(tmp_path / "run")
    assert again.invocations["log"].tolist() == ["hello\n"]
    assert again.scenario.requests[0].handler.path == tmp_path / "run" / "handlers" / "0-code.py"


def test_each_execution_environment_imports_its_own_modules_from_beside_the_handler(
    tmp_path: Path,
) -> None:
    """Invocations at 0, 600 and 1200 s each last 700 s: the second finds the first's
    environment busy and starts its own, the third reuses the first's. A module beside the
    handler counts the calls of its environment."""
    (tmp_path / "counter.py").write_text("calls = 0\n")
    (tmp_path / "code.py").write_text(
        "import time, counter\n"
        "def handler(event, context):\n"
        "    counter.calls += 1\n"
        "    print(counter.calls)\n"
        "    time.sleep(700)\n"
    )
    path = tmp_path / "s.yaml"
    text = SCENARIO.format(horizon="1h", timeout=900)
    path.write_text(text.replace('every: 1d\n    time_of_day: "20:00"', "every: 10m"))
    invocations = simulate(load_scenario(path), 1, 0)["invocations"]
    finished = invocations[invocations["outcome"] == "ok"].sort_values("started")
    assert finished["started"].tolist()[:3] == [0.0, 600.0, 1200.0]
    assert finished["log"].tolist()[:3] == ["1\n", "1\n", "2\n"]
    assert finished["cold_start"].tolist()[:3] == [True, True, False]
    assert "counter" not in sys.modules


def test_the_estimate_prices_a_handlers_calls_at_a_boto3_calls_cost(tmp_path: Path) -> None:
    from simulator import estimate as module

    (tmp_path / "code.py").write_text("def handler(event, context):\n    pass\n")
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO.format(horizon="10d", timeout=900))
    found = module.estimate(load_scenario(path), 1)
    assert found.boto3_calls == found.requests * 3 * 3  # invocations x models x 3
    built = 2 * 3 * module.SECONDS_PER_RESOURCE + found.rows * module.SECONDS_PER_ROW
    boto3 = found.boto3_calls * module.SECONDS_PER_BOTO3_CALL
    assert found.seconds == pytest.approx(built + boto3)
    assert boto3 > found.rows * module.SECONDS_PER_ROW  # a boto3 call is the larger part
