"""Round-trip cases of the services whose resources are processes: SageMaker Pipelines and
Neptune ML (see `_round_trip.py`). Times: a 0.2 s round trip, the latencies of
`_kit.SCENARIO`."""

from __future__ import annotations

import time
from typing import Any

from tests.aws._kit import ACCOUNT, PIPELINE_ARN, at, client, execution_arn
from tests.aws._round_trip import assert_moment, body, case, status_code

# -- SageMaker Pipelines ---------------------------------------------------------------------


def _execution_status(sagemaker: Any, index: int) -> str:
    described = sagemaker.describe_pipeline_execution(PipelineExecutionArn=execution_arn(index))
    return str(described["PipelineExecutionStatus"])


def _callback_token(sagemaker: Any, index: int) -> str:
    steps = sagemaker.list_pipeline_execution_steps(PipelineExecutionArn=execution_arn(index))
    callback = steps["PipelineExecutionSteps"][0]
    assert callback["StepName"] == "approve"
    return str(callback["Metadata"]["Callback"]["CallbackToken"])


@case("sagemaker", "StopPipelineExecution")
def _stop_execution() -> None:
    sagemaker = client("sagemaker")
    answer = sagemaker.stop_pipeline_execution(PipelineExecutionArn=execution_arn(0))
    assert body(answer) == {"PipelineExecutionArn": execution_arn(0)}
    time.sleep(600)  # its Processing job was still Starting: it stopped at once
    assert _execution_status(sagemaker, 0) == "Stopped"
    assert _execution_status(sagemaker, 1) == "Executing"  # started at 600 s


@case("sagemaker", "DescribePipelineExecution")
def _describe_execution() -> None:
    answer = client("sagemaker").describe_pipeline_execution(PipelineExecutionArn=execution_arn(0))
    assert body(answer) == {
        "PipelineArn": PIPELINE_ARN,
        "PipelineExecutionArn": execution_arn(0),
        "PipelineExecutionDisplayName": "0",
        "PipelineExecutionStatus": "Executing",
        "ParallelismConfiguration": {"MaxParallelExecutionSteps": 50},
    }


@case("sagemaker", "ListPipelineExecutionSteps")
def _list_steps() -> None:
    sagemaker = client("sagemaker")
    time.sleep(400)  # prep: orchestration 2 s, provisioning 60 s, 300 s; approve from 364
    steps = sagemaker.list_pipeline_execution_steps(
        PipelineExecutionArn=execution_arn(0), SortOrder="Ascending"
    )["PipelineExecutionSteps"]
    assert [(s["StepName"], s["StepStatus"], s["AttemptCount"]) for s in steps] == [
        ("prep", "Succeeded", 1),
        ("approve", "Executing", 1),
    ]
    prep, approve = steps
    assert_moment(prep["StartTime"], 2.0)
    assert_moment(prep["EndTime"], 362.0)
    assert_moment(approve["StartTime"], 364.0)
    assert "EndTime" not in approve
    job = f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:processing-job/"
    assert prep["Metadata"]["ProcessingJob"]["Arn"].startswith(job)
    queue = approve["Metadata"]["Callback"]
    assert queue["SqsQueueUrl"].endswith(f"/{ACCOUNT}/q")
    assert len(queue["CallbackToken"]) == 10
    assert queue["CallbackToken"].isalnum()


@case("sagemaker", "ListPipelineExecutions")
def _list_executions() -> None:
    sagemaker = client("sagemaker")
    time.sleep(700)
    answer = sagemaker.list_pipeline_executions(PipelineName="p")
    summaries = answer["PipelineExecutionSummaries"]
    assert [(s["PipelineExecutionArn"], s["PipelineExecutionStatus"]) for s in summaries] == [
        (execution_arn(1), "Executing"),  # newest first
        (execution_arn(0), "Executing"),
    ]
    assert_moment(summaries[0]["StartTime"], 600.0)
    assert_moment(summaries[1]["StartTime"], 0.0)
    later = sagemaker.list_pipeline_executions(PipelineName=PIPELINE_ARN, CreatedAfter=at(300))
    assert [s["PipelineExecutionArn"] for s in later["PipelineExecutionSummaries"]] == [
        execution_arn(1)
    ]


@case("sagemaker", "ListPipelines")
def _list_pipelines() -> None:
    sagemaker = client("sagemaker")
    time.sleep(700)
    [pipeline] = sagemaker.list_pipelines(PipelineNamePrefix="p")["PipelineSummaries"]
    assert_moment(pipeline.pop("CreationTime"), 0.0)
    assert_moment(pipeline.pop("LastModifiedTime"), 0.0)
    assert_moment(pipeline.pop("LastExecutionTime"), 600.0)
    assert pipeline == {
        "PipelineArn": PIPELINE_ARN,
        "PipelineName": "p",
        "PipelineDisplayName": "p",
    }
    assert sagemaker.list_pipelines(ManagedBy="AWS")["PipelineSummaries"] == []


@case("sagemaker", "SendPipelineExecutionStepSuccess")
def _send_success() -> None:
    sagemaker = client("sagemaker")
    time.sleep(400)
    token = _callback_token(sagemaker, 0)
    answer = sagemaker.send_pipeline_execution_step_success(
        CallbackToken=token, OutputParameters=[{"Name": "approved", "Value": "yes"}]
    )
    assert body(answer) == {"PipelineExecutionArn": execution_arn(0)}
    time.sleep(10)
    assert _execution_status(sagemaker, 0) == "Succeeded"


@case("sagemaker", "SendPipelineExecutionStepFailure")
def _send_failure() -> None:
    sagemaker = client("sagemaker")
    time.sleep(400)
    token = _callback_token(sagemaker, 0)
    answer = sagemaker.send_pipeline_execution_step_failure(
        CallbackToken=token, FailureReason="rejected"
    )
    assert body(answer) == {"PipelineExecutionArn": execution_arn(0)}
    time.sleep(10)
    described = sagemaker.describe_pipeline_execution(PipelineExecutionArn=execution_arn(0))
    assert described["PipelineExecutionStatus"] == "Failed"


# -- Neptune ML ------------------------------------------------------------------------------


@case("neptune", "CancelMLModelTrainingJob")
def _cancel_job() -> None:
    neptune = client("neptunedata")
    answer = neptune.cancel_ml_model_training_job(id="job-0", clean=True)
    assert (status_code(answer), body(answer)) == (200, {"status": "Stopping"})
    time.sleep(60)  # its processing part stops in a fixed 60 s
    assert neptune.get_ml_model_training_job(id="job-0")["status"] == "Stopped"


@case("neptune", "GetMLModelTrainingJob")
def _get_job() -> None:
    neptune = client("neptunedata")
    answer = neptune.get_ml_model_training_job(id="job-1")
    assert body(answer) == {
        "id": "job-1",
        "status": "InProgress",
        "processingJob": {"name": "job-1-processing", "status": "InProgress"},
    }
    time.sleep(600)  # processing ends at 600: HPO starts
    answer = neptune.get_ml_model_training_job(id="job-1")
    assert answer["processingJob"]["status"] == "Completed"
    assert answer["hpoJob"] == {"name": "job-1-training", "status": "InProgress"}


@case("neptune", "ListMLModelTrainingJobs")
def _list_jobs() -> None:
    neptune = client("neptunedata")
    assert body(neptune.list_ml_model_training_jobs()) == {"ids": ["job-0", "job-1"]}
    assert neptune.list_ml_model_training_jobs(maxItems=1)["ids"] == ["job-0"]
