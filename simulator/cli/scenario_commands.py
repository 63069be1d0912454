"""`simulate validate` and `simulate schema`: a scenario checked, and the schema editors
check it with. Neither imports pandas or SimPy."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from simulator.cli.app import app
from simulator.cli.console import fail
from simulator.cli.formats import CheckFormat, Format, JsonFlag, chosen, emit_json, format_option
from simulator.cli.options import Quiet, ScenarioFile, Verbose
from simulator.errors import ScenarioError, SimulatorError


@app.command()
def validate(
    scenario_file: ScenarioFile,
    fmt: Annotated[CheckFormat, format_option(markdown=False)] = CheckFormat.TEXT,
    as_json: JsonFlag = False,
    verbose: Verbose = 0,
    quiet: Quiet = False,
) -> None:
    """Check a scenario file and say what is wrong with it, if anything.

    One line per problem, naming the file, line and field, and exit status 2; a sweep's
    variants are checked too."""
    shown = chosen(fmt, as_json)
    try:
        summary = _check(scenario_file)
    except SimulatorError as error:
        if shown is Format.JSON:
            emit_json({"valid": False, "errors": problems(error, scenario_file)})
            raise typer.Exit(2) from None
        fail(str(error))
    if shown is Format.JSON:
        emit_json({"valid": True, "errors": []})
    else:
        sys.stdout.write(f"{scenario_file}: valid ({summary})\n")


def _check(path: Path) -> str:
    """What the valid scenario holds, in words; raises what is wrong with it."""
    from simulator.scenario import load_scenario
    from simulator.scenario.include import is_fragment, read_fragment
    from simulator.scenario.variants import expand

    if is_fragment(path):  # what `simulate fit` writes, for a scenario's `include:`
        services = read_fragment(path)["services"] or {}
        return f"a fragment of {', '.join(map(str, services)) or 'no'} service settings"
    scenario = load_scenario(path)
    variants = ""
    if scenario.sweep is not None:
        found, _ = expand(scenario, source=str(path), base_dir=path.parent)
        variants = f", a sweep of {len(found)} variants"
    return (
        f"{len(scenario.fleet)} fleet entries, {len(scenario.requests)} request streams, "
        f"horizon {scenario.horizon:g} s{variants}"
    )


def problems(error: SimulatorError, path: Path) -> list[dict[str, Any]]:
    """Each problem as {file, line, field, message}: what a ScenarioError locates, or the
    file alone for another error (line and field null)."""
    if not isinstance(error, ScenarioError):
        return [{"file": str(path), "line": None, "field": None, "message": str(error)}]
    return [
        {"file": p.source, "line": p.line, "field": p.field, "message": p.problem}
        for p in (error.problems or (error,))
    ]


@app.command()
def schema(verbose: Verbose = 0, quiet: Quiet = False) -> None:
    """Print the scenario JSON Schema, for editors that complete and check YAML."""
    from simulator.scenario.model import Scenario

    sys.stdout.write(json.dumps(Scenario.model_json_schema(by_alias=True), indent=2) + "\n")
