"""A bad policy gets one clear message naming the file, the line and the field, and exit
status 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulator.cli import app

runner = CliRunner()
GOOD = """\
name: p
horizon: 1d
fleet:
  - {service: rekognition, project: shop, count: 2}
policies:
  office:
    kind: schedule
    groups: [shop]
    time_zone: Europe/Dublin
    periods:
      - {begin: "09:00", end: "18:00", weekdays: mon-fri}
"""
BAD = {
    "unknown group": (
        ("groups: [shop]", "groups: [shops]"),
        ":8: policies.office.groups[0]: no rekognition or lookoutvision fleet entry has group "
        "'shops'; groups are shop",
    ),
    "unknown time zone": (
        ("Europe/Dublin", "Europe/Dubln"),
        ":9: policies.office.time_zone: unknown time zone 'Europe/Dubln'",
    ),
    "end before begin": (
        ('end: "18:00"', 'end: "02:00"'),
        ":11: policies.office.periods[0].end: 02:00 is not after begin 09:00; Instance "
        "Scheduler has no period across midnight: write two periods",
    ),
    "attempts on a schedule": (
        ("    time_zone: Europe/Dublin\n", "    time_zone: Europe/Dublin\n    attempts: 5\n"),
        ":10: policies.office.attempts: a schedule never gives up on a model: it sends a "
        "refused start or stop again every `retry` until its next edge",
    ),
    "an end past 24:00": (
        ('end: "18:00"', 'end: "24:30"'),
        ":11: policies.office.periods[0].end: String should match pattern",
    ),
    "unknown weekday": (
        ("weekdays: mon-fri", "weekdays: mon-fry"),
        ":11: policies.office.periods[0].weekdays: 'mon-fry' is not a day or a range of days",
    ),
}


def test_the_good_file_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "good.yaml"
    path.write_text(GOOD)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_policy_is_one_clear_message_and_status_2(case: str, tmp_path: Path) -> None:
    (old, new), expected = BAD[case]
    assert old in GOOD
    path = tmp_path / "bad.yaml"
    path.write_text(GOOD.replace(old, new))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith(f"{path}{expected}"), lines[0]
