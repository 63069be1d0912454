"""The terminal, markdown and the report write a cell the same way: one column
specification and one set of rules (`simulator.analysis.columns`), not two copies that
drift (a share once read `0% ±4%` in the terminal and `0.3%` in the report)."""

from __future__ import annotations

import html
import io
import re

import pandas as pd
from rich.console import Console

from simulator.analysis.columns import SUMMARY_COLUMNS, with_intervals
from simulator.cli.answers import answer_tables, print_answers
from simulator.report import render_html, table_html
from simulator.results import Results

_ROW = re.compile(r"<tr>(.*?)</tr>")
_CELL = re.compile(r"<td[^>]*>(.*?)</td>")


def report_rows(page: str) -> list[list[str]]:
    """Each body row of the page's tables, its cells as text ('0.3% ±4%')."""
    rows = []
    for row in _ROW.findall(page):
        cells = [html.unescape(re.sub(r"<[^>]+>", "", cell)) for cell in _CELL.findall(row)]
        if cells:
            rows.append(cells)
    return rows


def test_a_rare_outcomes_share_reads_alike_in_the_terminal_and_the_report() -> None:
    table = pd.DataFrame({"service": ["sagemaker"], "group": ["export-10m"], "outcome": ["Failed"]})
    for metric, column in SUMMARY_COLUMNS.items():
        value = {"share": 0.003, "cost_after_request_usd": -1234.5}.get(metric, 95.0)
        value = 300.0 if metric == "latency_p99_s" else value
        half = {"share": 0.04, "cost_after_request_usd": 10.0}.get(metric, 5.0)
        table[metric], table[f"{metric}_ci_low"] = value, value - half
        table[f"{metric}_ci_high"] = value + half
        assert column.header
    keys = ["service", "group", "outcome"]
    terminal = with_intervals(table, keys, SUMMARY_COLUMNS).iloc[0].tolist()
    report = report_rows(table_html(table, keys, SUMMARY_COLUMNS))[0]
    assert terminal == report
    assert terminal[4] == "0.3% ±4.0%"  # a share below 10% with its decimal, in both
    assert terminal[-1] == "-$1,234.50 ±$10.00"  # money in dollars, in both
    assert terminal[5] == "1.58 ±0.08"  # 95 s beside a p99 of 5 min: minutes, in both
    assert list(with_intervals(table, keys, SUMMARY_COLUMNS).columns)[5] == "latency mean (min)"


def test_every_cell_of_a_run_reads_alike_in_the_terminal_and_the_report(
    results: Results,
) -> None:
    terminal = [list(row) for _, table in answer_tables(results) for row in table.rows]
    assert report_rows(render_html(results, {})) == terminal
    buffer = io.StringIO()
    print_answers(Console(file=buffer, width=250), results)
    printed = buffer.getvalue()
    for row in terminal:
        assert row[0] in printed
        for cell in row[3:]:
            assert cell in printed
