"""What a log replay made of its log, for people: what it sends, what it left out and why,
who sends it and how the log's resources were found in the fleet."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from simulator.scenario.log_records import NOT_REPLAYED


@dataclass(frozen=True)
class LogReport:
    """What a log replay made of its log: what it sends, what it left out and why."""

    path: Path
    kind: str
    records: int
    replayed: Counter[str]
    """Requests by operation."""
    ignored: Counter[tuple[str, str, str]]
    """Records not replayed, by (event source, operation or event, why)."""
    principals: dict[str, tuple[str, int]]
    """Each principal (`userIdentity.arn`; `(none)` for an event) -> (caller, requests)."""
    resources: Counter[str]
    """Log resources by how they were found in the fleet: `id`, `name`, `added`."""
    missing: tuple[str, ...]
    """Log resources the fleet lacks (requests to them find no resource)."""
    recorded_errors: Counter[str]
    """The log's error codes among the replayed records."""

    def lines(self) -> list[tuple[str, int, str]]:
        """(what, how many, detail) for a table: replayed, ignored, callers, resources."""
        other = {key: n for key, n in self.ignored.items() if key[2] in NOT_REPLAYED}
        operations = {(origin, name) for origin, name, _ in other}
        by_origin: dict[str, Counter[str]] = {}
        for (origin, name, _), count in other.items():
            by_origin.setdefault(_short(origin), Counter())[name] += count
        reasons = "".join(
            f"; {name} {count:,} ({_short(origin)}: {why})"
            for (origin, name, why), count in self.ignored.items()
            if (origin, name, why) not in other
        )
        lines = [
            ("records read", self.records, f"{self.kind}: {self.path}"),
            ("replayed", sum(self.replayed.values()), _counts(self.replayed)),
            (
                "ignored",
                sum(self.ignored.values()),
                f"records of {len(operations)} other operation(s): "
                + "; ".join(f"{origin}: {_counts(names)}" for origin, names in by_origin.items())
                + reasons,
            ),
        ]
        callers: Counter[str] = Counter()
        for caller, count in self.principals.values():
            callers[caller] += count
        for caller, count in sorted(callers.items()):
            who = sorted(p for p, (c, _) in self.principals.items() if c == caller)
            lines.append((f"sent as caller {caller}", count, ", ".join(who)))
        for how, count in sorted(self.resources.items()):
            lines.append((_HOW[how], count, ""))
        if self.missing:
            lines.append(
                (
                    "resources the fleet lacks",
                    len(self.missing),
                    ", ".join(self.missing) + " (add_missing: true adds them)",
                )
            )
        if self.recorded_errors:
            lines.append(
                (
                    "failed in the log",
                    sum(self.recorded_errors.values()),
                    _counts(self.recorded_errors),
                )
            )
        return lines


_HOW = {
    "id": "resources found by id",
    "name": "resources matched by name",
    "added": "resources added (group from-log)",
}


def _short(origin: str) -> str:
    return origin.removesuffix(".amazonaws.com")


def _counts(counts: Counter[str]) -> str:
    return ", ".join(f"{name} {count:,}" for name, count in counts.most_common()) or "none"
