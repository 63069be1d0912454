"""What makes two variants of a study the same: a digest of the resolved scenario.

A sweep (`simulator.sweeps`) keeps each variant's digest in its sweep.json and refuses to mix
a unit run for another scenario into a study under the same variant name.
"""

from __future__ import annotations

import hashlib
import json

from simulator.scenario.handler import Invocations
from simulator.scenario.model import Scenario


def scenario_digest(scenario: Scenario) -> str:
    """A digest of what a variant runs: its resolved scenario, seed and count aside.

    A replayed trace counts by its contents, not by where it lies: an edited trace makes
    another scenario, and a study moved to another directory stays the same one.
    """
    data = scenario.model_dump(
        mode="json", by_alias=True, exclude={"sweep", "seed", "replications"}
    )
    for resolved, requests in zip(data["requests"], scenario.requests, strict=True):
        if isinstance(requests, Invocations):  # the code, wherever it lies, is the study's
            code = requests.handler.path.read_bytes()
            resolved["handler"] = {
                "function": requests.handler.function,
                "sha256": hashlib.sha256(code).hexdigest(),
            }
        if requests.replay is not None:
            trace = requests.replay.contents()
            resolved["replay"] = {"sha256": hashlib.sha256(trace).hexdigest()}
    for resolved, demand in zip(data["demand"], scenario.demand, strict=True):
        if demand.replay is not None:  # replayed counts, as a trace
            counts = demand.replay.contents()
            resolved["replay"] = {"sha256": hashlib.sha256(counts).hexdigest()}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]
