"""The `simulate` command as a user meets it: run, validate, schema, and its errors."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from simulator.cli import app
from simulator.runner import TABLES

NIGHTLY = Path(__file__).parent.parent / "scenarios" / "rekognition-nightly-stop.yaml"
runner = CliRunner()


def _run(out: Path, *extra: str) -> dict[str, pd.DataFrame]:
    args = ["run", str(NIGHTLY), "--out", str(out), "--replications", "2", *extra]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return {name: pd.read_parquet(out / f"{name}.parquet") for name in TABLES}


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, pd.DataFrame]]:
    out = tmp_path_factory.mktemp("run")
    return out, _run(out)


def test_run_writes_the_tables_summary_and_resolved_scenario(
    first_run: tuple[Path, dict[str, pd.DataFrame]],
) -> None:
    out, tables = first_run
    names = {p.name for p in out.iterdir()}
    assert names == {f"{t}.parquet" for t in TABLES} | {
        "summary.csv", "summary.json", "billed.csv", "savings.csv", "scenario.yaml", "run.json"
    }  # fmt: skip
    meta = json.loads((out / "run.json").read_text())
    assert (meta["seed"], meta["replications"]) == (2026, 2)
    assert meta["simulator_version"]
    assert set(tables["stops"]["replication"]) == {0, 1}
    summary = pd.read_csv(out / "summary.csv")
    assert summary[["service", "group", "outcome"]].values.tolist() == [
        ["rekognition", "storefront-defects", "STOPPED"],
        ["rekognition", "warehouse-labels", "STOPPED"],
    ]
    assert summary["count"].tolist() == [560, 280]  # 80 and 40 models on each of 7 evenings
    bill = pd.read_csv(out / "billed.csv")
    assert bill[["service", "group", "item"]].values.tolist() == [
        ["rekognition", "storefront-defects", "inference"],
        ["rekognition", "warehouse-labels", "inference"],
    ]
    per_replication = tables["costs"].groupby("replication")["usd"].sum()
    assert bill["usd"].sum() == pytest.approx(per_replication.mean())


@pytest.mark.slow
def test_the_same_seed_gives_identical_tables_on_one_or_two_workers(
    first_run: tuple[Path, dict[str, pd.DataFrame]], tmp_path: Path
) -> None:
    _, tables = first_run
    again = _run(tmp_path / "again", "--workers", "2")
    for name in TABLES:
        pd.testing.assert_frame_equal(tables[name], again[name])


def test_another_seed_gives_other_tables(
    first_run: tuple[Path, dict[str, pd.DataFrame]], tmp_path: Path
) -> None:
    _, tables = first_run
    other = _run(tmp_path / "other", "--seed", "1")
    assert not tables["stops"]["stop_latency_s"].equals(other["stops"]["stop_latency_s"])


def test_run_writes_csv_on_request(tmp_path: Path) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "name: tiny\nhorizon: 1h\nfleet: [{service: rekognition, count: 2}]\n"
        "requests: [{service: rekognition, at: 1m}]\n"
    )
    result = runner.invoke(app, ["run", str(scenario), "--out", str(tmp_path / "o"),
                                 "--table-format", "csv"])  # fmt: skip
    assert result.exit_code == 0, result.output
    stops = pd.read_csv(tmp_path / "o" / "stops.csv")
    assert stops["outcome"].tolist() == ["STOPPED", "STOPPED"]


BAD = {
    "misspelt key": ("name: x\nhorizn: 1h\n", ":2: horizn: unknown key"),
    "negative duration": ("name: x\nhorizon: -5m\n", ":2: horizon: expected a non-negative"),
    "unknown service": (
        "name: x\nhorizon: 1h\nfleet:\n  - service: sagemakr\n    count: 1\n",
        ":4: fleet[0]: Input tag 'sagemakr'",
    ),
    "wrong type": (
        "name: x\nhorizon: 1h\nfleet:\n  - service: rekognition\n    count: many\n",
        ":5: fleet[0].count: Input should be a valid integer",
    ),
    "broken yaml": ("name: x\nhorizon: [1h\n", ":3: this is not valid YAML"),
    "duplicate key": ("name: x\nhorizon: 1h\nhorizon: 2h\n", ":3: duplicate key 'horizon'"),
    "list as a key": ("name: x\nhorizon: 1h\n? [a, b]\n: 1\n", ":3: a key must be a plain name"),
    "impossible date": ("name: x\nhorizon: 1h\nstart: 2026-13-01\n", ":3: start: cannot read"),
    "alias bomb": (
        "name: x\nhorizon: 1h\na: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]\n"
            for p, n in zip("abcde", "bcdef", strict=True)
        ),
        ":3: the scenario expands to more than 200,000 values",
    ),
    "recursive alias": ("name: x\nhorizon: 1h\nfleet: &a [*a]\n", ": an alias refers to itself"),
    "infinite rate": (
        "name: x\nhorizon: 1h\nservices:\n  rekognition:\n    throttle:\n"
        "      StopProjectVersion: {rate: .inf}\n",
        ":6: services.rekognition.throttle.StopProjectVersion.rate: Input should be a finite",
    ),
    "group typo": (
        "name: x\nhorizon: 1h\nfleet: [{service: rekognition, count: 1, project: shop}]\n"
        "requests:\n  - {service: rekognition, at: 0s, where: {group: shpo}}\n",
        ":5: requests[0].where.group: no rekognition fleet entry has group 'shpo'; groups are shop",
    ),
    "poisson ending before it starts": (
        "name: x\nhorizon: 1h\nrequests:\n"
        "  - {service: rekognition, poisson: {rate: 1, start: 10m, end: 5m}}\n",
        ":4: requests[0].poisson.start: 600 s is not before end (300 s)",
    ),
    "time of day and first": (
        "name: x\nhorizon: 1h\nrequests:\n"
        "  - {service: rekognition, every: 1d, time_of_day: '20:00', first: 1h}\n",
        ":4: requests[0]: give `time_of_day` or `first`, not both",
    ),
    "unknown request service": (
        "name: x\nhorizon: 1h\nrequests:\n  - service: lambda\n    at: 0s\n",
        ":4: requests[0].service: unknown service 'lambda'",
    ),
}


@pytest.mark.parametrize("case", BAD)
@pytest.mark.parametrize("command", ["validate", "run"])
def test_a_bad_scenario_gets_one_clear_message_and_status_2(
    case: str, command: str, tmp_path: Path
) -> None:
    text, expected = BAD[case]
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    result = runner.invoke(app, [command, str(path), "--out", str(tmp_path)][:2])
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)  # handled: an error would be kept here
    lines = result.output.strip().splitlines()  # one line per problem, each naming the file
    assert all(line.startswith(f"{path}:") for line in lines)
    assert any(line.startswith(f"{path}{expected}") for line in lines)


def test_a_file_that_is_not_utf8_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: caf\xe9\n".encode("latin-1"))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "not UTF-8 text" in result.output


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "cannot read the scenario" in result.output


def test_validate_accepts_a_good_scenario() -> None:
    result = runner.invoke(app, ["validate", str(NIGHTLY)])
    assert result.exit_code == 0
    assert "valid" in result.output


def test_schema_is_json_schema_of_the_scenario() -> None:
    result = runner.invoke(app, ["schema"])
    schema = json.loads(result.output)
    assert schema["title"] == "Scenario"
    assert {"horizon", "fleet", "requests", "services", "callers"} <= set(schema["properties"])
    assert schema["additionalProperties"] is False


def test_run_with_report_writes_figures_and_one_self_contained_html(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["run", str(NIGHTLY), "--out", str(tmp_path), "--replications", "1", "--report"]
    )
    assert result.exit_code == 0, result.output
    figures = {"latency", "cost", "timeline", "outcomes", "calls"}
    assert {p.stem for p in tmp_path.glob("*.png")} == figures
    page = (tmp_path / "report.html").read_text()
    assert page.count('src="data:image/png;base64,') == len(figures)
    assert 'src="http' not in page  # nothing is fetched from elsewhere
    assert "<link" not in page
    assert "rekognition-nightly-stop" in page
    assert "seed 2026" in page


@pytest.mark.slow
def test_report_reproduces_the_summary_the_run_printed(tmp_path: Path) -> None:
    out = tmp_path / "run"
    printed = runner.invoke(app, ["run", str(NIGHTLY), "--out", str(out), "--replications", "2"])
    assert printed.exit_code == 0, printed.output
    again = runner.invoke(app, ["report", str(out)])
    assert again.exit_code == 0, again.output
    assert again.stdout == printed.stdout  # the answers; where files went is on stderr
    assert "rekognition-nightly-stop: seed 2026, 2 replication(s)" in again.stdout
    assert (out / "report.html").is_file()


def test_report_of_a_directory_that_is_not_a_run_says_so(tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", str(tmp_path)])
    assert result.exit_code == 2
    assert "no run.json" in result.output
