"""One natural order for names everywhere they are shown: `g-2` before `g-10` in the
summary, savings and bill (so in the terminal, markdown and the report), in a diff, and in
the figures, which once disagreed with the tables."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from rich.console import Console

import simulator
from simulator.analysis.diff import Run, diff
from simulator.analysis.order import natural, natural_rows
from simulator.cli.answers import print_answers
from simulator.report import render_html
from simulator.results import Results
from tests.kit import scenario

GROUPS = ["g-2", "g-5", "g-10"]
THREE_GROUPS = """
name: groups
horizon: 1h
replications: 2
fleet:
  - {service: comprehend, count: 1, group: g-10}
  - {service: comprehend, count: 1, group: g-2}
  - {service: comprehend, count: 1, group: g-5}
requests: [{service: comprehend, at: 10m}]
"""


@pytest.fixture(scope="module")
def grouped() -> Results:
    return simulator.run(scenario(THREE_GROUPS))


def test_natural_orders_numbers_by_value() -> None:
    names = ["export-10m", "export-2m", "model-1", "export-5m", "b", "a10", "a9"]
    assert sorted(names, key=natural) == [
        "a9", "a10", "b", "export-2m", "export-5m", "export-10m", "model-1",
    ]  # fmt: skip


def test_natural_rows_sort_by_each_key_in_turn_and_keep_ties() -> None:
    frame = pd.DataFrame({"s": ["x", "x", "x", "w"], "g": ["g-10", "g-2", "g-2", "g-9"],
                          "n": [1, 2, 3, 4]})  # fmt: skip
    assert natural_rows(frame, ["s", "g"])["n"].tolist() == [4, 2, 3, 1]


def first_seen(text: str, names: list[str]) -> list[str]:
    return sorted(names, key=text.index)


def test_the_answers_list_groups_in_natural_order(grouped: Results) -> None:
    for table in (grouped.summary(), grouped.savings(), grouped.billed()):
        order = list(dict.fromkeys(table["group"].astype(str)))
        assert order == GROUPS


def test_the_terminal_and_the_report_list_groups_as_the_figures_do(grouped: Results) -> None:
    buffer = io.StringIO()
    print_answers(Console(file=buffer, width=200), grouped)
    assert first_seen(buffer.getvalue(), GROUPS) == GROUPS
    assert first_seen(render_html(grouped, {}), GROUPS) == GROUPS
    figure = grouped.plot_outcomes()
    labels = [t.get_text() for ax in figure.axes for t in ax.get_yticklabels()]  # bars
    assert first_seen("\n".join(labels), GROUPS) == GROUPS


def test_a_diff_lists_groups_in_natural_order(grouped: Results) -> None:
    run = Run(grouped.stops, grouped.costs, grouped.baseline_costs, 0, 2)
    table = diff(run, run)
    assert list(dict.fromkeys(table["group"].astype(str))) == [*GROUPS, "all"]  # then all
