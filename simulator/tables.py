"""The run's tables, one schema each: every column's name, dtype, Arrow type, unit and meaning.

Written once, here, and used wherever a table is made or read: the recorder checks its
tables against it, `analysis.frames` takes its columns from it, the runner casts each
replication's tables to it (`conform`, which also adds the UTC columns), `runner.concat`
and `load_results` cast to it, Parquet is written with its Arrow schema, and the README
prints it (`render_markdown`; a test keeps the two equal).

A column has the same type whether or not it holds values: an `error_code` that no call
needed is still a dictionary of strings in Parquet, not Arrow's `null` type (reading two
runs together, Arrow takes the first file's type: a `null` one turned the other run's codes
into nulls). A column of one name has one dtype in every table.

Times are seconds from the scenario's `start`, as the simulation keeps them; each has a
UTC twin (`time_utc` beside `time`), `start` plus the seconds to the microsecond, added
once per replication, vectorised (a million-stop replication has 8.5 million calls).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # Arrow is needed to write and read Parquet only
    import pyarrow as pa


@dataclass(frozen=True)
class Kind:
    """A column's type: its pandas dtype and its Arrow type, each as its library prints it."""

    pandas: str
    arrow: str


CATEGORY: Final = Kind("category", "dictionary<values=string, indices=int32, ordered=0>")
"""Text from a small set: one code per row. Missing values are allowed."""
FLOAT: Final = Kind("float64", "double")
INT: Final = Kind("int64", "int64")
SMALL: Final = Kind("int16", "int16")
"""Attempt numbers and HTTP statuses: two bytes on each of millions of calls."""
COUNT: Final = Kind("int32", "int32")
"""Per-minute counts, minutes from the start and replications: four bytes on each of
millions of rows (2^31 requests a minute to one model, minutes (4,000 years) or replications
are beyond any run)."""
FLOAT32: Final = Kind("float32", "float")
"""A sum of seconds where seven digits do: the demand table's added latency (a minute's
waits of at most `max_wait` each, to the tenth of a second below 10^6 s)."""
OPTIONAL_INT: Final = Kind("Int64", "int64")
OPTIONAL_BOOL: Final = Kind("boolean", "bool")
BOOL: Final = Kind("bool", "bool")
TIMESTAMP: Final = Kind("datetime64[us, UTC]", "timestamp[us, tz=UTC]")


def arrow_type(kind: Kind) -> pa.DataType:
    import pyarrow as pa

    types = {
        CATEGORY: pa.dictionary(pa.int32(), pa.string()),
        FLOAT: pa.float64(),
        INT: pa.int64(),
        SMALL: pa.int16(),
        COUNT: pa.int32(),
        FLOAT32: pa.float32(),
        OPTIONAL_INT: pa.int64(),
        OPTIONAL_BOOL: pa.bool_(),
        BOOL: pa.bool_(),
        TIMESTAMP: pa.timestamp("us", tz="UTC"),
    }
    return types[kind]


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    unit: str
    description: str
    seconds: str | None = None
    """For a UTC column, the column of seconds it is `start` plus."""


