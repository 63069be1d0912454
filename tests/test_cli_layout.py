"""The printed answers at 80 and 120 columns, on a terminal and in a log: every number of
the summary, savings and billed tables appears whole, no line is wider than the width, and
names from the scenario print as they are written, never as markup."""

from __future__ import annotations

import io
import re
from collections import Counter
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

import simulator
from simulator.analysis.columns import (
    BILLED_COLUMNS,
    SAVINGS_COLUMNS,
    SUMMARY_COLUMNS,
    with_intervals,
)
from simulator.analysis.summary import KEYS
from simulator.cli import app
from simulator.cli.answers import print_answers, print_header
from simulator.cli.console import TrimmedLines
from simulator.cli.formats import TextTable
from simulator.cli.tables import layout
from simulator.results import Results

NIGHTLY = Path(__file__).parent.parent / "scenarios" / "rekognition-nightly-stop.yaml"
WIDE = """\
name: wide
description: "A question with [bold]markup[/bold] in it, and words enough to wrap at sixty
  columns: it must print as written."
seed: 5
replications: 2
horizon: 2h
fleet:
  - {service: rekognition, count: 4, group: "[/bold]"}
  - {service: lookoutvision, count: 3, group: a-rather-long-group-name-for-a-terminal}
  - {service: comprehend, count: 2}
requests:
  - {service: rekognition, at: 1m}
  - {service: lookoutvision, at: 5m}
  - {service: comprehend, at: 10m}
"""
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def nightly() -> Results:
    return simulator.run(NIGHTLY, replications=2)


@pytest.fixture(scope="module")
def wide(tmp_path_factory: pytest.TempPathFactory) -> tuple[Results, Path]:
    path = tmp_path_factory.mktemp("wide") / "wide.yaml"
    path.write_text(WIDE)
    results = simulator.run(path)
    return results, results.save(path.parent / "run")


def expected_tokens(results: Results) -> Counter[str]:
    """Every value and half-width of the three tables as the summary writes them, each as
    often as it occurs, and every name (once: a layout may name a service once, above its
    table)."""
    tables = [
        (with_intervals(results.summary(), KEYS, SUMMARY_COLUMNS), len(KEYS)),
        (with_intervals(results.savings(), ["service", "group"], SAVINGS_COLUMNS), 2),
        (with_intervals(results.billed(), ["service", "group", "item"], BILLED_COLUMNS), 3),
    ]
    tokens: Counter[str] = Counter()
    for frame, names in tables:
        for row in frame.itertuples(index=False):
            tokens |= Counter(str(name) for name in set(row[:names]))  # at least once
            for cell in row[names:]:
                tokens.update(str(cell).split())
    return tokens


def printed(results: Results, width: int, terminal: bool) -> str:
    buffer = io.StringIO()
    colours = "standard" if terminal else "auto"  # auto: none, as rich gives a log
    console = Console(file=buffer, width=width, force_terminal=terminal, color_system=colours)
    print_header(console, results.scenario, results.seed, results.replications)
    print_answers(console, results)
    text = ANSI.sub("", buffer.getvalue())
    assert ("\x1b[" in buffer.getvalue()) == terminal  # the terminal case really is one
    return text


def assert_whole(text: str, results: Results, width: int) -> None:
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= width, "\n".join(lines)
    assert "…" not in text
    found = Counter(text.split())
    missing = {t: n for t, n in expected_tokens(results).items() if found[t] < n}
    assert not missing, text


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("terminal", [True, False], ids=["tty", "log"])
def test_every_number_and_name_is_printed_whole_within_the_width(
    nightly: Results, wide: tuple[Results, Path], width: int, terminal: bool
) -> None:
    for results in (nightly, wide[0]):
        assert_whole(printed(results, width, terminal), results, width)


