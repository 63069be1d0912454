"""Rekognition Custom Labels: project versions (StopProjectVersion).

    TRAINING_IN_PROGRESS -> TRAINING_COMPLETED | TRAINING_FAILED
    COPYING_IN_PROGRESS  -> COPYING_COMPLETED | COPYING_FAILED
    TRAINING_COMPLETED | STOPPED | COPYING_COMPLETED --start--> STARTING -> RUNNING | FAILED
    RUNNING --stop--> STOPPING -> STOPPED

StopProjectVersion answers {"Status": "STOPPING"} and the model stops a while later
(DescribeProjectVersions shows when). A model is billed per inference unit while RUNNING,
"even if idle" (DOC), and while STOPPING (ASSUMED), at $4.00 per inference-unit hour.

A stop in another status (ASSUMED, AWS does not say): STOPPING answers STOPPING again;
DELETING or an unknown ARN is ResourceNotFoundException; every other status is
ResourceInUseException. ThrottlingException is HTTP 500 on this service (DOC), so botocore's
legacy mode retries it as a server error.

Listing (what automation pages through before it stops): DescribeProjects describes every
project a fleet entry names, CREATED since the entry was added, as a CUSTOM_LABELS project
(the default `Features`, DOC; a request for CONTENT_MODERATION only finds none);
`ProjectNames` keeps the named ones (an unknown name is left out: ASSUMED).
DescribeProjectVersions describes a project's versions, or the named ones (`VersionNames`).
Both answer pages of `MaxResults` (default and largest 100, DOC) in creation order
(ASSUMED: no order is documented) with a NextToken while more are left; a token the service
did not give for that request is InvalidPaginationTokenException (DOC: the operations'
error; what provokes it is ASSUMED). Creation times are when the fleet entry was added.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final, Literal

from pydantic import Field

from simulator.api.errors import ErrorSpec
from simulator.api.operations import Operation, Price, ServiceErrors, ServiceSettings
from simulator.api.validation import Param
from simulator.engine.distributions import Distribution, Lognormal, Uniform
from simulator.engine.lifecycle import Transitions
from simulator.engine.schema import Probability, Strict
from simulator.services.base import NOWHERE, Progression, Resource, StopSpec
from simulator.services.kit import SingleStep, SingleStepFleet, by_name
from simulator.services.paging import Pages
from simulator.services.regions import arn_place

if TYPE_CHECKING:
    from simulator.engine.env import Simulation


class Status(StrEnum):
    TRAINING_IN_PROGRESS = "TRAINING_IN_PROGRESS"
    TRAINING_COMPLETED = "TRAINING_COMPLETED"
    TRAINING_FAILED = "TRAINING_FAILED"
    STARTING = "STARTING"
    RUNNING = "RUNNING"
    FAILED = "FAILED"
    STOPPING = "STOPPING"
    STOPPED = "STOPPED"
    DELETING = "DELETING"
    COPYING_IN_PROGRESS = "COPYING_IN_PROGRESS"
    COPYING_COMPLETED = "COPYING_COMPLETED"
    COPYING_FAILED = "COPYING_FAILED"
    DEPRECATED = "DEPRECATED"
    EXPIRED = "EXPIRED"


S = Status
TRANSITIONS: Final[Transitions] = {
    S: {
        S.TRAINING_IN_PROGRESS: frozenset({S.TRAINING_COMPLETED, S.TRAINING_FAILED}),
        S.COPYING_IN_PROGRESS: frozenset({S.COPYING_COMPLETED, S.COPYING_FAILED}),
        S.TRAINING_COMPLETED: frozenset({S.STARTING}),
        S.COPYING_COMPLETED: frozenset({S.STARTING}),
        S.STOPPED: frozenset({S.STARTING}),
        S.STARTING: frozenset({S.RUNNING, S.FAILED}),
        S.RUNNING: frozenset({S.STOPPING}),
        S.STOPPING: frozenset({S.STOPPED}),
    },
}
PROGRESSIONS: Final = {
    S.TRAINING_IN_PROGRESS: Progression(
        "training", to=S.TRAINING_COMPLETED, otherwise={S.TRAINING_FAILED: "training_failure"}
    ),
    S.COPYING_IN_PROGRESS: Progression(
        "copying", to=S.COPYING_COMPLETED, otherwise={S.COPYING_FAILED: "copy_failure"}
    ),
    S.STARTING: Progression("start", to=S.RUNNING, otherwise={S.FAILED: "start_failure"}),
    S.STOPPING: Progression("stop", to=S.STOPPED),
}
STARTABLE: Final = frozenset({S.TRAINING_COMPLETED, S.STOPPED, S.COPYING_COMPLETED})

ProvisionedThroughputExceeded = ErrorSpec("ProvisionedThroughputExceededException", 400)
ResourceInUse = ErrorSpec("ResourceInUseException", 400)
ResourceNotFound = ErrorSpec("ResourceNotFoundException", 400)
LimitExceeded = ErrorSpec("LimitExceededException", 400)
InvalidPaginationToken = ErrorSpec("InvalidPaginationTokenException", 400)
ERRORS: Final = ServiceErrors(
    validation=ErrorSpec("InvalidParameterException", 400),
    throttling=ErrorSpec("ThrottlingException", 500),
    internal=ErrorSpec("InternalServerError", 500),
    access_denied=ErrorSpec("AccessDeniedException", 400),
    not_found=ResourceNotFound,
    others=(ResourceInUse, ProvisionedThroughputExceeded, LimitExceeded, InvalidPaginationToken),
)

VERSION_ARN: Final = (
    r"(^arn:[a-z\d-]+:rekognition:[a-z\d-]+:\d{12}:project\/[a-zA-Z0-9_.\-]{1,255}"
    r"\/version\/[a-zA-Z0-9_.\-]{1,255}\/[0-9]+$)"
)
PROJECT_ARN: Final = (
    r"(^arn:[a-z\d-]+:rekognition:[a-z\d-]+:\d{12}:project\/[a-zA-Z0-9_.\-]{1,255}\/[0-9]+$)"
)
_VERSION = Param(str, required=True, min=20, max=2048, pattern=VERSION_ARN)
_NAME = Param(str, min=1, max=255, pattern=r"[a-zA-Z0-9_.\-]+")
"""A project's or a version's name (botocore's pattern, unanchored: it is searched)."""
_TOKEN = Param(str, max=1024)
_PAGE_SIZE = Param(int, min=1, max=100)
PAGE: Final = 100
"""DescribeProjects' and DescribeProjectVersions' page without MaxResults (DOC)."""
CUSTOM_LABELS: Final = "CUSTOM_LABELS"
FEATURES: Final = ("CONTENT_MODERATION", CUSTOM_LABELS)
OPERATIONS: Final = by_name(
    Operation(
        "StopProjectVersion",
        "rekognition:StopProjectVersion",
        {"ProjectVersionArn": _VERSION},
        resource_param="ProjectVersionArn",
    ),
    Operation(
        "StartProjectVersion",
        "rekognition:StartProjectVersion",
        {
            "ProjectVersionArn": _VERSION,
            "MinInferenceUnits": Param(int, required=True, min=1),
            "MaxInferenceUnits": Param(int, min=1),
        },
        resource_param="ProjectVersionArn",
    ),
    Operation(
        "DescribeProjectVersions",
        "rekognition:DescribeProjectVersions",
        {
            "ProjectArn": Param(str, required=True, min=20, max=2048, pattern=PROJECT_ARN),
            "VersionNames": Param(list, min=1, max=10, items=_NAME),
            "NextToken": _TOKEN,
            "MaxResults": _PAGE_SIZE,
        },
        resource_param="ProjectArn",
    ),
    Operation(
        "DescribeProjects",
        "rekognition:DescribeProjects",
        {
            "NextToken": _TOKEN,
            "MaxResults": _PAGE_SIZE,
            "ProjectNames": Param(list, min=1, max=10, items=_NAME),
            "Features": Param(list, min=1, max=2, items=Param(str, enum=FEATURES)),
        },
        resource_param="",  # no member names one resource: it lists the account's projects
    ),
)


class Latencies(Strict):
    """How long each transition takes. Defaults: AWS publishes none but these ranges."""

    training: Distribution = Field(
        default=Lognormal(median=2 * 3600, p95=12 * 3600),
        description="TRAINING_IN_PROGRESS until done (DOC: 30 minutes to 24 hours)",
    )
    start: Distribution = Field(
        default=Lognormal(median=5 * 60, p95=12 * 60),
        description="STARTING to RUNNING (DOC: 'a few minutes'; the SDK waiter gives up at 20m)",
    )
    stop: Distribution = Field(
        default=Uniform(low=60, high=300), description="STOPPING to STOPPED (ASSUMED 1-5 minutes)"
    )
    copying: Distribution = Field(
        default=Lognormal(median=10 * 60, p95=30 * 60),
        description="COPYING_IN_PROGRESS until done (ASSUMED)",
    )


class Settings(ServiceSettings):
    STATUSES = (Status,)
    OPERATIONS = tuple(OPERATIONS)

    latency: Latencies = Latencies()
    training_failure: Probability = Field(default=0.0, description="P(TRAINING_FAILED)")
    copy_failure: Probability = Field(default=0.0, description="P(COPYING_FAILED)")
    start_failure: Probability = Field(default=0.0, description="P(FAILED on start)")
    prices: dict[str, Price] = Field(
        default_factory=lambda: {
            "inference": Price(usd_per_hour=4.0, statuses=("RUNNING", "STOPPING")),
            "training": Price(usd_per_hour=1.0, statuses=("TRAINING_IN_PROGRESS",), per_unit=False),
        },
        description="inference per inference-unit hour (STOPPING billed: ASSUMED); training",
    )


class Fleet(SingleStepFleet):
    """`count` model versions of one project, all in `status` at the start."""

    NAMED_BY = "project"

    service: Literal["rekognition"]
    project: str = Field(default="models", pattern=r"^[a-zA-Z0-9_.\-]{1,255}$")
    status: Status = Status.RUNNING
    inference_units: int = Field(default=1, ge=1)

    @property
    def numbering(self) -> str:
        return self.project_arn()

    @property
    def units(self) -> float:
        return self.inference_units

    def project_arn(self) -> str:
        return f"{self.arn('rekognition')}:project/{self.project}/1"

    def resource_id(self, index: int) -> str:
        """The ProjectVersionArn of version `v<index>`."""
        return f"{self.arn('rekognition')}:project/{self.project}/version/v{index}/1"


def _project_name(project_arn: str) -> str:
    """The name in a ProjectArn `...:project/<name>/<stamp>`."""
    return project_arn.rsplit("/", 2)[1]


def _arn_parts(version_arn: str) -> tuple[str, str]:
    """(ProjectArn, version name) of a ProjectVersionArn."""
    head, _, rest = version_arn.partition("/version/")
    name, _, _stamp = rest.rpartition("/")
    return f"{head}/1", name


class ProjectVersions(SingleStep[Fleet]):
    """All project versions of the simulated account, and their API."""

    name = "rekognition"
    Status = Status
    TRANSITIONS = TRANSITIONS
    PROGRESSIONS = PROGRESSIONS
    OPERATIONS = OPERATIONS
    ERRORS = ERRORS
    STOP = StopSpec(
        operation="StopProjectVersion",
        terminal=frozenset({S.STOPPED}),
        describe="DescribeProjectVersions",
        describe_status=lambda r: r["ProjectVersionDescriptions"][0]["Status"],
    )
    settings: Settings

    def __init__(self, sim: Simulation, settings: Settings) -> None:
        super().__init__(sim, settings)
        # region -> ProjectArn -> name -> version: a poll looks in its endpoint's region
        self._projects: dict[str, dict[str, dict[str, Resource]]] = {}
        self._created: dict[str, float] = {}  # ProjectArn -> creation time, in creation order
        self._pages = Pages(self.name, InvalidPaginationToken)

    def listed(self, fleet: Fleet, added: list[Resource]) -> None:
        """Each project's versions by name, for DescribeProjectVersions, and when the project
        was created (its first fleet entry), for DescribeProjects."""
        project = fleet.project_arn()
        self._created.setdefault(project, float(self.sim.now))
        versions = self._projects.setdefault(fleet.region, {}).setdefault(project, {})
        versions.update((_arn_parts(version.id)[1], version) for version in added)

    def _find(self, arn: str) -> Resource:
        resource = self.here(self.resources.get(arn))
        if resource is None or resource.status is S.DELETING:
            raise ResourceNotFound(f"ProjectVersion {arn} not found")
        return resource

    def stop_project_version(self, params: Mapping[str, Any]) -> dict[str, Any]:
        version = self._find(params["ProjectVersionArn"])
        if version.status is S.RUNNING:
            self.move(version, S.STOPPING, "stop")
        elif version.status is not S.STOPPING:
            raise ResourceInUse(f"ProjectVersion is {version.status}; only RUNNING can stop")
        return {"Status": S.STOPPING.value}

    def start_project_version(self, params: Mapping[str, Any]) -> dict[str, Any]:
        version = self._find(params["ProjectVersionArn"])
        if version.status not in STARTABLE:
            raise ResourceInUse(f"ProjectVersion is {version.status}; it cannot start")
        version.units = params["MinInferenceUnits"]
        self.move(version, S.STARTING, "start")
        return {"Status": S.STARTING.value}

    def describe_project_versions(self, params: Mapping[str, Any]) -> dict[str, Any]:
        project = params["ProjectArn"]
        versions = self._projects.get(self.serving, NOWHERE).get(project)
        if versions is None:
            raise ResourceNotFound(f"Project {project} not found")
        names = params.get("VersionNames")
        if names and len(names) == 1 and "NextToken" not in params:
            # a waiter's poll, millions of times: one name is one page, and no token
            version = versions.get(names[0])
            found = [] if version is None else [_described(version)]
            return {"ProjectVersionDescriptions": found}
        if names:
            listed = [versions[name] for name in dict.fromkeys(names) if name in versions]
        else:
            listed = list(versions.values())
        return self._pages.listing(
            "DescribeProjectVersions", params, listed, "ProjectVersionDescriptions", _described,
            PAGE,
        )  # fmt: skip

    def describe_projects(self, params: Mapping[str, Any]) -> dict[str, Any]:
        listed: list[str] = []
        if CUSTOM_LABELS in params.get("Features", (CUSTOM_LABELS,)):
            listed = [project for project in self._created if arn_place(project)[0] == self.serving]
        names = params.get("ProjectNames")
        if names is not None:
            wanted = set(names)
            listed = [project for project in listed if _project_name(project) in wanted]
        return self._pages.listing(
            "DescribeProjects", params, listed, "ProjectDescriptions", self._project, PAGE
        )

    def _project(self, project: str) -> dict[str, Any]:
        """A project as DescribeProjects describes it."""
        return {
            "ProjectArn": project,
            "CreationTimestamp": self._created[project],
            "Status": "CREATED",
            "Feature": CUSTOM_LABELS,
        }

    def request(self, operation: str, resource: Resource, **extra: Any) -> dict[str, Any]:
        if operation == "DescribeProjectVersions":
            project, name = _arn_parts(resource.id)
            return {"ProjectArn": project, "VersionNames": [name], **extra}
        if operation == "DescribeProjects":  # the project of the version
            return {"ProjectNames": [_project_name(_arn_parts(resource.id)[0])], **extra}
        if operation == "StartProjectVersion":
            units = int(resource.units)  # restart as it ran, unless the request says otherwise
            return {"ProjectVersionArn": resource.id, "MinInferenceUnits": units, **extra}
        return super().request(operation, resource, **extra)


def _described(version: Resource) -> dict[str, Any]:
    """A version as DescribeProjectVersions describes it."""
    return {
        "ProjectVersionArn": version.id,
        "CreationTimestamp": version.created,
        "Status": version.status,  # a StrEnum member is its string
        "MinInferenceUnits": int(version.units),
    }
