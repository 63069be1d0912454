"""Neptune ML's ListMLModelTrainingJobs: the first `maxItems` job ids, whatever their status."""

from __future__ import annotations

from typing import Any

import pytest

from tests.kit import Service, build_model, calls, codes, run

JOBS = """
name: unit
horizon: 3h
services:
  neptune:
    latency: {processing: 10m, training: 1h, transform: 20m, stop: 60s, clean: 5m}
fleet:
  - {service: neptune, count: 8, name: nightly}
  - {service: neptune, count: 4, name: adhoc}
"""
LIST = "ListMLModelTrainingJobs"
NEPTUNE = Service("neptune", stop="CancelMLModelTrainingJob")
NIGHTLY = [f"nightly-{i}" for i in range(8)]
ADHOC = [f"adhoc-{i}" for i in range(4)]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, [*NIGHTLY, *ADHOC[:2]]),  # 10 by default
        ({"maxItems": 1}, NIGHTLY[:1]),
        ({"maxItems": 9}, [*NIGHTLY, *ADHOC[:1]]),
        ({"maxItems": 12}, [*NIGHTLY, *ADHOC]),
        ({"maxItems": 1024}, [*NIGHTLY, *ADHOC]),
        (
            {"neptuneIamRoleArn": "arn:aws:iam::123456789012:role/NeptuneMLRole"},
            NIGHTLY + ADHOC[:2],
        ),
    ],
)
def test_the_first_max_items_in_the_order_they_started(
    params: dict[str, Any], expected: list[str]
) -> None:
    assert NEPTUNE.handle(build_model(JOBS), LIST, params) == {"ids": expected}


def test_jobs_are_listed_whatever_their_status() -> None:
    built = build_model(JOBS)
    NEPTUNE.handle(built, "CancelMLModelTrainingJob", {"id": "nightly-0"})
    built.sim.env.run(until=3 * 3600)  # the others have completed by now
    get = [NEPTUNE.handle(built, "GetMLModelTrainingJob", {"id": i})["status"] for i in NIGHTLY[:2]]
    assert get == ["Stopped", "Completed"]
    assert NEPTUNE.handle(built, LIST, {"maxItems": 2}) == {"ids": NIGHTLY[:2]}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"maxItems": 0}, ("InvalidParameterException", 400)),
        ({"maxItems": 1025}, ("InvalidParameterException", 400)),
        ({"maxItems": "5"}, ("InvalidParameterException", 400)),
        ({"id": "nightly-0"}, ("InvalidParameterException", 400)),
        (
            {"neptuneIamRoleArn": "arn:aws:iam::123456789012:role/Other"},
            ("BadRequestException", 400),
        ),
    ],
)
def test_refusals(params: dict[str, Any], expected: tuple[str, int]) -> None:
    assert NEPTUNE.error(build_model(JOBS), LIST, params) == expected


def test_a_request_stream_lists_the_clusters_jobs() -> None:
    built = build_model(JOBS)
    service = built.services["neptune"]
    assert service.request(LIST, service.resources["adhoc-3"], maxItems=3) == {"maxItems": 3}
    stream = "{service: neptune, operation: ListMLModelTrainingJobs, at: 1m, count: 2}"
    text = f"{JOBS}requests:\n  - {stream}\n"
    assert codes(calls(run(text, baseline=False), LIST)) == ["-", "-"]
