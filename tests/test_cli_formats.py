"""Machine-readable output: `--json` on run, report, sweep and validate (stdout holds the
JSON alone, its numbers those of the CSV files), `--format md` for a pull request, and the
table files' `--table-format` with the old `--format csv` still understood."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner, Result

from simulator.analysis.columns import SUMMARY_COLUMNS, with_intervals
from simulator.analysis.summary import KEYS
from simulator.cli import app

TINY = """\
name: tiny
description: Two models stopped at once, one at a time.
seed: 4
replications: 3
horizon: 1h
fleet: [{service: rekognition, count: 3, group: shop}, {service: comprehend, count: 2}]
requests:
  - {service: rekognition, at: 1m}
  - {service: comprehend, at: 20m}
"""


def invoke(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": None})


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tiny") / "tiny.yaml"
    path.write_text(TINY)
    return path


@pytest.fixture(scope="module")
def ran(scenario: Path) -> tuple[Path, dict[str, Any]]:
    """A run made with --json: its directory and what it printed."""
    out = scenario.parent / "run"
    result = invoke("run", str(scenario), "--out", str(out), "--json")
    assert result.exit_code == 0, result.output
    return out, json.loads(result.stdout)  # the whole of stdout is one JSON document


def as_records(path: Path) -> list[dict[str, Any]]:
    frame = pd.read_csv(path)
    return [
        {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in row.items()}
        for row in frame.to_dict("records")
    ]


def assert_same_records(printed: list[dict[str, Any]], written: list[dict[str, Any]]) -> None:
    assert len(printed) == len(written)
    for mine, theirs in zip(printed, written, strict=True):
        assert mine.keys() == theirs.keys()
        for key, value in theirs.items():
            if isinstance(value, float):
                assert mine[key] == pytest.approx(value, rel=1e-12), key
            else:
                assert mine[key] == value, key


def test_run_json_holds_the_tables_written_beside_it(ran: tuple[Path, dict[str, Any]]) -> None:
    out, printed = ran
    assert printed["scenario"] == "tiny"
    assert printed["description"] == "Two models stopped at once, one at a time."
    assert (printed["seed"], printed["replications"]) == (4, 3)
    assert printed["run_directory"] == str(out)
    for name in ("summary", "savings", "billed"):
        assert_same_records(printed[name], as_records(out / f"{name}.csv"))
    rows = {(r["service"], r["group"], r["outcome"]): r for r in printed["summary"]}
    assert rows["rekognition", "shop", "STOPPED"]["count"] == 3.0  # numbers as numbers
    assert any(v is None for row in printed["summary"] for v in row.values())  # NaN: null


def test_report_json_prints_the_same_as_the_run(ran: tuple[Path, dict[str, Any]]) -> None:
    out, printed = ran
    result = invoke("report", str(out), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == printed
    assert "report written to" in result.stderr  # messages on stderr


def _md_rows(text: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in line.strip("|").split(" | ")]
        for line in text.splitlines()
        if line.startswith("| ")
    ]


def test_format_md_prints_the_summary_as_github_tables(ran: tuple[Path, dict[str, Any]]) -> None:
    out, _ = ran
    result = invoke("report", str(out), "--format", "md")
    assert result.exit_code == 0, result.output
    summary = with_intervals(pd.read_csv(out / "summary.csv"), KEYS, SUMMARY_COLUMNS)
    rows = _md_rows(result.stdout)
    header = list(summary.columns)
    assert header[len(KEYS) :][:3] == ["stops", "share", "latency mean (min)"]
    start = rows.index(header)
    assert rows[start + 1] == ["---"] * len(KEYS) + ["---:"] * len(SUMMARY_COLUMNS)
    body = rows[start + 2 : start + 2 + len(summary)]
    assert body == summary.astype(str).to_numpy().tolist()
    assert result.stdout.startswith("### tiny: seed 4, 3 replication(s)\n\n")
    assert "Two models stopped at once, one at a time." in result.stdout


def test_a_pipe_in_a_name_does_not_break_a_markdown_row() -> None:
    from simulator.cli.formats import TextTable, markdown

    text = markdown(TextTable(["group", "USD"], [["a|b", "1.00 ±0.10"]], names=1))
    assert text.splitlines()[2] == "| a\\|b | 1.00 ±0.10 |"


def test_json_and_another_format_together_are_refused(ran: tuple[Path, dict[str, Any]]) -> None:
    result = invoke("report", str(ran[0]), "--json", "--format", "md")
    assert result.exit_code == 2
    assert "--json and --format md: give one of them" in result.stderr


def test_validate_json_lists_each_problem_with_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\nhorizn: 1h\nfleet:\n  - service: rekognition\n    count: many\n")
    result = invoke("validate", str(path), "--json")
    assert result.exit_code == 2
    assert json.loads(result.stdout) == {
        "valid": False,
        "errors": [
            {"file": str(path), "line": 1, "field": "horizon",
             "message": "required, but missing"},
            {"file": str(path), "line": 5, "field": "fleet[0].count",
             "message": "Input should be a valid integer, unable to parse string as an integer "
             "(got 'many')"},
            {"file": str(path), "line": 2, "field": "horizn",
             "message": "unknown key (not part of the schema; check its spelling)"},
        ],
    }  # fmt: skip
    assert result.stderr == ""


def test_validate_json_of_broken_yaml_and_of_a_good_scenario(
    tmp_path: Path, scenario: Path
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\nhorizon: [1h\n")
    broken = invoke("validate", str(path), "--json")
    assert broken.exit_code == 2
    (error,) = json.loads(broken.stdout)["errors"]
    assert (error["file"], error["line"], error["field"]) == (str(path), 3, None)
    good = invoke("validate", str(scenario), "--format", "json")
    assert good.exit_code == 0
    assert json.loads(good.stdout) == {"valid": True, "errors": []}


@pytest.mark.slow
def test_sweep_json_is_its_comparison(scenario: Path) -> None:
    out = scenario.parent / "sweep"
    result = invoke(
        "sweep", str(scenario), "--vary", "fleet.0.count=3,5", "--replications", "2",
        "--workers", "1", "--out", str(out), "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed["variants"] == ["count=3", "count=5"]
    assert (printed["baseline"], printed["seed"], printed["replications"]) == ("count=3", 4, 2)
    written = as_records(out / "comparison.csv")
    columns = list(printed["comparison"][0])
    assert_same_records(printed["comparison"], [{k: r[k] for k in columns} for r in written])
    stops = {r["variant"]: r["mean"] for r in printed["comparison"]
             if r["metric"] == "rekognition.stops"}  # fmt: skip
    assert stops == {"count=3": 3.0, "count=5": 5.0}
    assert "rekognition.stops" in printed["varying"]


@pytest.mark.slow
def test_table_format_csv_and_the_old_format_csv_write_csv(scenario: Path, tmp_path: Path) -> None:
    new = invoke("run", str(scenario), "--out", str(tmp_path / "new"), "--table-format", "csv")
    assert new.exit_code == 0, new.output
    old = invoke("run", str(scenario), "--out", str(tmp_path / "old"), "--format", "csv")
    assert old.exit_code == 0, old.output
    assert "--format csv is now spelt --table-format csv" in old.stderr
    for run in ("new", "old"):
        assert json.loads((tmp_path / run / "run.json").read_text())["format"] == "csv"
        stops = pd.read_csv(tmp_path / run / "stops.csv")
        assert stops["service"].value_counts().to_dict() == {"rekognition": 9, "comprehend": 6}
    assert new.stdout == old.stdout  # the old spelling prints the same table
