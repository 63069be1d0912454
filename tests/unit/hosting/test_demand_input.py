"""A bad `demand:` block gets one clear message naming the file, the line and the field
(a replay's own file and line for a bad row), and `simulate validate` exits 2."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulator.cli import app
from simulator.estimate import TooBig, check, estimate
from tests.kit import scenario

runner = CliRunner()
ARN = "arn:aws:rekognition:us-east-1:123456789012:project/p/version/v{}/1"


def validate(tmp_path: Path, demand: str) -> tuple[Path, str]:
    """`simulate validate` of a scenario whose demand is `demand`: exit 2, and its output."""
    path = tmp_path / "bad.yaml"
    path.write_text(
        "name: bad\nhorizon: 1h\n"
        "fleet: [{service: rekognition, project: p, count: 2}]\n"
        "demand:\n" + textwrap.indent(textwrap.dedent(demand), "  ")
    )
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # handled, no traceback
    return path, result.output.strip()


@pytest.mark.parametrize(
    ("demand", "line", "expected"),
    [
        (
            "- {group: q, rate: 1/s}",
            5,
            "demand[0].group: no rekognition or lookoutvision fleet "
            "entry has group 'q'; groups are p",
        ),
        (
            "- group: p\n  rate: 1/s\n  profile: {time_zone: Europe/Dublinn}",
            7,
            "demand[0].profile.time_zone: unknown time zone 'Europe/Dublinn'",
        ),
        ("- {group: p, rate: 5 per second}", 5, "demand[0].rate: expected a rate such as 5/s"),
        ("- {group: p}", 5, "demand[0]: give exactly one of `rate`, `total`, `replay`"),
        (
            "- {group: p, rate: 1/s, total: 2/s}",
            5,
            "demand[0]: give exactly one of `rate`, `total`, `replay` (got rate, total)",
        ),
        (
            '- {group: p, rate: 1/s, profile: {hours: {"22:00-06:00": 1}}}',
            5,
            "demand[0].profile.hours: '22:00-06:00': the end is not after the begin; a range "
            "across midnight is two ranges",
        ),
        (
            '- {group: p, rate: 1/s, profile: {hours: {"09:00-12:00": 1, "11:00-13:00": 2}}}',
            5,
            "demand[0].profile.hours: the hours' ranges overlap",
        ),
        (
            "- {group: p, rate: 1/s, profile: {weekdays: {sat-mon: 1}}}",
            5,
            "demand[0].profile.weekdays: 'sat-mon' runs backwards",
        ),
        (
            "- {group: p, rate: 1/s, profile: {hours: [1, 2]}}",
            5,
            "demand[0].profile.hours: expected 24 multipliers (one per hour), got 2",
        ),
        (
            "- {group: p, rate: 1/s, bursts: [{duration: 1m, multiplier: 2}]}",
            5,
            "demand[0].bursts[0]: give exactly one of `at` and `every`",
        ),
        (
            "- {group: p, rate: 1/s}\n- {group: p, rate: 2/s}",
            6,
            "demand[1].group: 'p' has demand already",
        ),
        (
            "- {group: p, rate: 1/s, popularity: {kind: zipf}}",
            5,
            "demand[0]: `popularity` splits a `total`",
        ),
        (
            "- {group: p, total: 1/s, popularity: {kind: equal, s: 2}}",
            5,
            "demand[0].popularity: `s` goes with kind: zipf",
        ),
    ],
)
def test_a_bad_demand_names_its_line_and_field(
    tmp_path: Path, demand: str, line: int, expected: str
) -> None:
    path, output = validate(tmp_path, demand)
    assert output.startswith(f"{path}:{line}: {expected}"), output


@pytest.mark.parametrize(
    ("rows", "where", "expected"),
    [
        (
            f"resource,minute,count\n{ARN.format(0)},0,5\n{ARN.format(1)},1,-2\n",
            "line 3",
            "count: expected a whole number >= 0, got -2",
        ),
        (
            f"resource,minute,count\n{ARN.format(0)},0,five\n",
            "line 2",
            "count: expected a whole number >= 0, got 'five'",
        ),
        (
            "group,minute,count\np,2026-01-05T00:00:00Z,5\np,7,1\n",
            "line 3",
            "minute: expected minutes from the start or an ISO timestamp such as "
            "2026-01-05T09:30:00Z, got '7'",
        ),
        (
            f"resource,minute,count\n{ARN.format(0)},0,5\n{ARN.format(0)},yesterday,1\n",
            "line 3",
            "minute: expected a whole number of minutes from the start (as the first row's), got "
            "'yesterday'",
        ),
        (
            f"resource,minute,count\n{ARN.format(0)},1.5,5\n",
            "line 2",
            "minute: expected a whole number of minutes from the start (as the first row's), got "
            "1.5",
        ),
        (
            f"resource,minute,count\n{ARN.format(0)},0,5\n{ARN.format(7)},1,1\n",
            "line 3",
            f"resource: '{ARN.format(7)}' is not a model of group 'p'",
        ),
        ("group,minute,count\np,0,5\nq,1,1\n", "line 3", "group: 'q' is not 'p'"),
        (
            f"resource,minute,count\n{ARN.format(0)},60,5\n",
            "line 2",
            "minute: 60 is outside the run (minutes 0 to 59 from 2026-01-05T00:00:00+00:00)",
        ),
        (
            "group,minute,count\np,2026-01-04T23:59:00Z,5\n",
            "line 2",
            "minute: 2026-01-04 23:59:00+00:00 is outside the run",
        ),
    ],
)
def test_a_replay_with_a_bad_row_names_its_file_line_and_field(
    tmp_path: Path, rows: str, where: str, expected: str
) -> None:
    counts = tmp_path / "counts.csv"
    counts.write_text(rows)
    path, output = validate(tmp_path, f"- {{group: p, replay: {{path: {counts.name}}}}}")
    assert f"{counts} {where}: {expected}" in output, output
    assert output.startswith(f"{path}:5: demand[0].replay"), output


def test_a_replay_needs_one_column_saying_whom_each_count_is_for(tmp_path: Path) -> None:
    counts = tmp_path / "counts.csv"
    counts.write_text("minute,count\n0,5\n")
    _, output = validate(tmp_path, f"- {{group: p, replay: {{path: {counts.name}}}}}")
    assert "expected one column naming whom each count is for, `group` or `resource`" in output


def test_a_replay_refuses_a_profile_it_would_ignore(tmp_path: Path) -> None:
    counts = tmp_path / "counts.csv"
    counts.write_text("group,minute,count\np,0,5\n")
    demand = (
        f"- {{group: p, replay: {{path: {counts.name}}}, profile: {{time_zone: Europe/Dublin}}}}"
    )
    _, output = validate(tmp_path, demand)
    assert "with `replay`, the counts say when: profile would be ignored" in output


def test_a_burst_repeats_at_most_once_a_minute(tmp_path: Path) -> None:
    path, output = validate(
        tmp_path, "- {group: p, rate: 1/s, bursts: [{every: 10s, duration: 1s, multiplier: 2}]}"
    )
    assert output.startswith(f"{path}:5: demand[0].bursts[0].every: 10 s is shorter than a minute")


def test_the_run_s_estimate_counts_the_inference_requests_at_the_profile_s_mean() -> None:
    """2 models at 1/s over an hour from Monday 00:00, where the profile says x2, and x3 in
    a burst of a minute: 2 x 2 x 3600 x (1 + 2/60) requests (not the peak 2 x 2 x 3 all
    the time), and a `demand` row per model and minute; a billion a second for a month is
    refused before anything is drawn."""
    found = estimate(
        scenario(
            """
            name: sized
            horizon: 1h
            fleet: [{service: rekognition, project: p, count: 2}]
            demand:
              - group: p
                rate: 1/s
                profile: {hours: {"00:00-09:00": 2, "09:00-18:00": 1}}
                bursts: [{at: 10m, duration: 1m, multiplier: 3}]
            """
        ),
        replications=1,
    )
    # the hour from Monday 00:00 at multiplier 2, the burst's minute at 3 x that
    assert found.inference == pytest.approx(2 * 2 * 3600 * (1 + 2 * 60 / 3600))
    assert "about 0 stop requests, 14,880 inference requests" in found.describe()
    assert found.inference_rows == pytest.approx(2 * 60)  # each model, each minute
    huge = scenario(
        """
        name: huge
        horizon: 30d
        fleet: [{service: rekognition, project: p, count: 2}]
        demand: [{group: p, total: 1e9/s}]
        """
    )
    with pytest.raises(TooBig, match="inference requests"):
        check(estimate(huge, replications=1), available=16e9)


@pytest.mark.parametrize(("rate", "valid"), [("2/min", True), (0.5, True), ("2 per min", False)])
def test_the_json_schema_takes_a_rate_as_the_loader_does(rate: object, valid: bool) -> None:
    """Editors check a rate as the loader reads it: a number per second, or `<n>/<unit>`."""
    import jsonschema

    from simulator.scenario.model import Scenario

    document = {
        "name": "rates",
        "horizon": 3600,
        "fleet": [{"service": "rekognition", "project": "p", "count": 1}],
        "demand": [{"group": "p", "rate": rate}],
    }
    errors = list(
        jsonschema.Draft202012Validator(Scenario.model_json_schema()).iter_errors(document)
    )
    assert (errors == []) == valid


def test_the_estimate_counts_a_demand_row_per_model_and_minute_with_a_request() -> None:
    """Issue 16's benchmark: 200 models, 5/s split equally, 09:00-18:00 on weekdays for 30
    days from a Monday (22 weekdays): each model has a request in a minute with probability
    1 - exp(-1.5) (a run has 1,846,435 rows); a Zipf split concentrates them: fewer rows."""
    from simulator.scenario.demand_size import demand_rows

    text = """
        name: bench
        horizon: 30d
        fleet: [{service: rekognition, project: p, count: 200}]
        demand:
          - group: p
            total: 5/s
            profile: {hours: {"09:00-18:00": 1.0}, weekdays: {mon-fri: 1}}
        """
    equal = demand_rows(scenario(text))
    assert equal == pytest.approx(200 * 22 * 540 * -math.expm1(-1.5))
    zipf = demand_rows(scenario(text + "    popularity: {kind: zipf, s: 1.1}\n"))
    assert 0.5 * equal < zipf < 0.6 * equal  # a run: 1,025,639
