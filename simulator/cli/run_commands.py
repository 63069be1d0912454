"""`simulate run` and `simulate report`: a scenario's run and its answers, printed as a
table, JSON or markdown."""

from __future__ import annotations

import logging
import sys
from contextlib import nullcontext
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from simulator.cli.app import app
from simulator.cli.console import fail, message, stdout_console
from simulator.cli.formats import Format, JsonFlag, chosen, emit_json, format_option
from simulator.cli.options import Force, Quiet, RunDirectory, ScenarioFile, Seed, Verbose
from simulator.errors import SimulatorError

if TYPE_CHECKING:
    from simulator.results import Results
    from simulator.scenario.model import Scenario
    from simulator.vector.choice import Choice

_log = logging.getLogger(__name__)

ReportFlag = Annotated[
    bool, typer.Option("--report", help="also write PNG figures and report.html into the run")
]


class EngineName(StrEnum):
    """`--engine`: `simulator.vector.choice.Engine`, named here so that parsing the command
    line imports no numpy."""

    AUTO = "auto"
    EVENTS = "events"
    VECTOR = "vector"


EngineFlag = Annotated[
    EngineName,
    typer.Option(
        "--engine",
        help="events: simulate every event; vector: draw the stops as arrays (only where no "
        "request can meet another; statistically equal, not bit-identical); auto: vector "
        "where it can, saying which and why",
    ),
]


class TableFormat(StrEnum):
    PARQUET = "parquet"
    CSV = "csv"


class RunFormat(StrEnum):
    """What `run` prints; parquet and csv are the old spelling of `--table-format`."""

    TEXT = "text"
    JSON = "json"
    MD = "md"
    PARQUET = "parquet"
    CSV = "csv"


def load(path: Path) -> Scenario:
    """The scenario at `path`, or its problems on stderr and exit status 2."""
    from simulator.scenario import load_scenario

    try:
        scenario = load_scenario(path)
    except SimulatorError as error:
        fail(str(error))
    _log.debug(
        "read %s: %d fleet entries, %d request streams, horizon %g s",
        path, len(scenario.fleet), len(scenario.requests), scenario.horizon,
    )  # fmt: skip
    return scenario


@app.command()
def run(
    scenario_file: ScenarioFile,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="run directory (default: runs/<scenario name>)")
    ] = None,
    seed: Seed = None,
    replications: Annotated[
        int | None, typer.Option(min=1, help="overrides the scenario's replications")
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="processes to run replications on")] = 1,
    table_format: Annotated[
        TableFormat, typer.Option("--table-format", help="the tables' files")
    ] = TableFormat.PARQUET,
    fmt: Annotated[RunFormat, format_option()] = RunFormat.TEXT,
    as_json: JsonFlag = False,
    report: ReportFlag = False,
    engine: EngineFlag = EngineName.EVENTS,
    force: Force = False,
    verbose: Verbose = 0,
    quiet: Quiet = False,
) -> None:
    """Run a scenario, write its run directory, print its answers.

    The run directory holds the tables, the summary, savings and bill, and the resolved
    scenario. (`--format parquet|csv` is the old spelling of `--table-format`.)"""
    if fmt in (RunFormat.PARQUET, RunFormat.CSV):
        message(f"--format {fmt} is now spelt --table-format {fmt}")
        table_format, fmt = TableFormat(fmt), RunFormat.TEXT
    shown = chosen(fmt, as_json)
    scenario = load(scenario_file)
    directory = out_dir or default_directory(scenario.name)
    _check_destination(directory)
    choice = _engine(scenario, engine)
    count = scenario.replications if replications is None else replications
    if not force:
        _check_size(scenario_file, scenario, count, workers, choice.engine.value)
    console = stdout_console()
    if shown is Format.TEXT:
        from simulator.cli.answers import print_header

        used, chosen_seed = choice.engine.value, scenario.seed if seed is None else seed
        print_header(console, scenario, chosen_seed, count, used)
    results = _simulate(scenario, seed, count, workers, choice)
    try:
        results.save(directory, "csv" if table_format is TableFormat.CSV else "parquet")
    except SimulatorError as error:
        fail(str(error))
    _answer(results, directory, shown)
    if scenario.sweep is not None:
        message("ran the scenario as written; `simulate sweep` runs its variants")
    message(f"tables written to {directory}/")
    if report:
        _write_report(results, directory)


