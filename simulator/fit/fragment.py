"""The scenario fragment `simulate fit` writes: fitted latencies a scenario can `include:`.

    # header: the sources, each latency's durations, every family's AIC and goodness-of-fit
    # p-value (a warning where the chosen one is rejected), the notes, the date
    services:
      rekognition:
        latency:
          stop: {kind: lognormal, median: 412.0, p95: 1392.0}

The header is YAML comments, so the file is read as the values alone; the values are
checked as a scenario checks them before the file is written, and the file is written
whole or not at all (`atomic_write`): an interrupted fit never leaves a fragment that looks
complete.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from simulator.fit.goodness import REJECTED
from simulator.fit.sample import Sample
from simulator.paths import write_bytes


@dataclass(frozen=True)
class Fitted:
    """One latency's fit, as the fragment reports it."""

    latency: str
    sample: Sample
    table: pd.DataFrame
    """The families ranked by AIC (the report's table)."""
    distribution: Mapping[str, Any]
    """The chosen family as the scenario writes it."""


def fragment_data(service: str, fitted: Sequence[Fitted]) -> dict[str, Any]:
    """The fragment's values: `{"services": {service: {"latency": {name: distribution}}}}`."""
    latencies = {f.latency: dict(f.distribution) for f in fitted}
    return {"services": {service: {"latency": latencies}}}


def fragment_text(
    service: str,
    fitted: Sequence[Fitted],
    sources: Sequence[str],
    notes: Sequence[str] = (),
    when: date | None = None,
) -> str:
    """The fragment as written: its header of comments, then its values."""
    when = when or date.today()
    lines = [
        f"Latencies of {service} fitted by `simulate fit` on {when.isoformat()}, from:",
        *(f"  {source}" for source in sources),
        "Include it in a scenario (paths relative to the scenario): include: [<this file>]",
        "",
    ]
    for fit in fitted:
        lines += _latency_lines(fit)
    if notes:
        lines += ["Notes:", *(f"  {note}" for note in notes)]
    header = "\n".join(f"# {line}".rstrip() for line in lines)
    values = yaml.safe_dump(
        fragment_data(service, fitted), sort_keys=False, default_flow_style=None
    )
    return f"{header}\n{values}"


def _latency_lines(fit: Fitted) -> list[str]:
    sample = fit.sample
    lines = [
        f"{fit.latency}: {sample.n} durations: {sample.exact_count} exact, "
        f"{sample.right_count} right-censored, {sample.interval_count} between polls",
        f"  {'family':<12}{'AIC':>12}{'dAIC':>9}{'GoF p':>8}{'median s':>11}{'p95 s':>11}",
    ]
    rows = fit.table.to_dict("records")
    for row in rows:
        lines.append(
            f"  {row['family']:<12}{row['aic']:>12.1f}{row['delta_aic']:>9.1f}"
            f"{row['gof_p']:>8.2f}{row['median']:>11.4g}{row['p95']:>11.4g}"
        )
    if rows and rows[0]["gof_p"] < REJECTED:
        lines.append(
            f"  WARNING: the chosen {rows[0]['family']} is rejected by the goodness of fit "
            f"(p < {REJECTED:g}): see the notes"
        )
    return [*lines, ""]


def check(service: str, fitted: Sequence[Fitted]) -> None:
    """Raise ScenarioError if a scenario would refuse the fragment's values."""
    from simulator.scenario.loader import validate_scenario

    data = {"name": "fitted", "horizon": 1.0, **fragment_data(service, fitted)}
    validate_scenario(data, "<fitted fragment>")


def write_fragment(path: Path, text: str) -> None:
    """`text` at `path`, whole or not at all."""
    write_bytes(path, text.encode("utf-8"))
