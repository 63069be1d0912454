"""The durations of one latency setting, each known only to lie in an interval.

Observed transitions rarely give a duration exactly. A resource still STOPPING when the data
ends says only that its stop took longer than it was watched (right-censored); a status seen
by a script polling every 30 s says the change happened between two polls
(interval-censored). `Sample` keeps every duration as `[low, high]`, with how it was
observed (`period`, `until`, `raced`), so the fit can weigh each by what it says and the bootstrap
can observe simulated durations the same way.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

import numpy as np

_BOUNDS: Final = ("low", "high", "period", "until")
"""The columns of seconds."""


def _column(values: Iterable[float] | np.ndarray, name: str) -> np.ndarray:
    array = np.array(values, dtype=float).ravel()
    if np.isnan(array).any():
        raise ValueError(f"{name} holds NaN: every duration needs both bounds")
    return array


@dataclass(frozen=True, eq=False)
class Sample:
    """Durations of one latency setting, each known to lie in [low, high] seconds.

    - `low`: seconds >= 0, finite.
    - `high`: >= `low`; `np.inf` where the duration is right-censored (still in the status
      when the data ended); equal to `low` where the duration is exact.
    - `period`: the polling period (s) that produced the interval, 0 where the times are
      exact. An interval no wider than 1.5 periods had one end polled (the other known,
      such as a request's time); a wider one had both ends polled.
    - `until`: how long after the start the resource could be watched (s), `np.inf` if
      without end: the bootstrap censors simulated durations there, as the data was.
    - `raced`: True where another clock won a race and ended the watch (Comprehend's stop
      ending a training): `until` is then the race's moment. A duration that completed was
      at risk of the same race, whose moment is unknown but later, so the bootstrap draws
      it (`simulator.fit.bootstrap`). Empty (the default): none raced.
    """

    low: np.ndarray
    high: np.ndarray
    period: np.ndarray
    until: np.ndarray
    raced: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    def __post_init__(self) -> None:
        columns = {name: _column(getattr(self, name), name) for name in _BOUNDS}
        sizes = {len(c) for c in columns.values()}
        if len(sizes) != 1:
            shown = ", ".join(f"{k}: {len(v)}" for k, v in columns.items())
            raise ValueError(f"low, high, period and until need one value each: {shown}")
        low, high, period, until = columns.values()
        if (low < 0).any() or not np.isfinite(low).all():
            raise ValueError("low must be finite and >= 0 seconds")
        if (high < low).any():
            raise ValueError("high must be >= low (np.inf where right-censored)")
        if (period < 0).any() or not np.isfinite(period).all():
            raise ValueError("period must be finite and >= 0 seconds (0: exact times)")
        if (until < low).any():
            raise ValueError("until must be >= low: a duration is not seen past its watch")
        raced = np.array(self.raced, dtype=bool).ravel()
        if not len(raced):
            raced = np.zeros(len(low), dtype=bool)
        if len(raced) != len(low):
            raise ValueError(f"raced needs one value per duration: {len(raced)}, not {len(low)}")
        if (raced & np.isfinite(high)).any():
            raise ValueError("raced only where high is np.inf: a race leaves the duration censored")
        columns["raced"] = raced
        for name, column in columns.items():
            column.setflags(write=False)
            object.__setattr__(self, name, column)

    @staticmethod
    def _fields() -> tuple[str, ...]:
        return (*_BOUNDS, "raced")

    @classmethod
    def exact(cls, values: Iterable[float] | np.ndarray) -> Sample:
        """Durations known to the second (or better), watched without end."""
        array = _column(values, "values")
        return cls(array, array, np.zeros_like(array), np.full_like(array, math.inf))

    @classmethod
    def concat(cls, *samples: Sample) -> Sample:
        """One sample of the observations of all: several files of one latency setting."""
        if not samples:
            return cls.exact(())
        return cls(*(np.concatenate([getattr(s, name) for s in samples]) for name in cls._fields()))

    @property
    def n(self) -> int:
        """How many durations, usable or not."""
        return len(self.low)

    @property
    def is_exact(self) -> np.ndarray:
        return np.asarray(self.low == self.high)

    @property
    def is_right(self) -> np.ndarray:
        return np.asarray(np.isinf(self.high))

    @property
    def is_interval(self) -> np.ndarray:
        return np.asarray((self.low < self.high) & np.isfinite(self.high))

    @property
    def exact_count(self) -> int:
        return int(self.is_exact.sum())

    @property
    def right_count(self) -> int:
        return int(self.is_right.sum())

    @property
    def interval_count(self) -> int:
        return int(self.is_interval.sum())

    @property
    def is_usable(self) -> np.ndarray:
        """The durations that say anything: not `[0, inf)` (censored before any time
        passed)."""
        return np.asarray(~((self.low == 0) & np.isinf(self.high)))

    @property
    def usable(self) -> int:
        return int(self.is_usable.sum())

    def where(self, keep: np.ndarray) -> Sample:
        """The observations `keep` (a boolean mask or indices) selects."""
        return Sample(*(getattr(self, name)[keep] for name in self._fields()))

    def describe(self) -> str:
        """'300 durations: 212 exact, 40 right-censored, 48 between polls'."""
        return (
            f"{self.n} durations: {self.exact_count} exact, {self.right_count} right-censored,"
            f" {self.interval_count} between polls"
        )
