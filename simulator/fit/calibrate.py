"""Files of observations -> each latency's fit and the fragment: what `simulate fit` does,
and `simulator.fit_latencies` in Python.

    calibration = simulator.fit_latencies(["polls.csv"], service="rekognition")
    calibration.table()          # every latency's families ranked by AIC, with intervals
    calibration.write("fitted.yaml")
    calibration.plot("stop")     # Kaplan-Meier curve of the data with the fitted CDFs

The service is the one given, else the one the data holds; a service given also names the
rows that name none (a polling log of plain resource names, not ARNs). Every latency the service
declares that the data times is fitted (`durations`); one with no duration is left out of
the fragment (the scenario keeps its default) and said so.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from simulator.fit.durations import Durations, durations
from simulator.fit.fragment import Fitted, check, fragment_text, write_fragment
from simulator.fit.observations import Observations, ObservationsError, read_observations
from simulator.paths import write_bytes, writing_into
from simulator.services import SERVICES

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from simulator.fit.goodness import FitReport


@dataclass
class Calibration:
    """Each latency's fit to the observations of one service."""

    service: str
    sources: list[str]
    durations: Durations
    reports: dict[str, FitReport]
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def fitted(self) -> list[Fitted]:
        return [
            Fitted(name, self.durations.samples[name], report.table, report.distribution())
            for name, report in self.reports.items()
        ]

    def table(self) -> pd.DataFrame:
        """Every latency's families ranked by AIC, one row each, `latency` first."""
        frames = [report.table.assign(latency=name) for name, report in self.reports.items()]
        table = pd.concat(frames, ignore_index=True)
        return table[["latency", *(c for c in table.columns if c != "latency")]]

    def distributions(self) -> dict[str, dict[str, Any]]:
        """Each fitted latency's chosen distribution, as a scenario writes it."""
        return {name: dict(report.distribution()) for name, report in self.reports.items()}

    def fragment(self) -> str:
        """The fragment's text (see `simulator.fit.fragment`)."""
        return fragment_text(self.service, self.fitted, self.sources, [*self.notes, *self.warnings])

    def write(self, path: Path | str) -> Path:
        """The fragment at `path`, written whole; checked as a scenario checks it first."""
        path = Path(path)
        check(self.service, self.fitted)
        with writing_into(path.parent):
            path.parent.mkdir(parents=True, exist_ok=True)
            write_fragment(path, self.fragment())
        return path

    def figure_paths(self, path: Path | str) -> dict[str, Path]:
        """Where each latency's figure goes: `path` for one latency, `<stem>-<latency>`
        beside it for several."""
        path = Path(path)
        if len(self.reports) == 1:
            return {next(iter(self.reports)): path}
        return {name: path.with_name(f"{path.stem}-{name}{path.suffix}") for name in self.reports}

    def write_figures(self, path: Path | str) -> list[Path]:
        """Each latency's figure as PNG (`figure_paths`), each written whole."""
        written = []
        for name, target in self.figure_paths(path).items():
            from simulator.analysis.plots.figure import DPI

            buffer = io.BytesIO()
            self.plot(name).savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
            with writing_into(target.parent):
                target.parent.mkdir(parents=True, exist_ok=True)
                write_bytes(target, buffer.getvalue())
            written.append(target)
        return written

    def plot(self, latency: str | None = None) -> Figure:
        """The Kaplan-Meier curve of `latency`'s durations (default: the first fitted) with
        each family's fitted CDF."""
        from simulator.analysis.plots.fit import plot_fit

        name = latency or next(iter(self.reports))
        if name not in self.reports:
            raise ObservationsError(
                f"no fit of {name!r}; fitted: {', '.join(self.reports) or 'none'}"
            )
        return plot_fit(
            self.durations.samples[name], self.reports[name], title=f"{self.service} {name}"
        )


def fit_latencies(
    paths: Sequence[Path | str],
    service: str | None = None,
    *,
    seed: int = 0,
    bootstrap: int = 200,
) -> Calibration:
    """Fit every latency of `service` (default: the one the data holds) that `paths` time."""
    from simulator.fit.goodness import fit_all

    observations = read_observations([Path(p) for p in paths])
    chosen = choose_service(observations, service)
    if service is not None:
        observations = observations.taken_as(chosen)
    found = durations(observations, chosen)
    reports: dict[str, FitReport] = {}
    said: list[str] = []
    unfitted: list[str] = []
    for name, sample in found.samples.items():
        if sample.n == 0:
            unfitted.append(name)
            continue
        try:
            with warnings.catch_warnings():  # an optimiser's step past a float's range
                warnings.simplefilter("ignore", RuntimeWarning)
                reports[name] = fit_all(sample, seed=seed, bootstrap=bootstrap)
        except (ValueError, ArithmeticError) as error:  # none usable, or a fit that failed
            said.append(f"{chosen} {name}: not fitted: {error}")
            continue
        said += [f"{chosen} {name}: {w}" for w in reports[name].warnings]
    if not reports:
        raise ObservationsError(
            f"{', '.join(observations.sources)}: no {chosen} latency could be fitted: "
            + "; ".join(said)
        )
    notes = [*observations.notes, *found.notes]
    if unfitted:
        notes.append(
            f"{chosen}: no durations of {', '.join(unfitted)}: left out (a scenario keeps "
            "their defaults)"
        )
    return Calibration(chosen, observations.sources, found, reports, notes, said)


def choose_service(observations: Observations, service: str | None) -> str:
    """The service asked for, or the one service the data holds; an ObservationsError
    naming the services otherwise."""
    if service is not None:
        if service not in SERVICES:
            raise ObservationsError(
                f"--service {service!r}: unknown service; expected one of {', '.join(SERVICES)}"
            )
        return service
    found = observations.services
    if len(found) == 1:
        return found[0]
    sources = ", ".join(observations.sources)
    if not found:
        raise ObservationsError(
            f"{sources}: cannot tell the service (no service column, and resource ids that "
            f"are not ARNs): give --service, one of {', '.join(SERVICES)}"
        )
    counts = observations.statuses["service"].value_counts()
    shown = ", ".join(f"{name} ({int(counts.get(name, 0))} rows)" for name in found)
    raise ObservationsError(f"{sources}: the data holds {shown}: give --service, one of them")
