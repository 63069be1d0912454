"""`simulate` with a handler stream, as a user meets it: a handler that cannot run is one
clear message and exit status 2 before the run; one that fails while running is an
invocation's error in the tables and the summary, and the run exits 0; what user code
prints stays out of the run's own output."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulator.cli import app

runner = CliRunner()
SCENARIO = """
name: cli-handler
horizon: 2d
fleet: [{service: rekognition, count: 2}]
requests:
  - name: nightly
    handler: HANDLER
    every: 1d
    time_of_day: "20:00"
"""


def write(tmp_path: Path, handler: str, code: str) -> Path:
    (tmp_path / "code.py").write_text(textwrap.dedent(code))
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO.replace("HANDLER", handler))
    return path


@pytest.mark.parametrize(
    ("handler", "code", "expected"),
    [
        ("gone.py:handler", "", "requests[0].handler: no such file:"),
        ("code.py:handler", "def handler(event, context:\n", "the module does not compile"),
        ("code.py:handler", "handler = 42\n", "handler is bound to a literal, which is not"),
        ("code.py:other", "def handler(e, c): pass\n", "defines no 'other' at its top level"),
    ],
)
@pytest.mark.parametrize("command", ["run", "validate"])
def test_a_handler_that_cannot_run_is_one_message_and_status_2(
    tmp_path: Path, handler: str, code: str, expected: str, command: str
) -> None:
    path = write(tmp_path, handler, code)
    result = runner.invoke(
        app,
        [command, str(path), "--out", str(tmp_path / "run")][: 2 if command == "validate" else 4],
    )
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "run").exists()


def test_a_handler_that_raises_is_recorded_and_the_run_succeeds(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "code.py:handler",
        """
        import boto3
        def handler(event, context):
            print("listing from the handler")
            boto3.client("s3").list_buckets()
        """,
    )
    result = runner.invoke(app, ["run", str(path), "--out", str(tmp_path / "run"), "--json"])
    assert result.exit_code == 0, result.output
    answers = json.loads(result.stdout)  # the handler's print is not in the run's output
    assert answers["invocations"] == [
        {
            "stream": "nightly",
            "outcome": "error",
            "invocations": 2.0,
            "share": 1.0,
            "cold starts": 1.0,
            "mean (s)": pytest.approx(0.0),
        }
    ]
    assert answers["not_simulated"] == [{"operation": "s3:ListBuckets", "attempts": 2}]
    assert "listing from the handler" not in result.output
