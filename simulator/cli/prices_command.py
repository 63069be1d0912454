"""`simulate prices`: the prices a scenario bills at, or the catalogue's for a region, with
their units, dates and sources; which regions each catalogue item covers.

One table of rows makes every format (text, JSON, markdown), so they say the same. Imports
no pandas or SimPy.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from simulator.cli.app import app
from simulator.cli.console import fail, stdout_console
from simulator.cli.formats import Format, JsonFlag, TextTable, chosen, emit_json, format_option
from simulator.cli.options import Quiet, Verbose
from simulator.errors import SimulatorError

COLUMNS = (
    "region", "service", "item", "instance_type", "unit", "usd", "billed_as", "origin",
    "effective_date", "source",
)  # fmt: skip
COVERAGE = ("service", "item", "instance_type", "unit", "regions")


@app.command()
def prices(
    scenario_file: Annotated[
        Path | None,
        typer.Argument(
            help="a scenario: the prices it bills at (default: the catalogue's)",
            metavar="[SCENARIO_FILE]",
            show_default=False,
        ),
    ] = None,
    region: Annotated[str | None, typer.Option(help="only this AWS region's prices")] = None,
    service: Annotated[str | None, typer.Option(help="only this service's prices")] = None,
    fmt: Annotated[Format, format_option()] = Format.TEXT,
    as_json: JsonFlag = False,
    verbose: Verbose = 0,
    quiet: Quiet = False,
) -> None:
    """Print the prices a scenario bills at, or the catalogue's (us-east-1 unless --region
    says another), each with its unit, the date it applies from and its source.

    A scenario's prices come from its own rates, its `prices:` files, the catalogue, or
    (us-east-1 only) the uncited figure in a service's code, in that order; `origin` says
    which. The catalogue's answer ends with the regions each of its items covers."""
    from simulator.services.regions import known_region

    shown = chosen(fmt, as_json)
    if region is not None:
        try:
            known_region(region)
        except ValueError as error:
            fail(f"--region: {error}")
    if scenario_file is None:
        rows = _catalogue_rows(region or "us-east-1")
        coverage = _coverage(service)
        subject = f"the catalogue, {region or 'us-east-1'}"
    else:
        rows = _scenario_rows(scenario_file, region)
        coverage = []
        subject = str(scenario_file)
    rows = _of_service(rows, service)
    _print(shown, subject, rows, coverage)


def _catalogue_rows(region: str) -> list[dict[str, Any]]:
    """The catalogue's rows of `region`, then the services' uncited figures it lacks."""
    from simulator.pricing.catalogue import catalogue
    from simulator.pricing.resolve import built_in_quotes
    from simulator.scenario.model import Services

    rows = [_row_of(r) for r in catalogue() if r.region == region]
    return rows + [_quoted(q) for q in built_in_quotes(Services(), region)]


def _scenario_rows(path: Path, region: str | None) -> list[dict[str, Any]]:
    from simulator.pricing.resolve import scenario_prices
    from simulator.scenario import load_scenario

    try:
        scenario = load_scenario(path)
    except SimulatorError as error:
        fail(str(error))
    quotes = scenario_prices(scenario).quotes
    return [_quoted(q) for q in quotes if region is None or q.region == region]


def _quoted(quote: Any) -> dict[str, Any]:
    """A row of the prices table of a price as a scenario bills it (a `Quote`)."""
    billed = _billed_as(quote.price.usd_per_hour, quote.price.usd_per_entry, quote.unit)
    return _record(
        quote, quote.region, quote.service, quote.item, quote.instance_type, quote.unit,
        quote.usd, billed, quote.origin,
    )  # fmt: skip


def _row_of(row: Any) -> dict[str, Any]:
    from simulator.pricing.resolve import catalogue_billing

    billed = _billed_as(*catalogue_billing(row), row.unit)
    return _record(
        row, row.region, row.service, row.item, row.instance_type, row.unit, row.usd, billed,
        "catalogue",
    )  # fmt: skip


def _record(dated: Any, *values: Any) -> dict[str, Any]:
    """A row of the prices table: `values`, then the date and source of `dated`."""
    return dict(zip(COLUMNS, (*values, dated.effective_date, dated.source), strict=True))


def _billed_as(hourly: float, per_entry: float, unit: str) -> str:
    """The rate as the simulator bills it: per entry, or per hour of what the unit counts
    (a GB-second's or a GB-month's figure bills per GB-hour, an instance's per hour)."""
    if per_entry > 0:
        return f"${_figure(per_entry)} per entry"
    per = "GB-hour" if unit.startswith("GB-") else "hour"
    return f"${_figure(hourly)} per {per}"


def _coverage(service: str | None) -> list[dict[str, Any]]:
    """Each catalogue item with the regions that have its row."""
    from simulator.pricing.catalogue import catalogue

    regions: dict[tuple[str, str, str, str], list[str]] = {}
    for row in catalogue():
        if service is None or row.service == service:
            key = (row.service, row.item, row.instance_type, row.unit)
            regions.setdefault(key, []).append(row.region)
    return [
        dict(zip(COVERAGE, (*key, ", ".join(sorted(found))), strict=True))
        for key, found in regions.items()
    ]


def _of_service(rows: list[dict[str, Any]], service: str | None) -> list[Any]:
    """`rows` of `service`; an error naming the choices (the simulator's services and the
    catalogue's) for a service no row could have."""
    if service is None:
        return rows
    from simulator.pricing.catalogue import catalogue
    from simulator.services import SERVICES

    known = sorted({r.service for r in catalogue()} | set(SERVICES))
    if service not in known:
        fail(f"--service: unknown service {service!r}; expected one of {', '.join(known)}")
    return [r for r in rows if r["service"] == service]


def _text_table(rows: list[dict[str, Any]], columns: tuple[str, ...], names: int) -> TextTable:
    cells = [[_cell(row[c]) for c in columns] for row in rows]
    return TextTable(list(columns), cells, names)


def _cell(value: Any) -> str:
    return _figure(value) if isinstance(value, float) else str(value or "-")


def _figure(value: float) -> str:
    """A price as its source writes it: plain decimals, never 1.66667e-05."""
    return f"{value:.12f}".rstrip("0").rstrip(".")


def _print(
    shown: Format, subject: str, rows: list[dict[str, Any]], coverage: list[dict[str, Any]]
) -> None:
    from rich.text import Text

    from simulator.cli.formats import markdown
    from simulator.cli.tables import print_table

    title = f"prices: {subject}"
    tables = [("prices", _text_table(rows, COLUMNS, 4))]
    if coverage:
        tables.append(("regions each catalogue item covers", _text_table(coverage, COVERAGE, 4)))
    if shown is Format.JSON:
        emit_json({"subject": subject, "prices": rows, "coverage": coverage})
    elif shown is Format.MD:
        parts = [f"### {title}"] + [f"**{name}**\n\n{markdown(table)}" for name, table in tables]
        typer.echo("\n\n".join(parts))
    else:
        console = stdout_console()
        console.print(Text(title, style="bold"))
        for name, table in tables:
            console.print(Text(name, style="bold"))
            print_table(console, table)
            console.print()
