"""The README's boto3 section opens with an example a user can paste: it must run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


def test_the_readmes_boto3_example_runs_and_advances_the_clock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Your own boto3 code as the workload\n", 1)[1]
    example = re.search(r"```python\n(.*?)```", section, re.S)
    assert example is not None
    code = example.group(1)
    assert len([line for line in code.splitlines() if line.strip()]) == 5
    monkeypatch.chdir(ROOT)
    names: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), names)
    aws = names["aws"]
    assert aws.now >= 600  # type: ignore[attr-defined]
    stops = aws.results().stops  # type: ignore[attr-defined]
    assert stops["resource_id"].astype(str).tolist() == [names["arn"]]
    assert stops["outcome"].astype(str).tolist() == ["STOPPED"]
