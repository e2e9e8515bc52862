"""Worker processes for the batch stages: forked where possible, so they share the prepared data unpickled."""
from __future__ import annotations

import contextlib
import os
import signal


PARALLEL_FILES = 64  # fewer files are read sooner than worker processes start
MAX_WORKERS = 4
_shared: tuple = ()  # what a worker process works with, set once when it starts


def _share(*values) -> None:
    """Start a worker: Ctrl+C reaches every process of the console, but only the parent handles it (it cancels
    the workers), so a worker ignores it rather than print a traceback; a termination ends it silently."""
    global _shared
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _shared = values


def shared() -> tuple:
    return _shared


def workers_for(count: int) -> int:
    """How many worker processes are worth starting for `count` files: none for a few, else one per core."""
    cores = min(os.cpu_count() or 1, MAX_WORKERS)
    return cores if count >= PARALLEL_FILES and cores > 1 else 0


@contextlib.contextmanager
def worker_pool(workers: int, *values):
    """Worker processes sharing `values`: forked where possible, so they receive them without pickling.

    If the parent stops (Ctrl+C, an error), the work not started is cancelled and the workers are ended at
    once rather than waited for.
    """
    import multiprocessing
    import threading
    from concurrent.futures import InvalidStateError, ProcessPoolExecutor

    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_share, initargs=values)
    try:
        yield pool
    except BaseException:
        # The executor offers no public way to end its workers; shutting down forgets them, so note them first.
        processes = list((getattr(pool, "_processes", None) or {}).values())
        results = getattr(pool, "_result_queue", None)
        # Ending the workers makes the executor's thread mark every pending future broken; Python 3.11 fails
        # there with InvalidStateError on a future already cancelled (map cancels its futures when stopped),
        # and would print that thread's traceback. That one error is silenced while the pool is ended.
        manager = getattr(pool, "_executor_manager_thread", None)
        previous_hook = threading.excepthook

        def quiet_manager(hook_args):
            if not (hook_args.thread is manager and isinstance(hook_args.exc_value, InvalidStateError)):
                previous_hook(hook_args)

        threading.excepthook = quiet_manager
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            with contextlib.suppress(Exception):
                process.terminate()
        for process in processes:
            with contextlib.suppress(Exception):
                process.join(5)
        # A worker ended while sending its result leaves half a message in the result pipe: the executor's
        # thread would wait for the rest for ever, and the interpreter waits for that thread before it exits.
        # This process holds the pipe's last writing end; closing it ends that wait, and the thread closes down.
        with contextlib.suppress(Exception):
            results._writer.close()
        if manager is not None:
            manager.join(5)
        threading.excepthook = previous_hook
        raise
    pool.shutdown(wait=True)
