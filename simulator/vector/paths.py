"""The one path a stop takes in a service the vector engine draws, as data.

A stop the vector engine draws moves its resource from a status it may be stopped in
(`stoppable`) to `stopping` when the request reaches the service, and from there, after a
draw of the service's `stop` latency, to `stopped`, which ends the stop. Nothing else moves
the resource: no other progression runs from any of those statuses (the engine's
eligibility checks that maintenance windows are off). A test holds each path to the
service's own TRANSITIONS, PROGRESSIONS and STOP, so the two cannot drift apart.

Comprehend is not here: its stop races the training (`also_from`), and the classifiers'
statuses when a stop is sent depend on their queue and training draws; Neptune and
SageMaker run their jobs and executions as processes of several stages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from simulator.services import lookoutvision, rekognition


@dataclass(frozen=True)
class StopPath:
    """`stoppable` --stop--> `stopping` --after the `stop` latency--> `stopped`."""

    stoppable: frozenset[StrEnum]
    stopping: StrEnum
    stopped: StrEnum
    still: Mapping[StrEnum, str]
    """Progressions that run from a `stoppable` status, by the latency setting that must
    be off (None) for the path to be the only one: Lookout's maintenance windows."""

    @property
    def after_stop(self) -> frozenset[StrEnum]:
        """The statuses a stopped resource passes through."""
        return frozenset({self.stopping, self.stopped})


_R, _L = rekognition.Status, lookoutvision.Status
PATHS: Final[Mapping[str, StopPath]] = {
    "rekognition": StopPath(frozenset({_R.RUNNING}), _R.STOPPING, _R.STOPPED, {}),
    "lookoutvision": StopPath(
        frozenset({_L.HOSTED}),
        _L.STOPPING_HOSTING,
        _L.TRAINED,
        {_L.HOSTED: "maintenance_gap"},
    ),
}
"""The services whose stops the vector engine can draw, each with its stop's path."""
