"""An operation the simulator does not model, of a service it models or of one it does not,
answers user code as AWS answers an unknown operation: a `ClientError` with the code
UnknownOperationException, HTTP 400, and a message that names what is simulated; the run
counts each attempt (`Account.unsimulated`) and records it in `calls`, and a handler that
lets it escape is an invocation error with that message, never the run's.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from simulator.services import SERVICES
from tests.aws import _kit
from tests.aws._kit import client, version_arn

SIMULATED_SERVICES = "comprehend, lookoutvision, neptunedata, rekognition, sagemaker"


def _detect_custom_labels() -> Any:
    return client("rekognition").detect_custom_labels(
        ProjectVersionArn=version_arn(0), Image={"Bytes": b"\x89PNG"}
    )


def _get_caller_identity() -> Any:
    return client("sts").get_caller_identity()


def _list_buckets() -> Any:
    return client("s3").list_buckets()


def _list_training_jobs() -> Any:
    return client("sagemaker").list_training_jobs()


CALLS: dict[str, tuple[Callable[[], Any], str]] = {
    "rekognition:DetectCustomLabels": (
        _detect_custom_labels,
        "simulated operations: " + ", ".join(SERVICES["rekognition"].OPERATIONS),
    ),
    "sagemaker:ListTrainingJobs": (
        _list_training_jobs,
        "simulated operations: " + ", ".join(SERVICES["sagemaker"].OPERATIONS),
    ),
    "sts:GetCallerIdentity": (_get_caller_identity, f"simulated services: {SIMULATED_SERVICES}"),
    "s3:ListBuckets": (_list_buckets, f"simulated services: {SIMULATED_SERVICES}"),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_an_unknown_operation_names_what_is_simulated(name: str) -> None:
    call, simulated = CALLS[name]

    def body() -> tuple[tuple[str, str, int], dict[str, int]]:
        with pytest.raises(ClientError) as raised:
            call()
        error = raised.value.response
        seen = (error["Error"]["Code"], error["Error"]["Message"])
        return (*seen, error["ResponseMetadata"]["HTTPStatusCode"]), _kit.unsimulated()

    ran = _kit.in_simulation(body)
    answer, counted = ran.value
    assert answer == ("UnknownOperationException", f"{name} is not simulated; {simulated}", 400)
    assert counted == {name: 1}  # one attempt: botocore does not retry a 400 of this code


def test_the_run_counts_every_unsimulated_attempt() -> None:
    def body() -> dict[str, int]:
        for call, _ in (CALLS["sts:GetCallerIdentity"], CALLS["s3:ListBuckets"]):
            for _ in range(2):
                with pytest.raises(ClientError):
                    call()
        client("rekognition").describe_projects()  # simulated: not counted
        return _kit.unsimulated()

    ran = _kit.in_simulation(body)
    assert ran.value == {"sts:GetCallerIdentity": 2, "s3:ListBuckets": 2}
    calls = ran.tables["calls"]
    rows = zip(
        calls["service"].astype(str),
        calls["operation"].astype(str),
        calls["attempt"],
        calls["http_status"],
        calls["error_code"].astype(object).fillna("-"),
        strict=True,
    )
    unknown = ("UnknownOperationException",)
    assert list(rows) == [
        *[("sts", "GetCallerIdentity", 1, 400, *unknown)] * 2,
        *[("s3", "ListBuckets", 1, 400, *unknown)] * 2,
        ("rekognition", "DescribeProjects", 1, 200, "-"),
    ]


def test_a_handler_that_lets_it_escape_is_an_invocation_error(tmp_path: Path) -> None:
    tables = _kit.run_handler(
        tmp_path,
        """
        import boto3

        sts = boto3.client("sts")


        def handler(event, context):
            return sts.get_caller_identity()
        """,
    )
    [invocation] = tables["invocations"].to_dict("records")
    assert (invocation["outcome"], invocation["error_type"]) == ("error", "ClientError")
    assert invocation["error_message"] == (
        "An error occurred (UnknownOperationException) when calling the GetCallerIdentity "
        f"operation: sts:GetCallerIdentity is not simulated; simulated services: "
        f"{SIMULATED_SERVICES}"
    )
