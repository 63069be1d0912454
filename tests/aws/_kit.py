"""What the tests of user code against the simulation share: a scenario of all five
services with fixed latencies, and two ways to run user code in it:

- `in_simulation`: a test's own function inside `simulator.simulated_aws`, as a notebook
  or a user's test runs it (the simulation advances while the function waits); what it
  returns (or raises, an assertion included) comes back to the test, with the tables;
- `run_handler`: a handler file of the test's source, invoked by `handler:` streams as
  Lambda invokes it; what it prints is in the invocations table's `log`.
"""

from __future__ import annotations

import copy
import json
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from simulator import simulated_aws
from simulator.aws.actors import current
from simulator.runner import simulate
from simulator.scenario import load_scenario, parse_scenario

START = datetime(2026, 1, 5, tzinfo=UTC)
"""The scenarios' `start` (the simulator's default, a Monday)."""
ACCOUNT = "123456789012"
ROUND_TRIP = 0.2
"""Every caller's fixed network round trip: an answer is back 0.2 s after its request."""
NEPTUNE_ENDPOINT = "https://cluster.example:8182"

BASE: dict[str, Any] = {
    "name": "aws",
    "start": f"{START:%Y-%m-%dT%H:%M:%SZ}",
    "horizon": "2d",
    "callers": {
        "default": {"network": ROUND_TRIP},
        "denied": {"network": ROUND_TRIP, "permissions": ["s3:*"]},
    },
    "services": {
        "rekognition": {"latency": {"stop": 120, "start": 300, "training": 600}},
        "lookoutvision": {"latency": {"stop": 120, "start": 300}},
        "comprehend": {"latency": {"queue": 60, "training": 600, "stop": 300}},
        "neptune": {
            "latency": {
                "processing": 600,
                "training": 3600,
                "transform": 1200,
                "stop": 60,
                "clean": 300,
            }
        },
        "sagemaker": {"latency": {"orchestration": 2, "provisioning": 60, "stop": 30}},
    },
    "fleet": [
        {"service": "rekognition", "count": 2, "project": "models"},
        {"service": "rekognition", "count": 1, "project": "models", "status": "TRAINING_COMPLETED"},
        {"service": "lookoutvision", "count": 2, "project": "inspection"},
        {"service": "lookoutvision", "count": 1, "project": "inspection", "status": "TRAINED"},
        {"service": "comprehend", "count": 2, "name": "classifier", "status": "SUBMITTED"},
        {"service": "neptune", "count": 2, "name": "job"},
        {
            "service": "sagemaker",
            "pipeline": "p",
            "count": 2,
            "every": "10m",
            "steps": [
                {
                    "name": "prep",
                    "type": "Processing",
                    "instance_type": "ml.m5.xlarge",
                    "duration": "5m",
                },
                {"name": "approve", "type": "Callback", "depends_on": ["prep"], "queue": "q"},
            ],
        },
    ],
    "consumers": {"q": {"never_answers": 1}},
}
"""Rekognition versions v0, v1 RUNNING and v2 TRAINING_COMPLETED; Lookout models 1, 2
HOSTED and 3 TRAINED; classifiers 0 and 1 SUBMITTED (queued 60 s, then 600 s of training);
Neptune jobs job-0 and job-1 in processing; SageMaker executions 0 (at t=0) and 1 (at
10 min) of pipeline p, whose callback step no consumer answers. The caller `denied` may
call S3 only."""


def scenario(
    fleet: Sequence[Mapping[str, Any]] = (), **services: Mapping[str, Any]
) -> dict[str, Any]:
    """`BASE` with the entries of `fleet` added to its fleet, and each service given here
    with these settings added (`rekognition={"throttle": {...}}`), one level deep."""
    settings = copy.deepcopy(BASE)
    settings["fleet"] += fleet
    for name, extra in services.items():
        mine = settings["services"].setdefault(name, {})
        for key, value in extra.items():
            mine[key] = {**mine.get(key, {}), **value} if isinstance(value, Mapping) else value
    return settings


SCENARIO = scenario()

PROJECT_ARN = f"arn:aws:rekognition:us-east-1:{ACCOUNT}:project/models/1"
LOOKOUT_PROJECT_ARN = f"arn:aws:lookoutvision:us-east-1:{ACCOUNT}:project/inspection"
PIPELINE_ARN = f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:pipeline/p"


def version_arn(index: int) -> str:
    return f"arn:aws:rekognition:us-east-1:{ACCOUNT}:project/models/version/v{index}/1"


def model_arn(version: int) -> str:
    return f"arn:aws:lookoutvision:us-east-1:{ACCOUNT}:model/inspection/{version}"


def classifier_arn(index: int) -> str:
    return f"arn:aws:comprehend:us-east-1:{ACCOUNT}:document-classifier/classifier-{index}"


def execution_arn(index: int) -> str:
    return f"{PIPELINE_ARN}/execution/{index}"


def at(seconds: float) -> datetime:
    """The moment `seconds` of simulated time after the scenario's start."""
    return START + timedelta(seconds=seconds)


def client(service: str, **kwargs: Any) -> Any:
    """A boto3 client of `service`, as user code makes one (the Neptune data API needs its
    cluster's endpoint)."""
    import boto3

    if service == "neptunedata":
        kwargs.setdefault("endpoint_url", NEPTUNE_ENDPOINT)
    return boto3.client(service, **kwargs)


def now() -> float:
    """Simulated seconds since the start, as the running user code's clock reads them."""
    actor = current()
    assert actor is not None, "not inside a simulation"
    return float(actor.account.sim.now)


def unsimulated() -> dict[str, int]:
    """What the running user code's account counted as not simulated."""
    actor = current()
    assert actor is not None, "not inside a simulation"
    return dict(actor.account.unsimulated)


TABLES = ("transitions", "calls", "stops", "invocations")


@dataclass
class Ran:
    tables: dict[str, pd.DataFrame]
    value: Any


def in_simulation(
    body: Callable[[], Any],
    *,
    scenario: Mapping[str, Any] = SCENARIO,
    caller: str = "default",
    seed: int = 0,
) -> Ran:
    """`body()` inside `simulated_aws(scenario)` as `caller`: what it returned, and the
    tables when it returned."""
    with simulated_aws(parse_scenario(json.dumps(scenario)), seed=seed, caller=caller) as aws:
        value = body()
        results = aws.results()
    return Ran({name: getattr(results, name) for name in TABLES}, value)


def run_handler(
    tmp_path: Path,
    source: str | None,
    *,
    scenario: Mapping[str, Any] = SCENARIO,
    streams: tuple[Mapping[str, Any], ...] = (),
    seed: int = 0,
) -> dict[str, pd.DataFrame]:
    """The tables of replication 0 of `scenario` with its `requests` set to `streams`,
    written in `tmp_path` beside a handler file `code.py` of `source` (so a stream's
    `handler` is `code.py:<function>`; None: no file); by default one stream, which
    invokes `code.py:handler` at t=0."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    if source is not None:
        (tmp_path / "code.py").write_text(textwrap.dedent(source))
    streams = streams or ({"name": "code", "handler": "code.py:handler", "at": 0},)
    path = tmp_path / "scenario.yaml"  # JSON is YAML
    path.write_text(json.dumps({**scenario, "requests": list(streams)}))
    return simulate(load_scenario(path), seed, 0, baseline=False)
