"""One module per managed service; `SERVICES` is the registry the scenario and build use."""

from __future__ import annotations

from simulator.services import rekognition
from simulator.services.base import ManagedService

SERVICES: dict[str, type[ManagedService]] = {
    rekognition.ProjectVersions.name: rekognition.ProjectVersions,
}
