"""A run's answers (summary, savings, bill) as `run` and `report` print them: a header,
then tables for people, one JSON document, or markdown for a pull request.

Imported by those commands when they run: it imports pandas through the summary.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console
from rich.text import Text

from simulator.analysis.automation import invocation_outcomes, unsimulated
from simulator.analysis.columns import (
    BILLED_COLUMNS,
    HOSTING_COLUMNS,
    SAVINGS_COLUMNS,
    SUMMARY_COLUMNS,
    with_intervals,
)
from simulator.analysis.summary import KEYS
from simulator.cli.formats import TextTable, markdown, records
from simulator.cli.replayed import log_replays, log_replays_json
from simulator.cli.tables import print_table
from simulator.results import Results
from simulator.scenario.model import Scenario

FOOTNOTE = "mean over replications ± half-width of its 95% confidence interval"


def heading(scenario: Scenario, seed: int, replications: int, engine: str = "events") -> str:
    """The scenario's name, seed and replications, and "(vector engine)" for a run drawn by
    it: its tables are equal to the event engine's in distribution only, not draw for draw."""
    drawn = " (vector engine)" if engine == "vector" else ""
    return f"{scenario.name}: seed {seed}, {replications} replication(s){drawn}"


def print_header(
    console: Console, scenario: Scenario, seed: int, replications: int, engine: str = "events"
) -> None:
    """The heading, and the question the scenario asks (its `description`), wrapped to the
    width: printed before a run, and by `report`."""
    console.print(Text(heading(scenario, seed, replications, engine), style="bold"))
    if scenario.description:
        console.print(Text(" ".join(scenario.description.split())))
    console.print()


def answer_tables(results: Results) -> list[tuple[str, TextTable]]:
    """The summary and the savings (where the run has stops, a request stream's or a hosting
    policy's: never an empty table) and the bill as text tables, each with its title."""
    tables = []
    if not results.stops.empty:
        summary = with_intervals(results.summary(), KEYS, SUMMARY_COLUMNS)
        saved = with_intervals(results.savings(), ["service", "group"], SAVINGS_COLUMNS)
        tables += [
            ("stops by service, group and outcome", _text_table(summary, len(KEYS))),
            (
                "what the stops saved (against the same draws, nothing stopped)",
                _text_table(saved, 2),
            ),
        ]
    bill = with_intervals(results.billed(), ["service", "group", "item"], BILLED_COLUMNS)
    tables.append(("billed over the horizon", _text_table(bill, 3)))
    if results.scenario.demand or results.scenario.policies:
        hosting = with_intervals(results.hosting(), ["service", "group"], HOSTING_COLUMNS)
        title = "inference requests and hosting, per group (saved: against always-on, same draws)"
        tables.append((title, _text_table(hosting, 2)))
    if results.scenario.handler_streams:
        outcomes = invocation_outcomes(results.invocations, results.replications)
        tables.append(("your code's invocations, per replication", _words(outcomes, 2)))
    missing = unsimulated(results.calls)
    if not missing.empty:
        title = "not simulated: answered as AWS answers an unknown operation"
        tables.append((title, _words(missing, 1)))
    tables += [(title, _text_table(frame, 1)) for title, frame in log_replays(results)]
    return tables


def _words(frame: pd.DataFrame, names: int) -> TextTable:
    """A table of counts, shares and seconds, as words."""
    shown = frame.copy()
    for column in shown.columns[names:]:
        if column == "share":
            shown[column] = [f"{v:.0%}" for v in shown[column]]
        else:
            shown[column] = [f"{v:,.4g}" for v in shown[column]]
    return _text_table(shown, names)


def _text_table(frame: pd.DataFrame, names: int) -> TextTable:
    rows = [[str(value) for value in row] for row in frame.itertuples(index=False)]
    return TextTable([str(c) for c in frame.columns], rows, names)


def print_answers(console: Console, results: Results) -> None:
    """The three tables, each laid out to fit the console's width, and how to read them."""
    for title, table in answer_tables(results):
        console.print(Text(title, style="bold"))
        print_table(console, table)
        console.print()
    console.print(Text(FOOTNOTE, style="dim"))


def answers_json(results: Results, directory: Path) -> dict[str, Any]:
    """What `--json` prints: where the run is and what it came from, then the summary,
    savings and billed tables as records (as summary.csv, savings.csv, billed.csv), and
    the hosting table (empty without demand or hosting policies)."""
    return {
        "scenario": results.scenario.name,
        "description": results.scenario.description,
        "seed": results.seed,
        "replications": results.replications,
        "engine": results.engine,
        "run_directory": str(directory),
        "summary": records(results.summary()),
        "savings": records(results.savings()),
        "billed": records(results.billed()),
        "hosting": records(results.hosting()),
        "invocations": records(invocation_outcomes(results.invocations, results.replications)),
        "not_simulated": records(unsimulated(results.calls)),
        "replayed_logs": log_replays_json(results),
        "replayed_stops": records(results.replayed()),
    }


def answers_markdown(results: Results) -> str:
    """What `--format md` prints: a heading, the question, and the three tables."""
    scenario = results.scenario
    parts = [f"### {heading(scenario, results.seed, results.replications, results.engine)}"]
    if scenario.description:
        parts.append(" ".join(scenario.description.split()))
    for title, table in answer_tables(results):
        parts += [f"**{title}**", markdown(table)]
    parts.append(f"_{FOOTNOTE}_")
    return "\n\n".join(parts) + "\n"
