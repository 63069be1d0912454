"""One module, or package, per managed service; `SERVICES` is the registry the scenario
and build use."""

from __future__ import annotations

from simulator.services import comprehend, lookoutvision, neptune, rekognition, sagemaker
from simulator.services.base import ManagedService

_KINDS: tuple[type[ManagedService], ...] = (
    rekognition.ProjectVersions,
    lookoutvision.Models,
    comprehend.DocumentClassifiers,
    neptune.TrainingJobs,
    sagemaker.Pipelines,
)
SERVICES: dict[str, type[ManagedService]] = {kind.name: kind for kind in _KINDS}
