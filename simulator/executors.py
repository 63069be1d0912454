"""Where a sweep's units run: one `concurrent.futures.Executor` whatever the machine.

    workers=1            one thread of this process: the units one after another
    workers=N            a local pool of N processes
    dask="local"         a Dask LocalCluster of N single-threaded worker processes
    dask="tcp://host:8786"  an existing Dask cluster, through its scheduler

The units are the same functions with the same arguments on each, and a unit's tables
depend only on its variant, seed and replication, so the results are identical whichever
runs them. Dask is an optional extra (`pip install 'ml-lifecycle-sim[dask]'`), imported only when
asked for. On a cluster, the sweep's output directory must be one the workers can write
to (a shared filesystem): each unit writes its own tables there.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    BrokenExecutor,
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from contextlib import contextmanager
from types import ModuleType
from typing import Any, Final, TypeVar
from weakref import WeakKeyDictionary

from simulator.errors import SweepError

T = TypeVar("T")
_ADDRESSES: Final = "expected a scheduler's address, tcp://host:port, or local (a LocalCluster)"


def default_workers() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@contextmanager
def open_executor(workers: int, dask: str | None = None) -> Iterator[Executor]:
    """An executor of `workers` workers, or of the Dask cluster at `dask` ("local": a
    LocalCluster of `workers` processes started here), shut down on leaving."""
    if dask is None:
        pool: Executor = (
            ThreadPoolExecutor(max_workers=1) if workers <= 1 else process_pool(workers)
        )
        with pool:
            yield pool
        return
    distributed = check_dask(dask)
    cluster = (
        distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,  # a unit is pure Python: one per process, as a pool runs them
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        if dask == "local"
        else None
    )
    try:
        try:
            client = distributed.Client(cluster if cluster is not None else dask)
        except OSError as error:
            raise SweepError(f"--dask {dask}: cannot reach the scheduler: {error}") from None
        except (ValueError, TypeError) as error:
            raise SweepError(f"--dask {dask!r}: {error}; {_ADDRESSES}") from None
        try:
            executor = client.get_executor()
            _CLIENTS[executor] = client
            yield executor
        finally:
            client.close()
    finally:
        if cluster is not None:
            cluster.close()


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of `workers` processes that end with this one. Its processes are this one's
    own children, started by fork on Linux (fast: nothing to import again) and by spawn
    elsewhere, whatever the default start method: under forkserver (Python 3.14's default
    on Linux) a worker's parent would be the fork server, not the process it must outlive."""
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    return ProcessPoolExecutor(
        workers, mp_context=context, initializer=end_with_parent, initargs=(os.getpid(),)
    )


_PR_SET_PDEATHSIG: Final = 1


def end_with_parent(parent: int) -> None:
    """Run in each pool process as it starts: end it when `parent` ends, however that ends
    (a kill -9 gives the parent no chance to stop its pool), rather than leave it holding
    its memory for good. Linux says so at once (PR_SET_PDEATHSIG); where that is refused
    (a seccomp filter, gVisor) or elsewhere, a thread looks every second."""
    if not (sys.platform == "linux" and _death_signal()):
        threading.Thread(target=_watch, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the parent ended before the signal was asked for
        os._exit(1)


def _death_signal() -> bool:
    """Whether Linux agreed to send this process SIGKILL when its parent ends."""
    libc = ctypes.CDLL(None)
    return bool(libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL) == 0)


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


NO_WORKERS_S: Final = 60.0
"""How long a Dask cluster may have no worker at all before its sweep stops."""
LOOK_EVERY_S: Final = 5.0


class NoWorkers(SweepError):
    """A Dask cluster has had no worker for `NO_WORKERS_S`: its units would wait for ever."""


def completed(futures: Sequence[Future[T]], executor: Executor) -> Iterator[Future[T]]:
    """The futures as they complete, as `as_completed` gives them; on a Dask cluster that
    has had no worker for `NO_WORKERS_S` (all lost, or none ever joined), NoWorkers
    rather than a wait for ever."""
    pending = set(futures)
    alone_since: float | None = None
    while pending:
        done, pending = wait(pending, timeout=LOOK_EVERY_S, return_when=FIRST_COMPLETED)
        yield from done
        if done or _workers(executor) != 0:
            alone_since = None
            continue
        now = time.monotonic()
        alone_since = now if alone_since is None else alone_since
        if now - alone_since >= NO_WORKERS_S:
            raise NoWorkers(
                f"the Dask cluster has had no worker for {NO_WORKERS_S:g} s, so no unit can "
                "run (start workers: dask worker <scheduler address>)"
            )


_CLIENTS: Final[WeakKeyDictionary[Executor, Any]] = WeakKeyDictionary()
"""The Dask client of each executor `open_executor` made, to count its cluster's workers."""


def _workers(executor: Executor) -> int | None:
    """The workers of the cluster of a Dask executor `open_executor` made, now; None for
    any other executor. A client that has lost its scheduler (reconnecting, or closed) has
    no worker either: it would only repeat the last count it heard."""
    client = _CLIENTS.get(executor)
    if client is None:
        return None
    if client.status != "running":
        return 0
    info = client.scheduler_info(n_workers=0)  # the count alone, not each worker's details
    if client.status != "running":
        return 0
    return int(info.get("n_workers", len(info.get("workers", {}))))  # before 2025: details


def check_dask(dask: str) -> ModuleType:
    """Dask's `distributed`, once it is known to be installed and `dask` to be "local" or an
    address a scheduler can have: a sweep checks before it writes anything, and a Client
    that fails half-made prints a traceback of its own as it is collected."""
    distributed = _distributed()
    if dask != "local":
        try:
            distributed.comm.get_address_host_port(dask)
        except (ValueError, TypeError) as error:
            raise SweepError(f"--dask {dask!r}: {error}; {_ADDRESSES}") from None
    return distributed


def lost_worker_errors() -> tuple[type[BaseException], ...]:
    """What an executor raises for a unit whose worker died under it (a pool process
    killed, a Dask worker lost for good): not the unit's fault, and running it again may
    well succeed. Dask's is looked for only once Dask is loaded: before, none is raised."""
    killed = getattr(sys.modules.get("distributed"), "KilledWorker", None)
    return (BrokenExecutor, killed) if isinstance(killed, type) else (BrokenExecutor,)


def _distributed() -> ModuleType:
    try:
        import distributed
    except ImportError:
        raise SweepError(
            "--dask needs Dask's distributed scheduler: pip install 'ml-lifecycle-sim[dask]'"
        ) from None
    return distributed
