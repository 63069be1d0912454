# Stop stale SageMaker pipeline executions: every one still executing hours after it started.
#
# What it shows: a scheduled Lambda function (sagemaker-stale-executions.yaml) that pages
# through ListPipelines and ListPipelineExecutions with botocore's paginators and stops,
# oldest first, each execution still Executing STALE_HOURS after its StartTime, one at a
# time, waiting for each to end before the next so its outcome is logged. Each
# StopPipelineExecution carries a fresh ClientRequestToken (uuid4): the token makes one
# stop idempotent across botocore's retries, and a token reused for another request is a
# ConflictException. ConflictException is also what an execution that has ended answers,
# and one that ends while earlier stops are awaited does: the function retries it with a
# new token after a pause, unless DescribePipelineExecution shows the execution has ended.
from __future__ import annotations

import json
import os
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from botocore.exceptions import ClientError

sagemaker = boto3.client("sagemaker")

STALE = timedelta(hours=float(os.environ.get("STALE_HOURS", "3")))
ENDED = {"Stopped", "Failed", "Succeeded"}
CONFLICT_RETRIES = 3
POLL_SECONDS = 15
MARGIN_MS = 60_000


def stale_executions(now: datetime) -> list[str]:
    """The ARNs of the executions of every pipeline still Executing, started over STALE ago,
    oldest first."""
    stale = []
    for page in sagemaker.get_paginator("list_pipelines").paginate():
        for pipeline in page["PipelineSummaries"]:
            executions = sagemaker.get_paginator("list_pipeline_executions").paginate(
                PipelineName=pipeline["PipelineName"],
                CreatedBefore=now - STALE,
                SortBy="CreationTime",
                SortOrder="Ascending",
            )
            stale += [
                (execution["StartTime"], execution["PipelineExecutionArn"])
                for listed in executions
                for execution in listed["PipelineExecutionSummaries"]
                if execution["PipelineExecutionStatus"] == "Executing"
            ]
    return [arn for _, arn in sorted(stale)]


def status_of(arn: str) -> str:
    described = sagemaker.describe_pipeline_execution(PipelineExecutionArn=arn)
    return str(described["PipelineExecutionStatus"])


def stop(arn: str) -> str:
    """Stop one execution: 'stopping', or the status it had ended in before it could be."""
    attempt = 0
    while True:
        try:
            sagemaker.stop_pipeline_execution(
                PipelineExecutionArn=arn, ClientRequestToken=str(uuid.uuid4())
            )
            return "stopping"
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConflictException":
                raise
            if attempt == CONFLICT_RETRIES:
                raise
        status = status_of(arn)
        print(f"ConflictException stopping {arn}: it is {status}")
        if status in ENDED:
            return status
        attempt += 1
        time.sleep(2**attempt)


def wait_until_ended(arn: str, context: Any) -> str | None:
    """The status the execution ends in, or None if the function's time runs short."""
    while context.get_remaining_time_in_millis() > MARGIN_MS:
        status = status_of(arn)
        if status in ENDED:
            return status
        time.sleep(POLL_SECONDS)
    return None


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    outcomes: dict[str, str | None] = {}
    for arn in stale_executions(now):
        if context.get_remaining_time_in_millis() < MARGIN_MS:
            break  # the next scheduled run finds the rest
        stopped = stop(arn)
        outcomes[arn] = wait_until_ended(arn, context) if stopped == "stopping" else stopped
    report = {"at": now.isoformat(), "outcomes": outcomes}
    print(json.dumps(report))
    return report
