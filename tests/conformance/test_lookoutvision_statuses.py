"""Lookout for Vision's model statuses are the API's ModelStatus, in its order.

The StopModel page (tests/data) shows only the statuses StopModel answers; botocore no
longer ships the service's model. ModelStatus, as the AWS SDKs' models of the API have
it (DescribeModel's and ListModels' `Status`), is written out here, so that a renamed
status that StopModel never answers (TRAINING_FAILED, DELETING) still fails a fast test.
"""

from __future__ import annotations

from simulator.services import lookoutvision

MODEL_STATUS = (
    "TRAINING",
    "TRAINED",
    "TRAINING_FAILED",
    "STARTING_HOSTING",
    "HOSTED",
    "HOSTING_FAILED",
    "STOPPING_HOSTING",
    "SYSTEM_UPDATING",
    "DELETING",
)


def test_the_status_enum_is_model_status() -> None:
    assert tuple(s.value for s in lookoutvision.Status) == MODEL_STATUS
