"""Tables of text on a terminal or in a log, laid out to fit its width without cutting a
single number or name short.

A summary has more columns than 80 characters hold. rich, given a table too wide, shrinks
its columns and cuts their text to `1…`: a number that reads as another. So the layout is
chosen here instead, the first of these that fits the width whole:

    1. one table, each cell on one line ("3,562.10 ±4.82")
    2. one table, each interval under its value, headers wrapped at their spaces
    3. a table per value of the first name column (per service), named above it
    4. the same, its value columns split over several tables, each repeating the names
    5. a record per row: its names as a heading, then one line per column

Cells are `rich.text.Text`, never markup, so a group named `[/bold]` prints as it is.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from typing import Final

from rich import box
from rich.console import Console, RenderableType
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from simulator.cli.formats import TextTable, shown_rows

INTERVAL: Final = " ±"
"""What separates a value from its interval's half-width in a cell: '3,562.10 ±4.82'."""
_UNBOUNDED: Final = 1_000_000


def print_table(console: Console, table: TextTable) -> None:
    """Print `table` in the first layout that fits `console.width` (module docstring)."""
    for renderable in layout(console, table):
        console.print(renderable)


def layout(console: Console, table: TextTable) -> list[RenderableType]:
    """The renderables of the first layout that fits, headings and tables in order."""
    candidates = (
        [_table(table, stacked=False)],
        [_table(table, stacked=True)],
        _split(console, table, chunk=False),
        _split(console, table, chunk=True),
    )
    for candidate in candidates:
        blocks = list(candidate)
        if all(_fits(console, block) for block in blocks):
            return blocks
    return list(_records(table))


def _fits(console: Console, renderable: RenderableType) -> bool:
    if isinstance(renderable, Text):  # headings wrap, never cut
        return True
    options = console.options.update(max_width=_UNBOUNDED)
    return Measurement.get(console, options, renderable).maximum <= console.width


def _table(table: TextTable, *, stacked: bool) -> Table:
    """One rich table: names left-aligned and never wrapped, figures right-aligned; with
    `stacked`, each interval on the line under its value."""
    rows = [[_stack(cell) if stacked and i >= table.names else cell for i, cell in enumerate(row)]
            for row in shown_rows(table)]  # fmt: skip
    shown = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, safe_box=True)
    for index, header in enumerate(table.columns):
        cells = [row[index] for row in rows]
        if index < table.names:
            shown.add_column(Text(header), justify="left", no_wrap=True)
        else:
            widest = max((len(line) for cell in cells for line in cell.split("\n")), default=0)
            title = _wrap(header, widest) if stacked else header
            shown.add_column(Text(title), justify="right", no_wrap=True)
    for row in rows:
        shown.add_row(*(Text(cell) for cell in row))
    return shown


def _stack(cell: str) -> str:
    value, sep, half = cell.partition(INTERVAL)
    return f"{value}\n±{half}" if sep else cell


def _wrap(header: str, width: int) -> str:
    """A header over lines no wider than `width` where its words allow (never a word cut)."""
    return "\n".join(textwrap.wrap(header, max(width, 1), break_long_words=False)) or header


def _split(console: Console, table: TextTable, *, chunk: bool) -> Iterator[RenderableType]:
    """A table per value of the first name column, under a heading naming it; with
    `chunk`, each split further into tables of as many figure columns as fit."""
    if table.names < 2:
        yield from _chunks(console, table) if chunk else [_table(table, stacked=True)]
        return
    first = table.columns[0]
    for value in dict.fromkeys(row[0] for row in table.rows):
        mine = TextTable(
            table.columns[1:], [row[1:] for row in table.rows if row[0] == value], table.names - 1
        )
        yield Text(f"{first}: {value}", overflow="fold")
        yield from _chunks(console, mine) if chunk else [_table(mine, stacked=True)]


def _chunks(console: Console, table: TextTable) -> Iterator[Table]:
    """`table` as several, each with the names and as many figure columns as fit."""
    figures = list(range(table.names, len(table.columns)))
    while figures:
        taken = [figures.pop(0)]
        while figures and _fits(console, _table(_pick(table, [*taken, figures[0]]), stacked=True)):
            taken.append(figures.pop(0))
        yield _table(_pick(table, taken), stacked=True)


def _pick(table: TextTable, figures: list[int]) -> TextTable:
    keep = [*range(table.names), *figures]
    return TextTable(
        [table.columns[i] for i in keep], [[row[i] for i in keep] for row in table.rows],
        table.names, table.blank_repeats,
    )  # fmt: skip


def _records(table: TextTable) -> Iterator[RenderableType]:
    """A heading per row (its names), then `column: value` lines; text that is wider than
    the terminal folds onto the next line rather than being cut."""
    for row in table.rows:
        yield Text(" / ".join(row[: table.names]), style="bold", overflow="fold")
        for header, cell in zip(table.columns[table.names :], row[table.names :], strict=True):
            yield Text(f"  {header}: {cell}", overflow="fold")
