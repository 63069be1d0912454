"""How durations and dollars are written for people: the report, the terminal and the
figures all go through `simulator.humanize`."""

from __future__ import annotations

import ast
import math
import sys
from pathlib import Path

import pytest

from simulator import humanize
from simulator.humanize import (
    DAYS,
    HOURS,
    MINUTES,
    SECONDS,
    decimals,
    duration,
    duration_unit,
    percent,
    plural,
    significant,
    usd,
)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 s"),
        (0.25, "250 ms"),
        (0.9996, "1 s"),  # rounded before the unit is chosen
        (4.5, "4.5 s"),
        (12.34, "12.3 s"),
        (45, "45 s"),
        (59.99, "1 min"),
        (150, "2.5 min"),
        (3570, "59.5 min"),
        (3599.9, "1 h"),
        (5400, "1 h 30 min"),
        (7260, "2 h 1 min"),
        (86399, "1 day"),
        (108000, "1 day 6 h"),
        (604800, "7 days"),
        (2592000, "30 days"),
        (-90, "-1.5 min"),
        (math.nan, "-"),
        (math.inf, "forever"),
    ],
)
def test_duration_reads_in_the_unit_that_fits(seconds: float, text: str) -> None:
    assert duration(seconds) == text


@pytest.mark.parametrize(
    ("amount", "decimals", "text"),
    [
        (1234.5, 2, "$1,234.50"),
        (-50, 2, "-$50.00"),
        (1_000_000, 2, "$1,000,000.00"),
        (-0.001, 2, "$0.00"),  # a rounded zero has no sign
        (0.004, 2, "$0.00"),
        (-1234.56, 0, "-$1,235"),
        (0.1234, 3, "$0.123"),
        (math.nan, 2, "-"),
    ],
)
def test_usd_puts_the_sign_before_the_dollar(amount: float, decimals: int, text: str) -> None:
    assert usd(amount, decimals) == text


@pytest.mark.parametrize(
    ("values", "unit"),
    [
        ([30, 400], MINUTES),  # the longest is 6.7 min
        ([30, 100], SECONDS),  # 1.7 min: still read in seconds
        ([600, 7200], HOURS),
        ([604800, 3600], DAYS),
        ([math.nan, 45], SECONDS),
        ([], SECONDS),
    ],
)
def test_duration_unit_fits_the_longest_value(values: list[float], unit: object) -> None:
    assert duration_unit(values) == unit


def test_significant_keeps_three_figures_without_exponents() -> None:
    assert [significant(v) for v in (1234.5, 0.012345, 2.50, 100.0, math.nan)] == [
        "1,230",
        "0.0123",
        "2.5",
        "100",
        "-",
    ]


def test_plural() -> None:
    assert [plural(1, "replication"), plural(1000, "replication"), plural(2, "day", "days")] == [
        "1 replication",
        "1,000 replications",
        "2 days",
    ]


def test_humanize_imports_only_the_standard_library() -> None:
    """The CLI imports it before it knows it will simulate: it must stay cheap to import,
    so it imports nothing outside the standard library (pandas alone takes half a second)."""
    tree = ast.parse(Path(humanize.__file__).read_text())
    imported = {
        alias.name for n in ast.walk(tree) if isinstance(n, ast.Import) for alias in n.names
    }
    imported |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert {name.split(".")[0] for name in imported} - sys.stdlib_module_names == set()
    assert {"math", "collections.abc"} <= imported  # the walk sees the module's imports


@pytest.mark.parametrize(
    ("longest", "count"), [(9.5, 2), (45.0, 1), (450.0, 0), (45000.0, 0), (0.05, 2), (0.0, 0)]
)
def test_decimals_give_the_longest_value_three_figures(longest: float, count: int) -> None:
    assert decimals(longest) == count


@pytest.mark.parametrize(
    ("share", "text"),
    [(0.0, "0%"), (0.003, "0.3%"), (0.035, "3.5%"), (0.0949, "9.5%"), (0.64, "64%"),
     (1.0, "100%"), (math.nan, "-")],
)  # fmt: skip
def test_percent_keeps_a_tenth_below_ten_percent(share: float, text: str) -> None:
    assert percent(share) == text
