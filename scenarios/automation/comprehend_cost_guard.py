# A cost guard: stop every Comprehend classifier that has trained for longer than its budget.
#
# What it shows: a scheduled Lambda function (comprehend-cost-guard.yaml runs it every hour)
# that reads the clock as user code does, with datetime.now, which a simulation answers in
# simulated time. It pages through ListDocumentClassifiers with its one-condition Filter
# (Status: TRAINING, so a classifier already stopping is not listed again), and stops each
# whose SubmitTime is more than BUDGET_HOURS ago. A classifier that finishes between the
# listing and its stop answers InvalidRequestException: training ended on its own, which is
# no failure of the guard. Everything else it cannot stop fails the invocation, so the
# team's alarm on the function's errors sees it.
from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from botocore.exceptions import ClientError

comprehend = boto3.client("comprehend")

BUDGET = timedelta(hours=float(os.environ.get("BUDGET_HOURS", "4")))
"""Training past this since submission is stopped (the function's environment may say)."""


def over_budget(now: datetime) -> list[dict[str, Any]]:
    """The classifiers in TRAINING submitted more than BUDGET before `now`."""
    listing = comprehend.get_paginator("list_document_classifiers")
    return [
        classifier
        for page in listing.paginate(Filter={"Status": "TRAINING"})
        for classifier in page["DocumentClassifierPropertiesList"]
        if now - classifier["SubmitTime"] > BUDGET
    ]


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    stopped, finished = [], []
    for classifier in over_budget(now):
        arn = classifier["DocumentClassifierArn"]
        try:
            comprehend.stop_training_document_classifier(DocumentClassifierArn=arn)
        except ClientError as error:
            if error.response["Error"]["Code"] != "InvalidRequestException":
                raise
            finished.append(arn)  # it ended between the listing and the stop
        else:
            stopped.append(arn)
    report = {"at": now.isoformat(), "stopped": stopped, "finished_meanwhile": finished}
    print(json.dumps(report))
    return report