@dataclass(frozen=True)
class Schema:
    name: str
    description: str
    columns: tuple[Column, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def base(self) -> tuple[str, ...]:
        """The columns a replication's tables are made with: all but `replication` and the
        UTC columns, which the runner adds."""
        return tuple(c.name for c in self.columns if c is not REPLICATION and c.seconds is None)


def _utc(seconds: str) -> Column:
    return Column(f"{seconds}_utc", TIMESTAMP, "UTC", f"`{seconds}` as a moment", seconds)


REPLICATION: Final = Column("replication", COUNT, "", "the replication, from 0")
SERVICE: Final = Column(
    "service", CATEGORY, "", "rekognition, lookoutvision, comprehend, neptune or sagemaker"
)
RESOURCE: Final = Column(
    "resource_id", CATEGORY, "", "the resource; a part of one is `<resource>/<part>`"
)
GROUP: Final = Column("group", CATEGORY, "", "the fleet entry the resource came from")
ERROR_CODE: Final = Column(
    "error_code", CATEGORY, "", "the AWS error code; missing where there was no error"
)

TRANSITIONS: Final = Schema(
    "transitions",
    "every status change",
    (
        REPLICATION,
        Column("time", FLOAT, "s", "when the status changed"),
        _utc("time"),
        SERVICE,
        RESOURCE,
        Column("from_status", CATEGORY, "", "the status before; missing for the first"),
        Column("to_status", CATEGORY, "", "the status after"),
        Column("cause", CATEGORY, "", "`initial`, or what moved it (`stop`, `timeout`, ...)"),
        Column("units", FLOAT, "units", "what it bills by from now (inference units, GB, ...)"),
    ),
)
CALLS: Final = Schema(
    "calls",
    "every API attempt",
    (
        REPLICATION,
        Column("time", FLOAT, "s", "when the attempt was sent"),
        _utc("time"),
        Column("caller", CATEGORY, "", "the caller that sent it (its client for this service)"),
        SERVICE,
        Column("operation", CATEGORY, "", "the API operation"),
        Column("resource_id", CATEGORY, "", "the resource the request named"),
        Column("attempt", SMALL, "", "1 for the first attempt, 2 for the first retry, ..."),
        Column("http_status", SMALL, "", "the answer's HTTP status"),
        ERROR_CODE,
        Column("latency_s", FLOAT, "s", "sent until the answer arrived"),
    ),
)
STOPS: Final = Schema(
    "stops",
    "every stop request",
    (
        REPLICATION,
        SERVICE,
        Column("resource_id", CATEGORY, "", "the resource the stop was sent to"),
        GROUP,
        Column("requested_at", FLOAT, "s", "when the stop was sent"),
        _utc("requested_at"),
        Column("accepted", OPTIONAL_BOOL, "", "the service accepted it; missing if unanswered"),
        Column("error_code", CATEGORY, "", "why it was rejected (its last attempt's error)"),
        Column("attempts", OPTIONAL_INT, "", "attempts the call took; missing if unanswered"),
        Column("terminal_status", CATEGORY, "", "the status that ended an accepted stop"),
        Column("terminal_at", FLOAT, "s", "when it ended; missing if it did not"),
        _utc("terminal_at"),
        Column("stop_latency_s", FLOAT, "s", "`terminal_at` - `requested_at`"),
        Column("observed_at", FLOAT, "s", "when the caller saw it end; missing if it did not"),
        _utc("observed_at"),
        Column(
            "cost_after_request_usd",
            FLOAT,
            "USD",
            "what the resource and its parts cost from the request until it ended",
        ),
        Column("outcome", CATEGORY, "", "the terminal status, `rejected`, `stuck` or `in_flight`"),
    ),
)
COSTS: Final = Schema(
    "costs",
    "billed intervals",
    (
        REPLICATION,
        SERVICE,
        Column("resource_id", CATEGORY, "", "the billed resource or part"),
        GROUP,
        Column("item", CATEGORY, "", "the price item"),
        Column("status", CATEGORY, "", "the billed status"),
        Column("start", FLOAT, "s", "the interval's start"),
        _utc("start"),
        Column("end", FLOAT, "s", "its end; = `start` for a price per entry"),
        _utc("end"),
        Column("quantity", FLOAT, "unit-hours", "billed quantity; entries for a price per entry"),
        Column("usd", FLOAT, "USD", "what it cost"),
    ),
)
BASELINE_COSTS: Final = Schema(
    "baseline_costs", "`costs` had no stop been sent: what the savings are against", COSTS.columns
)

INVOCATIONS: Final = Schema(
    "invocations",
    "every invocation of a `handler:` stream's code (empty in a run without one)",
    (
        REPLICATION,
        Column("stream", CATEGORY, "", "the handler stream"),
        Column("started", FLOAT, "s", "when it was invoked"),
        _utc("started"),
        Column("ended", FLOAT, "s", "when it returned, failed or was ended; missing if running"),
        _utc("ended"),
        Column("outcome", CATEGORY, "", "`ok`, `error`, `timed out`, or `running` at the horizon"),
        Column("cold_start", BOOL, "", "it loaded the module in a new execution environment"),
        Column("error_type", CATEGORY, "", "the exception's type, or Lambda's error name"),
        Column("error_message", CATEGORY, "", "the exception's message"),
        Column("log", CATEGORY, "", "what the code printed (Lambda sends it to CloudWatch)"),
    ),
)

DEMAND: Final = Schema(
    "demand",
    "inference requests per model and minute with any (empty in a run without `demand:`); "
    "`requests` = `served` + `throttled` + `failed` + `pending`, and `delayed` are among "
    "`served`",
    (
        REPLICATION,
        SERVICE,
        RESOURCE,
        GROUP,
        Column("minute", COUNT, "min", "the minute, counted from the start"),
        Column("minute_utc", TIMESTAMP, "UTC", "the minute's beginning as a moment"),
        Column("requests", COUNT, "requests", "requests that arrived in the minute"),
        Column("served", COUNT, "requests", "of those, served (at once or after a wait)"),
        Column("throttled", COUNT, "requests", "refused beyond capacity (the throttling error)"),
        Column("failed", COUNT, "requests", "refused as the model was not running (or gave up)"),
        Column("pending", COUNT, "requests", "still waiting for the model at the horizon"),
        Column("delayed", COUNT, "requests", "served after waiting for the model to run"),
        Column("added_latency_s", FLOAT32, "s", "the delayed requests' waits, summed"),
    ),
)
WAITS: Final = Schema(
    "waits",
    "every inference request that waited for its model to run (`on_not_running: wait`)",
    (
        REPLICATION,
        SERVICE,
        RESOURCE,
        GROUP,
        Column("arrived", FLOAT, "s", "when the request arrived"),
        _utc("arrived"),
        Column("waited_s", FLOAT, "s", "until it was served, gave up, or the horizon"),
        Column(
            "outcome",
            CATEGORY,
            "",
            "`served`, `throttled`, `gave up` or `waiting at the horizon`",
        ),
        Column("error_code", CATEGORY, "", "the service's error when it gave up; else missing"),
    ),
)

SCHEMAS: Final[Mapping[str, Schema]] = {
    s.name: s
    for s in (TRANSITIONS, CALLS, STOPS, COSTS, BASELINE_COSTS, INVOCATIONS, DEMAND, WAITS)
}


class MissingColumns(ValueError):
    """A table lacks columns its schema has (a file from elsewhere, or damaged)."""


def conform(name: str, frame: pd.DataFrame, start: datetime | None = None) -> pd.DataFrame:
    """`frame` as table `name`'s schema says: its columns in order, each of its dtype, the
    UTC columns added from `start` where missing. Casts and adds in place (a replication's
    tables are not copied for it) and returns the frame, reordered if it was not in order.

    Raises MissingColumns for a column it lacks (a UTC one only without `start`), ValueError
    or TypeError for values its dtype cannot hold."""
    schema = SCHEMAS[name]
    missing = [
        c.name
        for c in schema.columns
        if c.name not in frame.columns and (c.seconds is None or start is None)
    ]
    if missing:
        raise MissingColumns(f"no column {', '.join(map(repr, missing))}")
    for position, column in enumerate(schema.columns):
        if column.name not in frame.columns:
            assert column.seconds is not None  # a UTC column: missing is checked above
            assert start is not None
            utc = utc_moments(frame[column.seconds], start)
            frame.insert(min(position, frame.shape[1]), column.name, utc)
        elif str(frame[column.name].dtype) != column.kind.pandas:
            try:
                frame[column.name] = _cast(frame[column.name], column.kind)
            except (ValueError, TypeError) as error:
                raise ValueError(
                    f"column {column.name!r}: expected {column.kind.pandas} values ({error})"
                ) from None
    if tuple(frame.columns) != schema.names:
        frame = frame[list(schema.names)]
    return frame


def empty(name: str) -> pd.DataFrame:
    """Table `name` with no rows: the columns a replication's is made with (`Schema.base`),
    cast by `conform` like any other."""
    return pd.DataFrame({column: pd.Series([], dtype=object) for column in SCHEMAS[name].base})


def _cast(values: pd.Series, kind: Kind) -> pd.Series:
    dtype = pd.api.types.pandas_dtype(kind.pandas)
    if kind is TIMESTAMP:  # text, from a CSV file
        return pd.to_datetime(values, utc=True, format="ISO8601").astype(dtype)
    return values.astype(dtype)


_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_NAT: Final = np.iinfo(np.int64).min  # NaT as datetime64's integer


UTC_ROWS: Final = 1 << 20
"""Rows whose UTC moments are computed at a time: the intermediate microseconds of a whole
column (8.5 million calls for a million stops) would take as much again as the column."""


def utc_moments(seconds: pd.Series, start: datetime) -> pd.Series:
    """`start` plus each of `seconds`, rounded to the microsecond; NaN is NaT."""
    values = seconds.to_numpy(dtype=float)
    offset = (start - _EPOCH) // timedelta(microseconds=1)
    ticks = np.full(len(values), _NAT, dtype=np.int64)
    for low in range(0, len(values), UTC_ROWS):
        micro = np.multiply(values[low : low + UTC_ROWS], 1e6)
        np.rint(micro, out=micro)
        known = ~np.isnan(micro)
        part = ticks[low : low + UTC_ROWS]
        np.copyto(part, micro, casting="unsafe", where=known)
        np.add(part, offset, out=part, where=known)
    naive = pd.Series(ticks.view("datetime64[us]"), index=seconds.index, copy=False)
    return naive.dt.tz_localize("UTC")  # from UTC to UTC: no copy


def arrow_schema(name: str) -> pa.Schema:
    import pyarrow as pa

    return pa.schema([(c.name, arrow_type(c.kind)) for c in SCHEMAS[name].columns])


def csv_dtypes(name: str) -> dict[str, str]:
    """What to read a table's CSV columns as, so that text stays text (a group named `1`)."""
    return {c.name: "str" for c in SCHEMAS[name].columns if c.kind in (CATEGORY, TIMESTAMP)}


def render_markdown() -> str:
    """The schemas as the README prints them: a table of columns per table."""
    lines: list[str] = []
    first: dict[tuple[Column, ...], str] = {}  # a table with another's columns says so
    for schema in SCHEMAS.values():
        same = first.setdefault(schema.columns, schema.name)
        if same != schema.name:
            lines += [f"`{schema.name}`: {schema.description}; the columns of `{same}`.", ""]
            continue
        lines += [f"`{schema.name}`: {schema.description}.", ""]
        lines += ["| column | pandas | Arrow | unit | what it holds |", "|---|---|---|---|---|"]
        lines += [
            f"| `{c.name}` | {c.kind.pandas} | {c.kind.arrow} | {c.unit} | {c.description} |"
            for c in schema.columns
        ]
        lines.append("")
    return "\n".join(lines)
