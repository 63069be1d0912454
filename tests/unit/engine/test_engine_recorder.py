"""Recorder tables: typed columns appended row by row, read back as DataFrames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulator.engine.recorder import Columns, Recorder, Table
from simulator.engine.resource_ids import ResourceIds

COLUMNS: Columns = {
    "time": "float",
    "count": "int",
    "ok": "bool",
    "code": "category",
    "resource": "resource",
}


def test_to_frame_dtypes_and_values() -> None:
    table = Table("t", COLUMNS)
    table.append(1.5, 7, True, None, 1)
    table.append(2.5, -3, False, "x", 0)
    table.append(4.0, 2**31 - 1, True, "y", 2)
    table.append(5.0, 0, False, "x", 1)
    assert len(table) == 4
    frame = table.to_frame(ResourceIds.of(["r2", "r0", "r3", "r1"]))  # ids by key

    assert list(frame.columns) == list(COLUMNS)
    assert frame["time"].dtype == np.float64
    assert frame["count"].dtype == np.int32
    assert frame["ok"].dtype == np.bool_
    assert isinstance(frame["code"].dtype, pd.CategoricalDtype)
    assert isinstance(frame["resource"].dtype, pd.CategoricalDtype)

    assert frame["time"].tolist() == [1.5, 2.5, 4.0, 5.0]
    assert frame["count"].tolist() == [7, -3, 2**31 - 1, 0]
    assert frame["ok"].tolist() == [True, False, True, False]
    assert list(frame["code"].cat.categories) == ["x", "y"]
    assert frame["code"].isna().tolist() == [True, False, False, False]
    assert frame["code"].astype(object).tolist()[1:] == ["x", "y", "x"]
    assert list(frame["resource"].cat.categories) == ["r0", "r1", "r2", "r3"]  # in order
    assert frame["resource"].astype(str).tolist() == ["r0", "r2", "r3", "r0"]  # keys 1 0 2 1


def test_category_without_missing_values() -> None:
    table = Table("t", {"c": "category"})
    for value in ("b", "a", "b"):
        table.append(value)
    frame = table.to_frame(ResourceIds.of([]))
    assert list(frame["c"].cat.categories) == ["b", "a"]
    assert frame["c"].cat.codes.tolist() == [0, 1, 0]


def test_category_of_only_missing_values() -> None:
    table = Table("t", {"c": "category"})
    table.append(None)
    table.append(None)
    frame = table.to_frame(ResourceIds.of([]))
    assert frame["c"].isna().tolist() == [True, True]
    assert len(frame["c"].cat.categories) == 0


def test_empty_table_gives_an_empty_frame_with_the_columns() -> None:
    frame = Table("t", COLUMNS).to_frame(ResourceIds.of(["r0"]))
    assert list(frame.columns) == list(COLUMNS)
    assert len(frame) == 0
    assert frame["time"].dtype == np.float64
    assert frame["count"].dtype == np.int32
    assert frame["ok"].dtype == np.bool_
    assert isinstance(frame["code"].dtype, pd.CategoricalDtype)
    assert isinstance(frame["resource"].dtype, pd.CategoricalDtype)
    assert list(frame["resource"].cat.categories) == ["r0"]


def test_append_needs_every_column_and_appends_nothing_without() -> None:
    table = Table("t", {"a": "float", "b": "int"})
    with pytest.raises(TypeError, match="missing 1 required positional argument"):
        table.append(1.0)
    assert len(table) == 0


def test_to_frame_is_a_copy() -> None:
    table = Table("t", {"a": "float"})
    table.append(1.0)
    frame = table.to_frame(ResourceIds.of([]))
    table.append(2.0)
    assert frame["a"].tolist() == [1.0]
    assert table.to_frame(ResourceIds.of([]))["a"].tolist() == [1.0, 2.0]


def test_recorder_table_is_the_same_per_name() -> None:
    recorder = Recorder()
    table = recorder.table("polls", {"time": "float"})
    assert recorder.table("polls", {"time": "float"}) is table
    assert recorder.tables == {"polls": table}


def test_recorder_table_with_other_columns_raises() -> None:
    recorder = Recorder()
    recorder.table("polls", {"time": "float"})
    with pytest.raises(ValueError, match="exists with other columns"):
        recorder.table("polls", {"time": "int"})
    with pytest.raises(ValueError, match="exists with other columns"):
        recorder.table("polls", {"time": "float", "more": "int"})


def test_register_returns_consecutive_keys() -> None:
    recorder = Recorder()
    assert [recorder.register("r-a"), recorder.register("r-b")] == [0, 1]
    assert recorder.register("r-a") == 2  # a second registration is a new key
    assert recorder.resource_ids == ["r-a", "r-b", "r-a"]


def test_frames_map_resource_keys_to_ids() -> None:
    recorder = Recorder()
    table = recorder.table("t", {"resource": "resource"})
    table.append(recorder.register("first"))
    table.append(recorder.register("second"))
    frames = recorder.frames()
    assert list(frames) == ["t"]
    assert frames["t"]["resource"].astype(str).tolist() == ["first", "second"]


def test_a_handed_over_table_frees_its_columns_without_a_collection() -> None:
    """The generated `append` is not in its own globals: no cycle keeps the columns (a
    third of a million-stop replication's memory) alive after the hand-over."""
    import gc
    import weakref

    recorder = Recorder()
    table = recorder.table("t", {"time": "float", "status": "category"})
    table.append(1.0, "RUNNING")
    columns = [weakref.ref(column) for column in table._data.values()]
    del table
    enabled = gc.isenabled()
    gc.disable()
    try:
        recorder.hand_over()
        assert [column() for column in columns] == [None, None]
    finally:
        if enabled:
            gc.enable()


def test_frames_leave_the_recorder_able_to_record() -> None:
    """`frames` (a notebook's results so far) copies every column, resource codes too: a
    frame viewing a column would keep its array from growing (BufferError)."""
    recorder = Recorder()
    for index in range(40_000):  # codes of int32, as pandas keeps them: what a view would be
        key = recorder.register(f"r-{index}")
    table = recorder.table("t", {"time": "float", "resource_id": "resource", "n": "small"})
    table.append(1.0, key, 3)
    frame = recorder.frames()["t"]
    for _ in range(1000):  # enough to make the arrays grow, and move
        table.append(2.0, key, 4)
    assert frame["time"].tolist() == [1.0]
    assert frame["resource_id"].tolist() == ["r-39999"]
    assert len(recorder.frames()["t"]) == 1001


JOINT_COLUMNS: Columns = {
    "time": "float",
    "caller": "category",
    "operation": "category",
    "resource": "resource",
    "status": "small",
    "error": "category",
}


def test_joint_columns_read_back_as_their_own() -> None:
    """A joint group is recorded as one code and read back as the columns it stands for:
    the same frame as recording each column on its own, categories in the order the rows
    bring them, whenever their codes were made."""
    groups = (("caller", "operation"), ("status", "error"))
    rows = [
        (0.5, "ops", "Stop", 1, 200, None),
        (1.0, "ops", "Describe", 0, 400, "ResourceInUseException"),
        (1.5, "cron", "Stop", 1, 200, None),
        (2.0, "ops", "Stop", 0, 500, "ThrottlingException"),
    ]
    joint, plain = Table("t", JOINT_COLUMNS, groups), Table("t", JOINT_COLUMNS)
    who, outcome = joint.codes(groups[0]), joint.codes(groups[1])
    who["cron", "Stop"]  # made before the rows that hold it, as a client's endpoint is:
    outcome[500, "ThrottlingException"]  # the categories still follow the rows' order
    who["never", "Sent"]  # a code no row holds: not among the categories read back
    outcome[503, "Unseen"]
    for time, caller, operation, key, status, error in rows:
        joint.append(time, who[caller, operation], key, outcome[status, error])
        plain.append(time, caller, operation, key, status, error)
    ids = ResourceIds.of(["r1", "r0"])
    expanded, expected = joint.to_frame(ids), plain.to_frame(ids)
    pd.testing.assert_frame_equal(expanded, expected)
    assert list(expanded["caller"].cat.categories) == ["ops", "cron"]
    assert expanded["status"].tolist() == [200, 400, 200, 500]
    assert expanded["error"].isna().tolist() == [True, False, True, False]


def test_joint_columns_of_an_empty_table() -> None:
    table = Table("t", JOINT_COLUMNS, (("caller", "operation"),))
    table.codes(("caller", "operation"))["ops", "Stop"]
    frame = table.to_frame(ResourceIds.of([]))
    assert list(frame.columns) == list(JOINT_COLUMNS)
    assert len(frame) == 0
    assert list(frame["caller"].cat.categories) == []


@pytest.mark.parametrize(
    "groups", [(("caller", "status"),), (("operation", "caller"),), (("caller", "nowhere"),)]
)
def test_joint_columns_must_be_consecutive_columns(groups: tuple[tuple[str, ...], ...]) -> None:
    with pytest.raises(ValueError, match="joint"):
        Table("t", JOINT_COLUMNS, groups)