def _write_report(results: Results, directory: Path) -> None:
    from simulator.report import write_report

    try:
        message(f"report written to {write_report(results, directory)}")
    except SimulatorError as error:
        fail(str(error))


def default_directory(name: str) -> Path:
    """`runs/<name>`, the name made safe: a scenario's strings never choose where files go."""
    from simulator.paths import safe_name

    return Path("runs") / safe_name(name)


def _check_size(path: Path, scenario: Scenario, count: int, workers: int, engine: str) -> None:
    """Refuse, before building it, a run the estimate says this machine cannot do."""
    from simulator.estimate import check, estimate

    found = estimate(scenario, count, workers, engine=engine)
    _log.info("estimate: %s", found.describe())
    try:
        check(found)
    except SimulatorError as error:
        fail(f"{path}: {error}")


def _check_destination(directory: Path) -> None:
    """Refuse, before anything runs, a directory a run cannot be written into."""
    from simulator.output import check_run_directory

    try:
        check_run_directory(directory)
    except SimulatorError as error:
        fail(str(error))


def _engine(scenario: Scenario, asked: EngineName) -> Choice:
    """The engine that runs the scenario (chosen once: the run is handed the choice);
    `auto` says which and why (on stderr), `vector` for a scenario it cannot draw exits 2
    with every reason."""
    from simulator.vector.choice import choose

    try:
        choice = choose(scenario, asked.value)
    except SimulatorError as error:
        fail(str(error))
    if asked is EngineName.AUTO:
        message(f"engine: {choice.engine} ({choice.why})")
    return choice


def _simulate(
    scenario: Scenario, seed: int | None, count: int, workers: int, engine: Choice
) -> Results:
    from simulator.cli.progress import DelayedProgress
    from simulator.executors import lost_worker_errors, open_executor
    from simulator.results import run as run_scenario

    progress = DelayedProgress(f"{scenario.name}: {count} replication(s)")
    _log.info("running %s: %d replication(s) on %d worker(s)", scenario.name, count, workers)
    try:
        with open_executor(workers) if workers > 1 else nullcontext(None) as executor:
            return run_scenario(
                scenario,
                seed=seed,
                replications=count,
                executor=executor,
                progress=progress,
                engine=engine,
            )
    except lost_worker_errors() as error:
        fail(
            f"a worker was lost ({type(error).__name__}: {str(error).rstrip('.')}); nothing was "
            "written: run the same command again (with fewer --workers if memory ran out)"
        )
    except SimulatorError as error:  # e.g. the vector engine's CannotDraw at run time
        fail(f"{scenario.name}: {error}; nothing was written")
    except KeyboardInterrupt:
        fail("interrupted: nothing was written", 130)
    finally:
        progress.close()


def _answer(results: Results, directory: Path, shown: Format) -> None:
    """Print the answers in the format asked for."""
    from simulator.cli import answers

    if shown is Format.JSON:
        emit_json(answers.answers_json(results, directory))
    elif shown is Format.MD:
        sys.stdout.write(answers.answers_markdown(results))
    else:
        answers.print_answers(stdout_console(), results)


@app.command("report")
def report_command(
    run_dir: RunDirectory, fmt: Annotated[Format, format_option()] = Format.TEXT,
    as_json: JsonFlag = False, verbose: Verbose = 0, quiet: Quiet = False,
) -> None:  # fmt: skip
    """Print a saved run's answers again; write its figures and report.html.

    All from its directory, without running it again."""
    from simulator.results import load_results

    shown = chosen(fmt, as_json)
    try:
        results = load_results(run_dir)
    except SimulatorError as error:
        fail(str(error))
    if shown is Format.TEXT:
        from simulator.cli.answers import print_header

        print_header(
            stdout_console(), results.scenario, results.seed, results.replications, results.engine
        )
    _answer(results, run_dir, shown)
    _write_report(results, run_dir)
