"""The resource ids as tables hold them: in order, as text, each key's code among them."""

from __future__ import annotations

import gc
import tracemalloc

import numpy as np

from simulator.engine.resource_ids import ResourceIds
from simulator.runner import _unified_already


def test_ids_are_put_in_order_and_each_key_finds_its_own() -> None:
    ids = ResourceIds.of(["m-10", "m-2", "a-1"])  # keys 0, 1, 2
    assert list(ids.dtype.categories) == ["a-1", "m-10", "m-2"]
    assert ids.dtype.categories.dtype == "str"
    assert ids.codes.tolist() == [1, 2, 0]
    assert ids.order.tolist() == [2, 0, 1]  # the key of each code
    assert ids.named(np.array([0, 1, 2, 0])).tolist() == ["m-10", "m-2", "a-1", "m-10"]
    assert _unified_already(ids.dtype.categories)  # concat keeps them as they are


def test_no_ids() -> None:
    ids = ResourceIds.of([])
    assert len(ids.dtype.categories) == 0
    assert ids.named(np.zeros(0, dtype=np.int32)).tolist() == []


def test_the_ids_keep_no_python_string_of_each_id() -> None:
    """pandas checks a categorical dtype's categories unique with a hash table of them as
    Python strings, and keeps it on them: 152 MB for a million ids, held with the tables."""
    given = [f"arn:aws:rekognition:us-east-1:1:project/p/version/{i:06d}/1" for i in range(20_000)]
    tracemalloc.start()
    try:
        ids = ResourceIds.of(given)
        gc.collect()
        kept, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert list(ids.dtype.categories) == given  # numbered in order already
    assert kept < 20 * len(given)  # the codes and the order, 8 bytes an id; the text in Arrow
