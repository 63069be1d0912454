"""The collector's policy while a model runs (simulator.engine.heap): the built model is
frozen and young collections are rarer during the event loop, and both are undone after."""

from __future__ import annotations

import gc

import pytest

from simulator.engine.heap import RUN_THRESHOLDS, settled
from simulator.runner import simulate
from tests.kit import scenario


def test_settled_freezes_and_restores() -> None:
    before = gc.get_threshold()
    kept = [object() for _ in range(10)]  # something alive to freeze
    with settled():
        assert gc.get_threshold() == RUN_THRESHOLDS
        assert gc.get_freeze_count() >= len(kept)
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


class _Node:
    """A cycle of one: only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.me = self


def test_settled_still_collects_the_cycles_a_run_makes() -> None:
    """Rarer young collections, not none: a run that makes cyclic garbage on every call
    (an error's traceback holds the frame that holds the error) keeps a bounded amount."""
    import weakref

    with settled():
        first = weakref.ref(_Node())
        for _ in range(2 * RUN_THRESHOLDS[0]):
            _Node()
        assert first() is None


def test_settled_restores_after_an_error() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), settled():
        raise RuntimeError("the loop failed")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_a_replication_runs_its_event_loop_settled() -> None:
    """Progress is reported from inside the loop: it sees the run's policy each time."""
    seen: list[tuple[tuple[int, int, int], bool]] = []
    loaded = scenario(
        """
name: heap
horizon: 1h
fleet: [{service: rekognition, count: 20}]
requests: [{service: rekognition, at: 10m}]
"""
    )
    before = gc.get_threshold()
    simulate(
        loaded, 1, 0, lambda _done: seen.append((gc.get_threshold(), gc.get_freeze_count() > 0))
    )
    assert len(seen) > 1
    assert all(entry == (RUN_THRESHOLDS, True) for entry in seen)
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_give_back_trims_the_c_heap_where_the_c_library_can() -> None:
    """On glibc (CI's machine) the freed model's pages go back through malloc_trim."""
    import platform

    from simulator.engine import heap

    if platform.system() != "Linux" or "glibc" not in (platform.libc_ver()[0] or ""):
        pytest.skip("malloc_trim is glibc's")
    assert heap._malloc_trim() is not None
    heap.give_back()  # and calling it is harmless
