"""The simulated clock, as user code and botocore read it.

While a simulation with user code is open (`patched()`, counted, so nested openings are
one), these read or advance the clock of the actor running them, and are untouched for any
other code (the runner, a progress thread, another thread's work):

- `time.sleep`, `time.time`, `time.time_ns`, `time.monotonic`, `time.monotonic_ns`;
- `datetime.datetime.now`, `utcnow` and `today` (the `datetime` module's class is replaced
  by a subclass that real datetimes are instances of, as freezegun does): code that did
  `from datetime import datetime` *before* the simulation opened keeps the real class;
- `uuid.uuid4`: from the actor's `random` state, so invocation ids and user tokens rerun;
- botocore's retry sleep (`botocore.endpoint`), deferred to the next attempt's trip so a
  backoff and the trip are one wait, as the built-in callers make them; its retry jitter
  (legacy `retryhandler`, standard `ExponentialBackoff`), drawn from the caller's named
  stream; adaptive mode's token bucket, whose lock and condition become cooperative (a
  condition wait is a simulated sleep that a change of rate ends early) and whose clock
  reads simulated seconds since the start;
- `threading.Thread.start` from user code: refused, since a real thread would run outside
  the simulated clock (`ThreadsNotSimulated`).

Nothing waits in wall-clock time: a wait is a SimPy event.
"""

from __future__ import annotations

import datetime as _datetime_module
import random
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import botocore.endpoint
import botocore.retries.bucket
import botocore.retries.standard
import botocore.retryhandler
import simpy

from simulator.aws.actors import current
from simulator.workload.retries import advancing

_real_datetime = _datetime_module.datetime
_real = SimpleNamespace(
    sleep=time.sleep,
    time=time.time,
    time_ns=time.time_ns,
    monotonic=time.monotonic,
    monotonic_ns=time.monotonic_ns,
    uuid4=uuid.uuid4,
    thread_start=threading.Thread.start,
)


class ThreadsNotSimulated(RuntimeError):
    """User code started a thread inside a simulation."""


def _sleep(seconds: float) -> None:
    actor = current()
    if actor is None:
        _real.sleep(seconds)
    else:
        actor.sleep(seconds)


def _epoch() -> float | None:
    """Seconds since 1970 on the running actor's simulated clock; None outside."""
    actor = current()
    if actor is None:
        return None
    actor.settle()
    return actor.account.epoch + actor.account.sim.now


def _time() -> float:
    epoch = _epoch()
    return _real.time() if epoch is None else epoch


def _time_ns() -> int:
    epoch = _epoch()
    return _real.time_ns() if epoch is None else round(epoch * 1e9)


def _monotonic() -> float:
    actor = current()
    if actor is None:
        return float(_real.monotonic())
    actor.settle()
    return actor.account.sim.now


def _bucket_time(_clock: object) -> float:
    """`botocore.retries.bucket.Clock.current_time`: the simulated seconds since the start,
    which its limiter only subtracts and buckets (as the built-in callers' limiter does)."""
    return _monotonic()


def _monotonic_ns() -> int:
    actor = current()
    return _real.monotonic_ns() if actor is None else round(_monotonic() * 1e9)


def _uuid4() -> uuid.UUID:
    if current() is None:
        real: uuid.UUID = _real.uuid4()
        return real
    return uuid.UUID(int=int(random.getrandbits(128)), version=4)


def _jitter() -> float:
    """botocore's U(0,1) backoff draw: the caller's stream draw for this failure, if the
    hooks drew one, else the actor's own `random`."""
    actor = current()
    if actor is not None and actor.jitter:
        return actor.jitter.pop(0)
    return random.random()


def _thread_start(thread: threading.Thread) -> None:
    if current() is not None:
        raise ThreadsNotSimulated(
            "user code started a thread inside a simulation: threads run in wall-clock time, "
            "outside the simulated clock; call the SDK from the handler's own code instead"
        )
    _real.thread_start(thread)


class _SimulatedMeta(type):
    def __instancecheck__(cls, instance: object) -> bool:
        return isinstance(instance, _real_datetime)

    def __subclasscheck__(cls, subclass: type) -> bool:
        return issubclass(subclass, _real_datetime)


