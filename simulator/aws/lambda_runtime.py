"""Handler streams: the user's function invoked as Lambda invokes it, in simulated time.

At each arrival of a `handler:` stream, `handler(event, context)` runs as its own
simulated process (an `Invocation`): `event` is the EventBridge scheduled event a rule
would send, `context` a Lambda context whose `get_remaining_time_in_millis()` follows the
simulated clock. As in Lambda:

- an execution environment (the module, loaded once, with whatever it made at its top
  level: boto3 clients, caches) serves one invocation at a time and is reused by the next;
  an invocation that finds none idle starts a new one, a *cold start*, which loads the
  module afresh;
- an invocation still running at its `timeout` is ended (`Sandbox.Timedout`), and its
  environment is not reused;
- an exception in the code is the invocation's error (its type and message), never the
  run's; a handler that is missing or not callable at run time is `Runtime.HandlerNotFound`,
  a module that fails while loading `Runtime.ImportModuleError` (Lambda's own names).

Each invocation is a row of the `invocations` table. An invocation still running at the
horizon is ended there and recorded as `running`.
"""

from __future__ import annotations

import importlib.util
import sys
import uuid
from collections.abc import Generator
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from types import ModuleType
from typing import Any, Final

import simpy

from simulator.aws.account import Account
from simulator.aws.actors import Invocation
from simulator.engine.recorder import Columns
from simulator.scenario.handler import Invocations
from simulator.scenario.model import Scenario
from simulator.scenario.trace import seconds
from simulator.workload.arrivals import occurrences

INVOCATION_COLUMNS: Final[Columns] = {
    "stream": "category",
    "started": "float",
    "ended": "float",
    "outcome": "category",
    "cold_start": "bool",
    "error_type": "category",
    "error_message": "category",
    "log": "category",
}
TIMED_OUT: Final = "Sandbox.Timedout"
Process = Generator[simpy.Event, Any, None]


class LambdaContext:
    """What Lambda's Python runtime passes as `context` (the members it documents)."""

    memory_limit_in_mb = "128"
    function_version = "$LATEST"
    identity = None
    client_context = None

    def __init__(self, stream: HandlerStream, request_id: str, deadline: float) -> None:
        self._sim = stream.account.sim
        self._deadline = deadline
        self.function_name = stream.name
        self.invoked_function_arn = (
            f"arn:aws:lambda:{stream.region}:{stream.account_id}:function:{stream.name}"
        )
        self.aws_request_id = request_id
        self.log_group_name = f"/aws/lambda/{stream.name}"
        self.log_stream_name = f"{stream.moment(self._sim.now):%Y/%m/%d}/[$LATEST]{request_id[:8]}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, round((self._deadline - self._sim.now) * 1000))


class Environment:
    """One execution environment: the handler's module, loaded on its first invocation."""

    def __init__(self, stream: HandlerStream) -> None:
        self.stream = stream
        self.module: ModuleType | None = None

    def load(self) -> ModuleType:
        """Run the module, with its directory on the import path (Lambda's task root). The
        modules it imports from that directory are this environment's own, as in Lambda:
        they are taken out of `sys.modules` again, so the next environment imports its own
        (with their own clients and caches) rather than sharing these."""
        ref = self.stream.spec.handler
        name = ref.path.stem  # its __name__, as Lambda imports it
        spec = importlib.util.spec_from_file_location(name, ref.path)
        assert spec is not None, ref.path
        assert spec.loader is not None, ref.path
        module = importlib.util.module_from_spec(spec)
        before, previous = set(sys.modules), sys.modules.get(name)
        sys.modules[name] = module  # while it runs, as an import puts it (dataclasses need it)
        root = ref.path.parent
        try:
            spec.loader.exec_module(module)
        finally:
            for other in set(sys.modules) - before:
                file = getattr(sys.modules[other], "__file__", None)
                if file is not None and Path(file).resolve().is_relative_to(root):
                    del sys.modules[other]
            if previous is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = previous
        self.module = module
        return module


