"""The colours of a figure: a colour means one thing within it.

A status or an outcome has its usual colour (billing red, stopped green, stuck dark red),
and a fleet group takes the next free colour of a qualitative cycle. Both are handed out
by one `Palette` per figure, which never gives one colour to two names: a name whose usual
colour is taken in this figure (`TRAINED` and a group both wanting blue; `InProgress` and
`Executing`, two services' "working") gets a spare one instead. Asked in a fixed order (the
plots ask in sorted order), the same names get the same colours in every figure.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from typing import Final, Literal

from matplotlib import colormaps
from matplotlib.colors import to_hex

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
    "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#e6550d", "#31a354",
    "#756bb1", "#636363", "#6baed6", "#fd8d3c", "#74c476", "#9e9ac8", "#969696", "#de9ed6",
)  # fmt: skip
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
        taken = set(self.given.values())
        start = zlib.crc32(key[1].encode()) % len(_SPARE)  # a spare of its own, if free
        choices = [*([usual] if usual else []), *cycle, *_SPARE[start:], *_SPARE[:start]]
        free = next((c for c in choices if c not in taken), None)
        step = len(taken)
        while free is None:  # past 26 names: golden-ratio steps round a colour map
            candidate = to_hex(colormaps["turbo"]((step * 0.618034) % 1.0))
            free, step = (None if candidate in taken else candidate), step + 1
        self.given[key] = free
        return free
