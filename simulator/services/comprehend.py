"""Comprehend: custom document classifier training (StopTrainingDocumentClassifier).

    SUBMITTED -> TRAINING -> TRAINED | TRAINED_WITH_WARNING | IN_ERROR
    TRAINING  --stop--> STOP_REQUESTED -> STOPPED, unless training ends first -> TRAINED
              (or TRAINED_WITH_WARNING, IN_ERROR: as training's outcome draws)
    SUBMITTED --stop--> STOP_REQUESTED -> STOPPED (nothing trained: ASSUMED)

The race is documented: "If the training job completes before it can be stopped, it is put
into the TRAINED [state]; otherwise the training job is stopped and put into the STOPPED
state." Both clocks run from the stop: the training's own remaining time (drawn when it
entered TRAINING) and the stop's latency; whichever fires first moves the classifier, and
the other finds it gone and does nothing. With exponential clocks the share ending TRAINED
is mu_train / (mu_train + mu_stop) (the statistical tests hold it to that).

StopTrainingDocumentClassifier answers HTTP 200 with an empty body. TooManyRequestsException
and ResourceNotFoundException are HTTP 400 on the API reference page, which the simulator
follows; botocore 1.44's model (protocol smithy-rpc-v2-cbor) says 429 and 404. The status
decides whether botocore's legacy mode retries a throttle (400: no; 429: yes); standard mode
retries TooManyRequestsException by its code either way.

A stop in another status (ASSUMED): STOP_REQUESTED is a 200 no-op; TRAINED,
TRAINED_WITH_WARNING, IN_ERROR and STOPPED are InvalidRequestException, as Comprehend's other
stop calls document; DELETING or an unknown ARN is ResourceNotFoundException.

Training is billed per second at $3.00/h from TRAINING until it ends (after a stop: until
STOPPED or TRAINED, ASSUMED); a trained model costs $0.50 per model-month of management.

ListDocumentClassifiers lists every classifier with its status and SubmitTime (when its
fleet entry was added, ASSUMED), in pages of `MaxResults` (default 100, at most 500: DOC)
with a NextToken while more are left; a token the service did not give for that request is
InvalidRequestException (ASSUMED). Its `Filter` sets one condition (DOC: "You can only set
one filter at a time"; two or more are InvalidFilterException, ASSUMED): a status, a name
(the classifier's versions too), or a submit time strictly before (listed oldest first,
DOC) or after (newest first, DOC); without one, in creation order (ASSUMED). Times are
simulated seconds since the start, in the filter as in the answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final, Literal

from pydantic import Field, model_validator

from simulator.api.errors import ErrorSpec
from simulator.api.operations import Operation, Price, ServiceErrors, ServiceSettings
from simulator.api.validation import Param
from simulator.engine.distributions import Distribution, Lognormal
from simulator.engine.lifecycle import Transitions
from simulator.engine.schema import Probability, Strict
from simulator.services.base import Progression, Resource, StopSpec
from simulator.services.kit import SingleStep, SingleStepFleet, by_name
from simulator.services.paging import Pages

if TYPE_CHECKING:
    from simulator.engine.env import Simulation


class Status(StrEnum):
    SUBMITTED = "SUBMITTED"
    TRAINING = "TRAINING"
    DELETING = "DELETING"
    STOP_REQUESTED = "STOP_REQUESTED"
    STOPPED = "STOPPED"
    IN_ERROR = "IN_ERROR"
    TRAINED = "TRAINED"
    TRAINED_WITH_WARNING = "TRAINED_WITH_WARNING"


S = Status
TRAINING_ENDS: Final = frozenset({S.TRAINED, S.TRAINED_WITH_WARNING, S.IN_ERROR})
TRANSITIONS: Final[Transitions] = {
    S: {
        S.SUBMITTED: frozenset({S.TRAINING, S.STOP_REQUESTED}),
        S.TRAINING: TRAINING_ENDS | {S.STOP_REQUESTED},
        S.STOP_REQUESTED: TRAINING_ENDS | {S.STOPPED},
    },
}
PROGRESSIONS: Final = {
    S.SUBMITTED: Progression("queue", to=S.TRAINING),
    S.TRAINING: Progression(
        "training",
        to=S.TRAINED,
        otherwise={S.TRAINED_WITH_WARNING: "warning", S.IN_ERROR: "error"},
        also_from=frozenset({S.STOP_REQUESTED}),  # the race: training may still finish first
    ),
    S.STOP_REQUESTED: Progression("stop", to=S.STOPPED),
}
ENDED: Final = frozenset({S.TRAINED, S.TRAINED_WITH_WARNING, S.IN_ERROR, S.STOPPED})

InvalidRequest = ErrorSpec("InvalidRequestException", 400)
ResourceNotFound = ErrorSpec("ResourceNotFoundException", 400)
InvalidFilter = ErrorSpec("InvalidFilterException", 400)
ERRORS: Final = ServiceErrors(
    validation=InvalidRequest,
    throttling=ErrorSpec("TooManyRequestsException", 400),
    internal=ErrorSpec("InternalServerException", 500),
    access_denied=ErrorSpec("AccessDeniedException", 400),  # ASSUMED: not on the page
    not_found=ResourceNotFound,
    others=(InvalidFilter,),
)

CLASSIFIER_ARN: Final = (
    r"^arn:aws(-[^:]+)?:comprehend:[a-zA-Z0-9-]*:[0-9]{12}:document-classifier/"
    r"[a-zA-Z0-9](-*[a-zA-Z0-9])*(/version/[a-zA-Z0-9](-*[a-zA-Z0-9])*)?$"
)
_CLASSIFIER = Param(str, required=True, max=256, pattern=CLASSIFIER_ARN)
NAME: Final = r"^[a-zA-Z0-9](-*[a-zA-Z0-9])*$"
_FILTER = Param(
    dict,
    members={
        "Status": Param(str, enum=tuple(Status)),
        "DocumentClassifierName": Param(str, max=63, pattern=NAME),
        "SubmitTimeBefore": Param(float),
        "SubmitTimeAfter": Param(float),
    },
)
PAGE: Final = 100
"""ListDocumentClassifiers' page without MaxResults (DOC: 'The default is 100')."""
OPERATIONS: Final = by_name(
    Operation(
        "StopTrainingDocumentClassifier",
        "comprehend:StopTrainingDocumentClassifier",
        {"DocumentClassifierArn": _CLASSIFIER},
        resource_param="DocumentClassifierArn",
    ),
    Operation(
        "DescribeDocumentClassifier",
        "comprehend:DescribeDocumentClassifier",
        {"DocumentClassifierArn": _CLASSIFIER},
        resource_param="DocumentClassifierArn",
    ),
    Operation(
        "ListDocumentClassifiers",
        "comprehend:ListDocumentClassifiers",
        {
            "Filter": _FILTER,
            "NextToken": Param(str, min=1),
            "MaxResults": Param(int, min=1, max=500),
        },
        resource_param="",  # no member names one resource: it lists the account's classifiers
    ),
)