class SimulatedDatetime(_real_datetime, metaclass=_SimulatedMeta):
    """`datetime.datetime` whose `now`, `utcnow` and `today` read the simulated clock.

    It makes real datetimes only: what botocore or user code builds with it (a parsed
    timestamp, `datetime(2026, 1, 5)`) is an ordinary `datetime`."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        return _real_datetime(*args, **kwargs)

    @classmethod
    def now(cls, tz: _datetime_module.tzinfo | None = None) -> Any:
        epoch = _epoch()
        if epoch is None:
            return _real_datetime.now(tz)
        return _real_datetime.fromtimestamp(epoch, tz)

    @classmethod
    def utcnow(cls) -> Any:
        epoch = _epoch()
        if epoch is None:
            return _real_datetime.utcnow()
        utc = _real_datetime.fromtimestamp(epoch, _datetime_module.UTC)
        return utc.replace(tzinfo=None)

    @classmethod
    def today(cls) -> Any:
        return cls.now()


class _Cooperative:
    """A lock and condition for botocore's token bucket: greenlets switch only where the
    simulation waits, so there is nothing to lock. A wait is a simulated sleep that a
    `notify` ends early, for the longest waiting first, as `threading.Condition` does."""

    def __init__(self, lock: object = None) -> None:
        del lock
        self._waiting: deque[simpy.Event] = deque()

    def __enter__(self) -> _Cooperative:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        return True

    def release(self) -> None:
        return None

    def wait(self, timeout: float | None = None) -> bool:
        actor = current()
        if actor is None:  # outside a simulation nothing else can notify: sleep it out
            _real.sleep(0.0 if timeout is None else timeout)
            return True
        actor.settle()
        sim = actor.account.sim
        woken = sim.env.event()
        self._waiting.append(woken)
        try:
            actor.wait(sim.timeout(advancing(sim.now, timeout or 0.0)) | woken)
        finally:  # ended while it waited, too: a notify must wake a live waiter
            if not woken.triggered:
                self._waiting.remove(woken)
        return True

    def notify(self, n: int = 1) -> None:
        for _ in range(min(n, len(self._waiting))):
            self._waiting.popleft().succeed()

    def notify_all(self) -> None:
        self.notify(len(self._waiting))


class _EndpointTime:
    """`time` as `botocore.endpoint` sees it: its retry sleep is deferred to the next
    attempt (see `Actor.pending_s`)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)

    @staticmethod
    def sleep(seconds: float) -> None:
        actor = current()
        if actor is None:
            _real.sleep(seconds)
        else:
            actor.settle()
            actor.pending_s = seconds


_PATCHES: list[tuple[object, str, object]] = [
    (time, "sleep", _sleep),
    (time, "time", _time),
    (time, "time_ns", _time_ns),
    (time, "monotonic", _monotonic),
    (time, "monotonic_ns", _monotonic_ns),
    (_datetime_module, "datetime", SimulatedDatetime),
    (uuid, "uuid4", _uuid4),
    (threading.Thread, "start", _thread_start),
    (botocore.endpoint, "time", _EndpointTime()),
    (botocore.retryhandler, "random", SimpleNamespace(random=_jitter)),
    (
        botocore.retries.bucket,
        "threading",
        SimpleNamespace(Lock=_Cooperative, Condition=_Cooperative),
    ),
    (botocore.retries.bucket.Clock, "current_time", _bucket_time),
]
_depth = 0
_saved: list[tuple[object, str, object]] = []
_lock = threading.Lock()


def _backoff_defaults() -> tuple[Any, tuple[Any, ...]]:
    """ExponentialBackoff.__init__ and its defaults, whose second is `random.random`."""
    init = botocore.retries.standard.ExponentialBackoff.__init__
    defaults = init.__defaults__
    assert defaults is not None, "botocore's ExponentialBackoff moved"
    assert defaults[1] is random.random, "botocore's ExponentialBackoff moved"
    return init, defaults


@contextmanager
def patched() -> Iterator[None]:
    """The patches above, for the duration (counted: the outermost opening installs them)."""
    global _depth
    with _lock:
        if _depth == 0:
            _saved[:] = [(owner, name, getattr(owner, name)) for owner, name, _ in _PATCHES]
            for owner, name, value in _PATCHES:
                setattr(owner, name, value)
            init, defaults = _backoff_defaults()
            init.__defaults__ = (defaults[0], _jitter, *defaults[2:])
            _saved.append((init, "__defaults__", defaults))
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                for owner, name, value in reversed(_saved):
                    setattr(owner, name, value)
                _saved.clear()
