"""What a command prints, in the form asked for: a table for people, JSON for programs,
markdown for a pull request.

`run`, `report`, `sweep` and `diff` take `--format text|json|md`, `validate` takes
`--format text|json`, and all of them `--json` (short for `--format json`). JSON goes to
stdout alone, its numbers as numbers and a missing figure (NaN: a latency where no stop
ended) as null; markdown is GitHub's, tables with the figures right-aligned.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from simulator.cli.console import fail

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class TextTable:
    """Rows of text under `columns`; the first `names` columns name the row (service,
    group, ...), the others hold figures. Every row carries its whole name: with
    `blank_repeats`, a table shown whole writes the first column's value only where it
    changes (a sweep's metric over its variants), but a layout that splits the table by
    that column still knows each row's."""

    columns: Sequence[str]
    rows: Sequence[Sequence[str]]
    names: int
    blank_repeats: bool = False


def shown_rows(table: TextTable) -> list[list[str]]:
    """The rows as a table shown whole writes them: the first column blank where it repeats
    the row above, if the table asks for that."""
    rows = [list(row) for row in table.rows]
    if table.blank_repeats:
        for above, row in zip(table.rows, rows[1:], strict=False):
            if row[0] == above[0]:
                row[0] = ""
    return rows


class Format(StrEnum):
    TEXT = "text"
    JSON = "json"
    MD = "md"


class CheckFormat(StrEnum):
    """What `validate` prints: it has no table to put in a pull request."""

    TEXT = "text"
    JSON = "json"


def format_option(markdown: bool = True) -> Any:
    """`--format`: what the command prints (its choices are the annotation's enum)."""
    choices = "text (tables), json, or md (GitHub markdown)" if markdown else "text or json"
    return typer.Option("--format", help=f"what to print: {choices}")


JsonFlag = Annotated[bool, typer.Option("--json", help="print JSON: the same as --format json")]


def chosen(fmt: str, as_json: bool) -> Format:
    """The format asked for by `--format` and `--json` together."""
    if as_json and fmt not in (Format.TEXT, Format.JSON):
        fail(f"--json and --format {fmt}: give one of them")
    return Format.JSON if as_json else Format(fmt)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of `frame` as JSON objects: numbers as numbers, missing values as None."""
    return [{str(k): _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):  # a numpy scalar
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return None if _missing(value) else str(value)


def _missing(value: Any) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


def emit_json(data: Mapping[str, Any]) -> None:
    """`data` on stdout as JSON: strict (no NaN, which is not JSON), one document."""
    sys.stdout.write(json.dumps(data, indent=2, allow_nan=False) + "\n")
    sys.stdout.flush()


def markdown(table: TextTable) -> str:
    """`table` as a GitHub-flavoured markdown table: names left, figures right."""
    align = ["---" if i < table.names else "---:" for i in range(len(table.columns))]
    lines = [_md_row(table.columns), _md_row(align)]
    lines += [_md_row(row) for row in shown_rows(table)]
    return "\n".join(lines)


def _md_row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(_md_cell(cell) for cell in cells) + " |"


def _md_cell(text: str) -> str:
    """A cell's text that cannot end the cell or the row: `|` escaped, lines joined."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
