"""SageMaker ML instances' list prices (us-east-1, on demand), for every service whose
resources run on them: SageMaker Pipelines' jobs, Neptune ML's training parts.

A scenario changes them per service under `services.<name>.prices.<instance type>`; an
instance type missing here needs a price there (the scenario says so when it checks).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from simulator.api.operations import Price

USD_PER_HOUR: Final = {
    "ml.m5.xlarge": 0.23,
    "ml.m5.2xlarge": 0.461,
    "ml.g5.xlarge": 1.408,
    "ml.p3.2xlarge": 3.825,
}


def instance_prices(statuses: Iterable[str]) -> dict[str, Price]:
    """A price item per instance type, billed per instance-second while in `statuses`."""
    return {
        kind: Price(usd_per_hour=usd, statuses=tuple(statuses), kinds=(kind,))
        for kind, usd in USD_PER_HOUR.items()
    }
