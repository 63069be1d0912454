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

import logging
import os
import sys
from collections.abc import Iterator
from concurrent.futures import BrokenExecutor, Executor, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from types import ModuleType
from typing import Final

from simulator.errors import SweepError

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
            ThreadPoolExecutor(max_workers=1) if workers <= 1 else ProcessPoolExecutor(workers)
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
            yield client.get_executor()
        finally:
            client.close()
    finally:
        if cluster is not None:
            cluster.close()


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
