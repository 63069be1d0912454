"""What a user's files say about their resources' statuses, as one table, whatever the files.

`simulate fit` reads four kinds of file, told apart by their content, not their names:

- the simulator's own `transitions` table (CSV or Parquet, or the run directory holding it):
  each row is the exact moment a status was entered. A resource's last status lasts until
  the run's horizon: the `horizon` of the run's `scenario.yaml` beside the table, else the
  last time in the table (the note says which).
- a polling log, CSV `resource_id,status,time` (optionally `service`), as a script that asks
  for each resource's status now and then writes it: each row is a status seen at a moment.
- SageMaker EventBridge events (pipeline execution and step status changes): exact moments.
- CloudTrail records: a stop request's `eventTime`, when the request completed. It is not
  when the resource stopped; `durations` pairs it with the statuses seen of the resource.
  The records are read as replay reads them (`simulator.fit.logged.stop_requests`).

Every moment is seconds: the table's own seconds, or a timestamp's seconds since 1970.
Each row belongs to a `unit`, one resource followed in one stream of data (a replication
of a run, a polling log): a resource's runs never mix. A problem is an ObservationsError
naming the file, the field and what was expected.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd
import yaml

from simulator.errors import SimulatorError
from simulator.services import SERVICES


class ObservationsError(SimulatorError):
    """A file of observations cannot be read as any of the kinds `simulate fit` reads."""


STATUS_COLUMNS: Final = ("source", "service", "unit", "resource_id", "time", "status", "exact")
"""`statuses`: a status entered at `time` (`exact`), or seen at `time` by a poll."""
EXTRA_COLUMNS: Final = ("cause", "step_type", "end")
"""What moved it there (the table's `cause`), a SageMaker step's type, and when its unit's
data ends (exact units; NaN for polls, whose last poll is their end)."""
LEFT_TRUNCATED: Final = "initial, elapsed"
"""The cause of a first status its fleet entry started part-way into (`elapsed:`)."""
REQUEST_COLUMNS: Final = ("source", "service", "resource_id", "time", "operation")
TRANSITIONS_NEEDS: Final = ("time", "service", "resource_id", "to_status")
POLLS_NEEDS: Final = ("resource_id", "status", "time")


@dataclass
class Observations:
    """Every status moment and stop request of the files read, and what was noted reading."""

    statuses: pd.DataFrame
    requests: pd.DataFrame
    sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    trails: list[pd.DataFrame] = field(default_factory=list)
    """A CloudTrail log's records, before `read_observations` takes the stop requests of all
    the logs at once (a record two of them hold is one request)."""

    @property
    def services(self) -> list[str]:
        found = set(self.statuses["service"].dropna()) | set(self.requests["service"].dropna())
        return sorted(found)

    def taken_as(self, service: str) -> Observations:
        """These observations with every status row that names no service (a polling log of
        plain names, not ARNs) taken as `service`'s: what `--service` says of them."""
        unnamed = self.statuses["service"].isna()
        if not unnamed.any():
            return self
        statuses = self.statuses.copy()
        statuses.loc[unnamed, "service"] = service
        note = (
            f"{int(unnamed.sum())} rows that name no service are {service}'s (--service): "
            "their resource ids are not ARNs"
        )
        return Observations(statuses, self.requests, self.sources, [*self.notes, note])


def read_observations(paths: list[Path]) -> Observations:
    """The observations in all of `paths`, in one table (see the module)."""
    if not paths:
        raise ObservationsError("no file of observations given")
    from simulator.fit.logged import stop_requests

    parts = [_read(Path(path)) for path in paths]
    statuses = [p.statuses for p in parts if not p.statuses.empty]
    notes = [n for p in parts for n in p.notes]
    requests = empty(REQUEST_COLUMNS)
    if trails := [t for p in parts for t in p.trails]:
        logs = ", ".join(s for p in parts if p.trails for s in p.sources)
        requests, said = stop_requests(trails, logs)
        notes += said
    return Observations(
        pd.concat(statuses, ignore_index=True) if statuses else empty(ALL_STATUS_COLUMNS),
        requests,
        [s for p in parts for s in p.sources],
        notes,
    )


ALL_STATUS_COLUMNS: Final = STATUS_COLUMNS + EXTRA_COLUMNS


def empty(columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def _read(path: Path) -> Observations:
    from simulator.fit.logged import json_logs

    if not path.exists():
        raise ObservationsError(f"{path}: no such file or folder")
    if path.is_dir():
        for name in ("transitions.parquet", "transitions.csv"):
            if (path / name).is_file():
                return _transitions(path / name, _read_table(path / name))
        return json_logs(path)
    if path.suffix.lower() in (".csv", ".parquet"):
        table = _read_table(path)
        if set(TRANSITIONS_NEEDS) <= set(table.columns):
            return _transitions(path, table)
        if set(POLLS_NEEDS) <= set(table.columns):
            return _polls(path, table)
        raise ObservationsError(
            f"{path}: columns {', '.join(map(str, table.columns)) or 'none'}: expected a "
            f"transitions table ({', '.join(TRANSITIONS_NEEDS)}, as `simulate run` writes it) "
            f"or a polling log ({', '.join(POLLS_NEEDS)})"
        )
    return json_logs(path)


def _read_table(path: Path) -> pd.DataFrame:
    try:
        if path.suffix.lower() == ".parquet":
            return pd.read_parquet(path)
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except Exception as error:  # pandas and Arrow raise many kinds: all say the file is bad
        kind = "Parquet" if path.suffix.lower() == ".parquet" else "CSV"
        raise ObservationsError(f"{path}: not a readable {kind} file ({error})") from None


# -- the simulator's transitions table ------------------------------------------------------


def _transitions(path: Path, table: pd.DataFrame) -> Observations:
    source = str(path)
    missing = [c for c in TRANSITIONS_NEEDS if c not in table.columns]
    if missing:
        raise ObservationsError(f"{path}: no column {missing[0]!r} (a transitions table has it)")
    time = _seconds(path, table["time"], "time", timestamps=False)
    services = table["service"].astype(str)
    _known_services(path, services, "service")
    replication = table["replication"].astype(str) if "replication" in table else "0"
    resource = table["resource_id"].astype(str)
    scenario = _run_scenario(path)
    horizon, said = _horizon(path, scenario, float(np.nanmax(time)) if len(time) else 0.0)
    cause = table["cause"].astype(object) if "cause" in table else None
    statuses = pd.DataFrame({
        "source": source,
        "service": services,
        "unit": source + "#" + replication + "#" + resource,
        "resource_id": resource,
        "time": time,
        "status": table["to_status"].astype(str),
        "exact": True,
        "cause": cause.where(cause.notna(), None) if cause is not None else None,
        "step_type": None,
        "end": horizon,
    })  # fmt: skip
    begun = _begun_before(path, scenario)
    if begun:
        truncated = (statuses["cause"] == "initial") & statuses["resource_id"].isin(begun)
        statuses.loc[truncated, "cause"] = LEFT_TRUNCATED
    notes = [f"{path}: a transitions table, exact times; {said}"]
    return Observations(statuses, empty(REQUEST_COLUMNS), [source], notes)


def _run_scenario(path: Path) -> dict[str, Any] | None:
    """The run's scenario.yaml beside the table in a run directory (`run.json` beside it),
    read once; None for a table alone."""
    scenario = path.parent / "scenario.yaml"
    if not (path.parent / "run.json").is_file() or not scenario.is_file():
        return None
    try:
        data = yaml.safe_load(scenario.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        data = None
    if not isinstance(data, dict):
        raise ObservationsError(
            f"{scenario}: expected the run's scenario as a YAML mapping (the run directory's "
            "scenario.yaml is damaged)"
        )
    return data


def _horizon(path: Path, scenario: dict[str, Any] | None, last: float) -> tuple[float, str]:
    """When the run's data ends: its scenario's horizon, else the table's last time."""
    if scenario is not None:
        where = path.parent / "scenario.yaml"
        try:
            horizon = float(scenario["horizon"])
        except (KeyError, TypeError, ValueError):
            raise ObservationsError(
                f"{where}: horizon: expected the run's horizon in seconds (the run "
                "directory's scenario.yaml is damaged)"
            ) from None
        return horizon, (
            f"a resource still in a status was watched until the run's horizon, {horizon:g} s "
            f"(from {where})"
        )
    return last, (
        f"a resource still in a status was watched until the table's last time, {last:g} s "
        "(no run's scenario.yaml beside it to give the horizon)"
    )


def _begun_before(path: Path, scenario: dict[str, Any] | None) -> set[str]:
    """The ids of the resources whose fleet entries start part-way into their status
    (`elapsed:` > 0): their first statuses did not begin at the first row's time. Decided
    per entry, not per service: an entry of the same service with no `elapsed` entered its
    status at t=0, and its durations are whole. The ids are the ones the simulator gives,
    numbered on within each entry's `numbering` (two entries of one name continue it)."""
    if scenario is None:
        return set()
    from pydantic import TypeAdapter, ValidationError

    from simulator.scenario.fleet import Fleet
    from simulator.services.kit import SingleStepFleet

    fleet = scenario.get("fleet") or []
    if not isinstance(fleet, list):
        raise ObservationsError(f"{path.parent / 'scenario.yaml'}: fleet: expected a list")
    reader: TypeAdapter[Any] = TypeAdapter(Fleet)
    numbered: dict[str, int] = {}
    begun: set[str] = set()
    for index, raw in enumerate(fleet):
        try:
            entry = reader.validate_python(raw)
        except ValidationError as error:
            raise ObservationsError(
                f"{path.parent / 'scenario.yaml'}: fleet[{index}]: not a fleet entry the "
                f"simulator reads ({error.errors()[0]['msg']})"
            ) from None
        if not isinstance(entry, SingleStepFleet):
            continue  # resources that go through stages cannot start part-way
        first = numbered.get(entry.numbering, 0)
        numbered[entry.numbering] = first + entry.count
        if entry.elapsed > 0:
            begun.update(entry.resource_id(i) for i in range(first, first + entry.count))
    return begun


# -- a polling log --------------------------------------------------------------------------


def _polls(path: Path, table: pd.DataFrame) -> Observations:
    source = str(path)
    for column in POLLS_NEEDS:
        blank = table[column].isna()
        if blank.any():
            row = int(np.flatnonzero(blank.to_numpy())[0]) + 2
            raise ObservationsError(f"{path} line {row}: {column}: empty (expected a value)")
    resource = table["resource_id"].astype(str)
    if "service" in table:
        services = table["service"].astype(str)
        _known_services(path, services, "service")
    else:
        services = resource.map(service_of_arn)
    statuses = pd.DataFrame({
        "source": source,
        "service": services,
        "unit": resource,
        "resource_id": resource,
        "time": _seconds(path, table["time"], "time", timestamps=True),
        "status": table["status"].astype(str).str.strip(),
        "exact": False,
        "cause": None,
        "step_type": None,
        "end": math.nan,
    })  # fmt: skip
    notes = [f"{path}: a polling log; each change lies between two polls"]
    return Observations(statuses, empty(REQUEST_COLUMNS), [source], notes)


def service_of_arn(resource_id: str) -> str | None:
    """The simulated service an ARN names (`arn:aws:rekognition:...`), or None."""
    parts = resource_id.split(":")
    if len(parts) > 2 and parts[0] == "arn" and parts[2] in SERVICES:
        return parts[2]
    return None


def _known_services(path: Path, services: pd.Series, column: str) -> None:
    unknown = sorted(set(services.dropna()) - set(SERVICES))
    if unknown:
        raise ObservationsError(
            f"{path}: {column}: unknown service {unknown[0]!r}; expected one of "
            f"{', '.join(SERVICES)}"
        )


def _seconds(path: Path, values: pd.Series, column: str, *, timestamps: bool) -> np.ndarray:
    """A column of moments as seconds: numbers as they are; ISO timestamps (where allowed)
    as seconds since 1970. An error names the file, the line and what was expected."""
    numbers = pd.to_numeric(values, errors="coerce")
    if not numbers.isna().any():
        return numbers.to_numpy(dtype=float)
    if timestamps and numbers.isna().all():
        moments = pd.to_datetime(values, utc=True, errors="coerce", format="ISO8601")
        bad = moments.isna().to_numpy()
        if not bad.any():
            epoch = pd.Timestamp(0, tz="UTC")
            return np.asarray((moments - epoch).dt.total_seconds(), dtype=float)
    else:
        bad = numbers.isna().to_numpy()
    row = int(np.flatnonzero(bad)[0])
    expected = (
        "seconds, or an ISO 8601 time such as 2026-01-05T20:00:03Z" if timestamps else "seconds"
    )
    raise ObservationsError(
        f"{path} line {row + 2}: {column}: cannot read {values.iloc[row]!r} as a time "
        f"(expected {expected}, the same kind in every row)"
    )
