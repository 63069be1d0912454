"""The colours of a figure: a colour means one thing within it.

A status or an outcome has its usual colour (billing red, stopped green, stuck dark red),
and a fleet group takes the next free colour of a qualitative cycle. Both are handed out
by one `Palette` per figure, which never gives two names colours closer than MIN_DISTANCE
in CIELAB (where distance follows how people see a difference): a name whose usual colour
is taken in this figure, or is near one that is (`TRAINED` and a group both wanting blue;
`InProgress` and `Executing`, two services' "working"; Deleted's grey beside in_flight's),
gets a spare one instead. Asked in a fixed order (the plots ask in sorted order), the same
names get the same colours in every figure.
"""

from __future__ import annotations

import itertools
import math
import zlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Final, Literal

from matplotlib.colors import to_hex, to_rgb

_BILLING, _TRAINING, _STARTING, _STOPPING, _STOPPED = (
    "#d62728", "#ff7f0e", "#9edae5", "#f2b701", "#2ca02c",
)  # fmt: skip
_FAILED, _DELETING, _GONE = "#8c564b", "#7f7f7f", "#c7c7c7"
STATUS_COLOURS: Final[Mapping[str, str]] = {
    # serving or training: billed
    "RUNNING": _BILLING, "HOSTED": _BILLING, "SYSTEM_UPDATING": "#bcbd22",
    "TRAINING": _TRAINING, "TRAINING_IN_PROGRESS": _TRAINING, "InProgress": _TRAINING,
    "COPYING_IN_PROGRESS": "#dbdb8d", "Stored": "#e377c2",
    # on the way up or down
    "SUBMITTED": "#c5b0d5", "STARTING": _STARTING, "STARTING_HOSTING": _STARTING,
    "STOPPING": _STOPPING, "STOPPING_HOSTING": _STOPPING, "STOP_REQUESTED": _STOPPING,
    "Stopping": _STOPPING, "Starting": _STARTING,
    "Executing": _TRAINING, "Running": _TRAINING, "Sent": "#17becf",
    # where a stop ends
    "STOPPED": _STOPPED, "Stopped": _STOPPED,
    "TRAINED": "#1f77b4", "TRAINING_COMPLETED": "#1f77b4", "COPYING_COMPLETED": "#1f77b4",
    "TRAINED_WITH_WARNING": "#aec7e8", "Completed": "#9467bd", "Succeeded": "#9467bd",
    "Finished": "#9467bd", "CompletedWithFailures": "#c49c94", "TimedOut": _FAILED,
    "FAILED": _FAILED, "IN_ERROR": _FAILED, "TRAINING_FAILED": _FAILED,
    "HOSTING_FAILED": _FAILED, "COPYING_FAILED": _FAILED, "Failed": _FAILED,
    "DELETING": _DELETING, "Deleting": _DELETING, "Deleted": _GONE,
    "DEPRECATED": _GONE, "EXPIRED": _GONE,
    # outcomes of a stop that did not end
    "rejected": "#404040", "stuck": "#a50f15", "in_flight": "#bdbdbd",
}  # fmt: skip
"""Statuses of the same kind share a colour across services; within one figure the
`Palette` keeps them apart."""
GROUP_COLOURS: Final = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#d62728", "#17becf", "#8c564b", "#e377c2",
    "#bcbd22", "#7f7f7f",
)  # fmt: skip
"""The colours fleet groups take, in order: matplotlib's tab10, easiest to tell apart first."""
_SPARE: Final = (
    "#393b79", "#637939", "#e7298a", "#66c2a5", "#a65628", "#7b4173", "#bd9e39", "#98df8a",
    "#ff9896", "#ffbb78", "#8c6d31", "#ad494a", "#fc8d62", "#a6d854",
)  # fmt: skip
"""Colours for a name whose usual one is taken: each at least MIN_DISTANCE from every
colour above and from each other (tab20, tab20b, Set1-3, Dark2 and Pastel2 picked over by
that rule, none paler than L* 85), so a spare never passes for a named colour (Running, in
a spare beside Failed's brown, was once a darker brown) and a sliver of one still shows on
white."""
PALEST: Final = 85.0
"""The highest CIELAB lightness of a colour handed out beyond the named ones."""
MIN_DISTANCE: Final = 20.0
"""The least CIELAB distance (ΔE*ab) between two colours of one figure. Near-copies that
people confuse measure 12 to 18 (`#843c39` against Failed `#8c564b`, `#31a354` against
Stopped `#2ca02c`); a just noticeable difference is about 2.3, but two bars must be told
apart at a glance, by a legend's small swatch."""
Kind = Literal["status", "group"]


class Palette:
    """The colours handed out in one figure, one per (kind, name), never one twice."""

    def __init__(self) -> None:
        self.given: dict[tuple[Kind, str], str] = {}

    def status(self, name: str) -> str:
        """The colour of a status or a stop's outcome."""
        return self._pick(("status", name), STATUS_COLOURS.get(name), ())

    def group(self, name: str) -> str:
        """The colour of a fleet group: the first free one of GROUP_COLOURS."""
        return self._pick(("group", name), None, GROUP_COLOURS)

    def _pick(self, key: tuple[Kind, str], usual: str | None, cycle: Sequence[str]) -> str:
        if key in self.given:
            return self.given[key]
        taken = [_WHITE, *(lab(colour) for colour in self.given.values())]
        start = zlib.crc32(key[1].encode()) % len(_SPARE)  # a spare of its own, if free
        choices = [*([usual] if usual else []), *cycle, *_SPARE[start:], *_SPARE[:start]]
        free = next((c for c in choices if _apart(c, taken, MIN_DISTANCE)), None)
        if free is None:  # past the spares: the first far colour of a sequence through sRGB
            free = next((c for c in _FILLERS if _apart(c, taken, MIN_DISTANCE)
                         and lab(c)[0] <= PALEST), None)  # fmt: skip
        if free is None:  # a figure of hundreds of names: colours merely not equal
            free = next(c for c in _filler_sequence() if _apart(c, taken, 1e-9))
        self.given[key] = free
        return free


_WHITE: Final = (100.0, 0.0, 0.0)
"""The background, in CIELAB: no colour is handed out that would vanish against it."""


def _filler_sequence() -> Iterator[str]:
    """Colours spread evenly through the sRGB cube, without end: Roberts' R2 sequence in
    three dimensions (steps of the inverse powers of the plastic number's 3-D kin), which
    leaves no large gap after any number of steps."""
    root = 1.2207440846057596  # x^4 = x + 1
    a, b, c = (1 / root**k for k in (1, 2, 3))
    for n in itertools.count():
        yield to_hex(((0.5 + a * n) % 1.0, (0.5 + b * n) % 1.0, (0.5 + c * n) % 1.0))


_FILLERS: Final = tuple(itertools.islice(_filler_sequence(), 2000))


def _apart(colour: str, taken: Sequence[tuple[float, float, float]], least: float) -> bool:
    mine = lab(colour)
    return all(math.dist(mine, other) > least for other in taken)


def lab(colour: str) -> tuple[float, float, float]:
    """`colour` in CIELAB (D65 white), where the distance between two colours follows how
    different people see them, as it does not in RGB."""

    def linear(v: float) -> float:  # sRGB's transfer curve undone
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    r, g, b = (linear(v) for v in to_rgb(colour))
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883
    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))