class HandlerStream:
    """The invocations of one `handler:` stream of a replication."""

    def __init__(self, account: Account, scenario: Scenario, index: int) -> None:
        spec = scenario.requests[index]
        assert isinstance(spec, Invocations)
        self.account = account
        self.spec = spec
        self.scenario = scenario
        self.name = scenario.stream_name(index)
        self.account_id = scenario.callers[spec.caller].account
        self.region = account.region
        self._idle: list[Environment] = []
        self._live: list[tuple[Invocation, float, bool]] = []
        sim = account.sim
        self._record = sim.recorder.table("invocations", INVOCATION_COLUMNS).append
        self._seeds = sim.streams.sampler(
            f"requests.{self.name}.invocations",
            lambda g, n: g.integers(0, 2**63, n, dtype="int64"),
        )
        """One per invocation: its `random` state and its request id."""

    def moment(self, seconds: float) -> datetime:
        return datetime.fromtimestamp(self.account.epoch + seconds, UTC)

    def start(self) -> None:
        self.account.sim.process(self._arrivals())

    def _arrivals(self) -> Process:
        sim, spec = self.account.sim, self.spec
        if spec.replay is not None:
            trace = spec.replay.trace
            times = seconds(trace, self.scenario.start).tolist()
            for time, event in zip(times, trace["event"].tolist(), strict=True):
                yield sim.timeout(max(0.0, time - sim.now))
                sim.process(self._invoke(event))
            return
        if spec.poisson is None:
            for time in occurrences(spec, self.scenario.start, self.scenario.horizon):
                yield sim.timeout(time - sim.now)
                sim.process(self._invoke())
            return
        poisson = spec.poisson
        end = self.scenario.horizon if poisson.end is None else poisson.end
        gaps = sim.streams.sampler(
            f"requests.{self.name}.gaps", lambda g, n: g.exponential(1 / poisson.rate, n)
        )
        yield sim.timeout(poisson.start)
        for _ in range(spec.count) if spec.count is not None else count():
            yield sim.timeout(gaps())
            if sim.now >= end:
                return
            sim.process(self._invoke())

    def event(self, request_id: str) -> dict[str, Any]:
        """The EventBridge "Scheduled Event" a rule sends (its documented members)."""
        return {
            "version": "0",
            "id": request_id,
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": self.account_id,
            "time": f"{self.moment(self.account.sim.now):%Y-%m-%dT%H:%M:%SZ}",
            "region": self.region,
            "resources": [f"arn:aws:events:{self.region}:{self.account_id}:rule/{self.name}"],
            "detail": {},
        }

    def _invoke(self, event: dict[str, Any] | None = None) -> Process:
        """One invocation, with `event` (by default the scheduled event)."""
        sim, spec = self.account.sim, self.spec
        started = sim.now
        environment = self._idle.pop() if self._idle else Environment(self)
        cold = environment.module is None
        seed = int(self._seeds())
        request_id = str(uuid.UUID(int=seed << 64 | seed, version=4))
        deadline_at = started + spec.timeout
        context = LambdaContext(self, request_id, deadline_at)
        event = self.event(request_id) if event is None else event
        actor = Invocation(
            self.account, spec.caller, seed, lambda: _call(environment, spec, event, context)
        )
        live = (actor, started, cold)
        self._live.append(live)
        result = yield from actor.run(sim.timeout(spec.timeout))
        self._live.remove(live)
        if result is None:
            timeout = f"Task timed out after {spec.timeout:.2f} seconds"
            log = actor.log.getvalue()
            self._record(self.name, started, sim.now, "timed out", cold, TIMED_OUT, timeout, log)
            return
        outcome, error_type, message = result
        log = actor.log.getvalue()
        self._record(self.name, started, sim.now, outcome, cold, error_type, message, log)
        self._idle.append(environment)

    def close(self) -> None:
        """The horizon: every invocation still running is ended and recorded so."""
        for actor, started, cold in self._live:
            actor.end()
            log = actor.log.getvalue()
            self._record(self.name, started, float("nan"), "running", cold, None, None, log)
        self._live.clear()


def _call(
    environment: Environment, spec: Invocations, event: dict[str, Any], context: LambdaContext
) -> tuple[str, str | None, str | None]:
    """The invocation's body, in its greenlet: (outcome, error type, message)."""
    function = spec.handler.function
    try:
        module = environment.module or environment.load()
    except SystemExit as error:
        environment.module = None
        return "error", "Runtime.ExitError", f"the module exited while loading: {error}"
    except Exception as error:
        environment.module = None
        return "error", "Runtime.ImportModuleError", f"{type(error).__name__}: {error}"
    handler = getattr(module, function, None)
    if not callable(handler):
        what = "missing" if handler is None else f"a {type(handler).__name__}, not callable"
        message = f"Handler '{function}' in {spec.handler.path.name}: {what}"
        return "error", "Runtime.HandlerNotFound", message
    try:
        handler(event, context)
    except (Exception, SystemExit) as error:
        return "error", type(error).__name__, str(error)
    return "ok", None, None
