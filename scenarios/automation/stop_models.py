# A nightly Lambda function that stops every running Rekognition Custom Labels model.
#
# What it shows: the code a platform team schedules with an EventBridge rule (cron(0 20 * * ? *)),
# unmodified, as the workload of a simulation (nightly-stop-lambda.yaml). botocore's
# paginators page through DescribeProjects and DescribeProjectVersions; every RUNNING model
# is stopped; then a loop polls each model until it is STOPPED (botocore ships waiters for
# RUNNING and TRAINING_COMPLETED only). The scenario throttles the API, so botocore's own
# retries meet ThrottlingException: their mode and attempts come from the function's
# environment (AWS_RETRY_MODE, AWS_MAX_ATTEMPTS), which a simulation takes from the stream's
# caller. The loop reads context.get_remaining_time_in_millis() to return a report before
# Lambda's timeout would end it.
from __future__ import annotations

import json
import time
from typing import Any

import boto3
from botocore.exceptions import ClientError

rekognition = boto3.client("rekognition")  # once per execution environment, as Lambda reuses it

POLL_SECONDS = 30
MARGIN_MS = 60_000
"""Stop waiting when less than a minute is left: enough for the last poll and the return."""


def version_name(version_arn: str) -> str:
    """`...:project/<project>/version/<name>/<stamp>` -> `<name>`."""
    return version_arn.split("/version/", 1)[1].rsplit("/", 1)[0]


def running_models() -> list[tuple[str, str]]:
    """(ProjectArn, ProjectVersionArn) of every RUNNING model of every Custom Labels project."""
    running = []
    for page in rekognition.get_paginator("describe_projects").paginate():
        for project in page["ProjectDescriptions"]:
            versions = rekognition.get_paginator("describe_project_versions")
            for listed in versions.paginate(ProjectArn=project["ProjectArn"]):
                running += [
                    (project["ProjectArn"], version["ProjectVersionArn"])
                    for version in listed["ProjectVersionDescriptions"]
                    if version["Status"] == "RUNNING"
                ]
    return running


def stop(models: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], list[str]]:
    """Stop each model: (the models stopping, the ARNs whose stop failed after retries)."""
    stopping, failed = [], []
    for project_arn, version_arn in models:
        try:
            rekognition.stop_project_version(ProjectVersionArn=version_arn)
        except ClientError as error:
            code = error.response["Error"]["Code"]
            if code == "ResourceInUseException":  # stopped or stopping by other means
                continue
            print(f"could not stop {version_arn}: {code}")  # to CloudWatch Logs
            failed.append(version_arn)
        else:
            stopping.append((project_arn, version_arn))
    return stopping, failed


def status_of(project_arn: str, version_arn: str) -> str:
    answer = rekognition.describe_project_versions(
        ProjectArn=project_arn, VersionNames=[version_name(version_arn)]
    )
    return str(answer["ProjectVersionDescriptions"][0]["Status"])


def wait_until_stopped(stopping: list[tuple[str, str]], context: Any) -> list[str]:
    """Poll each model in turn until it is STOPPED; the ARNs not seen STOPPED in time."""
    for done, (project_arn, version_arn) in enumerate(stopping):
        while True:
            if context.get_remaining_time_in_millis() < MARGIN_MS:
                return [arn for _, arn in stopping[done:]]
            try:
                if status_of(project_arn, version_arn) == "STOPPED":
                    break
            except ClientError as error:
                if error.response["Error"]["Code"] != "ThrottlingException":
                    raise
            time.sleep(POLL_SECONDS)
    return []


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    started = time.time()
    models = running_models()
    stopping, failed = stop(models)
    unconfirmed = wait_until_stopped(stopping, context)
    report = {
        "scheduled": event["time"],
        "running": len(models),
        "stopped": len(stopping) - len(unconfirmed),
        "failed": failed,
        "unconfirmed": unconfirmed,
        "seconds": round(time.time() - started, 1),
    }
    print(json.dumps(report))
    return report
