"""Worker processes for the batch stages: forked where possible, so they share the prepared data unpickled."""
from __future__ import annotations

import contextlib
import os


PARALLEL_FILES = 64  # fewer files are read sooner than worker processes start
MAX_WORKERS = 4
_shared: tuple = ()  # what a worker process works with, set once when it starts


def _share(*values) -> None:
    global _shared
    _shared = values


def shared() -> tuple:
    return _shared


def workers_for(count: int) -> int:
    """How many worker processes are worth starting for `count` files: none for a few, else one per core."""
    cores = min(os.cpu_count() or 1, MAX_WORKERS)
    return cores if count >= PARALLEL_FILES and cores > 1 else 0


@contextlib.contextmanager
def worker_pool(workers: int, *values):
    """Worker processes sharing `values`: forked where possible, so they receive them without pickling."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_share, initargs=values) as pool:
        yield pool