class Latencies(Strict):
    """How long each transition takes. AWS publishes none: all ASSUMED."""

    queue: Distribution = Field(
        default=Lognormal(median=2 * 60, p95=10 * 60), description="SUBMITTED to TRAINING"
    )
    training: Distribution = Field(
        default=Lognormal(median=45 * 60, p95=3 * 3600),
        description="TRAINING until it ends (walkthroughs report 1-2 h end to end)",
    )
    stop: Distribution = Field(
        default=Lognormal(median=5 * 60, p95=15 * 60),
        description="STOP_REQUESTED to STOPPED, if training does not finish first",
    )


class Settings(ServiceSettings):
    STATUSES = (Status,)
    OPERATIONS = tuple(OPERATIONS)

    latency: Latencies = Latencies()
    warning: Probability = Field(default=0.0, description="P(TRAINED_WITH_WARNING)")
    error: Probability = Field(default=0.0, description="P(IN_ERROR) when training ends")
    prices: dict[str, Price] = Field(
        default_factory=lambda: {
            "training": Price(usd_per_hour=3.0, statuses=("TRAINING", "STOP_REQUESTED")),
            "model_management": Price(
                usd_per_hour=0.5 / 730, statuses=("TRAINED", "TRAINED_WITH_WARNING"), per_unit=False
            ),
        },
        description="training per second (STOP_REQUESTED billed: ASSUMED); $0.50 per "
        "model-month of a trained model",
    )

    @model_validator(mode="after")
    def _probabilities(self) -> Settings:
        if self.warning + self.error > 1:
            raise ValueError("warning + error: expected at most 1 together")
        return self


