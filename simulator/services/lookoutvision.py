"""Lookout for Vision: model hosting (StopModel).

    TRAINING -> TRAINED | TRAINING_FAILED
    TRAINED --start--> STARTING_HOSTING -> HOSTED | HOSTING_FAILED
    HOSTED --stop--> STOPPING_HOSTING -> TRAINED
    HOSTED <-> SYSTEM_UPDATING (maintenance windows: off unless `latency.maintenance_gap`)

Amazon Lookout for Vision reached its end of support on 2025-10-31: the simulator keeps it
for studies of fleets that ran on it. botocore no longer ships its model: the API page
(`StopModel`) and the model botocore 1.40.0 shipped (in tests/data) are the references for
members, constraints and errors.

StopModel answers HTTP 202 with {"Status": "STOPPING_HOSTING"} (DOC: "After the model
hosting stops, the Status of the model is TRAINED"). Its ClientToken makes it idempotent
for 8 hours (DOC): the same token with the same parameters replays the first answer and
stops nothing twice, with other parameters it is a ConflictException (ASSUMED: the page says
"an error occurs"); an SDK fills in a token per call when the caller gives none.

A stop in another status (ASSUMED): STOPPING_HOSTING answers STOPPING_HOSTING again;
HOSTING_FAILED is accepted and cleans up to TRAINED; STARTING_HOSTING, SYSTEM_UPDATING and
every status that is not hosted are ConflictException (409). A model is billed per inference
unit per minute while HOSTED, and (ASSUMED) while SYSTEM_UPDATING and STOPPING_HOSTING, at
an ASSUMED $4.00 per inference-unit hour.

Listing: ListProjects answers every project a fleet entry names, ListModels a project's
model versions (an unknown project is ResourceNotFoundException, as the model lists it),
in creation order (ASSUMED: no order is documented), in pages of `MaxResults` (default and
largest 100, DOC) with a NextToken while more are left; a token the service did not give
for that request is ValidationException (ASSUMED: no error of its own is documented).
Creation times are when the fleet entry was added.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final, Literal

from pydantic import Field

from simulator.api.errors import ErrorSpec
from simulator.api.operations import Operation, Price, ServiceErrors, ServiceSettings
from simulator.api.validation import Param
from simulator.engine.distributions import Distribution, Lognormal
from simulator.engine.lifecycle import Transitions
from simulator.engine.schema import Probability, Strict
from simulator.services.base import NOWHERE, Progression, Resource, StopSpec
from simulator.services.kit import SingleStep, SingleStepFleet, by_name
from simulator.services.paging import Pages

if TYPE_CHECKING:
    from simulator.engine.env import Simulation

END_OF_SUPPORT: Final = "2025-10-31"


class Status(StrEnum):
    TRAINING = "TRAINING"
    TRAINED = "TRAINED"
    TRAINING_FAILED = "TRAINING_FAILED"
    STARTING_HOSTING = "STARTING_HOSTING"
    HOSTED = "HOSTED"
    HOSTING_FAILED = "HOSTING_FAILED"
    STOPPING_HOSTING = "STOPPING_HOSTING"
    SYSTEM_UPDATING = "SYSTEM_UPDATING"
    DELETING = "DELETING"


S = Status
TRANSITIONS: Final[Transitions] = {
    S: {
        S.TRAINING: frozenset({S.TRAINED, S.TRAINING_FAILED}),
        S.TRAINED: frozenset({S.STARTING_HOSTING}),
        S.STARTING_HOSTING: frozenset({S.HOSTED, S.HOSTING_FAILED}),
        S.HOSTED: frozenset({S.STOPPING_HOSTING, S.SYSTEM_UPDATING}),
        S.SYSTEM_UPDATING: frozenset({S.HOSTED}),
        S.HOSTING_FAILED: frozenset({S.STOPPING_HOSTING}),
        S.STOPPING_HOSTING: frozenset({S.TRAINED}),
    },
}
PROGRESSIONS: Final = {
    S.TRAINING: Progression(
        "training", to=S.TRAINED, otherwise={S.TRAINING_FAILED: "training_failure"}
    ),
    S.STARTING_HOSTING: Progression(
        "start", to=S.HOSTED, otherwise={S.HOSTING_FAILED: "start_failure"}
    ),
    S.HOSTED: Progression("maintenance_gap", to=S.SYSTEM_UPDATING),
    S.SYSTEM_UPDATING: Progression("maintenance", to=S.HOSTED),
    S.STOPPING_HOSTING: Progression("stop", to=S.TRAINED),
}
STOPPABLE: Final = frozenset({S.HOSTED, S.HOSTING_FAILED})

Conflict = ErrorSpec("ConflictException", 409)
ResourceNotFound = ErrorSpec("ResourceNotFoundException", 404)
ServiceQuotaExceeded = ErrorSpec("ServiceQuotaExceededException", 402)
ERRORS: Final = ServiceErrors(
    validation=ErrorSpec("ValidationException", 400),
    throttling=ErrorSpec("ThrottlingException", 429),
    internal=ErrorSpec("InternalServerException", 500),
    access_denied=ErrorSpec("AccessDeniedException", 403),
    not_found=ResourceNotFound,
    token_conflict=Conflict,
    others=(ServiceQuotaExceeded,),
)

PROJECT_NAME: Final = r"^[a-zA-Z0-9][a-zA-Z0-9_\-]*$"
_PROJECT = Param(str, required=True, min=1, max=255, pattern=PROJECT_NAME)
_VERSION = Param(str, required=True, min=1, max=10, pattern=r"^([1-9][0-9]*|latest)$")
_TOKEN = Param(str, min=1, max=64, pattern=r"^[a-zA-Z0-9-]+$")
_NEXT_TOKEN = Param(str, max=2048, pattern=r"^[a-zA-Z0-9\/\+\=]{0,2048}$")
_PAGE_SIZE = Param(int, min=1, max=100)
PAGE: Final = 100
"""ListProjects' and ListModels' page without MaxResults (DOC: 'The default value is 100')."""
OPERATIONS: Final = by_name(
    Operation(
        "StopModel",
        "lookoutvision:StopModel",
        {"ProjectName": _PROJECT, "ModelVersion": _VERSION, "ClientToken": _TOKEN},
        resource_param="ProjectName",
        success_status=202,
        idempotency_token="ClientToken",
    ),
    Operation(
        "StartModel",
        "lookoutvision:StartModel",
        {
            "ProjectName": _PROJECT,
            "ModelVersion": _VERSION,
            "MinInferenceUnits": Param(int, required=True, min=1),
            "ClientToken": _TOKEN,
            "MaxInferenceUnits": Param(int, min=1),
        },
        resource_param="ProjectName",
        success_status=202,
        idempotency_token="ClientToken",
    ),
    Operation(
        "DescribeModel",
        "lookoutvision:DescribeModel",
        {"ProjectName": _PROJECT, "ModelVersion": _VERSION},
        resource_param="ProjectName",
    ),
    Operation(
        "ListProjects",
        "lookoutvision:ListProjects",
        {"NextToken": _NEXT_TOKEN, "MaxResults": _PAGE_SIZE},
        resource_param="",  # no member names one resource: it lists the account's projects
    ),
    Operation(
        "ListModels",
        "lookoutvision:ListModels",
        {"ProjectName": _PROJECT, "NextToken": _NEXT_TOKEN, "MaxResults": _PAGE_SIZE},
        resource_param="ProjectName",
    ),
)


class Latencies(Strict):
    """How long each transition takes. AWS publishes none: all ASSUMED."""

    training: Distribution = Field(
        default=Lognormal(median=2 * 3600, p95=8 * 3600), description="TRAINING until done"
    )
    start: Distribution = Field(
        default=Lognormal(median=10 * 60, p95=30 * 60), description="STARTING_HOSTING to HOSTED"
    )
    stop: Distribution = Field(
        default=Lognormal(median=2 * 60, p95=6 * 60), description="STOPPING_HOSTING to TRAINED"
    )
    maintenance_gap: Distribution | None = Field(
        default=None,
        description="hosted time before a SYSTEM_UPDATING window, e.g. {kind: exponential, "
        "mean: 7d} for windows at a rate; default: no maintenance",
    )
    maintenance: Distribution = Field(
        default=Lognormal(median=15 * 60, p95=45 * 60),
        description="how long a SYSTEM_UPDATING window lasts",
    )


class Settings(ServiceSettings):
    STATUSES = (Status,)
    OPERATIONS = tuple(OPERATIONS)

    latency: Latencies = Latencies()
    training_failure: Probability = Field(default=0.0, description="P(TRAINING_FAILED)")
    start_failure: Probability = Field(default=0.0, description="P(HOSTING_FAILED)")
    prices: dict[str, Price] = Field(
        default_factory=lambda: {
            "inference": Price(
                usd_per_hour=4.0,
                statuses=("HOSTED", "SYSTEM_UPDATING", "STOPPING_HOSTING"),
                granularity=60.0,
            ),
        },
        description="ASSUMED $4.00 per inference-unit hour, billed per minute while hosted "
        "(SYSTEM_UPDATING and STOPPING_HOSTING billed: ASSUMED)",
    )


class Fleet(SingleStepFleet):
    """Model versions 1..`count` of one project (continuing its numbering), in `status`."""

    NAMED_BY = "project"

    service: Literal["lookoutvision"]
    project: str = Field(default="inspection", max_length=255, pattern=PROJECT_NAME)
    status: Status = Status.HOSTED
    inference_units: int = Field(default=1, ge=1)

    @property
    def numbering(self) -> str:
        return self.project_arn()

    @property
    def units(self) -> float:
        return self.inference_units

    def project_arn(self) -> str:
        return f"{self.arn('lookoutvision')}:project/{self.project}"

    def resource_id(self, index: int) -> str:
        """The ModelArn of model version `index + 1` (versions are numbered from 1)."""
        version = index + 1
        return f"{self.arn('lookoutvision')}:model/{self.project}/{version}"


def _model_parts(model_arn: str) -> tuple[str, str]:
    """(ProjectName, ModelVersion) of a ModelArn `...:model/<project>/<version>`."""
    project, version = model_arn.rsplit("/", 2)[1:]
    return project, version


def _listed(model: Resource) -> dict[str, Any]:
    """A model as ListModels lists it."""
    return {
        "CreationTimestamp": model.created,
        "ModelVersion": _model_parts(model.id)[1],
        "ModelArn": model.id,
        "Status": model.status,  # a StrEnum member is its string
    }


class Models(SingleStep[Fleet]):
    """All Lookout for Vision models of the simulated account, and their API."""

    name = "lookoutvision"
    Status = Status
    TRANSITIONS = TRANSITIONS
    PROGRESSIONS = PROGRESSIONS
    OPERATIONS = OPERATIONS
    ERRORS = ERRORS
    STOP = StopSpec(
        operation="StopModel",
        terminal=frozenset({S.TRAINED}),
        describe="DescribeModel",
        describe_status=lambda r: r["ModelDescription"]["Status"],
    )
    settings: Settings

    def __init__(self, sim: Simulation, settings: Settings) -> None:
        super().__init__(sim, settings)
        # region -> project -> versions 1, 2, ...; and its ListProjects item
        self._projects: dict[str, dict[str, list[Resource]]] = {}
        self._described: dict[str, dict[str, dict[str, Any]]] = {}
        self._pages = Pages(self.name, self.errors.validation)

    def listed(self, fleet: Fleet, added: list[Resource]) -> None:
        """Each project's versions in order, for the ModelVersion of a request, and the
        project as its first fleet entry created it, for ListProjects."""
        project = fleet.project
        self._projects.setdefault(fleet.region, {}).setdefault(project, []).extend(added)
        self._described.setdefault(fleet.region, {}).setdefault(
            project,
            {
                "ProjectArn": fleet.project_arn(),
                "ProjectName": fleet.project,
                "CreationTimestamp": float(self.sim.now),
            },
        )

    def _find(self, params: Mapping[str, Any]) -> Resource:
        project, version = params["ProjectName"], params["ModelVersion"]
        versions = self._projects.get(self.serving, NOWHERE).get(project, ())
        index = len(versions) if version == "latest" else int(version)
        if not 1 <= index <= len(versions):
            raise ResourceNotFound(f"Model {project}/{version} not found")
        return versions[index - 1]

    def stop_model(self, params: Mapping[str, Any]) -> dict[str, Any]:
        model = self._find(params)
        if model.status in STOPPABLE:
            self.move(model, S.STOPPING_HOSTING, "stop")
        elif model.status is not S.STOPPING_HOSTING:
            raise Conflict(f"Model is {model.status}; only a hosted model can stop")
        return {"Status": S.STOPPING_HOSTING.value}

    def start_model(self, params: Mapping[str, Any]) -> dict[str, Any]:
        model = self._find(params)
        if model.status is not S.TRAINED:
            raise Conflict(f"Model is {model.status}; only a TRAINED model can start")
        model.units = params["MinInferenceUnits"]
        self.move(model, S.STARTING_HOSTING, "start")
        return {"Status": S.STARTING_HOSTING.value}

    def describe_model(self, params: Mapping[str, Any]) -> dict[str, Any]:
        model = self._find(params)
        version = _model_parts(model.id)[1]
        return {
            "ModelDescription": {
                "ModelVersion": version,
                "ModelArn": model.id,
                "Status": model.status,  # a StrEnum member is its string
                "MinInferenceUnits": int(model.units),
            }
        }

    def list_projects(self, params: Mapping[str, Any]) -> dict[str, Any]:
        listed = list(self._described.get(self.serving, NOWHERE).values())
        return self._pages.listing("ListProjects", params, listed, "Projects", dict, PAGE)

    def list_models(self, params: Mapping[str, Any]) -> dict[str, Any]:
        project = params["ProjectName"]
        versions = self._projects.get(self.serving, NOWHERE).get(project)
        if versions is None:
            raise ResourceNotFound(f"Project {project} not found")
        return self._pages.listing("ListModels", params, versions, "Models", _listed, PAGE)

    def request(self, operation: str, resource: Resource, **extra: Any) -> dict[str, Any]:
        """The model's project and version; a listing, the model's project (ListModels) or
        the account's projects (ListProjects)."""
        project, version = _model_parts(resource.id)
        if operation == "ListProjects":
            return {**extra}
        if operation == "ListModels":
            return {"ProjectName": project, **extra}
        request: dict[str, Any] = {"ProjectName": project, "ModelVersion": version}
        if operation == "StartModel":
            request["MinInferenceUnits"] = int(resource.units)  # restart as it ran
        return {**request, **extra}
