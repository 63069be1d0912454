"""The `policies:` block: hosting policies that stop and start hosted models, by name.

A policy acts on the models of its fleet `groups` (Rekognition Custom Labels and Lookout
for Vision models: the services that serve inference requests) through the control plane,
as the scenario's caller `caller` does, so a policy's calls meet the same quotas, throttles
and retries as any other automation. A mapping by name, so a sweep addresses
`policies.<name>.<field>` (`policies.idle.after: [5m, 15m, 60m]`). The processes are
`simulator.hosting.policies`; here is the schema and the checks made as the scenario loads,
each naming the field at fault.

- `schedule`: periods as AWS Instance Scheduler writes them (`begintime`, `endtime`,
  `weekdays` in a time zone, read as `simulator.scenario.zones` reads a demand profile's:
  an end of 24:00 is the end of the day, 23:59 its last minute): start at begin, stop at
  end. Instance Scheduler has no period that crosses midnight: it is two periods, and an
  end before its begin says so.
- `idle_stop`: stop a model `after` this long without a request; with `start_on_demand`,
  the first request to a stopped model starts it (a cold start).
- `keep_alive_histogram`: the hybrid histogram policy of Shahrad et al. (ATC '20).
- `budget`: stop a group's models once the group's spend in a window passes a cap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Final, Literal, Self

from pydantic import Discriminator, Field, Tag, field_validator, model_validator

from simulator.engine.distributions import Duration, PositiveDuration
from simulator.engine.schema import Strict
from simulator.scenario import zones
from simulator.scenario.demand import hosted_sizes

if TYPE_CHECKING:
    from simulator.scenario.model import Scenario

NAME: Final = r"^[A-Za-z_][A-Za-z0-9_]*$"
"""A policy's name: a word, so `policies.<name>.<field>` is a path errors and sweeps name."""


class _Policy(Strict):
    groups: tuple[str, ...] = Field(min_length=1, description="the fleet groups it acts on")
    caller: str = Field(default="default", description="whose permissions and quota it uses")
    retry: PositiveDuration = Field(
        default=60.0,
        description="after a refused call (the client's own retries spent, or a status "
        "where the operation is illegal): how long before the policy sends it again",
    )


class _GivesUp(_Policy):
    """A policy that leaves a model alone after `attempts` refusals in a row (a schedule
    does not: it sends again every `retry` until its next edge)."""

    attempts: int = Field(
        default=3,
        ge=1,
        description="refused calls in a row after which the policy leaves the model alone "
        "until its next decision (a request, a new window)",
    )


class Period(Strict):
    """A period as Instance Scheduler writes it: running from `begin` to `end` on each of
    its `weekdays`, in the schedule's time zone."""

    begin: str = Field(pattern=zones.CLOCK, description="'HH:MM': the models start")
    end: str = Field(
        pattern=zones.END_CLOCK, description="'HH:MM' (24:00: the end of the day): they stop"
    )
    weekdays: str = Field(default="mon-sun", description="e.g. mon-fri, sat,sun")

    @field_validator("weekdays")
    @classmethod
    def _days(cls, text: str) -> str:
        zones.weekdays(text)
        return text

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        begin, end = self.minutes()
        if end <= begin:
            raise ValueError(
                f"end: {self.end} is not after begin {self.begin}; Instance Scheduler has no "
                "period across midnight: write two periods (begin "
                f"{self.begin} end 24:00, and begin 00:00 end {self.end} on the next days)"
            )
        return self

    def minutes(self) -> tuple[int, int]:
        """(begin, end) in minutes after midnight (an end of 24:00 is 1440)."""
        return zones.minutes(self.begin), zones.minutes(self.end, end=True)


class Schedule(_Policy):
    """Start at each period's begin, stop at its end (DST-correct in `time_zone`)."""

    kind: Literal["schedule"]
    periods: list[Period] = Field(min_length=1)
    time_zone: str = Field(default="UTC", description="an IANA name, e.g. Europe/Dublin")
    min_inference_units: int | None = Field(
        default=None, ge=1, description="units a start asks for (default: as it last ran)"
    )

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, zone: str) -> str:
        return zones.zone(zone)

    @model_validator(mode="before")
    @classmethod
    def _no_attempts(cls, data: Any) -> Any:
        if isinstance(data, dict) and "attempts" in data:
            raise ValueError(
                "attempts: a schedule never gives up on a model: it sends a refused start or "
                "stop again every `retry` until its next edge, as Instance Scheduler's runs "
                "do; leave attempts out"
            )
        return data


