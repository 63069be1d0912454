"""The `simulate` command: parse, call, print. The work is done elsewhere.

    app                 the application, its global options and logging
    console             stdout for answers, stderr for the rest; errors with status 2
    tables              tables laid out to fit the width, never a number cut short
    formats             --format text|json|md and --json
    progress            the progress bar
    answers             a run's summary, savings and bill, in each format
    run_commands        run, report
    diff_command        diff
    gates               diff's --fail-if gates: read, and tripped by a diff
    sweep_command       sweep
    scenario_commands   validate, schema
    prices_command      prices
    fit_command         fit

Importing a command module registers its commands on `app`, in the order `--help` lists
them.
"""

# isort: off
from simulator.cli.app import app, main
from simulator.cli import run_commands, diff_command, sweep_command, scenario_commands
from simulator.cli import prices_command
from simulator.cli import fit_command
# isort: on

__all__ = [
    "app", "diff_command", "fit_command", "main", "prices_command", "run_commands",
    "scenario_commands", "sweep_command",
]  # fmt: skip
