"""CloudTrail records as one table, from any of the shapes AWS hands them over in.

- a log file as a trail delivers it to S3: `{"Records": [...]}`, `.json` or `.json.gz`;
- a folder of them, read recursively as the S3 prefix
  `AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/` holds them (digest files, which hold
  no records, are skipped by their `CloudTrail-Digest` name);
- `aws cloudtrail lookup-events` output: `{"Events": [{..., "CloudTrailEvent": "<json>"}]}`;
- `aws cloudtrail get-query-results` output (CloudTrail Lake): `{"QueryResultRows": [[{col:
  value}, ...], ...]}`, whose values are all text; a column named `userIdentity.arn` is
  read as that field, and a map Lake prints as `{key=value, ...}` as an object;
- a JSON array, or JSON lines, of records (an export of whole events).

One row per record, sorted by `event_time` (a log file's records are in no order). Every
problem is a ValueError naming the file, the record and the field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from simulator.awslogs.files import (
    JsonLines,
    an_object,
    embedded,
    field_text,
    files,
    kind,
    load,
    moment,
    table,
)

if TYPE_CHECKING:  # pandas is imported when a log is read
    import pandas as pd

COLUMNS = (
    "event_time",
    "event_source",
    "event_name",
    "aws_region",
    "account",
    "principal_arn",
    "request_parameters",
    "response_elements",
    "error_code",
    "error_message",
    "event_id",
    "read_only",
    "source",
)
SHAPES = (
    'a CloudTrail log ({"Records": [...]}), `lookup-events` output ({"Events": [...]}), '
    'a CloudTrail Lake query result ({"QueryResultRows": [...]}), or a JSON array or JSON '
    "lines of records"
)
_LAKE_MAP = re.compile(r"^\{(.*)\}$", re.DOTALL)
_LAKE_ENTRY = re.compile(r"(?:^|, )([A-Za-z0-9_]+)=")

Record = dict[str, object]


def read_cloudtrail(path: Path) -> pd.DataFrame:
    """Every record under `path` (a file or a folder), one row each (see the module)."""
    rows = [
        _row(record, where)
        for file in files(path, "CloudTrail log files", skip="CloudTrail-Digest")
        for where, record in records(file)
    ]
    return table(rows, COLUMNS, "event_time", ("request_parameters", "response_elements"))


def records(file: Path) -> Iterator[tuple[str, Record]]:
    """The file's records, each with where it is (`<file> Records[3]`)."""
    document = load(file)
    if isinstance(document, JsonLines):
        for where, record in document:
            yield where, an_object(record, where, "a record")
    elif isinstance(document, dict) and isinstance(document.get("Records"), list):
        for index, record in enumerate(document["Records"]):
            where = f"{file} Records[{index}]"
            yield where, an_object(record, where, "a record")
    elif isinstance(document, dict) and isinstance(document.get("Events"), list):
        for index, event in enumerate(document["Events"]):
            where = f"{file} Events[{index}]"
            record = embedded(event, "CloudTrailEvent", where)
            yield where, an_object(record, f"{where}.CloudTrailEvent", "a record")
    elif isinstance(document, dict) and isinstance(document.get("QueryResultRows"), list):
        for index, row in enumerate(document["QueryResultRows"]):
            where = f"{file} QueryResultRows[{index}]"
            yield where, _lake_record(row, where)
    elif isinstance(document, list):
        for index, record in enumerate(document):
            yield f"{file} [{index}]", an_object(record, f"{file} [{index}]", "a record")
    else:
        got = kind(document)
        if isinstance(document, dict):
            got += f" with keys {', '.join(map(repr, list(document)[:5]))}"
        raise ValueError(f"{file}: expected {SHAPES}; got {got}")


def _lake_record(row: object, where: str) -> Record:
    """A Lake result row (a list of one-column objects, values as text) as a record."""
    if not isinstance(row, list) or not all(isinstance(cell, dict) for cell in row):
        raise ValueError(f"{where}: expected a list of {{column: value}} objects")
    record: Record = {}
    for cell in row:
        for column, value in cell.items():
            parsed = _lake_value(value)
            head, _, field = str(column).partition(".")
            if field:
                nested = record.setdefault(head, {})
                if isinstance(nested, dict):
                    nested[field] = parsed
            else:
                record[column] = parsed
    return record


def _lake_value(value: object) -> object:
    if not isinstance(value, str):
        return value
    if value.startswith(("{", "[")):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            pass
    match = _LAKE_MAP.match(value)
    if match is None:
        return value
    body = match.group(1)
    keys = list(_LAKE_ENTRY.finditer(body))
    return {
        key.group(1): body[key.end() : following.start() if following else len(body)]
        for key, following in zip(keys, [*keys[1:], None], strict=True)
    }


def _row(record: Record, where: str) -> dict[str, object]:
    identity = record.get("userIdentity")
    if identity is not None and not isinstance(identity, dict):
        raise ValueError(f"{where}: userIdentity must be an object, got {kind(identity)}")
    identity = identity or {}
    principal = identity.get("arn")
    if principal is None and identity.get("type") == "AWSService":
        principal = identity.get("invokedBy")  # a service calling for itself has no ARN
    return {
        "event_time": moment(record.get("eventTime"), "eventTime", where),
        "event_source": field_text(record, "eventSource", where, required=True),
        "event_name": field_text(record, "eventName", where, required=True),
        "aws_region": field_text(record, "awsRegion", where),
        "account": field_text(record, "recipientAccountId", where)
        or field_text(identity, "accountId", where),
        "principal_arn": field_text({"userIdentity.arn": principal}, "userIdentity.arn", where),
        "request_parameters": _mapping(record, "requestParameters", where),
        "response_elements": _mapping(record, "responseElements", where),
        "error_code": field_text(record, "errorCode", where),
        "error_message": field_text(record, "errorMessage", where),
        "event_id": field_text(record, "eventID", where),
        "read_only": _flag(record, "readOnly", where),
        "source": where,
    }


def _mapping(record: Record, field: str, where: str) -> dict[str, object] | None:
    value = record.get(field)
    if value is not None and not isinstance(value, dict):
        raise ValueError(f"{where}: {field} must be an object or null, got {kind(value)}")
    return value


def _flag(record: Record, field: str, where: str) -> bool | None:
    value = record.get(field)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {"true", "false"}:
        return value.lower() == "true"
    raise ValueError(f"{where}: {field} must be true or false, got {value!r}")
