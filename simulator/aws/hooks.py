"""Where botocore meets the simulation: its event hooks, and what a simulated run sets up.

botocore emits events around every call; three handlers, registered with every botocore
session created once this module is imported (`BUILTIN_HANDLERS`, as moto registers its
`botocore_stubber`), do the work, and only for code an actor is running (any other call
goes to AWS as it would without the simulator):

- `choose-signer` (first): no signature (see `_unsigned`);
- `before-parameter-build` (first): the call starts (`Account.starting`): an idempotency
  token the caller left out is filled from the caller's named token stream, as the built-in
  callers do (before botocore's own handler would draw a `uuid4`), and a stop's record is
  opened, at the moment the code asked, before any client-side wait;
- `before-send` (last, after adaptive mode's rate limiter has taken its token): answers the
  attempt from the simulation (`Account.send`); it sits inside botocore's retry loop, so
  the SDK's own retry modes see simulated throttles and errors;
- `after-call` / `after-call-error`: the call is over (after its retries): its stop record,
  if any, is answered.

`opened()` is what a simulated run needs around it: the clock's patches, Lookout for
Vision's model on the loader's path, credentials and a region that keep every request
inside (and the user's `~/.aws` files out, so a run is the same on any machine), and a
process-wide lock, since `random`'s state and these patches are the process's.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import botocore
import botocore.handlers
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.model import OperationModel

from simulator.aws import clock
from simulator.aws.account import SERVICES
from simulator.aws.actors import current
from simulator.aws.models import MODELS


def _unsigned(**_: Any) -> Any:
    """Inside a simulation no request is signed: the simulation checks IAM by the caller's
    permissions, not signatures; SigV4 was a sixth of a boto3 call's time, and signing
    reads the clock, which would wait out a deferred backoff apart from its trip."""
    return botocore.UNSIGNED if current() is not None else None


def _starting(
    params: dict[str, Any], model: OperationModel, context: Mapping[str, Any], **_: Any
) -> None:
    actor = current()
    if actor is None:
        return
    service = SERVICES.get(model.service_model.service_id.hyphenize())
    if service is not None:
        region = context.get("client_region")
        actor.account.starting(actor, service, model.name, params, region)


def _before_send(request: AWSPreparedRequest, event_name: str, **_: Any) -> AWSResponse | None:
    actor = current()
    if actor is None:
        return None
    return actor.account.send(actor, request, event_name)


def _after_call(
    http_response: Any, parsed: Mapping[str, Any], context: Mapping[str, Any], **_: Any
) -> None:
    actor = current()
    if actor is None or "stop" not in actor.call:
        return
    error = parsed.get("Error", {}).get("Code") if http_response.status_code >= 300 else None
    attempts = int(parsed.get("ResponseMetadata", {}).get("RetryAttempts", 0)) + 1
    actor.account.answered(actor, http_response.status_code, error, attempts)


def _after_call_error(exception: Exception, context: Mapping[str, Any], **_: Any) -> None:
    actor = current()
    if actor is None or "stop" not in actor.call:
        return
    attempts = int(context.get("retries", {}).get("attempt", 1))
    actor.account.answered(actor, 599, type(exception).__name__, attempts)


HANDLERS: list[tuple[Any, ...]] = [
    ("choose-signer", _unsigned, botocore.handlers.REGISTER_FIRST),
    ("before-parameter-build", _starting, botocore.handlers.REGISTER_FIRST),
    ("before-send", _before_send, botocore.handlers.REGISTER_LAST),
    ("after-call", _after_call),
    ("after-call-error", _after_call_error),
]
for _handler in HANDLERS:
    if _handler not in botocore.handlers.BUILTIN_HANDLERS:
        botocore.handlers.BUILTIN_HANDLERS.append(_handler)
_EARLIER: set[int] = set()
"""The boto3 default session made before this module was imported (it lacks the
handlers, which `opened` adds once); every later session has them from botocore."""
if "boto3" in sys.modules and sys.modules["boto3"].DEFAULT_SESSION is not None:
    _EARLIER.add(id(sys.modules["boto3"].DEFAULT_SESSION))


def _register(session: Any) -> None:
    """Add the handlers to a botocore session made before this module was imported."""
    events = session.get_component("event_emitter")
    for spec in HANDLERS:
        event, handler = spec[0], spec[1]
        unique = f"simulator.aws.{handler.__name__}"
        if len(spec) == 3 and spec[2] is botocore.handlers.REGISTER_FIRST:
            events.register_first(event, handler, unique_id=unique)
        elif len(spec) == 3:
            events.register_last(event, handler, unique_id=unique)
        else:
            events.register(event, handler, unique_id=unique)
    loader = session.get_component("data_loader")
    if str(MODELS) not in loader.search_paths:
        loader.search_paths.append(str(MODELS))


def environment(region: str) -> dict[str, str | None]:
    """The variables a simulated run sets (None: unset), as Lambda's runtime sets some;
    each actor sets its caller's retry mode (`Actor.variables`)."""
    data_path = os.environ.get("AWS_DATA_PATH")
    return {
        "AWS_ACCESS_KEY_ID": "ASIASIMULATEDACCESS0",
        "AWS_SECRET_ACCESS_KEY": "simulated-secret-access-key",
        "AWS_SESSION_TOKEN": "simulated-session-token",
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_PROFILE": None,
        "AWS_DEFAULT_PROFILE": None,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ENDPOINT_URL": None,
        "AWS_RETRY_MODE": None,
        "AWS_MAX_ATTEMPTS": None,
        "AWS_DATA_PATH": os.pathsep.join(p for p in (str(MODELS), data_path) if p),
    }


_RUN = threading.RLock()


@contextmanager
def opened(variables: Mapping[str, str | None]) -> Iterator[None]:
    """A simulated run's surroundings (see the module's docstring), undone on leaving."""
    with _RUN, clock.patched():
        saved = {name: os.environ.get(name) for name in variables}
        _set(variables)
        try:
            import boto3

            session = boto3.DEFAULT_SESSION
            if session is not None and id(session) in _EARLIER:  # give it the handlers
                _register(session._session)
                _EARLIER.discard(id(session))
            yield
        finally:
            _set(saved)


def _set(variables: Mapping[str, str | None]) -> None:
    for name, value in variables.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
