"""`simulate diff RUN_A RUN_B` as CI uses it: the change between two saved runs as a table,
JSON or markdown, said to be paired or not, and `--fail-if` gates exiting 0, 1 or 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

import simulator
from simulator.analysis.diff import Run, diff
from simulator.cli import app
from simulator.cli.diff_command import text_rows

SCENARIO = """\
name: shop
seed: 11
replications: {replications}
horizon: 2h
fleet: [{{service: rekognition, count: {count}, group: shop}}]
requests: [{{service: rekognition, at: 5m}}]
"""


def invoke(*args: str, columns: str = "120") -> Result:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": columns})


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """a: 4 models; more: 5 models, same seed and replications; reseeded: 4 models, seed 12."""
    root = tmp_path_factory.mktemp("diff")
    made = {}
    for name, count, seed in (("a", 4, 11), ("more", 5, 11), ("reseeded", 4, 12)):
        path = root / f"{name}.yaml"
        path.write_text(SCENARIO.format(replications=3, count=count))
        made[name] = simulator.run(path, seed=seed).save(root / name)
    return made


def _figures(directory: Path) -> Run:
    results = simulator.load_results(directory)
    return Run(
        results.stops, results.costs, results.baseline_costs, results.seed, results.replications
    )


def test_diff_json_holds_the_changes_and_says_they_are_paired(runs: dict[str, Path]) -> None:
    result = invoke("diff", str(runs["a"]), str(runs["more"]), "--json")
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed["paired"] is True
    assert printed["a"] == {
        "run_directory": str(runs["a"]), "scenario": "shop", "seed": 11, "replications": 3
    }  # fmt: skip
    expected = diff(_figures(runs["a"]), _figures(runs["more"]))
    changes = {(r["service"], r["group"], r["outcome"], r["metric"]): r for r in printed["changes"]}
    assert len(changes) == len(expected)
    for row in expected.to_dict("records"):
        mine = changes[row["service"], row["group"], row["outcome"], row["metric"]]
        for column in ("a", "b", "change", "change_ci_low", "change_ci_high", "relative"):
            assert mine[column] == pytest.approx(row[column], nan_ok=True), column
    stops = changes["rekognition", "shop", "STOPPED", "stops"]
    assert (stops["a"], stops["b"], stops["change"]) == (4.0, 5.0, 1.0)
    assert stops["relative"] == pytest.approx(0.25)
    assert printed["gates"] == []


def test_the_table_says_paired_or_welch_and_shows_every_figure(runs: dict[str, Path]) -> None:
    same = invoke("diff", str(runs["a"]), str(runs["more"]), columns="80")
    assert same.exit_code == 0, same.output
    words = " ".join(same.stdout.split())
    assert "paired: both runs have seed 11 and 3 replication(s)" in words
    rows = text_rows(diff(_figures(runs["a"]), _figures(runs["more"])))
    found = same.stdout.split()
    for row in rows:
        for cell in row[4:]:
            for token in cell.split():
                assert token in found, token
    assert max(len(line) for line in same.stdout.splitlines()) <= 80
    other = invoke("diff", str(runs["a"]), str(runs["reseeded"]))
    assert "unpaired (Welch's interval): A has seed 11 and 3 replication(s), B seed 12" in (
        " ".join(other.stdout.split())
    )


def test_diff_markdown_is_a_table_of_the_changes(runs: dict[str, Path]) -> None:
    result = invoke("diff", str(runs["a"]), str(runs["more"]), "--format", "md")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith("| ")]
    rows = text_rows(diff(_figures(runs["a"]), _figures(runs["more"])))
    assert lines[0] == "| service | group | outcome | metric | A | B | change B - A | change % |"
    assert lines[1] == "| --- | --- | --- | --- | ---: | ---: | ---: | ---: |"
    assert lines[2:] == ["| " + " | ".join(row) + " |" for row in rows]
    stops = next(row for row in rows if row[2:4] == ["STOPPED", "stops"])
    assert stops[4:] == ["4.0", "5.0", "+1.0 ±0.0", "+25.0%"]


@pytest.mark.parametrize(
    ("gates", "status", "says"),
    [
        ([], 0, ""),
        (["stops > +30%"], 0, ""),  # +25%
        (["stops > +20%"], 1,
         "--fail-if 'stops > +20%' tripped: rekognition/shop/STOPPED (+25.0%)"),
        (["*/shop/STOPPED stops >= 1", "billed_usd < -1000"], 1,
         "--fail-if '*/shop/STOPPED stops >= 1' tripped: rekognition/shop/STOPPED (+1.0)"),
        (["all/all billed_usd > +0%"], 1, "--fail-if 'all/all billed_usd > +0%' tripped: all/all"),
        (["billed_usd >> 5%"], 2,
         "--fail-if 'billed_usd >> 5%': expected '[SERVICE/GROUP/OUTCOME]"),
        (["lookoutvision/*/* stops > 1"], 2,
         "--fail-if 'lookoutvision/*/* stops > 1': no stops row matches lookoutvision/*/*"),
    ],
)  # fmt: skip
def test_fail_if_exits_1_when_a_gate_trips_and_2_when_one_cannot_be_read(
    runs: dict[str, Path], gates: list[str], status: int, says: str
) -> None:
    args = [arg for gate in gates for arg in ("--fail-if", gate)]
    result = invoke("diff", str(runs["a"]), str(runs["more"]), *args)
    assert result.exit_code == status, result.output
    assert isinstance(result.exception, SystemExit) or status == 0
    assert says in result.stderr
    if status == 1:
        assert result.stderr.count("tripped") == 1  # the other gate held


def test_a_run_directory_that_is_not_one_is_exit_2(runs: dict[str, Path], tmp_path: Path) -> None:
    result = invoke("diff", str(runs["a"]), str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{tmp_path}")
