"""`simulate diff --fail-if` gates: a limit on a change from run A to run B, for CI.

    [SELECTOR] METRIC OP VALUE
    billed_usd > +5%                          any service and group billing 5% more
    all/all billed_usd > +100                 the total bill up by more than $100
    rekognition/*/STOPPED latency_p95_s > +30s

SELECTOR is `service/group/outcome` with `*` wildcards (shell-style), parts left off
meaning `*`; billed_usd and saved_usd are per service and group, so their selector has two
parts. OP is one of > < >= <=. VALUE is the change from A to B: a number with an optional
sign, in the metric's unit (dollars, stops; a duration such as `30s` or `2m` for a
latency), or a percentage of A's mean. A gate trips where the change's estimate (not its
interval) passes the limit, in any row its selector matches.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Final

import pandas as pd

from simulator.analysis.diff import BILL_METRICS, METRICS
from simulator.engine.durations import parse_duration
from simulator.errors import SimulatorError

OPERATORS: Final[dict[str, Callable[[float, float], bool]]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
}
_GATE: Final = re.compile(
    r"^\s*(?:(?P<selector>\S+)\s+)?(?P<metric>\w+)\s*(?P<op>>=|<=|>|<)\s*(?P<value>\S+)\s*$"
)
_NUMBER: Final = re.compile(
    r"^(?P<sign>[+-]?)(?P<magnitude>(?:\d+(?:\.\d*)?|\.\d+)\w*)(?P<pct>%?)$"
)
EXPECTED: Final = (
    "expected '[SERVICE/GROUP/OUTCOME] METRIC OP VALUE', e.g. 'billed_usd > +5%' or "
    "'rekognition/*/STOPPED latency_p95_s > +30s'; metrics: "
    + ", ".join(METRICS)
    + "; OP: > < >= <=; VALUE: a number, a percentage, or a duration for *_s metrics"
)


class GateError(SimulatorError):
    """A `--fail-if` gate that cannot be read."""


@dataclass(frozen=True)
class Gate:
    text: str
    selector: tuple[str, ...]
    metric: str
    op: str
    limit: float
    relative: bool
    """Whether `limit` is a fraction of A's mean (given as a percentage)."""

    def selected(self, diff: pd.DataFrame) -> pd.DataFrame:
        """The rows of a diff (`analysis.diff.COLUMNS`) of this gate's metric and selector."""
        rows = diff[diff["metric"] == self.metric]
        names = rows[["service", "group", "outcome"]].astype(str).itertuples(index=False)
        return rows[_mask(rows, (self._matches(tuple(row)) for row in names))]

    def _matches(self, names: Sequence[str]) -> bool:
        pairs = zip(names, self.selector, strict=True)
        return all(fnmatchcase(name, pattern) for name, pattern in pairs)

    def tripped(self, diff: pd.DataFrame) -> pd.DataFrame:
        """The rows of a diff this gate trips on: its change passes the limit."""
        rows = self.selected(diff)
        change = rows["relative" if self.relative else "change"]
        return rows[
            _mask(rows, (pd.notna(v) and OPERATORS[self.op](v, self.limit) for v in change))
        ]


def _mask(rows: pd.DataFrame, chosen: Iterable[bool]) -> pd.Series:
    """A boolean index of `rows` (a bare list would select columns when empty)."""
    return pd.Series(list(chosen), index=rows.index, dtype=bool)


def parse_gate(text: str) -> Gate:
    """The gate `text` says; GateError naming it and what was expected if it cannot be read."""
    found = _GATE.match(text)
    if found is None:
        raise GateError(f"--fail-if {text!r}: {EXPECTED}")
    metric, op, value = found["metric"], found["op"], found["value"]
    if metric not in METRICS:
        raise GateError(f"--fail-if {text!r}: unknown metric {metric!r}; {EXPECTED}")
    parts = tuple((found["selector"] or "").split("/")) if found["selector"] else ()
    width = 2 if metric in BILL_METRICS else 3
    if len(parts) > width or any(not part for part in parts):
        shape = "SERVICE/GROUP" if width == 2 else "SERVICE/GROUP/OUTCOME"
        raise GateError(
            f"--fail-if {text!r}: {metric} is selected by {shape} (with * wildcards), "
            f"got {found['selector']!r}"
        )
    selector = (*parts, *["*"] * (width - len(parts)), *([""] if width == 2 else []))
    limit, relative = _limit(text, metric, value)
    return Gate(text, selector, metric, op, limit, relative)


def _limit(text: str, metric: str, value: str) -> tuple[float, bool]:
    """The gate's limit and whether it is relative; GateError for one that cannot be read
    or is not finite (`1e400` reads as infinity, which no change could pass)."""
    limit, relative = _read_limit(text, metric, value)
    if not math.isfinite(limit):
        raise GateError(f"--fail-if {text!r}: {value!r} is not a finite number")
    return limit, relative


def _read_limit(text: str, metric: str, value: str) -> tuple[float, bool]:
    number = _NUMBER.match(value)
    if number is None:
        raise GateError(f"--fail-if {text!r}: cannot read the value {value!r}; {EXPECTED}")
    sign = -1.0 if number["sign"] == "-" else 1.0
    magnitude = number["magnitude"]
    if number["pct"]:
        try:
            return sign * float(magnitude) / 100, True
        except ValueError:
            raise GateError(f"--fail-if {text!r}: {value!r} is not a percentage") from None
    try:
        if metric.endswith("_s"):
            return sign * parse_duration(magnitude), False
        return sign * float(magnitude), False
    except ValueError:
        unit = "a duration such as 30s or 2m" if metric.endswith("_s") else "a plain number"
        raise GateError(f"--fail-if {text!r}: {metric}'s value is {unit}, got {value!r}") from None
