"""What-if sweeps: every (variant, replication) unit of a study, run on any executor and
written where the results live as it finishes, so an interrupted study resumes.

    OUT/sweep.json                        the study: seed, baseline, the variants with a
                                          digest of each one's resolved scenario, the
                                          package version and a fingerprint of its code
    OUT/units/<variant>/replication-<k>/  one unit: its tables (Parquet) and metrics.json
    OUT/summary.csv, summary.parquet      one row per variant: parameters, each metric's
                                          mean and the paired difference from the baseline
    OUT/comparison.csv                    per variant and metric, with the unpaired interval
    OUT/replications.csv                  every unit's metrics
    OUT/answers.json                      the answers' checksums, written last

One sweep writes a directory at a time, and its answers are whole only with
`answers.json` (`simulator.sweep_directory`). A unit is written into a hidden directory
beside its own, flushed to the disk and renamed into place (`units`), so a unit directory
that exists is complete, and a hidden leftover of an interruption is removed on the next
run. Running the same study again runs only the units whose directory is missing; a unit
found done is checked to be of this study, and whole against the checksums its
metrics.json records: a damaged one (a table cut short) is run again. A directory whose
sweep.json tells of another seed, other code, or a variant of the same name with another
scenario is refused rather than mixed in, and so is a non-empty directory with no
sweep.json. More replications or another variant are the same study grown: a unit
depends only on its variant, the seed and its number. A lost worker (a pool
process killed, a Dask worker gone) stops the study, its finished units kept.

Replication k of every variant runs on `Streams(seed, k)`: the same named streams, common
random numbers, so the differences between variants are paired (`analysis.compare`).
Each unit returns only its metrics: its tables stay on disk until asked for.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pandas as pd

from simulator.analysis.compare import compare, ordered, summary_table, varying
from simulator.errors import SweepError
from simulator.estimate import check_study
from simulator.executors import (
    NoWorkers,
    check_dask,
    completed,
    default_workers,
    lost_worker,
    lost_worker_errors,
    open_executor,
)
from simulator.paths import cannot_write, safe_name, write_bytes, writing_into
from simulator.report import png
from simulator.results import Results
from simulator.runner import TABLES, concat
from simulator.scenario import load_scenario
from simulator.scenario.digest import scenario_digest
from simulator.scenario.model import Scenario
from simulator.scenario.variants import Variant, Vary, expand
from simulator.sweep_directory import (
    check_destination,
    check_folders,
    folder,
    locked,
    make_folders,
    prepare,
    write_answers,
)
from simulator.units import DamagedUnit, OtherCode, Unit, fingerprint, finished_record, run_unit
from simulator.version import __version__

if TYPE_CHECKING:  # matplotlib loads with the first figure, not with the module
    from matplotlib.figure import Figure

_log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
"""Told the units done (those found done included) and the units in all."""

PAIRED: Final = (
    "differences are paired on common random numbers: replication k of every variant uses "
    "the same streams"
)


@dataclass
class SweepResults:
    """A sweep's variants, the metrics of each replication, and the answers drawn from them.

    The tables of a variant stay in its unit directories until `results(variant)` reads
    them. Differences from the baseline are paired on common random numbers.
    """

    directory: Path
    variants: list[Variant] = field(repr=False)
    baseline: str
    seed: int
    replications: int
    metrics: pd.DataFrame = field(repr=False)
    """One row per unit: `variant`, `replication`, then each metric (`analysis.compare`)."""
    ran: int
    """How many units this call ran; the others were found done."""

    def parameters(self) -> pd.DataFrame:
        """One row per variant: `variant` and the value of each swept path in it."""
        rows = [{"variant": v.name, **v.parameters} for v in self.variants]
        frame = pd.DataFrame(rows, columns=["variant", *self.variants[0].parameters])
        for column in frame.columns[1:]:  # one type per column, as Parquet wants
            values = frame[column]
            if values.map(lambda v: isinstance(v, dict | list)).any():
                frame[column] = values.map(json.dumps)
            elif values.map(type).nunique() > 1:
                frame[column] = values.astype(str)
        return frame

    def comparison(self) -> pd.DataFrame:
        """Per variant and metric: mean and 95% interval, the paired difference from the
        baseline and its interval, and the unpaired interval of the same difference."""
        return compare(self.metrics, self.baseline)

    def summary(self) -> pd.DataFrame:
        """One row per variant: the parameters, each metric with its interval and its
        paired difference from the baseline."""
        return summary_table(self.comparison(), self.parameters())

    def varying(self) -> list[str]:
        """The metrics some variant changes: those worth a look."""
        return varying(self.metrics)

    def results(self, variant: str) -> Results:
        """The variant's tables, read from its units, as the `Results` of a run."""
        chosen = next((v for v in self.variants if v.name == variant), None)
        if chosen is None:
            names = ", ".join(v.name for v in self.variants)
            raise KeyError(f"no variant {variant!r}; variants are {names}")
        units = self.directory / "units" / folder(variant)
        parts = [
            {name: pd.read_parquet(units / f"replication-{k}" / f"{name}.parquet")
             for name in TABLES}
            for k in range(self.replications)
        ]  # fmt: skip
        return Results(chosen.scenario, self.seed, self.replications, concat(parts))

    def plot(self, metric: str, parameter: str | None = None) -> Figure:
        """The metric against a swept parameter (default: the first that varies), each
        variant's mean with its interval, and beside it the difference from the baseline
        with its paired and unpaired intervals. A metric or parameter the study does not
        have raises UnknownName (a KeyError), which lists those it has."""
        from simulator.analysis import plots  # matplotlib, when a picture is asked for

        return plots.sweep_metric(
            self.comparison(), self.parameters(), metric, self.baseline, parameter
        )

    def plot_frontier(self, service: str | None = None) -> Figure:
        """Each variant's cost against its share of inference requests failed, throttled or
        delayed, the Pareto front drawn (`plots.hosting_frontier`); `service` limits it to
        one hosted service (default: every service with demand)."""
        from simulator.analysis import plots

        return plots.hosting_frontier(self.metrics, self.baseline, service)

    def figures(self) -> dict[str, Figure]:
        """A figure of every metric that varies, by metric name, and the `frontier` of a
        sweep with demand."""
        from simulator.analysis import plots

        comparison, parameters = self.comparison(), self.parameters()
        figures: dict[str, Figure] = {
            metric: plots.sweep_metric(comparison, parameters, metric, self.baseline)
            for metric in self.varying()
        }
        if any(name.endswith(".requests") for name in self.metrics.columns):
            figures["frontier"] = self.plot_frontier()
        return figures

    def write_figures(self) -> Path:
        """Each figure as `figures/<metric>.png` in the sweep's directory."""
        folder = self.directory / "figures"
        images = {metric: png(figure) for metric, figure in self.figures().items()}
        with writing_into(folder, SweepError):
            folder.mkdir(exist_ok=True)
            for metric, data in images.items():
                write_bytes(folder / f"{safe_name(metric)}.png", data)
        return folder


