"""The inference side of the hosted services' API: the status in which a model serves
DetectCustomLabels (Rekognition) or DetectAnomalies (Lookout for Vision), and the errors
those answer. The one table of which statuses serve: the serving of requests
(`simulator.hosting.serving`), the policies (`simulator.hosting.policies`) and the
availability reported (`simulator.analysis.hosting`) all read it, so they cannot
disagree. Here, in the API layer, because every one of them may import it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class Inference:
    """A hosted service's inference operation: the status in which a model serves it, and
    the errors it answers with."""

    operation: str
    """The inference operation, whose botocore model lists the errors below (the
    conformance test holds them to it)."""
    serving: str
    not_running: str
    """The error for a model that is not serving."""
    beyond_capacity: str
    """The error beyond the model's inference units' capacity."""


INFERENCE: Final[Mapping[str, Inference]] = {
    # DOC (botocore's model; the Custom Labels guide): DetectCustomLabels on "a model
    # version that isn't deployed" answers ResourceNotReadyException, and beyond the
    # inference units' TPS ProvisionedThroughputExceededException. ASSUMED: a version
    # STOPPING (or STARTING) is not deployed, so only RUNNING serves; AWS says nothing of
    # a version on its way down
    "rekognition": Inference(
        "DetectCustomLabels",
        "RUNNING",
        "ResourceNotReadyException",
        "ProvisionedThroughputExceededException",
    ),
    # ASSUMED: DetectAnomalies lists Conflict and Throttling among its errors (botocore's
    # model); AWS does not say which one a model that is not HOSTED (SYSTEM_UPDATING
    # included: ASSUMED not serving, though billed), or one beyond its units' capacity,
    # answers
    "lookoutvision": Inference(
        "DetectAnomalies", "HOSTED", "ConflictException", "ThrottlingException"
    ),
}
SERVING: Final[Mapping[str, str]] = {name: i.serving for name, i in INFERENCE.items()}
"""The status in which each hosted service's model serves inference requests."""
