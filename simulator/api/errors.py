"""AWS errors as the services' pages define them: a code, an HTTP status, a retry trait.

HTTP statuses are per service, not uniform (Rekognition's ThrottlingException is 500,
Lookout for Vision's is 429), so each service declares its own `ErrorSpec`s. `retryable`
is the trait botocore's service models put on some error shapes (`"throttling"` or
`"transient"`); callers' retry policies read it exactly as botocore's standard mode does.

An `AwsError` is raised by an operation into the caller that made the call; it never
escapes a simulation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Retryable = Literal["throttling", "transient"] | None


@dataclass(frozen=True, slots=True)
class ErrorSpec:
    code: str
    http_status: int
    retryable: Retryable = None

    def __call__(self, message: str) -> AwsError:
        return AwsError(self, message)


class AwsError(Exception):
    """An error response: what a botocore ClientError would carry."""

    def __init__(self, spec: ErrorSpec, message: str) -> None:
        super().__init__(f"{spec.code} ({spec.http_status}): {message}")
        self.spec = spec
        self.message = message

    @property
    def code(self) -> str:
        return self.spec.code

    @property
    def http_status(self) -> int:
        return self.spec.http_status