def sweep(
    scenario: Scenario | Path | str,
    vary: Vary | None = None,
    *,
    out: Path | str | None = None,
    seed: int | None = None,
    replications: int | None = None,
    baseline: str | None = None,
    workers: int | None = None,
    dask: str | None = None,
    executor: Executor | None = None,
    fresh: bool = False,
    progress: Progress | None = None,
    force: bool = False,
    figures: bool = False,
) -> SweepResults:
    """Run every variant of a scenario (or of the scenario file at that path) for the same
    replications on common random numbers, and compare them with the baseline.

    `vary` maps dotted paths to values (a grid) and replaces the scenario's `sweep` block;
    without it (None) the block says the variants. An empty grid varies nothing: one
    variant, `scenario`, the scenario as written. Every variant is validated before
    anything runs. The units run on `executor` if given, else on a Dask cluster (`dask`: an
    address, or "local"), else on `workers` local processes (default: one per core; 1 runs
    them in this process, one after another). Results go to `out` (default
    `runs/<name>-sweep`, which must be new, empty, or a sweep's own); units found done
    there are not run again, and `fresh` discards the sweep's results there first. A study
    the estimate says this machine cannot do is refused (`simulator.estimate.TooBig`)
    before anything runs, unless `force` or the units go to a remote Dask cluster (whose
    machines the estimate does not know). With `figures`, the figures of `write_figures`
    are drawn into `figures/` while the directory is still locked, and answers.json names
    them (drawn later, another sweep may have taken the directory).
    """
    if isinstance(scenario, Scenario):
        variants, chosen = expand(scenario, vary, baseline=baseline)
        source = scenario.name
    else:
        source = str(scenario)
        path = Path(scenario)
        scenario = load_scenario(path)
        variants, chosen = expand(
            scenario, vary, baseline=baseline, source=str(path), base_dir=path.parent
        )
    seed = scenario.seed if seed is None else seed
    count = scenario.replications if replications is None else replications
    directory = Path(out or Path("runs") / f"{safe_name(scenario.name)}-sweep").resolve()
    check_folders([v.name for v in variants])
    if executor is None and dask is not None:
        check_dask(dask)
    if not force and dask in (None, "local"):  # a remote cluster's machines are not this one
        check_study(source, [v.scenario for v in variants], count, workers or default_workers())
    check_destination(directory)
    digests = {v.name: scenario_digest(v.scenario) for v in variants}
    manifest = _manifest(scenario.name, variants, chosen, digests, seed, count)
    with locked(directory):
        prepare(directory, manifest, fresh)
        make_folders(directory, (folder(v.name) for v in variants))
        units = [
            Unit(v.name, digests[v.name], v.scenario, seed, k,
                 directory / "units" / folder(v.name) / f"replication-{k}",
                 tuple(dict.fromkeys(f.service for f in v.scenario.fleet)), fingerprint())
            for v in variants
            for k in range(count)
        ]  # fmt: skip
        records, todo = _found(units)
        if progress is not None:
            progress(len(records), len(units))
        if todo:
            with (
                open_executor(workers or default_workers(), dask)
                if executor is None
                else nullcontext(executor)
            ) as running:
                records += _run(todo, running, len(records), len(units), progress)
        results = SweepResults(
            directory, variants, chosen, seed, count, _metrics(records, variants), len(todo)
        )
        _write_answers(results, figures)
    return results


