"""The base of every block of a scenario, and its common field types.

Unknown keys are refused (a misspelt key is an error, not a silently kept default), blocks
are frozen (a scenario does not change while it runs), and infinities and NaN are refused
(a duration, rate or price is finite).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


Probability = Annotated[float, Field(ge=0, le=1)]
