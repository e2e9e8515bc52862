"""The one exit policy: from what a run found and what it could not make, the code the process exits with;
and what a user is told of a run that failed, the same on the command line and on the page."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .errors import ExitCode, PlandocsError, Problem, ValidationFailed

INTERNAL_ERROR = "內部錯誤：plandocs 發生未預期的問題，已停止且未寫入不完整的檔案。"


def blocks(problems: Iterable[Problem], strict: bool, errors_block: bool = True) -> bool:
    """Whether what a check found stops the run before anything is written.

    An error in what the user prepares (master, templates) always stops it; with --strict, a warning too.
    Problems in the units' returns (`errors_block=False`) stop collect only with --strict: a batch of
    hundreds goes on past a bad file and accounts for it in its outputs.
    """
    problems = list(problems)
    return bool(problems) if strict else errors_block and any(p.is_error for p in problems)


def exit_code(problems: Iterable[Problem] = (), strict: bool = False, unmade: int = 0) -> ExitCode:
    """The code a finished run exits with: its problems as `blocks` judges them, then outputs it could not make
    (a PDF without LibreOffice), which leave the rest written."""
    if blocks(problems, strict):
        return ExitCode.INVALID_INPUT
    return ExitCode.CANNOT_WRITE if unmade else ExitCode.OK


@dataclass(frozen=True)
class Failure:
    """A run that stopped, as a user reads it: the located problems, one closing message and the exit code."""

    message: str
    exit_code: ExitCode
    problems: list[Problem] = field(default_factory=list)

    @property
    def internal(self) -> bool:
        """A bug rather than something the user can fix: its traceback is for a maintainer."""
        return self.exit_code is ExitCode.INTERNAL


def failure(error: Exception) -> Failure:
    """What to tell the user of `error`; an exception that is not plandocs's own is a bug, told without details."""
    if isinstance(error, ValidationFailed):
        return Failure(error.format(), error.exit_code, error.problems)
    if isinstance(error, PlandocsError):
        return Failure(f"錯誤：{error.format()}", error.exit_code)
    return Failure(INTERNAL_ERROR, ExitCode.INTERNAL)
