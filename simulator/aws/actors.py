"""User code in simulated time: who is running it, and how it waits.

User code is ordinary blocking Python: `client.stop_project_version(...)` returns when the
answer is back, `time.sleep(30)` returns thirty seconds later. In a simulation those waits
are simulated, so the code must give the SimPy loop control whenever it waits and get it
back when the simulated moment comes. An `Actor` is the code doing that, in one of two
shapes:

- an `Invocation` of a handler runs in a greenlet of its own inside a SimPy process: to
  wait, it switches to the process, which yields the event and switches back with its
  value (`Invocation.run`);
- the `Driver` is the code inside `with simulated_aws(...)`: it is outside the loop, so to
  wait it runs the loop until the event (`env.run(until=event)`).

Why greenlets rather than threads handed a baton: a switch costs well under a microsecond
and needs no lock, every switch happens at a wait the simulation chose (so the order of
events, hence the tables, is the same on every run), and a timed-out invocation can be
ended by throwing into its greenlet. A thread the user code starts is a real thread: it
would run outside the simulated clock, so `simulator.aws.clock` refuses it with a message.

Each actor keeps its own state of Python's `random` (seeded from a named stream) and swaps
it in while it runs, so user code's randomness, and the SDK's (invocation ids, the jitter it
is not handed), is the same on every run whatever else runs beside it.
"""

from __future__ import annotations

import io
import os
import random
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import simpy
from greenlet import GreenletExit, getcurrent, greenlet

from simulator.errors import SimulatorError

if TYPE_CHECKING:
    from simulator.aws.account import Account

_ACTORS: dict[greenlet, Actor] = {}


def current() -> Actor | None:
    """The actor whose code is running now, or None outside any simulation."""
    return _ACTORS.get(getcurrent())


class Actor:
    """User code that calls AWS as one caller of one simulated account."""

    def __init__(self, account: Account, caller: str, seed: int) -> None:
        self.account = account
        self.caller = caller
        self.random_state = random.Random(seed).getstate()
        self.pending_s = 0.0
        """A retry backoff botocore slept, not yet waited: the next attempt's outbound trip
        waits it, so the two are one timeout, as the built-in callers make them."""
        self.jitter: list[float] = []
        """Retry jitter drawn from the caller's named stream when an attempt failed, for
        botocore's next backoff to use instead of `random.random()`."""
        self.call: dict[str, Any] = {}
        """What the hooks know of the API call in progress: its stop record (`stop`), and
        when its attempt in progress is sent (`sent_at`)."""
        self.ended_at: float | None = None
        """When the code was ended (a Lambda timeout, the horizon): nothing it sends after
        leaves, and an attempt already on its way is the service's to answer."""
        client = account.client(caller)
        attempts = client.max_attempts
        self.variables = {
            "AWS_RETRY_MODE": client.retry_mode.value,
            "AWS_MAX_ATTEMPTS": None if attempts is None else str(attempts),
        }
        """The caller's retry mode, as the clients its code makes read it."""

    def enter(self) -> None:
        """Set this actor's variables, if another's are set."""
        for name, value in self.variables.items():
            if os.environ.get(name) != value:
                if value is None:
                    del os.environ[name]
                else:
                    os.environ[name] = value

    def wait(self, event: simpy.Event) -> Any:
        """Block the user code until `event` is processed; its value."""
        raise NotImplementedError

    def settle(self) -> None:
        """Wait out a deferred backoff before the code observes the clock."""
        if self.pending_s > 0:
            pending, self.pending_s = self.pending_s, 0.0
            self.wait(self.account.sim.timeout(pending))

    def sleep(self, seconds: float) -> None:
        self.settle()
        self.wait(self.account.sim.timeout(max(0.0, seconds)))


class Driver(Actor):
    """The code inside `simulated_aws`: it waits by running the simulation."""

    def __init__(self, account: Account, caller: str, seed: int) -> None:
        self.greenlet = getcurrent()
        if self.greenlet in _ACTORS:
            raise SimulatorError(
                "simulated_aws: this code is already inside a simulation (a block in a block, "
                "or in a handler): leave the one it is in first"
            )
        super().__init__(account, caller, seed)
        self._outer_state = random.getstate()
        random.setstate(self.random_state)
        self.enter()
        _ACTORS[self.greenlet] = self

    def wait(self, event: simpy.Event) -> Any:
        state = random.getstate()  # the invocations the loop runs swap their own in
        try:
            return self.account.sim.env.run(until=event)
        finally:
            random.setstate(state)
            self.enter()

    def close(self) -> None:
        _ACTORS.pop(self.greenlet, None)
        random.setstate(self._outer_state)


ENDED = "Sandbox.Timedout"
"""What Lambda calls an invocation ended at its timeout."""


class Ended(GreenletExit):
    """Thrown into an invocation's code to end it (its timeout, or the run's end)."""


class Invocation(Actor):
    """One call of a handler, as a SimPy process driving its own greenlet."""

    GIVE_UP_AFTER = 10
    """Throws of `Ended` a code may swallow before it is left suspended."""

    def __init__(self, account: Account, caller: str, seed: int, body: Callable[[], Any]) -> None:
        super().__init__(account, caller, seed)
        self.greenlet = greenlet(body)
        self.log = io.StringIO()
        """What the code printed (Lambda sends it to CloudWatch Logs), kept out of the run's
        own output."""
        _ACTORS[self.greenlet] = self

    def wait(self, event: simpy.Event) -> Any:
        parent = self.greenlet.parent
        assert parent is not None
        return parent.switch(event)

    def _resume(self, value: Any, throw: bool = False) -> Any:
        """Run the code until it waits (the event it waits for) or ends (its result)."""
        outer, streams = random.getstate(), (sys.stdout, sys.stderr)
        random.setstate(self.random_state)
        sys.stdout = sys.stderr = self.log
        self.greenlet.parent = getcurrent()
        self.enter()
        try:
            if throw:
                return self.greenlet.throw(Ended)
            if not self.greenlet:  # not started yet: the body takes no argument
                return self.greenlet.switch()
            return self.greenlet.switch(value)
        finally:
            self.random_state = random.getstate()
            random.setstate(outer)
            sys.stdout, sys.stderr = streams

    def run(self, deadline: simpy.Event) -> simpy.events.ProcessGenerator:
        """The SimPy process: the code's waits, raced against `deadline`. Its value: the
        body's result, or None if the deadline ended it first."""
        try:
            waiting = self._resume(None)
            while not self.greenlet.dead:
                if not isinstance(waiting, simpy.Event):
                    raise TypeError(f"an invocation switched out with {waiting!r}")
                yield waiting | deadline
                if not waiting.processed and deadline.processed:
                    self.end()
                    return None
                waiting = self._resume(waiting.value)
            return waiting
        finally:
            _ACTORS.pop(self.greenlet, None)

    def end(self) -> None:
        """End the code at once, as Lambda ends a function at its timeout: its `finally`
        blocks run; one that keeps waiting is thrown at again, then abandoned. A stop it
        was sending that has not left is answered as ended (one that has is answered by
        the service, `Account._attempt`)."""
        now = self.account.sim.now
        self.ended_at = now
        for _ in range(self.GIVE_UP_AFTER):
            if self.greenlet.dead:
                break
            self._resume(None, throw=True)
        sent_at = self.call.get("sent_at")
        if "stop" in self.call and (sent_at is None or sent_at >= now):
            self.account.answered(self, 599, ENDED, self.call.get("attempt", 1) - 1)
        _ACTORS.pop(self.greenlet, None)
