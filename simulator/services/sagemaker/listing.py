"""SageMaker Pipelines' listings: which pipelines and executions ListPipelines and
ListPipelineExecutions answer, in which order, and the summary of each.

A pipeline is created when its fleet entry is added (t=0) and never modified
(LastModifiedTime: its creation, ASSUMED); an execution is created when it starts. Both
listings keep what was created strictly after `CreatedAfter` and strictly before
`CreatedBefore` (ASSUMED: the pages say "after" and "before"), sort by `SortBy` (default
CreationTime, DOC) in `SortOrder` (default Descending, ASSUMED: as SageMaker's other
listings), and page through `LIST_PAGE` at a time without MaxResults (ASSUMED). Items
created at the same time are in creation order, ascending; reversed, descending.

ListPipelines lists the pipelines whose name starts with `PipelineNamePrefix`; they are
the user's own (DOC: without `ManagedBy`, "only pipelines that you created"), so
`ManagedBy: AWS` lists none. ListPipelineExecutions takes the pipeline's name or ARN (an
unknown one is ResourceNotFound); no pipeline here has versions, so any
`PipelineVersionAlias` is ResourceNotFound (DOC: "If no version of the pipeline has this
alias, the request fails with a ResourceNotFound error").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from simulator.services.sagemaker.model import PipelineExecutionStatus, ResourceNotFound
from simulator.services.sagemaker.settings import Fleet

if TYPE_CHECKING:
    from simulator.services.sagemaker.dag import Execution

T = TypeVar("T")


@dataclass(eq=False)
class Pipeline:
    """A pipeline of the scenario: its definition, when it was created, its executions."""

    shape: Fleet
    created: float
    executions: list[Execution] = field(default_factory=list)
    """In the order they started."""


def ordered(
    items: Iterable[T],
    params: Mapping[str, Any],
    created: Callable[[T], float],
    keys: Mapping[str, Callable[[T], Any]],
) -> list[T]:
    """`items` (in creation order) created within the request's CreatedAfter and
    CreatedBefore, sorted by its SortBy (one of `keys`) in its SortOrder."""
    after, before = params.get("CreatedAfter"), params.get("CreatedBefore")
    kept = [
        item
        for item in items
        if (after is None or created(item) > after) and (before is None or created(item) < before)
    ]
    kept.sort(key=keys[params.get("SortBy", "CreationTime")])
    if params.get("SortOrder", "Descending") == "Descending":
        kept.reverse()
    return kept


def pipelines(listed: Iterable[Pipeline], params: Mapping[str, Any]) -> list[Pipeline]:
    """The pipelines ListPipelines answers, in its order."""
    if params.get("ManagedBy", "CUSTOMER") != "CUSTOMER":
        return []
    prefix = params.get("PipelineNamePrefix", "")
    named = [p for p in listed if p.shape.pipeline.startswith(prefix)]
    keys = {"CreationTime": _created, "Name": _name}
    return ordered(named, params, _created, keys)


def executions(known: Mapping[str, Pipeline], params: Mapping[str, Any]) -> list[Execution]:
    """The executions ListPipelineExecutions answers, in its order."""
    name = params["PipelineName"]
    pipeline = known.get(name.rsplit(":pipeline/", 1)[-1])
    if pipeline is None or (":pipeline/" in name and pipeline.shape.pipeline_arn() != name):
        raise ResourceNotFound(f"Pipeline {name} does not exist")
    alias = params.get("PipelineVersionAlias")
    if alias is not None:
        raise ResourceNotFound(f"No version of pipeline {name} has the alias {alias}")
    keys = {"CreationTime": _started, "PipelineExecutionArn": _arn}
    return ordered(pipeline.executions, params, _started, keys)


def pipeline_summary(pipeline: Pipeline) -> dict[str, Any]:
    name = pipeline.shape.pipeline
    summary: dict[str, Any] = {
        "PipelineArn": pipeline.shape.pipeline_arn(),
        "PipelineName": name,
        "PipelineDisplayName": name,
        "CreationTime": pipeline.created,
        "LastModifiedTime": pipeline.created,
    }
    if pipeline.executions:
        summary["LastExecutionTime"] = pipeline.executions[-1].resource.created
    return summary


def execution_summary(execution: Execution) -> dict[str, Any]:
    resource = execution.resource
    summary: dict[str, Any] = {
        "PipelineExecutionArn": resource.id,
        "StartTime": resource.created,
        "PipelineExecutionStatus": resource.status,  # a StrEnum member is its string
        "PipelineExecutionDisplayName": display_name(resource.id),
    }
    if resource.status is PipelineExecutionStatus.Failed and execution.failed is not None:
        summary["PipelineExecutionFailureReason"] = execution.failed
    return summary


def display_name(execution_arn: str) -> str:
    """An execution's display name: its ARN's last part (SageMaker's generated id)."""
    return execution_arn.rsplit("/", 1)[1]


def _created(pipeline: Pipeline) -> float:
    return pipeline.created


def _name(pipeline: Pipeline) -> str:
    return pipeline.shape.pipeline


def _started(execution: Execution) -> float:
    return execution.resource.created


def _arn(execution: Execution) -> str:
    return execution.resource.id
