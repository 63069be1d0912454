"""What `run` and `report` print about a scenario's log replays: what each made of its log
(replayed, ignored, callers, resources) and its stops beside the simulation's.

Imported by `simulator.cli.answers` when a run's answers are printed.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from simulator.results import Results
from simulator.scenario.logs import LogReplay


def log_replays(results: Results) -> list[tuple[str, pd.DataFrame]]:
    """A titled table per log replay, then the stops compared (none without a log replay)."""
    tables = []
    for index, requests in results.scenario.operation_streams:
        if isinstance(requests.replay, LogReplay):
            lines = requests.replay.report.lines()
            frame = pd.DataFrame(
                [(what, f"{count:,}", detail) for what, count, detail in lines],
                columns=["replayed from the log", "records", "detail"],
            )
            tables.append((f"{results.scenario.stream_name(index)}: what the log held", frame))
    if tables:
        compared = results.replayed()
        for column in ("rejected_in_simulation", "same_outcome"):
            compared[column] = [f"{value:,.4g}" for value in compared[column]]
        tables.append(("stops: the log against the simulation (mean per replication)", compared))
    return tables


def log_replays_json(results: Results) -> list[dict[str, Any]]:
    """Each log replay's report as records, for `--json`."""
    return [
        {
            "stream": results.scenario.stream_name(index),
            "log": str(requests.replay.path),
            "lines": [
                {"what": what, "records": count, "detail": detail}
                for what, count, detail in requests.replay.report.lines()
            ],
        }
        for index, requests in results.scenario.operation_streams
        if isinstance(requests.replay, LogReplay)
    ]