class IdleStop(_GivesUp):
    """Stop a model `after` this long without a request."""

    kind: Literal["idle_stop"]
    after: PositiveDuration = Field(description="idle time before the stop, e.g. 15m")
    start_on_demand: bool = Field(
        default=True, description="the first request to a stopped model starts it"
    )
    min_inference_units: int | None = Field(
        default=None, ge=1, description="units a start asks for (default: as it last ran)"
    )


class KeepAliveHistogram(_GivesUp):
    """Shahrad et al.'s hybrid histogram policy: per model, a histogram of its idle times
    sets a pre-warm window (its `head` percentile) and a keep-alive window (its `tail`
    percentile, plus `margin`); a fixed `fallback` keep-alive while it is not representative."""

    kind: Literal["keep_alive_histogram"]
    range: PositiveDuration = Field(default=4 * 3600.0, description="the histogram's range")
    bin: PositiveDuration = Field(default=60.0, description="the histogram's bin width")
    head: float = Field(default=5.0, gt=0, lt=100, description="pre-warm percentile")
    tail: float = Field(default=99.0, gt=0, lt=100, description="keep-alive percentile")
    margin: float = Field(
        default=0.1, ge=0, lt=1, description="pre-warm shortened, keep-alive lengthened by it"
    )
    fallback: PositiveDuration = Field(
        default=4 * 3600.0,
        description="keep-alive while the histogram is not representative (the paper: its range)",
    )
    min_idle_times: int = Field(
        default=10, ge=1, description="idle times seen before the histogram is trusted"
    )
    max_out_of_range: float = Field(
        default=0.5, ge=0, le=1, description="share of idle times beyond range it tolerates"
    )
    start_lead: Duration | None = Field(
        default=None,
        description="how long before the pre-warm window ends a start is sent (default: "
        "the mean of the service's start latency)",
    )
    min_inference_units: int | None = Field(
        default=None, ge=1, description="units a start asks for (default: as it last ran)"
    )

    @model_validator(mode="after")
    def _percentiles(self) -> Self:
        if self.head >= self.tail:
            raise ValueError(f"head: {self.head:g} is not below tail ({self.tail:g})")
        if self.bin > self.range:
            raise ValueError(f"bin: {self.bin:g} s is longer than range ({self.range:g} s)")
        return self


class Budget(_GivesUp):
    """Stop the group's models once their spend in the current window passes `usd`; with
    `restart`, start them again when the next window opens."""

    kind: Literal["budget"]
    usd: float = Field(gt=0, description="the cap, in USD per window")
    window: PositiveDuration = Field(description="the window, from the start: e.g. 1d")
    restart: bool = Field(default=True, description="start them again at the next window")


def _kind(value: object) -> object:
    return value.get("kind") if isinstance(value, dict) else getattr(value, "kind", None)


Policy = Annotated[
    Annotated[Schedule, Tag("schedule")]
    | Annotated[IdleStop, Tag("idle_stop")]
    | Annotated[KeepAliveHistogram, Tag("keep_alive_histogram")]
    | Annotated[Budget, Tag("budget")],
    Discriminator(
        _kind,
        custom_error_type="policy_kind",
        custom_error_message="kind: expected one of schedule, idle_stop, keep_alive_histogram, "
        "budget",
    ),
]
PolicyName = Annotated[str, Field(pattern=NAME)]


def check_policies(scenario: Scenario) -> None:
    """Raise ValueError naming `policies.<name>.<field>` for a group that no hosted fleet
    entry has, or a caller the scenario lacks."""
    groups = hosted_sizes(scenario)
    for name, policy in scenario.policies.items():
        for index, group in enumerate(policy.groups):
            if group not in groups:
                raise ValueError(
                    f"policies.{name}.groups[{index}]: no rekognition or lookoutvision fleet "
                    f"entry has group {group!r}; groups are {', '.join(sorted(groups)) or 'none'}"
                )
        if policy.caller not in scenario.callers:
            raise ValueError(
                f"policies.{name}.caller: no caller {policy.caller!r}; callers are "
                f"{', '.join(scenario.callers)}"
            )
