"""The user's code in one replication: its simulated account, its handler streams, and
what the run needs around it (`Automation.running`)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from simulator.aws import hooks
from simulator.aws.account import Account
from simulator.aws.lambda_runtime import HandlerStream
from simulator.scenario.model import Scenario

if TYPE_CHECKING:
    from simulator.build import Model


def _restore(variables: dict[str, str]) -> None:
    """`os.environ` as it was (handler code may set or remove variables)."""
    for name in [name for name in os.environ if name not in variables]:
        del os.environ[name]
    for name, value in variables.items():
        if os.environ.get(name) != value:
            os.environ[name] = value


class Automation:
    def __init__(self, model: Model, scenario: Scenario) -> None:
        # the functions run in the scenario's region: Lambda sets AWS_REGION to theirs, the
        # region user code's clients default to
        self.account = Account(model, scenario.start.timestamp(), scenario.region)
        self.streams = [
            HandlerStream(self.account, scenario, i) for i, _ in scenario.handler_streams
        ]

    def start(self) -> None:
        for stream in self.streams:
            stream.start()

    @contextmanager
    def running(self) -> Iterator[None]:
        """Around the event loop: the hooks' surroundings; at the end, the invocations
        still running are ended and recorded, and `sys.path` and `os.environ` are put back
        as they were (handler code's changes to them do not reach the next run)."""
        roots = [str(p) for p in dict.fromkeys(s.spec.handler.path.parent for s in self.streams)]
        path, variables = sys.path[:], dict(os.environ)
        with hooks.opened(hooks.environment(self.account.region)):
            sys.path[:0] = roots  # each handler's directory, as Lambda's task root
            try:
                yield
            finally:
                for stream in self.streams:
                    stream.close()
                if self.streams:  # what handler code changed ends with its run, as in Lambda
                    sys.path[:] = path
                    _restore(variables)
