"""`simulate run` of a scenario with demand prints the hosting table, and its text,
markdown and JSON say the same: one group, its cold starts, requests and time available."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner, Result

from simulator.analysis.columns import HOSTING_COLUMNS, with_intervals
from simulator.cli import app

SCENARIO = """\
name: hosting
description: Does a model stopped when idle serve its afternoon requests?
seed: 3
replications: 2
horizon: 6h
start: 2026-01-05T00:00:00Z
fleet: [{service: rekognition, project: shop, count: 2}]
demand:
  - group: shop
    rate: 1/min
    profile: {hours: {"00:00-01:00": 1.0, "04:00-05:00": 1.0}}
    serving: {on_not_running: wait, max_wait: 5m}
policies:
  idle: {kind: idle_stop, groups: [shop], after: 15m}
"""
TITLE = "inference requests and hosting, per group"


def invoke(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "250"})


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hosting") / "hosting.yaml"
    path.write_text(SCENARIO)
    return path


def test_text_markdown_and_json_show_one_hosting_table(scenario: Path) -> None:
    ran = invoke("run", str(scenario), "--out", str(scenario.parent / "json"), "--json")
    assert ran.exit_code == 0, ran.output
    rows = json.loads(ran.stdout)["hosting"]
    assert [(r["service"], r["group"], r["replications"]) for r in rows] == [
        ("rekognition", "shop", 2)
    ]
    # two models stopped 15 minutes after the first hour, each started again at 04:00
    assert rows[0]["cold_starts"] == 2.0
    # RUNNING until 01:15, then from the first request after 04:00 and its start (about 5
    # minutes) to 15 minutes after 05:00: about 2 h 25 min of 6 h
    assert 0.35 < rows[0]["available_share"] < 0.45
    cells = with_intervals(pd.DataFrame(rows), ["service", "group"], HOSTING_COLUMNS)
    shown = cells.iloc[0].tolist()
    text = invoke("run", str(scenario), "--out", str(scenario.parent / "text"))
    markdown = invoke("run", str(scenario), "--out", str(scenario.parent / "md"), "--format", "md")
    assert TITLE in text.stdout
    assert f"**{TITLE}" in markdown.stdout
    for cell in shown:  # every cell, as the terminal and markdown write it
        assert cell in markdown.stdout
        assert cell.split(" ±")[0] in text.stdout


def test_a_run_without_demand_prints_no_hosting_table(tmp_path: Path) -> None:
    path = tmp_path / "plain.yaml"
    path.write_text(SCENARIO.split("demand:")[0])
    ran = invoke("run", str(path), "--out", str(tmp_path / "run"), "--json")
    assert ran.exit_code == 0, ran.output
    assert json.loads(ran.stdout)["hosting"] == []
    assert TITLE not in invoke("run", str(path), "--out", str(tmp_path / "text")).stdout


@pytest.mark.slow
def test_the_report_shows_the_hosting_table_and_the_demand_figure(scenario: Path) -> None:
    out = scenario.parent / "report"
    assert invoke("run", str(scenario), "--out", str(out)).exit_code == 0
    reported = invoke("report", str(out))
    assert reported.exit_code == 0, reported.output
    page = (out / "report.html").read_text()
    assert "<h2>Inference requests and hosting</h2>" in page
    assert '<img alt="demand"' in page
    assert "Requests per minute against inference units running" in page


def test_a_policys_stops_are_in_the_stops_summary(scenario: Path, tmp_path: Path) -> None:
    # the idle policy's stops are stops: two models stopped at 01:15 and again after 05:00,
    # each ending STOPPED: 4 a replication
    ran = invoke("run", str(scenario), "--out", str(tmp_path / "idle"), "--json")
    summary = json.loads(ran.stdout)["summary"]
    assert [(r["service"], r["group"], r["outcome"], r["count"]) for r in summary] == [
        ("rekognition", "shop", "STOPPED", 4.0)
    ]


def test_a_run_without_stops_prints_no_stops_table(tmp_path: Path) -> None:
    always_on = tmp_path / "always-on.yaml"
    always_on.write_text(SCENARIO.split("policies:")[0])
    text = invoke("run", str(always_on), "--out", str(tmp_path / "on")).stdout
    assert "stops by service, group and outcome" not in text
    assert "what the stops saved" not in text
    assert TITLE in text