def _found(units: Sequence[Unit]) -> tuple[list[dict[str, Any]], list[Unit]]:
    """The records of the units found done, and the units to run: those missing, and
    those found damaged (a table cut short, a checksum that differs), removed first."""
    records, todo = [], []
    for unit in units:
        if not unit.directory.exists():
            todo.append(unit)
            continue
        try:
            records.append(finished_record(unit))
        except DamagedUnit as damage:
            _log.warning("%s; running it again", damage)
            with writing_into(unit.directory, SweepError):
                if unit.directory.is_dir():
                    shutil.rmtree(unit.directory)
                else:
                    unit.directory.unlink()
            todo.append(unit)
    return records, todo


def _run(
    units: Sequence[Unit], executor: Executor, done: int, total: int, progress: Progress | None
) -> list[dict[str, Any]]:
    """Run the units, telling `progress` of each one done; a worker of other code, or one
    lost, stops the study with a SweepError (what finished stays on disk)."""
    futures = [executor.submit(run_unit, unit) for unit in units]
    records = []
    stopping: tuple[type[BaseException], ...] = (*lost_worker_errors(), NoWorkers)
    try:
        for future in completed(futures, executor):
            records.append(future.result())
            done += 1
            if progress is not None:
                progress(done, total)
    except OtherCode as error:
        raise SweepError(
            "a worker runs other simulator code than this process: install the same version "
            f"on every worker (worker {error.code}, here {fingerprint()})"
        ) from None
    except OSError as error:
        raise SweepError(
            f"{cannot_write(error, 'a unit')}; the finished units are kept: fix that and run "
            "the same command to go on"
        ) from None
    except stopping as error:
        kept = (
            total
            - len(units)
            + sum(f.done() and not f.cancelled() and f.exception() is None for f in futures)
        )
        why = str(error) if isinstance(error, NoWorkers) else lost_worker(error)
        raise SweepError(
            f"{why}. The finished units are kept ({kept} of {total}); run the same command "
            "to go on: it runs only the others"
        ) from None
    finally:
        for future in futures:
            future.cancel()  # those not started yet: an interrupted study stops here
    return records


def _manifest(
    name: str,
    variants: Sequence[Variant],
    baseline: str,
    digests: dict[str, str],
    seed: int,
    replications: int,
) -> dict[str, Any]:
    return {
        "scenario": name,
        "seed": seed,
        "replications": replications,
        "baseline": baseline,
        "variants": [
            {"name": v.name, "parameters": dict(v.parameters), "digest": digests[v.name]}
            for v in variants
        ],
        "paired": PAIRED,
        "simulator_version": __version__,
        "code": fingerprint(),
    }


def _metrics(records: Sequence[dict[str, Any]], variants: Sequence[Variant]) -> pd.DataFrame:
    """The records as one row per unit, in the order of the variants and replications."""
    order = {v.name: index for index, v in enumerate(variants)}
    records = sorted(records, key=lambda r: (order[r["variant"]], r["replication"]))
    names = ordered(name for record in records for name in record["metrics"])
    rows = [
        [r["variant"], r["replication"], *(r["metrics"].get(n) for n in names)] for r in records
    ]
    frame = pd.DataFrame(rows, columns=["variant", "replication", *names])
    return frame.astype(dict.fromkeys(names, float))


def _write_answers(results: SweepResults, figures: bool) -> None:
    """The figures (with `figures`), then the tables and answers.json naming them all,
    under the lock: a sweep that takes it next clears figures/ first."""
    pictures = sorted(results.write_figures().glob("*.png")) if figures else []
    summary = results.summary()
    answers = {
        "summary.csv": summary,
        "summary.parquet": summary,
        "comparison.csv": results.comparison(),
        "replications.csv": results.metrics,
    }
    write_answers(results.directory, answers, len(results.metrics), pictures)
