"""A nightly stop of Rekognition Custom Labels models, written as a platform team writes it.

`stop` is the Lambda function an EventBridge rule runs at 20:00: it pages through every
project and its versions, stops each RUNNING model, then every 30 s describes each model
not yet STOPPED until none is left (Rekognition's SDK ships no "stopped" waiter). `start`
is the morning's function: it starts each STOPPED model with the inference units it had.

`bench_automation.py` runs these in `nightly-stop-boto3.yaml` against the same workload
written with the built-in request streams (`nightly-stop-builtin.yaml`). Nothing here knows
it is simulated: the clients, paginators, `time.sleep` and the retries are boto3's.
"""

import time

import boto3

rekognition = boto3.client("rekognition")
POLL_S = 30


def models(status):
    """(project ARN, version name, description) of every model in `status`."""
    for page in rekognition.get_paginator("describe_projects").paginate():
        for project in page["ProjectDescriptions"]:
            arn = project["ProjectArn"]
            versions = rekognition.get_paginator("describe_project_versions")
            for listing in versions.paginate(ProjectArn=arn):
                for version in listing["ProjectVersionDescriptions"]:
                    if version["Status"] == status:
                        name = version["ProjectVersionArn"].split("/version/")[1].split("/")[0]
                        yield arn, name, version


def stop(event, context):
    pending = {}
    for project, name, version in list(models("RUNNING")):
        rekognition.stop_project_version(ProjectVersionArn=version["ProjectVersionArn"])
        pending[version["ProjectVersionArn"]] = (project, name)
    stopped = len(pending)
    while pending:
        for arn, (project, name) in list(pending.items()):
            found = rekognition.describe_project_versions(ProjectArn=project, VersionNames=[name])
            if found["ProjectVersionDescriptions"][0]["Status"] == "STOPPED":
                del pending[arn]
        if pending:
            time.sleep(POLL_S)
    return {"stopped": stopped, "at": event["time"]}


def start(event, context):
    started = 0
    for _, _, version in list(models("STOPPED")):
        rekognition.start_project_version(
            ProjectVersionArn=version["ProjectVersionArn"],
            MinInferenceUnits=version["MinInferenceUnits"],
        )
        started += 1
    return {"started": started, "at": event["time"]}