@pytest.mark.parametrize("columns", [None, "80", "120", "40"])
@pytest.mark.slow
def test_report_fits_the_columns_it_is_given_and_120_in_a_log(
    wide: tuple[Results, Path], columns: str | None
) -> None:
    results, directory = wide
    result = CliRunner().invoke(app, ["report", str(directory)], env={"COLUMNS": columns})
    assert result.exit_code == 0, result.output
    assert_whole(result.stdout, results, int(columns or 120))


def test_names_and_descriptions_with_brackets_print_as_written(
    wide: tuple[Results, Path],
) -> None:
    text = printed(wide[0], 60, terminal=True)
    assert "[/bold]" in text.split()
    words = " ".join(text.split())
    assert " ".join(wide[0].scenario.description.split()) in words
    assert "A question with [bold]markup[/bold] in it" in text  # not read as style


def test_a_table_too_wide_for_any_layout_becomes_records_still_whole() -> None:
    table = TextTable(
        ["service", "group", "a figure", "another"],
        [["rekognition", "g", "1,234,567.89 ±12.34", "0.5 ±0.1"]],
        names=2,
    )
    buffer = io.StringIO()
    console = Console(file=buffer, width=16)
    for renderable in layout(console, table):
        console.print(renderable)
    text = buffer.getvalue()
    assert max(len(line) for line in text.splitlines()) <= 16
    assert "1,234,567.89" in text
    assert "±12.34" in text
    assert "rekognition / g" in text


def test_the_layouts_are_tried_narrowest_last(nightly: Results) -> None:
    """At 200 columns the summary is one table, one line a row; at 80 it is not."""
    frame = with_intervals(nightly.summary(), KEYS, SUMMARY_COLUMNS)
    table = TextTable(list(frame.columns), frame.astype(str).to_numpy().tolist(), len(KEYS))
    wide_text = _render(table, 200)
    row = frame.iloc[0]
    assert any(line.split()[:3] == list(row[KEYS]) and row["cost after request"] in line
               for line in wide_text.splitlines())  # fmt: skip
    narrow = _render(table, 80)
    assert not any(row["cost after request"] in line for line in narrow.splitlines())


def _render(table: TextTable, width: int) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width)
    for renderable in layout(console, table):
        console.print(renderable)
    return buffer.getvalue()


def test_run_prints_the_scenarios_question_wrapped_to_the_width(tmp_path: Path) -> None:
    path = tmp_path / "wide.yaml"
    path.write_text(WIDE)
    result = CliRunner().invoke(
        app, ["run", str(path), "--out", str(tmp_path / "out")], env={"COLUMNS": "60"}
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "wide: seed 5, 2 replication(s)"
    question = "A question with [bold]markup[/bold] in it, and words enough to wrap at sixty"
    assert lines[1].rstrip() == question[: len(lines[1].rstrip())]  # wrapped, not cut
    assert 1 < len(lines[1]) <= 60
    described = " ".join(" ".join(lines[1:4]).split())
    assert described.startswith(question)


@pytest.mark.parametrize("columns", ["60", "80", "120"])
def test_no_printed_line_ends_with_spaces(wide: tuple[Results, Path], columns: str) -> None:
    """rich pads what it wraps and lays out; a log or a copied answer gets none of it."""
    result = CliRunner().invoke(app, ["report", str(wide[1])], env={"COLUMNS": columns})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) > 10
    assert [line for line in lines if line.endswith(" ")] == []
    description = " ".join(wide[0].scenario.description.split())
    assert " ".join(" ".join(lines[1:5]).split()).startswith(description[:60])  # words kept


def test_trailing_spaces_go_and_colour_codes_stay() -> None:
    out = io.StringIO()
    trimmed = TrimmedLines(out)
    trimmed.write("a  b   \n\x1b[1mbold   \x1b[0m\nhalf ")
    trimmed.write("line  \n")
    trimmed.flush()
    assert out.getvalue() == "a  b\n\x1b[1mbold\x1b[0m\nhalf line\n"
