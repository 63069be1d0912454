"""How time, durations and money read on an axis.

Times are shown from the scenario's start in hours, days when the axis spans more than
three days, minutes when it spans an hour or less; never in seconds. A time axis ends at
the scenario's horizon, so figures of one run share their scale. Durations (a stop's
latency) are in seconds, minutes or hours, whichever keeps the longest under about 600.
Money reads as the terminal and report write it (`simulator.humanize.usd`): `$1,200`,
`-$50`, with cents only where the ticks are closer than a dollar.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Final

from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.ticker import Formatter, MultipleLocator

from simulator.humanize import usd

_TICKS: Final = {
    "days": (1, 2, 5, 7, 14, 28),
    "hours": (0.25, 0.5, 1, 2, 3, 6, 12, 24),
    "minutes": (1, 2, 5, 10, 15, 30),
}


def time_unit(extent_s: float) -> tuple[float, str]:
    """Hours; days past three days, minutes up to an hour: seconds from the start are
    unreadable, and a burst of a few minutes is lost on an axis in hours."""
    if extent_s > 3 * 86400:
        return 86400.0, "days"
    return (3600.0, "hours") if extent_s > 3600 else (60.0, "minutes")


def time_axis(ax: Axes, low_s: float, high_s: float) -> float:
    """Make `ax`'s x axis the run's time from `low_s` to `high_s` (s) in the unit that fits,
    with at most 10 ticks a round number of days, hours or minutes apart; return the
    seconds per unit, to divide the data by."""
    scale, unit = time_unit(high_s - low_s)
    extent = (high_s - low_s) / scale
    ticks = _TICKS[unit]
    ax.xaxis.set_major_locator(
        MultipleLocator(next((t for t in ticks if extent / t <= 10), ticks[-1]))
    )
    ax.set_xlim(low_s / scale, high_s / scale)
    ax.set_xlabel(f"time since start ({unit})")
    return scale


def duration_unit(longest_s: float) -> tuple[float, str]:
    """Seconds, minutes or hours, whichever keeps the longest value under about 600."""
    if longest_s < 600:
        return 1.0, "s"
    return (60.0, "min") if longest_s < 600 * 60 else (3600.0, "h")


class Dollars(Formatter):
    """Tick labels in dollars, the sign first (`-$50`), with as many decimals as the
    distance between ticks needs (`$0.25`, `$1,200`)."""

    def __init__(self) -> None:
        self.ticks: list[float] = []

    def set_locs(self, locs: Sequence[float]) -> None:
        """Told the axis's ticks before it labels them (matplotlib's own `locs` is going)."""
        self.ticks = [float(v) for v in locs]

    def __call__(self, x: float, pos: int | None = None) -> str:
        locs = self.ticks or [x]
        steps = [abs(b - a) for a, b in pairwise(locs) if b != a]
        tolerance = 1e-3 * min(steps, default=abs(x) or 1.0)
        decimals = next(
            (d for d in range(5) if all(abs(round(v, d) - v) <= tolerance for v in locs)), 4
        )
        return usd(x, decimals)


def money(amount: float) -> str:
    """An amount in a title or a legend: whole dollars from $100, cents below."""
    return usd(amount, 0 if abs(amount) >= 100 else 2)


def dollar_axis(axis: Axis) -> None:
    """Label `axis` (ax.xaxis or ax.yaxis) in dollars."""
    axis.set_major_formatter(Dollars())
