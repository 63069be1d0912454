"""A policy sweep pairs on common random numbers: the same policy in two variants gives the
same tables to the bit, and the paired difference of every metric is exactly 0."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd

from simulator.scenario import parse_scenario
from simulator.sweeps import sweep

SCENARIO = """\
    name: policy-sweep
    seed: 7
    replications: 2
    horizon: 6h
    fleet:
      - {service: rekognition, project: p, count: 4}
    demand:
      - {group: p, rate: 6/h, serving: {on_not_running: wait, max_wait: 5m}}
    policies:
      idle: {kind: idle_stop, groups: [p], after: 15m}
    sweep:
      baseline: first
      variants:
        - {name: first, set: {policies.idle.after: 15m}}
        - {name: same, set: {policies.idle.after: 15m}}
        - {name: longer, set: {policies.idle.after: 30m}}
    """


def test_two_identical_policies_differ_by_exactly_zero(tmp_path: Path) -> None:
    results = sweep(parse_scenario(textwrap.dedent(SCENARIO)), out=tmp_path / "s", workers=1)
    first, same, longer = (results.results(v).tables for v in ("first", "same", "longer"))
    for name in ("transitions", "calls", "costs", "demand", "waits"):
        pd.testing.assert_frame_equal(first[name], same[name])
    assert not first["transitions"].equals(longer["transitions"])  # the sweep varies
    comparison = results.comparison().set_index(["variant", "metric"])
    paired = comparison.loc["same"].dropna(subset=["diff"])
    assert {"rekognition.billed_usd", "rekognition.cold_starts"} <= set(paired.index)
    assert (paired["diff"] == 0).all()
    assert (paired[["diff_ci_low", "diff_ci_high"]] == 0).all().all()
    assert comparison.loc[("longer", "rekognition.billed_usd"), "diff"] != 0
