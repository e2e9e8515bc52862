"""One job at a time per project: check, build, collect, new or rollover, run in a thread the page polls.

A second request while one runs is answered at once with what is running; it never waits. Across processes,
the output folder's lock (office.output.folder_lock) keeps a `plandocs build` in a console from writing beside
the page's job; that is asked before a job starts, so the user is told at once rather than after the work.
"""
from __future__ import annotations

import contextlib
import itertools
import sys
import threading
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import PlandocsError
from ..report import Failure, failure


class Busy(PlandocsError):
    """Raised when a job is asked for while another of the same project runs."""


@dataclass
class Job:
    """A job's progress as the page shows it, then its result or why it stopped."""

    number: int
    kind: str  # the route's name of the job, e.g. "build"
    title: str  # what the page calls it, e.g. 「產生文件」
    view: str  # the page that shows the result
    done: int = 0
    total: int = 0  # 0 while the amount of work is not known: the page's bar then moves without a figure
    finished: bool = False
    result: object = None
    failure: Failure | None = None

    def counted(self, items: list) -> contextlib.AbstractContextManager[Iterable]:
        """collect's `progress`: the files as they are read, each one moving the bar."""
        self.total, self.done = len(items), 0

        @contextlib.contextmanager
        def counting() -> Iterator[Iterable]:
            def each():
                for item in items:
                    yield item
                    self.done += 1
            yield each()

        return counting()

    def status(self) -> dict:
        return {"number": self.number, "title": self.title, "done": self.done, "total": self.total,
                "finished": self.finished, "failed": self.failure is not None, "view": self.view}


@dataclass
class Runner:
    """The jobs of one project; `latest` keeps each kind's last job for its page."""

    _lock: threading.Lock = field(default_factory=threading.Lock)
    _numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    current: Job | None = None
    latest: dict[str, Job] = field(default_factory=dict)

    def start(self, kind: str, title: str, view: str, work: Callable[[Job], object],
              output_lock: Path | None = None) -> Job:
        """Run work(job) in a thread; Busy when a job (or a console's plandocs on `output_lock`) is running."""
        self._acquire(title)
        try:
            if output_lock is not None:
                _require_free(output_lock)
        except BaseException:
            self._lock.release()
            raise
        job = Job(next(self._numbers), kind, title, view)
        self.current = self.latest[kind] = job
        threading.Thread(target=self._run, args=(job, work), name=f"plandocs-{kind}", daemon=True).start()
        return job

    @contextlib.contextmanager
    def holding(self, title: str) -> Iterator[None]:
        """Hold the project for a short piece of work done in the request itself (storing uploaded returns)."""
        self._acquire(title)
        try:
            yield
        finally:
            self._lock.release()

    def _acquire(self, title: str) -> None:
        if not self._lock.acquire(blocking=False):
            running = self.current.title if self.current and not self.current.finished else "另一項工作"
            raise Busy(f"目前正在執行「{running}」，一個計畫一次只能執行一項工作；請等它完成後再「{title}」。")

    def _run(self, job: Job, work: Callable[[Job], object]) -> None:
        try:
            job.result = work(job)
        except Exception as error:  # noqa: BLE001 - every failure is shown on the page, a bug without its traceback
            job.failure = failure(error)
            if job.failure.internal:
                sys.stderr.write(f"plandocs ui：「{job.title}」發生未預期的問題，以下訊息請提供給維護人員：\n")
                traceback.print_exc()
        finally:
            job.finished = True
            self._lock.release()


def _require_free(folder: Path) -> None:
    """Raise the lock's own message when another plandocs is writing the output folder; hold nothing."""
    from ..office.output import folder_lock

    with folder_lock(folder):
        pass
