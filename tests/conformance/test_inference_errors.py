"""The errors a hosted model answers inference requests with are the operations' own, as
botocore's models have them: DetectCustomLabels (Rekognition) and DetectAnomalies (Lookout
for Vision, whose model is package data)."""

from __future__ import annotations

import pytest

from simulator.api.inference import INFERENCE
from tests.conformance import test_lookoutvision_model, test_rekognition_model
from tests.conformance._aws import error_codes

MODELS = {
    "rekognition": test_rekognition_model.model,
    "lookoutvision": test_lookoutvision_model.model,
}


@pytest.mark.parametrize("service", sorted(INFERENCE))
def test_the_inference_errors_are_the_operation_s_own(service: str) -> None:
    inference = INFERENCE[service]
    codes = error_codes(MODELS[service]().operation_model(inference.operation))
    assert {inference.not_running, inference.beyond_capacity} <= codes


def test_rekognition_documents_its_error_for_a_model_not_deployed() -> None:
    """DOC: botocore's shape says it is DetectCustomLabels on a version not deployed."""
    shape = test_rekognition_model.model().shape_for(INFERENCE["rekognition"].not_running)
    assert "DetectCustomLabels" in (shape.documentation or "")
    assert "isn't deployed" in (shape.documentation or "")