class Fleet(SingleStepFleet):
    """`count` document classifiers named `<name>-<i>`, all in `status` at the start."""

    NAMED_BY = "name"

    service: Literal["comprehend"]
    name: str = Field(default="classifier", pattern=NAME, max_length=63)
    status: Literal["SUBMITTED", "TRAINING"] = Field(
        default="TRAINING", description="where training is at t=0 (it progresses from there)"
    )

    @property
    def numbering(self) -> str:
        return f"{self.arn('comprehend')}:document-classifier/{self.name}"

    @property
    def units(self) -> float:
        """The training job, billed per hour (none for one stopped before training)."""
        return 1.0

    def resource_id(self, index: int) -> str:
        return f"{self.numbering}-{index}"


def _properties(classifier: Resource) -> dict[str, Any]:
    """A classifier as ListDocumentClassifiers lists it."""
    return {
        "DocumentClassifierArn": classifier.id,
        "Status": classifier.status,  # a StrEnum member is its string
        "SubmitTime": classifier.created,
    }


class DocumentClassifiers(SingleStep[Fleet]):
    """All document classifiers of the simulated account, and their API."""

    name = "comprehend"
    Status = Status
    TRANSITIONS = TRANSITIONS
    PROGRESSIONS = PROGRESSIONS
    OPERATIONS = OPERATIONS
    ERRORS = ERRORS
    STOP = StopSpec(
        operation="StopTrainingDocumentClassifier",
        terminal=ENDED,
        describe="DescribeDocumentClassifier",
        describe_status=lambda r: r["DocumentClassifierProperties"]["Status"],
    )
    settings: Settings

    def __init__(self, sim: Simulation, settings: Settings) -> None:
        super().__init__(sim, settings)
        self._pages = Pages(self.name, InvalidRequest)

    def _find(self, arn: str) -> Resource:
        classifier = self.here(self.resources.get(arn))
        if classifier is None or classifier.status is S.DELETING:
            raise ResourceNotFound(f"Resource {arn} not found")
        return classifier

    def stop_training_document_classifier(self, params: Mapping[str, Any]) -> dict[str, Any]:
        classifier = self._find(params["DocumentClassifierArn"])
        if classifier.status in ENDED:
            raise InvalidRequest(f"Classifier is {classifier.status}; training is not running")
        if classifier.status is S.SUBMITTED:
            classifier.units = 0.0  # stopped before it trained: nothing to bill
        if classifier.status is not S.STOP_REQUESTED:
            self.move(classifier, S.STOP_REQUESTED, "stop")
        return {}

    def describe_document_classifier(self, params: Mapping[str, Any]) -> dict[str, Any]:
        classifier = self._find(params["DocumentClassifierArn"])
        return {
            "DocumentClassifierProperties": {
                "DocumentClassifierArn": classifier.id,
                "Status": classifier.status,  # a StrEnum member is its string
            }
        }

    def list_document_classifiers(self, params: Mapping[str, Any]) -> dict[str, Any]:
        here = [c for c in self.resources.values() if self.here(c) is not None]
        listed = _filtered(here, params.get("Filter", {}))
        return self._pages.listing(
            "ListDocumentClassifiers", params, listed, "DocumentClassifierPropertiesList",
            _properties, PAGE,
        )  # fmt: skip

    def request(self, operation: str, resource: Resource, **extra: Any) -> dict[str, Any]:
        """A listing asks for the classifier's name (its versions too); the rest name it."""
        if operation == "ListDocumentClassifiers":
            return {"Filter": {"DocumentClassifierName": _name(resource.id)}, **extra}
        return super().request(operation, resource, **extra)


def _name(arn: str) -> str:
    """A classifier's name: its ARN's after `document-classifier/`, without a version."""
    return arn.split(":document-classifier/", 1)[1].split("/version/", 1)[0]


def _filtered(classifiers: list[Resource], condition: Mapping[str, Any]) -> list[Resource]:
    """The classifiers the one condition of a ListDocumentClassifiers `Filter` keeps, in the
    order it lists them."""
    if len(condition) > 1:
        raise InvalidFilter(f"Filter: set one of {', '.join(condition)}, not {len(condition)}")
    if "Status" in condition:
        return [c for c in classifiers if c.status == condition["Status"]]
    if "DocumentClassifierName" in condition:
        return [c for c in classifiers if _name(c.id) == condition["DocumentClassifierName"]]
    if "SubmitTimeBefore" in condition:
        before = condition["SubmitTimeBefore"]
        return sorted((c for c in classifiers if c.created < before), key=_submitted)
    if "SubmitTimeAfter" in condition:
        after = condition["SubmitTimeAfter"]
        kept = sorted((c for c in classifiers if c.created > after), key=_submitted)
        return kept[::-1]  # newest first: of those submitted together, the last listed
    return classifiers


def _submitted(classifier: Resource) -> float:
    return classifier.created
