"""Append-only columnar tables: the single source of truth of a replication.

Every fact the results report (a status change, an API attempt, a stop request) is appended
here as it happens; costs are derived from these tables afterwards, never counted on the
side. A stop is one record filled in as its fate unfolds (`simulator.engine.stops`), kept
here beside the tables. Columns are `array.array`s (8 bytes a float, 4 an interned string or
resource) rather than rows of dicts (about 430 bytes each): a million stop requests fit in
a few hundred megabytes.

A table that is also a result (`transitions`, `calls`) is checked, when created, against its
schema in `simulator.tables`: the columns it records are those, in that order, and of
those dtypes, so a change to either is caught at once rather than in a saved file.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from simulator.engine.resource_ids import ResourceIds
from simulator.engine.stops import StopBook
from simulator.tables import SCHEMAS

Kind = Literal["float", "int", "small", "bool", "category", "resource"]
Columns = Mapping[str, Kind]
Joint = Sequence[tuple[str, ...]]
"""Runs of consecutive columns each recorded as one code (`Table`)."""
_TYPECODES: Mapping[Kind, str] = {
    "float": "d",
    "int": "i",  # request numbers: 32 bits are plenty
    "small": "h",  # attempts, HTTP statuses: 16 bits, on every one of millions of calls
    "bool": "b",
    "category": "i",
    "resource": "i",
}
_DTYPES: Mapping[Kind, str] = {
    "float": "float64",
    "int": "int32",
    "small": "int16",
    "bool": "bool",
    "category": "category",
    "resource": "category",
}
"""The dtype `Table.to_frame` gives each kind."""


class _Interner(dict[Any, int]):
    """Maps each distinct value to a small code, in order of first use (a joint group's
    codes may be made before any row holds them: `Table.to_frame` orders by the rows)."""

    def __missing__(self, key: Any) -> int:
        code = len(self)
        self[key] = code
        return code


class Table:
    """One table's columns; `append` takes the values in column order.

    A `joint` group is a run of consecutive columns recorded as one code: the code of the
    group's values together (`codes(group)`), which a caller that sends the same values
    row after row (a client's caller, service and operation) looks up once instead of on
    every row. Its columns are expanded from the codes when the frame is made.
    """

    def __init__(self, name: str, columns: Columns, joint: Joint = ()) -> None:
        self.name = name
        self.columns = dict(columns)
        self.joint = tuple(tuple(group) for group in joint)
        self._fields = _fields(list(self.columns), self.joint)
        """What `append` takes, in order: a column's name, or a joint group."""
        self._data = {
            f: array("i" if isinstance(f, tuple) else _TYPECODES[self.columns[f]])
            for f in self._fields
        }
        self._interners: dict[str | tuple[str, ...], _Interner] = {
            f: _Interner()
            for f in self._fields
            if isinstance(f, tuple) or self.columns[f] == "category"
        }
        self.append = self._compile_append()

    def codes(self, group: tuple[str, ...]) -> Mapping[tuple[Any, ...], int]:
        """The codes of a joint group's values: `codes(group)[values]` is what `append`
        takes for it (a new code the first time)."""
        return self._interners[group]

    def _compile_append(self) -> Callable[..., None]:
        """`append(v0, v1, ...)`: one call per row, each value straight into its column.

        Generated (as dataclasses and namedtuple generate their methods) because a row is
        appended for every API attempt and status change: a loop over per-column functions
        costs twice as much per row.
        """
        namespace: dict[str, Any] = {}
        arguments, statements = [], []
        for index, field in enumerate(self._fields):
            namespace[f"append{index}"] = self._data[field].append
            arguments.append(f"v{index}")
            if isinstance(field, str) and self.columns[field] == "category":
                namespace[f"codes{index}"] = self._interners[field]
                statements.append(f"append{index}(codes{index}[v{index}])")
            else:
                statements.append(f"append{index}(v{index})")
        source = f"def append({', '.join(arguments)}):\n    " + "\n    ".join(statements)
        exec(source, namespace)  # built from column positions only, never from data
        append: Callable[..., None] = namespace.pop("append")  # not in its own globals: a
        return append  # cycle would keep the columns alive until a collection finds it

    def __len__(self) -> int:
        return len(next(iter(self._data.values())))

    def to_frame(self, resources: ResourceIds) -> pd.DataFrame:
        """A DataFrame: categories for strings, `resources` (the ids, one dtype shared by
        every table: a million ids are indexed once) for resource columns.

        `None` recorded in a category column is a missing value. A category's categories
        are the values its rows hold, in order of first appearance.
        """
        frame: dict[str, Any] = {}
        for field in self._fields:
            data = self._data[field]
            values = np.frombuffer(data, dtype=data.typecode)
            if isinstance(field, str):
                frame[field] = self._column(field, values, resources)
                continue
            # a code may be made before its first row (a client's, for each endpoint it
            # opens): the rows' codes in order of first appearance, as a column's would be
            held = pd.unique(values)
            coded = list(self._interners[field])
            rows = [coded[code] for code in held]
            position_of = np.zeros(len(coded) or 1, dtype=np.int32)
            position_of[held] = np.arange(len(held), dtype=np.int32)
            values = position_of[values]
            for position, column in enumerate(field):
                parts = [row[position] for row in rows]
                frame[column] = self._column(column, values, resources, parts)
        return pd.DataFrame(frame, copy=False)  # copied above: copying again would hold both

    def _column(
        self,
        column: str,
        values: np.ndarray,
        resources: ResourceIds,
        parts: list[Any] | None = None,
    ) -> Any:
        """One column from its recorded `values`, or, in a joint group, from the group's
        codes `values` and each code's value of the column (`parts`)."""
        kind = self.columns[column]
        if kind == "category":
            coded = list(self._interners[column]) if parts is None else parts
            categories = list(dict.fromkeys(v for v in coded if v is not None))
            position = {v: i for i, v in enumerate(categories)}
            remap = np.array([position.get(v, -1) for v in coded] or [0], dtype=np.int32)
            codes = remap[values] if len(values) else values.astype(np.int32)
            return pd.Categorical.from_codes(codes, dtype=_categories(categories))
        if parts is not None:
            assert kind != "resource", f"{column}: a resource column is never joint"
            taken = np.array(parts, dtype=_TYPECODES[kind])[values]  # a new array: no copy
            return taken.astype(bool) if kind == "bool" else taken
        if kind == "resource":  # by key: the codes among the ids, a copy
            return resources.named(values)
        if kind == "bool":
            return values.astype(bool)
        return values.copy()


def _fields(columns: list[str], joint: tuple[tuple[str, ...], ...]) -> list[str | tuple[str, ...]]:
    """The columns with each joint group (a run of consecutive columns) in place of its
    own: what `Table.append` takes."""
    fields: list[str | tuple[str, ...]] = []
    starts = {group[0]: group for group in joint}
    index = 0
    while index < len(columns):
        group = starts.get(columns[index])
        if group is None:
            fields.append(columns[index])
            index += 1
            continue
        if tuple(columns[index : index + len(group)]) != group:
            raise ValueError(f"joint columns {group} are not consecutive in {columns}")
        fields.append(group)
        index += len(group)
    if sum(isinstance(field, tuple) for field in fields) != len(joint):
        raise ValueError(f"joint groups {joint} are not among the columns {columns}")
    return fields


def _check_schema(name: str, columns: Columns) -> None:
    """Raise ValueError if `name` is a result table and `columns` are not its schema's."""
    schema = SCHEMAS.get(name)
    if schema is None:
        return
    kinds = {c.name: c.kind.pandas for c in schema.columns}
    mine = [(column, _DTYPES[kind]) for column, kind in columns.items()]
    if mine != [(column, kinds[column]) for column in schema.base]:
        raise ValueError(f"table {name!r} would record {mine}, not its schema's {schema.base}")


def _decode(codes: array[int], names: _Interner, order: np.ndarray) -> pd.Categorical:
    """The registry's column `codes` (by key), its rows taken in `order`."""
    values = np.frombuffer(codes, dtype=np.int32) if codes else np.zeros(0, dtype=np.int32)
    return pd.Categorical.from_codes(values[order], dtype=_categories(list(names)))


def _categories(values: list[Any]) -> pd.CategoricalDtype:
    return pd.CategoricalDtype(pd.Index(values, dtype=object))


class Recorder:
    """The tables of one replication, its stops, and the registry of resources they refer to.

    The registry holds what never changes about a resource, once rather than on every row:
    its `group` (the fleet entry it came from, to select and to break costs down by), its
    `kind` (what its price items apply to, such as an instance type) and its `owner`, the
    resource a stop is sent to (a training job owns the instances it runs on: their cost is
    the cost of not stopping the job).
    """

    def __init__(self) -> None:
        self.tables: dict[str, Table] = {}
        self.stops = StopBook()
        self.resource_ids: list[str] = []
        self._groups, self._group_names = array("i"), _Interner()
        self._kinds, self._kind_names = array("i"), _Interner()
        self._owners = array("i")
        self._unknown: dict[str, int] = {}
        """Ids named before any resource had them (a request for a pipeline execution that
        starts later): the resource that takes the id later takes its key too."""
        self._adopted: set[str] = set()
        """Those of `_unknown` a resource has taken since: still one key each."""

    def table(self, name: str, columns: Columns, joint: Joint = ()) -> Table:
        """The table `name`, created with `columns` (and `joint` groups) on first use."""
        table = self.tables.get(name)
        if table is None:
            _check_schema(name, columns)
            table = self.tables[name] = Table(name, columns, joint)
        elif table.columns != dict(columns) or table.joint != tuple(map(tuple, joint)):
            raise ValueError(
                f"table {name!r} exists with other columns: {table.columns}, {table.joint}"
            )
        return table

    def register(
        self, resource_id: str, group: str = "", kind: str = "", owner: int | None = None
    ) -> int:
        """A resource's key: the small integer that tables record instead of its id.

        `owner` is the key of the resource it belongs to; by default, itself.
        """
        if self._unknown and resource_id in self._unknown and resource_id not in self._adopted:
            key = self._unknown[resource_id]
            self._adopted.add(resource_id)
            self._groups[key] = self._group_names[group]
            self._kinds[key] = self._kind_names[kind]
            self._owners[key] = key if owner is None else owner
            return key
        key = len(self.resource_ids)
        self.resource_ids.append(resource_id)
        self._groups.append(self._group_names[group])
        self._kinds.append(self._kind_names[kind])
        self._owners.append(key if owner is None else owner)
        return key

    def unknown(self, resource_id: str) -> int:
        """The key of an id no resource has (yet): one per id, which a resource registered
        later with that id adopts, so that an id is never two resources in the tables."""
        key = self._unknown.get(resource_id)
        if key is None:
            key = self._unknown[resource_id] = self.register(resource_id)
        return key

    def ids(self) -> ResourceIds:
        """The resource ids as the tables name them, each key's code among them."""
        return ResourceIds.of(self.resource_ids)

    def resources(self, ids: ResourceIds | None = None) -> pd.DataFrame:
        """The registry, one row per resource in the order of `ids` (row `i` is the
        resource of code `i`): resource_id, group, kind, owner_id."""
        ids = self.ids() if ids is None else ids
        order = ids.order
        owners = np.frombuffer(self._owners, dtype=np.int32) if self._owners else order[:0]
        return pd.DataFrame(
            {
                "resource_id": pd.Categorical.from_codes(
                    np.arange(len(order), dtype=np.int32), dtype=ids.dtype
                ),
                "group": _decode(self._groups, self._group_names, order),
                "kind": _decode(self._kinds, self._kind_names, order),
                "owner_id": ids.named(owners[order]),
            },
            copy=False,
        )

    def frames(self, ids: ResourceIds | None = None) -> dict[str, pd.DataFrame]:
        """Every table as a DataFrame (the recorder keeps recording afterwards)."""
        ids = self.ids() if ids is None else ids
        return {name: t.to_frame(ids) for name, t in self.tables.items()}

    def hand_over(self) -> dict[str, pd.DataFrame]:
        """Every table as a DataFrame, the stops' records as `stop_records` and the registry
        as `resources`, emptying the recorder as it goes, so that a million-request
        replication does not hold its tables twice."""
        ids = self.ids()
        frames = {"resources": self.resources(ids), "stop_records": self.stops.to_frame(ids)}
        self.stops = StopBook()
        for name in list(self.tables):
            frames[name] = self.tables.pop(name).to_frame(ids)
        return frames
