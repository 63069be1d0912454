"""One workload written twice, for the retry cross-checks (`test_retry_modes.py`,
`test_retry_statistics.py`): a burst of Rekognition stops against a throttle, sent once by
the built-in callers and once by boto3 code in a handler.

Why the same calls come in the same order: the built-in stream sends each stop as its own
process (all at once where they share a moment), while a handler's loop would send one
after the other, waiting out each call's retries. So both sides are a replayed trace of one
stop per row, at the same times: the built-in stream replays (time, resource) rows, the
handler stream replays (time, event) rows whose event names the same resource, and each
invocation makes that one call. Both sides then have one call in flight per row, started at
the same moment, in the same order.

The built-in caller is one botocore client per service: its retry quota (standard) and its
rate limiter (adaptive) are shared by all its concurrent calls. Concurrent Lambda
invocations would each load the module and make a client of their own, so the handler takes
its client from a module on the path that every invocation imports (`burst_client.py`,
outside the handler's directory, whose modules each environment imports afresh): one
client, as the built-in caller has; each invocation prints its client's id, and `run`
checks that there was one.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.aws._kit import ACCOUNT, START, run_handler

STOP = "StopProjectVersion"
MODES = ("legacy", "standard", "adaptive")
COLUMNS = ["time", "attempt", "http_status", "error_code", "latency_s"]
STOP_COLUMNS = [
    "resource_id", "requested_at", "accepted", "error_code", "attempts", "outcome", "observed_at"
]  # fmt: skip

CLIENT = """\
import boto3

rekognition = boto3.client("rekognition")
"""
HANDLER = """\
import burst_client


def handler(event, context):
    print(id(burst_client.rekognition))
    burst_client.rekognition.stop_project_version(ProjectVersionArn=event["arn"])
"""
WAITING_HANDLER = """\
import time

import burst_client


def handler(event, context):
    rekognition = burst_client.rekognition
    print(id(rekognition))
    rekognition.stop_project_version(ProjectVersionArn=event["arn"])
    project, name = event["arn"].split("/version/")[0] + "/1", event["arn"].split("/")[-2]
    for _ in range(40):  # as an SDK waiter: a poll at once, then one every 30 s
        found = rekognition.describe_project_versions(ProjectArn=project, VersionNames=[name])
        if found["ProjectVersionDescriptions"][0]["Status"] == "STOPPED":
            return
        time.sleep(30)
"""


def arn(index: int) -> str:
    return f"arn:aws:rekognition:us-east-1:{ACCOUNT}:project/models/version/v{index}/1"


def settings(
    mode: str, stops: int, network: Any, stop_latency: Any, max_attempts: int | None = None
) -> dict[str, Any]:
    """`stops` RUNNING models, a throttle of 1 stop a second (burst 2), the caller `mode`
    (with the mode's own attempts, or `max_attempts`)."""
    retry = {"mode": mode, **({} if max_attempts is None else {"max_attempts": max_attempts})}
    return {
        "name": "burst",
        "start": f"{START:%Y-%m-%dT%H:%M:%SZ}",
        "horizon": "2h",
        "callers": {mode: {"network": network, "retry": retry}},
        "services": {
            "rekognition": {
                "latency": {"stop": stop_latency},
                "throttle": {STOP: {"rate": 1, "burst": 2}},
            }
        },
        "fleet": [{"service": "rekognition", "count": stops, "project": "models"}],
    }


def run(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    how: str,
    scenario: Mapping[str, Any],
    times: list[float],
    seed: int,
    wait: bool = False,
) -> dict[str, pd.DataFrame]:
    """The tables of the burst (one stop at each of `times`, to v0, v1, ...) sent by the
    built-in caller (`how` = "builtin") or by the handler (`how` = "handler"); with `wait`,
    each stop accepted is then polled every 30 s until its model is STOPPED."""
    mode = next(iter(scenario["callers"]))
    folder = tmp_path / f"{how}-{seed}"
    folder.mkdir()
    source = None
    if how == "builtin":
        rows = [{"time": t, "service": "rekognition", "resource": arn(i), "operation": STOP}
                for i, t in enumerate(times)]  # fmt: skip
        pd.DataFrame(rows).to_csv(folder / "trace.csv", index=False)
        stream = {"service": "rekognition", "replay": {"path": "trace.csv"}, "wait": wait}
    else:
        events = [{"time": t, "event": json.dumps({"arn": arn(i)})} for i, t in enumerate(times)]
        pd.DataFrame(events).to_csv(folder / "trace.csv", index=False)
        source = WAITING_HANDLER if wait else HANDLER
        lib = tmp_path / f"lib-{seed}"  # outside the handler's directory, whose modules
        lib.mkdir()  # each execution environment imports afresh, as Lambda does
        (lib / "burst_client.py").write_text(CLIENT)
        monkeypatch.syspath_prepend(str(lib))
        monkeypatch.delitem(sys.modules, "burst_client", raising=False)
        stream = {"handler": "code.py:handler", "replay": {"path": "trace.csv"}}
    streams = ({"name": "stops", "caller": mode, **stream},)
    tables = run_handler(folder, source, scenario=scenario, streams=streams, seed=seed)
    clients = set(tables["invocations"]["log"].astype(str))
    assert how == "builtin" or len(clients) == 1, f"{len(clients)} clients, not one"
    return tables


def attempts(tables: Mapping[str, pd.DataFrame], operation: str = STOP) -> pd.DataFrame:
    """The attempts of `operation`, in the order recorded, with the columns compared."""
    calls = tables["calls"]
    calls = calls[calls["operation"].astype(str) == operation]
    frame = calls[COLUMNS].reset_index(drop=True)
    frame["error_code"] = frame["error_code"].astype(object).fillna("-")
    return frame


def stops(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    frame = tables["stops"].sort_values("requested_at")[STOP_COLUMNS].reset_index(drop=True)
    for column in ("resource_id", "error_code", "outcome"):
        frame[column] = frame[column].astype(object).fillna("-")
    return frame
