"""The garbage collector's policy while a model runs.

A run allocates a few short-lived objects per event (the event, its callbacks, a response)
and keeps the built model (every resource, its lifecycle, the recorder's columns) alive for
the whole run. With CPython's default thresholds a young collection runs every 700
allocations, and each older one walks whatever survived, which grows with the fleet: the
cost of a stop grew with the number of stops (110 µs at 30,000, 151 µs at 100,000 on the
project's machine), for work that finds almost nothing to free (a run's garbage is freed
by reference counting; a few cycles per stop remain).

So while the event loop runs, everything alive when it starts (the built model, and the
modules the process imported) is frozen out of every collection (`gc.freeze`), and a young
collection waits for 100,000 allocations (net of frees) instead of CPython's 700. A young
collection walks the containers made since the last one that are still alive, and every
reference each holds: at a million stops within the hour, with some 54,000 requests in
flight (278 arrive a second, each in flight 196 s on average), those are the newest
requests' frames, events and dicts, and each reference is a cache miss. The fewer the
collections, the more of a request's short-lived objects are gone before one comes, and
the fewer survivors move on to be walked again by the older generations' collections.
After every 10,000 allocations, collections took 13.6 s of that run's event loop (young
ones 9.8 s in 144, older ones 3.8 s); after every 100,000, 3.3 s (young ones 2.4 s in 14).
A run makes little cyclic garbage (19,000 objects in that whole run): it is still
collected, in bigger batches. What was frozen is unfrozen when the loop returns, so the
model can be freed as soon as its tables are handed over. Nothing is collected on the way
in: a full collection walks every object of the process (about 70 ms with the simulator
imported), more than a small replication takes; garbage frozen with the model waits for the
next collection. The thresholds are process-wide: replications run in threads at once
would share them (the executors here run one per process).
"""

from __future__ import annotations

import ctypes
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import Final

RUN_THRESHOLDS: Final = (100_000, 10, 10)
"""Allocations between young collections, and collections of each generation between
collections of the next, while the loop runs (CPython's defaults: 700, 10, 10)."""


@contextmanager
def settled() -> Iterator[None]:
    """Run the enclosed event loop with the built model frozen and fewer collections."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*RUN_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def give_back() -> None:
    """Return the C heap's free pages to the operating system, where the C library can
    (glibc's `malloc_trim`; elsewhere nothing is done).

    A million-stop model freed leaves its memory free but held: Python's small objects were
    spread over pages that the table columns, allocated next, cannot reuse, so the process
    held both (measured at a million stops: 154 MB given back after the model was freed,
    196 MB more after the recorder's columns became tables, 77 MB off the peak)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError):
        return None
