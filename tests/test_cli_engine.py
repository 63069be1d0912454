"""`simulate run --engine`: events by default, vector where asked and drawable, auto saying
which it chose and why; the engine is kept in run.json and read back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from simulator.cli import app
from simulator.errors import ResultsError
from simulator.output import read_meta
from simulator.results import load_results

NIGHTLY = Path(__file__).parent.parent / "scenarios" / "rekognition-nightly-stop.yaml"
DRAWABLE = """
name: drawable
seed: 3
replications: 2
horizon: 1d
fleet:
  - {service: rekognition, project: shop, count: 4}
requests:
  - {service: rekognition, at: 20h}
"""


def invoke(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "120"})


@pytest.fixture
def drawable(tmp_path: Path) -> Path:
    path = tmp_path / "drawable.yaml"
    path.write_text(DRAWABLE)
    return path


@pytest.mark.slow
def test_auto_draws_a_drawable_scenario_says_so_and_keeps_it(
    drawable: Path, tmp_path: Path
) -> None:
    out = tmp_path / "run"
    result = invoke("run", str(drawable), "--out", str(out), "--engine", "auto", "--json")
    assert result.exit_code == 0, result.output
    assert "engine: vector (no request can meet another)" in result.stderr
    assert json.loads(result.stdout)["engine"] == "vector"
    assert json.loads((out / "run.json").read_text())["engine"] == "vector"
    results = load_results(out)
    assert results.engine == "vector"
    assert len(results.stops) == 8  # 4 models, 2 replications
    again = invoke("report", str(out), "--json")
    assert json.loads(again.stdout)["engine"] == "vector"


def test_auto_runs_the_event_engine_and_says_why(tmp_path: Path) -> None:
    out = tmp_path / "run"
    args = ("run", str(NIGHTLY), "--out", str(out), "--replications", "1", "--engine", "auto")
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    assert (
        "engine: events (the vector engine cannot draw it: requests[1].operation: "
        "StartProjectVersion is not rekognition's stop (StopProjectVersion): it changes what "
        "the stops find)"
    ) in " ".join(result.stderr.split())
    assert json.loads((out / "run.json").read_text())["engine"] == "events"


def test_vector_refuses_what_it_cannot_draw_with_exit_2_and_writes_nothing(
    tmp_path: Path,
) -> None:
    out = tmp_path / "run"
    result = invoke("run", str(NIGHTLY), "--out", str(out), "--engine", "vector")
    assert result.exit_code == 2
    assert " ".join(result.stderr.split()) == (
        "rekognition-nightly-stop: the vector engine cannot draw this scenario: "
        "requests[1].operation: StartProjectVersion is not rekognition's stop "
        "(StopProjectVersion): it changes what the stops find"
    )
    assert not out.exists()


@pytest.mark.slow
def test_the_default_is_the_event_engine_silently(drawable: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = invoke("run", str(drawable), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "engine:" not in result.stderr
    assert json.loads((out / "run.json").read_text())["engine"] == "events"
    assert invoke("run", str(drawable), "--out", str(out), "--engine", "fast").exit_code == 2


def test_a_run_json_without_an_engine_is_an_event_run_and_a_bad_one_is_refused(
    drawable: Path, tmp_path: Path
) -> None:
    out = tmp_path / "run"
    assert invoke("run", str(drawable), "--out", str(out), "--engine", "vector").exit_code == 0
    path = out / "run.json"
    meta = json.loads(path.read_text())
    del meta["engine"]
    path.write_text(json.dumps(meta))
    assert read_meta(out).engine == "events"
    path.write_text(json.dumps({**meta, "engine": "quantum"}))
    with pytest.raises(
        ResultsError,
        match=r"run\.json: engine: expected 'events' or 'vector', "
        r"got 'quantum'$",
    ):
        read_meta(out)


TIE = """
name: tie
horizon: 10s
fleet:
  - {service: rekognition, project: p, count: 5}
callers:
  default: {network: 2s}
requests:
  - {service: rekognition, every: 1s, count: 1, where: {status: [RUNNING]}, wait: false}
"""
"""The reviewer's tie: a round trip of exactly twice the stream's period."""


@pytest.fixture
def tie(tmp_path: Path) -> Path:
    path = tmp_path / "tie.yaml"
    path.write_text(TIE)
    return path


def test_auto_runs_a_tie_on_the_event_engine(tie: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = invoke("run", str(tie), "--out", str(out), "--engine", "auto")
    assert result.exit_code == 0, result.output
    assert "engine: events (the vector engine cannot draw it: requests[0].every:" in (
        " ".join(result.stderr.split())
    )
    assert json.loads((out / "run.json").read_text())["engine"] == "events"


def test_an_error_while_drawing_exits_2_with_a_message_not_a_traceback(
    tie: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Were eligibility to pass what the engine cannot draw, the run says so and exits 2."""
    from simulator.vector import choice
    from simulator.vector.eligibility import Eligibility

    monkeypatch.setattr(choice, "check", lambda scenario: Eligibility(()))
    out = tmp_path / "run"
    result = invoke("run", str(tie), "--out", str(out), "--engine", "vector")
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    said = " ".join(result.stderr.split())
    assert said.startswith("tie: requests[0]: a stop sent at 0 s reached rekognition at 1 s, ")
    assert said.endswith("run the scenario with --engine events; nothing was written")
    assert not out.exists()


def test_the_cli_names_the_engines_that_choose_knows() -> None:
    from simulator.cli.run_commands import EngineName
    from simulator.vector.choice import Engine

    assert [e.value for e in EngineName] == [e.value for e in Engine]


@pytest.mark.slow
def test_a_vector_run_says_so_in_its_headings_and_a_diff_with_events_is_unpaired(
    drawable: Path, tmp_path: Path
) -> None:
    from simulator.report import render_html

    drawn, simulated = tmp_path / "drawn", tmp_path / "simulated"
    result = invoke("run", str(drawable), "--out", str(drawn), "--engine", "vector")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("drawable: seed 3, 2 replication(s) (vector engine)\n")
    markdown = invoke("report", str(drawn), "--format", "md")
    assert markdown.stdout.startswith("### drawable: seed 3, 2 replication(s) (vector engine)\n")
    assert "<h1>drawable (vector engine)</h1>" in render_html(load_results(drawn), {})
    assert invoke("run", str(drawable), "--out", str(simulated)).exit_code == 0
    assert "<h1>drawable</h1>" in render_html(load_results(simulated), {})
    assert invoke("report", str(simulated)).stdout.startswith(
        "drawable: seed 3, 2 replication(s)\n"
    )
    compared = invoke("diff", str(simulated), str(drawn), "--json")
    assert compared.exit_code == 0, compared.output
    assert json.loads(compared.stdout)["paired"] is False
    said = " ".join(invoke("diff", str(simulated), str(drawn)).stdout.split())
    assert (
        "unpaired (Welch's interval): A was run by the events engine, B by the vector engine"
    ) in said
